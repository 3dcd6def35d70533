/* SPDX-License-Identifier: MIT */
/*
 * onebit.c: insertion into the one-bit reference trie (onebit.h).
 */
#include "onebit.h"

#include <stdlib.h>

static int onebit_new(struct onebit *t, uint32_t *out)
{
	if (t->count == t->cap) {
		size_t ncap = t->cap ? t->cap * 2 : 1024;
		struct onebit_node *nn = realloc(t->n, ncap * sizeof(*nn));
		if (!nn)
			return -1;
		t->n = nn;
		t->cap = ncap;
	}
	t->n[t->count] = (struct onebit_node){ .value = FL_LPM_NONE };
	*out = (uint32_t)t->count++;
	return 0;
}

int onebit_insert(struct onebit *t, const uint8_t *addr, unsigned len, fl_lpm_value value)
{
	uint32_t i, c;
	if (t->count == 0 && onebit_new(t, &i))
		return -1;
	i = 0;
	for (unsigned d = 0; d < len; d++) {
		unsigned b = (addr[d >> 3] >> (7 - (d & 7))) & 1;
		if (!t->n[i].child[b]) {
			if (onebit_new(t, &c))
				return -1;
			t->n[i].child[b] = c;
		}
		i = t->n[i].child[b];
	}
	t->n[i].value = value;
	return 0;
}

void onebit_free(struct onebit *t)
{
	free(t->n);
	*t = (struct onebit){ 0 };
}

size_t onebit_bytes(const struct onebit *t)
{
	return t->count * sizeof(*t->n);
}
