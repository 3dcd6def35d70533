/* SPDX-License-Identifier: MIT */
/*
 * tinc's chacha-poly1305 record protection with OpenSSL (SPTPS.md §5.4) and
 * the datagram record layout (§4.1). Called by the session code, the data
 * plane workers and the benchmark; no shared state, one
 * struct fl_sptps_cipher per thread.
 *
 * Per record the cipher context gets one EVP_EncryptInit_ex call (the IV,
 * and the key only when it changed) with block counter 0, then ONE
 * ChaCha20 call over 64 zero bytes followed by the payload: block 0 gives
 * the Poly1305 key and the payload continues from block 1 in the same
 * pass. OpenSSL's ChaCha20 has a large fixed cost per call, so this beats
 * a separate 64-byte call by far more than the payload copies it needs.
 * The _room forms put those 64 bytes in the packet buffer's headroom in
 * front of the record instead, so a seal copies nothing and an open
 * copies the plaintext once (its MAC needs the ciphertext intact).
 *
 * Two costs of OpenSSL 3's x86-64 code shape the calls (bench/sptps's
 * primitive lines, measured on an AVX-512 EPYC): a ChaCha20 call that
 * ends inside a 64-byte block costs a second pass of the vector code for
 * the last block (+160 ns, 18% of a 1401-byte record), so every call
 * covers whole blocks and the few bytes past the record's end are saved
 * and put back (FL_SPTPS_TAIL_ROOM); and Poly1305 over a run of 16-byte
 * blocks whose count is 4..7 more than a multiple of 8 takes a slow tail
 * path (+100 ns), as, less so, do 1 or 3 more and a partial last block,
 * so the MAC is cut in two calls where that is faster
 * (fl_sptps_mac_cut). Neither changes a byte of the results.
 */
#include "crypto/sptps_record.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

struct fl_sptps_cipher {
	OSSL_LIB_CTX *lib; /* NULL: OpenSSL's default (fl_sptps_cipher_new_private) */
	EVP_CIPHER *chacha;
	EVP_CIPHER_CTX *cctx;
	EVP_MAC *poly;
	EVP_MAC_CTX *mctx;
	uint8_t key[FL_SPTPS_KEY_LEN]; /* key the cipher context holds */
	bool have_key;
	/* 64 zero bytes then the payload: one ChaCha20 call yields the
	 * Poly1305 key (block 0) and the payload (from block 1). */
	uint8_t *scratch;
	size_t cap;
};

#define FL_SPTPS_SCRATCH_MIN 2048

_Static_assert(FL_SPTPS_SEQNO_LEN + 1 + FL_SPTPS_TAG_LEN == 21, "datagram overhead");

static struct fl_sptps_cipher *fl_sptps_cipher_make(bool private_lib)
{
	struct fl_sptps_cipher *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (private_lib && !(c->lib = OSSL_LIB_CTX_new())) {
		free(c);
		return NULL;
	}
	c->chacha = EVP_CIPHER_fetch(c->lib, "ChaCha20", NULL);
	c->cctx = EVP_CIPHER_CTX_new();
	c->poly = EVP_MAC_fetch(c->lib, "POLY1305", NULL);
	c->mctx = c->poly ? EVP_MAC_CTX_new(c->poly) : NULL;
	c->scratch = malloc(FL_SPTPS_SCRATCH_MIN);
	c->cap = FL_SPTPS_SCRATCH_MIN;
	if (!c->chacha || !c->cctx || !c->mctx || !c->scratch ||
	    !EVP_EncryptInit_ex(c->cctx, c->chacha, NULL, NULL, NULL)) {
		fl_sptps_cipher_free(c);
		return NULL;
	}
	return c;
}

struct fl_sptps_cipher *fl_sptps_cipher_new(void)
{
	return fl_sptps_cipher_make(false);
}

struct fl_sptps_cipher *fl_sptps_cipher_new_private(void)
{
	return fl_sptps_cipher_make(true);
}

void fl_sptps_cipher_free(struct fl_sptps_cipher *c)
{
	if (!c)
		return;
	EVP_MAC_CTX_free(c->mctx);
	EVP_MAC_free(c->poly);
	EVP_CIPHER_CTX_free(c->cctx);
	EVP_CIPHER_free(c->chacha);
	OSSL_LIB_CTX_free(c->lib);
	if (c->scratch)
		OPENSSL_cleanse(c->scratch, c->cap);
	OPENSSL_cleanse(c->key, sizeof(c->key));
	free(c->scratch);
	free(c);
}

/* 64 + n rounded up to whole ChaCha20 blocks. */
static size_t fl_sptps_blocks(size_t n)
{
	return (64 + n + 63) & ~(size_t)63;
}

/* Room for the whole blocks over 64 + len bytes and a tag; grows rarely
 * (to the largest record). */
static int fl_sptps_cipher_room(struct fl_sptps_cipher *c, size_t len)
{
	size_t need = fl_sptps_blocks(len) + FL_SPTPS_TAG_LEN;
	uint8_t *p;

	if (len > FL_SPTPS_CIPHER_MAX)
		return -1;
	if (need <= c->cap)
		return 0;
	if (!(p = malloc(need)))
		return -1;
	OPENSSL_cleanse(c->scratch, c->cap);
	free(c->scratch);
	c->scratch = p;
	c->cap = need;
	return 0;
}

/* Set the nonce for seqno at block 0; the key only when it changed (the
 * data plane seals runs of records under one key). */
static int fl_sptps_cipher_begin(struct fl_sptps_cipher *c, const uint8_t *key, uint32_t seqno)
{
	uint8_t iv[16] = { 0 };
	const uint8_t *k = NULL;

	iv[12] = (uint8_t)(seqno >> 24);
	iv[13] = (uint8_t)(seqno >> 16);
	iv[14] = (uint8_t)(seqno >> 8);
	iv[15] = (uint8_t)seqno;
	/* Whether the key changed is not secret (re-keys are visible on the
	 * wire), so a plain compare will do. */
	if (!c->have_key || memcmp(c->key, key, FL_SPTPS_KEY_LEN) != 0) {
		memcpy(c->key, key, FL_SPTPS_KEY_LEN);
		c->have_key = true;
		k = key;
	}
	if (!EVP_EncryptInit_ex(c->cctx, NULL, NULL, k, iv)) {
		c->have_key = false;
		return -1;
	}
	return 0;
}

/* XOR in[0..n) with the keystream from block 0 into out (which may be
 * in): with 64 zero bytes in front of the payload, block 0 becomes the
 * Poly1305 key and the payload continues from block 1. */
static int fl_sptps_cipher_xor(struct fl_sptps_cipher *c, uint8_t *out, const uint8_t *in,
			       size_t n)
{
	int got = 0;

	if (!EVP_EncryptUpdate(c->cctx, out, &got, in, (int)n) || (size_t)got != n)
		return -1;
	return 0;
}

/* The scratch form: scratch[0..64+len) in place, in whole blocks (the
 * scratch has room for them; what lies past 64 + len is never read). */
static int fl_sptps_cipher_pass(struct fl_sptps_cipher *c, size_t len)
{
	return fl_sptps_cipher_xor(c, c->scratch, c->scratch, fl_sptps_blocks(len));
}

/* Below this many bytes one call is as fast (measured: 330 bytes, 150 ->
 * 143 ns with a head apart; 262-397 bytes, within 3% either way). */
#define FL_SPTPS_MAC_SPLIT_MIN 256

size_t fl_sptps_mac_cut(size_t len)
{
	size_t blocks = len / 16, extra = blocks % 8, vec = blocks;

	if (len < FL_SPTPS_MAC_SPLIT_MIN)
		return 0;
	/* 4..6 blocks past a multiple of 8: those first, in a call of
	 * their own (1349 bytes: 599 -> 431 TSC cycles). */
	if (extra >= 4 && extra <= 6)
		return extra * 16;
	/* Otherwise the vector code gets the longest run of whole blocks
	 * whose count is 0 or 2 past a multiple of 8, and a second call the
	 * 0..5 blocks and partial block after it (1401 bytes: 692 -> 471
	 * cycles, where a head of 7 blocks gave 530; 1168 bytes, 1 past:
	 * 419 -> 358; 1441 bytes, a partial block only: 446 -> 406). */
	while (vec % 8 != 0 && vec % 8 != 2)
		vec--;
	return vec * 16 < len ? vec * 16 : 0;
}

/* Poly1305 keyed with pk[0..31] over buf. */
static int fl_sptps_poly(struct fl_sptps_cipher *c, const uint8_t *pk, const uint8_t *buf,
			 size_t len, uint8_t tag[static FL_SPTPS_TAG_LEN])
{
	size_t cut = fl_sptps_mac_cut(len), n = 0;
	int ok = EVP_MAC_init(c->mctx, pk, 32, NULL) &&
		 (!cut || EVP_MAC_update(c->mctx, buf, cut)) &&
		 EVP_MAC_update(c->mctx, buf + cut, len - cut) &&
		 EVP_MAC_final(c->mctx, tag, &n, FL_SPTPS_TAG_LEN) && n == FL_SPTPS_TAG_LEN;

	return ok ? 0 : -1;
}

/* The same, then wipe the one-time key (pk[0..63], all of block 0). */
static int fl_sptps_cipher_mac(struct fl_sptps_cipher *c, uint8_t *pk, const uint8_t *buf,
			       size_t len, uint8_t tag[static FL_SPTPS_TAG_LEN])
{
	int r = fl_sptps_poly(c, pk, buf, len, tag);

	OPENSSL_cleanse(pk, 64);
	return r;
}

/* Poly1305 keyed with scratch[0..31] over buf. */
static int fl_sptps_cipher_tag(struct fl_sptps_cipher *c, const uint8_t *buf, size_t len,
			       uint8_t tag[static FL_SPTPS_TAG_LEN])
{
	return fl_sptps_cipher_mac(c, c->scratch, buf, len, tag);
}

/* Load 64 zero bytes, then the pieces, into scratch, and run ChaCha20. */
static int fl_sptps_cipher_load(struct fl_sptps_cipher *c, const uint8_t *key, uint32_t seqno,
				const uint8_t *head, size_t hlen, const uint8_t *rest, size_t rlen)
{
	if (fl_sptps_cipher_room(c, hlen + rlen) || fl_sptps_cipher_begin(c, key, seqno))
		return -1;
	memset(c->scratch, 0, 64);
	if (hlen)
		memcpy(c->scratch + 64, head, hlen);
	if (rlen)
		memcpy(c->scratch + 64 + hlen, rest, rlen);
	return fl_sptps_cipher_pass(c, hlen + rlen);
}

uint8_t *fl_sptps_cipher_seal_scratch(struct fl_sptps_cipher *c,
				      const uint8_t key[static FL_SPTPS_KEY_LEN], uint32_t seqno,
				      uint8_t type, const uint8_t *body, size_t len)
{
	uint8_t *ct;

	if (len >= FL_SPTPS_CIPHER_MAX || fl_sptps_cipher_load(c, key, seqno, &type, 1, body, len))
		return NULL;
	ct = c->scratch + 64;
	if (fl_sptps_cipher_tag(c, ct, 1 + len, ct + 1 + len))
		return NULL;
	return ct;
}

int fl_sptps_cipher_open_scratch(struct fl_sptps_cipher *c,
				 const uint8_t key[static FL_SPTPS_KEY_LEN], uint32_t seqno,
				 const uint8_t *in, size_t len,
				 const uint8_t tag[static FL_SPTPS_TAG_LEN], const uint8_t **pt)
{
	uint8_t want[FL_SPTPS_TAG_LEN];

	/* Decrypt a copy, MAC the untouched input, release only on a match. */
	if (fl_sptps_cipher_load(c, key, seqno, in, len, NULL, 0) ||
	    fl_sptps_cipher_tag(c, in, len, want))
		return -1;
	if (CRYPTO_memcmp(want, tag, FL_SPTPS_TAG_LEN) != 0)
		return 1;
	*pt = c->scratch + 64;
	return 0;
}

int fl_sptps_cipher_seal(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
			 uint32_t seqno, uint8_t *buf, size_t len,
			 uint8_t tag[static FL_SPTPS_TAG_LEN])
{
	if (fl_sptps_cipher_load(c, key, seqno, buf, len, NULL, 0))
		return -1;
	if (len)
		memcpy(buf, c->scratch + 64, len);
	return fl_sptps_cipher_tag(c, buf, len, tag);
}

int fl_sptps_cipher_verify(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
			   uint32_t seqno, const uint8_t *buf, size_t len,
			   const uint8_t tag[static FL_SPTPS_TAG_LEN])
{
	uint8_t want[FL_SPTPS_TAG_LEN];

	if (fl_sptps_cipher_load(c, key, seqno, NULL, 0, NULL, 0) ||
	    fl_sptps_cipher_tag(c, buf, len, want))
		return -1;
	return CRYPTO_memcmp(want, tag, FL_SPTPS_TAG_LEN) != 0 ? 1 : 0;
}

int fl_sptps_cipher_open(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
			 uint32_t seqno, uint8_t *buf, size_t len,
			 const uint8_t tag[static FL_SPTPS_TAG_LEN], bool decrypt)
{
	const uint8_t *pt;
	int r;

	if (!decrypt)
		return fl_sptps_cipher_verify(c, key, seqno, buf, len, tag);
	r = fl_sptps_cipher_open_scratch(c, key, seqno, buf, len, tag, &pt);
	if (r == 0 && len)
		memcpy(buf, pt, len);
	return r;
}

size_t fl_sptps_seal(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
		     uint32_t seqno, uint8_t *rec, size_t ptlen)
{
	if (ptlen == 0)
		return 0;
	rec[0] = (uint8_t)(seqno >> 24);
	rec[1] = (uint8_t)(seqno >> 16);
	rec[2] = (uint8_t)(seqno >> 8);
	rec[3] = (uint8_t)seqno;
	if (fl_sptps_cipher_seal(c, key, seqno, rec + FL_SPTPS_SEQNO_LEN, ptlen,
				 rec + FL_SPTPS_SEQNO_LEN + ptlen))
		return 0;
	return ptlen + FL_SPTPS_SEQNO_LEN + FL_SPTPS_TAG_LEN;
}

enum fl_sptps_open_result fl_sptps_open(struct fl_sptps_cipher *c,
					const uint8_t key[static FL_SPTPS_KEY_LEN],
					uint8_t *rec, size_t len, uint32_t *seqno,
					size_t *ptlen)
{
	size_t ct;
	int r;

	if (len < FL_SPTPS_SEQNO_LEN + 1 + FL_SPTPS_TAG_LEN)
		return FL_SPTPS_OPEN_SHORT;
	ct = len - FL_SPTPS_SEQNO_LEN - FL_SPTPS_TAG_LEN;
	*seqno = (uint32_t)rec[0] << 24 | (uint32_t)rec[1] << 16 | (uint32_t)rec[2] << 8 | rec[3];
	r = fl_sptps_cipher_open(c, key, *seqno, rec + FL_SPTPS_SEQNO_LEN, ct,
				 rec + FL_SPTPS_SEQNO_LEN + ct, true);
	if (r < 0)
		return FL_SPTPS_OPEN_CRYPTO;
	if (r > 0)
		return FL_SPTPS_OPEN_AUTH;
	*ptlen = ct;
	return FL_SPTPS_OPEN_OK;
}

static void fl_sptps_put_seqno(uint8_t *rec, uint32_t seqno)
{
	rec[0] = (uint8_t)(seqno >> 24);
	rec[1] = (uint8_t)(seqno >> 16);
	rec[2] = (uint8_t)(seqno >> 8);
	rec[3] = (uint8_t)seqno;
}

size_t fl_sptps_seal_room(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
			  uint32_t seqno, uint8_t *rec, size_t ptlen)
{
	/* Block 0 lies on the room and the seqno field, TYPE || body
	 * follows: one ChaCha20 call over the lot, as with the scratch. */
	uint8_t *z = rec + FL_SPTPS_SEQNO_LEN - 64, *ct = rec + FL_SPTPS_SEQNO_LEN;
	uint8_t saved[64], tail[64];
	size_t whole = fl_sptps_blocks(ptlen), over = whole - 64 - ptlen;
	int bad;

	if (ptlen == 0 || ptlen > FL_SPTPS_CIPHER_MAX)
		return 0;
	memcpy(saved, z, sizeof(saved));
	memcpy(tail, ct + ptlen, over); /* the tag's place and the tail room */
	memset(z, 0, 64);
	bad = fl_sptps_cipher_begin(c, key, seqno) || fl_sptps_cipher_xor(c, z, z, whole);
	memcpy(ct + ptlen, tail, over);
	bad = bad || fl_sptps_poly(c, z, ct, ptlen, ct + ptlen);
	memcpy(z, saved, sizeof(saved)); /* overwrites the one-time key */
	if (bad)
		return 0;
	fl_sptps_put_seqno(rec, seqno);
	return ptlen + FL_SPTPS_SEQNO_LEN + FL_SPTPS_TAG_LEN;
}

enum fl_sptps_open_result fl_sptps_open_room(struct fl_sptps_cipher *c,
					     const uint8_t key[static FL_SPTPS_KEY_LEN],
					     uint8_t *rec, size_t len, uint32_t *seqno,
					     size_t *ptlen)
{
	uint8_t *z = rec + FL_SPTPS_SEQNO_LEN - 64, *ct = rec + FL_SPTPS_SEQNO_LEN;
	uint8_t saved[64], want[FL_SPTPS_TAG_LEN];
	size_t n;
	int bad;

	if (len < FL_SPTPS_SEQNO_LEN + 1 + FL_SPTPS_TAG_LEN)
		return FL_SPTPS_OPEN_SHORT;
	n = len - FL_SPTPS_SEQNO_LEN - FL_SPTPS_TAG_LEN;
	*seqno = (uint32_t)rec[0] << 24 | (uint32_t)rec[1] << 16 | (uint32_t)rec[2] << 8 | rec[3];
	if (fl_sptps_cipher_room(c, n))
		return FL_SPTPS_OPEN_CRYPTO;
	/* Zeros || ciphertext decrypted out of place into the scratch: the
	 * ciphertext stays intact for the MAC, and a tag that fails leaves
	 * the record as it came. */
	memcpy(saved, z, sizeof(saved));
	memset(z, 0, 64);
	/* Whole blocks: up to 63 bytes past the ciphertext are read (the tag
	 * and FL_SPTPS_TAIL_ROOM), their output in the scratch never used. */
	bad = fl_sptps_cipher_begin(c, key, *seqno) ||
	      fl_sptps_cipher_xor(c, c->scratch, z, fl_sptps_blocks(n));
	memcpy(z, saved, sizeof(saved));
	if (bad || fl_sptps_cipher_tag(c, ct, n, want))
		return FL_SPTPS_OPEN_CRYPTO;
	if (CRYPTO_memcmp(want, ct + n, FL_SPTPS_TAG_LEN) != 0)
		return FL_SPTPS_OPEN_AUTH;
	memcpy(ct, c->scratch + 64, n);
	*ptlen = n;
	return FL_SPTPS_OPEN_OK;
}
