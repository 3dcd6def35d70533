/* SPDX-License-Identifier: MIT */
/*
 * test_l2: src/l2's Ethernet parser and learned-MAC table, the table
 * checked against a naive linear model on random operations.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "l2/l2_eth.h"
#include "l2/l2_mactable.h"

static void test_eth_parse(void **state)
{
	uint8_t f[64] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0, 0, 0, 0, 1, 0x08, 0x06};
	struct fl_eth e;
	char txt[FL_ETH_MAC_TEXT];

	(void)state;
	assert_int_equal(fl_eth_parse(f, 13, &e), FL_ETH_SHORT);
	assert_int_equal(e.hlen, 0);
	assert_int_equal(fl_eth_parse(f, 14, &e), FL_ETH_OK);
	assert_int_equal(e.type, 0x0806);
	assert_int_equal(e.hlen, 14);
	assert_true(fl_eth_is_group(e.dst));
	assert_false(fl_eth_is_group(e.src));
	fl_eth_format(e.src, txt);
	assert_string_equal(txt, "02:00:00:00:00:01");
	/* 802.1Q: needs 18 bytes; the inner type is reported. */
	f[12] = 0x81;
	f[13] = 0x00;
	f[14] = 0x00;
	f[15] = 0x05;
	f[16] = 0x86;
	f[17] = 0xdd;
	assert_int_equal(fl_eth_parse(f, 17, &e), FL_ETH_SHORT);
	assert_int_equal(fl_eth_parse(f, 18, &e), FL_ETH_OK);
	assert_int_equal(e.vlan, 5);
	assert_int_equal(e.type, 0x86dd);
	assert_int_equal(e.hlen, 18);
	assert_true(fl_eth_is_zero((const uint8_t[6]){0}));
}

static void test_mactable_basic(void **state)
{
	struct fl_mactable t;
	uint8_t a[6] = {2, 0, 0, 0, 0, 1}, b[6] = {2, 0, 0, 0, 0, 2}, c[6] = {2, 0, 0, 0, 0, 3};
	uint8_t out[4][6];

	(void)state;
	assert_true(fl_mactable_init(&t, 2, 42));
	assert_int_equal(fl_mactable_learn(&t, a, 100, 10), FL_MAC_NEW);
	assert_int_equal(fl_mactable_learn(&t, a, 105, 10), FL_MAC_REFRESHED);
	assert_int_equal(fl_mactable_learn(&t, b, 106, 10), FL_MAC_NEW);
	assert_int_equal(fl_mactable_learn(&t, c, 106, 10), FL_MAC_FULL);
	assert_int_equal(t.refused_full, 1);
	assert_int_equal(fl_mactable_learn(&t, (uint8_t[6]){0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, 1, 1),
			 FL_MAC_BAD);
	assert_int_equal(fl_mactable_learn(&t, (uint8_t[6]){0}, 1, 1), FL_MAC_BAD);
	assert_int_equal(fl_mactable_learn(&t, (uint8_t[6]){0x33, 0x33, 0, 0, 0, 1}, 1, 1), FL_MAC_BAD);
	/* a expires at 115, b at 116: nothing before, then one at a time. */
	assert_int_equal(fl_mactable_expire(&t, 115, out, 4), 0);
	assert_int_equal(fl_mactable_expire(&t, 116, out, 4), 1);
	assert_memory_equal(out[0], a, 6);
	assert_false(fl_mactable_has(&t, a));
	assert_true(fl_mactable_has(&t, b));
	assert_int_equal(fl_mactable_learn(&t, c, 116, 10), FL_MAC_NEW);
	assert_true(fl_mactable_forget(&t, b));
	assert_false(fl_mactable_forget(&t, b));
	assert_int_equal(t.n, 1);
	fl_mactable_free(&t);
	assert_false(fl_mactable_init(&t, 0, 0));
}

/* The naive model: an array of (mac, expires), scanned linearly. */
struct model {
	uint8_t mac[64][6];
	uint64_t exp[64];
	size_t n;
};

static int model_find(const struct model *m, const uint8_t *mac)
{
	for (size_t i = 0; i < m->n; i++)
		if (!memcmp(m->mac[i], mac, 6))
			return (int)i;
	return -1;
}

static void model_del(struct model *m, size_t i)
{
	m->n--;
	memmove(m->mac[i], m->mac[m->n], 6);
	m->exp[i] = m->exp[m->n];
}

static void random_op(struct fl_mactable *t, struct model *m, uint64_t now, unsigned r)
{
	/* Few distinct addresses so that refreshes and collisions happen. */
	uint8_t mac[6] = {0x02, 0, 0, 0, (uint8_t)(r >> 8 & 1), (uint8_t)(r >> 16)};
	int k = model_find(m, mac);

	switch (r % 4) {
	case 0:
	case 1: {
		enum fl_mac_learn want = k >= 0 ? FL_MAC_REFRESHED : m->n >= t->max ? FL_MAC_FULL : FL_MAC_NEW;
		assert_int_equal(fl_mactable_learn(t, mac, now, 50), want);
		if (want == FL_MAC_REFRESHED)
			m->exp[k] = now + 50;
		if (want == FL_MAC_NEW) {
			memcpy(m->mac[m->n], mac, 6);
			m->exp[m->n++] = now + 50;
		}
		break;
	}
	case 2:
		assert_int_equal(fl_mactable_forget(t, mac), k >= 0);
		if (k >= 0)
			model_del(m, (size_t)k);
		break;
	default: {
		uint8_t out[3][6];
		size_t got = fl_mactable_expire(t, now, out, 3), want = 0;
		for (size_t i = 0; i < m->n; i++)
			want += m->exp[i] < now;
		assert_true(got == (want < 3 ? want : 3));
		for (size_t i = 0; i < got; i++) {
			int j = model_find(m, out[i]);
			assert_true(j >= 0 && m->exp[j] < now);
			model_del(m, (size_t)j);
		}
	}
	}
	assert_int_equal(t->n, m->n);
	for (size_t i = 0; i < m->n; i++)
		assert_true(fl_mactable_has(t, m->mac[i]));
}

static void test_mactable_model(void **state)
{
	struct fl_mactable t;
	struct model m = {0};
	uint64_t now = 1000;
	unsigned rng = 12345;

	(void)state;
	assert_true(fl_mactable_init(&t, 40, 7));
	for (int i = 0; i < 200000; i++) {
		rng = rng * 1103515245u + 12345u;
		now += (rng >> 28) & 3;
		random_op(&t, &m, now, rng >> 4);
	}
	fl_mactable_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_parse),
		cmocka_unit_test(test_mactable_basic),
		cmocka_unit_test(test_mactable_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
