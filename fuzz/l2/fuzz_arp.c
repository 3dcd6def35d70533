/* SPDX-License-Identifier: MIT */
/*
 * fuzz_arp: frames from a hostile LAN through the ARP core, mixed with
 * next-hop resolutions and timer ticks, checking that the table stays
 * bounded, every frame it sends parses, and every held packet comes back
 * exactly once.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2/arp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fz {
	long held;		/* packets taken and not yet given back */
};

static void fz_act(void *ctx, const struct fl_l2_act *a)
{
	struct fz *z = ctx;
	struct fl_arp_msg m;

	switch (a->kind) {
	case FL_L2_XMIT:
		if (a->len != FL_ARP_FRAME || fl_arp_parse(a->frame, a->len, &m) != FL_ARP_OK)
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = {2, 0, 0, 0, 0, 2};
	struct fz z = {0};
	struct fl_l2_sink sink = {fz_act, &z};
	struct fl_neigh_cfg cfg;
	struct fl_arp a;
	fl_time_t now = 0;

	fl_neigh_cfg_default(&cfg, 8);
	if (!fl_arp_init(&a, &cfg, 5))
		return 0;
	fl_arp_own_add(&a, (const uint8_t[4]){192, 0, 2, 2}, 28, mac);
	/* Chunks: an op byte, a length byte, that many bytes. */
	while (size >= 2) {
		uint8_t op = data[0];
		size_t n = data[1] < size - 2 ? data[1] : size - 2;
		const uint8_t *p = data + 2;
		uint8_t m[6];
		if ((op & 3) == 0) {
			fl_arp_input(&a, p, n, now, &sink);
		} else if ((op & 3) == 1 && n >= 1) {
			uint8_t ip[4] = {192, 0, 2, p[0]};
			z.held++;
			if (fl_arp_resolve(&a, ip, &z, now, &sink, m) != FL_NEIGH_QUEUED)
				z.held--;
		} else {
			now += (fl_time_t)op * 50000;
			fl_arp_tick(&a, now, &sink);
		}
		if (a.cache.n > cfg.max || z.held < 0)
			abort();
		data += n + 2;
		size -= n + 2;
	}
	fl_arp_free(&a, &sink);
	if (z.held != 0)
		abort();
	return 0;
}
