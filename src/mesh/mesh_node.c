/* SPDX-License-Identifier: MIT */
/*
 * mesh_node.c: the node table (GRAPH.md §1.1): nodes sorted by name, the
 * node ID (first 6 bytes of SHA-512 of the name, UDP.md §1.1, through
 * libsodium), lookups by name and ID. Nodes live until mesh_free().
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh_internal.h"

struct mesh_node *mesh_node_new(const char *name)
{
	struct mesh_node *n = calloc(1, sizeof(*n));
	uint8_t h[crypto_hash_sha512_BYTES];

	if (!n)
		return NULL;
	n->name = mesh_strdup(name);
	n->addr = mesh_strdup("");
	n->port = mesh_strdup("");
	if (!n->name || !n->addr || !n->port) {
		mesh_node_free(n);
		return NULL;
	}
	crypto_hash_sha512(h, (const unsigned char *)name, strlen(name));
	memcpy(n->id, h, MESH_NODE_ID_LEN);
	n->distance = -1;
	n->mtu = MESH_MTU_MAX;
	n->maxmtu = MESH_MTU_MAX;
	n->conn = MESH_CONN_NONE;
	return n;
}

void mesh_node_free(struct mesh_node *n)
{
	if (!n)
		return;
	free(n->name);
	free(n->addr);
	free(n->port);
	free(n->edges);
	free(n);
}

bool mesh_node_set_addr(struct mesh_node *n, const char *addr,
			const char *port)
{
	char *a = mesh_strdup(addr ? addr : ""), *p = mesh_strdup(port ? port : "");

	if (!a || !p) {
		free(a);
		free(p);
		return false;
	}
	free(n->addr);
	free(n->port);
	n->addr = a;
	n->port = p;
	return true;
}

size_t mesh_name_pos(const void *v, size_t n, const char *name,
		     const char *(*name_at)(const void *v, size_t i), bool *found)
{
	size_t lo = 0, hi = n;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(name_at(v, mid), name);
		if (r == 0) {
			*found = true;
			return mid;
		}
		if (r < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static const char *node_name_at(const void *v, size_t i)
{
	return ((struct mesh_node *const *)v)[i]->name;
}

static size_t node_pos(const struct mesh *m, const char *name, bool *found)
{
	return mesh_name_pos(m->nodes, m->n_nodes, name, node_name_at, found);
}

static bool grow(struct mesh *m)
{
	size_t cap = m->cap_nodes ? m->cap_nodes * 2 : 16;
	struct mesh_node **v = realloc(m->nodes, cap * sizeof(*v));

	if (!v)
		return false;
	m->nodes = v;
	v = realloc(m->by_id, cap * sizeof(*v));
	if (!v)
		return false;
	m->by_id = v;
	m->cap_nodes = cap;
	return true;
}

/* First index in by_id whose ID is not below id. */
static size_t id_pos(const struct mesh *m, const uint8_t *id)
{
	size_t lo = 0, hi = m->n_nodes;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (memcmp(m->by_id[mid]->id, id, MESH_NODE_ID_LEN) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct mesh_node *mesh_node_find(const struct mesh *m, const char *name)
{
	bool found;
	size_t i;

	if (!name)
		return NULL;
	i = node_pos(m, name, &found);
	return found ? m->nodes[i] : NULL;
}

struct mesh_node *mesh_node_get(struct mesh *m, const char *name)
{
	bool found;
	size_t i;
	struct mesh_node *n;

	if (!mesh_name_valid(name))
		return NULL;
	i = node_pos(m, name, &found);
	if (found)
		return m->nodes[i];
	if (m->n_nodes == m->cap_nodes && !grow(m))
		return NULL;
	n = mesh_node_new(name);
	if (!n)
		return NULL;
	mesh_node_refresh_host(m, n);
	memmove(&m->nodes[i + 1], &m->nodes[i],
		(m->n_nodes - i) * sizeof(*m->nodes));
	m->nodes[i] = n;
	i = id_pos(m, n->id);
	memmove(&m->by_id[i + 1], &m->by_id[i],
		(m->n_nodes - i) * sizeof(*m->by_id));
	m->by_id[i] = n;
	m->n_nodes++;
	return n;
}

/* Called by purge before a node is freed (m->n_nodes not yet lowered). */
void mesh_node_unindex(struct mesh *m, struct mesh_node *n)
{
	size_t i = id_pos(m, n->id);

	while (i < m->n_nodes && m->by_id[i] != n)
		i++;	/* equal 6-byte prefixes are possible, if unlikely */
	if (i < m->n_nodes)
		memmove(&m->by_id[i], &m->by_id[i + 1],
			(m->n_nodes - i - 1) * sizeof(*m->by_id));
}

struct mesh_node *mesh_node_by_id(const struct mesh *m,
				  const uint8_t id[static MESH_NODE_ID_LEN])
{
	size_t i = id_pos(m, id);

	if (i < m->n_nodes && !memcmp(m->by_id[i]->id, id, MESH_NODE_ID_LEN))
		return m->by_id[i];
	return NULL;
}

size_t mesh_node_count(const struct mesh *m)
{
	return m->n_nodes;
}

struct mesh_node *mesh_node_at(const struct mesh *m, size_t i)
{
	return i < m->n_nodes ? m->nodes[i] : NULL;
}

struct mesh_node *mesh_myself(const struct mesh *m)
{
	return m->myself;
}

/* HAS_ADDRESS mirrors "hosts/NAME has an Address line" (CONFIG.md §5.3; tinc
 * shows it for myself too: 858); it is cleared when the node goes down and
 * set again on reload. */
void mesh_node_refresh_host(struct mesh *m, struct mesh_node *n)
{
	struct mesh_host_info h;

	memset(&h, 0, sizeof(h));
	h.indirect = h.tcponly = h.clampmss = -1;
	if (m->cfg.host_lookup &&
	    m->cfg.host_lookup(m->cfg.ctx, n->name, &h) && h.exists &&
	    (h.has_address || h.n_addresses))
		n->status |= MESH_NS_HAS_ADDRESS;
	else
		n->status &= ~(uint32_t)MESH_NS_HAS_ADDRESS;
}

void mesh_reload_hosts(struct mesh *m)
{
	for (size_t i = 0; i < m->n_nodes; i++)
		mesh_node_refresh_host(m, m->nodes[i]);
}
