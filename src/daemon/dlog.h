/* SPDX-License-Identifier: MIT */
/*
 * Daemon log calls used by the glue files in src/daemon (scripts, meta
 * connections, main). A thin front: messages go to the sink installed with
 * fl_dlog_set_sink() (the log module, src/log/, once the daemon has
 * opened it), else to stderr with a timestamp. Control thread only.
 */
#ifndef FL_DAEMON_DLOG_H
#define FL_DAEMON_DLOG_H

enum fl_dlog_level {
	FL_DLOG_ERR = 0,   /* always shown */
	FL_DLOG_WARN = 1,
	FL_DLOG_INFO = 2,  /* connections, scripts: debug level >= 1 */
	FL_DLOG_DEBUG = 3, /* protocol details: debug level >= 3 */
	FL_DLOG_TRAFFIC = 5,
};

typedef void (*fl_dlog_sink)(void *ctx, enum fl_dlog_level level, const char *msg);

void fl_dlog_set_sink(fl_dlog_sink sink, void *ctx);
/* Messages above this level are not formatted at all. */
void fl_dlog_set_level(int level);
int fl_dlog_level(void);

void fl_dlog(enum fl_dlog_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
