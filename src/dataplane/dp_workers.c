/* SPDX-License-Identifier: MIT */
/*
 * dp_workers.c: the ring of ticketed batches (dp_workers.h). Slot t % RING
 * holds batch t. The control thread is the only producer and the only one
 * to retire batches: it posts a batch by filling its slot and publishing
 * the ticket, then the new head. Workers scan the posted, unretired
 * tickets oldest first and claim chunks with a compare-and-swap, each a
 * share of what is left (w_claim_chunk); each chunk
 * done is added to the slot's done count with release, which the waiter
 * reads with acquire. A slot is reused only after its batch was waited for
 * and no worker is inside it: a worker registers in `refs` before it
 * checks the slot's ticket, and the producer withdraws the ticket before
 * it reads `refs` (both sequentially consistent), so one of them always
 * sees the other. Idle workers spin briefly, then sleep on a condition
 * variable that the producer signals only when someone sleeps: no system
 * call per batch while the workers are busy.
 *
 * What one thread writes often sits on a cache line of its own (W_LINE):
 * a slot's chunk counter, its done count, the producer's head, the
 * sleepers; with two workers on two cores, sharing a line with another
 * slot or with fields only read made every chunk taken move lines the
 * other side was reading. A waiter whose batch has only chunks in other
 * hands left takes chunks of later batches instead of spinning.
 */
#include "dataplane/dp_workers.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long an idle worker spins before it sleeps: long enough to bridge
 * the gap while the control thread reads and decides the next batch (64
 * packets: about 10 us here), since a worker that fell asleep costs a
 * futex wake-up and the scheduler's latency (tens of us in a VM) on every
 * batch; short enough not to take the core from the daemon's other
 * thread and the applications beside it. 200 us gave dataplane_speed the
 * same 1.5x on two workers but cost bench/tunnel_speed 19% (both iperf3
 * ends and both daemons share the 2 cores); 30 us costs it nothing
 * measurable. Counted in scans of W_SPIN_CHECK polls between clock
 * reads. */
#define W_SPIN_NS 30000
#define W_SPIN_CHECK 64
#define W_YIELD 256 /* waiter's polls of a busy chunk before it yields */
/* Smaller batches are done by the caller alone: waking a worker costs a
 * system call and a context switch, more than sealing a few records. */
#define W_MIN_BATCH 16
#define W_NONE UINT64_MAX /* a slot's ticket while it is being refilled */

#define W_LINE 64 /* cache line */

struct w_slot {
	/* Written at post, then only read. */
	_Alignas(W_LINE) _Atomic uint64_t ticket;
	fl_dp_work_fn *fn;
	void *ctx;
	size_t chunk;     /* smallest chunk */
	unsigned workers; /* sharing it (w->n at post) */
	_Atomic size_t n; /* atomic only so that an idle scan may peek */
	/* Written per chunk taken, and on entering and leaving the slot. */
	_Alignas(W_LINE) _Atomic size_t next;
	_Atomic unsigned refs; /* workers inside the slot */
	/* Written per chunk done, polled by the waiter. */
	_Alignas(W_LINE) _Atomic size_t done;
};

struct w_thread {
	struct fl_dp_workers *w;
	unsigned idx;
	pthread_t th;
};

struct fl_dp_workers {
	struct w_slot ring[FL_DP_WORKERS_RING];
	/* The producer's: written per batch, read by every scan. */
	_Alignas(W_LINE) _Atomic uint64_t head; /* next ticket to post; posted: [1, head) */
	_Atomic uint64_t retired; /* every ticket up to this one is done */
	unsigned n;
	struct w_thread *t;
	/* The sleepers' (written when a worker goes to sleep or wakes). */
	_Alignas(W_LINE) pthread_mutex_t mu;
	pthread_cond_t go;
	_Atomic unsigned sleepers;
	_Atomic bool stop;
};

/* Claim the next chunk of slot s (n items): a share of what is left,
 * ceil(left / workers) but at least s->chunk, so the first taker gets a
 * large run and the end of the batch is split finely between whoever is
 * free (guided self-scheduling). Returns false when nothing is left. */
static bool w_claim_chunk(struct w_slot *s, size_t n, size_t *begin, size_t *end)
{
	size_t i = atomic_load_explicit(&s->next, memory_order_relaxed), take;

	do {
		if (i >= n)
			return false;
		take = (n - i + s->workers - 1) / s->workers;
		if (take < s->chunk)
			take = s->chunk;
	} while (!atomic_compare_exchange_weak_explicit(&s->next, &i, i + take,
							memory_order_relaxed, memory_order_relaxed));
	*begin = i;
	*end = i + take < n ? i + take : n;
	return true;
}

/* Take chunks of slot s (ticket t) until none is left, or at most `max`
 * of them. Returns whether any item was done. */
static bool w_work_slot(struct w_slot *s, uint64_t t, unsigned idx, size_t max)
{
	bool did = false;

	atomic_fetch_add(&s->refs, 1);
	if (atomic_load(&s->ticket) == t) {
		size_t n = atomic_load_explicit(&s->n, memory_order_relaxed), i, end;
		for (; max && w_claim_chunk(s, n, &i, &end); max--) {
			for (size_t k = i; k < end; k++)
				s->fn(s->ctx, idx, k);
			/* release: the waiter reads our results after seeing done */
			atomic_fetch_add_explicit(&s->done, end - i, memory_order_release);
			did = true;
		}
	}
	atomic_fetch_sub_explicit(&s->refs, 1, memory_order_release);
	return did;
}

static uint64_t w_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* A polite spin: lets the other hardware thread of the core run. */
static inline void w_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ volatile("yield");
#endif
}

/* One pass over the unretired batches, oldest first; a batch with no
 * chunk left is only looked at (no write to its cache line). */
static bool w_scan(struct fl_dp_workers *w, unsigned idx)
{
	uint64_t head = atomic_load_explicit(&w->head, memory_order_acquire);
	uint64_t t = atomic_load_explicit(&w->retired, memory_order_relaxed) + 1;
	bool did = false;

	for (; t < head; t++) {
		struct w_slot *s = &w->ring[t % FL_DP_WORKERS_RING];
		if (atomic_load_explicit(&s->ticket, memory_order_relaxed) == t &&
		    atomic_load_explicit(&s->next, memory_order_relaxed) <
			    atomic_load_explicit(&s->n, memory_order_relaxed))
			did |= w_work_slot(s, t, idx, SIZE_MAX);
	}
	return did;
}

static void w_sleep(struct fl_dp_workers *w, uint64_t seen)
{
	pthread_mutex_lock(&w->mu);
	atomic_fetch_add(&w->sleepers, 1);
	while (atomic_load(&w->head) == seen && !atomic_load(&w->stop))
		pthread_cond_wait(&w->go, &w->mu);
	atomic_fetch_sub(&w->sleepers, 1);
	pthread_mutex_unlock(&w->mu);
}

static void *w_main(void *arg)
{
	struct w_thread *th = arg;
	struct fl_dp_workers *w = th->w;
	unsigned idle = 0;
	uint64_t idle_since = 0;

	while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
		uint64_t seen = atomic_load(&w->head);
		if (w_scan(w, th->idx)) {
			idle = 0;
			continue;
		}
		w_relax();
		if (++idle % W_SPIN_CHECK != 0)
			continue;
		if (idle == W_SPIN_CHECK) {
			idle_since = w_now_ns();
			continue;
		}
		if (w_now_ns() - idle_since < W_SPIN_NS)
			continue;
		idle = 0;
		w_sleep(w, seen);
	}
	return NULL;
}

unsigned fl_dp_workers_online(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

struct fl_dp_workers *fl_dp_workers_new(unsigned n)
{
	/* calloc does not align to a cache line. */
	size_t sz = (sizeof(struct fl_dp_workers) + W_LINE - 1) / W_LINE * W_LINE;
	struct fl_dp_workers *w = aligned_alloc(W_LINE, sz);

	if (!w)
		return NULL;
	memset(w, 0, sz);
	w->n = n ? n : 1;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->go, NULL);
	atomic_init(&w->head, 1);
	atomic_init(&w->retired, 0);
	atomic_init(&w->sleepers, 0);
	atomic_init(&w->stop, false);
	for (unsigned i = 0; i < FL_DP_WORKERS_RING; i++) {
		atomic_init(&w->ring[i].ticket, W_NONE);
		atomic_init(&w->ring[i].n, 0);
		atomic_init(&w->ring[i].next, 0);
		atomic_init(&w->ring[i].done, 0);
		atomic_init(&w->ring[i].refs, 0);
	}
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
	fl_dp_workers_wait(w, atomic_load(&w->head) - 1);
	pthread_mutex_lock(&w->mu);
	atomic_store(&w->stop, true);
	pthread_cond_broadcast(&w->go);
	pthread_mutex_unlock(&w->mu);
	for (unsigned i = 1; i < w->n; i++)
		pthread_join(w->t[i].th, NULL);
	pthread_cond_destroy(&w->go);
	pthread_mutex_destroy(&w->mu);
	free(w->t);
	free(w);
}

unsigned fl_dp_workers_count(const struct fl_dp_workers *w)
{
	return w ? w->n : 1;
}

/* One chunk of a batch posted after t, if one has any left (the
 * caller's own batches: t + 1 .. head - 1). */
static bool w_help_later(struct fl_dp_workers *w, uint64_t t)
{
	uint64_t head = atomic_load_explicit(&w->head, memory_order_relaxed);

	for (uint64_t u = t + 1; u < head; u++) {
		struct w_slot *s = &w->ring[u % FL_DP_WORKERS_RING];
		if (atomic_load_explicit(&s->next, memory_order_relaxed) <
		    atomic_load_explicit(&s->n, memory_order_relaxed))
			return w_work_slot(s, u, 0, 1);
	}
	return false;
}

/* Wait until batch t is done, working on it meanwhile. */
static void w_wait_one(struct fl_dp_workers *w, uint64_t t)
{
	struct w_slot *s = &w->ring[t % FL_DP_WORKERS_RING];
	unsigned polls = 0;

	w_work_slot(s, t, 0, SIZE_MAX);
	/* Every chunk is taken; a worker may still be inside its last one.
	 * Rather than spin, do a chunk of a later batch. */
	while (atomic_load_explicit(&s->done, memory_order_acquire) <
	       atomic_load_explicit(&s->n, memory_order_relaxed)) {
		if (w_help_later(w, t))
			continue;
		w_relax();
		if (++polls % W_YIELD == 0)
			sched_yield();
	}
}

void fl_dp_workers_wait(struct fl_dp_workers *w, uint64_t ticket)
{
	if (!w)
		return;
	uint64_t head = atomic_load_explicit(&w->head, memory_order_relaxed);
	uint64_t t = atomic_load_explicit(&w->retired, memory_order_relaxed);

	if (ticket >= head)
		ticket = head - 1;
	while (t < ticket) {
		w_wait_one(w, ++t);
		atomic_store_explicit(&w->retired, t, memory_order_release);
	}
}

/* Make slot for ticket t ready: its previous batch retired and no worker
 * left inside it. */
static struct w_slot *w_claim_slot(struct fl_dp_workers *w, uint64_t t)
{
	struct w_slot *s = &w->ring[t % FL_DP_WORKERS_RING];
	unsigned polls = 0;

	if (t > FL_DP_WORKERS_RING)
		fl_dp_workers_wait(w, t - FL_DP_WORKERS_RING);
	atomic_store(&s->ticket, W_NONE);
	while (atomic_load(&s->refs))
		if (++polls % W_YIELD == 0)
			sched_yield();
	return s;
}

uint64_t fl_dp_workers_submit(struct fl_dp_workers *w, fl_dp_work_fn *fn, void *ctx, size_t n,
			      size_t chunk)
{
	if (!chunk)
		chunk = 4;
	if (!w || w->n == 1 || n < W_MIN_BATCH || n <= chunk) {
		for (size_t i = 0; i < n; i++)
			fn(ctx, 0, i);
		return w ? atomic_load_explicit(&w->head, memory_order_relaxed) - 1 : 0;
	}
	uint64_t t = atomic_load_explicit(&w->head, memory_order_relaxed);
	struct w_slot *s = w_claim_slot(w, t);

	s->fn = fn;
	s->ctx = ctx;
	atomic_store_explicit(&s->n, n, memory_order_relaxed);
	s->chunk = chunk;
	s->workers = w->n;
	atomic_store_explicit(&s->next, 0, memory_order_relaxed);
	atomic_store_explicit(&s->done, 0, memory_order_relaxed);
	atomic_store(&s->ticket, t);
	atomic_store(&w->head, t + 1);
	if (atomic_load(&w->sleepers)) {
		pthread_mutex_lock(&w->mu);
		pthread_cond_broadcast(&w->go);
		pthread_mutex_unlock(&w->mu);
	}
	return t;
}

void fl_dp_workers_run(struct fl_dp_workers *w, fl_dp_work_fn *fn, void *ctx, size_t n,
		       size_t chunk)
{
	fl_dp_workers_wait(w, fl_dp_workers_submit(w, fn, ctx, n, chunk));
}
