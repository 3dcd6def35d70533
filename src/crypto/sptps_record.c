/*
 * tinc's chacha-poly1305 record protection with OpenSSL (SPTPS.md §5.4) and
 * the datagram record layout (§4.1). Called by the session code, the data
 * plane workers and the benchmark; no shared state, one
 * struct fl_sptps_cipher per thread.
 *
 * Per record the cipher context is re-keyed with one EVP_EncryptInit_ex
 * call whose IV has block counter 0; the first 64 keystream bytes give the
 * Poly1305 key and the payload then continues from block 1 in the same
 * pass, so no second init is needed.
 */
#include "crypto/sptps_record.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

struct fl_sptps_cipher {
	EVP_CIPHER *chacha;
	EVP_CIPHER_CTX *cctx;
	EVP_MAC *poly;
	EVP_MAC_CTX *mctx;
};

_Static_assert(FL_SPTPS_SEQNO_LEN + 1 + FL_SPTPS_TAG_LEN == 21, "datagram overhead");

static const uint8_t fl_sptps_zero64[64];

struct fl_sptps_cipher *fl_sptps_cipher_new(void)
{
	struct fl_sptps_cipher *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->chacha = EVP_CIPHER_fetch(NULL, "ChaCha20", NULL);
	c->cctx = EVP_CIPHER_CTX_new();
	c->poly = EVP_MAC_fetch(NULL, "POLY1305", NULL);
	c->mctx = c->poly ? EVP_MAC_CTX_new(c->poly) : NULL;
	if (!c->chacha || !c->cctx || !c->mctx ||
	    !EVP_EncryptInit_ex(c->cctx, c->chacha, NULL, NULL, NULL)) {
		fl_sptps_cipher_free(c);
		return NULL;
	}
	return c;
}

void fl_sptps_cipher_free(struct fl_sptps_cipher *c)
{
	if (!c)
		return;
	EVP_MAC_CTX_free(c->mctx);
	EVP_MAC_free(c->poly);
	EVP_CIPHER_CTX_free(c->cctx);
	EVP_CIPHER_free(c->chacha);
	free(c);
}

/* Key the cipher for seqno at block 0 and take the Poly1305 key from the
 * first keystream block; the cipher is left at block 1. */
static int fl_sptps_cipher_begin(struct fl_sptps_cipher *c, const uint8_t *key, uint32_t seqno)
{
	uint8_t iv[16] = { 0 };
	uint8_t block0[64];
	int n = 0, ok;

	iv[12] = (uint8_t)(seqno >> 24);
	iv[13] = (uint8_t)(seqno >> 16);
	iv[14] = (uint8_t)(seqno >> 8);
	iv[15] = (uint8_t)seqno;
	ok = EVP_EncryptInit_ex(c->cctx, NULL, NULL, key, iv) &&
	     EVP_EncryptUpdate(c->cctx, block0, &n, fl_sptps_zero64, 64) && n == 64 &&
	     EVP_MAC_init(c->mctx, block0, 32, NULL);
	OPENSSL_cleanse(block0, sizeof(block0));
	return ok ? 0 : -1;
}

static int fl_sptps_cipher_xor(struct fl_sptps_cipher *c, uint8_t *buf, size_t len)
{
	int n = 0;

	/* Records are at most 65536 bytes, well inside int. */
	if (len == 0)
		return 0;
	if (len > 0x7fffffff || !EVP_EncryptUpdate(c->cctx, buf, &n, buf, (int)len) ||
	    (size_t)n != len)
		return -1;
	return 0;
}

static int fl_sptps_cipher_tag(struct fl_sptps_cipher *c, const uint8_t *buf, size_t len,
			       uint8_t tag[static FL_SPTPS_TAG_LEN])
{
	size_t n = 0;

	if (!EVP_MAC_update(c->mctx, buf, len) ||
	    !EVP_MAC_final(c->mctx, tag, &n, FL_SPTPS_TAG_LEN) || n != FL_SPTPS_TAG_LEN)
		return -1;
	return 0;
}

int fl_sptps_cipher_seal(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
			 uint32_t seqno, uint8_t *buf, size_t len,
			 uint8_t tag[static FL_SPTPS_TAG_LEN])
{
	if (fl_sptps_cipher_begin(c, key, seqno) || fl_sptps_cipher_xor(c, buf, len) ||
	    fl_sptps_cipher_tag(c, buf, len, tag))
		return -1;
	return 0;
}

int fl_sptps_cipher_verify(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
			   uint32_t seqno, const uint8_t *buf, size_t len,
			   const uint8_t tag[static FL_SPTPS_TAG_LEN])
{
	uint8_t want[FL_SPTPS_TAG_LEN];

	if (fl_sptps_cipher_begin(c, key, seqno) || fl_sptps_cipher_tag(c, buf, len, want))
		return -1;
	return CRYPTO_memcmp(want, tag, FL_SPTPS_TAG_LEN) != 0 ? 1 : 0;
}

int fl_sptps_cipher_open(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
			 uint32_t seqno, uint8_t *buf, size_t len,
			 const uint8_t tag[static FL_SPTPS_TAG_LEN], bool decrypt)
{
	int r = fl_sptps_cipher_verify(c, key, seqno, buf, len, tag);

	if (r != 0)
		return r;
	if (decrypt && fl_sptps_cipher_xor(c, buf, len))
		return -1;
	return 0;
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
