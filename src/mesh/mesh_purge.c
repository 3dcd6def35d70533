/* SPDX-License-Identifier: MIT */
/*
 * mesh_purge.c: `tinc purge` (GRAPH.md §9) and the StrictSubnets entry point
 * for subnets read from other nodes' hosts files (§5.7). Called by the
 * daemon's control and reload code.
 */
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh_internal.h"

bool mesh_add_node_subnet(struct mesh *m, const char *owner,
			  const struct mesh_subnet *s, struct mesh_out *out)
{
	struct mesh_subnet x = *s;

	x.owner = mesh_node_get(m, owner);
	if (!x.owner || x.owner == m->myself ||
	    !mesh_subnet_table_add(&m->subnets, &x))
		return false;
	m->dirty = true;
	if (x.owner->status & MESH_NS_REACHABLE)
		mesh_out_subnet(out, MESH_EV_SUBNET_UP, &x);
	mesh_changed(m, out);
	return true;
}

static void purge_node(struct mesh *m, struct mesh_node *n, struct mesh_out *o)
{
	struct mesh_req r;
	size_t k;
	const struct mesh_subnet **v = mesh_subnet_owned(n, &k);

	for (size_t i = 0; i < k; i++) {
		struct mesh_subnet s = *v[i];

		mesh_fill_subnet(m, &r, MESH_REQ_DEL_SUBNET, &s);
		mesh_broadcast_req(m, o, MESH_CONN_NONE, &r);
		if (!m->cfg.strictsubnets)
			mesh_subnet_table_del(&m->subnets, &s);
	}
	free(v);
	while (n->n_edges) {
		if (!m->cfg.tunnelserver) {
			mesh_fill_del_edge(m, &r, n->edges[0]);
			mesh_broadcast_req(m, o, MESH_CONN_NONE, &r);
		}
		mesh_edge_del(m, n->edges[0]);
	}
}

/* Still in use by an edge, a connection or an outgoing record? */
static bool referenced(const struct mesh *m, const struct mesh_node *n)
{
	for (size_t i = 0; i < m->n_nodes; i++)
		if (mesh_edge_find(m->nodes[i], n))
			return true;
	for (size_t i = 0; i < m->n_conns; i++)
		if (m->conns[i]->node == n)
			return true;
	return mesh_outgoing_find(m, n) != NULL;
}

static bool owns_subnets(const struct mesh *m, const struct mesh_node *n)
{
	(void)m;
	return n->n_subnets > 0;
}

static void node_delete(struct mesh *m, size_t at)
{
	struct mesh_node *n = m->nodes[at];

	/* unvisited nodes keep stale nexthop/via (shown in dumps): unlink */
	for (size_t i = 0; i < m->n_nodes; i++) {
		if (m->nodes[i]->nexthop == n)
			m->nodes[i]->nexthop = NULL;
		if (m->nodes[i]->via == n)
			m->nodes[i]->via = NULL;
	}
	mesh_node_unindex(m, n);
	memmove(&m->nodes[at], &m->nodes[at + 1],
		(m->n_nodes - at - 1) * sizeof(*m->nodes));
	m->n_nodes--;
	mesh_node_free(n);
}

void mesh_purge(struct mesh *m, struct mesh_out *out)
{
	mesh_graph_flush(m, m->last_tick, out);	/* reachability must be current */
	for (size_t i = 0; i < m->n_nodes; i++)
		if (!(m->nodes[i]->status & MESH_NS_REACHABLE))
			purge_node(m, m->nodes[i], out);
	for (size_t i = 0; i < m->n_nodes;) {
		struct mesh_node *n = m->nodes[i];

		if (n->status & MESH_NS_REACHABLE) {
			i++;
			continue;
		}
		if (referenced(m, n))
			break;	/* tinc stops the whole pass here */
		if (m->cfg.autoconnect ||
		    (m->cfg.strictsubnets && owns_subnets(m, n))) {
			i++;
			continue;
		}
		node_delete(m, i);
	}
	m->dirty = true;
	mesh_changed(m, out);
}
