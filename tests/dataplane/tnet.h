/*
 * tnet.h: an in-memory network of dataplane instances for the dataplane
 * tests. Each node has a real fl_dp with real wire code; UDP datagrams,
 * meta-connection messages and key set-ups are queued and delivered by
 * tnet_pump(). Sessions are real tinc-compatible SPTPS datagram sessions
 * bound through dp_sptps.c when built with TNET_REAL_SPTPS (meson does so
 * for every target but test_dataplane), else a stand-in AEAD (OpenSSL
 * ChaCha20-Poly1305, 64-seqno replay window); the dataplane only sees the
 * fl_dp_crypto interface either way.
 */
#ifndef FL_TESTS_TNET_H
#define FL_TESTS_TNET_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/dataplane.h"

struct fl_dp_sptps;

#define TNET_MAX 4
#define TNET_QUEUE 4096

struct tnode {
	struct tnet *net;
	int idx;
	char name[16];
	struct fl_dp *dp;
	struct fl_dp_peer *peer[TNET_MAX];   /* this node's view of node i */
	union fl_addr addr;
	/* what came out */
	unsigned device_frames, packet17_sent, tcp_sent, keyreqs, udp_info, mtu_info;
	size_t last_device_len;
	uint8_t last_device[2048];
	int local_mtu;                       /* UDP payload limit → EMSGSIZE; 0 = none */
	int udp_fd, tun_fd;                  /* > 0: real sockets/devices (netns test) */
	int route_to;                        /* local route 198.51.100.0/24 → node route_to - 1 (0: none) */
	bool route_any;                      /* ... and every other destination too */
};

enum tmsg_kind { TM_UDP, TM_PACKET, TM_SPTPS_TCP, TM_KEY };

struct tmsg {
	enum tmsg_kind kind;
	int src, dst;        /* node indexes (UDP: dst resolved by address) */
	int from, to;        /* TM_SPTPS_TCP: originator and destination */
	union fl_addr to_addr;
	struct fl_pkt *p;
};

struct tnet {
	int n;
	struct tnode node[TNET_MAX];
	struct fl_pkt_pool *pool;
	uint64_t now;
	uint32_t rnd;
	struct tmsg q[TNET_QUEUE];
	unsigned qhead, qtail;
	/* link model for UDP payloads src → dst */
	bool blocked[TNET_MAX][TNET_MAX];
	int path_limit[TNET_MAX][TNET_MAX];  /* 0 = none; larger payloads vanish */
	int tamper;                          /* corrupt the next N UDP datagrams */
	unsigned udp_delivered, udp_vanished;
	struct fl_pkt *captured;             /* copy of a delivered datagram */
	int capture_len;                     /* capture a datagram of this size */
	int nexthop[TNET_MAX][TNET_MAX];
	int path_mtu_hint;                   /* value for ops.path_mtu, 0 = none */
	void *sessions[256];
	int sess_owner[256], sess_peer[256];
	struct fl_dp_sptps *dps;             /* TNET_REAL_SPTPS only */
	unsigned nsessions;
	/* The crypto pipeline (tnet_set_workers): UDP messages go in batches
	 * of 1..batch_max (random), sealed and opened on the workers. */
	struct fl_dp_workers *workers;
	unsigned batch_max;
	unsigned dup_every, dups;            /* re-send every Nth datagram later */
	uint32_t *dev_log;                   /* the 4 bytes at frame offset 34 */
	size_t dev_n, dev_cap;               /* of each device frame, in order */
};

void tnet_init(struct tnet *net, int n, const struct fl_dp_settings *s);
void tnet_free(struct tnet *net);
/* Publish node i's tables (subnets by node index, local routes from
 * route_to/route_any): call again after changing those. */
void tnet_publish(struct tnet *net, int i);
/* Replace node i's underlay address (before tnet_link). */
void tnet_set_addr(struct tnet *net, int i, const union fl_addr *a);
/* a→b: direct meta connection (both ways) or reached through `hop`. */
void tnet_link(struct tnet *net, int a, int b, bool conn, int hop);
/* Deliver until nothing is queued (bounded). */
void tnet_pump(struct tnet *net);
/* Frame with IPv4 header from node a's range to node b's (total frame
 * length len >= 34), DF as given. */
struct fl_pkt *tnet_frame4(struct tnet *net, int a, int b, size_t len, bool df);
/* Same, as a bare IP packet read from a's device, and routed. */
void tnet_send_ip(struct tnet *net, int a, int b, size_t len, bool df);
/* Advance time by us, calling fl_dp_tick each whole second. */
void tnet_advance(struct tnet *net, uint64_t us);
/* TNET_REAL_SPTPS: n crypto workers (the caller included) for every
 * node's sealing and opening; batches of UDP messages up to batch_max. */
void tnet_set_workers(struct tnet *net, unsigned n, unsigned batch_max);
/* Set the outgoing seqno of a's current session with b. */
void tnet_set_outseq(struct tnet *net, int a, int b, uint32_t seq);

#endif
