/* SPDX-License-Identifier: MIT */
/*
 * onebit.h: a plain one-bit binary trie, the reference the benchmark and
 * the tests compare src/lpm against. Deliberately naive.
 */
#ifndef FL_BENCH_ONEBIT_H
#define FL_BENCH_ONEBIT_H

#include <stddef.h>
#include <stdint.h>

#include "lpm/lpm.h"

struct onebit_node {
	uint32_t child[2]; /* 0 = none (node 0 is the root) */
	fl_lpm_value value;
};

struct onebit {
	struct onebit_node *n;
	size_t count, cap;
};

/* Returns 0, or -1 when out of memory. A later equal prefix overwrites. */
int onebit_insert(struct onebit *t, const uint8_t *addr, unsigned len, fl_lpm_value value);
void onebit_free(struct onebit *t);
size_t onebit_bytes(const struct onebit *t);

/* Looks up a key of `width` bits (32 or 128) given in network order. */
static inline fl_lpm_value onebit_lookup(const struct onebit *t, const uint8_t *addr,
	unsigned width)
{
	fl_lpm_value best = FL_LPM_NONE;
	uint32_t i = 0;
	if (!t->count)
		return best;
	for (unsigned d = 0;; d++) {
		if (t->n[i].value != FL_LPM_NONE)
			best = t->n[i].value;
		if (d == width)
			return best;
		i = t->n[i].child[(addr[d >> 3] >> (7 - (d & 7))) & 1];
		if (!i)
			return best;
	}
}

static inline fl_lpm_value onebit_lookup4(const struct onebit *t, uint32_t a)
{
	fl_lpm_value best = FL_LPM_NONE;
	uint32_t i = 0;
	if (!t->count)
		return best;
	for (unsigned d = 0;; d++) {
		if (t->n[i].value != FL_LPM_NONE)
			best = t->n[i].value;
		if (d == 32)
			return best;
		i = t->n[i].child[(a >> (31 - d)) & 1];
		if (!i)
			return best;
	}
}

#endif
