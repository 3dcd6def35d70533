/* SPDX-License-Identifier: MIT */
/*
 * tinc-b64 encoder and decoder (see b64.h, KEYS.md §1). Called by the key
 * file reader/writer and the meta protocol.
 *
 * The character-to-value map is computed with masks instead of a lookup
 * table so that decoding a private key leaks nothing through the cache or
 * branch predictor; the same goes for the value-to-character map.
 */
#include "crypto/b64.h"

#include <string.h>

/* All-ones if lo <= c <= hi, else 0. c, lo, hi are in 0..255, so the two
 * differences both keep their top bit clear only inside the range. */
static uint32_t b64_in_range(uint32_t c, uint32_t lo, uint32_t hi)
{
	uint32_t below = c - lo;      /* wraps (top bit set) when c < lo */
	uint32_t above = hi - c;      /* wraps when c > hi */

	return 0u - ((~below & ~above) >> 31);
}

/* Value 0..63 of character ch, with bit 8 (0x100) set if ch is not one of
 * tinc's 66 accepted characters. */
static uint32_t b64_value(unsigned char ch)
{
	uint32_t c = ch, v = 0, valid = 0, m;

	m = b64_in_range(c, 'A', 'Z'); v |= m & (c - 'A');      valid |= m;
	m = b64_in_range(c, 'a', 'z'); v |= m & (c - 'a' + 26); valid |= m;
	m = b64_in_range(c, '0', '9'); v |= m & (c - '0' + 52); valid |= m;
	m = b64_in_range(c, '+', '+') | b64_in_range(c, '-', '-');
	v |= m & 62; valid |= m;
	m = b64_in_range(c, '/', '/') | b64_in_range(c, '_', '_');
	v |= m & 63; valid |= m;
	/* invalid → 0x100 flag bit, which the decoder ORs into its error */
	return (v & 63) | (~valid & 0x100);
}

static char b64_char(uint32_t v, bool urlsafe)
{
	uint32_t c = 0;

	c |= b64_in_range(v, 0, 25) & (v + 'A');
	c |= b64_in_range(v, 26, 51) & (v - 26 + 'a');
	c |= b64_in_range(v, 52, 61) & (v - 52 + '0');
	c |= b64_in_range(v, 62, 62) & (urlsafe ? '-' : '+');
	c |= b64_in_range(v, 63, 63) & (urlsafe ? '_' : '/');
	return (char)c;
}

size_t fl_b64_encoded_len(size_t n)
{
	static const size_t tail[3] = {0, 2, 3};

	return n / 3 * 4 + tail[n % 3];
}

size_t fl_b64_decoded_len(size_t n)
{
	static const size_t tail[4] = {0, 0, 1, 2};

	return n / 4 * 3 + tail[n % 4];
}

size_t fl_b64_encode(char *out, size_t cap, const uint8_t *in, size_t len,
		     bool urlsafe)
{
	size_t need = fl_b64_encoded_len(len), o = 0;

	if (cap == 0)
		return 0;
	if (cap - 1 < need) {
		out[0] = 0;
		return 0;
	}
	for (size_t i = 0; i < len; i += 3) {
		size_t left = len - i;
		uint32_t v = in[i];
		size_t chars = 4;

		if (left >= 2)
			v |= (uint32_t)in[i + 1] << 8;
		if (left >= 3)
			v |= (uint32_t)in[i + 2] << 16;
		else
			chars = left + 1; /* 1 byte → 2 chars, 2 bytes → 3 */
		for (size_t k = 0; k < chars; k++)
			out[o++] = b64_char((v >> (6 * k)) & 63, urlsafe);
	}
	out[o] = 0;
	return o;
}

enum fl_b64_err fl_b64_decode(uint8_t *out, size_t cap, size_t *outlen,
			      const char *in, size_t len, size_t *bad_pos)
{
	size_t need = fl_b64_decoded_len(len), o = 0;
	uint32_t group = 0, bad = 0;

	*outlen = 0;
	if (need > cap)
		return FL_B64_NO_ROOM;
	for (size_t i = 0; i < len; i++) {
		uint32_t v = b64_value((unsigned char)in[i]);

		bad |= v;
		group |= (uint32_t)(v & 63) << (6 * (i % 4));
		if (i % 4 == 3) {
			out[o++] = (uint8_t)group;
			out[o++] = (uint8_t)(group >> 8);
			out[o++] = (uint8_t)(group >> 16);
			group = 0;
		}
	}
	/* partial group: 3 chars → 2 bytes, 2 → 1, 1 → none */
	for (size_t k = 0; o < need; k++)
		out[o++] = (uint8_t)(group >> (8 * k));
	group = 0;
	if (bad & 0x100) {
		/* Only now, on the error path, look for where it went wrong. */
		fl_b64_check(in, len, bad_pos);
		if (need > 0) /* out may be NULL when nothing fits in it */
			memset(out, 0, need);
		return FL_B64_BAD_CHAR;
	}
	*outlen = need;
	return FL_B64_OK;
}

bool fl_b64_check(const char *in, size_t len, size_t *bad_pos)
{
	for (size_t i = 0; i < len; i++) {
		if (b64_value((unsigned char)in[i]) & 0x100) {
			if (bad_pos)
				*bad_pos = i;
			return false;
		}
	}
	return true;
}

bool fl_b64_is_canonical(const char *in, size_t len)
{
	uint32_t last;

	if (!fl_b64_check(in, len, NULL))
		return false;
	switch (len % 4) {
	case 1:
		return false; /* a lone trailing character is never written */
	case 2:
		last = b64_value((unsigned char)in[len - 1]);
		return (last & ~UINT32_C(3)) == 0;   /* only 2 data bits */
	case 3:
		last = b64_value((unsigned char)in[len - 1]);
		return (last & ~UINT32_C(15)) == 0;  /* only 4 data bits */
	default:
		return true;
	}
}

const char *fl_b64_strerror(enum fl_b64_err err)
{
	switch (err) {
	case FL_B64_OK: return "no error";
	case FL_B64_BAD_CHAR: return "invalid base64 character";
	case FL_B64_NO_ROOM: return "base64 data too long";
	}
	return "unknown base64 error";
}
