/* SPDX-License-Identifier: MIT */
/*
 * test_prefix_parse.c: the prefix-list parser (src/lpm/prefix_parse.c):
 * good and bad lines, line numbers, comments, CRLF, host bits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lpm/prefix_parse.h"

struct seen {
	char ok[32][64];
	unsigned ok_line[32], n_ok;
	enum fl_prefix_err err[32];
	unsigned err_line[32], n_err;
	char err_text[32][64];
};

static void on_prefix(void *ctx, const struct fl_lpm_prefix *p, unsigned line)
{
	struct seen *s = ctx;
	assert_true(s->n_ok < 32);
	fl_prefix_format(p, s->ok[s->n_ok], sizeof(s->ok[0]));
	s->ok_line[s->n_ok++] = line;
}

static void on_error(void *ctx, unsigned line, enum fl_prefix_err err, const char *text, size_t len)
{
	struct seen *s = ctx;
	assert_true(s->n_err < 32);
	snprintf(s->err_text[s->n_err], sizeof(s->err_text[0]), "%.*s", (int)len, text);
	s->err[s->n_err] = err;
	s->err_line[s->n_err++] = line;
}

static size_t parse(const char *text, size_t len, struct seen *s)
{
	memset(s, 0, sizeof(*s));
	struct fl_prefix_parse_cb cb = { .prefix = on_prefix, .error = on_error, .ctx = s };
	return fl_prefix_parse(text, len, &cb);
}

static void test_good(void **state)
{
	(void)state;
	struct seen s;
	const char *f = "\xef\xbb\xbf# offload list\n"
			"192.0.2.0/24\n"
			"  198.51.100.7   # a host\r\n"
			"\n"
			"\t2001:db8::/32\n"
			"2001:db8::1\n"
			"0.0.0.0/0\n"
			"::/0\n"
			"203.0.113.255/32";
	assert_int_equal(parse(f, strlen(f), &s), 0);
	assert_int_equal(s.n_ok, 7);
	assert_string_equal(s.ok[0], "192.0.2.0/24");
	assert_int_equal(s.ok_line[0], 2);
	assert_string_equal(s.ok[1], "198.51.100.7/32");
	assert_int_equal(s.ok_line[1], 3);
	assert_string_equal(s.ok[2], "2001:db8::/32");
	assert_int_equal(s.ok_line[2], 5);
	assert_string_equal(s.ok[3], "2001:db8::1/128");
	assert_string_equal(s.ok[4], "0.0.0.0/0");
	assert_string_equal(s.ok[5], "::/0");
	assert_string_equal(s.ok[6], "203.0.113.255/32");
	assert_int_equal(s.ok_line[6], 9);
}

static void test_bad(void **state)
{
	(void)state;
	struct seen s;
	const char *f = "192.0.2.1/24\n"          /* 1 host bits */
			"192.0.2.0/33\n"          /* 2 length */
			"192.0.2.0/\n"            /* 3 length */
			"192.0.2\n"               /* 4 address */
			"192.0.2.0/24 extra\n"    /* 5 trailing */
			"198.51.100.0/24\n"       /* 6 good */
			"2001:db8::/129\n"        /* 7 length */
			"2001:db8::1/64\n"        /* 8 host bits */
			"010.0.0.0/8\n"           /* 9 address (leading zero) */
			"10.0.0.0/08\n"           /* 10 length (leading zero) */
			"10.0.0.0/8#5\n"          /* 11 trailing */
			"fe80::1%eth0\n"          /* 12 address */
			"256.0.0.0/8\n"           /* 13 address */
			"hello\n";                /* 14 address */
	assert_int_equal(parse(f, strlen(f), &s), 13);
	assert_int_equal(s.n_ok, 1);
	assert_int_equal(s.ok_line[0], 6);
	enum fl_prefix_err want[] = { FL_PREFIX_EHOSTBITS, FL_PREFIX_ELEN, FL_PREFIX_ELEN,
		FL_PREFIX_EADDR, FL_PREFIX_ETRAILING, FL_PREFIX_ELEN, FL_PREFIX_EHOSTBITS,
		FL_PREFIX_EADDR, FL_PREFIX_ELEN, FL_PREFIX_ETRAILING, FL_PREFIX_EADDR,
		FL_PREFIX_EADDR, FL_PREFIX_EADDR };
	unsigned lines[] = { 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 13, 14 };
	for (unsigned i = 0; i < 13; i++) {
		assert_int_equal(s.err[i], want[i]);
		assert_int_equal(s.err_line[i], lines[i]);
	}
	assert_string_equal(s.err_text[0], "192.0.2.1/24");
	assert_string_equal(s.err_text[4], "192.0.2.0/24 extra");
	assert_string_equal(fl_prefix_strerror(FL_PREFIX_EHOSTBITS), "host bits set after the prefix length");
}

static void test_nul_and_long(void **state)
{
	(void)state;
	struct seen s;
	char buf[2 * FL_PREFIX_LINE_MAX];
	memcpy(buf, "192.0.2.0\0/24\n192.0.2.0/24\n", 27);
	assert_int_equal(parse(buf, 27, &s), 1);
	assert_int_equal(s.err[0], FL_PREFIX_ENUL);
	assert_int_equal(s.n_ok, 1);
	assert_int_equal(s.ok_line[0], 2);
	memset(buf, ' ', sizeof(buf));
	memcpy(buf + sizeof(buf) - 14, "192.0.2.0/24\n", 13);
	buf[sizeof(buf) - 1] = '\n';
	assert_int_equal(parse(buf, sizeof(buf), &s), 1);
	assert_int_equal(s.err[0], FL_PREFIX_ELONG);
	assert_int_equal(parse("", 0, &s), 0);
	assert_int_equal(parse("\n\n#x\n", 5, &s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_nul_and_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
