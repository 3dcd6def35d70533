/* SPDX-License-Identifier: MIT */
/*
 * loop.h: the control thread's event loop — file descriptors (epoll),
 * timers on CLOCK_MONOTONIC (a binary heap, microsecond resolution) and
 * signals (signalfd). Used by the daemon main; everything runs on the one
 * thread that calls fl_loop_run(), callbacks included.
 *
 * Ownership: the loop never closes fds and never frees timers; the caller
 * owns both and must remove/cancel them before freeing them. Removing an
 * fd or cancelling a timer from inside any callback is safe.
 */
#ifndef FL_IO_LOOP_H
#define FL_IO_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_LOOP_READ 1u
#define FL_LOOP_WRITE 2u

struct fl_loop;
struct fl_timer;

/* events: FL_LOOP_READ / FL_LOOP_WRITE that are ready (errors and hang-ups
 * are reported as both, so the callback's read/write sees them). */
typedef void fl_loop_fd_fn(struct fl_loop *loop, int fd, unsigned events, void *arg);
/* A timer fires once; re-arm from the callback for periodic work. */
typedef void fl_timer_fn(struct fl_loop *loop, struct fl_timer *t, void *arg);
typedef void fl_loop_signal_fn(struct fl_loop *loop, int signo, void *arg);

struct fl_timer {
	uint64_t when;          /* monotonic µs */
	fl_timer_fn *fn;
	void *arg;
	size_t slot;            /* heap index + 1; 0 = not armed */
};

/* Monotonic clock in microseconds. */
uint64_t fl_now_us(void);

/* NULL (errno set) on failure. */
struct fl_loop *fl_loop_new(void);
void fl_loop_free(struct fl_loop *loop);

/* 0 or -errno. One registration per fd. */
int fl_loop_add_fd(struct fl_loop *loop, int fd, unsigned events, fl_loop_fd_fn *fn, void *arg);
int fl_loop_mod_fd(struct fl_loop *loop, int fd, unsigned events);
int fl_loop_del_fd(struct fl_loop *loop, int fd);

void fl_timer_init(struct fl_timer *t, fl_timer_fn *fn, void *arg);
/* (Re)arm to fire `delay_us` from now (the clock is read afresh). */
void fl_timer_arm(struct fl_loop *loop, struct fl_timer *t, uint64_t delay_us);
void fl_timer_cancel(struct fl_loop *loop, struct fl_timer *t);
static inline bool fl_timer_armed(const struct fl_timer *t)
{
	return t->slot != 0;
}

/* Block signo for the process and deliver it through the loop. 0/-errno. */
int fl_loop_add_signal(struct fl_loop *loop, int signo, fl_loop_signal_fn *fn, void *arg);

/* One iteration: wait at most timeout_ms (-1: until the next timer or
 * event), dispatch. Returns 0 or -errno (EINTR is not an error). */
int fl_loop_run_once(struct fl_loop *loop, int timeout_ms);
/* Iterate until fl_loop_stop(). 0 or -errno. */
int fl_loop_run(struct fl_loop *loop);
void fl_loop_stop(struct fl_loop *loop);

#endif
