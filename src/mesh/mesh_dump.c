/* SPDX-License-Identifier: MIT */
/*
 * mesh_dump.c: the control socket's dump lines for nodes, edges, subnets
 * and connections (CONFIG.md §5.3) from the mesh state. Called by the
 * daemon's control code; the data-plane figures of a node line are passed
 * in because the mesh does not own them.
 */
#include <stdio.h>
#include <string.h>

#include "mesh/mesh_internal.h"

static const char *or_unknown(const char *s)
{
	return s && *s ? s : "unknown";
}

int mesh_dump_node(const struct mesh_node *n, const struct mesh_dump_stats *st,
		   char *buf, size_t cap)
{
	static const struct mesh_dump_stats none = {.rtt = -1};
	char id[2 * MESH_NODE_ID_LEN + 1];
	int r;

	if (!st)
		st = &none;
	for (int i = 0; i < MESH_NODE_ID_LEN; i++)
		snprintf(id + 2 * i, 3, "%02x", n->id[i]);
	r = snprintf(buf, cap,
		     "18 3 %s %s %s port %s 0 0 0 %d %x %x %s %s %d %d %d %d %lld "
		     "%d %llu %llu %llu %llu",
		     n->name, id, or_unknown(n->addr), or_unknown(n->port),
		     n->compression, n->options, n->status,
		     n->nexthop ? n->nexthop->name : "-",
		     n->via ? n->via->name : "-", n->distance, n->mtu,
		     n->minmtu, n->maxmtu, (long long)n->last_state_change,
		     st->rtt, (unsigned long long)st->in_packets,
		     (unsigned long long)st->in_bytes,
		     (unsigned long long)st->out_packets,
		     (unsigned long long)st->out_bytes);
	return r < 0 || (size_t)r >= cap ? -1 : r;
}

int mesh_dump_edge(const struct mesh_edge *e, char *buf, size_t cap)
{
	int r = snprintf(buf, cap, "18 4 %s %s %s port %s %s port %s %x %d",
			 e->from->name, e->to->name, e->addr, e->port,
			 e->laddr ? e->laddr : "unspec",
			 e->lport ? e->lport : "unspec", e->options, e->weight);

	return r < 0 || (size_t)r >= cap ? -1 : r;
}

int mesh_dump_subnet(const struct mesh_subnet *s, char *buf, size_t cap)
{
	char text[MESH_SUBNET_TEXT_MAX];
	int r;

	if (mesh_subnet_format(s, text, sizeof(text), true) < 0)
		return -1;
	r = snprintf(buf, cap, "18 5 %s %s", text,
		     s->owner ? s->owner->name : "(broadcast)");
	return r < 0 || (size_t)r >= cap ? -1 : r;
}

int mesh_dump_conn(const struct mesh_conn *c, int socket_fd, char *buf,
		   size_t cap)
{
	int r = snprintf(buf, cap, "18 6 %s %s port %s %x %d %x",
			 c->name ? c->name : "<unknown>", c->peer_addr,
			 c->peer_port, c->options, socket_fd, c->status);

	return r < 0 || (size_t)r >= cap ? -1 : r;
}
