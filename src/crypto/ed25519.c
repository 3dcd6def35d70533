/* SPDX-License-Identifier: MIT */
/*
 * Ed25519 over tinc's expanded private key (KEYS.md §2, §5, §6).
 *
 * tinc stores a || prefix, never the seed, so libsodium's crypto_sign_*
 * (which wants the seed) cannot sign for us. We rebuild RFC 8032 signing
 * from libsodium's public scalar and point operations instead; the result
 * is byte-identical to tinc's. Called by SPTPS (handshake signatures) and
 * by the key-file code (generation, public-half check).
 *
 * Pure: no I/O, no randomness (the caller supplies the seed), no globals.
 * Every intermediate that depends on the secret is wiped before return.
 */
#include "crypto/ed25519.h"

#include <string.h>

#include <sodium.h>

_Static_assert(sizeof(struct fl_ed25519_key) == 96,
	       "struct fl_ed25519_key must be tinc's 96 bytes a || prefix || A");
_Static_assert(crypto_core_ed25519_SCALARBYTES == 32, "scalar size");
_Static_assert(crypto_core_ed25519_NONREDUCEDSCALARBYTES == 64, "wide scalar size");
_Static_assert(crypto_scalarmult_ed25519_BYTES == FL_ED25519_PUBLIC_LEN, "point size");

/* RFC 8032 clamping of the low half of SHA-512(seed). */
static void ed25519_clamp(uint8_t a[static 32])
{
	a[0] &= 0xF8;
	a[31] &= 0x3F;
	a[31] |= 0x40;
}

int fl_ed25519_from_seed(struct fl_ed25519_key *key,
			 const uint8_t seed[static FL_ED25519_SEED_LEN])
{
	crypto_hash_sha512(key->expanded, seed, FL_ED25519_SEED_LEN);
	ed25519_clamp(key->expanded);
	if (fl_ed25519_public_from_expanded(key->pub, key->expanded) != 0) {
		fl_ed25519_key_wipe(key);
		return -1;
	}
	return 0;
}

int fl_ed25519_public_from_expanded(uint8_t pub[static FL_ED25519_PUBLIC_LEN],
				    const uint8_t expanded[static FL_ED25519_EXPANDED_LEN])
{
	/* noclamp: use the stored scalar as is, the way tinc does; an
	 * unclamped a from a hand-made file still gives tinc's A. */
	if (crypto_scalarmult_ed25519_base_noclamp(pub, expanded) != 0) {
		memset(pub, 0, FL_ED25519_PUBLIC_LEN);
		return -1;
	}
	return 0;
}

/* x = SHA-512(p1 || p2 || msg) mod L. p2 may be NULL. */
static void ed25519_hash_reduce(uint8_t x[static 32], const uint8_t p1[static 32],
				const uint8_t *p2, const uint8_t *msg, size_t len)
{
	crypto_hash_sha512_state st;
	uint8_t h[64];

	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, p1, 32);
	if (p2)
		crypto_hash_sha512_update(&st, p2, 32);
	crypto_hash_sha512_update(&st, msg, len);
	crypto_hash_sha512_final(&st, h);
	crypto_core_ed25519_scalar_reduce(x, h);
	sodium_memzero(h, sizeof h);
	sodium_memzero(&st, sizeof st);
}

int fl_ed25519_sign(const struct fl_ed25519_key *key, const uint8_t *msg,
		    size_t len, uint8_t sig[static FL_ED25519_SIG_LEN])
{
	static const uint8_t empty;
	uint8_t r[32], k[32], a64[64], ar[32], t[32];
	int ret = -1;

	if (!msg)
		msg = &empty; /* len must be 0 then; hash functions want a pointer */

	/* r = H(prefix || M) mod L; R = r·B */
	ed25519_hash_reduce(r, key->expanded + 32, NULL, msg, len);
	if (crypto_scalarmult_ed25519_base_noclamp(sig, r) != 0)
		goto out; /* r ≡ 0 mod L: probability 2^-252 */

	/* k = H(R || A || M) mod L, with the stored A as tinc does */
	ed25519_hash_reduce(k, sig, key->pub, msg, len);

	/* S = (r + k·a) mod L; a reduced first (documented input range) */
	memcpy(a64, key->expanded, 32);
	memset(a64 + 32, 0, 32);
	crypto_core_ed25519_scalar_reduce(ar, a64);
	crypto_core_ed25519_scalar_mul(t, k, ar);
	crypto_core_ed25519_scalar_add(sig + 32, t, r);
	ret = 0;
out:
	if (ret != 0)
		memset(sig, 0, FL_ED25519_SIG_LEN);
	sodium_memzero(r, sizeof r);
	sodium_memzero(k, sizeof k);
	sodium_memzero(a64, sizeof a64);
	sodium_memzero(ar, sizeof ar);
	sodium_memzero(t, sizeof t);
	return ret;
}

bool fl_ed25519_verify(const uint8_t pub[static FL_ED25519_PUBLIC_LEN],
		       const uint8_t *msg, size_t len,
		       const uint8_t sig[static FL_ED25519_SIG_LEN])
{
	static const uint8_t empty;

	if (!msg)
		msg = &empty;
	return crypto_sign_verify_detached(sig, msg, len, pub) == 0;
}

void fl_ed25519_key_wipe(struct fl_ed25519_key *key)
{
	sodium_memzero(key, sizeof *key);
}
