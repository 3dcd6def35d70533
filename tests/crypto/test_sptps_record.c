/* SPDX-License-Identifier: MIT */
/*
 * The record layer against a reference written from SPTPS.md §5.4 alone
 * (one ChaCha20 call over 64 zero bytes and the payload, one Poly1305
 * call over the ciphertext), for every record length up to past the
 * largest datagram: sptps_record.c cuts its calls to suit OpenSSL's
 * vector code (whole blocks, the MAC cut in two), and these cuts must
 * not change a byte, nor touch a byte outside the record and its room.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "crypto/sptps_record.h"

#define MAX_PT 1800

/* ct || tag of pt under key (its first 32 bytes) and seqno. */
static void reference_seal(const uint8_t *key, uint32_t seqno, const uint8_t *pt, size_t n,
			   uint8_t *out)
{
	EVP_CIPHER *chacha = EVP_CIPHER_fetch(NULL, "ChaCha20", NULL);
	EVP_CIPHER_CTX *cc = EVP_CIPHER_CTX_new();
	EVP_MAC *poly = EVP_MAC_fetch(NULL, "POLY1305", NULL);
	EVP_MAC_CTX *mc = EVP_MAC_CTX_new(poly);
	uint8_t iv[16] = { 0 }, *buf = calloc(1, 64 + n);
	int got = 0;
	size_t tl = 0;

	assert_non_null(buf);
	iv[12] = (uint8_t)(seqno >> 24);
	iv[13] = (uint8_t)(seqno >> 16);
	iv[14] = (uint8_t)(seqno >> 8);
	iv[15] = (uint8_t)seqno;
	memcpy(buf + 64, pt, n);
	assert_true(EVP_EncryptInit_ex(cc, chacha, NULL, key, iv));
	assert_true(EVP_EncryptUpdate(cc, buf, &got, buf, (int)(64 + n)));
	assert_true(EVP_MAC_init(mc, buf, 32, NULL));
	assert_true(EVP_MAC_update(mc, buf + 64, n));
	memcpy(out, buf + 64, n);
	assert_true(EVP_MAC_final(mc, out + n, &tl, 16));
	assert_int_equal(tl, 16);
	free(buf);
	EVP_MAC_CTX_free(mc);
	EVP_MAC_free(poly);
	EVP_CIPHER_CTX_free(cc);
	EVP_CIPHER_free(chacha);
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(seed + i * 31);
}

static void test_every_length(void **state)
{
	struct fl_sptps_cipher *c = fl_sptps_cipher_new();
	uint8_t key[FL_SPTPS_KEY_LEN], pt[MAX_PT], want[MAX_PT + 16];
	size_t total = FL_SPTPS_ROOM + MAX_PT + 20 + FL_SPTPS_TAIL_ROOM;
	uint8_t *buf = malloc(total), *pattern = malloc(total), *rec = buf + FL_SPTPS_ROOM;

	(void)state;
	assert_non_null(c);
	assert_non_null(buf);
	assert_non_null(pattern);
	fill(key, sizeof(key), 7);
	fill(pattern, total, 0xa5);
	for (size_t n = 1; n <= MAX_PT; n++) {
		uint32_t seqno = (uint32_t)(n * 2654435761u), got = 0;
		size_t reclen = n + 20, ptlen = 0;
		const uint8_t *end = rec + reclen;

		fill(pt, n, (uint8_t)n);
		reference_seal(key, seqno, pt, n, want);

		/* In place: the room on both sides holds its bytes again. */
		memcpy(buf, pattern, total);
		memcpy(rec + 4, pt, n);
		assert_int_equal(fl_sptps_seal_room(c, key, seqno, rec, n), reclen);
		assert_memory_equal(rec + 4, want, n + 16);
		assert_memory_equal(buf, pattern, FL_SPTPS_ROOM);
		assert_memory_equal(end, pattern + (end - buf), FL_SPTPS_TAIL_ROOM);
		assert_int_equal(fl_sptps_open_room(c, key, rec, reclen, &got, &ptlen),
				 FL_SPTPS_OPEN_OK);
		assert_int_equal(got, seqno);
		assert_int_equal(ptlen, n);
		assert_memory_equal(rec + 4, pt, n);
		assert_memory_equal(buf, pattern, FL_SPTPS_ROOM);
		assert_memory_equal(end, pattern + (end - buf), FL_SPTPS_TAIL_ROOM);

		/* Through the scratch: the same bytes. */
		memcpy(rec + 4, pt, n);
		assert_int_equal(fl_sptps_seal(c, key, seqno, rec, n), reclen);
		assert_memory_equal(rec + 4, want, n + 16);
		rec[4 + n / 2] ^= 0x10; /* a flipped bit fails, the record kept */
		assert_int_equal(fl_sptps_open_room(c, key, rec, reclen, &got, &ptlen),
				 FL_SPTPS_OPEN_AUTH);
		rec[4 + n / 2] ^= 0x10;
		assert_memory_equal(rec + 4, want, n + 16);
		assert_int_equal(fl_sptps_open(c, key, rec, reclen, &got, &ptlen), FL_SPTPS_OPEN_OK);
		assert_memory_equal(rec + 4, pt, n);
	}
	free(pattern);
	free(buf);
	fl_sptps_cipher_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
