/* SPDX-License-Identifier: MIT */
/*
 * fenliud's state, owned by the control thread: the event loop, the mesh
 * model, meta connections, per-node UDP state, listeners, the device, the
 * control server and the scripts runner. Only src/daemon's glue files
 * include this; each owns one part:
 *   fenliud.c      main, startup/shutdown, reload
 *   fld_loop.c     the event loop's use: signals, timers, per-iteration work
 *   fld_conf.c     the settings generation (d->cfg), hosts/ lookups, and
 *                  the one translation into mesh_config / fl_dp_settings
 *   fld_meta.c     meta connections: TCP socket + SPTPS stream + framing
 *   fld_net.c      listeners, outgoing connects
 *   fld_out.c      carrying out the mesh's outputs
 *   fld_session.c  UDP SPTPS sessions (REQ_KEY/ANS_KEY)
 *   fld_dp.c       wiring to src/dataplane: batched TUN and UDP I/O
 *   fld_ctl.c      the control provider (dumps, stop, reload, ...)
 *   fld_routes.c   local routes (route/NODE): load, swap, lookup, dump
 *   fld_reload.c   reload: closing connections of changed hosts/ files
 *   fld_keyexpire.c  KeyExpire: periodic re-key of the UDP sessions
 *   fld_purge.c    PURGE: forgetting unreachable nodes
 *   fld_strict.c   StrictSubnets/TunnelServer: subnets from hosts/ files
 *   fld_udpoff.c   UDP_SEGMENT/UDP_GRO on the UDP sockets
 *   fld_privs.c    -L, ProcessPriority, -U/-R (after devices and sockets)
 *   fld_offload.c  split tunnelling: offload device, lists, NAT, dumps
 *                  (fld_offload.h; its variables in fld_offload_conf.c)
 *   fld_invite.c   invitations: the inviter's side of `tinc join`
 *   fld_switch.c   Mode = switch/hub: TAP, learned MACs, broadcast
 *   fld_pcap.c     `fenliu pcap`: frame copies to control clients
 *   fld_trace.c    -d4 request tracing, worded as tincd's
 *   fld_lan*.c     the TAP router's `lan` interfaces (fld_lan.h)
 */
#ifndef FL_DAEMON_FLD_H
#define FL_DAEMON_FLD_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "crypto/ed25519.h"
#include "crypto/sptps.h"
#include "dataplane/dataplane.h"
#include "io/tun.h"
#include "io/udp.h"
#include "conf/conf.h"
#include "conf/conf_load.h"
#include "conf/conf_proxy.h"
#include "conf/conf_vars.h"
#include "control/ctl_server.h"
#include "io/loop.h"
#include "daemon/conn_burst.h"
#include "daemon/meta_frame.h"
#include "daemon/script.h"
#include "mesh/mesh.h"

#define FLD_MAX_LISTEN 8
#define FLD_LOOKUP_MAX 32

typedef fl_loop_fd_fn fld_fd_fn;

struct fld;
struct fld_routes;
struct fld_offload;
struct fld_lan;
struct fld_vpnnat;

/* One meta connection (mesh connection id = id). */
struct fld_conn {
	struct fld *d;
	int32_t id;
	int fd;
	bool connecting;	/* non-blocking connect in progress */
	bool outgoing;
	bool sptps_done;	/* first handshake finished */
	bool closing;		/* close after the output is flushed */
	const char *close_why;	/* static text for the log; NULL: protocol error */
	bool preauth;		/* incoming, peer not authenticated yet:
				   counted in fld.n_preauth */
	char *outgoing_name;
	char host[64], port[16];	/* peer (numeric) */
	char shown[256], shown_port[32]; /* the same for logs (Hostnames: names) */
	struct fl_sptps *sptps;
	struct fl_meta_frame frame;
	uint8_t *out;		/* pending output */
	size_t out_len, out_cap;
	fl_time_t started;
	struct fld_invite *invite;	/* fld_invite.c: an invitation greeting */
	struct fl_proxy_hs *proxy;	/* fld_proxy.c: handshake with the Proxy
					   in progress; NULL: none or done */
};

/* Per-node daemon state, by mesh node. */
struct fld_node {
	struct mesh_node *n;
	struct fl_dp_peer *peer;	/* the dataplane's handle */
	struct fl_sptps *udp;	/* UDP SPTPS session, NULL if none */
	bool udp_initiator;
	bool starting;		/* inside fl_sptps_start of our own session */
	char *addr_text, *port_text;	/* UDP address last given to the dataplane */
	fl_time_t req_key;	/* last REQ_SPTPS_START sent/received */
	fl_time_t grace_end;	/* fld_now() when the previous receive key
				   goes (a re-key's grace period); 0: none */
	int rtt_us;
	unsigned long long in_pkts, in_bytes, out_pkts, out_bytes;
};

/* Rate limit of the drop log lines of one reason (fld_stats.c). */
struct fld_droplog {
	uint64_t second;	/* fl_time_to_s(now) of the current window */
	unsigned n;		/* lines logged in it */
	unsigned long suppressed;
};

/* Meta framing errors counted by reason (enum fl_meta_frame_err); reasons
 * past the end are counted in slot 0. */
#define FLD_META_DROPS 16

/* Connections refused by MaxConnectionBurst held open at once (tincd: 10). */
#define FLD_TARPIT 10

struct fld_listener {
	int tcp, udp;
	int family;
	bool bindto;			/* from BindToAddress: also binds outgoing */
	struct sockaddr_storage sa;	/* the address asked for */
	struct sockaddr_storage bound;	/* what the TCP socket got */
};

/* Meta connections before their peer is authenticated (issue 22.4). A
 * connection is "unauthenticated" from accept until the SPTPS SIG checks
 * out; until then it may hold only small records, and the daemon holds only
 * so many such connections, in total and per source address (fenliu
 * limits, not settings of tinc's; documented in fenliud.8). They end on
 * PingTimeout, as in tinc ("timeout during authentication"). */
#define FLD_PREAUTH_RECORD_MAX 512 /* KEX and SIG are well under 100 bytes */
#define FLD_PREAUTH_MAX 256
#define FLD_PREAUTH_PER_HOST 10
/* After accept() fails for lack of descriptors, the listeners rest this
 * long before trying again (issue 22.5). */
#define FLD_ACCEPT_PAUSE_MS 1000

/* Counters of the meta side, for `fenliu dump stats`-like readers. */
struct fld_meta_stats {
	unsigned long preauth_refused_total;	/* over FLD_PREAUTH_MAX */
	unsigned long preauth_refused_host;	/* over FLD_PREAUTH_PER_HOST */
	unsigned long preauth_record_long;	/* record over FLD_PREAUTH_RECORD_MAX */
	unsigned long accept_fd_exhausted;	/* accept() out of descriptors */
	unsigned long accept_paused;		/* times the listeners were paused */
	unsigned long invitations_accepted;	/* fld_invite.c: joiner's key stored */
	unsigned long invitations_refused;	/* greeting, cookie or key refused */
	unsigned long proxy_failed;		/* fld_proxy.c: Proxy refused or failed */
	unsigned long conn_timeout;		/* connect or proxy handshake over PingTimeout */
	unsigned long out_red_dropped;		/* fld_out.c: MaxOutputBufferSize drops */
	unsigned long burst_same_host;		/* fld_net.c: MaxConnectionBurst, one address */
	unsigned long burst_total;		/* fld_net.c: MaxConnectionBurst, all */
};

struct fld {
	struct fl_loop *loop;
	struct fl_timer tick_timer;	/* every second: fld_loop.c */
	struct fl_timer settle_timer;	/* when mesh_settle() wants a call */
	struct fl_timer script_timer;	/* polls running scripts */
	struct fl_timer accept_timer;	/* resumes paused listeners */
	struct mesh *mesh;
	char *confbase, *netname, *pidfile, *logfile;
	/* Settings (src/conf, fld_conf.c): cfg is the current generation,
	 * swapped whole on reload; boot is the one read at start, which the
	 * start-only settings (Name, Port, listeners, Interface, Device,
	 * StrictSubnets, TunnelServer) are read from, as tincd does. They are
	 * the same object until the first reload. */
	struct fl_config *boot, *cfg;
	const char *name;	/* boot->s.name */
	struct fl_ed25519_key key;
	char pub_b64[64];
	int debug;
	bool debug_from_conf;	/* no -d: LogLevel applies */
	struct fl_conf cmdline;	/* -o options */
	const char *switch_user;	/* -U, NULL if not given */
	bool do_chroot, do_mlock;	/* -R, -L */
	struct fl_conf_warned warned;
	char port[16];		/* Port, or the first listener's when 0 */
	bool port_specified;	/* Port set: else the first listener's port */
	/* host_lookup answers (valid until the next lookup) */
	char *lookup_host[FLD_LOOKUP_MAX], *lookup_port[FLD_LOOKUP_MAX];
	size_t lookup_n;
	/* device */
	int tun_fd;
	uint8_t *tun_gso_buf; /* set: tun_fd has TCP offload (io/tun.h) */
	struct fl_tun_gro tun_gro; /* its write-side coalescing */
	char ifname[32];
	char device[64];
	/* sockets */
	struct fld_listener listen[FLD_MAX_LISTEN];
	size_t n_listen;
	/* connections */
	struct fld_conn **conns;
	size_t n_conns, cap_conns;
	int32_t next_conn_id;
	/* nodes */
	struct fld_node **nodes;
	size_t n_nodes, cap_nodes;
	/* control, scripts, signals */
	struct fl_ctl_server *ctl;
	struct fl_ctl_provider ctl_provider;
	struct fl_ctl_loop_ops ctl_loop;
	int ctl_listen_fd;
	char *socket_path;
	struct fl_script_runner *scripts;
	char cookie[65];
	bool stop, reload_pending;
	int64_t last_config_check;	/* time() of the last (re)load */
	fl_time_t next_keyexpire;	/* fld_now() of the next re-key, 0: none */
	struct fl_dp *dp;
	struct fl_dp_sptps *dps;
	struct fl_pkt_pool *pool;
	struct fl_dp_ops dp_ops;
	struct fl_udp_txq txq[FLD_MAX_LISTEN];
	struct fl_udp_rxq rxq[FLD_MAX_LISTEN];	/* UDP_GRO receive state (fld_udpoff.c) */
	uint32_t my_options;
	bool in_binary;		/* inside a binary SPTPS_PACKET's handling */
	bool graph_dirty;
	size_t n_reachable;	/* other nodes reachable now (host-up minus host-down) */
	bool standby_up;	/* DeviceStandby: tinc-up has run, tinc-down not yet */
	bool conns_dirty;	/* some connection has queued output */
	unsigned long dropped_meta;	/* meta connections closed on a framing error */
	unsigned long meta_drops[FLD_META_DROPS];
	struct fld_droplog droplog[FL_DP_DROP_MAX];
	struct fld_meta_stats meta_stats;
	size_t n_preauth;		/* incoming conns not authenticated yet */
	fl_time_t preauth_log;		/* fld_now() of the last refusal logged */
	fl_time_t accept_log;		/* fld_now() of the last pause logged */
	/* MaxConnectionBurst (fld_net.c): the counters, and the connections
	 * refused by it, held open unserved, the oldest closed first. */
	struct fl_conn_burst burst;
	int tarpit[FLD_TARPIT];		/* fd + 1; 0: empty (struct fld starts zeroed) */
	unsigned tarpit_next;
	fl_time_t burst_log;		/* fld_now() of the last refusal logged */
	struct fld_routes *routes;	/* fld_routes.c */
	struct fld_offload *offload;	/* fld_offload.c; NULL: no OffloadInterface */
	/* The crypto pipeline (fld_dp.c): CryptoThreads (0 = one per core),
	 * its workers, and the packets in the send queues whose seal waits
	 * for the next batch. */
	int crypto_threads;
	struct fl_dp_workers *workers;
	struct fl_pkt *seal_pend[FLD_MAX_LISTEN * FL_UDP_BATCH];
	size_t n_seal_pend;
	uint64_t seal_ticket;		/* last seal handed to the workers, 0: none */
	/* Per send queue: how many of its first packets were queued before
	 * that hand-off, so are sealed once seal_ticket is waited for. */
	unsigned txq_handed[FLD_MAX_LISTEN];
	/* dump stats "crypto_pipeline": hand-offs to the workers, datagrams
	 * sent while the next batch was sealed, and waits for the whole
	 * pipeline because a send queue was full. */
	uint64_t pipe_handoffs, pipe_overlap_sent, pipe_full_drains;
	struct fld_switch *sw;		/* fld_switch.c */
	struct fld_lan *lan;		/* fld_lan.c: interfaces/ with Role = lan */
	struct fld_vpnnat *vpnnat;	/* fld_vpnnat.c: the LAN NATs, a list */
};

/* fld_meta.c */
/* May an incoming connection from host be accepted now? Counts and logs
 * (rate-limited) a refusal. */
bool fld_conn_preauth_admit(struct fld *d, const char *host);
struct fld_conn *fld_conn_new(struct fld *d, int fd, bool outgoing, const char *name,
			      bool connecting);
struct fld_conn *fld_conn_find(struct fld *d, int32_t id);
/* Close now: unwatch, close fd, tell the mesh (which may emit outputs). */
void fld_conn_close(struct fld_conn *c, const char *why);
void fld_conn_free_all(struct fld *d);
void fld_conn_sweep(struct fld *d);
void fld_conn_flush_all(struct fld *d);
void fld_conn_accepted(struct fld_conn *c, const char *lhost);
/* Hand the kernel what it takes of c's output now; the bytes still queued.
 * A send error marks c closing (fld_conn_sweep closes it). */
size_t fld_conn_backlog(struct fld_conn *c);
/* Every second: give up connects and proxy handshakes past PingTimeout. */
void fld_conn_tick(struct fld *d);
int fld_conn_send_raw(struct fld_conn *c, const void *data, size_t len);
int fld_conn_send_record(struct fld_conn *c, const void *data, size_t len);
int fld_conn_start_sptps(struct fld_conn *c, bool initiator, const uint8_t *label,
			 size_t label_len);

/* fld_conf.c: NAME's Ed25519 public key (KEYS.md §4.3). 0 or -1. */
int fld_host_key(struct fld *d, const char *name, uint8_t pub[static 32]);

/* fld_out.c */
void fld_out_run(struct fld *d, struct mesh_out *out);

/* fld_net.c */
int fld_net_listen(struct fld *d);
void fld_net_close(struct fld *d);
void fld_net_connect(struct fld *d, struct mesh_node *n, const char *host, const char *port);
/* Hostnames = yes: the name of a numeric host and port, for logs and dumps
 * (reverse lookup, as tincd); else, or for a non-numeric one, host itself.
 * Returns host's text in hb (and port's in pb). */
const char *fld_net_shown(struct fld *d, const char *host, const char *port, char *hb,
			  size_t hl, char *pb, size_t pl);

/* fld_proxy.c: outgoing connections through Proxy */
void fld_proxy_conf(const struct fld *d, struct fl_proxy_conf *px);
struct addrinfo;
struct addrinfo *fld_proxy_resolve(const struct fl_proxy_conf *px);
int fld_proxy_exec(struct fld *d, const struct fl_proxy_conf *px, const char *node,
		   const char *host, const char *port);
int fld_proxy_attach(struct fld_conn *c, const struct fl_proxy_conf *px,
		     const struct addrinfo *ai);
int fld_proxy_start(struct fld_conn *c);
int fld_proxy_input(struct fld_conn *c, const uint8_t *buf, size_t len, size_t *used);

/* fld_session.c */
struct fld_node *fld_node(struct fld *d, struct mesh_node *n);
void fld_nodes_free(struct fld *d);
void fld_session_bind(struct fld *d);
void fld_session_request(struct fld *d, struct mesh_node *n);
void fld_udp_reset(struct fld *d, struct mesh_node *n);
void fld_udp_req_start(struct fld *d, struct mesh_node *from, const uint8_t *rec, size_t len);
void fld_udp_ans_key(struct fld *d, struct mesh_node *from, const uint8_t *rec, size_t len,
		     int compression, const char *host, const char *port);
void fld_udp_set_address(struct fld *d, struct mesh_node *n, const char *host, const char *port);
void fld_try_tx(struct fld *d, struct mesh_node *n, bool pmtu);
void fld_udp_tick(struct fld *d);

/* fld_dp.c */
struct fl_dp_peer *fld_peer(struct fld *d, struct mesh_node *n);
/* fld_udpoff.c: UDP_SEGMENT/UDP_GRO on the listeners (after their txq
 * init), and freeing the receive queues. */
void fld_udpoff_start(struct fld *d);
void fld_udpoff_stop(struct fld *d);

int fld_dp_start(struct fld *d);
/* CryptoThreads changed by a reload: the workers are replaced at once. */
void fld_dp_set_crypto_threads(struct fld *d, int n);
void fld_dp_stop(struct fld *d);
void fld_dp_free_pool(struct fld *d);
void fld_dp_flush(struct fld *d);
void fld_dp_sync(struct fld *d);
void fld_dp_publish(struct fld *d);
void fld_dp_pull(struct fld *d);
void fld_dp_udp_readable(void *ctx, int fd, unsigned events);
void fld_dp_tun_readable(void *ctx, int fd, unsigned events);
void fld_dp_packet_in(struct fld *d, struct mesh_node *from, const uint8_t *frame, size_t len);
void fld_dp_tcp_data(struct fld *d, struct mesh_node *from, struct mesh_node *to,
		     const uint8_t *dgram, size_t len);

/* fld_ctl.c */
int fld_ctl_start(struct fld *d);
void fld_ctl_stop(struct fld *d);

/* fld_pcap.c: ops.pcap (ctx = struct fld *), and turning the dataplane's
 * copies on or off after each control socket event. */
bool fld_pcap_copy(void *ctx, const uint8_t *frame, size_t len);
void fld_pcap_update(struct fld *d);

/* fld_trace.c: "Sending REQ to NAME (HOST port PORT): line" / "Got ..."
 * at debug level 4, as tincd logs each meta request. */
void fld_trace_request(struct fld *d, const struct fld_conn *c, bool sending, const char *line,
		       size_t len);
/* The same for a received "17 LEN" / "21 LEN" line, which the framing
 * consumed before the binary part. */
void fld_trace_binary(struct fld *d, const struct fld_conn *c, int type, size_t len);

/* fld_routes.c (ctx = struct fld *) */
int fld_routes_reload(struct fld *d);
void fld_routes_free(struct fld *d);
void fld_routes_stage_targets(struct fld *d);
void fld_routes_each(void *ctx, fl_ctl_route_fn *emit, void *sink);

/* fld_offload.c (more in fld_offload.h): the control provider's text
 * dumps, `fenliu dump offload` and `dump nat` (ctx = struct fld). */
void fld_offload_each_line(void *ctx, int req, fl_ctl_line_fn *emit, void *sink);

/* fld_stats.c: `fenliu dump stats` and the rate-limited drop log. */
void fld_stats_each(void *ctx, fl_ctl_stat_fn *emit, void *sink);
void fld_stats_drop_note(void *ctx, enum fl_dp_drop why, struct fl_dp_peer *peer,
			 const union fl_addr *from);
void fld_stats_meta_drop(struct fld *d, enum fl_meta_frame_err e);

/* fld_loop.c: the daemon's event loop (src/io/loop.h): SIGHUP reloads,
 * SIGALRM retries, other signals stop; a one-second timer for the mesh,
 * sessions, KeyExpire and the watchdog; after each iteration the settled
 * mesh and the queued output. 0 or -1. */
int fld_loop_start(struct fld *d);
/* Subnet events of other nodes only while a subnet-up/down script exists. */
void fld_loop_subnet_events(struct fld *d);
/* Until a signal or `fenliu stop` sets d->stop. */
void fld_loop_run(struct fld *d);
void fld_loop_free(struct fld *d);

/* The time of the current loop iteration (wire/fl_time.h): the one value
 * the daemon passes to the mesh, the dataplane and its own timeouts. */
static inline fl_time_t fld_now(const struct fld *d)
{
	return fl_loop_now(d->loop);
}

/* Watch fd (add, or change events and callback) / stop watching it. */
static inline int fld_watch(struct fld *d, int fd, unsigned events, fld_fd_fn *fn, void *ctx)
{
	return fl_loop_watch(d->loop, fd, events, fn, ctx) < 0 ? -1 : 0;
}

static inline void fld_unwatch(struct fld *d, int fd)
{
	if (d->loop) /* NULL when start-up failed before the loop existed */
		fl_loop_unwatch(d->loop, fd);
}

/* fld_reload.c */
void fld_reload_stamp(struct fld *d);
/* A node for every hosts/NAME; "has address" recomputed for all. */
void fld_reload_scan_hosts(struct fld *d);
/* Close connections whose hosts/NAME changed since the stamp; restamp. */
void fld_reload_close_changed(struct fld *d);

/* fld_keyexpire.c: re-key UDP SPTPS sessions every KeyExpire seconds. */
void fld_keyexpire_start(struct fld *d);
void fld_keyexpire_tick(struct fld *d);

/* fld_purge.c: PURGE (forget unreachable nodes, GRAPH.md §9). */
void fld_purge(struct fld *d);

/* fld_strict.c: with StrictSubnets (or TunnelServer), other nodes' subnets
 * become exactly their hosts/ files' Subnet lines. 0, or -1 (logged). */
int fld_strict_load(struct fld *d, struct mesh_out *out);

/* fld_privs.c: -L, ProcessPriority, -U/-R. 0, or -1 (logged). drop
 * changes d->confbase to "" when it chroots. */
int fld_privs_mlock(void);
int fld_privs_priority(const struct fl_settings *s);
int fld_privs_drop(struct fld *d, const char *user, bool do_chroot);
/* fld_invite.c: the inviter's side of `tinc join` (an ID line "0 ?KEY"). */
bool fld_invite_greeting(const char *line, size_t len);
/* Answer the greeting and start the invitation's SPTPS session. 0 or -1. */
int fld_invite_start(struct fld_conn *c, const char *line, size_t len);
void fld_invite_free(struct fld_conn *c);
/* fld_switch.c: Mode = switch/hub. _conf reads Mode, DeviceType,
 * MACExpire, Broadcast, BroadcastSubnet (0, or -1 logged); _start after the
 * mesh exists; _ops fills the dataplane's mode and ops; _tick once a
 * second expires learned MACs. */
struct fl_settings;
struct fld_switch;
int fld_switch_conf(struct fld *d, const struct fl_settings *s, bool first);
bool fld_switch_tap(struct fld *d);
int fld_switch_start(struct fld *d);
void fld_switch_stop(struct fld *d);
void fld_switch_ops(struct fld *d, struct fl_dp_settings *s, struct fl_dp_ops *ops);
void fld_switch_tick(struct fld *d);

/* fenliud.c */
int fld_reload(struct fld *d);
void fld_run_host_script(struct fld *d, const char *script, struct mesh_node *n,
			 const struct mesh_subnet *s);

#endif
