/* SPDX-License-Identifier: MIT */
/*
 * dp_route.c: router-mode routing of one frame (spec/GRAPH.md §6.1–§6.4,
 * UDP.md §5): subnet lookup, ICMP errors (rate-limited to 3 per second),
 * TTL decrement, the size check against the relay's MTU with
 * fragmentation or "too big", ClampMSS, then the data path. Called for
 * frames from the device, from peers' records and from PACKET.
 *
 * Local routes (route/NODE, doc/routes.md) come first for frames from our
 * device; a record a session delivered to us (DSTID = myself) goes to the
 * device without a routing decision unless it is a broadcast.
 */
#include "dataplane/dp_internal.h"
#include "dataplane/dp_switch.h"

#include <string.h>

#include "wire/csum.h"
#include "wire/icmp.h"
#include "wire/ip.h"
#include "wire/ipmod.h"

/* Build and send an ICMP error about frame p back to `source`; takes p. */
static void dp_icmp(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *source, struct fl_pkt *p,
		    int version, uint8_t type, uint8_t code)
{
	uint8_t local[16];
	const uint8_t *src = NULL;
	size_t n = 0;
	enum fl_wire_err e;
	uint64_t sec = now / DP_US;
	bool exceeded = version == 4 ? type == FL_ICMP_TIME_EXCEEDED : type == FL_ICMP6_TIME_EXCEEDED;

	if (sec != dp->icmp_second) {
		dp->icmp_second = sec;
		dp->icmp_count = 0;
	}
	if (++dp->icmp_count > 3) {
		dp->stats.icmp_ratelimited++;
		return dp_drop(dp, FL_DP_DROP_ROUTING, p);
	}
	if (exceeded && dp->ops.local_addr &&
	    dp->ops.local_addr(dp->ops.ctx, version, p->data + FL_ETH_HLEN + (version == 4 ? 12 : 8),
			       local))
		src = local;
	/* In place: the packet buffer holds far more than 590 bytes. */
	if (version == 4)
		e = fl_icmp4_error(p->data, p->len, type, code, src, p->data,
				   fl_pkt_tailroom(p) + p->len, &n);
	else
		e = fl_icmp6_error(p->data, p->len, type, code, src, p->data,
				   fl_pkt_tailroom(p) + p->len, &n);
	if (e != FL_WIRE_OK)
		return dp_drop(dp, FL_DP_DROP_ROUTING, p);
	p->len = (uint32_t)n;
	dp->stats.icmp_sent++;
	fl_dp_send_frame(dp, now, source, p);
}

struct dp_frag_ctx {
	struct fl_dp *dp;
	uint64_t now;
	struct fl_dp_peer *owner;
	uint32_t meta; /* DP_META_LOCAL_ROUTE travels with the fragments */
};

static void dp_frag_emit(void *ctx, const uint8_t *frag, size_t len)
{
	struct dp_frag_ctx *c = ctx;
	struct fl_pkt *f = fl_pkt_alloc(c->dp->pool);
	uint8_t *d;

	if (!f) {
		dp_count(c->dp, FL_DP_DROP_NOMEM, NULL, NULL);
		return;
	}
	if (!(d = fl_pkt_put(f, len))) /* a fragment is never larger than its frame */
		return dp_drop(c->dp, FL_DP_DROP_ROUTING, f);
	memcpy(d, frag, len);
	f->meta = c->meta;
	fl_dp_send_frame(c->dp, c->now, c->owner, f);
}

/* Step 11: frames larger than the relay's MTU. true = handled (p taken). */
bool dp_too_big(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *source,
		struct fl_dp_peer *owner, struct fl_dp_peer *relay,
		const struct fl_ip_info *ip, struct fl_pkt *p)
{
	int floor = ip->version == 4 ? 590 : 1294;
	int limit = relay->mtu > floor ? relay->mtu : floor;

	if (relay->myself || p->len <= (uint32_t)limit)
		return false;
	if (ip->version == 6) {
		p->len = (uint32_t)limit;
		dp_icmp(dp, now, source, p, 6, FL_ICMP6_PACKET_TOO_BIG, 0);
	} else if (ip->df) {
		p->len = (uint32_t)limit;
		dp_icmp(dp, now, source, p, 4, FL_ICMP_DEST_UNREACH, FL_ICMP_FRAG_NEEDED);
	} else {
		struct dp_frag_ctx c = {dp, now, owner, p->meta & DP_META_BITS};
		if (fl_frag4(p->data, p->len, (uint16_t)limit, dp_frag_emit, &c) != FL_WIRE_OK)
			dp_count(dp, FL_DP_DROP_ROUTING, NULL, NULL);
		fl_pkt_free(p);
	}
	return true;
}

void dp_clamp(struct fl_dp *dp, struct fl_dp_peer *source, struct fl_dp_peer *relay,
	      struct fl_pkt *p)
{
	uint32_t opts = relay->myself ? dp->set.my_options : relay->options;
	int mtu = source->mtu;

	if (!(opts & FL_DP_OPT_CLAMP_MSS))
		return;
	if (!relay->myself && relay->mtu < mtu)
		mtu = relay->mtu;
	fl_mss_clamp(p->data, p->len, (uint16_t)mtu);
}

/* The routing decision for one IP frame (DESIGN.md "The packet path"):
 * table reads in the snapshot s and the peers' graph facts, nothing else.
 * Local routes (route/NODE) come first for frames from our own device; a
 * route to a node that is myself, unreachable or without a relay is
 * ignored, and the subnets decide. Issue 17's offload set and the switch
 * mode plug in here as further verdicts. */
struct dp_decision dp_decide(const struct dp_snap *s, const struct fl_dp_peer *source,
			     const struct fl_ip_info *ip)
{
	struct dp_decision d = {DP_TO_NONE, NULL};
	struct fl_dp_route_result r;

	if (source->myself) {
		struct fl_dp_peer *n = dp_snap_route(s, ip->version, ip->dst), *relay;
		if (n && !n->myself && n->reachable && (relay = dp_relay_of(n)) && !relay->myself) {
			d.verdict = DP_TO_LOCAL_ROUTE;
			d.peer = n;
			return d;
		}
	}
	r = dp_snap_subnet(s, ip->version, ip->dst);
	if (r.broadcast)
		d.verdict = DP_TO_BROADCAST;
	else if (r.owner) {
		d.verdict = DP_TO_PEER;
		d.peer = r.owner;
	}
	return d;
}

/* A frame from our device with a local route to node N other than us:
 * sent to N over SPTPS with N's ID as DSTID (even when N is a neighbour),
 * so N writes it to its device whatever its subnets say. */
static void dp_route_local(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *n,
			   const struct fl_ip_info *ip, struct fl_pkt *p)
{
	struct fl_dp_peer *relay = dp_relay_of(n);

	p->meta |= DP_META_LOCAL_ROUTE;
	if (dp_too_big(dp, now, dp->myself, n, relay, ip, p))
		return;
	dp_clamp(dp, dp->myself, relay, p);
	fl_dp_send_frame(dp, now, n, p);
}

static void dp_route_ip(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *source,
			const struct fl_ip_info *ip, struct fl_pkt *p)
{
	int v = ip->version;
	bool for_us = (p->meta & DP_META_FOR_US) != 0;

	p->meta &= ~DP_META_BITS;
	if (source->myself && dp->ops.offload && dp->ops.offload(dp->ops.ctx, now, p))
		return; /* split tunnelling: the offload set comes first */

	struct dp_decision dec = dp_decide(dp_snap_cur(dp), source, ip);
	struct fl_dp_peer *owner = dec.peer, *relay;

	if (dec.verdict == DP_TO_LOCAL_ROUTE)
		return dp_route_local(dp, now, owner, ip, p);
	/* The sender chose us as the destination (its local route, or its
	 * view of the subnets): no second decision, so an exit node needs no
	 * subnet for the destination. Broadcasts still flood on. */
	if (for_us && dec.verdict != DP_TO_BROADCAST)
		return fl_dp_send_frame(dp, now, dp->myself, p);
	if (dec.verdict == DP_TO_NONE)
		return dp_icmp(dp, now, source, p, v, v == 4 ? FL_ICMP_DEST_UNREACH : FL_ICMP6_DST_UNREACH,
			       v == 4 ? FL_ICMP_NET_UNKNOWN : FL_ICMP6_DST_UNREACH_ADDR);
	if (dec.verdict == DP_TO_BROADCAST) {
		if (dp->set.decrement_ttl && !source->myself && fl_ttl_decrement(p->data, p->len) != FL_TTL_OK)
			return dp_drop(dp, FL_DP_DROP_ROUTING, p);
		if (dp->ops.broadcast)
			dp->ops.broadcast(dp->ops.ctx, source, p->data, p->len);
		if (!source->myself)
			return fl_dp_send_frame(dp, now, dp->myself, p);
		return dp_drop(dp, FL_DP_DROP_ROUTING, p);
	}
	if (owner == source)
		return dp_drop(dp, FL_DP_DROP_ROUTING, p); /* loop */
	if (!owner->reachable)
		return dp_icmp(dp, now, source, p, v, v == 4 ? FL_ICMP_DEST_UNREACH : FL_ICMP6_DST_UNREACH,
			       v == 4 ? FL_ICMP_NET_UNREACH : FL_ICMP6_DST_UNREACH_NOROUTE);
	if (dp->set.forwarding == FL_DP_FORWARD_OFF && !source->myself && !owner->myself)
		return dp_icmp(dp, now, source, p, v, v == 4 ? FL_ICMP_DEST_UNREACH : FL_ICMP6_DST_UNREACH,
			       v == 4 ? FL_ICMP_NET_ANO : FL_ICMP6_DST_UNREACH_ADMIN);
	if (dp->set.decrement_ttl && !source->myself && !owner->myself) {
		enum fl_ttl_result t = fl_ttl_decrement(p->data, p->len);
		if (t == FL_TTL_EXPIRED_ICMP)
			return dp_icmp(dp, now, source, p, v, v == 4 ? FL_ICMP_TIME_EXCEEDED : FL_ICMP6_TIME_EXCEEDED,
				       0);
		if (t != FL_TTL_OK)
			return dp_drop(dp, FL_DP_DROP_ROUTING, p);
	}
	relay = dp_relay_of(owner);
	if (!relay || relay == source)
		return dp_drop(dp, FL_DP_DROP_NO_ROUTE, p);
	if (dp->set.direct_only && relay != owner)
		return dp_icmp(dp, now, source, p, v, v == 4 ? FL_ICMP_DEST_UNREACH : FL_ICMP6_DST_UNREACH,
			       v == 4 ? FL_ICMP_NET_ANO : FL_ICMP6_DST_UNREACH_ADMIN);
	if (dp_too_big(dp, now, source, owner, relay, ip, p))
		return;
	dp_clamp(dp, source, relay, p);
	fl_dp_send_frame(dp, now, owner, p);
}

void dp_route_frame(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *source, struct fl_pkt *p)
{
	struct fl_ip_info ip;

	/* Copies for `fenliu pcap` where tinc takes them: every frame routed,
	 * before any decision. One test when nobody listens. */
	if (__builtin_expect(dp->pcap, 0))
		dp->pcap = dp->ops.pcap(dp->ops.ctx, p->data, p->len);
	if (p->len < FL_ETH_HLEN)
		return dp_drop(dp, FL_DP_DROP_SHORT, p);
	if (dp->set.forwarding == FL_DP_FORWARD_KERNEL && !source->myself)
		return fl_dp_send_frame(dp, now, dp->myself, p);
	if (dp->set.mode != FL_DP_MODE_ROUTER) /* the one switch/hub hook */
		return dp_switch_route(dp, now, source, p);
	if (fl_ip_parse_frame(p->data, p->len, &ip) != FL_WIRE_OK)
		return dp_drop(dp, FL_DP_DROP_ROUTING, p); /* ARP, short, unknown type */
	/* Neighbour solicitations matter only on a tap device (GRAPH.md §6.6). */
	if (ip.version == 6 && ip.proto == FL_IPPROTO_ICMPV6 && p->len >= 62 && ip.icmp_type == 135)
		return dp_drop(dp, FL_DP_DROP_ROUTING, p);
	dp_route_ip(dp, now, source, &ip, p);
}
