/* SPDX-License-Identifier: MIT */
/*
 * dlog.c: see dlog.h. The level and sink are process globals written only
 * by the control thread (main and reload).
 */
#include "daemon/dlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static fl_dlog_sink dlog_sink;
static void *dlog_ctx;
static int dlog_level = FL_DLOG_INFO;

void fl_dlog_set_sink(fl_dlog_sink sink, void *ctx)
{
	dlog_sink = sink;
	dlog_ctx = ctx;
}

void fl_dlog_set_level(int level) { dlog_level = level; }
int fl_dlog_level(void) { return dlog_level; }

void fl_dlog(enum fl_dlog_level level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if ((int)level > dlog_level && level > FL_DLOG_WARN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (dlog_sink) {
		dlog_sink(dlog_ctx, level, msg);
	} else {
		char ts[32];
		time_t t = time(NULL);
		struct tm tm;
		strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
		/* Before the log module is open: same rule as fl_log_escape(),
		 * no raw control byte a peer sent reaches the terminal. */
		for (char *p = msg; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		fprintf(stderr, "%s fenliud: %s\n", ts, msg);
	}
}
