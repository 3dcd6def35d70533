/* SPDX-License-Identifier: MIT */
/*
 * proxy.c: proxy handshakes as a state machine (proxy.h). SOCKS 4 as in
 * its 1992 memo, SOCKS 5 per RFC 1928 and RFC 1929, HTTP CONNECT per
 * RFC 9110 §9.3.6. Every reply is collected into h->buf up to the length
 * its step needs, so a reply split anywhere, even byte by byte, parses the
 * same as one read.
 */
#include "io/proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

enum {
	S4_REPLY = 1,
	S5_CHOICE,
	S5_AUTH,
	S5_HEAD,
	S5_NAMELEN,
	S5_ADDR,
	H_STATUS,
	H_HEADERS,
};

static const char *const err_text[] = {
	[FL_PROXY_DONE] = "proxy request granted",
	[FL_PROXY_MORE] = "waiting for the proxy",
	[FL_PROXY_ERR_ARG] = "request cannot be made (address family, user or password)",
	[FL_PROXY_ERR_VERSION] = "reply is not of the proxy protocol configured",
	[FL_PROXY_ERR_METHOD] = "no acceptable authentication method",
	[FL_PROXY_ERR_AUTH] = "authentication failed",
	[FL_PROXY_ERR_REJECTED] = "proxy request rejected",
	[FL_PROXY_ERR_ADDR_TYPE] = "unsupported address type in the reply",
	[FL_PROXY_ERR_HTTP_STATUS] = "proxy request rejected (HTTP status)",
	[FL_PROXY_ERR_HTTP_SYNTAX] = "malformed HTTP reply",
	[FL_PROXY_ERR_STATE] = "handshake already finished",
};

const char *fl_proxy_strerror(enum fl_proxy_err e)
{
	if ((unsigned)e < sizeof(err_text) / sizeof(err_text[0]) && err_text[e])
		return err_text[e];
	return "unknown proxy error";
}

const char *fl_proxy_type_name(enum fl_proxy_type t)
{
	static const char *const names[] = {"none", "socks4", "socks5", "http", "exec"};

	return (unsigned)t < sizeof(names) / sizeof(names[0]) ? names[t] : "?";
}

enum fl_proxy_err fl_proxy_hs_init(struct fl_proxy_hs *h, enum fl_proxy_type t, int family,
				   const uint8_t *addr, uint16_t port, const char *user,
				   const char *pass)
{
	size_t ul = user ? strlen(user) : 0, pl = pass ? strlen(pass) : 0;

	memset(h, 0, sizeof(*h));
	h->err = FL_PROXY_ERR_ARG;
	if (t != FL_PROXY_SOCKS4 && t != FL_PROXY_SOCKS5 && t != FL_PROXY_HTTP)
		return FL_PROXY_ERR_ARG;
	if ((family != AF_INET && family != AF_INET6) || (t == FL_PROXY_SOCKS4 && family != AF_INET))
		return FL_PROXY_ERR_ARG; /* SOCKS 4 knows only IPv4 */
	if (ul > FL_PROXY_CRED_MAX || pl > FL_PROXY_CRED_MAX)
		return FL_PROXY_ERR_ARG;
	h->type = t;
	h->family = family;
	memcpy(h->addr, addr, family == AF_INET ? 4 : 16);
	h->port = port;
	memcpy(h->user, user ? user : "", ul + 1);
	memcpy(h->pass, pass ? pass : "", pl + 1);
	h->err = FL_PROXY_MORE;
	return FL_PROXY_MORE;
}

/* "HOST:PORT", IPv6 in brackets (RFC 9110's authority form). */
static void hs_authority(const struct fl_proxy_hs *h, char *s, size_t n)
{
	char a[INET6_ADDRSTRLEN] = "";

	if (h->family == AF_INET)
		snprintf(a, sizeof(a), "%u.%u.%u.%u", h->addr[0], h->addr[1], h->addr[2], h->addr[3]);
	else
		inet_ntop(AF_INET6, h->addr, a, sizeof(a));
	snprintf(s, n, h->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, h->port);
}

static size_t put_port_addr(const struct fl_proxy_hs *h, uint8_t *p, bool port_first)
{
	size_t al = h->family == AF_INET ? 4 : 16;
	uint8_t port[2] = {(uint8_t)(h->port >> 8), (uint8_t)h->port};

	memcpy(p, port_first ? port : h->addr, port_first ? 2 : al);
	memcpy(p + (port_first ? 2 : al), port_first ? h->addr : port, port_first ? al : 2);
	return al + 2;
}

/* SOCKS 5 CONNECT: VER CMD RSV ATYP DST.ADDR DST.PORT. */
static size_t s5_connect(struct fl_proxy_hs *h, uint8_t *out)
{
	out[0] = 5;
	out[1] = 1;
	out[2] = 0;
	out[3] = h->family == AF_INET ? 1 : 4;
	h->step = S5_HEAD;
	h->need = 4;
	return 4 + put_port_addr(h, out + 4, false);
}

/* RFC 1929: VER ULEN UNAME PLEN PASSWD. */
static size_t s5_auth(struct fl_proxy_hs *h, uint8_t *out)
{
	size_t ul = strlen(h->user), pl = strlen(h->pass);

	out[0] = 1;
	out[1] = (uint8_t)ul;
	memcpy(out + 2, h->user, ul);
	out[2 + ul] = (uint8_t)pl;
	memcpy(out + 3 + ul, h->pass, pl);
	h->step = S5_AUTH;
	h->need = 2;
	return 3 + ul + pl;
}

static bool s5_with_auth(const struct fl_proxy_hs *h)
{
	return h->user[0] && h->pass[0];
}

enum fl_proxy_err fl_proxy_hs_start(struct fl_proxy_hs *h, uint8_t *out, size_t cap,
				    size_t *out_len)
{
	char auth[INET6_ADDRSTRLEN + 10];
	int n;

	*out_len = 0;
	if (h->err != FL_PROXY_MORE || h->step)
		return h->err == FL_PROXY_MORE ? FL_PROXY_ERR_STATE : h->err;
	if (cap < FL_PROXY_OUT_MAX)
		return FL_PROXY_ERR_ARG;
	switch (h->type) {
	case FL_PROXY_SOCKS4: /* VN CD DSTPORT DSTIP USERID NUL */
		out[0] = 4;
		out[1] = 1;
		*out_len = 2 + put_port_addr(h, out + 2, true);
		memcpy(out + *out_len, h->user, strlen(h->user) + 1);
		*out_len += strlen(h->user) + 1;
		h->step = S4_REPLY;
		h->need = 8;
		break;
	case FL_PROXY_SOCKS5: /* VER NMETHODS METHODS: one, as tinc offers */
		out[0] = 5;
		out[1] = 1;
		out[2] = s5_with_auth(h) ? 2 : 0;
		*out_len = 3;
		h->step = S5_CHOICE;
		h->need = 2;
		break;
	default: /* HTTP; tinc sends no Host line, HTTP/1.1 requires one */
		hs_authority(h, auth, sizeof(auth));
		n = snprintf((char *)out, cap, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", auth, auth);
		*out_len = (size_t)n;
		h->step = H_STATUS;
		break;
	}
	return FL_PROXY_MORE;
}

/* Copy into h->buf until it holds h->need bytes. */
static size_t take(struct fl_proxy_hs *h, const uint8_t *in, size_t len)
{
	size_t k = h->need - h->have;

	if (k > len)
		k = len;
	memcpy(h->buf + h->have, in, k);
	h->have += k;
	return k;
}

static enum fl_proxy_err fail(struct fl_proxy_hs *h, enum fl_proxy_err e)
{
	h->err = e;
	return e;
}

/* One complete SOCKS reply piece is in h->buf: check it, move on. */
static enum fl_proxy_err socks_step(struct fl_proxy_hs *h, uint8_t *out, size_t *out_len)
{
	const uint8_t *b = h->buf;

	h->have = 0;
	switch (h->step) {
	case S4_REPLY: /* VN=0 CD DSTPORT DSTIP; CD 90 = granted */
		h->code = b[1];
		if (b[0] != 0)
			return fail(h, FL_PROXY_ERR_VERSION);
		return fail(h, b[1] == 90 ? FL_PROXY_DONE : FL_PROXY_ERR_REJECTED);
	case S5_CHOICE:
		h->code = b[1];
		if (b[0] != 5)
			return fail(h, FL_PROXY_ERR_VERSION);
		if (b[1] != (s5_with_auth(h) ? 2 : 0)) /* 0xff: none acceptable */
			return fail(h, FL_PROXY_ERR_METHOD);
		*out_len = b[1] == 2 ? s5_auth(h, out) : s5_connect(h, out);
		return FL_PROXY_MORE;
	case S5_AUTH:
		h->code = b[1];
		if (b[0] != 1)
			return fail(h, FL_PROXY_ERR_VERSION);
		if (b[1] != 0)
			return fail(h, FL_PROXY_ERR_AUTH);
		*out_len = s5_connect(h, out);
		return FL_PROXY_MORE;
	case S5_HEAD: /* VER REP RSV ATYP, then BND.ADDR BND.PORT */
		h->code = b[1];
		if (b[0] != 5)
			return fail(h, FL_PROXY_ERR_VERSION);
		if (b[1] != 0)
			return fail(h, FL_PROXY_ERR_REJECTED);
		if (b[3] == 3) {
			h->step = S5_NAMELEN;
			h->need = 1;
			return FL_PROXY_MORE;
		}
		if (b[3] != 1 && b[3] != 4)
			return fail(h, FL_PROXY_ERR_ADDR_TYPE);
		h->step = S5_ADDR;
		h->need = b[3] == 1 ? 6 : 18;
		return FL_PROXY_MORE;
	case S5_NAMELEN:
		h->step = S5_ADDR;
		h->need = (size_t)b[0] + 2;
		return FL_PROXY_MORE;
	default: /* S5_ADDR: the bound address is of no use to us */
		return fail(h, FL_PROXY_DONE);
	}
}

/* The HTTP status line is in h->buf: "HTTP/1.x NNN reason". */
static enum fl_proxy_err http_status(struct fl_proxy_hs *h)
{
	const char *s = (const char *)h->buf;
	int code = 0;

	if (h->have < 12 || memcmp(s, "HTTP/1.", 7) || s[8] != ' ' ||
	    sscanf(s + 9, "%3d", &code) != 1 || code < 100)
		return fail(h, FL_PROXY_ERR_HTTP_SYNTAX);
	h->code = code;
	if (code < 200 || code > 299)
		return fail(h, FL_PROXY_ERR_HTTP_STATUS);
	h->step = H_HEADERS;
	return FL_PROXY_MORE;
}

/* HTTP: the status line, then header lines up to an empty one. Bytes are
 * taken one by one so nothing past the blank line is consumed. */
static enum fl_proxy_err http_input(struct fl_proxy_hs *h, const uint8_t *in, size_t len,
				    size_t *consumed)
{
	enum fl_proxy_err e = FL_PROXY_MORE;

	while (*consumed < len && e == FL_PROXY_MORE) {
		uint8_t c = in[(*consumed)++];

		if (++h->total > FL_PROXY_HTTP_MAX)
			return fail(h, FL_PROXY_ERR_HTTP_SYNTAX);
		if (c == '\r')
			continue;
		if (c != '\n') {
			if (h->step == H_STATUS && h->have < sizeof(h->buf) - 1)
				h->buf[h->have++] = c;
			h->line++;
			continue;
		}
		if (h->step == H_STATUS)
			e = http_status(h);
		else if (h->line == 0)
			e = fail(h, FL_PROXY_DONE);
		h->line = 0;
	}
	return e;
}

enum fl_proxy_err fl_proxy_hs_input(struct fl_proxy_hs *h, const uint8_t *in, size_t len,
				    size_t *consumed, uint8_t *out, size_t cap, size_t *out_len)
{
	enum fl_proxy_err e = FL_PROXY_MORE;

	*consumed = 0;
	*out_len = 0;
	if (h->err != FL_PROXY_MORE || !h->step)
		return FL_PROXY_ERR_STATE;
	if (cap < FL_PROXY_OUT_MAX)
		return FL_PROXY_ERR_ARG;
	if (h->type == FL_PROXY_HTTP)
		return http_input(h, in, len, consumed);
	/* One step at a time: a step's request must reach the proxy before
	 * its answer can come, so at most one request is written per call. */
	while (*consumed < len && e == FL_PROXY_MORE && !*out_len) {
		*consumed += take(h, in + *consumed, len - *consumed);
		if (h->have == h->need)
			e = socks_step(h, out, out_len);
	}
	return e;
}
