/* SPDX-License-Identifier: MIT */
/*
 * Script runner (spec/GRAPH.md §7): CONFBASE/NAME[ScriptsExtension], run with
 * the common variables (NETNAME, NAME, DEVICE, INTERFACE, DEBUG) plus the
 * event's own (NODE, REMOTEADDRESS, ...) in its environment.
 *
 * Two ways to run one:
 *   - fl_script_run_sync(): tinc-up and tinc-down. The caller blocks until the
 *     script exits (or the timeout kills it), as tinc does.
 *   - fl_script_queue(): host-up/down, hosts/NODE-up/down, subnet-up/down.
 *     Queued in event order and run one at a time in a child process; the
 *     control loop calls fl_script_tick() (from a timer, e.g. every 100 ms)
 *     to reap the running one and start the next. A script that runs longer
 *     than the timeout is killed (its whole process group). Packets never
 *     wait for a script.
 *
 * Called by the daemon's control thread only. A missing script file is not
 * an error: nothing runs (the queue entry is dropped at once).
 */
#ifndef FL_DAEMON_SCRIPT_H
#define FL_DAEMON_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "wire/fl_time.h"

#define FL_SCRIPT_MAX_VARS 8 /* per-event variables */
#define FL_SCRIPT_QUEUE_MAX 4096 /* beyond this new events are dropped and counted */

struct fl_script_env {
	const char *confbase;	    /* borrowed; must outlive the runner */
	const char *netname;	    /* NULL = none */
	const char *name;	    /* our node name */
	const char *device;	    /* NULL = unset */
	const char *interface;	    /* NULL = unset */
	const char *extension;	    /* ScriptsExtension, NULL = "" */
	const char *interpreter;    /* ScriptsInterpreter, NULL = run directly */
	int debug;
	unsigned timeout_ms;	    /* 0 = 30000 */
};

struct fl_script_runner;

/* env is copied (strings duplicated). NULL on allocation failure. */
struct fl_script_runner *fl_script_new(const struct fl_script_env *env);
/* Kills a running script (process group), frees queued ones. */
void fl_script_free(struct fl_script_runner *r);
/* Replace the settings (reload); queued events keep their variables. */
int fl_script_set_env(struct fl_script_runner *r, const struct fl_script_env *env);

/* vars: NULL-terminated "KEY=VALUE" strings (at most FL_SCRIPT_MAX_VARS),
 * copied. Returns the exit status as from waitpid() (0 = success), -1 if the
 * script does not exist, -2 if it could not be started or timed out. */
int fl_script_run_sync(struct fl_script_runner *r, const char *script, const char *const *vars);

/* Does confbase/SCRIPT exist (as a regular file)? */
bool fl_script_exists(const struct fl_script_runner *r, const char *script);
/* Queue an asynchronous script. 0 = queued (or nonexistent: dropped),
 * -1 = queue full or out of memory (counted in fl_script_dropped()). */
int fl_script_queue(struct fl_script_runner *r, const char *script, const char *const *vars);

/* Reap/start/time out at `now` (wire/fl_time.h). Returns true while
 * something is running or queued. */
bool fl_script_tick(struct fl_script_runner *r, fl_time_t now);

/* Run everything still queued, synchronously, in order (shutdown). */
void fl_script_drain(struct fl_script_runner *r);

unsigned long fl_script_dropped(const struct fl_script_runner *r);
unsigned long fl_script_failed(const struct fl_script_runner *r);

#endif
