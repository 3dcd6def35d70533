/* SPDX-License-Identifier: MIT */
/*
 * route_files.c: reads route/NODE and prefix-list files (route_files.h).
 * Called by the daemon's control thread; the parsing itself is the pure
 * lpm/prefix_parse.c, this file only reads files and words the messages.
 */
#include "daemon/routes/route_files.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lpm/prefix_parse.h"

#define QUOTE_MAX 64

static void say(const struct fl_route_opts *o, enum fl_route_sev sev, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(const struct fl_route_opts *o, enum fl_route_sev sev, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	if (!o || !o->msg)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o->msg(o->ctx, sev, msg);
}

/* Quotes untrusted text for a message: printable ASCII as is, other bytes
 * as \xHH, cut at QUOTE_MAX bytes with "...". */
static void quote(char *out, size_t cap, const char *s, size_t len)
{
	size_t w = 0;
	for (size_t i = 0; i < len && i < QUOTE_MAX && w + 5 < cap; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\')
			out[w++] = (char)c;
		else
			w += (size_t)snprintf(out + w, cap - w, "\\x%02x", c);
	}
	if (len > QUOTE_MAX && w + 4 < cap) {
		memcpy(out + w, "...", 3);
		w += 3;
	}
	out[w < cap ? w : cap - 1] = 0;
}

struct load_ctx {
	struct fl_prefix_list *l;
	const struct fl_route_opts *o;
	int nomem;
};

static void on_prefix(void *ctx, const struct fl_lpm_prefix *p, unsigned line)
{
	struct load_ctx *c = ctx;
	struct fl_prefix_list *l = c->l;
	if (c->nomem)
		return;
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 64;
		struct fl_lpm_prefix *np = realloc(l->p, ncap * sizeof(*np));
		if (np)
			l->p = np;
		uint32_t *nl = np ? realloc(l->line, ncap * sizeof(*nl)) : NULL;
		if (nl)
			l->line = nl;
		if (!np || !nl) {
			c->nomem = 1;
			return;
		}
		l->cap = ncap;
	}
	l->p[l->n] = *p;
	l->line[l->n++] = line;
}

static void on_error(void *ctx, unsigned line, enum fl_prefix_err err, const char *text,
	size_t len)
{
	struct load_ctx *c = ctx;
	char q[QUOTE_MAX * 4 + 8];
	quote(q, sizeof(q), text, len);
	c->l->bad++;
	say(c->o, FL_ROUTE_ERROR, "%s:%u: %s: '%s'", c->l->name, line, fl_prefix_strerror(err), q);
}

/* Reads a whole regular file of at most FL_ROUTE_FILE_MAX bytes. */
static int read_file(const char *path, char **buf, size_t *len)
{
	struct stat st;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	*buf = NULL;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > FL_ROUTE_FILE_MAX) {
		err = S_ISREG(st.st_mode) ? -EFBIG : S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto out_close;
	}
	/* One spare byte: a file that grew since fstat is read up to the cap. */
	size_t cap = (size_t)st.st_size + 1;
	if (!(*buf = malloc(cap))) {
		err = -ENOMEM;
		goto out_close;
	}
	for (;;) {
		ssize_t r = read(fd, *buf + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto out_close;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got == cap) {
			if (cap > FL_ROUTE_FILE_MAX) {
				err = -EFBIG;
				goto out_close;
			}
			char *nb = realloc(*buf, cap * 2);
			if (!nb) {
				err = -ENOMEM;
				goto out_close;
			}
			*buf = nb;
			cap *= 2;
		}
	}
	*len = got;
out_close:
	close(fd);
	if (err) {
		free(*buf);
		*buf = NULL;
	}
	return err;
}

int fl_prefix_list_load(const char *path, const char *display,
	const struct fl_route_opts *o, struct fl_prefix_list *out)
{
	struct load_ctx c = { .l = out, .o = o };
	struct fl_prefix_parse_cb cb = { .prefix = on_prefix, .error = on_error, .ctx = &c };
	char *buf;
	size_t len = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (!(out->name = strdup(display)))
		return -ENOMEM;
	if ((err = read_file(path, &buf, &len)) != 0) {
		say(o, FL_ROUTE_ERROR, "%s: cannot read: %s", display, strerror(-err));
		return err;
	}
	fl_prefix_parse(buf, len, &cb);
	free(buf);
	if (c.nomem) {
		say(o, FL_ROUTE_ERROR, "%s: out of memory", display);
		return -ENOMEM;
	}
	return 0;
}

void fl_prefix_list_free(struct fl_prefix_list *l)
{
	free(l->name);
	free(l->p);
	free(l->line);
	memset(l, 0, sizeof(*l));
}

bool fl_route_node_name_ok(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			return false;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The node names of the files in dir that look like route files, sorted;
 * others are warned about. */
static int list_names(const char *dir, const struct fl_route_opts *o, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t cap = 0;
	int err = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.') /* ., .. and editors' hidden files */
			continue;
		if (!fl_route_node_name_ok(e->d_name)) {
			say(o, FL_ROUTE_WARNING, "route/%s: not a node name, file ignored", e->d_name);
			continue;
		}
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			char **nn = realloc(*names, cap * sizeof(*nn));
			if (!nn) {
				err = -ENOMEM;
				break;
			}
			*names = nn;
		}
		if (!((*names)[*n] = strdup(e->d_name))) {
			err = -ENOMEM;
			break;
		}
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(**names), cmp_str);
	return err;
}

int fl_route_files_load(const char *confdir, const struct fl_route_opts *o,
	struct fl_route_set *out)
{
	char dir[4096], path[4096 + 256], display[300];
	char **names;
	size_t n;
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(dir, sizeof(dir), "%s/route", confdir);
	if ((err = list_names(dir, o, &names, &n)) != 0) {
		say(o, FL_ROUTE_ERROR, "%s: cannot read: %s", dir, strerror(-err));
		goto out_names;
	}
	if (n && !(out->lists = calloc(n, sizeof(*out->lists)))) {
		err = -ENOMEM;
		goto out_names;
	}
	for (size_t i = 0; i < n; i++) {
		struct fl_prefix_list l;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(display, sizeof(display), "route/%s", names[i]);
		int r = fl_prefix_list_load(path, display, o, &l);
		if (r == -ENOMEM) {
			fl_prefix_list_free(&l);
			err = r;
			goto out_names;
		}
		if (r != 0) { /* a directory or unreadable file: reported, skipped */
			fl_prefix_list_free(&l);
			free(names[i]);
			names[i] = NULL;
			continue;
		}
		if (o && o->known && !o->known(o->ctx, names[i]))
			say(o, FL_ROUTE_WARNING,
				"%s: node %s is not in the mesh (yet); its routes are kept", display, names[i]);
		out->lists[out->n] = l;
		names[out->n++] = names[i];
		if (out->n - 1 != i)
			names[i] = NULL;
	}
	out->node = names;
	for (size_t i = out->n; i < n; i++)
		free(names[i]);
	return 0;
out_names:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	out->node = NULL;
	fl_route_set_free(out);
	return err;
}

void fl_route_set_free(struct fl_route_set *s)
{
	for (size_t i = 0; i < s->n; i++) {
		fl_prefix_list_free(&s->lists[i]);
		if (s->node)
			free(s->node[i]);
	}
	free(s->lists);
	free(s->node);
	memset(s, 0, sizeof(*s));
}

struct dup_ctx {
	const struct fl_route_set *s;
	const struct fl_route_opts *o;
	const struct fl_lpm_prefix *flat;
	const size_t *first; /* first[i]: index of list i's first prefix */
};

/* The list holding flat prefix number idx. */
static size_t list_of(const struct dup_ctx *d, size_t idx)
{
	size_t lo = 0, hi = d->s->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->first[mid] <= idx)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static void on_dup(void *ctx, size_t kept, size_t dropped)
{
	struct dup_ctx *d = ctx;
	size_t lk = list_of(d, kept), ld = list_of(d, dropped);
	char p[64];
	fl_prefix_format(&d->flat[kept], p, sizeof(p));
	say(d->o, FL_ROUTE_WARNING, "%s:%u: %s also at %s:%u, this one wins",
		d->s->lists[lk].name, d->s->lists[lk].line[kept - d->first[lk]], p,
		d->s->lists[ld].name, d->s->lists[ld].line[dropped - d->first[ld]]);
}

enum fl_lpm_err fl_route_set_build(const struct fl_route_set *s, const fl_lpm_value *values,
	const struct fl_route_opts *o, struct fl_lpm **out)
{
	size_t total = 0;
	enum fl_lpm_err err = FL_LPM_ENOMEM;
	for (size_t i = 0; i < s->n; i++)
		total += s->lists[i].n;
	struct fl_lpm_prefix *flat = malloc((total + 1) * sizeof(*flat));
	size_t *first = malloc((s->n + 1) * sizeof(*first));
	*out = NULL;
	if (!flat || !first)
		goto out_free;
	total = 0;
	for (size_t i = 0; i < s->n; i++) {
		first[i] = total;
		for (size_t j = 0; j < s->lists[i].n; j++) {
			flat[total] = s->lists[i].p[j];
			flat[total++].value = values[i];
		}
	}
	struct dup_ctx d = { .s = s, .o = o, .flat = flat, .first = first };
	struct fl_lpm_build_opts bo = { .on_duplicate = on_dup, .ctx = &d };
	err = fl_lpm_build(flat, total, &bo, out);
out_free:
	free(flat);
	free(first);
	return err;
}
