/* SPDX-License-Identifier: MIT */
/* test_nat.c: cmocka tests for src/nat, one test (or more) per behavioural
 * requirement, plus a random round-trip property test and malformed input.
 * Checksums are verified with tp_csums_ok() (nat_testpkt.h), a full RFC 1071
 * sum written independently of the NAT's incremental code.
 *
 * Requirement -> test (the same table is in doc/nat.md):
 *
 * REQ-1  RFC 4787 REQ-1, endpoint-independent UDP mapping      test_udp_eim
 * REQ-2  RFC 4787 REQ-2, paired address pooling                test_paired_pooling
 * REQ-3  RFC 4787 REQ-3, port preservation when free           test_port_preservation
 * REQ-4  RFC 4787 REQ-3/4.2.1, no port overloading             test_no_port_overloading
 * REQ-5  RFC 4787 REQ-4, port parity not required              (none: no parity logic)
 * REQ-6  RFC 4787 REQ-5, UDP timeout >= 2 min, default 2 min,
 *        configurable                                         test_udp_timeout
 * REQ-7  RFC 4787 REQ-6, outbound refresh; inbound optional    test_udp_refresh
 * REQ-8  RFC 4787 REQ-8, filtering: endpoint independent,
 *        address dependent, address and port dependent        test_filter_endpoint,
 *                                                              test_filter_address,
 *                                                              test_filter_address_port
 * REQ-9  RFC 4787 REQ-9, hairpinning, external source          test_hairpin_udp
 * REQ-10 RFC 4787 REQ-14, fragments (first translated, later
 *        follow by src, dst, proto, IP id)                     test_fragments,
 *                                                              test_fragment_before_first
 * REQ-11 RFC 4787 REQ-12/RFC 5508 REQ-?, ICMP errors keep the
 *        mapping                                               test_icmp_error_keeps_mapping
 * REQ-12 RFC 5382 REQ-1, endpoint-independent TCP mapping      test_tcp_eim
 * REQ-13 RFC 5382 REQ-2, simultaneous open                     test_tcp_simultaneous_open
 * REQ-14 RFC 5382 REQ-4, unsolicited SYN: no mapping, no reply test_tcp_unsolicited_syn
 * REQ-15 RFC 5382 REQ-5, established idle timeout >= 2 h 4 min test_tcp_established_timeout
 * REQ-16 RFC 5382 REQ-5, transitory timeout 4 min (opening,
 *        FIN both ways, RST); a new SYN reopens               test_tcp_transitory_timeout
 * REQ-17 RFC 5382 REQ-8 (hairpin TCP), REQ-1 state per mapping test_hairpin_tcp
 * REQ-18 RFC 5508 REQ-1, ICMP query id mapping (echo,
 *        timestamp), timeout >= 60 s                           test_icmp_echo,
 *                                                              test_icmp_timestamp,
 *                                                              test_icmp_query_timeout
 * REQ-19 RFC 5508 REQ-3, inbound ICMP errors translated with
 *        the embedded header (UDP, TCP, ICMP query)            test_icmp_error_in
 * REQ-20 RFC 5508 REQ-4, outbound ICMP errors translated       test_icmp_error_out
 * REQ-21 RFC 5508 REQ-3, fragmentation needed (MTU kept)       test_icmp_frag_needed
 * REQ-22 RFC 5508 REQ-?, errors without mapping or about an
 *        ICMP error are not translated                         test_icmp_error_rejects
 * REQ-23 RFC 1624 incremental checksums, UDP zero checksum,
 *        UDP computed-zero (0xffff), pseudo-header             test_udp_zero_checksum,
 *                                                              test_property_roundtrip
 * REQ-24 UDP-Lite mapped like UDP, own port space              test_udplite
 * REQ-25 bounded: max mappings, per-host limit, table full
 *        drops new flows and counts them                       test_table_full,
 *                                                              test_host_limit
 * REQ-26 expired mappings reclaimed via the wheel, reusable    test_expiry_reclaims
 * REQ-27 malformed packets dropped, counted, left unchanged    test_malformed,
 *                                                              test_malformed_icmp
 * REQ-28 random flows out and back equal originals byte for
 *        byte, checksums verified independently                test_property_roundtrip
 * REQ-29 config checked                                        test_config_errors
 * REQ-31 expiry model: a flow idle less than its timeout is alive, one idle
 *        a wheel tick longer is gone, across random time steps     test_expiry_model
 * REQ-30 batch calls (prefetching, large tables) give the same
 *        verdicts and bytes as single calls                    test_batch_matches_single
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nat/nat.h"
#include "nat/nat_internal.h" /* white box: the wheel tick */
#include "nat_testpkt.h"

#define EXT tp_ip(192, 0, 2, 1)
#define H1 tp_ip(10, 0, 0, 1)
#define H2 tp_ip(10, 0, 0, 2)
#define R1 tp_ip(198, 51, 100, 1)
#define R2 tp_ip(203, 0, 113, 7)
#define T0 1000u

static struct nat *mk_nat(enum nat_filter f, uint32_t max)
{
	struct nat_config c;
	enum nat_err e;
	nat_config_defaults(&c);
	c.ext_addr[0] = EXT;
	c.filter = f;
	c.max_mappings = max;
	c.seed = 42;
	struct nat *n = nat_new(&c, &e);
	assert_non_null(n);
	return n;
}

static struct nat *mk_nat_cfg(const struct nat_config *c)
{
	enum nat_err e;
	struct nat *n = nat_new(c, &e);
	assert_int_equal(e, NAT_OK);
	assert_non_null(n);
	return n;
}

static uint8_t buf[2048];

static struct tp_spec spec(uint8_t proto, uint32_t src, uint16_t sport, uint32_t dst, uint16_t dport)
{
	struct tp_spec s = {.proto = proto, .src = src, .dst = dst, .sport = sport, .dport = dport,
	                    .ipid = 0x4242, .payload = 16, .payload_seed = 3};
	if (proto == TP_TCP)
		s.tcp_flags = 0x02;
	if (proto == TP_ICMP)
		s.icmp_type = 8;
	return s;
}

static size_t l4off(const uint8_t *p)
{
	return (size_t)(p[0] & 15) * 4;
}

static uint32_t src_of(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p + 12, 4);
	return v;
}

static uint32_t dst_of(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p + 16, 4);
	return v;
}

static uint16_t sport_of(const uint8_t *p)
{
	return tp_get16(p + l4off(p) + (p[9] == TP_ICMP ? 4 : 0));
}

static uint16_t dport_of(const uint8_t *p)
{
	return tp_get16(p + l4off(p) + (p[9] == TP_ICMP ? 4 : 2));
}

/* Sends s out; asserts the verdict; returns the external port or id. */
static uint16_t out(struct nat *n, struct tp_spec s, uint32_t now, enum nat_verdict want)
{
	size_t len = tp_build(buf, &s);
	enum nat_verdict v = nat_out(n, buf, len, FL_TIME_S(now));
	assert_string_equal(nat_verdict_str(v), nat_verdict_str(want));
	if (v == NAT_TRANSLATED || v == NAT_HAIRPIN) {
		assert_true(tp_csums_ok(buf));
		if (v == NAT_TRANSLATED)
			assert_int_equal(src_of(buf), EXT);
	}
	return sport_of(buf);
}

/* Sends s in; asserts the verdict; on success checks the result equals the
 * packet the internal host should see, byte for byte. */
static void in(struct nat *n, struct tp_spec s, uint32_t now, enum nat_verdict want,
               uint32_t int_addr, uint16_t int_port)
{
	size_t len = tp_build(buf, &s);
	enum nat_verdict v = nat_in(n, buf, len, FL_TIME_S(now));
	assert_string_equal(nat_verdict_str(v), nat_verdict_str(want));
	if (v == NAT_TRANSLATED) {
		uint8_t want_pkt[2048];
		s.dst = int_addr;
		if (s.proto == TP_ICMP)
			s.sport = int_port;
		else
			s.dport = int_port;
		assert_int_equal(tp_build(want_pkt, &s), len);
		assert_memory_equal(buf, want_pkt, len);
	}
}

static struct tp_spec reply(uint8_t proto, uint32_t src, uint16_t sport, uint16_t ext_port)
{
	struct tp_spec s = spec(proto, src, sport, EXT, ext_port);
	if (proto == TP_TCP)
		s.tcp_flags = 0x12;
	if (proto == TP_ICMP) {
		s.icmp_type = 0;
		s.sport = ext_port;
	}
	return s;
}

static uint32_t active(struct nat *n, uint32_t now)
{
	struct nat_stats st;
	nat_expire(n, FL_TIME_S(now), UINT32_MAX);
	nat_stats_get(n, &st);
	return st.active;
}

static void test_udp_eim(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ENDPOINT, 1024);
	uint16_t p1 = out(n, spec(TP_UDP, H1, 5000, R1, 53), T0, NAT_TRANSLATED);
	uint16_t p2 = out(n, spec(TP_UDP, H1, 5000, R2, 123), T0, NAT_TRANSLATED);
	assert_int_equal(p1, p2);
	in(n, reply(TP_UDP, R2, 123, p1), T0, NAT_TRANSLATED, H1, 5000);
	nat_free(n);
}

static void test_paired_pooling(void **state)
{
	(void)state;
	struct nat_config c;
	nat_config_defaults(&c);
	c.n_ext = 4;
	for (unsigned i = 0; i < 4; i++)
		c.ext_addr[i] = tp_ip(192, 0, 2, 10 + i);
	struct nat *n = mk_nat_cfg(&c);
	for (unsigned h = 1; h < 20; h++) {
		uint32_t host = tp_ip(10, 0, 1, h), first = 0;
		for (unsigned p = 0; p < 8; p++) {
			struct tp_spec s = spec(p & 1 ? TP_TCP : TP_UDP, host, (uint16_t)(2000 + p), R1, 80);
			size_t len = tp_build(buf, &s);
			assert_int_equal(nat_out(n, buf, len, FL_TIME_S(T0)), NAT_TRANSLATED);
			if (p == 0)
				first = src_of(buf);
			assert_int_equal(src_of(buf), first);
		}
	}
	nat_free(n);
}

static void test_port_preservation(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	assert_int_equal(out(n, spec(TP_UDP, H1, 40000, R1, 53), T0, NAT_TRANSLATED), 40000);
	assert_int_equal(out(n, spec(TP_TCP, H1, 40001, R1, 80), T0, NAT_TRANSLATED), 40001);
	assert_int_equal(out(n, spec(TP_ICMP, H1, 777, R1, 0), T0, NAT_TRANSLATED), 777);
	/* Below the configured range (1024-65535): a port from the range. */
	uint16_t p = out(n, spec(TP_UDP, H1, 53, R1, 53), T0, NAT_TRANSLATED);
	assert_true(p >= 1024);
	nat_free(n);
}

static void test_no_port_overloading(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	uint16_t p1 = out(n, spec(TP_UDP, H1, 40000, R1, 53), T0, NAT_TRANSLATED);
	uint16_t p2 = out(n, spec(TP_UDP, H2, 40000, R1, 53), T0, NAT_TRANSLATED);
	assert_int_equal(p1, 40000);
	assert_int_not_equal(p1, p2);
	in(n, reply(TP_UDP, R1, 53, p1), T0, NAT_TRANSLATED, H1, 40000);
	in(n, reply(TP_UDP, R1, 53, p2), T0, NAT_TRANSLATED, H2, 40000);
	nat_free(n);
}

static void test_udp_timeout(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	out(n, spec(TP_UDP, H1, 5000, R1, 53), T0, NAT_TRANSLATED);
	assert_int_equal(active(n, T0 + 119), 1); /* never less than 2 min */
	assert_int_equal(active(n, T0 + 120 + 60), 0); /* gone a wheel tick later */
	nat_free(n);

	struct nat_config c;
	nat_config_defaults(&c);
	c.ext_addr[0] = EXT;
	c.udp_timeout = 600;
	n = mk_nat_cfg(&c);
	out(n, spec(TP_UDP, H1, 5000, R1, 53), T0, NAT_TRANSLATED);
	assert_int_equal(active(n, T0 + 599), 1);
	assert_int_equal(active(n, T0 + 700), 0);
	nat_free(n);
}

/* The NAT's timeouts follow only the time passed in (fl_time_t, µs): it
 * reads no clock, so a wall-clock step cannot touch a mapping, and the µs
 * below a second do not shorten or stretch a timeout. */
static uint32_t active_us(struct nat *n, fl_time_t now)
{
	struct nat_stats st;
	nat_expire(n, now, UINT32_MAX);
	nat_stats_get(n, &st);
	return st.active;
}

static void test_time_is_passed_in(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	size_t len;
	struct tp_spec s = spec(TP_UDP, H1, 5000, R1, 53);

	len = tp_build(buf, &s);
	assert_int_equal(nat_out(n, buf, len, FL_TIME_S(T0) + 999999), NAT_TRANSLATED);
	assert_int_equal(active_us(n, FL_TIME_S(T0 + 119) + 999999), 1);
	/* Passing the same time again changes nothing, however long the test
	 * really took: only the argument counts. */
	assert_int_equal(active_us(n, FL_TIME_S(T0 + 119)), 1);
	assert_int_equal(active_us(n, FL_TIME_S(T0 + 120 + 60)), 0);
	nat_free(n);
}

static void test_udp_refresh(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	uint16_t p = out(n, spec(TP_UDP, H1, 5000, R1, 53), T0, NAT_TRANSLATED);
	out(n, spec(TP_UDP, H1, 5000, R1, 53), T0 + 100, NAT_TRANSLATED);
	assert_int_equal(active(n, T0 + 219), 1);
	in(n, reply(TP_UDP, R1, 53, p), T0 + 200, NAT_TRANSLATED, H1, 5000);
	assert_int_equal(active(n, T0 + 319), 1); /* inbound refreshed too */
	assert_int_equal(active(n, T0 + 400), 0);
	nat_free(n);

	struct nat_config c;
	nat_config_defaults(&c);
	c.ext_addr[0] = EXT;
	c.inbound_refresh = false;
	n = mk_nat_cfg(&c);
	p = out(n, spec(TP_UDP, H1, 5000, R1, 53), T0, NAT_TRANSLATED);
	in(n, reply(TP_UDP, R1, 53, p), T0 + 100, NAT_TRANSLATED, H1, 5000);
	assert_int_equal(active(n, T0 + 200), 0);
	nat_free(n);
}

static void test_filter_endpoint(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ENDPOINT, 1024);
	uint16_t p = out(n, spec(TP_UDP, H1, 5000, R1, 53), T0, NAT_TRANSLATED);
	in(n, reply(TP_UDP, R2, 9999, p), T0, NAT_TRANSLATED, H1, 5000);
	nat_free(n);
}

static void test_filter_address(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	uint16_t p = out(n, spec(TP_UDP, H1, 5000, R1, 53), T0, NAT_TRANSLATED);
	in(n, reply(TP_UDP, R1, 9999, p), T0, NAT_TRANSLATED, H1, 5000);
	in(n, reply(TP_UDP, R2, 53, p), T0, NAT_DROP_FILTERED, 0, 0);
	out(n, spec(TP_UDP, H1, 5000, R2, 1), T0, NAT_TRANSLATED);
	in(n, reply(TP_UDP, R2, 53, p), T0, NAT_TRANSLATED, H1, 5000);
	nat_free(n);
}

static void test_filter_address_port(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS_PORT, 1024);
	uint16_t p = out(n, spec(TP_UDP, H1, 5000, R1, 53), T0, NAT_TRANSLATED);
	in(n, reply(TP_UDP, R1, 53, p), T0, NAT_TRANSLATED, H1, 5000);
	in(n, reply(TP_UDP, R1, 54, p), T0, NAT_DROP_FILTERED, 0, 0);
	in(n, reply(TP_UDP, R2, 53, p), T0, NAT_DROP_FILTERED, 0, 0);
	/* TCP is filtered the same way. */
	p = out(n, spec(TP_TCP, H1, 6000, R1, 443), T0, NAT_TRANSLATED);
	in(n, reply(TP_TCP, R1, 444, p), T0, NAT_DROP_FILTERED, 0, 0);
	in(n, reply(TP_TCP, R1, 443, p), T0, NAT_TRANSLATED, H1, 6000);
	nat_free(n);
}

static void test_hairpin_udp(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ENDPOINT, 1024);
	uint16_t pa = out(n, spec(TP_UDP, H1, 4000, R1, 3478), T0, NAT_TRANSLATED);
	struct tp_spec s = spec(TP_UDP, H2, 5000, EXT, pa);
	size_t len = tp_build(buf, &s);
	assert_int_equal(nat_out(n, buf, len, FL_TIME_S(T0)), NAT_HAIRPIN);
	assert_true(tp_csums_ok(buf));
	assert_int_equal(src_of(buf), EXT); /* REQ-9b: external source */
	assert_int_equal(dst_of(buf), H1);
	assert_int_equal(dport_of(buf), 4000);
	uint16_t pb = sport_of(buf);
	/* The reply hairpins back to H2 under its own mapping. */
	s = spec(TP_UDP, H1, 4000, EXT, pb);
	len = tp_build(buf, &s);
	assert_int_equal(nat_out(n, buf, len, FL_TIME_S(T0)), NAT_HAIRPIN);
	assert_true(tp_csums_ok(buf));
	assert_int_equal(dst_of(buf), H2);
	assert_int_equal(dport_of(buf), 5000);
	assert_int_equal(sport_of(buf), pa);
	/* To an external port nobody holds: no mapping, packet unchanged. */
	s = spec(TP_UDP, H2, 5000, EXT, 1);
	len = tp_build(buf, &s);
	assert_int_equal(nat_out(n, buf, len, FL_TIME_S(T0)), NAT_NO_MAPPING);
	nat_free(n);
}

static size_t frag_pair(uint8_t *first, uint8_t *second, struct tp_spec s, size_t *len2)
{
	/* A 48-byte-payload UDP datagram split after 16 bytes of transport data. */
	uint8_t whole[256];
	s.payload = 40;
	size_t len = tp_build(whole, &s);
	size_t cut = 20 + 24; /* IP header + 8 UDP + 16 data */
	memcpy(first, whole, cut);
	tp_put16(first + 2, (uint16_t)cut);
	tp_put16(first + 6, 0x2000); /* MF */
	first[10] = first[11] = 0;
	tp_put16(first + 10, (uint16_t)~tp_fold(tp_sum(first, 20, 0)));
	memcpy(second, whole, 20);
	memcpy(second + 20, whole + cut, len - cut);
	tp_put16(second + 2, (uint16_t)(20 + len - cut));
	tp_put16(second + 6, 3); /* offset 24 bytes, last */
	second[10] = second[11] = 0;
	tp_put16(second + 10, (uint16_t)~tp_fold(tp_sum(second, 20, 0)));
	*len2 = 20 + len - cut;
	return cut;
}

static void test_fragments(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	uint8_t a[256], b[256];
	size_t lb, la = frag_pair(a, b, spec(TP_UDP, H1, 5000, R1, 53), &lb);
	assert_int_equal(nat_out(n, a, la, FL_TIME_S(T0)), NAT_TRANSLATED);
	assert_int_equal(nat_out(n, b, lb, FL_TIME_S(T0)), NAT_TRANSLATED);
	assert_int_equal(src_of(a), EXT);
	assert_int_equal(src_of(b), EXT);
	assert_int_equal(tp_fold(tp_sum(b, 20, 0)), 0xffff);
	/* Reassembled, the translated datagram has a valid UDP checksum. */
	uint8_t whole[256];
	memcpy(whole, a, la);
	memcpy(whole + la, b + 20, lb - 20);
	tp_put16(whole + 2, (uint16_t)(la + lb - 20));
	tp_put16(whole + 6, 0);
	tp_fix_csums(whole, false); /* IP header only changes; keep the UDP sum */
	memcpy(whole + 26, a + 26, 2);
	assert_true(tp_csums_ok(whole));
	uint16_t p = sport_of(a);

	/* Inbound: a fragmented reply. */
	struct tp_spec r = reply(TP_UDP, R1, 53, p);
	r.ipid = 0x777;
	la = frag_pair(a, b, r, &lb);
	assert_int_equal(nat_in(n, a, la, FL_TIME_S(T0)), NAT_TRANSLATED);
	assert_int_equal(nat_in(n, b, lb, FL_TIME_S(T0)), NAT_TRANSLATED);
	assert_int_equal(dst_of(a), H1);
	assert_int_equal(dst_of(b), H1);
	nat_free(n);
}

static void test_fragment_before_first(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	uint8_t a[256], b[256], c[256];
	size_t lb, la = frag_pair(a, b, spec(TP_UDP, H1, 5000, R1, 53), &lb);
	memcpy(c, b, lb);
	assert_int_equal(nat_out(n, b, lb, FL_TIME_S(T0)), NAT_DROP_FRAG_UNKNOWN);
	assert_memory_equal(b, c, lb);
	assert_int_equal(nat_out(n, a, la, FL_TIME_S(T0)), NAT_TRANSLATED);
	/* After the train's timeout a later fragment no longer follows. */
	assert_int_equal(nat_out(n, b, lb, FL_TIME_S(T0 + 31)), NAT_DROP_FRAG_UNKNOWN);
	struct nat_stats st;
	nat_stats_get(n, &st);
	assert_int_equal(st.verdict[NAT_DROP_FRAG_UNKNOWN], 2);
	nat_free(n);
}

static void test_icmp_error_keeps_mapping(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	uint16_t p = out(n, spec(TP_UDP, H1, 5000, R1, 53), T0, NAT_TRANSLATED);
	uint8_t sent[256];
	memcpy(sent, buf, 64);
	size_t len = tp_icmp_error(buf, R1, EXT, 3, 3, 0, sent, 28);
	assert_int_equal(nat_in(n, buf, len, FL_TIME_S(T0)), NAT_TRANSLATED);
	in(n, reply(TP_UDP, R1, 53, p), T0, NAT_TRANSLATED, H1, 5000);
	nat_free(n);
}

static void test_tcp_eim(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ENDPOINT, 1024);
	uint16_t p1 = out(n, spec(TP_TCP, H1, 7000, R1, 80), T0, NAT_TRANSLATED);
	uint16_t p2 = out(n, spec(TP_TCP, H1, 7000, R2, 443), T0, NAT_TRANSLATED);
	assert_int_equal(p1, p2);
	nat_free(n);
}

static void test_tcp_simultaneous_open(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS_PORT, 1024);
	uint16_t p = out(n, spec(TP_TCP, H1, 7000, R1, 7001), T0, NAT_TRANSLATED);
	struct tp_spec s = reply(TP_TCP, R1, 7001, p);
	s.tcp_flags = 0x02; /* a bare SYN crossing ours */
	in(n, s, T0 + 1, NAT_TRANSLATED, H1, 7000);
	struct tp_spec a = spec(TP_TCP, H1, 7000, R1, 7001);
	a.tcp_flags = 0x12;
	out(n, a, T0 + 2, NAT_TRANSLATED);
	/* Both SYNs seen: established, so it outlives the transitory timer. */
	assert_int_equal(active(n, T0 + 3600), 1);
	nat_free(n);
}

static void test_tcp_unsolicited_syn(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ENDPOINT, 1024);
	struct tp_spec s = spec(TP_TCP, R1, 5555, EXT, 22);
	size_t len = tp_build(buf, &s);
	uint8_t copy[256];
	memcpy(copy, buf, len);
	assert_int_equal(nat_in(n, buf, len, FL_TIME_S(T0)), NAT_NO_MAPPING);
	assert_memory_equal(buf, copy, len); /* nothing sent, nothing changed */
	assert_int_equal(active(n, T0), 0);
	/* An outbound non-SYN does not create a mapping either. */
	s = spec(TP_TCP, H1, 7000, R1, 80);
	s.tcp_flags = 0x10;
	out(n, s, T0, NAT_DROP_TCP_NO_SYN);
	nat_free(n);
}

static uint16_t tcp_open(struct nat *n, uint32_t now)
{
	uint16_t p = out(n, spec(TP_TCP, H1, 7000, R1, 80), now, NAT_TRANSLATED);
	in(n, reply(TP_TCP, R1, 80, p), now, NAT_TRANSLATED, H1, 7000);
	struct tp_spec a = spec(TP_TCP, H1, 7000, R1, 80);
	a.tcp_flags = 0x10;
	out(n, a, now, NAT_TRANSLATED);
	return p;
}

static void test_tcp_established_timeout(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	tcp_open(n, T0);
	assert_int_equal(active(n, T0 + 7439), 1); /* 2 h 4 min */
	assert_int_equal(active(n, T0 + 7440 + 60), 0);
	nat_free(n);
}

static void test_tcp_transitory_timeout(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	/* Opening (SYN out only): 4 min. */
	out(n, spec(TP_TCP, H1, 7000, R1, 80), T0, NAT_TRANSLATED);
	assert_int_equal(active(n, T0 + 239), 1);
	assert_int_equal(active(n, T0 + 240 + 60), 0);

	/* FIN both ways: 4 min. */
	uint32_t t = T0 + 1000;
	uint16_t p = tcp_open(n, t);
	struct tp_spec f = spec(TP_TCP, H1, 7000, R1, 80);
	f.tcp_flags = 0x11;
	out(n, f, t, NAT_TRANSLATED);
	assert_int_equal(active(n, t + 600), 1); /* half closed: still established */
	struct tp_spec g = reply(TP_TCP, R1, 80, p);
	g.tcp_flags = 0x11;
	in(n, g, t + 600, NAT_TRANSLATED, H1, 7000);
	assert_int_equal(active(n, t + 600 + 239), 1);
	assert_int_equal(active(n, t + 600 + 300), 0);

	/* RST: 4 min; a new SYN reopens the mapping. */
	t = T0 + 5000;
	p = tcp_open(n, t);
	g = reply(TP_TCP, R1, 80, p);
	g.tcp_flags = 0x04;
	in(n, g, t, NAT_TRANSLATED, H1, 7000);
	out(n, spec(TP_TCP, H1, 7000, R1, 80), t + 10, NAT_TRANSLATED);
	in(n, reply(TP_TCP, R1, 80, p), t + 10, NAT_TRANSLATED, H1, 7000);
	assert_int_equal(active(n, t + 3000), 1);
	nat_free(n);
}

static void test_hairpin_tcp(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ENDPOINT, 1024);
	uint16_t pa = out(n, spec(TP_TCP, H1, 8000, R1, 80), T0, NAT_TRANSLATED);
	struct tp_spec s = spec(TP_TCP, H2, 9000, EXT, pa);
	size_t len = tp_build(buf, &s);
	assert_int_equal(nat_out(n, buf, len, FL_TIME_S(T0)), NAT_HAIRPIN);
	assert_true(tp_csums_ok(buf));
	assert_int_equal(src_of(buf), EXT);
	assert_int_equal(dst_of(buf), H1);
	assert_int_equal(dport_of(buf), 8000);
	nat_free(n);
}

static void test_icmp_echo(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	uint16_t id1 = out(n, spec(TP_ICMP, H1, 99, R1, 1), T0, NAT_TRANSLATED);
	uint16_t id2 = out(n, spec(TP_ICMP, H2, 99, R1, 1), T0, NAT_TRANSLATED);
	assert_int_not_equal(id1, id2);
	in(n, reply(TP_ICMP, R1, 0, id1), T0, NAT_TRANSLATED, H1, 99);
	in(n, reply(TP_ICMP, R1, 0, id2), T0, NAT_TRANSLATED, H2, 99);
	in(n, reply(TP_ICMP, R2, 0, id2), T0, NAT_DROP_FILTERED, 0, 0);
	/* An echo request to our own address is not the NAT's business. */
	struct tp_spec s = spec(TP_ICMP, R1, 5, EXT, 1);
	in(n, s, T0, NAT_NO_MAPPING, 0, 0);
	nat_free(n);
}

static void test_icmp_timestamp(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	struct tp_spec s = spec(TP_ICMP, H1, 4321, R1, 1);
	s.icmp_type = 13;
	s.payload = 12;
	uint16_t id = out(n, s, T0, NAT_TRANSLATED);
	struct tp_spec r = reply(TP_ICMP, R1, 0, id);
	r.icmp_type = 14;
	r.payload = 12;
	in(n, r, T0, NAT_TRANSLATED, H1, 4321);
	nat_free(n);
}

static void test_icmp_query_timeout(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	out(n, spec(TP_ICMP, H1, 99, R1, 1), T0, NAT_TRANSLATED);
	assert_int_equal(active(n, T0 + 59), 1);
	assert_int_equal(active(n, T0 + 60 + 60), 0);
	nat_free(n);
}

/* Sends s out, then an inbound ICMP error quoting the translated packet
 * (only `keep` bytes of it); checks the error comes back quoting the
 * original packet, byte for byte. */
static void error_in_case(struct nat *n, struct tp_spec s, size_t keep, uint8_t type, uint8_t code)
{
	uint8_t orig[256], sent[256], err[512], want[512];
	size_t len = tp_build(orig, &s);
	memcpy(sent, orig, len);
	assert_int_equal(nat_out(n, sent, len, FL_TIME_S(T0)), NAT_TRANSLATED);
	if (keep > len)
		keep = len;
	uint32_t router = tp_ip(203, 0, 113, 254);
	size_t elen = tp_icmp_error(err, router, EXT, type, code, 1400, sent, keep);
	assert_int_equal(nat_in(n, err, elen, FL_TIME_S(T0)), NAT_TRANSLATED);
	assert_true(tp_csums_ok(err));
	tp_icmp_error(want, router, s.src, type, code, 1400, orig, keep);
	assert_memory_equal(err, want, elen);
}

static void test_icmp_error_in(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS_PORT, 1024);
	error_in_case(n, spec(TP_UDP, H1, 5000, R1, 53), 28, 3, 3);      /* port unreachable */
	error_in_case(n, spec(TP_UDP, H2, 5001, R1, 53), 200, 11, 0);    /* whole datagram */
	error_in_case(n, spec(TP_TCP, H1, 6000, R1, 80), 28, 11, 0);     /* TCP, no checksum bytes */
	error_in_case(n, spec(TP_TCP, H2, 6001, R1, 80), 40, 3, 1);      /* TCP with checksum */
	error_in_case(n, spec(TP_ICMP, H1, 321, R1, 9), 28, 11, 0);      /* echo request */
	struct tp_spec z = spec(TP_UDP, H1, 5002, R2, 53);
	z.udp_no_csum = true;
	error_in_case(n, z, 60, 3, 3);
	struct tp_spec o = spec(TP_UDP, H1, 5003, R2, 53);
	o.opt_words = 2; /* embedded header with options */
	error_in_case(n, o, 36, 12, 0);
	nat_free(n);
}

static void test_icmp_error_out(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ENDPOINT, 1024);
	uint16_t p = out(n, spec(TP_UDP, H1, 5000, R1, 53), T0, NAT_TRANSLATED);
	/* An inbound datagram H1 then refuses with port unreachable. */
	struct tp_spec r = reply(TP_UDP, R2, 999, p);
	uint8_t arrived[256], orig[256], err[512], want[512];
	size_t len = tp_build(orig, &r);
	memcpy(arrived, orig, len);
	assert_int_equal(nat_in(n, arrived, len, FL_TIME_S(T0)), NAT_TRANSLATED);
	size_t elen = tp_icmp_error(err, H1, R2, 3, 3, 0, arrived, len);
	assert_int_equal(nat_out(n, err, elen, FL_TIME_S(T0)), NAT_TRANSLATED);
	assert_true(tp_csums_ok(err));
	tp_icmp_error(want, EXT, R2, 3, 3, 0, orig, len);
	assert_memory_equal(err, want, elen);
	nat_free(n);
}

static void test_icmp_frag_needed(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	error_in_case(n, spec(TP_TCP, H1, 6000, R1, 443), 48, 3, 4);
	assert_int_equal(tp_get16(buf), tp_get16(buf)); /* MTU checked in error_in_case */
	nat_free(n);
}

static void test_icmp_error_rejects(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	uint8_t inner[256], err[512], err2[512];
	/* Quoting a packet for which there is no mapping. */
	struct tp_spec s = spec(TP_UDP, EXT, 4444, R1, 53);
	size_t len = tp_build(inner, &s);
	size_t elen = tp_icmp_error(err, R1, EXT, 3, 3, 0, inner, 28);
	assert_int_equal(nat_in(n, err, elen, FL_TIME_S(T0)), NAT_NO_MAPPING);
	/* An error about an error. */
	out(n, spec(TP_UDP, H1, 4444, R1, 53), T0, NAT_TRANSLATED);
	elen = tp_icmp_error(err, R1, EXT, 3, 3, 0, buf, 28);
	size_t elen2 = tp_icmp_error(err2, R1, EXT, 11, 0, 0, err, elen);
	assert_int_equal(nat_in(n, err2, elen2, FL_TIME_S(T0)), NAT_DROP_ICMP_BAD);
	(void)len;
	nat_free(n);
}

static void test_udp_zero_checksum(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	struct tp_spec s = spec(TP_UDP, H1, 5000, R1, 53);
	s.udp_no_csum = true;
	uint16_t p = out(n, s, T0, NAT_TRANSLATED);
	assert_int_equal(tp_get16(buf + 26), 0);
	struct tp_spec r = reply(TP_UDP, R1, 53, p);
	r.udp_no_csum = true;
	in(n, r, T0, NAT_TRANSLATED, H1, 5000);
	/* Find a datagram whose checksum computes to 0 (sent as 0xffff) and
	 * check it survives the round trip. */
	int found = 0;
	for (unsigned seed = 0; seed < 65536 * 4 && !found; seed++) {
		struct tp_spec t = spec(TP_UDP, H2, (uint16_t)(1024 + seed % 60000), R1, (uint16_t)(seed / 60000 + 1));
		tp_build(buf, &t);
		if (tp_get16(buf + 26) == 0xffff) {
			found = 1;
			p = out(n, t, T0, NAT_TRANSLATED);
			in(n, reply(TP_UDP, R1, t.dport, p), T0, NAT_TRANSLATED, H2, t.sport);
		}
	}
	assert_true(found);
	nat_free(n);
}

static void test_udplite(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 1024);
	uint16_t p = out(n, spec(TP_UDPLITE, H1, 5000, R1, 5000), T0, NAT_TRANSLATED);
	uint16_t q = out(n, spec(TP_UDP, H2, 5000, R1, 5000), T0, NAT_TRANSLATED);
	assert_int_equal(p, 5000);
	assert_int_equal(q, 5000); /* own port space per protocol */
	in(n, reply(TP_UDPLITE, R1, 5000, p), T0, NAT_TRANSLATED, H1, 5000);
	nat_free(n);
}

static void test_table_full(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 16);
	for (unsigned i = 0; i < 16; i++)
		out(n, spec(TP_UDP, tp_ip(10, 0, 2, i + 1), 5000, R1, 53), T0, NAT_TRANSLATED);
	out(n, spec(TP_UDP, H1, 5000, R1, 53), T0, NAT_DROP_TABLE_FULL);
	out(n, spec(TP_UDP, tp_ip(10, 0, 2, 1), 5000, R1, 53), T0, NAT_TRANSLATED); /* old flows go on */
	struct nat_stats st;
	nat_stats_get(n, &st);
	assert_int_equal(st.verdict[NAT_DROP_TABLE_FULL], 1);
	assert_int_equal(st.active, 16);
	nat_free(n);
}

static void test_host_limit(void **state)
{
	(void)state;
	struct nat_config c;
	nat_config_defaults(&c);
	c.ext_addr[0] = EXT;
	c.max_per_host = 3;
	struct nat *n = mk_nat_cfg(&c);
	for (unsigned i = 0; i < 3; i++)
		out(n, spec(TP_UDP, H1, (uint16_t)(5000 + i), R1, 53), T0, NAT_TRANSLATED);
	out(n, spec(TP_UDP, H1, 6000, R1, 53), T0, NAT_DROP_HOST_LIMIT);
	out(n, spec(TP_UDP, H2, 6000, R1, 53), T0, NAT_TRANSLATED);
	struct nat_stats st;
	nat_stats_get(n, &st);
	assert_int_equal(st.verdict[NAT_DROP_HOST_LIMIT], 1);
	assert_int_equal(st.hosts, 2);
	/* After expiry the host may map again. */
	out(n, spec(TP_UDP, H1, 6000, R1, 53), T0 + 1000, NAT_TRANSLATED);
	nat_free(n);
}

static void test_expiry_reclaims(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ADDRESS, 512);
	uint32_t t = T0;
	for (unsigned round = 0; round < 5; round++) {
		for (unsigned i = 0; i < 512; i++) {
			struct tp_spec s = spec(i & 1 ? TP_TCP : TP_UDP, tp_ip(10, 1, i >> 8, i & 255),
			                        (uint16_t)(1024 + round * 600 + i), R1, 53);
			out(n, s, t, NAT_TRANSLATED);
		}
		out(n, spec(TP_UDP, H1, 1, R1, 53), t, NAT_DROP_TABLE_FULL);
		t += 400; /* past every transitory/UDP timeout plus a tick */
	}
	struct nat_stats st;
	nat_stats_get(n, &st);
	assert_int_equal(st.created, 5 * 512);
	assert_true(st.expired >= 4 * 512);
	nat_free(n);
}

/* Runs a packet through nat_out and nat_in; both must drop it with `want`,
 * leave it unchanged and count it. */
static void bad(struct nat *n, const uint8_t *p, size_t len, enum nat_verdict want)
{
	uint8_t copy[2048];
	struct nat_stats a, b;
	for (int dir = 0; dir < 2; dir++) {
		memcpy(copy, p, len);
		nat_stats_get(n, &a);
		enum nat_verdict v = dir ? nat_in(n, copy, len, FL_TIME_S(T0)) : nat_out(n, copy, len, FL_TIME_S(T0));
		nat_stats_get(n, &b);
		assert_string_equal(nat_verdict_str(v), nat_verdict_str(want));
		assert_int_equal(b.verdict[want], a.verdict[want] + 1);
		assert_memory_equal(copy, p, len);
	}
}

static void test_malformed(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ENDPOINT, 1024);
	uint8_t p[256];
	struct tp_spec u = spec(TP_UDP, H1, 5000, EXT, 53);
	struct tp_spec t = spec(TP_TCP, H1, 5000, EXT, 80);
	size_t len = tp_build(p, &u);

	bad(n, p, 0, NAT_DROP_TRUNCATED);
	bad(n, p, 19, NAT_DROP_TRUNCATED);
	bad(n, p, len - 1, NAT_DROP_TRUNCATED); /* total length beyond the buffer */
	p[0] = 0x65;
	bad(n, p, len, NAT_DROP_BAD_IP); /* version 6 */
	p[0] = 0x44;
	bad(n, p, len, NAT_DROP_BAD_IP); /* IHL 4 */
	p[0] = 0x4f;
	bad(n, p, len, NAT_DROP_BAD_IP); /* IHL 15 beyond total length */
	len = tp_build(p, &u);
	tp_put16(p + 2, 12);
	bad(n, p, len, NAT_DROP_BAD_IP); /* total length below the header */
	len = tp_build(p, &u);
	tp_put16(p + 24, 9);
	bad(n, p, len, NAT_DROP_BAD_L4); /* UDP length lies */
	len = tp_build(p, &u);
	tp_put16(p + 2, 25);
	bad(n, p, len, NAT_DROP_TRUNCATED); /* 5 bytes of UDP header */
	len = tp_build(p, &t);
	p[32] = 4 << 4;
	bad(n, p, len, NAT_DROP_BAD_L4); /* TCP data offset 4 */
	p[32] = 15 << 4;
	bad(n, p, len, NAT_DROP_TRUNCATED); /* TCP data offset past the end */
	len = tp_build(p, &t);
	tp_put16(p + 2, 30);
	bad(n, p, len, NAT_DROP_TRUNCATED); /* 10 bytes of TCP header */
	len = tp_build(p, &u);
	tp_put16(p + 6, 0x2000);
	tp_put16(p + 2, 24);
	bad(n, p, len, NAT_DROP_BAD_L4); /* tiny first fragment */
	len = tp_build(p, &u);
	p[9] = 47;
	bad(n, p, len, NAT_DROP_PROTO); /* GRE */
	struct tp_spec i = spec(TP_ICMP, H1, 1, EXT, 1);
	i.icmp_type = 5;
	len = tp_build(p, &i);
	bad(n, p, len, NAT_DROP_ICMP_TYPE); /* redirect */
	len = tp_build(p, &i);
	tp_put16(p + 2, 24);
	bad(n, p, len, NAT_DROP_TRUNCATED); /* 4 bytes of ICMP */

	/* Valid options are carried through untouched. */
	u.opt_words = 3;
	u.dst = R1;
	len = tp_build(p, &u);
	assert_int_equal(nat_out(n, p, len, FL_TIME_S(T0)), NAT_TRANSLATED);
	assert_true(tp_csums_ok(p));
	assert_int_equal(p[20], 1);
	/* Trailing link padding is ignored and kept. */
	u.opt_words = 0;
	len = tp_build(p, &u);
	memset(p + len, 0xee, 10);
	assert_int_equal(nat_out(n, p, len + 10, FL_TIME_S(T0)), NAT_TRANSLATED);
	assert_int_equal(p[len + 9], 0xee);
	/* Inbound to an address that is not ours. */
	struct tp_spec x = spec(TP_UDP, R1, 53, R2, 5000);
	len = tp_build(p, &x);
	uint8_t copy[256];
	memcpy(copy, p, len);
	assert_int_equal(nat_in(n, p, len, FL_TIME_S(T0)), NAT_NOT_OURS);
	assert_memory_equal(p, copy, len);
	nat_free(n);
}

static void test_malformed_icmp(void **state)
{
	(void)state;
	struct nat *n = mk_nat(NAT_FILTER_ENDPOINT, 1024);
	uint8_t inner[256], err[512];
	out(n, spec(TP_UDP, H1, 5000, R1, 53), T0, NAT_TRANSLATED);
	memcpy(inner, buf, 64);
	size_t el;

	el = tp_icmp_error(err, R1, EXT, 3, 3, 0, inner, 20); /* no inner ports */
	bad(n, err, el, NAT_DROP_ICMP_BAD);
	inner[0] = 0x65;
	el = tp_icmp_error(err, R1, EXT, 3, 3, 0, inner, 28); /* inner IPv6 */
	bad(n, err, el, NAT_DROP_ICMP_BAD);
	inner[0] = 0x43;
	el = tp_icmp_error(err, R1, EXT, 3, 3, 0, inner, 28); /* inner IHL 3 */
	bad(n, err, el, NAT_DROP_ICMP_BAD);
	inner[0] = 0x4f;
	el = tp_icmp_error(err, R1, EXT, 3, 3, 0, inner, 40); /* inner IHL past the data */
	bad(n, err, el, NAT_DROP_ICMP_BAD);
	inner[0] = 0x45;
	inner[9] = 47;
	el = tp_icmp_error(err, R1, EXT, 3, 3, 0, inner, 28); /* inner GRE */
	bad(n, err, el, NAT_DROP_ICMP_BAD);
	inner[9] = TP_UDP;
	tp_put16(inner + 6, 0x0010);
	el = tp_icmp_error(err, R1, EXT, 3, 3, 0, inner, 28); /* inner later fragment */
	bad(n, err, el, NAT_DROP_ICMP_BAD);
	nat_free(n);
}

/* A simple deterministic generator (xorshift64*), seeded per run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

struct flow {
	struct tp_spec s;
	uint16_t ext;
	uint32_t ext_addr;
};

/* Translates f's packet out and a reply in; both must equal freshly built
 * packets with the expected addresses (so the incremental checksums equal
 * full recomputations), and the reply must return byte for byte. */
static void roundtrip(struct nat *n, struct flow *f, uint32_t now, bool first)
{
	uint8_t p[512], want[512];
	struct tp_spec s = f->s;
	size_t len = tp_build(p, &s);
	assert_int_equal(nat_out(n, p, len, FL_TIME_S(now)), NAT_TRANSLATED);
	assert_true(tp_csums_ok(p));
	uint16_t ext = sport_of(p);
	if (first) {
		f->ext = ext;
		f->ext_addr = src_of(p);
	}
	assert_int_equal(ext, f->ext);
	struct tp_spec w = s;
	w.src = f->ext_addr;
	w.sport = ext;
	tp_build(want, &w);
	assert_memory_equal(p, want, len);

	struct tp_spec r = s;
	r.src = s.dst;
	r.dst = f->ext_addr;
	if (s.proto == TP_ICMP) {
		r.icmp_type = s.icmp_type == 8 ? 0 : 14;
		r.sport = ext;
	} else {
		r.sport = s.dport;
		r.dport = ext;
	}
	if (s.proto == TP_TCP)
		r.tcp_flags = first ? 0x12 : 0x10;
	r.payload = rnd() % 300;
	r.payload_seed = (uint8_t)rnd();
	len = tp_build(p, &r);
	assert_int_equal(nat_in(n, p, len, FL_TIME_S(now)), NAT_TRANSLATED);
	assert_true(tp_csums_ok(p));
	r.dst = s.src;
	if (s.proto == TP_ICMP)
		r.sport = s.sport;
	else
		r.dport = s.sport;
	tp_build(want, &r);
	assert_memory_equal(p, want, len);
}

static void test_property_roundtrip(void **state)
{
	(void)state;
	enum { NFLOWS = 5000 };
	struct nat_config c;
	nat_config_defaults(&c);
	c.n_ext = 2;
	c.ext_addr[0] = tp_ip(192, 0, 2, 1);
	c.ext_addr[1] = tp_ip(192, 0, 2, 2);
	c.filter = NAT_FILTER_ADDRESS_PORT;
	c.max_mappings = NFLOWS;
	c.seed = 7;
	struct nat *n = mk_nat_cfg(&c);
	struct flow *fl = calloc(NFLOWS, sizeof(*fl));
	static const uint8_t protos[] = {TP_TCP, TP_UDP, TP_UDP, TP_UDPLITE, TP_ICMP};
	assert_non_null(fl);

	for (unsigned i = 0; i < NFLOWS; i++) {
		struct tp_spec *s = &fl[i].s;
		s->proto = protos[rnd() % sizeof(protos)];
		/* distinct internal endpoints: host from i, port random */
		s->src = tp_ip(10, 2 + i / 60000, (i / 250) % 240, i % 250 + 1);
		s->sport = (uint16_t)(rnd() % 65535 + 1);
		s->dst = rnd() & 1 ? tp_ip(198, 51, 100, rnd() % 256) : tp_ip(203, 0, 113, rnd() % 256);
		s->dport = (uint16_t)(rnd() % 65535 + 1);
		s->tcp_flags = 0x02;
		s->icmp_type = rnd() & 1 ? 8 : 13;
		s->ipid = (uint16_t)rnd();
		s->payload = rnd() % 300;
		s->payload_seed = (uint8_t)rnd();
		s->opt_words = rnd() % 4 == 0 ? rnd() % 10 : 0;
		s->udp_no_csum = rnd() % 8 == 0;
		roundtrip(n, &fl[i], T0, true);
	}
	/* Established traffic on every flow, in a shuffled order. */
	for (unsigned k = 0; k < 3 * NFLOWS; k++) {
		struct flow *f = &fl[rnd() % NFLOWS];
		if (f->s.proto == TP_TCP)
			f->s.tcp_flags = 0x18;
		f->s.payload = rnd() % 300;
		f->s.ipid = (uint16_t)rnd();
		roundtrip(n, f, T0 + 1 + k / 1000, false);
	}
	/* No two flows share an external endpoint of one protocol. */
	for (unsigned i = 0; i < NFLOWS; i++)
		for (unsigned j = i + 1; j < NFLOWS; j++)
			assert_false(fl[i].s.proto == fl[j].s.proto && fl[i].ext == fl[j].ext &&
			             fl[i].ext_addr == fl[j].ext_addr);
	struct nat_stats st;
	nat_stats_get(n, &st);
	assert_int_equal(st.active, NFLOWS);
	assert_int_equal(st.verdict[NAT_TRANSLATED], 8 * NFLOWS);
	free(fl);
	nat_free(n);
}

/* Two NATs with one config see the same packets, one packet at a time and
 * in batches of random size; verdicts and bytes must agree. The table is
 * big enough that batches take the prefetching path. */
static void test_batch_matches_single(void **state)
{
	(void)state;
	enum { NF = 3000, NP = 20000, MAXB = 40 };
	struct nat_config c;
	nat_config_defaults(&c);
	c.ext_addr[0] = EXT;
	c.max_mappings = 20000;
	c.filter = NAT_FILTER_ADDRESS_PORT;
	struct nat *a = mk_nat_cfg(&c), *b = mk_nat_cfg(&c);
	static uint8_t pa[MAXB][600], pb[MAXB][600];
	uint8_t *bp[MAXB];
	size_t lens[MAXB];
	enum nat_verdict va[MAXB], vb[MAXB];
	static const uint8_t protos[] = {TP_TCP, TP_UDP, TP_ICMP};

	for (int done = 0; done < NP;) {
		size_t cnt = 1 + rnd() % MAXB;
		int dir = rnd() & 1;
		for (size_t j = 0; j < cnt; j++) {
			uint32_t f = rnd() % NF;
			struct tp_spec s = {.proto = protos[f % 3], .ipid = (uint16_t)rnd(),
			                    .payload = rnd() % 64, .tcp_flags = f % 7 ? 0x10 : 0x02};
			uint32_t host = tp_ip(10, 3, f / 200, f % 200 + 1);
			uint16_t port = (uint16_t)(1024 + f * 7), rport = (uint16_t)(f % 50 + 1);
			uint32_t remote = tp_ip(198, 51, 100, f % 64);
			if (dir == 0) {
				s.src = host, s.sport = port, s.dst = remote, s.dport = rport;
				s.icmp_type = 8;
			} else {
				s.src = remote, s.sport = rport, s.dst = EXT, s.dport = port;
				s.icmp_type = 0;
				if (s.proto == TP_ICMP)
					s.sport = port; /* echo reply id */
				s.tcp_flags |= 0x10;
			}
			lens[j] = tp_build(pa[j], &s);
			if (rnd() % 16 == 0)
				lens[j] = rnd() % lens[j]; /* truncated */
			memcpy(pb[j], pa[j], lens[j]);
			bp[j] = pb[j];
		}
		for (size_t j = 0; j < cnt; j++)
			va[j] = dir ? nat_in(a, pa[j], lens[j], FL_TIME_S(T0)) : nat_out(a, pa[j], lens[j], FL_TIME_S(T0));
		if (dir)
			nat_in_batch(b, bp, lens, cnt, FL_TIME_S(T0), vb);
		else
			nat_out_batch(b, bp, lens, cnt, FL_TIME_S(T0), vb);
		for (size_t j = 0; j < cnt; j++) {
			assert_int_equal(va[j], vb[j]);
			assert_memory_equal(pa[j], pb[j], lens[j]);
		}
		done += (int)cnt;
	}
	struct nat_stats sa, sb;
	nat_stats_get(a, &sa);
	nat_stats_get(b, &sb);
	assert_memory_equal(sa.verdict, sb.verdict, sizeof(sa.verdict));
	assert_true(sa.verdict[NAT_TRANSLATED] > NP / 4);
	nat_free(a);
	nat_free(b);
}

static void test_expiry_model(void **state)
{
	(void)state;
	enum { NF = 30, STEPS = 6000 };
	struct nat_config c;
	nat_config_defaults(&c);
	c.ext_addr[0] = EXT;
	c.max_mappings = 1024;
	c.inbound_refresh = false; /* so the probes below do not refresh */
	c.filter = NAT_FILTER_ENDPOINT;
	struct nat *n = mk_nat_cfg(&c);
	uint32_t gran = n->gran, now = T0;
	static uint32_t last[NF];
	static uint16_t ext[NF];
	static bool seen[NF];
	unsigned checked_alive = 0, checked_gone = 0;

	for (int k = 0; k < STEPS; k++) {
		now += rnd() % 6;
		uint32_t f = rnd() % NF;
		uint32_t host = tp_ip(10, 4, f / 200, f % 200 + 1);
		if (rnd() % 3 != 0) { /* activity: refresh (or re-create) */
			ext[f] = out(n, spec(TP_UDP, host, 5000, R1, 53), now, NAT_TRANSLATED);
			last[f] = now;
			seen[f] = true;
			continue;
		}
		nat_expire(n, FL_TIME_S(now), UINT32_MAX);
		if (!seen[f])
			continue;
		struct tp_spec r = reply(TP_UDP, R2, 99, ext[f]);
		size_t len = tp_build(buf, &r);
		/* Alive: the reply reaches f (an expired port may since have
		 * gone to another flow, so "gone" means "not to f"). */
		bool alive = nat_in(n, buf, len, FL_TIME_S(now)) == NAT_TRANSLATED && dst_of(buf) == host;
		if (now - last[f] < c.udp_timeout) {
			assert_true(alive);
			checked_alive++;
		} else if (now - last[f] >= c.udp_timeout + gran) {
			assert_false(alive);
			checked_gone++;
		}
	}
	assert_true(checked_alive > 100 && checked_gone > 100);
	struct nat_stats st;
	nat_stats_get(n, &st);
	assert_int_equal(st.created - st.expired, st.active);
	nat_free(n);
}

static void test_config_errors(void **state)
{
	(void)state;
	struct nat_config c;
	enum nat_err e;
	nat_config_defaults(&c);
	assert_null(nat_new(&c, &e));
	assert_int_equal(e, NAT_ERR_EXT_ADDR);
	c.ext_addr[0] = EXT;
	c.n_ext = 0;
	assert_null(nat_new(&c, &e));
	assert_int_equal(e, NAT_ERR_N_EXT);
	c.n_ext = 1;
	c.port_min = 2000;
	c.port_max = 1000;
	assert_null(nat_new(&c, &e));
	assert_int_equal(e, NAT_ERR_PORT_RANGE);
	c.port_max = 3000;
	c.max_mappings = 0;
	assert_null(nat_new(&c, &e));
	assert_int_equal(e, NAT_ERR_MAX_MAPPINGS);
	c.max_mappings = 10;
	c.udp_timeout = 0;
	assert_null(nat_new(&c, &e));
	assert_int_equal(e, NAT_ERR_TIMEOUT);
	c.udp_timeout = 120;
	struct nat *n = nat_new(&c, &e);
	assert_non_null(n);
	assert_string_equal(nat_strerror(NAT_ERR_TIMEOUT), "a timeout is not in 1-604800 seconds");
	nat_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_eim),
		cmocka_unit_test(test_paired_pooling),
		cmocka_unit_test(test_port_preservation),
		cmocka_unit_test(test_no_port_overloading),
		cmocka_unit_test(test_udp_timeout),
		cmocka_unit_test(test_time_is_passed_in),
		cmocka_unit_test(test_udp_refresh),
		cmocka_unit_test(test_filter_endpoint),
		cmocka_unit_test(test_filter_address),
		cmocka_unit_test(test_filter_address_port),
		cmocka_unit_test(test_hairpin_udp),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_fragment_before_first),
		cmocka_unit_test(test_icmp_error_keeps_mapping),
		cmocka_unit_test(test_tcp_eim),
		cmocka_unit_test(test_tcp_simultaneous_open),
		cmocka_unit_test(test_tcp_unsolicited_syn),
		cmocka_unit_test(test_tcp_established_timeout),
		cmocka_unit_test(test_tcp_transitory_timeout),
		cmocka_unit_test(test_hairpin_tcp),
		cmocka_unit_test(test_icmp_echo),
		cmocka_unit_test(test_icmp_timestamp),
		cmocka_unit_test(test_icmp_query_timeout),
		cmocka_unit_test(test_icmp_error_in),
		cmocka_unit_test(test_icmp_error_out),
		cmocka_unit_test(test_icmp_frag_needed),
		cmocka_unit_test(test_icmp_error_rejects),
		cmocka_unit_test(test_udp_zero_checksum),
		cmocka_unit_test(test_udplite),
		cmocka_unit_test(test_table_full),
		cmocka_unit_test(test_host_limit),
		cmocka_unit_test(test_expiry_reclaims),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_malformed_icmp),
		cmocka_unit_test(test_property_roundtrip),
		cmocka_unit_test(test_expiry_model),
		cmocka_unit_test(test_batch_matches_single),
		cmocka_unit_test(test_config_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
