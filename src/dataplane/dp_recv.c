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
	/* Router mode: PKT_MAC set is accepted and treated as a full frame. */
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
	dp->stats.drop[FL_DP_DROP_BAD_RECORD]++;
	fl_pkt_free(p);
	return -1;
}

static uint64_t dp_req_age(uint64_t now, const struct fl_dp_peer *p)
{
	return now >= p->last_req_key ? (now - p->last_req_key) / DP_US : 0;
}

/* Feed a datagram for us to FROM's session (UDP.md §3.3 step 6-7).
 * Returns 0 on success; p is taken either way. */
static int dp_open_for_us(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from,
			  struct fl_pkt *p, bool udp)
{
	enum fl_dp_open_err e;
	uint8_t type = 0;

	if (!from->sess) {
		if (!from->waitingforkey)
			dp_request_key(dp, now, from);
		dp_drop(dp, FL_DP_DROP_NO_SESSION, p);
		return -1;
	}
	e = dp->crypto.open(dp->crypto.ctx, from->sess, p, &type, false);
	if (e != FL_DP_OPEN_OK) {
		dp_drop(dp, e == FL_DP_OPEN_NOKEY ? FL_DP_DROP_NO_SESSION : FL_DP_DROP_AUTH, p);
		goto restart;
	}
	if (dp_record_input(dp, now, from, type, p, udp) < 0)
		goto restart;
	return 0;
restart:
	/* A peer that keeps failing gets a fresh session at most every 10 s. */
	if (dp_req_age(now, from) > dp->set.key_retry)
		dp_request_key(dp, now, from);
	return -1;
}

/* UDP.md §3.2: the previous hop of a datagram. */
static struct fl_dp_peer *dp_find_sender(struct fl_dp *dp, const union fl_addr *from,
					 struct fl_pkt *p)
{
	struct fl_dp_peer *s = dp_peer_by_addr(dp, from);
	struct fl_dgram d;
	struct fl_pkt probe;

	if (s)
		return s;
	if (fl_dgram_parse(p->data, p->len, &d) != FL_WIRE_OK || !d.direct)
		return NULL;
	s = fl_dp_peer_by_id(dp, d.srcid);
	if (!s || s->myself || !s->sess)
		return NULL;
	/* Verify without consuming the seqno, on a view of the record. */
	probe.data = (uint8_t *)d.rec;
	probe.len = (uint32_t)d.rec_len;
	probe.pool = NULL;
	uint8_t type;
	if (dp->crypto.open(dp->crypto.ctx, s->sess, &probe, &type, true) != FL_DP_OPEN_OK)
		return NULL;
	return s;
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
	if (!s)
		return dp_drop(dp, FL_DP_DROP_UNKNOWN_SOURCE, p);
	src = s;
	dst = dp->myself;
	if (dp_minor(s) >= 4) {
		struct fl_dgram d;
		if (fl_dgram_parse(p->data, p->len, &d) != FL_WIRE_OK)
			return dp_drop(dp, FL_DP_DROP_SHORT, p);
		if (!d.direct) {
			src = fl_dp_peer_by_id(dp, d.srcid);
			dst = fl_dp_peer_by_id(dp, d.dstid);
			direct = false;
			if (!src || !dst)
				return dp_drop(dp, FL_DP_DROP_UNKNOWN_ID, p);
		}
		fl_pkt_pull(p, FL_DGRAM_PREFIX_LEN);
	}
	if (!dst->reachable)
		return dp_drop(dp, FL_DP_DROP_UNREACHABLE, p);
	if (s != src->via && dst->via && dst->via->myself)
		dp->ops.udp_info(dp->ops.ctx, src);
	if (!dst->myself) {
		/* Relay: the datagram goes on unchanged (type 0 for the path). */
		dp->stats.relayed++;
		dp_send_sptps(dp, now, src, dst, 0, p);
		fl_dp_try_tx(dp, now, dst, true);
		return;
	}
	if (src->myself)
		return dp_drop(dp, FL_DP_DROP_UNKNOWN_ID, p);
	if (dp_open_for_us(dp, now, src, p, true) < 0)
		return;
	/* Step 8-9: on success only. */
	s->sock = sock;
	if (direct)
		dp_adopt_addr(dp, s, &a, sock);
	else
		dp->ops.mtu_info(dp->ops.ctx, s, FL_MTU);
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
	if (dp_open_for_us(dp, now, from, p, false) == 0)
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
	if (fl_ip_push_frame_header(p) != FL_WIRE_OK)
		return dp_drop(dp, FL_DP_DROP_ROUTING, p);
	p->meta &= ~DP_META_BITS;
	dp_route_frame(dp, now, dp->myself, p);
}

void fl_dp_udp_input_batch(struct fl_dp *dp, uint64_t now, unsigned sock,
			   const union fl_addr *from, struct fl_pkt **p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		fl_dp_udp_input(dp, now, sock, &from[i], p[i]);
}

void fl_dp_device_input_batch(struct fl_dp *dp, uint64_t now, struct fl_pkt **p, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		fl_dp_device_input(dp, now, p[i]);
}

void fl_dp_route(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *source, struct fl_pkt *p)
{
	p->meta &= ~DP_META_BITS;
	dp_route_frame(dp, now, source, p);
}
