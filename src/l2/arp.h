/* SPDX-License-Identifier: MIT */
/*
 * arp.h: ARP (RFC 826) for IPv4 over Ethernet on the TAP router's LAN
 * side: parse and build ARP frames, answer requests for our addresses,
 * resolve next hops through the neighbour cache (neigh.h) with a few
 * packets held per pending address, and gratuitous ARP (RFC 5227
 * announcements) when an address comes up.
 *
 * Limits against a hostile LAN: senders are learned only inside our own
 * on-link prefixes and only into free room (the table is sized to the
 * subnet); a reply nobody asked for does not move a fresh entry; a frame
 * whose Ethernet source differs from its ARP sender is dropped; every
 * dropped frame is counted by reason.
 *
 * Pure: no I/O, time passed in. One owner thread. Callers: the TAP router
 * (next), tests/l2/test_arp.c, fuzz/l2/fuzz_arp.c.
 */
#ifndef FL_L2_ARP_H
#define FL_L2_ARP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2/l2_act.h"
#include "l2/l2_eth.h"
#include "l2/neigh.h"
#include "wire/fl_time.h"

#define FL_ARP_LEN 28u		/* the ARP body for Ethernet/IPv4 */
#define FL_ARP_FRAME 42u	/* 14 + 28, what the builders write */
#define FL_ARP_FRAME_PAD 60u	/* Ethernet's minimum frame: padding allowed up to it */
#define FL_ARP_REQUEST 1u
#define FL_ARP_REPLY 2u
#define FL_ARP_OWN_MAX 8u	/* our addresses on one interface */

enum fl_arp_err {
	FL_ARP_OK = 0,
	FL_ARP_SHORT,		/* under 42 bytes */
	FL_ARP_TRAILING,	/* more than Ethernet padding after the body */
	FL_ARP_NOT_ARP,		/* ethertype not 0x0806 */
	FL_ARP_BAD_FORMAT,	/* not Ethernet (1) / IPv4 (0x0800) / 6 / 4 */
	FL_ARP_BAD_OP,		/* neither request nor reply */
	FL_ARP_MAC_MISMATCH,	/* Ethernet source is not the ARP sender */
	FL_ARP_BAD_SENDER,	/* sender MAC group/zero, or sender IP not a host */
	FL_ARP_ERR_MAX
};

struct fl_arp_msg {
	uint8_t eth_dst[FL_ETH_ALEN], eth_src[FL_ETH_ALEN];
	uint16_t op;
	uint8_t sha[FL_ETH_ALEN], spa[4];
	uint8_t tha[FL_ETH_ALEN], tpa[4];
};

/* Parse an ARP frame (Ethernet header included). out is cleared first. */
enum fl_arp_err fl_arp_parse(const uint8_t *frame, size_t len, struct fl_arp_msg *out);
const char *fl_arp_strerror(enum fl_arp_err e);

/* Write m as a 42-byte frame. */
void fl_arp_build(const struct fl_arp_msg *m, uint8_t out[static FL_ARP_FRAME]);

/* Gratuitous ARP for ip at mac: a broadcast request with sender and target
 * both ip (RFC 5227 §2.3's announcement), so neighbours update caches. */
void fl_arp_gratuitous(const uint8_t mac[static FL_ETH_ALEN], const uint8_t ip[static 4],
		       uint8_t out[static FL_ARP_FRAME]);

struct fl_arp_own {
	uint8_t ip[4];
	uint8_t plen;		/* on-link prefix length, 0..32 */
	uint8_t mac[FL_ETH_ALEN];
};

struct fl_arp_stats {
	uint64_t bad[FL_ARP_ERR_MAX];	/* frames dropped by parse error */
	uint64_t requests_answered;
	uint64_t not_for_us;		/* requests for other hosts (hints only) */
	uint64_t off_subnet;		/* senders outside our prefixes: not learned */
	uint64_t conflicts;		/* another MAC claimed one of our addresses */
	uint64_t own_looped;		/* our own frames seen again */
};

struct fl_arp {
	struct fl_neigh cache;
	struct fl_arp_own own[FL_ARP_OWN_MAX];
	size_t nown;
	struct fl_arp_stats st;
};

/* cfg: see neigh.h (cfg->max is the subnet's size). false on bad cfg or
 * allocation failure. */
bool fl_arp_init(struct fl_arp *a, const struct fl_neigh_cfg *cfg, uint64_t seed);
void fl_arp_free(struct fl_arp *a, const struct fl_l2_sink *sink);

/* Our address ip/plen at mac. false if full or ip already ours. The
 * caller announces it with fl_arp_gratuitous. */
bool fl_arp_own_add(struct fl_arp *a, const uint8_t ip[static 4], unsigned plen,
		    const uint8_t mac[static FL_ETH_ALEN]);
bool fl_arp_own_del(struct fl_arp *a, const uint8_t ip[static 4]);
/* Is ip one of ours? */
const struct fl_arp_own *fl_arp_own_find(const struct fl_arp *a, const uint8_t ip[static 4]);

/* A frame with ethertype 0x0806 arrived at now: answer, learn, release
 * held packets, all through sink. Returns why it was dropped, if it was. */
enum fl_arp_err fl_arp_input(struct fl_arp *a, const uint8_t *frame, size_t len, fl_time_t now,
			     const struct fl_l2_sink *sink);

/* The MAC for next hop ip (see fl_neigh_resolve: pkt is taken only on
 * FL_NEIGH_QUEUED; on NEGATIVE or FULL the caller drops it and may send
 * ICMP host unreachable). Limited broadcast resolves to ff:..:ff. */
enum fl_neigh_res fl_arp_resolve(struct fl_arp *a, const uint8_t ip[static 4], void *pkt,
				 fl_time_t now, const struct fl_l2_sink *sink,
				 uint8_t mac_out[static FL_ETH_ALEN]);

/* Timers: retries, ageing, negative expiry. */
void fl_arp_tick(struct fl_arp *a, fl_time_t now, const struct fl_l2_sink *sink);

#endif
