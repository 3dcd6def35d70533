/* SPDX-License-Identifier: MIT */
/*
 * lpm.h: longest-prefix match for IPv4 and IPv6, built once, read-only after.
 *
 * Used by the data plane (offload set, local routes, mesh subnets) and built
 * by the control plane. The table is a Poptrie-style multiway trie (see
 * doc/lpm.md): a direct-pointing array indexed by the top S bits of the
 * address, then nodes of stride 6 holding two 64-bit bitmaps; the child or
 * leaf is found by popcount, and runs of equal leaves are stored once.
 *
 * Threads: fl_lpm_build() runs on the control thread. A built table is
 * immutable, so any number of threads may look up in it without locks. It is
 * handed to readers with fl_lpm_slot_publish() (one atomic pointer swap);
 * the caller must not fl_lpm_free() the old table until every reader has
 * passed a quiescent point (no reader still holds a pointer it loaded before
 * the swap).
 *
 * Addresses: IPv4 as a host-order uint32_t (10.0.0.1 == 0x0a000001), IPv6 as
 * 16 bytes in network order.
 */
#ifndef FL_LPM_LPM_H
#define FL_LPM_LPM_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The value a prefix maps to (31 bits); FL_LPM_NONE = no prefix matched. */
typedef uint32_t fl_lpm_value;
#define FL_LPM_NONE ((fl_lpm_value)0x7fffffffu)
#define FL_LPM_VALUE_MAX ((fl_lpm_value)0x7ffffffeu)

/* One input prefix. addr is in network order; for IPv4 only addr[0..3] are
 * read. Host bits (beyond len) must be zero. */
struct fl_lpm_prefix {
	uint8_t addr[16];
	uint8_t family; /* 4 or 6 */
	uint8_t len;    /* 0..32 or 0..128 */
	fl_lpm_value value;
};

enum fl_lpm_err {
	FL_LPM_OK = 0,
	FL_LPM_EFAMILY,   /* family not 4 or 6 */
	FL_LPM_ELEN,      /* prefix length beyond the address width */
	FL_LPM_EHOSTBITS, /* bits set after the prefix length */
	FL_LPM_EVALUE,    /* value above FL_LPM_VALUE_MAX */
	FL_LPM_ENOMEM,
	FL_LPM_ETOOBIG,   /* more nodes or leaves than 32-bit indexes allow */
};
const char *fl_lpm_strerror(enum fl_lpm_err err);

/* Called once per prefix given more than once (same family, address and
 * length): the later one (index `kept`) wins, `dropped` is ignored. */
typedef void fl_lpm_dup_fn(void *ctx, size_t kept, size_t dropped);

struct fl_lpm_build_opts {
	fl_lpm_dup_fn *on_duplicate; /* may be NULL */
	void *ctx;
	/* Direct-pointing bits for each family, 0 = chosen by table size.
	 * Allowed 1..24. Benchmarks use this; callers normally leave 0. */
	unsigned direct_bits4, direct_bits6;
};

/* Internal layout, exposed only so the lookups below can be inlined. */
struct fl_lpm_node {
	uint64_t vector;  /* bit i: child i is a node (at base1 + rank) */
	uint64_t leafvec; /* bit i: a run of equal leaves starts at child i */
	uint32_t base0;   /* first leaf of this node in leaves[] */
	uint32_t base1;   /* first child node in nodes[] */
};

/* A direct entry is a node index, or a value with FL_LPM_DIRECT_LEAF set.
 * When few distinct values sit under direct entries, each such entry points
 * at a shared node whose 64 children are all that one leaf instead: every
 * lookup then walks at least one node and its first branch is never taken
 * (mispredicted branches are what a lookup otherwise spends most time on).
 * Entries are 16 bits when no entry is flagged and there are at most 65536
 * nodes. */
#define FL_LPM_DIRECT_LEAF 0x80000000u

struct fl_lpm_trie {
	const void *direct; /* uint16_t or uint32_t [1 << direct_bits] */
	const struct fl_lpm_node *nodes;
	const fl_lpm_value *leaves;
	unsigned direct_bits, direct_wide;
	uint32_t n_nodes, n_leaves;
	size_t n_prefixes;
	void *mem;    /* one block holding direct, nodes and leaves */
	size_t bytes; /* its size */
};

struct fl_lpm {
	struct fl_lpm_trie v4, v6;
};

/* Builds a table from n prefixes (mixed families). On success *out takes a
 * new table the caller frees with fl_lpm_free(). opts may be NULL. */
enum fl_lpm_err fl_lpm_build(const struct fl_lpm_prefix *p, size_t n,
	const struct fl_lpm_build_opts *opts, struct fl_lpm **out);
void fl_lpm_free(const struct fl_lpm *t);
/* Bytes of memory the table holds (direct arrays, nodes, leaves). */
size_t fl_lpm_bytes(const struct fl_lpm *t);

/* Batch lookups: out[i] = value for addrs[i]. They interleave several
 * lookups and prefetch, so use them on the data path. */
void fl_lpm_lookup4_batch(const struct fl_lpm *t, const uint32_t *addrs,
	fl_lpm_value *restrict out, size_t n);
void fl_lpm_lookup6_batch(const struct fl_lpm *t, const uint8_t (*addrs)[16],
	fl_lpm_value *restrict out, size_t n);

/* Bits set in x. With POPCNT (-Dpopcnt=enabled, or any ARM) the builtin
 * is one instruction; on the x86-64 baseline it is a call into libgcc's
 * table loop (1-3% of a sealed packet's time in dataplane_speed), where
 * this sum of bit fields takes a dozen inline ALU operations. */
static inline unsigned fl_lpm__popcount(uint64_t x)
{
#if defined(__x86_64__) && !defined(__POPCNT__)
	x = x - ((x >> 1) & UINT64_C(0x5555555555555555));
	x = (x & UINT64_C(0x3333333333333333)) + ((x >> 2) & UINT64_C(0x3333333333333333));
	x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
	return (unsigned)((x * UINT64_C(0x0101010101010101)) >> 56);
#else
	return (unsigned)__builtin_popcountll(x);
#endif
}

static inline unsigned fl_lpm__rank(uint64_t bits, unsigned v)
{
	/* Set bits at positions 0..v; 2 << 63 wraps to 0, giving all ones. */
	return fl_lpm__popcount(bits & ((UINT64_C(2) << v) - 1));
}

/* Walks nodes from n with the key's next bits at the top of k. */
static inline fl_lpm_value fl_lpm__walk64(const struct fl_lpm_trie *r,
	const struct fl_lpm_node *n, uint64_t k)
{
	for (;;) {
		unsigned v = (unsigned)(k >> 58);
		if (!((n->vector >> v) & 1))
			return r->leaves[n->base0 + fl_lpm__rank(n->leafvec, v) - 1];
		n = &r->nodes[n->base1 + fl_lpm__rank(n->vector, v) - 1];
		k <<= 6;
	}
}

static inline uint32_t fl_lpm__direct(const struct fl_lpm_trie *r, size_t i)
{
	return r->direct_wide ? ((const uint32_t *)r->direct)[i] : ((const uint16_t *)r->direct)[i];
}

static inline fl_lpm_value fl_lpm_lookup4(const struct fl_lpm *t, uint32_t addr)
{
	const struct fl_lpm_trie *r = &t->v4;
	uint32_t e = fl_lpm__direct(r, addr >> (32 - r->direct_bits));
	if (e & FL_LPM_DIRECT_LEAF)
		return e & ~FL_LPM_DIRECT_LEAF;
	return fl_lpm__walk64(r, &r->nodes[e], (uint64_t)addr << (32 + r->direct_bits));
}

static inline uint64_t fl_lpm__load_be64(const uint8_t *p)
{
	uint64_t x;
	memcpy(&x, p, 8);
	return __builtin_bswap64(x);
}

static inline fl_lpm_value fl_lpm_lookup6(const struct fl_lpm *t, const uint8_t addr[static 16])
{
	const struct fl_lpm_trie *r = &t->v6;
	uint64_t hi = fl_lpm__load_be64(addr), lo = fl_lpm__load_be64(addr + 8);
	unsigned s = r->direct_bits;
	uint32_t e = fl_lpm__direct(r, hi >> (64 - s));
	if (e & FL_LPM_DIRECT_LEAF)
		return e & ~FL_LPM_DIRECT_LEAF;
	const struct fl_lpm_node *n = &r->nodes[e];
	/* 128-bit key in (hi, lo), consumed 6 bits at a time from the top. */
	hi = (hi << s) | (lo >> (64 - s));
	lo <<= s;
	for (;;) {
		unsigned v = (unsigned)(hi >> 58);
		if (!((n->vector >> v) & 1))
			return r->leaves[n->base0 + fl_lpm__rank(n->leafvec, v) - 1];
		n = &r->nodes[n->base1 + fl_lpm__rank(n->vector, v) - 1];
		hi = (hi << 6) | (lo >> 58);
		lo <<= 6;
	}
}

/* A published table: readers load it, the control thread swaps it. */
struct fl_lpm_slot {
	_Atomic(const struct fl_lpm *) table;
};

static inline void fl_lpm_slot_init(struct fl_lpm_slot *s)
{
	atomic_init(&s->table, NULL);
}

static inline const struct fl_lpm *fl_lpm_slot_get(struct fl_lpm_slot *s)
{
	return atomic_load_explicit(&s->table, memory_order_acquire);
}

/* Publishes t (may be NULL) and returns the previous table, which the
 * caller frees only after every reader has passed a quiescent point. */
static inline const struct fl_lpm *fl_lpm_slot_publish(struct fl_lpm_slot *s,
	const struct fl_lpm *t)
{
	return atomic_exchange_explicit(&s->table, t, memory_order_acq_rel);
}

#endif
