/* SPDX-License-Identifier: MIT */
/*
 * fld_loop.c: fenliud's use of the io event loop (src/io/loop.h), the only
 * loop it has. Signals arrive through the loop (SIGHUP reloads, SIGALRM
 * retries the outgoing connections, the others stop the daemon); periodic
 * work runs on loop timers; what an iteration queued (the mesh's batched
 * graph run, meta output, dataplane batches) leaves at the end of that
 * iteration. Called by fenliud.c's main; control thread only.
 */
#include <signal.h>
#include <string.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_notify.h"
#include "daemon/fld_offload.h"
#include "daemon/fld_vpnnat.h"
#include "log/log.h"

/* While a script runs, its exit is noticed within this long. */
#define LOOP_SCRIPT_POLL_MS 50

static void loop_signal(struct fl_loop *loop, int signo, void *arg)
{
	struct fld *d = arg;
	struct mesh_out out;

	(void)loop;
	switch (signo) {
	case SIGHUP:
		fl_log_reopen();
		d->reload_pending = true;
		break;
	case SIGALRM:
		mesh_out_init(&out);
		mesh_retry(d->mesh, fld_now(d), &out);
		fld_out_run(d, &out);
		mesh_out_clear(&out);
		break;
	default:
		fl_dlog(FL_DLOG_INFO, "Got signal %d (%s), exiting", signo, strsignal(signo));
		d->stop = true;
		break;
	}
}

/* Other nodes' subnet events only if a script wants them: a node with
 * 100,000 subnets going down must not cost 100,000 events (issue 22).
 * Checked each second, as a new script would be noticed by tinc at once. */
void fld_loop_subnet_events(struct fld *d)
{
	mesh_set_subnet_events(d->mesh, d->scripts && (fl_script_exists(d->scripts, "subnet-up") ||
						       fl_script_exists(d->scripts, "subnet-down")));
}

static void loop_tick(struct fl_loop *loop, struct fl_timer *t, void *arg)
{
	struct fld *d = arg;
	struct mesh_out out;

	fl_timer_arm(loop, t, FL_TIME_S(1));
	fld_loop_subnet_events(d);
	mesh_out_init(&out);
	mesh_tick(d->mesh, fld_now(d), &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	fld_udp_tick(d);
	fld_keyexpire_tick(d);
	fld_offload_tick(d);
	fld_vpnnat_tick(d);
	fld_switch_tick(d);
	fld_conn_tick(d);
	fld_notify_watchdog(fld_now(d));
}

/* The settle and script timers only wake the loop; the work they stand
 * for runs in loop_iteration, after every other callback. */
static void loop_wake(struct fl_loop *loop, struct fl_timer *t, void *arg)
{
	(void)loop;
	(void)t;
	(void)arg;
}

/* The mesh's batched graph run and index rebuild. */
static void loop_settle(struct fld *d)
{
	struct mesh_out out;
	int ms;

	mesh_out_init(&out);
	ms = mesh_settle(d->mesh, fld_now(d), &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	if (ms >= 0)
		fl_timer_arm(d->loop, &d->settle_timer, FL_TIME_MS(ms));
	else
		fl_timer_cancel(d->loop, &d->settle_timer);
}

static void loop_iteration(struct fl_loop *loop, void *arg)
{
	struct fld *d = arg;

	if (fl_script_tick(d->scripts, fld_now(d))) {
		if (!fl_timer_armed(&d->script_timer))
			fl_timer_arm(loop, &d->script_timer, FL_TIME_MS(LOOP_SCRIPT_POLL_MS));
	}
	if (d->reload_pending) {
		d->reload_pending = false;
		if (fld_reload(d) != 0) {
			fl_dlog(FL_DLOG_ERR, "Unable to reread configuration file, exiting");
			d->stop = true;
		}
	}
	loop_settle(d);
	/* Everything queued in this iteration leaves now. */
	fld_conn_sweep(d);
	fld_conn_flush_all(d);
	fld_dp_flush(d);
	if (d->stop)
		fl_loop_stop(loop);
}

int fld_loop_start(struct fld *d)
{
	static const int stop_signals[] = {SIGTERM, SIGINT, SIGQUIT};

	signal(SIGPIPE, SIG_IGN);
	d->loop = fl_loop_new();
	if (!d->loop)
		return -1;
	if (fl_loop_add_signal(d->loop, SIGHUP, loop_signal, d) < 0 ||
	    fl_loop_add_signal(d->loop, SIGALRM, loop_signal, d) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(stop_signals) / sizeof(stop_signals[0]); i++)
		if (fl_loop_add_signal(d->loop, stop_signals[i], loop_signal, d) < 0)
			return -1;
	fl_timer_init(&d->tick_timer, loop_tick, d);
	fl_timer_init(&d->settle_timer, loop_wake, d);
	fl_timer_init(&d->script_timer, loop_wake, d);
	return 0;
}

void fld_loop_run(struct fld *d)
{
	int r;

	fl_timer_arm(d->loop, &d->tick_timer, FL_TIME_S(1));
	r = fl_loop_run(d->loop, loop_iteration, d);
	if (r < 0)
		fl_dlog(FL_DLOG_ERR, "Event loop failed: %s", strerror(-r));
}

void fld_loop_free(struct fld *d)
{
	fl_loop_free(d->loop);
	d->loop = NULL;
}
