/* SPDX-License-Identifier: MIT */
/*
 * fld_routes.c: fenliud's local routes (route/NODE in the config directory,
 * doc/routes.md). Loads them at start and on every reload (`fenliu reload`,
 * SIGHUP) into an LPM table published with one atomic pointer swap; gives
 * the dataplane its local_route op (asked before the mesh subnets for
 * frames from our device); lists them for `fenliu dump routes`.
 * Control thread only; the file reading and table building are
 * src/daemon/routes/route_files.c.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/routes/route_files.h"
#include "lpm/lpm.h"

struct fld_routes {
	struct fl_lpm_slot slot;	/* values index set.node[] */
	struct fl_route_set set;	/* what the published table was built from */
};

static void routes_msg(void *ctx, enum fl_route_sev sev, const char *msg)
{
	(void)ctx;
	fl_dlog(sev == FL_ROUTE_ERROR ? FL_DLOG_ERR : FL_DLOG_WARN, "%s", msg);
}

/* Known: the mesh has seen the node, or we have its host file. */
static bool routes_known(void *ctx, const char *name)
{
	struct fld *d = ctx;
	char path[4096];
	struct stat st;

	if (mesh_node_find(d->mesh, name))
		return true;
	snprintf(path, sizeof(path), "%s/hosts/%s", d->confbase, name);
	return stat(path, &st) == 0;
}

/* Reads route/ and builds its table; on failure *set and *t are empty. */
static int routes_build(struct fld *d, struct fl_route_set *set, struct fl_lpm **t)
{
	struct fl_route_opts o = {.msg = routes_msg, .known = routes_known, .ctx = d};
	fl_lpm_value *values;
	enum fl_lpm_err e;
	int r;

	*t = NULL;
	memset(set, 0, sizeof(*set));
	r = fl_route_files_load(d->confbase, &o, set);
	if (r < 0 || set->n == 0)
		return r;
	values = malloc(set->n * sizeof(*values));
	if (!values) {
		fl_route_set_free(set);
		return -1;
	}
	for (size_t i = 0; i < set->n; i++)
		values[i] = (fl_lpm_value)i;
	e = fl_route_set_build(set, values, &o, t);
	free(values);
	if (e != FL_LPM_OK) {
		fl_dlog(FL_DLOG_ERR, "route: cannot build the table: %s", fl_lpm_strerror(e));
		fl_route_set_free(set);
		return -1;
	}
	return 0;
}

int fld_routes_reload(struct fld *d)
{
	struct fld_routes *rt = d->routes;
	struct fl_route_set set;
	struct fl_lpm *t;
	size_t n = 0;

	if (!rt) {
		rt = calloc(1, sizeof(*rt));
		if (!rt)
			return -1;
		fl_lpm_slot_init(&rt->slot);
		d->routes = rt;
	}
	if (routes_build(d, &set, &t) < 0) {
		fl_dlog(FL_DLOG_ERR, "route: keeping the previous local routes");
		return -1;
	}
	/* One swap: a lookup sees the old table or the new one, never a mix.
	 * The data path runs on this thread today, so no reader holds the old
	 * table now and it is freed at once. With worker threads (multi-core
	 * issue) the old table and set must wait for every worker's quiescent
	 * point, and the names must be published together with the table. */
	const struct fl_lpm *old = fl_lpm_slot_publish(&rt->slot, t);
	if (old)
		fl_lpm_free(old);
	fl_route_set_free(&rt->set);
	rt->set = set;
	for (size_t i = 0; i < set.n; i++)
		n += set.lists[i].n;
	fl_dlog(FL_DLOG_INFO, "route: %zu local routes to %zu nodes", n, set.n);
	return 0;
}

void fld_routes_free(struct fld *d)
{
	struct fld_routes *rt = d->routes;

	if (!rt)
		return;
	const struct fl_lpm *old = fl_lpm_slot_publish(&rt->slot, NULL);
	if (old)
		fl_lpm_free(old);
	fl_route_set_free(&rt->set);
	free(rt);
	d->routes = NULL;
}

/* The dataplane's local_route op: the node a destination is routed to. */
struct fl_dp_peer *fld_routes_lookup(void *ctx, int version, const uint8_t *dst)
{
	struct fld *d = ctx;
	const struct fl_lpm *t = d->routes ? fl_lpm_slot_get(&d->routes->slot) : NULL;
	fl_lpm_value v;

	if (!t)
		return NULL;
	if (version == 4)
		v = fl_lpm_lookup4(t, (uint32_t)dst[0] << 24 | (uint32_t)dst[1] << 16 |
					      (uint32_t)dst[2] << 8 | dst[3]);
	else
		v = fl_lpm_lookup6(t, dst);
	if (v == FL_LPM_NONE || v >= d->routes->set.n)
		return NULL;
	/* A node not (yet) in the mesh: no route, the subnets decide. */
	return fld_peer(d, mesh_node_find(d->mesh, d->routes->set.node[v]));
}

/* `fenliu dump routes`: "PREFIX NODE" per prefix, by node then file order. */
void fld_routes_each(void *ctx, fl_ctl_route_fn *emit, void *sink)
{
	struct fld *d = ctx;
	const struct fl_route_set *s = d->routes ? &d->routes->set : NULL;
	char text[INET6_ADDRSTRLEN], prefix[INET6_ADDRSTRLEN + 8];

	for (size_t i = 0; s && i < s->n; i++) {
		for (size_t j = 0; j < s->lists[i].n; j++) {
			const struct fl_lpm_prefix *p = &s->lists[i].p[j];
			if (!inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, text, sizeof(text)))
				continue;
			snprintf(prefix, sizeof(prefix), "%s/%u", text, p->len);
			emit(sink, prefix, s->node[i]);
		}
	}
}
