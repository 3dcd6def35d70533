/* SPDX-License-Identifier: MIT */
/*
 * tinc 1.1's Ed25519 key files as text (KEYS.md §3, §4): the private key
 * file ed25519_key.priv, the `Ed25519PublicKey = …` host line and the PEM
 * public block. Readers accept what tinc accepts, except where KEYS.md §8
 * makes fenliu stricter (extra data, a public half that does not match,
 * public keys that are not valid points); writers produce tinc's exact bytes.
 *
 * Pure: text buffers in, keys out. File access, permissions and atomic
 * replacement live in src/keys/keyfile_io.c. Implemented by ed25519_keyfile.c;
 * used by the CLI (init, generate-ed25519-keys), the daemon's config loader
 * and the demo.
 */
#ifndef FL_CRYPTO_ED25519_KEYFILE_H
#define FL_CRYPTO_ED25519_KEYFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/ed25519.h"

#define FL_KEYFILE_PRIV_BYTES 96       /* a || prefix || A */
#define FL_KEYFILE_PRIV_TEXT_LEN 200   /* tinc's file: armor + 2 x 64 chars */
#define FL_KEYFILE_PUB_B64_LEN 43      /* tinc-b64 of 32 bytes */
#define FL_KEYFILE_PUB_LINE_LEN 63     /* "Ed25519PublicKey = " + 43 + "\n" */
#define FL_KEYFILE_PUB_PEM_LEN 112     /* PEM public block, 3 lines */

enum fl_keyfile_err {
	FL_KEYFILE_OK = 0,
	FL_KEYFILE_NO_BEGIN,      /* no BEGIN line of the wanted armor */
	FL_KEYFILE_BLANK_LINE,    /* empty line inside the key data */
	FL_KEYFILE_BAD_CHAR,      /* invalid base64 character (line, column, ch) */
	FL_KEYFILE_TOO_SHORT,     /* fewer bytes than the key needs (got, want) */
	FL_KEYFILE_TOO_LONG,      /* more data after the key's bytes */
	FL_KEYFILE_MISMATCH,      /* stored public half != a·B */
	FL_KEYFILE_ZERO_SCALAR,   /* private scalar is 0 mod L: no key at all */
	FL_KEYFILE_PUB_LENGTH,    /* Ed25519PublicKey not 43 characters (got) */
	FL_KEYFILE_PUB_BASE64,    /* Ed25519PublicKey has an invalid character */
	FL_KEYFILE_PUB_INVALID,   /* public key is not a valid prime-order point */
	FL_KEYFILE_PUB_NO_VALUE,  /* "Ed25519PublicKey" with nothing after it */
	FL_KEYFILE_NO_PUBLIC,     /* host file has neither a line nor a block */
	FL_KEYFILE_NO_ROOM,       /* output buffer too small */
};

/* Where and why a read failed, for a one-line message (fl_keyfile_describe).
 * Cleared on entry by every reader. The two flags are warnings that do not
 * stop a successful read. */
struct fl_keyfile_diag {
	enum fl_keyfile_err err;
	size_t line;         /* 1-based line of the problem; 0 = whole file */
	size_t column;       /* 1-based column of a bad character */
	unsigned char ch;    /* that character */
	size_t got, want;    /* bytes (TOO_SHORT) or characters (PUB_LENGTH) */
	bool unclamped;      /* private scalar not clamped (tinc never writes one) */
	bool noncanonical;   /* base64 with non-zero unused bits (tinc accepts) */
	bool misaligned;     /* a data line's length was not a multiple of 4:
			      * bits were lost there (explains TOO_SHORT) */
};

/* Read ed25519_key.priv text (KEYS.md §3.4): the first block whose line
 * starts with "-----BEGIN ED25519 PRIVATE KEY", 96 bytes, public half
 * checked against a·B. key is wiped unless FL_KEYFILE_OK is returned. */
enum fl_keyfile_err fl_keyfile_read_private(struct fl_ed25519_key *key,
					    const char *text, size_t len,
					    struct fl_keyfile_diag *diag);

/* Read the first "-----BEGIN ED25519 PUBLIC KEY" block of text (§4.2),
 * e.g. a host file; the key must be a valid point. */
enum fl_keyfile_err fl_keyfile_read_public_pem(uint8_t pub[static FL_ED25519_PUBLIC_LEN],
					       const char *text, size_t len,
					       struct fl_keyfile_diag *diag);

/* Parse the value of an Ed25519PublicKey variable (§4.1): exactly 43
 * characters of tinc-b64 naming a valid point. diag->line is left 0; the
 * caller knows the line. */
enum fl_keyfile_err fl_keyfile_parse_public_value(uint8_t pub[static FL_ED25519_PUBLIC_LEN],
						  const char *value, size_t len,
						  struct fl_keyfile_diag *diag);

/* A host file's public key, in tinc's order (§4.3): the first
 * Ed25519PublicKey variable (config-file rules: case-insensitive name,
 * '#' comments and PEM blocks skipped), else the PEM public block. Only
 * these lines are looked at; other variables are the config parser's job.
 * (Ed25519PublicKeyFile naming another file is the caller's job too.) */
enum fl_keyfile_err fl_keyfile_read_host_public(uint8_t pub[static FL_ED25519_PUBLIC_LEN],
						const char *text, size_t len,
						struct fl_keyfile_diag *diag);

/* tinc's exact private key file (200 bytes + NUL). Secret: wipe out. */
void fl_keyfile_format_private(char out[static FL_KEYFILE_PRIV_TEXT_LEN + 1],
			       const struct fl_ed25519_key *key);

/* "Ed25519PublicKey = <43 chars>\n" + NUL. */
void fl_keyfile_format_public_line(char out[static FL_KEYFILE_PUB_LINE_LEN + 1],
				   const uint8_t pub[static FL_ED25519_PUBLIC_LEN]);

/* The PEM public block tinc fsck writes (3 lines) + NUL. */
void fl_keyfile_format_public_pem(char out[static FL_KEYFILE_PUB_PEM_LEN + 1],
				  const uint8_t pub[static FL_ED25519_PUBLIC_LEN]);

/* tinc's "disable old keys" (§3.3): copy text to out, putting '#' before
 * every line of a block whose BEGIN line contains " ED25519 " and before
 * every line starting with Ed25519PublicKey (any case) followed by space,
 * tab or '='. out needs cap >= 2 * len (each line gains at most one byte).
 * Returns the length written, or (size_t)-1 if cap is too small; *disabled
 * tells whether anything was commented out. May hold a private key: wipe. */
size_t fl_keyfile_disable_old(char *out, size_t cap, const char *text,
			      size_t len, bool *disabled);

/* The fixed text of an error, without position ("key data too short"). */
const char *fl_keyfile_strerror(enum fl_keyfile_err err);

/* One line "FILE:LINE: message" (or "FILE: message" when line is 0), with
 * the details of diag, into buf (always NUL-terminated). Returns what
 * snprintf returns. */
int fl_keyfile_describe(char *buf, size_t cap, const char *file,
			const struct fl_keyfile_diag *diag);

#endif
