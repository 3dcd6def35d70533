/* SPDX-License-Identifier: MIT */
/* test_nat6.c: cmocka tests for the IPv6 NAT (src/nat/nat6.h). Packets are
 * built here and their checksums recomputed from scratch (RFC 1071 sums
 * over the IPv6 pseudo-header), never incrementally, so the NAT's
 * incremental updates are checked by an independent computation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nat/nat6.h"

#define TCP 6
#define UDP 17
#define ICMP6 58
#define T0 1000u

static const uint8_t EXT[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t H1[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11};
static const uint8_t H2[16] = {0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12};
static const uint8_t R1[16] = {0x20, 0x01, 0x0d, 0xb8, 0xcc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t R2[16] = {0x20, 0x01, 0x0d, 0xb8, 0xcc, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

static uint16_t g16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static void p16(uint8_t *p, unsigned v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }

static uint32_t sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static size_t ck_off(uint8_t proto) { return proto == TCP ? 16 : proto == UDP ? 6 : 2; }

/* The transport checksum of the IPv6 packet at ip, computed from scratch. */
static uint16_t l4_sum(const uint8_t *ip)
{
	size_t len = g16(ip + 4);
	uint32_t s = sum(ip + 8, 32, 0) + (uint32_t)len + ip[6];
	return fold(sum(ip + 40, len, s));
}

static void fix(uint8_t *ip)
{
	uint8_t *c = ip + 40 + ck_off(ip[6]);
	p16(c, 0);
	uint16_t v = (uint16_t)~l4_sum(ip);
	p16(c, ip[6] == UDP && v == 0 ? 0xffff : v);
}

static bool valid(const uint8_t *ip) { return l4_sum(ip) == 0xffff; }

/* Builds a packet: TCP (flags), UDP, or ICMPv6 (type; id = sport). */
static size_t mk(uint8_t *b, uint8_t proto, const uint8_t *src, uint16_t sport, const uint8_t *dst,
		 uint16_t dport, uint8_t flags, size_t payload)
{
	size_t l4 = (proto == TCP ? 20 : 8) + payload;
	memset(b, 0, 40 + l4);
	b[0] = 0x60;
	p16(b + 4, (unsigned)l4);
	b[6] = proto;
	b[7] = 64;
	memcpy(b + 8, src, 16);
	memcpy(b + 24, dst, 16);
	uint8_t *t = b + 40;
	if (proto == ICMP6) {
		t[0] = flags;
		p16(t + 4, sport);
		p16(t + 6, 7);
	} else {
		p16(t, sport);
		p16(t + 2, dport);
	}
	if (proto == TCP) {
		t[12] = 5 << 4;
		t[13] = flags;
	}
	if (proto == UDP)
		p16(t + 4, (unsigned)l4);
	for (size_t i = 0; i < payload; i++)
		t[l4 - payload + i] = (uint8_t)(i * 7 + sport);
	fix(b);
	return 40 + l4;
}

static struct nat6 *mk_nat(uint32_t max)
{
	struct nat_config c;
	enum nat_err e;
	nat_config_defaults(&c);
	c.max_mappings = max;
	c.seed = 42;
	struct nat6 *n = nat6_new(&c, EXT, &e);
	assert_non_null(n);
	return n;
}

static uint16_t port_at(const uint8_t *b, bool src)
{
	return b[6] == ICMP6 ? g16(b + 44) : g16(b + 40 + (src ? 0 : 2));
}

/* Sends a packet out; checks the verdict, the source and the checksum;
 * returns the external port or id. */
static uint16_t out(struct nat6 *n, uint8_t proto, const uint8_t *src, uint16_t sport,
		    const uint8_t *dst, uint16_t dport, uint8_t flags, uint32_t now, enum nat_verdict want)
{
	uint8_t b[256], o[256];
	size_t len = mk(b, proto, src, sport, dst, dport, flags, 13);
	memcpy(o, b, len);
	assert_int_equal(nat6_out(n, b, len, FL_TIME_S(now)), want);
	if (want != NAT_TRANSLATED) {
		assert_memory_equal(b, o, len);
		return 0;
	}
	assert_memory_equal(b + 8, EXT, 16);
	assert_memory_equal(b + 24, dst, 16);
	assert_true(valid(b));
	return port_at(b, true);
}

/* A reply from dst:dport to our external port; checks where it goes. */
static void in(struct nat6 *n, uint8_t proto, const uint8_t *from, uint16_t fport, uint16_t eport,
	       uint8_t flags, uint32_t now, enum nat_verdict want, const uint8_t *to, uint16_t tport)
{
	uint8_t b[256], o[256];
	size_t len = mk(b, proto, from, fport, EXT, eport, flags, 13);
	if (proto == ICMP6)
		p16(b + 44, eport), fix(b);
	memcpy(o, b, len);
	assert_int_equal(nat6_in(n, b, len, FL_TIME_S(now)), want);
	if (want != NAT_TRANSLATED) {
		assert_memory_equal(b, o, len);
		return;
	}
	assert_memory_equal(b + 24, to, 16);
	assert_int_equal(port_at(b, false), tport);
	assert_true(valid(b));
}

static void test_udp_eim_eif(void **state)
{
	(void)state;
	struct nat6 *n = mk_nat(64);
	uint16_t p1 = out(n, UDP, H1, 5000, R1, 53, 0, T0, NAT_TRANSLATED);
	uint16_t p2 = out(n, UDP, H1, 5000, R2, 53, 0, T0, NAT_TRANSLATED);
	assert_int_equal(p1, 5000); /* preserved */
	assert_int_equal(p1, p2);   /* endpoint independent */
	uint16_t p3 = out(n, UDP, H2, 5000, R1, 53, 0, T0, NAT_TRANSLATED);
	assert_int_not_equal(p3, p1); /* no overloading */
	in(n, UDP, R1, 53, p1, 0, T0, NAT_TRANSLATED, H1, 5000);
	in(n, UDP, R2, 9999, p1, 0, T0, NAT_TRANSLATED, H1, 5000); /* EIF */
	in(n, UDP, R1, 53, p3, 0, T0, NAT_TRANSLATED, H2, 5000);
	in(n, UDP, R1, 53, 4444, 0, T0, NAT_NO_MAPPING, NULL, 0);
	/* Not addressed to us: not ours. */
	uint8_t b[128];
	size_t len = mk(b, UDP, R1, 53, H1, 5000, 0, 4);
	assert_int_equal(nat6_in(n, b, len, FL_TIME_S(T0)), NAT_NOT_OURS);
	nat6_free(n);
}

static void test_udp_timeout(void **state)
{
	(void)state;
	struct nat6 *n = mk_nat(64);
	uint16_t p = out(n, UDP, H1, 5000, R1, 53, 0, T0, NAT_TRANSLATED);
	in(n, UDP, R1, 53, p, 0, T0 + 119, NAT_TRANSLATED, H1, 5000); /* refreshes */
	in(n, UDP, R1, 53, p, 0, T0 + 119 + 119, NAT_TRANSLATED, H1, 5000);
	nat6_expire(n, FL_TIME_S(T0 + 238 + 119), 1000); /* alive until its timeout */
	in(n, UDP, R1, 53, p, 0, T0 + 238 + 119, NAT_TRANSLATED, H1, 5000);
	nat6_expire(n, FL_TIME_S(T0 + 357 + 120), 1000);
	in(n, UDP, R1, 53, p, 0, T0 + 357 + 120, NAT_NO_MAPPING, NULL, 0);
	struct nat_stats st;
	nat6_stats_get(n, &st);
	assert_int_equal(st.active, 0);
	assert_int_equal(st.created, 1);
	assert_int_equal(st.expired, 1);
	nat6_free(n);
}

static void test_tcp(void **state)
{
	(void)state;
	struct nat6 *n = mk_nat(64);
	out(n, TCP, H1, 4000, R1, 80, 0x10, T0, NAT_DROP_TCP_NO_SYN);
	in(n, TCP, R1, 80, 4000, 0x02, T0, NAT_NO_MAPPING, NULL, 0); /* unsolicited SYN */
	uint16_t p = out(n, TCP, H1, 4000, R1, 80, 0x02, T0, NAT_TRANSLATED);
	in(n, TCP, R1, 80, p, 0x12, T0, NAT_TRANSLATED, H1, 4000);
	out(n, TCP, H1, 4000, R1, 80, 0x10, T0, NAT_TRANSLATED);
	/* Established: alive long after the transitory timeout. */
	nat6_expire(n, FL_TIME_S(T0 + 7000), 1000);
	in(n, TCP, R1, 80, p, 0x10, T0 + 7000, NAT_TRANSLATED, H1, 4000);
	/* FIN both ways: transitory, gone after 240 s. */
	out(n, TCP, H1, 4000, R1, 80, 0x11, T0 + 7001, NAT_TRANSLATED);
	in(n, TCP, R1, 80, p, 0x11, T0 + 7001, NAT_TRANSLATED, H1, 4000);
	nat6_expire(n, FL_TIME_S(T0 + 7001 + 240), 1000);
	in(n, TCP, R1, 80, p, 0x10, T0 + 7001 + 240, NAT_NO_MAPPING, NULL, 0);
	nat6_free(n);
}

static void test_icmp_echo(void **state)
{
	(void)state;
	struct nat6 *n = mk_nat(64);
	uint16_t id1 = out(n, ICMP6, H1, 77, R1, 0, 128, T0, NAT_TRANSLATED);
	uint16_t id2 = out(n, ICMP6, H2, 77, R1, 0, 128, T0, NAT_TRANSLATED);
	assert_int_not_equal(id1, id2);
	in(n, ICMP6, R1, 0, id1, 129, T0, NAT_TRANSLATED, H1, 77);
	in(n, ICMP6, R1, 0, id2, 129, T0, NAT_TRANSLATED, H2, 77);
	in(n, ICMP6, R1, 0, id1, 128, T0, NAT_NO_MAPPING, NULL, 0); /* request to us */
	in(n, ICMP6, R1, 0, id1, 135, T0, NAT_DROP_ICMP_TYPE, NULL, 0);
	out(n, ICMP6, H1, 77, R1, 0, 1, T0, NAT_DROP_ICMP_TYPE); /* outbound errors */
	nat6_free(n);
}

/* An ICMPv6 error from router R2 about packet b (as it left us). */
static size_t mk_error(uint8_t *e, uint8_t type, const uint8_t *b, size_t blen)
{
	size_t l4 = 8 + blen;
	memset(e, 0, 48);
	e[0] = 0x60;
	p16(e + 4, (unsigned)l4);
	e[6] = ICMP6;
	e[7] = 64;
	memcpy(e + 8, R2, 16);
	memcpy(e + 24, EXT, 16);
	e[40] = type;
	if (type == 2)
		p16(e + 46, 1280); /* packet too big: the MTU */
	memcpy(e + 48, b, blen);
	fix(e);
	return 40 + l4;
}

static void error_case(uint8_t proto, uint8_t type, size_t keep)
{
	struct nat6 *n = mk_nat(64);
	uint8_t b[256], e[512];
	size_t len = mk(b, proto, H1, 6000, R1, 33434, proto == TCP ? 0x02 : 128, 40);
	assert_int_equal(nat6_out(n, b, len, FL_TIME_S(T0)), NAT_TRANSLATED);
	uint8_t sent[256];
	memcpy(sent, b, len);
	size_t elen = mk_error(e, type, b, keep ? keep : len);
	assert_int_equal(nat6_in(n, e, elen, FL_TIME_S(T0)), NAT_TRANSLATED);
	assert_memory_equal(e + 24, H1, 16);     /* outer destination */
	assert_memory_equal(e + 48 + 8, H1, 16); /* embedded source */
	assert_int_equal(g16(e + 88 + (proto == ICMP6 ? 4 : 0)), 6000);
	assert_true(valid(e));
	if (!keep) /* whole embedded packet: its own checksum holds too */
		assert_true(valid(e + 48));
	if (type == 2)
		assert_int_equal(g16(e + 46), 1280);
	nat6_free(n);
}

static void test_icmp_errors(void **state)
{
	(void)state;
	error_case(UDP, 1, 0);
	error_case(TCP, 3, 0);
	error_case(ICMP6, 3, 0);
	error_case(UDP, 2, 0);
	error_case(TCP, 1, 48); /* only 8 bytes of TCP: ports, no checksum */
	/* Errors about packets that are not ours, or bogus ones. */
	struct nat6 *n = mk_nat(64);
	uint8_t b[256], e[512], o[512];
	size_t len = mk(b, UDP, R1, 6000, R2, 53, 0, 8); /* source is not EXT */
	size_t elen = mk_error(e, 1, b, len);
	memcpy(o, e, elen);
	assert_int_equal(nat6_in(n, e, elen, FL_TIME_S(T0)), NAT_DROP_ICMP_BAD);
	assert_memory_equal(e, o, elen);
	len = mk(b, UDP, EXT, 6000, R2, 53, 0, 8); /* ours, but no mapping */
	elen = mk_error(e, 1, b, len);
	assert_int_equal(nat6_in(n, e, elen, FL_TIME_S(T0)), NAT_NO_MAPPING);
	elen = mk_error(e, 1, b, 30); /* embedded header cut short */
	assert_int_equal(nat6_in(n, e, elen, FL_TIME_S(T0)), NAT_DROP_ICMP_BAD);
	nat6_free(n);
}

static void test_table_full(void **state)
{
	(void)state;
	struct nat6 *n = mk_nat(4);
	uint16_t p[4];
	for (int i = 0; i < 4; i++)
		p[i] = out(n, UDP, H1, (uint16_t)(5000 + i), R1, 53, 0, T0, NAT_TRANSLATED);
	out(n, UDP, H1, 6000, R1, 53, 0, T0 + 1, NAT_DROP_TABLE_FULL);
	for (int i = 0; i < 4; i++) /* established flows keep working */
		in(n, UDP, R1, 53, p[i], 0, T0 + 1, NAT_TRANSLATED, H1, (uint16_t)(5000 + i));
	struct nat_stats st;
	nat6_stats_get(n, &st);
	assert_int_equal(st.verdict[NAT_DROP_TABLE_FULL], 1);
	/* After the timeout a new flow gets a slot (the create path expires). */
	out(n, UDP, H1, 6000, R1, 53, 0, T0 + 1 + 120, NAT_TRANSLATED);
	nat6_free(n);
}

/* max_per_host counts mappings per internal IPv6 address, as the IPv4
 * core does: the fourth flow of H1 is refused and counted, H2 and H1's
 * established flows are not hurt, and H1 maps again once a mapping went. */
static void test_host_limit(void **state)
{
	(void)state;
	struct nat_config c;
	enum nat_err e;
	nat_config_defaults(&c);
	c.max_mappings = 64;
	c.max_per_host = 3;
	c.seed = 42;
	struct nat6 *n = nat6_new(&c, EXT, &e);
	assert_non_null(n);
	uint16_t p[3];
	for (unsigned i = 0; i < 3; i++)
		p[i] = out(n, UDP, H1, (uint16_t)(5000 + i), R1, 53, 0, T0, NAT_TRANSLATED);
	out(n, UDP, H1, 6000, R1, 53, 0, T0, NAT_DROP_HOST_LIMIT);
	out(n, TCP, H1, 6001, R1, 80, 0x02, T0, NAT_DROP_HOST_LIMIT);
	out(n, ICMP6, H1, 77, R1, 0, 128, T0, NAT_DROP_HOST_LIMIT);
	out(n, UDP, H2, 6000, R1, 53, 0, T0, NAT_TRANSLATED);
	for (unsigned i = 0; i < 3; i++) /* existing flows still work both ways */
		in(n, UDP, R1, 53, p[i], 0, T0 + 1, NAT_TRANSLATED, H1, (uint16_t)(5000 + i));
	out(n, UDP, H1, 5001, R2, 53, 0, T0 + 1, NAT_TRANSLATED); /* same mapping: EIM */
	struct nat_stats st;
	nat6_stats_get(n, &st);
	assert_int_equal(st.verdict[NAT_DROP_HOST_LIMIT], 3);
	assert_int_equal(st.hosts, 2);
	assert_int_equal(st.active, 4);
	/* After expiry the host may map again, and its slot was reused. */
	nat6_expire(n, FL_TIME_S(T0 + 1000), UINT32_MAX);
	nat6_stats_get(n, &st);
	assert_int_equal(st.hosts, 0);
	for (unsigned i = 0; i < 3; i++)
		out(n, UDP, H1, (uint16_t)(7000 + i), R1, 53, 0, T0 + 1000, NAT_TRANSLATED);
	out(n, UDP, H1, 7003, R1, 53, 0, T0 + 1000, NAT_DROP_HOST_LIMIT);
	nat6_stats_get(n, &st);
	assert_int_equal(st.hosts, 1);
	nat6_free(n);
}

/* Many hosts, hash chains shared: every host's count stays its own. (A
 * full table is checked first: TABLE_FULL, as in the IPv4 core.) */
static void test_host_limit_many(void **state)
{
	(void)state;
	struct nat_config c;
	enum nat_err e;
	nat_config_defaults(&c);
	c.max_mappings = 514;
	c.max_per_host = 2;
	c.seed = 7;
	struct nat6 *n = nat6_new(&c, EXT, &e);
	assert_non_null(n);
	for (unsigned i = 0; i < 256; i++) {
		uint8_t h[16];
		memcpy(h, H1, 16);
		h[13] = (uint8_t)i;
		out(n, UDP, h, 1000, R1, 53, 0, T0, NAT_TRANSLATED);
		out(n, UDP, h, 1001, R1, 53, 0, T0, NAT_TRANSLATED);
		out(n, UDP, h, 1002, R1, 53, 0, T0, NAT_DROP_HOST_LIMIT);
	}
	struct nat_stats st;
	nat6_stats_get(n, &st);
	assert_int_equal(st.hosts, 256);
	assert_int_equal(st.active, 512);
	assert_int_equal(st.verdict[NAT_DROP_HOST_LIMIT], 256);
	out(n, UDP, H2, 1000, R1, 53, 0, T0, NAT_TRANSLATED);
	out(n, UDP, H2, 1001, R1, 53, 0, T0, NAT_TRANSLATED);
	out(n, UDP, R2, 1000, R1, 53, 0, T0, NAT_DROP_TABLE_FULL);
	out(n, UDP, H2, 1002, R1, 53, 0, T0, NAT_DROP_TABLE_FULL);
	nat6_expire(n, FL_TIME_S(T0 + 1000), UINT32_MAX);
	nat6_stats_get(n, &st);
	assert_int_equal(st.hosts, 0);
	assert_int_equal(st.active, 0);
	nat6_free(n);
}

static void test_many_flows_expire(void **state)
{
	(void)state;
	struct nat6 *n = mk_nat(16384);
	for (unsigned i = 0; i < 10000; i++) {
		uint8_t h[16];
		memcpy(h, H1, 16);
		h[14] = (uint8_t)(i >> 8);
		out(n, i % 3 ? UDP : TCP, h, (uint16_t)(1024 + i), R1, 80, 0x02, T0 + i / 1000,
		    NAT_TRANSLATED);
	}
	struct nat_stats st;
	nat6_stats_get(n, &st);
	assert_int_equal(st.active, 10000);
	nat6_expire(n, FL_TIME_S(T0 + 10 + 240), UINT32_MAX);
	nat6_stats_get(n, &st);
	assert_int_equal(st.active, 0);
	assert_int_equal(st.expired, 10000);
	nat6_free(n);
}

static void test_malformed(void **state)
{
	(void)state;
	struct nat6 *n = mk_nat(64);
	uint8_t b[256], o[256];
	size_t len = mk(b, UDP, H1, 5000, R1, 53, 0, 10);
	memcpy(o, b, len);
	assert_int_equal(nat6_out(n, b, 39, FL_TIME_S(T0)), NAT_DROP_TRUNCATED);
	assert_int_equal(nat6_out(n, b, len - 1, FL_TIME_S(T0)), NAT_DROP_TRUNCATED);
	b[0] = 0x40;
	assert_int_equal(nat6_out(n, b, len, FL_TIME_S(T0)), NAT_DROP_BAD_IP);
	memcpy(b, o, len);
	b[6] = 44; /* a fragment header */
	assert_int_equal(nat6_out(n, b, len, FL_TIME_S(T0)), NAT_DROP_PROTO);
	memcpy(b, o, len);
	p16(b + 44, 9); /* UDP length lies */
	assert_int_equal(nat6_out(n, b, len, FL_TIME_S(T0)), NAT_DROP_BAD_L4);
	memcpy(b, o, len);
	len = mk(b, TCP, H1, 5000, R1, 53, 0x02, 0);
	b[52] = 0x40; /* data offset 4 */
	assert_int_equal(nat6_out(n, b, len, FL_TIME_S(T0)), NAT_DROP_BAD_L4);
	struct nat_stats st;
	nat6_stats_get(n, &st);
	assert_int_equal(st.active, 0);
	nat6_free(n);
}

/* Random flows out and their replies in: the reply arrives exactly as the
 * remote built it, except for the destination, which is the original
 * source; the outbound packet differs from the original only in source. */
static void test_roundtrip(void **state)
{
	(void)state;
	struct nat6 *n = mk_nat(8192);
	srand(7);
	for (int i = 0; i < 5000; i++) {
		uint8_t h[16], r[16], b[256];
		memcpy(h, H1, 16);
		memcpy(r, R1, 16);
		h[13] = (uint8_t)rand(), h[14] = (uint8_t)rand(), h[15] = (uint8_t)rand();
		r[15] = (uint8_t)rand();
		uint8_t proto = (uint8_t[]){UDP, TCP, ICMP6}[rand() % 3];
		uint16_t sp = (uint16_t)rand(), dp = (uint16_t)rand();
		size_t len = mk(b, proto, h, sp, r, dp, proto == TCP ? 0x02 : 128, (size_t)(rand() % 100));
		enum nat_verdict v = nat6_out(n, b, len, FL_TIME_S(T0));
		if (v == NAT_DROP_NO_PORT)
			continue;
		assert_int_equal(v, NAT_TRANSLATED);
		assert_true(valid(b));
		uint16_t ep = port_at(b, true);
		uint8_t rep[256], want[256];
		size_t rlen = mk(rep, proto, r, dp, EXT, ep, proto == TCP ? 0x12 : 129, 5);
		if (proto == ICMP6)
			p16(rep + 44, ep), fix(rep);
		size_t wlen = mk(want, proto, r, dp, h, sp, proto == TCP ? 0x12 : 129, 5);
		if (proto == ICMP6)
			p16(want + 44, sp), fix(want);
		assert_int_equal(nat6_in(n, rep, rlen, FL_TIME_S(T0)), NAT_TRANSLATED);
		assert_int_equal(rlen, wlen);
		assert_memory_equal(rep, want, wlen);
	}
	nat6_free(n);
}

static void entry_count(void *ctx, const struct nat_entry *e)
{
	int *c = ctx;
	assert_int_equal(e->family, 6);
	assert_memory_equal(e->ext_addr, EXT, 16);
	if (e->proto == TCP)
		assert_string_equal(e->state, "opening");
	(*c)++;
}

static void test_each_and_config(void **state)
{
	(void)state;
	struct nat6 *n = mk_nat(64);
	out(n, UDP, H1, 5000, R1, 53, 0, T0, NAT_TRANSLATED);
	out(n, TCP, H1, 5001, R1, 53, 0x02, T0, NAT_TRANSLATED);
	int c = 0;
	nat6_each(n, FL_TIME_S(T0 + 5), entry_count, &c);
	assert_int_equal(c, 2);
	nat6_free(n);

	struct nat_config cfg;
	enum nat_err e;
	static const uint8_t zero[16], mcast[16] = {0xff, 2};
	nat_config_defaults(&cfg);
	assert_null(nat6_new(&cfg, zero, &e));
	assert_int_equal(e, NAT_ERR_EXT_ADDR);
	assert_null(nat6_new(&cfg, mcast, &e));
	cfg.udp_timeout = 0;
	assert_null(nat6_new(&cfg, EXT, &e));
	assert_int_equal(e, NAT_ERR_TIMEOUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_eim_eif),
		cmocka_unit_test(test_udp_timeout),
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_icmp_errors),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_host_limit),
		cmocka_unit_test(test_host_limit_many),
		cmocka_unit_test(test_many_flows_expire),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_each_and_config),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
