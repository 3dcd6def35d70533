/* SPDX-License-Identifier: MIT */
/*
 * test_clock.c: fenliu's one clock (io/clock.h, wire/fl_time.h). It must be
 * a clock that a wall-clock step cannot move (issue 22: the first NTP sync
 * of a small router closed every connection): fl_now_us() follows
 * CLOCK_BOOTTIME in µs, the event loop reads it once per iteration, and
 * fl_clock_to_unix() turns its seconds into Unix time for `dump nodes`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "io/clock.h"
#include "io/loop.h"

static uint64_t us_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void test_clock_is_boottime_us(void **st)
{
	uint64_t before, now, after;

	(void)st;
	before = us_of(CLOCK_BOOTTIME);
	now = fl_now_us();
	after = us_of(CLOCK_BOOTTIME);
	assert_true(now >= before && now <= after);
	assert_int_equal(FL_TIME_MS(3), 3000);
	assert_int_equal(FL_TIME_S(2), 2000000);
	assert_int_equal(fl_time_to_ms(FL_TIME_S(2) + 999), 2000);
	assert_int_equal(fl_time_to_s(FL_TIME_S(2) + 999999), 2);
}

static void test_clock_to_unix(void **st)
{
	int64_t wall = (int64_t)(us_of(CLOCK_REALTIME) / 1000000u);
	int64_t u = fl_clock_to_unix(fl_time_to_s(fl_now_us()));

	(void)st;
	assert_true(u >= wall - 1 && u <= wall + 2);
	assert_int_equal(fl_clock_to_unix(0), 0);
}

/* The loop's time is read once per iteration: a timer callback and the
 * iteration hook after it see the same value, and it moves between
 * iterations. */
struct nowctx {
	struct fl_timer t;
	fl_time_t at_timer[2], at_iter[2];
	int n;
};

static void on_timer(struct fl_loop *loop, struct fl_timer *t, void *arg)
{
	struct nowctx *c = arg;

	(void)t;
	c->at_timer[c->n] = fl_loop_now(loop);
}

static void on_iter(struct fl_loop *loop, void *arg)
{
	struct nowctx *c = arg;

	c->at_iter[c->n] = fl_loop_now(loop);
	if (++c->n == 2)
		fl_loop_stop(loop);
	else
		fl_timer_arm(loop, &c->t, FL_TIME_MS(5));
}

static void test_loop_now(void **st)
{
	struct fl_loop *loop = fl_loop_new();
	struct nowctx c = {0};
	fl_time_t before = fl_now_us();

	(void)st;
	assert_non_null(loop);
	fl_timer_init(&c.t, on_timer, &c);
	fl_timer_arm(loop, &c.t, FL_TIME_MS(5));
	assert_int_equal(fl_loop_run(loop, on_iter, &c), 0);
	assert_int_equal(c.n, 2);
	for (int i = 0; i < 2; i++)
		assert_true(c.at_timer[i] == c.at_iter[i]);
	assert_true(c.at_iter[0] >= before + FL_TIME_MS(5));
	assert_true(c.at_iter[1] >= c.at_iter[0] + FL_TIME_MS(5));
	assert_true(c.at_iter[1] <= fl_now_us());
	/* after a call that blocked, the daemon reads the clock again */
	usleep(2000);
	assert_true(fl_loop_now(loop) == c.at_iter[1]);
	fl_loop_update_now(loop);
	assert_true(fl_loop_now(loop) >= c.at_iter[1] + FL_TIME_MS(2));
	fl_loop_free(loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clock_is_boottime_us),
		cmocka_unit_test(test_clock_to_unix),
		cmocka_unit_test(test_loop_now),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
