/* SPDX-License-Identifier: MIT */
/*
 * neigh.h: the neighbour cache shared by ARP (arp.c) and NDP (ndp.c):
 * which MAC answers for an on-link IP address, in the states of RFC 4861
 * §7.3.2 reduced to what a router on one LAN needs:
 *
 *   INCOMPLETE  asked, no answer yet; holds a few packets for it
 *   REACHABLE   answered within `reachable`: fresh, trusted
 *   STALE       not confirmed lately; still used, and the first use asks
 *               again (PROBE, unicast to the known MAC)
 *   PROBE       re-asking; removed if every retry goes unanswered
 *   FAILED      nobody answered: packets for it are refused until
 *               `negative` has passed (negative caching)
 *
 * Bounded: at most cfg.max entries (the subnet's size). Entries learned
 * from other hosts' requests only take free room, never a live entry's,
 * so a flood of bogus senders leaves resolved next hops in place. Nothing
 * we did not ask for (an answer, an NA, a request's sender) moves a
 * REACHABLE or STALE entry to another MAC, nor does an answer from another
 * MAC than the one a PROBE asked (spoofing limit); a host that really
 * moved is found again by broadcast once the probe of its old MAC fails.
 *
 * Pure: time is passed in (fl_time_t), the hash seed too; no I/O. One
 * owner thread. Solicitations are built by the owner through the solicit
 * callback; everything else goes to the caller's sink (l2_act.h).
 */
#ifndef FL_L2_NEIGH_H
#define FL_L2_NEIGH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2/l2_act.h"
#include "wire/fl_time.h"

#define FL_NEIGH_QMAX 4u	/* packets held per unresolved entry, at most */
#define FL_NEIGH_ALEN 16u	/* key bytes: an IPv6 address, or IPv4 and zeros */

enum fl_neigh_state {
	FL_NEIGH_INCOMPLETE = 1,
	FL_NEIGH_REACHABLE,
	FL_NEIGH_STALE,
	FL_NEIGH_PROBE,
	FL_NEIGH_FAILED,
};

struct fl_neigh_cfg {
	size_t max;		/* entries, >= 1: the on-link subnet's size */
	unsigned queue_len;	/* packets held while resolving, 1..FL_NEIGH_QMAX */
	unsigned retries;	/* solicitations before giving up, >= 1 */
	fl_time_t retrans;	/* between two solicitations */
	fl_time_t reachable;	/* an answer keeps an entry fresh this long */
	fl_time_t stale;	/* then it is kept unconfirmed this long */
	fl_time_t negative;	/* a failed resolution is remembered this long */
};

struct fl_neigh_entry {
	uint8_t addr[FL_NEIGH_ALEN];
	uint8_t mac[FL_ETH_ALEN];
	uint8_t state;		/* enum fl_neigh_state; 0: free slot */
	uint8_t tries;		/* solicitations sent in this INCOMPLETE/PROBE */
	uint8_t nq;
	fl_time_t due;		/* when this state's timer fires */
	void *q[FL_NEIGH_QMAX];	/* oldest first; owned by the cache */
};

struct fl_neigh_stats {
	uint64_t solicits;	/* solicitations asked of the owner */
	uint64_t resolved;	/* INCOMPLETE/PROBE answered */
	uint64_t learned;	/* entries created from others' requests */
	uint64_t failed;	/* resolutions given up */
	uint64_t expired;	/* entries removed by age */
	uint64_t evicted;	/* STALE/FAILED entries reused for a new resolution */
	uint64_t queue_dropped;	/* packets pushed out of a full pending queue */
	uint64_t unresolved_dropped; /* packets dropped when resolution failed */
	uint64_t negative_hits;	/* packets refused by a FAILED entry */
	uint64_t full_refused;	/* new entries refused: table full of live ones */
	uint64_t spoof_refused;	/* unasked answers refused on a known entry */
	uint64_t unsolicited;	/* answers for addresses not in the table: ignored */
};

/* Sends a solicitation for addr: mac NULL means "broadcast/multicast",
 * else unicast to mac (a refresh). Provided by arp.c or ndp.c. */
typedef void fl_neigh_solicit_fn(void *owner, const uint8_t addr[static FL_NEIGH_ALEN],
				 const uint8_t *mac, const struct fl_l2_sink *sink);

struct fl_neigh {
	struct fl_neigh_entry *slot;
	size_t cap;		/* power of two, >= 2 * cfg.max */
	size_t n;
	uint64_t seed;
	fl_time_t next_due;	/* no timer fires before this */
	struct fl_neigh_cfg cfg;
	fl_neigh_solicit_fn *solicit;
	void *owner;
	struct fl_neigh_stats st;
};

/* How an address and MAC reached us (fl_neigh_update). */
enum fl_neigh_how {
	FL_NEIGH_ANSWER,	/* ARP reply, or NA with the solicited flag */
	FL_NEIGH_UNSOLICITED,	/* NA without the solicited flag */
	FL_NEIGH_LEARN,		/* sender of a request aimed at us: create if room */
	FL_NEIGH_HINT,		/* sender of a request for someone else: update only */
};

enum fl_neigh_res {
	FL_NEIGH_HIT,		/* *mac_out set; the packet was not taken */
	FL_NEIGH_QUEUED,	/* the packet was taken and is held */
	FL_NEIGH_NEGATIVE,	/* known unreachable: not taken, drop it */
	FL_NEIGH_FULL,		/* no room to resolve: not taken, drop it */
	FL_NEIGH_CHANGED,	/* update: entry created or changed */
	FL_NEIGH_CONFIRMED,	/* update: same MAC, kept */
	FL_NEIGH_REFUSED,	/* update: refused (fresh entry, or no room) */
	FL_NEIGH_IGNORED,	/* update: nothing to do (not in the table) */
};

/* Defaults (fenliu's, after Linux and RFC 4861): 3 packets, 3 tries 1 s
 * apart, 30 s fresh, 60 s stale, 20 s negative. */
void fl_neigh_cfg_default(struct fl_neigh_cfg *cfg, size_t max);

/* false on a bad cfg or allocation failure. */
bool fl_neigh_init(struct fl_neigh *t, const struct fl_neigh_cfg *cfg, uint64_t seed,
		   fl_neigh_solicit_fn *solicit, void *owner);
/* Drops every held packet to sink (may be NULL only if none is held). */
void fl_neigh_free(struct fl_neigh *t, const struct fl_l2_sink *sink);

/* Next hop addr for pkt at now. Takes pkt only on FL_NEIGH_QUEUED. */
enum fl_neigh_res fl_neigh_resolve(struct fl_neigh *t, const uint8_t addr[static FL_NEIGH_ALEN],
				   void *pkt, fl_time_t now, const struct fl_l2_sink *sink,
				   uint8_t mac_out[static FL_ETH_ALEN]);

/* addr was seen at mac (see enum fl_neigh_how). */
enum fl_neigh_res fl_neigh_update(struct fl_neigh *t, const uint8_t addr[static FL_NEIGH_ALEN],
				  const uint8_t mac[static FL_ETH_ALEN], enum fl_neigh_how how,
				  fl_time_t now, const struct fl_l2_sink *sink);

/* Run the timers due at now: retries, ageing, negative expiry. Cheap when
 * nothing is due; walks the table at most every 100 ms, so a timer may
 * fire that much late. */
void fl_neigh_tick(struct fl_neigh *t, fl_time_t now, const struct fl_l2_sink *sink);

/* The entry for addr, or NULL. Borrowed until the next call that changes t. */
const struct fl_neigh_entry *fl_neigh_lookup(const struct fl_neigh *t,
					     const uint8_t addr[static FL_NEIGH_ALEN]);

/* Remove addr, dropping its held packets; false if absent. */
bool fl_neigh_forget(struct fl_neigh *t, const uint8_t addr[static FL_NEIGH_ALEN],
		     const struct fl_l2_sink *sink);

const char *fl_neigh_state_name(enum fl_neigh_state s);

#endif
