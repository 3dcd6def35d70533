/* SPDX-License-Identifier: MIT */
/*
 * sptps_speed SECONDS: fenliu's SPTPS benchmark. Its first eight lines are
 * tinc 1.1's sptps_speed (same labels, same definitions: process CPU time,
 * 256-byte signed messages, 1451-byte records through a UNIX socket pair,
 * each record counted twice, authentications counted twice), so the two
 * programs compare line by line, with two differences in how the loops run:
 *   - clock_every: how often the loop reads its clock;
 *   - the two transmit lines batch records per system call, as fenliud's
 *     data path does, where tinc's loop makes one send() and one recv() per
 *     record. SPTPS/UDP transmit seals 64 datagram records, sends them with
 *     one sendmmsg() on the SOCK_DGRAM pair, receives them with one
 *     recvmmsg() and opens them one by one (fenliud: recvmmsg/sendmmsg on
 *     its UDP socket). SPTPS/TCP transmit seals 44 stream records (64 KiB
 *     worth) into one buffer, writes it with one write() and reads it back
 *     in large reads fed record by record to the stream receiver (fenliud:
 *     buffered writes and reads on the meta TCP connection). The sessions,
 *     sealing and opening, authentication and in-order delivery are the
 *     same; only the syscalls per record differ (on this kind of VM a
 *     syscall costs more than sealing and opening a record). See tx_batch.
 * Then three lines of our own:
 *   SPTPS/UDP record layer            the same records sealed and opened in
 *                                     memory with the split API and the
 *                                     replay window, no socket;
 *   SPTPS/UDP record layer, N threads every core doing that at once on its
 *                                     own records, wall-clock time;
 *   ChaCha20-Poly1305 primitive       the same work with bare OpenSSL calls
 *                                     (one context, only the IV set per
 *                                     record), cut as sptps_record.c cuts
 *                                     them (whole ChaCha20 blocks, the
 *                                     MAC cut in two): the ceiling for
 *                                     the above.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "crypto/ed25519.h"
#include "crypto/sptps.h"
#include "crypto/sptps_kdf.h"

#define REC_BODY 1451
#define VALUE_COLUMN 49 /* tinc right-aligns every value to this column */

static double duration;
/* Read the clock every this many operations. tinc reads the process CPU
 * clock after every operation; in a VM that read is a system call (2.4 us
 * here, more than sealing and opening a record), so by default we read it
 * every 64 operations. FL_SPTPS_SPEED_CLOCK_EVERY=1 gives tinc's loop. */
static unsigned long clock_every = 64;

/* ---- timing and output, tinc's conventions ---- */

struct meter {
	clockid_t clock;
	struct timespec start;
	double elapsed, rate;
	unsigned long count; /* operations completed */
};

static double ts_sec(const struct timespec *t)
{
	return (double)t->tv_sec + (double)t->tv_nsec * 1e-9;
}

static void meter_start(struct meter *m, clockid_t clock)
{
	m->clock = clock;
	m->count = 0;
	clock_gettime(clock, &m->start);
}

/* Called before each operation: true while the time is not up. The rate
 * is operations completed over time elapsed, as in tinc's clock_countto. */
static int meter_running(struct meter *m)
{
	struct timespec now;
	unsigned long done = m->count++;

	if (done % clock_every != 0)
		return 1;
	clock_gettime(m->clock, &now);
	m->elapsed = ts_sec(&now) - ts_sec(&m->start);
	if (m->elapsed < duration)
		return 1;
	m->rate = (double)done / m->elapsed;
	return 0;
}

/* The same, called before each batch of n operations: the clock is read
 * once per batch, and only whole batches (sent and received) count. */
static int meter_running_batch(struct meter *m, unsigned long n)
{
	struct timespec now;
	unsigned long done = m->count;

	m->count += n;
	clock_gettime(m->clock, &now);
	m->elapsed = ts_sec(&now) - ts_sec(&m->start);
	if (m->elapsed < duration)
		return 1;
	m->rate = (double)done / m->elapsed;
	return 0;
}

static void print_line(const char *label, double value, const char *unit)
{
	char prefix[128];
	int n = snprintf(prefix, sizeof(prefix), "%s for %g seconds: ", label, duration);
	int w = VALUE_COLUMN - n;

	printf("%s%*.2f %s\n", prefix, w > 1 ? w : 1, value, unit);
	fflush(stdout);
}

static void print_ops(const char *label, double rate)
{
	print_line(label, rate, "op/s");
}

static void print_bits(const char *label, double records_per_sec)
{
	double bits = records_per_sec * 2 * REC_BODY * 8;

	if (bits > 1e9)
		print_line(label, bits / 1e9, "Gbit/s");
	else if (bits > 1e6)
		print_line(label, bits / 1e6, "Mbit/s");
	else
		print_line(label, bits / 1e3, "kbit/s");
}

static void die(const char *what)
{
	fprintf(stderr, "sptps_speed: %s\n", what);
	exit(1);
}

/* ---- public-key operations ---- */

static void bench_keys(struct fl_ed25519_key *k1, struct fl_ed25519_key *k2)
{
	uint8_t seed[32], msg[256], sig[64], s1[32], p1[32], s2[32], p2[32], sh[32];
	struct fl_ed25519_key k;
	struct meter m;

	randombytes_buf(msg, sizeof(msg));
	for (meter_start(&m, CLOCK_PROCESS_CPUTIME_ID); meter_running(&m);) {
		randombytes_buf(seed, sizeof(seed));
		if (fl_ed25519_from_seed(&k, seed))
			die("key generation failed");
	}
	print_ops("Generating keys", m.rate);
	randombytes_buf(seed, sizeof(seed));
	fl_ed25519_from_seed(k1, seed);
	randombytes_buf(seed, sizeof(seed));
	fl_ed25519_from_seed(k2, seed);

	for (meter_start(&m, CLOCK_PROCESS_CPUTIME_ID); meter_running(&m);)
		if (fl_ed25519_sign(k1, msg, sizeof(msg), sig))
			die("signing failed");
	print_ops("Ed25519 sign", m.rate);
	for (meter_start(&m, CLOCK_PROCESS_CPUTIME_ID); meter_running(&m);)
		if (!fl_ed25519_verify(k1->pub, msg, sizeof(msg), sig))
			die("signature verification failed");
	print_ops("Ed25519 verify", m.rate);

	/* tinc: one side's key fixed; per operation a new key pair and the
	 * shared secret with it. */
	randombytes_buf(seed, sizeof(seed));
	fl_sptps_ecdh_keypair(seed, s1, p1);
	for (meter_start(&m, CLOCK_PROCESS_CPUTIME_ID); meter_running(&m);) {
		randombytes_buf(seed, sizeof(seed));
		if (fl_sptps_ecdh_keypair(seed, s2, p2) || fl_sptps_ecdh_shared(s2, p1, sh))
			die("ECDH failed");
	}
	print_ops("ECDH", m.rate);
	sodium_memzero(&k, sizeof(k));
}

/* ---- sessions over a UNIX socket pair ---- */

#define BATCH_MAX 64 /* datagram records per sendmmsg()/recvmmsg() */
#define REC_MAX (REC_BODY + FL_SPTPS_DATAGRAM_OVERHEAD)
/* stream records per write(): as many as fit in 64 KiB (44) */
#define STREAM_BATCH (65536 / (REC_BODY + FL_SPTPS_STREAM_OVERHEAD))
_Static_assert(STREAM_BATCH <= BATCH_MAX, "stream batch fits the record table");
_Static_assert(FL_SPTPS_STREAM_OVERHEAD <= FL_SPTPS_DATAGRAM_OVERHEAD, "REC_MAX covers both");

/* Records sealed by one end during a transmit batch, back to back in buf
 * (the stream is written as is; each datagram gets its own iovec). */
struct batch {
	uint8_t buf[BATCH_MAX * REC_MAX];
	size_t off[BATCH_MAX], len[BATCH_MAX];
	size_t bytes;
	unsigned n;
};

struct end {
	int fd;
	struct fl_sptps *s;
	struct batch *batch; /* NULL: one send() per record (the handshake) */
	unsigned long delivered; /* application records opened */
};

static uint8_t rxbuf[65536 + 64];

static int cb_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
	return 0;
}

static int cb_send(void *ctx, uint8_t type, const uint8_t *rec, size_t len)
{
	struct end *e = ctx;

	(void)type;
	if (e->batch) {
		struct batch *b = e->batch;

		if (b->n == BATCH_MAX || len > sizeof(b->buf) - b->bytes)
			return -1;
		memcpy(b->buf + b->bytes, rec, len);
		b->off[b->n] = b->bytes;
		b->len[b->n++] = len;
		b->bytes += len;
		return 0;
	}
	return send(e->fd, rec, len, 0) == (ssize_t)len ? 0 : -1;
}

static int cb_deliver(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct end *e = ctx;

	(void)body;
	if (type == 0 && len == REC_BODY)
		e->delivered++;
	return 0;
}

static const struct fl_sptps_callbacks bench_cb = {
	.random = cb_random,
	.send = cb_send,
	.deliver = cb_deliver,
};

static void end_start(struct end *e, enum fl_sptps_mode mode, bool initiator,
		      const struct fl_ed25519_key *own, const struct fl_ed25519_key *peer)
{
	static const uint8_t label[] = "sptps_speed";
	struct fl_sptps_config cfg = {
		.mode = mode,
		.initiator = initiator,
		.own_key = own,
		.peer_public = peer->pub,
		.label = label,
		.label_len = 11,
		.replaywin = FL_SPTPS_DEFAULT_REPLAYWIN,
		.cb = &bench_cb,
		.ctx = e,
	};

	if (!(e->s = fl_sptps_new(&cfg, NULL)) || fl_sptps_start(e->s, UINT64_MAX))
		die("session start failed");
}

/* One recv() worth of bytes into the session, one record per call. */
static void end_receive(struct end *e)
{
	ssize_t n = recv(e->fd, rxbuf, sizeof(rxbuf), 0);
	size_t off = 0, used;

	while (n > 0 && off < (size_t)n) {
		if (fl_sptps_receive(e->s, rxbuf + off, (size_t)n - off, &used) != FL_SPTPS_OK)
			abort();
		off += used;
	}
}

static void pair_handshake(struct end ends[2], enum fl_sptps_mode mode,
			   const struct fl_ed25519_key *k1, const struct fl_ed25519_key *k2)
{
	struct pollfd pfd[2] = { { ends[0].fd, POLLIN, 0 }, { ends[1].fd, POLLIN, 0 } };

	end_start(&ends[0], mode, true, k1, k2);
	end_start(&ends[1], mode, false, k2, k1);
	while (poll(pfd, 2, 0) > 0) {
		if (pfd[0].revents)
			end_receive(&ends[0]);
		if (pfd[1].revents)
			end_receive(&ends[1]);
	}
	if (!fl_sptps_keyed(ends[0].s) || !fl_sptps_keyed(ends[1].s))
		die("handshake did not complete");
}

/* One stream batch: the sealed records go out in one write(); the other
 * end reads them in large reads and feeds the stream receiver, which takes
 * at most one record per call. tinc: one send() and one recv() per record. */
static void tx_stream(struct end *tx, struct end *rx, const struct batch *b)
{
	size_t got = 0, off, used;
	ssize_t n;

	if (write(tx->fd, b->buf, b->bytes) != (ssize_t)b->bytes)
		die("short write on the stream socket");
	while (got < b->bytes) {
		if ((n = read(rx->fd, rxbuf, sizeof(rxbuf))) <= 0)
			die("read on the stream socket");
		for (off = 0; off < (size_t)n; off += used)
			if (fl_sptps_receive(rx->s, rxbuf + off, (size_t)n - off, &used) !=
			    FL_SPTPS_OK)
				abort();
		got += (size_t)n;
	}
}

/* Receive exactly k datagrams (already queued) with recvmmsg() and open
 * them one by one, in order. */
static void rx_dgrams(struct end *rx, unsigned k)
{
	static uint8_t bufs[BATCH_MAX][REC_MAX + 1];
	struct mmsghdr msg[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	size_t used;
	int got;

	for (unsigned done = 0; done < k; done += (unsigned)got) {
		memset(msg, 0, sizeof(msg));
		for (unsigned i = 0; i < k - done; i++) {
			iov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
		}
		if ((got = recvmmsg(rx->fd, msg, k - done, MSG_WAITFORONE, NULL)) <= 0)
			die("recvmmsg on the datagram socket");
		for (int i = 0; i < got; i++)
			if ((msg[i].msg_hdr.msg_flags & MSG_TRUNC) ||
			    fl_sptps_receive(rx->s, bufs[i], msg[i].msg_len, &used) != FL_SPTPS_OK)
				abort();
	}
}

/* One datagram batch: the sealed records go out with sendmmsg() (each its
 * own datagram) and come in with recvmmsg(). MSG_DONTWAIT: should the
 * socket buffer fill, send what fits, drain it, send the rest (one thread,
 * a blocking send would wait for itself). tinc: one send()/recv() each. */
static void tx_dgram(struct end *tx, struct end *rx, struct batch *b)
{
	struct mmsghdr msg[BATCH_MAX];
	struct iovec iov[BATCH_MAX];
	unsigned sent = 0;
	int k;

	memset(msg, 0, sizeof(msg));
	for (unsigned i = 0; i < b->n; i++) {
		iov[i] = (struct iovec){ b->buf + b->off[i], b->len[i] };
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
	}
	for (; sent < b->n; sent += (unsigned)k) {
		if ((k = sendmmsg(tx->fd, msg + sent, b->n - sent, MSG_DONTWAIT)) <= 0)
			die("sendmmsg on the datagram socket");
		rx_dgrams(rx, (unsigned)k);
	}
}

/* The transmit lines. tinc: per record, one seal, one send(), one recv(),
 * one open. Here, per batch, end 0 seals n 1451-byte records (one
 * fl_sptps_send() each, collected in the batch instead of sent), they
 * cross the socket pair in one syscall each way (tx_stream, tx_dgram) and
 * end 1 authenticates and opens each in order. The rate is records per
 * second of process CPU time over whole batches; print_bits counts each
 * record twice, as tinc does. */
static double tx_batch(struct end ends[2], bool stream, const uint8_t *body)
{
	static struct batch b;
	unsigned n = stream ? STREAM_BATCH : BATCH_MAX;
	struct meter m;

	ends[0].batch = &b;
	for (meter_start(&m, CLOCK_PROCESS_CPUTIME_ID); meter_running_batch(&m, n);) {
		b.n = 0;
		b.bytes = 0;
		for (unsigned i = 0; i < n; i++)
			if (fl_sptps_send(ends[0].s, 0, body, REC_BODY) != FL_SPTPS_OK)
				abort();
		ends[1].delivered = 0;
		if (stream)
			tx_stream(&ends[0], &ends[1], &b);
		else
			tx_dgram(&ends[0], &ends[1], &b);
		if (ends[1].delivered != n)
			die("records lost in a transmit batch");
	}
	ends[0].batch = NULL;
	return m.rate;
}

static void bench_transport(int socktype, const char *auth_label, const char *tx_label,
			    const struct fl_ed25519_key *k1, const struct fl_ed25519_key *k2)
{
	enum fl_sptps_mode mode = socktype == SOCK_STREAM ? FL_SPTPS_STREAM : FL_SPTPS_DATAGRAM;
	uint8_t body[REC_BODY];
	struct end ends[2];
	struct meter m;
	int fd[2];

	if (socketpair(AF_UNIX, socktype, 0, fd))
		die("could not create a UNIX socket pair");
	ends[0] = (struct end){ .fd = fd[0] };
	ends[1] = (struct end){ .fd = fd[1] };
	for (meter_start(&m, CLOCK_PROCESS_CPUTIME_ID); meter_running(&m);) {
		pair_handshake(ends, mode, k1, k2);
		fl_sptps_free(ends[0].s);
		fl_sptps_free(ends[1].s);
	}
	print_ops(auth_label, m.rate * 2);

	randombytes_buf(body, sizeof(body));
	pair_handshake(ends, mode, k1, k2);
	print_bits(tx_label, tx_batch(ends, socktype == SOCK_STREAM, body));
	fl_sptps_free(ends[0].s);
	fl_sptps_free(ends[1].s);
	close(fd[0]);
	close(fd[1]);
}

/* ---- record layer in memory ---- */

struct rl_job {
	clockid_t clock;
	double rate;
};

/* Seal a record with the split API, open it on the receiving side and
 * move the replay window: what one data-plane packet costs, both ends. */
static void *rl_run(void *arg)
{
	struct rl_job *job = arg;
	struct fl_sptps_cipher *tx = fl_sptps_cipher_new(), *rx = fl_sptps_cipher_new();
	uint8_t key[FL_SPTPS_KEY_LEN], rec[4 + 1 + REC_BODY + FL_SPTPS_TAG_LEN];
	struct fl_sptps_replay win;
	uint32_t seqno = 2, got;
	size_t len, ptlen;
	struct meter m;

	if (!tx || !rx)
		die("cipher context");
	randombytes_buf(key, sizeof(key));
	randombytes_buf(rec, sizeof(rec));
	fl_sptps_replay_init(&win, FL_SPTPS_DEFAULT_REPLAYWIN, 2);
	for (meter_start(&m, job->clock); meter_running(&m);) {
		rec[4] = 0;
		len = fl_sptps_seal(tx, key, seqno++, rec, 1 + REC_BODY);
		if (!len || fl_sptps_open(rx, key, rec, len, &got, &ptlen) != FL_SPTPS_OPEN_OK ||
		    fl_sptps_replay_update(&win, got) != FL_SPTPS_REPLAY_OK)
			abort();
	}
	job->rate = m.rate;
	fl_sptps_cipher_free(tx);
	fl_sptps_cipher_free(rx);
	OPENSSL_cleanse(key, sizeof(key));
	return NULL;
}

static void bench_record_layer(void)
{
	long ncores = sysconf(_SC_NPROCESSORS_ONLN);
	struct rl_job one = { CLOCK_PROCESS_CPUTIME_ID, 0 }, *jobs;
	pthread_t *th;
	double total = 0;
	char label[96];

	rl_run(&one);
	print_bits("SPTPS/UDP record layer", one.rate);
	if (ncores < 1)
		ncores = 1;
	jobs = calloc((size_t)ncores, sizeof(*jobs));
	th = calloc((size_t)ncores, sizeof(*th));
	for (long i = 0; i < ncores; i++) {
		jobs[i].clock = CLOCK_MONOTONIC;
		if (pthread_create(&th[i], NULL, rl_run, &jobs[i]))
			die("pthread_create");
	}
	for (long i = 0; i < ncores; i++) {
		pthread_join(th[i], NULL);
		total += jobs[i].rate;
	}
	snprintf(label, sizeof(label), "SPTPS/UDP record layer, %ld threads", ncores);
	print_bits(label, total);
	free(jobs);
	free(th);
}

/* ---- the primitive: bare OpenSSL, the ceiling ---- */

#define PRIM_LEN (1 + REC_BODY)
#define PRIM_BLOCKS ((64 + PRIM_LEN + 63) / 64 * 64) /* whole ChaCha20 blocks */

/* One ChaCha20 call from block 0 over in = 64 zero bytes || data into out:
 * out[0..31] is the Poly1305 key, out[64..] the data XOR keystream from
 * block 1. Only the IV is set; the key stays in the context. The call
 * ends on a whole block: OpenSSL's vector code takes a second pass for a
 * last partial one (sptps_record.c). */
static void prim_pass(EVP_CIPHER_CTX *c, uint32_t seqno, uint8_t *out, uint8_t *in)
{
	uint8_t iv[16] = { 0 };
	int n;

	iv[12] = (uint8_t)(seqno >> 24);
	iv[13] = (uint8_t)(seqno >> 16);
	iv[14] = (uint8_t)(seqno >> 8);
	iv[15] = (uint8_t)seqno;
	memset(in, 0, 64);
	if (!EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) ||
	    !EVP_EncryptUpdate(c, out, &n, in, PRIM_BLOCKS))
		abort();
}

/* Poly1305, cut in two calls where sptps_record.c cuts it (at this
 * length: 90 whole blocks, then the 4-byte partial one). */
static void prim_mac(EVP_MAC_CTX *mac, const uint8_t *pk, const uint8_t *ct, uint8_t tag[16])
{
	size_t tl, cut = fl_sptps_mac_cut(PRIM_LEN);

	if (!EVP_MAC_init(mac, pk, 32, NULL) || (cut && !EVP_MAC_update(mac, ct, cut)) ||
	    !EVP_MAC_update(mac, ct + cut, PRIM_LEN - cut) || !EVP_MAC_final(mac, tag, &tl, 16))
		abort();
}

/* Per record: seal in place (a buffer with 64 bytes of headroom), then
 * open out of place into the other buffer: MAC the ciphertext, compare,
 * the plaintext is already there. The buffers swap roles each record. */
static void bench_primitive(void)
{
	EVP_CIPHER *chacha = EVP_CIPHER_fetch(NULL, "ChaCha20", NULL);
	EVP_MAC *poly = EVP_MAC_fetch(NULL, "POLY1305", NULL);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	EVP_MAC_CTX *mac = poly ? EVP_MAC_CTX_new(poly) : NULL;
	static uint8_t bufs[2][PRIM_BLOCKS];
	uint8_t key[32], tag[16], want[16], *a = bufs[0], *b = bufs[1], *t;
	uint32_t seqno = 2;
	struct meter m;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(a, sizeof(bufs[0]));
	if (!chacha || !c || !mac || !EVP_EncryptInit_ex(c, chacha, NULL, key, NULL))
		die("OpenSSL set-up");
	for (meter_start(&m, CLOCK_PROCESS_CPUTIME_ID); meter_running(&m); seqno++) {
		prim_pass(c, seqno, a, a);
		prim_mac(mac, a, a + 64, tag);
		prim_pass(c, seqno, b, a);
		prim_mac(mac, b, a + 64, want);
		if (CRYPTO_memcmp(want, tag, 16))
			abort();
		t = a;
		a = b;
		b = t;
	}
	print_bits("ChaCha20-Poly1305 primitive", m.rate);
	OPENSSL_cleanse(bufs, sizeof(bufs));
	OPENSSL_cleanse(key, sizeof(key));
	EVP_MAC_CTX_free(mac);
	EVP_MAC_free(poly);
	EVP_CIPHER_CTX_free(c);
	EVP_CIPHER_free(chacha);
}

int main(int argc, char *argv[])
{
	struct fl_ed25519_key k1, k2;

	duration = argc > 1 ? atof(argv[1]) : 10;
	if (getenv("FL_SPTPS_SPEED_CLOCK_EVERY"))
		clock_every = strtoul(getenv("FL_SPTPS_SPEED_CLOCK_EVERY"), NULL, 10);
	if (clock_every == 0)
		clock_every = 1;
	if (duration <= 0 || sodium_init() < 0) {
		fprintf(stderr, "usage: sptps_speed [SECONDS]\n");
		return 1;
	}
	bench_keys(&k1, &k2);
	bench_transport(SOCK_STREAM, "SPTPS/TCP authenticate", "SPTPS/TCP transmit", &k1, &k2);
	bench_transport(SOCK_DGRAM, "SPTPS/UDP authenticate", "SPTPS/UDP transmit", &k1, &k2);
	bench_record_layer();
	bench_primitive();
	fl_ed25519_key_wipe(&k1);
	fl_ed25519_key_wipe(&k2);
	return 0;
}
