/* SPDX-License-Identifier: MIT */
/*
 * Ephemeral ECDH and tinc's PRF with libsodium (SPTPS.md §6.4, §6.5).
 * Called by the SPTPS handshake (sptps_handshake.c) and the tests.
 */
#include "crypto/sptps_kdf.h"

#include <string.h>

#include <sodium.h>

int fl_sptps_ecdh_keypair(const uint8_t seed[static 32], uint8_t scalar[static 32],
			  uint8_t pub[static 32])
{
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
	int r;

	if (crypto_sign_seed_keypair(pub, sk, seed) != 0)
		return -1;
	/* clamp(SHA-512(seed)[0..31]), the scalar tinc keeps. */
	r = crypto_sign_ed25519_sk_to_curve25519(scalar, sk);
	sodium_memzero(sk, sizeof(sk));
	return r == 0 ? 0 : -1;
}

int fl_sptps_ecdh_shared(const uint8_t scalar[static 32], const uint8_t peer[static 32],
			 uint8_t shared[static FL_SPTPS_ECDH_LEN])
{
	uint8_t u[crypto_scalarmult_curve25519_BYTES];

	if (crypto_sign_ed25519_pk_to_curve25519(u, peer) != 0)
		return -1;
	if (crypto_scalarmult_curve25519(shared, scalar, u) != 0) {
		sodium_memzero(shared, FL_SPTPS_ECDH_LEN);
		return -1;
	}
	return 0;
}

static void fl_sptps_prf_block(const uint8_t *secret, size_t secret_len, const uint8_t *a,
			       const uint8_t *seed, size_t seed_len, uint8_t out[static 64])
{
	crypto_auth_hmacsha512_state st;

	crypto_auth_hmacsha512_init(&st, secret, secret_len);
	crypto_auth_hmacsha512_update(&st, a, 64);
	crypto_auth_hmacsha512_update(&st, seed, seed_len);
	crypto_auth_hmacsha512_final(&st, out);
	sodium_memzero(&st, sizeof(st));
}

int fl_sptps_prf(const uint8_t *secret, size_t secret_len, const uint8_t *seed,
		 size_t seed_len, uint8_t *out, size_t outlen)
{
	uint8_t a[64] = { 0 }, next[64];

	/* Block k+1 = HMAC(block k || seed); block 0 = HMAC(zeros || seed)
	 * is only a chain value and is never output. */
	fl_sptps_prf_block(secret, secret_len, a, seed, seed_len, a);
	while (outlen > 0) {
		size_t n = outlen < 64 ? outlen : 64;

		fl_sptps_prf_block(secret, secret_len, a, seed, seed_len, next);
		memcpy(out, next, n);
		memcpy(a, next, 64);
		out += n;
		outlen -= n;
	}
	sodium_memzero(a, sizeof(a));
	sodium_memzero(next, sizeof(next));
	return 0;
}
