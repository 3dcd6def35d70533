/* SPDX-License-Identifier: MIT */
/* conf.h: tinc-style configuration entries (CONFIG.md §2).
 *
 * A configuration is a flat list of (variable, value, file, line) entries.
 * conf_parse.c turns config text into entries (pure, no I/O); conf_list.c
 * sorts and looks them up in tinc's order; conf_read.c reads tinc.conf,
 * conf.d/ and hosts/NAME from disk; conf_vars.c knows every variable's type
 * and checks values; conf_settings.c resolves typed settings with tinc's
 * defaults. The daemon owns one struct fl_conf per tree (server, each host)
 * and rebuilds fresh ones on reload.
 */
#ifndef FL_CONF_H
#define FL_CONF_H

#include <stdbool.h>
#include <stddef.h>

/* tinc reads lines with a 2049-byte buffer: longer lines are an error. */
#define FL_CONF_LINE_MAX 2048

enum fl_conf_err {
	FL_CONF_OK = 0,
	FL_CONF_ENOVALUE,     /* variable without value */
	FL_CONF_ELONG,        /* line longer than FL_CONF_LINE_MAX */
	FL_CONF_ENUL,         /* NUL byte inside a line */
	FL_CONF_ENOMEM,
	FL_CONF_EIO,          /* file could not be read */
	FL_CONF_EVALUE,       /* a value does not fit its variable's type */
	FL_CONF_EOPTION,      /* -o text without '=' or value */
	FL_CONF_ENAME,        /* invalid node name */
};

const char *fl_conf_strerror(enum fl_conf_err e);

struct fl_conf_entry {
	char *var;    /* as written (lookups are case-insensitive) */
	char *value;  /* never empty */
	char *file;   /* NULL for command-line (-o) entries */
	int line;     /* line number; for -o entries the option's index */
};

struct fl_conf {
	struct fl_conf_entry *v;
	size_t n, cap;
	bool sorted;
};

/* Where parse/read errors go: one message per call, already formatted as
 * "FILE:LINE: what: 'value'". ctx is the caller's. May be NULL (silent). */
typedef void fl_conf_report_fn(void *ctx, const char *msg);

struct fl_conf_reporter {
	fl_conf_report_fn *error;
	fl_conf_report_fn *warning;
	void *ctx;
};

void fl_conf_init(struct fl_conf *c);
void fl_conf_free(struct fl_conf *c);

/* Adds a copy of (var, value, file, line). file NULL = command line. */
enum fl_conf_err fl_conf_add(struct fl_conf *c, const char *var, const char *value,
                             const char *file, int line);

/* Parses config text (buf, len) named `file` into c. Stops at the first bad
 * line (tinc treats the rest of that file as failed), reporting
 * "FILE:LINE: reason". On error the entries added before the bad line stay
 * in c; callers that need all-or-nothing parse into a scratch list. */
enum fl_conf_err fl_conf_parse(struct fl_conf *c, const char *buf, size_t len,
                               const char *file, const struct fl_conf_reporter *r);

/* Parses one "VAR=VALUE" / "VAR VALUE" line (no newline) into var/value
 * spans of line. Used for -o options. Returns FL_CONF_ENOVALUE if empty. */
enum fl_conf_err fl_conf_split_line(char *line, char **var, char **value);

/* Lookup in tinc's order: -o entries first, then ascending line number
 * (across files), then file name. first() returns NULL when absent. */
const struct fl_conf_entry *fl_conf_first(struct fl_conf *c, const char *var);
const struct fl_conf_entry *fl_conf_next(struct fl_conf *c, const struct fl_conf_entry *e);
size_t fl_conf_count(struct fl_conf *c, const char *var);

/* Moves all entries of src into dst (src is left empty). */
enum fl_conf_err fl_conf_merge(struct fl_conf *dst, struct fl_conf *src);

/* "where" text for messages: "FILE:LINE" or "command line option N". */
void fl_conf_where(const struct fl_conf_entry *e, char *out, size_t outlen);

/* Sends "WHERE: VAR: MESSAGE: 'VALUE'" about entry e to r's error callback
 * (if any), the one shape of a bad value's message. Returns -1, so that
 * parsers can `return fl_conf_report(r, e, ...)`. */
__attribute__((format(printf, 3, 4)))
int fl_conf_report(const struct fl_conf_reporter *r, const struct fl_conf_entry *e,
		   const char *fmt, ...);

#endif
