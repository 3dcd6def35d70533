/* SPDX-License-Identifier: MIT */
/*
 * Reader for the vector files in $FENLIU_SHARED/vectors (README.md there):
 * cases of `name = value` lines, separated by blank lines or `[section]`
 * headers. Used by test_sptps.c.
 */
#ifndef FL_TEST_SPTPS_VEC_H
#define FL_TEST_SPTPS_VEC_H

#include <stddef.h>
#include <stdint.h>

struct vec_line {
	char *name;
	char *value;
};

struct vec_case {
	char *title; /* `case` value or section name */
	struct vec_line *lines;
	size_t n;
};

struct vec_file {
	struct vec_case *cases;
	size_t n;
};

/* Load $FENLIU_SHARED/vectors/<name>; aborts the test on failure. */
void vec_load(struct vec_file *f, const char *name);
void vec_free(struct vec_file *f);
/* Value of the first line called name, or NULL. */
const char *vec_get(const struct vec_case *c, const char *name);
/* Decode hex into a malloc'd buffer (at least 1 byte allocated). */
uint8_t *vec_hex(const char *hex, size_t *len);

#endif
