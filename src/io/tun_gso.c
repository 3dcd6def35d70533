/* SPDX-License-Identifier: MIT */
/*
 * tun_gso.c: turn one read from an offload TUN device (virtio_net_hdr +
 * IP packet, see tun.h) into plain IP packets: TCP super-packets are cut
 * into gso_size segments the way the kernel would have sent them, and
 * partial checksums are completed, so what goes into the tunnel is
 * byte-for-byte what a device without offload would have produced.
 * Called by tun.c for fenliud's device reads and by the io test.
 */
#include "io/tun.h"

#include <linux/virtio_net.h>
#include <stdbool.h>
#include <string.h>

#include "wire/csum.h"

#define GSO_TCP_FIN 0x01u
#define GSO_TCP_PSH 0x08u
#define GSO_TCP_CWR 0x80u

/* Complete a CHECKSUM_PARTIAL packet: the field holds the pseudo-header
 * sum, the device sums from start to the end and stores the result. */
static int gso_csum(uint8_t *ip, size_t len, size_t start, size_t off)
{
	uint16_t c;

	if (start > len || off + 2 > len - start)
		return -1;
	c = fl_csum_fold(fl_csum_add(0, ip + start, len - start));
	fl_put16(ip + start + off, c ? c : 0xffff);
	return 0;
}

static struct fl_pkt *gso_copy(struct fl_pkt_pool *pool, const uint8_t *a, size_t alen,
			       const uint8_t *b, size_t blen)
{
	struct fl_pkt *p = fl_pkt_alloc(pool);
	uint8_t *d;

	if (!p)
		return NULL;
	if (!(d = fl_pkt_put(p, alen + blen))) {
		fl_pkt_free(p);
		return NULL;
	}
	memcpy(d, a, alen);
	if (blen)
		memcpy(d + alen, b, blen);
	return p;
}

/* Fix the headers of segment k (payload plen at sequence offset off). */
static void gso_fix(uint8_t *d, size_t l4, size_t thl, size_t plen, uint32_t seq, uint16_t id,
		    unsigned k, bool last)
{
	uint8_t *t = d + l4;
	uint32_t sum;

	if ((d[0] >> 4) == 4) {
		fl_put16(d + 2, (uint16_t)(l4 + thl + plen));
		fl_put16(d + 4, (uint16_t)(id + k));
		fl_put16(d + 10, 0);
		fl_put16(d + 10, fl_csum_fold(fl_csum_add(0, d, (size_t)(d[0] & 15) * 4)));
		sum = fl_csum_add(0, d + 12, 8);
	} else {
		fl_put16(d + 4, (uint16_t)(l4 + thl + plen - 40));
		sum = fl_csum_add(0, d + 8, 32);
	}
	fl_put32(t + 4, seq);
	if (!last)
		t[13] &= (uint8_t)~(GSO_TCP_FIN | GSO_TCP_PSH);
	if (k)
		t[13] &= (uint8_t)~GSO_TCP_CWR;
	fl_put16(t + 16, 0);
	sum += 6u + (uint32_t)(thl + plen);
	fl_put16(t + 16, fl_csum_fold(fl_csum_add(sum, t, thl + plen)));
}

static unsigned gso_tcp(uint8_t *ip, size_t len, size_t l4, size_t mss,
			struct fl_pkt_pool *pool, struct fl_pkt **pkts, unsigned n)
{
	size_t thl, hl, off;
	unsigned k = 0;
	bool v4 = (ip[0] >> 4) == 4;

	if (!mss || l4 < 20 || l4 + 20 > len || (v4 && (size_t)(ip[0] & 15) * 4 != l4) ||
	    (!v4 && ((ip[0] >> 4) != 6 || l4 < 40)))
		return 0;
	thl = (size_t)(ip[l4 + 12] >> 4) * 4;
	hl = l4 + thl;
	if (thl < 20 || hl > len)
		return 0;
	for (off = 0; off < len - hl && k < n; off += mss, k++) {
		size_t plen = len - hl - off < mss ? len - hl - off : mss;
		struct fl_pkt *p = gso_copy(pool, ip, hl, ip + hl + off, plen);
		if (!p)
			break;
		gso_fix(p->data, l4, thl, plen, fl_get32(ip + l4 + 4) + (uint32_t)off,
			v4 ? fl_get16(ip + 4) : 0, k, off + plen >= len - hl);
		pkts[k] = p;
	}
	return k;
}

unsigned fl_tun_gso_split(uint8_t *buf, size_t len, struct fl_pkt_pool *pool,
			  struct fl_pkt **pkts, unsigned n)
{
	struct virtio_net_hdr h;
	uint8_t *ip = buf + FL_TUN_VNET_HLEN;
	size_t ilen;

	_Static_assert(sizeof(h) == FL_TUN_VNET_HLEN, "virtio_net_hdr layout");
	if (len <= FL_TUN_VNET_HLEN || !n)
		return 0;
	memcpy(&h, buf, sizeof(h));
	ilen = len - FL_TUN_VNET_HLEN;
	switch (h.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    gso_csum(ip, ilen, h.csum_start, h.csum_offset) < 0)
			return 0;
		if (ilen > FL_PKT_BUFSIZE - FL_PKT_HEADROOM)
			ilen = FL_PKT_BUFSIZE - FL_PKT_HEADROOM; /* fails IP checks later */
		return (pkts[0] = gso_copy(pool, ip, ilen, NULL, 0)) ? 1 : 0;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		return gso_tcp(ip, ilen, h.csum_start, h.gso_size, pool, pkts, n);
	default:
		return 0;
	}
}

/* A TAP device's read: virtio_net_hdr + Ethernet frame, whose offsets
 * (csum_start) count from the frame's first byte. TCP bursts are cut like a
 * TUN device's and each segment gets the burst's 14-byte header back. */
unsigned fl_tap_gso_split(uint8_t *buf, size_t len, struct fl_pkt_pool *pool,
			  struct fl_pkt **pkts, unsigned n)
{
	struct virtio_net_hdr h;
	uint8_t *f = buf + FL_TUN_VNET_HLEN;
	size_t flen, eh = 14;
	unsigned k;

	if (len < FL_TUN_VNET_HLEN + eh || !n)
		return 0;
	memcpy(&h, buf, sizeof(h));
	flen = len - FL_TUN_VNET_HLEN;
	switch (h.gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN) {
	case VIRTIO_NET_HDR_GSO_NONE:
		if ((h.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) &&
		    gso_csum(f, flen, h.csum_start, h.csum_offset) < 0)
			return 0;
		if (flen > FL_PKT_BUFSIZE - FL_PKT_HEADROOM)
			return 0; /* no frame is that long without GSO */
		return (pkts[0] = gso_copy(pool, f, flen, NULL, 0)) ? 1 : 0;
	case VIRTIO_NET_HDR_GSO_TCPV4:
	case VIRTIO_NET_HDR_GSO_TCPV6:
		/* Untagged IP only: the segments' IP header follows 14 bytes. */
		if (fl_get16(f + 12) != ((h.gso_type & 0x7f) == VIRTIO_NET_HDR_GSO_TCPV4 ? 0x0800 : 0x86dd) ||
		    h.csum_start < eh)
			return 0;
		k = gso_tcp(f + eh, flen - eh, h.csum_start - eh, h.gso_size, pool, pkts, n);
		for (unsigned i = 0; i < k; i++)
			memcpy(fl_pkt_push(pkts[i], eh), f, eh); /* headroom holds 64 */
		return k;
	default:
		return 0;
	}
}

/* ---- receive-side coalescing (GRO) ---------------------------------------- */

#define GRO_TCP_ACK 0x10u

/* IPv4 TCP segment with payload, no IP options or fragments, flags ACK or
 * ACK|PSH only: the only kind worth merging. Returns the TCP header length
 * or 0. */
static size_t gro_tcp4(const uint8_t *ip, size_t len)
{
	size_t thl;

	if (len < 40 || ip[0] != 0x45 || ip[9] != 6 || fl_get16(ip + 2) != len ||
	    (fl_get16(ip + 6) & 0x3fff))
		return 0;
	thl = (size_t)(ip[32] >> 4) * 4;
	if (thl < 20 || 20 + thl >= len || (ip[33] & ~GSO_TCP_PSH) != GRO_TCP_ACK)
		return 0;
	return thl;
}

/* Can ip follow what g holds? Same flow, next sequence number, same
 * TOS/TTL/DF, ack, window and options; not after a short or PSH segment. */
static bool gro_fits(const struct fl_tun_gro *g, const uint8_t *ip, size_t len, size_t thl)
{
	const uint8_t *h = g->buf + FL_TUN_VNET_HLEN + g->l2;
	size_t plen = len - 20 - thl;

	return !g->closed && thl == g->thl && plen <= g->mss && g->len + plen <= 65535 &&
	       ip[1] == h[1] && ip[8] == h[8] && (ip[6] & 0x40) == (h[6] & 0x40) &&
	       memcmp(ip + 12, h + 12, 12) == 0 && fl_get32(ip + 24) == g->next_seq &&
	       memcmp(ip + 28, h + 28, 5) == 0 && memcmp(ip + 34, h + 34, 2) == 0 &&
	       memcmp(ip + 40, h + 40, thl - 20) == 0;
}

bool fl_tun_gro_add(struct fl_tun_gro *g, const uint8_t *ip, size_t len)
{
	size_t thl = gro_tcp4(ip, len), plen;

	if (!thl)
		return false;
	plen = len - 20 - thl;
	if (!g->segs) {
		memcpy(g->buf + FL_TUN_VNET_HLEN + g->l2, ip, len);
		g->len = len;
		g->thl = thl;
		g->mss = plen;
	} else {
		if (!gro_fits(g, ip, len, thl))
			return false;
		memcpy(g->buf + FL_TUN_VNET_HLEN + g->l2 + g->len, ip + 20 + thl, plen);
		g->len += plen;
		g->buf[FL_TUN_VNET_HLEN + g->l2 + 33] |= ip[33]; /* PSH */
	}
	g->segs++;
	g->next_seq = fl_get32(ip + 24) + (uint32_t)plen;
	g->closed = plen < g->mss || (ip[33] & GSO_TCP_PSH);
	return true;
}

size_t fl_tun_gro_finish(struct fl_tun_gro *g)
{
	struct virtio_net_hdr h = {0};
	uint8_t *ip = g->buf + FL_TUN_VNET_HLEN + g->l2;
	size_t len = g->len;

	if (!g->segs)
		return 0;
	if (g->segs > 1) {
		/* One GSO packet: the kernel's TCP sees a GRO'd skb. The TCP
		 * checksum is left partial (pseudo-header sum) for it. */
		fl_put16(ip + 2, (uint16_t)len);
		fl_put16(ip + 10, 0);
		fl_put16(ip + 10, fl_csum_fold(fl_csum_add(0, ip, 20)));
		fl_put16(ip + 36, (uint16_t)~fl_csum_fold(fl_csum_add(0, ip + 12, 8) + 6u +
							   (uint32_t)(len - 20)));
		h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		h.hdr_len = (uint16_t)(g->l2 + 20 + g->thl);
		h.gso_size = (uint16_t)g->mss;
		h.csum_start = (uint16_t)(g->l2 + 20);
		h.csum_offset = 16;
	}
	memcpy(g->buf, &h, sizeof(h));
	g->segs = 0;
	g->len = 0;
	return FL_TUN_VNET_HLEN + g->l2 + len;
}

bool fl_tap_gro_add(struct fl_tun_gro *g, const uint8_t *frame, size_t len)
{
	uint8_t *eth = g->buf + FL_TUN_VNET_HLEN;

	/* Untagged IPv4 only, and one Ethernet header per burst. */
	if (g->l2 != 14 || len <= 14 || fl_get16(frame + 12) != 0x0800 ||
	    (g->segs && memcmp(eth, frame, 14)))
		return false;
	if (!fl_tun_gro_add(g, frame + 14, len - 14))
		return false;
	if (g->segs == 1)
		memcpy(eth, frame, 14);
	return true;
}
