/* SPDX-License-Identifier: MIT */
/*
 * dp_workers.c: the crypto worker threads (dp_workers.h). A batch is
 * posted under the mutex with a new ticket; a worker that wakes for the
 * ticket registers as busy, takes chunks with atomic_fetch_add until the
 * batch is exhausted, and leaves. The caller works too, then waits until
 * every item is done and no worker is inside the batch, so the next batch
 * can reuse the counters safely.
 */
#include "dataplane/dp_workers.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#define W_SPIN 2000 /* polls of a finished batch before sleeping */
/* Smaller batches are done by the caller alone: waking a worker costs a
 * system call and a context switch, more than sealing a few records. */
#define W_MIN_BATCH 16

struct w_thread {
	struct fl_dp_workers *w;
	unsigned idx;
	pthread_t th;
};

struct fl_dp_workers {
	unsigned n;
	struct w_thread *t;
	pthread_mutex_t mu;
	pthread_cond_t go, left;
	uint64_t ticket;           /* under mu */
	bool stop;                 /* under mu */
	fl_dp_work_fn *fn;         /* the posted batch: written under mu */
	void *ctx;
	size_t n_items, chunk;
	_Atomic size_t next, done;
	_Atomic unsigned busy;
};

/* Take chunks until none is left; returns how many items this thread did. */
static void w_work(struct fl_dp_workers *w, unsigned idx, fl_dp_work_fn *fn, void *ctx,
		   size_t n, size_t chunk)
{
	for (;;) {
		size_t i = atomic_fetch_add_explicit(&w->next, chunk, memory_order_relaxed);
		size_t end = i + chunk < n ? i + chunk : n;
		if (i >= n)
			return;
		for (size_t k = i; k < end; k++)
			fn(ctx, idx, k);
		/* release: the caller reads our results after seeing done */
		atomic_fetch_add_explicit(&w->done, end - i, memory_order_release);
	}
}

static void *w_main(void *arg)
{
	struct w_thread *t = arg;
	struct fl_dp_workers *w = t->w;
	uint64_t seen = 0;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->ticket == seen && !w->stop)
			pthread_cond_wait(&w->go, &w->mu);
		if (w->stop)
			break;
		seen = w->ticket;
		fl_dp_work_fn *fn = w->fn;
		void *ctx = w->ctx;
		size_t n = w->n_items, chunk = w->chunk;
		atomic_fetch_add(&w->busy, 1);
		pthread_mutex_unlock(&w->mu);
		w_work(w, t->idx, fn, ctx, n, chunk);
		pthread_mutex_lock(&w->mu);
		if (atomic_fetch_sub(&w->busy, 1) == 1)
			pthread_cond_signal(&w->left);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

unsigned fl_dp_workers_online(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

struct fl_dp_workers *fl_dp_workers_new(unsigned n)
{
	struct fl_dp_workers *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->n = n ? n : 1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->go, NULL);
	pthread_cond_init(&w->left, NULL);
	atomic_init(&w->next, 0);
	atomic_init(&w->done, 0);
	atomic_init(&w->busy, 0);
	w->t = calloc(w->n, sizeof(*w->t));
	if (!w->t) {
		free(w);
		return NULL;
	}
	for (unsigned i = 1; i < w->n; i++) {
		w->t[i].w = w;
		w->t[i].idx = i;
		if (pthread_create(&w->t[i].th, NULL, w_main, &w->t[i]) != 0) {
			w->n = i; /* fewer workers; those started are joined at free */
			break;
		}
	}
	return w;
}

void fl_dp_workers_free(struct fl_dp_workers *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->go);
	pthread_mutex_unlock(&w->mu);
	for (unsigned i = 1; i < w->n; i++)
		pthread_join(w->t[i].th, NULL);
	pthread_cond_destroy(&w->go);
	pthread_cond_destroy(&w->left);
	pthread_mutex_destroy(&w->mu);
	free(w->t);
	free(w);
}

unsigned fl_dp_workers_count(const struct fl_dp_workers *w)
{
	return w ? w->n : 1;
}

void fl_dp_workers_run(struct fl_dp_workers *w, fl_dp_work_fn *fn, void *ctx, size_t n,
		       size_t chunk)
{
	if (!chunk)
		chunk = 4;
	if (!w || w->n == 1 || n < W_MIN_BATCH || n <= chunk) {
		for (size_t i = 0; i < n; i++)
			fn(ctx, 0, i);
		return;
	}
	pthread_mutex_lock(&w->mu);
	/* A worker that woke late for the previous batch may still hold its
	 * parameters: the counters are reset only after it left. */
	while (atomic_load(&w->busy))
		pthread_cond_wait(&w->left, &w->mu);
	w->fn = fn;
	w->ctx = ctx;
	w->n_items = n;
	w->chunk = chunk;
	atomic_store(&w->next, 0);
	atomic_store(&w->done, 0);
	w->ticket++;
	pthread_cond_broadcast(&w->go);
	pthread_mutex_unlock(&w->mu);
	w_work(w, 0, fn, ctx, n, chunk);
	/* Every item done: a short spin covers the usual case of a worker
	 * finishing its last chunk right now. */
	for (int i = 0; i < W_SPIN && atomic_load_explicit(&w->done, memory_order_acquire) < n; i++)
		;
	pthread_mutex_lock(&w->mu);
	while (atomic_load_explicit(&w->done, memory_order_acquire) < n || atomic_load(&w->busy))
		pthread_cond_wait(&w->left, &w->mu);
	pthread_mutex_unlock(&w->mu);
}
