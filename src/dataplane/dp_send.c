/* SPDX-License-Identifier: MIT */
/*
 * dp_send.c: the sending side of spec/UDP.md §2: encapsulation of a frame
 * for a node (§2.2), the path choice for one SPTPS datagram (§2.3), the
 * UDP address and socket (§2.5) and EMSGSIZE handling (§4.6). Called by the
 * router (fl_dp_send_frame), by the receive side when relaying, and by the
 * probe code.
 */
#include "dataplane/dp_internal.h"

#include <errno.h>
#include <string.h>

#include "wire/csum.h"
#include "wire/probe.h"

void dp_request_key(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *p)
{
	p->validkey = false;
	p->sess = NULL;
	p->waitingforkey = true;
	p->last_req_key = now;
	dp->ops.request_key(dp->ops.ctx, p);
}

void dp_reduce_mtu(struct fl_dp_peer *p, int mtu)
{
	if (mtu < (int)FL_MINMTU)
		mtu = FL_MINMTU;
	if (p->maxmtu > mtu)
		p->maxmtu = mtu;
	if (p->mtu > mtu)
		p->mtu = mtu;
	dp_fix_mtu(p);
}

static unsigned dp_sock_for(const struct fl_dp *dp, int family, unsigned hint)
{
	if (hint < dp->set.nsocks && dp->set.sock_family[hint] == family)
		return hint;
	for (unsigned i = 0; i < dp->set.nsocks; i++)
		if (dp->set.sock_family[i] == family)
			return i;
	return 0;
}

/* UDP.md §2.5: where a datagram to next hop r goes. false: no address. */
static bool dp_choose_addr(struct fl_dp *dp, struct fl_dp_peer *r, union fl_addr *to,
			   unsigned *sock)
{
	union fl_addr a;
	uint8_t rnd = 0;

	const struct dp_snap *s = dp_snap_cur(dp);

	if (r->send_locally && dp_snap_edge_addr(s, r, true, dp_rand(dp), &a))
		goto other;
	if (!r->udp_confirmed && ++dp->addr_counter < 3 &&
	    dp_snap_edge_addr(s, r, false, dp_rand(dp), &a))
		goto other;
	if (dp->addr_counter >= 3)
		dp->addr_counter = 0;
	if (!r->has_addr)
		return false;
	*to = r->addr;
	*sock = dp_sock_for(dp, r->addr.sa.sa_family, r->sock);
	return true;
other:
	/* A random listening socket of the right family (tinc picks one at
	 * random, then adjusts the family). */
	fl_addr_unmap(&a);
	rnd = (uint8_t)dp_rand(dp);
	*to = a;
	*sock = dp_sock_for(dp, a.sa.sa_family, dp->set.nsocks ? rnd % dp->set.nsocks : 0);
	return true;
}

/* EMSGSIZE for a UDP payload of len bytes to r (UDP.md §4.6). */
static void dp_emsgsize(struct fl_dp_peer *r, size_t len)
{
	size_t prefix = dp_minor(r) >= 4 ? FL_DGRAM_PREFIX_LEN : 0;
	int P = (int)(len - prefix) - (int)FL_SPTPS_DGRAM_OVERHEAD;

	dp_reduce_mtu(r, P - 1);
}

void fl_dp_udp_error(struct fl_dp *dp, struct fl_dp_peer *relay, int err, size_t len)
{
	dp_count(dp, FL_DP_DROP_SEND, relay, NULL);
	if (err == EMSGSIZE && relay)
		dp_emsgsize(relay, len);
}

static void dp_send_udp(struct fl_dp *dp, struct fl_dp_peer *from, struct fl_dp_peer *to,
			struct fl_dp_peer *relay, uint8_t type, struct fl_pkt *p)
{
	union fl_addr addr;
	unsigned sock = 0;
	size_t len;
	int r;

	/* A local route's frame names its destination even to a neighbour. */
	bool anon = from->myself && relay == to && !(p->meta & DP_META_LOCAL_ROUTE);

	if (dp_minor(relay) >= 4 && fl_dgram_push_prefix(p, anon ? NULL : to->id, from->id) != FL_WIRE_OK)
		return dp_drop(dp, FL_DP_DROP_NOMEM, p);
	/* tinc reads 12 + 21 bytes before it checks anything (UDP.md §3.2). */
	if (p->len < FL_UDP_MIN_PAYLOAD)
		return dp_drop(dp, FL_DP_DROP_SHORT, p);
	if (!dp_choose_addr(dp, relay, &addr, &sock))
		return dp_drop(dp, FL_DP_DROP_SEND, p);
	/* A probe goes out at once (its EMSGSIZE matters now): no batch. */
	if (type == FL_DP_PKT_PROBE && (p->meta & FL_DP_META_SEAL_PENDING))
		dp->crypto.finish(dp->crypto.ctx, p);
	len = p->len;
	r = dp->ops.udp_send(dp->ops.ctx, relay, sock, &addr, p, type == FL_DP_PKT_PROBE);
	if (r == -EMSGSIZE)
		dp_emsgsize(relay, len);
	if (r < 0) {
		dp_count(dp, FL_DP_DROP_SEND, relay, NULL);
		return;
	}
	dp->stats.udp_out++;
	relay->out_packets++;
	relay->out_bytes += len;
}

void dp_send_sptps(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *from,
		   struct fl_dp_peer *to, uint8_t type, struct fl_pkt *p)
{
	struct fl_dp_peer *relay;
	int P = (int)p->len - (int)FL_SPTPS_DGRAM_OVERHEAD;
	bool direct, relay_ok, tcponly;

	(void)now;
	if (!to->via || !to->nexthop)
		return dp_drop(dp, FL_DP_DROP_NO_ROUTE, p);
	/* Step A: the static relay if the datagram fits its probed MTU. */
	if (!to->via->myself && (type == FL_DP_PKT_PROBE || P <= to->via->minmtu))
		relay = to->via;
	else
		relay = to->nexthop;
	if (!relay || relay->myself)
		return dp_drop(dp, FL_DP_DROP_NO_ROUTE, p);
	/* Step B, C. */
	direct = from->myself && relay == to;
	relay_ok = dp_minor(relay) >= 4;
	tcponly = ((dp->set.my_options | relay->options) & FL_DP_OPT_TCPONLY) != 0;
	if (tcponly || (!direct && !relay_ok) || (type != FL_DP_PKT_PROBE && P > relay->minmtu)) {
		/* Step D. Probes never go over TCP (the receiver rejects them). */
		if (type == FL_DP_PKT_PROBE)
			return dp_drop(dp, FL_DP_DROP_SEND, p);
		if (p->meta & FL_DP_META_SEAL_PENDING)
			dp->crypto.finish(dp->crypto.ctx, p);
		dp->ops.send_sptps_tcp(dp->ops.ctx, from, to, p->data, p->len);
		dp->stats.tcp_out++;
		fl_pkt_free(p);
		return;
	}
	dp_send_udp(dp, from, to, relay, type, p);
}

/* Seal body (p->data) as record `type` for `to` and send it. Takes p. */
static void dp_seal_send(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *to, uint8_t type,
			 struct fl_pkt *p)
{
	int r;

	if (!to->sess || !to->validkey)
		return dp_drop(dp, FL_DP_DROP_NO_KEY, p);
	r = dp->crypto.seal(dp->crypto.ctx, to->sess, type, p);
	if (r < 0)
		return dp_drop(dp, FL_DP_DROP_NO_KEY, p);
	dp_send_sptps(dp, now, dp->myself, to, type, p);
	if (r == 1 && !to->waitingforkey) {
		dp->stats.rekey_wrap_restarts++;
		dp_request_key(dp, now, to); /* well before the seqno wraps */
	}
}

void dp_send_probe(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *p, int len)
{
	struct fl_pkt *pk;
	uint8_t rnd[FL_PROBE_MAX], *d;
	size_t n;

	if (!p->sess || !p->validkey)
		return; /* tinc would send it as PACKET 17; the peer drops it */
	pk = fl_pkt_alloc(dp->pool);
	if (!pk) {
		dp_count(dp, FL_DP_DROP_NOMEM, p, NULL);
		return;
	}
	if (len < (int)FL_PROBE_MIN)
		len = FL_PROBE_MIN;
	if (len > (int)FL_PROBE_MAX)
		len = FL_PROBE_MAX;
	if (!(d = fl_pkt_put(pk, (size_t)len)))
		return dp_drop(dp, FL_DP_DROP_NOMEM, pk);
	dp->ops.random(dp->ops.ctx, rnd, (size_t)len - 14);
	n = fl_probe_request(d, (size_t)len, (size_t)len, rnd);
	(void)n;
	dp->stats.probes_sent++;
	dp_seal_send(dp, now, p, FL_DP_PKT_PROBE, pk);
}

/* UDP.md §2.2 for a frame p; returns nothing, takes p. */
static void dp_encapsulate(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *to, struct fl_pkt *p)
{
	size_t clen = 0;
	/* Switch and hub send the whole frame as a PKT_MAC record (UDP.md
	 * §1.3); router mode drops the 14-byte header. */
	bool l2 = dp->set.mode != FL_DP_MODE_ROUTER;
	size_t off = l2 ? 0 : FL_ETH_HLEN;
	uint8_t type = l2 ? FL_DP_PKT_MAC : 0;
	bool compressed = false;

	bool routed = (p->meta & DP_META_LOCAL_ROUTE) != 0;

	/* A local route's frame never goes as PACKET 17: that one is routed
	 * again by the receiver, which need not own the destination. */
	if (!to->validkey && (!to->has_conn || routed))
		return dp_drop(dp, FL_DP_DROP_NO_KEY, p);
	if (p->len < FL_ETH_HLEN)
		return dp_drop(dp, FL_DP_DROP_SHORT, p);
	if (to->out_compression &&
	    fl_compress(dp->comp, to->out_compression, p->data + off, p->len - off,
			dp->scratch, sizeof(dp->scratch), &clen) == FL_WIRE_OK)
		compressed = true;
	/* Plain-TCP shortcut (step 5). The size test uses the compressed
	 * length, but PACKET always carries the uncompressed frame: tinc puts
	 * garbage there (META.md §5.17 quirk 2), we do not. */
	if (to->has_conn && !routed &&
	    (compressed ? clen + off : p->len) > (size_t)(to->minmtu > 0 ? to->minmtu : 0)) {
		dp->ops.send_packet(dp->ops.ctx, to, p->data, p->len);
		dp->stats.packet17_out++;
		to->out_packets++;
		to->out_bytes += p->len;
		fl_pkt_free(p);
		return;
	}
	fl_pkt_pull(p, off);
	if (compressed) {
		memcpy(p->data, dp->scratch, clen);
		p->len = (uint32_t)clen;
		type |= FL_DP_PKT_COMPRESSED;
	}
	dp_seal_send(dp, now, to, type, p);
}

void fl_dp_send_frame(struct fl_dp *dp, uint64_t now, struct fl_dp_peer *to, struct fl_pkt *p)
{
	if (to->myself) {
		dp->stats.device_out++;
		dp->ops.device_write(dp->ops.ctx, p);
		return;
	}
	if (!to->reachable)
		return dp_drop(dp, FL_DP_DROP_UNREACHABLE, p);
	dp_encapsulate(dp, now, to, p);
	fl_dp_try_tx(dp, now, to, true);
}
