/* SPDX-License-Identifier: MIT */
/*
 * test_clock.c: the time fenliud gives the mesh (fld_loop.c). It must be a
 * clock that a wall-clock step cannot move (issue 22: the first NTP sync
 * of a small router closed every connection): fld_mesh_now() follows
 * CLOCK_BOOTTIME, and fld_mesh_to_unix() turns mesh seconds back into
 * Unix time for `dump nodes`.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

#include "daemon/fld.h"

static int64_t ms_of(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void test_mesh_clock_is_boottime(void **st)
{
	int64_t before, now, after;

	(void)st;
	before = ms_of(CLOCK_BOOTTIME);
	now = fld_mesh_now();
	after = ms_of(CLOCK_BOOTTIME);
	assert_true(now >= before && now <= after);
}

static void test_mesh_to_unix(void **st)
{
	int64_t wall = ms_of(CLOCK_REALTIME) / 1000;
	int64_t u = fld_mesh_to_unix(fld_mesh_now() / 1000);

	(void)st;
	assert_true(u >= wall - 1 && u <= wall + 2);
	assert_int_equal(fld_mesh_to_unix(0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mesh_clock_is_boottime),
		cmocka_unit_test(test_mesh_to_unix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
