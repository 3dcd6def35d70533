/* SPDX-License-Identifier: MIT */
/*
 * tinc's base64 ("tinc-b64", KEYS.md §1): little-endian bit order inside
 * each 3-byte group, no '=' padding, one decoder for the standard and the
 * URL-safe alphabet. Used for key files, Ed25519PublicKey, and the blobs of
 * the meta protocol (REQ_KEY/ANS_KEY payloads).
 *
 * Pure: buffers in, buffers out. The decoder does not branch or index a
 * table on the characters it decodes (private keys pass through it).
 */
#ifndef FL_CRYPTO_B64_H
#define FL_CRYPTO_B64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum fl_b64_err {
	FL_B64_OK = 0,
	FL_B64_BAD_CHAR,  /* a character outside A-Z a-z 0-9 + - / _ */
	FL_B64_NO_ROOM,   /* output buffer too small */
};

/* Characters written for n bytes: 4*(n/3) + (0, 2, 3)[n % 3]. */
size_t fl_b64_encoded_len(size_t n);

/* Bytes the decoder yields for n characters (the inverse rule of §1.3). */
size_t fl_b64_decoded_len(size_t n);

/* Encode len bytes into out, canonical form, NUL-terminated.
 * cap must be at least fl_b64_encoded_len(len) + 1; returns the number of
 * characters written (without the NUL), or 0 with out[0] = 0 if cap is too
 * small (and for len = 0). */
size_t fl_b64_encode(char *out, size_t cap, const uint8_t *in, size_t len,
		     bool urlsafe);

/* Decode len characters of in (tinc's rules: any invalid character fails,
 * unused trailing bits are ignored, a lone trailing character is ignored
 * but must be valid). On success *outlen = fl_b64_decoded_len(len); on
 * FL_B64_BAD_CHAR *bad_pos (if not NULL) is the index of the first invalid
 * character. out is wiped on every error. The empty input succeeds with
 * *outlen = 0: callers decide whether empty is acceptable (tinc's never do). */
enum fl_b64_err fl_b64_decode(uint8_t *out, size_t cap, size_t *outlen,
			      const char *in, size_t len, size_t *bad_pos);

/* true if every character of in is one the decoder accepts; otherwise
 * false with *bad_pos (if not NULL) = index of the first bad one. */
bool fl_b64_check(const char *in, size_t len, size_t *bad_pos);

/* true if in is the canonical spelling (what fl_b64_encode writes) of the
 * bytes it decodes to; false for invalid input too. */
bool fl_b64_is_canonical(const char *in, size_t len);

const char *fl_b64_strerror(enum fl_b64_err err);

#endif
