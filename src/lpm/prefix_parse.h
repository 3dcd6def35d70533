/* SPDX-License-Identifier: MIT */
/*
 * prefix_parse.h: parser for prefix-list files (route/NODE, the offload
 * list). Pure: takes a buffer, reports through callbacks; the daemon's
 * route_files.c does the file I/O and wording of messages.
 *
 * Syntax, one entry per line:
 *   address/prefixlen   IPv4 or IPv6; host bits after prefixlen must be 0
 *   address             a host route (/32 or /128)
 *   # comment           also after an entry, separated by white space
 * Blank lines are allowed; CRLF line ends and a leading UTF-8 BOM are
 * accepted. A bad line is reported (with its line number) and skipped;
 * parsing goes on with the next line.
 */
#ifndef FL_LPM_PREFIX_PARSE_H
#define FL_LPM_PREFIX_PARSE_H

#include <stddef.h>

#include "lpm/lpm.h"

/* Longest line accepted; a longer one is an error (and skipped). */
#define FL_PREFIX_LINE_MAX 1024

enum fl_prefix_err {
	FL_PREFIX_OK = 0,
	FL_PREFIX_EADDR,     /* not an IPv4 or IPv6 address */
	FL_PREFIX_ELEN,      /* prefix length missing, not a number or too long */
	FL_PREFIX_EHOSTBITS, /* bits set after the prefix length */
	FL_PREFIX_ETRAILING, /* more text after the prefix */
	FL_PREFIX_ELONG,     /* line longer than FL_PREFIX_LINE_MAX */
	FL_PREFIX_ENUL,      /* NUL byte in the line */
};
const char *fl_prefix_strerror(enum fl_prefix_err err);

struct fl_prefix_parse_cb {
	/* One good prefix (value 0: the caller assigns it). Borrowed. */
	void (*prefix)(void *ctx, const struct fl_lpm_prefix *p, unsigned line);
	/* One bad line; text/len is the offending part (not NUL-terminated,
	 * at most FL_PREFIX_LINE_MAX bytes, may hold any byte). */
	void (*error)(void *ctx, unsigned line, enum fl_prefix_err err, const char *text,
		size_t len);
	void *ctx;
};

/* Parses buf[0..len) and returns the number of bad lines. */
size_t fl_prefix_parse(const char *buf, size_t len, const struct fl_prefix_parse_cb *cb);

/* Parses one "address[/len]" token of exactly len bytes into *out
 * (cleared first; value 0). */
enum fl_prefix_err fl_prefix_parse_one(const char *s, size_t len, struct fl_lpm_prefix *out);

/* Writes "address/len" (NUL-terminated) into buf; returns buf. 64 bytes
 * are always enough. */
char *fl_prefix_format(const struct fl_lpm_prefix *p, char *buf, size_t cap);

#endif
