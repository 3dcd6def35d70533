/* SPDX-License-Identifier: MIT */
/*
 * tinc 1.1's SPTPS replay window (SPTPS.md §7.2), bit for bit, including
 * its unsigned 32-bit wrap behaviour. Called by the session's datagram
 * receive path and by the data plane's in-order stage, always after the
 * datagram's tag has verified.
 */
#include "crypto/sptps_replay.h"

#include <stdbool.h>
#include <string.h>

void fl_sptps_replay_init(struct fl_sptps_replay *r, uint32_t win, uint32_t inseqno)
{
	memset(r, 0, sizeof(*r));
	r->win = win > FL_SPTPS_REPLAY_MAX ? FL_SPTPS_REPLAY_MAX : win;
	r->inseqno = inseqno;
}

static bool fl_sptps_replay_late(const struct fl_sptps_replay *r, uint32_t seqno)
{
	return r->late[(seqno / 8) % r->win] & (1u << (seqno % 8));
}

/* The verdict of rule §7.2 without any state change. */
static enum fl_sptps_replay_result fl_sptps_replay_judge(const struct fl_sptps_replay *r,
							 uint32_t seqno)
{
	uint32_t span = r->win * 8;

	if (r->win == 0 || seqno == r->inseqno)
		return FL_SPTPS_REPLAY_OK;
	/* Plain 32-bit sums and comparisons, wrap included, as tinc does. */
	if (seqno >= (uint32_t)(r->inseqno + span))
		return r->farfuture < r->win / 4 ? FL_SPTPS_REPLAY_FUTURE : FL_SPTPS_REPLAY_OK;
	if (seqno < r->inseqno) {
		if (r->inseqno >= span && seqno < r->inseqno - span)
			return FL_SPTPS_REPLAY_OLD;
		return fl_sptps_replay_late(r, seqno) ? FL_SPTPS_REPLAY_OK : FL_SPTPS_REPLAY_OLD;
	}
	return FL_SPTPS_REPLAY_OK;
}

enum fl_sptps_replay_result fl_sptps_replay_check(const struct fl_sptps_replay *r,
						  uint32_t seqno)
{
	return fl_sptps_replay_judge(r, seqno);
}

enum fl_sptps_replay_result fl_sptps_replay_update(struct fl_sptps_replay *r, uint32_t seqno)
{
	enum fl_sptps_replay_result v = fl_sptps_replay_judge(r, seqno);
	uint32_t span = r->win * 8;

	if (v == FL_SPTPS_REPLAY_FUTURE) {
		r->farfuture++;
		return v;
	}
	if (v != FL_SPTPS_REPLAY_OK)
		return v;
	if (r->win != 0) {
		if (seqno != r->inseqno && seqno >= (uint32_t)(r->inseqno + span)) {
			/* Re-anchor: everything in the new window counts as missing. */
			memset(r->late, 0xff, r->win);
		} else if (seqno > r->inseqno) {
			for (uint32_t x = r->inseqno; x != seqno; x++)
				r->late[(x / 8) % r->win] |= (uint8_t)(1u << (x % 8));
		}
		r->late[(seqno / 8) % r->win] &= (uint8_t)~(1u << (seqno % 8));
		r->farfuture = 0;
	}
	if (seqno >= r->inseqno)
		r->inseqno = seqno + 1;
	if (r->inseqno == 0)
		r->received = 0;
	else
		r->received++;
	return FL_SPTPS_REPLAY_OK;
}
