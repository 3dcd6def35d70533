/* SPDX-License-Identifier: MIT */
/*
 * clock.c: reads CLOCK_BOOTTIME as fl_time_t (see clock.h, wire/fl_time.h).
 * Called by the event loop (src/io/loop.c) and by tests.
 */
#include "io/clock.h"

#include <time.h>

fl_time_t fl_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (fl_time_t)ts.tv_sec * FL_TIME_US_PER_S + (fl_time_t)ts.tv_nsec / 1000u;
}

int64_t fl_clock_to_unix(int64_t sec)
{
	struct timespec wall;

	if (!sec)
		return 0;
	clock_gettime(CLOCK_REALTIME, &wall);
	return sec + (int64_t)wall.tv_sec - fl_time_to_s(fl_now_us());
}
