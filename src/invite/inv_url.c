/* SPDX-License-Identifier: MIT */
/*
 * Invitation URLs (inv.h): "ADDRESS[:PORT]/HASHCOOKIE", ADDRESS possibly an
 * IPv6 literal in brackets. Parsed from untrusted text (a user pasted it,
 * or stdin): lengths are checked before every copy; fuzz/invite.
 */
#include "invite/inv.h"

#include <string.h>

#include "crypto/b64.h"

const char *fl_inv_strerror(enum fl_inv_err e)
{
	switch (e) {
	case FL_INV_OK: return "ok";
	case FL_INV_ERR_URL: return "invalid invitation URL";
	case FL_INV_ERR_LONG: return "address or port too long";
	case FL_INV_ERR_NAME: return "no valid Name on the first line";
	case FL_INV_ERR_KEY: return "invalid Ed25519 public key";
	}
	return "unknown error";
}

static bool url_copy(char *out, size_t cap, const char *s, size_t len)
{
	if (len >= cap)
		return false;
	memcpy(out, s, len);
	out[len] = 0;
	return true;
}

/* Split ADDRESS[:PORT] (or [V6][:PORT]) of length len into u. */
static enum fl_inv_err url_address(struct fl_inv_url *u, const char *s, size_t len)
{
	const char *port = NULL, *end = s + len, *host = s;
	size_t hlen;

	if (len && s[0] == '[') {
		const char *br = memchr(s, ']', len);
		if (!br)
			return FL_INV_ERR_URL;
		host = s + 1;
		hlen = (size_t)(br - host);
		if (br + 1 < end && br[1] == ':')
			port = br + 2;
	} else {
		const char *colon = memchr(s, ':', len);
		hlen = colon ? (size_t)(colon - s) : len;
		if (colon)
			port = colon + 1;
	}
	if (memchr(host, 0, hlen))
		return FL_INV_ERR_URL;
	if (!url_copy(u->host, sizeof u->host, host, hlen))
		return FL_INV_ERR_LONG;
	if (!port || port >= end)
		port = FL_INV_DEFAULT_PORT, end = port + strlen(port);
	if (memchr(port, 0, (size_t)(end - port)))
		return FL_INV_ERR_URL;
	if (!url_copy(u->port, sizeof u->port, port, (size_t)(end - port)))
		return FL_INV_ERR_LONG;
	return FL_INV_OK;
}

static bool url_b64(uint8_t out[static FL_INV_RAW_LEN], const char *s)
{
	size_t n = 0;

	return fl_b64_decode(out, FL_INV_RAW_LEN, &n, s, FL_INV_B64_LEN, NULL) == FL_B64_OK &&
	       n == FL_INV_RAW_LEN;
}

enum fl_inv_err fl_inv_url_parse(struct fl_inv_url *u, const char *s, size_t len)
{
	const char *slash;
	enum fl_inv_err e;

	memset(u, 0, sizeof *u);
	while (len && strchr(" \t\r\n", s[len - 1]) && s[len - 1])
		len--;
	slash = memchr(s, '/', len);
	/* what follows the first slash is exactly HASH and COOKIE */
	if (!slash || len - (size_t)(slash - s) - 1 != 2 * FL_INV_B64_LEN)
		return FL_INV_ERR_URL;
	e = url_address(u, s, (size_t)(slash - s));
	if (e == FL_INV_OK && (!url_b64(u->hash, slash + 1) ||
			       !url_b64(u->cookie, slash + 1 + FL_INV_B64_LEN)))
		e = FL_INV_ERR_URL;
	if (e != FL_INV_OK)
		memset(u, 0, sizeof *u);
	return e;
}
