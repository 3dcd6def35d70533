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

static size_t node_pos(const struct mesh *m, const char *name, bool *found)
{
	size_t lo = 0, hi = m->n_nodes;

	*found = false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = strcmp(m->nodes[mid]->name, name);
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
	if (m->n_nodes == m->cap_nodes) {
		size_t cap = m->cap_nodes ? m->cap_nodes * 2 : 16;
		struct mesh_node **v = realloc(m->nodes, cap * sizeof(*v));
		if (!v)
			return NULL;
		m->nodes = v;
		m->cap_nodes = cap;
	}
	n = mesh_node_new(name);
	if (!n)
		return NULL;
	memmove(&m->nodes[i + 1], &m->nodes[i],
		(m->n_nodes - i) * sizeof(*m->nodes));
	m->nodes[i] = n;
	m->n_nodes++;
	return n;
}

struct mesh_node *mesh_node_by_id(const struct mesh *m,
				  const uint8_t id[static MESH_NODE_ID_LEN])
{
	/* Linear: IDs are looked up only for TCP-relayed packets here; the
	 * dataplane keeps its own hashed snapshot. */
	for (size_t i = 0; i < m->n_nodes; i++)
		if (!memcmp(m->nodes[i]->id, id, MESH_NODE_ID_LEN))
			return m->nodes[i];
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
