/* SPDX-License-Identifier: MIT */
/*
 * test_conn_burst.c: MaxConnectionBurst (daemon/conn_burst.h) against the
 * behaviour of tincd's accept path: a burst from one address or from many
 * is cut at the limit, about one per second gets through while it lasts,
 * the counters drain one per second, loopback is exempt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "daemon/conn_burst.h"

static const uint8_t x[4] = {192, 0, 2, 3}, y[4] = {198, 51, 100, 9};

static void test_same_host_burst(void **st)
{
	struct fl_conn_burst b;
	int ok = 0;

	(void)st;
	fl_conn_burst_init(&b, 5);
	for (int i = 0; i < 30; i++)
		ok += fl_conn_burst_check(&b, AF_INET, x, 100) == FL_BURST_ACCEPT;
	assert_int_equal(ok, 4); /* the 5th reaches the total limit, as in tincd */
	/* Still at it a second later: refused (the same-host count is high). */
	assert_int_not_equal(fl_conn_burst_check(&b, AF_INET, x, 101), FL_BURST_ACCEPT);
	/* Quiet long enough: both counts drained. */
	assert_int_equal(fl_conn_burst_check(&b, AF_INET, x, 200), FL_BURST_ACCEPT);
}

static void test_many_hosts_burst(void **st)
{
	struct fl_conn_burst b;
	uint8_t a[4] = {203, 0, 113, 0};
	int ok = 0, total = 0;

	(void)st;
	fl_conn_burst_init(&b, 10);
	for (int i = 0; i < 50; i++) {
		a[3] = (uint8_t)i;
		enum fl_conn_burst_verdict v = fl_conn_burst_check(&b, AF_INET, a, 50);
		ok += v == FL_BURST_ACCEPT;
		total += v == FL_BURST_TOTAL;
	}
	assert_int_equal(ok, 9);
	assert_int_equal(total, 41);
	/* While the burst goes on, one connection every two seconds passes
	 * (the count is held at the limit and drains one per second). */
	ok = 0;
	for (int s = 51; s <= 70; s++) {
		a[3] = (uint8_t)s;
		ok += fl_conn_burst_check(&b, AF_INET, a, s) == FL_BURST_ACCEPT;
	}
	assert_int_equal(ok, 0);
	ok = 0;
	for (int s = 72; s <= 90; s += 2) {
		a[3] = (uint8_t)s;
		ok += fl_conn_burst_check(&b, AF_INET, a, s) == FL_BURST_ACCEPT;
	}
	assert_int_equal(ok, 10);
}

static void test_alternating_hosts(void **st)
{
	struct fl_conn_burst b;
	int ok = 0;

	(void)st;
	fl_conn_burst_init(&b, 10);
	/* Two addresses taking turns never count as "same host". */
	for (int i = 0; i < 8; i++)
		ok += fl_conn_burst_check(&b, AF_INET, i & 1 ? x : y, 10) == FL_BURST_ACCEPT;
	assert_int_equal(ok, 8);
}

static void test_loopback_exempt(void **st)
{
	static const uint8_t lo4[4] = {127, 0, 0, 1}, lo6[16] = {[15] = 1};
	struct fl_conn_burst b;

	(void)st;
	fl_conn_burst_init(&b, 1);
	for (int i = 0; i < 100; i++) {
		assert_int_equal(fl_conn_burst_check(&b, AF_INET, lo4, 5), FL_BURST_ACCEPT);
		assert_int_equal(fl_conn_burst_check(&b, AF_INET6, lo6, 5), FL_BURST_ACCEPT);
	}
	/* MaxConnectionBurst = 1: tincd serves no burst at all. */
	assert_int_equal(fl_conn_burst_check(&b, AF_INET, x, 5), FL_BURST_TOTAL);
	fl_conn_burst_init(&b, 0); /* refused at load; the core clamps it */
	assert_int_equal(b.max, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_host_burst),
		cmocka_unit_test(test_many_hosts_burst),
		cmocka_unit_test(test_alternating_hosts),
		cmocka_unit_test(test_loopback_exempt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
