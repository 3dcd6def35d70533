/* SPDX-License-Identifier: MIT */
/*
 * test_route_ops.c: IP frame parsing, ICMP/ICMPv6 errors, TTL decrement,
 * IPv4 fragmentation and ClampMSS (spec/GRAPH.md §6.4, §6.7–§6.9).
 * Checksums are verified with a naive reference sum written here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "wire/dgram.h"
#include "wire/icmp.h"
#include "wire/ip.h"
#include "wire/ipmod.h"

/* Reference one's-complement sum, byte by byte. */
static uint16_t ref_sum(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	uint64_t s = 0;
	for (size_t i = 0; i < alen; i++)
		s += (i & 1) ? a[i] : (uint64_t)a[i] << 8;
	for (size_t i = 0; i < blen; i++)
		s += (i & 1) ? b[i] : (uint64_t)b[i] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void set_ipv4_csum(uint8_t *ip)
{
	ip[10] = ip[11] = 0;
	uint16_t c = (uint16_t)~ref_sum(ip, 20, NULL, 0);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
}

/* IPv4 frame 192.0.2.1 -> 198.51.100.7, total length len - 14. */
static size_t make_v4(uint8_t *f, size_t len, uint8_t proto, uint8_t ttl, bool df)
{
	uint8_t *ip = f + 14;
	memset(f, 0, len);
	for (int i = 0; i < 12; i++)
		f[i] = (uint8_t)(0x10 + i);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((len - 14) >> 8);
	ip[3] = (uint8_t)(len - 14);
	ip[6] = df ? 0x40 : 0;
	ip[8] = ttl;
	ip[9] = proto;
	memcpy(ip + 12, (uint8_t[]){192, 0, 2, 1}, 4);
	memcpy(ip + 16, (uint8_t[]){198, 51, 100, 7}, 4);
	for (size_t i = 34; i < len; i++)
		f[i] = (uint8_t)i;
	set_ipv4_csum(ip);
	return len;
}

static const uint8_t v6src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t v6dst[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 2};

static size_t make_v6(uint8_t *f, size_t len, uint8_t nh, uint8_t hlim)
{
	uint8_t *ip = f + 14;
	memset(f, 0, len);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[4] = (uint8_t)((len - 54) >> 8);
	ip[5] = (uint8_t)(len - 54);
	ip[6] = nh;
	ip[7] = hlim;
	memcpy(ip + 8, v6src, 16);
	memcpy(ip + 24, v6dst, 16);
	for (size_t i = 54; i < len; i++)
		f[i] = (uint8_t)i;
	return len;
}

static void test_parse(void **state)
{
	uint8_t f[200];
	struct fl_ip_info info;

	(void)state;
	make_v4(f, 100, 6, 64, true);
	assert_int_equal(fl_ip_parse_frame(f, 100, &info), FL_WIRE_OK);
	assert_int_equal(info.version, 4);
	assert_int_equal(info.proto, 6);
	assert_int_equal(info.ttl, 64);
	assert_true(info.df);
	assert_memory_equal(info.dst, ((uint8_t[]){198, 51, 100, 7}), 4);
	assert_int_equal(fl_ip_parse_frame(f, 33, &info), FL_WIRE_SHORT);
	make_v6(f, 100, 58, 3);
	assert_int_equal(fl_ip_parse_frame(f, 100, &info), FL_WIRE_OK);
	assert_int_equal(info.version, 6);
	assert_memory_equal(info.dst, v6dst, 16);
	assert_int_equal(fl_ip_parse_frame(f, 53, &info), FL_WIRE_SHORT);
	f[12] = 0x08;
	f[13] = 0x06;
	assert_int_equal(fl_ip_parse_frame(f, 100, &info), FL_WIRE_BAD_ETHERTYPE);
	assert_int_equal(info.ethertype, 0x0806);
}

static void test_frame_header(void **state)
{
	struct fl_pkt *p = fl_pkt_new();
	uint8_t ip[40] = {0x45};

	(void)state;
	fl_pkt_set(p, ip, sizeof(ip));
	assert_int_equal(fl_ip_push_frame_header(p), FL_WIRE_OK);
	assert_int_equal(p->len, 54);
	assert_int_equal(p->data[12], 0x08);
	assert_int_equal(p->data[13], 0x00);
	ip[0] = 0x60;
	fl_pkt_set(p, ip, sizeof(ip));
	assert_int_equal(fl_ip_push_frame_header(p), FL_WIRE_OK);
	assert_int_equal(p->data[12], 0x86);
	ip[0] = 0x50;
	fl_pkt_set(p, ip, sizeof(ip));
	assert_int_equal(fl_ip_push_frame_header(p), FL_WIRE_BAD_VERSION);
	fl_pkt_free(p);
}

static void test_icmp4(void **state)
{
	uint8_t f[1000], out[FL_ICMP_ERROR_MAX];
	size_t n;

	(void)state;
	make_v4(f, 1000, 17, 64, true);
	/* Frag needed after truncation to 590 (GRAPH.md §6.1 step 11). */
	assert_int_equal(fl_icmp4_error(f, 590, 3, 4, NULL, out, sizeof(out), &n), FL_WIRE_OK);
	assert_int_equal(n, 14 + 20 + 8 + 548);
	assert_memory_equal(out, f + 6, 6);   /* MACs swapped */
	assert_memory_equal(out + 6, f, 6);
	assert_int_equal(out[14], 0x45);
	assert_int_equal((out[16] << 8) | out[17], 20 + 8 + 548);
	assert_int_equal(out[22], 255);
	assert_int_equal(out[23], 1);
	assert_memory_equal(out + 26, f + 30, 4); /* src = original dst */
	assert_memory_equal(out + 30, f + 26, 4); /* dst = original src */
	assert_int_equal(ref_sum(out + 14, 20, NULL, 0), 0xffff);
	assert_int_equal(out[34], 3);
	assert_int_equal(out[35], 4);
	assert_int_equal((out[40] << 8) | out[41], 576); /* next-hop MTU */
	assert_int_equal(ref_sum(out + 34, 8 + 548, NULL, 0), 0xffff);
	assert_memory_equal(out + 42, f + 14, 548);

	/* Small packet: whole IP packet quoted; time exceeded with local src. */
	assert_int_equal(fl_icmp4_error(f, 60, 11, 0, (uint8_t[]){203, 0, 113, 9}, out,
					sizeof(out), &n), FL_WIRE_OK);
	assert_int_equal(n, 14 + 28 + 46);
	assert_memory_equal(out + 26, ((uint8_t[]){203, 0, 113, 9}), 4);
	assert_int_equal(out[40] | out[41], 0);
	assert_int_equal(ref_sum(out + 34, 8 + 46, NULL, 0), 0xffff);
	assert_int_equal(fl_icmp4_error(f, 60, 3, 6, NULL, out, 50, &n), FL_WIRE_NO_ROOM);
	assert_int_equal(fl_icmp4_error(f, 33, 3, 6, NULL, out, sizeof(out), &n), FL_WIRE_SHORT);

	/* In place. */
	uint8_t g[200], ref[FL_ICMP_ERROR_MAX];
	make_v4(g, 100, 6, 64, false);
	fl_icmp4_error(g, 100, 3, 0, NULL, ref, sizeof(ref), &n);
	uint8_t big[FL_ICMP_ERROR_MAX];
	memcpy(big, g, 100);
	size_t n2;
	assert_int_equal(fl_icmp4_error(big, 100, 3, 0, NULL, big, sizeof(big), &n2), FL_WIRE_OK);
	assert_int_equal(n, n2);
	assert_memory_equal(big, ref, n);
}

static void test_icmp6(void **state)
{
	uint8_t f[1500], out[FL_ICMP_ERROR_MAX], pseudo[40];
	size_t n;

	(void)state;
	make_v6(f, 1400, 17, 64);
	assert_int_equal(fl_icmp6_error(f, 1308, 2, 0, NULL, out, sizeof(out), &n), FL_WIRE_OK);
	assert_int_equal(n, 14 + 40 + 8 + 528);
	assert_int_equal(out[14], 0x60);
	assert_int_equal((out[18] << 8) | out[19], 8 + 528);
	assert_int_equal(out[20], 58);
	assert_int_equal(out[21], 255);
	assert_memory_equal(out + 22, v6dst, 16);
	assert_memory_equal(out + 38, v6src, 16);
	assert_int_equal(out[54], 2);
	assert_int_equal((out[58] << 24) | (out[59] << 16) | (out[60] << 8) | out[61], 1294);
	memcpy(pseudo, out + 22, 32);
	memset(pseudo + 32, 0, 8);
	pseudo[34] = (uint8_t)((8 + 528) >> 8);
	pseudo[35] = (uint8_t)(8 + 528);
	pseudo[39] = 58;
	assert_int_equal(ref_sum(pseudo, 40, out + 54, 8 + 528), 0xffff);
	assert_memory_equal(out + 62, f + 14, 528);
	assert_int_equal(fl_icmp6_error(f, 53, 1, 3, NULL, out, sizeof(out), &n), FL_WIRE_SHORT);
}

static void test_ttl(void **state)
{
	uint8_t f[200];

	(void)state;
	make_v4(f, 100, 6, 64, false);
	assert_int_equal(fl_ttl_decrement(f, 100), FL_TTL_OK);
	assert_int_equal(f[22], 63);
	assert_int_equal(ref_sum(f + 14, 20, NULL, 0), 0xffff);
	for (int ttl = 255; ttl > 1; ttl--) {
		make_v4(f, 100, 17, (uint8_t)ttl, false);
		assert_int_equal(fl_ttl_decrement(f, 100), FL_TTL_OK);
		assert_int_equal(ref_sum(f + 14, 20, NULL, 0), 0xffff);
	}
	make_v4(f, 100, 6, 1, false);
	assert_int_equal(fl_ttl_decrement(f, 100), FL_TTL_EXPIRED_ICMP);
	/* tinc's quirk: bytes at IP offsets 11 and 32 equal 1 and 11. */
	f[14 + 11] = 1;
	f[14 + 32] = 11;
	assert_int_equal(fl_ttl_decrement(f, 100), FL_TTL_EXPIRED_SILENT);
	assert_int_equal(fl_ttl_decrement(f, 20), FL_TTL_SHORT);
	make_v6(f, 100, 17, 2);
	assert_int_equal(fl_ttl_decrement(f, 100), FL_TTL_OK);
	assert_int_equal(f[21], 1);
	assert_int_equal(fl_ttl_decrement(f, 100), FL_TTL_EXPIRED_ICMP);
	make_v6(f, 100, 58, 1);
	f[54] = 3;
	assert_int_equal(fl_ttl_decrement(f, 100), FL_TTL_EXPIRED_SILENT);
	f[12] = 0x12; /* other ethertype: untouched */
	assert_int_equal(fl_ttl_decrement(f, 100), FL_TTL_OK);
}

struct reasm {
	uint8_t data[2000];
	size_t got;
	int count;
	int last_mf;
};

static void reasm_emit(void *ctx, const uint8_t *frag, size_t len)
{
	struct reasm *r = ctx;
	const uint8_t *ip = frag + 14;
	size_t off = (size_t)(((ip[6] & 0x1f) << 8) | ip[7]) * 8;
	size_t plen = (size_t)((ip[2] << 8) | ip[3]) - 20;

	assert_int_equal(len, 34 + plen);
	assert_true(len <= 590);
	assert_int_equal(ref_sum(ip, 20, NULL, 0), 0xffff);
	memcpy(r->data + off, frag + 34, plen);
	r->got += plen;
	r->count++;
	r->last_mf = (ip[6] & 0x20) != 0;
	if (r->last_mf)
		assert_int_equal(plen % 8, 0);
}

static void test_frag(void **state)
{
	uint8_t f[1500];
	struct reasm r = {0};

	(void)state;
	make_v4(f, 1500, 17, 64, false);
	assert_int_equal(fl_frag4(f, 1500, 500, reasm_emit, &r), FL_WIRE_OK);
	/* max(500, 590) - 34 = 556 → 552 per fragment: 1466 = 552+552+362 */
	assert_int_equal(r.count, 3);
	assert_int_equal(r.got, 1466);
	assert_false(r.last_mf);
	assert_memory_equal(r.data, f + 34, 1466);
	/* Length mismatch or options → refused. */
	assert_int_equal(fl_frag4(f, 1499, 590, reasm_emit, &r), FL_WIRE_CANNOT_FRAG);
	f[14] = 0x46;
	assert_int_equal(fl_frag4(f, 1500, 590, reasm_emit, &r), FL_WIRE_CANNOT_FRAG);
}

static size_t make_syn(uint8_t *f, bool v6, uint16_t mss, bool noop_first)
{
	size_t tcp = v6 ? 54 : 34, len = tcp + 24;
	if (v6)
		make_v6(f, len, 6, 64);
	else
		make_v4(f, len, 6, 64, true);
	uint8_t *t = f + tcp;
	memset(t, 0, 24);
	t[12] = 6 << 4; /* data offset 6: 4 option bytes */
	if (noop_first) {
		/* tinc looks at the length at the first option slot: a NOP there
		 * means no clamping. */
		t[20] = 1;
		t[21] = 2;
		t[22] = 4;
		t[23] = 0;
	} else {
		t[20] = 2;
		t[21] = 4;
		t[22] = (uint8_t)(mss >> 8);
		t[23] = (uint8_t)mss;
	}
	/* TCP checksum with pseudo-header (only consistency matters here). */
	t[16] = 0x12;
	t[17] = 0x34;
	return len;
}

static void test_mss(void **state)
{
	uint8_t f[200];
	size_t len;

	(void)state;
	len = make_syn(f, false, 1460, false);
	uint16_t before = ref_sum(f + 34, 24, NULL, 0);
	assert_true(fl_mss_clamp(f, len, 1400));
	assert_int_equal((f[34 + 22] << 8) | f[34 + 23], 1400 - 34 - 20);
	/* The checksum still covers the segment consistently. */
	assert_int_equal(ref_sum(f + 34, 24, NULL, 0), before);
	assert_false(fl_mss_clamp(f, len, 1518)); /* already smaller */
	len = make_syn(f, true, 1440, false);
	assert_true(fl_mss_clamp(f, len, 1400));
	assert_int_equal((f[54 + 22] << 8) | f[54 + 23], 1400 - 54 - 20);
	len = make_syn(f, false, 0, true);
	assert_false(fl_mss_clamp(f, len, 600));
	len = make_syn(f, false, 1460, false);
	assert_false(fl_mss_clamp(f, len - 1, 600)); /* options cut off */
	f[23] = 17;
	assert_false(fl_mss_clamp(f, len, 600)); /* not TCP */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_frame_header),
		cmocka_unit_test(test_icmp4),
		cmocka_unit_test(test_icmp6),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_frag),
		cmocka_unit_test(test_mss),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
