/* SPDX-License-Identifier: MIT */
/* test_dp_offload.c: cmocka tests for split tunnelling's per-packet logic
 * (src/dataplane/dp_offload.h): the decision (list minus excludes, family
 * without an address), the TTL decrement and its checksum (recomputed from
 * scratch here), NAT both ways, unsolicited inbound packets, the swap of
 * the published set and the TCP connections kept offloaded after it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <arpa/inet.h>

#include <cmocka.h>

#include "dataplane/dp_offload.h"

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* An IPv4 TCP packet (header checksum set; the TCP checksum is left 0,
 * which the NAT patches incrementally without looking). */
static size_t ip4(uint8_t *b, const char *src, const char *dst, uint16_t sport, uint8_t flags,
		  uint8_t ttl)
{
	memset(b, 0, 40);
	b[0] = 0x45;
	b[3] = 40;
	b[8] = ttl;
	b[9] = 6;
	unsigned a[4];
	sscanf(src, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]);
	for (int i = 0; i < 4; i++)
		b[12 + i] = (uint8_t)a[i];
	sscanf(dst, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]);
	for (int i = 0; i < 4; i++)
		b[16 + i] = (uint8_t)a[i];
	b[20] = (uint8_t)(sport >> 8), b[21] = (uint8_t)sport;
	b[23] = 80;
	b[32] = 5 << 4;
	b[33] = flags;
	uint16_t c = csum(b, 20);
	b[10] = (uint8_t)(c >> 8), b[11] = (uint8_t)c;
	return 40;
}

static struct fl_lpm *table(const char *const *pfx, size_t n)
{
	struct fl_lpm_prefix p[8];
	struct fl_lpm *t;
	memset(p, 0, sizeof(p));
	for (size_t i = 0; i < n; i++) {
		unsigned a[4], len;
		sscanf(pfx[i], "%u.%u.%u.%u/%u", &a[0], &a[1], &a[2], &a[3], &len);
		for (int k = 0; k < 4; k++)
			p[i].addr[k] = (uint8_t)a[k];
		p[i].family = 4;
		p[i].len = (uint8_t)len;
	}
	assert_int_equal(fl_lpm_build(p, n, NULL, &t), FL_LPM_OK);
	return t;
}

static void setup(struct fl_offload *o, const char *excl)
{
	static const char *const list[] = {"198.51.100.0/24"};
	struct fl_offload_set *s = calloc(1, sizeof(*s));
	struct nat_config c;
	enum nat_err e;
	memset(o, 0, sizeof(*o));
	s->list = table(list, 1);
	if (excl)
		s->exclude = table(&excl, 1);
	nat_config_defaults(&c);
	c.ext_addr[0] = htonl(0xc6120301); /* 198.18.3.1 */
	o->nat4 = nat_new(&c, &e);
	assert_non_null(o->nat4);
	assert_null(fl_offload_publish(o, s));
}

static void teardown(struct fl_offload *o)
{
	fl_offload_set_free(fl_offload_publish(o, NULL));
	nat_free(o->nat4);
}

static void test_decision(void **state)
{
	(void)state;
	struct fl_offload o;
	uint8_t b[64];
	setup(&o, "198.51.100.128/25");
	ip4(b, "10.0.0.2", "203.0.113.9", 1000, 0x02, 64);
	assert_int_equal(fl_offload_out(&o, b, 40, FL_TIME_S(1)), FL_OFFLOAD_PASS); /* not listed */
	ip4(b, "10.0.0.2", "198.51.100.200", 1000, 0x02, 64);
	assert_int_equal(fl_offload_out(&o, b, 40, FL_TIME_S(1)), FL_OFFLOAD_PASS); /* excluded */
	ip4(b, "10.0.0.2", "198.51.100.7", 1000, 0x02, 64);
	assert_int_equal(fl_offload_out(&o, b, 40, FL_TIME_S(1)), FL_OFFLOAD_SEND);
	assert_int_equal(b[8], 63);
	assert_int_equal(csum(b, 20), 0); /* header checksum still valid */
	assert_memory_equal(b + 12, "\xc6\x12\x03\x01", 4);
	assert_int_equal(o.st.lookups, 3);
	assert_int_equal(o.st.hits, 2);
	assert_int_equal(o.st.excluded, 1);
	assert_int_equal(o.st.out_packets, 1);
	/* IPv6 without an IPv6 address: the VPN. */
	uint8_t v6[60] = {0x60};
	v6[5] = 20, v6[6] = 6, v6[7] = 64;
	assert_int_equal(fl_offload_out(&o, v6, 60, FL_TIME_S(1)), FL_OFFLOAD_PASS);
	teardown(&o);
}

static void test_ttl(void **state)
{
	(void)state;
	struct fl_offload o;
	uint8_t b[64];
	setup(&o, NULL);
	for (unsigned ttl = 2; ttl < 256; ttl++) { /* every TTL, fresh ports */
		ip4(b, "10.0.0.2", "198.51.100.7", (uint16_t)(2000 + ttl), 0x02, (uint8_t)ttl);
		assert_int_equal(fl_offload_out(&o, b, 40, FL_TIME_S(1)), FL_OFFLOAD_SEND);
		assert_int_equal(b[8], ttl - 1);
		assert_int_equal(csum(b, 20), 0);
	}
	ip4(b, "10.0.0.2", "198.51.100.7", 1000, 0x02, 1);
	uint8_t orig[64];
	memcpy(orig, b, 40);
	assert_int_equal(fl_offload_out(&o, b, 40, FL_TIME_S(1)), FL_OFFLOAD_TTL);
	assert_memory_equal(b, orig, 40);
	teardown(&o);
}

static void test_inbound(void **state)
{
	(void)state;
	struct fl_offload o;
	uint8_t b[64];
	setup(&o, NULL);
	ip4(b, "10.0.0.2", "198.51.100.7", 1000, 0x02, 64);
	assert_int_equal(fl_offload_out(&o, b, 40, FL_TIME_S(1)), FL_OFFLOAD_SEND);
	uint16_t ext = (uint16_t)(b[20] << 8 | b[21]);
	/* The reply comes back to 10.0.0.2:1000. */
	ip4(b, "198.51.100.7", "198.18.3.1", 80, 0x12, 60);
	b[20] = 0, b[21] = 80, b[22] = (uint8_t)(ext >> 8), b[23] = (uint8_t)ext;
	assert_int_equal(fl_offload_in(&o, b, 40, FL_TIME_S(1)), FL_OFFLOAD_SEND);
	assert_memory_equal(b + 16, "\x0a\x00\x00\x02", 4);
	assert_int_equal(o.st.in_packets, 1);
	/* Unsolicited: no mapping, not ours, not IP. */
	ip4(b, "198.51.100.7", "198.18.3.1", 80, 0x02, 60);
	b[22] = 0x99;
	assert_int_equal(fl_offload_in(&o, b, 40, FL_TIME_S(1)), FL_OFFLOAD_DROP);
	ip4(b, "198.51.100.7", "198.18.3.2", 80, 0x02, 60);
	assert_int_equal(fl_offload_in(&o, b, 40, FL_TIME_S(1)), FL_OFFLOAD_DROP);
	b[0] = 0x15;
	assert_int_equal(fl_offload_in(&o, b, 40, FL_TIME_S(1)), FL_OFFLOAD_DROP);
	uint8_t v6[60] = {0x60};
	assert_int_equal(fl_offload_in(&o, v6, 60, FL_TIME_S(1)), FL_OFFLOAD_DROP);
	assert_int_equal(o.st.drop[FL_OFFLOAD_DROP_NO_MAPPING], 1);
	assert_int_equal(o.st.drop[FL_OFFLOAD_DROP_NOT_OURS], 1);
	assert_int_equal(o.st.drop[FL_OFFLOAD_DROP_BAD], 1);
	assert_int_equal(o.st.drop[FL_OFFLOAD_DROP_NO_NAT], 1);
	teardown(&o);
}

/* After a swap that excludes the destination, new connections (SYN) take
 * the VPN; segments of a connection that began offloaded stay. */
static void test_swap_sticky(void **state)
{
	(void)state;
	struct fl_offload o;
	uint8_t b[64];
	setup(&o, NULL);
	ip4(b, "10.0.0.2", "198.51.100.7", 1000, 0x02, 64);
	assert_int_equal(fl_offload_out(&o, b, 40, FL_TIME_S(1)), FL_OFFLOAD_SEND);
	static const char *const list[] = {"198.51.100.0/24"};
	static const char *const excl[] = {"198.51.100.0/25"};
	struct fl_offload_set *s = calloc(1, sizeof(*s));
	s->list = table(list, 1);
	s->exclude = table(excl, 1);
	fl_offload_set_free(fl_offload_publish(&o, s));
	ip4(b, "10.0.0.2", "198.51.100.7", 1000, 0x10, 64);
	assert_int_equal(fl_offload_out(&o, b, 40, FL_TIME_S(2)), FL_OFFLOAD_SEND); /* ACK: sticky */
	ip4(b, "10.0.0.2", "198.51.100.7", 1001, 0x02, 64);
	assert_int_equal(fl_offload_out(&o, b, 40, FL_TIME_S(2)), FL_OFFLOAD_PASS); /* new: VPN */
	ip4(b, "10.0.0.3", "198.51.100.7", 1000, 0x10, 64);
	assert_int_equal(fl_offload_out(&o, b, 40, FL_TIME_S(2)), FL_OFFLOAD_PASS); /* no mapping */
	assert_int_equal(o.st.sticky, 1);
	teardown(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_inbound),
		cmocka_unit_test(test_swap_sticky),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
