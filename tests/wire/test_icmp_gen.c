/* SPDX-License-Identifier: MIT */
/*
 * test_icmp_gen: the router's own ICMP messages (src/wire/icmp_echo.c,
 * icmp_err.c, icmp_rate.c), one case per RFC 792 / 1122 / 1812 / 4443
 * requirement. Checksums are checked with a byte-at-a-time RFC 1071 sum
 * written here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "wire/icmp_echo.h"
#include "wire/icmp_err.h"
#include "wire/icmp_rate.h"

static const uint8_t mac_a[6] = {2, 0, 0, 0, 0, 0x0a}, mac_r[6] = {2, 0, 0, 0, 0, 1};
static const uint8_t h4[4] = {192, 0, 2, 10}, r4[4] = {192, 0, 2, 1}, far4[4] = {198, 51, 100, 7};
static const uint8_t h6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a};
static const uint8_t r6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t far6[16] = {0x20, 0x01, 0x0d, 0xb8, 9, [15] = 7};

static uint32_t naive_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sum += (i & 1) ? p[i] : (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t naive_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* 0 if the IPv4 header and the ICMP message at ip sum right. */
static void assert_csum4(const uint8_t *ip)
{
	size_t ihl = (size_t)(ip[0] & 15) * 4, tot = (size_t)(ip[2] << 8 | ip[3]);

	assert_int_equal(naive_fold(naive_add(0, ip, ihl)), 0);
	assert_int_equal(naive_fold(naive_add(0, ip + ihl, tot - ihl)), 0);
}

static void assert_csum6(const uint8_t *ip)
{
	size_t plen = (size_t)(ip[4] << 8 | ip[5]);
	uint32_t s = naive_add(0, ip + 8, 32);

	s += (uint32_t)plen + 58;
	assert_int_equal(naive_fold(naive_add(s, ip + 40, plen)), 0);
}

/* An IPv4 frame: 14 + 20 + payload of plen bytes, proto, with good
 * checksums when proto is ICMP. Returns the frame length. */
static size_t mk4(uint8_t *f, const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
		  uint8_t icmp_type, size_t plen)
{
	uint8_t *ip = f + 14;
	uint16_t c;

	memset(f, 0, 14 + 20 + plen);
	memcpy(f, mac_r, 6);
	memcpy(f + 6, mac_a, 6);
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[2] = (uint8_t)((20 + plen) >> 8), ip[3] = (uint8_t)(20 + plen);
	ip[4] = 0x12, ip[5] = 0x34;
	ip[8] = 64, ip[9] = proto;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	for (size_t i = 8; i < plen; i++)
		ip[20 + i] = (uint8_t)(i * 7);
	if (proto == 1) {
		ip[20] = icmp_type;
		ip[24] = 0xab, ip[25] = 0xcd, ip[26] = 0, ip[27] = 1;	/* id, seq */
		c = naive_fold(naive_add(0, ip + 20, plen));
		ip[22] = (uint8_t)(c >> 8), ip[23] = (uint8_t)c;
	}
	c = naive_fold(naive_add(0, ip, 20));
	ip[10] = (uint8_t)(c >> 8), ip[11] = (uint8_t)c;
	return 14 + 20 + plen;
}

static size_t mk6(uint8_t *f, const uint8_t src[16], const uint8_t dst[16], uint8_t nh,
		  uint8_t icmp_type, size_t plen)
{
	uint8_t *ip = f + 14;

	memset(f, 0, 14 + 40 + plen);
	memcpy(f, mac_r, 6);
	memcpy(f + 6, mac_a, 6);
	f[12] = 0x86, f[13] = 0xdd;
	ip[0] = 0x60;
	ip[4] = (uint8_t)(plen >> 8), ip[5] = (uint8_t)plen;
	ip[6] = nh, ip[7] = 64;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, dst, 16);
	for (size_t i = 8; i < plen; i++)
		ip[40 + i] = (uint8_t)(i * 5);
	if (nh == 58) {
		uint32_t s = naive_add(0, ip + 8, 32) + (uint32_t)plen + 58;
		uint16_t c;
		ip[40] = icmp_type;
		ip[44] = 0xab, ip[45] = 0xcd;
		c = naive_fold(naive_add(s, ip + 40, plen));
		ip[42] = (uint8_t)(c >> 8), ip[43] = (uint8_t)c;
	}
	return 14 + 40 + plen;
}

/* RFC 792 / RFC 1122 §3.2.2.6: the reply swaps addresses, type 0, the
 * identifier, sequence and data returned unmodified; padding dropped. */
static void test_echo4_reply(void **state)
{
	uint8_t f[256], out[256];
	size_t len = mk4(f, h4, r4, 1, 8, 64), olen;
	const uint8_t *ip = out + 14;

	(void)state;
	assert_int_equal(fl_icmp_echo4(f, len + 6, out, sizeof(out), &olen), FL_ICMP_OK);
	assert_int_equal(olen, len);
	assert_memory_equal(out, mac_a, 6);
	assert_memory_equal(out + 6, mac_r, 6);
	assert_memory_equal(ip + 12, r4, 4);
	assert_memory_equal(ip + 16, h4, 4);
	assert_int_equal(ip[9], 1);
	assert_int_equal(ip[20], 0);
	assert_memory_equal(ip + 24, f + 14 + 24, 64 - 4);
	assert_csum4(ip);
	/* In place gives the same. */
	assert_int_equal(fl_icmp_echo4(f, len, f, len, &olen), FL_ICMP_OK);
	assert_memory_equal(f, out, len);
	/* A reply is not a request. */
	assert_int_equal(fl_icmp_echo4(f, len, out, sizeof(out), &olen), FL_ICMP_NOT_ECHO);
}

/* Only an intact, unfragmented echo request from one host to a unicast
 * address is answered (RFC 1122 §3.2.2.6, §3.2.1.3). */
static void test_echo4_refusals(void **state)
{
	uint8_t f[256], out[256];
	size_t len, olen;

	(void)state;
	len = mk4(f, h4, r4, 1, 8, 16);
	assert_int_equal(fl_icmp_echo4(f, len, out, len - 1, &olen), FL_ICMP_NO_ROOM);
	f[14 + 30] ^= 1;
	assert_int_equal(fl_icmp_echo4(f, len, out, sizeof(out), &olen), FL_ICMP_BAD_CSUM);
	len = mk4(f, h4, r4, 1, 0, 16);
	assert_int_equal(fl_icmp_echo4(f, len, out, sizeof(out), &olen), FL_ICMP_NOT_ECHO);
	len = mk4(f, h4, r4, 1, 8, 16);
	f[14 + 6] = 0x20;	/* MF */
	assert_int_equal(fl_icmp_echo4(f, len, out, sizeof(out), &olen), FL_ICMP_FRAGMENT);
	len = mk4(f, h4, (const uint8_t[4]){255, 255, 255, 255}, 1, 8, 16);
	assert_int_equal(fl_icmp_echo4(f, len, out, sizeof(out), &olen), FL_ICMP_GROUP_DST);
	len = mk4(f, h4, (const uint8_t[4]){224, 0, 0, 1}, 1, 8, 16);
	assert_int_equal(fl_icmp_echo4(f, len, out, sizeof(out), &olen), FL_ICMP_GROUP_DST);
	len = mk4(f, h4, r4, 1, 8, 16);
	f[0] = 0xff;
	assert_int_equal(fl_icmp_echo4(f, len, out, sizeof(out), &olen), FL_ICMP_GROUP_DST);
	len = mk4(f, (const uint8_t[4]){0}, r4, 1, 8, 16);
	assert_int_equal(fl_icmp_echo4(f, len, out, sizeof(out), &olen), FL_ICMP_BAD_SOURCE);
	len = mk4(f, h4, r4, 1, 8, 16);
	assert_int_equal(fl_icmp_echo4(f, 33, out, sizeof(out), &olen), FL_ICMP_SHORT);
	assert_int_equal(fl_icmp_echo4(f, len - 1, out, sizeof(out), &olen), FL_ICMP_BAD_HEADER);
	f[14] = 0x44;
	assert_int_equal(fl_icmp_echo4(f, len, out, sizeof(out), &olen), FL_ICMP_BAD_HEADER);
	assert_int_equal(olen, 0);
}

/* RFC 4443 §4.2: type 129, data unmodified, checksum with the
 * pseudo-header; not for multicast destinations or via extension headers. */
static void test_echo6_reply_and_refusals(void **state)
{
	uint8_t f[256], out[256];
	size_t len = mk6(f, h6, r6, 58, 128, 40), olen;

	(void)state;
	assert_int_equal(fl_icmp_echo6(f, len, out, sizeof(out), &olen), FL_ICMP_OK);
	assert_int_equal(olen, len);
	assert_memory_equal(out, mac_a, 6);
	assert_memory_equal(out + 14 + 8, r6, 16);
	assert_memory_equal(out + 14 + 24, h6, 16);
	assert_int_equal(out[54], 129);
	assert_memory_equal(out + 54 + 4, f + 54 + 4, 36);
	assert_csum6(out + 14);
	f[60] ^= 1;
	assert_int_equal(fl_icmp_echo6(f, len, out, sizeof(out), &olen), FL_ICMP_BAD_CSUM);
	len = mk6(f, h6, (const uint8_t[16]){0xff, 2, [15] = 1}, 58, 128, 40);
	assert_int_equal(fl_icmp_echo6(f, len, out, sizeof(out), &olen), FL_ICMP_GROUP_DST);
	len = mk6(f, (const uint8_t[16]){0}, r6, 58, 128, 40);
	assert_int_equal(fl_icmp_echo6(f, len, out, sizeof(out), &olen), FL_ICMP_BAD_SOURCE);
	len = mk6(f, h6, r6, 60, 0, 40);
	assert_int_equal(fl_icmp_echo6(f, len, out, sizeof(out), &olen), FL_ICMP_EXT_HEADERS);
	len = mk6(f, h6, r6, 58, 129, 40);
	assert_int_equal(fl_icmp_echo6(f, len, out, sizeof(out), &olen), FL_ICMP_NOT_ECHO);
	assert_int_equal(fl_icmp_echo6(f, len + 1, out, sizeof(out), &olen), FL_ICMP_BAD_HEADER);
}

/* RFC 1812 §4.3.2.3: as much of the datagram as fits in 576 bytes; the
 * error goes from the given source back to the packet's source. */
static void test_err4_quotes_up_to_576(void **state)
{
	static uint8_t f[1600], out[1600];
	size_t len = mk4(f, h4, far4, 17, 0, 1480), olen;
	const uint8_t *ip = out + 14;

	(void)state;
	assert_int_equal(fl_icmp_err4(f, len, 3, 1, 0, r4, out, sizeof(out), &olen), FL_ICMP_OK);
	assert_int_equal(olen, 14 + 576);
	assert_int_equal(ip[2] << 8 | ip[3], 576);
	assert_memory_equal(out, mac_a, 6);
	assert_memory_equal(ip + 12, r4, 4);
	assert_memory_equal(ip + 16, h4, 4);
	assert_int_equal(ip[20], 3);
	assert_int_equal(ip[21], 1);
	assert_memory_equal(ip + 28, f + 14, 548);
	assert_csum4(ip);
	/* A small datagram is quoted whole, its Ethernet padding not. */
	len = mk4(f, h4, far4, 17, 0, 8);
	assert_int_equal(fl_icmp_err4(f, 60, 11, 0, 0, r4, out, sizeof(out), &olen), FL_ICMP_OK);
	assert_int_equal(olen, 14 + 28 + 28);
	assert_int_equal(ip[20], 11);
	assert_csum4(ip);
	assert_int_equal(fl_icmp_err4(f, len, 11, 0, 0, r4, out, 14 + 28 + 27, &olen),
			 FL_ICMP_NO_ROOM);
	/* In place gives the same; and the result, an error, gets none. */
	assert_int_equal(fl_icmp_err4(f, len, 11, 0, 0, r4, f, sizeof(f), &olen), FL_ICMP_OK);
	assert_memory_equal(f, out, olen);
	assert_int_equal(fl_icmp_err4(f, olen, 11, 0, 0, r4, out, sizeof(out), &olen),
			 FL_ICMP_ABOUT_ERROR);
}

/* RFC 1191 §4: fragmentation needed carries the next-hop MTU. */
static void test_err4_frag_needed_carries_mtu(void **state)
{
	static uint8_t f[1600], out[1600];
	size_t len = mk4(f, h4, far4, 6, 0, 1480), olen;

	(void)state;
	f[14 + 6] = 0x40;	/* DF */
	assert_int_equal(fl_icmp_err4(f, len, 3, 4, 1400, r4, out, sizeof(out), &olen), FL_ICMP_OK);
	assert_int_equal(out[14 + 20 + 6] << 8 | out[14 + 20 + 7], 1400);
	assert_int_equal(out[14 + 20 + 4] | out[14 + 20 + 5], 0);
	assert_csum4(out + 14);
}

/* RFC 1812 §4.3.2.7: never about an ICMP error, a later fragment, a
 * broadcast or multicast (IP or link), or a source that is no host. An
 * ICMP query and a first fragment do get errors. */
static void test_err4_never_about(void **state)
{
	static uint8_t f[256], out[1600];
	size_t len, olen;

	(void)state;
	for (uint8_t t = 0; t < 20; t++) {
		len = mk4(f, h4, far4, 1, t, 16);
		enum fl_icmp_res want = (t == 3 || t == 4 || t == 5 || t == 11 || t == 12)
						? FL_ICMP_ABOUT_ERROR : FL_ICMP_OK;
		assert_int_equal(fl_icmp_err4(f, len, 11, 0, 0, r4, out, sizeof(out), &olen), want);
	}
	len = mk4(f, h4, far4, 17, 0, 16);
	f[14 + 6] = 0x00, f[14 + 7] = 0x10;	/* offset 16 */
	assert_int_equal(fl_icmp_err4(f, len, 11, 0, 0, r4, out, sizeof(out), &olen), FL_ICMP_FRAGMENT);
	f[14 + 6] = 0x20, f[14 + 7] = 0x00;	/* first fragment (MF) */
	assert_int_equal(fl_icmp_err4(f, len, 11, 0, 0, r4, out, sizeof(out), &olen), FL_ICMP_OK);
	len = mk4(f, h4, (const uint8_t[4]){255, 255, 255, 255}, 17, 0, 16);
	assert_int_equal(fl_icmp_err4(f, len, 3, 1, 0, r4, out, sizeof(out), &olen), FL_ICMP_GROUP_DST);
	len = mk4(f, h4, (const uint8_t[4]){239, 1, 2, 3}, 17, 0, 16);
	assert_int_equal(fl_icmp_err4(f, len, 11, 0, 0, r4, out, sizeof(out), &olen), FL_ICMP_GROUP_DST);
	len = mk4(f, h4, far4, 17, 0, 16);
	f[0] = 0x01;	/* link-layer multicast */
	assert_int_equal(fl_icmp_err4(f, len, 11, 0, 0, r4, out, sizeof(out), &olen), FL_ICMP_GROUP_DST);
	len = mk4(f, (const uint8_t[4]){0}, far4, 17, 0, 16);
	assert_int_equal(fl_icmp_err4(f, len, 11, 0, 0, r4, out, sizeof(out), &olen), FL_ICMP_BAD_SOURCE);
	len = mk4(f, (const uint8_t[4]){127, 0, 0, 1}, far4, 17, 0, 16);
	assert_int_equal(fl_icmp_err4(f, len, 11, 0, 0, r4, out, sizeof(out), &olen), FL_ICMP_BAD_SOURCE);
	len = mk4(f, (const uint8_t[4]){224, 0, 0, 5}, far4, 17, 0, 16);
	assert_int_equal(fl_icmp_err4(f, len, 11, 0, 0, r4, out, sizeof(out), &olen), FL_ICMP_BAD_SOURCE);
	assert_string_equal(fl_icmp_strerror(FL_ICMP_ABOUT_ERROR), "no ICMP error about an ICMP error");
}

/* RFC 4443 §2.4(c): quote up to the minimum MTU (1280 in all); packet too
 * big carries the MTU in 32 bits (§3.2). */
static void test_err6_quotes_up_to_1280_and_ptb_mtu(void **state)
{
	static uint8_t f[1600], out[1600];
	size_t len = mk6(f, h6, far6, 17, 0, 1460), olen;
	const uint8_t *ip = out + 14;

	(void)state;
	assert_int_equal(fl_icmp_err6(f, len, 2, 0, 1400, r6, out, sizeof(out), &olen), FL_ICMP_OK);
	assert_int_equal(olen, 14 + 1280);
	assert_int_equal(ip[4] << 8 | ip[5], 1240);
	assert_int_equal(ip[6], 58);
	assert_memory_equal(ip + 8, r6, 16);
	assert_memory_equal(ip + 24, h6, 16);
	assert_int_equal(ip[40], 2);
	assert_int_equal((ip[44] << 24) | (ip[45] << 16) | (ip[46] << 8) | ip[47], 1400);
	assert_memory_equal(ip + 48, f + 14, 1232);
	assert_csum6(ip);
	len = mk6(f, h6, far6, 17, 0, 8);
	assert_int_equal(fl_icmp_err6(f, len, 3, 0, 0, r6, out, sizeof(out), &olen), FL_ICMP_OK);
	assert_int_equal(olen, 14 + 48 + 48);
	assert_int_equal(ip[44] | ip[45] | ip[46] | ip[47], 0);
	assert_csum6(ip);
	assert_int_equal(fl_icmp_err6(f, len, 1, 0, 0, r6, out, 14 + 48 + 47, &olen), FL_ICMP_NO_ROOM);
}

/* RFC 4443 §2.4(e): never about an ICMPv6 error or a redirect (also
 * behind extension headers), a multicast destination or link-layer
 * multicast/broadcast frame (except packet too big), or an
 * unspecified/multicast source. */
static void test_err6_never_about(void **state)
{
	static uint8_t f[256], out[1600];
	const uint8_t group[16] = {0xff, 0x0e, [15] = 1};
	size_t len, olen;

	(void)state;
	len = mk6(f, h6, far6, 58, 1, 32);
	assert_int_equal(fl_icmp_err6(f, len, 3, 0, 0, r6, out, sizeof(out), &olen), FL_ICMP_ABOUT_ERROR);
	len = mk6(f, h6, far6, 58, 137, 32);
	assert_int_equal(fl_icmp_err6(f, len, 3, 0, 0, r6, out, sizeof(out), &olen), FL_ICMP_ABOUT_ERROR);
	len = mk6(f, h6, far6, 58, 128, 32);
	assert_int_equal(fl_icmp_err6(f, len, 3, 0, 0, r6, out, sizeof(out), &olen), FL_ICMP_OK);
	/* Destination options (8 bytes), then an ICMPv6 error. */
	len = mk6(f, h6, far6, 60, 0, 32);
	f[54] = 58, f[55] = 0, f[62] = 3;
	assert_int_equal(fl_icmp_err6(f, len, 3, 0, 0, r6, out, sizeof(out), &olen), FL_ICMP_ABOUT_ERROR);
	f[62] = 128;
	assert_int_equal(fl_icmp_err6(f, len, 3, 0, 0, r6, out, sizeof(out), &olen), FL_ICMP_OK);
	len = mk6(f, h6, group, 17, 0, 32);
	assert_int_equal(fl_icmp_err6(f, len, 3, 0, 0, r6, out, sizeof(out), &olen), FL_ICMP_GROUP_DST);
	assert_int_equal(fl_icmp_err6(f, len, 1, 0, 0, r6, out, sizeof(out), &olen), FL_ICMP_GROUP_DST);
	assert_int_equal(fl_icmp_err6(f, len, 2, 0, 1280, r6, out, sizeof(out), &olen), FL_ICMP_OK);
	/* §2.4(e.4)/(e.5): a unicast packet in a link-layer multicast or
	 * broadcast frame gets none either, packet too big excepted. */
	len = mk6(f, h6, far6, 17, 0, 32);
	f[0] = 0x33, f[1] = 0x33;
	assert_int_equal(fl_icmp_err6(f, len, 3, 0, 0, r6, out, sizeof(out), &olen), FL_ICMP_GROUP_DST);
	memset(f, 0xff, 6);
	assert_int_equal(fl_icmp_err6(f, len, 1, 3, 0, r6, out, sizeof(out), &olen), FL_ICMP_GROUP_DST);
	assert_int_equal(fl_icmp_err6(f, len, 2, 0, 1280, r6, out, sizeof(out), &olen), FL_ICMP_OK);
	len = mk6(f, (const uint8_t[16]){0}, far6, 17, 0, 32);
	assert_int_equal(fl_icmp_err6(f, len, 3, 0, 0, r6, out, sizeof(out), &olen), FL_ICMP_BAD_SOURCE);
	len = mk6(f, group, far6, 17, 0, 32);
	assert_int_equal(fl_icmp_err6(f, len, 2, 0, 1280, r6, out, sizeof(out), &olen), FL_ICMP_BAD_SOURCE);
	assert_int_equal(fl_icmp_err6(f, 53, 3, 0, 0, r6, out, sizeof(out), &olen), FL_ICMP_SHORT);
}

/* RFC 1812 §4.3.2.8 / RFC 4443 §2.4(f): a token bucket; a burst, then the
 * steady rate, and never more than the bucket holds however long idle. */
static void test_rate_token_bucket(void **state)
{
	struct fl_icmp_rate r;
	fl_time_t t = FL_TIME_S(100);
	unsigned n = 0;

	(void)state;
	fl_icmp_rate_init(&r, 10, 3, t);
	for (int i = 0; i < 5; i++)
		n += fl_icmp_rate_allow(&r, t);
	assert_int_equal(n, 3);
	assert_int_equal(r.limited, 2);
	assert_false(fl_icmp_rate_allow(&r, t + FL_TIME_MS(99)));
	assert_true(fl_icmp_rate_allow(&r, t + FL_TIME_MS(100)));
	/* 10 s of 1,000 attempts a second: 10 a second get through. */
	n = 0;
	for (int i = 1; i <= 10000; i++)
		n += fl_icmp_rate_allow(&r, t + FL_TIME_MS(100) + (fl_time_t)i * 1000);
	assert_in_range(n, 99, 101);
	/* A year idle refills to the burst only; a clock going back earns nothing. */
	t += FL_TIME_S(365ull * 86400);
	n = 0;
	for (int i = 0; i < 10; i++)
		n += fl_icmp_rate_allow(&r, t);
	assert_int_equal(n, 3);
	assert_false(fl_icmp_rate_allow(&r, t - FL_TIME_S(50)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_echo4_reply),
		cmocka_unit_test(test_echo4_refusals),
		cmocka_unit_test(test_echo6_reply_and_refusals),
		cmocka_unit_test(test_err4_quotes_up_to_576),
		cmocka_unit_test(test_err4_frag_needed_carries_mtu),
		cmocka_unit_test(test_err4_never_about),
		cmocka_unit_test(test_err6_quotes_up_to_1280_and_ptb_mtu),
		cmocka_unit_test(test_err6_never_about),
		cmocka_unit_test(test_rate_token_bucket),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
