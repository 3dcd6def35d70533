/* SPDX-License-Identifier: MIT */
/*
 * Checks of invitation contents from outside: the invited node's Name on
 * an invitation file's first line (fenliud reads it before sending the
 * file, as tinc does; `dump invitations` lists it) and the Ed25519 keys
 * the two sides exchange as text. Untrusted input: fuzz/invite.
 */
#include "invite/inv.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "crypto/b64.h"

bool fl_inv_name_ok(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

enum fl_inv_err fl_inv_file_name(char *name, size_t cap, const uint8_t *data, size_t len)
{
	const char *s = (const char *)data;
	const uint8_t *nl = memchr(data, '\n', len);
	size_t n = nl ? (size_t)(nl - data) : len, v, vlen;

	if (cap)
		name[0] = 0;
	while (n && strchr(" \t\r", s[n - 1]) && s[n - 1])
		n--;
	/* "Name" then blanks, an optional '=', blanks, the value */
	if (n < 5 || strncasecmp(s, "Name", 4) != 0 || !strchr(" \t=", s[4]) || !s[4])
		return FL_INV_ERR_NAME;
	v = 4;
	while (v < n && (s[v] == ' ' || s[v] == '\t'))
		v++;
	if (v < n && s[v] == '=')
		v++;
	while (v < n && (s[v] == ' ' || s[v] == '\t'))
		v++;
	vlen = n - v;
	if (!fl_inv_name_ok(s + v, vlen) || vlen >= cap)
		return FL_INV_ERR_NAME;
	memcpy(name, s + v, vlen);
	name[vlen] = 0;
	return FL_INV_OK;
}

enum fl_inv_err fl_inv_parse_key(uint8_t pub[static 32], const char *s, size_t len)
{
	size_t n = 0;

	if (len != FL_INV_KEY_B64_LEN ||
	    fl_b64_decode(pub, 32, &n, s, len, NULL) != FL_B64_OK || n != 32)
		return FL_INV_ERR_KEY;
	return FL_INV_OK;
}
