/* SPDX-License-Identifier: MIT */
/*
 * dhcp_client.h: the DHCP client state machine of RFC 2131 (section 4.4,
 * figure 5) for an interface with `Address = dhcp`:
 *
 *   INIT -> SELECTING -(OFFER)-> REQUESTING -(ACK)-> BOUND
 *   BOUND -(T1)-> RENEWING (unicast) -(T2)-> REBINDING (broadcast)
 *   RENEWING/REBINDING -(ACK)-> BOUND; -(NAK or lease end)-> INIT
 *   REBOOTING (a saved lease: INIT-REBOOT) -(ACK)-> BOUND, -(NAK)-> INIT,
 *   -(no answer)-> BOUND on the saved lease while it lasts, else INIT
 *   any bound state -(fl_dhcp_decline: ARP says the address is taken)->
 *   INIT, waiting 10 s
 *
 * Pure: no I/O, no clock, no randomness of its own. The daemon passes the
 * time (fl_time_t µs) into every call and 16 random bytes at init (xids and
 * the retransmission jitter come from a generator keyed by them). Every
 * call fills a struct fl_dhcp_out: an event for the daemon, at most one
 * IPv4 packet to send (UDP 68 -> 67, header included) and the time at
 * which fl_dhcp_tick wants to be called next. One owner (the daemon's
 * control thread); callers: the daemon's interface code (next),
 * tests/l2/test_dhcp.c, fuzz/l2/fuzz_dhcp.c, tools/dhcp_probe.c.
 *
 * What the caller does with an event: BOUND - probe the address with ARP
 * (RFC 2131 4.4.1 SHOULD), call fl_dhcp_decline if it is in use, else
 * configure it from fl_dhcp_lease and run the interface script; RENEWED -
 * the lease was extended (router or DNS may have changed); LOST - remove
 * the address now.
 */
#ifndef FL_L2_DHCP_CLIENT_H
#define FL_L2_DHCP_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/dhcp_msg.h"
#include "wire/fl_time.h"

#define FL_DHCP_NEVER UINT64_MAX	/* no timer; also an infinite lease's end */
#define FL_DHCP_INFINITE 0xffffffffu	/* lease time meaning "forever" */
/* RFC 2131 4.1: first retransmission after 4 s, doubled up to 64 s, each
 * moved by a uniform random -1..+1 s. */
#define FL_DHCP_BACKOFF_FIRST_S 4u
#define FL_DHCP_BACKOFF_MAX_S 64u
/* REQUESTs (SELECTING's or INIT-REBOOT's) sent before giving up and going
 * back to INIT: RFC 2131 leaves the number to us; 4 covers 4+8+16 s. */
#define FL_DHCP_REQUEST_TRIES 4u
/* RFC 2131 4.4.5: renewal retransmissions wait half the time left, but at
 * least 60 s; 3.1.5: wait at least 10 s after a DECLINE. */
#define FL_DHCP_RENEW_MIN_S 60u
#define FL_DHCP_DECLINE_WAIT_S 10u
/* Size of a saved lease (fl_dhcp_lease_save). */
#define FL_DHCP_LEASE_BLOB 70u

enum fl_dhcp_state {
	FL_DHCP_STOPPED = 0,	/* before start, after release */
	FL_DHCP_INIT,		/* waiting to send a DISCOVER (after DECLINE) */
	FL_DHCP_SELECTING,	/* DISCOVER sent, waiting for an OFFER */
	FL_DHCP_REQUESTING,	/* REQUEST for an offer sent, waiting for ACK */
	FL_DHCP_BOUND,
	FL_DHCP_RENEWING,	/* past T1: REQUEST unicast to our server */
	FL_DHCP_REBINDING,	/* past T2: REQUEST broadcast to any server */
	FL_DHCP_REBOOTING,	/* INIT-REBOOT: REQUEST for a saved lease */
	FL_DHCP_STATE_MAX
};

enum fl_dhcp_event {
	FL_DHCP_EV_NONE = 0,
	FL_DHCP_EV_BOUND,	/* a new (or re-verified) lease: configure it */
	FL_DHCP_EV_RENEWED,	/* the same address, a longer lease */
	FL_DHCP_EV_LOST,	/* NAK or lease end: remove the address */
};

/* Why an input message was ignored; counted in fl_dhcp_client.drops. */
enum fl_dhcp_drop {
	FL_DHCP_DROP_PARSE = 0,	/* fl_dhcp_parse refused it */
	FL_DHCP_DROP_NOT_REPLY,	/* op not BOOTREPLY, or not DHCP (no type) */
	FL_DHCP_DROP_XID,	/* not the transaction we have open */
	FL_DHCP_DROP_CHADDR,	/* for another client's hardware address */
	FL_DHCP_DROP_STATE,	/* a type we do not expect in this state */
	FL_DHCP_DROP_SERVER,	/* from a server other than the one asked */
	FL_DHCP_DROP_INCOMPLETE,/* OFFER/ACK without address, server id, lease */
	FL_DHCP_DROP_MAX
};

struct fl_dhcp_lease {
	uint32_t addr, mask, server_id;	/* host order */
	uint32_t router[FL_DHCP_MAX_ADDRS], dns[FL_DHCP_MAX_ADDRS];
	uint8_t n_router, n_dns;
	uint16_t mtu;			/* 0: the server gave none */
	uint32_t lease_s, t1_s, t2_s;	/* T1/T2 with RFC 2131's defaults applied */
	fl_time_t start;		/* when the REQUEST that got it was sent */
};

/* A packet to an address other than all-ones (RENEWING's REQUEST, a
 * RELEASE) is unicast to the server: the caller resolves its MAC by ARP. */
struct fl_dhcp_out {
	enum fl_dhcp_event ev;
	size_t len;		/* 0: nothing to send */
	uint32_t src, dst;	/* of the IPv4 packet; dst all-ones: broadcast */
	fl_time_t next;		/* call fl_dhcp_tick at this time (or NEVER) */
	uint8_t pkt[FL_DHCP_IPUDP_LEN + FL_DHCP_BUILD_MAX];	/* IPv4 packet */
};

struct fl_dhcp_client {
	enum fl_dhcp_state state;
	uint8_t mac[6];
	bool broadcast;		/* set the BROADCAST flag (default false) */
	uint64_t rng;		/* generator state, keyed by the init bytes */
	uint32_t xid;		/* of the exchange in progress */
	fl_time_t began;	/* this exchange's start: the secs field */
	fl_time_t sent;		/* its first REQUEST: the lease's start */
	fl_time_t next;		/* the next timer */
	unsigned tries;		/* transmissions in this state */
	uint32_t offer_addr, offer_server;
	struct fl_dhcp_lease lease;	/* bound states and REBOOTING */
	uint64_t drops[FL_DHCP_DROP_MAX];
	uint64_t naks, declines;
};

/* Set c up for the interface with hardware address mac, STOPPED. */
void fl_dhcp_init(struct fl_dhcp_client *c, const uint8_t mac[static 6],
		  const uint8_t random[static 16]);

/* INIT: send a DISCOVER now. */
void fl_dhcp_start(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out);

/* INIT-REBOOT with a saved lease (RFC 2131 3.2): REQUEST its address by
 * broadcast. A lease known to have ended starts from INIT instead. If no
 * server answers, the lease is kept until it ends (EV_BOUND), so a reload
 * while the server is away keeps the address. */
void fl_dhcp_restore(struct fl_dhcp_client *c, const struct fl_dhcp_lease *l, fl_time_t now,
		     struct fl_dhcp_out *out);

/* A UDP payload that arrived on port 68 (the caller unwraps it with
 * fl_dhcp_ip_unwrap). Anything not for us is dropped and counted. */
void fl_dhcp_input(struct fl_dhcp_client *c, const uint8_t *buf, size_t len, fl_time_t now,
		   struct fl_dhcp_out *out);

/* Timers: retransmissions, T1, T2, lease end, the DECLINE wait. */
void fl_dhcp_tick(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out);

/* The address just bound is in use (the caller's ARP probe got a reply):
 * send a DECLINE and start over after 10 s. Ignored when not bound. */
void fl_dhcp_decline(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out);

/* Give the lease back (unicast RELEASE) and stop. */
void fl_dhcp_release(struct fl_dhcp_client *c, fl_time_t now, struct fl_dhcp_out *out);

/* The lease held (BOUND, RENEWING, REBINDING), or NULL. */
const struct fl_dhcp_lease *fl_dhcp_lease(const struct fl_dhcp_client *c);

/* Absolute times of a lease's T1, T2 and end; FL_DHCP_NEVER if infinite. */
fl_time_t fl_dhcp_lease_t1(const struct fl_dhcp_lease *l);
fl_time_t fl_dhcp_lease_t2(const struct fl_dhcp_lease *l);
fl_time_t fl_dhcp_lease_end(const struct fl_dhcp_lease *l);
/* Prefix length from the subnet mask; without a mask, the address's
 * class (RFC 1122 3.3.1.1: the default mask). */
int fl_dhcp_lease_prefix(const struct fl_dhcp_lease *l);

/* A lease as FL_DHCP_LEASE_BLOB bytes (versioned, big-endian), to carry
 * it across a reload; load checks every field (a file may be damaged). */
void fl_dhcp_lease_save(const struct fl_dhcp_lease *l, uint8_t out[static FL_DHCP_LEASE_BLOB]);
enum fl_dhcp_err fl_dhcp_lease_load(const uint8_t *buf, size_t len, struct fl_dhcp_lease *l);

const char *fl_dhcp_state_name(enum fl_dhcp_state s);
const char *fl_dhcp_drop_name(enum fl_dhcp_drop d);

#endif
