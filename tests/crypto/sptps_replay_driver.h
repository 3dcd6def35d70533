/* SPDX-License-Identifier: MIT */
/*
 * Replays one side of a tinc SPTPS transcript (vectors README, "Transcript
 * files") against a fenliu session and compares every output line. Used by
 * test_sptps.c.
 */
#ifndef FL_TEST_SPTPS_REPLAY_DRIVER_H
#define FL_TEST_SPTPS_REPLAY_DRIVER_H

#include <stdbool.h>

#include "crypto/sptps.h"
#include "sptps_vec.h"

/* Replay side ('i' or 'r') of case c; returns the number of mismatches
 * (printed to stderr). If left is not NULL the session is returned there
 * instead of being freed (the caller frees it). */
int replay_side(const struct vec_case *c, char side, struct fl_sptps **left);
/* Free the replayer's buffers (after any kept session is freed). */
void replay_done(void);
/* Deadline passed to start/force_kex (default UINT64_MAX). */
void replay_set_deadline(uint64_t d);

#endif
