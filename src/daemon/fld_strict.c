/* SPDX-License-Identifier: MIT */
/*
 * fld_strict.c: StrictSubnets and TunnelServer, the daemon's half. With
 * either set, every other node's subnets are the Subnet lines of its
 * hosts/NAME file (GRAPH.md §5.7): read them all and hand them to the mesh
 * (mesh_strict_reconcile), at start and on reload (CONFIG.md §6 step 3).
 * A Subnet line that does not parse, or has host bits set, is skipped
 * with FILE:LINE, as tincd skips it. Called from fenliud.c; control
 * thread only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf_read.h"
#include "daemon/dlog.h"
#include "daemon/fld.h"

struct strict_scan {
	struct fld *d;
	struct mesh_subnet *v;
	size_t n, cap;
	bool oom;
};

static void strict_report(void *ctx, const char *msg)
{
	(void)ctx;
	fl_dlog(FL_DLOG_WARN, "%s", msg);
}

static const struct fl_conf_reporter strict_reporter = {strict_report, strict_report, NULL};

static bool strict_push(struct strict_scan *sc, const struct mesh_subnet *s)
{
	if (sc->n == sc->cap) {
		size_t cap = sc->cap ? sc->cap * 2 : 64;
		struct mesh_subnet *v = realloc(sc->v, cap * sizeof(*v));
		if (!v)
			return false;
		sc->v = v;
		sc->cap = cap;
	}
	sc->v[sc->n++] = *s;
	return true;
}

/* One Subnet line of hosts/NAME; false only when memory ran out. */
static bool strict_line(struct strict_scan *sc, struct mesh_node *owner,
			const struct fl_conf_entry *e)
{
	struct mesh_subnet s;
	enum mesh_subnet_err err;
	char where[4200];

	err = mesh_subnet_parse(&s, e->value, strlen(e->value));
	if (err == MESH_SUBNET_OK)
		err = mesh_subnet_check_host_bits(&s);
	if (err != MESH_SUBNET_OK) {
		fl_conf_where(e, where, sizeof(where));
		fl_dlog(FL_DLOG_ERR, "%s: Subnet: %s: '%s' (ignored)", where,
			mesh_subnet_strerror(err), e->value);
		return true;
	}
	s.owner = owner;
	return strict_push(sc, &s);
}

static void strict_host(void *ctx, const char *name)
{
	struct strict_scan *sc = ctx;
	struct fld *d = sc->d;
	struct mesh_node *owner;
	struct fl_conf c;

	if (sc->oom)
		return;
	fl_conf_init(&c);
	if (fl_conf_read_host(&c, d->confbase, name, &d->cmdline, &d->warned,
			      &strict_reporter) != FL_CONF_OK) {
		fl_dlog(FL_DLOG_WARN, "hosts/%s: unreadable, its subnets are not trusted", name);
		goto out;
	}
	owner = mesh_node_get(d->mesh, name);
	if (!owner) {
		sc->oom = true;
		goto out;
	}
	for (const struct fl_conf_entry *e = fl_conf_first(&c, "Subnet"); e && !sc->oom;
	     e = fl_conf_next(&c, e))
		sc->oom = !strict_line(sc, owner, e);
out:
	fl_conf_free(&c);
}

int fld_strict_load(struct fld *d, struct mesh_out *out)
{
	struct strict_scan sc = {.d = d};
	int ret = 0;

	if (!d->boot->s.strict_subnets) /* TunnelServer implies it; start only */
		return 0;
	if (fl_conf_each_host(d->confbase, strict_host, &sc) < 0) {
		fl_dlog(FL_DLOG_ERR, "Could not open %s/hosts: StrictSubnets has no subnets to trust",
			d->confbase);
		ret = -1;
	} else if (sc.oom || !mesh_strict_reconcile(d->mesh, sc.v, sc.n, out)) {
		fl_dlog(FL_DLOG_ERR, "StrictSubnets: out of memory reading hosts/ subnets");
		ret = -1;
	} else {
		fl_dlog(FL_DLOG_INFO, "StrictSubnets: %zu subnets of other nodes from hosts/", sc.n);
	}
	free(sc.v);
	return ret;
}
