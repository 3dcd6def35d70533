/* SPDX-License-Identifier: MIT */
/* conf_paths.h: CONFBASE, pid file, control socket and log file names as
 * tinc derives them (CONFIG.md §1.1, §1.4). Shared by fenliud and fenliu so
 * both find the same socket (and stock tinc's). */
#ifndef FL_CONF_PATHS_H
#define FL_CONF_PATHS_H

#include <stdbool.h>

#ifndef FL_SYSCONFDIR
#define FL_SYSCONFDIR "/etc"
#endif
#ifndef FL_LOCALSTATEDIR
#define FL_LOCALSTATEDIR "/var"
#endif
/* Pid file and control socket; meson passes all three from its sysconfdir,
 * localstatedir and runstatedir options (tinc's defaults: /var/run). */
#ifndef FL_RUNSTATEDIR
#define FL_RUNSTATEDIR FL_LOCALSTATEDIR "/run"
#endif

#define FL_PATH_MAX 4096

struct fl_paths {
	char netname[256];        /* "" = none */
	char confbase[FL_PATH_MAX];
	char pidfile[FL_PATH_MAX];
	char socket[FL_PATH_MAX];
	char logfile[FL_PATH_MAX];
	char ident[300];          /* "tinc" or "tinc.NET" (syslog ident) */
	bool fallback;            /* pid/log went to CONFBASE (RUNSTATEDIR unusable) */
	bool netname_unsafe;      /* warn: unsafe character in netname */
	bool both_given;          /* -c and -n: -c wins (log a note) */
};

/* Resolves every path. Any option may be NULL. netname NULL falls back to
 * env NETNAME; "" or "." mean none. daemon selects the fallback rule (the
 * daemon checks RUNSTATEDIR access, the CLI looks for an existing pid
 * file). Returns false for an invalid netname or too long paths. */
bool fl_paths_resolve(struct fl_paths *p, const char *confbase, const char *netname,
                      const char *pidfile, const char *logfile, bool daemon);

/* The control socket name for a pid file name: ".pid" -> ".socket", else
 * ".socket" appended. */
void fl_paths_socket_for(const char *pidfile, char *out, unsigned outlen);

#endif
