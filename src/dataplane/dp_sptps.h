/* SPDX-License-Identifier: MIT */
/*
 * dp_sptps.h: binds the dataplane's seal/open interface (struct
 * fl_dp_crypto) to src/crypto's SPTPS datagram sessions: the record is
 * sealed and opened with the split functions (fl_sptps_seal/open with an
 * explicit seqno and key snapshot), the replay window is the session's own.
 * The daemon creates one per thread and passes the filled fl_dp_crypto to
 * fl_dp_new(); the `sess` of each peer is its struct fl_sptps *.
 */
#ifndef FL_DP_SPTPS_H
#define FL_DP_SPTPS_H

#include "dataplane/dataplane.h"

struct fl_dp_sptps;
struct fl_dp_workers;

/* Most datagrams fl_dp_sptps_open_batch takes at once. */
#define FL_DP_SPTPS_BATCH 64

/* NULL on allocation failure. */
struct fl_dp_sptps *fl_dp_sptps_new(void);
void fl_dp_sptps_free(struct fl_dp_sptps *c);
/* Fill out with functions that use c. */
void fl_dp_sptps_crypto(struct fl_dp_sptps *c, struct fl_dp_crypto *out);

/* The crypto pipeline (CryptoThreads > 1; DESIGN.md "Threads and state").
 * With workers w (borrowed, NULL = none), seal() only reserves the seqno
 * and frames the record (FL_DP_META_SEAL_PENDING); the daemon seals every
 * pending packet of its send queues with fl_dp_sptps_seal_batch() before
 * flushing them, in parallel, and the queue order stays the seqno order.
 * On receive, fl_dp_sptps_open_batch() checks tags and decrypts a batch in
 * parallel ahead of fl_dp_udp_input(), whose open() then only applies the
 * replay window, in arrival order. 0 or -1 (no memory: stays inline). */
int fl_dp_sptps_set_workers(struct fl_dp_sptps *c, struct fl_dp_workers *w);
bool fl_dp_sptps_parallel(const struct fl_dp_sptps *c);
/* Seal the pending ones among pkts[0..n) (others are left alone). */
void fl_dp_sptps_seal_batch(struct fl_dp_sptps *c, struct fl_pkt *const *pkts, size_t n);
/* Open pkts[i] (record at rec_off[i]) with sess[i]'s keys where sess[i]
 * is not NULL (fl_dp_udp_session_of); at most FL_DP_SPTPS_BATCH. */
void fl_dp_sptps_open_batch(struct fl_dp_sptps *c, struct fl_pkt *const *pkts, void *const *sess,
			    const size_t *rec_off, size_t n);

#endif
