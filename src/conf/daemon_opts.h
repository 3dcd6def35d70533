/* SPDX-License-Identifier: MIT */
/* daemon_opts.h: fenliud's command line, tincd's options (CONFIG.md §4).
 * main() calls fl_daemon_opts_parse() first, then fl_paths_resolve() with
 * the confbase/netname/pidfile/logfile it found. */
#ifndef FL_DAEMON_OPTS_H
#define FL_DAEMON_OPTS_H

#include "conf/conf.h"

#include <stdbool.h>

enum fl_log_target { FL_LOG_STDERR, FL_LOG_FILE, FL_LOG_SYSLOG };

struct fl_daemon_options {
	char *confbase;        /* -c, made absolute; NULL if not given */
	char *netname;         /* -n; NULL if not given */
	char *pidfile;         /* --pidfile, absolute; NULL = default */
	char *logfile;         /* --logfile=FILE, absolute; NULL = default */
	bool detach;           /* false with -D */
	int debug_level;       /* 0 unless -d; as in tincd, LogLevel applies while 0 */
	enum fl_log_target log_target; /* resolved from -D/--logfile/--syslog */
	bool mlock, chroot, bypass_security, show_help, show_version;
	char *user;            /* -U */
	struct fl_conf cmdline;/* -o options, "NODE.VAR" kept as the variable */
};

/* Parses argv (getopt_long, resets optind). On error writes a message to
 * err and returns false; opts must still be freed. */
bool fl_daemon_opts_parse(struct fl_daemon_options *opts, int argc, char *argv[],
                          char *err, size_t errlen);
void fl_daemon_opts_free(struct fl_daemon_options *opts);

/* Usage text for --help. */
const char *fl_daemon_opts_usage(void);

#endif
