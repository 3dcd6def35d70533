/* SPDX-License-Identifier: MIT */
/*
 * icmp_rate.h: a token bucket for the ICMP and ICMPv6 messages the router
 * originates, as RFC 1812 §4.3.2.8 and RFC 4443 §2.4(f) ask: a steady
 * rate with a small burst, so a flood of packets that each deserve an
 * error (TTL 1, no route, too big) costs the router and the victim whose
 * address the flood forged only a trickle. The daemon keeps one per
 * interface and address family.
 *
 * Pure: time is passed in (fl_time_t, µs); integer arithmetic only.
 */
#ifndef FL_WIRE_ICMP_RATE_H
#define FL_WIRE_ICMP_RATE_H

#include <stdbool.h>
#include <stdint.h>

#include "wire/fl_time.h"

struct fl_icmp_rate {
	uint64_t credit;	/* in millionths of a message */
	uint64_t cap;		/* burst, same unit */
	uint32_t per_second;
	fl_time_t last;
	uint64_t allowed, limited;
};

/* per_second >= 1 messages a second on average, burst >= 1 at once;
 * starts full. */
void fl_icmp_rate_init(struct fl_icmp_rate *r, uint32_t per_second, uint32_t burst, fl_time_t now);

/* May one message go at now? Counts the answer either way. */
bool fl_icmp_rate_allow(struct fl_icmp_rate *r, fl_time_t now);

#endif
