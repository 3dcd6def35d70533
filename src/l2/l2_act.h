/* SPDX-License-Identifier: MIT */
/*
 * l2_act.h: what the pure ARP and NDP cores (arp.c, ndp.c, neigh.c) ask
 * their caller to do. They own no device and no clock: every call that
 * can produce work takes a sink, and each action is handed to it as it
 * arises, in order. Callers: src/l2, later the daemon's TAP router; the
 * tests collect actions into arrays.
 */
#ifndef FL_L2_ACT_H
#define FL_L2_ACT_H

#include <stddef.h>
#include <stdint.h>

#include "l2/l2_eth.h"

enum fl_l2_act_kind {
	FL_L2_XMIT,		/* send frame (len bytes) on the device */
	FL_L2_RELEASE,		/* a queued packet's next hop is resolved: send it to mac */
	FL_L2_DROP,		/* a queued packet is dropped: reason is enum fl_l2_drop */
	FL_L2_EVENT,		/* something worth a log line: reason is enum fl_l2_event */
};

enum fl_l2_drop {
	FL_L2_DROP_QUEUE_FULL,	/* a newer packet pushed it out of the pending queue */
	FL_L2_DROP_UNRESOLVED,	/* resolution failed after every retry */
	FL_L2_DROP_FLUSHED,	/* the entry was forgotten or the table freed */
};

enum fl_l2_event {
	FL_L2_EV_RESOLVED,	/* addr now has mac */
	FL_L2_EV_FAILED,	/* addr did not answer: negatively cached */
	FL_L2_EV_MAC_CHANGED,	/* addr moved to mac (after its entry went stale) */
	FL_L2_EV_SPOOF_REFUSED,	/* an unasked-for answer tried to move a fresh entry to mac */
	FL_L2_EV_CONFLICT,	/* mac claims one of our addresses (addr) */
	FL_L2_EV_DAD_OK,	/* our tentative address addr is now usable */
	FL_L2_EV_DAD_DUPLICATE,	/* our tentative address addr is in use by mac */
};

struct fl_l2_act {
	enum fl_l2_act_kind kind;
	const uint8_t *frame;	/* XMIT: borrowed for the duration of the call */
	size_t len;
	void *pkt;		/* RELEASE, DROP: ownership passes to the sink */
	int reason;		/* DROP: enum fl_l2_drop; EVENT: enum fl_l2_event */
	uint8_t mac[FL_ETH_ALEN];
	uint8_t addr[16];	/* IPv4 in the first 4 bytes */
};

struct fl_l2_sink {
	void (*act)(void *ctx, const struct fl_l2_act *a);
	void *ctx;
};

#endif
