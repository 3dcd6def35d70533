/* SPDX-License-Identifier: MIT */
/*
 * mesh_edge.c: the edge table (GRAPH.md §1.2). Each node keeps its outgoing
 * edges sorted by the `to` name; an edge links to its reverse when both
 * exist. Called by mesh_flood.c (ADD/DEL_EDGE) and mesh_conn.c (our own
 * edges on ACK and close).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh_internal.h"

static const char *edge_to_name_at(const void *v, size_t i)
{
	return ((struct mesh_edge *const *)v)[i]->to->name;
}

static size_t edge_pos(const struct mesh_node *from, const char *to, bool *found)
{
	return mesh_name_pos(from->edges, from->n_edges, to, edge_to_name_at, found);
}

struct mesh_edge *mesh_edge_find(const struct mesh_node *from,
				 const struct mesh_node *to)
{
	bool found;
	size_t i;

	if (!from || !to)
		return NULL;
	i = edge_pos(from, to->name, &found);
	return found ? from->edges[i] : NULL;
}

static void edge_free(struct mesh_edge *e)
{
	free(e->addr);
	free(e->port);
	free(e->laddr);
	free(e->lport);
	free(e);
}

/* Create from -> to with no addresses (the caller sets them); NULL if it
 * exists already or memory ran out. */
struct mesh_edge *mesh_edge_add(struct mesh *m, struct mesh_node *from,
				struct mesh_node *to)
{
	bool found;
	size_t i = edge_pos(from, to->name, &found);
	struct mesh_edge *e;

	(void)m;
	if (found)
		return NULL;
	if (from->n_edges == from->cap_edges) {
		size_t cap = from->cap_edges ? from->cap_edges * 2 : 4;
		struct mesh_edge **v = realloc(from->edges, cap * sizeof(*v));
		if (!v)
			return NULL;
		from->edges = v;
		from->cap_edges = cap;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->from = from;
	e->to = to;
	e->conn = MESH_CONN_NONE;
	e->reverse = mesh_edge_find(to, from);
	if (e->reverse)
		e->reverse->reverse = e;
	memmove(&from->edges[i + 1], &from->edges[i],
		(from->n_edges - i) * sizeof(*from->edges));
	from->edges[i] = e;
	from->n_edges++;
	m->n_edges++;
	return e;
}

void mesh_edge_del(struct mesh *m, struct mesh_edge *e)
{
	struct mesh_node *from = e->from;
	bool found;
	size_t i = edge_pos(from, e->to->name, &found);

	if (!found || from->edges[i] != e)
		return;
	m->n_edges--;
	if (e->reverse)
		e->reverse->reverse = NULL;
	/* A node whose prevedge this was keeps a dangling pointer otherwise;
	 * the next graph run resets prevedge of every reached node. */
	if (e->to->prevedge == e)
		e->to->prevedge = NULL;
	memmove(&from->edges[i], &from->edges[i + 1],
		(from->n_edges - i - 1) * sizeof(*from->edges));
	from->n_edges--;
	edge_free(e);
}

/* Replace the address strings. laddr/lport NULL leaves them unchanged. */
bool mesh_edge_set(struct mesh_edge *e, const char *addr, const char *port,
		   const char *laddr, const char *lport)
{
	char *a = mesh_strdup(addr), *p = mesh_strdup(port);
	char *la = laddr ? mesh_strdup(laddr) : NULL;
	char *lp = lport ? mesh_strdup(lport) : NULL;

	if (!a || !p || (laddr && !la) || (lport && !lp)) {
		free(a);
		free(p);
		free(la);
		free(lp);
		return false;
	}
	free(e->addr);
	free(e->port);
	e->addr = a;
	e->port = p;
	if (laddr && lport) {
		free(e->laddr);
		free(e->lport);
		e->laddr = la;
		e->lport = lp;
	} else {
		free(la);
		free(lp);
	}
	return true;
}

/* A numeric IPv4/IPv6 address (tinc keeps others as opaque text). */
bool mesh_addr_parsable(const char *addr)
{
	uint8_t buf[16];

	if (!addr)
		return false;
	return inet_pton(AF_INET, addr, buf) == 1 ||
	       inet_pton(AF_INET6, addr, buf) == 1;
}
