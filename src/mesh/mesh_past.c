/* SPDX-License-Identifier: MIT */
/*
 * mesh_past.c: duplicate suppression of flooded requests (META.md §6): a
 * set of recently seen lines (exact text) with their arrival time, aged by
 * mesh_tick(). A chained hash set keyed by FNV-1a of the text.
 */
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh_internal.h"

static uint64_t fnv1a(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static bool grow(struct mesh_past *p)
{
	size_t nb = p->nbuckets ? p->nbuckets * 2 : 256;
	struct mesh_past_entry **b = calloc(nb, sizeof(*b));

	if (!b)
		return false;
	for (size_t i = 0; i < p->nbuckets; i++) {
		struct mesh_past_entry *e = p->bucket[i], *next;
		for (; e; e = next) {
			size_t j = fnv1a(e->line, e->len) & (nb - 1);
			next = e->next;
			e->next = b[j];
			b[j] = e;
		}
	}
	free(p->bucket);
	p->bucket = b;
	p->nbuckets = nb;
	return true;
}

/* True if line was seen already; otherwise remember it (at `now`). If memory
 * runs out the line is treated as new and not remembered. */
bool mesh_past_seen(struct mesh_past *p, const char *line, size_t len,
		    fl_time_t now)
{
	struct mesh_past_entry *e;
	size_t i;

	if (p->nbuckets) {
		i = fnv1a(line, len) & (p->nbuckets - 1);
		for (e = p->bucket[i]; e; e = e->next)
			if (e->len == len && !memcmp(e->line, line, len))
				return true;
	}
	if ((p->count + 1) * 2 > p->nbuckets && !grow(p))
		return false;
	e = malloc(sizeof(*e) + len + 1);
	if (!e)
		return false;
	e->seen = now;
	e->len = len;
	memcpy(e->line, line, len);
	e->line[len] = '\0';
	i = fnv1a(line, len) & (p->nbuckets - 1);
	e->next = p->bucket[i];
	p->bucket[i] = e;
	p->count++;
	return false;
}

/* Drop entries that arrived before older_than (ms). */
void mesh_past_age(struct mesh_past *p, fl_time_t older_than)
{
	for (size_t i = 0; i < p->nbuckets; i++) {
		struct mesh_past_entry **pe = &p->bucket[i];
		while (*pe) {
			struct mesh_past_entry *e = *pe;
			if (e->seen < older_than) {
				*pe = e->next;
				free(e);
				p->count--;
			} else {
				pe = &e->next;
			}
		}
	}
}

void mesh_past_free(struct mesh_past *p)
{
	mesh_past_age(p, INT64_MAX);
	free(p->bucket);
	memset(p, 0, sizeof(*p));
}
