/* SPDX-License-Identifier: MIT */
/*
 * test_proxy.c: the proxy handshakes of io/proxy.h against byte strings
 * written from the RFCs (1928, 1929, 9110) and the SOCKS 4 memo: the exact
 * requests, replies split at every byte, each refusal, and that bytes
 * after the proxy's reply are left for the peer.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "io/proxy.h"

static const uint8_t v4[4] = {192, 0, 2, 7};
static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

/* Feed reply in pieces of size step; collect what the machine writes.
 * Returns the final result; *used = reply bytes consumed in all. */
static enum fl_proxy_err feed(struct fl_proxy_hs *h, const uint8_t *reply, size_t len, size_t step,
			      uint8_t *sent, size_t *sent_len, size_t *used)
{
	enum fl_proxy_err e = FL_PROXY_MORE;
	uint8_t out[FL_PROXY_OUT_MAX];
	size_t off = 0;

	*used = 0;
	while (off < len && e == FL_PROXY_MORE) {
		size_t n = len - off < step ? len - off : step, c = 0, ol = 0;
		e = fl_proxy_hs_input(h, reply + off, n, &c, out, sizeof(out), &ol);
		assert_true(c <= n);
		memcpy(sent + *sent_len, out, ol);
		*sent_len += ol;
		off += c;
		*used += c;
		if (!c && e == FL_PROXY_MORE)
			fail_msg("no progress");
	}
	return e;
}

static void test_socks4(void **st)
{
	static const uint8_t req[] = {4, 1, 0x02, 0x8f, 192, 0, 2, 7, 'b', 'o', 'b', 0};
	static const uint8_t ok[] = {0, 90, 0, 0, 0, 0, 0, 0, '0', ' '};
	static const uint8_t no[] = {0, 91, 0, 0, 0, 0, 0, 0};
	static const uint8_t bad[] = {5, 90, 0, 0, 0, 0, 0, 0};
	struct fl_proxy_hs h;
	uint8_t out[FL_PROXY_OUT_MAX], sent[64];
	size_t ol, sl = 0, used;

	(void)st;
	assert_int_equal(fl_proxy_hs_init(&h, FL_PROXY_SOCKS4, AF_INET6, v6, 655, NULL, NULL),
			 FL_PROXY_ERR_ARG);
	for (size_t step = 1; step <= sizeof(ok); step++) {
		assert_int_equal(fl_proxy_hs_init(&h, FL_PROXY_SOCKS4, AF_INET, v4, 655, "bob", NULL),
				 FL_PROXY_MORE);
		assert_int_equal(fl_proxy_hs_start(&h, out, sizeof(out), &ol), FL_PROXY_MORE);
		assert_int_equal(ol, sizeof(req));
		assert_memory_equal(out, req, sizeof(req));
		sl = 0;
		assert_int_equal(feed(&h, ok, sizeof(ok), step, sent, &sl, &used), FL_PROXY_DONE);
		assert_int_equal(used, 8); /* "0 " is the peer's */
		assert_int_equal(sl, 0);
	}
	fl_proxy_hs_init(&h, FL_PROXY_SOCKS4, AF_INET, v4, 655, NULL, NULL);
	fl_proxy_hs_start(&h, out, sizeof(out), &ol);
	assert_int_equal(ol, 9);
	sl = 0;
	assert_int_equal(feed(&h, no, sizeof(no), 3, sent, &sl, &used), FL_PROXY_ERR_REJECTED);
	assert_int_equal(h.code, 91);
	fl_proxy_hs_init(&h, FL_PROXY_SOCKS4, AF_INET, v4, 655, NULL, NULL);
	fl_proxy_hs_start(&h, out, sizeof(out), &ol);
	assert_int_equal(feed(&h, bad, sizeof(bad), 8, sent, &sl, &used), FL_PROXY_ERR_VERSION);
	/* sticky */
	assert_int_equal(fl_proxy_hs_input(&h, ok, 8, &used, out, sizeof(out), &ol), FL_PROXY_ERR_STATE);
}

static void test_socks5_anonymous(void **st)
{
	static const uint8_t conn4[] = {5, 1, 0, 1, 192, 0, 2, 7, 0x02, 0x8f};
	/* choice, then a reply with a domain-name bound address, then the peer's bytes */
	static const uint8_t reply[] = {5, 0, 5, 0, 0, 3, 4, 'h', 'o', 's', 't', 0x1f, 0x90, '0', ' ', 'x'};
	struct fl_proxy_hs h;
	uint8_t out[FL_PROXY_OUT_MAX], sent[64];
	size_t ol, sl, used;

	(void)st;
	for (size_t step = 1; step <= sizeof(reply); step++) {
		fl_proxy_hs_init(&h, FL_PROXY_SOCKS5, AF_INET, v4, 655, "alice", NULL);
		assert_int_equal(fl_proxy_hs_start(&h, out, sizeof(out), &ol), FL_PROXY_MORE);
		assert_int_equal(ol, 3);
		assert_memory_equal(out, ((uint8_t[]){5, 1, 0}), 3); /* no password: no auth */
		sl = 0;
		assert_int_equal(feed(&h, reply, sizeof(reply), step, sent, &sl, &used), FL_PROXY_DONE);
		assert_int_equal(used, 13);
		assert_int_equal(sl, sizeof(conn4));
		assert_memory_equal(sent, conn4, sizeof(conn4));
	}
}

static void test_socks5_password(void **st)
{
	static const uint8_t auth[] = {1, 5, 'a', 'l', 'i', 'c', 'e', 2, 'p', 'w'};
	static const uint8_t conn6[] = {5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
					0, 0, 0, 0, 0, 0, 0, 1, 0x02, 0x8f};
	static const uint8_t reply[] = {5, 2, 1, 0, 5, 0, 0, 4, 1, 2, 3, 4, 5, 6, 7, 8,
					9, 10, 11, 12, 13, 14, 15, 16, 0, 80};
	struct fl_proxy_hs h;
	uint8_t out[FL_PROXY_OUT_MAX], sent[128];
	size_t ol, sl, used;

	(void)st;
	for (size_t step = 1; step <= sizeof(reply); step++) {
		fl_proxy_hs_init(&h, FL_PROXY_SOCKS5, AF_INET6, v6, 655, "alice", "pw");
		fl_proxy_hs_start(&h, out, sizeof(out), &ol);
		assert_memory_equal(out, ((uint8_t[]){5, 1, 2}), 3);
		sl = 0;
		assert_int_equal(feed(&h, reply, sizeof(reply), step, sent, &sl, &used), FL_PROXY_DONE);
		assert_int_equal(used, sizeof(reply));
		assert_int_equal(sl, sizeof(auth) + sizeof(conn6));
		assert_memory_equal(sent, auth, sizeof(auth));
		assert_memory_equal(sent + sizeof(auth), conn6, sizeof(conn6));
	}
}

/* Each refusal the proxy can give, by its error. */
static void test_socks5_refusals(void **st)
{
	static const struct {
		const char *user, *pass;
		uint8_t reply[8];
		size_t len;
		enum fl_proxy_err e;
	} cases[] = {
		{NULL, NULL, {5, 0xff}, 2, FL_PROXY_ERR_METHOD},
		{NULL, NULL, {5, 2}, 2, FL_PROXY_ERR_METHOD}, /* a method we did not offer */
		{NULL, NULL, {4, 0}, 2, FL_PROXY_ERR_VERSION},
		{"u", "p", {5, 2, 1, 1}, 4, FL_PROXY_ERR_AUTH},
		{"u", "p", {5, 2, 2, 0}, 4, FL_PROXY_ERR_VERSION},
		{NULL, NULL, {5, 0, 5, 5, 0, 1}, 6, FL_PROXY_ERR_REJECTED},
		{NULL, NULL, {5, 0, 5, 0, 0, 9}, 6, FL_PROXY_ERR_ADDR_TYPE},
		{NULL, NULL, {5, 0, 1, 0, 0, 1}, 6, FL_PROXY_ERR_VERSION},
	};
	struct fl_proxy_hs h;
	uint8_t out[FL_PROXY_OUT_MAX], sent[128];
	size_t ol, sl, used;

	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fl_proxy_hs_init(&h, FL_PROXY_SOCKS5, AF_INET, v4, 655, cases[i].user, cases[i].pass);
		fl_proxy_hs_start(&h, out, sizeof(out), &ol);
		sl = 0;
		assert_int_equal(feed(&h, cases[i].reply, cases[i].len, 1, sent, &sl, &used), cases[i].e);
		assert_string_not_equal(fl_proxy_strerror(cases[i].e), "unknown proxy error");
	}
	char longname[300];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	assert_int_equal(fl_proxy_hs_init(&h, FL_PROXY_SOCKS5, AF_INET, v4, 655, longname, "p"),
			 FL_PROXY_ERR_ARG);
	assert_int_equal(fl_proxy_hs_start(&h, out, sizeof(out), &ol), FL_PROXY_ERR_ARG);
}

static void test_http(void **st)
{
	static const char req6[] = "CONNECT [2001:db8::1]:655 HTTP/1.1\r\nHost: [2001:db8::1]:655\r\n\r\n";
	static const char ok[] = "HTTP/1.0 200 Connection established\r\nProxy-agent: x\r\n\r\n0 bob 17.7\n";
	static const char lf[] = "HTTP/1.1 200 OK\n\n";
	static const char no[] = "HTTP/1.1 403 Forbidden\r\n\r\n";
	static const char junk[] = "SSH-2.0-OpenSSH\r\n";
	struct fl_proxy_hs h;
	uint8_t out[FL_PROXY_OUT_MAX], sent[8];
	size_t ol, sl = 0, used;

	(void)st;
	for (size_t step = 1; step < sizeof(ok); step++) {
		fl_proxy_hs_init(&h, FL_PROXY_HTTP, AF_INET6, v6, 655, NULL, NULL);
		fl_proxy_hs_start(&h, out, sizeof(out), &ol);
		assert_int_equal(ol, strlen(req6));
		assert_memory_equal(out, req6, ol);
		assert_int_equal(feed(&h, (const uint8_t *)ok, sizeof(ok) - 1, step, sent, &sl, &used),
				 FL_PROXY_DONE);
		assert_int_equal(used, strlen(ok) - strlen("0 bob 17.7\n"));
	}
	fl_proxy_hs_init(&h, FL_PROXY_HTTP, AF_INET, v4, 655, NULL, NULL);
	fl_proxy_hs_start(&h, out, sizeof(out), &ol);
	assert_memory_equal(out, "CONNECT 192.0.2.7:655 HTTP/1.1\r\n", 32);
	assert_int_equal(feed(&h, (const uint8_t *)lf, strlen(lf), 100, sent, &sl, &used), FL_PROXY_DONE);
	fl_proxy_hs_init(&h, FL_PROXY_HTTP, AF_INET, v4, 655, NULL, NULL);
	fl_proxy_hs_start(&h, out, sizeof(out), &ol);
	assert_int_equal(feed(&h, (const uint8_t *)no, strlen(no), 5, sent, &sl, &used),
			 FL_PROXY_ERR_HTTP_STATUS);
	assert_int_equal(h.code, 403);
	fl_proxy_hs_init(&h, FL_PROXY_HTTP, AF_INET, v4, 655, NULL, NULL);
	fl_proxy_hs_start(&h, out, sizeof(out), &ol);
	assert_int_equal(feed(&h, (const uint8_t *)junk, strlen(junk), 5, sent, &sl, &used),
			 FL_PROXY_ERR_HTTP_SYNTAX);
}

/* A proxy that never ends its header is cut off, not buffered forever. */
static void test_http_endless(void **st)
{
	static const char head[] = "HTTP/1.1 200 OK\r\n";
	struct fl_proxy_hs h;
	uint8_t out[FL_PROXY_OUT_MAX], line[100];
	size_t ol, used;
	enum fl_proxy_err e;
	size_t total = 0;

	(void)st;
	memset(line, 'a', sizeof(line));
	line[sizeof(line) - 1] = '\n';
	fl_proxy_hs_init(&h, FL_PROXY_HTTP, AF_INET, v4, 655, NULL, NULL);
	fl_proxy_hs_start(&h, out, sizeof(out), &ol);
	e = fl_proxy_hs_input(&h, (const uint8_t *)head, strlen(head), &used, out, sizeof(out), &ol);
	assert_int_equal(e, FL_PROXY_MORE);
	while (e == FL_PROXY_MORE) {
		e = fl_proxy_hs_input(&h, line, sizeof(line), &used, out, sizeof(out), &ol);
		total += used;
		assert_true(total <= FL_PROXY_HTTP_MAX);
	}
	assert_int_equal(e, FL_PROXY_ERR_HTTP_SYNTAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_socks4),
		cmocka_unit_test(test_socks5_anonymous),
		cmocka_unit_test(test_socks5_password),
		cmocka_unit_test(test_socks5_refusals),
		cmocka_unit_test(test_http),
		cmocka_unit_test(test_http_endless),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
