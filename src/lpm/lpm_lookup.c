/* SPDX-License-Identifier: MIT */
/*
 * lpm_lookup.c: batch lookups for the data plane (single lookups are inline
 * in lpm.h). Any thread may call these on a published table.
 *
 * Each lookup is a short chain of dependent loads (direct entry, node,
 * leaf). The batch prefetches the direct entries of the addresses a few
 * places ahead, so their cache misses overlap with the lookups in flight;
 * the out-of-order core overlaps the rest, since lookups are independent.
 * The table's fields are copied to locals first: the project builds with
 * -fno-strict-aliasing, so otherwise every store to out[] would force them
 * to be read again (that alone cost a third of the speed).
 *
 * Measured and dropped (doc/lpm.md): walking a group of 16 or 32 addresses
 * in lock step with prefetches, with or without a branch-free first pass,
 * and queueing the walks behind a per-address direct pass. All were slower
 * on every table here, by 10-50%: the simple loop has fewer instructions,
 * and the tables of interest sit in L2/L3.
 */
#include "lpm/lpm.h"

#define AHEAD 8

static inline fl_lpm_value walk4(const struct fl_lpm_node *nodes, const fl_lpm_value *leaves,
	uint32_t e, uint32_t a, unsigned s)
{
	if (e & FL_LPM_DIRECT_LEAF)
		return e & ~FL_LPM_DIRECT_LEAF;
	const struct fl_lpm_node *n = &nodes[e];
	uint64_t k = (uint64_t)a << (32 + s);
	for (;;) {
		unsigned v = (unsigned)(k >> 58);
		if (!((n->vector >> v) & 1))
			return leaves[n->base0 + fl_lpm__rank(n->leafvec, v) - 1];
		n = &nodes[n->base1 + fl_lpm__rank(n->vector, v) - 1];
		k <<= 6;
	}
}

/* The loop for one direct-entry width D (uint16_t or uint32_t). */
#define BATCH4(D)                                                              \
	do {                                                                   \
		const D *d = direct;                                           \
		for (; i + AHEAD < n; i++) {                                   \
			__builtin_prefetch(&d[addrs[i + AHEAD] >> shift]);     \
			out[i] = walk4(nodes, leaves, d[addrs[i] >> shift], addrs[i], s); \
		}                                                              \
		for (; i < n; i++)                                             \
			out[i] = walk4(nodes, leaves, d[addrs[i] >> shift], addrs[i], s); \
	} while (0)

void fl_lpm_lookup4_batch(const struct fl_lpm *t, const uint32_t *addrs,
	fl_lpm_value *restrict out, size_t n)
{
	const void *direct = t->v4.direct;
	const struct fl_lpm_node *nodes = t->v4.nodes;
	const fl_lpm_value *leaves = t->v4.leaves;
	unsigned s = t->v4.direct_bits, shift = 32 - s;
	size_t i = 0;

	if (t->v4.direct_wide)
		BATCH4(uint32_t);
	else
		BATCH4(uint16_t);
}

void fl_lpm_lookup6_batch(const struct fl_lpm *t, const uint8_t (*addrs)[16],
	fl_lpm_value *restrict out, size_t n)
{
	struct fl_lpm local = *t; /* see above: keeps the fields in registers */
	unsigned shift = 64 - local.v6.direct_bits;
	unsigned esize = local.v6.direct_wide ? 4 : 2;
	size_t i = 0;

	for (; i + AHEAD < n; i++) {
		size_t e = fl_lpm__load_be64(addrs[i + AHEAD]) >> shift;
		__builtin_prefetch((const uint8_t *)local.v6.direct + e * esize);
		out[i] = fl_lpm_lookup6(&local, addrs[i]);
	}
	for (; i < n; i++)
		out[i] = fl_lpm_lookup6(&local, addrs[i]);
}
