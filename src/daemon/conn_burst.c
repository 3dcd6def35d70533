/* SPDX-License-Identifier: MIT */
/* conn_burst.c: MaxConnectionBurst (conn_burst.h). */
#include "daemon/conn_burst.h"

#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>

void fl_conn_burst_init(struct fl_conn_burst *b, int max)
{
	memset(b, 0, sizeof(*b));
	b->max = max > 0 ? max : 1;
}

static bool is_loopback(int family, const uint8_t *a)
{
	static const uint8_t v6[16] = {[15] = 1};

	return family == AF_INET ? a[0] == 127 : family == AF_INET6 && !memcmp(a, v6, 16);
}

/* One count losing one per second since *when; then one more. */
static int64_t burst_add(int64_t *count, int64_t *when, int64_t now)
{
	int64_t gone = now - *when;

	*count = gone > *count ? 0 : *count - (gone > 0 ? gone : 0);
	*when = now;
	return ++*count;
}

enum fl_conn_burst_verdict fl_conn_burst_check(struct fl_conn_burst *b, int family,
					       const uint8_t *addr, int64_t now)
{
	size_t len = family == AF_INET ? 4 : 16;

	if (is_loopback(family, addr))
		return FL_BURST_ACCEPT;
	if (family == b->prev_family && !memcmp(addr, b->prev, len)) {
		if (burst_add(&b->same, &b->same_time, now) > b->max)
			return FL_BURST_SAME_HOST;
	}
	b->prev_family = family;
	memcpy(b->prev, addr, len);
	if (burst_add(&b->all, &b->all_time, now) >= b->max) {
		b->all = b->max;
		return FL_BURST_TOTAL;
	}
	return FL_BURST_ACCEPT;
}
