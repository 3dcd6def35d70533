/* SPDX-License-Identifier: MIT */
/* test_daemon_path.c: where `fenliu start` finds fenliud
 * (cli_daemon_path.c): $FENLIUD, beside the CLI, the build tree's
 * src/cli -> src/daemon, the installed bin -> sbin, else the PATH search. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli_ctl_internal.h"

static void touch_exe(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	assert_true(fd >= 0);
	close(fd);
}

static void test_daemon_path(void **state)
{
	char dir[] = "/tmp/fl_dpath_XXXXXX";
	char p[PATH_MAX], argv0[PATH_MAX], out[PATH_MAX];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(p, sizeof(p), "%s/src", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/src/cli", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/src/daemon", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(argv0, sizeof(argv0), "%s/src/cli/fenliu", dir);

	/* nothing there: PATH search (the test binary has no fenliud near it) */
	fl_cli_daemon_path(NULL, argv0, out, sizeof(out));
	assert_string_equal(out, "fenliud");
	fl_cli_daemon_path("", "fenliu", out, sizeof(out));
	assert_string_equal(out, "fenliud");

	/* build tree: src/cli/fenliu -> src/daemon/fenliud */
	snprintf(p, sizeof(p), "%s/src/daemon/fenliud", dir);
	touch_exe(p);
	fl_cli_daemon_path(NULL, argv0, out, sizeof(out));
	snprintf(p, sizeof(p), "%s/src/cli/../daemon/fenliud", dir);
	assert_string_equal(out, p);

	/* installed side by side wins over the build tree */
	snprintf(p, sizeof(p), "%s/src/cli/fenliud", dir);
	touch_exe(p);
	fl_cli_daemon_path(NULL, argv0, out, sizeof(out));
	assert_string_equal(out, p);

	/* $FENLIUD wins over everything */
	fl_cli_daemon_path("/opt/x/fenliud", argv0, out, sizeof(out));
	assert_string_equal(out, "/opt/x/fenliud");

	unlink(p);
	snprintf(p, sizeof(p), "%s/src/daemon/fenliud", dir);
	unlink(p);

	/* installed: PREFIX/bin/fenliu -> PREFIX/sbin/fenliud (tinc's layout) */
	snprintf(p, sizeof(p), "%s/bin", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/sbin", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(argv0, sizeof(argv0), "%s/bin/fenliu", dir);
	fl_cli_daemon_path(NULL, argv0, out, sizeof(out));
	assert_string_equal(out, "fenliud");
	snprintf(p, sizeof(p), "%s/sbin/fenliud", dir);
	touch_exe(p);
	fl_cli_daemon_path(NULL, argv0, out, sizeof(out));
	snprintf(p, sizeof(p), "%s/bin/../sbin/fenliud", dir);
	assert_string_equal(out, p);
	snprintf(p, sizeof(p), "%s/sbin/fenliud", dir);
	unlink(p);
	snprintf(p, sizeof(p), "%s/sbin", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/bin", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/src/daemon", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/src/cli", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/src", dir);
	rmdir(p);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_daemon_path),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
