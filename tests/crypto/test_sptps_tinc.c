/* SPDX-License-Identifier: MIT */
/*
 * Live interop with tinc 1.1's own SPTPS code: its sptps_test program
 * (label "sptps_test") on loopback, against a fenliu session, in stream
 * (TCP) and datagram (UDP) mode, with fenliu as initiator and as
 * responder. Both directions carry data; tinc forces a re-key ("$" on its
 * stdin), then fenliu does; data flows after each.
 *
 * Needs tinc's sptps_test binary: TINC_SPTPS_TEST=/path/to/sptps_test
 * (build it with: meson setup /tmp/tinc-b /opt/tinc-src/src
 * -Dcrypto=nolegacy && ninja -C /tmp/tinc-b src/sptps_test). Without it the
 * test is skipped (exit 77).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/ed25519_keyfile.h"
#include "crypto/sptps.h"

struct link {
	int sock, tin, tout, terr; /* socket to tinc; tinc's stdin, stdout, stderr */
	pid_t pid;
	struct fl_sptps *s;
	int done;		  /* handshake_done calls */
	char got[4096];		  /* records tinc sent us */
	size_t ngot;
	char printed[4096];	  /* what tinc wrote to stdout */
	size_t nprinted;
};

static int fail_line;
#define CHECK(c)                                                                \
	do {                                                                    \
		if (!(c)) {                                                     \
			fprintf(stderr, "check failed at line %d: %s\n", __LINE__, #c); \
			fail_line = __LINE__;                                   \
			goto out;                                               \
		}                                                               \
	} while (0)

static double now_sec(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cb_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
	return 0;
}

static int cb_send(void *ctx, uint8_t type, const uint8_t *rec, size_t len)
{
	struct link *l = ctx;

	(void)type;
	return send(l->sock, rec, len, 0) == (ssize_t)len ? 0 : -1;
}

static int cb_deliver(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct link *l = ctx;

	if (type != 0 || len > sizeof(l->got) - l->ngot)
		return -1;
	memcpy(l->got + l->ngot, body, len);
	l->ngot += len;
	return 0;
}

static void cb_done(void *ctx)
{
	((struct link *)ctx)->done++;
}

static const struct fl_sptps_callbacks link_cb = {
	.random = cb_random, .send = cb_send, .deliver = cb_deliver, .handshake_done = cb_done,
};

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int ok = f && fputs(text, f) >= 0;

	if (f && fclose(f))
		ok = 0;
	return ok ? 0 : -1;
}

/* Start tinc's sptps_test with pipes on stdin/stdout/stderr. */
static int spawn_tinc(struct link *l, const char *bin, char *const argv[])
{
	int in[2], out[2], err[2];

	if (pipe(in) || pipe(out) || pipe(err))
		return -1;
	l->pid = fork();
	if (l->pid < 0)
		return -1;
	if (l->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		for (int fd = 3; fd < 64; fd++)
			close(fd);
		execv(bin, argv);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	close(err[1]);
	l->tin = in[1];
	l->tout = out[0];
	l->terr = err[0];
	fcntl(l->tout, F_SETFL, O_NONBLOCK);
	fcntl(l->terr, F_SETFL, O_NONBLOCK);
	return 0;
}

/* tinc as responder prints "Listening on PORT..." on stderr. */
static int tinc_port(struct link *l)
{
	char buf[512] = "";
	size_t n = 0;
	double end = now_sec() + 10;

	while (now_sec() < end && n < sizeof(buf) - 1) {
		struct pollfd p = { l->terr, POLLIN, 0 };
		ssize_t r;
		char *at;

		poll(&p, 1, 100);
		r = read(l->terr, buf + n, sizeof(buf) - 1 - n);
		if (r > 0)
			n += (size_t)r;
		buf[n] = 0;
		if ((at = strstr(buf, "Listening on ")) && strstr(at, "..."))
			return atoi(at + 13);
	}
	return -1;
}

/* Move bytes for up to `secs` seconds or until cond() holds. */
static int pump(struct link *l, double secs, int (*cond)(struct link *, const void *),
		const void *arg)
{
	static uint8_t buf[70000];
	double end = now_sec() + secs;

	while (now_sec() < end) {
		struct pollfd p[3] = { { l->sock, POLLIN, 0 }, { l->tout, POLLIN, 0 },
				       { l->terr, POLLIN, 0 } };
		ssize_t n;

		if (cond && cond(l, arg))
			return 0;
		poll(p, 3, 20);
		if (p[0].revents & POLLIN) {
			size_t off = 0, used;

			n = recv(l->sock, buf, sizeof(buf), 0);
			if (n <= 0)
				return -1;
			while (off < (size_t)n) {
				enum fl_sptps_err e = fl_sptps_receive(l->s, buf + off,
								       (size_t)n - off, &used);
				if (e != FL_SPTPS_OK) {
					fprintf(stderr, "fenliu receive: %s\n", fl_sptps_strerror(e));
					return -1;
				}
				off += used;
			}
		}
		if (p[1].revents & POLLIN) {
			n = read(l->tout, l->printed + l->nprinted,
				 sizeof(l->printed) - 1 - l->nprinted);
			if (n > 0)
				l->nprinted += (size_t)n;
			l->printed[l->nprinted] = 0;
		}
		if (p[2].revents & POLLIN) {
			char e[512];
			n = read(l->terr, e, sizeof(e) - 1);
			if (n > 0) {
				e[n] = 0;
				fprintf(stderr, "[tinc] %s", e);
			}
		}
	}
	return cond ? -1 : 0;
}

static int done_at_least(struct link *l, const void *arg)
{
	return l->done >= *(const int *)arg;
}

static int got_text(struct link *l, const void *arg)
{
	l->got[l->ngot < sizeof(l->got) ? l->ngot : sizeof(l->got) - 1] = 0;
	return strstr(l->got, arg) != NULL;
}

static int printed_text(struct link *l, const void *arg)
{
	return strstr(l->printed, arg) != NULL;
}

static int tinc_says(struct link *l, const char *line)
{
	return write(l->tin, line, strlen(line)) == (ssize_t)strlen(line) ? 0 : -1;
}

static int we_say(struct link *l, const char *text)
{
	return fl_sptps_send(l->s, 0, (const uint8_t *)text, strlen(text)) == FL_SPTPS_OK ? 0 : -1;
}

/* Our end of the transport: connect to tinc (we initiate) or take tinc's
 * connection (tinc initiates; for UDP, learn its address from its first
 * datagram, which stays queued for the session). */
static int our_socket(int datagram, int port, int *listener)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, datagram ? SOCK_DGRAM : SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	if (port > 0) {
		a.sin_port = htons((uint16_t)port);
		if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
			return -1;
		return fd;
	}
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) || getsockname(fd, (struct sockaddr *)&a, &al))
		return -1;
	if (!datagram && listen(fd, 1))
		return -1;
	*listener = fd;
	return ntohs(a.sin_port);
}

static int our_accept(int datagram, int listener)
{
	struct pollfd p = { listener, POLLIN, 0 };
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	char b[1];

	if (poll(&p, 1, 10000) != 1)
		return -1;
	if (!datagram)
		return accept(listener, NULL, NULL);
	if (recvfrom(listener, b, sizeof(b), MSG_PEEK, (struct sockaddr *)&a, &al) < 0 ||
	    connect(listener, (struct sockaddr *)&a, al))
		return -1;
	return listener;
}

static int run_case(const char *bin, const char *dir, int datagram, int we_initiate)
{
	char priv[512], pub[512], portstr[16];
	struct link l = { .sock = -1, .tin = -1, .tout = -1, .terr = -1, .pid = -1 };
	struct fl_ed25519_key kt, kf;
	uint8_t seed[32];
	int listener = -1, port = 0, ok = 0, status, want;
	char *argv[12];
	int argc = 0;

	memset(seed, 0x71, sizeof(seed));
	fl_ed25519_from_seed(&kt, seed);
	memset(seed, 0x72, sizeof(seed));
	fl_ed25519_from_seed(&kf, seed);
	{
		char privtext[FL_KEYFILE_PRIV_TEXT_LEN + 1], pubtext[FL_KEYFILE_PUB_PEM_LEN + 1];

		snprintf(priv, sizeof(priv), "%s/tinc.priv", dir);
		snprintf(pub, sizeof(pub), "%s/fenliu.pub", dir);
		fl_keyfile_format_private(privtext, &kt);
		fl_keyfile_format_public_pem(pubtext, kf.pub);
		CHECK(write_file(priv, privtext) == 0 && write_file(pub, pubtext) == 0);
		sodium_memzero(privtext, sizeof(privtext));
	}
	if (!we_initiate)
		CHECK((port = our_socket(datagram, 0, &listener)) > 0);
	argv[argc++] = (char *)bin;
	argv[argc++] = "-4";
	argv[argc++] = "-s";
	argv[argc++] = "-q";
	if (datagram)
		argv[argc++] = "-d";
	argv[argc++] = priv;
	argv[argc++] = pub;
	snprintf(portstr, sizeof(portstr), "%d", port);
	if (!we_initiate)
		argv[argc++] = "127.0.0.1";
	argv[argc++] = portstr;
	argv[argc] = NULL;
	CHECK(spawn_tinc(&l, bin, argv) == 0);
	if (we_initiate) {
		CHECK((port = tinc_port(&l)) > 0);
		CHECK((l.sock = our_socket(datagram, port, NULL)) >= 0);
	} else {
		CHECK((l.sock = our_accept(datagram, listener)) >= 0);
		if (l.sock == listener)
			listener = -1;
	}
	{
		struct fl_sptps_config cfg = {
			.mode = datagram ? FL_SPTPS_DATAGRAM : FL_SPTPS_STREAM,
			.initiator = we_initiate,
			.own_key = &kf,
			.peer_public = kt.pub,
			.label = (const uint8_t *)"sptps_test",
			.label_len = 10,
			.replaywin = FL_SPTPS_DEFAULT_REPLAYWIN,
			.cb = &link_cb,
			.ctx = &l,
		};
		CHECK((l.s = fl_sptps_new(&cfg, NULL)) != NULL);
		CHECK(fl_sptps_start(l.s, UINT64_MAX) == FL_SPTPS_OK);
	}
	want = 1;
	CHECK(pump(&l, 10, done_at_least, &want) == 0);
	CHECK(we_say(&l, "fenliu-1\n") == 0);
	CHECK(pump(&l, 10, printed_text, "fenliu-1\n") == 0);
	CHECK(tinc_says(&l, "tinc-1\n") == 0);
	CHECK(pump(&l, 10, got_text, "tinc-1\n") == 0);
	/* tinc re-keys ("$" forces a KEX, the line then goes as data). */
	CHECK(tinc_says(&l, "$tinc-rekey\n") == 0);
	want = 2;
	CHECK(pump(&l, 10, done_at_least, &want) == 0);
	CHECK(pump(&l, 10, got_text, "$tinc-rekey\n") == 0);
	CHECK(tinc_says(&l, "tinc-2\n") == 0);
	CHECK(pump(&l, 10, got_text, "tinc-2\n") == 0);
	/* fenliu re-keys. */
	CHECK(fl_sptps_force_kex(l.s, UINT64_MAX) == FL_SPTPS_OK);
	want = 3;
	CHECK(pump(&l, 10, done_at_least, &want) == 0);
	CHECK(we_say(&l, "fenliu-2\n") == 0);
	CHECK(pump(&l, 10, printed_text, "fenliu-2\n") == 0);
	CHECK(tinc_says(&l, "tinc-3\n") == 0);
	CHECK(pump(&l, 10, got_text, "tinc-3\n") == 0);
	ok = 1;
out:
	if (l.tin >= 0)
		close(l.tin); /* -q: tinc quits on EOF */
	if (l.pid > 0) {
		double end = now_sec() + 5;
		while (waitpid(l.pid, &status, WNOHANG) == 0 && now_sec() < end)
			usleep(10000);
		if (now_sec() >= end) {
			kill(l.pid, SIGKILL);
			waitpid(l.pid, &status, 0);
		}
	}
	fl_sptps_free(l.s);
	for (int *fd = (int[]){ l.sock, l.tout, l.terr, listener }, i = 0; i < 4; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	unlink(priv);
	unlink(pub);
	fl_ed25519_key_wipe(&kt);
	fl_ed25519_key_wipe(&kf);
	printf("%s %s, fenliu %s: %s\n", ok ? "ok  " : "FAIL", datagram ? "datagram/UDP" : "stream/TCP",
	       we_initiate ? "initiator" : "responder", ok ? "handshake, 2 re-keys, data both ways" : "");
	return ok ? 0 : 1;
}

int main(void)
{
	const char *bin = getenv("TINC_SPTPS_TEST");
	char dir[] = "/tmp/fenliu-sptps-tinc.XXXXXX";
	int failed = 0;

	if (!bin || access(bin, X_OK)) {
		printf("skip: set TINC_SPTPS_TEST to tinc 1.1's sptps_test binary\n");
		return 77;
	}
	if (sodium_init() < 0 || !mkdtemp(dir))
		return 1;
	signal(SIGPIPE, SIG_IGN);
	for (int datagram = 0; datagram < 2; datagram++)
		for (int we_initiate = 1; we_initiate >= 0; we_initiate--)
			failed += run_case(bin, dir, datagram, we_initiate);
	rmdir(dir);
	return failed ? 1 : 0;
}
