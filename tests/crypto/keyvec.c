/* SPDX-License-Identifier: MIT */
/*
 * Reader for the key vectors (see keyvec.h). Test-only code: on malformed
 * vector files it fails loudly rather than guessing.
 */
#include "keyvec.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

__attribute__((format(printf, 1, 2), noreturn))
static void keyvec_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("keyvec: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static char *keyvec_slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f)
		keyvec_die("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		keyvec_die("cannot read %s", path);
	buf[n] = 0;
	fclose(f);
	return buf;
}

static void keyvec_add_line(struct keyvec *kv, char *line)
{
	struct keyvec_section *s;

	if (line[0] == '[') {
		char *close = strrchr(line, ']');
		if (!close)
			keyvec_die("bad header %s", line);
		kv->sec = realloc(kv->sec, (kv->nsec + 1) * sizeof *kv->sec);
		s = &kv->sec[kv->nsec++];
		s->title = strndup(line + 1, (size_t)(close - line - 1));
		s->lines = NULL;
		s->nlines = 0;
		return;
	}
	if (line[0] == '#' || line[0] == 0 || kv->nsec == 0)
		return;
	s = &kv->sec[kv->nsec - 1];
	s->lines = realloc(s->lines, (s->nlines + 1) * sizeof *s->lines);
	s->lines[s->nlines++] = strdup(line);
}

void keyvec_load(struct keyvec *kv, const char *name)
{
	const char *dir = getenv("FENLIU_VECTORS");
	char path[4096];
	char *buf, *p, *nl;

	if (!dir)
		dir = "tests/vectors";
	snprintf(path, sizeof path, "%s/%s", dir, name);
	buf = keyvec_slurp(path);
	kv->sec = NULL;
	kv->nsec = 0;
	for (p = buf; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl) {
			keyvec_add_line(kv, p);
			break;
		}
		*nl = 0;
		keyvec_add_line(kv, p);
	}
	free(buf);
}

void keyvec_free(struct keyvec *kv)
{
	for (size_t i = 0; i < kv->nsec; i++) {
		for (size_t j = 0; j < kv->sec[i].nlines; j++)
			free(kv->sec[i].lines[j]);
		free(kv->sec[i].lines);
		free(kv->sec[i].title);
	}
	free(kv->sec);
	kv->sec = NULL;
	kv->nsec = 0;
}

static int keyvec_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *keyvec_unquote(const char *s, size_t *len, const char **end)
{
	size_t cap = strlen(s) + 1, n = 0;
	char *out = malloc(cap);

	if (*s != '"')
		keyvec_die("not a quoted string: %s", s);
	for (s++; *s && *s != '"'; s++) {
		if (*s != '\\') {
			out[n++] = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': out[n++] = '\n'; break;
		case 'r': out[n++] = '\r'; break;
		case 't': out[n++] = '\t'; break;
		case '"': out[n++] = '"'; break;
		case '\\': out[n++] = '\\'; break;
		case 'x': {
			int hi = keyvec_hexval(s[1]), lo = keyvec_hexval(s[2]);
			if (hi < 0 || lo < 0)
				keyvec_die("bad \\x escape");
			out[n++] = (char)(hi * 16 + lo);
			s += 2;
			break;
		}
		default:
			keyvec_die("unknown escape \\%c", *s);
		}
	}
	if (*s != '"')
		keyvec_die("unterminated string");
	out[n] = 0;
	*len = n;
	if (end)
		*end = s + 1;
	return out;
}

char *keyvec_get(const struct keyvec_section *sec, const char *name, size_t *len)
{
	size_t nl = strlen(name);

	for (size_t i = 0; i < sec->nlines; i++) {
		const char *l = sec->lines[i];
		if (strncmp(l, name, nl) != 0 || strncmp(l + nl, " =", 2) != 0)
			continue;
		l += nl + 2;
		if (*l == ' ')
			l++;
		if (*l == '"')
			return keyvec_unquote(l, len, NULL);
		*len = strlen(l);
		return strdup(l);
	}
	return NULL;
}

size_t keyvec_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex);

	if (n % 2 || n / 2 > cap)
		keyvec_die("bad hex length %zu", n);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = keyvec_hexval(hex[2 * i]), lo = keyvec_hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			keyvec_die("bad hex %s", hex);
		out[i] = (uint8_t)(hi * 16 + lo);
	}
	return n / 2;
}

int keyvec_main(struct keyvec *kv, const char *name, const struct CMUnitTest *tests, size_t n)
{
	int rc;

	if (sodium_init() < 0)
		return 1;
	keyvec_load(kv, name);
	rc = _cmocka_run_group_tests("tests", tests, n, NULL, NULL);
	keyvec_free(kv);
	return rc;
}
