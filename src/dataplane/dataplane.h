/* SPDX-License-Identifier: MIT */
/*
 * dataplane.h: the per-packet logic of tinc 1.1's SPTPS data path
 * (spec/UDP.md §1–§5, GRAPH.md §6): router-mode routing with ICMP errors,
 * TTL, ClampMSS and fragmentation; the path choice for every datagram (UDP
 * direct, UDP relay, SPTPS_PACKET over TCP, PACKET 17 before UDP works);
 * the receive side (sender identification, relaying without decryption,
 * opening, record rules); probes, UDP discovery and PMTU discovery.
 *
 * The dataplane owns no sockets, devices or sessions. Everything it wants
 * done goes out through struct fl_dp_ops callbacks the daemon supplies
 * (which map onto io and mesh calls), sealing and opening go through
 * struct fl_dp_crypto (dp_sptps.c binds it to src/crypto's SPTPS), and time
 * comes in as an argument (monotonic microseconds).
 *
 * Threading: today everything runs on the control thread; callbacks are
 * called synchronously and must not call back into the dataplane, except
 * fl_dp_peer_set_session()/fl_dp_peer_session_started() from request_key
 * and fl_dp_send_frame() from broadcast, which are safe there. The
 * multi-core pipeline (DESIGN.md) will replace the calls
 * of fl_dp_crypto with batched worker stages without changing this API.
 *
 * Packets: `struct fl_pkt` (wire/pkt.h). Functions that "take" a packet
 * free it or pass it on, on every path.
 *
 * How the daemon wires it (mesh.h names):
 *   start-up      fl_dp_new(); fl_dp_peer_add() for myself (myself = true)
 *                 and for every mesh node as it appears (id = node->id);
 *                 dp_sptps.h gives the fl_dp_crypto.
 *   graph change  (MESH_EV_GRAPH_CHANGED) fl_dp_peer_set_graph() for each
 *                 node: reachable, via, nexthop, options, conn, prevedge;
 *                 fl_dp_peer_set_addr() with the node's UDP address.
 *   UDP_RESET     free the node's UDP session (the dataplane already
 *                 forgot it when reachability flipped).
 *   sessions      ops.request_key: stop the old session, mesh_want_key(),
 *                 start an initiator session, fl_dp_peer_set_session(p,
 *                 s, false), mesh_send_sptps_start(). REQ_SPTPS_START from
 *                 a node: start a responder, fl_dp_peer_session_started().
 *                 handshake_done: fl_dp_peer_set_session(p, s, true).
 *                 MESH_EV_ANS_KEY: fl_dp_peer_set_compression(value) and
 *                 fl_dp_peer_set_addr() if host/port came with it.
 *   MESH_EV_UDP_ADDRESS  fl_dp_peer_set_addr();  MESH_EV_MTU
 *                 fl_dp_peer_mtu_info();  MESH_EV_TRY_TX  fl_dp_try_tx().
 *   MESH_EV_PACKET_NEXT's record    fl_dp_packet_input().
 *   MESH_EV_SPTPS_DATA              fl_dp_sptps_tcp_input().
 *   tun readable  fl_tun_read_batch() → fl_dp_device_input() per frame.
 *   UDP readable  fl_udp_recv_batch() → fl_dp_udp_input() per datagram
 *                 (fl_dp_udp_oversize() for a truncated one).
 *   ops.udp_send  fl_udp_txq_push() (probe = true: fl_udp_send() now and
 *                 return its error); flush the queues once per loop
 *                 iteration; their error callback → fl_dp_udp_error().
 *   ops.send_packet / send_sptps_tcp / udp_info / mtu_info
 *                 mesh_send_packet / mesh_send_sptps_data /
 *                 mesh_send_udp_info / mesh_send_mtu_info (from = myself).
 *   every second  fl_dp_tick(); fl_dp_peer_info() feeds `dump nodes` and
 *                 the mesh node's mtu/minmtu/maxmtu.
 */
#ifndef FL_DATAPLANE_H
#define FL_DATAPLANE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/addr.h"
#include "wire/dgram.h"
#include "wire/pkt.h"

struct fl_lpm;

/* Option bits (META.md §3.3), as in the mesh. */
#define FL_DP_OPT_INDIRECT 0x0001u
#define FL_DP_OPT_TCPONLY 0x0002u
#define FL_DP_OPT_PMTU_DISCOVERY 0x0004u
#define FL_DP_OPT_CLAMP_MSS 0x0008u
#define FL_DP_OPT_MINOR(o) ((uint32_t)(o) >> 24)

#define FL_DP_MAX_SOCKS 8

/* Record types of the UDP session (UDP.md §1.3). */
#define FL_DP_PKT_COMPRESSED 0x01u
#define FL_DP_PKT_MAC 0x02u
#define FL_DP_PKT_PROBE 0x04u

struct fl_dp;
struct fl_dp_peer;

/* Why packets were dropped (counted in fl_dp_stats.drop[]). */
enum fl_dp_drop {
	FL_DP_DROP_SHORT,          /* UDP payload < 33 bytes or frame too short */
	FL_DP_DROP_UNKNOWN_SOURCE, /* no sender found (UDP.md §3.2 step 4) */
	FL_DP_DROP_UNKNOWN_ID,     /* DSTID/SRCID of no known node */
	FL_DP_DROP_UNREACHABLE,
	FL_DP_DROP_NO_SESSION,     /* datagram for us, no session yet */
	FL_DP_DROP_AUTH,           /* tag or type failure */
	FL_DP_DROP_BAD_RECORD,     /* record rules of UDP.md §1.3 */
	FL_DP_DROP_NO_KEY,         /* nothing to seal with */
	FL_DP_DROP_NO_ROUTE,       /* nexthop/via missing, loops */
	FL_DP_DROP_ROUTING,        /* router dropped it (loop, unknown type, ICMP sent) */
	FL_DP_DROP_SEND,           /* socket error, no address, TCP probe */
	FL_DP_DROP_NOMEM,          /* pool empty */
	FL_DP_DROP_REPLAY,         /* authentic, but the replay window said no */
	FL_DP_DROP_OVERSIZE,       /* datagram longer than MAXSIZE (truncated receive) */
	FL_DP_DROP_TUN_WRITE,      /* the device refused the write (daemon-side) */
	FL_DP_DROP_MAX
};

enum fl_dp_forwarding {
	FL_DP_FORWARD_INTERNAL = 0, /* default */
	FL_DP_FORWARD_OFF,
	FL_DP_FORWARD_KERNEL,
};

/* Mode (tinc.conf): router routes IP packets by Subnet; switch and hub
 * carry whole Ethernet frames (PKT_MAC records; dp_switch.c). */
enum fl_dp_mode {
	FL_DP_MODE_ROUTER = 0, /* default */
	FL_DP_MODE_SWITCH,
	FL_DP_MODE_HUB,
};

/* Settings (tinc.conf); fl_dp_settings_default() gives tinc's defaults. */
struct fl_dp_settings {
	uint32_t my_options;            /* our ACK options (PMTU_DISCOVERY, CLAMP_MSS, ...) */
	int compression;                /* level we asked for = level we decompress */
	enum fl_dp_forwarding forwarding;
	bool direct_only;
	bool decrement_ttl;
	bool udp_discovery;             /* UDPDiscovery (yes) */
	bool local_discovery;           /* LocalDiscovery (yes) */
	unsigned udp_discovery_keepalive_interval; /* s, 10 */
	unsigned udp_discovery_interval;           /* s, 2 */
	unsigned udp_discovery_timeout;            /* s, 30 */
	unsigned ping_interval;                    /* s, 60 */
	unsigned key_retry;                        /* s, 10 */
	/* Address families of the listening UDP sockets, by index. */
	unsigned nsocks;
	int sock_family[FL_DP_MAX_SOCKS];
	enum fl_dp_mode mode;                      /* Mode (router) */
};

void fl_dp_settings_default(struct fl_dp_settings *s);

/* What the mesh graph says about a node (GRAPH.md). The daemon sets it
 * after every graph change (MESH_EV_GRAPH_CHANGED). */
struct fl_dp_graph {
	bool reachable;
	struct fl_dp_peer *via;         /* NULL = none */
	struct fl_dp_peer *nexthop;     /* NULL = none */
	uint32_t options;               /* edge options; bits 24-31 = minor */
	bool has_conn;                  /* we have an active meta connection to it */
	bool has_prevedge;              /* reached through an edge (local discovery) */
};

/* Result of a subnet lookup (GRAPH.md §5.3). */
struct fl_dp_route_result {
	struct fl_dp_peer *owner;       /* NULL: no subnet, or owner-less */
	bool broadcast;                 /* owner-less (broadcast) subnet */
};

/* Outputs. ctx is fl_dp_ops.ctx. Peers are passed as the dataplane's
 * handles; fl_dp_peer_user() gives back the daemon's pointer. */
struct fl_dp_ops {
	void *ctx;
	/* Send a UDP payload (takes p) to addr from listening socket `sock`
	 * toward next hop `relay`. Return 0 if sent or queued, or -errno from
	 * an immediate send (-EMSGSIZE lowers the relay's MTU, UDP.md §4.6).
	 * probe = the payload is a probe: send it now, not in a later batch,
	 * so EMSGSIZE reaches discovery at once as in tinc. Queued sends that
	 * fail later are reported with fl_dp_udp_error(). */
	int (*udp_send)(void *ctx, struct fl_dp_peer *relay, unsigned sock, const union fl_addr *addr,
			struct fl_pkt *p, bool probe);
	/* Write a frame (14-byte header + IP packet) to the device; takes p. */
	void (*device_write)(void *ctx, struct fl_pkt *p);
	/* PACKET (17) on the meta connection to `to` (META.md §5.17); the
	 * frame is borrowed. */
	void (*send_packet)(void *ctx, struct fl_dp_peer *to, const uint8_t *frame, size_t len);
	/* An SPTPS datagram (seqno..tag, no ID prefix) from `from` to `to` that
	 * must go over TCP: mesh_send_sptps_data() picks binary 21 or REQ_KEY
	 * 21 by the next hop's minor (META.md §5.20). Borrowed. */
	void (*send_sptps_tcp)(void *ctx, struct fl_dp_peer *from, struct fl_dp_peer *to,
			       const uint8_t *dgram, size_t len);
	/* (Re)start the UDP SPTPS session with `to`: drop any old session and
	 * send REQ_SPTPS_START (mesh_want_key + session start). The daemon
	 * reports the new session with fl_dp_peer_set_session(). */
	void (*request_key)(void *ctx, struct fl_dp_peer *to);
	/* UDP_INFO(myself → to) / MTU_INFO(myself → to, mtu). The mesh's send
	 * functions apply the rate limits and the meta-connection rule. */
	void (*udp_info)(void *ctx, struct fl_dp_peer *to);
	void (*mtu_info)(void *ctx, struct fl_dp_peer *to, int mtu);
	/* Owner-less destination: forward copies along the MST / to direct
	 * neighbours (GRAPH.md §6.5 steps 3-5) with fl_dp_send_frame(); the
	 * frame is borrowed. May be NULL (no broadcast). */
	void (*broadcast)(void *ctx, struct fl_dp_peer *source, const uint8_t *frame, size_t len);
	/* Random bytes (probe padding). Must not fail. */
	void (*random)(void *ctx, uint8_t *buf, size_t len);
	/* Optional (NULL = not available): */
	/* Kernel path MTU toward addr (fl_udp_path_mtu), -errno if unknown. */
	int (*path_mtu)(void *ctx, const union fl_addr *addr);
	/* Our local address toward dst (family 4/6; 4 or 16 bytes) for ICMP
	 * "time exceeded" (GRAPH.md §6.4). false if unknown. */
	bool (*local_addr)(void *ctx, int version, const uint8_t *dst, uint8_t *out);
	/* A packet was dropped for `why` (already counted): for rate-limited
	 * logs. peer = the node it is attributed to (NULL if none), from = the
	 * UDP source (NULL if not from UDP). Optional. */
	void (*drop_note)(void *ctx, enum fl_dp_drop why, struct fl_dp_peer *peer,
			  const union fl_addr *from);
	/* Split tunnelling (doc/offload.md, dataplane/dp_offload.h): offered
	 * every IP frame (14-byte header + packet) from our own device before
	 * the local routes. true = it took p (offloaded, answered or dropped);
	 * false = p untouched, route it as usual. Optional. */
	bool (*offload)(void *ctx, uint64_t now, struct fl_pkt *p);
	/* Switch mode (dp_switch.c), optional: a frame from our device came
	 * from source address mac at now (learn it, announce it), and the MAC
	 * subnet lookup for a destination (owner NULL = flood). */
	void (*mac_learn)(void *ctx, const uint8_t mac[static 6], uint64_t now);
	struct fl_dp_route_result (*mac_lookup)(void *ctx, const uint8_t mac[static 6]);
	/* `fenliu pcap` (tinc's REQ_PCAP), optional: a copy of every frame
	 * routing sees (from our device and from peers, 14-byte header
	 * first), called only while fl_dp_set_pcap(dp, true). The frame is
	 * borrowed; return false when nobody wants copies any more (the
	 * flag clears, so the packet path is back to one test). */
	bool (*pcap)(void *ctx, const uint8_t *frame, size_t len);
};

/* Errors of fl_dp_crypto.open. */
enum fl_dp_open_err {
	FL_DP_OPEN_OK = 0,
	FL_DP_OPEN_NOKEY,       /* no incoming key yet */
	FL_DP_OPEN_SHORT,
	FL_DP_OPEN_AUTH,        /* tag mismatch */
	FL_DP_OPEN_REPLAY,      /* replay window said no */
	FL_DP_OPEN_TYPE,        /* handshake or invalid type on the data path */
};

/* Bits of fl_pkt.meta the crypto pipeline sets (dp_sptps.h): the packet's
 * record is framed and its seqno reserved, but the encryption waits for a
 * batch (fl_dp_crypto.finish seals it at once); or the packet was opened
 * by a worker ahead of the in-order stage, which only checks the replay
 * window. */
#define FL_DP_META_SEAL_PENDING 0x10000000u
#define FL_DP_META_PREOPENED 0x08000000u

/* Sealing and opening records of a peer's UDP session. sess is what the
 * daemon gave fl_dp_peer_set_session(). */
struct fl_dp_crypto {
	void *ctx;
	/* On entry p->data is the record body; on success p->data is the SPTPS
	 * datagram (seqno 4, type+body encrypted, tag 16), using headroom for
	 * 5 bytes and tailroom for 16. Returns 0, -1 (not keyed, or failure),
	 * or 1 = sealed, and the session should be restarted soon (seqno
	 * reached 2^31, SPTPS.md §9). */
	int (*seal)(void *ctx, void *sess, uint8_t type, struct fl_pkt *p);
	/* On entry p->data is the datagram. verify_only: authenticate and check
	 * the replay window without changing any state or p (sender
	 * identification, UDP.md §3.2). Otherwise on success p->data is the
	 * body, *type the record type, and the replay window has moved. */
	enum fl_dp_open_err (*open)(void *ctx, void *sess, struct fl_pkt *p, uint8_t *type,
				    bool verify_only);
	/* Is a re-key of sess running (its keys may change any moment)?
	 * NULL: never. A record that fails its tag then waits for the new key
	 * (fl_dp_retry_parked) instead of being dropped. */
	bool (*rekeying)(void *ctx, void *sess);
	/* Seal now a packet whose sealing seal() deferred
	 * (FL_DP_META_SEAL_PENDING): before its bytes go anywhere but the UDP
	 * send queue (TCP, probes). NULL if seal() never defers. */
	void (*finish)(void *ctx, struct fl_pkt *p);
};

/* Short name of a drop reason ("auth", "unknown-source", ...) for logs and
 * the control socket; never NULL. */
const char *fl_dp_drop_name(enum fl_dp_drop why);

struct fl_dp_stats {
	uint64_t drop[FL_DP_DROP_MAX];
	uint64_t udp_in, udp_out, relayed, tcp_out, packet17_out, device_out;
	uint64_t icmp_sent, icmp_ratelimited, probes_sent, probe_replies;
	/* Sessions restarted because records failed to open, and probes sent
	 * to ask whether a session whose records fail is still alive. */
	uint64_t session_restarts, auth_challenges;
	/* Relayed datagrams for us from an address not confirmed as any
	 * node's, taken because they opened under their SRCID's session. */
	uint64_t relayed_unknown_hop;
	uint64_t publish_failed;        /* snapshots not published (no memory) */
	/* Records that failed their tag during a re-key and waited for the
	 * new key; of those, how many then opened. */
	uint64_t rekey_parked, rekey_reopened;
	/* Records that failed their tag during a re-key but found the park
	 * full (DP_PARK_MAX per peer): dropped, also counted as auth drops. */
	uint64_t rekey_park_overflow;
	/* Sessions re-keyed because the outgoing seqno neared 2^32. */
	uint64_t rekey_wrap_restarts;
};

/* Per-peer state that `tinc dump nodes` and the mesh want to see. */
struct fl_dp_peer_info {
	bool udp_confirmed, validkey, waitingforkey;
	int mtu, minmtu, maxmtu, mtuprobes;
	int64_t udp_ping_rtt;           /* µs, -1 = unknown */
	bool has_addr;
	union fl_addr addr;
	uint64_t in_packets, in_bytes, out_packets, out_bytes;
	uint64_t relayed, session_restarts;
	uint64_t drop[FL_DP_DROP_MAX];  /* drops attributed to this peer */
};

/* ---- life cycle ---- */

/* pool: packets for ICMP errors, fragments and probes (borrowed; same
 * thread). Returns NULL on allocation failure. */
struct fl_dp *fl_dp_new(const struct fl_dp_settings *s, const struct fl_dp_ops *ops,
			const struct fl_dp_crypto *crypto, struct fl_pkt_pool *pool);
void fl_dp_free(struct fl_dp *dp);
const struct fl_dp_stats *fl_dp_stats(const struct fl_dp *dp);

/* Count (and note, see fl_dp_ops.drop_note) a drop the daemon made itself:
 * an oversize datagram from UDP source `from`, a failed device write.
 * peer may be NULL; from may be NULL. */
void fl_dp_count_drop(struct fl_dp *dp, enum fl_dp_drop why, struct fl_dp_peer *peer,
		      const union fl_addr *from);

/* Start (on = true) or stop offering frames to ops.pcap; control thread. */
void fl_dp_set_pcap(struct fl_dp *dp, bool on);

/* ---- peers (one per mesh node, myself included) ---- */

/* name is copied (for logs); id = SHA-512(name)[0..5]; user is the
 * daemon's pointer (e.g. its mesh_node). The first peer added with
 * myself = true is this node. NULL on allocation failure. */
struct fl_dp_peer *fl_dp_peer_add(struct fl_dp *dp, const char *name,
				  const uint8_t id[static FL_NODE_ID_LEN], bool myself, void *user);
/* Remove a peer: nobody's graph may point at it any more. */
void fl_dp_peer_del(struct fl_dp *dp, struct fl_dp_peer *p);
void *fl_dp_peer_user(const struct fl_dp_peer *p);
const char *fl_dp_peer_name(const struct fl_dp_peer *p);
struct fl_dp_peer *fl_dp_peer_by_id(const struct fl_dp *dp, const uint8_t id[static FL_NODE_ID_LEN]);
void fl_dp_peer_info(const struct fl_dp_peer *p, struct fl_dp_peer_info *out);

/* Graph facts. A change of reachability resets UDP state (UDP.md §4.1) and
 * forgets the session (the daemon frees it: MESH_EV_UDP_RESET). */
void fl_dp_peer_set_graph(struct fl_dp *dp, struct fl_dp_peer *p, const struct fl_dp_graph *g);
/* UDP address from the graph, ANS_KEY's reflexive address or UDP_INFO.
 * A different address resets confirmation and PMTU state. */
void fl_dp_peer_set_addr(struct fl_dp *dp, struct fl_dp_peer *p, const union fl_addr *a);
/* The session to seal/open with (NULL = none) and whether its handshake
 * has completed (validkey). Call with valid = false right after starting
 * a session, with true from the session's handshake_done callback. */
void fl_dp_peer_set_session(struct fl_dp *dp, struct fl_dp_peer *p, void *sess, bool valid);
/* The peer started a session with us (REQ_SPTPS_START received, we answer
 * as responder): like tinc, this counts as a key request made now, so a
 * failing datagram does not restart it again within key_retry seconds. */
void fl_dp_peer_session_started(struct fl_dp *dp, struct fl_dp_peer *p, void *sess, uint64_t now);
/* Compression level the peer asked for in its ANS_KEY (we send with it). */
void fl_dp_peer_set_compression(struct fl_dp_peer *p, int level);
/* MTU_INFO for the peer (META.md §5.22): provisional mtu while its own
 * minmtu != maxmtu. PMTU from hosts/ at ACK time: fl_dp_peer_set_mtu. */
void fl_dp_peer_mtu_info(struct fl_dp_peer *p, int mtu);
void fl_dp_peer_set_mtu(struct fl_dp_peer *p, int mtu);

/* ---- published tables (DESIGN.md "Publishing"; control thread) ----
 *
 * The per-packet path reads only the current snapshot: the peer table by
 * index, the mesh subnets and the local routes as LPM tables resolving to
 * peers, and each peer's edge addresses. Stage the parts that changed, then
 * fl_dp_publish(): one atomic pointer swap; nothing is visible before it.
 * Old snapshots (and deleted peers) are freed by fl_dp_reclaim() once
 * every reader registered with fl_dp_reader_add() has called
 * fl_dp_reader_quiescent() since; the control thread itself needs no
 * registration (it never holds a snapshot across calls). */

/* A prefix and the peer it resolves to; peer NULL = owner-less
 * (broadcast) subnet. addr in network order, host bits zero. */
struct fl_dp_prefix {
	uint8_t addr[16];
	uint8_t family; /* 4 or 6 */
	uint8_t len;
	struct fl_dp_peer *peer;
};

/* The mesh subnets, each distinct prefix with tinc's answer for it
 * (mesh_subnet_resolve_each). 0, or -1 on allocation failure (the
 * previously staged table stays). */
int fl_dp_stage_subnets(struct fl_dp *dp, const struct fl_dp_prefix *v, size_t n);
/* Local routes: t (taken; NULL = none) maps prefixes to targets
 * 0..n_targets-1, which start unset; set each with
 * fl_dp_stage_route_target (NULL = not a peer now: the subnets decide). */
int fl_dp_stage_routes(struct fl_dp *dp, struct fl_lpm *t, size_t n_targets);
void fl_dp_stage_route_target(struct fl_dp *dp, size_t i, struct fl_dp_peer *p);
/* p's edge addresses (UDP.md §2.5): where other nodes see it, and its own
 * ends of its edges. Copied. 0 or -1. */
int fl_dp_stage_addrs(struct fl_dp *dp, struct fl_dp_peer *p, const union fl_addr *remote,
		      size_t nr, const union fl_addr *local, size_t nl);
/* Publish what is staged. 0, or -1 (no memory: the old snapshot stays). */
int fl_dp_publish(struct fl_dp *dp);
/* Readers on other threads: a slot (-1: none free), their quiescent
 * points (holding no snapshot pointer), and leaving. */
int fl_dp_reader_add(struct fl_dp *dp);
void fl_dp_reader_quiescent(struct fl_dp *dp, int slot);
void fl_dp_reader_del(struct fl_dp *dp, int slot);
/* Free what every reader has stopped using. */
void fl_dp_reclaim(struct fl_dp *dp);

/* ---- packets in ---- */

/* An IP packet read from the tun device (no header yet). Takes p. */
void fl_dp_device_input(struct fl_dp *dp, uint64_t now, struct fl_pkt *p);

/* The crypto pipeline's look-ahead (no state changes): the session a UDP
 * datagram from `from` would be opened with now, and the offset of its
 * SPTPS record in p, if its sender is known by address and it is for us.
 * NULL otherwise: fl_dp_udp_input decides everything in order. */
void *fl_dp_udp_session_of(struct fl_dp *dp, const union fl_addr *from, const struct fl_pkt *p,
			   size_t *rec_off);

/* One UDP datagram read from listening socket `sock`. Takes p. */
void fl_dp_udp_input(struct fl_dp *dp, uint64_t now, unsigned sock, const union fl_addr *from,
		     struct fl_pkt *p);

/* A datagram from `from` that was longer than FL_MAXSIZE (truncated by the
 * receive call): dropped as oversize, counted against the peer at that
 * address if any, not fed to any session. Takes p. */
void fl_dp_udp_oversize(struct fl_dp *dp, const union fl_addr *from, struct fl_pkt *p);

/* PACKET (17) from the direct neighbour `from` (META.md §5.17). Takes p. */
void fl_dp_packet_input(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from,
			struct fl_pkt *p);

/* An SPTPS datagram from `from` to `to` that arrived over TCP (binary 21
 * with binary = true, or REQ_KEY/21; MESH_EV_SPTPS_DATA). Takes p. */
void fl_dp_sptps_tcp_input(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from,
			   struct fl_dp_peer *to, struct fl_pkt *p, bool binary);

/* ---- packets out ---- */

/* Send a frame to node `to` (UDP.md §2.1): device if myself, else
 * encapsulate and choose a path; then the tunnel improvement step. Takes p. */
void fl_dp_send_frame(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *to, struct fl_pkt *p);

/* A queued UDP send to next hop `relay` failed later with err (from the
 * io transmit queue); len = UDP payload length. */
void fl_dp_udp_error(struct fl_dp *dp, struct fl_dp_peer *relay, int err, size_t len);

/* Records parked during a peer's re-key: retry them in arrival order once
 * the re-key is over, or drop them (auth) after a second. Call after
 * every batch and meta event (cheap when nothing is parked). */
void fl_dp_retry_parked(struct fl_dp *dp, uint64_t now);

/* ---- timers ---- */

/* Once per second from the control loop: UDP confirmation timeouts and
 * try_tx(pmtu = no) for every direct neighbour (META.md §7.1; pass
 * neighbours = false during the PingTimeout after each PING round). */
void fl_dp_tick(struct fl_dp *dp, uint64_t now, bool neighbours);

/* "Try to improve the tunnel" to a node (UDP.md §2.4), e.g. for
 * MESH_EV_TRY_TX. */
void fl_dp_try_tx(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *p, bool pmtu);

#endif
