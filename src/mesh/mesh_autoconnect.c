/* SPDX-License-Identifier: MIT */
/*
 * mesh_autoconnect.c: which outgoing connections to have: the ConnectTo list
 * (META.md §8.1, reconciled on reload) and AutoConnect (§8.3), run every
 * 5 s by mesh_tick(). Random picks come from the daemon's random_u32.
 */
#include <string.h>

#include "mesh/mesh_internal.h"

void mesh_set_connect_to(struct mesh *m, const char *const *names, size_t n,
			 fl_time_t now, struct mesh_out *out)
{
	/* drop records whose name is gone */
	for (size_t i = 0; i < m->n_outgoings;) {
		struct mesh_outgoing *og = m->outgoings[i];
		bool keep = false;

		for (size_t j = 0; j < n && !keep; j++)
			keep = names[j] && !strcmp(names[j], og->node->name);
		if (keep)
			i++;
		else
			mesh_outgoing_forget(m, og, now, out);
	}
	for (size_t j = 0; j < n; j++) {
		struct mesh_node *node;

		if (!mesh_name_valid(names[j])) {
			mesh_out_log(out, "ConnectTo: invalid name: '%s'",
				     names[j] ? names[j] : "");
			continue;
		}
		if (!strcmp(names[j], m->myname))
			continue;
		node = mesh_node_get(m, names[j]);
		if (node)
			mesh_outgoing_start(m, node, now, out);
	}
	mesh_changed(m, out);	/* a dropped record may have closed a link */
}

static uint32_t rnd(struct mesh *m)
{
	return m->cfg.random_u32 ? m->cfg.random_u32(m->cfg.ctx) : 0;
}

static bool has_address(struct mesh *m, const struct mesh_node *n)
{
	struct mesh_host_info h;

	memset(&h, 0, sizeof(h));
	return m->cfg.host_lookup && m->cfg.host_lookup(m->cfg.ctx, n->name, &h) &&
	       h.exists && (h.has_address || h.n_addresses);
}

static size_t active_conns(const struct mesh *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n_conns; i++)
		n += m->conns[i]->state == MESH_CONN_ACTIVE;
	return n;
}

/* n < 3: connect to a random eligible node. */
static void make_new(struct mesh *m, fl_time_t now, struct mesh_out *o)
{
	size_t cands = 0, pick;

	for (int pass = 0; pass < 2; pass++) {
		size_t k = 0;

		for (size_t i = 0; i < m->n_nodes; i++) {
			struct mesh_node *n = m->nodes[i];

			if (n == m->myself || n->conn != MESH_CONN_NONE ||
			    !(has_address(m, n) || (n->status & MESH_NS_REACHABLE)))
				continue;
			if (pass == 1 && k++ == pick) {
				if (!mesh_outgoing_find(m, n))
					mesh_outgoing_start(m, n, now, o);
				return;
			}
			cands++;
		}
		if (!cands)
			return;
		pick = rnd(m) % cands;
	}
}

/* n > 3: drop a random outgoing connection to a well-connected node. */
static void drop_one(struct mesh *m, fl_time_t now, struct mesh_out *o)
{
	size_t cands = 0, pick = 0;

	for (int pass = 0; pass < 2; pass++) {
		size_t k = 0;

		for (size_t i = 0; i < m->n_conns; i++) {
			struct mesh_conn *c = m->conns[i];

			if (c->state != MESH_CONN_ACTIVE || !c->outgoing ||
			    c->node->n_edges < 2)
				continue;
			if (pass == 1 && k++ == pick) {
				mesh_outgoing_forget(m, c->outgoing, now, o);
				return;
			}
			cands++;
		}
		if (!cands)
			return;
		pick = rnd(m) % cands;
	}
}

/* n >= 3: prune idle records, maybe reach an unreachable node. */
static void maintain(struct mesh *m, fl_time_t now, struct mesh_out *o)
{
	struct mesh_node *n;

	for (size_t i = 0; i < m->n_outgoings;) {
		struct mesh_outgoing *og = m->outgoings[i];
		if (og->state == MESH_OG_WAITING)
			mesh_outgoing_forget(m, og, now, o);
		else
			i++;
	}
	n = m->nodes[rnd(m) % m->n_nodes];
	if (n != m->myself && !(n->status & MESH_NS_REACHABLE) &&
	    n->conn == MESH_CONN_NONE && has_address(m, n) &&
	    !mesh_outgoing_find(m, n))
		mesh_outgoing_start(m, n, now, o);
}

void mesh_autoconnect(struct mesh *m, fl_time_t now, struct mesh_out *o)
{
	size_t n = active_conns(m);

	if (n < 3)
		make_new(m, now, o);
	else if (n > 3)
		drop_one(m, now, o);
	if (n >= 3)
		maintain(m, now, o);
}
