/* SPDX-License-Identifier: MIT */
/*
 * The daemon's use of the io event loop (src/io/loop.h): a watch per fd
 * with the daemon's own callback and context, kept in a table indexed by
 * fd so a watch can be changed (read/write interest) without knowing
 * whether it exists. Control thread only.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/fld.h"

static void loop_tramp(struct fl_loop *loop, int fd, unsigned events, void *arg)
{
	struct fld *d = arg;

	(void)loop;
	if (fd < 0 || (size_t)fd >= d->n_watches || !d->watches[fd].fn)
		return;
	d->watches[fd].fn(d->watches[fd].ctx, fd, events);
}

int fld_watch(struct fld *d, int fd, unsigned events, fld_fd_fn *fn, void *ctx)
{
	struct fld_watch *w;

	if (fd < 0)
		return -1;
	if ((size_t)fd >= d->n_watches) {
		size_t n = d->n_watches ? d->n_watches : 64;
		while (n <= (size_t)fd)
			n *= 2;
		w = realloc(d->watches, n * sizeof(*w));
		if (!w)
			return -1;
		memset(w + d->n_watches, 0, (n - d->n_watches) * sizeof(*w));
		d->watches = w;
		d->n_watches = n;
	}
	w = &d->watches[fd];
	if (w->fn) {
		w->fn = fn;
		w->ctx = ctx;
		if (w->events == events)
			return 0;
		w->events = events;
		return fl_loop_mod_fd(d->loop, fd, events) < 0 ? -1 : 0;
	}
	if (fl_loop_add_fd(d->loop, fd, events, loop_tramp, d) < 0)
		return -1;
	w->fn = fn;
	w->ctx = ctx;
	w->events = events;
	return 0;
}

void fld_unwatch(struct fld *d, int fd)
{
	if (fd < 0 || (size_t)fd >= d->n_watches || !d->watches[fd].fn)
		return;
	fl_loop_del_fd(d->loop, fd);
	memset(&d->watches[fd], 0, sizeof(d->watches[fd]));
}

void fld_watch_free(struct fld *d)
{
	free(d->watches);
	d->watches = NULL;
	d->n_watches = 0;
}

uint64_t fld_now(void) { return fl_now_us() / 1000; }

/* The mesh's clock: CLOCK_BOOTTIME, which never jumps when the wall clock
 * is set (a router's first NTP sync moves it by years) yet keeps counting
 * through a suspend, so the mesh still notices it slept ("awaking from
 * dead"). Nothing the mesh sends on the wire carries this time. */
int64_t fld_mesh_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t fld_mesh_to_unix(int64_t mesh_sec)
{
	struct timespec wall;

	if (!mesh_sec)
		return 0;
	clock_gettime(CLOCK_REALTIME, &wall);
	return mesh_sec + (int64_t)wall.tv_sec - fld_mesh_now() / 1000;
}
