/* SPDX-License-Identifier: MIT */
/*
 * mesh_strict.c: StrictSubnets and TunnelServer (GRAPH.md §5.7, META.md
 * §5.10-5.12, CONFIG.md §6 step 3). With either set, other nodes' subnets
 * come only from their hosts files; what the network announces is ignored
 * (StrictSubnets: still forwarded; TunnelServer: dropped, and facts about
 * third parties are not even looked at).
 *
 * mesh_flood.c asks mesh_strict_indirect() and mesh_strict_add_subnet()
 * from its ADD/DEL_SUBNET and ADD/DEL_EDGE handlers; the daemon calls
 * mesh_strict_reconcile() with every hosts file's Subnet lines at start and
 * on reload. Control thread only, like the rest of the mesh.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh_internal.h"

/* A remote sets the rate of these warnings: say the first few, then one
 * line per power of two so a flood of announcements stays a few lines. */
#define STRICT_LOG_FIRST 10

static bool strict_log_now(uint64_t count)
{
	return count <= STRICT_LOG_FIRST || !(count & (count - 1));
}

bool mesh_strict_indirect(struct mesh *m, const struct mesh_conn *c,
			  const char *req, const char *a, const char *b,
			  struct mesh_out *o)
{
	if (!m->cfg.tunnelserver)
		return false;
	if (!strcmp(a, m->myname) || !strcmp(a, c->name))
		return false;
	if (b && (!strcmp(b, m->myname) || !strcmp(b, c->name)))
		return false;
	/* tinc says this only at its "protocol" debug level: counted, and
	 * said once so an operator knows the hub is dropping such lines. */
	if (++m->strict.indirect_ignored == 1)
		mesh_out_log(o, "TunnelServer: ignoring indirect %s from %s (%s port %s)",
			     req, c->name, c->peer_addr ? c->peer_addr : "?",
			     c->peer_port ? c->peer_port : "?");
	return true;
}

enum mesh_strict_verdict mesh_strict_add_subnet(struct mesh *m,
						const struct mesh_conn *c,
						const struct mesh_subnet *s,
						struct mesh_out *o)
{
	char txt[MESH_SUBNET_TEXT_MAX];
	uint64_t n;

	if (!m->cfg.strictsubnets && !m->cfg.tunnelserver)
		return MESH_STRICT_ADD;
	n = ++m->strict.subnets_ignored;
	if (strict_log_now(n)) {
		if (mesh_subnet_format(s, txt, sizeof(txt), true) < 0)
			snprintf(txt, sizeof(txt), "?");
		mesh_out_log(o, "Ignoring unauthorized ADD_SUBNET from %s (%s port %s): "
			     "%s owned by %s (%llu so far)", c->name,
			     c->peer_addr ? c->peer_addr : "?",
			     c->peer_port ? c->peer_port : "?", txt,
			     s->owner ? s->owner->name : "?", (unsigned long long)n);
	}
	return m->cfg.tunnelserver ? MESH_STRICT_DROP : MESH_STRICT_FORWARD;
}

const struct mesh_strict_stats *mesh_strict_stats(const struct mesh *m)
{
	return &m->strict;
}

/* ---- reconciling with the hosts files ------------------------------------ */

static int strict_cmp(const void *a, const void *b)
{
	return mesh_subnet_cmp(a, b);
}

/* Another node's subnet that is in the table but no longer in any hosts
 * file: DEL_SUBNET to everyone, subnet-down, gone. */
static void strict_drop(struct mesh *m, const struct mesh_subnet *s,
			struct mesh_out *o)
{
	struct mesh_req r;

	mesh_fill_subnet(m, &r, MESH_REQ_DEL_SUBNET, s);
	mesh_broadcast_req(m, o, MESH_CONN_NONE, &r);
	if (s->owner->status & MESH_NS_REACHABLE)
		mesh_out_subnet(o, MESH_EV_SUBNET_DOWN, s);
	mesh_subnet_table_del(&m->subnets, s);
}

static bool strict_take(struct mesh *m, const struct mesh_subnet *s,
			struct mesh_out *o)
{
	struct mesh_req r;

	if (!mesh_subnet_table_add(&m->subnets, s))
		return false;
	mesh_fill_subnet(m, &r, MESH_REQ_ADD_SUBNET, s);
	mesh_broadcast_req(m, o, MESH_CONN_NONE, &r);
	if (s->owner->status & MESH_NS_REACHABLE)
		mesh_out_subnet(o, MESH_EV_SUBNET_UP, s);
	return true;
}

bool mesh_strict_reconcile(struct mesh *m, const struct mesh_subnet *want,
			   size_t n, struct mesh_out *o)
{
	struct mesh_subnet *sorted = calloc(n + 1, sizeof(*sorted));
	bool ok = true;

	if (!sorted)
		return false;
	memcpy(sorted, want, n * sizeof(*want));
	qsort(sorted, n, sizeof(*sorted), strict_cmp);
	/* The successor is taken before a deletion frees the current entry. */
	for (const struct mesh_subnet *cur = mesh_subnet_table_first(&m->subnets), *nx; cur;
	     cur = nx) {
		struct mesh_subnet s = *cur;

		nx = mesh_subnet_next(cur);
		if (!s.owner || s.owner == m->myself ||
		    bsearch(&s, sorted, n, sizeof(*sorted), strict_cmp))
			continue;
		strict_drop(m, &s, o);
	}
	for (size_t i = 0; i < n; i++) {
		if (!sorted[i].owner || sorted[i].owner == m->myself ||
		    mesh_subnet_table_find(&m->subnets, &sorted[i]))
			continue;
		ok = strict_take(m, &sorted[i], o) && ok;
	}
	free(sorted);
	m->dirty = true;
	mesh_changed(m, o);
	return ok;
}
