/* SPDX-License-Identifier: MIT */
/* conf_parse.c: config text -> entries (CONFIG.md §2). Pure: no I/O.
 *
 * Called by conf_read.c for every file it reads, by the -o option parser
 * (fl_conf_split_line) and by fuzz_conf. Lines are split on LF, a CR before
 * the LF is dropped, empty lines and lines starting with '#' are skipped, and
 * so is everything from a "-----BEGIN" line to a "-----END" line (PEM keys
 * embedded in host files).
 */
#include "conf/conf.h"

#include <stdio.h>
#include <string.h>

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

enum fl_conf_err fl_conf_split_line(char *line, char **var, char **value)
{
	size_t len = strlen(line);

	/* Trailing blanks belong to neither the variable nor the value. */
	while (len > 0 && is_blank(line[len - 1]))
		line[--len] = '\0';
	size_t vlen = strcspn(line, "\t =");
	char *p = line + vlen;
	p += strspn(p, "\t ");
	if (*p == '=') {
		p++;
		p += strspn(p, "\t ");
	}
	line[vlen] = '\0';
	*var = line;
	*value = p;
	if (vlen == 0 || *p == '\0')
		return FL_CONF_ENOVALUE;
	return FL_CONF_OK;
}

static void report(const struct fl_conf_reporter *r, const char *file, int line,
                   const char *what, const char *value)
{
	if (!r || !r->error)
		return;
	char msg[256];
	snprintf(msg, sizeof(msg), "%s:%d: %s: '%.64s'", file, line, what, value);
	r->error(r->ctx, msg);
}

/* Handles one line (already without LF/CR). *pem tracks an embedded key. */
static enum fl_conf_err parse_one(struct fl_conf *c, char *text, const char *file,
                                  int lineno, bool *pem, const struct fl_conf_reporter *r)
{
	if (text[0] == '\0' || text[0] == '#')
		return FL_CONF_OK;
	if (*pem) {
		if (strncmp(text, "-----END", 8) == 0)
			*pem = false;
		return FL_CONF_OK;
	}
	if (strncmp(text, "-----BEGIN", 10) == 0) {
		*pem = true;
		return FL_CONF_OK;
	}
	if (text[strspn(text, "\t ")] == '\0')
		return FL_CONF_OK; /* blanks only: nothing to set */
	char *var, *value;
	if (fl_conf_split_line(text, &var, &value) != FL_CONF_OK) {
		report(r, file, lineno, "no value for variable", var);
		return FL_CONF_ENOVALUE;
	}
	enum fl_conf_err e = fl_conf_add(c, var, value, file, lineno);
	if (e != FL_CONF_OK)
		report(r, file, lineno, fl_conf_strerror(e), var);
	return e;
}

enum fl_conf_err fl_conf_parse(struct fl_conf *c, const char *buf, size_t len,
                               const char *file, const struct fl_conf_reporter *r)
{
	char text[FL_CONF_LINE_MAX + 1];
	bool pem = false;
	int lineno = 0;
	size_t pos = 0;

	while (pos < len) {
		const char *start = buf + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		pos += n + (nl ? 1 : 0);
		lineno++;
		if (n > 0 && start[n - 1] == '\r')
			n--;
		/* A long comment or PEM line is harmless (tinc splits long lines
		 * into pieces; pieces of a comment are then read as settings). */
		if (n > FL_CONF_LINE_MAX && (start[0] == '#' || pem))
			continue;
		if (n > FL_CONF_LINE_MAX) {
			report(r, file, lineno, "line too long", "");
			return FL_CONF_ELONG;
		}
		if (memchr(start, '\0', n)) {
			report(r, file, lineno, "NUL byte in line", "");
			return FL_CONF_ENUL;
		}
		memcpy(text, start, n);
		text[n] = '\0';
		enum fl_conf_err e = parse_one(c, text, file, lineno, &pem, r);
		if (e != FL_CONF_OK)
			return e;
	}
	return FL_CONF_OK;
}
