/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the script runner (src/daemon/script.c) with real scripts
 * in a temporary CONFBASE: environment variables, missing scripts, the
 * asynchronous queue's order (one at a time), the timeout, and
 * ScriptsExtension / ScriptsInterpreter.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/script.h"
#include "io/clock.h"

static char dir[64];

static void write_script(const char *name, const char *body)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(body, f);
	fclose(f);
	chmod(path, 0755);
}

static char *read_file(const char *name)
{
	static char buf[4096];
	char path[256];
	size_t n;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static uint64_t now_ms(void)
{
	return (uint64_t)fl_time_to_ms(fl_now_us());
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/fl-script-XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_sync_env(void **state)
{
	struct fl_script_env env = {.confbase = dir, .name = "alpha", .interface = "fl0",
				    .netname = "vpn", .debug = 3};
	const char *vars[] = {"NODE=beta", "SUBNET=10.0.2.0/24", "WEIGHT=", NULL};
	struct fl_script_runner *r;

	(void)state;
	write_script("subnet-up", "#!/bin/sh\necho \"$NAME $INTERFACE $NETNAME $DEBUG $NODE $SUBNET w=$WEIGHT\" > \"$0.out\"\n");
	r = fl_script_new(&env);
	assert_non_null(r);
	assert_int_equal(fl_script_run_sync(r, "subnet-up", vars), 0);
	assert_string_equal(read_file("subnet-up.out"), "alpha fl0 vpn 3 beta 10.0.2.0/24 w=\n");
	assert_int_equal(fl_script_run_sync(r, "host-up", NULL), -1); /* missing: nothing */
	write_script("tinc-down", "#!/bin/sh\nexit 3\n");
	assert_true(WIFEXITED(fl_script_run_sync(r, "tinc-down", NULL)));
	assert_int_equal(fl_script_failed(r), 1);
	fl_script_free(r);
}

static void test_no_shebang_and_extension(void **state)
{
	struct fl_script_env env = {.confbase = dir, .name = "a", .extension = ".sh"};
	struct fl_script_runner *r;

	(void)state;
	write_script("tinc-up.sh", "echo plain > \"$0.out\"\n");
	r = fl_script_new(&env);
	assert_int_equal(fl_script_run_sync(r, "tinc-up", NULL), 0);
	assert_string_equal(read_file("tinc-up.sh.out"), "plain\n");
	fl_script_free(r);
	/* Interpreter: the file is an argument, need not be executable. */
	env.extension = NULL;
	env.interpreter = "/bin/sh";
	write_script("host-up", "echo interp > \"$0.out\"\n");
	chmod("host-up", 0644);
	r = fl_script_new(&env);
	assert_int_equal(fl_script_run_sync(r, "host-up", NULL), 0);
	assert_string_equal(read_file("host-up.out"), "interp\n");
	fl_script_free(r);
}

static void test_queue_order_one_at_a_time(void **state)
{
	struct fl_script_env env = {.confbase = dir, .name = "a"};
	struct fl_script_runner *r;
	char node[32];
	uint64_t end;

	(void)state;
	/* Each run checks nobody else is running (a lock file) and appends. */
	write_script("host-up", "#!/bin/sh\n[ -e \"$0.lock\" ] && echo OVERLAP >> \"$0.out\"\n"
				"touch \"$0.lock\"; sleep 0.05; echo $NODE >> \"$0.out\"; rm \"$0.lock\"\n");
	r = fl_script_new(&env);
	for (int i = 0; i < 5; i++) {
		snprintf(node, sizeof(node), "NODE=n%d", i);
		const char *vars[] = {node, NULL};
		assert_int_equal(fl_script_queue(r, "host-up", vars), 0);
	}
	assert_int_equal(fl_script_queue(r, "host-down", NULL), 0); /* missing */
	end = now_ms() + 10000;
	while (fl_script_tick(r, fl_now_us()) && now_ms() < end)
		usleep(5000);
	assert_string_equal(read_file("host-up.out"), "n0\nn1\nn2\nn3\nn4\n");
	fl_script_free(r);
}

static void test_timeout_kills(void **state)
{
	struct fl_script_env env = {.confbase = dir, .name = "a", .timeout_ms = 200};
	struct fl_script_runner *r;
	uint64_t start = now_ms();

	(void)state;
	write_script("subnet-down", "#!/bin/sh\nsleep 30 & sleep 30\n");
	r = fl_script_new(&env);
	assert_int_equal(fl_script_queue(r, "subnet-down", NULL), 0);
	while (fl_script_tick(r, fl_now_us()))
		usleep(5000);
	assert_true(now_ms() - start < 5000);
	assert_int_equal(fl_script_failed(r), 1);
	assert_int_equal(fl_script_run_sync(r, "subnet-down", NULL), -2);
	assert_true(now_ms() - start < 5000);
	/* Drain runs queued ones synchronously. */
	write_script("host-down", "#!/bin/sh\necho d >> \"$0.out\"\n");
	assert_int_equal(fl_script_queue(r, "host-down", NULL), 0);
	assert_int_equal(fl_script_queue(r, "host-down", NULL), 0);
	fl_script_drain(r);
	assert_string_equal(read_file("host-down.out"), "d\nd\n");
	fl_script_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sync_env, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_shebang_and_extension, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_order_one_at_a_time, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_kills, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
