/* SPDX-License-Identifier: MIT */
/*
 * conn_burst.h: MaxConnectionBurst, tinc's limit on incoming connections
 * in quick succession (tinc.conf(5)), as a pure core: the caller passes
 * the peer's address and the time in seconds. Two counters, each losing
 * one per second: connections from the same address as the previous one
 * (over MAX: refused), and all connections (at MAX: refused, and held at
 * MAX so that, while a burst lasts, about one per second gets through).
 * Loopback connections are never limited. A refused connection is to be
 * tarpitted: kept open without being served, as tincd does, so the
 * client gains nothing by retrying at once.
 */
#ifndef FL_DAEMON_CONN_BURST_H
#define FL_DAEMON_CONN_BURST_H

#include <stdint.h>

enum fl_conn_burst_verdict {
	FL_BURST_ACCEPT = 0,
	FL_BURST_SAME_HOST, /* too many from this address */
	FL_BURST_TOTAL,	    /* too many from everywhere */
};

struct fl_conn_burst {
	int max;		/* MaxConnectionBurst, >= 1 */
	int prev_family;	/* address of the previous connection */
	uint8_t prev[16];
	int64_t same, same_time;	/* same-address count, its second */
	int64_t all, all_time;		/* all connections, its second */
};

void fl_conn_burst_init(struct fl_conn_burst *b, int max);
/* May a connection from family/addr (4 or 16 bytes) be served at second
 * now? Updates the counters. */
enum fl_conn_burst_verdict fl_conn_burst_check(struct fl_conn_burst *b, int family,
					       const uint8_t *addr, int64_t now);

#endif
