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

/* Fix the headers of segment k (payload plen at sequence offset off);
 * the TCP checksum only with csum (else the field keeps the burst's). */
static void gso_fix(uint8_t *d, size_t l4, size_t thl, size_t plen, uint32_t seq, uint16_t id,
		    unsigned k, bool last, bool csum)
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
	if (!csum)
		return;
	fl_put16(t + 16, 0);
	sum += 6u + (uint32_t)(thl + plen);
	fl_put16(t + 16, fl_csum_fold(fl_csum_add(sum, t, thl + plen)));
}

static unsigned gso_tcp(uint8_t *ip, size_t len, size_t l4, size_t mss,
			struct fl_pkt_pool *pool, struct fl_pkt **pkts, unsigned n, bool csum)
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
			v4 ? fl_get16(ip + 4) : 0, k, off + plen >= len - hl, csum);
		pkts[k] = p;
	}
	return k;
}

unsigned fl_tun_gso_split(uint8_t *buf, size_t len, struct fl_pkt_pool *pool,
			  struct fl_pkt **pkts, unsigned n)
{
	return fl_tun_gso_split_flags(buf, len, pool, pkts, n, 0);
}

unsigned fl_tun_gso_split_flags(uint8_t *buf, size_t len, struct fl_pkt_pool *pool,
				struct fl_pkt **pkts, unsigned n, unsigned flags)
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
		return gso_tcp(ip, ilen, h.csum_start, h.gso_size, pool, pkts, n,
			       !(flags & FL_GSO_NO_TCP_CSUM));
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
		k = gso_tcp(f + eh, flen - eh, h.csum_start - eh, h.gso_size, pool, pkts, n, true);
		for (unsigned i = 0; i < k; i++)
			memcpy(fl_pkt_push(pkts[i], eh), f, eh); /* headroom holds 64 */
		return k;
	default:
		return 0;
	}
}

/* ---- receive-side coalescing (GRO) ---------------------------------------- */

#define GRO_TCP_ACK 0x10u

/* A TCP segment with payload, flags ACK or ACK|PSH only (the only kind
 * worth merging), over IPv4 without options or fragments or over IPv6
 * without extension headers (anything else is written alone). Sets *l3
 * to the IP header length; returns the TCP header length or 0. */
static size_t gro_tcp(const uint8_t *ip, size_t len, size_t *l3)
{
	size_t hl, thl;

	if (len >= 40 && ip[0] == 0x45) {
		if (ip[9] != 6 || fl_get16(ip + 2) != len || (fl_get16(ip + 6) & 0x3fff))
			return 0;
		hl = 20;
	} else if (len >= 60 && (ip[0] >> 4) == 6) {
		if (ip[6] != 6 || fl_get16(ip + 4) != len - 40)
			return 0;
		hl = 40;
	} else {
		return 0;
	}
	thl = (size_t)(ip[hl + 12] >> 4) * 4;
	if (thl < 20 || hl + thl >= len || (ip[hl + 13] & ~GSO_TCP_PSH) != GRO_TCP_ACK)
		return 0;
	*l3 = hl;
	return thl;
}

/* Same IP header but the lengths, checksum and ID: IPv4 TOS, TTL, flags
 * (DF and the reserved bit: the kernel's segments all carry the first
 * one's) and addresses; IPv6 traffic class, flow label, hop limit and
 * addresses. The fragment offset is zero in both (gro_tcp_len). */
static bool gro_same_ip(const uint8_t *ip, const uint8_t *h, size_t l3)
{
	if (l3 == 20)
		return ip[1] == h[1] && ip[8] == h[8] && ip[6] == h[6] &&
		       memcmp(ip + 12, h + 12, 8) == 0;
	return memcmp(ip, h, 4) == 0 && ip[7] == h[7] && memcmp(ip + 8, h + 8, 32) == 0;
}

/* Can ip follow what g holds? Same flow, next sequence number, same IP
 * header fields, ack, window and options; not after a short or PSH
 * segment. */
static bool gro_fits(const struct fl_tun_gro *g, const uint8_t *ip, size_t len, size_t l3,
		     size_t thl)
{
	const uint8_t *h = g->buf + FL_TUN_VNET_HLEN + g->l2, *t = ip + l3, *ht = h + l3;
	size_t plen = len - l3 - thl;

	return !g->closed && l3 == g->l3 && thl == g->thl && plen <= g->mss &&
	       g->len + plen <= 65535 && gro_same_ip(ip, h, l3) && memcmp(t, ht, 4) == 0 &&
	       fl_get32(t + 4) == g->next_seq && memcmp(t + 8, ht + 8, 5) == 0 &&
	       memcmp(t + 14, ht + 14, 2) == 0 && memcmp(t + 20, ht + 20, thl - 20) == 0;
}

bool fl_tun_gro_add(struct fl_tun_gro *g, const uint8_t *ip, size_t len)
{
	size_t l3 = 0, thl = gro_tcp(ip, len, &l3), plen;
	uint8_t *h = g->buf + FL_TUN_VNET_HLEN + g->l2;

	if (!thl)
		return false;
	plen = len - l3 - thl;
	if (!g->segs) {
		memcpy(h, ip, len);
		g->len = len;
		g->l3 = l3;
		g->thl = thl;
		g->mss = plen;
	} else {
		if (!gro_fits(g, ip, len, l3, thl))
			return false;
		memcpy(h + g->len, ip + l3 + thl, plen);
		g->len += plen;
		h[l3 + 13] |= ip[l3 + 13]; /* PSH */
	}
	g->segs++;
	g->next_seq = fl_get32(ip + l3 + 4) + (uint32_t)plen;
	g->closed = plen < g->mss || (ip[l3 + 13] & GSO_TCP_PSH);
	return true;
}

void fl_tun_vnet_csum(uint8_t vnet[static FL_TUN_VNET_HLEN], uint8_t *ip, size_t len)
{
	struct virtio_net_hdr h = {0};
	size_t l3 = 0;
	uint32_t sum;

	if (len >= 40 && ip[0] >> 4 == 4 && ip[9] == 6 && !(fl_get16(ip + 6) & 0x3fff))
		l3 = (size_t)(ip[0] & 15) * 4;
	else if (len >= 60 && ip[0] >> 4 == 6 && ip[6] == 6)
		l3 = 40;
	if (l3 >= 20 && l3 + 20 <= len) {
		/* The device sums from csum_start to the end: the field holds
		 * the pseudo-header sum (CHECKSUM_PARTIAL). */
		sum = ip[0] >> 4 == 6 ? fl_csum_add(0, ip + 8, 32) : fl_csum_add(0, ip + 12, 8);
		fl_put16(ip + l3 + 16, (uint16_t)~fl_csum_fold(sum + 6u + (uint32_t)(len - l3)));
		h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h.csum_start = (uint16_t)l3;
		h.csum_offset = 16;
	}
	memcpy(vnet, &h, sizeof(h));
}

size_t fl_tun_gro_finish(struct fl_tun_gro *g)
{
	struct virtio_net_hdr h = {0};
	uint8_t *ip = g->buf + FL_TUN_VNET_HLEN + g->l2;
	size_t len = g->len, l3 = g->l3;
	uint32_t sum;

	if (!g->segs)
		return 0;
	if (g->segs > 1) {
		/* One GSO packet: the kernel's TCP sees a GRO'd skb. The TCP
		 * checksum is left partial (pseudo-header sum) for it. */
		if (l3 == 20) {
			fl_put16(ip + 2, (uint16_t)len);
			fl_put16(ip + 10, 0);
			fl_put16(ip + 10, fl_csum_fold(fl_csum_add(0, ip, 20)));
			sum = fl_csum_add(0, ip + 12, 8);
			h.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
		} else {
			fl_put16(ip + 4, (uint16_t)(len - 40));
			sum = fl_csum_add(0, ip + 8, 32);
			h.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
		}
		fl_put16(ip + l3 + 16, (uint16_t)~fl_csum_fold(sum + 6u + (uint32_t)(len - l3)));
		h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		h.hdr_len = (uint16_t)(g->l2 + l3 + g->thl);
		h.gso_size = (uint16_t)g->mss;
		h.csum_start = (uint16_t)(g->l2 + l3);
		h.csum_offset = 16;
	} else if (g->fix_single && !g->l2) {
		fl_tun_vnet_csum(g->buf, ip, len); /* its checksum may be stale */
		g->segs = 0;
		g->len = 0;
		return FL_TUN_VNET_HLEN + len;
	}
	memcpy(g->buf, &h, sizeof(h));
	g->segs = 0;
	g->len = 0;
	return FL_TUN_VNET_HLEN + g->l2 + len;
}

bool fl_tap_gro_add(struct fl_tun_gro *g, const uint8_t *frame, size_t len)
{
	uint8_t *eth = g->buf + FL_TUN_VNET_HLEN;
	uint16_t type;

	/* Untagged IP whose version matches the ethertype (the burst's
	 * gso_type follows the version), one Ethernet header per burst. */
	if (g->l2 != 14 || len <= 14 || (g->segs && memcmp(eth, frame, 14)))
		return false;
	type = fl_get16(frame + 12);
	if (!((type == 0x0800 && frame[14] >> 4 == 4) || (type == 0x86dd && frame[14] >> 4 == 6)))
		return false;
	if (!fl_tun_gro_add(g, frame + 14, len - 14))
		return false;
	if (g->segs == 1)
		memcpy(eth, frame, 14);
	return true;
}
