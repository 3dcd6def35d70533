/* SPDX-License-Identifier: MIT */
/*
 * mesh_request.h: the text requests of tinc's meta protocol (META.md §2, §4,
 * §5) as a parsed struct, with a strict parser and a formatter.
 *
 * Callers: mesh_conn.c (every received line goes through mesh_req_parse()),
 * mesh_send.c and mesh_key.c (every line we originate is built with
 * mesh_req_format()),
 * the daemon (for logging), the fuzzer fuzz_meta_request.
 *
 * Parsing follows tinc's field counts: the minimum count a request needs is
 * enforced, tokens after the last field tinc reads are ignored (tinc uses
 * scanf), except ADD_EDGE whose 7-field form is an error. Unlike tinc we range
 * check every number and validate every name at parse time.
 */
#ifndef FL_MESH_REQUEST_H
#define FL_MESH_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mesh/mesh_subnet.h"

/* Longest request line, newline excluded (tinc's MAXBUFSIZE 2176 minus the
 * newline). Longer lines are refused by parse and by format. */
#define MESH_LINE_MAX 2175
/* Longest string token tinc reads (MAX_STRING "%2048s"). */
#define MESH_TOKEN_MAX 2048
/* Longest node name we accept (a name must also be a file name). */
#define MESH_NAME_MAX 255

/* Request numbers (META.md §4). */
enum mesh_req_type {
	MESH_REQ_ID = 0,
	MESH_REQ_METAKEY = 1,
	MESH_REQ_CHALLENGE = 2,
	MESH_REQ_CHAL_REPLY = 3,
	MESH_REQ_ACK = 4,
	MESH_REQ_STATUS = 5,
	MESH_REQ_ERROR = 6,
	MESH_REQ_TERMREQ = 7,
	MESH_REQ_PING = 8,
	MESH_REQ_PONG = 9,
	MESH_REQ_ADD_SUBNET = 10,
	MESH_REQ_DEL_SUBNET = 11,
	MESH_REQ_ADD_EDGE = 12,
	MESH_REQ_DEL_EDGE = 13,
	MESH_REQ_KEY_CHANGED = 14,
	MESH_REQ_REQ_KEY = 15,
	MESH_REQ_ANS_KEY = 16,
	MESH_REQ_PACKET = 17,
	MESH_REQ_CONTROL = 18,
	MESH_REQ_REQ_PUBKEY = 19,
	MESH_REQ_ANS_PUBKEY = 20,
	MESH_REQ_SPTPS_PACKET = 21,
	MESH_REQ_UDP_INFO = 22,
	MESH_REQ_MTU_INFO = 23,
	MESH_REQ_LAST = 24,
};

/* REQ_KEY sub-codes (META.md §5.15). */
enum mesh_reqkey_sub {
	MESH_REQKEY_PLAIN = 0,
	MESH_REQKEY_SPTPS_START = 15,
	MESH_REQKEY_REQ_PUBKEY = 19,
	MESH_REQKEY_ANS_PUBKEY = 20,
	MESH_REQKEY_SPTPS_PACKET = 21,
};

/* Why a line was refused. Every one of these closes the meta connection
 * (META.md §9). */
enum mesh_req_err {
	MESH_REQ_OK = 0,
	MESH_REQ_E_EMPTY,	/* empty line */
	MESH_REQ_E_TOO_LONG,	/* line or token over the caps above */
	MESH_REQ_E_BAD_CHAR,	/* NUL or control byte in the line */
	MESH_REQ_E_NUMBER,	/* request number not a decimal in 0..23 */
	MESH_REQ_E_NO_HANDLER,	/* 5, 6, 19, 20: tinc has no handler */
	MESH_REQ_E_LEGACY,	/* METAKEY/CHALLENGE/CHAL_REPLY: legacy only */
	MESH_REQ_E_FIELDS,	/* too few (or, ADD_EDGE, 7) fields */
	MESH_REQ_E_NAME,	/* a node name breaks the name rule */
	MESH_REQ_E_INT,		/* a number is not a number or out of range */
	MESH_REQ_E_NONCE,	/* nonce is not 1..8 hex digits */
	MESH_REQ_E_SUBNET,	/* subnet text invalid (GRAPH.md §5.1) */
	MESH_REQ_E_SAME,	/* FROM == TO in an edge */
	MESH_REQ_E_MTU,		/* MTU_INFO with MTU < 512 */
	MESH_REQ_E_LENGTH,	/* negative PACKET/SPTPS_PACKET length, or < 12 */
	MESH_REQ_E_FORMAT,	/* format: a field cannot be printed / too long */
	MESH_REQ_E_PORT,	/* a port is not a decimal in 1..65535 */
};

const char *mesh_req_strerror(enum mesh_req_err e);

/* A port token from the wire or from our own tables: plain decimal digits
 * (no sign, blanks or leading zero) in 1..65535. Returns false otherwise,
 * so no caller needs atoi(). */
bool mesh_port_parse(const char *t, uint16_t *out);
const char *mesh_req_name(int type);	/* "ADD_EDGE", or "UNKNOWN" */

/*
 * A parsed request. String fields point into .buf (a private copy of the
 * line) or, when the struct is filled in by hand for formatting, anywhere
 * the caller likes. Absent optional strings are NULL.
 */
struct mesh_req {
	enum mesh_req_type type;
	uint32_t nonce;		/* flooded requests (10..14) */
	union {
		struct { const char *name; int major, minor; } id;
		struct { const char *port; int32_t weight; uint32_t options; } ack;
		/* ADD_SUBNET / DEL_SUBNET; .text is the subnet token as received */
		struct { const char *owner, *text; struct mesh_subnet subnet; } subnet;
		/* ADD_EDGE; laddr/lport NULL in the 6-field form */
		struct {
			const char *from, *to, *addr, *port;
			uint32_t options;
			int32_t weight;
			const char *laddr, *lport;
		} edge;
		struct { const char *from, *to; } del_edge;
		struct { const char *name; } key_changed;
		/* REQ_KEY: has_sub false = plain (2 fields); payload NULL if absent */
		struct {
			const char *from, *to;
			bool has_sub;
			int32_t sub;
			const char *payload;
		} req_key;
		/* ANS_KEY; addr/port NULL unless appended by a relay */
		struct {
			const char *from, *to, *key;
			int32_t cipher, digest;
			int64_t maclen;
			int32_t compression;
			const char *addr, *port;
		} ans_key;
		struct { int32_t length; } packet;	/* PACKET and SPTPS_PACKET */
		struct { const char *from, *to, *addr, *port; } udp_info;
		struct { const char *from, *to; int32_t mtu; } mtu_info;
	};
	char buf[MESH_LINE_MAX + 1];
};

/* Node name rule (CONFIG.md §1.3): [A-Za-z0-9_]+, at most MESH_NAME_MAX. */
bool mesh_name_valid(const char *name);

/*
 * Parse one request line of len bytes (no trailing newline; a single
 * trailing '\n' is tolerated and stripped). Clears *req first. Returns
 * MESH_REQ_OK or why the line must close the connection.
 */
enum mesh_req_err mesh_req_parse(struct mesh_req *req, const char *line,
				 size_t len);

/*
 * Print a request as tinc would (single spaces, hex in lower case, no
 * newline) into buf of cap bytes, NUL-terminated. Returns the length, or -1
 * if it does not fit in cap or MESH_LINE_MAX, or a field is missing.
 */
int mesh_req_format(const struct mesh_req *req, char *buf, size_t cap);

#endif
