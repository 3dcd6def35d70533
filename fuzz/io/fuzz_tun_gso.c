/* SPDX-License-Identifier: MIT */
/*
 * fuzz_tun_gso: the offload device's segmentation and coalescing
 * (io/tun_gso.c). The first byte picks TUN or TAP (bit 0) and what the
 * rest is (bit 1): one device read (virtio_net_hdr + packet or frame) cut
 * by fl_tun/tap_gso_split(), whose segments are then merged again; or a
 * run of packets (two-byte length, then the bytes) as the mesh hands them
 * to the device writer, merged by fl_tun/tap_gro_add(). Every merged
 * write is cut again and must give back the segments that went in (IP
 * and TCP headers but the checksums, IPv4 ID and urgent pointer; payload)
 * with right checksums; a lone packet must come out as it went in (or,
 * with fix_single, with NEEDS_CSUM when it is TCP). Bit 2 cuts TUN reads
 * with FL_GSO_NO_TCP_CSUM and merges with fix_single. Aborts otherwise.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/virtio_net.h>

#include "io/tun.h"
#include "wire/csum.h"

#define HELD_MAX 1024u
#define SEG_MAX (FL_PKT_BUFSIZE - FL_PKT_HEADROOM)

static struct {
	struct fl_pkt_pool *pool;
	struct fl_tun_gro g;
	uint8_t *rd;
	const uint8_t *held[HELD_MAX];
	size_t held_len[HELD_MAX];
	unsigned n_held;
	struct fl_pkt *cut[HELD_MAX];
} F;

static uint16_t tcp_sum(const uint8_t *ip, size_t l3, size_t len)
{
	uint32_t s = l3 == 20 ? fl_csum_add(0, ip + 12, 8) : fl_csum_add(0, ip + 8, 32);

	return fl_csum_fold(fl_csum_add(s + 6u + (uint32_t)(len - l3), ip + l3, len - l3));
}

/* Segment a (cut from the merged write) against b (what went in). */
static void same_seg(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t l3 = b[0] >> 4 == 4 ? 20 : 40;

	if (alen != blen || tcp_sum(a, l3, alen) != 0)
		abort();
	if (l3 == 20 && (memcmp(a, b, 4) || memcmp(a + 6, b + 6, 4) || memcmp(a + 12, b + 12, 8) ||
			 fl_csum_fold(fl_csum_add(0, a, 20)) != 0))
		abort();
	if (l3 == 40 && memcmp(a, b, 40))
		abort();
	if (memcmp(a + l3, b + l3, 16) || memcmp(a + l3 + 20, b + l3 + 20, blen - l3 - 20))
		abort();
}

/* Finish the burst and check it against the packets held. */
static void fz_flush(void)
{
	size_t n = fl_tun_gro_finish(&F.g), l2 = F.g.l2;
	struct virtio_net_hdr h;
	unsigned k;

	if (!F.n_held) {
		if (n)
			abort();
		return;
	}
	memcpy(&h, F.g.buf, sizeof(h));
	if (F.n_held == 1) {
		size_t c = h.csum_start + 16u; /* fix_single rewrites the TCP checksum */
		if (h.gso_type != VIRTIO_NET_HDR_GSO_NONE || (h.flags && !F.g.fix_single) ||
		    n != FL_TUN_VNET_HLEN + F.held_len[0] ||
		    (h.flags ? c + 2 > F.held_len[0] ||
				       memcmp(F.g.buf + FL_TUN_VNET_HLEN, F.held[0], c) ||
				       memcmp(F.g.buf + FL_TUN_VNET_HLEN + c + 2, F.held[0] + c + 2,
					      F.held_len[0] - c - 2)
			     : memcmp(F.g.buf + FL_TUN_VNET_HLEN, F.held[0], F.held_len[0])))
			abort();
		F.n_held = 0;
		return;
	}
	if (h.gso_type != VIRTIO_NET_HDR_GSO_TCPV4 && h.gso_type != VIRTIO_NET_HDR_GSO_TCPV6)
		abort();
	k = l2 ? fl_tap_gso_split(F.g.buf, n, F.pool, F.cut, HELD_MAX)
	       : fl_tun_gso_split(F.g.buf, n, F.pool, F.cut, HELD_MAX);
	if (k != F.n_held)
		abort();
	for (unsigned i = 0; i < k; i++) {
		if (l2 && memcmp(F.cut[i]->data, F.held[i], l2))
			abort();
		same_seg(F.cut[i]->data + l2, F.cut[i]->len - l2, F.held[i] + l2, F.held_len[i] - l2);
		fl_pkt_free(F.cut[i]);
	}
	F.n_held = 0;
}

/* As the device writer does: merge, else flush and start a burst, else
 * the packet is written alone (nothing to check). */
static void fz_add(const uint8_t *p, size_t len)
{
	bool tap = F.g.l2 != 0;

	if (F.n_held == HELD_MAX)
		fz_flush();
	if (!(tap ? fl_tap_gro_add(&F.g, p, len) : fl_tun_gro_add(&F.g, p, len))) {
		fz_flush();
		if (!(tap ? fl_tap_gro_add(&F.g, p, len) : fl_tun_gro_add(&F.g, p, len)))
			return;
	}
	F.held[F.n_held] = p;
	F.held_len[F.n_held++] = len;
}

static void fz_read(const uint8_t *data, size_t size, bool tap)
{
	static struct fl_pkt *pk[768];
	unsigned n;

	if (size > (tap ? FL_TAP_GSO_MAX : FL_TUN_GSO_MAX))
		return;
	memcpy(F.rd, data, size);
	n = tap ? fl_tap_gso_split(F.rd, size, F.pool, pk, 768)
		: fl_tun_gso_split_flags(F.rd, size, F.pool, pk, 768,
					 F.g.fix_single ? FL_GSO_NO_TCP_CSUM : 0);
	for (unsigned i = 0; i < n; i++)
		fz_add(pk[i]->data, pk[i]->len);
	fz_flush();
	for (unsigned i = 0; i < n; i++)
		fl_pkt_free(pk[i]);
}

static void fz_packets(const uint8_t *data, size_t size)
{
	while (size >= 2) {
		size_t len = fl_get16(data);
		data += 2, size -= 2;
		if (len > size)
			len = size;
		if (len <= SEG_MAX)
			fz_add(data, len);
		data += len, size -= len;
	}
	fz_flush();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!F.pool) {
		F.pool = fl_pkt_pool_new(768 + HELD_MAX);
		F.g.buf = calloc(1, FL_TAP_GSO_MAX);
		F.rd = malloc(FL_TAP_GSO_MAX);
		if (!F.pool || !F.g.buf || !F.rd)
			abort();
	}
	if (size < 1)
		return 0;
	F.g.l2 = data[0] & 1 ? 14 : 0;
	F.g.fix_single = !F.g.l2 && (data[0] & 4);
	if (data[0] & 2)
		fz_read(data + 1, size - 1, F.g.l2 != 0);
	else
		fz_packets(data + 1, size - 1);
	if (fl_pkt_pool_avail(F.pool) != 768 + HELD_MAX)
		abort();
	return 0;
}
