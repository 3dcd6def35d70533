/* SPDX-License-Identifier: MIT */
/*
 * tinc 1.1 invitations, the parts both sides share (pure: buffers in,
 * buffers out; SHA-512 from libsodium).
 *
 * An invitation URL is "ADDRESS[:PORT]/HASHCOOKIE": HASH is the first 18
 * bytes of SHA-512 over the inviter's invitation public key as tinc prints
 * it (43 tinc-b64 characters), COOKIE 18 random bytes; both are written in
 * tinc's URL-safe base64, 24 characters each. The inviter keeps the
 * invitation under invitations/NAME, NAME being the URL-safe base64 of the
 * first 18 bytes of SHA-512(COOKIE || key text), so the file name does not
 * give the cookie away.
 *
 * Callers: fenliu invite / join / dump invitations (src/cli) and fenliud's
 * invitation greeting (src/daemon/fld_invite.c).
 */
#ifndef FL_INVITE_INV_H
#define FL_INVITE_INV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_INV_RAW_LEN 18      /* key hash and cookie, in bytes */
#define FL_INV_B64_LEN 24      /* ... and in URL-safe base64 */
#define FL_INV_KEY_B64_LEN 43  /* an Ed25519 public key as tinc prints it */
#define FL_INV_HOST_MAX 256
#define FL_INV_PORT_MAX 32
#define FL_INV_DEFAULT_PORT "655"
#define FL_INV_LABEL "tinc invitation" /* SPTPS label, 15 bytes, no NUL */
#define FL_INV_LABEL_LEN 15
/* Record types of the invitation's SPTPS session. */
#define FL_INV_REC_DATA 0   /* inviter: invitation file chunk; joiner: cookie */
#define FL_INV_REC_FINISH 1 /* inviter: end of file; joiner: its public key */
#define FL_INV_REC_ACCEPTED 2 /* inviter: key stored, welcome */
#define FL_INV_EXPIRE_DEFAULT 604800 /* one week, tinc's InvitationExpire */

enum fl_inv_err {
	FL_INV_OK = 0,
	FL_INV_ERR_URL,	   /* not ADDRESS[:PORT]/ + 48 base64 characters */
	FL_INV_ERR_LONG,   /* address or port too long */
	FL_INV_ERR_NAME,   /* no valid "Name = NODE" first line */
	FL_INV_ERR_KEY,	   /* not a 43-character Ed25519 public key */
};

const char *fl_inv_strerror(enum fl_inv_err e);

struct fl_inv_url {
	char host[FL_INV_HOST_MAX]; /* without IPv6 brackets */
	char port[FL_INV_PORT_MAX]; /* FL_INV_DEFAULT_PORT when the URL has none */
	uint8_t hash[FL_INV_RAW_LEN];
	uint8_t cookie[FL_INV_RAW_LEN];
};

/* Parse a URL as tinc join does (trailing whitespace ignored). u is
 * cleared first; on error it stays cleared. */
enum fl_inv_err fl_inv_url_parse(struct fl_inv_url *u, const char *s, size_t len);

/* HASH of a key text (the 43 characters), as 24 URL-safe characters + NUL. */
void fl_inv_key_hash(char out[static FL_INV_B64_LEN + 1], const char *key_b64);

/* Raw HASH bytes of a key text (for comparison with a parsed URL). */
void fl_inv_key_hash_raw(uint8_t out[static FL_INV_RAW_LEN], const char *key_b64);

/* The invitation file name for cookie under key text key_b64. */
void fl_inv_cookie_name(char out[static FL_INV_B64_LEN + 1],
			const uint8_t cookie[static FL_INV_RAW_LEN], const char *key_b64);

/* Is name (NUL-terminated) a possible invitation file name: exactly 24
 * characters that decode as tinc-b64? */
bool fl_inv_is_file_name(const char *name);

/* The invited node's name from an invitation file's first line
 * ("Name = NODE", any spacing, trailing blanks ignored), into name.
 * FL_INV_ERR_NAME if the line is not that or NODE breaks the name rule. */
enum fl_inv_err fl_inv_file_name(char *name, size_t cap, const uint8_t *data, size_t len);

/* Decode an Ed25519 public key given as 43 tinc-b64 characters (an
 * invitation greeting's "?KEY", a joiner's key record). */
enum fl_inv_err fl_inv_parse_key(uint8_t pub[static 32], const char *s, size_t len);

/* tinc's node name rule: [A-Za-z0-9_]+. */
bool fl_inv_name_ok(const char *s, size_t len);

#endif
