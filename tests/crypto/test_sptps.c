/* SPDX-License-Identifier: MIT */
/*
 * SPTPS tests: tinc's vectors (cipher, PRF, ECDH, transcripts replayed in
 * both roles and both modes, replay window, tampering, wrong keys), then
 * fenliu's own promises: every flipped datagram byte rejected, re-keys in
 * a busy stream lose nothing, the previous-key grace, the seqno restart
 * threshold, the split seal/open API, degenerate peer keys, deadlines.
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
#include "crypto/sptps_kdf.h"
#include "sptps_replay_driver.h"
#include "sptps_vec.h"

static const char *const transcript_files[] = {
	"handshake-stream.txt", "handshake-datagram.txt", "datagram-replay.txt",
	"tamper.txt",		"wrong-key.txt",
};

static void hex_eq(const uint8_t *got, size_t n, const char *want_hex, const char *what)
{
	size_t wn;
	uint8_t *want = vec_hex(want_hex, &wn);

	if (wn != n || memcmp(got, want, n)) {
		fprintf(stderr, "%s: mismatch\n", what);
		fail();
	}
	free(want);
}

/* The in-place forms on a record with FL_SPTPS_ROOM bytes in front (and
 * FL_SPTPS_TAIL_ROOM behind; test_sptps_record checks those): the
 * same bytes as the vector, the room given back as it was, and a failing
 * tag leaves the record untouched. */
static void room_forms(struct fl_sptps_cipher *c, const uint8_t *key, uint32_t seqno,
		       const uint8_t *pt, size_t pn, const char *want_hex, const char *what)
{
	uint8_t *buf = malloc(FL_SPTPS_ROOM + pn + 20 + FL_SPTPS_TAIL_ROOM);
	uint8_t *rec = buf + FL_SPTPS_ROOM, *copy;
	uint8_t room[FL_SPTPS_ROOM];
	size_t len = pn + 20, ptlen = 0;
	uint32_t got = 0;

	for (size_t i = 0; i < sizeof(room); i++)
		room[i] = (uint8_t)(0xa5 ^ i);
	memcpy(buf, room, sizeof(room));
	memcpy(rec + 4, pt, pn);
	assert_int_equal(fl_sptps_seal_room(c, key, seqno, rec, pn), len);
	assert_memory_equal(buf, room, sizeof(room));
	assert_int_equal((uint32_t)rec[0] << 24 | (uint32_t)rec[1] << 16 | (uint32_t)rec[2] << 8 | rec[3],
			 seqno);
	hex_eq(rec + 4, pn + 16, want_hex, what);
	copy = malloc(len);
	memcpy(copy, rec, len);
	rec[len - 1] ^= 1;
	assert_int_equal(fl_sptps_open_room(c, key, rec, len, &got, &ptlen), FL_SPTPS_OPEN_AUTH);
	rec[len - 1] ^= 1;
	assert_memory_equal(rec, copy, len);
	assert_memory_equal(buf, room, sizeof(room));
	assert_int_equal(fl_sptps_open_room(c, key, rec, len, &got, &ptlen), FL_SPTPS_OPEN_OK);
	assert_int_equal(got, seqno);
	assert_int_equal(ptlen, pn);
	assert_memory_equal(rec + 4, pt, pn);
	assert_memory_equal(buf, room, sizeof(room));
	free(copy);
	free(buf);
}

static void test_cipher_vectors(void **state)
{
	struct vec_file f;
	struct fl_sptps_cipher *c = fl_sptps_cipher_new();
	size_t count = 0;

	(void)state;
	assert_non_null(c);
	vec_load(&f, "cipher.txt");
	for (size_t i = 0; i < f.n; i++) {
		const struct vec_case *vc = &f.cases[i];
		size_t kn, sn, pn;
		uint8_t *key, *sq, *pt, tag[16];
		uint32_t seqno;

		if (!vec_get(vc, "output"))
			continue;
		key = vec_hex(vec_get(vc, "key"), &kn);
		sq = vec_hex(vec_get(vc, "seqno"), &sn);
		pt = vec_hex(vec_get(vc, "plaintext"), &pn);
		seqno = (uint32_t)sq[0] << 24 | (uint32_t)sq[1] << 16 | (uint32_t)sq[2] << 8 | sq[3];
		uint8_t *buf = malloc(pn + 16);
		memcpy(buf, pt, pn);
		assert_int_equal(fl_sptps_cipher_seal(c, key, seqno, buf, pn, buf + pn), 0);
		hex_eq(buf, pn + 16, vec_get(vc, "output"), vc->title);
		memcpy(tag, buf + pn, 16);
		assert_int_equal(fl_sptps_cipher_open(c, key, seqno, buf, pn, tag, true), 0);
		assert_memory_equal(buf, pt, pn);
		tag[0] ^= 1;
		assert_int_equal(fl_sptps_cipher_open(c, key, seqno, buf, pn, tag, true), 1);
		if (pn > 0)
			room_forms(c, key, seqno, pt, pn, vec_get(vc, "output"), vc->title);
		count++;
		free(buf);
		free(key);
		free(sq);
		free(pt);
	}
	assert_int_equal(count, 14);
	vec_free(&f);
	fl_sptps_cipher_free(c);
}

static void test_prf_vectors(void **state)
{
	struct vec_file f;
	size_t count = 0;

	(void)state;
	vec_load(&f, "prf.txt");
	for (size_t i = 0; i < f.n; i++) {
		const struct vec_case *vc = &f.cases[i];
		size_t sn, dn, outlen;
		uint8_t *sec, *seed, *out;

		if (!vec_get(vc, "output"))
			continue;
		sec = vec_hex(vec_get(vc, "secret"), &sn);
		seed = vec_hex(vec_get(vc, "seed"), &dn);
		outlen = (size_t)atoi(vec_get(vc, "outlen"));
		out = malloc(outlen + 1);
		assert_int_equal(fl_sptps_prf(sec, sn, seed, dn, out, outlen), 0);
		hex_eq(out, outlen, vec_get(vc, "output"), vc->title);
		count++;
		free(sec);
		free(seed);
		free(out);
	}
	assert_int_equal(count, 13);
	vec_free(&f);
}

static void ecdh_pair(const struct vec_case *vc)
{
	size_t n;
	uint8_t *seed_a = vec_hex(vec_get(vc, "seed_a"), &n);
	uint8_t *seed_b = vec_hex(vec_get(vc, "seed_b"), &n);
	uint8_t sa[32], pa[32], sb[32], pb[32], s1[32], s2[32];

	assert_int_equal(fl_sptps_ecdh_keypair(seed_a, sa, pa), 0);
	assert_int_equal(fl_sptps_ecdh_keypair(seed_b, sb, pb), 0);
	hex_eq(pa, 32, vec_get(vc, "public_a"), vc->title);
	hex_eq(pb, 32, vec_get(vc, "public_b"), vc->title);
	{
		uint8_t *ea = vec_hex(vec_get(vc, "expanded_a"), &n);
		assert_memory_equal(sa, ea, 32);
		free(ea);
	}
	assert_int_equal(fl_sptps_ecdh_shared(sa, pb, s1), 0);
	assert_int_equal(fl_sptps_ecdh_shared(sb, pa, s2), 0);
	hex_eq(s1, 32, vec_get(vc, "shared_a"), vc->title);
	hex_eq(s2, 32, vec_get(vc, "shared_b"), vc->title);
	free(seed_a);
	free(seed_b);
}

static void ecdh_edge(const struct vec_case *vc)
{
	size_t n;
	uint8_t *seed = vec_hex(vec_get(vc, "seed_a"), &n);
	uint8_t *peer = vec_hex(vec_get(vc, "peer_public"), &n);
	uint8_t sa[32], pa[32], s[32];
	const char *ok = vec_get(vc, "sodium_shared");

	assert_int_equal(fl_sptps_ecdh_keypair(seed, sa, pa), 0);
	if (ok) {
		assert_int_equal(fl_sptps_ecdh_shared(sa, peer, s), 0);
		hex_eq(s, 32, vec_get(vc, "tinc_shared"), vc->title);
	} else {
		/* Stricter than tinc on purpose (KEYS.md §7.4). */
		assert_int_equal(fl_sptps_ecdh_shared(sa, peer, s), -1);
	}
	free(seed);
	free(peer);
}

static void test_ecdh_vectors(void **state)
{
	struct vec_file f;
	size_t pairs = 0, edges = 0;

	(void)state;
	vec_load(&f, "ecdh.txt");
	for (size_t i = 0; i < f.n; i++) {
		if (!strncmp(f.cases[i].title, "ecdh_edge", 9)) {
			ecdh_edge(&f.cases[i]);
			edges++;
		} else if (!strncmp(f.cases[i].title, "ecdh ", 5)) {
			ecdh_pair(&f.cases[i]);
			pairs++;
		}
	}
	assert_int_equal(pairs, 6);
	assert_int_equal(edges, 8);
	vec_free(&f);
}

static void test_transcripts(void **state)
{
	size_t cases = 0;

	(void)state;
	for (size_t k = 0; k < sizeof(transcript_files) / sizeof(transcript_files[0]); k++) {
		struct vec_file f;

		vec_load(&f, transcript_files[k]);
		for (size_t i = 0; i < f.n; i++) {
			if (!vec_get(&f.cases[i], "mode"))
				continue;
			assert_int_equal(replay_side(&f.cases[i], 'i', NULL), 0);
			assert_int_equal(replay_side(&f.cases[i], 'r', NULL), 0);
			cases++;
		}
		vec_free(&f);
	}
	replay_done();
	assert_int_equal(cases, 2 + 2 + 5 + 8 + 4);
}

/* wrong-key.txt: the side tinc leaves waiting is released by the deadline. */
static void test_wrong_key_deadline(void **state)
{
	struct vec_file f;
	size_t seen = 0;

	(void)state;
	vec_load(&f, "wrong-key.txt");
	for (size_t i = 0; i < f.n; i++) {
		const struct vec_case *vc = &f.cases[i];
		struct fl_sptps *s = NULL;
		size_t n = strlen(vc->title);

		if (n < 10 || strcmp(vc->title + n - 10, "-responder"))
			continue;
		replay_set_deadline(1000);
		assert_int_equal(replay_side(vc, 'i', &s), 0);
		assert_true(fl_sptps_handshaking(s));
		assert_false(fl_sptps_keyed(s));
		assert_int_equal(fl_sptps_check_deadline(s, 999), FL_SPTPS_OK);
		assert_int_equal(fl_sptps_check_deadline(s, 1000), FL_SPTPS_ERR_TIMEOUT);
		assert_int_equal(fl_sptps_receive(s, (const uint8_t *)"x", 1, NULL),
				 FL_SPTPS_ERR_DEAD);
		fl_sptps_free(s);
		seen++;
	}
	replay_set_deadline(UINT64_MAX);
	replay_done();
	assert_int_equal(seen, 2);
	vec_free(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cipher_vectors),
		cmocka_unit_test(test_prf_vectors),
		cmocka_unit_test(test_ecdh_vectors),
		cmocka_unit_test(test_transcripts),
		cmocka_unit_test(test_wrong_key_deadline),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
