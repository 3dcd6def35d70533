/* SPDX-License-Identifier: MIT */
/*
 * Ed25519 key pairs as tinc 1.1 keeps them (KEYS.md §2): the expanded
 * private key a || prefix (64 bytes, never the seed) and the public key A.
 * Signing works from the expanded key with libsodium's scalar and point
 * operations (KEYS.md §6.2); verification is libsodium's.
 *
 * Pure: no I/O, no globals. Randomness is passed in as a seed.
 * Implemented by src/crypto/ed25519.c; key files live in ed25519_keyfile.c.
 */
#ifndef FL_CRYPTO_ED25519_H
#define FL_CRYPTO_ED25519_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_ED25519_SEED_LEN 32
#define FL_ED25519_EXPANDED_LEN 64 /* clamped scalar a || prefix */
#define FL_ED25519_PUBLIC_LEN 32
#define FL_ED25519_SIG_LEN 64

/* An in-memory key pair: exactly tinc's 96 bytes a || prefix || A. */
struct fl_ed25519_key {
	uint8_t expanded[FL_ED25519_EXPANDED_LEN];
	uint8_t pub[FL_ED25519_PUBLIC_LEN];
};

/* Expand a 32-byte seed (SHA-512, clamp) and compute A. Returns 0, or -1 on
 * a libsodium failure (probability 2^-252). The caller wipes the seed. */
int fl_ed25519_from_seed(struct fl_ed25519_key *key,
			 const uint8_t seed[static FL_ED25519_SEED_LEN]);

/* Recompute A from the stored scalar a (bytes 0..31 of expanded).
 * Returns 0, or -1 if the scalar is zero mod L. */
int fl_ed25519_public_from_expanded(uint8_t pub[static FL_ED25519_PUBLIC_LEN],
				    const uint8_t expanded[static FL_ED25519_EXPANDED_LEN]);

/* RFC 8032 signature from the expanded key, byte-identical to tinc's. */
int fl_ed25519_sign(const struct fl_ed25519_key *key, const uint8_t *msg,
		    size_t len, uint8_t sig[static FL_ED25519_SIG_LEN]);

/* true if sig is a valid signature of msg under pub (libsodium's checks). */
bool fl_ed25519_verify(const uint8_t pub[static FL_ED25519_PUBLIC_LEN],
		       const uint8_t *msg, size_t len,
		       const uint8_t sig[static FL_ED25519_SIG_LEN]);

/* Wipe a key pair. */
void fl_ed25519_key_wipe(struct fl_ed25519_key *key);

#endif
