/* SPDX-License-Identifier: MIT */
/*
 * dp_offload.h: split tunnelling's per-packet logic (doc/offload.md). A
 * packet from our VPN device whose destination is in the offload list and
 * not in the exclude list leaves through the offload device, translated by
 * the NAT (src/nat) to the offload address; a packet read from the offload
 * device goes back through the NAT to the VPN device, or is dropped and
 * counted when no mapping matches.
 *
 * Pure functions over explicit state: the published lists (one immutable
 * struct fl_offload_set, swapped whole on reload), the NAT instances and
 * the counters, plus the packet and the time. No I/O: the daemon
 * (src/daemon/fld_offload.c) reads and writes the devices and calls these
 * from ONE hook in the routing decision (fl_dp_ops.offload).
 *
 * Threads: today the whole data path runs on the control thread. The NAT
 * instances and counters belong to whoever runs the data path; the set is
 * read with an acquire load, so a worker pipeline can keep reading it while
 * the control thread publishes a new one.
 */
#ifndef FL_DATAPLANE_DP_OFFLOAD_H
#define FL_DATAPLANE_DP_OFFLOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lpm/lpm.h"
#include "nat/nat.h"
#include "nat/nat6.h"

/* The lists, built by the control thread and immutable once published.
 * list and exclude may be NULL (empty). */
struct fl_offload_set {
	struct fl_lpm *list, *exclude;
	size_t n_list4, n_list6, n_exclude4, n_exclude6;
};

enum fl_offload_verdict {
	FL_OFFLOAD_PASS = 0, /* not for the offload path: route it as usual */
	FL_OFFLOAD_SEND,     /* translated: write it to the other device */
	FL_OFFLOAD_BACK,     /* outbound, hairpinned by the NAT: back to the VPN device */
	FL_OFFLOAD_TTL,      /* TTL / hop limit expired: answer "time exceeded" */
	FL_OFFLOAD_DROP,     /* dropped and counted */
};

/* Why packets of the offload path were dropped. */
enum fl_offload_drop {
	FL_OFFLOAD_DROP_NAT_OUT,    /* the NAT refused an outbound packet (its reason in dump nat) */
	FL_OFFLOAD_DROP_NO_MAPPING, /* from the offload device, no mapping (unsolicited) */
	FL_OFFLOAD_DROP_NOT_OURS,   /* from the offload device, not to an offload address */
	FL_OFFLOAD_DROP_NAT_IN,     /* the NAT refused an inbound packet for another reason */
	FL_OFFLOAD_DROP_NO_NAT,     /* from the offload device, a family without OffloadAddress */
	FL_OFFLOAD_DROP_BAD,        /* not an IPv4/IPv6 packet */
	FL_OFFLOAD_DROP_TTL,        /* hop limit expired, no answer sent */
	FL_OFFLOAD_DROP_WRITE,      /* a device refused the write (daemon side) */
	FL_OFFLOAD_DROP_MAX
};

struct fl_offload_stats {
	uint64_t lookups;  /* outbound packets looked up in the list */
	uint64_t hits;     /* ... found in it */
	uint64_t excluded; /* ... and in the exclude list too: VPN */
	uint64_t no_addr;  /* hits of a family without OffloadAddress: VPN */
	uint64_t sticky;   /* TCP segments of offloaded connections the list no
			      longer covers (after a reload): kept offloaded */
	uint64_t out_packets, out_bytes; /* written to the offload device */
	uint64_t in_packets, in_bytes;   /* from it, back to the VPN device */
	uint64_t drop[FL_OFFLOAD_DROP_MAX];
};

struct fl_offload {
	_Atomic(const struct fl_offload_set *) set;
	struct nat *nat4;   /* NULL: no IPv4 offload address, IPv4 uses the VPN */
	struct nat6 *nat6;  /* NULL: likewise for IPv6 */
	struct fl_offload_stats st;
};

const char *fl_offload_drop_name(enum fl_offload_drop why);

/* Is dst (version 4 or 6; 4 or 16 bytes, network order) in the list and
 * not excluded? Borrows the published set. */
bool fl_offload_match(const struct fl_offload_set *s, int version, const uint8_t *dst);

/* A packet from the VPN device (ip: the IP header, len bytes). PASS leaves
 * it untouched; SEND means it was translated (TTL decremented) and goes to
 * the offload device; TTL means it must be answered with "time exceeded"
 * (untouched); DROP was counted. now: fl_time_t (µs, the daemon's clock). */
enum fl_offload_verdict fl_offload_out(struct fl_offload *o, uint8_t *ip, size_t len, fl_time_t now);

/* Would fl_offload_out() send this packet (a TCP burst from the VPN
 * device, before it is cut) to the offload device: in the list and not
 * excluded or sticky, a NAT for its family, TTL above 1? No side
 * effects, nothing counted. NAT drops are not foreseen (the segments are
 * dropped then anyway). */
bool fl_offload_would_send(const struct fl_offload *o, const uint8_t *ip, size_t len);

/* A packet read from the offload device: SEND (translated back, write it
 * to the VPN device) or DROP (counted). */
enum fl_offload_verdict fl_offload_in(struct fl_offload *o, uint8_t *ip, size_t len, fl_time_t now);

/* Publishes a new set; returns the old one, which the caller frees with
 * fl_offload_set_free() after every reader has passed a quiescent point. */
const struct fl_offload_set *fl_offload_publish(struct fl_offload *o, const struct fl_offload_set *s);
void fl_offload_set_free(const struct fl_offload_set *s);

#endif
