/* SPDX-License-Identifier: MIT */
/*
 * test_neigh: the neighbour cache under ARP and NDP (src/l2/neigh.c):
 * how each kind of sighting treats each state, and a randomised run
 * checked against a plain list of the addresses it should hold.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "l2/neigh.h"
#include "l2_collect.h"

static unsigned solicits;

static void count_solicit(void *owner, const uint8_t addr[static FL_NEIGH_ALEN], const uint8_t *mac,
			  const struct fl_l2_sink *sink)
{
	(void)owner, (void)addr, (void)mac, (void)sink;
	solicits++;
}

static const uint8_t m1[6] = {2, 0, 0, 0, 0, 1}, m2[6] = {2, 0, 0, 0, 0, 2};

static void key(uint8_t k[16], unsigned i)
{
	memset(k, 0, 16);
	k[0] = 10;
	k[2] = (uint8_t)(i >> 8);
	k[3] = (uint8_t)i;
}

/* Requests for someone else (HINT) never create entries; requests aimed
 * at us (LEARN) do, only into free room; unasked answers create nothing. */
static void test_neigh_what_creates_entries(void **state)
{
	struct fl_neigh t;
	struct fl_neigh_cfg cfg;
	struct collect c = {0};
	struct fl_l2_sink s = {collect_act, &c};
	uint8_t k[16];

	(void)state;
	fl_neigh_cfg_default(&cfg, 2);
	assert_true(fl_neigh_init(&t, &cfg, 3, count_solicit, NULL));
	key(k, 1);
	assert_int_equal(fl_neigh_update(&t, k, m1, FL_NEIGH_HINT, 0, &s), FL_NEIGH_IGNORED);
	assert_int_equal(fl_neigh_update(&t, k, m1, FL_NEIGH_ANSWER, 0, &s), FL_NEIGH_IGNORED);
	assert_int_equal(fl_neigh_update(&t, k, m1, FL_NEIGH_UNSOLICITED, 0, &s), FL_NEIGH_IGNORED);
	assert_int_equal(t.n, 0);
	assert_int_equal(fl_neigh_update(&t, k, m1, FL_NEIGH_LEARN, 0, &s), FL_NEIGH_CHANGED);
	key(k, 2);
	assert_int_equal(fl_neigh_update(&t, k, m1, FL_NEIGH_LEARN, 0, &s), FL_NEIGH_CHANGED);
	key(k, 3);
	assert_int_equal(fl_neigh_update(&t, k, m1, FL_NEIGH_LEARN, 0, &s), FL_NEIGH_REFUSED);
	assert_int_equal(t.st.full_refused, 1);
	assert_int_equal(t.st.learned, 2);
	/* Group and zero MACs are never taken. */
	key(k, 1);
	assert_int_equal(fl_neigh_update(&t, k, (const uint8_t[6]){1, 0, 0, 0, 0, 1},
					 FL_NEIGH_LEARN, 0, &s), FL_NEIGH_REFUSED);
	assert_string_equal(fl_neigh_state_name(FL_NEIGH_STALE), "stale");
	fl_neigh_free(&t, &s);
}

/* An unsolicited advertisement for an address being resolved releases
 * its packets but leaves it STALE (RFC 4861 §7.2.5); a same-MAC unasked
 * sighting of a STALE entry changes nothing. */
static void test_neigh_unsolicited_resolves_as_stale(void **state)
{
	struct fl_neigh t;
	struct fl_neigh_cfg cfg;
	struct collect c = {0};
	struct fl_l2_sink s = {collect_act, &c};
	uint8_t k[16], mac[6];
	int p;

	(void)state;
	fl_neigh_cfg_default(&cfg, 4);
	assert_true(fl_neigh_init(&t, &cfg, 3, count_solicit, NULL));
	key(k, 7);
	assert_int_equal(fl_neigh_resolve(&t, k, &p, 0, &s, mac), FL_NEIGH_QUEUED);
	assert_int_equal(fl_neigh_update(&t, k, m2, FL_NEIGH_UNSOLICITED, 1, &s), FL_NEIGH_CHANGED);
	assert_int_equal(c.nrel, 1);
	assert_int_equal(fl_neigh_lookup(&t, k)->state, FL_NEIGH_STALE);
	assert_int_equal(fl_neigh_update(&t, k, m2, FL_NEIGH_HINT, 2, &s), FL_NEIGH_CONFIRMED);
	assert_int_equal(fl_neigh_lookup(&t, k)->state, FL_NEIGH_STALE);
	assert_true(fl_neigh_forget(&t, k, &s));
	assert_false(fl_neigh_forget(&t, k, &s));
	fl_neigh_free(&t, &s);
}

/* The spoofing limit beyond REACHABLE: an unasked answer with another
 * MAC does not move a STALE entry (it would come back REACHABLE), and a
 * PROBE, asked of the known MAC by unicast, takes only that MAC's
 * answer. Nor does a request's sender: only a broadcast question (the
 * entry gone after its probe failed) learns a new MAC. */
static void test_neigh_spoof_stale_and_probe(void **state)
{
	struct fl_neigh t;
	struct fl_neigh_cfg cfg;
	struct collect c = {0};
	struct fl_l2_sink s = {collect_act, &c};
	uint8_t k[16], mac[6];
	int p;
	fl_time_t now;

	(void)state;
	fl_neigh_cfg_default(&cfg, 4);
	assert_true(fl_neigh_init(&t, &cfg, 3, count_solicit, NULL));
	key(k, 9);
	assert_int_equal(fl_neigh_resolve(&t, k, &p, 0, &s, mac), FL_NEIGH_QUEUED);
	assert_int_equal(fl_neigh_update(&t, k, m1, FL_NEIGH_ANSWER, 1, &s), FL_NEIGH_CHANGED);
	assert_int_equal(fl_neigh_lookup(&t, k)->state, FL_NEIGH_REACHABLE);
	now = cfg.reachable + FL_TIME_S(1);
	fl_neigh_tick(&t, now, &s);
	assert_int_equal(fl_neigh_lookup(&t, k)->state, FL_NEIGH_STALE);
	assert_int_equal(fl_neigh_update(&t, k, m2, FL_NEIGH_ANSWER, now, &s), FL_NEIGH_REFUSED);
	assert_int_equal(fl_neigh_update(&t, k, m2, FL_NEIGH_UNSOLICITED, now, &s), FL_NEIGH_REFUSED);
	assert_int_equal(t.st.spoof_refused, 2);
	assert_memory_equal(fl_neigh_lookup(&t, k)->mac, m1, 6);
	assert_int_equal(fl_neigh_lookup(&t, k)->state, FL_NEIGH_STALE);
	/* First use of the STALE entry: sent to m1, and a probe asks m1. */
	assert_int_equal(fl_neigh_resolve(&t, k, &p, now, &s, mac), FL_NEIGH_HIT);
	assert_memory_equal(mac, m1, 6);
	assert_int_equal(fl_neigh_lookup(&t, k)->state, FL_NEIGH_PROBE);
	assert_int_equal(fl_neigh_update(&t, k, m2, FL_NEIGH_ANSWER, now + 1, &s), FL_NEIGH_REFUSED);
	assert_int_equal(fl_neigh_lookup(&t, k)->state, FL_NEIGH_PROBE);
	assert_int_not_equal(fl_neigh_update(&t, k, m1, FL_NEIGH_ANSWER, now + 2, &s), FL_NEIGH_REFUSED);
	assert_int_equal(fl_neigh_lookup(&t, k)->state, FL_NEIGH_REACHABLE);
	assert_int_equal(t.st.spoof_refused, 3);
	/* STALE again: a request's sender with a new MAC does not move it. */
	now += cfg.reachable + FL_TIME_S(1);
	fl_neigh_tick(&t, now, &s);
	assert_int_equal(fl_neigh_lookup(&t, k)->state, FL_NEIGH_STALE);
	assert_int_equal(fl_neigh_update(&t, k, m2, FL_NEIGH_LEARN, now, &s), FL_NEIGH_REFUSED);
	assert_int_equal(fl_neigh_update(&t, k, m2, FL_NEIGH_HINT, now, &s), FL_NEIGH_REFUSED);
	assert_memory_equal(fl_neigh_lookup(&t, k)->mac, m1, 6);
	/* The host moved: the probe of m1 goes unanswered, the entry goes,
	 * and the broadcast question takes m2's answer. */
	assert_int_equal(fl_neigh_resolve(&t, k, &p, now, &s, mac), FL_NEIGH_HIT);
	for (int i = 0; i < 10 && fl_neigh_lookup(&t, k); i++) {
		now += FL_TIME_S(1);
		fl_neigh_tick(&t, now, &s);
	}
	assert_null(fl_neigh_lookup(&t, k));
	assert_int_equal(fl_neigh_resolve(&t, k, &p, now, &s, mac), FL_NEIGH_QUEUED);
	assert_int_equal(fl_neigh_update(&t, k, m2, FL_NEIGH_ANSWER, now + 1, &s), FL_NEIGH_CHANGED);
	assert_memory_equal(fl_neigh_lookup(&t, k)->mac, m2, 6);
	fl_neigh_free(&t, &s);
}

/* A timer fires at its time, or at most 100 ms late when the table was
 * walked just before (the walk's rate limit), never early. */
static void test_neigh_tick_grain(void **state)
{
	struct fl_neigh t;
	struct fl_neigh_cfg cfg;
	struct collect c = {0};
	struct fl_l2_sink s = {collect_act, &c};
	uint8_t k1[16], k2[16], mac[6];
	int p;

	(void)state;
	fl_neigh_cfg_default(&cfg, 4);
	assert_true(fl_neigh_init(&t, &cfg, 3, count_solicit, NULL));
	key(k1, 1);
	key(k2, 2);
	solicits = 0;
	fl_neigh_resolve(&t, k1, &p, 0, &s, mac);	/* retry due at 1 s */
	fl_neigh_resolve(&t, k2, &p, 1, &s, mac);	/* retry due at 1 s + 1 us */
	fl_neigh_tick(&t, FL_TIME_S(1) - 1, &s);	/* never early */
	assert_int_equal(solicits, 2);
	fl_neigh_tick(&t, FL_TIME_S(1), &s);		/* k1 exactly on time */
	assert_int_equal(solicits, 3);
	fl_neigh_tick(&t, FL_TIME_S(1) + 1, &s);	/* k2 waits for the next walk */
	assert_int_equal(solicits, 3);
	fl_neigh_tick(&t, FL_TIME_S(1) + FL_TIME_MS(100), &s);
	assert_int_equal(solicits, 4);
	fl_neigh_free(&t, &s);
}

struct model {
	long held;
};

static void model_act(void *ctx, const struct fl_l2_act *a)
{
	struct model *m = ctx;

	if (a->kind == FL_L2_RELEASE || a->kind == FL_L2_DROP)
		m->held--;
}

/* Random resolutions, sightings, forgets and ticks on a small table with
 * a tiny key space (so probe runs collide and removals shift entries).
 * After each step: n matches the occupied slots, at most max, every
 * occupied slot is found by lookup, and held packets balance. */
static void test_neigh_random_model(void **state)
{
	struct fl_neigh t;
	struct fl_neigh_cfg cfg;
	struct model md = {0};
	struct fl_l2_sink s = {model_act, &md};
	fl_time_t now = 0;

	(void)state;
	fl_neigh_cfg_default(&cfg, 12);
	assert_true(fl_neigh_init(&t, &cfg, 77, count_solicit, NULL));
	srand(11);
	for (int step = 0; step < 200000; step++) {
		uint8_t k[16], mac[6] = {2, 0, 0, 0, 0, (uint8_t)(1 + rand() % 3)};
		int op = rand() % 6;
		size_t used = 0;
		key(k, (unsigned)(rand() % 40));
		if (op == 0) {
			md.held++;
			if (fl_neigh_resolve(&t, k, &md, now, &s, mac) != FL_NEIGH_QUEUED)
				md.held--;
		} else if (op < 4) {
			fl_neigh_update(&t, k, mac, (enum fl_neigh_how)(rand() % 4), now, &s);
		} else if (op == 4) {
			if (rand() % 8 == 0)
				fl_neigh_forget(&t, k, &s);
		} else {
			now += (fl_time_t)(rand() % 3000) * 1000;
			fl_neigh_tick(&t, now, &s);
		}
		for (size_t i = 0; i < t.cap; i++) {
			if (!t.slot[i].state)
				continue;
			used++;
			assert_ptr_equal(fl_neigh_lookup(&t, t.slot[i].addr), &t.slot[i]);
		}
		assert_int_equal(used, t.n);
		assert_true(t.n <= cfg.max);
		assert_true(md.held >= 0);
	}
	fl_neigh_free(&t, &s);
	assert_int_equal(md.held, 0);
	assert_true(solicits > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_neigh_what_creates_entries),
		cmocka_unit_test(test_neigh_unsolicited_resolves_as_stale),
		cmocka_unit_test(test_neigh_spoof_stale_and_probe),
		cmocka_unit_test(test_neigh_tick_grain),
		cmocka_unit_test(test_neigh_random_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
