/* SPDX-License-Identifier: MIT */
/*
 * test_tun_gso.c: fl_tun_gso_split() on hand-built offload reads: a TCP
 * burst over IPv4 and IPv6 cut into gso_size segments with valid
 * checksums, sequence numbers and per-segment flags; a partial checksum
 * completed; malformed reads dropped; IPv4 and IPv6 segments merged back
 * into one write, and the merges that must not happen.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <stdlib.h>

#include <linux/virtio_net.h>

#include "io/tun.h"
#include "wire/csum.h"

#define PAYLOAD 3000u
#define MSS 1000u

static uint8_t buf[FL_TUN_GSO_MAX];

static size_t build(int v, uint8_t gso_type, uint16_t gso_size)
{
	struct virtio_net_hdr h = {0};
	uint8_t *ip = buf + FL_TUN_VNET_HLEN;
	size_t l4 = v == 4 ? 20 : 40, len = l4 + 20 + PAYLOAD;

	memset(buf, 0, sizeof(buf));
	h.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	h.gso_type = gso_type;
	h.gso_size = gso_size;
	h.hdr_len = (uint16_t)(l4 + 20);
	h.csum_start = (uint16_t)l4;
	h.csum_offset = 16;
	memcpy(buf, &h, sizeof(h));
	if (v == 4) {
		ip[0] = 0x45;
		fl_put16(ip + 2, (uint16_t)len);
		fl_put16(ip + 4, 0x1234);
		ip[8] = 64;
		ip[9] = 6;
		memcpy(ip + 12, (const uint8_t[]){192, 0, 2, 1, 192, 0, 2, 2}, 8);
		fl_put16(ip + 10, fl_csum_fold(fl_csum_add(0, ip, 20)));
	} else {
		ip[0] = 0x60;
		fl_put16(ip + 4, (uint16_t)(len - 40));
		ip[6] = 6;
		ip[7] = 64;
		ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = 1;
		ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = 2;
	}
	fl_put16(ip + l4, 40000);
	fl_put16(ip + l4 + 2, 5201);
	fl_put32(ip + l4 + 4, 0xfffffc00u); /* wraps inside the burst */
	ip[l4 + 12] = 5 << 4;
	ip[l4 + 13] = 0x80 | 0x10 | 0x08 | 0x01; /* CWR ACK PSH FIN */
	for (size_t i = 0; i < PAYLOAD; i++)
		ip[l4 + 20 + i] = (uint8_t)(i * 7);
	return FL_TUN_VNET_HLEN + len;
}

/* Sum of the pseudo header and the TCP segment: 0 when the checksum is right. */
static uint16_t tcp_check(const uint8_t *ip, size_t l4, size_t len)
{
	uint32_t s = ip[0] >> 4 == 4 ? fl_csum_add(0, ip + 12, 8) : fl_csum_add(0, ip + 8, 32);

	s += 6u + (uint32_t)(len - l4);
	return fl_csum_fold(fl_csum_add(s, ip + l4, len - l4));
}

static void check_burst(int v)
{
	struct fl_pkt_pool *pool = fl_pkt_pool_new(8);
	struct fl_pkt *pk[8];
	size_t l4 = v == 4 ? 20 : 40;
	unsigned n = fl_tun_gso_split(buf, build(v, v == 4 ? VIRTIO_NET_HDR_GSO_TCPV4 : VIRTIO_NET_HDR_GSO_TCPV6, MSS),
				      pool, pk, 8);

	assert_int_equal(n, PAYLOAD / MSS);
	for (unsigned k = 0; k < n; k++) {
		const uint8_t *ip = pk[k]->data, *t = ip + l4;
		assert_int_equal(pk[k]->len, l4 + 20 + MSS);
		if (v == 4) {
			assert_int_equal(fl_get16(ip + 2), l4 + 20 + MSS);
			assert_int_equal(fl_get16(ip + 4), 0x1234 + k);
			assert_int_equal(fl_csum_fold(fl_csum_add(0, ip, 20)), 0);
		} else {
			assert_int_equal(fl_get16(ip + 4), 20 + MSS);
		}
		assert_int_equal(fl_get32(t + 4), (uint32_t)(0xfffffc00u + k * MSS));
		assert_int_equal(t[13] & 0x80, k == 0 ? 0x80 : 0);
		assert_int_equal(t[13] & 0x09, k == n - 1 ? 0x09 : 0);
		assert_int_equal(t[13] & 0x10, 0x10);
		assert_int_equal(tcp_check(ip, l4, pk[k]->len), 0);
		for (size_t i = 0; i < MSS; i++)
			assert_int_equal(t[20 + i], (uint8_t)((k * MSS + i) * 7));
		fl_pkt_free(pk[k]);
	}
	fl_pkt_pool_free(pool);
}

static void test_gso_v4(void **state) { (void)state; check_burst(4); }
static void test_gso_v6(void **state) { (void)state; check_burst(6); }

static void test_partial_csum(void **state)
{
	struct fl_pkt_pool *pool = fl_pkt_pool_new(2);
	struct fl_pkt *pk[2];
	size_t len = FL_TUN_VNET_HLEN + 20 + 20 + MSS;
	uint8_t *ip = buf + FL_TUN_VNET_HLEN;

	(void)state;
	build(4, VIRTIO_NET_HDR_GSO_NONE, 0); /* one packet: cut to MSS bytes */
	/* The kernel leaves the pseudo-header sum in the field. */
	fl_put16(ip + 36, (uint16_t)~fl_csum_fold(fl_csum_add(0, ip + 12, 8) + 6u + 20 + MSS));
	assert_int_equal(fl_tun_gso_split(buf, len, pool, pk, 2), 1);
	assert_int_equal(pk[0]->len, len - FL_TUN_VNET_HLEN);
	assert_int_equal(tcp_check(pk[0]->data, 20, pk[0]->len), 0);
	fl_pkt_free(pk[0]);
	fl_pkt_pool_free(pool);
}

static void test_malformed(void **state)
{
	struct fl_pkt_pool *pool = fl_pkt_pool_new(8);
	struct fl_pkt *pk[8];
	size_t len = build(4, VIRTIO_NET_HDR_GSO_TCPV4, MSS);

	(void)state;
	assert_int_equal(fl_tun_gso_split(buf, FL_TUN_VNET_HLEN, pool, pk, 8), 0);
	assert_int_equal(fl_tun_gso_split(buf, FL_TUN_VNET_HLEN + 30, pool, pk, 8), 0);
	buf[FL_TUN_VNET_HLEN] = 0x46; /* IHL disagrees with csum_start */
	assert_int_equal(fl_tun_gso_split(buf, len, pool, pk, 8), 0);
	len = build(4, VIRTIO_NET_HDR_GSO_UDP, MSS);
	assert_int_equal(fl_tun_gso_split(buf, len, pool, pk, 8), 0);
	len = build(4, VIRTIO_NET_HDR_GSO_TCPV4, 0);
	assert_int_equal(fl_tun_gso_split(buf, len, pool, pk, 8), 0);
	assert_int_equal(fl_pkt_pool_avail(pool), 8);
	fl_pkt_pool_free(pool);
}

/* Segments cut from a burst merge back into one GSO write, and cutting
 * that again gives the same segments; a gap in sequence numbers or a
 * different flow does not merge. */
static void test_gro_roundtrip(void **state)
{
	struct fl_pkt_pool *pool = fl_pkt_pool_new(16);
	struct fl_pkt *pk[8], *again[8];
	struct fl_tun_gro g = {.buf = malloc(FL_TUN_GSO_MAX)};
	unsigned n = fl_tun_gso_split(buf, build(4, VIRTIO_NET_HDR_GSO_TCPV4, MSS), pool, pk, 8);
	size_t len;

	(void)state;
	assert_non_null(g.buf);
	assert_int_equal(n, 3);
	/* Only plain ACK segments merge: drop CWR (first), PSH/FIN (last). */
	pk[0]->data[33] = pk[2]->data[33] = 0x10;
	for (unsigned k = 0; k < n; k++)
		assert_true(fl_tun_gro_add(&g, pk[k]->data, pk[k]->len));
	len = fl_tun_gro_finish(&g);
	assert_int_equal(len, FL_TUN_VNET_HLEN + 40 + PAYLOAD);
	assert_int_equal(fl_tun_gso_split(g.buf, len, pool, again, 8), 3);
	for (unsigned k = 0; k < n; k++) {
		/* Same bytes but the TCP checksum, which is right again. */
		assert_int_equal(again[k]->len, pk[k]->len);
		assert_memory_equal(again[k]->data, pk[k]->data, 36);
		assert_memory_equal(again[k]->data + 38, pk[k]->data + 38, pk[k]->len - 38);
		assert_int_equal(tcp_check(again[k]->data, 20, again[k]->len), 0);
		fl_pkt_free(again[k]);
	}
	/* Out of order: the second segment twice. */
	assert_true(fl_tun_gro_add(&g, pk[0]->data, pk[0]->len));
	assert_false(fl_tun_gro_add(&g, pk[2]->data, pk[2]->len));
	assert_int_equal(fl_tun_gro_finish(&g), FL_TUN_VNET_HLEN + pk[0]->len);
	/* A single segment is written as it came, with a zero header. */
	assert_memory_equal(g.buf + FL_TUN_VNET_HLEN, pk[0]->data, pk[0]->len);
	/* Other destination port. */
	assert_true(fl_tun_gro_add(&g, pk[0]->data, pk[0]->len));
	pk[1]->data[23] ^= 1;
	assert_false(fl_tun_gro_add(&g, pk[1]->data, pk[1]->len));
	fl_tun_gro_finish(&g);
	for (unsigned k = 0; k < n; k++)
		fl_pkt_free(pk[k]);
	assert_int_equal(fl_pkt_pool_avail(pool), 16);
	free(g.buf);
	fl_pkt_pool_free(pool);
}

/* ---- IPv6 coalescing ------------------------------------------------------ */

/* Ones' complement sum written from scratch (no wire/csum.h), so the
 * merged packets' checksums are checked against an independent sum. */
static uint32_t ref_sum(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		s += i & 1 ? p[i] : (uint32_t)p[i] << 8;
	return s;
}

static uint16_t ref_fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

/* True if the TCP checksum of IPv6 packet ip (TCP at 40) is right. */
static bool ref_tcp6_ok(const uint8_t *ip, size_t len)
{
	uint32_t s = ref_sum(0, ip + 8, 32) + 6u + (uint32_t)(len - 40);

	return ref_fold(ref_sum(s, ip + 40, len - 40)) == 0xffff;
}

/* Store the right TCP checksum of ip (IPv6, TCP at 40). */
static void ref_tcp6_fill(uint8_t *ip, size_t len)
{
	ip[56] = ip[57] = 0;
	uint16_t c = (uint16_t)~ref_fold(ref_sum(ref_sum(0, ip + 8, 32) + 6u + (uint32_t)(len - 40),
						  ip + 40, len - 40));
	ip[56] = (uint8_t)(c >> 8), ip[57] = (uint8_t)c;
}

#define SEG6_THL 32u /* with a timestamp option */

/* One IPv6 TCP data segment (ACK, flow label 0x12345, hop limit 64, a
 * timestamp option) of plen bytes at sequence number seq into ip. */
static size_t seg6(uint8_t *ip, uint32_t seq, size_t plen)
{
	static const uint8_t ts[12] = {1, 1, 8, 10, 0, 0, 0x10, 0, 0, 0, 0x20, 0};
	size_t len = 40 + SEG6_THL + plen;

	memset(ip, 0, len);
	ip[0] = 0x60, ip[1] = 0x01, ip[2] = 0x23, ip[3] = 0x45;
	fl_put16(ip + 4, (uint16_t)(len - 40));
	ip[6] = 6, ip[7] = 64;
	ip[8] = 0x20, ip[9] = 0x01, ip[10] = 0x0d, ip[11] = 0xb8, ip[23] = 1;
	ip[24] = 0x20, ip[25] = 0x01, ip[26] = 0x0d, ip[27] = 0xb8, ip[39] = 2;
	fl_put16(ip + 40, 40000);
	fl_put16(ip + 42, 5201);
	fl_put32(ip + 44, seq);
	fl_put32(ip + 48, 0xabcdef01u);
	ip[52] = (SEG6_THL / 4) << 4;
	ip[53] = 0x10;
	fl_put16(ip + 54, 512);
	memcpy(ip + 60, ts, sizeof(ts));
	for (size_t i = 0; i < plen; i++)
		ip[40 + SEG6_THL + i] = (uint8_t)((seq + i) * 13);
	ref_tcp6_fill(ip, len);
	return len;
}

/* Three full segments merge into one TCPV6 GSO write whose partial
 * checksum, completed as the kernel would, is right; cutting it again
 * gives the segments back byte for byte. */
static void test_gro_v6_roundtrip(void **state)
{
	static uint8_t seg[3][40 + SEG6_THL + MSS];
	struct fl_pkt_pool *pool = fl_pkt_pool_new(8);
	struct fl_pkt *pk[8];
	struct fl_tun_gro g = {.buf = malloc(FL_TUN_GSO_MAX)};
	struct virtio_net_hdr h;
	size_t len, slen = 0;
	uint8_t *ip;

	(void)state;
	assert_non_null(g.buf);
	for (unsigned k = 0; k < 3; k++) {
		slen = seg6(seg[k], 0xfffffc00u + k * MSS, MSS); /* wraps */
		assert_true(fl_tun_gro_add(&g, seg[k], slen));
	}
	len = fl_tun_gro_finish(&g);
	assert_int_equal(len, FL_TUN_VNET_HLEN + 40 + SEG6_THL + 3 * MSS);
	memcpy(&h, g.buf, sizeof(h));
	assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_TCPV6);
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.gso_size, MSS);
	assert_int_equal(h.hdr_len, 40 + SEG6_THL);
	assert_int_equal(h.csum_start, 40);
	assert_int_equal(h.csum_offset, 16);
	ip = g.buf + FL_TUN_VNET_HLEN;
	assert_int_equal(fl_get16(ip + 4), SEG6_THL + 3 * MSS);
	/* Headers as the first segment's but the payload length. */
	assert_memory_equal(ip, seg[0], 4);
	assert_memory_equal(ip + 6, seg[0] + 6, 40 + 16 - 6);
	/* The field holds the pseudo-header sum: completing it over the
	 * segment must give the right checksum. */
	uint16_t c = (uint16_t)~ref_fold(ref_sum(0, ip + 40, len - FL_TUN_VNET_HLEN - 40));
	uint8_t saved[2] = {ip[56], ip[57]};
	ip[56] = (uint8_t)(c >> 8), ip[57] = (uint8_t)c;
	assert_true(ref_tcp6_ok(ip, len - FL_TUN_VNET_HLEN));
	ip[56] = saved[0], ip[57] = saved[1];
	assert_int_equal(fl_tun_gso_split(g.buf, len, pool, pk, 8), 3);
	for (unsigned k = 0; k < 3; k++) {
		assert_int_equal(pk[k]->len, slen);
		assert_memory_equal(pk[k]->data, seg[k], slen);
		fl_pkt_free(pk[k]);
	}
	free(g.buf);
	fl_pkt_pool_free(pool);
}

/* A burst cut with FL_GSO_NO_TCP_CSUM: the same segments but for the TCP
 * checksum field, which keeps the burst's; merged again with fix_single
 * they make the same write as segments with their checksums, and a lone
 * one is written with NEEDS_CSUM and a pseudo-header sum that, completed
 * as the kernel does, gives the right checksum. */
static void test_no_csum_split(void **state)
{
	struct fl_pkt_pool *pool = fl_pkt_pool_new(16);
	struct fl_pkt *pk[8], *nc[8];
	struct fl_tun_gro g = {.buf = malloc(FL_TUN_GSO_MAX), .fix_single = true};
	struct virtio_net_hdr h;
	size_t len = build(6, VIRTIO_NET_HDR_GSO_TCPV6, MSS), n1, n2;
	static uint8_t first[FL_TUN_GSO_MAX];

	(void)state;
	assert_non_null(g.buf);
	assert_int_equal(fl_tun_gso_split(buf, len, pool, pk, 8), 3);
	len = build(6, VIRTIO_NET_HDR_GSO_TCPV6, MSS);
	assert_int_equal(fl_tun_gso_split_flags(buf, len, pool, nc, 8, FL_GSO_NO_TCP_CSUM), 3);
	for (unsigned k = 0; k < 3; k++) {
		assert_int_equal(nc[k]->len, pk[k]->len);
		assert_memory_equal(nc[k]->data, pk[k]->data, 56);
		assert_memory_equal(nc[k]->data + 58, pk[k]->data + 58, pk[k]->len - 58);
		assert_memory_equal(nc[k]->data + 56, buf + FL_TUN_VNET_HLEN + 56, 2);
		nc[k]->data[53] = pk[k]->data[53] = 0x10; /* plain ACKs: all merge */
	}
	for (unsigned k = 0; k < 3; k++)
		assert_true(fl_tun_gro_add(&g, pk[k]->data, pk[k]->len));
	n1 = fl_tun_gro_finish(&g);
	memcpy(first, g.buf, n1);
	for (unsigned k = 0; k < 3; k++)
		assert_true(fl_tun_gro_add(&g, nc[k]->data, nc[k]->len));
	n2 = fl_tun_gro_finish(&g);
	assert_int_equal(n1, n2);
	assert_memory_equal(first, g.buf, n1);
	/* Alone: NEEDS_CSUM at the TCP header, completed right. */
	assert_true(fl_tun_gro_add(&g, nc[1]->data, nc[1]->len));
	n2 = fl_tun_gro_finish(&g);
	assert_int_equal(n2, FL_TUN_VNET_HLEN + nc[1]->len);
	memcpy(&h, g.buf, sizeof(h));
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.gso_type, VIRTIO_NET_HDR_GSO_NONE);
	assert_int_equal(h.csum_start, 40);
	assert_int_equal(h.csum_offset, 16);
	uint8_t *ip = g.buf + FL_TUN_VNET_HLEN;
	uint16_t c = (uint16_t)~ref_fold(ref_sum(0, ip + 40, nc[1]->len - 40));
	ip[56] = (uint8_t)(c >> 8), ip[57] = (uint8_t)c;
	assert_true(ref_tcp6_ok(ip, nc[1]->len));
	assert_memory_equal(ip, pk[1]->data, pk[1]->len);
	/* Without fix_single a lone segment goes as it came. */
	g.fix_single = false;
	assert_true(fl_tun_gro_add(&g, pk[1]->data, pk[1]->len));
	assert_int_equal(fl_tun_gro_finish(&g), FL_TUN_VNET_HLEN + pk[1]->len);
	memcpy(&h, g.buf, sizeof(h));
	assert_int_equal(h.flags, 0);
	for (unsigned k = 0; k < 3; k++) {
		fl_pkt_free(pk[k]);
		fl_pkt_free(nc[k]);
	}
	free(g.buf);
	fl_pkt_pool_free(pool);
}

/* fl_tun_vnet_csum(): TCP over IPv4 (with options) gets NEEDS_CSUM at its
 * header, whatever its field held; UDP and IPv4 fragments get zeros. */
static void test_vnet_csum(void **state)
{
	uint8_t p[24 + 20 + 100], vnet[FL_TUN_VNET_HLEN];
	struct virtio_net_hdr h;

	(void)state;
	memset(p, 0, sizeof(p));
	p[0] = 0x46, p[8] = 64, p[9] = 6;
	fl_put16(p + 2, sizeof(p));
	memcpy(p + 12, (const uint8_t[]){198, 18, 3, 1, 198, 51, 100, 7}, 8);
	p[24 + 12] = 5 << 4, p[24 + 13] = 0x11; /* ACK FIN */
	for (size_t i = 44; i < sizeof(p); i++)
		p[i] = (uint8_t)(i * 3);
	p[24 + 16] = 0xde, p[24 + 17] = 0xad; /* stale */
	fl_tun_vnet_csum(vnet, p, sizeof(p));
	memcpy(&h, vnet, sizeof(h));
	assert_int_equal(h.flags, VIRTIO_NET_HDR_F_NEEDS_CSUM);
	assert_int_equal(h.csum_start, 24);
	assert_int_equal(h.csum_offset, 16);
	uint16_t c = (uint16_t)~ref_fold(ref_sum(0, p + 24, sizeof(p) - 24));
	p[40] = (uint8_t)(c >> 8), p[41] = (uint8_t)c;
	uint32_t s = ref_sum(0, p + 12, 8) + 6u + (uint32_t)(sizeof(p) - 24);
	assert_int_equal(ref_fold(ref_sum(s, p + 24, sizeof(p) - 24)), 0xffff);
	p[9] = 17;
	fl_tun_vnet_csum(vnet, p, sizeof(p));
	for (size_t i = 0; i < sizeof(vnet); i++)
		assert_int_equal(vnet[i], 0);
	p[9] = 6, p[6] = 0x20; /* MF: a first fragment */
	fl_tun_vnet_csum(vnet, p, sizeof(p));
	for (size_t i = 0; i < sizeof(vnet); i++)
		assert_int_equal(vnet[i], 0);
}

/* One byte changed in the second segment (offset, xor mask); it must not
 * join the first. */
struct gro_case {
	const char *what;
	size_t off;
	uint8_t mask;
};

static void test_gro_v6_no_merge(void **state)
{
	static const struct gro_case cases[] = {
		{"source port", 41, 1},          {"destination address", 39, 1},
		{"source address", 8, 0x40},     {"flow label", 3, 1},
		{"traffic class (ECN)", 1, 0x10}, {"hop limit", 7, 1},
		{"sequence gap", 47, 1},         {"ack", 51, 1},
		{"window", 55, 1},               {"timestamp option", 66, 1},
		{"FIN", 53, 0x01},               {"SYN", 53, 0x02},
		{"RST", 53, 0x04},               {"URG", 53, 0x20},
		{"extension header", 6, 6},      {"data offset", 52, 0x10}, /* 6: next header 0 */
	};
	static uint8_t a[40 + SEG6_THL + MSS], b[sizeof(a)];
	struct fl_tun_gro g = {.buf = malloc(FL_TUN_GSO_MAX)};
	size_t la = seg6(a, 1000, MSS), lb;

	(void)state;
	assert_non_null(g.buf);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lb = seg6(b, 1000 + MSS, MSS);
		assert_true(fl_tun_gro_add(&g, a, la));
		b[cases[i].off] ^= cases[i].mask;
		if (cases[i].off != 6) /* a wrong checksum must not matter */
			ref_tcp6_fill(b, lb);
		if (fl_tun_gro_add(&g, b, lb))
			fail_msg("merged despite a different %s", cases[i].what);
		assert_int_equal(fl_tun_gro_finish(&g), FL_TUN_VNET_HLEN + la);
	}
	/* The unchanged segment does merge (the cases above are not
	 * refused for some other reason). */
	lb = seg6(b, 1000 + MSS, MSS);
	assert_true(fl_tun_gro_add(&g, a, la));
	assert_true(fl_tun_gro_add(&g, b, lb));
	/* Nothing follows a short segment, nor a PSH one. */
	assert_true(fl_tun_gro_add(&g, b, seg6(b, 1000 + 2 * MSS, MSS / 2)));
	assert_false(fl_tun_gro_add(&g, b, seg6(b, 1000 + 2 * MSS + MSS / 2, MSS / 2)));
	fl_tun_gro_finish(&g);
	assert_true(fl_tun_gro_add(&g, a, la));
	lb = seg6(b, 1000 + MSS, MSS);
	b[53] |= 0x08;
	assert_true(fl_tun_gro_add(&g, b, lb));
	assert_false(fl_tun_gro_add(&g, b, seg6(b, 1000 + 2 * MSS, MSS)));
	fl_tun_gro_finish(&g);
	/* A bigger segment than the first, a payload length that lies, an
	 * IPv4 segment after an IPv6 one. */
	assert_true(fl_tun_gro_add(&g, a, seg6(a, 1000, MSS / 2)));
	assert_false(fl_tun_gro_add(&g, b, seg6(b, 1000 + MSS / 2, MSS)));
	fl_tun_gro_finish(&g);
	lb = seg6(b, 1000, MSS);
	assert_false(fl_tun_gro_add(&g, b, lb - 1));
	assert_int_equal(fl_tun_gro_finish(&g), 0);
	build(4, VIRTIO_NET_HDR_GSO_NONE, 0);
	fl_put16(buf + FL_TUN_VNET_HLEN + 2, 40 + MSS);
	buf[FL_TUN_VNET_HLEN + 33] = 0x10;
	assert_true(fl_tun_gro_add(&g, a, seg6(a, 0xfffffc00u + 3000, MSS)));
	assert_false(fl_tun_gro_add(&g, buf + FL_TUN_VNET_HLEN, 40 + MSS));
	fl_tun_gro_finish(&g); /* but it starts a burst of its own */
	assert_true(fl_tun_gro_add(&g, buf + FL_TUN_VNET_HLEN, 40 + MSS));
	fl_tun_gro_finish(&g);
	free(g.buf);
}

/* A TAP read: the same burst behind a 14-byte Ethernet header, offsets
 * counted from the frame; every segment carries the header. Non-IP frames
 * without GSO pass whole; a burst whose ethertype is not IP is dropped. */
static uint8_t tbuf[FL_TAP_GSO_MAX];

static void test_tap_burst(void **state)
{
	static const uint8_t eth[14] = {2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00};
	struct fl_pkt_pool *pool = fl_pkt_pool_new(8);
	struct fl_pkt *pk[8];
	struct virtio_net_hdr h;
	size_t len = build(4, VIRTIO_NET_HDR_GSO_TCPV4, MSS);
	unsigned n;

	(void)state;
	memcpy(&h, buf, sizeof(h));
	h.csum_start = (uint16_t)(h.csum_start + 14);
	h.hdr_len = (uint16_t)(h.hdr_len + 14);
	memcpy(tbuf, &h, sizeof(h));
	memcpy(tbuf + FL_TUN_VNET_HLEN, eth, 14);
	memcpy(tbuf + FL_TUN_VNET_HLEN + 14, buf + FL_TUN_VNET_HLEN, len - FL_TUN_VNET_HLEN);
	struct fl_tun_gro g = {.buf = calloc(1, FL_TAP_GSO_MAX), .l2 = 14};
	size_t glen;

	n = fl_tap_gso_split(tbuf, len + 14, pool, pk, 8);
	assert_int_equal(n, PAYLOAD / MSS);
	for (unsigned k = 0; k < n; k++) {
		assert_int_equal(pk[k]->len, 14 + 20 + 20 + MSS);
		assert_memory_equal(pk[k]->data, eth, 14);
		assert_int_equal(fl_get32(pk[k]->data + 14 + 24), (uint32_t)(0xfffffc00u + k * MSS));
		assert_int_equal(tcp_check(pk[k]->data + 14, 20, pk[k]->len - 14), 0);
		/* Clear PSH/FIN so the segments merge (a FIN closes a burst). */
		pk[k]->data[14 + 33] = 0x10;
		fl_put16(pk[k]->data + 14 + 36, 0);
		fl_put16(pk[k]->data + 14 + 36, (uint16_t)~tcp_check(pk[k]->data + 14, 20, pk[k]->len - 14));
		assert_true(fl_tap_gro_add(&g, pk[k]->data, pk[k]->len));
		fl_pkt_free(pk[k]);
	}
	/* The merged write splits back into the same segments. */
	glen = fl_tun_gro_finish(&g);
	assert_int_equal(glen, FL_TUN_VNET_HLEN + 14 + 40 + PAYLOAD);
	assert_memory_equal(g.buf + FL_TUN_VNET_HLEN, eth, 14);
	assert_int_equal(fl_tap_gso_split(g.buf, glen, pool, pk, 8), PAYLOAD / MSS);
	for (unsigned k = 0; k < PAYLOAD / MSS; k++) {
		assert_int_equal(tcp_check(pk[k]->data + 14, 20, pk[k]->len - 14), 0);
		fl_pkt_free(pk[k]);
	}
	free(g.buf);
	tbuf[FL_TUN_VNET_HLEN + 13] = 0x06; /* ethertype ARP: no burst */
	assert_int_equal(fl_tap_gso_split(tbuf, len + 14, pool, pk, 8), 0);
	memset(tbuf, 0, FL_TUN_VNET_HLEN); /* no GSO: the frame as it is */
	assert_int_equal(fl_tap_gso_split(tbuf, FL_TUN_VNET_HLEN + 42, pool, pk, 8), 1);
	assert_int_equal(pk[0]->len, 42);
	assert_memory_equal(pk[0]->data, tbuf + FL_TUN_VNET_HLEN, 42);
	fl_pkt_free(pk[0]);
	assert_int_equal(fl_tap_gso_split(tbuf, FL_TUN_VNET_HLEN + 13, pool, pk, 8), 0);
	assert_int_equal(fl_pkt_pool_avail(pool), 8);
	fl_pkt_pool_free(pool);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gso_v4),
		cmocka_unit_test(test_gso_v6),
		cmocka_unit_test(test_partial_csum),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_gro_roundtrip),
		cmocka_unit_test(test_tap_burst),
		cmocka_unit_test(test_gro_v6_roundtrip),
		cmocka_unit_test(test_gro_v6_no_merge),
		cmocka_unit_test(test_no_csum_split),
		cmocka_unit_test(test_vnet_csum),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
