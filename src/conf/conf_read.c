/* SPDX-License-Identifier: MIT */
/* conf_read.c: file I/O around conf_parse.c: tinc.conf, conf.d/, hosts/NAME.
 * Called by the daemon at start and on reload, and by the CLI's fsck. */
#include "conf/conf_read.h"
#include "conf/conf_name.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define FILE_MAX (1u << 20)

static void report(const struct fl_conf_reporter *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void report(const struct fl_conf_reporter *r, const char *fmt, ...)
{
	if (!r || !r->error)
		return;
	char msg[1200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	r->error(r->ctx, msg);
}

enum fl_conf_err fl_conf_cmdline_add(struct fl_conf *cmdline, const char *arg, int index)
{
	char buf[FL_CONF_LINE_MAX + 1], *var, *value;
	if (strlen(arg) > FL_CONF_LINE_MAX)
		return FL_CONF_EOPTION;
	strcpy(buf, arg);
	if (fl_conf_split_line(buf, &var, &value) != FL_CONF_OK)
		return FL_CONF_EOPTION;
	const char *dot = strchr(var, '.');
	if (dot) {
		char node[FL_CONF_LINE_MAX + 1];
		memcpy(node, var, (size_t)(dot - var));
		node[dot - var] = '\0';
		if (!fl_name_valid(node) || !dot[1])
			return FL_CONF_EOPTION;
	}
	return fl_conf_add(cmdline, var, value, NULL, index);
}

/* Why st is not something we read as a config file, or NULL. */
static const char *file_kind_refused(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return st->st_size > (off_t)FILE_MAX ? "larger than 1 MiB" : NULL;
	if (S_ISDIR(st->st_mode))
		return "not a regular file (a directory)";
	if (S_ISCHR(st->st_mode) || S_ISBLK(st->st_mode))
		return "not a regular file (a device)";
	if (S_ISFIFO(st->st_mode))
		return "not a regular file (a FIFO)";
	return "not a regular file";
}

/* Only a regular file of at most FILE_MAX bytes, checked on the open
 * descriptor (after links are followed): a directory, /dev/zero or a FIFO
 * under a config name is named and refused, never read or waited on. */
enum fl_conf_err fl_conf_read_file(struct fl_conf *c, const char *path,
                                   const struct fl_conf_reporter *r)
{
	struct stat st;
	const char *why;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		report(r, "%s: cannot open: %s", path, strerror(errno));
		return FL_CONF_EIO;
	}
	if (fstat(fd, &st) < 0)
		why = strerror(errno);
	else
		why = file_kind_refused(&st);
	if (why) {
		report(r, "%s: %s", path, why);
		close(fd);
		return FL_CONF_EIO;
	}
	FILE *f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return FL_CONF_ENOMEM;
	}
	char *buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return FL_CONF_ENOMEM;
	}
	/* The size can change under us: never read past what we allocated. */
	size_t len = fread(buf, 1, (size_t)st.st_size + 1, f);
	bool bad = ferror(f) || len > (size_t)st.st_size;
	fclose(f);
	enum fl_conf_err e = FL_CONF_EIO;
	if (bad)
		report(r, "%s: cannot read, or it grew while being read", path);
	else
		e = fl_conf_parse(c, buf, len, path, r);
	free(buf);
	return e;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* conf.d/: names longer than 5 characters ending in ".conf", in name order
 * (tinc takes directory order, which is unspecified; sorting is stable). */
static enum fl_conf_err read_confd(struct fl_conf *c, const char *confbase,
                                   const struct fl_conf_reporter *r)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/conf.d", confbase);
	DIR *d = opendir(path);
	if (!d)
		return FL_CONF_OK;
	char **names = NULL;
	size_t n = 0;
	enum fl_conf_err e = FL_CONF_OK;
	for (struct dirent *de; (de = readdir(d)) != NULL;) {
		size_t len = strlen(de->d_name);
		if (len <= 5 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		char **nn = realloc(names, (n + 1) * sizeof(*names));
		if (!nn || !(nn[n] = strdup(de->d_name))) {
			names = nn ? nn : names;
			e = FL_CONF_ENOMEM;
			break;
		}
		names = nn;
		n++;
	}
	closedir(d);
	if (names)
		qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/conf.d/%s", confbase, names[i]);
		if (e == FL_CONF_OK)
			e = fl_conf_read_file(c, path, r);
		free(names[i]);
	}
	free(names);
	return e;
}

/* Copies -o entries: prefix NULL takes those without a dot, else those for
 * "PREFIX." with the prefix stripped. */
static enum fl_conf_err add_cmdline(struct fl_conf *c, struct fl_conf *cmdline, const char *prefix)
{
	for (size_t i = 0; cmdline && i < cmdline->n; i++) {
		const struct fl_conf_entry *e = &cmdline->v[i];
		const char *dot = strchr(e->var, '.');
		const char *var = e->var;
		if (prefix) {
			size_t pl = strlen(prefix);
			if (!dot || (size_t)(dot - var) != pl || strncmp(var, prefix, pl) != 0)
				continue;
			var = dot + 1;
		} else if (dot) {
			continue;
		}
		if (fl_conf_add(c, var, e->value, NULL, e->line) != FL_CONF_OK)
			return FL_CONF_ENOMEM;
	}
	return FL_CONF_OK;
}

enum fl_conf_err fl_conf_read_server(struct fl_conf *out, const char *confbase,
                                     struct fl_conf *cmdline, char *name, size_t namelen,
                                     struct fl_conf_warned *w, const struct fl_conf_reporter *r)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/tinc.conf", confbase);
	enum fl_conf_err e = add_cmdline(out, cmdline, NULL);
	if (e == FL_CONF_OK)
		e = fl_conf_read_file(out, path, r);
	if (e == FL_CONF_OK)
		e = read_confd(out, confbase, r);
	if (e != FL_CONF_OK)
		return e;
	const struct fl_conf_entry *ne = fl_conf_first(out, "Name");
	if (!ne) {
		report(r, "%s: Name: missing", path);
		return FL_CONF_ENAME;
	}
	if (!fl_name_expand(ne->value, name, namelen)) {
		char where[300];
		fl_conf_where(ne, where, sizeof(where));
		report(r, "%s: Name: not a valid node name: '%s'", where, ne->value);
		return FL_CONF_ENAME;
	}
	snprintf(path, sizeof(path), "%s/hosts/%s", confbase, name);
	e = fl_conf_read_file(out, path, r);
	if (e == FL_CONF_EIO)
		e = FL_CONF_OK; /* our own host file is optional */
	if (e == FL_CONF_OK)
		e = add_cmdline(out, cmdline, name);
	if (e == FL_CONF_OK)
		e = fl_conf_check(out, w, r);
	return e;
}

enum fl_conf_err fl_conf_read_host(struct fl_conf *out, const char *confbase, const char *name,
                                   struct fl_conf *cmdline, struct fl_conf_warned *w,
                                   const struct fl_conf_reporter *r)
{
	if (!fl_name_valid(name))
		return FL_CONF_ENAME;
	char path[4096];
	snprintf(path, sizeof(path), "%s/hosts/%s", confbase, name);
	enum fl_conf_err e = fl_conf_read_file(out, path, r);
	if (e == FL_CONF_OK)
		e = add_cmdline(out, cmdline, name);
	if (e == FL_CONF_OK)
		e = fl_conf_check(out, w, r);
	return e;
}

int fl_conf_each_host(const char *confbase, void (*fn)(void *ctx, const char *name), void *ctx)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/hosts", confbase);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	for (struct dirent *de; (de = readdir(d)) != NULL;) {
		if (!fl_name_valid(de->d_name))
			continue;
		fn(ctx, de->d_name);
		n++;
	}
	closedir(d);
	return n;
}
