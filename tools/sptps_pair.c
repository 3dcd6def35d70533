/* SPDX-License-Identifier: MIT */
/*
 * sptps_pair: one end of an authenticated SPTPS stream over real TCP, set
 * up the way tinc 1.1 sets up a meta connection (META.md §3.1, §3.2): the
 * plaintext ID lines "0 NAME 17.7", then an SPTPS stream session with the
 * label "tinc TCP key expansion INITIATOR RESPONDER\0", keys taken from
 * tinc-style configuration directories (as made by `fenliu init`).
 *
 *   sptps_pair -c DIR listen [--port-file FILE]     responder, 127.0.0.1
 *   sptps_pair -c DIR connect PEER HOST PORT [--tamper|--tinc]   initiator
 *   sptps_pair -c DIR connect PEER HOST PORT --flood FILE
 *
 * Requests travel as tinc's do: one type-0 record each, text with its '\n'
 * (META.md §2.2). After the handshake the initiator sends PING ("8\n"),
 * the responder answers PONG ("9\n"); then a message that the responder
 * echoes. With --tamper the initiator flips one ciphertext bit of a last
 * record on its way out: the responder must reject it and close, as tincd
 * does. With --tinc the peer is a stock tincd: the initiator sends ACK,
 * then PING, and waits for tincd's PONG among its requests.
 * With --flood the initiator is an authenticated but hostile peer
 * (tests/faults/hostile_peer.sh): after its ACK it sends every line of
 * FILE as a request, reading what the peer sends meanwhile, then PING, and
 * reports how long the peer took to answer PONG.
 * Each step is printed as "[NAME] ...". Used by scripts/demo.sh.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "tool_io.h"
#include "cli/cli.h"
#include "keys/keyfile_io.h"
#include "crypto/b64.h"
#include "crypto/sptps.h"

#define PAIR_TIMEOUT_MS 10000
#define PAIR_REPLY_MAX 512

struct pair {
	struct fl_cli cli;             /* confbase, for the fenliu helpers */
	char name[256], peer[256];
	struct fl_ed25519_key key;
	uint8_t peer_pub[FL_ED25519_PUBLIC_LEN];
	int fd;
	struct fl_sptps *s;
	bool initiator, keyed, tamper_next, eof, got_pong;
	bool quiet;                    /* --flood: no line per record */
	bool ping_pending;             /* --flood: the peer PINGed us */
	int timeout_ms;                /* silence allowed from the peer */
	unsigned records_in;           /* application records received */
	char last[PAIR_REPLY_MAX];     /* body of the last record received */
	char reply[PAIR_REPLY_MAX + 8]; /* responder: answer queued by deliver */
	bool have_reply;
};

static void say(const struct pair *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const struct pair *p, const char *fmt, ...)
{
	va_list ap;

	printf("[%s] ", p->name[0] ? p->name : "?");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* Wait for input (bounded), then read what is there. 0 on EOF, -1 error. */
static ssize_t pair_read(struct pair *p, uint8_t *buf, size_t cap)
{
	struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
	int r = poll(&pfd, 1, p->timeout_ms);

	if (r == 0) {
		say(p, "timed out waiting for %s", p->peer[0] ? p->peer : "the peer");
		return -1;
	}
	if (r < 0)
		return -1;
	ssize_t n = read(p->fd, buf, cap);
	if (n < 0 && errno == ECONNRESET)
		return 0; /* the peer closed with our data unread: a close all the same */
	return n;
}

/* ---- SPTPS callbacks (called from inside fl_sptps_*; never re-enter) ---- */

static int cb_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
	return 0;
}

static int cb_send(void *ctx, uint8_t type, const uint8_t *rec, size_t len)
{
	struct pair *p = ctx;
	uint8_t copy[FL_SPTPS_MAX_BODY + FL_SPTPS_STREAM_OVERHEAD];

	if (p->tamper_next && type != FL_SPTPS_HANDSHAKE && len > 3 && len <= sizeof copy) {
		memcpy(copy, rec, len);
		copy[3] ^= 0x01; /* first ciphertext byte after LEN and TYPE */
		p->tamper_next = false;
		say(p, "sending a record with one ciphertext bit flipped on the wire");
		return tool_write_all(p->fd, copy, len);
	}
	return tool_write_all(p->fd, rec, len);
}

/* text for printing: a request's final '\n' shown as \n */
static const char *pair_show(const char *text, char out[static PAIR_REPLY_MAX + 16])
{
	size_t n = strlen(text);
	bool nl = n > 0 && text[n - 1] == '\n';

	snprintf(out, PAIR_REPLY_MAX + 16, "%.*s%s", (int)(n - nl), text, nl ? "\\n" : "");
	return out;
}

/* The responder answers PING with PONG and echoes anything else. */
static int cb_deliver(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct pair *p = ctx;
	size_t n = len < sizeof p->last - 1 ? len : sizeof p->last - 1;
	char show[PAIR_REPLY_MAX + 16];

	memcpy(p->last, body, n);
	p->last[n] = 0;
	p->records_in++;
	if (!p->quiet)
		say(p, "received record type %u, %zu bytes: \"%s\"", type, len,
		    pair_show(p->last, show));
	if (strcmp(p->last, "9\n") == 0)
		p->got_pong = true;
	if (p->quiet && strcmp(p->last, "8\n") == 0)
		p->ping_pending = true; /* answered outside the callback */
	if (!p->initiator) {
		if (strcmp(p->last, "8\n") == 0)
			snprintf(p->reply, sizeof p->reply, "9\n");
		else
			snprintf(p->reply, sizeof p->reply, "echo: %s", p->last);
		p->have_reply = true;
	}
	return 0;
}

static void cb_done(void *ctx)
{
	struct pair *p = ctx;

	p->keyed = true;
	say(p, "SPTPS handshake with %s done: both signatures verified, keys in use", p->peer);
}

static const struct fl_sptps_callbacks pair_cb = {
	.random = cb_random,
	.send = cb_send,
	.deliver = cb_deliver,
	.handshake_done = cb_done,
};

/* ---- keys and the plaintext ID exchange ---- */

static int pair_load_self(struct pair *p)
{
	char path[FL_CLI_PATH_MAX], err[KEYFILE_IO_ERRLEN], b64[64];

	if (cli_conf_name(&p->cli, p->name, sizeof p->name, true) != 1)
		return -1;
	if (!cli_path(path, &p->cli, "ed25519_key.priv"))
		return -1;
	if (keyfile_io_load_private(path, &p->key, err) != 0) {
		say(p, "%s", err);
		return -1;
	}
	fl_b64_encode(b64, sizeof b64, p->key.pub, FL_ED25519_PUBLIC_LEN, false);
	say(p, "loaded private key %s (public %s)", path, b64);
	return 0;
}

static int pair_load_peer(struct pair *p)
{
	char path[FL_CLI_PATH_MAX], rel[300], err[KEYFILE_IO_ERRLEN], b64[64];

	snprintf(rel, sizeof rel, "hosts/%s", p->peer);
	if (!cli_path(path, &p->cli, rel))
		return -1;
	if (keyfile_io_load_host_public(path, p->peer_pub, err) != 0) {
		say(p, "unknown identity %s: %s", p->peer, err);
		return -1;
	}
	fl_b64_encode(b64, sizeof b64, p->peer_pub, FL_ED25519_PUBLIC_LEN, false);
	say(p, "loaded %s's public key %s from %s", p->peer, b64, path);
	return 0;
}

static int pair_send_id(struct pair *p)
{
	char line[300];
	int n = snprintf(line, sizeof line, "0 %s 17.7\n", p->name);

	say(p, "-> ID \"0 %s 17.7\"", p->name);
	return tool_write_all(p->fd, (const uint8_t *)line, (size_t)n);
}

/* Read the peer's ID line byte by byte (its SPTPS KEX may follow at once)
 * and check it as tinc does: name rule, not ourselves, major 17, minor >= 2
 * (SPTPS), and the expected name when we are the initiator. */
static int pair_recv_id(struct pair *p)
{
	char line[300], name[256];
	size_t n = 0;
	int major, minor = 0;

	while (n < sizeof line - 1) {
		uint8_t c;
		ssize_t r = pair_read(p, &c, 1);
		if (r <= 0) {
			say(p, "connection closed before the peer's ID");
			return -1;
		}
		if (c == '\n')
			break;
		line[n++] = (char)c;
	}
	line[n] = 0;
	if (sscanf(line, "0 %255s %2d.%3d", name, &major, &minor) < 3 ||
	    !cli_name_valid(name) || strcmp(name, p->name) == 0 || major != 17 || minor < 2) {
		say(p, "bad ID line \"%s\": closing", line);
		return -1;
	}
	if (p->initiator && strcmp(name, p->peer) != 0) {
		say(p, "peer says it is %s, expected %s: closing", name, p->peer);
		return -1;
	}
	snprintf(p->peer, sizeof p->peer, "%s", name);
	say(p, "<- ID \"%s\"", line);
	return 0;
}

static int pair_start(struct pair *p)
{
	char label[FL_SPTPS_MAX_LABEL];
	enum fl_sptps_err err;
	int n;

	/* tinc's meta label: initiator first, and the trailing NUL counts */
	n = snprintf(label, sizeof label, "tinc TCP key expansion %s %s",
		     p->initiator ? p->name : p->peer, p->initiator ? p->peer : p->name);
	struct fl_sptps_config cfg = {
		.mode = FL_SPTPS_STREAM,
		.initiator = p->initiator,
		.own_key = &p->key,
		.peer_public = p->peer_pub,
		.label = (const uint8_t *)label,
		.label_len = (size_t)n + 1,
		.cb = &pair_cb,
		.ctx = p,
	};
	p->s = fl_sptps_new(&cfg, &err);
	if (!p->s || (err = fl_sptps_start(p->s, tool_now_ms() + PAIR_TIMEOUT_MS)) != FL_SPTPS_OK) {
		say(p, "SPTPS start failed: %s", fl_sptps_strerror(err));
		return -1;
	}
	say(p, "SPTPS started as %s, label \"%s\\0\" (%d bytes)",
	    p->initiator ? "initiator" : "responder", label, n + 1);
	return 0;
}

/* Read once and feed everything to the session. 0 ok, 1 EOF, -1 error. */
static int pair_pump(struct pair *p)
{
	uint8_t buf[65536];
	ssize_t n = pair_read(p, buf, sizeof buf);
	size_t off = 0, used;
	enum fl_sptps_err err;

	if (n < 0)
		return -1;
	if (n == 0) {
		p->eof = true;
		return 1;
	}
	while (off < (size_t)n) {
		err = fl_sptps_receive(p->s, buf + off, (size_t)n - off, &used);
		if (err != FL_SPTPS_OK) {
			say(p, "record from %s rejected: %s; closing the connection, as tinc does",
			    p->peer, fl_sptps_strerror(err));
			return -1;
		}
		off += used;
	}
	if (fl_sptps_check_deadline(p->s, tool_now_ms()) != FL_SPTPS_OK) {
		say(p, "handshake with %s timed out", p->peer);
		return -1;
	}
	return 0;
}

static int pair_send(struct pair *p, const char *text)
{
	enum fl_sptps_err err = fl_sptps_send(p->s, 0, (const uint8_t *)text, strlen(text));
	char show[PAIR_REPLY_MAX + 16];

	if (err != FL_SPTPS_OK) {
		say(p, "send failed: %s", fl_sptps_strerror(err));
		return -1;
	}
	if (!p->quiet)
		say(p, "sent record type 0, %zu bytes: \"%s\"", strlen(text), pair_show(text, show));
	return 0;
}

/* ---- the two roles ---- */

static int pair_wait_records(struct pair *p, unsigned n)
{
	while (p->records_in < n)
		if (pair_pump(p) != 0)
			return -1;
	return 0;
}

/* With a fenliu sptps_pair responder: PING/PONG, an echo, maybe tampering. */
static int pair_talk_demo(struct pair *p, bool tamper)
{
	if (pair_send(p, "8\n") != 0 || pair_wait_records(p, 1) != 0)
		return 1;
	if (!p->got_pong)
		return say(p, "expected PONG"), 1;
	say(p, "PING answered with PONG");
	if (pair_send(p, "hello from the initiator, sealed with ChaCha20-Poly1305") != 0 ||
	    pair_wait_records(p, 2) != 0)
		return 1;
	if (!tamper)
		return 0;
	p->tamper_next = true;
	if (pair_send(p, "this record is altered on its way") != 0)
		return 1;
	if (pair_pump(p) != 1)
		return say(p, "%s did not close the connection after an altered record", p->peer), 1;
	say(p, "%s closed the connection after the altered record, as it should", p->peer);
	return 0;
}

/* With a stock tincd: our ACK (port, weight, options with minor 7, META.md
 * §3.3) makes the connection active; then PING must bring PONG back among
 * whatever tincd sends (its ACK, ADD_EDGE, ...). */
static int pair_talk_tinc(struct pair *p)
{
	if (pair_send(p, "4 655 1 700000c\n") != 0 || pair_send(p, "8\n") != 0)
		return 1;
	while (!p->got_pong && p->records_in < 100)
		if (pair_pump(p) != 0)
			return say(p, "%s closed the connection", p->peer), 1;
	if (!p->got_pong)
		return say(p, "no PONG from %s", p->peer), 1;
	say(p, "stock tincd %s answered PING with PONG over our SPTPS session", p->peer);
	return 0;
}

/* Feed whatever the peer sent, without waiting. 0 ok, -1 closed/error. */
static int pair_drain(struct pair *p)
{
	struct pollfd pfd = {.fd = p->fd, .events = POLLIN};

	while (poll(&pfd, 1, 0) == 1)
		if (pair_pump(p) != 0)
			return -1;
	if (p->ping_pending) {
		p->ping_pending = false;
		return pair_send(p, "9\n");
	}
	return 0;
}

/* The hostile peer: ACK, every line of file, PING; PONG must come back. */
static int pair_talk_flood(struct pair *p, const char *file)
{
	char line[4096];
	unsigned long n = 0;
	uint64_t t0, deadline;
	FILE *f = fopen(file, "r");

	if (!f)
		return say(p, "cannot open %s: %s", file, strerror(errno)), 1;
	p->quiet = true;
	p->timeout_ms = 600000; /* a slow victim is measured, not failed */
	if (pair_send(p, "4 655 1 700000c\n") != 0)
		goto fail;
	t0 = tool_now_ms();
	while (fgets(line, sizeof line, f)) {
		if (pair_send(p, line) != 0 || (++n % 64 == 0 && pair_drain(p) != 0))
			goto fail;
	}
	fclose(f);
	f = NULL;
	if (pair_send(p, "8\n") != 0)
		goto fail;
	deadline = tool_now_ms() + 600000;
	while (!p->got_pong && tool_now_ms() < deadline)
		if (pair_pump(p) != 0 || pair_drain(p) != 0)
			goto fail;
	if (!p->got_pong)
		return say(p, "no PONG from %s", p->peer), 1;
	say(p, "flood: %lu lines sent, PONG after %llu ms, %u records received", n,
	    (unsigned long long)(tool_now_ms() - t0), p->records_in);
	return 0;
fail:
	if (f)
		fclose(f);
	say(p, "flood: %s closed the connection after %lu lines", p->peer, n);
	return 1;
}

static int pair_initiate(struct pair *p, const char *host, const char *port, const char *opt,
			 const char *arg)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};

	if (pair_load_peer(p) != 0)
		return 1;
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		say(p, "not an IPv4 address: '%s'", host);
		return 1;
	}
	p->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (p->fd < 0 || connect(p->fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		say(p, "cannot connect to %s port %s: %s", host, port, strerror(errno));
		return 1;
	}
	say(p, "connected to %s port %s", host, port);
	if (pair_send_id(p) != 0 || pair_recv_id(p) != 0 || pair_start(p) != 0)
		return 1;
	while (!p->keyed)
		if (pair_pump(p) != 0)
			return 1;
	if (opt && strcmp(opt, "--tinc") == 0)
		return pair_talk_tinc(p);
	if (opt && strcmp(opt, "--flood") == 0)
		return pair_talk_flood(p, arg);
	return pair_talk_demo(p, opt && strcmp(opt, "--tamper") == 0);
}

static int pair_listen(struct pair *p, const char *port_file)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t sl = sizeof sa;
	struct pollfd pfd;
	int one = 1, lfd;
	FILE *f;

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(lfd, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(lfd, 1) != 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl) != 0) {
		say(p, "cannot listen on 127.0.0.1: %s", strerror(errno));
		return -1;
	}
	say(p, "listening on 127.0.0.1 port %u", ntohs(sa.sin_port));
	if (port_file) {
		char tmp[FL_CLI_PATH_MAX + 8];
		snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
		f = fopen(tmp, "w");
		if (!f || fprintf(f, "%u\n", ntohs(sa.sin_port)) < 0 || fclose(f) != 0 ||
		    rename(tmp, port_file) != 0) /* appears complete or not at all */
			return say(p, "cannot write %s", port_file), -1;
	}
	pfd = (struct pollfd){.fd = lfd, .events = POLLIN};
	if (poll(&pfd, 1, PAIR_TIMEOUT_MS) != 1 || (p->fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) < 0)
		return say(p, "nobody connected"), -1;
	close(lfd);
	say(p, "accepted a connection");
	return 0;
}

static int pair_respond(struct pair *p, const char *port_file)
{
	int r;

	if (pair_listen(p, port_file) != 0 || pair_recv_id(p) != 0 || pair_load_peer(p) != 0 ||
	    pair_send_id(p) != 0 || pair_start(p) != 0)
		return 1;
	do {
		r = pair_pump(p);
		if (r == 0 && p->have_reply) {
			p->have_reply = false;
			if (pair_send(p, p->reply) != 0)
				return 1;
		}
	} while (r == 0);
	if (r == 1)
		say(p, "%s closed the connection", p->peer);
	say(p, "summary: handshake %s, %u records accepted", p->keyed ? "done" : "NOT done",
	    p->records_in);
	return p->keyed && p->records_in >= 2 ? 0 : 1;
}

static int pair_usage(void)
{
	fprintf(stderr, "usage: sptps_pair -c DIR listen [--port-file FILE]\n"
			"       sptps_pair -c DIR connect PEER HOST PORT [--tamper|--tinc]\n"
			"       sptps_pair -c DIR connect PEER HOST PORT --flood FILE\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct pair p = {.fd = -1, .timeout_ms = PAIR_TIMEOUT_MS};
	int ret;

	if (argc < 4 || strcmp(argv[1], "-c") != 0)
		return pair_usage();
	if (sodium_init() < 0 || snprintf(p.cli.confbase, sizeof p.cli.confbase, "%s", argv[2]) >=
				       (int)sizeof p.cli.confbase)
		return 1;
	p.cli.prog = argv[0];
	p.cli.confbase_given = true;
	if (pair_load_self(&p) != 0)
		return 1;
	if (strcmp(argv[3], "listen") == 0 && (argc == 4 || (argc == 6 && !strcmp(argv[4], "--port-file")))) {
		ret = pair_respond(&p, argc == 6 ? argv[5] : NULL);
	} else if (strcmp(argv[3], "connect") == 0 &&
		   (argc == 7 || (argc == 8 && (!strcmp(argv[7], "--tamper") || !strcmp(argv[7], "--tinc"))))) {
		p.initiator = true;
		snprintf(p.peer, sizeof p.peer, "%s", argv[4]);
		ret = pair_initiate(&p, argv[5], argv[6], argc == 8 ? argv[7] : NULL, NULL);
	} else if (strcmp(argv[3], "connect") == 0 && argc == 9 && !strcmp(argv[7], "--flood")) {
		p.initiator = true;
		snprintf(p.peer, sizeof p.peer, "%s", argv[4]);
		ret = pair_initiate(&p, argv[5], argv[6], argv[7], argv[8]);
	} else {
		ret = pair_usage();
	}
	fl_sptps_free(p.s);
	fl_ed25519_key_wipe(&p.key);
	if (p.fd >= 0)
		close(p.fd);
	return ret;
}
