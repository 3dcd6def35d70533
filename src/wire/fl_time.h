/* SPDX-License-Identifier: MIT */
/*
 * fl_time.h: fenliu's one clock type. Every layer that needs the time
 * (mesh, dataplane, NAT, the daemon's own timeouts) takes an fl_time_t
 * argument; none reads a clock itself. The daemon reads the clock once per
 * event-loop iteration (src/io/clock.h, fl_now_us) and passes that value
 * down, so everything handled in one iteration sees the same "now" and a
 * test can drive any layer with made-up times.
 *
 * Unit: microseconds. The dataplane measures UDP round trips and PMTU
 * probe timing below a millisecond (tinc reports udp_ping_rtt in µs), and
 * 64 bits of µs last 584,000 years, so nothing ever needs a second unit.
 * The mesh derives tinc's millisecond weights and the NAT its second-based
 * timeouts from it with the helpers below.
 *
 * Clock: CLOCK_BOOTTIME. It never jumps when the wall clock is set (a
 * router's first NTP sync moves that by years), and unlike CLOCK_MONOTONIC
 * it keeps counting through a suspend, so after a resume the pings, key
 * requests and NAT mappings that should have expired do expire, as tinc
 * notices "awaking from dead". Wall time is used only where a human reads
 * it (log lines, `dump nodes` last-state-change).
 *
 * Header only, with no dependencies, so the pure cores can see the type.
 */
#ifndef FL_WIRE_FL_TIME_H
#define FL_WIRE_FL_TIME_H

#include <stdint.h>

typedef uint64_t fl_time_t; /* µs on CLOCK_BOOTTIME */

#define FL_TIME_US_PER_MS 1000u
#define FL_TIME_US_PER_S 1000000u

/* Durations given in ms or s, as fl_time_t. */
#define FL_TIME_MS(ms) ((fl_time_t)(ms) * FL_TIME_US_PER_MS)
#define FL_TIME_S(s) ((fl_time_t)(s) * FL_TIME_US_PER_S)

static inline int64_t fl_time_to_ms(fl_time_t t)
{
	return (int64_t)(t / FL_TIME_US_PER_MS);
}

static inline int64_t fl_time_to_s(fl_time_t t)
{
	return (int64_t)(t / FL_TIME_US_PER_S);
}

#endif
