/* SPDX-License-Identifier: MIT */
/* test_tincd_compat.c: compatibility with a stock tinc 1.1 (CONFIG.md §5):
 * fenliu's verbs against a real tincd (output byte-identical to tinc's own
 * CLI), and tinc's CLI against fenliu's control server. Skipped (exit 77)
 * unless TINC11_DIR names a directory holding tincd and tinc. Loopback
 * only: tincd runs in a temp config dir with a dummy device and Port 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_ctl.h"
#include "cli_test.h"
#include "control/ctl_pidfile.h"
#include "control/ctl_server.h"

static const char *tdir;
static char dir[64], pidpath[128];

/* Runs a verb in this test's directory, capturing stdout and stderr. */
#define run(fn, out, err, ...) cli_run(fn, dir, pidpath, out, err, __VA_ARGS__)
#define put(name, text, mode) cli_put(dir, name, text, mode)

static void make_config(void)
{
	char sub[128], text[400], pub[FL_KEYFILE_PUB_LINE_LEN + 1];
	snprintf(sub, sizeof(sub), "%s/hosts", dir);
	mkdir(sub, 0700);
	cli_keypair(7, text, pub);
	put("ed25519_key.priv", text, 0600);
	put("tinc.conf", "Name = alpha\nDeviceType = dummy\nPort = 0\nAddressFamily = ipv4\n"
	                 "ConnectTo = beta\nBindToAddress = 127.0.0.1\n", 0644);
	snprintf(text, sizeof(text), "Subnet = 10.0.1.0/24\nSubnet = 2001:db8:1::/48#5\n%s", pub);
	put("hosts/alpha", text, 0644);
	put("hosts/beta", "Address = 127.0.0.1 9\nSubnet = 10.0.2.0/24\n", 0644);
}

static pid_t tincd;

static int setup(void **state)
{
	tdir = getenv("TINC11_DIR");
	strcpy(dir, "/tmp/fl_tincd_XXXXXX");
	if (!mkdtemp(dir) || sodium_init() < 0)
		return -1;
	snprintf(pidpath, sizeof(pidpath), "%s/pid", dir);
	return 0;
}

/* A failed test can leave the tincd that `fenliu start` detached (or
 * serve()) running, holding the control socket the next test needs: end
 * whoever the pid file names. */
static void end_pidfile_daemon(void)
{
	FILE *f = fopen(pidpath, "r");
	long pid = 0;
	if (f) {
		if (fscanf(f, "%ld", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid > 0 && pid != tincd && kill((pid_t)pid, SIGTERM) == 0)
		for (int i = 0; i < 2000 && kill((pid_t)pid, 0) == 0; i++)
			usleep(5000);
}

static int teardown(void **state)
{
	end_pidfile_daemon();
	return cli_cleanup(tincd, dir);
}

/* Output of tinc's own CLI for the same command. */
static char *stock_tinc(const char *args)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "'%s/tinc' -c '%s' --pidfile='%s' %s 2>&1", tdir, dir, pidpath, args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char *buf = calloc(1, 65536);
	size_t n = fread(buf, 1, 65535, p);
	buf[n] = '\0';
	pclose(p);
	return buf;
}

static void compare(const char *what, char **argv_words)
{
	char *out, *err;
	char args[128];
	snprintf(args, sizeof(args), "%s", what);
	if (argv_words[2])
		assert_int_equal(run(fl_cli_dump, &out, &err, argv_words[0], argv_words[1], argv_words[2], NULL), 0);
	else
		assert_int_equal(run(fl_cli_dump, &out, &err, argv_words[0], argv_words[1], NULL), 0);
	char *ref = stock_tinc(args);
	assert_string_equal(out, ref);
	assert_string_equal(err, "");
	free(ref), free(out), free(err);
}

/* Polls `pid` (5 ms steps, 20 s deadline) until the daemon's control socket
 * answers; returns the pid, 0 on timeout. tincd writes its pid file before
 * it listens on the socket, so the file alone does not mean it is up. */
static long answered_pid(void)
{
	for (int i = 0; i < 4000; i++) {
		char *out, *err;
		long pid = run(fl_cli_pid, &out, &err, "pid", NULL) == 0 ? atol(out) : 0;
		free(out), free(err);
		if (pid > 0)
			return pid;
		usleep(5000);
	}
	return 0;
}

/* fenliu's verbs against a stock tincd. */
static void test_fenliu_cli_vs_tincd(void **state)
{
	make_config();
	char bin[512], cb[128], pf[160], lf[160];
	snprintf(bin, sizeof(bin), "%s/tincd", tdir);
	snprintf(cb, sizeof(cb), "%s", dir);
	snprintf(pf, sizeof(pf), "--pidfile=%s", pidpath);
	snprintf(lf, sizeof(lf), "--logfile=%s/log", dir);
	tincd = fork();
	if (tincd == 0) {
		execl(bin, bin, "-c", cb, "-D", "-d3", pf, lf, (char *)NULL);
		_exit(127);
	}
	assert_int_equal(answered_pid(), tincd);
	char *out, *err;

	char *w1[] = {"dump", "nodes", NULL}, *w2[] = {"dump", "edges", NULL};
	char *w3[] = {"dump", "subnets", NULL}, *w4[] = {"dump", "reachable", "nodes"};
	char *w5[] = {"dump", "graph", NULL}, *w6[] = {"dump", "digraph", NULL};
	compare("dump nodes", w1);
	compare("dump edges", w2);
	compare("dump subnets", w3);
	compare("dump reachable nodes", w4);
	compare("dump graph", w5);
	compare("dump digraph", w6);

	/* connections: the control line's socket number differs per client. */
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "connections", NULL), 0);
	assert_non_null(strstr(out, "<control> at localhost port unix options 0 socket "));
	free(out), free(err);

	const char *infos[] = {"alpha", "beta", "10.0.1.5", "10.0.2.0/24", "2001:db8:1::/48#5", "192.0.2.1"};
	for (size_t i = 0; i < sizeof(infos) / sizeof(infos[0]); i++) {
		char args[64];
		snprintf(args, sizeof(args), "info %s", infos[i]);
		char *ref = stock_tinc(args);
		run(fl_cli_info, &out, &err, "info", infos[i], NULL);
		char *mine = malloc(strlen(out) + strlen(err) + 1);
		strcat(strcpy(mine, out), err);
		assert_string_equal(mine, ref);
		free(mine), free(ref), free(out), free(err);
	}

	assert_int_equal(run(fl_cli_reload, &out, &err, "reload", NULL), 0);
	free(out), free(err);
	assert_int_equal(run(fl_cli_retry, &out, &err, "retry", NULL), 0);
	free(out), free(err);
	assert_int_equal(run(fl_cli_purge, &out, &err, "purge", NULL), 0);
	free(out), free(err);
	assert_int_equal(run(fl_cli_debug, &out, &err, "debug", "4", NULL), 0);
	assert_string_equal(err, "Old level 3, new level 4.\n");
	free(out), free(err);
	assert_int_equal(run(fl_cli_start, &out, &err, "start", NULL), 0);
	assert_non_null(strstr(err, "A tincd is already running with pid"));
	free(out), free(err);

	assert_int_equal(run(fl_cli_stop, &out, &err, "stop", NULL), 0);
	free(out), free(err);
	int status;
	assert_int_equal(waitpid(tincd, &status, 0), tincd);
	tincd = 0;
	assert_true(WIFEXITED(status));
	assert_int_not_equal(access(pidpath, F_OK), 0);

	/* start spawns the daemon ($FENLIUD; here tincd, which detaches) with
	 * -c, --pidfile and the extra options; stop ends it again. */
	char bin2[512], lf2[160];
	snprintf(bin2, sizeof(bin2), "%s/tincd", tdir);
	snprintf(lf2, sizeof(lf2), "--logfile=%s/log2", dir);
	setenv("FENLIUD", bin2, 1);
	assert_int_equal(run(fl_cli_start, &out, &err, "start", lf2, NULL), 0);
	free(out), free(err);
	unsetenv("FENLIUD");
	long dpid = answered_pid();
	assert_true(dpid > 0);
	assert_int_equal(run(fl_cli_stop, &out, &err, "stop", NULL), 0);
	free(out), free(err);
	for (int i = 0; i < 1000 && kill((pid_t)dpid, 0) == 0; i++)
		usleep(5000);
	assert_int_not_equal(kill((pid_t)dpid, 0), 0);

	/* fsck finds this tincd directory fine but for what fenliud would
	 * refuse: DeviceType = dummy (conf_support.c), named with FILE:LINE. */
	assert_int_equal(run(fl_cli_fsck, &out, &err, "fsck", NULL), 1);
	assert_non_null(strstr(err, "tinc.conf:2: DeviceType: only tun and tap are supported"));
	assert_null(strstr(err, "WARNING"));
	free(out), free(err);
}

/* tinc's CLI against fenliu's control server. */
static const struct fl_ctl_node nodes[] = {
	{"alpha", "ba3ce58667ca", "MYSELF", "16655", 0, 0, 0, 0, 0x700000c, 0x58,
	 "alpha", "alpha", 0, 1518, 0, 1518, 1795575558, -1, 0, 0, 0, 0},
	{"beta", "560c72de72c0", "127.0.0.1", "16656", 0, 0, 0, 0, 0x700000c, 0x8da,
	 "beta", "beta", 1, 1518, 18, 1518, 1795575558, 312, 2, 36, 0, 0},
};
static const char *p_name(void *ctx) { return "alpha"; }
static void p_nodes(void *ctx, fl_ctl_node_fn *emit, void *sink)
{
	emit(sink, &nodes[0]);
	emit(sink, &nodes[1]);
}
static void p_subnets(void *ctx, fl_ctl_subnet_fn *emit, void *sink)
{
	struct fl_ctl_subnet s = {"10.0.1.0/24", "alpha"};
	emit(sink, &s);
}
static bool stopping;
static void p_stop(void *ctx) { stopping = true; }
static const struct fl_ctl_provider prov = {NULL, p_name, p_nodes, NULL, p_subnets, NULL, NULL, p_stop,
                                            NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};

static void serve(void)
{
	char cookie[65];
	fl_cookie_generate(cookie);
	struct fl_ctl_server *srv = fl_ctl_server_new(&prov, NULL, cookie, getpid());
	char sock[200];
	snprintf(sock, sizeof(sock), "%s.socket", pidpath);
	int lfd = fl_ctl_server_listen(srv, sock);
	if (lfd < 0 || !fl_pidfile_write(pidpath, getpid(), cookie, "127.0.0.1", "655"))
		_exit(1);
	for (int i = 0; i < 20000 && !stopping; i++) {
		struct pollfd p = {.fd = lfd, .events = POLLIN};
		poll(&p, 1, 1);
		if (p.revents)
			fl_ctl_server_on_accept(srv);
		for (int fd = 3; fd < 64; fd++)
			if (fd != lfd)
				fl_ctl_server_on_event(srv, fd, true, true);
	}
	fl_ctl_server_free(srv);
	unlink(pidpath);
	_exit(0);
}

static void test_tinc_cli_vs_fenliu(void **state)
{
	end_pidfile_daemon();
	unlink(pidpath);
	pid_t server = fork();
	if (server == 0)
		serve();
	/* serve() writes the pid file after it listens: the file is enough.
	 * 20 s: the fork of an ASan binary is slow on a loaded machine. */
	for (int i = 0; i < 10000 && access(pidpath, R_OK) != 0; i++)
		usleep(2000);
	char *out, *err, want[64];
	char *ref = stock_tinc("pid");
	snprintf(want, sizeof(want), "%d\n", (int)server);
	assert_string_equal(ref, want);
	free(ref);
	ref = stock_tinc("dump nodes");
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "nodes", NULL), 0);
	assert_string_equal(ref, out);
	assert_non_null(strstr(ref, "beta id 560c72de72c0 at 127.0.0.1 port 16656"));
	free(ref), free(out), free(err);
	ref = stock_tinc("info 10.0.1.1");
	assert_string_equal(ref, "Subnet: 10.0.1.0/24\nOwner:  alpha\n");
	free(ref);
	ref = stock_tinc("stop");
	assert_string_equal(ref, "");
	free(ref);
	int status;
	assert_int_equal(waitpid(server, &status, 0), server);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void)
{
	const char *t = getenv("TINC11_DIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/tincd", t ? t : "");
	if (!t || access(path, X_OK) != 0) {
		printf("skip: set TINC11_DIR to a directory with a stock tinc 1.1 tincd and tinc\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fenliu_cli_vs_tincd),
		cmocka_unit_test(test_tinc_cli_vs_fenliu),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
