/* SPDX-License-Identifier: MIT */
/*
 * Two live SPTPS sessions wired back to back in memory, for the tests
 * beyond tinc's vectors: records each side sends are queued; the test
 * delivers them (all, or picking one by one).
 */
#ifndef FL_TEST_SPTPS_PAIR_H
#define FL_TEST_SPTPS_PAIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/sptps.h"

#define PAIR_MAXQ 4096

struct pair_rec {
	uint8_t type;
	size_t len;
	uint8_t *data;
};

struct pair_peer {
	struct fl_sptps *s;
	struct fl_ed25519_key key;
	uint8_t rnd_seed[32];
	uint64_t rnd_ctr;
	struct pair_rec out[PAIR_MAXQ]; /* sent, not yet delivered */
	size_t nout;
	struct pair_rec got[PAIR_MAXQ]; /* application records received */
	size_t ngot;
	int done; /* handshake_done calls */
};

struct pair {
	enum fl_sptps_mode mode;
	struct pair_peer p[2]; /* 0 = initiator, 1 = responder */
	size_t chunk;	       /* stream delivery chunk size; 0 = whole records */
};

/* Create and start both sessions; nothing delivered yet. */
void pair_init(struct pair *pr, enum fl_sptps_mode mode);
void pair_free(struct pair *pr);
/* Take record k out of side's queue (caller frees .data). */
struct pair_rec pair_take(struct pair *pr, int side, size_t k);
/* Feed one record to side to; returns the session's result. */
enum fl_sptps_err pair_feed(struct pair *pr, int to, const uint8_t *d, size_t len);
/* Deliver everything queued, alternating, until both queues are empty.
 * Returns the first error, or FL_SPTPS_OK. */
enum fl_sptps_err pair_pump(struct pair *pr);

#endif
