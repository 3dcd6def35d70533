/* SPDX-License-Identifier: MIT */
/*
 * loop.h: the control thread's event loop — file descriptors (epoll),
 * timers on fenliu's clock (io/clock.h: a binary heap, microsecond
 * resolution) and signals (signalfd). It reads the clock once per
 * iteration (fl_loop_now) so that everything handled in that iteration
 * sees one time. Used by fenliud's main (src/daemon/fenliud.c), the only
 * loop the daemon has; everything runs on the one thread that calls
 * fl_loop_run(), callbacks included.
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

#include "io/clock.h"

#define FL_LOOP_READ 1u
#define FL_LOOP_WRITE 2u

struct fl_loop;
struct fl_timer;

/* events: FL_LOOP_READ / FL_LOOP_WRITE that are ready (errors and hang-ups
 * are reported as both, so the callback's read/write sees them). */
typedef void fl_loop_fd_fn(void *arg, int fd, unsigned events);
/* A timer fires once; re-arm from the callback for periodic work. */
typedef void fl_timer_fn(struct fl_loop *loop, struct fl_timer *t, void *arg);
typedef void fl_loop_signal_fn(struct fl_loop *loop, int signo, void *arg);
/* Runs at the end of every iteration, after the fd and timer callbacks:
 * work batched during the iteration (queued output) leaves here. */
typedef void fl_loop_iter_fn(struct fl_loop *loop, void *arg);

struct fl_timer {
	fl_time_t when;
	fl_timer_fn *fn;
	void *arg;
	size_t slot;            /* heap index + 1; 0 = not armed */
};

/* NULL (errno set) on failure. */
struct fl_loop *fl_loop_new(void);
void fl_loop_free(struct fl_loop *loop);

/* The time of this iteration: read once after the loop wakes up (before
 * the first iteration: when the loop was made). */
fl_time_t fl_loop_now(const struct fl_loop *loop);
/* Read the clock again, after a call that blocked (a synchronous script, a
 * DNS lookup): what follows must not carry a time from before it (an ID
 * sent then would make the measured round trip, a tinc edge weight, too
 * long). */
void fl_loop_update_now(struct fl_loop *loop);

/* Watch fd for events with fn(arg): adds the fd, or changes the events
 * and callback of one already watched. 0 or -errno. */
int fl_loop_watch(struct fl_loop *loop, int fd, unsigned events, fl_loop_fd_fn *fn, void *arg);
/* Stop watching fd (before closing it); a no-op for an fd not watched. */
void fl_loop_unwatch(struct fl_loop *loop, int fd);

void fl_timer_init(struct fl_timer *t, fl_timer_fn *fn, void *arg);
/* (Re)arm to fire `delay` from now (the clock is read afresh, so a long
 * callback does not shorten the delay). */
void fl_timer_arm(struct fl_loop *loop, struct fl_timer *t, fl_time_t delay);
void fl_timer_cancel(struct fl_loop *loop, struct fl_timer *t);
static inline bool fl_timer_armed(const struct fl_timer *t)
{
	return t->slot != 0;
}

/* Block signo for the process and deliver it through the loop. 0/-errno. */
int fl_loop_add_signal(struct fl_loop *loop, int signo, fl_loop_signal_fn *fn, void *arg);

/* Iterate until fl_loop_stop(): wait for the next event or timer, read
 * the clock, run the fd callbacks, then the timers that are due, then
 * iter (may be NULL). 0 or -errno (EINTR is not an error). */
int fl_loop_run(struct fl_loop *loop, fl_loop_iter_fn *iter, void *arg);
void fl_loop_stop(struct fl_loop *loop);

#endif
