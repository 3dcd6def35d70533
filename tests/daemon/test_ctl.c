/* SPDX-License-Identifier: MIT */
/* test_ctl.c: control protocol: dump lines (CONFIG.md §5.3 examples), the
 * session state machine, pid file, and a socketpair round trip between
 * ctl_server and ctl_client. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include "control/ctl_client.h"
#include "control/ctl_pidfile.h"
#include "control/ctl_server.h"
#include "control/ctl_session.h"
#include "log/log.h"

#define COOKIE "6C42BA025D0B1E5C831D8880C23B8670043C782B15DD15612B0AFF1BDADC429F"

static const struct fl_ctl_node alpha = {
	"alpha", "ba3ce58667ca", "MYSELF", "16655", 0, 0, 0, 0, 0x700000c, 0x58,
	"alpha", "alpha", 0, 1518, 0, 1518, 1795575558, -1, 0, 0, 0, 0};
static const struct fl_ctl_node beta = {
	"beta", "560c72de72c0", "127.0.0.1", "16656", 0, 0, 0, 0, 0x700000c, 0x8da,
	"beta", "beta", 1, 1518, 18, 1518, 1795575558, 312, 2, 36, 0, 0};

static void test_format(void **state)
{
	char line[512];
	fl_ctl_format_node(line, sizeof(line), &alpha);
	assert_string_equal(line, "18 3 alpha ba3ce58667ca MYSELF port 16655 0 0 0 0 700000c 58 alpha alpha 0 1518 0 1518 1795575558 -1 0 0 0 0");
	fl_ctl_format_node(line, sizeof(line), &beta);
	assert_string_equal(line, "18 3 beta 560c72de72c0 127.0.0.1 port 16656 0 0 0 0 700000c 8da beta beta 1 1518 18 1518 1795575558 312 2 36 0 0");
	struct fl_ctl_edge e = {"alpha", "beta", "127.0.0.1", "16656", "127.0.0.1", "16655", 0x700000c, 0};
	fl_ctl_format_edge(line, sizeof(line), &e);
	assert_string_equal(line, "18 4 alpha beta 127.0.0.1 port 16656 127.0.0.1 port 16655 700000c 0");
	struct fl_ctl_subnet s1 = {"10.0.1.0/24", "alpha"}, s2 = {"ff:ff:ff:ff:ff:ff", NULL};
	fl_ctl_format_subnet(line, sizeof(line), &s1);
	assert_string_equal(line, "18 5 10.0.1.0/24 alpha");
	fl_ctl_format_subnet(line, sizeof(line), &s2);
	assert_string_equal(line, "18 5 ff:ff:ff:ff:ff:ff (broadcast)");
	struct fl_ctl_connection c1 = {"beta", "127.0.0.1", "16656", 0x700000c, 8, 0x100};
	struct fl_ctl_connection c2 = {"<control>", "localhost", "unix", 0, 12, 0x200};
	fl_ctl_format_connection(line, sizeof(line), &c1);
	assert_string_equal(line, "18 6 beta 127.0.0.1 port 16656 700000c 8 100");
	fl_ctl_format_connection(line, sizeof(line), &c2);
	assert_string_equal(line, "18 6 <control> localhost port unix 0 12 200");
	struct fl_ctl_traffic t = {"beta", 1, 2, 3, 4};
	fl_ctl_format_traffic(line, sizeof(line), &t);
	assert_string_equal(line, "18 13 beta 1 2 3 4");
}

/* A small provider standing in for the daemon's state. */
struct fake {
	int stops, reloads, retries, purges;
	struct fl_ctl_server *srv;
};

static const char *p_name(void *ctx) { return "alpha"; }
static void p_nodes(void *ctx, fl_ctl_node_fn *emit, void *sink)
{
	emit(sink, &alpha);
	emit(sink, &beta);
}
static void p_edges(void *ctx, fl_ctl_edge_fn *emit, void *sink)
{
	struct fl_ctl_edge e = {"alpha", "beta", "127.0.0.1", "16656", "127.0.0.1", "16655", 0x700000c, 7};
	emit(sink, &e);
}
static void p_subnets(void *ctx, fl_ctl_subnet_fn *emit, void *sink)
{
	struct fl_ctl_subnet s = {"10.0.1.0/24", "alpha"};
	emit(sink, &s);
}
static void p_conns(void *ctx, fl_ctl_connection_fn *emit, void *sink)
{
	struct fake *f = ctx;
	struct fl_ctl_connection c = {"beta", "127.0.0.1", "16656", 0x700000c, 8, 0x100};
	emit(sink, &c);
	if (f->srv)
		fl_ctl_server_each_connection(f->srv, emit, sink);
}
static void p_stop(void *ctx) { ((struct fake *)ctx)->stops++; }
static int p_reload(void *ctx) { return ((struct fake *)ctx)->reloads++ ? EINVAL : 0; }
static void p_retry(void *ctx) { ((struct fake *)ctx)->retries++; }
static void p_purge(void *ctx) { ((struct fake *)ctx)->purges++; }
static int p_disconnect(void *ctx, const char *name) { return strcmp(name, "beta") ? -2 : 0; }

static struct fake fk;
static const struct fl_ctl_provider prov = {
	&fk, p_name, p_nodes, p_edges, p_subnets, p_conns, NULL,
	p_stop, p_reload, p_retry, p_purge, p_disconnect, NULL, NULL, NULL, NULL,
};

static void feed(struct fl_ctl_session *s, const char *text, bool ok)
{
	assert_int_equal(fl_ctl_session_input(s, &prov, text, strlen(text)), ok);
}

static void expect_out(struct fl_ctl_session *s, const char *want)
{
	assert_int_equal(s->out_len, strlen(want));
	assert_memory_equal(s->out, want, s->out_len);
	fl_ctl_session_consumed(s, s->out_len);
}

static void test_session(void **state)
{
	struct fl_ctl_session s;
	memset(&fk, 0, sizeof(fk));
	fl_ctl_session_init(&s, COOKIE, 4242);
	/* The greeting may arrive in pieces. */
	feed(&s, "0 ^" COOKIE, true);
	assert_int_equal(s.out_len, 0);
	feed(&s, " 0\n", true);
	expect_out(&s, "0 alpha 17.7\n4 0 4242\n");
	feed(&s, "18 3\n18 5\n", true);
	expect_out(&s, "18 3 alpha ba3ce58667ca MYSELF port 16655 0 0 0 0 700000c 58 alpha alpha 0 1518 0 1518 1795575558 -1 0 0 0 0\n"
	               "18 3 beta 560c72de72c0 127.0.0.1 port 16656 0 0 0 0 700000c 8da beta beta 1 1518 18 1518 1795575558 312 2 36 0 0\n"
	               "18 3\n18 5 10.0.1.0/24 alpha\n18 5\n");
	feed(&s, "18 1\n18 1\n18 10\n18 8\n", true);
	expect_out(&s, "18 1 0\n18 1 22\n18 10 0\n18 8 0\n");
	assert_int_equal(fk.retries, 1);
	assert_int_equal(fk.purges, 1);
	feed(&s, "18 12 beta\n18 12 nobody\n18 12\n18 2\n18 7\n18 99\n18 13\n", true);
	expect_out(&s, "18 12 0\n18 12 -2\n18 12 -1\n18 -1\n18 -1\n18 -1\n18 13\n");
	fl_log_set_level(2);
	feed(&s, "18 9 5\n18 9 -1\n", true);
	expect_out(&s, "18 9 2\n18 9 5\n");
	assert_int_equal(fl_log_level(), 5);
	fl_log_set_level(0);
	feed(&s, "18 0\n", true);
	expect_out(&s, "18 0 0\n");
	assert_int_equal(fk.stops, 1);
	assert_true(s.want_stop);
	/* SET_DEBUG without a level, or a non-CONTROL request, closes. */
	feed(&s, "18 9\n", false);
	fl_ctl_session_free(&s);

	fl_ctl_session_init(&s, COOKIE, 1);
	feed(&s, "8 0\n", false);
	fl_ctl_session_free(&s);
	fl_ctl_session_init(&s, COOKIE, 1);
	feed(&s, "0 ^" COOKIE " 0\n12 alpha beta\n", false);
	fl_ctl_session_free(&s);
}

static int debug_now = 7;
static int p_set_debug(void *ctx, int level)
{
	int old = debug_now;
	if (level >= 0)
		debug_now = level;
	return old;
}

/* A provider with its own debug level gets SET_DEBUG. */
static void test_session_set_debug_hook(void **state)
{
	struct fl_ctl_provider p2 = prov;
	p2.set_debug = p_set_debug;
	struct fl_ctl_session s;
	fl_ctl_session_init(&s, COOKIE, 1);
	const char *in = "0 ^" COOKIE " 0\n18 9 2\n18 9 -1\n";
	assert_true(fl_ctl_session_input(&s, &p2, in, strlen(in)));
	fl_ctl_session_consumed(&s, strlen("0 alpha 17.7\n4 0 1\n"));
	expect_out(&s, "18 9 7\n18 9 2\n");
	assert_int_equal(debug_now, 2);
	fl_ctl_session_free(&s);
}

static void test_session_rejects(void **state)
{
	struct fl_ctl_session s;
	const char *bad[] = {
		"0 ^6C42BA025D0B1E5C831D8880C23B8670043C782B15DD15612B0AFF1BDADC429f 0\n", /* case */
		"0 alpha 17.7\n",
		"0 ^" COOKIE "\n",
		"0 ^\n",
		"hello\n",
		"18 3\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fl_ctl_session_init(&s, COOKIE, 1);
		feed(&s, bad[i], false);
		assert_int_equal(s.out_len, 0);
		fl_ctl_session_free(&s);
	}
	/* An endless line is cut off. */
	char big[5000];
	memset(big, 'a', sizeof(big));
	fl_ctl_session_init(&s, COOKIE, 1);
	assert_false(fl_ctl_session_input(&s, &prov, big, sizeof(big)));
	fl_ctl_session_free(&s);
	assert_true(fl_ctl_is_control_id("0 ^ABC 0"));
	assert_false(fl_ctl_is_control_id("0 alpha 17.7"));
}

static void test_session_streams(void **state)
{
	struct fl_ctl_session s;
	fl_ctl_session_init(&s, COOKIE, 1);
	feed(&s, "0 ^" COOKIE " 0\n18 15 3 0\n18 14 4\n", true);
	fl_ctl_session_consumed(&s, s.out_len);
	fl_ctl_session_log(&s, 5, LOG_INFO, "too verbose", 0, 0);
	assert_int_equal(s.out_len, 0);
	fl_ctl_session_log(&s, 3, LOG_INFO, "hello", 0, 0);
	char head[32];
	size_t hl = (size_t)(memchr(s.out, '\n', s.out_len) - (void *)s.out) + 1;
	memcpy(head, s.out, hl);
	head[hl] = '\0';
	size_t n;
	assert_int_equal(sscanf(head, "18 15 %zu", &n), 1);
	assert_int_equal(hl + n, s.out_len);
	assert_memory_equal(s.out + s.out_len - 13, "INFO    hello", 13);
	fl_ctl_session_consumed(&s, s.out_len);
	fl_ctl_session_pcap(&s, "abcdefgh", 8, 0);
	expect_out(&s, "18 14 4\nabcd");
	/* A full buffer drops stream data instead of growing. */
	fl_ctl_session_pcap(&s, "abcdefgh", 8, 10);
	fl_ctl_session_pcap(&s, "abcdefgh", 8, 10);
	assert_int_equal(s.out_len, 0);
	fl_ctl_session_free(&s);
}

static void test_pidfile(void **state)
{
	char dir[] = "/tmp/fl_pid_XXXXXX", path[64];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/pid", dir);
	unsigned char rnd[32];
	for (int i = 0; i < 32; i++)
		rnd[i] = (unsigned char)(i * 37 + 5);
	char cookie[65];
	fl_cookie_from_random(rnd, cookie);
	assert_int_equal(strlen(cookie), 64);
	assert_int_equal(strspn(cookie, "0123456789ABCDEF"), 64);
	assert_memory_equal(cookie, "052A4F7499BEE308", 16);
	assert_true(fl_pidfile_write(path, 7466, cookie, "127.0.0.1", "655"));
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	struct fl_pidfile pf;
	assert_true(fl_pidfile_read(path, &pf));
	assert_int_equal(pf.pid, 7466);
	assert_string_equal(pf.cookie, cookie);
	assert_string_equal(pf.host, "127.0.0.1");
	assert_string_equal(pf.port, "655");
	const char *t = "7466 " COOKIE " 127.0.0.1 port 655\n";
	assert_true(fl_pidfile_parse(t, strlen(t), &pf));
	assert_false(fl_pidfile_parse("7466 ABC\n", 9, &pf));
	assert_false(fl_pidfile_parse("", 0, &pf));
	fl_pidfile_remove(path);
	assert_int_not_equal(access(path, F_OK), 0);
	rmdir(dir);

	/* Host and port of a wildcard listener become loopback. */
	char host[64], port[16];
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {.sin_family = AF_INET};
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	socklen_t sl = sizeof(sa);
	getsockname(fd, (struct sockaddr *)&sa, &sl);
	fl_pidfile_local_address(fd, host, port);
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(atoi(port), ntohs(sa.sin_port));
	close(fd);
	fd = socket(AF_INET6, SOCK_STREAM, 0);
	if (fd >= 0) {
		struct sockaddr_in6 s6 = {.sin6_family = AF_INET6};
		if (bind(fd, (struct sockaddr *)&s6, sizeof(s6)) == 0) {
			fl_pidfile_local_address(fd, host, port);
			assert_string_equal(host, "::1");
		}
		close(fd);
	}
	fl_pidfile_local_address(-1, host, port);
	assert_string_equal(port, "655");
}

/* Loop ops that only record what the server asked for. */
struct watch_log {
	int watched, unwatched;
	bool want_write;
};
static void w_watch(void *ctx, int fd, bool w)
{
	((struct watch_log *)ctx)->watched++;
	((struct watch_log *)ctx)->want_write = w;
}
static void w_unwatch(void *ctx, int fd) { ((struct watch_log *)ctx)->unwatched++; }

static void test_socketpair_roundtrip(void **state)
{
	int sv[2];
	struct watch_log wl = {0};
	struct fl_ctl_loop_ops ops = {&wl, w_watch, w_unwatch};
	memset(&fk, 0, sizeof(fk));
	struct fl_ctl_server *srv = fl_ctl_server_new(&prov, &ops, COOKIE, 4242);
	fk.srv = srv;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_true(fl_ctl_server_adopt(srv, sv[0], NULL));
	assert_int_equal(fl_ctl_server_clients(srv), 1);

	/* The client writes, the "loop" reports readability, and so on. */
	struct fl_ctl_client c = {.fd = sv[1]};
	assert_true(fl_ctl_client_sendf(&c, "0 ^%s 0", COOKIE));
	fl_ctl_server_on_event(srv, sv[0], true, false);
	char line[4096];
	assert_true(fl_ctl_client_recvline(&c, line, sizeof(line)));
	assert_string_equal(line, "0 alpha 17.7");
	assert_true(fl_ctl_client_recvline(&c, line, sizeof(line)));
	assert_string_equal(line, "4 0 4242");

	assert_true(fl_ctl_client_sendf(&c, "18 6"));
	fl_ctl_server_on_event(srv, sv[0], true, false);
	assert_true(fl_ctl_client_recvline(&c, line, sizeof(line)));
	assert_string_equal(line, "18 6 beta 127.0.0.1 port 16656 700000c 8 100");
	assert_true(fl_ctl_client_recvline(&c, line, sizeof(line)));
	char want[100];
	snprintf(want, sizeof(want), "18 6 <control> localhost port unix 0 %d 200", sv[0]);
	assert_string_equal(line, want);
	assert_true(fl_ctl_client_recvline(&c, line, sizeof(line)));
	assert_string_equal(line, "18 6");

	/* LOG subscription: fl_log() output reaches the client. */
	assert_true(fl_ctl_client_sendf(&c, "18 15 1 0"));
	fl_ctl_server_on_event(srv, sv[0], true, false);
	fl_log(1, LOG_NOTICE, "peer %s up", "beta");
	fl_log(4, LOG_DEBUG, "not for this client");
	assert_true(wl.want_write);
	fl_ctl_server_on_event(srv, sv[0], false, true);
	assert_true(fl_ctl_client_recvline(&c, line, sizeof(line)));
	size_t n;
	assert_int_equal(sscanf(line, "18 15 %zu", &n), 1);
	char msg[1200];
	assert_true(n < sizeof(msg));
	assert_true(fl_ctl_client_recvdata(&c, msg, n));
	msg[n] = '\0';
	assert_non_null(strstr(msg, "NOTICE  peer beta up"));

	/* STOP: reply, then EOF once the server is freed. */
	assert_true(fl_ctl_client_sendf(&c, "18 0"));
	fl_ctl_server_on_event(srv, sv[0], true, false);
	assert_int_equal(fk.stops, 1);
	fl_ctl_server_free(srv);
	fk.srv = NULL;
	assert_true(fl_ctl_client_recvline(&c, line, sizeof(line)));
	assert_string_equal(line, "18 0 0");
	assert_false(fl_ctl_client_recvline(&c, line, sizeof(line)));
	assert_int_equal(wl.unwatched, 1);
	fl_ctl_client_close(&c);
}

static void test_unix_listener(void **state)
{
	char dir[] = "/tmp/fl_sock_XXXXXX", sock[64], pid[64];
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/tinc.socket", dir);
	snprintf(pid, sizeof(pid), "%s/tinc.pid", dir);
	memset(&fk, 0, sizeof(fk));
	struct fl_ctl_server *srv = fl_ctl_server_new(&prov, NULL, COOKIE, getpid());
	int lfd = fl_ctl_server_listen(srv, sock);
	assert_true(lfd >= 0);
	struct stat st;
	assert_int_equal(stat(sock, &st), 0);
	assert_int_equal(st.st_mode & 077, 0); /* bound under umask 077 */
	/* A second daemon must not steal a live socket. */
	struct fl_ctl_server *srv2 = fl_ctl_server_new(&prov, NULL, COOKIE, getpid());
	assert_int_equal(fl_ctl_server_listen(srv2, sock), -1);
	assert_int_equal(errno, EADDRINUSE);
	fl_ctl_server_free(srv2);

	assert_true(fl_pidfile_write(pid, getpid(), COOKIE, "127.0.0.1", "655"));
	/* Connect from a child so the blocking client and the server both run. */
	pid_t child = fork();
	if (child == 0) {
		struct fl_ctl_client c;
		char err[256], line[4096];
		int r;
		if (fl_ctl_client_connect(&c, pid, sock, err, sizeof(err)) != FL_CTLC_OK)
			_exit(1);
		if (strcmp(c.name, "alpha") != 0 || c.pid != getppid())
			_exit(2);
		if (!fl_ctl_client_request(&c, 10, NULL, &r) || r != 0)
			_exit(3);
		if (!fl_ctl_client_sendf(&c, "18 4") || !fl_ctl_client_recvline(&c, line, sizeof(line)))
			_exit(4);
		if (strcmp(line, "18 4 alpha beta 127.0.0.1 port 16656 127.0.0.1 port 16655 700000c 7"))
			_exit(5);
		fl_ctl_client_close(&c);
		_exit(0);
	}
	/* Serve until the child is done: poll the listener and the client. */
	int status = -1;
	for (int i = 0; i < 2000; i++) {
		fl_ctl_server_on_accept(srv);
		for (int fd = 3; fd < 64; fd++)
			fl_ctl_server_on_event(srv, fd, true, true);
		if (waitpid(child, &status, WNOHANG) == child)
			break;
		usleep(1000);
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(fk.retries, 1);
	fl_ctl_server_free(srv);
	assert_int_not_equal(access(sock, F_OK), 0); /* removed at exit */
	unlink(pid);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_session_set_debug_hook),
		cmocka_unit_test(test_session_rejects),
		cmocka_unit_test(test_session_streams),
		cmocka_unit_test(test_pidfile),
		cmocka_unit_test(test_socketpair_roundtrip),
		cmocka_unit_test(test_unix_listener),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
