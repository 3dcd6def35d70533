/* SPDX-License-Identifier: MIT */
/*
 * mesh_send.c: originating requests: fresh nonces, formatting, sending to
 * one connection, broadcasting to every active connection and forwarding a
 * received line unchanged (META.md §6). Used by every handler.
 */
#include <stdio.h>
#include <string.h>

#include "mesh/mesh_internal.h"

uint32_t mesh_nonce(struct mesh *m)
{
	return m->cfg.random_u32 ? m->cfg.random_u32(m->cfg.ctx) : 0;
}

bool mesh_send_req(struct mesh *m, struct mesh_out *o, int32_t conn,
		   const struct mesh_req *r)
{
	char line[MESH_LINE_MAX + 1];

	(void)m;
	if (mesh_req_format(r, line, sizeof(line)) < 0) {
		mesh_out_log(o, "cannot format %s request", mesh_req_name(r->type));
		return false;
	}
	mesh_out_send(o, MESH_OUT_SEND, conn, line);
	return true;
}

void mesh_forward_line(struct mesh *m, struct mesh_out *o, int32_t except,
		       const char *line)
{
	for (size_t i = 0; i < m->n_conns; i++) {
		struct mesh_conn *c = m->conns[i];
		if (c->state == MESH_CONN_ACTIVE && c->id != except)
			mesh_out_send(o, MESH_OUT_SEND, c->id, line);
	}
}

void mesh_broadcast_req(struct mesh *m, struct mesh_out *o, int32_t except,
			const struct mesh_req *r)
{
	char line[MESH_LINE_MAX + 1];

	if (mesh_req_format(r, line, sizeof(line)) < 0) {
		mesh_out_log(o, "cannot format %s request", mesh_req_name(r->type));
		return;
	}
	mesh_forward_line(m, o, except, line);
}

void mesh_fill_add_edge(struct mesh *m, struct mesh_req *r,
			const struct mesh_edge *e)
{
	memset(r, 0, offsetof(struct mesh_req, buf));
	r->type = MESH_REQ_ADD_EDGE;
	r->nonce = mesh_nonce(m);
	r->edge.from = e->from->name;
	r->edge.to = e->to->name;
	r->edge.addr = e->addr;
	r->edge.port = e->port;
	r->edge.options = e->options;
	r->edge.weight = e->weight;
	r->edge.laddr = e->laddr;
	r->edge.lport = e->lport;
}

void mesh_fill_del_edge(struct mesh *m, struct mesh_req *r,
			const struct mesh_edge *e)
{
	memset(r, 0, offsetof(struct mesh_req, buf));
	r->type = MESH_REQ_DEL_EDGE;
	r->nonce = mesh_nonce(m);
	r->del_edge.from = e->from->name;
	r->del_edge.to = e->to->name;
}

void mesh_fill_subnet(struct mesh *m, struct mesh_req *r, int type,
		      const struct mesh_subnet *s)
{
	memset(r, 0, offsetof(struct mesh_req, buf));
	r->type = (enum mesh_req_type)type;
	r->nonce = mesh_nonce(m);
	r->subnet.owner = s->owner ? s->owner->name : NULL;
	r->subnet.subnet = *s;
}

struct mesh_conn *mesh_conn_to(const struct mesh *m, const struct mesh_node *n)
{
	if (!n || n->conn == MESH_CONN_NONE)
		return NULL;
	return mesh_conn_find(m, n->conn);
}

struct mesh_conn *mesh_conn_nexthop(const struct mesh *m,
				    const struct mesh_node *n)
{
	struct mesh_conn *c;

	if (!n || !n->nexthop || n->nexthop == m->myself)
		return NULL;
	c = mesh_conn_to(m, n->nexthop);
	return c && c->state == MESH_CONN_ACTIVE ? c : NULL;
}

/* The protocol minor the peer announced in its ACK options. */
int mesh_conn_minor(const struct mesh_conn *c)
{
	return (int)MESH_OPT_VERSION(c->options);
}

void mesh_send_key_changed(struct mesh *m, struct mesh_out *out)
{
	struct mesh_req r;

	memset(&r, 0, offsetof(struct mesh_req, buf));
	r.type = MESH_REQ_KEY_CHANGED;
	r.nonce = mesh_nonce(m);
	r.key_changed.name = m->myname;
	mesh_broadcast_req(m, out, MESH_CONN_NONE, &r);
}
