/* SPDX-License-Identifier: MIT */
/*
 * Ed25519 over tinc's expanded key (src/crypto/ed25519.c) against every
 * [key N] of tests/vectors/keys.txt: expansion, public key, the four
 * signatures tinc made, and verification (accept the real ones, reject
 * altered ones).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "crypto/ed25519.h"
#include "keyvec.h"

static struct keyvec kv;

static void hexval(const struct keyvec_section *s, const char *name,
		   uint8_t *out, size_t want)
{
	size_t len;
	char *v = keyvec_get(s, name, &len);

	assert_non_null(v);
	assert_int_equal(keyvec_hex(v, out, want), want);
	free(v);
}

/* The four messages of the vectors: empty, "a", "abc", 1000 bytes i%256. */
static const uint8_t *message(int i, size_t *len, uint8_t m1000[1000])
{
	switch (i) {
	case 0: *len = 0; return NULL;
	case 1: *len = 1; return (const uint8_t *)"a";
	case 2: *len = 3; return (const uint8_t *)"abc";
	default:
		for (int j = 0; j < 1000; j++)
			m1000[j] = (uint8_t)j;
		*len = 1000;
		return m1000;
	}
}

static void check_key(const struct keyvec_section *s)
{
	static const char *const sigs[] = {"sig_empty", "sig_a", "sig_abc", "sig_m1000"};
	uint8_t seed[32], expanded[64], pub[32], pub2[32], sig[64], want[64];
	uint8_t m1000[1000];
	struct fl_ed25519_key key;

	hexval(s, "seed", seed, 32);
	hexval(s, "expanded_private", expanded, 64);
	hexval(s, "public", pub, 32);

	assert_int_equal(fl_ed25519_from_seed(&key, seed), 0);
	assert_memory_equal(key.expanded, expanded, 64);
	assert_memory_equal(key.pub, pub, 32);
	assert_int_equal(fl_ed25519_public_from_expanded(pub2, expanded), 0);
	assert_memory_equal(pub2, pub, 32);

	for (int i = 0; i < 4; i++) {
		size_t len;
		const uint8_t *m = message(i, &len, m1000);

		hexval(s, sigs[i], want, 64);
		assert_int_equal(fl_ed25519_sign(&key, m, len, sig), 0);
		assert_memory_equal(sig, want, 64);
		assert_true(fl_ed25519_verify(pub, m, len, sig));
		sig[i * 7] ^= 0x01; /* in R for i < 4: any flip must fail */
		assert_false(fl_ed25519_verify(pub, m, len, sig));
		sig[i * 7] ^= 0x01;
		sig[40] ^= 0x80;    /* in S */
		assert_false(fl_ed25519_verify(pub, m, len, sig));
		sig[40] ^= 0x80;
		if (len > 0) {
			uint8_t other[1000];
			memcpy(other, m, len);
			other[len - 1] ^= 1;
			assert_false(fl_ed25519_verify(pub, other, len, sig));
		}
		pub2[0] = pub[0] ^ 0x02;
		memcpy(pub2 + 1, pub + 1, 31);
		assert_false(fl_ed25519_verify(pub2, m, len, sig));
	}
	fl_ed25519_key_wipe(&key);
	for (size_t i = 0; i < sizeof key; i++)
		assert_int_equal(((uint8_t *)&key)[i], 0);
}

static void test_vector_keys(void **state)
{
	int n = 0;

	(void)state;
	for (size_t i = 0; i < kv.nsec; i++) {
		if (strncmp(kv.sec[i].title, "key ", 4) != 0)
			continue;
		check_key(&kv.sec[i]);
		n++;
	}
	assert_int_equal(n, 5);
}

/* Keys generated from random seeds sign and verify, and libsodium's
 * seed-based signer agrees byte for byte (KEYS.md §6.2). */
static void test_random_keys_match_sodium(void **state)
{
	(void)state;
	for (int i = 0; i < 64; i++) {
		uint8_t seed[32], pk[32], sk[64], msg[97], s1[64], s2[64];
		struct fl_ed25519_key key;

		randombytes_buf(seed, sizeof seed);
		randombytes_buf(msg, sizeof msg);
		assert_int_equal(fl_ed25519_from_seed(&key, seed), 0);
		crypto_sign_seed_keypair(pk, sk, seed);
		assert_memory_equal(pk, key.pub, 32);
		assert_int_equal(fl_ed25519_sign(&key, msg, (size_t)i, s1), 0);
		crypto_sign_detached(s2, NULL, msg, (size_t)i, sk);
		assert_memory_equal(s1, s2, 64);
		assert_true(fl_ed25519_verify(key.pub, msg, (size_t)i, s1));
		fl_ed25519_key_wipe(&key);
	}
}

/* A scalar of zero has no public key: refused, not a crash. */
static void test_zero_scalar(void **state)
{
	uint8_t expanded[64] = {0}, pub[32];

	(void)state;
	assert_int_equal(fl_ed25519_public_from_expanded(pub, expanded), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_keys),
		cmocka_unit_test(test_random_keys_match_sodium),
		cmocka_unit_test(test_zero_scalar),
	};

	return keyvec_main(&kv, "keys.txt", tests, sizeof(tests) / sizeof(tests[0]));
}
