/* SPDX-License-Identifier: MIT */
/*
 * The SPTPS datagram replay window, exactly tinc 1.1's (SPTPS.md §7): a
 * bitmap of W bytes of "known missing" seqnos behind the next expected one,
 * the far-future rule (W/4 consecutive far-future datagrams are dropped,
 * the next one re-anchors the window), unsigned 32-bit arithmetic with no
 * serial-number tricks.
 *
 * Use it only after a datagram's tag has verified. check is side-effect
 * free (tinc's sptps_verify_datagram); update applies the rule with its
 * state changes (tinc's sptps_receive_data). Not thread-safe: the data
 * plane calls update in its in-order stage only.
 *
 * Callers: src/crypto/sptps.c, the data plane.
 */
#ifndef FL_CRYPTO_SPTPS_REPLAY_H
#define FL_CRYPTO_SPTPS_REPLAY_H

#include <stdint.h>

#define FL_SPTPS_REPLAY_MAX 1024 /* bytes of bitmap (8192 seqnos) */

enum fl_sptps_replay_result {
	FL_SPTPS_REPLAY_OK = 0,
	FL_SPTPS_REPLAY_OLD,	/* too old, duplicate, or never marked missing */
	FL_SPTPS_REPLAY_FUTURE, /* far future, dropped */
};

struct fl_sptps_replay {
	uint32_t win;	    /* W in bytes; 0 = no replay protection */
	uint32_t inseqno;   /* next expected seqno */
	uint32_t farfuture; /* consecutive far-future drops */
	uint32_t received;  /* accepted datagrams (statistic) */
	uint8_t late[FL_SPTPS_REPLAY_MAX];
};

/* win is clamped to FL_SPTPS_REPLAY_MAX; inseqno starts at 0. */
void fl_sptps_replay_init(struct fl_sptps_replay *r, uint32_t win, uint32_t inseqno);
enum fl_sptps_replay_result fl_sptps_replay_check(const struct fl_sptps_replay *r,
						  uint32_t seqno);
enum fl_sptps_replay_result fl_sptps_replay_update(struct fl_sptps_replay *r, uint32_t seqno);

#endif
