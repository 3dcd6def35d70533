/* SPDX-License-Identifier: MIT */
/*
 * fld_routes.c: fenliud's local routes (route/NODE in the config directory,
 * doc/routes.md). Loads them at start and on every reload (`fenliu reload`,
 * SIGHUP) into an LPM table the dataplane publishes in its snapshots
 * (asked before the mesh subnets for frames from our device); names each
 * table value's node for every snapshot (fld_routes_stage_targets); lists
 * them for `fenliu dump routes`.
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
	struct fl_route_set set;	/* what the staged table was built from;
					   its values index set.node[] */
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
		d->routes = rt;
	}
	if (routes_build(d, &set, &t) < 0) {
		fl_dlog(FL_DLOG_ERR, "route: keeping the previous local routes");
		return -1;
	}
	/* The dataplane takes the table; the next snapshot carries it and the
	 * targets together, so a lookup never sees a mix of old and new. */
	if (fl_dp_stage_routes(d->dp, t, set.n) < 0) {
		fl_dlog(FL_DLOG_ERR, "route: out of memory; keeping the previous local routes");
		fl_route_set_free(&set);
		return -1;
	}
	fl_route_set_free(&rt->set);
	rt->set = set;
	fld_dp_publish(d);
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
	fl_route_set_free(&rt->set);
	free(rt);
	d->routes = NULL;
}

/* Before every publish: the peer each route target names now (a node not
 * (yet) in the mesh gets none, and the subnets decide). */
void fld_routes_stage_targets(struct fld *d)
{
	const struct fl_route_set *s = d->routes ? &d->routes->set : NULL;

	for (size_t i = 0; s && i < s->n; i++)
		fl_dp_stage_route_target(d->dp, i, fld_peer(d, mesh_node_find(d->mesh, s->node[i])));
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
