/* SPDX-License-Identifier: MIT */
/*
 * loop.c: epoll + timer heap + signalfd event loop (see loop.h). Called by
 * the daemon main and by io tests. Single-threaded by design.
 */
#include "io/loop.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#define LOOP_BATCH 64
#define LOOP_NSIG 65

struct loop_watch {
	fl_loop_fd_fn *fn;	/* NULL: fd not watched */
	void *arg;
	unsigned events;
};

struct loop_sig {
	fl_loop_signal_fn *fn;
	void *arg;
};

struct fl_loop {
	int epfd;
	int sigfd;
	sigset_t sigmask;
	bool stop;
	fl_time_t now;
	struct loop_watch *watch;   /* indexed by fd */
	size_t nwatch;
	struct fl_timer **heap;
	size_t nheap, capheap;
	struct loop_sig sig[LOOP_NSIG];
};

struct fl_loop *fl_loop_new(void)
{
	struct fl_loop *loop = calloc(1, sizeof(*loop));

	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	loop->sigfd = -1;
	sigemptyset(&loop->sigmask);
	loop->now = fl_now_us();
	return loop;
}

void fl_loop_free(struct fl_loop *loop)
{
	if (!loop)
		return;
	if (loop->sigfd >= 0)
		close(loop->sigfd);
	close(loop->epfd);
	free(loop->watch);
	free(loop->heap);
	free(loop);
}

static uint32_t loop_epoll_events(unsigned events)
{
	return (events & FL_LOOP_READ ? EPOLLIN : 0) | (events & FL_LOOP_WRITE ? EPOLLOUT : 0);
}

fl_time_t fl_loop_now(const struct fl_loop *loop)
{
	return loop->now;
}

void fl_loop_update_now(struct fl_loop *loop)
{
	loop->now = fl_now_us();
}

/* The watch table, indexed by fd, doubles: a daemon with thousands of
 * connections reallocates it a few times, not once per 16 fds. */
static int loop_grow(struct fl_loop *loop, int fd)
{
	size_t n = loop->nwatch ? loop->nwatch * 2 : 64;
	struct loop_watch *w;

	if ((size_t)fd < loop->nwatch)
		return 0;
	while (n <= (size_t)fd)
		n *= 2;
	w = realloc(loop->watch, n * sizeof(*w));
	if (!w)
		return -ENOMEM;
	memset(w + loop->nwatch, 0, (n - loop->nwatch) * sizeof(*w));
	loop->watch = w;
	loop->nwatch = n;
	return 0;
}

int fl_loop_watch(struct fl_loop *loop, int fd, unsigned events, fl_loop_fd_fn *fn, void *arg)
{
	struct epoll_event ev = {.events = loop_epoll_events(events), .data.fd = fd};
	struct loop_watch *w;
	int op;

	if (fd < 0 || !fn)
		return -EINVAL;
	if (loop_grow(loop, fd) < 0)
		return -ENOMEM;
	w = &loop->watch[fd];
	op = w->fn ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
	/* Changing only the callback needs no system call. */
	if ((op == EPOLL_CTL_ADD || w->events != events) && epoll_ctl(loop->epfd, op, fd, &ev) < 0)
		return -errno;
	w->fn = fn;
	w->arg = arg;
	w->events = events;
	return 0;
}

void fl_loop_unwatch(struct fl_loop *loop, int fd)
{
	if (fd < 0 || (size_t)fd >= loop->nwatch || !loop->watch[fd].fn)
		return;
	/* events already fetched in this iteration are skipped (fn == NULL) */
	memset(&loop->watch[fd], 0, sizeof(loop->watch[fd]));
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* ---- timers: min-heap on `when`; slot = index + 1 ---- */

static void heap_set(struct fl_loop *loop, size_t i, struct fl_timer *t)
{
	loop->heap[i] = t;
	t->slot = i + 1;
}

static void heap_up(struct fl_loop *loop, size_t i)
{
	struct fl_timer *t = loop->heap[i];

	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (loop->heap[parent]->when <= t->when)
			break;
		heap_set(loop, i, loop->heap[parent]);
		i = parent;
	}
	heap_set(loop, i, t);
}

static void heap_down(struct fl_loop *loop, size_t i)
{
	struct fl_timer *t = loop->heap[i];

	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= loop->nheap)
			break;
		if (c + 1 < loop->nheap && loop->heap[c + 1]->when < loop->heap[c]->when)
			c++;
		if (t->when <= loop->heap[c]->when)
			break;
		heap_set(loop, i, loop->heap[c]);
		i = c;
	}
	heap_set(loop, i, t);
}

void fl_timer_init(struct fl_timer *t, fl_timer_fn *fn, void *arg)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->arg = arg;
}

void fl_timer_cancel(struct fl_loop *loop, struct fl_timer *t)
{
	size_t i;

	if (!t->slot)
		return;
	i = t->slot - 1;
	t->slot = 0;
	loop->nheap--;
	if (i == loop->nheap)
		return;
	struct fl_timer *moved = loop->heap[loop->nheap];
	heap_set(loop, i, moved);
	heap_down(loop, i);
	heap_up(loop, moved->slot - 1);
}

void fl_timer_arm(struct fl_loop *loop, struct fl_timer *t, fl_time_t delay)
{
	fl_timer_cancel(loop, t);
	if (loop->nheap == loop->capheap) {
		size_t n = loop->capheap ? loop->capheap * 2 : 16;
		struct fl_timer **h = realloc(loop->heap, n * sizeof(*h));
		if (!h)
			abort(); /* a lost timer would silently stall the daemon */
		loop->heap = h;
		loop->capheap = n;
	}
	t->when = fl_now_us() + delay; /* fresh: loop->now may be stale */
	loop->heap[loop->nheap] = t;
	loop->nheap++;
	heap_up(loop, loop->nheap - 1);
}

/* ---- signals ---- */

static void loop_sig_ready(void *arg, int fd, unsigned events)
{
	struct fl_loop *loop = arg;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo < LOOP_NSIG && loop->sig[si.ssi_signo].fn)
			loop->sig[si.ssi_signo].fn(loop, (int)si.ssi_signo, loop->sig[si.ssi_signo].arg);
	}
}

int fl_loop_add_signal(struct fl_loop *loop, int signo, fl_loop_signal_fn *fn, void *arg)
{
	int fd;

	if (signo <= 0 || signo >= LOOP_NSIG)
		return -EINVAL;
	sigaddset(&loop->sigmask, signo);
	if (sigprocmask(SIG_BLOCK, &loop->sigmask, NULL) < 0)
		return -errno;
	fd = signalfd(loop->sigfd, &loop->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (loop->sigfd < 0) {
		int r = fl_loop_watch(loop, fd, FL_LOOP_READ, loop_sig_ready, loop);
		if (r < 0) {
			close(fd);
			return r;
		}
		loop->sigfd = fd;
	}
	loop->sig[signo].fn = fn;
	loop->sig[signo].arg = arg;
	return 0;
}

/* ---- running ---- */

/* epoll_wait's timeout: until the first timer (-1: none), at most a
 * minute so a clock that jumped cannot park the loop for long. */
static int loop_timeout(const struct fl_loop *loop)
{
	uint64_t wait_ms;

	if (!loop->nheap)
		return -1;
	if (loop->heap[0]->when <= loop->now)
		return 0;
	wait_ms = (loop->heap[0]->when - loop->now + 999) / 1000;
	return wait_ms > 60000 ? 60000 : (int)wait_ms;
}

static void loop_run_timers(struct fl_loop *loop)
{
	while (loop->nheap && loop->heap[0]->when <= loop->now) {
		struct fl_timer *t = loop->heap[0];
		fl_timer_cancel(loop, t);
		t->fn(loop, t, t->arg);
	}
}

static int loop_run_once(struct fl_loop *loop)
{
	struct epoll_event ev[LOOP_BATCH];
	int n;

	loop->now = fl_now_us();
	n = epoll_wait(loop->epfd, ev, LOOP_BATCH, loop_timeout(loop));
	if (n < 0 && errno != EINTR)
		return -errno;
	loop->now = fl_now_us();
	for (int i = 0; i < n; i++) {
		int fd = ev[i].data.fd;
		unsigned e = 0;

		if ((size_t)fd >= loop->nwatch || !loop->watch[fd].fn)
			continue;
		if (ev[i].events & (EPOLLIN | EPOLLERR | EPOLLHUP))
			e |= FL_LOOP_READ;
		if (ev[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			e |= FL_LOOP_WRITE;
		loop->watch[fd].fn(loop->watch[fd].arg, fd, e);
	}
	loop_run_timers(loop);
	return 0;
}

int fl_loop_run(struct fl_loop *loop, fl_loop_iter_fn *iter, void *arg)
{
	loop->stop = false;
	while (!loop->stop) {
		int r = loop_run_once(loop);
		if (r < 0)
			return r;
		if (iter)
			iter(loop, arg);
	}
	return 0;
}

void fl_loop_stop(struct fl_loop *loop)
{
	loop->stop = true;
}
