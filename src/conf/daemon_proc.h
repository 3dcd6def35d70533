/* SPDX-License-Identifier: MIT */
/* daemon_proc.h: process set-up for fenliud: detaching with an umbilical
 * pipe (the starting shell sees the daemon's start-up result as the exit
 * status, like tincd), and opening the log target chosen on the command
 * line. Called once by the daemon's main(). */
#ifndef FL_DAEMON_PROC_H
#define FL_DAEMON_PROC_H

#include "conf/conf_paths.h"
#include "conf/daemon_opts.h"

/* Forks into the background. The parent waits on a pipe, copies to its
 * stderr the text the child writes there (start-up errors, so they reach
 * the terminal as tincd's do) and exits with the status the child reports
 * through fl_daemonize_done() (1 if the child dies first). In the child:
 * new session, cwd "/", stdin/stdout/stderr on /dev/null; returns the
 * pipe's write end (>= 0), or -1 on error (still in the foreground, errno
 * set). The text must not contain NUL bytes. */
int fl_daemonize(void);
/* Tells the waiting parent that start-up finished (status 0) or failed,
 * and closes fd. Harmless with fd < 0 (not detached). */
void fl_daemonize_done(int fd, int status);

/* Opens the log target from the options (stderr with -D, --logfile,
 * --syslog, else syslog) with ident paths->ident, and sets the debug level
 * from -d. Returns false when the log file cannot be opened (logging then
 * goes to stderr). */
bool fl_daemon_log_open(const struct fl_daemon_options *o, const struct fl_paths *paths);

#endif
