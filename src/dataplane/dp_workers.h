/* SPDX-License-Identifier: MIT */
/*
 * dp_workers.h: the crypto workers of the data plane (CryptoThreads,
 * DESIGN.md "Threads and state"): a ring of ticketed batches. The control
 * thread hands a batch over with fl_dp_workers_submit(), which returns at
 * once with the batch's ticket (tickets count up in hand-off order), and
 * goes on with its own work (reading and deciding the next batch) while
 * the N-1 worker threads take chunks of the batches in the ring, oldest
 * ticket first, with one compare-and-swap per chunk (no lock per packet).
 * fl_dp_workers_wait(t) returns once every batch up to ticket t is done;
 * the caller works on those batches meanwhile. Everything order-dependent
 * (seqno reservation, the replay window, output) stays on the control
 * thread, before submit and after wait, in ticket order, so parallel work
 * never reorders a tunnel, whatever order the batches complete in.
 */
#ifndef FL_DP_WORKERS_H
#define FL_DP_WORKERS_H

#include <stddef.h>
#include <stdint.h>

/* Batches in flight at once; a submit into a full ring first waits for
 * the oldest. */
#define FL_DP_WORKERS_RING 8

struct fl_dp_workers;

/* Item i of a batch, on worker `worker` (0 = the caller, 1..n-1 threads). */
typedef void fl_dp_work_fn(void *ctx, unsigned worker, size_t i);

/* n = workers in all, the caller included (1: no threads). NULL on
 * failure. */
struct fl_dp_workers *fl_dp_workers_new(unsigned n);
void fl_dp_workers_free(struct fl_dp_workers *w);
unsigned fl_dp_workers_count(const struct fl_dp_workers *w);
/* Queue fn for i in [0, n), and return its ticket. Each taker claims a
 * share of the items left (1/N of them), at least `chunk` (0 = 4): the
 * first a large run, the last ones small, so whoever is free finishes the
 * batch. ctx must stay valid until the ticket is waited for.
 * Small batches (and w == NULL or one worker) are done before it returns.
 * Submit and wait are for one thread only (the control thread). */
uint64_t fl_dp_workers_submit(struct fl_dp_workers *w, fl_dp_work_fn *fn, void *ctx, size_t n,
			      size_t chunk);
/* Return when every batch up to `ticket` is done; their results are then
 * visible to the caller. */
void fl_dp_workers_wait(struct fl_dp_workers *w, uint64_t ticket);
/* submit + wait: one batch, done when it returns. */
void fl_dp_workers_run(struct fl_dp_workers *w, fl_dp_work_fn *fn, void *ctx, size_t n,
		       size_t chunk);
/* Online cores (the CryptoThreads default), at least 1. */
unsigned fl_dp_workers_online(void);

#endif
