/* SPDX-License-Identifier: MIT */
/*
 * clock.h: the one function that reads fenliu's clock (the type and the
 * choice of CLOCK_BOOTTIME are explained in wire/fl_time.h), and the one
 * conversion to wall time for what a human reads. The event loop calls
 * fl_now_us() once per iteration (fl_loop_now); the daemon passes that
 * value on and calls neither function itself.
 */
#ifndef FL_IO_CLOCK_H
#define FL_IO_CLOCK_H

#include <stdint.h>

#include "wire/fl_time.h"

fl_time_t fl_now_us(void);

/* A time in seconds of this clock (fl_time_to_s) as Unix time, for
 * `dump nodes`; 0 (never) stays 0. Reads the wall clock. */
int64_t fl_clock_to_unix(int64_t sec);

#endif
