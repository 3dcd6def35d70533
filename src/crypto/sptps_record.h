/* SPDX-License-Identifier: MIT */
/*
 * SPTPS record protection: tinc's "chacha-poly1305" (SPTPS.md §5) and the
 * datagram record layout (§4.1), as functions that take the key and the
 * seqno explicitly and touch no session state, so any number of threads can
 * seal and open at once, each with its own struct fl_sptps_cipher.
 *
 * Construction: ChaCha20 with 64-bit nonce BE64(seqno); Poly1305 one-time
 * key = keystream block 0 [0..31]; payload XORed from block 1; tag =
 * Poly1305 over the ciphertext only. Only the first 32 bytes of a 64-byte
 * direction key are used (FL_SPTPS_KEY_LEN). OpenSSL does the ChaCha20 and
 * Poly1305 (EVP_chacha20 + EVP_MAC "POLY1305"); the RFC 8439 AEAD cannot be
 * used because its MAC input differs.
 *
 * Callers: src/crypto/sptps*.c, the data plane workers, bench/sptps.
 */
#ifndef FL_CRYPTO_SPTPS_RECORD_H
#define FL_CRYPTO_SPTPS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_SPTPS_KEY_LEN 32   /* ChaCha20 key: bytes 0..31 of a direction key */
#define FL_SPTPS_TAG_LEN 16
#define FL_SPTPS_SEQNO_LEN 4
#define FL_SPTPS_CIPHER_MAX 65536 /* TYPE + 65535 body: the most one call takes */

/* Per-thread cipher state: one OpenSSL cipher and MAC context and a scratch
 * buffer, created once and reused for every record. The scratch grows to
 * the largest record seen (no allocation per record in steady state) and
 * may hold the last record's plaintext until the next call. */
struct fl_sptps_cipher;

struct fl_sptps_cipher *fl_sptps_cipher_new(void);
/* The same with OpenSSL objects of its own (a library context): for the
 * data plane's crypto workers, which seal and open at once on several
 * cores. With the shared ones every record's EVP_EncryptInit_ex takes a
 * reference on the one EVP_CIPHER, and that counter's cache line bounces
 * between the cores. Costs about 180 KB and 1.6 ms: one per worker, never
 * one per session. */
struct fl_sptps_cipher *fl_sptps_cipher_new_private(void);
void fl_sptps_cipher_free(struct fl_sptps_cipher *c);

/* Encrypt buf[0..len) in place and write the 16-byte tag to tag (which may
 * be buf + len). len may be 0, at most FL_SPTPS_CIPHER_MAX. Returns 0, or
 * -1 on an OpenSSL failure or an oversized len. */
int fl_sptps_cipher_seal(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
			 uint32_t seqno, uint8_t *buf, size_t len,
			 uint8_t tag[static FL_SPTPS_TAG_LEN]);

/* Check tag over buf[0..len) in constant time; only if it matches, decrypt
 * buf in place (unless decrypt is false). Returns 0, 1 = tag mismatch
 * (buf unchanged), -1 = OpenSSL failure. */
int fl_sptps_cipher_open(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
			 uint32_t seqno, uint8_t *buf, size_t len,
			 const uint8_t tag[static FL_SPTPS_TAG_LEN], bool decrypt);

/* Tag check only, nothing written (tinc's sptps_verify_datagram).
 * Returns 0, 1 = tag mismatch, -1 = OpenSSL failure. */
int fl_sptps_cipher_verify(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
			   uint32_t seqno, const uint8_t *buf, size_t len,
			   const uint8_t tag[static FL_SPTPS_TAG_LEN]);

/* Zero-copy forms, used by the session and by callers that can send or
 * deliver straight from the context's scratch. The returned pointer stays
 * valid until the next call on c.
 *
 * seal_scratch: encrypt TYPE || body; returns p with ciphertext (1 + len
 * bytes) then the tag at p, and 64 writable bytes before p for the
 * caller's header (so header || record can go out as one buffer). NULL on
 * failure. */
uint8_t *fl_sptps_cipher_seal_scratch(struct fl_sptps_cipher *c,
				      const uint8_t key[static FL_SPTPS_KEY_LEN], uint32_t seqno,
				      uint8_t type, const uint8_t *body, size_t len);
#define FL_SPTPS_SCRATCH_HEADROOM 64

/* open_scratch: check tag over in[0..len) (left untouched) and, if it
 * matches, decrypt into scratch; *pt points at the len plaintext bytes.
 * Returns 0, 1 = tag mismatch, -1 = failure. */
int fl_sptps_cipher_open_scratch(struct fl_sptps_cipher *c,
				 const uint8_t key[static FL_SPTPS_KEY_LEN], uint32_t seqno,
				 const uint8_t *in, size_t len,
				 const uint8_t tag[static FL_SPTPS_TAG_LEN], const uint8_t **pt);

/* Datagram record, in place. On entry rec[4] = TYPE and rec[5..5+n) =
 * body; ptlen = 1 + n (TYPE and body). Writes BE32(seqno) to rec[0..3],
 * encrypts rec[4..4+ptlen) and appends the tag: rec must hold
 * ptlen + 20 bytes. Returns the record length (ptlen + 20), or 0 on an
 * OpenSSL failure or ptlen == 0. */
size_t fl_sptps_seal(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
		     uint32_t seqno, uint8_t *rec, size_t ptlen);

/* In-place forms for records inside packet buffers (DESIGN.md "Buffers"):
 * the FL_SPTPS_ROOM bytes in front of rec and the FL_SPTPS_TAIL_ROOM bytes
 * behind the record's end (its tag included) must be writable. The front
 * ones serve as ChaCha20's block 0 (the Poly1305 key) in the same call
 * that encrypts the record, so nothing is copied through the scratch
 * buffer; the ones behind let that call end on a whole block. Both hold
 * their old contents again on return (an ID prefix may sit in front).
 * Same results as fl_sptps_seal / fl_sptps_open below. */
#define FL_SPTPS_ROOM (64 - FL_SPTPS_SEQNO_LEN)
#define FL_SPTPS_TAIL_ROOM (64 - FL_SPTPS_TAG_LEN)
size_t fl_sptps_seal_room(struct fl_sptps_cipher *c, const uint8_t key[static FL_SPTPS_KEY_LEN],
			  uint32_t seqno, uint8_t *rec, size_t ptlen);

/* Where Poly1305 over len bytes is cut into two calls, or 0 for one call.
 * OpenSSL 3's x86-64 vector code is slow on runs of 16-byte blocks whose
 * count is not 0 or 2 past a multiple of 8, and on a partial last block;
 * the cut gives it a run it is fast on (sptps_record.c). Exported so that
 * bench/sptps's primitive line cuts its MAC the same way. */
size_t fl_sptps_mac_cut(size_t len);

enum fl_sptps_open_result {
	FL_SPTPS_OPEN_OK = 0,
	FL_SPTPS_OPEN_SHORT,
	FL_SPTPS_OPEN_AUTH,
	FL_SPTPS_OPEN_CRYPTO,
};

/* Open a datagram record of len bytes in place: read the seqno into
 * *seqno, verify the tag, decrypt. On success rec[4] = TYPE, rec[5..] =
 * body and *ptlen = len - 20. Returns FL_SPTPS_OPEN_OK, _SHORT (len < 21),
 * _AUTH (tag mismatch; rec unchanged), or _CRYPTO (OpenSSL failure). */
enum fl_sptps_open_result fl_sptps_open(struct fl_sptps_cipher *c,
					const uint8_t key[static FL_SPTPS_KEY_LEN],
					uint8_t *rec, size_t len, uint32_t *seqno,
					size_t *ptlen);

/* Open in place using the FL_SPTPS_ROOM bytes in front of rec (see
 * fl_sptps_seal_room): the ciphertext is decrypted straight into the
 * scratch buffer (no copy in), then copied back once the tag matched. */
enum fl_sptps_open_result fl_sptps_open_room(struct fl_sptps_cipher *c,
					     const uint8_t key[static FL_SPTPS_KEY_LEN],
					     uint8_t *rec, size_t len, uint32_t *seqno,
					     size_t *ptlen);

#endif
