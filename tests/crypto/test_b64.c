/* SPDX-License-Identifier: MIT */
/*
 * tinc-b64 (src/crypto/b64.c) against every [b64] case of
 * tests/vectors/keys.txt (encoder in both alphabets, decoder including
 * invalid and non-canonical input), plus round trips of random data and
 * the length and buffer-size edges.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "crypto/b64.h"
#include "keyvec.h"

static struct keyvec kv;

static const struct keyvec_section *b64_section(void)
{
	for (size_t i = 0; i < kv.nsec; i++)
		if (strcmp(kv.sec[i].title, "b64") == 0)
			return &kv.sec[i];
	fail_msg("no [b64] section");
	return NULL;
}

/* "encode HEX -> "TEXT"" [urlsafe "TEXT"] */
static void check_encode(const char *line)
{
	uint8_t bytes[128];
	char hex[300], out[200], *want, *want_url = NULL;
	const char *arrow = strstr(line, " -> "), *end;
	size_t n = 0, wlen, ulen;

	assert_non_null(arrow);
	snprintf(hex, sizeof hex, "%.*s", (int)(arrow - line - 7), line + 7);
	if (strcmp(hex, "-") != 0)
		n = keyvec_hex(hex, bytes, sizeof bytes);
	want = keyvec_unquote(arrow + 4, &wlen, &end);
	if (strncmp(end, " urlsafe ", 9) == 0)
		want_url = keyvec_unquote(end + 9, &ulen, NULL);

	assert_int_equal(fl_b64_encoded_len(n), wlen);
	assert_int_equal(fl_b64_encode(out, sizeof out, bytes, n, false), wlen);
	assert_string_equal(out, want);
	assert_true(fl_b64_is_canonical(out, wlen));
	assert_int_equal(fl_b64_encode(out, sizeof out, bytes, n, true), wlen);
	assert_string_equal(out, want_url ? want_url : want);
	/* one byte short of room: nothing written */
	if (wlen > 0)
		assert_int_equal(fl_b64_encode(out, wlen, bytes, n, false), 0);
	free(want);
	free(want_url);
}

/* "decode "TEXT" -> len=N HEX" or "-> len=0 (invalid/empty)" */
static void check_decode(const char *line)
{
	uint8_t out[128], want[128];
	const char *end, *p;
	size_t tlen, outlen, bad = 999;
	char *text = keyvec_unquote(line + 7, &tlen, &end);
	unsigned long n;
	enum fl_b64_err err;

	p = strstr(end, "len=");
	assert_non_null(p);
	n = strtoul(p + 4, (char **)&p, 10);
	err = fl_b64_decode(out, sizeof out, &outlen, text, tlen, &bad);
	if (n == 0) {
		/* tinc's "invalid": ours is either an error or zero bytes */
		assert_true(err != FL_B64_OK || outlen == 0);
		if (err == FL_B64_BAD_CHAR) {
			assert_true(bad < tlen);
			assert_false(fl_b64_check(text, tlen, NULL));
		}
	} else {
		assert_int_equal(err, FL_B64_OK);
		assert_int_equal(keyvec_hex(p + 1, want, sizeof want), n);
		assert_int_equal(outlen, n);
		assert_memory_equal(out, want, n);
		/* canonical iff re-encoding gives the same text (the two
		 * alphabets count as one) */
		char re[200], norm[200];
		for (size_t i = 0; i < tlen && i < sizeof norm; i++)
			norm[i] = text[i] == '-' ? '+' : text[i] == '_' ? '/' : text[i];
		fl_b64_encode(re, sizeof re, out, outlen, false);
		assert_int_equal(fl_b64_is_canonical(text, tlen),
				 strlen(re) == tlen && memcmp(re, norm, tlen) == 0);
	}
	free(text);
}

static void test_vectors(void **state)
{
	const struct keyvec_section *s = b64_section();
	int enc = 0, dec = 0;

	(void)state;
	for (size_t i = 0; i < s->nlines; i++) {
		if (strncmp(s->lines[i], "encode ", 7) == 0) {
			check_encode(s->lines[i]);
			enc++;
		} else if (strncmp(s->lines[i], "decode ", 7) == 0) {
			check_decode(s->lines[i]);
			dec++;
		} else {
			fail_msg("unknown [b64] line: %s", s->lines[i]);
		}
	}
	assert_int_equal(enc, 16);
	assert_int_equal(dec, 35);
}

/* Every byte value in every position: valid exactly for tinc's 66. */
static void test_every_char(void **state)
{
	static const char ok[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-/_";
	(void)state;
	for (int c = 0; c < 256; c++) {
		bool valid = c != 0 && strchr(ok, c) != NULL;
		for (size_t pos = 0; pos < 5; pos++) {
			char in[5] = {'A', 'A', 'A', 'A', 'A'};
			uint8_t out[8];
			size_t outlen, bad = 99;

			in[pos] = (char)c;
			assert_int_equal(fl_b64_decode(out, sizeof out, &outlen, in, 5, &bad),
					 valid ? FL_B64_OK : FL_B64_BAD_CHAR);
			if (!valid) {
				assert_int_equal(bad, pos);
				assert_int_equal(outlen, 0);
			}
		}
	}
}

static void test_roundtrip_random(void **state)
{
	(void)state;
	for (size_t n = 0; n < 200; n++) {
		uint8_t in[200], out[200];
		char text[300];
		size_t outlen, tl;

		randombytes_buf(in, n);
		tl = fl_b64_encode(text, sizeof text, in, n, n % 2);
		assert_int_equal(tl, fl_b64_encoded_len(n));
		assert_int_equal(fl_b64_decoded_len(tl), n);
		assert_int_equal(fl_b64_decode(out, n, &outlen, text, tl, NULL), FL_B64_OK);
		assert_int_equal(outlen, n);
		assert_memory_equal(in, out, n);
		if (n > 0)
			assert_int_equal(fl_b64_decode(out, n - 1, &outlen, text, tl, NULL),
					 FL_B64_NO_ROOM);
	}
}

static void test_lengths(void **state)
{
	(void)state;
	assert_int_equal(fl_b64_encoded_len(32), 43);
	assert_int_equal(fl_b64_encoded_len(48), 64);
	assert_int_equal(fl_b64_encoded_len(64), 86);
	assert_int_equal(fl_b64_encoded_len(96), 128);
	assert_int_equal(fl_b64_decoded_len(43), 32);
	assert_int_equal(fl_b64_decoded_len(1), 0);
	assert_int_equal(fl_b64_decoded_len(5), 3);
	assert_string_equal(fl_b64_strerror(FL_B64_BAD_CHAR), "invalid base64 character");
	/* nothing to write: a NULL buffer is fine */
	size_t outlen, bad = 9;
	assert_int_equal(fl_b64_decode(NULL, 0, &outlen, "!", 1, &bad), FL_B64_BAD_CHAR);
	assert_int_equal(bad, 0);
	assert_int_equal(fl_b64_decode(NULL, 0, &outlen, "A", 1, NULL), FL_B64_OK);
	assert_int_equal(outlen, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_every_char),
		cmocka_unit_test(test_roundtrip_random),
		cmocka_unit_test(test_lengths),
	};

	return keyvec_main(&kv, "keys.txt", tests, sizeof(tests) / sizeof(tests[0]));
}
