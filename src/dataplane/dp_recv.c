/* SPDX-License-Identifier: MIT */
/*
 * dp_recv.c: the receiving side of spec/UDP.md §3: who sent a UDP
 * datagram (§3.2), relaying by DSTID without decryption, opening with the
 * replay window, the record rules of §1.3, and the TCP-carried forms
 * (§3.4). Called by the daemon for every datagram read, every PACKET and
 * every SPTPS_PACKET / REQ_KEY-21 the mesh hands over.
 */
#include "dataplane/dp_internal.h"

#include <string.h>

#include "wire/csum.h"
#include "wire/ip.h"

/* A record the session delivered (UDP.md §1.3 receiver rules); p->data is
 * the body. Returns 0 if accepted (p taken), -1 if rejected (p freed). */
int dp_record_input(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from, uint8_t type,
		    struct fl_pkt *p, bool udp)
{
	size_t ulen;

	if (p->len > FL_MTU)
		goto reject;
	if (type == FL_DP_PKT_PROBE) {
		if (!udp)
			goto reject; /* probes only by UDP */
		if ((int)p->len > from->maxrecentlen)
			from->maxrecentlen = (int)p->len;
		dp_probe_input(dp, now, from, p->data, p->len);
		fl_pkt_free(p);
		return 0;
	}
	if (type & ~(FL_DP_PKT_COMPRESSED | FL_DP_PKT_MAC))
		goto reject;
	if (type & FL_DP_PKT_COMPRESSED) {
		uint8_t *dst;
		if (fl_decompress(dp->set.compression, p->data, p->len, dp->scratch,
				  sizeof(dp->scratch), &ulen) != FL_WIRE_OK)
			goto reject;
		/* The size rule holds after decompression too: a small record
		 * must not inflate into a frame over FL_MTU. */
		if (ulen > FL_MTU)
			goto reject;
		fl_pkt_reset(p, FL_PKT_HEADROOM);
		if (!(dst = fl_pkt_put(p, ulen)))
			goto reject;
		memcpy(dst, dp->scratch, ulen);
	}
	/* Router mode: PKT_MAC set is accepted and treated as a full frame.
	 * Switch and hub want the frame's own header, as tinc does. */
	if (!(type & FL_DP_PKT_MAC) && dp->set.mode != FL_DP_MODE_ROUTER)
		goto reject;
	if (!(type & FL_DP_PKT_MAC) && fl_ip_push_frame_header(p) != FL_WIRE_OK)
		goto reject;
	if (udp && (int)p->len > from->maxrecentlen)
		from->maxrecentlen = (int)p->len;
	from->in_packets++;
	from->in_bytes += p->len;
	p->meta |= DP_META_FOR_US; /* DSTID was us (or the direct form) */
	dp_route_frame(dp, now, from, p);
	return 0;
reject:
	dp_drop_from(dp, FL_DP_DROP_BAD_RECORD, from, NULL, p);
	return -1;
}

static uint64_t dp_req_age(uint64_t now, const struct fl_dp_peer *p)
{
	return now >= p->last_req_key ? (now - p->last_req_key) / DP_US : 0;
}

static enum fl_dp_drop dp_open_drop(enum fl_dp_open_err e)
{
	switch (e) {
	case FL_DP_OPEN_NOKEY:
		return FL_DP_DROP_NO_SESSION;
	case FL_DP_OPEN_SHORT:
		return FL_DP_DROP_SHORT;
	case FL_DP_OPEN_REPLAY:
		return FL_DP_DROP_REPLAY;
	default:
		return FL_DP_DROP_AUTH;
	}
}

static void dp_restart(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *p)
{
	p->challenge_sent = 0;
	p->session_restarts++;
	dp->stats.session_restarts++;
	dp_request_key(dp, now, p);
}

/* A record from FROM failed to open. Like tinc, a peer that keeps failing
 * gets a fresh session at most every KeyRetry (10 s). But a UDP datagram's
 * source address proves nothing (issue 22.6: garbage "from" a peer's
 * address restarted its session every 10 s), so a failure by UDP on a
 * keyed session restarts it only on evidence an off-path sender cannot
 * forge: no record of the peer has opened for a second, we then sent it a
 * probe, and no record at all (the reply included) opened within KeyRetry
 * of that. A live peer answers the probe, and that clears the suspicion; a
 * peer that lost its key state cannot, so the restart still comes. Over
 * TCP the records came through authenticated meta connections. */
static void dp_open_failed(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from, bool udp)
{
	uint64_t retry = (uint64_t)dp->set.key_retry * DP_US;

	if (dp_req_age(now, from) <= dp->set.key_retry)
		return;
	if (!udp || !from->validkey)
		return dp_restart(dp, now, from);
	if (from->last_auth_rx + DP_US > now)
		return; /* alive a moment ago: this is someone else's garbage */
	if (!from->challenge_sent || from->last_auth_rx >= from->challenge_sent) {
		if (from->challenge_sent + DP_US <= now) { /* at most one a second */
			from->challenge_sent = now;
			dp->stats.auth_challenges++;
			dp_send_probe(dp, now, from, 0);
		}
		return;
	}
	if (now - from->challenge_sent >= retry)
		dp_restart(dp, now, from);
}

#define DP_PARK_MAX 256     /* records per peer; the pool holds 1024 */
#define DP_PARK_US 1000000u /* the longest a record waits for a re-key */

/* A record from FROM failed its tag while FROM's session is re-keying:
 * FROM may have switched to the new key after its ACK, and its datagrams
 * overtake that ACK on the meta connection. Keep the record (bounded) and
 * retry it when the re-key is over. true = parked (p taken). */
static bool dp_park(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from, struct fl_pkt *p)
{
	if (!dp->crypto.rekeying || !from->sess || !dp->crypto.rekeying(dp->crypto.ctx, from->sess))
		return false;
	if (from->n_parked >= DP_PARK_MAX) {
		dp->stats.rekey_park_overflow++;
		return false;
	}
	p->next = NULL;
	if (from->parked_tail)
		from->parked_tail->next = p;
	else {
		from->parked = p;
		from->parked_since = now;
	}
	from->parked_tail = p;
	from->n_parked++;
	dp->stats.rekey_parked++;
	if (!from->in_park_list) {
		from->park_next = dp->parked_peers;
		dp->parked_peers = from;
		from->in_park_list = true;
	}
	return true;
}

void dp_park_forget(struct fl_dp *dp, struct fl_dp_peer *p)
{
	while (p->parked) {
		struct fl_pkt *q = p->parked;
		p->parked = q->next;
		q->next = NULL;
		fl_pkt_free(q);
	}
	p->parked_tail = NULL;
	p->n_parked = 0;
	for (struct fl_dp_peer **pp = &dp->parked_peers; *pp; pp = &(*pp)->park_next) {
		if (*pp == p) {
			*pp = p->park_next;
			break;
		}
	}
	p->in_park_list = false;
}

static int dp_open_for_us_park(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from,
			       struct fl_pkt *p, const union fl_addr *src, bool may_park);

void fl_dp_retry_parked(struct fl_dp *dp, uint64_t now)
{
	struct fl_dp_peer **pp = &dp->parked_peers;

	/* The retried records' outputs may reach the daemon's flush, which
	 * calls this again: one pass at a time. */
	if (dp->in_retry)
		return;
	dp->in_retry = true;
	while (*pp) {
		struct fl_dp_peer *p = *pp;
		bool waiting = p->sess && dp->crypto.rekeying(dp->crypto.ctx, p->sess);
		if (waiting && now - p->parked_since < DP_PARK_US) {
			pp = &p->park_next;
			continue;
		}
		*pp = p->park_next;
		p->in_park_list = false;
		struct fl_pkt *q = p->parked;
		p->parked = p->parked_tail = NULL;
		p->n_parked = 0;
		/* In arrival order, through the whole receive path again. */
		while (q) {
			struct fl_pkt *n = q->next;
			q->next = NULL;
			uint64_t before = dp->stats.drop[FL_DP_DROP_AUTH];
			dp_open_for_us_park(dp, now, p, q, &p->addr, false);
			if (dp->stats.drop[FL_DP_DROP_AUTH] == before)
				dp->stats.rekey_reopened++;
			q = n;
		}
	}
	dp->in_retry = false;
}

/* Feed a datagram for us to FROM's session (UDP.md §3.3 step 6-7); src is
 * the UDP source (NULL over TCP). Returns 0 on success; p is taken either
 * way. */
static int dp_open_for_us(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from,
			  struct fl_pkt *p, const union fl_addr *src)
{
	return dp_open_for_us_park(dp, now, from, p, src, src != NULL);
}

static int dp_open_for_us_park(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from,
			       struct fl_pkt *p, const union fl_addr *src, bool may_park)
{
	enum fl_dp_open_err e;
	uint8_t type = 0;
	bool udp = src != NULL;

	if (!from->sess) {
		if (!from->waitingforkey)
			dp_request_key(dp, now, from);
		dp_drop_from(dp, FL_DP_DROP_NO_SESSION, from, src, p);
		return -1;
	}
	e = dp->crypto.open(dp->crypto.ctx, from->sess, p, &type, false);
	if (e == FL_DP_OPEN_AUTH && may_park && dp_park(dp, now, from, p))
		return -1;
	if (e != FL_DP_OPEN_OK) {
		dp_drop_from(dp, dp_open_drop(e), from, src, p);
		if (e != FL_DP_OPEN_REPLAY) /* a replay is authentic: the session works */
			dp_open_failed(dp, now, from, udp);
		return -1;
	}
	from->last_auth_rx = now;
	/* An authentic record that breaks the record rules: the session is
	 * confused, restart it (rate limited) as before. */
	if (dp_record_input(dp, now, from, type, p, udp) < 0) {
		if (dp_req_age(now, from) > dp->set.key_retry)
			dp_restart(dp, now, from);
		return -1;
	}
	return 0;
}

/* Whether the datagram's record opens under src's session: checked on a
 * view of the record, without consuming its seqno. */
static bool dp_record_opens(struct fl_dp *dp, struct fl_dp_peer *src, const struct fl_dgram *d)
{
	struct fl_pkt probe;
	uint8_t type;

	probe.data = (uint8_t *)d->rec;
	probe.len = (uint32_t)d->rec_len;
	probe.pool = NULL;
	probe.meta = 0;
	return dp->crypto.open(dp->crypto.ctx, src->sess, &probe, &type, true) == FL_DP_OPEN_OK;
}

/* UDP.md §3.2: the previous hop of a datagram. */
static struct fl_dp_peer *dp_find_sender(struct fl_dp *dp, const union fl_addr *from,
					 struct fl_pkt *p)
{
	struct fl_dp_peer *s = dp_peer_by_addr(dp, from);
	struct fl_dgram d;

	if (s)
		return s;
	if (fl_dgram_parse(p->data, p->len, &d) != FL_WIRE_OK || !d.direct)
		return NULL;
	s = fl_dp_peer_by_id(dp, d.srcid);
	if (!s || s->myself || !s->sess || !dp_record_opens(dp, s, &d))
		return NULL;
	return s;
}

/* A relayed datagram for us (DSTID = myself) whose previous hop is not
 * known by address. tinc 1.1 drops it, which can stall a path for good
 * when the hop's own confirmation of us went astray (two nodes behind one
 * NAT, discovery.sh round 3: our only probe's reply went to the other
 * node, so the relay is never confirmed and we drop all it relays, send
 * nothing back, and so never probe it again). The record is end to end,
 * so it can be checked: taken only if it opens under its SRCID's session,
 * and nothing is learnt about the address. A datagram for another node is
 * never taken from an unknown address: we could not check it before
 * relaying it. */
static struct fl_dp_peer *dp_find_origin(struct fl_dp *dp, struct fl_pkt *p)
{
	struct fl_dgram d;
	struct fl_dp_peer *src, *dst;

	if (fl_dgram_parse(p->data, p->len, &d) != FL_WIRE_OK || d.direct)
		return NULL;
	dst = fl_dp_peer_by_id(dp, d.dstid);
	src = fl_dp_peer_by_id(dp, d.srcid);
	if (!dst || !dst->myself || !src || src->myself || !src->sess || dp_minor(src) < 4 ||
	    !dp_record_opens(dp, src, &d))
		return NULL;
	return src;
}

void *fl_dp_udp_session_of(struct fl_dp *dp, const union fl_addr *from, const struct fl_pkt *p,
			   size_t *rec_off)
{
	union fl_addr a = *from;
	struct fl_dp_peer *s, *src;
	struct fl_dgram d;

	fl_addr_unmap(&a);
	if (!(s = dp_peer_by_addr(dp, &a)))
		return NULL;
	src = s;
	*rec_off = 0;
	if (dp_minor(s) >= 4) {
		if (fl_dgram_parse(p->data, p->len, &d) != FL_WIRE_OK)
			return NULL;
		if (!d.direct) {
			struct fl_dp_peer *dst = fl_dp_peer_by_id(dp, d.dstid);
			src = fl_dp_peer_by_id(dp, d.srcid);
			if (!src || !dst || !dst->myself)
				return NULL;
		}
		*rec_off = FL_DGRAM_PREFIX_LEN;
	}
	return src->myself ? NULL : src->sess;
}

void fl_dp_udp_input(struct fl_dp *dp, uint64_t now, unsigned sock, const union fl_addr *from,
		     struct fl_pkt *p)
{
	struct fl_dp_peer *s, *src, *dst;
	union fl_addr a = *from;
	bool direct = true;

	dp->stats.udp_in++;
	fl_addr_unmap(&a);
	s = dp_find_sender(dp, &a, p);
	if (!s && (src = dp_find_origin(dp, p))) {
		dp->stats.relayed_unknown_hop++;
		fl_pkt_pull(p, FL_DGRAM_PREFIX_LEN);
		dp_open_for_us(dp, now, src, p, &a);
		return;
	}
	if (!s)
		return dp_drop_from(dp, FL_DP_DROP_UNKNOWN_SOURCE, NULL, &a, p);
	src = s;
	dst = dp->myself;
	if (dp_minor(s) >= 4) {
		struct fl_dgram d;
		if (fl_dgram_parse(p->data, p->len, &d) != FL_WIRE_OK)
			return dp_drop_from(dp, FL_DP_DROP_SHORT, s, &a, p);
		if (!d.direct) {
			src = fl_dp_peer_by_id(dp, d.srcid);
			dst = fl_dp_peer_by_id(dp, d.dstid);
			direct = false;
			if (!src || !dst)
				return dp_drop_from(dp, FL_DP_DROP_UNKNOWN_ID, s, &a, p);
		}
		fl_pkt_pull(p, FL_DGRAM_PREFIX_LEN);
	}
	if (!dst->reachable)
		return dp_drop_from(dp, FL_DP_DROP_UNREACHABLE, s, &a, p);
	if (s != src->via && dst->via && dst->via->myself)
		dp->ops.udp_info(dp->ops.ctx, src);
	if (!dst->myself && (p->meta & FL_DP_META_PREOPENED)) /* state moved mid-batch */
		return dp_drop_from(dp, FL_DP_DROP_AUTH, s, &a, p);
	if (!dst->myself) {
		/* Relay: the datagram goes on unchanged (type 0 for the path). */
		dp->stats.relayed++;
		src->relayed++;
		dp_send_sptps(dp, now, src, dst, 0, p);
		fl_dp_try_tx(dp, now, dst, true);
		return;
	}
	if (src->myself)
		return dp_drop_from(dp, FL_DP_DROP_UNKNOWN_ID, s, &a, p);
	if (dp_open_for_us(dp, now, src, p, &a) < 0)
		return;
	/* Step 8-9: on success only. */
	s->sock = sock;
	if (direct)
		dp_adopt_addr(dp, s, &a, sock);
	else
		dp->ops.mtu_info(dp->ops.ctx, s, FL_MTU);
}

void fl_dp_udp_oversize(struct fl_dp *dp, const union fl_addr *from, struct fl_pkt *p)
{
	union fl_addr a = *from;

	dp->stats.udp_in++;
	fl_addr_unmap(&a);
	dp_drop_from(dp, FL_DP_DROP_OVERSIZE, dp_peer_by_addr(dp, &a), &a, p);
}

void fl_dp_sptps_tcp_input(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from,
			   struct fl_dp_peer *to, struct fl_pkt *p, bool binary)
{
	if (!to->reachable)
		return dp_drop(dp, FL_DP_DROP_UNREACHABLE, p);
	if (to->via && to->via->myself)
		dp->ops.udp_info(dp->ops.ctx, from);
	if (!to->myself) {
		/* A binary SPTPS_PACKET is relayed only while we hold a keyed
		 * session with TO (META.md §5.20); REQ_KEY/21 always. */
		if (binary && !to->validkey)
			dp_drop(dp, FL_DP_DROP_NO_KEY, p);
		else if (dp->set.forwarding != FL_DP_FORWARD_INTERNAL && !binary)
			dp_drop(dp, FL_DP_DROP_ROUTING, p);
		else
			dp_send_sptps(dp, now, from, to, 0, p);
		fl_dp_try_tx(dp, now, to, true);
		return;
	}
	if (from->myself)
		return dp_drop(dp, FL_DP_DROP_UNKNOWN_ID, p);
	if (dp_open_for_us(dp, now, from, p, NULL) == 0)
		dp->ops.mtu_info(dp->ops.ctx, from, FL_MTU);
}

void fl_dp_packet_input(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from,
			struct fl_pkt *p)
{
	if (p->len > FL_MAXSIZE - FL_DGRAM_PREFIX_LEN || p->len < FL_ETH_HLEN)
		return dp_drop(dp, FL_DP_DROP_SHORT, p);
	/* tinc's early probes arrive here with ethertype 0: dropped silently
	 * by the router as an unknown type. */
	from->in_packets++;
	from->in_bytes += p->len;
	p->meta &= ~DP_META_BITS; /* hop by hop: routed here as in tinc */
	dp_route_frame(dp, now, from, p);
}

void fl_dp_device_input(struct fl_dp *dp, uint64_t now, struct fl_pkt *p)
{
	/* A TAP device (switch, hub) reads whole Ethernet frames. */
	if (dp->set.mode == FL_DP_MODE_ROUTER && fl_ip_push_frame_header(p) != FL_WIRE_OK)
		return dp_drop(dp, FL_DP_DROP_ROUTING, p);
	p->meta &= ~DP_META_BITS;
	dp_route_frame(dp, now, dp->myself, p);
}
