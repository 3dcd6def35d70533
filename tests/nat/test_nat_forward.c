/* SPDX-License-Identifier: MIT */
/* test_nat_forward.c: cmocka tests for the NAT's static port forwards
 * (nat_forward.c; PortForward of a VPNNat). Checksums are verified with
 * tp_csums_ok(), full RFC 1071 sums independent of the NAT's code.
 *
 *   FWD-1 inbound TCP SYN to a forward reaches the LAN host, the
 *         reply goes back from the forwarded port      test_forward_tcp
 *   FWD-2 the same for UDP                              test_forward_udp
 *   FWD-3 any remote may use a forward (no filtering);
 *         a stray non-SYN opens nothing                 test_forward_tcp
 *   FWD-4 forwarded ports are never given to other flows;
 *         the forward's endpoint speaking first gets it  test_forward_port_reserved
 *   FWD-5 adding a forward takes its port from a
 *         dynamic mapping                               test_forward_evicts_dynamic
 *   FWD-6 removal (reload) closes the forward and its
 *         mappings; clear and re-add work               test_forward_remove
 *   FWD-7 mapping limits apply to forwarded flows       test_forward_limits
 *   FWD-8 a LAN host reaches a forward (hairpin)        test_forward_hairpin
 *   FWD-9 argument errors                               test_forward_errors
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "nat/nat.h"
#include "nat_testpkt.h"

#define EXT tp_ip(192, 168, 192, 210)
#define H1 tp_ip(192, 168, 200, 11)
#define H2 tp_ip(192, 168, 200, 12)
#define R1 tp_ip(10, 2, 0, 1)
#define R2 tp_ip(198, 51, 100, 7)
#define T0 1000u
#define SYN 0x02
#define SYNACK 0x12
#define ACK 0x10

static uint8_t buf[2048];

static struct nat *mk(uint32_t max, uint32_t per_host)
{
	struct nat_config c;
	enum nat_err e;
	nat_config_defaults(&c);
	c.ext_addr[0] = EXT;
	c.filter = NAT_FILTER_ADDRESS_PORT; /* the strictest: forwards must pass it */
	c.max_mappings = max;
	c.max_per_host = per_host;
	c.seed = 7;
	struct nat *n = nat_new(&c, &e);
	assert_non_null(n);
	return n;
}

static struct tp_spec spec(uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport,
                           uint8_t flags)
{
	return (struct tp_spec){.proto = proto, .src = src, .dst = dst, .sport = sport, .dport = dport,
	                        .tcp_flags = flags, .ipid = 0x1234, .payload = 12, .payload_seed = 5};
}

static uint32_t addr_at(const uint8_t *p, size_t off)
{
	uint32_t v;
	memcpy(&v, p + off, 4);
	return v;
}

/* Runs s through nat_in (or nat_out); asserts the verdict, and on success
 * the checksums and the new destination (source) address and port. */
static void xlate(struct nat *n, bool inbound, struct tp_spec s, enum nat_verdict want,
                  uint32_t addr, uint16_t port)
{
	size_t len = tp_build(buf, &s);
	enum nat_verdict v = inbound ? nat_in(n, buf, len, FL_TIME_S(T0)) : nat_out(n, buf, len, FL_TIME_S(T0));
	assert_string_equal(nat_verdict_str(v), nat_verdict_str(want));
	if (v != NAT_TRANSLATED && v != NAT_HAIRPIN)
		return;
	assert_true(tp_csums_ok(buf));
	bool dst = inbound || v == NAT_HAIRPIN;
	assert_int_equal(addr_at(buf, dst ? 16 : 12), addr);
	assert_int_equal(tp_get16(buf + 20 + (dst ? 2 : 0)), port);
}

static void in(struct nat *n, struct tp_spec s, enum nat_verdict want, uint32_t addr, uint16_t port)
{
	xlate(n, true, s, want, addr, port);
}

static void out(struct nat *n, struct tp_spec s, enum nat_verdict want, uint32_t addr, uint16_t port)
{
	xlate(n, false, s, want, addr, port);
}

static uint32_t active(const struct nat *n)
{
	struct nat_stats st;
	nat_stats_get(n, &st);
	return st.active;
}

static void test_forward_tcp(void **state)
{
	(void)state;
	struct nat *n = mk(1024, 64);
	/* Before the forward: an unsolicited SYN has nowhere to go. */
	in(n, spec(TP_TCP, R1, 5555, EXT, 8080, SYN), NAT_NO_MAPPING, 0, 0);
	assert_int_equal(nat_forward_add(n, TP_TCP, htons(8080), H1, htons(80)), NAT_FWD_OK);
	/* A stray ACK opens nothing. */
	in(n, spec(TP_TCP, R1, 5555, EXT, 8080, ACK), NAT_NO_MAPPING, 0, 0);
	assert_int_equal(active(n), 0);
	in(n, spec(TP_TCP, R1, 5555, EXT, 8080, SYN), NAT_TRANSLATED, H1, 80);
	out(n, spec(TP_TCP, H1, 80, R1, 5555, SYNACK), NAT_TRANSLATED, EXT, 8080);
	in(n, spec(TP_TCP, R1, 5555, EXT, 8080, ACK), NAT_TRANSLATED, H1, 80);
	/* A second remote on the same forward, although the filter is
	 * address-and-port dependent. */
	in(n, spec(TP_TCP, R2, 6000, EXT, 8080, SYN), NAT_TRANSLATED, H1, 80);
	out(n, spec(TP_TCP, H1, 80, R2, 6000, SYNACK), NAT_TRANSLATED, EXT, 8080);
	/* Other ports stay closed and filtered as before. */
	in(n, spec(TP_TCP, R1, 5555, EXT, 8081, SYN), NAT_NO_MAPPING, 0, 0);
	assert_int_equal(active(n), 1);
	nat_free(n);
}

static void test_forward_udp(void **state)
{
	(void)state;
	struct nat *n = mk(1024, 64);
	assert_int_equal(nat_forward_add(n, TP_UDP, htons(5353), H2, htons(53)), NAT_FWD_OK);
	in(n, spec(TP_UDP, R1, 4000, EXT, 5353, 0), NAT_TRANSLATED, H2, 53);
	out(n, spec(TP_UDP, H2, 53, R1, 4000, 0), NAT_TRANSLATED, EXT, 5353);
	in(n, spec(TP_UDP, R2, 4001, EXT, 5353, 0), NAT_TRANSLATED, H2, 53);
	/* TCP on the same number is not forwarded. */
	in(n, spec(TP_TCP, R1, 4000, EXT, 5353, SYN), NAT_NO_MAPPING, 0, 0);
	nat_free(n);
}

static void test_forward_port_reserved(void **state)
{
	(void)state;
	struct nat *n = mk(4096, 1024);
	assert_int_equal(nat_forward_add(n, TP_UDP, htons(40000), H1, htons(53)), NAT_FWD_OK);
	/* H2 would keep 40000 by port preservation: not this one. */
	size_t len;
	struct tp_spec s = spec(TP_UDP, H2, 40000, R1, 9, 0);
	len = tp_build(buf, &s);
	assert_int_equal(nat_out(n, buf, len, FL_TIME_S(T0)), NAT_TRANSLATED);
	assert_int_not_equal(tp_get16(buf + 20), 40000);
	/* TCP 40000 is a different port space: preserved. */
	out(n, spec(TP_TCP, H2, 40000, R1, 9, SYN), NAT_TRANSLATED, EXT, 40000);
	/* The forward's own endpoint speaking first gets the forwarded port. */
	out(n, spec(TP_UDP, H1, 53, R1, 9, 0), NAT_TRANSLATED, EXT, 40000);
	/* A wide sweep of new flows never lands on it. */
	for (unsigned i = 0; i < 300; i++) {
		s = spec(TP_UDP, H2, (uint16_t)(39900 + i), R2, 9, 0);
		len = tp_build(buf, &s);
		assert_int_equal(nat_out(n, buf, len, FL_TIME_S(T0)), NAT_TRANSLATED);
		assert_int_not_equal(tp_get16(buf + 20), 40000);
	}
	nat_free(n);
}

static void test_forward_evicts_dynamic(void **state)
{
	(void)state;
	struct nat *n = mk(1024, 64);
	out(n, spec(TP_UDP, H2, 40000, R1, 9, 0), NAT_TRANSLATED, EXT, 40000);
	struct tp_spec s = spec(TP_UDP, H1, 53, R1, 9, 0); /* 53 < 1024: some other port */
	size_t len = tp_build(buf, &s);
	assert_int_equal(nat_out(n, buf, len, FL_TIME_S(T0)), NAT_TRANSLATED);
	assert_int_equal(active(n), 2);
	assert_int_equal(nat_forward_add(n, TP_UDP, htons(40000), H1, htons(53)), NAT_FWD_OK);
	/* Both contradicted it (H2 held the port, H1:53 had another): gone. */
	assert_int_equal(active(n), 0);
	in(n, spec(TP_UDP, R1, 9, EXT, 40000, 0), NAT_TRANSLATED, H1, 53);
	nat_free(n);
}

static void test_forward_remove(void **state)
{
	(void)state;
	struct nat *n = mk(1024, 64);
	assert_int_equal(nat_forward_add(n, TP_TCP, htons(8080), H1, htons(80)), NAT_FWD_OK);
	assert_int_equal(nat_forward_add(n, TP_UDP, htons(5353), H2, htons(53)), NAT_FWD_OK);
	in(n, spec(TP_TCP, R1, 5555, EXT, 8080, SYN), NAT_TRANSLATED, H1, 80);
	out(n, spec(TP_TCP, H1, 80, R1, 5555, SYNACK), NAT_TRANSLATED, EXT, 8080);
	out(n, spec(TP_TCP, H2, 3333, R1, 22, SYN), NAT_TRANSLATED, EXT, 3333);
	assert_int_equal(active(n), 2);
	assert_int_equal(nat_forward_remove(n, TP_TCP, htons(8080)), NAT_FWD_OK);
	assert_int_equal(nat_forward_count(n), 1);
	assert_int_equal(active(n), 1); /* the unrelated flow stays */
	in(n, spec(TP_TCP, R1, 5555, EXT, 8080, ACK), NAT_NO_MAPPING, 0, 0);
	in(n, spec(TP_TCP, R1, 5556, EXT, 8080, SYN), NAT_NO_MAPPING, 0, 0);
	in(n, spec(TP_UDP, R1, 4000, EXT, 5353, 0), NAT_TRANSLATED, H2, 53);
	assert_int_equal(nat_forward_remove(n, TP_TCP, htons(8080)), NAT_FWD_NOT_FOUND);
	/* A reload: clear everything, add back what the new config has. */
	nat_forward_clear(n);
	assert_int_equal(nat_forward_count(n), 0);
	in(n, spec(TP_UDP, R1, 4001, EXT, 5353, 0), NAT_NO_MAPPING, 0, 0);
	assert_int_equal(nat_forward_add(n, TP_TCP, htons(8080), H2, htons(80)), NAT_FWD_OK);
	in(n, spec(TP_TCP, R1, 5557, EXT, 8080, SYN), NAT_TRANSLATED, H2, 80);
	nat_free(n);
}

static void test_forward_limits(void **state)
{
	(void)state;
	struct nat *n = mk(1024, 1);
	assert_int_equal(nat_forward_add(n, TP_TCP, htons(8080), H1, htons(80)), NAT_FWD_OK);
	out(n, spec(TP_UDP, H1, 5000, R1, 9, 0), NAT_TRANSLATED, EXT, 5000);
	in(n, spec(TP_TCP, R1, 5555, EXT, 8080, SYN), NAT_DROP_HOST_LIMIT, 0, 0);
	nat_free(n);

	n = mk(1, 64);
	assert_int_equal(nat_forward_add(n, TP_TCP, htons(8080), H1, htons(80)), NAT_FWD_OK);
	out(n, spec(TP_UDP, H2, 5000, R1, 9, 0), NAT_TRANSLATED, EXT, 5000);
	in(n, spec(TP_TCP, R1, 5555, EXT, 8080, SYN), NAT_DROP_TABLE_FULL, 0, 0);
	nat_free(n);
}

static void test_forward_hairpin(void **state)
{
	(void)state;
	struct nat *n = mk(1024, 64);
	assert_int_equal(nat_forward_add(n, TP_TCP, htons(8080), H1, htons(80)), NAT_FWD_OK);
	out(n, spec(TP_TCP, H2, 7000, EXT, 8080, SYN), NAT_HAIRPIN, H1, 80);
	assert_int_equal(addr_at(buf, 12), EXT);
	out(n, spec(TP_TCP, H1, 80, EXT, 7000, SYNACK), NAT_HAIRPIN, H2, 7000);
	nat_free(n);
}

static void test_forward_errors(void **state)
{
	(void)state;
	struct nat *n = mk(1024, 64);
	assert_int_equal(nat_forward_add(n, TP_ICMP, htons(1), H1, htons(1)), NAT_FWD_PROTO);
	assert_int_equal(nat_forward_add(n, TP_TCP, 0, H1, htons(1)), NAT_FWD_PORT);
	assert_int_equal(nat_forward_add(n, TP_TCP, htons(1), H1, 0), NAT_FWD_PORT);
	assert_int_equal(nat_forward_add(n, TP_TCP, htons(1), EXT, htons(1)), NAT_FWD_ADDR);
	assert_int_equal(nat_forward_add(n, TP_TCP, htons(1), 0, htons(1)), NAT_FWD_ADDR);
	assert_int_equal(nat_forward_add(n, TP_TCP, htons(1), H1, htons(1)), NAT_FWD_OK);
	assert_int_equal(nat_forward_add(n, TP_TCP, htons(1), H2, htons(2)), NAT_FWD_DUP);
	assert_int_equal(nat_forward_add(n, TP_TCP, htons(2), H1, htons(1)), NAT_FWD_TARGET);
	assert_int_equal(nat_forward_add(n, TP_UDPLITE, htons(1), H1, htons(1)), NAT_FWD_OK);
	for (unsigned i = 2; nat_forward_count(n) < NAT_MAX_FORWARDS; i++)
		assert_int_equal(nat_forward_add(n, TP_UDP, htons((uint16_t)i), H1, htons((uint16_t)i)), NAT_FWD_OK);
	assert_int_equal(nat_forward_add(n, TP_UDP, htons(9999), H2, htons(1)), NAT_FWD_FULL);
	assert_string_equal(nat_fwd_strerror(NAT_FWD_FULL), "too many port forwards");
	nat_forward_clear(n);
	assert_int_equal(nat_forward_count(n), 0);
	nat_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_tcp),
		cmocka_unit_test(test_forward_udp),
		cmocka_unit_test(test_forward_port_reserved),
		cmocka_unit_test(test_forward_evicts_dynamic),
		cmocka_unit_test(test_forward_remove),
		cmocka_unit_test(test_forward_limits),
		cmocka_unit_test(test_forward_hairpin),
		cmocka_unit_test(test_forward_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
