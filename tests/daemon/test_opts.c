/* SPDX-License-Identifier: MIT */
/* test_opts.c: fenliud's command line and tinc's path rules
 * (CONFIG.md §1.1, §1.4, §4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conf/conf_paths.h"
#include "conf/daemon_opts.h"
#include "conf/daemon_proc.h"

static bool parse(struct fl_daemon_options *o, char *err, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	va_start(ap, err);
	argv[argc++] = "fenliud";
	for (char *a; (a = va_arg(ap, char *)) != NULL && argc < 31;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	return fl_daemon_opts_parse(o, argc, argv, err, 256);
}

static void test_defaults(void **state)
{
	struct fl_daemon_options o;
	char err[256];
	assert_true(parse(&o, err, NULL));
	assert_true(o.detach);
	assert_int_equal(o.debug_level, 0);
	assert_int_equal(o.log_target, FL_LOG_SYSLOG);
	assert_null(o.confbase);
	assert_null(o.netname);
	assert_int_equal(o.cmdline.n, 0);
	fl_daemon_opts_free(&o);

	assert_true(parse(&o, err, "-D", NULL));
	assert_false(o.detach);
	assert_int_equal(o.log_target, FL_LOG_STDERR);
	fl_daemon_opts_free(&o);
}

static void test_debug_levels(void **state)
{
	struct fl_daemon_options o;
	char err[256];
	assert_true(parse(&o, err, "-d", "-d", "-d", NULL));
	assert_int_equal(o.debug_level, 3);
	fl_daemon_opts_free(&o);
	assert_true(parse(&o, err, "-d5", NULL));
	assert_int_equal(o.debug_level, 5);
	fl_daemon_opts_free(&o);
	assert_true(parse(&o, err, "-d", "4", "-D", NULL));
	assert_int_equal(o.debug_level, 4);
	assert_false(o.detach);
	fl_daemon_opts_free(&o);
	assert_true(parse(&o, err, "--debug=2", "-d", NULL));
	assert_int_equal(o.debug_level, 3);
	fl_daemon_opts_free(&o);
	assert_true(parse(&o, err, "--debug", NULL));
	assert_int_equal(o.debug_level, 1);
	fl_daemon_opts_free(&o);
}

static void test_paths_and_logs(void **state)
{
	struct fl_daemon_options o;
	char err[256], cwd[1024];
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_true(parse(&o, err, "-c", "rel/dir", "-n", "vpn", "--pidfile=/tmp/x.pid",
	                  "--logfile", "-D", NULL));
	char want[1200];
	snprintf(want, sizeof(want), "%s/rel/dir", cwd);
	assert_string_equal(o.confbase, want);
	assert_string_equal(o.netname, "vpn");
	assert_string_equal(o.pidfile, "/tmp/x.pid");
	assert_null(o.logfile);
	assert_int_equal(o.log_target, FL_LOG_FILE);
	fl_daemon_opts_free(&o);

	assert_true(parse(&o, err, "--logfile=/tmp/l", "--syslog", "-D", NULL));
	assert_int_equal(o.log_target, FL_LOG_SYSLOG);
	assert_string_equal(o.logfile, "/tmp/l");
	fl_daemon_opts_free(&o);
	assert_true(parse(&o, err, "--logfile", "/tmp/m", NULL));
	assert_string_equal(o.logfile, "/tmp/m");
	assert_int_equal(o.log_target, FL_LOG_FILE);
	fl_daemon_opts_free(&o);
}

static void test_options(void **state)
{
	struct fl_daemon_options o;
	char err[256];
	assert_true(parse(&o, err, "-o", "Mode=switch", "--option", "beta.Port = 656",
	                  "-oPingInterval 10", NULL));
	assert_int_equal(o.cmdline.n, 3);
	const struct fl_conf_entry *e = fl_conf_first(&o.cmdline, "mode");
	assert_string_equal(e->value, "switch");
	assert_null(e->file);
	assert_int_equal(e->line, 1);
	e = fl_conf_first(&o.cmdline, "beta.Port");
	assert_string_equal(e->value, "656");
	assert_string_equal(fl_conf_first(&o.cmdline, "PingInterval")->value, "10");
	fl_daemon_opts_free(&o);

	assert_false(parse(&o, err, "-o", "Mode", NULL));
	assert_non_null(strstr(err, "-o"));
	fl_daemon_opts_free(&o);
	assert_false(parse(&o, err, "--frobnicate", NULL));
	fl_daemon_opts_free(&o);
	assert_false(parse(&o, err, "extra", NULL));
	assert_string_equal(err, "unrecognized argument 'extra'");
	fl_daemon_opts_free(&o);
	assert_false(parse(&o, err, "-c", NULL));
	fl_daemon_opts_free(&o);
	assert_true(parse(&o, err, "-L", "-R", "-U", "nobody", "--bypass-security", "--help",
	                  "--version", NULL));
	assert_true(o.mlock && o.chroot && o.bypass_security && o.show_help && o.show_version);
	assert_string_equal(o.user, "nobody");
	fl_daemon_opts_free(&o);
}

static void test_paths(void **state)
{
	struct fl_paths p;
	unsetenv("NETNAME");
	assert_true(fl_paths_resolve(&p, NULL, "vpn", NULL, NULL, false));
	assert_string_equal(p.confbase, FL_SYSCONFDIR "/tinc/vpn");
	assert_string_equal(p.ident, "tinc.vpn");
	if (!p.fallback) {
		assert_string_equal(p.pidfile, FL_RUNSTATEDIR "/tinc.vpn.pid");
		assert_string_equal(p.socket, FL_RUNSTATEDIR "/tinc.vpn.socket");
		assert_string_equal(p.logfile, FL_LOCALSTATEDIR "/log/tinc.vpn.log");
	}
	assert_true(fl_paths_resolve(&p, NULL, NULL, NULL, NULL, false));
	assert_string_equal(p.confbase, FL_SYSCONFDIR "/tinc");
	assert_string_equal(p.ident, "tinc");
	setenv("NETNAME", "envnet", 1);
	assert_true(fl_paths_resolve(&p, NULL, NULL, NULL, NULL, false));
	assert_string_equal(p.confbase, FL_SYSCONFDIR "/tinc/envnet");
	assert_true(fl_paths_resolve(&p, NULL, ".", NULL, NULL, false));
	assert_string_equal(p.confbase, FL_SYSCONFDIR "/tinc");
	unsetenv("NETNAME");
	assert_true(fl_paths_resolve(&p, "/tmp/cb", "vpn", "/tmp/cb/my.pid", "/tmp/l", true));
	assert_true(p.both_given);
	assert_string_equal(p.confbase, "/tmp/cb");
	assert_string_equal(p.pidfile, "/tmp/cb/my.pid");
	assert_string_equal(p.socket, "/tmp/cb/my.socket");
	assert_string_equal(p.logfile, "/tmp/l");
	assert_true(fl_paths_resolve(&p, "/tmp/cb", NULL, "/tmp/cb/pidfile", NULL, true));
	assert_string_equal(p.socket, "/tmp/cb/pidfile.socket");
	assert_false(fl_paths_resolve(&p, NULL, "a/b", NULL, NULL, true));
	assert_false(fl_paths_resolve(&p, NULL, ".hidden", NULL, NULL, true));
	assert_true(fl_paths_resolve(&p, NULL, "a b", NULL, NULL, true));
	assert_true(p.netname_unsafe);

	/* The CLI falls back to CONFBASE/pid when only that one exists. */
	char dir[] = "/tmp/fl_paths_XXXXXX", f[64];
	assert_non_null(mkdtemp(dir));
	snprintf(f, sizeof(f), "%s/pid", dir);
	FILE *fp = fopen(f, "w");
	fputs("1 x\n", fp);
	fclose(fp);
	assert_true(fl_paths_resolve(&p, dir, "flnosuchnet", NULL, NULL, false));
	assert_true(p.fallback);
	assert_string_equal(p.pidfile, f);
	unlink(f);
	rmdir(dir);
}

/* The process that ran fl_daemonize() exits with the daemon's verdict. */
static void test_daemonize(void **state)
{
	for (int want = 0; want < 8; want += 7) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			int fd = fl_daemonize();
			if (fd < 0)
				_exit(99);
			fl_daemonize_done(fd, want);
			_exit(0);
		}
		int status;
		assert_int_equal(waitpid(pid, &status, 0), pid);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_debug_levels),
		cmocka_unit_test(test_paths_and_logs),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_daemonize),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
