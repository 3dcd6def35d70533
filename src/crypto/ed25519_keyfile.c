/* SPDX-License-Identifier: MIT */
/*
 * Readers for tinc's Ed25519 key texts (ed25519_keyfile.h, KEYS.md §3.4,
 * §4). Called by the CLI, the daemon's config loader and the demo with the
 * bytes of a file they read; nothing here touches the file system.
 *
 * The PEM reader follows tinc's rules line by line: skip to the first line
 * starting with the armor, decode each following line on its own (cut at
 * CR/LF) until a line starting "-----END " or the end of the text, and
 * collect exactly the key's bytes. Where tinc only logs (extra data) or
 * never looks (public half, curve point), fenliu refuses (KEYS.md §8).
 */
#include "crypto/ed25519_keyfile.h"

#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "crypto/b64.h"

#define KEYFILE_PRIV_ARMOR "-----BEGIN ED25519 PRIVATE KEY"
#define KEYFILE_PUB_ARMOR "-----BEGIN ED25519 PUBLIC KEY"
#define KEYFILE_PUB_VAR "Ed25519PublicKey"

/* One line of the text: p[0..len) without its '\n'; no = 1-based number. */
struct keyfile_line {
	const char *p;
	size_t len;
	size_t no;
};

static bool keyfile_next_line(const char *text, size_t len, size_t *pos,
			      struct keyfile_line *l)
{
	const char *start, *nl;
	size_t n;

	if (*pos >= len)
		return false;
	start = text + *pos;
	nl = memchr(start, '\n', len - *pos);
	n = nl ? (size_t)(nl - start) : len - *pos;
	l->p = start;
	l->len = n;
	l->no++;
	*pos += n + (nl ? 1 : 0);
	return true;
}

static bool keyfile_starts(const struct keyfile_line *l, const char *prefix)
{
	size_t n = strlen(prefix);

	return l->len >= n && memcmp(l->p, prefix, n) == 0;
}

static void keyfile_diag_clear(struct fl_keyfile_diag *d)
{
	memset(d, 0, sizeof *d);
}

static enum fl_keyfile_err keyfile_fail(struct fl_keyfile_diag *d,
					enum fl_keyfile_err err, size_t line)
{
	d->err = err;
	d->line = line;
	return err;
}

/* Decode one data line (already cut at CR) and append it to out[*got..want). */
static enum fl_keyfile_err keyfile_decode_line(uint8_t *out, size_t want, size_t *got,
					       const struct keyfile_line *l, size_t n,
					       struct fl_keyfile_diag *d)
{
	size_t bad, dl, outlen;

	if (n == 0)
		return keyfile_fail(d, FL_KEYFILE_BLANK_LINE, l->no);
	if (!fl_b64_check(l->p, n, &bad)) {
		d->column = bad + 1;
		d->ch = (unsigned char)l->p[bad];
		return keyfile_fail(d, FL_KEYFILE_BAD_CHAR, l->no);
	}
	dl = fl_b64_decoded_len(n);
	if (dl == 0) /* a single character carries no byte: tinc says invalid */
		return keyfile_fail(d, FL_KEYFILE_BLANK_LINE, l->no);
	if (dl > want - *got)
		return keyfile_fail(d, FL_KEYFILE_TOO_LONG, l->no);
	if (fl_b64_decode(out + *got, want - *got, &outlen, l->p, n, NULL) != FL_B64_OK)
		return keyfile_fail(d, FL_KEYFILE_BAD_CHAR, l->no); /* not reached */
	if (!fl_b64_is_canonical(l->p, n))
		d->noncanonical = true;
	*got += outlen;
	return FL_KEYFILE_OK;
}

/* The PEM block starting with armor: exactly want bytes into out. out is
 * wiped on failure. */
static enum fl_keyfile_err keyfile_read_pem(uint8_t *out, size_t want, const char *armor,
					    const char *text, size_t len,
					    struct fl_keyfile_diag *d)
{
	struct keyfile_line l = {0};
	size_t pos = 0, got = 0, n;
	enum fl_keyfile_err err;
	bool found = false, short_line = false;

	while (!found && keyfile_next_line(text, len, &pos, &l))
		found = keyfile_starts(&l, armor);
	if (!found) {
		d->want = want; /* tells the message which armor was missing */
		return keyfile_fail(d, FL_KEYFILE_NO_BEGIN, 0);
	}
	while (keyfile_next_line(text, len, &pos, &l)) {
		const char *cr;

		if (keyfile_starts(&l, "-----END "))
			break;
		cr = memchr(l.p, '\r', l.len);
		n = cr ? (size_t)(cr - l.p) : l.len;
		/* a line not a multiple of 4 long loses bits unless it is the last */
		d->misaligned |= short_line;
		short_line = n % 4 != 0;
		err = keyfile_decode_line(out, want, &got, &l, n, d);
		if (err != FL_KEYFILE_OK) {
			sodium_memzero(out, want);
			return err;
		}
	}
	if (got < want) {
		sodium_memzero(out, want);
		d->got = got;
		d->want = want;
		return keyfile_fail(d, FL_KEYFILE_TOO_SHORT, l.no);
	}
	return FL_KEYFILE_OK;
}

static bool keyfile_clamped(const uint8_t a[static 32])
{
	return (a[0] & 7) == 0 && (a[31] & 0xC0) == 0x40;
}

enum fl_keyfile_err fl_keyfile_read_private(struct fl_ed25519_key *key,
					    const char *text, size_t len,
					    struct fl_keyfile_diag *diag)
{
	uint8_t raw[FL_KEYFILE_PRIV_BYTES], pub[FL_ED25519_PUBLIC_LEN];
	enum fl_keyfile_err err;

	_Static_assert(sizeof raw == sizeof *key, "file body is the in-memory key");
	keyfile_diag_clear(diag);
	err = keyfile_read_pem(raw, sizeof raw, KEYFILE_PRIV_ARMOR, text, len, diag);
	if (err != FL_KEYFILE_OK)
		goto out;
	memcpy(key->expanded, raw, FL_ED25519_EXPANDED_LEN);
	memcpy(key->pub, raw + FL_ED25519_EXPANDED_LEN, FL_ED25519_PUBLIC_LEN);
	diag->unclamped = !keyfile_clamped(key->expanded);
	if (fl_ed25519_public_from_expanded(pub, key->expanded) != 0)
		err = keyfile_fail(diag, FL_KEYFILE_ZERO_SCALAR, 0);
	else if (sodium_memcmp(pub, key->pub, sizeof pub) != 0)
		err = keyfile_fail(diag, FL_KEYFILE_MISMATCH, 0);
out:
	if (err != FL_KEYFILE_OK)
		fl_ed25519_key_wipe(key);
	sodium_memzero(raw, sizeof raw);
	return err;
}

enum fl_keyfile_err fl_keyfile_read_public_pem(uint8_t pub[static FL_ED25519_PUBLIC_LEN],
					       const char *text, size_t len,
					       struct fl_keyfile_diag *diag)
{
	enum fl_keyfile_err err;

	keyfile_diag_clear(diag);
	err = keyfile_read_pem(pub, FL_ED25519_PUBLIC_LEN, KEYFILE_PUB_ARMOR, text, len, diag);
	if (err != FL_KEYFILE_OK)
		return err;
	if (!crypto_core_ed25519_is_valid_point(pub)) {
		memset(pub, 0, FL_ED25519_PUBLIC_LEN);
		return keyfile_fail(diag, FL_KEYFILE_PUB_INVALID, 0);
	}
	return FL_KEYFILE_OK;
}

enum fl_keyfile_err fl_keyfile_parse_public_value(uint8_t pub[static FL_ED25519_PUBLIC_LEN],
						  const char *value, size_t len,
						  struct fl_keyfile_diag *diag)
{
	size_t outlen, bad = 0;

	keyfile_diag_clear(diag);
	memset(pub, 0, FL_ED25519_PUBLIC_LEN);
	if (len != FL_KEYFILE_PUB_B64_LEN) {
		diag->got = len;
		diag->want = FL_KEYFILE_PUB_B64_LEN;
		return keyfile_fail(diag, FL_KEYFILE_PUB_LENGTH, 0);
	}
	if (fl_b64_decode(pub, FL_ED25519_PUBLIC_LEN, &outlen, value, len, &bad) != FL_B64_OK) {
		diag->column = bad + 1;
		diag->ch = (unsigned char)value[bad];
		return keyfile_fail(diag, FL_KEYFILE_PUB_BASE64, 0);
	}
	diag->noncanonical = !fl_b64_is_canonical(value, len);
	if (!crypto_core_ed25519_is_valid_point(pub)) {
		memset(pub, 0, FL_ED25519_PUBLIC_LEN);
		return keyfile_fail(diag, FL_KEYFILE_PUB_INVALID, 0);
	}
	return FL_KEYFILE_OK;
}

/* If l is an Ed25519PublicKey variable line (config rules, CONFIG.md §2),
 * set *val and *vlen to its value, trailing blanks removed, and return true. */
static bool keyfile_host_var(const struct keyfile_line *l, const char **val, size_t *vlen)
{
	const size_t nlen = sizeof KEYFILE_PUB_VAR - 1;
	size_t i = nlen, end = l->len;

	if (l->len < nlen || strncasecmp(l->p, KEYFILE_PUB_VAR, nlen) != 0)
		return false;
	if (i < l->len && l->p[i] != ' ' && l->p[i] != '\t' && l->p[i] != '=')
		return false; /* a longer name, e.g. Ed25519PublicKeyFile */
	while (i < end && (l->p[i] == ' ' || l->p[i] == '\t'))
		i++;
	if (i < end && l->p[i] == '=')
		i++;
	while (i < end && (l->p[i] == ' ' || l->p[i] == '\t'))
		i++;
	while (end > i && (l->p[end - 1] == ' ' || l->p[end - 1] == '\t'))
		end--;
	*val = l->p + i;
	*vlen = end - i;
	return true;
}

enum fl_keyfile_err fl_keyfile_read_host_public(uint8_t pub[static FL_ED25519_PUBLIC_LEN],
						const char *text, size_t len,
						struct fl_keyfile_diag *diag)
{
	struct keyfile_line l = {0};
	size_t pos = 0, vlen;
	const char *val;
	bool in_pem = false;
	enum fl_keyfile_err err;

	while (keyfile_next_line(text, len, &pos, &l)) {
		if (l.len > 0 && l.p[l.len - 1] == '\r')
			l.len--;
		if (l.len == 0 || l.p[0] == '#')
			continue;
		if (in_pem) {
			in_pem = !keyfile_starts(&l, "-----END");
			continue;
		}
		if (keyfile_starts(&l, "-----BEGIN")) {
			in_pem = true;
			continue;
		}
		if (!keyfile_host_var(&l, &val, &vlen))
			continue;
		/* The first one counts, valid or not: tinc does not fall back. */
		if (vlen == 0) {
			keyfile_diag_clear(diag);
			return keyfile_fail(diag, FL_KEYFILE_PUB_NO_VALUE, l.no);
		}
		err = fl_keyfile_parse_public_value(pub, val, vlen, diag);
		diag->line = l.no;
		return err;
	}
	err = fl_keyfile_read_public_pem(pub, text, len, diag);
	if (err == FL_KEYFILE_NO_BEGIN)
		err = keyfile_fail(diag, FL_KEYFILE_NO_PUBLIC, 0);
	return err;
}
