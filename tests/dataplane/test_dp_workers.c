/* SPDX-License-Identifier: MIT */
/*
 * test_dp_workers.c: the ring of ticketed batches (dp_workers.h) on its
 * own. Batches of random size whose items take random time (so batches
 * finish in random order) are submitted while earlier ones run; after
 * fl_dp_workers_wait(t) every item of every batch up to t is done, exactly
 * once, and its result is visible; tickets count up in hand-off order.
 * Under qemu-user worker threads hang (see test_dataplane.c): skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/dp_workers.h"

#define MAXN 200
#define BATCHES 3000

struct job {
	unsigned items[MAXN]; /* times each item was done (written by workers) */
	uint32_t seed;
	size_t n;
	uint64_t ticket;
};

static uint32_t xs(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* Each item spins a pseudo-random while: 0..~20 µs. */
static void item(void *ctx, unsigned worker, size_t i)
{
	struct job *j = ctx;
	uint32_t s = j->seed ^ (uint32_t)(i * 2654435761u);
	volatile unsigned sink = 0;

	(void)worker;
	for (unsigned k = xs(&s) % 4000; k; k--)
		sink += k;
	j->items[i]++;
}

static bool under_qemu(void)
{
	if (!getenv("MESON_EXE_WRAPPER"))
		return false;
	print_message("skip: worker threads under qemu-user\n");
	return true;
}

static void check_done(const struct job *j)
{
	for (size_t i = 0; i < j->n; i++)
		assert_int_equal(j->items[i], 1);
}

static void ring_random_order(unsigned workers)
{
	struct fl_dp_workers *w = fl_dp_workers_new(workers);
	static struct job jobs[FL_DP_WORKERS_RING + 2];
	uint32_t rnd = 0x9e3779b9u ^ workers;
	uint64_t last = 0;
	size_t checked = 0;

	assert_non_null(w);
	memset(jobs, 0, sizeof(jobs));
	for (size_t b = 0; b < BATCHES; b++) {
		/* The ring holds RING batches; we keep up to RING + 1 jobs
		 * alive, so a submit into a full ring must wait by itself. */
		struct job *j = &jobs[b % (FL_DP_WORKERS_RING + 2)];
		if (b >= FL_DP_WORKERS_RING + 2) {
			fl_dp_workers_wait(w, j->ticket);
			check_done(j);
			checked++;
		}
		memset(j->items, 0, sizeof(j->items));
		j->n = 1 + xs(&rnd) % MAXN;
		j->seed = xs(&rnd);
		j->ticket = fl_dp_workers_submit(w, item, j, j->n, 1 + xs(&rnd) % 9);
		assert_true(j->ticket >= last);
		last = j->ticket;
		/* Now and then wait for a random earlier batch: everything up
		 * to it is done. */
		if (xs(&rnd) % 5 == 0 && b >= 3) {
			struct job *e = &jobs[(b - 1 - xs(&rnd) % 2) % (FL_DP_WORKERS_RING + 2)];
			fl_dp_workers_wait(w, e->ticket);
			check_done(e);
		}
	}
	fl_dp_workers_wait(w, last);
	for (size_t k = 0; k < FL_DP_WORKERS_RING + 2; k++)
		check_done(&jobs[k]);
	assert_true(checked > BATCHES / 2);
	fl_dp_workers_free(w);
}

static void test_ring_one_worker(void **state)
{
	(void)state;
	ring_random_order(1);
}

static void test_ring_two_workers(void **state)
{
	(void)state;
	if (!under_qemu())
		ring_random_order(2);
}

static void test_ring_four_workers(void **state)
{
	(void)state;
	if (!under_qemu())
		ring_random_order(4);
}

/* NULL workers: everything inline, ticket 0, wait is a no-op. */
static void test_ring_none(void **state)
{
	static struct job j;

	(void)state;
	j.n = 50;
	assert_int_equal(fl_dp_workers_submit(NULL, item, &j, j.n, 4), 0);
	fl_dp_workers_wait(NULL, 0);
	check_done(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_none),
		cmocka_unit_test(test_ring_one_worker),
		cmocka_unit_test(test_ring_two_workers),
		cmocka_unit_test(test_ring_four_workers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
