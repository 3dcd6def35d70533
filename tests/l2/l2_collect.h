/* SPDX-License-Identifier: MIT */
/*
 * l2_collect.h: a sink for the ARP/NDP tests that records every action
 * (frames copied, packets, events) so a test can assert on them.
 */
#ifndef FL_TESTS_L2_COLLECT_H
#define FL_TESTS_L2_COLLECT_H

#include <string.h>

#include "l2/l2_act.h"

#define COLLECT_MAX 64

struct collect {
	size_t n, nxmit, nrel, ndrop, nev;
	struct fl_l2_act act[COLLECT_MAX];
	uint8_t frame[COLLECT_MAX][128];
	size_t total_xmit;	/* counted even past COLLECT_MAX */
};

static void collect_act(void *ctx, const struct fl_l2_act *a)
{
	struct collect *c = ctx;

	if (a->kind == FL_L2_XMIT)
		c->total_xmit++;
	if (c->n >= COLLECT_MAX)
		return;
	c->act[c->n] = *a;
	if (a->kind == FL_L2_XMIT && a->len <= sizeof(c->frame[0])) {
		memcpy(c->frame[c->n], a->frame, a->len);
		c->act[c->n].frame = c->frame[c->n];
	}
	c->nxmit += a->kind == FL_L2_XMIT;
	c->nrel += a->kind == FL_L2_RELEASE;
	c->ndrop += a->kind == FL_L2_DROP;
	c->nev += a->kind == FL_L2_EVENT;
	c->n++;
}

static inline void collect_reset(struct collect *c)
{
	memset(c, 0, sizeof(*c));
}

/* The i-th action of a kind, or NULL. */
static inline const struct fl_l2_act *collect_nth(const struct collect *c,
						  enum fl_l2_act_kind kind, size_t i)
{
	for (size_t k = 0; k < c->n; k++)
		if (c->act[k].kind == kind && i-- == 0)
			return &c->act[k];
	return NULL;
}

/* An event of this reason, or NULL. */
static inline const struct fl_l2_act *collect_event(const struct collect *c, int reason)
{
	for (size_t k = 0; k < c->n; k++)
		if (c->act[k].kind == FL_L2_EVENT && c->act[k].reason == reason)
			return &c->act[k];
	return NULL;
}

#endif
