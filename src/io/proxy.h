/* SPDX-License-Identifier: MIT */
/*
 * proxy.h: the client side of a proxy handshake (tinc's Proxy variable:
 * SOCKS 4, SOCKS 5 with optional username/password, HTTP CONNECT), as a
 * pure state machine over buffers. The daemon connects to the proxy, sends
 * what fl_proxy_hs_start() wrote, then hands every byte it reads to
 * fl_proxy_hs_input() until it says DONE (the proxy now relays to the
 * peer) or fails. The machine consumes exactly the proxy's replies, so any
 * byte after them belongs to the peer and is left to the caller.
 *
 * Unlike tincd, which sends its whole SOCKS 5 request (greeting,
 * credentials, CONNECT) at once and its ID line right behind it, each step
 * here waits for the proxy's answer to the previous one: a proxy that
 * reads only what it expects (RFC 1928 does not promise more) still works.
 * No I/O, no clock.
 */
#ifndef FL_IO_PROXY_H
#define FL_IO_PROXY_H

#include <stddef.h>
#include <stdint.h>

enum fl_proxy_type {
	FL_PROXY_NONE = 0,
	FL_PROXY_SOCKS4,
	FL_PROXY_SOCKS5,
	FL_PROXY_HTTP,
	FL_PROXY_EXEC, /* no handshake: a command's stdin/stdout */
};

enum fl_proxy_err {
	FL_PROXY_DONE = 0,	  /* granted: the stream now reaches the peer */
	FL_PROXY_MORE,		  /* need more bytes from the proxy */
	FL_PROXY_ERR_ARG,	  /* bad request: family, user or password too long */
	FL_PROXY_ERR_VERSION,	  /* the reply is not of the protocol asked for */
	FL_PROXY_ERR_METHOD,	  /* SOCKS 5: no acceptable authentication method */
	FL_PROXY_ERR_AUTH,	  /* SOCKS 5: username/password refused */
	FL_PROXY_ERR_REJECTED,	  /* the proxy refused to connect to the peer */
	FL_PROXY_ERR_ADDR_TYPE,	  /* SOCKS 5: unknown address type in the reply */
	FL_PROXY_ERR_HTTP_STATUS, /* HTTP: a status other than 2xx */
	FL_PROXY_ERR_HTTP_SYNTAX, /* HTTP: not a status line, or headers too long */
	FL_PROXY_ERR_STATE,	  /* input after DONE or an error */
};

/* Longest request fl_proxy_hs_start/_input may write (SOCKS 5
 * credentials: 3 + 255 + 255; HTTP: two IPv6 host:port strings). */
#define FL_PROXY_OUT_MAX 600
/* SOCKS user name and password: at most 255 bytes each (RFC 1929). */
#define FL_PROXY_CRED_MAX 255
/* HTTP: the proxy's whole reply header may not exceed this. */
#define FL_PROXY_HTTP_MAX 8192

struct fl_proxy_hs {
	enum fl_proxy_type type;
	int step;
	int family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];	/* peer address, network order */
	uint16_t port;		/* peer port, host order */
	char user[FL_PROXY_CRED_MAX + 1], pass[FL_PROXY_CRED_MAX + 1];
	uint8_t buf[262];	/* the reply being collected */
	size_t have, need;
	size_t total;		/* HTTP: header bytes so far */
	size_t line;		/* HTTP: bytes in the current line (no CR) */
	int code;		/* the proxy's status code, for the log */
	enum fl_proxy_err err;	/* sticky once failed or done */
};

/* Prepare a handshake to reach family/addr/port (addr in network order:
 * 4 or 16 bytes) through a proxy of type t. user/pass may be NULL or "";
 * SOCKS 5 authenticates only when both are given, SOCKS 4 sends user as
 * its user id. FL_PROXY_MORE on success, FL_PROXY_ERR_ARG otherwise. */
enum fl_proxy_err fl_proxy_hs_init(struct fl_proxy_hs *h, enum fl_proxy_type t, int family,
				   const uint8_t *addr, uint16_t port, const char *user,
				   const char *pass);

/* The first request, written to out (cap >= FL_PROXY_OUT_MAX).
 * FL_PROXY_MORE with *out_len set, or an error. */
enum fl_proxy_err fl_proxy_hs_start(struct fl_proxy_hs *h, uint8_t *out, size_t cap,
				    size_t *out_len);

/* Bytes from the proxy. *consumed says how many were the proxy's; the
 * request for the next step, if any, is written to out (*out_len, 0 if
 * none). Returns MORE, DONE, or an error (sticky). */
enum fl_proxy_err fl_proxy_hs_input(struct fl_proxy_hs *h, const uint8_t *in, size_t len,
				    size_t *consumed, uint8_t *out, size_t cap,
				    size_t *out_len);

const char *fl_proxy_strerror(enum fl_proxy_err e);
const char *fl_proxy_type_name(enum fl_proxy_type t);

#endif
