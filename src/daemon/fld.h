/* SPDX-License-Identifier: MIT */
/*
 * fenliud's state, owned by the control thread: the event loop, the mesh
 * model, meta connections, per-node UDP state, listeners, the device, the
 * control server and the scripts runner. Only src/daemon's glue files
 * include this; each owns one part:
 *   fenliud.c      main, startup/shutdown, signals, timers, reload
 *   fld_conf.c     reading tinc.conf/hosts into the mesh and settings
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
 *   fld_switch.c   Mode = switch/hub: TAP, learned MACs, broadcast
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
#include "conf/conf_vars.h"
#include "control/ctl_server.h"
#include "io/loop.h"
#include "daemon/meta_frame.h"
#include "daemon/script.h"
#include "mesh/mesh.h"

#define FLD_MAX_LISTEN 8
#define FLD_LOOKUP_MAX 32

typedef void fld_fd_fn(void *ctx, int fd, unsigned events);

struct fld_watch {
	fld_fd_fn *fn;
	void *ctx;
	unsigned events;
};

struct fld;
struct fld_routes;

/* One meta connection (mesh connection id = id). */
struct fld_conn {
	struct fld *d;
	int32_t id;
	int fd;
	bool connecting;	/* non-blocking connect in progress */
	bool outgoing;
	bool sptps_done;	/* first handshake finished */
	bool closing;		/* close after the output is flushed */
	bool preauth;		/* incoming, peer not authenticated yet:
				   counted in fld.n_preauth */
	char *outgoing_name;
	char host[64], port[16];	/* peer (numeric) */
	struct fl_sptps *sptps;
	struct fl_meta_frame frame;
	uint8_t *out;		/* pending output */
	size_t out_len, out_cap;
	uint64_t started_ms;
};

/* Per-node daemon state, by mesh node. */
struct fld_node {
	struct mesh_node *n;
	struct fl_dp_peer *peer;	/* the dataplane's handle */
	struct fl_sptps *udp;	/* UDP SPTPS session, NULL if none */
	bool udp_initiator;
	bool starting;		/* inside fl_sptps_start of our own session */
	char *addr_text, *port_text;	/* UDP address last given to the dataplane */
	uint64_t req_key_ms;	/* last REQ_SPTPS_START sent/received */
	int rtt_us;
	unsigned long long in_pkts, in_bytes, out_pkts, out_bytes;
};

/* Rate limit of the drop log lines of one reason (fld_stats.c). */
struct fld_droplog {
	uint64_t second;	/* fl_now_us() / 1e6 of the current window */
	unsigned n;		/* lines logged in it */
	unsigned long suppressed;
};

/* Meta framing errors counted by reason (enum fl_meta_frame_err); reasons
 * past the end are counted in slot 0. */
#define FLD_META_DROPS 16

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
};

struct fld {
	struct fl_loop *loop;
	struct fld_watch *watches;	/* by fd */
	size_t n_watches;
	struct mesh *mesh;
	char *confbase, *netname, *pidfile, *logfile;
	char name[256];
	struct fl_ed25519_key key;
	char pub_b64[64];
	int debug;
	bool debug_from_conf;	/* no -d: LogLevel applies */
	struct fl_conf cmdline;	/* -o options */
	struct fl_conf_warned warned;
	/* settings (re-read on reload) */
	char port[16];
	bool port_specified;	/* Port set: else the first listener's port */
	char **bind_addrs, **listen_addrs;	/* BindToAddress, ListenAddress */
	size_t n_bind_addrs, n_listen_addrs;
	int address_family;	/* AF_UNSPEC, AF_INET or AF_INET6 */
	bool tcponly, indirect, pmtu_discovery, clampmss;
	int compression;
	int ping_interval, ping_timeout;
	int udp_discovery_interval, udp_keepalive_interval, udp_discovery_timeout;
	char **connect_to;
	size_t n_connect_to;
	char **own_subnets;
	size_t n_own_subnets;
	char *interface;
	char *scripts_interpreter, *scripts_extension;
	int max_timeout;
	bool autoconnect, has_weight;
	int weight;
	bool strict_subnets, tunnel_server;	/* read at start only, as tincd */
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
	int sigfd;
	char cookie[65];
	bool stop, reload_pending;
	int64_t last_config_check;	/* time() of the last (re)load */
	int key_expire;			/* KeyExpire seconds, <= 0: never */
	uint64_t next_keyexpire_ms;	/* fld_now() of the next re-key, 0: none */
	uint64_t next_tick_ms;
	int settle_ms;		/* ms until mesh_settle() wants a call, -1 none */
	struct fl_dp *dp;
	struct fl_dp_sptps *dps;
	struct fl_pkt_pool *pool;
	struct fl_dp_ops dp_ops;
	struct fl_udp_txq txq[FLD_MAX_LISTEN];
	uint32_t my_options;
	unsigned replaywin;
	bool in_binary;		/* inside a binary SPTPS_PACKET's handling */
	bool graph_dirty;
	bool conns_dirty;	/* some connection has queued output */
	unsigned long dropped_meta;	/* meta connections closed on a framing error */
	unsigned long meta_drops[FLD_META_DROPS];
	struct fld_droplog droplog[FL_DP_DROP_MAX];
	struct fld_meta_stats meta_stats;
	size_t n_preauth;		/* incoming conns not authenticated yet */
	uint64_t preauth_log_ms;	/* fld_now() of the last refusal logged */
	uint64_t accept_resume_ms;	/* listeners paused until then; 0: not */
	uint64_t accept_log_ms;		/* fld_now() of the last pause logged */
	struct fld_routes *routes;	/* fld_routes.c */
	struct fld_switch *sw;		/* fld_switch.c */
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
/* Once a second: resume listeners paused by descriptor exhaustion. */
void fld_net_tick(struct fld *d);
void fld_net_connect(struct fld *d, struct mesh_node *n, const char *host, const char *port);

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
int fld_dp_start(struct fld *d);
void fld_dp_stop(struct fld *d);
void fld_dp_free_pool(struct fld *d);
void fld_dp_flush(struct fld *d);
void fld_dp_sync(struct fld *d);
void fld_dp_pull(struct fld *d);
void fld_dp_udp_readable(void *ctx, int fd, unsigned events);
void fld_dp_tun_readable(void *ctx, int fd, unsigned events);
void fld_dp_packet_in(struct fld *d, struct mesh_node *from, const uint8_t *frame, size_t len);
void fld_dp_tcp_data(struct fld *d, struct mesh_node *from, struct mesh_node *to,
		     const uint8_t *dgram, size_t len);

/* fld_ctl.c */
int fld_ctl_start(struct fld *d);
void fld_ctl_stop(struct fld *d);

/* fld_routes.c (ctx = struct fld *) */
int fld_routes_reload(struct fld *d);
void fld_routes_free(struct fld *d);
struct fl_dp_peer *fld_routes_lookup(void *ctx, int version, const uint8_t *dst);
void fld_routes_each(void *ctx, fl_ctl_route_fn *emit, void *sink);

/* fld_stats.c: `fenliu dump stats` and the rate-limited drop log. */
void fld_stats_each(void *ctx, fl_ctl_stat_fn *emit, void *sink);
void fld_stats_drop_note(void *ctx, enum fl_dp_drop why, struct fl_dp_peer *peer,
			 const union fl_addr *from);
void fld_stats_meta_drop(struct fld *d, enum fl_meta_frame_err e);

/* fld_loop.c */
int fld_watch(struct fld *d, int fd, unsigned events, fld_fd_fn *fn, void *ctx);
void fld_unwatch(struct fld *d, int fd);
void fld_watch_free(struct fld *d);
uint64_t fld_now(void);	/* monotonic ms */
int64_t fld_mesh_now(void);	/* monotonic (boot time) ms for the mesh */
/* A mesh time in seconds (e.g. last_state_change) as Unix time; 0 stays 0. */
int64_t fld_mesh_to_unix(int64_t mesh_sec);

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
