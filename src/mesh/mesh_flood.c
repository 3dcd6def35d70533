/* SPDX-License-Identifier: MIT */
/*
 * mesh_flood.c: the flooded requests (META.md §5.10-5.14, §6): ADD_SUBNET,
 * DEL_SUBNET, ADD_EDGE, DEL_EDGE, KEY_CHANGED. Duplicate suppression,
 * contradiction answers when someone claims something about us, state
 * changes, forwarding the line unchanged, graph runs and orphan cleanup.
 * Called by mesh_conn.c for active connections.
 */
#include <string.h>

#include "mesh/mesh_internal.h"

static enum mesh_err add_subnet(struct mesh *m, struct mesh_conn *c,
				const struct mesh_req *r, const char *line,
				struct mesh_out *o)
{
	struct mesh_subnet s = r->subnet.subnet;
	struct mesh_req back;

	if (mesh_strict_indirect(m, c, "ADD_SUBNET", r->subnet.owner, NULL, o))
		return MESH_OK;
	s.owner = mesh_node_get(m, r->subnet.owner);
	if (!s.owner)
		return MESH_E_NOMEM;
	if (mesh_subnet_table_find(&m->subnets, &s))
		return MESH_OK;
	if (s.owner == m->myself) {
		mesh_fill_subnet(m, &back, MESH_REQ_DEL_SUBNET, &s);
		mesh_send_req(m, o, c->id, &back);
		return MESH_OK;
	}
	switch (mesh_strict_add_subnet(m, c, &s, o)) {
	case MESH_STRICT_DROP:
		return MESH_OK;
	case MESH_STRICT_ADD:
		if (m->subnets.n >= (m->cfg.max_subnets ? m->cfg.max_subnets : MESH_SUBNETS_MAX)) {
			/* memory stays bounded under a flood; logged now and then */
			if (m->subnets_refused++ % 100000 == 0)
				mesh_out_log(o, "Subnet table full (%zu entries): ignoring ADD_SUBNET "
					     "from %s (%lu so far)", m->subnets.n, c->name,
					     m->subnets_refused);
			return MESH_OK;
		}
		if (!mesh_subnet_table_add(&m->subnets, &s))
			return MESH_E_NOMEM;
		m->dirty = true;
		if ((s.owner->status & MESH_NS_REACHABLE) && !m->quiet_subnets)
			mesh_out_subnet(o, MESH_EV_SUBNET_UP, &s);
		break;
	case MESH_STRICT_FORWARD:
		break;
	}
	mesh_forward_line(m, o, c->id, line);
	return MESH_OK;
}

static enum mesh_err del_subnet(struct mesh *m, struct mesh_conn *c,
				const struct mesh_req *r, const char *line,
				struct mesh_out *o)
{
	struct mesh_subnet s = r->subnet.subnet;
	struct mesh_req back;

	if (mesh_strict_indirect(m, c, "DEL_SUBNET", r->subnet.owner, NULL, o))
		return MESH_OK;
	s.owner = mesh_node_find(m, r->subnet.owner);
	if (!s.owner)
		return MESH_OK;
	if (!mesh_subnet_table_find(&m->subnets, &s)) {
		if (m->cfg.strictsubnets)
			mesh_forward_line(m, o, c->id, line);
		return MESH_OK;
	}
	if (s.owner == m->myself) {
		mesh_fill_subnet(m, &back, MESH_REQ_ADD_SUBNET, &s);
		mesh_send_req(m, o, c->id, &back);
		return MESH_OK;
	}
	if (m->cfg.tunnelserver)
		return MESH_OK;
	mesh_forward_line(m, o, c->id, line);
	if (m->cfg.strictsubnets)
		return MESH_OK;
	if ((s.owner->status & MESH_NS_REACHABLE) && !m->quiet_subnets)
		mesh_out_subnet(o, MESH_EV_SUBNET_DOWN, &s);
	mesh_subnet_table_del(&m->subnets, &s);
	m->dirty = true;
	return MESH_OK;
}

/* Does the received ADD_EDGE say exactly what we have? */
static bool edge_same(const struct mesh_edge *e, const struct mesh_req *r)
{
	if (e->weight != r->edge.weight || e->options != r->edge.options ||
	    strcmp(e->addr, r->edge.addr) || strcmp(e->port, r->edge.port))
		return false;
	if (r->edge.laddr && mesh_addr_parsable(r->edge.laddr))
		return e->laddr && !strcmp(e->laddr, r->edge.laddr) &&
		       !strcmp(e->lport, r->edge.lport);
	return true;
}

/* A new edge keeps any local address given (opaque ones are re-sent
 * verbatim); an existing edge takes only a parsable one, as tinc. */
static bool edge_update(struct mesh_edge *e, const struct mesh_req *r,
			bool created)
{
	bool local = r->edge.laddr &&
		     (created || mesh_addr_parsable(r->edge.laddr));

	e->options = r->edge.options;
	e->weight = r->edge.weight;
	return mesh_edge_set(e, r->edge.addr, r->edge.port,
			     local ? r->edge.laddr : NULL,
			     local ? r->edge.lport : NULL);
}

static enum mesh_err add_edge(struct mesh *m, struct mesh_conn *c,
			      const struct mesh_req *r, const char *line,
			      fl_time_t now, struct mesh_out *o)
{
	struct mesh_node *from, *to;
	struct mesh_edge *e;
	struct mesh_req back;

	if (mesh_strict_indirect(m, c, "ADD_EDGE", r->edge.from, r->edge.to, o))
		return MESH_OK;
	from = mesh_node_get(m, r->edge.from);
	to = mesh_node_get(m, r->edge.to);
	if (!from || !to)
		return MESH_E_NOMEM;
	e = mesh_edge_find(from, to);
	if (e) {
		if (edge_same(e, r))
			return MESH_OK;
		if (from == m->myself) {
			mesh_fill_add_edge(m, &back, e);
			mesh_send_req(m, o, c->id, &back);
			return MESH_OK;
		}
		if (!edge_update(e, r, false))
			return MESH_E_NOMEM;
	} else {
		if (from == m->myself) {
			m->contradicting_add_edge++;
			memset(&back, 0, offsetof(struct mesh_req, buf));
			back.type = MESH_REQ_DEL_EDGE;
			back.nonce = mesh_nonce(m);
			back.del_edge.from = from->name;
			back.del_edge.to = to->name;
			mesh_send_req(m, o, c->id, &back);
			return MESH_OK;
		}
		e = mesh_edge_add(m, from, to);
		if (!e)
			return MESH_E_NOMEM;
		if (!edge_update(e, r, true)) {
			mesh_edge_del(m, e);
			return MESH_E_NOMEM;
		}
	}
	if (!m->cfg.tunnelserver)
		mesh_forward_line(m, o, c->id, line);
	mesh_graph_soon(m, now, o);
	return MESH_OK;
}

static enum mesh_err del_edge(struct mesh *m, struct mesh_conn *c,
			      const struct mesh_req *r, const char *line,
			      fl_time_t now, struct mesh_out *o)
{
	struct mesh_node *from, *to;
	struct mesh_edge *e;
	struct mesh_req back;

	if (mesh_strict_indirect(m, c, "DEL_EDGE", r->del_edge.from, r->del_edge.to, o))
		return MESH_OK;
	from = mesh_node_find(m, r->del_edge.from);
	to = mesh_node_find(m, r->del_edge.to);
	e = mesh_edge_find(from, to);
	if (!e)
		return MESH_OK;
	if (from == m->myself) {
		m->contradicting_del_edge++;
		mesh_fill_add_edge(m, &back, e);
		mesh_send_req(m, o, c->id, &back);
		return MESH_OK;
	}
	if (!m->cfg.tunnelserver)
		mesh_forward_line(m, o, c->id, line);
	mesh_edge_del(m, e);
	mesh_graph_soon(m, now, o);
	mesh_check_rev_soon(m, to, now, o);
	return MESH_OK;
}

enum mesh_err mesh_flood_recv(struct mesh *m, struct mesh_conn *c,
			      const struct mesh_req *r, const char *line,
			      size_t len, fl_time_t now, struct mesh_out *o)
{
	char copy[MESH_LINE_MAX + 1];

	if (mesh_past_seen(&m->past, line, len, now))
		return MESH_OK;
	/* the line is forwarded byte-for-byte; make it a C string */
	memcpy(copy, line, len);
	copy[len] = '\0';
	switch (r->type) {
	case MESH_REQ_ADD_SUBNET: return add_subnet(m, c, r, copy, o);
	case MESH_REQ_DEL_SUBNET: return del_subnet(m, c, r, copy, o);
	case MESH_REQ_ADD_EDGE: return add_edge(m, c, r, copy, now, o);
	case MESH_REQ_DEL_EDGE: return del_edge(m, c, r, copy, now, o);
	default:
		/* KEY_CHANGED: no local effect for SPTPS nodes */
		if (mesh_node_find(m, r->key_changed.name) && !m->cfg.tunnelserver)
			mesh_forward_line(m, o, c->id, copy);
		return MESH_OK;
	}
}
