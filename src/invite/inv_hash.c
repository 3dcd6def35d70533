/* SPDX-License-Identifier: MIT */
/*
 * The hashes of an invitation (inv.h): the key hash in the URL and the
 * file name derived from the cookie. Both are SHA-512 truncated to 18
 * bytes and written in tinc's URL-safe base64.
 */
#include "invite/inv.h"

#include <string.h>

#include <sodium.h>

#include "crypto/b64.h"

void fl_inv_key_hash_raw(uint8_t out[static FL_INV_RAW_LEN], const char *key_b64)
{
	uint8_t h[crypto_hash_sha512_BYTES];

	crypto_hash_sha512(h, (const uint8_t *)key_b64, strlen(key_b64));
	memcpy(out, h, FL_INV_RAW_LEN);
}

void fl_inv_key_hash(char out[static FL_INV_B64_LEN + 1], const char *key_b64)
{
	uint8_t raw[FL_INV_RAW_LEN];

	fl_inv_key_hash_raw(raw, key_b64);
	fl_b64_encode(out, FL_INV_B64_LEN + 1, raw, sizeof raw, true);
}

void fl_inv_cookie_name(char out[static FL_INV_B64_LEN + 1],
			const uint8_t cookie[static FL_INV_RAW_LEN], const char *key_b64)
{
	crypto_hash_sha512_state st;
	uint8_t h[crypto_hash_sha512_BYTES];

	crypto_hash_sha512_init(&st);
	crypto_hash_sha512_update(&st, cookie, FL_INV_RAW_LEN);
	crypto_hash_sha512_update(&st, (const uint8_t *)key_b64, strlen(key_b64));
	crypto_hash_sha512_final(&st, h);
	fl_b64_encode(out, FL_INV_B64_LEN + 1, h, FL_INV_RAW_LEN, true);
	sodium_memzero(&st, sizeof st);
}

bool fl_inv_is_file_name(const char *name)
{
	return strlen(name) == FL_INV_B64_LEN && fl_b64_check(name, FL_INV_B64_LEN, NULL);
}
