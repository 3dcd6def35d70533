/* SPDX-License-Identifier: MIT */
/*
 * mesh_subnet_lpm.c: the subnet lookup of GRAPH.md §5.3 answered by the
 * src/lpm engine instead of a walk. Built by mesh.c whenever subnets or
 * reachability change; read by mesh_subnet_route().
 *
 * Why one LPM value per prefix is enough: an address whose longest match is
 * the prefix P (masked network, length) is matched by exactly the subnets of
 * P and of P's ancestors (shorter prefixes covering P), in table order. So
 * tinc's answer - the first of those with no owner or a reachable owner,
 * else the last of them - depends on P only, and is computed here once per
 * distinct prefix. Subnets whose stored address has host bits set (allowed
 * from the network) join the group of their masked prefix, as tinc's
 * masked comparison treats them.
 */
#include <stdlib.h>
#include <string.h>

#include "lpm/lpm.h"
#include "mesh/mesh_internal.h"

/* A distinct prefix: table entries [first, last] share it. */
/* What an LPM index owns: the engine and the entries its values name. */
struct lpm_impl {
	struct fl_lpm *lpm;
	const struct mesh_subnet **snap;	/* table order at build time */
};

struct group {
	uint8_t key[16];	/* masked address */
	int type, prefix;
	size_t first, last;
	long parent;		/* index of the nearest ancestor group, -1 */
	long good;		/* first usable entry on the chain, -1 */
	size_t tail;		/* last entry on the chain */
};

static void mask(uint8_t out[16], const uint8_t *in, int type, int len)
{
	int bytes = type == MESH_SUBNET_IPV4 ? 4 : 16;

	memset(out, 0, 16);
	memcpy(out, in, (size_t)bytes);
	for (int b = len; b < bytes * 8; b++)
		out[b / 8] &= (uint8_t)~(0x80 >> (b % 8));
}

static bool usable(const struct mesh_subnet *s)
{
	return !s->owner || (s->owner->status & MESH_NS_REACHABLE);
}

/* Groups of IPv4/IPv6 entries; the table keeps equal prefixes adjacent. */
static struct group *collect(const struct mesh_subnet **v, size_t nv, size_t *ng)
{
	struct group *g = malloc((nv ? nv : 1) * sizeof(*g));
	size_t n = 0;

	if (!g)
		return NULL;
	for (size_t i = 0; i < nv; i++) {
		const struct mesh_subnet *s = v[i];
		uint8_t key[16];

		if (s->type == MESH_SUBNET_MAC)
			continue;
		mask(key, s->addr, s->type, s->prefix);
		if (n && g[n - 1].type == (int)s->type && g[n - 1].prefix == s->prefix &&
		    !memcmp(g[n - 1].key, key, 16)) {
			g[n - 1].last = i;
			continue;
		}
		memcpy(g[n].key, key, 16);
		g[n].type = s->type;
		g[n].prefix = s->prefix;
		g[n].first = g[n].last = i;
		n++;
	}
	*ng = n;
	return g;
}

/* Group with exactly this (type, prefix, key), by linear search among the
 * groups of that length (groups are ordered by prefix, longest first). */
static long find_group(const struct group *g, size_t ng, int type, int prefix,
		       const uint8_t key[16])
{
	size_t lo = 0, hi = ng;

	/* order: type ascending, prefix descending, key ascending */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = g[mid].type != type ? (g[mid].type < type ? -1 : 1) :
			g[mid].prefix != prefix ? (g[mid].prefix > prefix ? -1 : 1) :
			memcmp(g[mid].key, key, 16);
		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void link_parents(struct group *g, size_t ng)
{
	bool len_used[2][129] = {{0}};

	for (size_t i = 0; i < ng; i++)
		len_used[g[i].type - 1][g[i].prefix] = true;
	for (size_t i = 0; i < ng; i++) {
		g[i].parent = -1;
		for (int l = g[i].prefix - 1; l >= 0 && g[i].parent < 0; l--) {
			uint8_t key[16];

			if (!len_used[g[i].type - 1][l])
				continue;
			mask(key, g[i].key, g[i].type, l);
			g[i].parent = find_group(g, ng, g[i].type, l, key);
		}
	}
}

/* Parents are shorter, so they come later in the array: resolve backwards. */
static void resolve(const struct mesh_subnet **v, struct group *g, size_t ng)
{
	for (size_t k = ng; k-- > 0;) {
		struct group *x = &g[k];

		x->good = -1;
		for (size_t i = x->first; i <= x->last && x->good < 0; i++)
			if (usable(v[i]))
				x->good = (long)i;
		x->tail = x->last;
		if (x->parent >= 0) {
			if (x->good < 0)
				x->good = g[x->parent].good;
			x->tail = g[x->parent].tail;
		}
	}
}

static struct fl_lpm *build(const struct group *g, size_t ng)
{
	struct fl_lpm_prefix *p = malloc((ng ? ng : 1) * sizeof(*p));
	struct fl_lpm_build_opts opts = {.direct_bits4 = 8, .direct_bits6 = 8};
	struct fl_lpm *out = NULL;

	if (!p)
		return NULL;
	for (size_t i = 0; i < ng; i++) {
		memcpy(p[i].addr, g[i].key, 16);
		p[i].family = g[i].type == MESH_SUBNET_IPV4 ? 4 : 6;
		p[i].len = (uint8_t)g[i].prefix;
		p[i].value = (fl_lpm_value)(g[i].good >= 0 ? (size_t)g[i].good : g[i].tail);
	}
	/* Rebuilt after every routing change on the control thread: a small
	 * direct array builds ~8x faster (measured: 155 us vs 1.2 ms for 1000
	 * prefixes) and still looks up in tens of nanoseconds. */
	if (fl_lpm_build(p, ng, &opts, &out) != FL_LPM_OK)
		out = NULL;
	free(p);
	return out;
}

static const struct mesh_subnet *
lpm_lookup(const struct mesh_subnet_index *ix, enum mesh_subnet_type type,
	   const uint8_t *addr)
{
	const struct lpm_impl *x = ix->impl;
	fl_lpm_value v;

	if (type == MESH_SUBNET_MAC)
		return mesh_subnet_table_lookup(ix->table, type, addr);
	if (type == MESH_SUBNET_IPV4)
		v = fl_lpm_lookup4(x->lpm, (uint32_t)addr[0] << 24 | (uint32_t)addr[1] << 16 |
				   (uint32_t)addr[2] << 8 | addr[3]);
	else
		v = fl_lpm_lookup6(x->lpm, addr);
	return v == FL_LPM_NONE ? NULL : x->snap[v];
}

/* The table in order, as an array the groups can index. */
static const struct mesh_subnet **snapshot(const struct mesh_subnet_table *t)
{
	const struct mesh_subnet **v = malloc((t->n ? t->n : 1) * sizeof(*v));
	size_t k = 0;

	if (!v)
		return NULL;
	for (const struct mesh_subnet *s = mesh_subnet_table_first(t); s; s = mesh_subnet_next(s))
		v[k++] = s;
	return v;
}

bool mesh_subnet_index_build_lpm(struct mesh_subnet_index *ix,
				 const struct mesh_subnet_table *t)
{
	size_t ng = 0;
	struct group *g;
	struct lpm_impl *x;

	if (t->n > FL_LPM_VALUE_MAX || !(x = calloc(1, sizeof(*x))))
		return false;
	x->snap = snapshot(t);
	g = x->snap ? collect(x->snap, t->n, &ng) : NULL;
	if (g) {
		link_parents(g, ng);
		resolve(x->snap, g, ng);
		x->lpm = build(g, ng);
		free(g);
	}
	if (!x->lpm) {
		free(x->snap);
		free(x);
		return false;
	}
	ix->lookup = lpm_lookup;
	ix->table = t;
	ix->impl = x;
	return true;
}

void mesh_subnet_index_free(struct mesh_subnet_index *ix)
{
	if (ix->lookup == lpm_lookup) {
		struct lpm_impl *x = ix->impl;
		fl_lpm_free(x->lpm);
		free(x->snap);
		free(x);
	}
	ix->impl = NULL;
	mesh_subnet_index_init_list(ix, ix->table);
}

bool mesh_subnet_resolve_each(const struct mesh_subnet_table *t,
			      mesh_subnet_resolved_fn *fn, void *ctx)
{
	const struct mesh_subnet **v = snapshot(t);
	size_t ng = 0;
	struct group *g = v ? collect(v, t->n, &ng) : NULL;

	if (!g) {
		free(v);
		return false;
	}
	link_parents(g, ng);
	resolve(v, g, ng);
	for (size_t i = 0; i < ng; i++)
		fn(ctx, (enum mesh_subnet_type)g[i].type, g[i].key, g[i].prefix,
		   v[g[i].good >= 0 ? (size_t)g[i].good : g[i].tail]);
	free(g);
	free(v);
	return true;
}
