/* SPDX-License-Identifier: MIT */
/*
 * prefix_parse.c: the prefix-list parser (prefix_parse.h). Called by the
 * daemon's route_files.c and by fuzz/lpm/fuzz_prefix_parse. Pure: only the
 * bytes given are read; libc's inet_pton/inet_ntop do no I/O.
 */
#include "lpm/prefix_parse.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A decimal number 0..max of 1-3 digits, no leading zero; -1 if not. */
static int parse_small(const char *s, size_t len, int max)
{
	int v = 0;
	if (len == 0 || len > 3 || (len > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v <= max ? v : -1;
}

/* Strict dotted quad: four decimal parts, no leading zeros (so 010 is
 * never mistaken for octal). */
static int parse_ipv4(const char *s, size_t len, uint8_t out[4])
{
	size_t start = 0;
	for (int part = 0; part < 4; part++) {
		size_t end = start;
		while (end < len && s[end] != '.')
			end++;
		if ((part < 3) != (end < len))
			return -1;
		int v = parse_small(s + start, end - start, 255);
		if (v < 0)
			return -1;
		out[part] = (uint8_t)v;
		start = end + 1;
	}
	return 0;
}

static int parse_ipv6(const char *s, size_t len, uint8_t out[16])
{
	char buf[INET6_ADDRSTRLEN];
	if (len == 0 || len >= sizeof(buf) || memchr(s, 0, len))
		return -1;
	memcpy(buf, s, len);
	buf[len] = 0;
	return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -1;
}

enum fl_prefix_err fl_prefix_parse_one(const char *s, size_t len, struct fl_lpm_prefix *out)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	memset(out, 0, sizeof(*out));
	if (memchr(s, 0, len))
		return FL_PREFIX_ENUL;
	if (memchr(s, ':', alen)) {
		out->family = 6;
		if (parse_ipv6(s, alen, out->addr))
			return FL_PREFIX_EADDR;
	} else {
		out->family = 4;
		if (parse_ipv4(s, alen, out->addr))
			return FL_PREFIX_EADDR;
	}
	unsigned width = out->family == 4 ? 32 : 128;
	int plen = (int)width;
	if (slash) {
		plen = parse_small(slash + 1, len - alen - 1, (int)width);
		if (plen < 0)
			return FL_PREFIX_ELEN;
	}
	out->len = (uint8_t)plen;
	for (unsigned i = 0; i < width / 8; i++) {
		unsigned keep = out->len > i * 8 ? out->len - i * 8 : 0;
		uint8_t mask = keep >= 8 ? 0xff : (uint8_t)(0xff00 >> keep);
		if (out->addr[i] & ~mask)
			return FL_PREFIX_EHOSTBITS;
	}
	return FL_PREFIX_OK;
}

/* One line without its end; reports it through cb. Returns 1 if bad. */
static int parse_line(const char *s, size_t len, unsigned line, const struct fl_prefix_parse_cb *cb)
{
	struct fl_lpm_prefix p;
	enum fl_prefix_err err;
	size_t a = 0, b, c;

	if (len > FL_PREFIX_LINE_MAX) {
		err = FL_PREFIX_ELONG;
		c = FL_PREFIX_LINE_MAX;
		goto bad;
	}
	while (a < len && is_space(s[a]))
		a++;
	if (a == len || s[a] == '#')
		return 0;
	for (b = a; b < len && !is_space(s[b]) && s[b] != '#'; b++)
		;
	for (c = b; c < len && is_space(s[c]); c++)
		;
	if (c < len && s[c] != '#') { /* more than one word: quote the entry */
		err = memchr(s, 0, len) ? FL_PREFIX_ENUL : FL_PREFIX_ETRAILING;
		while (c < len && s[c] != '#')
			c++;
		while (c > a && is_space(s[c - 1]))
			c--;
		goto bad;
	}
	if (c < len && c == b) { /* '#' glued to the entry, as in 10.0.0.0/8#5 */
		err = FL_PREFIX_ETRAILING;
		c = len;
		goto bad;
	}
	err = fl_prefix_parse_one(s + a, b - a, &p);
	c = b;
	if (err != FL_PREFIX_OK)
		goto bad;
	if (cb->prefix)
		cb->prefix(cb->ctx, &p, line);
	return 0;
bad:
	if (cb->error)
		cb->error(cb->ctx, line, err, s + a, c - a);
	return 1;
}

size_t fl_prefix_parse(const char *buf, size_t len, const struct fl_prefix_parse_cb *cb)
{
	size_t bad = 0, pos = 0;
	unsigned line = 0;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		pos = 3;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - buf) : len;
		if (line < UINT32_MAX)
			line++;
		bad += (size_t)parse_line(buf + pos, end - pos, line, cb);
		pos = nl ? end + 1 : len;
	}
	return bad;
}

char *fl_prefix_format(const struct fl_lpm_prefix *p, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	if (!inet_ntop(p->family == 4 ? AF_INET : AF_INET6, p->addr, a, sizeof(a)))
		a[0] = 0;
	snprintf(buf, cap, "%s/%u", a, p->len);
	return buf;
}

const char *fl_prefix_strerror(enum fl_prefix_err err)
{
	switch (err) {
	case FL_PREFIX_OK: return "success";
	case FL_PREFIX_EADDR: return "not an IPv4 or IPv6 address";
	case FL_PREFIX_ELEN: return "prefix length is not a number in range";
	case FL_PREFIX_EHOSTBITS: return "host bits set after the prefix length";
	case FL_PREFIX_ETRAILING: return "text after the prefix";
	case FL_PREFIX_ELONG: return "line too long";
	case FL_PREFIX_ENUL: return "NUL byte in line";
	}
	return "unknown error";
}
