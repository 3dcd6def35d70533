/* SPDX-License-Identifier: MIT */
/* ctl_session.h: one control connection, server side, over byte buffers.
 *
 * The socket layer (ctl_server.c, or the daemon for a TCP meta connection
 * whose ID line carries the cookie) feeds received bytes with
 * fl_ctl_session_input() and writes out whatever fl_ctl_session_output()
 * holds. No I/O here, so tests drive it through a socketpair or directly.
 *
 * The daemon implements struct fl_ctl_provider: the session calls it to
 * enumerate state for dumps and to act on STOP/RELOAD/RETRY/PURGE/
 * DISCONNECT. All callbacks run on the control thread, synchronously,
 * inside fl_ctl_session_input().
 */
#ifndef FL_CTL_SESSION_H
#define FL_CTL_SESSION_H

#include "control/ctl.h"

/* Emit callbacks handed to the provider's iterators: call once per record,
 * in the order of CONFIG.md §5.3 (nodes and edges by name, subnets in
 * global order, connections in creation order). */
typedef void fl_ctl_node_fn(void *sink, const struct fl_ctl_node *n);
typedef void fl_ctl_edge_fn(void *sink, const struct fl_ctl_edge *e);
typedef void fl_ctl_subnet_fn(void *sink, const struct fl_ctl_subnet *s);
typedef void fl_ctl_connection_fn(void *sink, const struct fl_ctl_connection *c);
typedef void fl_ctl_traffic_fn(void *sink, const struct fl_ctl_traffic *t);
typedef void fl_ctl_route_fn(void *sink, const char *prefix, const char *node);
/* One counter: scope ("dataplane", "drop", "peer:NAME", ...) and name are
 * single words. */
typedef void fl_ctl_stat_fn(void *sink, const char *scope, const char *name,
			    unsigned long long value);
/* One line of a text dump (FL_REQ_DUMP_OFFLOAD, FL_REQ_DUMP_NAT). */
typedef void fl_ctl_line_fn(void *sink, const char *line);

struct fl_ctl_provider {
	void *ctx;
	/* Our node name, for the greeting "0 NAME 17.7". */
	const char *(*name)(void *ctx);
	void (*each_node)(void *ctx, fl_ctl_node_fn *emit, void *sink);
	void (*each_edge)(void *ctx, fl_ctl_edge_fn *emit, void *sink);
	void (*each_subnet)(void *ctx, fl_ctl_subnet_fn *emit, void *sink);
	/* Must include control connections: fl_ctl_server_each_connection()
	 * emits those of a ctl_server. */
	void (*each_connection)(void *ctx, fl_ctl_connection_fn *emit, void *sink);
	void (*each_traffic)(void *ctx, fl_ctl_traffic_fn *emit, void *sink);
	/* Ask the event loop to exit after this turn (reply already queued). */
	void (*stop)(void *ctx);
	/* Re-read the configuration (CONFIG.md §6): 0 ok, else an errno
	 * value (EINVAL when tinc.conf could not be read). */
	int (*reload)(void *ctx);
	void (*retry)(void *ctx);
	void (*purge)(void *ctx);
	/* Close every connection named name: 0 if one was closed, -2 if none. */
	int (*disconnect)(void *ctx, const char *name);
	/* Optional: set the debug level (level >= 0) and return the old one;
	 * level < 0 only queries. NULL: fl_log_set_level()/fl_log_level(). */
	int (*set_debug)(void *ctx, int level);
	/* Optional: local routes (route/NODE) for FL_REQ_DUMP_ROUTES. */
	void (*each_route)(void *ctx, fl_ctl_route_fn *emit, void *sink);
	/* Optional: counters for FL_REQ_DUMP_STATS. */
	void (*each_stat)(void *ctx, fl_ctl_stat_fn *emit, void *sink);
	/* Optional: the text dumps (req FL_REQ_DUMP_OFFLOAD or _NAT). */
	void (*each_line)(void *ctx, int req, fl_ctl_line_fn *emit, void *sink);
};

enum fl_ctl_state { FL_CTL_AWAIT_ID, FL_CTL_READY, FL_CTL_CLOSED };

struct fl_ctl_session {
	enum fl_ctl_state state;
	const char *cookie;      /* borrowed, 64 hex characters */
	long pid;
	char in[FL_CTL_LINE_MAX];
	size_t in_len;
	char *out;               /* pending output */
	size_t out_len, out_cap;
	bool log, log_color, pcap;
	int log_level;           /* -1 = follow the daemon's level */
	int snaplen;
	bool want_stop;          /* STOP answered: close after the flush */
};

void fl_ctl_session_init(struct fl_ctl_session *s, const char *cookie, long pid);
void fl_ctl_session_free(struct fl_ctl_session *s);

/* Feeds received bytes. Returns false when the connection must be closed
 * (bad cookie, protocol error, over-long line); pending output should still
 * be flushed first if possible. */
bool fl_ctl_session_input(struct fl_ctl_session *s, const struct fl_ctl_provider *p,
                          const char *buf, size_t len);

/* Handles one complete line (no "\n"). Exposed for the daemon's TCP path:
 * a meta connection whose first line is "0 ^COOKIE 0" becomes a control
 * session by feeding that line here. */
bool fl_ctl_session_line(struct fl_ctl_session *s, const struct fl_ctl_provider *p, char *line);

/* True when an ID line carries a control cookie ("0 ^..."). */
bool fl_ctl_is_control_id(const char *line);

/* Appends output (a line gets "\n" added). Returns false on allocation
 * failure or, with cap != 0, when the buffer would exceed cap bytes. */
bool fl_ctl_session_send_line(struct fl_ctl_session *s, const char *line, size_t cap);
bool fl_ctl_session_send_raw(struct fl_ctl_session *s, const void *buf, size_t len, size_t cap);
/* Drops n bytes from the front of the output after they were written. */
void fl_ctl_session_consumed(struct fl_ctl_session *s, size_t n);

/* Queues a log message for a LOG subscriber (level filter applied here;
 * daemon_level is the daemon's current debug level). Over `cap` pending
 * bytes the message is dropped, so a stalled reader cannot grow memory. */
void fl_ctl_session_log(struct fl_ctl_session *s, int level, int priority, const char *msg,
                        int daemon_level, size_t cap);
/* Queues one captured packet for a PCAP subscriber. */
void fl_ctl_session_pcap(struct fl_ctl_session *s, const void *pkt, size_t len, size_t cap);

#endif
