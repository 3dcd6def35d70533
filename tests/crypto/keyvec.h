/* SPDX-License-Identifier: MIT */
/*
 * Reader for tests/vectors/keys.txt (vectors/README.md): "[section]"
 * headers followed by "name = value" lines or, in [b64], one case per line.
 * Used only by the key-file, base64 and Ed25519 tests.
 */
#ifndef FL_TESTS_KEYVEC_H
#define FL_TESTS_KEYVEC_H

#include <stddef.h>
#include <stdint.h>

struct keyvec_section {
	char *title;   /* text between [ and ] */
	char **lines;  /* raw lines of the section, comments and blanks dropped */
	size_t nlines;
};

struct keyvec {
	struct keyvec_section *sec;
	size_t nsec;
};

/* Load $FENLIU_SHARED/vectors/NAME; fails the test if it cannot. */
void keyvec_load(struct keyvec *kv, const char *name);
void keyvec_free(struct keyvec *kv);

/* Value of "name = value" in sec, with quotes and C escapes removed;
 * NULL if absent. *len gets its length (values may hold NUL bytes).
 * The result is malloc-ed: free it. */
char *keyvec_get(const struct keyvec_section *sec, const char *name, size_t *len);

/* Decode a quoted C-escaped string starting at s (at the opening quote);
 * returns malloc-ed bytes and sets *len, *end to just past the closing quote. */
char *keyvec_unquote(const char *s, size_t *len, const char **end);

/* Hex to bytes; returns the byte count or aborts the test on bad hex. */
size_t keyvec_hex(const char *hex, uint8_t *out, size_t cap);

struct CMUnitTest;
/* The main of a test program on NAME's vectors: initialises libsodium,
 * loads them into kv, runs the n tests, frees kv. Its exit status. */
int keyvec_main(struct keyvec *kv, const char *name, const struct CMUnitTest *tests, size_t n);

#endif
