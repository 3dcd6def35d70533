/* SPDX-License-Identifier: MIT */
/*
 * dp_workers.h: the crypto workers of the data plane (CryptoThreads,
 * DESIGN.md "Threads and state"). The control thread hands over one batch
 * at a time with fl_dp_workers_run(): the caller and N-1 worker threads take
 * chunks of the batch with one atomic add per chunk (no lock per packet),
 * and the call returns when every item is done and every worker has left
 * the batch. Everything order-dependent (seqno reservation, the replay
 * window, output) happens on the control thread before and after, in
 * arrival order, so parallel work never reorders a tunnel.
 */
#ifndef FL_DP_WORKERS_H
#define FL_DP_WORKERS_H

#include <stddef.h>

struct fl_dp_workers;

/* Item i of a batch, on worker `worker` (0 = the caller, 1..n-1 threads). */
typedef void fl_dp_work_fn(void *ctx, unsigned worker, size_t i);

/* n = workers in all, the caller included (1: no threads). NULL on
 * failure. */
struct fl_dp_workers *fl_dp_workers_new(unsigned n);
void fl_dp_workers_free(struct fl_dp_workers *w);
unsigned fl_dp_workers_count(const struct fl_dp_workers *w);
/* Run fn for i in [0, n) and return when all are done. Items are taken
 * in chunks of `chunk` (0 = 4). One batch at a time, from one thread. */
void fl_dp_workers_run(struct fl_dp_workers *w, fl_dp_work_fn *fn, void *ctx, size_t n,
		       size_t chunk);
/* Online cores (the CryptoThreads default), at least 1. */
unsigned fl_dp_workers_online(void);

#endif
