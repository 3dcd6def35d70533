/* SPDX-License-Identifier: MIT */
/*
 * test_dgram.c: packet buffers, the UDP node-ID prefix and probe bodies
 * (spec/UDP.md §1.2, §4.2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "wire/dgram.h"
#include "wire/pkt.h"
#include "wire/probe.h"

static void test_pkt_headroom(void **state)
{
	struct fl_pkt_pool *pool = fl_pkt_pool_new(2);
	struct fl_pkt *a, *b, *c;

	(void)state;
	assert_non_null(pool);
	a = fl_pkt_alloc(pool);
	b = fl_pkt_alloc(pool);
	c = fl_pkt_alloc(pool);
	assert_non_null(a);
	assert_non_null(b);
	assert_null(c); /* empty pool: caller drops */
	assert_int_equal(fl_pkt_headroom(a), FL_PKT_HEADROOM);
	assert_int_equal(fl_pkt_set(a, "hello", 5), 0);
	assert_non_null(fl_pkt_push(a, 3));
	assert_int_equal(a->len, 8);
	assert_memory_equal(a->data + 3, "hello", 5);
	assert_null(fl_pkt_push(a, FL_PKT_HEADROOM)); /* only HEADROOM - 3 left */
	assert_non_null(fl_pkt_pull(a, 3));
	assert_null(fl_pkt_pull(a, 6));
	assert_non_null(fl_pkt_put(a, 16));
	assert_int_equal(a->len, 21);
	assert_null(fl_pkt_put(a, FL_PKT_BUFSIZE));
	fl_pkt_trim(a, 5);
	assert_int_equal(a->len, 5);
	fl_pkt_free(a);
	fl_pkt_free(b);
	assert_int_equal(fl_pkt_pool_avail(pool), 2);
	fl_pkt_pool_free(pool);
}

/* Worked example UDP.md §9.2: DSTID beta, SRCID alpha. */
static const uint8_t id_alpha[6] = {0xba, 0x3c, 0xe5, 0x86, 0x67, 0xca};
static const uint8_t id_beta[6] = {0x56, 0x0c, 0x72, 0xde, 0x72, 0xc0};

static void test_dgram_prefix(void **state)
{
	struct fl_pkt *p = fl_pkt_new();
	struct fl_dgram d;
	uint8_t rec[105];

	(void)state;
	memset(rec, 0xab, sizeof(rec));
	assert_int_equal(fl_pkt_set(p, rec, sizeof(rec)), 0);
	assert_int_equal(fl_dgram_push_prefix(p, id_beta, id_alpha), FL_WIRE_OK);
	assert_int_equal(p->len, 117);
	assert_memory_equal(p->data, id_beta, 6);
	assert_memory_equal(p->data + 6, id_alpha, 6);
	assert_int_equal(fl_dgram_parse(p->data, p->len, &d), FL_WIRE_OK);
	assert_false(d.direct);
	assert_ptr_equal(d.rec, p->data + 12);
	assert_int_equal(d.rec_len, 105);
	assert_memory_equal(d.srcid, id_alpha, 6);

	fl_pkt_pull(p, 12);
	assert_int_equal(fl_dgram_push_prefix(p, NULL, id_alpha), FL_WIRE_OK);
	assert_int_equal(fl_dgram_parse(p->data, p->len, &d), FL_WIRE_OK);
	assert_true(d.direct);

	/* 32 bytes: below the minimum tinc can handle (UDP.md §3.2). */
	assert_int_equal(fl_dgram_parse(p->data, 32, &d), FL_WIRE_SHORT);
	assert_null(d.rec);
	assert_int_equal(fl_dgram_parse(p->data, 33, &d), FL_WIRE_OK);
	assert_int_equal(fl_dgram_parse(p->data, FL_MAXSIZE + 1, &d), FL_WIRE_TOO_LONG);
	fl_pkt_free(p);
}

static void test_probe_bodies(void **state)
{
	uint8_t rnd[2000], req[1600], rep[18];
	struct fl_probe pr;

	(void)state;
	for (size_t i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)(i * 7 + 1);
	/* Sizes below 18 are raised to 18. */
	assert_int_equal(fl_probe_request(req, sizeof(req), 5, rnd), 18);
	assert_int_equal(req[0], 0);
	for (int i = 1; i < 14; i++)
		assert_int_equal(req[i], 0);
	assert_memory_equal(req + 14, rnd, 4);
	assert_int_equal(fl_probe_request(req, sizeof(req), 1519, rnd), 0);
	assert_int_equal(fl_probe_request(req, 100, 101, rnd), 0);
	assert_int_equal(fl_probe_request(req, sizeof(req), 1330, rnd), 1330);
	assert_int_equal(fl_probe_parse(req, 1330, &pr), FL_WIRE_OK);
	assert_true(pr.request);
	assert_int_equal(pr.len, 1330);

	fl_probe_reply(rep, req, 1330);
	assert_int_equal(rep[0], 2);
	assert_int_equal(rep[1], 1330 >> 8);
	assert_int_equal(rep[2], 1330 & 0xff);
	assert_memory_equal(rep + 14, req + 14, 4);
	assert_int_equal(fl_probe_parse(rep, 18, &pr), FL_WIRE_OK);
	assert_false(pr.request);
	assert_int_equal(pr.kind, 2);
	assert_int_equal(pr.len, 1330);

	/* Legacy type-1 reply: the confirmed length is the body length. */
	req[0] = 1;
	assert_int_equal(fl_probe_parse(req, 600, &pr), FL_WIRE_OK);
	assert_int_equal(pr.len, 600);

	fl_probe_gratuitous(rep, 1400, rnd);
	assert_int_equal(fl_probe_parse(rep, 18, &pr), FL_WIRE_OK);
	assert_int_equal(pr.len, 1400);

	assert_int_equal(fl_probe_parse(rep, 0, &pr), FL_WIRE_SHORT);
	assert_int_equal(fl_probe_parse(rep, 2, &pr), FL_WIRE_SHORT);
	assert_int_equal(fl_probe_parse(rnd, 1519, &pr), FL_WIRE_TOO_LONG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pkt_headroom),
		cmocka_unit_test(test_dgram_prefix),
		cmocka_unit_test(test_probe_bodies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
