/* SPDX-License-Identifier: MIT */
/*
 * icmp_rate.c: token bucket for originated ICMP messages (see icmp_rate.h).
 */
#include "wire/icmp_rate.h"

#include <string.h>

#define RATE_UNIT 1000000u	/* credit units per message */

void fl_icmp_rate_init(struct fl_icmp_rate *r, uint32_t per_second, uint32_t burst, fl_time_t now)
{
	memset(r, 0, sizeof(*r));
	r->per_second = per_second ? per_second : 1;
	r->cap = (uint64_t)(burst ? burst : 1) * RATE_UNIT;
	r->credit = r->cap;
	r->last = now;
}

bool fl_icmp_rate_allow(struct fl_icmp_rate *r, fl_time_t now)
{
	/* Each µs earns per_second millionths of a message. A clock that
	 * seems to run backwards earns nothing. */
	if (now > r->last) {
		uint64_t room = r->cap - r->credit;
		uint64_t dt = now - r->last;
		if (dt >= room / r->per_second + 1)
			r->credit = r->cap;
		else
			r->credit += dt * r->per_second;
		r->last = now;
	}
	if (r->credit < RATE_UNIT) {
		r->limited++;
		return false;
	}
	r->credit -= RATE_UNIT;
	r->allowed++;
	return true;
}
