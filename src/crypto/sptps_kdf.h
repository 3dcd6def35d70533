/* SPDX-License-Identifier: MIT */
/*
 * SPTPS key exchange primitives (SPTPS.md §6.4, §6.5; KEYS.md §7): the
 * ephemeral Ed25519 key pair drawn per key exchange, the ECDH shared secret
 * computed tinc's way with libsodium, and tinc's PRF (HMAC-SHA-512 chain).
 * Pure functions; callers pass the randomness. Called by the session code
 * and the tests.
 */
#ifndef FL_CRYPTO_SPTPS_KDF_H
#define FL_CRYPTO_SPTPS_KDF_H

#include <stddef.h>
#include <stdint.h>

#define FL_SPTPS_ECDH_LEN 32

/* Ephemeral key pair from a 32-byte seed: scalar = clamped first half of
 * SHA-512(seed), pub = the Ed25519 public key sent in KEX. 0 or -1. */
int fl_sptps_ecdh_keypair(const uint8_t seed[static 32], uint8_t scalar[static 32],
			  uint8_t pub[static 32]);

/* shared = X25519(scalar, Montgomery u of the peer's Edwards key). -1 for
 * keys tinc would accept but an honest peer never sends (not on the curve,
 * small order, outside the prime-order subgroup, all-zero result). */
int fl_sptps_ecdh_shared(const uint8_t scalar[static 32], const uint8_t peer[static 32],
			 uint8_t shared[static FL_SPTPS_ECDH_LEN]);

/* tinc's prf(): A0 = 64 zero bytes, A(i) = HMAC(secret, A(i-1) || seed),
 * output = A2 || A3 || ... truncated to outlen. 0 or -1. */
int fl_sptps_prf(const uint8_t *secret, size_t secret_len, const uint8_t *seed,
		 size_t seed_len, uint8_t *out, size_t outlen);

#endif
