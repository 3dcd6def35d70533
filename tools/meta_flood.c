/* SPDX-License-Identifier: MIT */
/*
 * meta_flood: an authenticated peer that floods ADD_EDGE, for the fault
 * tests of issue 22. It dials a node as tinc does (META.md §3: ID lines,
 * SPTPS stream with the meta label, ACK) with a real key from a tinc-style
 * configuration directory, then announces N fake nodes f0..f(N-1), each
 * with edges to and from us (so all become reachable), and optionally
 * churns: R rounds deleting and re-adding the edges of the first C fake
 * nodes. It answers PING with PONG and reads (discards) what it is sent,
 * and stays connected until killed (or --exit when done).
 *
 *   meta_flood -c DIR PEER HOST PORT N [--churn C R] [--exit]
 *
 * Prints "meta_flood: sent L lines" after the flood and after each churn
 * round. Not installed; a test tool.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "tool_io.h"
#include "cli/cli.h"
#include "crypto/sptps.h"
#include "keys/keyfile_io.h"

#define FLOOD_TIMEOUT_MS 10000

struct flood {
	struct fl_cli cli;
	char name[256], peer[256];
	struct fl_ed25519_key key;
	uint8_t peer_pub[FL_ED25519_PUBLIC_LEN];
	int fd;
	struct fl_sptps *s;
	bool keyed, pong_due;
	unsigned long lines;
	uint32_t nonce;
};

static int cb_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
	return 0;
}

static int cb_send(void *ctx, uint8_t type, const uint8_t *rec, size_t len)
{
	struct flood *f = ctx;

	(void)type;
	return tool_write_all(f->fd, rec, len);
}

/* Only PING matters: each record is one request (META.md §2.2). */
static int cb_deliver(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct flood *f = ctx;

	if (type == 0 && len >= 2 && body[0] == '8' && (body[1] == '\n' || body[1] == ' '))
		f->pong_due = true;
	return 0;
}

static void cb_done(void *ctx)
{
	((struct flood *)ctx)->keyed = true;
}

static const struct fl_sptps_callbacks flood_cb = {
	.random = cb_random, .send = cb_send, .deliver = cb_deliver, .handshake_done = cb_done,
};

static int send_line(struct flood *f, const char *text)
{
	if (fl_sptps_send(f->s, 0, (const uint8_t *)text, strlen(text)) != FL_SPTPS_OK)
		return -1;
	f->lines++;
	return 0;
}

/* Read what is there (waiting up to wait_ms) and feed it to the session;
 * 1 on EOF, -1 on error. */
static int pump(struct flood *f, int wait_ms)
{
	uint8_t buf[65536];
	struct pollfd pfd = {.fd = f->fd, .events = POLLIN};
	size_t off = 0, used;
	ssize_t n;

	if (poll(&pfd, 1, wait_ms) <= 0)
		return 0;
	n = read(f->fd, buf, sizeof buf);
	if (n <= 0)
		return n == 0 || errno == ECONNRESET ? 1 : -1;
	while (off < (size_t)n) {
		if (fl_sptps_receive(f->s, buf + off, (size_t)n - off, &used) != FL_SPTPS_OK)
			return -1;
		off += used;
	}
	if (f->pong_due) {
		f->pong_due = false;
		if (send_line(f, "9\n") != 0)
			return -1;
	}
	return 0;
}

/* Drain without waiting, so the peer's replies never back up. */
static int drain(struct flood *f)
{
	int r;

	while ((r = pump(f, 0)) == 0) {
		struct pollfd pfd = {.fd = f->fd, .events = POLLIN};
		if (poll(&pfd, 1, 0) <= 0)
			return 0;
	}
	return r;
}

static int handshake(struct flood *f, const char *host, const char *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)atoi(port))};
	char line[600], label[FL_SPTPS_MAX_LABEL];
	enum fl_sptps_err err;
	size_t k = 0;
	int n;

	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 ||
	    (f->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    connect(f->fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		return fprintf(stderr, "meta_flood: cannot connect to %s port %s\n", host, port), -1;
	n = snprintf(line, sizeof line, "0 %s 17.7\n", f->name);
	if (tool_write_all(f->fd, (const uint8_t *)line, (size_t)n) != 0)
		return -1;
	for (;;) {	/* the peer's ID line, byte by byte: SPTPS follows at once */
		char c;
		if (read(f->fd, &c, 1) != 1 || k + 1 >= sizeof line)
			return fprintf(stderr, "meta_flood: no ID from %s\n", f->peer), -1;
		if (c == '\n')
			break;
		line[k++] = c;
	}
	n = snprintf(label, sizeof label, "tinc TCP key expansion %s %s", f->name, f->peer);
	struct fl_sptps_config cfg = {
		.mode = FL_SPTPS_STREAM, .initiator = true, .own_key = &f->key,
		.peer_public = f->peer_pub, .label = (const uint8_t *)label,
		.label_len = (size_t)n + 1, .cb = &flood_cb, .ctx = f,
	};
	f->s = fl_sptps_new(&cfg, &err);
	if (!f->s || fl_sptps_start(f->s, tool_now_ms() + FLOOD_TIMEOUT_MS) != FL_SPTPS_OK)
		return -1;
	while (!f->keyed)
		if (pump(f, FLOOD_TIMEOUT_MS) != 0)
			return fprintf(stderr, "meta_flood: SPTPS with %s failed\n", f->peer), -1;
	return send_line(f, "4 655 1 700000c\n");
}

/* The two edges of fake node i (add or delete). */
static int edges(struct flood *f, unsigned long i, bool add)
{
	char a[300], b[300];

	if (add) {
		snprintf(a, sizeof a, "12 %x f%lu %s 192.0.2.250 655 700000c 10\n", f->nonce++, i, f->name);
		snprintf(b, sizeof b, "12 %x %s f%lu 192.0.2.251 655 700000c 10\n", f->nonce++, f->name, i);
	} else {
		snprintf(a, sizeof a, "13 %x f%lu %s\n", f->nonce++, i, f->name);
		snprintf(b, sizeof b, "13 %x %s f%lu\n", f->nonce++, f->name, i);
	}
	if (send_line(f, a) != 0 || send_line(f, b) != 0)
		return -1;
	return (f->lines & 255) < 2 ? drain(f) : 0;
}

static int load_keys(struct flood *f)
{
	char path[FL_CLI_PATH_MAX], rel[300], err[KEYFILE_IO_ERRLEN];

	if (cli_conf_name(&f->cli, f->name, sizeof f->name, true) != 1 ||
	    !cli_path(path, &f->cli, "ed25519_key.priv") ||
	    keyfile_io_load_private(path, &f->key, err) != 0)
		return fprintf(stderr, "meta_flood: no own key in %s\n", f->cli.confbase), -1;
	snprintf(rel, sizeof rel, "hosts/%s", f->peer);
	if (!cli_path(path, &f->cli, rel) || keyfile_io_load_host_public(path, f->peer_pub, err) != 0)
		return fprintf(stderr, "meta_flood: no key for %s: %s\n", f->peer, err), -1;
	return 0;
}

static int run(struct flood *f, unsigned long n, unsigned long churn, unsigned long rounds,
	       bool exit_done)
{
	for (unsigned long i = 0; i < n; i++)
		if (edges(f, i, true) != 0)
			return 1;
	printf("meta_flood: sent %lu lines\n", f->lines);
	fflush(stdout);
	for (unsigned long r = 0; r < rounds; r++) {
		for (unsigned long i = 0; i < churn && i < n; i++)
			if (edges(f, i, false) != 0)
				return 1;
		for (unsigned long i = 0; i < churn && i < n; i++)
			if (edges(f, i, true) != 0)
				return 1;
		printf("meta_flood: sent %lu lines\n", f->lines);
		fflush(stdout);
	}
	while (!exit_done) {
		int r = pump(f, 1000);
		if (r != 0)
			return r < 0;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct flood f = {.fd = -1, .nonce = 0x10000};
	unsigned long churn = 0, rounds = 0;
	bool exit_done = false;
	int ret;

	if (argc < 7 || strcmp(argv[1], "-c") != 0) {
		fprintf(stderr, "usage: meta_flood -c DIR PEER HOST PORT N [--churn C R] [--exit]\n");
		return 2;
	}
	for (int i = 7; i < argc; i++) {
		if (!strcmp(argv[i], "--churn") && i + 2 < argc) {
			churn = strtoul(argv[i + 1], NULL, 10);
			rounds = strtoul(argv[i + 2], NULL, 10);
			i += 2;
		} else if (!strcmp(argv[i], "--exit")) {
			exit_done = true;
		} else {
			fprintf(stderr, "meta_flood: unknown option %s\n", argv[i]);
			return 2;
		}
	}
	if (sodium_init() < 0 ||
	    snprintf(f.cli.confbase, sizeof f.cli.confbase, "%s", argv[2]) >= (int)sizeof f.cli.confbase)
		return 1;
	f.cli.prog = argv[0];
	f.cli.confbase_given = true;
	snprintf(f.peer, sizeof f.peer, "%s", argv[3]);
	ret = load_keys(&f) != 0 || handshake(&f, argv[4], argv[5]) != 0 ? 1 :
	      run(&f, strtoul(argv[6], NULL, 10), churn, rounds, exit_done);
	fl_sptps_free(f.s);
	fl_ed25519_key_wipe(&f.key);
	if (f.fd >= 0)
		close(f.fd);
	return ret;
}
