/* SPDX-License-Identifier: MIT */
/*
 * ndp.h: IPv6 Neighbor Discovery (RFC 4861) on the TAP router's LAN side:
 * Neighbor Solicitation/Advertisement parse and build (with the ICMPv6
 * checksum), answers for our addresses, next-hop resolution through the
 * neighbour cache (neigh.h, the same states and limits as ARP), Duplicate
 * Address Detection for our own addresses (RFC 4862 §5.4: tentative, then
 * preferred if nobody objects, then an unsolicited NA to all nodes, or
 * duplicate), Router Solicitations, and Router Advertisement parsing of
 * the prefix information SLAAC (slaac.h) needs.
 *
 * Every received message is validated as RFC 4861 §7.1 and §6.1.2 ask
 * (hop limit 255, checksum, code 0, lengths, options) and dropped and
 * counted by reason otherwise.
 *
 * Pure: no I/O, time passed in. One owner thread. Callers: the TAP router
 * (next), tests/l2/test_ndp.c, fuzz/l2/fuzz_ndp.c.
 */
#ifndef FL_L2_NDP_H
#define FL_L2_NDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2/l2_act.h"
#include "l2/l2_eth.h"
#include "l2/neigh.h"
#include "wire/fl_time.h"

#define FL_NDP_RS 133u
#define FL_NDP_RA 134u
#define FL_NDP_NS 135u
#define FL_NDP_NA 136u
#define FL_NDP_FRAME 86u	/* NS or NA with one link-layer option: 14 + 40 + 24 + 8 */
#define FL_NDP_RS_FRAME 62u	/* RS from :: without options: 14 + 40 + 8 */
#define FL_NDP_PREFIX_MAX 4u	/* prefix options kept from one RA */
#define FL_NDP_OWN_MAX 8u

enum fl_ndp_err {
	FL_NDP_OK = 0,
	FL_NDP_SHORT,		/* under an IPv6 header, or payload cut short */
	FL_NDP_TRAILING,	/* bytes after the IPv6 payload */
	FL_NDP_NOT_IPV6,	/* ethertype or version */
	FL_NDP_NOT_NDP,		/* not ICMPv6 (or behind extension headers), or another type */
	FL_NDP_HOP_LIMIT,	/* not 255: it crossed a router */
	FL_NDP_BAD_CSUM,
	FL_NDP_BAD_CODE,
	FL_NDP_BAD_LENGTH,	/* ICMPv6 length under the type's minimum */
	FL_NDP_BAD_OPTION,	/* an option of length 0, or one running past the end */
	FL_NDP_BAD_TARGET,	/* multicast target */
	FL_NDP_BAD_SOURCE,	/* NS from :: not to a solicited-node group or with an
				 * address option; RA not from a link-local address */
	FL_NDP_BAD_FLAGS,	/* NA to a multicast group with the solicited flag */
	FL_NDP_ERR_MAX
};

struct fl_ndp_prefix {
	uint8_t prefix[16];
	uint8_t plen;
	bool onlink, autonomous;
	uint32_t valid, preferred;	/* seconds; 0xffffffff is infinity */
};

struct fl_ndp_msg {
	uint8_t eth_dst[FL_ETH_ALEN], eth_src[FL_ETH_ALEN];
	uint8_t src[16], dst[16];
	uint8_t type;
	uint8_t target[16];		/* NS, NA */
	bool router, solicited, override; /* NA flags */
	bool has_lla;			/* NS/RA source, NA target link-layer option */
	uint8_t lla[FL_ETH_ALEN];
	/* RA only. */
	uint8_t cur_hop_limit;
	bool managed, other;
	uint16_t router_lifetime;	/* seconds */
	uint32_t reachable_ms, retrans_ms, mtu;	/* mtu 0: no MTU option */
	struct fl_ndp_prefix prefix[FL_NDP_PREFIX_MAX];
	size_t nprefix, prefixes_skipped;
};

/* Parse an NS, NA or RA frame (Ethernet header included). out is cleared
 * first. Other ICMPv6 types give FL_NDP_NOT_NDP. */
enum fl_ndp_err fl_ndp_parse(const uint8_t *frame, size_t len, struct fl_ndp_msg *out);
const char *fl_ndp_strerror(enum fl_ndp_err e);

/* ff02::1:ffXX:XXXX for addr (RFC 4291 §2.7.1) and the MAC of any IPv6
 * multicast group, 33:33 and its last 32 bits (RFC 2464 §7). */
void fl_ndp_solicited_node(const uint8_t addr[static 16], uint8_t out[static 16]);
void fl_ndp_mcast_mac(const uint8_t group[static 16], uint8_t mac[static FL_ETH_ALEN]);

/* An NS for target from src (:: for DAD: then no address option) at mac;
 * to the solicited-node group, or to dst_mac/target when dst_mac is
 * given (a unicast refresh). Writes FL_NDP_FRAME bytes, or 78 without the
 * option; returns the length. */
size_t fl_ndp_build_ns(const uint8_t mac[static FL_ETH_ALEN], const uint8_t src[static 16],
		       const uint8_t target[static 16], const uint8_t *dst_mac,
		       uint8_t out[static FL_NDP_FRAME]);

/* An NA for target (ours, at mac) to dst/dst_mac with the router flag and
 * the given solicited/override flags. Writes FL_NDP_FRAME bytes. */
size_t fl_ndp_build_na(const uint8_t mac[static FL_ETH_ALEN], const uint8_t target[static 16],
		       const uint8_t dst[static 16], const uint8_t dst_mac[static FL_ETH_ALEN],
		       bool solicited, bool override, uint8_t out[static FL_NDP_FRAME]);

/* A Router Solicitation from :: to ff02::2 (RFC 4861 §6.3.7), at mac.
 * Writes and returns FL_NDP_RS_FRAME bytes. */
size_t fl_ndp_build_rs(const uint8_t mac[static FL_ETH_ALEN], uint8_t out[static FL_NDP_RS_FRAME]);

enum fl_ndp_own_state {
	FL_NDP_TENTATIVE = 1,	/* DAD running: not used, not answered for */
	FL_NDP_PREFERRED,
	FL_NDP_DUPLICATE,	/* DAD found it in use: never used */
};

struct fl_ndp_own {
	uint8_t ip[16];
	uint8_t plen;
	uint8_t mac[FL_ETH_ALEN];
	uint8_t state;		/* enum fl_ndp_own_state */
	uint8_t dad_left;	/* DAD solicitations still to send */
	fl_time_t due;		/* next DAD step */
};

struct fl_ndp_stats {
	uint64_t bad[FL_NDP_ERR_MAX];	/* frames dropped by parse error */
	uint64_t ns_answered;
	uint64_t not_for_us;		/* NS for other targets */
	uint64_t conflicts;		/* another MAC claimed a preferred address */
	uint64_t dad_duplicates;
	uint64_t ra_seen;
	uint64_t no_source;		/* a solicitation could not be sent: no usable address */
};

struct fl_ndp {
	struct fl_neigh cache;
	struct fl_ndp_own own[FL_NDP_OWN_MAX];
	size_t nown;
	unsigned dad_transmits;		/* RFC 4862 DupAddrDetectTransmits (1) */
	fl_time_t dad_retrans;		/* RFC 4861 RetransTimer (1 s) */
	struct fl_ndp_stats st;
};

bool fl_ndp_init(struct fl_ndp *n, const struct fl_neigh_cfg *cfg, uint64_t seed);
void fl_ndp_free(struct fl_ndp *n, const struct fl_l2_sink *sink);

/* Our address ip/plen at mac. With dad, it is tentative until a tick at
 * least dad_transmits * dad_retrans after its first DAD solicitation;
 * without, preferred at once. false if full, already ours, or not unicast. */
bool fl_ndp_own_add(struct fl_ndp *n, const uint8_t ip[static 16], unsigned plen,
		    const uint8_t mac[static FL_ETH_ALEN], bool dad, fl_time_t now);
bool fl_ndp_own_del(struct fl_ndp *n, const uint8_t ip[static 16]);
const struct fl_ndp_own *fl_ndp_own_find(const struct fl_ndp *n, const uint8_t ip[static 16]);

/* An ICMPv6 frame arrived at now: answer, learn, run DAD, through sink.
 * msg (may be NULL) gets the parsed message, so the caller can act on an
 * RA's prefixes. Returns why it was dropped, if it was. */
enum fl_ndp_err fl_ndp_input(struct fl_ndp *n, const uint8_t *frame, size_t len, fl_time_t now,
			     const struct fl_l2_sink *sink, struct fl_ndp_msg *msg);

/* The MAC for next hop ip (fl_neigh_resolve's contract); multicast
 * groups map directly (RFC 2464 §7). */
enum fl_neigh_res fl_ndp_resolve(struct fl_ndp *n, const uint8_t ip[static 16], void *pkt,
				 fl_time_t now, const struct fl_l2_sink *sink,
				 uint8_t mac_out[static FL_ETH_ALEN]);

/* Timers: DAD steps, then the cache's retries and ageing. */
void fl_ndp_tick(struct fl_ndp *n, fl_time_t now, const struct fl_l2_sink *sink);

#endif
