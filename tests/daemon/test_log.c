/* SPDX-License-Identifier: MIT */
/* test_log.c: the daemon logger: levels, file format, reopen, the control
 * sink and tinc's control-log text (src/log). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log/log.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = calloc(1, 8192);
	size_t n = fread(buf, 1, 8191, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_file_and_levels(void **state)
{
	char dir[] = "/tmp/fl_log_XXXXXX", path[64], moved[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/log", dir);
	snprintf(moved, sizeof(moved), "%s/log.1", dir);
	assert_true(fl_log_open(FL_LOGMODE_FILE, path, "tinc.vpn"));
	fl_log_set_level(1);
	fl_log(FL_DEBUG_ALWAYS, LOG_NOTICE, "Ready\n");
	fl_log(FL_DEBUG_CONNECTIONS, LOG_INFO, "Connection from %s", "192.0.2.1");
	fl_log(FL_DEBUG_PROTOCOL, LOG_DEBUG, "hidden");
	char *t = slurp(path);
	char want[64];
	snprintf(want, sizeof(want), " tinc.vpn[%ld]: Ready\n", (long)getpid());
	assert_non_null(strstr(t, want));
	assert_non_null(strstr(t, "]: Connection from 192.0.2.1\n"));
	assert_null(strstr(t, "hidden"));
	assert_int_equal(t[4], '-'); /* "YYYY-MM-DD HH:MM:SS " */
	assert_int_equal(t[19], ' ');
	free(t);
	/* logrotate moved the file: reopen writes a new one. */
	assert_int_equal(rename(path, moved), 0);
	assert_true(fl_log_reopen());
	fl_log(0, LOG_NOTICE, "after");
	t = slurp(path);
	assert_non_null(strstr(t, "]: after\n"));
	free(t);
	fl_log_close();
	assert_false(fl_log_open(FL_LOGMODE_FILE, "/nonexistent/dir/log", "x"));
	fl_log_close();
	unlink(path);
	unlink(moved);
	rmdir(dir);
}

struct seen {
	int n, level, prio;
	char msg[256];
};

static void sink(void *ctx, int level, int prio, const char *msg)
{
	struct seen *s = ctx;
	s->n++;
	s->level = level;
	s->prio = prio;
	snprintf(s->msg, sizeof(s->msg), "%s", msg);
}

/* A sink that logs (as an event loop reporting an error might). */
static int reentered;
static void noisy_sink(void *ctx, int level, int prio, const char *msg)
{
	reentered++;
	fl_log(0, LOG_ERR, "from inside the sink");
}

static void test_sink_reentry(void **state)
{
	fl_log_open(FL_LOGMODE_NULL, NULL, NULL);
	fl_log_set_sink(noisy_sink, NULL, 3);
	fl_log(0, LOG_NOTICE, "outer");
	assert_int_equal(reentered, 1);
	fl_log_set_sink(NULL, NULL, 0);
	fl_log_close();
}

static void test_sink_and_format(void **state)
{
	struct seen s = {0};
	fl_log_open(FL_LOGMODE_NULL, NULL, NULL);
	fl_log_set_level(0);
	assert_int_equal(fl_log_wanted_level(), 0);
	fl_log_set_sink(sink, &s, 5);
	assert_int_equal(fl_log_wanted_level(), 5);
	fl_log(5, LOG_DEBUG, "for the sink %d", 5);
	fl_log(6, LOG_DEBUG, "too verbose");
	assert_int_equal(s.n, 1);
	assert_string_equal(s.msg, "for the sink 5");
	fl_log_set_sink(NULL, NULL, 0);
	fl_log(0, LOG_ERR, "no sink");
	assert_int_equal(s.n, 1);

	char out[256];
	size_t n = fl_log_format(out, sizeof(out), LOG_WARNING, "careful", false);
	assert_int_equal(n, strlen(out));
	assert_string_equal(out + 20, "WARNING careful");
	fl_log_format(out, sizeof(out), LOG_ERR, "bad", true);
	assert_memory_equal(out, "\033[90m", 5);
	assert_non_null(strstr(out, "\033[31;1mERROR  \033[0m bad"));
	fl_log_format(out, sizeof(out), 99, "odd", false);
	assert_string_equal(out + 20, "UNKNOWN odd");
	fl_log_close();
}

/* A peer's name or request line with ESC, CR, BEL reaches the targets and
 * the sink only as \xNN text (issue 22.7). */
static void test_escape(void **state)
{
	struct seen s = {0};
	char out[16];

	fl_log_open(FL_LOGMODE_NULL, NULL, NULL);
	fl_log_set_sink(sink, &s, 5);
	fl_log(0, LOG_ERR, "Error from %s: '%s'", "10.0.0.1", "0 \033[2J\rfake\a\x7f");
	assert_string_equal(s.msg, "Error from 10.0.0.1: '0 \\x1b[2J\\x0dfake\\x07\\x7f'");
	fl_log_set_sink(NULL, NULL, 0);
	fl_log_close();
	/* Truncation never splits an escape and always terminates. */
	assert_int_equal(fl_log_escape(out, sizeof(out), "abcdefghijkl\033"), 12);
	assert_string_equal(out, "abcdefghijkl");
	assert_int_equal(fl_log_escape(out, 1, "x"), 0);
	assert_string_equal(out, "");
	assert_int_equal(fl_log_escape(out, sizeof(out), "\xc3\xa9 ok"), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_and_levels),
		cmocka_unit_test(test_sink_and_format),
		cmocka_unit_test(test_sink_reentry),
		cmocka_unit_test(test_escape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
