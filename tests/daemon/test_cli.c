/* SPDX-License-Identifier: MIT */
/* test_cli.c: fenliu's control verbs against fenliu's own control server
 * (run in a child process with a fixed provider): dump/info/pid/reload/
 * debug/log/stop output exactly as tinc's CLI prints it (CONFIG.md §5.4),
 * and fsck on a generated config directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_ctl.h"
#include "cli_test.h"
#include "control/ctl_pidfile.h"
#include "control/ctl_server.h"
#include "log/log.h"

static const struct fl_ctl_node nodes[] = {
	{"alpha", "ba3ce58667ca", "MYSELF", "16655", 0, 0, 0, 0, 0x700000c, 0x58,
	 "alpha", "alpha", 0, 1518, 0, 1518, 1795575558, -1, 0, 0, 0, 0},
	{"beta", "560c72de72c0", "127.0.0.1", "16656", 0, 0, 0, 0, 0x700000c, 0x8da,
	 "beta", "beta", 1, 1518, 18, 1518, 1795575558, 312, 2, 36, 0, 0},
	{"gamma", "0123456789ab", "unknown", "unknown", 0, 0, 0, 0, 0, 0,
	 "-", "-", -1, 1518, 0, 1518, 0, -1, 0, 0, 0, 0},
};

static const char *p_name(void *ctx) { return "alpha"; }
static void p_nodes(void *ctx, fl_ctl_node_fn *emit, void *sink)
{
	for (size_t i = 0; i < 3; i++)
		emit(sink, &nodes[i]);
}
static void p_edges(void *ctx, fl_ctl_edge_fn *emit, void *sink)
{
	struct fl_ctl_edge e1 = {"alpha", "beta", "127.0.0.1", "16656", "127.0.0.1", "16655", 0x700000c, 100};
	struct fl_ctl_edge e2 = {"beta", "alpha", "127.0.0.1", "16655", "127.0.0.1", "16656", 0x700000c, 100};
	emit(sink, &e1);
	emit(sink, &e2);
}
static void p_subnets(void *ctx, fl_ctl_subnet_fn *emit, void *sink)
{
	struct fl_ctl_subnet s[] = {{"10.0.1.0/24", "alpha"}, {"10.0.2.0/24#5", "beta"},
	                            {"2001:db8::/32", "beta"}, {"ff:ff:ff:ff:ff:ff", NULL}};
	for (size_t i = 0; i < 4; i++)
		emit(sink, &s[i]);
}
static struct fl_ctl_server *srv;
static bool stopping;
static void p_conns(void *ctx, fl_ctl_connection_fn *emit, void *sink)
{
	struct fl_ctl_connection c = {"beta", "127.0.0.1", "16656", 0x700000c, 8, 0x100};
	emit(sink, &c);
	fl_ctl_server_each_connection(srv, emit, sink);
}
static void p_stop(void *ctx) { stopping = true; }
static int p_reload(void *ctx) { return 0; }

static void p_routes(void *ctx, fl_ctl_route_fn *emit, void *sink)
{
	emit(sink, "198.51.100.0/24", "gamma");
	emit(sink, "2001:db8:1::/48", "gamma");
}

static void p_stats(void *ctx, fl_ctl_stat_fn *emit, void *sink)
{
	emit(sink, "drop", "auth", 3);
	emit(sink, "peer:gamma", "drop-oversize", 18446744073709551615ull);
}

static void p_lines(void *ctx, int req, fl_ctl_line_fn *emit, void *sink)
{
	if (req == FL_REQ_DUMP_OFFLOAD) {
		emit(sink, "interface offl0 address 192.0.2.1 address6 -");
		emit(sink, "drop no_mapping 7");
	} else if (req == FL_REQ_DUMP_NEIGHBOURS) {
		emit(sink, "lan0 192.168.200.11 02:00:00:00:00:11 reachable");
	} else {
		emit(sink, "udp 10.0.0.2:5000 192.0.2.1:5000 idle 3 expires 117 active");
	}
}

static const struct fl_ctl_provider prov = {
	NULL, p_name, p_nodes, p_edges, p_subnets, p_conns, NULL, p_stop, p_reload, NULL, NULL, NULL, NULL,
	p_routes, p_stats, p_lines,
};

/* A poll(2) loop standing in for the daemon's event loop. */
static struct pollfd pfds[64];
static int npfds;
static void l_watch(void *ctx, int fd, bool w)
{
	int i = 0;
	while (i < npfds && pfds[i].fd != fd)
		i++;
	if (i == npfds)
		npfds++;
	pfds[i].fd = fd;
	pfds[i].events = (short)(POLLIN | (w ? POLLOUT : 0));
}
static void l_unwatch(void *ctx, int fd)
{
	for (int i = 0; i < npfds; i++)
		if (pfds[i].fd == fd)
			pfds[i] = pfds[--npfds];
}
static const struct fl_ctl_loop_ops loop = {NULL, l_watch, l_unwatch};

static char dir[64], pidpath[128], sockpath[128];
static pid_t server;

static void serve(void)
{
	static char cookie[65];
	fl_cookie_generate(cookie);
	srv = fl_ctl_server_new(&prov, &loop, cookie, getpid());
	int lfd = fl_ctl_server_listen(srv, sockpath);
	if (lfd < 0 || !fl_pidfile_write(pidpath, getpid(), cookie, "127.0.0.1", "655"))
		_exit(1);
	fl_log_set_level(0);
	while (!stopping) {
		if (poll(pfds, (nfds_t)npfds, 5000) <= 0)
			break;
		struct pollfd ready[64];
		int n = npfds;
		memcpy(ready, pfds, sizeof(ready));
		for (int i = 0; i < n; i++) {
			if (!ready[i].revents)
				continue;
			if (ready[i].fd == lfd)
				fl_ctl_server_on_accept(srv);
			else
				fl_ctl_server_on_event(srv, ready[i].fd, ready[i].revents & (POLLIN | POLLHUP),
				                       ready[i].revents & POLLOUT);
		}
		fl_log(1, LOG_NOTICE, "tick");
	}
	fl_ctl_server_free(srv);
	unlink(pidpath);
	_exit(0);
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/fl_cli_XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(pidpath, sizeof(pidpath), "%s/pid", dir);
	snprintf(sockpath, sizeof(sockpath), "%s/pid.socket", dir);
	server = fork();
	if (server == 0)
		serve();
	for (int i = 0; i < 500 && access(pidpath, F_OK) != 0; i++)
		usleep(2000);
	return access(pidpath, F_OK);
}

static int teardown(void **state)
{
	return cli_cleanup(server, dir);
}

/* Runs a verb in this test's directory, capturing stdout and stderr. */
#define run(fn, out, err, ...) cli_run(fn, dir, pidpath, out, err, __VA_ARGS__)
#define put(name, text, mode) cli_put(dir, name, text, mode)

static void test_dump_lines(void **state)
{
	char out[1024];
	assert_int_equal(fl_cli_format_dump_line("18 3 beta 560c72de72c0 127.0.0.1 port 16656 0 0 0 0 700000c 8da beta beta 1 1518 18 1518 1795575558 312 2 36 0 0",
	                                         3, 0, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "beta id 560c72de72c0 at 127.0.0.1 port 16656 cipher 0 digest 0 maclength 0 compression 0 options 700000c status 08da nexthop beta via beta distance 1 pmtu 1518 (min 18 max 1518) rx 2 36 tx 0 0 rtt 0.312");
	assert_int_equal(fl_cli_format_dump_line("18 3 beta 560c72de72c0 127.0.0.1 port 16656 0 0 0 0 700000c 8da beta beta 1",
	                                         3, 0, 0, out, sizeof(out)), -1);
	assert_int_equal(fl_cli_format_dump_line("18 5 10.0.0.0/8#10 alpha", 5, 0, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "10.0.0.0/8 owner alpha");
	assert_int_equal(fl_cli_format_dump_line("18 6 <control> localhost port unix 0 12 200", 6, 0, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "<control> at localhost port unix options 0 socket 12 status 200");
	assert_int_equal(fl_cli_format_dump_line("18 64 198.51.100.0/24 gamma", 64, 0, 0, out, sizeof(out)), 0);
	assert_string_equal(out, "198.51.100.0/24 gamma");
	assert_int_equal(fl_cli_format_dump_line("18 64 198.51.100.0/24", 64, 0, 0, out, sizeof(out)), -1);
}

static void test_dump_verbs(void **state)
{
	char *out, *err;
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "nodes", NULL), 0);
	assert_string_equal(out,
		"alpha id ba3ce58667ca at MYSELF port 16655 cipher 0 digest 0 maclength 0 compression 0 options 700000c status 0058 nexthop alpha via alpha distance 0 pmtu 1518 (min 0 max 1518) rx 0 0 tx 0 0\n"
		"beta id 560c72de72c0 at 127.0.0.1 port 16656 cipher 0 digest 0 maclength 0 compression 0 options 700000c status 08da nexthop beta via beta distance 1 pmtu 1518 (min 18 max 1518) rx 2 36 tx 0 0 rtt 0.312\n"
		"gamma id 0123456789ab at unknown port unknown cipher 0 digest 0 maclength 0 compression 0 options 0 status 0000 nexthop - via - distance -1 pmtu 1518 (min 0 max 1518) rx 0 0 tx 0 0\n");
	assert_string_equal(err, "");
	free(out), free(err);
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "reachable", "nodes", NULL), 0);
	assert_null(strstr(out, "gamma"));
	assert_non_null(strstr(out, "beta id"));
	free(out), free(err);
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "edges", NULL), 0);
	assert_string_equal(out,
		"alpha to beta at 127.0.0.1 port 16656 local 127.0.0.1 port 16655 options 700000c weight 100\n"
		"beta to alpha at 127.0.0.1 port 16655 local 127.0.0.1 port 16656 options 700000c weight 100\n");
	free(out), free(err);
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "subnets", NULL), 0);
	assert_string_equal(out, "10.0.1.0/24 owner alpha\n10.0.2.0/24#5 owner beta\n"
	                         "2001:db8::/32 owner beta\nff:ff:ff:ff:ff:ff owner (broadcast)\n");
	free(out), free(err);
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "routes", NULL), 0);
	assert_string_equal(out, "198.51.100.0/24 gamma\n2001:db8:1::/48 gamma\n");
	assert_string_equal(err, "");
	free(out), free(err);
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "stats", NULL), 0);
	assert_string_equal(out, "drop auth 3\npeer:gamma drop-oversize 18446744073709551615\n");
	assert_string_equal(err, "");
	free(out), free(err);
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "offload", NULL), 0);
	assert_string_equal(out, "interface offl0 address 192.0.2.1 address6 -\ndrop no_mapping 7\n");
	assert_string_equal(err, "");
	free(out), free(err);
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "nat", NULL), 0);
	assert_string_equal(out, "udp 10.0.0.2:5000 192.0.2.1:5000 idle 3 expires 117 active\n");
	assert_string_equal(err, "");
	free(out), free(err);
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "neighbours", NULL), 0);
	assert_string_equal(out, "lan0 192.168.200.11 02:00:00:00:00:11 reachable\n");
	assert_string_equal(err, "");
	free(out), free(err);
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "connections", NULL), 0);
	assert_memory_equal(out, "beta at 127.0.0.1 port 16656 options 700000c socket 8 status 100\n"
	                         "<control> at localhost port unix options 0 socket ", 114);
	free(out), free(err);
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "graph", NULL), 0);
	assert_string_equal(out, "graph {\n"
		" \"alpha\" [label = \"alpha\", color = \"green\", style = \"filled\"];\n"
		" \"beta\" [label = \"beta\", color = \"green\"];\n"
		" \"gamma\" [label = \"gamma\", color = \"red\"];\n"
		" \"beta\" -- \"alpha\" [w = 656.359985, weight = 656.359985];\n"
		"}\n");
	free(out), free(err);
	assert_int_equal(run(fl_cli_dump, &out, &err, "dump", "bogus", NULL), 1);
	assert_string_equal(err, "Unknown dump type 'bogus'.\n");
	free(out), free(err);
}

static void test_info(void **state)
{
	char *out, *err;
	assert_int_equal(run(fl_cli_info, &out, &err, "info", "beta", NULL), 0);
	assert_non_null(strstr(out, "Node:         beta\nNode ID:      560c72de72c0\nAddress:      127.0.0.1 port 16656\nOnline since: "));
	assert_non_null(strstr(out, "Status:       validkey visited reachable sptps udp_confirmed\n"
	                            "Options:      pmtu_discovery clamp_mss\nProtocol:     17.7\n"
	                            "Reachability: directly with UDP\nPMTU:         1518\nRTT:          0.312\n"
	                            "RX:           2 packets  36 bytes\nTX:           0 packets  0 bytes\n"
	                            "Edges:        alpha\nSubnets:      10.0.2.0/24#5 2001:db8::/32\n"));
	free(out), free(err);
	assert_int_equal(run(fl_cli_info, &out, &err, "info", "gamma", NULL), 0);
	assert_non_null(strstr(out, "Last seen:    never\n"));
	assert_non_null(strstr(out, "Reachability: unreachable\n"));
	free(out), free(err);
	assert_int_equal(run(fl_cli_info, &out, &err, "info", "nobody", NULL), 1);
	assert_string_equal(err, "Unknown node nobody.\n");
	free(out), free(err);
	assert_int_equal(run(fl_cli_info, &out, &err, "info", "10.0.1.77", NULL), 0);
	assert_string_equal(out, "Subnet: 10.0.1.0/24\nOwner:  alpha\n");
	free(out), free(err);
	assert_int_equal(run(fl_cli_info, &out, &err, "info", "2001:db8::1", NULL), 0);
	assert_string_equal(out, "Subnet: 2001:db8::/32\nOwner:  beta\n");
	free(out), free(err);
	assert_int_equal(run(fl_cli_info, &out, &err, "info", "10.0.2.0/24", NULL), 0);
	assert_string_equal(out, "Subnet: 10.0.2.0/24#5\nOwner:  beta\n");
	free(out), free(err);
	assert_int_equal(run(fl_cli_info, &out, &err, "info", "192.0.2.1", NULL), 1);
	assert_string_equal(err, "Unknown address 192.0.2.1.\n");
	free(out), free(err);
	assert_int_equal(run(fl_cli_info, &out, &err, "info", "ff:ff:ff:ff:ff:ff", NULL), 0);
	assert_string_equal(out, "Subnet: ff:ff:ff:ff:ff:ff\nOwner:  (broadcast)\n");
	free(out), free(err);
}

static void test_small_verbs(void **state)
{
	char *out, *err, want[32];
	assert_int_equal(run(fl_cli_pid, &out, &err, "pid", NULL), 0);
	snprintf(want, sizeof(want), "%d\n", (int)server);
	assert_string_equal(out, want);
	free(out), free(err);
	assert_int_equal(run(fl_cli_pid, &out, &err, "pid", "x", NULL), 1);
	assert_string_equal(err, "Too many arguments!\n");
	free(out), free(err);
	assert_int_equal(run(fl_cli_reload, &out, &err, "reload", NULL), 0);
	free(out), free(err);
	assert_int_equal(run(fl_cli_retry, &out, &err, "retry", NULL), 0); /* no provider hook */
	free(out), free(err);
	assert_int_equal(run(fl_cli_debug, &out, &err, "debug", "3", NULL), 0);
	assert_string_equal(err, "Old level 0, new level 3.\n");
	free(out), free(err);
	assert_int_equal(run(fl_cli_disconnect, &out, &err, "disconnect", "bad-name", NULL), 1);
	assert_string_equal(err, "Invalid name for node.\n");
	free(out), free(err);
	assert_int_equal(run(fl_cli_disconnect, &out, &err, "disconnect", "beta", NULL), 1);
	assert_string_equal(err, "Could not disconnect beta.\n"); /* provider has no hook: -2 */
	free(out), free(err);
	/* start sees the running daemon and does nothing. */
	assert_int_equal(run(fl_cli_start, &out, &err, "start", NULL), 0);
	snprintf(want, sizeof(want), "with pid %d.\n", (int)server);
	assert_non_null(strstr(err, want));
	free(out), free(err);
}

/* Polls `dump connections` (up to 10 s) until a control connection shows
 * the log bit: the logger has subscribed, so stopping now cannot race it. */
static bool log_subscribed(void)
{
	for (int i = 0; i < 1000; i++) {
		char *out, *err, *st;
		bool found = false;
		if (run(fl_cli_dump, &out, &err, "dump", "connections", NULL) == 0)
			for (st = strstr(out, " status "); st && !found; st = strstr(st + 1, " status "))
				found = strtoul(st + 8, NULL, 16) & FL_CONN_LOG;
		free(out), free(err);
		if (found)
			return true;
		usleep(10000);
	}
	return false;
}

/* `log` streams until the daemon goes away; stop ends both. */
static void test_log_and_stop(void **state)
{
	pid_t logger = fork();
	if (logger == 0) {
		char *out, *err;
		alarm(20);
		run(fl_cli_log, &out, &err, "log", "1", NULL);
		_exit(strstr(out, "NOTICE  tick\n") ? 0 : 1);
	}
	assert_true(log_subscribed());
	char *out, *err;
	assert_int_equal(run(fl_cli_stop, &out, &err, "stop", NULL), 0);
	free(out), free(err);
	int status;
	assert_int_equal(waitpid(server, &status, 0), server);
	server = 0;
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_int_equal(waitpid(logger, &status, 0), logger);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	/* A process that holds the pid file but no socket gets SIGTERM. */
	pid_t sleeper = fork();
	if (sleeper == 0) {
		pause();
		_exit(0);
	}
	assert_true(fl_pidfile_write(pidpath, sleeper, "6C42BA025D0B1E5C831D8880C23B8670043C782B15DD15612B0AFF1BDADC429F",
	                             "127.0.0.1", "655"));
	assert_int_equal(run(fl_cli_stop, &out, &err, "stop", NULL), 0);
	char sent[80];
	snprintf(sent, sizeof(sent), "Sent TERM signal to process with PID %d.\n", (int)sleeper);
	assert_non_null(strstr(err, sent));
	free(out), free(err);
	assert_int_equal(waitpid(sleeper, &status, 0), sleeper);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	/* Its pid is gone: the stale pid file is removed, as tinc does. */
	assert_int_equal(run(fl_cli_pid, &out, &err, "pid", NULL), 1);
	assert_non_null(strstr(err, "Could not find tincd running at pid"));
	free(out), free(err);

	/* Nothing runs any more. */
	assert_int_equal(run(fl_cli_pid, &out, &err, "pid", NULL), 1);
	assert_non_null(strstr(err, "Could not open pid file"));
	free(out), free(err);
}

static void test_fsck(void **state)
{
	char sub[128], *out, *err;
	snprintf(sub, sizeof(sub), "%s/hosts", dir);
	mkdir(sub, 0700);
	/* Key pair from a seed, as tinc stores it: a || prefix || A. */
	char pem[FL_KEYFILE_PRIV_TEXT_LEN + 1], pub[FL_KEYFILE_PUB_LINE_LEN + 1], host[200];
	cli_keypair(1, pem, pub);
	put("tinc.conf", "Name = alpha\nConnectTo = beta\n", 0644);
	put("ed25519_key.priv", pem, 0600);
	snprintf(host, sizeof(host), "Subnet = 10.0.1.0/24\n%s", pub);
	put("hosts/alpha", host, 0644);
	put("hosts/beta", "Address = 192.0.2.2\n", 0644);
	put("tinc-up", "#!/bin/sh\n", 0755);
	assert_int_equal(run(fl_cli_fsck, &out, &err, "fsck", NULL), 0);
	assert_string_equal(err, "");
	free(out), free(err);

	/* Mode = hub is a duplicate: the first (router) counts, as in tinc. */
	put("tinc.conf", "Name = alpha\nConnectTo = beta\nAddress = 192.0.2.9\nMode = router\nMode = hub\n", 0644);
	put("hosts/gamma", "Mode = switch\nCipher = aes-256-cbc\n", 0644);
	assert_int_equal(run(fl_cli_fsck, &out, &err, "fsck", NULL), 0);
	assert_non_null(strstr(err, "WARNING: host variable Address found in server config "));
	assert_non_null(strstr(err, "WARNING: multiple instances of variable Mode in tinc.conf\n"));
	assert_non_null(strstr(err, "WARNING: server variable Mode found in host config "));
	assert_non_null(strstr(err, "WARNING: legacy variable Cipher in "));
	free(out), free(err);
	put("tinc.conf", "Name = alpha\nConnectTo = beta\n", 0644);
	unlink(strcat(strcpy(sub, dir), "/hosts/gamma"));

	put("tinc-up", "#!/bin/sh\n", 0644);
	put("foo-up", "#!/bin/sh\n", 0755);
	put("hosts/beta", "Address = 192.0.2.2\nIndirectData = sometimes\n", 0644);
	put("ed25519_key.priv", pem, 0640);
	assert_int_equal(run(fl_cli_fsck, &out, &err, "fsck", NULL), 1);
	assert_non_null(strstr(err, "WARNING: unsafe file permissions on "));
	/* fenliu refuses such a key (KEYS.md §3.5), so fsck says how to fix it */
	assert_non_null(strstr(err, "fix with: chmod 600 "));
	assert_null(strstr(err, "No Ed25519 private key found"));
	assert_non_null(strstr(err, "tinc-up: Permission denied\n"));
	assert_non_null(strstr(err, "WARNING: Unknown script "));
	assert_non_null(strstr(err, "hosts/beta:2: IndirectData: expected yes or no: 'sometimes'\n"));
	free(out), free(err);

	put("hosts/beta", "Address = 192.0.2.2\n", 0644);
	unlink(strcat(strcpy(sub, dir), "/foo-up"));
	put("tinc-up", "#!/bin/sh\n", 0755);
	put("ed25519_key.priv", pem, 0600);
	put("hosts/alpha", "Ed25519PublicKey = W2iqxnuWYOeGrQy4FqnD9mjygKeSh42zhVhVLswytWO\n", 0644);
	assert_int_equal(run(fl_cli_fsck, &out, &err, "fsck", NULL), 1);
	assert_string_equal(err, "ERROR: public and private Ed25519 keys do not match.\n");
	free(out), free(err);

	/* a corrupt key file: the shared reader's line, then tinc's message */
	char bad[300];
	snprintf(bad, sizeof(bad), "%s", pem);
	bad[strlen("-----BEGIN ED25519 PRIVATE KEY-----\n")] = '!';
	put("ed25519_key.priv", bad, 0600);
	assert_int_equal(run(fl_cli_fsck, &out, &err, "fsck", NULL), 1);
	assert_non_null(strstr(err, "ed25519_key.priv:2: invalid base64 character '!' at column 1\n"));
	assert_non_null(strstr(err, "ERROR: No Ed25519 private key found."));
	free(out), free(err);

	unlink(strcat(strcpy(sub, dir), "/ed25519_key.priv"));
	assert_int_equal(run(fl_cli_fsck, &out, &err, "fsck", NULL), 1);
	assert_non_null(strstr(err, "ERROR: No Ed25519 private key found."));
	free(out), free(err);

	put("tinc.conf", "ConnectTo = beta\n", 0644);
	assert_int_equal(run(fl_cli_fsck, &out, &err, "fsck", NULL), 1);
	assert_non_null(strstr(err, "ERROR: tinc cannot run without a valid Name.\n"));
	free(out), free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_lines),
		cmocka_unit_test(test_dump_verbs),
		cmocka_unit_test(test_info),
		cmocka_unit_test(test_small_verbs),
		cmocka_unit_test(test_log_and_stop),
		cmocka_unit_test(test_fsck),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
