/* SPDX-License-Identifier: MIT */
/*
 * l2_mactable.h: the MAC addresses switch mode has learned on its own
 * device (tinc's learned MAC subnets), each with the time it expires
 * (MACExpire after the last frame from it). Bounded: a LAN that shows more
 * source addresses than the table holds gets the surplus counted, not
 * learned, so a flood of random source MACs cannot grow the daemon or the
 * mesh's subnet tables without limit.
 *
 * Pure: time (any monotonic unit; the daemon passes milliseconds) and the
 * hash seed are passed in; no I/O, no globals. One owner (the control
 * thread). Callers: src/daemon/fld_switch.c, tests/l2.
 */
#ifndef FL_L2_MACTABLE_H
#define FL_L2_MACTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2/l2_eth.h"

/* Default bound on learned addresses (fenliu's, not a tinc setting). */
#define FL_MACTABLE_DEFAULT_MAX 4096u

struct fl_mac_slot {
	uint8_t mac[FL_ETH_ALEN];
	bool used;
	uint64_t expires;
};

struct fl_mactable {
	struct fl_mac_slot *slot;
	size_t cap;		/* power of two, at least 2 * max */
	size_t max, n;
	uint64_t seed;
	uint64_t refused_full;	/* new addresses not learned: table full */
	uint64_t refused_bad;	/* group or all-zero source addresses */
};

enum fl_mac_learn {
	FL_MAC_NEW,		/* learned now: announce it */
	FL_MAC_REFRESHED,	/* known: its expiry moved */
	FL_MAC_FULL,		/* not learned: the table is full */
	FL_MAC_BAD,		/* not learned: group or all-zero address */
};

/* max addresses (>= 1); seed keys the hash (pass random bytes, so a LAN
 * host cannot pick colliding addresses). false on allocation failure. */
bool fl_mactable_init(struct fl_mactable *t, size_t max, uint64_t seed);
void fl_mactable_free(struct fl_mactable *t);

/* A frame from mac was seen at now: learn it or move its expiry to
 * now + ttl. */
enum fl_mac_learn fl_mactable_learn(struct fl_mactable *t, const uint8_t mac[static FL_ETH_ALEN],
				    uint64_t now, uint64_t ttl);

/* Is mac learned (expired or not)? */
bool fl_mactable_has(const struct fl_mactable *t, const uint8_t mac[static FL_ETH_ALEN]);

/* Forget mac; false if it was not learned. */
bool fl_mactable_forget(struct fl_mactable *t, const uint8_t mac[static FL_ETH_ALEN]);

/* Remove up to n entries whose expiry is before now, copying their
 * addresses to out. Returns how many; call again while it returns n. */
size_t fl_mactable_expire(struct fl_mactable *t, uint64_t now, uint8_t (*out)[FL_ETH_ALEN],
			  size_t n);

#endif
