/* SPDX-License-Identifier: MIT */
/* Vector file reader for the SPTPS tests; see sptps_vec.h. */
#include "sptps_vec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vec_die(const char *what, const char *arg)
{
	fprintf(stderr, "vectors: %s: %s\n", what, arg);
	abort();
}

static char *vec_trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = 0;
	return s;
}

static struct vec_case *vec_new_case(struct vec_file *f, const char *title)
{
	struct vec_case *c;

	f->cases = realloc(f->cases, (f->n + 1) * sizeof(*f->cases));
	if (!f->cases)
		vec_die("out of memory", title);
	c = &f->cases[f->n++];
	memset(c, 0, sizeof(*c));
	c->title = strdup(title);
	return c;
}

static void vec_add(struct vec_case *c, const char *name, const char *value)
{
	c->lines = realloc(c->lines, (c->n + 1) * sizeof(*c->lines));
	if (!c->lines)
		vec_die("out of memory", name);
	c->lines[c->n].name = strdup(name);
	c->lines[c->n].value = strdup(value);
	c->n++;
	if (!strcmp(name, "case")) {
		free(c->title);
		c->title = strdup(value);
	}
}

void vec_load(struct vec_file *f, const char *name)
{
	const char *dir = getenv("FENLIU_VECTORS");
	char path[4096], *line = NULL;
	size_t cap = 0;
	struct vec_case *cur = NULL;
	FILE *fp;

	memset(f, 0, sizeof(*f));
	if (!dir)
		vec_die("FENLIU_VECTORS not set", name);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!(fp = fopen(path, "r")))
		vec_die("cannot open", path);
	while (getline(&line, &cap, fp) > 0) {
		char *l = vec_trim(line), *eq;

		if (*l == '#')
			continue;
		if (!*l) {
			cur = NULL;
			continue;
		}
		if (*l == '[') {
			char *e = strchr(l, ']');
			if (e)
				*e = 0;
			cur = vec_new_case(f, l + 1);
			continue;
		}
		if (!(eq = strchr(l, '=')))
			continue; /* e.g. the b64 section's free-form lines */
		*eq = 0;
		if (!cur)
			cur = vec_new_case(f, "");
		vec_add(cur, vec_trim(l), vec_trim(eq + 1));
	}
	free(line);
	fclose(fp);
}

void vec_free(struct vec_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t j = 0; j < f->cases[i].n; j++) {
			free(f->cases[i].lines[j].name);
			free(f->cases[i].lines[j].value);
		}
		free(f->cases[i].lines);
		free(f->cases[i].title);
	}
	free(f->cases);
	memset(f, 0, sizeof(*f));
}

const char *vec_get(const struct vec_case *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->lines[i].name, name))
			return c->lines[i].value;
	return NULL;
}

uint8_t *vec_hex(const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	uint8_t *out = malloc(n / 2 + 1);

	if (!out || n % 2)
		vec_die("bad hex", hex);
	for (size_t i = 0; i < n / 2; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			vec_die("bad hex", hex);
		out[i] = (uint8_t)v;
	}
	*len = n / 2;
	return out;
}
