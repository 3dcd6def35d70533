/* SPDX-License-Identifier: MIT */
/*
 * dp_internal.h: state shared by the dataplane's files (dp.c peers and
 * tables, dp_send.c path choice, dp_recv.c receive side, dp_pmtu.c
 * probes/discovery/PMTU, dp_route.c router). Not for other layers.
 */
#ifndef FL_DP_INTERNAL_H
#define FL_DP_INTERNAL_H

#include "dataplane/dataplane.h"
#include "dataplane/dp_snap.h"
#include "wire/compress.h"

#define DP_HASH 256u
#define DP_US 1000000u

struct fl_dp_peer {
	struct fl_dp *dp;
	void *user;
	char *name;
	uint8_t id[FL_NODE_ID_LEN];
	bool myself;
	uint32_t idx;                   /* index in published snapshots */
	struct dp_addrs *st_addrs;      /* staged edge addresses (control thread) */
	struct fl_dp_peer *id_next, *addr_next, *list_next;

	/* graph */
	bool reachable, has_conn, has_prevedge;
	struct fl_dp_peer *via, *nexthop;
	uint32_t options;

	/* UDP session */
	void *sess;
	bool validkey, waitingforkey;
	uint64_t last_req_key;
	int out_compression;

	/* UDP address */
	bool has_addr, in_addr_table;
	unsigned addr_bucket;           /* by_addr chain holding us, if in_addr_table */
	union fl_addr addr;
	unsigned sock;
	bool send_locally;

	/* UDP.md §4.1 */
	bool udp_confirmed, ping_sent;
	int mtu, minmtu, maxmtu, mtuprobes, maxrecentlen;
	int64_t udp_ping_rtt;
	uint64_t udp_ping_sent, udp_reply_sent, mtu_ping_sent;
	uint64_t confirm_deadline;      /* 0 = confirmation timer off */

	uint64_t in_packets, in_bytes, out_packets, out_bytes;

	/* Liveness evidence for the session (dp_recv.c, issue 22.6): when a
	 * record from this peer last opened, and when we last sent a probe to
	 * ask whether a session whose records fail is still alive (0 = none). */
	uint64_t last_auth_rx, challenge_sent;
	uint64_t relayed, session_restarts;
	uint64_t drop[FL_DP_DROP_MAX];

	/* Records that failed their tag while a re-key ran (dp_recv.c), in
	 * arrival order, waiting for the new key; linked through next. */
	struct fl_pkt *parked, *parked_tail;
	unsigned n_parked;
	uint64_t parked_since;
	struct fl_dp_peer *park_next;   /* dp->parked_peers list */
	bool in_park_list;
};

struct fl_dp {
	struct fl_dp_settings set;
	struct fl_dp_ops ops;
	struct fl_dp_crypto crypto;
	struct fl_pkt_pool *pool;
	struct fl_compress_ctx *comp;
	struct fl_dp_peer *myself;
	struct fl_dp_peer *peers;       /* list of all */
	struct fl_dp_peer *by_id[DP_HASH];
	struct fl_dp_peer *by_addr[DP_HASH];
	struct fl_dp_stats stats;
	struct fl_dp_peer *parked_peers; /* peers with parked records */
	bool in_retry;                   /* inside fl_dp_retry_parked */
	unsigned addr_counter;          /* UDP.md §2.5 step 3 */
	uint32_t rnd;                   /* xorshift state: edge address picks */
	struct dp_pub pub;              /* published snapshots (dp_snap.c) */
	uint64_t icmp_second;           /* rate limit, GRAPH.md §6.4 */
	unsigned icmp_count;
	bool pcap;                      /* offer frames to ops.pcap */
	uint8_t scratch[FL_MAXSIZE];
};

/* Bits of fl_pkt.meta the dataplane sets while it holds a frame (the
 * holder's other bits are left alone). Per packet, so that the multi-core
 * pipeline can carry them between stages. */
#define DP_META_LOCAL_ROUTE 0x40000000u /* sent by a local route: SPTPS, explicit DSTID */
#define DP_META_FOR_US 0x20000000u      /* record of a session addressed to us */
#define DP_META_BITS (DP_META_LOCAL_ROUTE | DP_META_FOR_US)

/* Count a drop for `why`, per peer too when one is known, and note it to
 * the daemon's logger. peer / from may be NULL. */
void dp_count(struct fl_dp *dp, enum fl_dp_drop why, struct fl_dp_peer *peer,
	      const union fl_addr *from);

/* Drop p (takes it), counted against peer (may be NULL) and UDP source
 * from (may be NULL). */
static inline void dp_drop_from(struct fl_dp *dp, enum fl_dp_drop why, struct fl_dp_peer *peer,
				const union fl_addr *from, struct fl_pkt *p)
{
	dp_count(dp, why, peer, from);
	fl_pkt_free(p);
}

static inline void dp_drop(struct fl_dp *dp, enum fl_dp_drop why, struct fl_pkt *p)
{
	dp_drop_from(dp, why, NULL, NULL, p);
}

static inline unsigned dp_minor(const struct fl_dp_peer *p)
{
	return FL_DP_OPT_MINOR(p->options);
}

/* relay(X) of UDP.md §2: nexthop if via is myself, else via. */
static inline struct fl_dp_peer *dp_relay_of(const struct fl_dp_peer *p)
{
	return (p->via && p->via->myself) ? p->nexthop : p->via;
}

/* The current snapshot; valid until the caller's next quiescent point
 * (on the control thread: until it returns to the daemon). */
static inline const struct dp_snap *dp_snap_cur(struct fl_dp *dp)
{
	return atomic_load_explicit(&dp->pub.cur, memory_order_acquire);
}

static inline uint32_t dp_rand(struct fl_dp *dp)
{
	dp->rnd ^= dp->rnd << 13;
	dp->rnd ^= dp->rnd >> 17;
	dp->rnd ^= dp->rnd << 5;
	return dp->rnd;
}

/* dp.c */
void dp_addr_table_update(struct fl_dp *dp, struct fl_dp_peer *p);
struct fl_dp_peer *dp_peer_by_addr(struct fl_dp *dp, const union fl_addr *a);
void dp_reset_udp(struct fl_dp_peer *p);
void dp_adopt_addr(struct fl_dp *dp, struct fl_dp_peer *p, const union fl_addr *a, unsigned sock);

/* dp_send.c */
void dp_send_sptps(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from,
		   struct fl_dp_peer *to, uint8_t type, struct fl_pkt *p);
void dp_reduce_mtu(struct fl_dp_peer *p, int mtu);
void dp_request_key(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *p);

/* dp_pmtu.c */
void dp_fix_mtu(struct fl_dp_peer *p);
void dp_send_probe(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *p, int len);
void dp_probe_input(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *p, const uint8_t *body,
		    size_t len);

/* dp_recv.c */
void dp_park_forget(struct fl_dp *dp, struct fl_dp_peer *p);
int dp_record_input(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from, uint8_t type,
		    struct fl_pkt *p, bool udp);

/* dp_route.c */
enum dp_verdict {
	DP_TO_NONE,        /* no subnet: ICMP net unknown */
	DP_TO_PEER,        /* subnet owner (maybe myself, maybe unreachable) */
	DP_TO_BROADCAST,   /* owner-less subnet */
	DP_TO_LOCAL_ROUTE, /* route/NODE to a reachable node with a relay */
};
struct dp_decision {
	enum dp_verdict verdict;
	struct fl_dp_peer *peer;
};
struct fl_ip_info;
struct dp_decision dp_decide(const struct dp_snap *s, const struct fl_dp_peer *source,
			     const struct fl_ip_info *ip);
void dp_route_frame(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *source, struct fl_pkt *p);
struct fl_ip_info;
/* A frame larger than the relay's MTU: ICMP error or fragments. true =
 * handled (p taken). */
bool dp_too_big(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *source,
		struct fl_dp_peer *owner, struct fl_dp_peer *relay,
		const struct fl_ip_info *ip, struct fl_pkt *p);
/* ClampMSS toward relay. */
void dp_clamp(struct fl_dp *dp, struct fl_dp_peer *source, struct fl_dp_peer *relay,
	      struct fl_pkt *p);

#endif
