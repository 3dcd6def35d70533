/* SPDX-License-Identifier: MIT */
/*
 * fuzz_ndp: frames from a hostile LAN through the NDP parser and core,
 * with resolutions, DAD and timer ticks. The harness can fix up the
 * ICMPv6 checksum so inputs reach past it. Checks: the table stays
 * bounded, every frame sent parses, every held packet comes back once.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2/ndp.h"
#include "wire/icmp_csum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	long held;
};

static void fz_act(void *ctx, const struct fl_l2_act *a)
{
	struct fz *z = ctx;
	struct fl_ndp_msg m;

	switch (a->kind) {
	case FL_L2_XMIT:
		if (fl_ndp_parse(a->frame, a->len, &m) != FL_NDP_OK)
			abort();
		break;
	case FL_L2_RELEASE:
	case FL_L2_DROP:
		if (a->pkt != (void *)z)
			abort();
		z->held--;
		break;
	default:
		break;
	}
}

/* Input one frame, its checksum fixed first if asked. */
static void fz_input(struct fl_ndp *n, const uint8_t *p, size_t len, bool fix, fl_time_t now,
		     const struct fl_l2_sink *sink)
{
	uint8_t f[512];

	if (len > sizeof(f))
		len = sizeof(f);
	memcpy(f, p, len);
	if (fix && len >= 58) {
		f[56] = f[57] = 0;
		uint16_t c = fl_icmp_csum6(f + 22, f + 38, f + 54, len - 54);
		f[56] = (uint8_t)(c >> 8);
		f[57] = (uint8_t)c;
	}
	fl_ndp_input(n, f, len, now, sink, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = {2, 0, 0, 0, 0, 2};
	static const uint8_t ip[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
	static const uint8_t ll[16] = {0xfe, 0x80, [15] = 2};
	struct fz z = {0};
	struct fl_l2_sink sink = {fz_act, &z};
	struct fl_neigh_cfg cfg;
	struct fl_ndp n;
	fl_time_t now = 0;

	fl_neigh_cfg_default(&cfg, 8);
	if (!fl_ndp_init(&n, &cfg, 5))
		return 0;
	fl_ndp_own_add(&n, ip, 64, mac, true, 0);
	fl_ndp_own_add(&n, ll, 64, mac, false, 0);
	while (size >= 2) {
		uint8_t op = data[0];
		size_t len = data[1] < size - 2 ? data[1] : size - 2;
		const uint8_t *p = data + 2;
		uint8_t m[6];
		if ((op & 3) == 0) {
			fz_input(&n, p, len, (op & 4) != 0, now, &sink);
		} else if ((op & 3) == 1 && len >= 2) {
			uint8_t t[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = p[0], p[1]};
			if (op & 4)
				t[0] = 0xfe, t[1] = 0x80;
			z.held++;
			if (fl_ndp_resolve(&n, t, &z, now, &sink, m) != FL_NEIGH_QUEUED)
				z.held--;
		} else {
			now += (fl_time_t)op * 50000;
			fl_ndp_tick(&n, now, &sink);
		}
		if (n.cache.n > cfg.max || z.held < 0)
			abort();
		data += len + 2;
		size -= len + 2;
	}
	fl_ndp_free(&n, &sink);
	if (z.held != 0)
		abort();
	return 0;
}
