/* SPDX-License-Identifier: MIT */
/*
 * test_slaac: src/l2/slaac.c (RFC 4862 §5.5) and the Router Solicitation
 * of ndp.c (RFC 4861 §6.3.7), one case per requirement. RAs are built
 * here byte by byte and go through fl_ndp_parse, as in the daemon.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "l2/slaac.h"
#include "wire/icmp_csum.h"

static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t router_mac[6] = {2, 0, 0, 0, 0, 0x0a};

struct pfx {
	uint8_t b2, b5;		/* 2001:db8:B2..:B5::/plen, to vary it */
	uint8_t plen, flags;	/* 0x40: A, 0x80: L */
	uint32_t valid, preferred;
	uint8_t first;		/* 0: 0x20 (2001:...), else the first byte */
};

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* An RA from fe80::a with the given prefix options, parsed. */
static void ra(const struct pfx *px, size_t np, struct fl_ndp_msg *m)
{
	uint8_t fr[14 + 40 + 16 + 4 * 32] = {0};
	uint8_t *ip = fr + 14, *icmp = fr + 54, *o = icmp + 16;
	size_t ilen = 16 + np * 32;

	fr[0] = 0x33, fr[1] = 0x33, fr[5] = 1;
	memcpy(fr + 6, router_mac, 6);
	fr[12] = 0x86, fr[13] = 0xdd;
	ip[0] = 0x60, ip[5] = (uint8_t)ilen, ip[6] = 58, ip[7] = 255;
	ip[8] = 0xfe, ip[9] = 0x80, ip[23] = 0x0a;
	ip[24] = 0xff, ip[25] = 2, ip[39] = 1;
	icmp[0] = 134, icmp[4] = 64, icmp[7] = 0x08;
	for (size_t k = 0; k < np; k++, o += 32) {
		o[0] = 3, o[1] = 4, o[2] = px[k].plen, o[3] = px[k].flags;
		put32(o + 4, px[k].valid);
		put32(o + 8, px[k].preferred);
		o[16] = px[k].first ? px[k].first : 0x20, o[17] = 0x01, o[18] = 0x0d, o[19] = 0xb8;
		o[20] = px[k].b2, o[23] = px[k].b5;
	}
	uint16_t c = fl_icmp_csum6(ip + 8, ip + 24, icmp, ilen);
	icmp[2] = (uint8_t)(c >> 8), icmp[3] = (uint8_t)c;
	assert_int_equal(fl_ndp_parse(fr, 54 + ilen, m), FL_NDP_OK);
	assert_int_equal(m->type, FL_NDP_RA);
}

/* RFC 4291 App. A: the U/L bit flipped, ff:fe between OUI and the rest. */
static void test_slaac_eui64(void **state)
{
	static const uint8_t pfx[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x01, [8] = 0xaa};
	static const uint8_t want[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0x01, 0, 0,
					 0x50, 0x54, 0x00, 0xff, 0xfe, 0x12, 0x34, 0x56};
	uint8_t out[16];

	(void)state;
	fl_slaac_eui64(pfx, mac, out);
	assert_memory_equal(out, want, 16);
}

/* §5.5.3 (d): a new autonomous /64 forms prefix + EUI-64; it lives as
 * long as its valid lifetime, then is removed. */
static void test_slaac_new_prefix_then_expiry(void **state)
{
	struct fl_slaac s;
	struct fl_ndp_msg m;
	struct fl_slaac_change ch[4];
	const struct pfx p = {.b2 = 2, .plen = 64, .flags = 0xc0, .valid = 600, .preferred = 300};
	uint8_t want[16];

	(void)state;
	fl_slaac_init(&s, mac, 0);
	ra(&p, 1, &m);
	assert_int_equal(fl_slaac_ra(&s, &m, FL_TIME_S(10), ch, 4), 1);
	assert_int_equal(ch[0].op, FL_SLAAC_ADD);
	assert_int_equal(ch[0].plen, 64);
	fl_slaac_eui64(m.prefix[0].prefix, mac, want);
	assert_memory_equal(ch[0].ip, want, 16);
	assert_int_equal(want[4], 2);
	/* The same RA again: no second address. */
	assert_int_equal(fl_slaac_ra(&s, &m, FL_TIME_S(10), ch, 4), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(fl_slaac_tick(&s, FL_TIME_S(609), ch, 4), 0);
	assert_int_equal(fl_slaac_tick(&s, FL_TIME_S(610), ch, 4), 1);
	assert_int_equal(ch[0].op, FL_SLAAC_DEL);
	assert_memory_equal(ch[0].ip, want, 16);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.st.expired, 1);
}

/* §5.5.3 (a)-(d): no A flag, link-local, preferred > valid, a length an
 * EUI-64 does not fill, and a new prefix with valid lifetime 0: ignored. */
static void test_slaac_prefixes_ignored(void **state)
{
	struct fl_slaac s;
	struct fl_ndp_msg m;
	struct fl_slaac_change ch[4];
	const struct pfx p[4] = {
		{.b2 = 1, .plen = 64, .flags = 0x80, .valid = 600, .preferred = 300},
		{.b2 = 2, .plen = 64, .flags = 0xc0, .valid = 600, .preferred = 601},
		{.b2 = 3, .plen = 48, .flags = 0xc0, .valid = 600, .preferred = 300},
		{.b2 = 4, .plen = 64, .flags = 0xc0, .valid = 0, .preferred = 0},
	};
	const struct pfx ll = {.plen = 64, .flags = 0xc0, .valid = 600, .preferred = 300, .first = 0xfe};

	(void)state;
	fl_slaac_init(&s, mac, 0);
	ra(p, 4, &m);
	assert_int_equal(fl_slaac_ra(&s, &m, 0, ch, 4), 0);
	ra(&ll, 1, &m);
	m.prefix[0].prefix[1] = 0x80; /* fe80::/64 */
	assert_int_equal(fl_slaac_ra(&s, &m, 0, ch, 4), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(s.st.prefixes_ignored, 4);
}

/* §5.5.3 (e): the valid lifetime may be raised, lowered only to two
 * hours, and not at all once two hours or less remain. */
static void test_slaac_two_hour_rule(void **state)
{
	struct fl_slaac s;
	struct fl_ndp_msg m;
	struct fl_slaac_change ch[4];
	struct pfx p = {.b2 = 5, .plen = 64, .flags = 0x40, .valid = 100000, .preferred = 0};

	(void)state;
	fl_slaac_init(&s, mac, 0);
	ra(&p, 1, &m);
	assert_int_equal(fl_slaac_ra(&s, &m, 0, ch, 4), 1);
	assert_true(s.a[0].valid_until == FL_TIME_S(100000));
	p.valid = 60; /* a forged RA cannot end it now: two hours */
	ra(&p, 1, &m);
	fl_slaac_ra(&s, &m, FL_TIME_S(1000), ch, 4);
	assert_true(s.a[0].valid_until == FL_TIME_S(1000 + 7200));
	p.valid = 0; /* under two hours left: unchanged */
	ra(&p, 1, &m);
	fl_slaac_ra(&s, &m, FL_TIME_S(2000), ch, 4);
	assert_true(s.a[0].valid_until == FL_TIME_S(8200));
	p.valid = 9000; /* above two hours: taken */
	ra(&p, 1, &m);
	fl_slaac_ra(&s, &m, FL_TIME_S(3000), ch, 4);
	assert_true(s.a[0].valid_until == FL_TIME_S(12000));
	p.valid = 0xffffffff; /* infinity: never expires */
	ra(&p, 1, &m);
	fl_slaac_ra(&s, &m, FL_TIME_S(3000), ch, 4);
	assert_int_equal(fl_slaac_tick(&s, FL_TIME_S(1000000000), ch, 4), 0);
	assert_int_equal(s.n, 1);
}

/* More prefixes than slots: the extra ones are counted, not formed. */
static void test_slaac_bounded(void **state)
{
	struct fl_slaac s;
	struct fl_ndp_msg m;
	struct fl_slaac_change ch[8];
	struct pfx p[4];

	(void)state;
	fl_slaac_init(&s, mac, 0);
	for (int round = 0; round < 2; round++) {
		for (int k = 0; k < 4; k++)
			p[k] = (struct pfx){.b2 = (uint8_t)(round * 4 + k), .plen = 64, .flags = 0x40,
					    .valid = 600, .preferred = 600};
		ra(p, 4, &m);
		assert_int_equal(fl_slaac_ra(&s, &m, 0, ch, 8), round == 0 ? 4 : 0);
	}
	assert_int_equal(s.n, FL_SLAAC_MAX);
	assert_int_equal(s.st.full, 4);
	/* One the caller could not take is forgotten: the next RA with its
	 * prefix offers it again (the others are only refreshed). */
	for (int k = 0; k < 4; k++)
		p[k].b2 = (uint8_t)k;
	ra(p, 4, &m);
	uint8_t gone[16];
	memcpy(gone, s.a[0].ip, 16);
	fl_slaac_forget(&s, gone);
	assert_int_equal(s.n, FL_SLAAC_MAX - 1);
	assert_int_equal(fl_slaac_ra(&s, &m, 0, ch, 8), 1);
	assert_int_equal(ch[0].op, FL_SLAAC_ADD);
	assert_memory_equal(ch[0].ip, gone, 16);
	assert_int_equal(s.n, FL_SLAAC_MAX);
}

/* RFC 4861 §6.3.7: up to three RSs, four seconds apart, none once an RA
 * came; from :: without a source link-layer option, to ff02::2. */
static void test_slaac_router_solicitation(void **state)
{
	static const uint8_t all_routers[16] = {0xff, 2, [15] = 2};
	static const uint8_t unspec[16];
	struct fl_slaac s;
	struct fl_ndp_msg m;
	struct fl_slaac_change ch[1];
	const struct pfx p = {.b2 = 1, .plen = 64, .flags = 0x40, .valid = 600, .preferred = 600};
	uint8_t f[FL_NDP_RS_FRAME];

	(void)state;
	fl_slaac_init(&s, mac, 0);
	assert_true(fl_slaac_rs_due(&s, 0));
	assert_false(fl_slaac_rs_due(&s, FL_TIME_S(4) - 1));
	assert_true(fl_slaac_rs_due(&s, FL_TIME_S(4)));
	ra(&p, 1, &m);
	fl_slaac_ra(&s, &m, FL_TIME_S(5), ch, 1);
	assert_false(fl_slaac_rs_due(&s, FL_TIME_S(100)));
	fl_slaac_init(&s, mac, 0);
	for (int i = 0; i < 3; i++)
		assert_true(fl_slaac_rs_due(&s, FL_TIME_S(4 * i)));
	assert_false(fl_slaac_rs_due(&s, FL_TIME_S(1000)));

	assert_int_equal(fl_ndp_build_rs(mac, f), 62);
	assert_memory_equal(f, ((const uint8_t[6]){0x33, 0x33, 0, 0, 0, 2}), 6);
	assert_memory_equal(f + 6, mac, 6);
	assert_int_equal(f[14 + 5], 8);		/* payload: the bare RS */
	assert_int_equal(f[14 + 6], 58);
	assert_int_equal(f[14 + 7], 255);
	assert_memory_equal(f + 22, unspec, 16);
	assert_memory_equal(f + 38, all_routers, 16);
	assert_int_equal(f[54], 133);
	assert_int_equal(f[55], 0);
	assert_int_equal(fl_icmp_csum6(f + 22, f + 38, f + 54, 8), 0); /* sums to zero when sealed */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slaac_eui64),
		cmocka_unit_test(test_slaac_new_prefix_then_expiry),
		cmocka_unit_test(test_slaac_prefixes_ignored),
		cmocka_unit_test(test_slaac_two_hour_rule),
		cmocka_unit_test(test_slaac_bounded),
		cmocka_unit_test(test_slaac_router_solicitation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
