/* SPDX-License-Identifier: MIT */
/*
 * SPTPS tests beyond tinc's vectors, on two live sessions in memory:
 * flipped datagram bytes, re-keys in a busy stream, the previous-key
 * grace, the seqno restart threshold, the split seal/open API, degenerate
 * ephemeral keys, forbidden record types and send-side refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "crypto/sptps.h"
#include "sptps_pair.h"

static void handshake(struct pair *pr, enum fl_sptps_mode mode)
{
	pair_init(pr, mode);
	assert_int_equal(pair_pump(pr), FL_SPTPS_OK);
	assert_true(fl_sptps_keyed(pr->p[0].s));
	assert_true(fl_sptps_keyed(pr->p[1].s));
	assert_int_equal(pr->p[0].done, 1);
	assert_int_equal(pr->p[1].done, 1);
}

static void test_datagram_each_byte_flipped(void **state)
{
	struct pair pr;
	uint8_t body[50], *bad;
	struct pair_rec r;

	(void)state;
	handshake(&pr, FL_SPTPS_DATAGRAM);
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)i;
	for (int round = 0; round < 3; round++) {
		assert_int_equal(fl_sptps_send(pr.p[0].s, 0, body, sizeof(body)), FL_SPTPS_OK);
		r = pair_take(&pr, 0, 0);
		assert_int_equal(r.len, sizeof(body) + 21);
		bad = malloc(r.len);
		for (size_t pos = 0; pos < r.len; pos++) {
			for (int bit = 0; bit < 8; bit++) {
				memcpy(bad, r.data, r.len);
				bad[pos] ^= (uint8_t)(1u << bit);
				assert_int_not_equal(fl_sptps_verify_datagram(pr.p[1].s, bad, r.len),
						     FL_SPTPS_OK);
				assert_int_not_equal(fl_sptps_receive(pr.p[1].s, bad, r.len, NULL),
						     FL_SPTPS_OK);
			}
		}
		/* Truncations too. */
		for (size_t n = 0; n < r.len; n++)
			assert_int_not_equal(fl_sptps_receive(pr.p[1].s, r.data, n, NULL),
					     FL_SPTPS_OK);
		assert_int_equal(pr.p[1].ngot, (size_t)round);
		assert_int_equal(fl_sptps_receive(pr.p[1].s, r.data, r.len, NULL), FL_SPTPS_OK);
		assert_int_equal(pr.p[1].ngot, (size_t)round + 1);
		assert_memory_equal(pr.p[1].got[round].data, body, sizeof(body));
		/* A replay of the genuine datagram is refused. */
		assert_int_equal(fl_sptps_receive(pr.p[1].s, r.data, r.len, NULL),
				 FL_SPTPS_ERR_REPLAY);
		free(bad);
		free(r.data);
	}
	pair_free(&pr);
}

/* Both receive paths tell a far-future seqno (dropped, FUTURE) from a
 * replay (REPLAY). */
static void test_datagram_future_and_replay(void **state)
{
	struct pair pr;
	struct pair_rec r;
	uint8_t b = 1;

	(void)state;
	handshake(&pr, FL_SPTPS_DATAGRAM);
	assert_int_equal(fl_sptps_send(pr.p[0].s, 0, &b, 1), FL_SPTPS_OK);
	r = pair_take(&pr, 0, 0);
	assert_int_equal(fl_sptps_receive(pr.p[1].s, r.data, r.len, NULL), FL_SPTPS_OK);
	assert_int_equal(fl_sptps_verify_datagram(pr.p[1].s, r.data, r.len), FL_SPTPS_ERR_REPLAY);
	assert_int_equal(fl_sptps_receive(pr.p[1].s, r.data, r.len, NULL), FL_SPTPS_ERR_REPLAY);
	free(r.data);
	fl_sptps_set_outseqno(pr.p[0].s, 1000000);
	assert_int_equal(fl_sptps_send(pr.p[0].s, 0, &b, 1), FL_SPTPS_OK);
	r = pair_take(&pr, 0, 0);
	assert_int_equal(fl_sptps_verify_datagram(pr.p[1].s, r.data, r.len), FL_SPTPS_ERR_FUTURE);
	assert_int_equal(fl_sptps_receive(pr.p[1].s, r.data, r.len, NULL), FL_SPTPS_ERR_FUTURE);
	free(r.data);
	pair_free(&pr);
}

/* Feed everything queued by side as one byte stream in chunks. */
static void stream_flush(struct pair *pr, int side, size_t chunk)
{
	struct pair_peer *pp = &pr->p[side];
	size_t total = 0, off = 0;
	uint8_t *buf;

	for (size_t k = 0; k < pp->nout; k++)
		total += pp->out[k].len;
	buf = malloc(total + 1);
	for (size_t k = 0; k < pp->nout; k++) {
		memcpy(buf + off, pp->out[k].data, pp->out[k].len);
		off += pp->out[k].len;
		free(pp->out[k].data);
	}
	pp->nout = 0;
	off = 0;
	while (off < total) {
		size_t n = total - off < chunk ? total - off : chunk, used;

		assert_int_equal(fl_sptps_receive(pr->p[!side].s, buf + off, n, &used), FL_SPTPS_OK);
		assert_true(used > 0);
		off += used;
	}
	free(buf);
}

static void test_stream_rekey_loses_nothing(void **state)
{
	struct pair pr;
	uint32_t sent[2] = { 0, 0 };
	const size_t chunks[] = { 1, 7, 64, 1500, 100000 };

	(void)state;
	handshake(&pr, FL_SPTPS_STREAM);
	for (int step = 0; step < 400; step++) {
		int side = step % 3 == 0;
		uint8_t body[300];

		memset(body, (int)step, sizeof(body));
		memcpy(body, &sent[side], 4);
		assert_int_equal(fl_sptps_send(pr.p[side].s, 1, body, 4 + (size_t)step % 290),
				 FL_SPTPS_OK);
		sent[side]++;
		if (step == 50 || step == 230)
			assert_int_equal(fl_sptps_force_kex(pr.p[0].s, 100), FL_SPTPS_OK);
		if (step == 140 || step == 330)
			assert_int_equal(fl_sptps_force_kex(pr.p[1].s, 100), FL_SPTPS_OK);
		if (step % 5 == 4) {
			stream_flush(&pr, 0, chunks[step % 5 == 4 ? (step / 5) % 5 : 0]);
			stream_flush(&pr, 1, chunks[(step / 5 + 2) % 5]);
		}
	}
	while (pr.p[0].nout || pr.p[1].nout) {
		stream_flush(&pr, 0, 13);
		stream_flush(&pr, 1, 13);
	}
	assert_int_equal(pr.p[0].done, 5);
	assert_int_equal(pr.p[1].done, 5);
	for (int side = 0; side < 2; side++) {
		struct pair_peer *rx = &pr.p[!side];

		assert_int_equal(rx->ngot, sent[side]);
		for (uint32_t k = 0; k < sent[side]; k++) {
			uint32_t v;
			memcpy(&v, rx->got[k].data, 4);
			assert_int_equal(v, k);
		}
	}
	pair_free(&pr);
}

/* Old-key datagrams that arrive after the peer's ACK are accepted while
 * the grace lasts, and only then. */
static void test_datagram_rekey_grace(void **state)
{
	struct pair pr;
	struct pair_rec d0, d1, d2, r;
	uint8_t b = 7;

	(void)state;
	handshake(&pr, FL_SPTPS_DATAGRAM);
	assert_int_equal(fl_sptps_force_kex(pr.p[0].s, 100), FL_SPTPS_OK);
	r = pair_take(&pr, 0, 0); /* KEX_I' */
	assert_int_equal(r.type, FL_SPTPS_HANDSHAKE);
	assert_int_equal(pair_feed(&pr, 1, r.data, r.len), FL_SPTPS_OK);
	free(r.data);
	assert_true(fl_sptps_handshaking(pr.p[1].s));
	r = pair_take(&pr, 1, 0); /* KEX_R' */
	assert_int_equal(pair_feed(&pr, 0, r.data, r.len), FL_SPTPS_OK);
	free(r.data);
	assert_int_equal(fl_sptps_send(pr.p[1].s, 5, &b, 1), FL_SPTPS_OK);
	assert_int_equal(fl_sptps_send(pr.p[1].s, 6, &b, 1), FL_SPTPS_OK);
	d0 = pair_take(&pr, 1, 0);
	d1 = pair_take(&pr, 1, 0);
	r = pair_take(&pr, 0, 0); /* SIG_I' */
	assert_int_equal(pair_feed(&pr, 1, r.data, r.len), FL_SPTPS_OK);
	free(r.data);
	assert_int_equal(pr.p[1].nout, 2); /* SIG_R', ACK_R */
	assert_int_equal(fl_sptps_send(pr.p[1].s, 7, &b, 1), FL_SPTPS_OK);
	d2 = pair_take(&pr, 1, 2); /* new key */
	assert_int_equal(pair_pump(&pr), FL_SPTPS_OK);
	assert_int_equal(pr.p[0].done, 2);
	assert_int_equal(pr.p[1].done, 2);
	/* d2 is under the new key, d1 under the previous one (grace). */
	assert_int_equal(pair_feed(&pr, 0, d2.data, d2.len), FL_SPTPS_OK);
	assert_int_equal(fl_sptps_verify_datagram(pr.p[0].s, d1.data, d1.len), FL_SPTPS_OK);
	assert_int_equal(pair_feed(&pr, 0, d1.data, d1.len), FL_SPTPS_OK);
	assert_int_equal(pr.p[0].ngot, 2);
	assert_int_equal(pr.p[0].got[0].type, 7);
	assert_int_equal(pr.p[0].got[1].type, 6);
	{
		struct fl_sptps_keys k;
		fl_sptps_keys(pr.p[0].s, &k);
		assert_true(k.prev_valid);
		assert_true(k.in_valid);
		sodium_memzero(&k, sizeof(k));
	}
	fl_sptps_end_grace(pr.p[0].s);
	assert_int_equal(pair_feed(&pr, 0, d0.data, d0.len), FL_SPTPS_ERR_AUTH);
	assert_int_equal(pr.p[0].ngot, 2);
	free(d0.data);
	free(d1.data);
	free(d2.data);
	pair_free(&pr);
}

/* A re-key's handshake records travel over the meta graph while datagrams
 * take UDP: the datagrams may have moved the replay window past a KEX far
 * more than its span before it arrives, or a SIG may come far ahead of
 * them. Both are taken (tinc drops them and the re-key stalls); a
 * handshake record is still never taken twice. */
static void test_datagram_rekey_handshake_outside_window(void **state)
{
	struct pair pr;
	struct pair_rec kex, r;
	uint8_t b = 3;
	uint32_t span = FL_SPTPS_DEFAULT_REPLAYWIN * 8;

	(void)state;
	handshake(&pr, FL_SPTPS_DATAGRAM);
	assert_int_equal(fl_sptps_force_kex(pr.p[0].s, 100), FL_SPTPS_OK);
	kex = pair_take(&pr, 0, 0); /* KEX_I', held back */
	assert_int_equal(kex.type, FL_SPTPS_HANDSHAKE);
	for (uint32_t i = 0; i < 2 * span; i++) {
		assert_int_equal(fl_sptps_send(pr.p[0].s, 1, &b, 1), FL_SPTPS_OK);
		r = pair_take(&pr, 0, 0);
		assert_int_equal(pair_feed(&pr, 1, r.data, r.len), FL_SPTPS_OK);
		free(r.data);
	}
	/* Two spans behind the window: a datagram there is refused... */
	assert_int_equal(fl_sptps_verify_datagram(pr.p[1].s, kex.data, kex.len),
			 FL_SPTPS_ERR_REPLAY);
	/* ...the handshake record is taken, once. */
	assert_int_equal(pair_feed(&pr, 1, kex.data, kex.len), FL_SPTPS_OK);
	assert_true(fl_sptps_handshaking(pr.p[1].s));
	assert_int_equal(pair_feed(&pr, 1, kex.data, kex.len), FL_SPTPS_ERR_REPLAY);
	/* SIG_I' overtakes more than a span of datagrams sent before it. */
	for (uint32_t i = 0; i < span + 44; i++)
		assert_int_equal(fl_sptps_send(pr.p[0].s, 1, &b, 1), FL_SPTPS_OK);
	r = pair_take(&pr, 1, 0); /* KEX_R' */
	assert_int_equal(pair_feed(&pr, 0, r.data, r.len), FL_SPTPS_OK);
	free(r.data);
	r = pair_take(&pr, 0, span + 44); /* SIG_I' */
	assert_int_equal(r.type, FL_SPTPS_HANDSHAKE);
	assert_int_equal(fl_sptps_verify_datagram(pr.p[1].s, r.data, r.len), FL_SPTPS_ERR_FUTURE);
	assert_int_equal(pair_feed(&pr, 1, r.data, r.len), FL_SPTPS_OK);
	/* An earlier handshake record after a later one is refused too. */
	assert_int_equal(pair_feed(&pr, 1, kex.data, kex.len), FL_SPTPS_ERR_REPLAY);
	free(r.data);
	free(kex.data);
	/* The window stayed where the datagrams put it: the overtaken ones
	 * still open. */
	{
		size_t got1 = pr.p[1].ngot;
		for (uint32_t i = 0; i < span + 44; i++) {
			r = pair_take(&pr, 0, 0);
			assert_int_equal(pair_feed(&pr, 1, r.data, r.len), FL_SPTPS_OK);
			free(r.data);
		}
		assert_int_equal(pr.p[1].ngot, got1 + span + 44);
	}
	assert_int_equal(pair_pump(&pr), FL_SPTPS_OK);
	assert_int_equal(pr.p[0].done, 2);
	assert_int_equal(pr.p[1].done, 2);
	/* Both directions work under the new keys. */
	size_t got0 = pr.p[0].ngot, got1 = pr.p[1].ngot;
	assert_int_equal(fl_sptps_send(pr.p[0].s, 8, &b, 1), FL_SPTPS_OK);
	assert_int_equal(fl_sptps_send(pr.p[1].s, 8, &b, 1), FL_SPTPS_OK);
	assert_int_equal(pair_pump(&pr), FL_SPTPS_OK);
	assert_int_equal(pr.p[0].ngot, got0 + 1);
	assert_int_equal(pr.p[1].ngot, got1 + 1);
	assert_int_equal(pr.p[1].got[got1].type, 8);
	pair_free(&pr);
}

/* The stream receiver takes at most one record per call and says how
 * much it took, so bytes after it (the next request line on a meta
 * connection) stay with the caller. */
static void test_stream_one_record_per_call(void **state)
{
	struct pair pr;
	struct pair_rec a, b;
	uint8_t buf[256];
	size_t used;

	(void)state;
	handshake(&pr, FL_SPTPS_STREAM);
	assert_int_equal(fl_sptps_send(pr.p[0].s, 0, (const uint8_t *)"8\n", 2), FL_SPTPS_OK);
	assert_int_equal(fl_sptps_send(pr.p[0].s, 0, (const uint8_t *)"9\n", 2), FL_SPTPS_OK);
	a = pair_take(&pr, 0, 0);
	b = pair_take(&pr, 0, 0);
	assert_int_equal(a.len, 2 + 1 + 2 + 16);
	memcpy(buf, a.data, a.len);
	memcpy(buf + a.len, b.data, b.len);
	memcpy(buf + a.len + b.len, "trailing", 8);
	assert_int_equal(fl_sptps_receive(pr.p[1].s, buf, sizeof(buf), &used), FL_SPTPS_OK);
	assert_int_equal(used, a.len);
	assert_int_equal(pr.p[1].ngot, 1);
	assert_int_equal(fl_sptps_receive(pr.p[1].s, buf + a.len, b.len + 8, &used), FL_SPTPS_OK);
	assert_int_equal(used, b.len);
	assert_int_equal(pr.p[1].ngot, 2);
	assert_memory_equal(pr.p[1].got[1].data, "9\n", 2);
	/* A record split across calls: the first part is taken whole. */
	assert_int_equal(fl_sptps_send(pr.p[0].s, 0, (const uint8_t *)"10", 2), FL_SPTPS_OK);
	free(a.data);
	a = pair_take(&pr, 0, 0);
	assert_int_equal(fl_sptps_receive(pr.p[1].s, a.data, 5, &used), FL_SPTPS_OK);
	assert_int_equal(used, 5);
	assert_int_equal(pr.p[1].ngot, 2);
	memcpy(buf, a.data + 5, a.len - 5);
	memcpy(buf + a.len - 5, "x", 1);
	assert_int_equal(fl_sptps_receive(pr.p[1].s, buf, a.len - 5 + 1, &used), FL_SPTPS_OK);
	assert_int_equal(used, a.len - 5);
	assert_int_equal(pr.p[1].ngot, 3);
	free(a.data);
	free(b.data);
	pair_free(&pr);
}

/* A deliver callback may answer on the same session (tinc's meta flow). */
static void test_reply_from_callback(void **state)
{
	uint8_t body[700];

	(void)state;
	for (int mode = 0; mode < 2; mode++) {
		struct pair pr;

		handshake(&pr, mode ? FL_SPTPS_DATAGRAM : FL_SPTPS_STREAM);
		for (size_t i = 0; i < sizeof(body); i++)
			body[i] = (uint8_t)(i * 7);
		for (int k = 0; k < 5; k++)
			assert_int_equal(fl_sptps_send(pr.p[0].s, 9, body, 100 * (size_t)k + 5),
					 FL_SPTPS_OK);
		assert_int_equal(pair_pump(&pr), FL_SPTPS_OK);
		assert_int_equal(pr.p[0].ngot, 5);
		for (int k = 0; k < 5; k++) {
			assert_int_equal(pr.p[0].got[k].type, 10);
			assert_int_equal(pr.p[0].got[k].len, 100 * (size_t)k + 5);
			assert_memory_equal(pr.p[0].got[k].data, body, 100 * (size_t)k + 5);
		}
		pair_free(&pr);
	}
}

/* The largest records (65535-byte bodies) in both modes; stream records
 * arriving in pieces grow the receive buffer. */
static void test_largest_records(void **state)
{
	static uint8_t body[FL_SPTPS_MAX_BODY];

	(void)state;
	for (size_t i = 0; i < sizeof(body); i++)
		body[i] = (uint8_t)(i * 13 + 1);
	for (int mode = 0; mode < 2; mode++) {
		struct pair pr;

		handshake(&pr, mode ? FL_SPTPS_DATAGRAM : FL_SPTPS_STREAM);
		pr.chunk = 1000;
		assert_int_equal(fl_sptps_send(pr.p[0].s, 2, body, sizeof(body)), FL_SPTPS_OK);
		assert_int_equal(fl_sptps_send(pr.p[0].s, 3, body, 1), FL_SPTPS_OK);
		assert_int_equal(pr.p[0].out[0].len, sizeof(body) + (mode ? 21 : 19));
		assert_int_equal(fl_sptps_send(pr.p[0].s, 2, body, sizeof(body) + 1),
				 FL_SPTPS_ERR_ARG);
		assert_int_equal(pair_pump(&pr), FL_SPTPS_OK);
		assert_int_equal(pr.p[1].ngot, 2);
		assert_int_equal(pr.p[1].got[0].len, sizeof(body));
		assert_memory_equal(pr.p[1].got[0].data, body, sizeof(body));
		pair_free(&pr);
	}
}

static void test_seqno_restart(void **state)
{
	struct pair pr;
	uint8_t b = 1;
	uint32_t first;

	(void)state;
	handshake(&pr, FL_SPTPS_DATAGRAM);
	assert_false(fl_sptps_needs_restart(pr.p[0].s));
	fl_sptps_set_outseqno(pr.p[0].s, FL_SPTPS_RESTART_SEQNO - 2);
	assert_int_equal(fl_sptps_send(pr.p[0].s, 0, &b, 1), FL_SPTPS_OK);
	assert_false(fl_sptps_needs_restart(pr.p[0].s));
	assert_int_equal(fl_sptps_send(pr.p[0].s, 0, &b, 1), FL_SPTPS_OK);
	assert_true(fl_sptps_needs_restart(pr.p[0].s));
	/* The receiver's window follows (far future after W/4 drops). */
	for (int k = 0; k < 2; k++) {
		struct pair_rec r = pair_take(&pr, 0, 0);
		fl_sptps_receive(pr.p[1].s, r.data, r.len, NULL);
		free(r.data);
	}
	/* Never past 2^32: no nonce reuse. */
	fl_sptps_set_outseqno(pr.p[0].s, UINT32_MAX - 1);
	assert_int_equal(fl_sptps_reserve(pr.p[0].s, 3, &first), FL_SPTPS_ERR_EXHAUSTED);
	assert_int_equal(fl_sptps_reserve(pr.p[0].s, 1, &first), FL_SPTPS_OK);
	assert_int_equal(first, UINT32_MAX - 1);
	assert_int_equal(fl_sptps_send(pr.p[0].s, 0, &b, 1), FL_SPTPS_OK);
	assert_int_equal(fl_sptps_send(pr.p[0].s, 0, &b, 1), FL_SPTPS_ERR_EXHAUSTED);
	assert_int_equal(fl_sptps_force_kex(pr.p[0].s, 5), FL_SPTPS_ERR_EXHAUSTED);
	assert_int_equal(fl_sptps_reserve(pr.p[0].s, 1, &first), FL_SPTPS_ERR_EXHAUSTED);
	pair_free(&pr);
}

/* The data plane's path: key snapshot, reserved seqnos, worker-side seal
 * and open with their own cipher contexts, replay update in order. */
static void test_split_api(void **state)
{
	struct pair pr;
	struct fl_sptps_keys ki, kr;
	struct fl_sptps_cipher *w = fl_sptps_cipher_new();
	uint8_t rec[4 + 1 + 100 + 16];
	uint32_t first, seqno;
	size_t len, ptlen;

	(void)state;
	handshake(&pr, FL_SPTPS_DATAGRAM);
	fl_sptps_keys(pr.p[0].s, &ki);
	fl_sptps_keys(pr.p[1].s, &kr);
	assert_true(ki.out_valid);
	assert_memory_equal(ki.out, kr.in, FL_SPTPS_KEY_LEN);
	assert_int_equal(fl_sptps_reserve(pr.p[0].s, 4, &first), FL_SPTPS_OK);
	assert_int_equal(first, 2);
	for (uint32_t k = 0; k < 4; k++) {
		rec[4] = 3;
		memset(rec + 5, (int)k, 100);
		len = fl_sptps_seal(w, ki.out, first + k, rec, 101);
		assert_int_equal(len, sizeof(rec));
		if (k < 2) {
			/* The session's own receive path takes worker-sealed records. */
			assert_int_equal(fl_sptps_receive(pr.p[1].s, rec, len, NULL), FL_SPTPS_OK);
			continue;
		}
		assert_int_equal(fl_sptps_open(w, kr.in, rec, len, &seqno, &ptlen),
				 FL_SPTPS_OPEN_OK);
		assert_int_equal(seqno, first + k);
		assert_int_equal(ptlen, 101);
		assert_int_equal(rec[4], 3);
		assert_int_equal(rec[5], k);
		assert_int_equal(fl_sptps_replay_update(fl_sptps_replay_window(pr.p[1].s), seqno),
				 FL_SPTPS_REPLAY_OK);
		assert_int_equal(fl_sptps_replay_check(fl_sptps_replay_window(pr.p[1].s), seqno),
				 FL_SPTPS_REPLAY_OLD);
	}
	assert_int_equal(pr.p[1].ngot, 2);
	assert_int_equal(fl_sptps_open(w, kr.in, rec, 20, &seqno, &ptlen), FL_SPTPS_OPEN_SHORT);
	/* The session's next own record continues after the reservation. */
	assert_int_equal(fl_sptps_outseqno(pr.p[0].s), 6);
	sodium_memzero(&ki, sizeof(ki));
	sodium_memzero(&kr, sizeof(kr));
	fl_sptps_cipher_free(w);
	pair_free(&pr);
}

/* A peer that signs a degenerate ephemeral key fails the handshake. */
static void test_degenerate_ephemeral(void **state)
{
	struct pair pr;
	struct pair_rec kex_i, sig_i;
	uint8_t kex_r[3 + 65], sig_r[3 + 64], msg[1 + 65 + 65 + 34];
	static const uint8_t label[] = "tinc UDP key expansion alpha beta";

	(void)state;
	pair_init(&pr, FL_SPTPS_STREAM);
	kex_i = pair_take(&pr, 0, 0);
	kex_r[0] = 0;
	kex_r[1] = 65;
	kex_r[2] = FL_SPTPS_HANDSHAKE;
	kex_r[3] = 0;
	memset(kex_r + 4, 0x5a, 32);
	memset(kex_r + 36, 0, 32);
	kex_r[36] = 1; /* the identity point: tinc would go on with secret 0 */
	assert_int_equal(fl_sptps_receive(pr.p[0].s, kex_r, sizeof(kex_r), NULL), FL_SPTPS_OK);
	sig_i = pair_take(&pr, 0, 0);
	assert_int_equal(sig_i.len, 67);
	msg[0] = 0;
	memcpy(msg + 1, kex_r + 3, 65);
	memcpy(msg + 66, kex_i.data + 3, 65);
	memcpy(msg + 131, label, sizeof(label));
	sig_r[0] = 0;
	sig_r[1] = 64;
	sig_r[2] = FL_SPTPS_HANDSHAKE;
	assert_int_equal(fl_ed25519_sign(&pr.p[1].key, msg, sizeof(msg), sig_r + 3), 0);
	assert_int_equal(fl_sptps_receive(pr.p[0].s, sig_r, sizeof(sig_r), NULL),
			 FL_SPTPS_ERR_ECDH);
	assert_false(fl_sptps_keyed(pr.p[0].s));
	assert_int_equal(fl_sptps_receive(pr.p[0].s, sig_r, 1, NULL), FL_SPTPS_ERR_DEAD);
	free(kex_i.data);
	free(sig_i.data);
	pair_free(&pr);
}

static void test_types_and_refusals(void **state)
{
	struct pair pr;
	static const uint8_t alert[] = { 0, 0, 129 }, app[] = { 0, 0, 0 };
	struct fl_sptps_keys k;
	struct fl_sptps_cipher *w = fl_sptps_cipher_new();
	uint8_t rec[4 + 1 + 16], b = 0;
	uint32_t first;

	(void)state;
	/* Before keys: sending refused; plaintext type 129 / app record fatal. */
	pair_init(&pr, FL_SPTPS_STREAM);
	assert_int_equal(fl_sptps_send(pr.p[0].s, 0, &b, 1), FL_SPTPS_ERR_STATE);
	assert_int_equal(fl_sptps_force_kex(pr.p[0].s, 1), FL_SPTPS_ERR_STATE);
	assert_int_equal(fl_sptps_receive(pr.p[0].s, alert, 3, NULL), FL_SPTPS_ERR_TYPE);
	assert_int_equal(fl_sptps_receive(pr.p[1].s, app, 3, NULL), FL_SPTPS_ERR_EARLY);
	pair_free(&pr);
	/* Keyed datagram session: types 129 and 130 dropped, session usable. */
	handshake(&pr, FL_SPTPS_DATAGRAM);
	assert_int_equal(fl_sptps_send(pr.p[0].s, 128, &b, 1), FL_SPTPS_ERR_ARG);
	assert_int_equal(fl_sptps_start(pr.p[0].s, 1), FL_SPTPS_ERR_STATE);
	fl_sptps_keys(pr.p[0].s, &k);
	for (uint8_t t = 129; t <= 131; t++) {
		assert_int_equal(fl_sptps_reserve(pr.p[0].s, 1, &first), FL_SPTPS_OK);
		rec[4] = t;
		assert_int_equal(fl_sptps_seal(w, k.out, first, rec, 1), sizeof(rec));
		assert_int_equal(fl_sptps_receive(pr.p[1].s, rec, sizeof(rec), NULL),
				 FL_SPTPS_ERR_TYPE);
	}
	assert_int_equal(fl_sptps_send(pr.p[0].s, 0, &b, 1), FL_SPTPS_OK);
	assert_int_equal(pair_pump(&pr), FL_SPTPS_OK);
	assert_int_equal(pr.p[1].ngot, 1);
	/* The re-key deadline: a peer-started re-key that stalls times out. */
	assert_int_equal(fl_sptps_force_kex(pr.p[0].s, 50), FL_SPTPS_OK);
	{
		struct pair_rec r = pair_take(&pr, 0, 0);
		assert_int_equal(pair_feed(&pr, 1, r.data, r.len), FL_SPTPS_OK);
		free(r.data);
	}
	assert_int_equal(fl_sptps_check_deadline(pr.p[1].s, 200), FL_SPTPS_OK); /* armed: 210 */
	assert_int_equal(fl_sptps_check_deadline(pr.p[1].s, 209), FL_SPTPS_OK);
	assert_int_equal(fl_sptps_check_deadline(pr.p[1].s, 210), FL_SPTPS_ERR_TIMEOUT);
	assert_int_equal(fl_sptps_check_deadline(pr.p[0].s, 49), FL_SPTPS_OK);
	assert_int_equal(fl_sptps_check_deadline(pr.p[0].s, 50), FL_SPTPS_ERR_TIMEOUT);
	assert_int_equal(fl_sptps_send(pr.p[0].s, 0, &b, 1), FL_SPTPS_ERR_DEAD);
	assert_false(fl_sptps_keyed(pr.p[0].s));
	sodium_memzero(&k, sizeof(k));
	fl_sptps_cipher_free(w);
	pair_free(&pr);
	for (int e = 0; e <= FL_SPTPS_ERR_LONG + 1; e++)
		assert_non_null(fl_sptps_strerror((enum fl_sptps_err)e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_datagram_each_byte_flipped),
		cmocka_unit_test(test_datagram_future_and_replay),
		cmocka_unit_test(test_stream_rekey_loses_nothing),
		cmocka_unit_test(test_datagram_rekey_grace),
		cmocka_unit_test(test_datagram_rekey_handshake_outside_window),
		cmocka_unit_test(test_reply_from_callback),
		cmocka_unit_test(test_largest_records),
		cmocka_unit_test(test_stream_one_record_per_call),
		cmocka_unit_test(test_seqno_restart),
		cmocka_unit_test(test_split_api),
		cmocka_unit_test(test_degenerate_ephemeral),
		cmocka_unit_test(test_types_and_refusals),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
