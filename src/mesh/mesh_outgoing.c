/* SPDX-License-Identifier: MIT */
/*
 * mesh_outgoing.c: outgoing connections (META.md §8) as decisions: one
 * record per ConnectTo (or AutoConnect pick), a cycle of candidate addresses
 * (recently good ones first, then where the graph sees the node, then its
 * Address lines), back-off growing by 5 s per exhausted cycle, and
 * AutoConnect. The daemon resolves and connects; it reports failures with
 * mesh_connect_failed() and successes with mesh_conn_open().
 */
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh_internal.h"

static void addr_free(struct mesh_addr *a)
{
	free(a->host);
	free(a->port);
	a->host = a->port = NULL;
}

static void cands_free(struct mesh_outgoing *og)
{
	for (size_t i = 0; i < og->ncand; i++)
		addr_free(&og->cand[i]);
	free(og->cand);
	og->cand = NULL;
	og->ncand = og->next = 0;
}

void mesh_outgoing_free(struct mesh_outgoing *og)
{
	cands_free(og);
	for (size_t i = 0; i < og->ncache; i++)
		addr_free(&og->cache[i]);
	free(og);
}

struct mesh_outgoing *mesh_outgoing_find(const struct mesh *m,
					 const struct mesh_node *n)
{
	for (size_t i = 0; n && i < m->n_outgoings; i++)
		if (m->outgoings[i]->node == n)
			return m->outgoings[i];
	return NULL;
}

/* Append host/port unless it is already a candidate. */
static void cand_add(struct mesh_outgoing *og, const char *host,
		     const char *port, size_t *cap)
{
	struct mesh_addr a;

	if (!host || !port || !*host || !*port)
		return;
	for (size_t i = 0; i < og->ncand; i++)
		if (!strcmp(og->cand[i].host, host) && !strcmp(og->cand[i].port, port))
			return;
	if (og->ncand == *cap) {
		size_t c = *cap ? *cap * 2 : 8;
		struct mesh_addr *v = realloc(og->cand, c * sizeof(*v));
		if (!v)
			return;
		og->cand = v;
		*cap = c;
	}
	a.host = mesh_strdup(host);
	a.port = mesh_strdup(port);
	if (!a.host || !a.port) {
		addr_free(&a);
		return;
	}
	og->cand[og->ncand++] = a;
}

/* A new cycle: cache, then graph addresses, then Address lines (§8.2). */
static void build_cands(struct mesh *m, struct mesh_outgoing *og)
{
	struct mesh_node *n = og->node;
	struct mesh_host_info h;
	size_t cap = 0;

	cands_free(og);
	for (size_t i = 0; i < og->ncache; i++)
		cand_add(og, og->cache[i].host, og->cache[i].port, &cap);
	for (size_t i = 0; i < n->n_edges; i++) {
		struct mesh_edge *rev = n->edges[i]->reverse;
		if (rev && mesh_addr_parsable(rev->addr))
			cand_add(og, rev->addr, rev->port, &cap);
	}
	memset(&h, 0, sizeof(h));
	h.indirect = h.tcponly = h.clampmss = -1;
	if (m->cfg.host_lookup && m->cfg.host_lookup(m->cfg.ctx, n->name, &h))
		for (size_t i = 0; i < h.n_addresses; i++)
			cand_add(og, h.address_host[i], h.address_port[i], &cap);
	og->cycle = true;
}

static void emit_connect(struct mesh_outgoing *og, struct mesh_out *o)
{
	struct mesh_out_item *it = mesh_out_push(o, MESH_OUT_CONNECT);
	struct mesh_addr *a = &og->cand[og->next];

	if (!it)
		return;
	it->node = og->node;
	it->host = mesh_strdup(a->host);
	it->port = mesh_strdup(a->port);
}

/* Try the next candidate, or back off when the cycle is exhausted. */
void mesh_outgoing_next(struct mesh *m, struct mesh_outgoing *og, fl_time_t now,
			struct mesh_out *o)
{
	if (!og->cycle)
		build_cands(m, og);
	else
		og->next++;
	if (og->next < og->ncand) {
		og->state = MESH_OG_CONNECTING;
		emit_connect(og, o);
		return;
	}
	og->cycle = false;
	og->timeout += 5;
	if (og->timeout > m->cfg.max_timeout)
		og->timeout = m->cfg.max_timeout;
	og->state = MESH_OG_WAITING;
	og->retry_at = now + FL_TIME_S(og->timeout);
	mesh_out_log(o, "%s: no more addresses to try, retrying in %d seconds",
		     og->node->name, og->timeout);
}

void mesh_outgoing_closed(struct mesh *m, struct mesh_outgoing *og,
			  fl_time_t now, struct mesh_out *o)
{
	mesh_outgoing_next(m, og, now, o);
}

/* The current candidate worked: move it to the front of the cache and make
 * the next cycle start there. */
void mesh_outgoing_good(struct mesh_outgoing *og)
{
	struct mesh_addr a;
	size_t i;

	if (!og->cycle || og->next >= og->ncand)
		return;
	a.host = mesh_strdup(og->cand[og->next].host);
	a.port = mesh_strdup(og->cand[og->next].port);
	if (!a.host || !a.port) {
		addr_free(&a);
		return;
	}
	for (i = 0; i < og->ncache; i++)
		if (!strcmp(og->cache[i].host, a.host) && !strcmp(og->cache[i].port, a.port))
			break;
	if (i == og->ncache && og->ncache == MESH_CACHE_MAX)
		i = --og->ncache;	/* drop the oldest */
	if (i < og->ncache)
		addr_free(&og->cache[i]);
	else
		og->ncache++;
	memmove(&og->cache[1], &og->cache[0], i * sizeof(og->cache[0]));
	og->cache[0] = a;
	/* the working address (now first) is tried first next time */
	cands_free(og);
	og->cycle = false;
}

void mesh_outgoing_start(struct mesh *m, struct mesh_node *n, fl_time_t now,
			 struct mesh_out *o)
{
	struct mesh_outgoing *og = mesh_outgoing_find(m, n);

	if (og)
		return;
	if (m->n_outgoings == m->cap_outgoings) {
		size_t cap = m->cap_outgoings ? m->cap_outgoings * 2 : 8;
		struct mesh_outgoing **v = realloc(m->outgoings, cap * sizeof(*v));
		if (!v)
			return;
		m->outgoings = v;
		m->cap_outgoings = cap;
	}
	og = calloc(1, sizeof(*og));
	if (!og)
		return;
	og->node = n;
	og->conn = MESH_CONN_NONE;
	m->outgoings[m->n_outgoings++] = og;
	mesh_outgoing_next(m, og, now, o);
}

/* Drop the record; close its connection if it has one. */
void mesh_outgoing_forget(struct mesh *m, struct mesh_outgoing *og,
			  fl_time_t now, struct mesh_out *o)
{
	struct mesh_conn *c = og->conn != MESH_CONN_NONE ?
			      mesh_conn_find(m, og->conn) : NULL;

	for (size_t i = 0; i < m->n_outgoings; i++) {
		if (m->outgoings[i] == og) {
			memmove(&m->outgoings[i], &m->outgoings[i + 1],
				(m->n_outgoings - i - 1) * sizeof(*m->outgoings));
			m->n_outgoings--;
			break;
		}
	}
	/* connections made for a CONNECT still in flight keep no record */
	for (size_t i = 0; i < m->n_conns; i++)
		if (m->conns[i]->outgoing == og)
			m->conns[i]->outgoing = NULL;
	if (c) {
		mesh_out_close(o, c->id, "outgoing connection no longer wanted");
		mesh_conn_teardown(m, c, now, o);
	}
	mesh_outgoing_free(og);
}

void mesh_outgoing_tick(struct mesh *m, fl_time_t now, struct mesh_out *o)
{
	for (size_t i = 0; i < m->n_outgoings; i++) {
		struct mesh_outgoing *og = m->outgoings[i];
		if (og->state == MESH_OG_WAITING && og->retry_at <= now)
			mesh_outgoing_next(m, og, now, o);
	}
}

void mesh_connect_failed(struct mesh *m, struct mesh_node *node, fl_time_t now,
			 struct mesh_out *out)
{
	struct mesh_outgoing *og = mesh_outgoing_find(m, node);

	if (og && og->state == MESH_OG_CONNECTING)
		mesh_outgoing_next(m, og, now, out);
}

void mesh_retry(struct mesh *m, fl_time_t now, struct mesh_out *out)
{
	for (size_t i = 0; i < m->n_outgoings; i++) {
		struct mesh_outgoing *og = m->outgoings[i];
		og->timeout = 0;
		if (og->state == MESH_OG_WAITING)
			mesh_outgoing_next(m, og, now, out);
	}
}
