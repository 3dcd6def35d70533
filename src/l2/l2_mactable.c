/* SPDX-License-Identifier: MIT */
/*
 * l2_mactable.c: learned MAC addresses with expiry (see l2_mactable.h).
 * Open addressing with linear probing at a load of at most one half, and
 * backward-shift deletion, so lookups never walk tombstones.
 */
#include "l2/l2_mactable.h"

#include <stdlib.h>
#include <string.h>

static size_t mt_hash(const struct fl_mactable *t, const uint8_t mac[static FL_ETH_ALEN])
{
	uint64_t k = 0;

	memcpy(&k, mac, FL_ETH_ALEN);
	/* A keyed 64-bit finaliser (splitmix64's constants): without the
	 * seed, a host on the LAN cannot aim its addresses at one chain. */
	k ^= t->seed;
	k = (k ^ (k >> 30)) * 0xbf58476d1ce4e5b9ull;
	k = (k ^ (k >> 27)) * 0x94d049bb133111ebull;
	k ^= k >> 31;
	return (size_t)k & (t->cap - 1);
}

bool fl_mactable_init(struct fl_mactable *t, size_t max, uint64_t seed)
{
	size_t cap = 16;

	memset(t, 0, sizeof(*t));
	if (max < 1 || max > SIZE_MAX / 4 / sizeof(*t->slot))
		return false;
	while (cap < 2 * max)
		cap *= 2;
	t->slot = calloc(cap, sizeof(*t->slot));
	if (!t->slot)
		return false;
	t->cap = cap;
	t->max = max;
	t->seed = seed;
	return true;
}

void fl_mactable_free(struct fl_mactable *t)
{
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* The slot holding mac, or the empty slot where it would go. */
static size_t mt_find(const struct fl_mactable *t, const uint8_t mac[static FL_ETH_ALEN])
{
	size_t i = mt_hash(t, mac);

	while (t->slot[i].used && memcmp(t->slot[i].mac, mac, FL_ETH_ALEN))
		i = (i + 1) & (t->cap - 1);
	return i;
}

enum fl_mac_learn fl_mactable_learn(struct fl_mactable *t, const uint8_t mac[static FL_ETH_ALEN],
				    uint64_t now, uint64_t ttl)
{
	size_t i;

	if (fl_eth_is_group(mac) || fl_eth_is_zero(mac)) {
		t->refused_bad++;
		return FL_MAC_BAD;
	}
	i = mt_find(t, mac);
	if (t->slot[i].used) {
		t->slot[i].expires = now + ttl;
		return FL_MAC_REFRESHED;
	}
	if (t->n >= t->max) {
		t->refused_full++;
		return FL_MAC_FULL;
	}
	memcpy(t->slot[i].mac, mac, FL_ETH_ALEN);
	t->slot[i].used = true;
	t->slot[i].expires = now + ttl;
	t->n++;
	return FL_MAC_NEW;
}

bool fl_mactable_has(const struct fl_mactable *t, const uint8_t mac[static FL_ETH_ALEN])
{
	return t->slot && t->slot[mt_find(t, mac)].used;
}

/* Empty slot i and pull later members of its probe run back into the
 * gap, so every entry stays reachable from its home slot. */
static void mt_remove_at(struct fl_mactable *t, size_t i)
{
	size_t mask = t->cap - 1, j = i;

	t->slot[i].used = false;
	for (;;) {
		j = (j + 1) & mask;
		if (!t->slot[j].used)
			break;
		size_t home = mt_hash(t, t->slot[j].mac);
		/* Move j to i unless its home lies cyclically in (i, j]. */
		bool stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
		if (stays)
			continue;
		t->slot[i] = t->slot[j];
		t->slot[j].used = false;
		i = j;
	}
	t->n--;
}

bool fl_mactable_forget(struct fl_mactable *t, const uint8_t mac[static FL_ETH_ALEN])
{
	size_t i;

	if (!t->slot)
		return false;
	i = mt_find(t, mac);
	if (!t->slot[i].used)
		return false;
	mt_remove_at(t, i);
	return true;
}

size_t fl_mactable_expire(struct fl_mactable *t, uint64_t now, uint8_t (*out)[FL_ETH_ALEN],
			  size_t n)
{
	size_t got = 0;

	for (size_t i = 0; i < t->cap && got < n; i++) {
		/* A removal may shift a later entry into slot i: look again. */
		while (got < n && t->slot[i].used && t->slot[i].expires < now) {
			memcpy(out[got++], t->slot[i].mac, FL_ETH_ALEN);
			mt_remove_at(t, i);
		}
	}
	return got;
}
