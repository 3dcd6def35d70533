/*
 * TEMPORARY, tests and bench only: a private stand-in for
 * src/crypto/ed25519.c (owned by the keys branch) until it lands on main,
 * implementing the three calls SPTPS uses with the libsodium recipe of
 * KEYS.md §6.2. Deleted when ed25519.c is merged.
 */
#include "crypto/ed25519.h"

#include <string.h>

#include <sodium.h>

int fl_ed25519_from_seed(struct fl_ed25519_key *key, const uint8_t seed[static FL_ED25519_SEED_LEN])
{
	uint8_t sk[crypto_sign_SECRETKEYBYTES];

	if (crypto_sign_seed_keypair(key->pub, sk, seed) != 0)
		return -1;
	crypto_hash_sha512(key->expanded, seed, 32);
	key->expanded[0] &= 248;
	key->expanded[31] &= 63;
	key->expanded[31] |= 64;
	sodium_memzero(sk, sizeof(sk));
	return 0;
}

int fl_ed25519_sign(const struct fl_ed25519_key *key, const uint8_t *msg, size_t len,
		    uint8_t sig[static FL_ED25519_SIG_LEN])
{
	crypto_hash_sha512_state st;
	uint8_t h[64], r[32], k[32], a64[64] = { 0 }, ar[32], t[32];

	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, key->expanded + 32, 32);
	crypto_hash_sha512_update(&st, msg, len);
	crypto_hash_sha512_final(&st, h);
	crypto_core_ed25519_scalar_reduce(r, h);
	if (crypto_scalarmult_ed25519_base_noclamp(sig, r) != 0)
		return -1;
	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, sig, 32);
	crypto_hash_sha512_update(&st, key->pub, 32);
	crypto_hash_sha512_update(&st, msg, len);
	crypto_hash_sha512_final(&st, h);
	crypto_core_ed25519_scalar_reduce(k, h);
	memcpy(a64, key->expanded, 32);
	crypto_core_ed25519_scalar_reduce(ar, a64);
	crypto_core_ed25519_scalar_mul(t, k, ar);
	crypto_core_ed25519_scalar_add(sig + 32, t, r);
	sodium_memzero(a64, sizeof(a64));
	sodium_memzero(ar, sizeof(ar));
	sodium_memzero(r, sizeof(r));
	return 0;
}

bool fl_ed25519_verify(const uint8_t pub[static FL_ED25519_PUBLIC_LEN], const uint8_t *msg,
		       size_t len, const uint8_t sig[static FL_ED25519_SIG_LEN])
{
	return crypto_sign_verify_detached(sig, msg, len, pub) == 0;
}
