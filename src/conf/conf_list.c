/* SPDX-License-Identifier: MIT */
/* conf_list.c: the entry list: add, merge, sort and look up in tinc's order.
 *
 * Order for one variable (CONFIG.md §2): command-line entries first (by
 * option index), then ascending line number across files, then file name.
 * The list is sorted lazily on the first lookup after a change.
 */
#include "conf/conf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *fl_conf_strerror(enum fl_conf_err e)
{
	switch (e) {
	case FL_CONF_OK: return "success";
	case FL_CONF_ENOVALUE: return "no value for variable";
	case FL_CONF_ELONG: return "line too long";
	case FL_CONF_ENUL: return "NUL byte in line";
	case FL_CONF_ENOMEM: return "out of memory";
	case FL_CONF_EIO: return "cannot read file";
	case FL_CONF_EVALUE: return "invalid value";
	case FL_CONF_EOPTION: return "invalid option, expected [NODE.]VAR=VALUE";
	case FL_CONF_ENAME: return "invalid name";
	}
	return "unknown error";
}

void fl_conf_init(struct fl_conf *c)
{
	memset(c, 0, sizeof(*c));
}

void fl_conf_free(struct fl_conf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].var);
		free(c->v[i].value);
		free(c->v[i].file);
	}
	free(c->v);
	fl_conf_init(c);
}

static enum fl_conf_err grow(struct fl_conf *c, size_t extra)
{
	if (c->cap - c->n >= extra)
		return FL_CONF_OK;
	size_t cap = c->cap ? c->cap * 2 : 16;
	while (cap - c->n < extra)
		cap *= 2;
	struct fl_conf_entry *v = realloc(c->v, cap * sizeof(*v));
	if (!v)
		return FL_CONF_ENOMEM;
	c->v = v;
	c->cap = cap;
	return FL_CONF_OK;
}

enum fl_conf_err fl_conf_add(struct fl_conf *c, const char *var, const char *value,
                             const char *file, int line)
{
	if (grow(c, 1) != FL_CONF_OK)
		return FL_CONF_ENOMEM;
	struct fl_conf_entry e = {
		.var = strdup(var),
		.value = strdup(value),
		.file = file ? strdup(file) : NULL,
		.line = line,
	};
	if (!e.var || !e.value || (file && !e.file)) {
		free(e.var);
		free(e.value);
		free(e.file);
		return FL_CONF_ENOMEM;
	}
	c->v[c->n++] = e;
	c->sorted = false;
	return FL_CONF_OK;
}

enum fl_conf_err fl_conf_merge(struct fl_conf *dst, struct fl_conf *src)
{
	/* An empty list may have no array at all: memcpy must not see NULL. */
	if (src->n == 0) {
		fl_conf_free(src);
		return FL_CONF_OK;
	}
	if (grow(dst, src->n) != FL_CONF_OK)
		return FL_CONF_ENOMEM;
	memcpy(dst->v + dst->n, src->v, src->n * sizeof(*src->v));
	dst->n += src->n;
	dst->sorted = false;
	free(src->v);
	fl_conf_init(src);
	return FL_CONF_OK;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct fl_conf_entry *a = pa, *b = pb;
	int r = strcasecmp(a->var, b->var);
	if (r)
		return r;
	if (!a->file != !b->file)
		return a->file ? 1 : -1;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->file && b->file)
		return strcmp(a->file, b->file);
	return 0;
}

static void sort(struct fl_conf *c)
{
	if (!c->sorted && c->n > 1)
		qsort(c->v, c->n, sizeof(*c->v), entry_cmp);
	c->sorted = true;
}

const struct fl_conf_entry *fl_conf_first(struct fl_conf *c, const char *var)
{
	sort(c);
	/* Binary search for the leftmost entry of var. */
	size_t lo = 0, hi = c->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (strcasecmp(c->v[mid].var, var) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->n && strcasecmp(c->v[lo].var, var) == 0)
		return &c->v[lo];
	return NULL;
}

const struct fl_conf_entry *fl_conf_next(struct fl_conf *c, const struct fl_conf_entry *e)
{
	size_t i = (size_t)(e - c->v) + 1;
	if (i < c->n && strcasecmp(c->v[i].var, e->var) == 0)
		return &c->v[i];
	return NULL;
}

size_t fl_conf_count(struct fl_conf *c, const char *var)
{
	size_t n = 0;
	for (const struct fl_conf_entry *e = fl_conf_first(c, var); e; e = fl_conf_next(c, e))
		n++;
	return n;
}

void fl_conf_where(const struct fl_conf_entry *e, char *out, size_t outlen)
{
	if (e->file)
		snprintf(out, outlen, "%s:%d", e->file, e->line);
	else
		snprintf(out, outlen, "command line option %d", e->line);
}

int fl_conf_report(const struct fl_conf_reporter *r, const struct fl_conf_entry *e,
		   const char *fmt, ...)
{
	char where[512], msg[1024], line[FL_CONF_LINE_MAX + 1600];
	va_list ap;

	if (!r || !r->error)
		return -1;
	fl_conf_where(e, where, sizeof(where));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(line, sizeof(line), "%s: %s: %s: '%s'", where, e->var, msg, e->value);
	r->error(r->ctx, line);
	return -1;
}
