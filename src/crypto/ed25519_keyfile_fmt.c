/* SPDX-License-Identifier: MIT */
/*
 * Writers for tinc's Ed25519 key texts, tinc's "disable old keys" rewrite,
 * and the one-line error messages of the readers (ed25519_keyfile.h).
 * Called by the CLI when it creates or replaces keys, and by anything that
 * reports a key-file error.
 */
#include "crypto/ed25519_keyfile.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "crypto/b64.h"

#define FMT_PRIV_BEGIN "-----BEGIN ED25519 PRIVATE KEY-----\n"
#define FMT_PRIV_END "-----END ED25519 PRIVATE KEY-----\n"
#define FMT_PUB_BEGIN "-----BEGIN ED25519 PUBLIC KEY-----\n"
#define FMT_PUB_END "-----END ED25519 PUBLIC KEY-----\n"
#define FMT_PUB_VAR "Ed25519PublicKey = "

/* tinc writes the 96 bytes as two lines of 48 bytes = 64 characters. */
_Static_assert(sizeof FMT_PRIV_BEGIN - 1 + 2 * (64 + 1) + sizeof FMT_PRIV_END - 1
	       == FL_KEYFILE_PRIV_TEXT_LEN, "private key file is 200 bytes");
_Static_assert(sizeof FMT_PUB_VAR - 1 + FL_KEYFILE_PUB_B64_LEN + 1
	       == FL_KEYFILE_PUB_LINE_LEN, "host line length");
_Static_assert(sizeof FMT_PUB_BEGIN - 1 + FL_KEYFILE_PUB_B64_LEN + 1 + sizeof FMT_PUB_END - 1
	       == FL_KEYFILE_PUB_PEM_LEN, "PEM public block length");

/* Append s (NUL-terminated) at *o. Sizes are fixed and checked above. */
static void fmt_put(char *out, size_t *o, const char *s)
{
	size_t n = strlen(s);

	memcpy(out + *o, s, n);
	*o += n;
}

void fl_keyfile_format_private(char out[static FL_KEYFILE_PRIV_TEXT_LEN + 1],
			       const struct fl_ed25519_key *key)
{
	uint8_t raw[FL_KEYFILE_PRIV_BYTES];
	size_t o = 0;

	memcpy(raw, key->expanded, FL_ED25519_EXPANDED_LEN);
	memcpy(raw + FL_ED25519_EXPANDED_LEN, key->pub, FL_ED25519_PUBLIC_LEN);
	fmt_put(out, &o, FMT_PRIV_BEGIN);
	for (size_t i = 0; i < sizeof raw; i += 48) {
		o += fl_b64_encode(out + o, FL_KEYFILE_PRIV_TEXT_LEN + 1 - o, raw + i, 48, false);
		out[o++] = '\n';
	}
	fmt_put(out, &o, FMT_PRIV_END);
	out[o] = 0;
	sodium_memzero(raw, sizeof raw);
}

void fl_keyfile_format_public_line(char out[static FL_KEYFILE_PUB_LINE_LEN + 1],
				   const uint8_t pub[static FL_ED25519_PUBLIC_LEN])
{
	size_t o = 0;

	fmt_put(out, &o, FMT_PUB_VAR);
	o += fl_b64_encode(out + o, FL_KEYFILE_PUB_LINE_LEN + 1 - o, pub,
			   FL_ED25519_PUBLIC_LEN, false);
	out[o++] = '\n';
	out[o] = 0;
}

void fl_keyfile_format_public_pem(char out[static FL_KEYFILE_PUB_PEM_LEN + 1],
				  const uint8_t pub[static FL_ED25519_PUBLIC_LEN])
{
	size_t o = 0;

	fmt_put(out, &o, FMT_PUB_BEGIN);
	o += fl_b64_encode(out + o, FL_KEYFILE_PUB_PEM_LEN + 1 - o, pub,
			   FL_ED25519_PUBLIC_LEN, false);
	out[o++] = '\n';
	fmt_put(out, &o, FMT_PUB_END);
	out[o] = 0;
}

static bool fmt_starts(const char *p, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && memcmp(p, prefix, k) == 0;
}

/* tinc comments out "Ed25519PublicKey" followed by space, tab or '='; we
 * also take a bare "Ed25519PublicKey" line (tinc would reject its file). */
static bool fmt_is_pub_var(const char *p, size_t n)
{
	const size_t k = sizeof "Ed25519PublicKey" - 1;

	if (n < k || strncasecmp(p, "Ed25519PublicKey", k) != 0)
		return false;
	return n == k || p[k] == ' ' || p[k] == '\t' || p[k] == '=' ||
	       p[k] == '\n' || p[k] == '\r';
}

size_t fl_keyfile_disable_old(char *out, size_t cap, const char *text,
			      size_t len, bool *disabled)
{
	size_t pos = 0, o = 0;
	bool block = false;

	*disabled = false;
	if (len > cap / 2)
		return (size_t)-1;
	while (pos < len) {
		const char *p = text + pos, *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) + 1 : len - pos; /* with '\n' */

		if (!block && fmt_starts(p, n, "-----BEGIN ") &&
		    memmem(p, n, " ED25519 ", 9) != NULL)
			block = true;
		if (block || fmt_is_pub_var(p, n)) {
			out[o++] = '#';
			*disabled = true;
		}
		memcpy(out + o, p, n);
		o += n;
		if (block && fmt_starts(p, n, "-----END "))
			block = false;
		pos += n;
	}
	return o;
}

const char *fl_keyfile_strerror(enum fl_keyfile_err err)
{
	switch (err) {
	case FL_KEYFILE_OK: return "no error";
	case FL_KEYFILE_NO_BEGIN: return "no BEGIN line";
	case FL_KEYFILE_BLANK_LINE: return "empty line in key data";
	case FL_KEYFILE_BAD_CHAR: return "invalid base64 character";
	case FL_KEYFILE_TOO_SHORT: return "key data too short";
	case FL_KEYFILE_TOO_LONG: return "key data too long";
	case FL_KEYFILE_MISMATCH:
		return "public key in private key file does not match private key";
	case FL_KEYFILE_ZERO_SCALAR: return "private key is zero";
	case FL_KEYFILE_PUB_LENGTH: return "Ed25519PublicKey must be 43 characters";
	case FL_KEYFILE_PUB_BASE64: return "invalid base64 in Ed25519PublicKey";
	case FL_KEYFILE_PUB_INVALID: return "Ed25519PublicKey is not a valid key";
	case FL_KEYFILE_PUB_NO_VALUE: return "no value for variable Ed25519PublicKey";
	case FL_KEYFILE_NO_PUBLIC:
		return "no Ed25519PublicKey line and no \"-----BEGIN ED25519 PUBLIC KEY-----\" block";
	case FL_KEYFILE_NO_ROOM: return "output buffer too small";
	}
	return "unknown key file error";
}

/* The character as it should appear in a message: itself if printable. */
static void fmt_char(char buf[static 8], unsigned char c)
{
	if (c >= 0x20 && c < 0x7F && c != '\'' && c != '\\')
		snprintf(buf, 8, "%c", c);
	else
		snprintf(buf, 8, "\\x%02x", c);
}

int fl_keyfile_describe(char *buf, size_t cap, const char *file,
			const struct fl_keyfile_diag *d)
{
	char where[32] = "", detail[96] = "", ch[8];
	const char *msg = fl_keyfile_strerror(d->err);

	if (d->line > 0)
		snprintf(where, sizeof where, ":%zu", d->line);
	switch (d->err) {
	case FL_KEYFILE_NO_BEGIN:
		msg = d->want == FL_ED25519_PUBLIC_LEN
			? "no \"-----BEGIN ED25519 PUBLIC KEY-----\" line"
			: "no \"-----BEGIN ED25519 PRIVATE KEY-----\" line";
		break;
	case FL_KEYFILE_BAD_CHAR:
	case FL_KEYFILE_PUB_BASE64:
		fmt_char(ch, d->ch);
		snprintf(detail, sizeof detail, " '%s' at column %zu", ch, d->column);
		break;
	case FL_KEYFILE_TOO_SHORT:
		snprintf(detail, sizeof detail, " (%zu of %zu bytes)%s", d->got, d->want,
			 d->misaligned ? "; a data line's length is not a multiple of 4" : "");
		break;
	case FL_KEYFILE_PUB_LENGTH:
		snprintf(detail, sizeof detail, ", got %zu", d->got);
		break;
	default:
		break;
	}
	return snprintf(buf, cap, "%s%s: %s%s", file, where, msg, detail);
}
