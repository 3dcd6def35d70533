/* SPDX-License-Identifier: MIT */
/*
 * mesh.h: the mesh layer's public API. It holds nodes, edges, subnets and
 * the meta-connection state of tinc 1.1 (protocol 17.7) and runs the meta
 * protocol logic (META.md) and the graph (GRAPH.md) as pure functions:
 * the daemon feeds parsed lines, connection events and the time in, and gets
 * back a list of outputs (lines to send to connection C, connections to
 * close or open, events such as host-up). No sockets, no clock, no
 * randomness (a callback supplies it), no globals.
 *
 * Threading: one owner (the daemon's control thread). The dataplane must not
 * read these structures; the daemon publishes snapshots from them.
 *
 * Typical use by the daemon:
 *   m = mesh_new(&cfg, now);  mesh_add_own_subnet(m, ...);
 *   accept()/connect() done      -> mesh_conn_open(m, id, ...)
 *   ID line / SPTPS record read  -> mesh_conn_recv(m, id, line, len, now, &out)
 *   meta SPTPS handshake done    -> mesh_conn_sptps_ready(m, id, now, &out)
 *   binary SPTPS_PACKET bytes    -> mesh_conn_sptps_packet(m, id, buf, len, ...)
 *   socket closed / recv failed  -> mesh_conn_close(m, id, now, &out)
 *   every second                 -> mesh_tick(m, now, &out)
 *   each loop iteration          -> mesh_settle(m, now, &out) (settle_ms > 0)
 *   then carry out every item of out in order, and mesh_out_clear(&out).
 * Time ("now") is an fl_time_t (wire/fl_time.h: µs on a clock that never
 * jumps, read once per loop iteration by the daemon): only differences
 * are used, so a wall-clock step cannot reach the mesh. Weights on the
 * wire are ms, as tinc's. last_state_change is in that clock's seconds;
 * the daemon turns it into Unix time for `dump nodes`.
 */
#ifndef FL_MESH_H
#define FL_MESH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesh/mesh_request.h"
#include "mesh/mesh_subnet.h"
#include "wire/fl_time.h"

#define MESH_PROT_MAJOR 17
#define MESH_PROT_MINOR 7
#define MESH_MTU_MAX 1518
#define MESH_NODE_ID_LEN 6
#define MESH_CONN_NONE (-1)

/* Connection/edge option bits (META.md §3.3). */
enum {
	MESH_OPT_INDIRECT = 0x0001,
	MESH_OPT_TCPONLY = 0x0002,
	MESH_OPT_PMTU_DISCOVERY = 0x0004,
	MESH_OPT_CLAMP_MSS = 0x0008,
};
#define MESH_OPT_VERSION(o) ((uint32_t)(o) >> 24)

/* Node status bits exactly as `tinc dump nodes` shows them (CONFIG.md §5.3). */
enum {
	MESH_NS_VALIDKEY = 0x0002,
	MESH_NS_WAITINGFORKEY = 0x0004,
	MESH_NS_VISITED = 0x0008,
	MESH_NS_REACHABLE = 0x0010,
	MESH_NS_INDIRECT = 0x0020,
	MESH_NS_SPTPS = 0x0040,
	MESH_NS_UDP_CONFIRMED = 0x0080,
	MESH_NS_SEND_LOCALLY = 0x0100,
	MESH_NS_UDPPACKET = 0x0200,
	MESH_NS_VALIDKEY_IN = 0x0400,
	MESH_NS_HAS_ADDRESS = 0x0800,
	MESH_NS_PING_SENT = 0x1000,
};

/* Connection status bits as `tinc dump connections` shows them. */
enum {
	MESH_CS_PINGED = 0x0001,
	MESH_CS_CONNECTING = 0x0004,
	MESH_CS_MST = 0x0100,
};

struct mesh_edge;

struct mesh_node {
	char *name;
	uint8_t id[MESH_NODE_ID_LEN];	/* SHA-512(name)[0..5] */
	uint32_t status;	/* MESH_NS_* */
	uint32_t options;	/* prevedge's options; bits 24-31 = minor */
	struct mesh_node *nexthop, *via;	/* NULL = never set ("-") */
	struct mesh_edge *prevedge;
	int distance;		/* -1 if not reached by the last run */
	int weighted_distance;
	/* UDP address as text ("" = none); kept when the node goes down. */
	char *addr, *port;
	int64_t last_state_change;	/* fl_time_to_s(now); 0 = never */
	int compression;	/* level FROM asked for in its ANS_KEY */
	/* UDP path state owned by the daemon/dataplane; the mesh reads them
	 * for MTU_INFO/ANS_KEY decisions and resets them on a reachability
	 * flip (GRAPH.md §3.1 step 4). */
	int mtu, minmtu, maxmtu;
	int32_t conn;		/* direct meta connection id or MESH_CONN_NONE */
	struct mesh_edge **edges;	/* outgoing, sorted by to->name */
	size_t n_edges, cap_edges;
	/* timers (ms) */
	fl_time_t last_req_key, udp_info_sent, mtu_info_sent;
	/* This node's entries of the subnet table, unordered (see
	 * mesh_subnet_owned() for §5.2 order). */
	struct mesh_subnet_entry *subnets;
	size_t n_subnets;
	void *user;		/* the daemon's per-node record; mesh leaves it */
	/* internal: a deferred DEL_EDGE to this node asks, after the next
	 * graph run, whether its edge back to us goes too */
	bool check_rev;
};

struct mesh_edge {
	struct mesh_node *from, *to;
	char *addr, *port;	/* where FROM sees TO (UDP port) */
	char *laddr, *lport;	/* FROM's own end; NULL if unknown */
	uint32_t options;
	int32_t weight;
	struct mesh_edge *reverse;
	int32_t conn;		/* for edges from myself; else MESH_CONN_NONE */
	size_t order;		/* internal: rank in weight order (MST) */
};

enum mesh_conn_state {
	MESH_CONN_WAIT_ID = 0,	/* before the peer's ID line */
	MESH_CONN_HANDSHAKE,	/* SPTPS running, waiting for ACK */
	MESH_CONN_ACTIVE,	/* ACK received */
};

struct mesh_outgoing;

struct mesh_conn {
	int32_t id;		/* the daemon's handle */
	enum mesh_conn_state state;
	char *name;		/* NULL until the ID line */
	struct mesh_node *node;
	bool initiator;		/* we called connect() */
	struct mesh_outgoing *outgoing;	/* its ConnectTo record, if any */
	char *peer_addr, *peer_port;	/* TCP peer address (text) */
	char *local_addr;		/* our end of the TCP socket (text) */
	uint32_t options;	/* our ACK options, then merged */
	int peer_minor;
	int32_t estimated_weight;	/* ms from our ID to our ACK */
	uint32_t status;	/* MESH_CS_* */
	bool acked;		/* we sent our ACK */
	fl_time_t id_sent, last_ping;
	struct mesh_edge *edge;	/* myself -> peer, once active */
};

/* What the daemon knows about hosts/NAME (and its global settings merged
 * in where META.md says so). Filled by the host_lookup callback. */
struct mesh_host_info {
	bool exists;		/* hosts/NAME present */
	bool has_key;		/* Ed25519PublicKey known */
	bool has_weight;
	int32_t weight;		/* Weight from hosts/NAME */
	int indirect, tcponly, clampmss;	/* -1 unset, 0 no, 1 yes */
	int pmtu;		/* lower of PMTU in hosts/NAME and global; 0 unset */
	bool has_address;	/* at least one Address line */
	/* Address lines (host, port), port already defaulted (Port or 655). */
	size_t n_addresses;
	const char *const *address_host;
	const char *const *address_port;
};

struct mesh_config {
	const char *myname;
	const char *my_udp_port;	/* port of our first listening socket */
	const char *my_pubkey_b64;	/* our Ed25519 public key, tinc-b64 */
	uint32_t my_options;	/* INDIRECT|TCPONLY|PMTU_DISCOVERY|CLAMP_MSS */
	bool has_my_weight;
	int32_t my_weight;
	int ping_interval;	/* seconds; 0 = default 60 */
	int ping_timeout;	/* seconds; 0 = default 5 */
	int max_timeout;	/* seconds; 0 = default 900 */
	int udp_info_interval, mtu_info_interval;	/* 0 = default 5 */
	int udp_discovery_timeout;	/* 0 = default 30 */
	bool autoconnect;
	bool tunnelserver;
	bool strictsubnets;
	bool forwarding_internal;	/* Forwarding = internal (default) */
	/* 0: every call settles at once (graph run, lookup index rebuilt,
	 * GRAPH_CHANGED), as tinc does per request. > 0: flooded edge and
	 * subnet changes are batched and the owner calls mesh_settle() once
	 * per event-loop iteration; the index is rebuilt at most every
	 * settle_ms plus 1 ms per 200 subnets (lookups meanwhile search the
	 * table, always current), graph runs at most every settle_ms / 10
	 * plus 1 ms per 200 edges. Bounds the work a flood can cause. */
	int settle_ms;
	/* Most subnets learned from other nodes (0 = 1,000,000); beyond it
	 * ADD_SUBNET is ignored, not forwarded, and counted. A fenliu
	 * addition: tinc has no limit. */
	size_t max_subnets;
	/* Callbacks into the daemon; ctx is passed back. */
	void *ctx;
	bool (*host_lookup)(void *ctx, const char *name,
			    struct mesh_host_info *out);
	uint32_t (*random_u32)(void *ctx);
};

/* ---- outputs ---------------------------------------------------------- */

/*
 * Output items, to be carried out in list order. "node" pointers stay valid
 * until mesh_purge()/mesh_free(); text/data/host/port are owned by the list.
 * Events copy the node's UDP address into host/port (REMOTEADDRESS and
 * REMOTEPORT of scripts, "unspec" if none) for HOST_* and SUBNET_*.
 */
enum mesh_out_kind {
	/* Connection actions. */
	MESH_OUT_SEND_RAW,	/* conn: send text + '\n' in plaintext (ID line) */
	MESH_OUT_START_SPTPS,	/* conn: start the meta SPTPS stream session;
				   initiator flag; label = data/len (NUL
				   included); peer key = hosts/node->name */
	MESH_OUT_SEND,		/* conn: send text + '\n' as one SPTPS record */
	MESH_OUT_SEND_BINARY,	/* conn: send text + '\n' as a record, then
				   data/len raw on the TCP stream (21) */
	MESH_OUT_SEND_PACKET,	/* conn: send text + '\n' as a record, then
				   data/len as the next record (PACKET 17) */
	MESH_OUT_CLOSE,		/* conn: close the socket (reason = why). The
				   mesh has already forgotten conn: do NOT call
				   mesh_conn_close() for it */
	MESH_OUT_CONNECT,	/* connect to node at host/port (host may need
				   resolving; try its results in turn). Report
				   total failure with mesh_connect_failed(),
				   success with mesh_conn_open(name = node) */
	/* Events. */
	MESH_EV_HOST_UP,	/* node became reachable: host-up, hosts/N-up */
	MESH_EV_HOST_DOWN,	/* node became unreachable: host-down, N-down */
	MESH_EV_SUBNET_UP,	/* subnet (owner = node) usable: subnet-up */
	MESH_EV_SUBNET_DOWN,	/* subnet-down */
	MESH_EV_GRAPH_CHANGED,	/* nodes/edges/subnets changed: republish the
				   routing snapshots (once per call at most) */
	MESH_EV_REQ_SPTPS_START,	/* node (FROM) sent us the first record of
					   a UDP SPTPS session (data/len): stop any
					   session with it, start one as responder
					   (label "tinc UDP key expansion FROM ME"
					   + NUL), feed data; the mesh already set
					   WAITINGFORKEY/last_req_key. Our records
					   go out with mesh_send_ans_key(). The
					   mesh already sent MTU_INFO */
	MESH_EV_ANS_KEY,	/* node's next UDP handshake record data/len
				   (len 0: undecodable, treat as feed failure);
				   value = compression it wants (already stored
				   in node->compression); host/port (non-NULL)
				   = FROM's address appended by a relay: adopt
				   it once the session is keyed. On feed failure
				   restart if now - node->last_req_key > 10 s;
				   on success mesh_send_mtu_info(me, node) */
	MESH_EV_SPTPS_DATA,	/* UDP SPTPS datagram data/len from node to
				   node2 that came over TCP: node2 == myself:
				   open it with node's session (then
				   mesh_send_mtu_info); else relay it to node2
				   with the data path */
	MESH_EV_PUBKEY,		/* node sent its Ed25519 key (data/len = 32
				   bytes): append it to hosts/NAME */
	MESH_EV_UDP_ADDRESS,	/* node's UDP address is now host/port
				   (UDP_INFO; node->addr/port updated): probe it */
	MESH_EV_MTU,		/* value = provisional MTU for node (MTU_INFO;
				   node->mtu updated) */
	MESH_EV_PACKET_NEXT,	/* conn: the next record is a packet of value
				   bytes from node (PACKET 17): check its length,
				   route it as coming from node */
	MESH_EV_SPTPS_PACKET_NEXT,	/* conn: the next value raw bytes on the
					   stream are a binary SPTPS_PACKET; pass
					   them to mesh_conn_sptps_packet() */
	MESH_EV_TRY_TX,		/* run "try to improve the tunnel" for node
				   (UDP.md §2.4; starts key exchange/probes) */
	MESH_EV_UDP_RESET,	/* node flipped reachability: stop its UDP
				   SPTPS session, forget UDP confirmation and
				   probes (GRAPH.md §3.1 step 4; the mesh reset
				   its status bits, minmtu and maxmtu) */
	MESH_EV_PONG,		/* conn got a PONG */
	MESH_EV_SLEEP,		/* contradiction storm: pause value seconds */
	MESH_EV_LOG,		/* text is a log line worth showing */
};

struct mesh_out_item {
	enum mesh_out_kind kind;
	int32_t conn;		/* MESH_CONN_NONE if not about a connection */
	struct mesh_node *node, *node2;
	struct mesh_subnet subnet;
	char *text;		/* owned; NUL-terminated */
	size_t text_len;
	uint8_t *data;		/* owned */
	size_t len;
	char *host, *port;	/* owned */
	int64_t value;
	bool initiator;
	const char *reason;	/* static string */
};

struct mesh_out {
	struct mesh_out_item *v;
	size_t n, cap;
	bool oom;		/* an item was lost for lack of memory */
};

void mesh_out_init(struct mesh_out *o);
void mesh_out_clear(struct mesh_out *o);	/* frees items, keeps nothing */

/* ---- state ------------------------------------------------------------ */

struct mesh;

/* Copies cfg (strings included). NULL on allocation failure or bad cfg. */
struct mesh *mesh_new(const struct mesh_config *cfg, fl_time_t now);
void mesh_free(struct mesh *m);
/* Reload (CONFIG.md §6 step 2): take the reloadable fields of cfg (ping
 * interval/timeout, MaxTimeout, UDP discovery timeout, AutoConnect, our
 * Weight and option bits); names, keys, ports and callbacks stay. New
 * options are announced on connections made from now on, as in tinc. */
void mesh_reconfigure(struct mesh *m, const struct mesh_config *cfg);

struct mesh_node *mesh_myself(const struct mesh *m);
struct mesh_node *mesh_node_find(const struct mesh *m, const char *name);
/* Find or create; NULL if the name is invalid or memory ran out. */
struct mesh_node *mesh_node_get(struct mesh *m, const char *name);
struct mesh_node *mesh_node_by_id(const struct mesh *m,
				  const uint8_t id[static MESH_NODE_ID_LEN]);
/* All nodes in name order. */
size_t mesh_node_count(const struct mesh *m);
struct mesh_node *mesh_node_at(const struct mesh *m, size_t i);
/* Look up an edge from -> to. */
struct mesh_edge *mesh_edge_find(const struct mesh_node *from,
				 const struct mesh_node *to);
/* All subnets in §5.2 order (dump subnets). */
const struct mesh_subnet_table *mesh_subnets(const struct mesh *m);
/* Lookup by tinc's rules (for tests and the daemon until the dataplane
 * publishes its own). */
const struct mesh_subnet *mesh_subnet_route(const struct mesh *m,
					    enum mesh_subnet_type type,
					    const uint8_t *addr);
struct mesh_conn *mesh_conn_find(const struct mesh *m, int32_t conn);

/* Own and broadcast subnets (config). The four default broadcast subnets are
 * added by mesh_new. Adding an own subnet announces it on every active
 * connection and emits SUBNET_UP. */
bool mesh_add_own_subnet(struct mesh *m, const struct mesh_subnet *s,
			 struct mesh_out *out);
bool mesh_del_own_subnet(struct mesh *m, const struct mesh_subnet *s,
			 struct mesh_out *out);
bool mesh_add_broadcast_subnet(struct mesh *m, const struct mesh_subnet *s);
bool mesh_del_broadcast_subnet(struct mesh *m, const struct mesh_subnet *s);
/* After a reload: re-read HAS_ADDRESS for every node from host_lookup. */
void mesh_reload_hosts(struct mesh *m);
/* StrictSubnets: a subnet of another node read from hosts/OWNER (not
 * announced; SUBNET_UP if the owner is reachable). */
bool mesh_add_node_subnet(struct mesh *m, const char *owner,
			  const struct mesh_subnet *s, struct mesh_out *out);
/* StrictSubnets/TunnelServer reconciliation (CONFIG.md §6 step 3; also at
 * start): make other nodes' subnets exactly want[0..n) (owner set in each;
 * entries owned by myself or no one are skipped, own subnets have their own
 * calls). Gone ones: DEL_SUBNET to everyone and SUBNET_DOWN if the owner is
 * reachable; new ones: ADD_SUBNET to everyone and SUBNET_UP. false if memory
 * ran out (the table then holds what could be added). */
bool mesh_strict_reconcile(struct mesh *m, const struct mesh_subnet *want,
			   size_t n, struct mesh_out *out);
/* What StrictSubnets/TunnelServer turned away so far. */
struct mesh_strict_stats {
	uint64_t subnets_ignored;	/* ADD_SUBNETs not applied */
	uint64_t indirect_ignored;	/* TunnelServer: third-party facts */
};
const struct mesh_strict_stats *mesh_strict_stats(const struct mesh *m);
/* `tinc purge` (GRAPH.md §9): forget unreachable nodes, their subnets and
 * edges, telling everyone. Node pointers of purged nodes become invalid. */
void mesh_purge(struct mesh *m, struct mesh_out *out);

/* ---- connections -------------------------------------------------------- */

/*
 * A TCP connection exists (accepted, or connect() completed). outgoing_name
 * is the node we connected to (NULL for accepted ones). Addresses are
 * numeric text; local_addr is our end (getsockname). For outgoing ones the
 * mesh emits SEND_RAW with our ID line at once.
 */
bool mesh_conn_open(struct mesh *m, int32_t conn, const char *outgoing_name,
		    const char *peer_addr, const char *peer_port,
		    const char *local_addr, fl_time_t now, struct mesh_out *out);

/*
 * One request line arrived on conn (plaintext ID line or one SPTPS record,
 * newline stripped or not). Returns MESH_OK, or an error: the daemon must
 * then close conn (log "NAME (ADDR port PORT): " + mesh_strerror) and call
 * mesh_conn_close(). Control connections ("0 ^..." ID lines) are the
 * daemon's: recognise them before calling this (the mesh refuses them).
 * After the ID line, START_SPTPS says: every further byte is SPTPS.
 */
enum mesh_err {
	MESH_OK = 0,
	MESH_E_PARSE,		/* malformed request (see req_err in log) */
	MESH_E_UNAUTHORIZED,	/* request not allowed in this state */
	MESH_E_LEGACY,		/* peer offers only the legacy protocol */
	MESH_E_ID,		/* bad ID: own name, wrong name, major != 17 */
	MESH_E_UNKNOWN_HOST,	/* no hosts/NAME or no Ed25519 key */
	MESH_E_TERMREQ,		/* peer sent TERMREQ */
	MESH_E_CONTROL,		/* CONTROL on a peer connection */
	MESH_E_NOMEM,
	MESH_E_NOCONN,		/* unknown connection id */
	MESH_E_DUPLICATE,	/* conn id already open */
};
const char *mesh_strerror(enum mesh_err e);

enum mesh_err mesh_conn_recv(struct mesh *m, int32_t conn, const char *line,
			     size_t len, fl_time_t now, struct mesh_out *out);
/* The meta SPTPS handshake on conn finished (first time): sends our ACK. */
enum mesh_err mesh_conn_sptps_ready(struct mesh *m, int32_t conn, fl_time_t now,
				    struct mesh_out *out);
/* The LENGTH raw bytes that followed "21 LENGTH" on conn. */
enum mesh_err mesh_conn_sptps_packet(struct mesh *m, int32_t conn,
				     const uint8_t *buf, size_t len,
				     fl_time_t now, struct mesh_out *out);
/* conn is gone (closed by us or the peer). Emits DEL_EDGEs, host-down etc.
 * and, for outgoing connections, the next CONNECT. */
void mesh_conn_close(struct mesh *m, int32_t conn, fl_time_t now,
		     struct mesh_out *out);

/* ---- timers -------------------------------------------------------------- */

/* Call once per second: ping/timeouts (§7.1), request-cache aging (§6),
 * 5-second work (§7.2, §7.4, AutoConnect §8.3), outgoing retries (§8.2). */
void mesh_tick(struct mesh *m, fl_time_t now, struct mesh_out *out);
/* Whether other nodes' SUBNET_UP/SUBNET_DOWN events are wanted (default
 * yes). A daemon with no subnet-up/-down script turns them off, so a node
 * with 100,000 subnets going down is not 100,000 output items. */
void mesh_set_subnet_events(struct mesh *m, bool on);
/* With cfg.settle_ms > 0, call after each event-loop iteration: runs the
 * batched graph run and index rebuild when due. Returns the ms until it
 * wants to be called again (-1: nothing pending). */
int mesh_settle(struct mesh *m, fl_time_t now, struct mesh_out *out);

/* ---- key exchange and packets the daemon originates -------------------- */

/* Start a UDP SPTPS session to `to`: if we lack its key, sends REQ_PUBKEY and
 * returns false (do not start); else marks WAITINGFORKEY and returns true;
 * the daemon then starts the session and passes the first record to
 * mesh_send_sptps_start(). */
bool mesh_want_key(struct mesh *m, struct mesh_node *to, fl_time_t now,
		   struct mesh_out *out);
/* "15 ME TO 15 b64(rec)" to nexthop(to). */
bool mesh_send_sptps_start(struct mesh *m, struct mesh_node *to,
			   const uint8_t *rec, size_t len, fl_time_t now,
			   struct mesh_out *out);
/* "16 ME TO b64(rec) -1 -1 -1 COMPRESSION" to nexthop(to). */
bool mesh_send_ans_key(struct mesh *m, struct mesh_node *to,
		       const uint8_t *rec, size_t len, int compression,
		       struct mesh_out *out);
/* A UDP SPTPS datagram from `from` (us or a relayed node) to `to` that must go
 * over TCP: binary 21 if the next hop's peer speaks minor >= 7, else REQ_KEY
 * sub-code 21. */
bool mesh_send_sptps_data(struct mesh *m, struct mesh_node *from,
			  struct mesh_node *to, const uint8_t *dgram,
			  size_t len, struct mesh_out *out);
/* PACKET 17 to a direct neighbour: "17 LEN" then the frame as a record
 * (MESH_OUT_SEND_PACKET). False if `to` has no active connection. */
bool mesh_send_packet(struct mesh *m, struct mesh_node *to,
		      const uint8_t *frame, size_t len, struct mesh_out *out);
void mesh_send_udp_info(struct mesh *m, struct mesh_node *from,
			struct mesh_node *to, fl_time_t now,
			struct mesh_out *out);
void mesh_send_mtu_info(struct mesh *m, struct mesh_node *from,
			struct mesh_node *to, int mtu, fl_time_t now,
			struct mesh_out *out);
/* Flood "14 NONCE MYNAME" (optional after a KeyExpire re-key, META.md
 * §5.14; harmless to tinc 1.1 peers). */
void mesh_send_key_changed(struct mesh *m, struct mesh_out *out);
/* The UDP session with node reached "handshake complete". */
void mesh_key_valid(struct mesh *m, struct mesh_node *n);

/* ---- dumps (CONFIG.md §5.3) ---------------------------------------------- */

/* Data-plane figures of a node line (the mesh does not own them). */
struct mesh_dump_stats {
	int rtt;		/* microseconds, -1 if none */
	uint64_t in_packets, in_bytes, out_packets, out_bytes;
};
/* "18 3 ..." for node n (st may be NULL: rtt -1, counters 0). Nodes in name
 * order: mesh_node_at(). Returns the length or -1 if cap is too small. */
int mesh_dump_node(const struct mesh_node *n, const struct mesh_dump_stats *st,
		   char *buf, size_t cap);
/* "18 4 ..." for e; walk nodes in name order, then n->edges in order. */
int mesh_dump_edge(const struct mesh_edge *e, char *buf, size_t cap);
/* "18 5 ..." for each entry of mesh_subnets() in order. */
int mesh_dump_subnet(const struct mesh_subnet *s, char *buf, size_t cap);
/* "18 6 ..." for a meta connection (control connections are the daemon's). */
int mesh_dump_conn(const struct mesh_conn *c, int socket_fd, char *buf,
		   size_t cap);

/* ---- outgoing connections (§8) -------------------------------------------- */

/* Reconcile the ConnectTo list (names; invalid ones and our own are skipped
 * and reported as MESH_EV_LOG). New ones get a CONNECT now. */
void mesh_set_connect_to(struct mesh *m, const char *const *names, size_t n,
			 fl_time_t now, struct mesh_out *out);
/* The CONNECT for node failed (resolve, socket or connect error): next
 * candidate address, or back-off. */
void mesh_connect_failed(struct mesh *m, struct mesh_node *node, fl_time_t now,
			 struct mesh_out *out);
/* `tinc retry`: every back-off to 0, retry now. */
void mesh_retry(struct mesh *m, fl_time_t now, struct mesh_out *out);

#endif
