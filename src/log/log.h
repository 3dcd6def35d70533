/* SPDX-License-Identifier: MIT */
/* log.h: fenliud's logger: tinc's debug levels, stderr / file / syslog, and
 * a sink for control connections that stream the log (`fenliu log`).
 *
 * Global state, owned by the control thread (the only thread that may call
 * fl_log_open/set_level/set_sink). fl_log() itself may be called from any
 * thread: each target write is one call, and the sink is invoked under a
 * (recursive) mutex. What the sink itself logs, directly or through the
 * event loop, reaches the target but not the sink again.
 */
#ifndef FL_LOG_H
#define FL_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

/* tinc's debug levels (a message is shown when level <= debug level). */
enum fl_debug {
	FL_DEBUG_ALWAYS = 0,
	FL_DEBUG_CONNECTIONS = 1,
	FL_DEBUG_ERROR = 2,
	FL_DEBUG_STATUS = 2,
	FL_DEBUG_PROTOCOL = 3,
	FL_DEBUG_META = 4,
	FL_DEBUG_TRAFFIC = 5,
	FL_DEBUG_PACKET = 6,
	FL_DEBUG_SCARY_THINGS = 10,
};

enum fl_log_mode { FL_LOGMODE_NULL, FL_LOGMODE_STDERR, FL_LOGMODE_FILE, FL_LOGMODE_SYSLOG };

/* Opens the target. file is used for FL_LOGMODE_FILE, ident ("tinc.NET")
 * for syslog and the file's line prefix. Returns false (errno set) if the
 * file cannot be opened; the mode then falls back to stderr. */
bool fl_log_open(enum fl_log_mode mode, const char *file, const char *ident);
/* Reopens the log file (SIGHUP, after logrotate). */
bool fl_log_reopen(void);
void fl_log_close(void);

void fl_log_set_level(int level);
int fl_log_level(void);
/* The highest level anyone listens to: the debug level or, while a
 * `fenliu log` client is attached, its level. Front ends that filter
 * before calling fl_log() should filter with this. */
int fl_log_wanted_level(void);

/* The control server's hook: called for every message whose level is
 * <= sink_level, with tinc's control log text ("DATE TIME PRIO    msg",
 * colour variant when color is set) built by fl_log_format(). */
typedef void fl_log_sink_fn(void *ctx, int level, int priority, const char *msg);
void fl_log_set_sink(fl_log_sink_fn *fn, void *ctx, int sink_level);

/* Formats "YYYY-MM-DD HH:MM:SS PRIO    message" (tinc's stderr/control
 * form), with ANSI colours when color. Returns the length written. */
size_t fl_log_format(char *out, size_t outlen, int priority, const char *msg, bool color);

/* Copies msg to out (cap bytes, NUL-terminated, truncated to fit) with
 * every control byte (below 0x20, and DEL) written as \xNN, so a string a
 * peer controls (a node name, a request line) cannot move the cursor, ring
 * a bell or forge a line of its own on a terminal or in a log file. Returns
 * the length written. fl_log() applies it to every message. */
size_t fl_log_escape(char *out, size_t cap, const char *msg);

/* Logs one message: level is the debug level, priority a syslog LOG_*. */
void fl_log(int level, int priority, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
