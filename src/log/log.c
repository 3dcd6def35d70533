/* SPDX-License-Identifier: MIT */
/* log.c: the daemon's logger (see log.h). Called from everywhere in
 * src/daemon; the control server registers a sink for `fenliu log`. */
#include "log/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct {
	enum fl_log_mode mode;
	int level;
	FILE *file;
	char path[4096];
	char ident[300];
	fl_log_sink_fn *sink;
	void *sink_ctx;
	int sink_level;
	pthread_mutex_t lock;
} lg = {
	.mode = FL_LOGMODE_STDERR,
	.level = 0,
	.sink_level = -1,
	.ident = "fenliud",
	/* Recursive: the sink may make the event loop log (e.g. a failed
	 * epoll_ctl) while this thread holds the lock. */
	.lock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP,
};

/* Set while this thread runs the sink: a message logged from inside the
 * sink goes to the target only, never back into the sink. */
static _Thread_local bool in_sink;

bool fl_log_open(enum fl_log_mode mode, const char *file, const char *ident)
{
	fl_log_close();
	if (ident)
		snprintf(lg.ident, sizeof(lg.ident), "%s", ident);
	lg.mode = mode;
	if (mode == FL_LOGMODE_FILE) {
		snprintf(lg.path, sizeof(lg.path), "%s", file ? file : "");
		lg.file = fopen(lg.path, "a");
		if (!lg.file) {
			lg.mode = FL_LOGMODE_STDERR;
			return false;
		}
	} else if (mode == FL_LOGMODE_SYSLOG) {
		openlog(lg.ident, LOG_CONS | LOG_PID, LOG_DAEMON);
	}
	return true;
}

bool fl_log_reopen(void)
{
	if (lg.mode != FL_LOGMODE_FILE)
		return true;
	FILE *f = fopen(lg.path, "a");
	if (!f)
		return false;
	pthread_mutex_lock(&lg.lock);
	fclose(lg.file);
	lg.file = f;
	pthread_mutex_unlock(&lg.lock);
	return true;
}

void fl_log_close(void)
{
	if (lg.mode == FL_LOGMODE_FILE && lg.file)
		fclose(lg.file);
	else if (lg.mode == FL_LOGMODE_SYSLOG)
		closelog();
	lg.file = NULL;
	lg.mode = FL_LOGMODE_STDERR;
}

void fl_log_set_level(int level)
{
	lg.level = level;
}

int fl_log_level(void)
{
	return lg.level;
}

int fl_log_wanted_level(void)
{
	return lg.level > lg.sink_level ? lg.level : lg.sink_level;
}

void fl_log_set_sink(fl_log_sink_fn *fn, void *ctx, int sink_level)
{
	pthread_mutex_lock(&lg.lock);
	lg.sink = fn;
	lg.sink_ctx = ctx;
	lg.sink_level = fn ? sink_level : -1;
	pthread_mutex_unlock(&lg.lock);
}

static const char *prio_name(int p, const char **color)
{
	static const char *const names[] = {"EMERG", "ALERT", "CRITICAL", "ERROR",
	                                    "WARNING", "NOTICE", "INFO", "DEBUG"};
	static const char *const colors[] = {"\033[35;1m", "\033[35;1m", "\033[35;1m", "\033[31;1m",
	                                     "\033[33;1m", "\033[36;1m", "\033[32;1m", "\033[34;1m"};
	if (p < 0 || p > 7) {
		*color = "\033[37;1m";
		return "UNKNOWN";
	}
	*color = colors[p];
	return names[p];
}

size_t fl_log_format(char *out, size_t outlen, int priority, const char *msg, bool color)
{
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	const char *c;
	const char *name = prio_name(priority, &c);
	int n;
	if (color)
		n = snprintf(out, outlen, "\033[90m%s %s%-7s\033[0m %s", ts, c, name, msg);
	else
		n = snprintf(out, outlen, "%s %-7s %s", ts, name, msg);
	if (n < 0)
		return 0;
	return (size_t)n < outlen ? (size_t)n : outlen - 1;
}

static void write_target(int priority, const char *msg)
{
	char line[1200];
	switch (lg.mode) {
	case FL_LOGMODE_STDERR:
		fl_log_format(line, sizeof(line), priority, msg, false);
		fprintf(stderr, "%s\n", line);
		break;
	case FL_LOGMODE_FILE: {
		char ts[32];
		time_t now = time(NULL);
		struct tm tm;
		strftime(ts, sizeof(ts), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
		fprintf(lg.file, "%s %s[%ld]: %s\n", ts, lg.ident, (long)getpid(), msg);
		fflush(lg.file);
		break;
	}
	case FL_LOGMODE_SYSLOG:
		syslog(priority, "%s", msg);
		break;
	case FL_LOGMODE_NULL:
		break;
	}
}

size_t fl_log_escape(char *out, size_t cap, const char *msg)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (!cap)
		return 0;
	for (; *msg; msg++) {
		unsigned char c = (unsigned char)*msg;
		bool ctl = c < 0x20 || c == 0x7f;
		if (o + (ctl ? 4 : 1) >= cap)
			break;
		if (!ctl) {
			out[o++] = (char)c;
			continue;
		}
		out[o++] = '\\';
		out[o++] = 'x';
		out[o++] = hex[c >> 4];
		out[o++] = hex[c & 15];
	}
	out[o] = '\0';
	return o;
}

void fl_log(int level, int priority, const char *fmt, ...)
{
	if (level > lg.level && level > lg.sink_level)
		return;
	int saved = errno;
	char raw[1024], msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	size_t len = strlen(raw);
	if (len && raw[len - 1] == '\n')
		raw[len - 1] = '\0';
	fl_log_escape(msg, sizeof(msg), raw);
	pthread_mutex_lock(&lg.lock);
	if (level <= lg.level)
		write_target(priority, msg);
	if (lg.sink && level <= lg.sink_level && !in_sink) {
		in_sink = true;
		lg.sink(lg.sink_ctx, level, priority, msg);
		in_sink = false;
	}
	pthread_mutex_unlock(&lg.lock);
	errno = saved;
}
