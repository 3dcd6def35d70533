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

#include <stdint.h>

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

/* The same two as a pipeline on the workers' ring (dp_workers.h): submit
 * hands the batch over and returns its ticket at once, so the caller can
 * read and decide the next batch while this one is sealed or opened;
 * fl_dp_sptps_wait(t) returns when every batch up to ticket t is done.
 * Until then the caller must not touch the batch's packets (nor flush a
 * send queue that holds them, nor feed them to fl_dp_udp_input); after
 * it, it takes them in ticket order. The sessions' keys are read at
 * submit: a re-key between submit and input makes the record fail as
 * under a stale key (dps_open_done), as in the one-shot form. */
uint64_t fl_dp_sptps_seal_submit(struct fl_dp_sptps *c, struct fl_pkt *const *pkts, size_t n);
uint64_t fl_dp_sptps_open_submit(struct fl_dp_sptps *c, struct fl_pkt *const *pkts,
				 void *const *sess, const size_t *rec_off, size_t n);
void fl_dp_sptps_wait(struct fl_dp_sptps *c, uint64_t ticket);

/* Re-key counters of the open side (control thread; `dump stats`). */
struct fl_dp_sptps_stats {
	uint64_t grace_opens;    /* records opened with the previous key */
	uint64_t next_key_opens; /* records opened with the key an ACK brings */
};
const struct fl_dp_sptps_stats *fl_dp_sptps_stats(const struct fl_dp_sptps *c);

#endif
