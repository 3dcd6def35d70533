/* SPDX-License-Identifier: MIT */
/*
 * test_tun_gso.c: fl_tun_gso_split() on hand-built offload reads: a TCP
 * burst over IPv4 and IPv6 cut into gso_size segments with valid
 * checksums, sequence numbers and per-segment flags; a partial checksum
 * completed; malformed reads dropped.
 */
#include <stdarg.h>
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
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
