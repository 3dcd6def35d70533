/* SPDX-License-Identifier: MIT */
/*
 * Key file texts (src/crypto/ed25519_keyfile*.c) against tests/vectors/
 * keys.txt: every [key N] file, host line and PEM block read back and
 * written byte-identically; every [privread], [pubpem] and [pubvalue] case
 * with tinc's outcome, or fenliu's stricter one where KEYS.md §8 says so;
 * host-file rules, disabling old keys, and the error messages.
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
#include "crypto/ed25519_keyfile.h"
#include "keyvec.h"

static struct keyvec kv;

static char *get(const struct keyvec_section *s, const char *name, size_t *len)
{
	char *v = keyvec_get(s, name, len);

	if (!v)
		fail_msg("[%s] has no %s", s->title, name);
	return v;
}

static void gethex(const struct keyvec_section *s, const char *name,
		   uint8_t *out, size_t want)
{
	size_t len;
	char *v = get(s, name, &len);

	assert_int_equal(keyvec_hex(v, out, want), want);
	free(v);
}

static int count_sections(const char *prefix)
{
	int n = 0;

	for (size_t i = 0; i < kv.nsec; i++)
		n += strncmp(kv.sec[i].title, prefix, strlen(prefix)) == 0;
	return n;
}

static void test_key_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < kv.nsec; i++) {
		const struct keyvec_section *s = &kv.sec[i];
		uint8_t expanded[64], pub[32], got[32];
		char priv_out[FL_KEYFILE_PRIV_TEXT_LEN + 1];
		char line_out[FL_KEYFILE_PUB_LINE_LEN + 1];
		char pem_out[FL_KEYFILE_PUB_PEM_LEN + 1];
		struct fl_ed25519_key key;
		struct fl_keyfile_diag d;
		size_t flen, llen, plen, blen;
		char *file, *line, *pem, *b64;

		if (strncmp(s->title, "key ", 4) != 0)
			continue;
		gethex(s, "expanded_private", expanded, 64);
		gethex(s, "public", pub, 32);
		file = get(s, "priv_file", &flen);
		line = get(s, "host_line", &llen);
		pem = get(s, "pub_pem", &plen);
		b64 = get(s, "public_b64", &blen);

		assert_int_equal(fl_keyfile_read_private(&key, file, flen, &d), FL_KEYFILE_OK);
		assert_memory_equal(key.expanded, expanded, 64);
		assert_memory_equal(key.pub, pub, 32);
		assert_false(d.unclamped);
		assert_false(d.noncanonical);
		fl_keyfile_format_private(priv_out, &key);
		assert_int_equal(flen, FL_KEYFILE_PRIV_TEXT_LEN);
		assert_string_equal(priv_out, file);
		fl_keyfile_format_public_line(line_out, pub);
		assert_string_equal(line_out, line);
		fl_keyfile_format_public_pem(pem_out, pub);
		assert_string_equal(pem_out, pem);

		assert_int_equal(fl_keyfile_read_public_pem(got, pem, plen, &d), FL_KEYFILE_OK);
		assert_memory_equal(got, pub, 32);
		assert_int_equal(fl_keyfile_read_host_public(got, line, llen, &d), FL_KEYFILE_OK);
		assert_memory_equal(got, pub, 32);
		assert_int_equal(fl_keyfile_read_host_public(got, pem, plen, &d), FL_KEYFILE_OK);
		assert_memory_equal(got, pub, 32);
		assert_int_equal(fl_keyfile_parse_public_value(got, b64, blen, &d), FL_KEYFILE_OK);
		assert_memory_equal(got, pub, 32);
		fl_ed25519_key_wipe(&key);
		sodium_memzero(priv_out, sizeof priv_out);
		free(file);
		free(line);
		free(pem);
		free(b64);
	}
	assert_int_equal(count_sections("key "), 5);
}

/* What fenliu must do with a case tinc's reader saw (KEYS.md §8). */
static enum fl_keyfile_err privread_expect(const struct keyvec_section *s)
{
	size_t n;
	char *result = get(s, "result", &n), *log = get(s, "log", &n);
	char *err = keyvec_get(s, "errno", &n);
	enum fl_keyfile_err want;

	if (strcmp(result, "loaded") == 0) {
		if (strstr(log, "Too much"))
			want = FL_KEYFILE_TOO_LONG;       /* tinc loads and logs */
		else if (strstr(s->title, "does not match"))
			want = FL_KEYFILE_MISMATCH;       /* tinc loads silently */
		else
			want = FL_KEYFILE_OK;
	} else if (err && strcmp(err, "ENOENT") == 0) {
		want = FL_KEYFILE_NO_BEGIN;
	} else if (strstr(log, "Too little")) {
		want = FL_KEYFILE_TOO_SHORT;
	} else {
		assert_non_null(strstr(log, "Invalid base64"));
		want = FL_KEYFILE_BAD_CHAR; /* or BLANK_LINE, see caller */
	}
	free(result);
	free(log);
	free(err);
	return want;
}

static void test_privread(void **state)
{
	int n = 0;

	(void)state;
	for (size_t i = 0; i < kv.nsec; i++) {
		const struct keyvec_section *s = &kv.sec[i];
		struct fl_ed25519_key key;
		struct fl_keyfile_diag d;
		enum fl_keyfile_err want, got;
		char msg[256], *file;
		size_t flen;

		if (strncmp(s->title, "privread ", 9) != 0)
			continue;
		n++;
		file = get(s, "file", &flen);
		want = privread_expect(s);
		got = fl_keyfile_read_private(&key, file, flen, &d);
		fl_keyfile_describe(msg, sizeof msg, "ed25519_key.priv", &d);
		print_message("[%s] -> %s\n", s->title, got ? msg : "loaded");
		if (want == FL_KEYFILE_BAD_CHAR && got == FL_KEYFILE_BLANK_LINE)
			want = got;
		assert_int_equal(got, want);
		assert_int_equal(d.err, got);
		if (got == FL_KEYFILE_OK) {
			uint8_t priv[64], pub[32];
			gethex(s, "loaded_private", priv, 64);
			gethex(s, "loaded_public", pub, 32);
			assert_memory_equal(key.expanded, priv, 64);
			assert_memory_equal(key.pub, pub, 32);
		} else {
			uint8_t zero[sizeof key] = {0};
			assert_memory_equal(&key, zero, sizeof key); /* wiped */
			/* every error but whole-file ones names a line */
			if (got != FL_KEYFILE_NO_BEGIN && got != FL_KEYFILE_MISMATCH)
				assert_true(d.line > 0);
		}
		free(file);
	}
	assert_int_equal(n, 23);
}

static void test_pubpem(void **state)
{
	int n = 0;

	(void)state;
	for (size_t i = 0; i < kv.nsec; i++) {
		const struct keyvec_section *s = &kv.sec[i];
		struct fl_keyfile_diag d;
		uint8_t pub[32], want_pub[32];
		size_t flen, rl, el;
		char *file, *result, *err;

		if (strncmp(s->title, "pubpem ", 7) != 0)
			continue;
		n++;
		file = get(s, "file", &flen);
		result = get(s, "result", &rl);
		err = keyvec_get(s, "errno", &el);
		if (strcmp(result, "loaded") == 0) {
			gethex(s, "loaded_public", want_pub, 32);
			assert_int_equal(fl_keyfile_read_public_pem(pub, file, flen, &d), FL_KEYFILE_OK);
			assert_memory_equal(pub, want_pub, 32);
			assert_int_equal(fl_keyfile_read_host_public(pub, file, flen, &d), FL_KEYFILE_OK);
			assert_memory_equal(pub, want_pub, 32);
		} else if (strcmp(err, "ENOENT") == 0) {
			assert_int_equal(fl_keyfile_read_public_pem(pub, file, flen, &d), FL_KEYFILE_NO_BEGIN);
			assert_int_equal(fl_keyfile_read_host_public(pub, file, flen, &d), FL_KEYFILE_NO_PUBLIC);
		} else {
			assert_int_equal(fl_keyfile_read_public_pem(pub, file, flen, &d), FL_KEYFILE_TOO_SHORT);
			assert_int_equal(d.want, 32);
			assert_int_equal(fl_keyfile_read_host_public(pub, file, flen, &d), FL_KEYFILE_TOO_SHORT);
		}
		free(file);
		free(result);
		free(err);
	}
	assert_int_equal(n, 5);
}

static void test_pubvalue(void **state)
{
	int n = 0;

	(void)state;
	for (size_t i = 0; i < kv.nsec; i++) {
		const struct keyvec_section *s = &kv.sec[i];
		struct fl_keyfile_diag d;
		uint8_t pub[32], want_pub[32];
		size_t vl, rl, ll;
		char *value, *result, *log, host[200];
		enum fl_keyfile_err got;

		if (strncmp(s->title, "pubvalue ", 9) != 0)
			continue;
		n++;
		value = get(s, "value", &vl);
		result = get(s, "result", &rl);
		log = get(s, "log", &ll);
		got = fl_keyfile_parse_public_value(pub, value, vl, &d);
		snprintf(host, sizeof host, "Address = 192.0.2.1\nEd25519PublicKey = %s\n", value);
		if (strcmp(result, "loaded") == 0) {
			gethex(s, "loaded_public", want_pub, 32);
			assert_int_equal(got, FL_KEYFILE_OK);
			assert_memory_equal(pub, want_pub, 32);
			assert_int_equal(fl_keyfile_read_host_public(pub, host, strlen(host), &d), FL_KEYFILE_OK);
			assert_memory_equal(pub, want_pub, 32);
		} else if (strstr(log, "Invalid size")) {
			assert_int_equal(got, FL_KEYFILE_PUB_LENGTH);
			assert_int_equal(d.got, strtoul(log + 13, NULL, 10));
			got = fl_keyfile_read_host_public(pub, host, strlen(host), &d);
			assert_int_equal(got, vl ? FL_KEYFILE_PUB_LENGTH : FL_KEYFILE_PUB_NO_VALUE);
			assert_int_equal(d.line, 2);
		} else {
			assert_non_null(strstr(log, "Invalid format"));
			assert_int_equal(got, FL_KEYFILE_PUB_BASE64);
			assert_int_equal(fl_keyfile_read_host_public(pub, host, strlen(host), &d),
					 FL_KEYFILE_PUB_BASE64);
			assert_int_equal(d.line, 2);
		}
		free(value);
		free(result);
		free(log);
	}
	assert_int_equal(n, 8);
}

#define KEY2_B64 "5VrVu8o5UlPQ4FrEon6inC5HFqj5V671gPekL0KBWSG"
#define KEY4_B64 "XrFmBIYsKcb1L5/0JT2B64Q4yNv2mOSJvKgGod/BRpB"
#define KEY2_PEM "-----BEGIN ED25519 PUBLIC KEY-----\n" KEY2_B64 "\n-----END ED25519 PUBLIC KEY-----\n"

static enum fl_keyfile_err host(const char *text, uint8_t pub[32], struct fl_keyfile_diag *d)
{
	return fl_keyfile_read_host_public(pub, text, strlen(text), d);
}

/* Host-file rules of tinc's config parser (KEYS.md §4.1, §4.3). */
static void test_host_rules(void **state)
{
	uint8_t k2[32], k4[32], pub[32];
	struct fl_keyfile_diag d;
	size_t n;

	(void)state;
	fl_b64_decode(k2, 32, &n, KEY2_B64, 43, NULL);
	fl_b64_decode(k4, 32, &n, KEY4_B64, 43, NULL);

	assert_int_equal(host("ed25519publickey=" KEY2_B64 "\n", pub, &d), FL_KEYFILE_OK);
	assert_memory_equal(pub, k2, 32);
	assert_int_equal(host("ED25519PUBLICKEY\t \t" KEY2_B64 " \t\r\n", pub, &d), FL_KEYFILE_OK);
	assert_memory_equal(pub, k2, 32);
	assert_int_equal(host("Ed25519PublicKey " KEY2_B64, pub, &d), FL_KEYFILE_OK);
	/* the first one wins; comments and PEM blocks are skipped */
	assert_int_equal(host("# Ed25519PublicKey = " KEY4_B64 "\n"
			      "-----BEGIN RSA PUBLIC KEY-----\nEd25519PublicKey = " KEY4_B64
			      "\n-----END RSA PUBLIC KEY-----\n"
			      "Ed25519PublicKey = " KEY2_B64 "\nEd25519PublicKey = " KEY4_B64 "\n",
			      pub, &d), FL_KEYFILE_OK);
	assert_memory_equal(pub, k2, 32);
	/* the variable beats a PEM block, even one that comes first */
	assert_int_equal(host(KEY2_PEM "Ed25519PublicKey = " KEY4_B64 "\n", pub, &d), FL_KEYFILE_OK);
	assert_memory_equal(pub, k4, 32);
	/* an invalid variable does not fall back to the block */
	assert_int_equal(host("Ed25519PublicKey = " KEY4_B64 "x\n" KEY2_PEM, pub, &d),
			 FL_KEYFILE_PUB_LENGTH);
	assert_int_equal(d.line, 1);
	/* other variables whose names start the same are not it */
	assert_int_equal(host("Ed25519PublicKeyFile = /x\n" KEY2_PEM, pub, &d), FL_KEYFILE_OK);
	assert_memory_equal(pub, k2, 32);
	assert_int_equal(host("Subnet = 10.0.0.0/8\nEd25519PublicKey =  \n", pub, &d),
			 FL_KEYFILE_PUB_NO_VALUE);
	assert_int_equal(d.line, 2);
	assert_int_equal(host("", pub, &d), FL_KEYFILE_NO_PUBLIC);
	assert_int_equal(host("Address = 192.0.2.1\n", pub, &d), FL_KEYFILE_NO_PUBLIC);
	/* not valid points: the identity, a small-order point, y = 2 */
	assert_int_equal(host("Ed25519PublicKey = BAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", pub, &d),
			 FL_KEYFILE_PUB_INVALID);
	assert_int_equal(host("Ed25519PublicKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", pub, &d),
			 FL_KEYFILE_PUB_INVALID);
	assert_int_equal(host("Ed25519PublicKey = CAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", pub, &d),
			 FL_KEYFILE_PUB_INVALID);
	assert_int_equal(d.line, 1);
	assert_int_equal(host("-----BEGIN ED25519 PUBLIC KEY-----\nBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n", pub, &d),
			 FL_KEYFILE_PUB_INVALID);
	/* a non-canonical spelling is read and flagged */
	assert_int_equal(host("Ed25519PublicKey = 5VrVu8o5UlPQ4FrEon6inC5HFqj5V671gPekL0KBWSW\n", pub, &d),
			 FL_KEYFILE_OK);
	assert_true(d.noncanonical);
	assert_memory_equal(pub, k2, 32);
}

/* A private scalar of zero, an unclamped scalar, and a file with a second
 * live block after the first. */
static void test_private_edges(void **state)
{
	struct fl_ed25519_key key, k2;
	struct fl_keyfile_diag d;
	char text[2 * (FL_KEYFILE_PRIV_TEXT_LEN + 1)];
	uint8_t seed[32];

	(void)state;
	memset(&key, 0, sizeof key);
	fl_keyfile_format_private(text, &key);
	assert_int_equal(fl_keyfile_read_private(&key, text, strlen(text), &d),
			 FL_KEYFILE_ZERO_SCALAR);

	for (int i = 0; i < 32; i++)
		seed[i] = (uint8_t)(i + 1);
	assert_int_equal(fl_ed25519_from_seed(&key, seed), 0);
	key.expanded[0] |= 1; /* unclamped: accepted (signing still works) */
	assert_int_equal(fl_ed25519_public_from_expanded(key.pub, key.expanded), 0);
	fl_keyfile_format_private(text, &key);
	assert_int_equal(fl_keyfile_read_private(&k2, text, strlen(text), &d), FL_KEYFILE_OK);
	assert_true(d.unclamped);
	assert_memory_equal(&k2, &key, sizeof key);

	/* two live blocks: the first one is used, as tinc does */
	seed[0] = 99;
	assert_int_equal(fl_ed25519_from_seed(&k2, seed), 0);
	fl_keyfile_format_private(text + FL_KEYFILE_PRIV_TEXT_LEN, &k2);
	assert_int_equal(fl_keyfile_read_private(&k2, text, strlen(text), &d), FL_KEYFILE_OK);
	assert_memory_equal(&k2, &key, sizeof key);
	fl_ed25519_key_wipe(&key);
	fl_ed25519_key_wipe(&k2);
}

static void test_disable_old(void **state)
{
	static const char in[] =
		"Address = 192.0.2.1\n"
		"ed25519publickey = " KEY4_B64 "\n"
		"Ed25519PublicKeyFile = x\n"
		"-----BEGIN RSA PUBLIC KEY-----\nMIIB\n-----END RSA PUBLIC KEY-----\n"
		"#-----BEGIN ED25519 PUBLIC KEY-----\n"
		KEY2_PEM
		"Port = 655";
	static const char want[] =
		"Address = 192.0.2.1\n"
		"#ed25519publickey = " KEY4_B64 "\n"
		"Ed25519PublicKeyFile = x\n"
		"-----BEGIN RSA PUBLIC KEY-----\nMIIB\n-----END RSA PUBLIC KEY-----\n"
		"#-----BEGIN ED25519 PUBLIC KEY-----\n"
		"#-----BEGIN ED25519 PUBLIC KEY-----\n#" KEY2_B64 "\n#-----END ED25519 PUBLIC KEY-----\n"
		"Port = 655";
	char out[2 * sizeof in], line[FL_KEYFILE_PUB_LINE_LEN + 1];
	struct fl_keyfile_diag d;
	uint8_t pub[32], k2[32];
	bool disabled;
	size_t n;

	(void)state;
	n = fl_keyfile_disable_old(out, sizeof out, in, strlen(in), &disabled);
	assert_true(disabled);
	assert_int_equal(n, strlen(want));
	assert_memory_equal(out, want, n);
	/* after disabling, no key is left; the appended line is the one read */
	assert_int_equal(fl_keyfile_read_host_public(pub, out, n, &d), FL_KEYFILE_NO_PUBLIC);
	fl_b64_decode(k2, 32, &n, KEY2_B64, 43, NULL);
	fl_keyfile_format_public_line(line, k2);
	n = fl_keyfile_disable_old(out, sizeof out, in, strlen(in), &disabled);
	memcpy(out + n, "\n", 1); /* the input did not end in a newline */
	memcpy(out + n + 1, line, strlen(line));
	assert_int_equal(fl_keyfile_read_host_public(pub, out, n + 1 + strlen(line), &d), FL_KEYFILE_OK);
	assert_memory_equal(pub, k2, 32);

	n = fl_keyfile_disable_old(out, sizeof out, "Name = a\n", 9, &disabled);
	assert_false(disabled);
	assert_int_equal(n, 9);
	assert_int_equal(fl_keyfile_disable_old(out, 17, in, 9, &disabled), (size_t)-1);
}

static void describe(const char *text, char *msg, size_t cap)
{
	struct fl_ed25519_key key;
	struct fl_keyfile_diag d;

	assert_int_not_equal(fl_keyfile_read_private(&key, text, strlen(text), &d), FL_KEYFILE_OK);
	fl_keyfile_describe(msg, cap, "/etc/tinc/ed25519_key.priv", &d);
}

static void test_messages(void **state)
{
	char msg[256];
	struct fl_keyfile_diag d;
	uint8_t pub[32];

	(void)state;
	describe("", msg, sizeof msg);
	assert_string_equal(msg, "/etc/tinc/ed25519_key.priv: no \"-----BEGIN ED25519 PRIVATE KEY-----\" line");
	describe("-----BEGIN ED25519 PRIVATE KEY-----\nwh3jawg6AohJxod5Q3VvGACCVP7DQlr4buuK4JCKQS0V9w/mv5fsHbYojl05PgpN\n"
		 "-----END ED25519 PRIVATE KEY-----\n", msg, sizeof msg);
	assert_string_equal(msg, "/etc/tinc/ed25519_key.priv:3: key data too short (48 of 96 bytes)");
	describe("-----BEGIN ED25519 PRIVATE KEY-----\nwh3jawg6AohJxod5Q3VvGACCVP7DQlr4buuK4JCKQS\n"
		 "0V9w/mv5fsHbYojl05PgpNHqGd8EDwnK6pHcCqS5+w\nylXtW5yjmTV+AhXsSgeqLeKkfUoOmXpvXD+4RuQrEYJZ\n",
		 msg, sizeof msg);
	assert_string_equal(msg, "/etc/tinc/ed25519_key.priv:4: key data too short (95 of 96 bytes); "
			    "a data line's length is not a multiple of 4");
	describe("-----BEGIN ED25519 PRIVATE KEY-----\nwh3jawg6AohJ*xod5Q3\n", msg, sizeof msg);
	assert_string_equal(msg, "/etc/tinc/ed25519_key.priv:2: invalid base64 character '*' at column 13");
	describe("-----BEGIN ED25519 PRIVATE KEY-----\nwh3jawg6\tAohJ\n", msg, sizeof msg);
	assert_string_equal(msg, "/etc/tinc/ed25519_key.priv:2: invalid base64 character '\\x09' at column 9");
	describe("-----BEGIN ED25519 PRIVATE KEY-----\n\n", msg, sizeof msg);
	assert_string_equal(msg, "/etc/tinc/ed25519_key.priv:2: empty line in key data");

	assert_int_equal(fl_keyfile_parse_public_value(pub, "abc", 3, &d), FL_KEYFILE_PUB_LENGTH);
	d.line = 4;
	fl_keyfile_describe(msg, sizeof msg, "hosts/alpha", &d);
	assert_string_equal(msg, "hosts/alpha:4: Ed25519PublicKey must be 43 characters, got 3");
	assert_int_equal(fl_keyfile_read_public_pem(pub, "x\n", 2, &d), FL_KEYFILE_NO_BEGIN);
	fl_keyfile_describe(msg, sizeof msg, "hosts/alpha", &d);
	assert_string_equal(msg, "hosts/alpha: no \"-----BEGIN ED25519 PUBLIC KEY-----\" line");
	for (int e = FL_KEYFILE_OK; e <= FL_KEYFILE_NO_ROOM; e++)
		assert_string_not_equal(fl_keyfile_strerror(e), "unknown key file error");
	/* a short buffer is truncated, still terminated */
	d.err = FL_KEYFILE_MISMATCH;
	d.line = 0;
	fl_keyfile_describe(msg, 10, "hosts/alpha", &d);
	assert_int_equal(strlen(msg), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_files),
		cmocka_unit_test(test_privread),
		cmocka_unit_test(test_pubpem),
		cmocka_unit_test(test_pubvalue),
		cmocka_unit_test(test_host_rules),
		cmocka_unit_test(test_private_edges),
		cmocka_unit_test(test_disable_old),
		cmocka_unit_test(test_messages),
	};

	return keyvec_main(&kv, "keys.txt", tests, sizeof(tests) / sizeof(tests[0]));
}
