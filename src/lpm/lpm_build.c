/* SPDX-License-Identifier: MIT */
/*
 * lpm_build.c: builds the immutable LPM table (lpm.h) from a prefix list.
 *
 * Called by the control plane (and tests, benchmarks). Pure: no I/O, no
 * globals. The prefixes of each family are sorted by (address, length), so
 * a prefix comes after every prefix that covers it and the prefixes inside
 * any aligned block are contiguous. A node for the block at depth d then
 * takes its 64 children's values by "painting" the prefixes of length
 * d+1..d+6 in that order (longer ones overwrite the shorter ones covering
 * them), and recurses into each child that still holds longer prefixes.
 */
#include "lpm/lpm.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct bkey {
	uint64_t hi, lo; /* the address as a 128-bit key, IPv4 in hi's top */
	fl_lpm_value value;
	uint32_t idx; /* position in the caller's list: later wins */
	uint8_t len;
};

struct bld {
	const struct bkey *k;
	struct fl_lpm_node *nodes;
	size_t n_nodes, cap_nodes;
	fl_lpm_value *leaves;
	size_t n_leaves, cap_leaves;
};

/* Bits [d, d+w) of the key, w in 1..32, d + w <= 128 + 6. */
static uint32_t key_bits(const struct bkey *k, unsigned d, unsigned w)
{
	uint64_t h;
	if (d == 0)
		h = k->hi;
	else if (d < 64)
		h = (k->hi << d) | (k->lo >> (64 - d));
	else if (d < 128)
		h = k->lo << (d - 64);
	else
		h = 0;
	return (uint32_t)(h >> (64 - w));
}

/* Sets val[] (children of width w at depth d) from the prefixes in [lo, hi)
 * that end within this level; sorted order makes longer ones win. */
static void paint(const struct bkey *k, size_t lo, size_t hi, unsigned d, unsigned w,
	fl_lpm_value *val)
{
	for (size_t i = lo; i < hi; i++) {
		if (k[i].len > d + w)
			continue;
		uint32_t c = key_bits(&k[i], d, w);
		uint32_t span = UINT32_C(1) << (d + w - k[i].len);
		for (uint32_t j = 0; j < span; j++)
			val[c + j] = k[i].value;
	}
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return 0;
	size_t ncap = *cap ? *cap : 1024;
	while (ncap < need)
		ncap *= 2;
	void *np = realloc(*p, ncap * size);
	if (!np)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

static enum fl_lpm_err alloc_nodes(struct bld *b, size_t count, size_t *first)
{
	if (count >= FL_LPM_DIRECT_LEAF - b->n_nodes)
		return FL_LPM_ETOOBIG;
	if (grow((void **)&b->nodes, &b->cap_nodes, b->n_nodes + count, sizeof(*b->nodes)))
		return FL_LPM_ENOMEM;
	*first = b->n_nodes;
	b->n_nodes += count;
	return FL_LPM_OK;
}

static enum fl_lpm_err push_leaf(struct bld *b, fl_lpm_value v)
{
	if (b->n_leaves >= UINT32_MAX)
		return FL_LPM_ETOOBIG;
	if (grow((void **)&b->leaves, &b->cap_leaves, b->n_leaves + 1, sizeof(*b->leaves)))
		return FL_LPM_ENOMEM;
	b->leaves[b->n_leaves++] = v;
	return FL_LPM_OK;
}

/* Builds nodes[slot] for the block at depth d holding prefixes [lo, hi),
 * all longer than d; def is the value of the longest prefix covering it. */
static enum fl_lpm_err build_node(struct bld *b, size_t slot, size_t lo, size_t hi,
	unsigned d, fl_lpm_value def)
{
	fl_lpm_value val[64];
	size_t first[64], end[64];
	uint64_t vector = 0, leafvec = 0;
	enum fl_lpm_err err;

	for (unsigned c = 0; c < 64; c++)
		val[c] = def;
	paint(b->k, lo, hi, d, 6, val);
	for (size_t i = lo; i < hi; i++) {
		if (b->k[i].len <= d + 6)
			continue;
		uint32_t c = key_bits(&b->k[i], d, 6);
		if (!((vector >> c) & 1)) {
			vector |= UINT64_C(1) << c;
			first[c] = i;
		}
		end[c] = i + 1;
	}
	size_t base0 = b->n_leaves, base1;
	int have_prev = 0;
	for (unsigned c = 0; c < 64; c++) {
		if ((vector >> c) & 1)
			continue;
		if (have_prev && val[c] == b->leaves[b->n_leaves - 1])
			continue;
		if ((err = push_leaf(b, val[c])) != FL_LPM_OK)
			return err;
		leafvec |= UINT64_C(1) << c;
		have_prev = 1;
	}
	if ((err = alloc_nodes(b, (size_t)__builtin_popcountll(vector), &base1)) != FL_LPM_OK)
		return err;
	b->nodes[slot] = (struct fl_lpm_node){
		.vector = vector, .leafvec = leafvec,
		.base0 = (uint32_t)base0, .base1 = (uint32_t)base1,
	};
	for (unsigned c = 0, r = 0; c < 64; c++) {
		if (!((vector >> c) & 1))
			continue;
		err = build_node(b, base1 + r++, first[c], end[c], d + 6, val[c]);
		if (err != FL_LPM_OK)
			return err;
	}
	return FL_LPM_OK;
}

/* Node index of the shared all-leaf node for value v, made on first use.
 * Direct entries that hold a value point at such a node, so every lookup
 * takes the same path (direct entry, node, leaf) without a branch. The
 * map is open addressing; slot holds node index + 1, 0 = empty. */
struct leafmap {
	fl_lpm_value *key;
	uint32_t *slot;
	size_t mask;
};

static enum fl_lpm_err leaf_node(struct bld *b, struct leafmap *m, fl_lpm_value v,
	uint32_t *out)
{
	size_t h = ((uint32_t)v * UINT32_C(2654435761)) & m->mask, first;
	enum fl_lpm_err err;
	for (; m->slot[h]; h = (h + 1) & m->mask) {
		if (m->key[h] == v) {
			*out = m->slot[h] - 1;
			return FL_LPM_OK;
		}
	}
	if ((err = alloc_nodes(b, 1, &first)) != FL_LPM_OK ||
	    (err = push_leaf(b, v)) != FL_LPM_OK)
		return err;
	b->nodes[first] = (struct fl_lpm_node){
		.vector = 0, .leafvec = 1, .base0 = (uint32_t)(b->n_leaves - 1), .base1 = 0,
	};
	m->key[h] = v;
	m->slot[h] = (uint32_t)first + 1;
	*out = (uint32_t)first;
	return FL_LPM_OK;
}

/* Beyond this many distinct values under direct entries, shared leaf
 * nodes would scatter over the cache: the entries then hold the value
 * itself, flagged, and lookups take a (less predictable) branch instead. */
#define LEAF_NODES_MAX 4096

/* Points each direct entry that is not a group at its value's leaf node,
 * or stores the flagged value in it; *flagged says which was done. */
static enum fl_lpm_err direct_leaves(struct bld *b, uint32_t *direct, const uint8_t *grouped,
	size_t entries, size_t n, int *flagged)
{
	struct leafmap m;
	size_t cap = 16, distinct = entries < n + 1 ? entries : n + 1;
	if (distinct > LEAF_NODES_MAX + 1)
		distinct = LEAF_NODES_MAX + 1;
	size_t nodes0 = b->n_nodes, leaves0 = b->n_leaves;
	enum fl_lpm_err err = FL_LPM_ENOMEM;
	uint32_t last_node = 0;
	fl_lpm_value last = 0;
	int have_last = 0;

	*flagged = 0;
	while (cap < 2 * distinct)
		cap *= 2;
	m.mask = cap - 1;
	m.key = malloc(cap * sizeof(*m.key));
	m.slot = calloc(cap, sizeof(*m.slot));
	if (!m.key || !m.slot)
		goto out_free;
	err = FL_LPM_OK;
	size_t e = 0;
	for (; e < entries && err == FL_LPM_OK && !*flagged; e++) {
		if (grouped[e])
			continue;
		if (!have_last || direct[e] != last) {
			last = direct[e];
			have_last = 1;
			err = leaf_node(b, &m, last, &last_node);
			*flagged = b->n_nodes - nodes0 > LEAF_NODES_MAX;
		}
		direct[e] = last_node;
	}
	if (*flagged) {
		/* Undo: entries before e point at leaf nodes (their leaves are
		 * still in memory); take the values back and flag every entry. */
		for (size_t i = 0; i < entries; i++) {
			if (grouped[i])
				continue;
			if (i < e)
				direct[i] = b->leaves[b->nodes[direct[i]].base0];
			direct[i] |= FL_LPM_DIRECT_LEAF;
		}
		b->n_nodes = nodes0;
		b->n_leaves = leaves0;
	}
out_free:
	free(m.key);
	free(m.slot);
	return err;
}

#define ALIGN_UP(x, a) (((x) + (a) - 1) / (a) * (a))
#define HUGE_PAGE ((size_t)2 << 20)

/* Copies direct entries, nodes and leaves into one block, direct entries
 * in 16 bits when no entry is flagged and the node count allows. A table
 * of 2 MiB or more gets its own 2 MiB-aligned block with a transparent
 * huge page hint: random lookups over several MiB otherwise spend much of
 * their time on TLB misses. */
static enum fl_lpm_err trie_pack(struct fl_lpm_trie *t, const uint32_t *direct, size_t entries,
	const struct bld *b, int flagged)
{
	int wide = flagged || b->n_nodes > UINT16_MAX + (size_t)1;
	size_t dbytes = entries * (wide ? 4 : 2);
	size_t noff = ALIGN_UP(dbytes, 64), nbytes = b->n_nodes * sizeof(*b->nodes);
	size_t loff = ALIGN_UP(noff + nbytes, 64), total = loff + b->n_leaves * sizeof(*b->leaves);
	size_t align = total >= HUGE_PAGE ? HUGE_PAGE : 64;
	void *mem;

	total = ALIGN_UP(total, align);
	if (posix_memalign(&mem, align, total))
		return FL_LPM_ENOMEM;
#ifdef MADV_HUGEPAGE
	if (align == HUGE_PAGE)
		(void)madvise(mem, total, MADV_HUGEPAGE); /* only a hint */
#endif
	if (wide) {
		memcpy(mem, direct, dbytes);
	} else {
		uint16_t *d16 = mem;
		for (size_t e = 0; e < entries; e++)
			d16[e] = (uint16_t)direct[e];
	}
	if (nbytes)
		memcpy((char *)mem + noff, b->nodes, nbytes);
	memcpy((char *)mem + loff, b->leaves, b->n_leaves * sizeof(*b->leaves));
	t->mem = mem;
	t->direct = mem;
	t->direct_wide = (unsigned)wide;
	t->nodes = (const struct fl_lpm_node *)((char *)mem + noff);
	t->leaves = (const fl_lpm_value *)((char *)mem + loff);
	t->n_nodes = (uint32_t)b->n_nodes;
	t->n_leaves = (uint32_t)b->n_leaves;
	t->bytes = total;
	return FL_LPM_OK;
}

/* One family: the direct array for the top s bits, then the nodes below. */
static enum fl_lpm_err build_trie(struct fl_lpm_trie *t, const struct bkey *k, size_t n,
	unsigned s)
{
	struct bld b = { .k = k };
	size_t entries = (size_t)1 << s, first, groups = 0;
	int flagged;
	uint32_t *direct = malloc(entries * sizeof(*direct));
	uint8_t *grouped = calloc(entries, 1);
	size_t *gstart = malloc((n + 1) * sizeof(*gstart));
	enum fl_lpm_err err = FL_LPM_ENOMEM;

	if (!direct || !gstart || !grouped)
		goto out_free;
	for (size_t e = 0; e < entries; e++)
		direct[e] = FL_LPM_NONE;
	paint(k, 0, n, 0, s, direct);
	/* Group the prefixes longer than s by their direct entry. */
	for (size_t i = 0; i < n; i++) {
		if (k[i].len <= s)
			continue;
		uint32_t e = key_bits(&k[i], 0, s);
		if (!grouped[e])
			gstart[groups++] = i;
		grouped[e] = 1;
	}
	if ((err = direct_leaves(&b, direct, grouped, entries, n, &flagged)) != FL_LPM_OK ||
	    (err = alloc_nodes(&b, groups, &first)) != FL_LPM_OK)
		goto out_free;
	for (size_t g = 0; g < groups; g++) {
		size_t lo = gstart[g], hi = lo + 1;
		uint32_t e = key_bits(&k[lo], 0, s);
		while (hi < n && k[hi].len > s && key_bits(&k[hi], 0, s) == e)
			hi++;
		fl_lpm_value def = direct[e];
		direct[e] = (uint32_t)(first + g);
		if ((err = build_node(&b, first + g, lo, hi, s, def)) != FL_LPM_OK)
			goto out_free;
	}
	if ((err = trie_pack(t, direct, entries, &b, flagged)) != FL_LPM_OK)
		goto out_free;
	t->direct_bits = s;
	t->n_prefixes = n;
out_free:
	free(b.nodes);
	free(b.leaves);
	free(gstart);
	free(grouped);
	free(direct);
	return err;
}

static int bkey_cmp(const void *a, const void *b)
{
	const struct bkey *x = a, *y = b;
	if (x->hi != y->hi)
		return x->hi < y->hi ? -1 : 1;
	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static uint64_t load_be64(const uint8_t *p)
{
	uint64_t x = 0;
	for (int i = 0; i < 8; i++)
		x = (x << 8) | p[i];
	return x;
}

/* Checks one prefix and turns it into a key; width is 32 or 128. */
static enum fl_lpm_err make_key(const struct fl_lpm_prefix *p, size_t idx, struct bkey *k)
{
	unsigned width = p->family == 4 ? 32 : 128;
	if (p->family != 4 && p->family != 6)
		return FL_LPM_EFAMILY;
	if (p->len > width)
		return FL_LPM_ELEN;
	if (p->value > FL_LPM_VALUE_MAX)
		return FL_LPM_EVALUE;
	if (p->family == 4) {
		k->hi = (uint64_t)((uint32_t)p->addr[0] << 24 | (uint32_t)p->addr[1] << 16 |
			(uint32_t)p->addr[2] << 8 | p->addr[3]) << 32;
		k->lo = 0;
	} else {
		k->hi = load_be64(p->addr);
		k->lo = load_be64(p->addr + 8);
	}
	/* Host bits: everything after len in the 128-bit key must be zero. */
	uint64_t mhi = p->len >= 64 ? ~UINT64_C(0) : p->len ? ~UINT64_C(0) << (64 - p->len) : 0;
	uint64_t mlo = p->len <= 64 ? 0 : p->len >= 128 ? ~UINT64_C(0) : ~UINT64_C(0) << (128 - p->len);
	if ((k->hi & ~mhi) || (k->lo & ~mlo))
		return FL_LPM_EHOSTBITS;
	k->value = p->value;
	k->idx = (uint32_t)idx;
	k->len = p->len;
	return FL_LPM_OK;
}

/* Sorts one family's keys and drops all but the last of equal prefixes;
 * returns the new count. */
static size_t sort_dedup(struct bkey *k, size_t n, const struct fl_lpm_build_opts *o)
{
	size_t w = 0;
	qsort(k, n, sizeof(*k), bkey_cmp);
	for (size_t i = 0; i < n; i++) {
		if (w > 0 && k[w - 1].hi == k[i].hi && k[w - 1].lo == k[i].lo &&
		    k[w - 1].len == k[i].len) {
			if (o && o->on_duplicate)
				o->on_duplicate(o->ctx, k[i].idx, k[w - 1].idx);
			k[w - 1] = k[i];
			continue;
		}
		k[w++] = k[i];
	}
	return w;
}

static unsigned auto_bits(unsigned want, size_t n, int v6)
{
	if (want >= 1 && want <= 24)
		return want;
	if (n < 64)
		return 8;
	if (v6 || n < 2048)
		return 16;
	return 18;
}

enum fl_lpm_err fl_lpm_build(const struct fl_lpm_prefix *p, size_t n,
	const struct fl_lpm_build_opts *opts, struct fl_lpm **out)
{
	enum fl_lpm_err err = FL_LPM_ENOMEM;
	struct bkey *k4 = NULL, *k6 = NULL;
	size_t n4 = 0, n6 = 0;
	struct fl_lpm *t = NULL;

	*out = NULL;
	if (n >= UINT32_MAX)
		return FL_LPM_ETOOBIG;
	k4 = malloc((n + 1) * sizeof(*k4));
	k6 = malloc((n + 1) * sizeof(*k6));
	t = calloc(1, sizeof(*t));
	if (!k4 || !k6 || !t)
		goto out_free;
	for (size_t i = 0; i < n; i++) {
		struct bkey *k = p[i].family == 4 ? &k4[n4++] : &k6[n6++];
		if ((err = make_key(&p[i], i, k)) != FL_LPM_OK)
			goto out_free;
	}
	n4 = sort_dedup(k4, n4, opts);
	n6 = sort_dedup(k6, n6, opts);
	err = build_trie(&t->v4, k4, n4, auto_bits(opts ? opts->direct_bits4 : 0, n4, 0));
	if (err == FL_LPM_OK)
		err = build_trie(&t->v6, k6, n6, auto_bits(opts ? opts->direct_bits6 : 0, n6, 1));
	if (err != FL_LPM_OK)
		goto out_free;
	free(k4);
	free(k6);
	*out = t;
	return FL_LPM_OK;
out_free:
	fl_lpm_free(t);
	free(k4);
	free(k6);
	return err;
}

static void trie_free(struct fl_lpm_trie *r)
{
	free(r->mem);
}

void fl_lpm_free(const struct fl_lpm *t)
{
	if (!t)
		return;
	struct fl_lpm *m = (struct fl_lpm *)t; /* we own it: built here */
	trie_free(&m->v4);
	trie_free(&m->v6);
	free(m);
}

static size_t trie_bytes(const struct fl_lpm_trie *r)
{
	return r->bytes;
}

size_t fl_lpm_bytes(const struct fl_lpm *t)
{
	return sizeof(*t) + trie_bytes(&t->v4) + trie_bytes(&t->v6);
}

const char *fl_lpm_strerror(enum fl_lpm_err err)
{
	switch (err) {
	case FL_LPM_OK: return "success";
	case FL_LPM_EFAMILY: return "address family is not IPv4 or IPv6";
	case FL_LPM_ELEN: return "prefix length longer than the address";
	case FL_LPM_EHOSTBITS: return "host bits set after the prefix length";
	case FL_LPM_EVALUE: return "value too large";
	case FL_LPM_ENOMEM: return "out of memory";
	case FL_LPM_ETOOBIG: return "table too large";
	}
	return "unknown error";
}
