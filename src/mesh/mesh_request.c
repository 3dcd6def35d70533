/* SPDX-License-Identifier: MIT */
/*
 * mesh_request.c: parse and print the meta protocol's request lines
 * (META.md §2.1, §4, §5). Pure: no state besides the struct it fills.
 *
 * Called by mesh_conn.c for every line received, by mesh_send.c and
 * mesh_key.c for every line sent, and by the fuzzer. The parser splits the line into space-separated tokens (a private
 * copy in req->buf), then reads each request's fields with strict checks.
 */
#include "mesh/mesh_request.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define MAX_TOKENS 16

static const char *const req_names[MESH_REQ_LAST] = {
	"ID", "METAKEY", "CHALLENGE", "CHAL_REPLY", "ACK", "STATUS", "ERROR",
	"TERMREQ", "PING", "PONG", "ADD_SUBNET", "DEL_SUBNET", "ADD_EDGE",
	"DEL_EDGE", "KEY_CHANGED", "REQ_KEY", "ANS_KEY", "PACKET", "CONTROL",
	"REQ_PUBKEY", "ANS_PUBKEY", "SPTPS_PACKET", "UDP_INFO", "MTU_INFO",
};

const char *mesh_req_name(int type)
{
	if (type < 0 || type >= MESH_REQ_LAST)
		return "UNKNOWN";
	return req_names[type];
}

const char *mesh_req_strerror(enum mesh_req_err e)
{
	switch (e) {
	case MESH_REQ_OK: return "ok";
	case MESH_REQ_E_EMPTY: return "empty request";
	case MESH_REQ_E_TOO_LONG: return "request or field too long";
	case MESH_REQ_E_BAD_CHAR: return "control character in request";
	case MESH_REQ_E_NUMBER: return "unknown request number";
	case MESH_REQ_E_NO_HANDLER: return "request has no handler";
	case MESH_REQ_E_LEGACY: return "legacy protocol request";
	case MESH_REQ_E_FIELDS: return "wrong number of fields";
	case MESH_REQ_E_NAME: return "invalid node name";
	case MESH_REQ_E_INT: return "invalid number";
	case MESH_REQ_E_NONCE: return "invalid nonce";
	case MESH_REQ_E_SUBNET: return "invalid subnet";
	case MESH_REQ_E_SAME: return "edge from a node to itself";
	case MESH_REQ_E_MTU: return "MTU below 512";
	case MESH_REQ_E_LENGTH: return "invalid packet length";
	case MESH_REQ_E_FORMAT: return "cannot format request";
	case MESH_REQ_E_PORT: return "invalid port (not 1-65535)";
	}
	return "unknown error";
}

bool mesh_name_valid(const char *name)
{
	size_t n = 0;

	if (!name || !*name)
		return false;
	for (const char *p = name; *p; p++, n++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_';
		if (!ok || n >= MESH_NAME_MAX)
			return false;
	}
	return true;
}

/* Decimal with optional sign, whole token, within [min, max]. */
static bool parse_int(const char *t, int64_t min, int64_t max, int64_t *out)
{
	bool neg = false;
	int64_t v = 0;

	if (*t == '-' || *t == '+')
		neg = (*t++ == '-');
	if (!*t)
		return false;
	for (; *t; t++) {
		if (*t < '0' || *t > '9')
			return false;
		v = v * 10 + (*t - '0');
		if (v > (int64_t)INT32_MAX + 1)
			return false;	/* caps below never exceed 32 bits */
	}
	v = neg ? -v : v;
	if (v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_i32(const char *t, int32_t *out)
{
	int64_t v;

	if (!parse_int(t, INT32_MIN, INT32_MAX, &v))
		return false;
	*out = (int32_t)v;
	return true;
}

bool mesh_port_parse(const char *t, uint16_t *out)
{
	uint32_t v = 0;
	size_t i;

	if (!t || t[0] < '1' || t[0] > '9')
		return false;
	for (i = 0; t[i]; i++) {
		if (i == 5 || t[i] < '0' || t[i] > '9')
			return false;
		v = v * 10 + (uint32_t)(t[i] - '0');
	}
	if (v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

/* An address/port pair as tinc prints it: a real port, or tinc's
 * "unspec unspec" for an edge whose address it does not know
 * (sockaddr2str of AF_UNSPEC), which we must keep relaying. */
static bool port_ok(const char *addr, const char *port)
{
	uint16_t p;

	if (!strcmp(port, "unspec"))
		return !strcmp(addr, "unspec");
	return mesh_port_parse(port, &p);
}

/* Hex (any case), whole token, value must fit in 32 bits. */
static bool parse_hex32(const char *t, uint32_t *out)
{
	uint64_t v = 0;

	if (!*t)
		return false;
	for (; *t; t++) {
		int d;

		if (*t >= '0' && *t <= '9')
			d = *t - '0';
		else if (*t >= 'a' && *t <= 'f')
			d = *t - 'a' + 10;
		else if (*t >= 'A' && *t <= 'F')
			d = *t - 'A' + 10;
		else
			return false;
		v = (v << 4) | (uint64_t)d;
		if (v > UINT32_MAX)
			return false;
	}
	*out = (uint32_t)v;
	return true;
}

/* Copy the line into req->buf and split it at spaces. */
static enum mesh_req_err tokenize(struct mesh_req *req, const char *line,
				  size_t len, char **tok, size_t *ntok)
{
	size_t n = 0;
	char *p;

	if (len > 0 && line[len - 1] == '\n')
		len--;
	if (len == 0)
		return MESH_REQ_E_EMPTY;
	if (len > MESH_LINE_MAX)
		return MESH_REQ_E_TOO_LONG;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c == 0x7f)
			return MESH_REQ_E_BAD_CHAR;
	}
	memcpy(req->buf, line, len);
	req->buf[len] = '\0';
	p = req->buf;
	while (*p) {
		while (*p == ' ')
			*p++ = '\0';
		if (!*p)
			break;
		if (n == MAX_TOKENS)
			break;	/* tinc ignores what it does not scan */
		tok[n++] = p;
		while (*p && *p != ' ')
			p++;
		if ((size_t)(p - tok[n - 1]) > MESH_TOKEN_MAX)
			return MESH_REQ_E_TOO_LONG;
	}
	*ntok = n;
	return n ? MESH_REQ_OK : MESH_REQ_E_EMPTY;
}

static bool names_ok(const char *a, const char *b)
{
	return mesh_name_valid(a) && (!b || mesh_name_valid(b));
}

/* "17.7", "17" (minor 0) or "17." (minor 0), as tinc's "%2d.%3d". */
static enum mesh_req_err parse_id(struct mesh_req *r, char **t, size_t n)
{
	const char *name;
	char *dot;
	int64_t v;

	if (n < 2)
		return MESH_REQ_E_FIELDS;
	name = t[0];
	/* '^' (control) and '?' (invitation) are recognised by the caller. */
	if (!mesh_name_valid(name[0] == '^' || name[0] == '?' ? name + 1 : name))
		return MESH_REQ_E_NAME;
	r->id.name = name;
	dot = strchr(t[1], '.');
	if (dot)
		*dot = '\0';
	if (strlen(t[1]) > 2 || !parse_int(t[1], 0, 99, &v))
		return MESH_REQ_E_INT;
	r->id.major = (int)v;
	r->id.minor = 0;
	if (dot && dot[1]) {
		if (strlen(dot + 1) > 3 || !parse_int(dot + 1, 0, 999, &v))
			return MESH_REQ_E_INT;
		r->id.minor = (int)v;
	}
	return MESH_REQ_OK;
}

static enum mesh_req_err parse_ack(struct mesh_req *r, char **t, size_t n)
{
	if (n < 3)
		return MESH_REQ_E_FIELDS;
	r->ack.port = t[0];
	if (!port_ok("", t[0]))
		return MESH_REQ_E_PORT;
	if (!parse_i32(t[1], &r->ack.weight) ||
	    !parse_hex32(t[2], &r->ack.options))
		return MESH_REQ_E_INT;
	return MESH_REQ_OK;
}

static enum mesh_req_err parse_subnet(struct mesh_req *r, char **t, size_t n)
{
	if (n < 2)
		return MESH_REQ_E_FIELDS;
	if (!mesh_name_valid(t[0]))
		return MESH_REQ_E_NAME;
	r->subnet.owner = t[0];
	r->subnet.text = t[1];
	if (mesh_subnet_parse(&r->subnet.subnet, t[1], strlen(t[1])))
		return MESH_REQ_E_SUBNET;
	return MESH_REQ_OK;
}

static enum mesh_req_err parse_add_edge(struct mesh_req *r, char **t, size_t n)
{
	if (n < 6 || n == 7)
		return MESH_REQ_E_FIELDS;
	if (!names_ok(t[0], t[1]))
		return MESH_REQ_E_NAME;
	if (!strcmp(t[0], t[1]))
		return MESH_REQ_E_SAME;
	r->edge.from = t[0];
	r->edge.to = t[1];
	r->edge.addr = t[2];
	r->edge.port = t[3];
	if (!parse_hex32(t[4], &r->edge.options) ||
	    !parse_i32(t[5], &r->edge.weight))
		return MESH_REQ_E_INT;
	if (!port_ok(t[2], t[3]))
		return MESH_REQ_E_PORT;
	if (n >= 8) {
		r->edge.laddr = t[6];
		r->edge.lport = t[7];
		if (!port_ok(t[6], t[7]))
			return MESH_REQ_E_PORT;
	}
	return MESH_REQ_OK;
}

static enum mesh_req_err parse_del_edge(struct mesh_req *r, char **t, size_t n)
{
	if (n < 2)
		return MESH_REQ_E_FIELDS;
	if (!names_ok(t[0], t[1]))
		return MESH_REQ_E_NAME;
	if (!strcmp(t[0], t[1]))
		return MESH_REQ_E_SAME;
	r->del_edge.from = t[0];
	r->del_edge.to = t[1];
	return MESH_REQ_OK;
}

static enum mesh_req_err parse_req_key(struct mesh_req *r, char **t, size_t n)
{
	if (n < 2)
		return MESH_REQ_E_FIELDS;
	if (!names_ok(t[0], t[1]))
		return MESH_REQ_E_NAME;
	r->req_key.from = t[0];
	r->req_key.to = t[1];
	if (n >= 3) {
		r->req_key.has_sub = true;
		if (!parse_i32(t[2], &r->req_key.sub))
			return MESH_REQ_E_INT;
	}
	if (n >= 4)
		r->req_key.payload = t[3];
	return MESH_REQ_OK;
}

static enum mesh_req_err parse_ans_key(struct mesh_req *r, char **t, size_t n)
{
	int64_t v;

	if (n < 7)
		return MESH_REQ_E_FIELDS;
	if (!names_ok(t[0], t[1]))
		return MESH_REQ_E_NAME;
	r->ans_key.from = t[0];
	r->ans_key.to = t[1];
	r->ans_key.key = t[2];
	if (!parse_i32(t[3], &r->ans_key.cipher) ||
	    !parse_i32(t[4], &r->ans_key.digest) ||
	    !parse_int(t[5], -1, INT32_MAX, &v) ||
	    !parse_i32(t[6], &r->ans_key.compression))
		return MESH_REQ_E_INT;
	r->ans_key.maclen = v;
	if (n >= 9) {
		r->ans_key.addr = t[7];
		r->ans_key.port = t[8];
		if (!port_ok(t[7], t[8]))
			return MESH_REQ_E_PORT;
	}
	return MESH_REQ_OK;
}

static enum mesh_req_err parse_length(struct mesh_req *r, char **t, size_t n)
{
	int64_t v;

	if (n < 1)
		return MESH_REQ_E_FIELDS;
	if (!parse_int(t[0], INT16_MIN, INT16_MAX, &v))
		return MESH_REQ_E_INT;
	if (v < 0 || (r->type == MESH_REQ_SPTPS_PACKET && v < 12))
		return MESH_REQ_E_LENGTH;
	r->packet.length = (int32_t)v;
	return MESH_REQ_OK;
}

static enum mesh_req_err parse_udp_info(struct mesh_req *r, char **t, size_t n)
{
	if (n < 4)
		return MESH_REQ_E_FIELDS;
	if (!names_ok(t[0], t[1]))
		return MESH_REQ_E_NAME;
	r->udp_info.from = t[0];
	r->udp_info.to = t[1];
	r->udp_info.addr = t[2];
	r->udp_info.port = t[3];
	if (!port_ok(t[2], t[3]))
		return MESH_REQ_E_PORT;
	return MESH_REQ_OK;
}

static enum mesh_req_err parse_mtu_info(struct mesh_req *r, char **t, size_t n)
{
	if (n < 3)
		return MESH_REQ_E_FIELDS;
	if (!parse_i32(t[2], &r->mtu_info.mtu))
		return MESH_REQ_E_INT;
	if (r->mtu_info.mtu < 512)
		return MESH_REQ_E_MTU;
	if (!names_ok(t[0], t[1]))
		return MESH_REQ_E_NAME;
	r->mtu_info.from = t[0];
	r->mtu_info.to = t[1];
	return MESH_REQ_OK;
}

/* Flooded requests: the nonce, then the type's own fields. */
static enum mesh_req_err parse_flooded(struct mesh_req *r, char **t, size_t n)
{
	if (n < 1)
		return MESH_REQ_E_FIELDS;
	if (strlen(t[0]) > 8 || !parse_hex32(t[0], &r->nonce))
		return MESH_REQ_E_NONCE;
	t++, n--;
	switch (r->type) {
	case MESH_REQ_ADD_SUBNET:
	case MESH_REQ_DEL_SUBNET:
		return parse_subnet(r, t, n);
	case MESH_REQ_ADD_EDGE:
		return parse_add_edge(r, t, n);
	case MESH_REQ_DEL_EDGE:
		return parse_del_edge(r, t, n);
	default:	/* KEY_CHANGED: tinc does not check this name */
		if (n < 1)
			return MESH_REQ_E_FIELDS;
		r->key_changed.name = t[0];
		return MESH_REQ_OK;
	}
}

static enum mesh_req_err parse_fields(struct mesh_req *r, char **t, size_t n)
{
	switch (r->type) {
	case MESH_REQ_ID: return parse_id(r, t, n);
	case MESH_REQ_ACK: return parse_ack(r, t, n);
	case MESH_REQ_TERMREQ:
	case MESH_REQ_PING:
	case MESH_REQ_PONG:
	case MESH_REQ_CONTROL:
		return MESH_REQ_OK;
	case MESH_REQ_REQ_KEY: return parse_req_key(r, t, n);
	case MESH_REQ_ANS_KEY: return parse_ans_key(r, t, n);
	case MESH_REQ_PACKET:
	case MESH_REQ_SPTPS_PACKET:
		return parse_length(r, t, n);
	case MESH_REQ_UDP_INFO: return parse_udp_info(r, t, n);
	case MESH_REQ_MTU_INFO: return parse_mtu_info(r, t, n);
	case MESH_REQ_METAKEY:
	case MESH_REQ_CHALLENGE:
	case MESH_REQ_CHAL_REPLY:
		return MESH_REQ_E_LEGACY;
	case MESH_REQ_STATUS:
	case MESH_REQ_ERROR:
	case MESH_REQ_REQ_PUBKEY:
	case MESH_REQ_ANS_PUBKEY:
		return MESH_REQ_E_NO_HANDLER;
	default:
		return parse_flooded(r, t, n);
	}
}

enum mesh_req_err mesh_req_parse(struct mesh_req *req, const char *line,
				 size_t len)
{
	char *tok[MAX_TOKENS];
	size_t n = 0;
	int64_t type;
	enum mesh_req_err e;

	memset(req, 0, sizeof(*req) - sizeof(req->buf));
	req->buf[0] = '\0';
	e = tokenize(req, line, len, tok, &n);
	if (e)
		return e;
	if (tok[0] != req->buf || strlen(tok[0]) > 2 ||
	    !(tok[0][0] >= '0' && tok[0][0] <= '9') ||
	    !parse_int(tok[0], 0, MESH_REQ_LAST - 1, &type))
		return MESH_REQ_E_NUMBER;
	req->type = (enum mesh_req_type)type;
	return parse_fields(req, tok + 1, n - 1);
}

/* ---- formatting ------------------------------------------------------- */

/* A token we print must come back as one token. */
static bool tok_ok(const char *s)
{
	size_t n = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++, n++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f || n >= MESH_TOKEN_MAX)
			return false;
	return true;
}

static int fmt_subnet(const struct mesh_req *r, char *buf, size_t cap)
{
	char sub[MESH_SUBNET_TEXT_MAX];

	if (!tok_ok(r->subnet.owner) ||
	    mesh_subnet_format(&r->subnet.subnet, sub, sizeof(sub), true) < 0)
		return -1;
	return snprintf(buf, cap, "%d %x %s %s", r->type, r->nonce,
			r->subnet.owner, sub);
}

static int fmt_edge(const struct mesh_req *r, char *buf, size_t cap)
{
	const __typeof__(r->edge) *e = &r->edge;

	if (!tok_ok(e->from) || !tok_ok(e->to) || !tok_ok(e->addr) ||
	    !tok_ok(e->port))
		return -1;
	if (e->laddr || e->lport) {
		if (!tok_ok(e->laddr) || !tok_ok(e->lport))
			return -1;
		return snprintf(buf, cap, "%d %x %s %s %s %s %x %d %s %s",
				r->type, r->nonce, e->from, e->to, e->addr,
				e->port, e->options, e->weight, e->laddr,
				e->lport);
	}
	return snprintf(buf, cap, "%d %x %s %s %s %s %x %d", r->type, r->nonce,
			e->from, e->to, e->addr, e->port, e->options,
			e->weight);
}

static int fmt_req_key(const struct mesh_req *r, char *buf, size_t cap)
{
	const __typeof__(r->req_key) *k = &r->req_key;

	if (!tok_ok(k->from) || !tok_ok(k->to))
		return -1;
	if (!k->has_sub)
		return snprintf(buf, cap, "%d %s %s", r->type, k->from, k->to);
	if (!k->payload)
		return snprintf(buf, cap, "%d %s %s %d", r->type, k->from,
				k->to, k->sub);
	if (!tok_ok(k->payload))
		return -1;
	return snprintf(buf, cap, "%d %s %s %d %s", r->type, k->from, k->to,
			k->sub, k->payload);
}

static int fmt_ans_key(const struct mesh_req *r, char *buf, size_t cap)
{
	const __typeof__(r->ans_key) *a = &r->ans_key;
	int n;

	if (!tok_ok(a->from) || !tok_ok(a->to) || !tok_ok(a->key))
		return -1;
	n = snprintf(buf, cap, "%d %s %s %s %d %d %lld %d", r->type, a->from,
		     a->to, a->key, a->cipher, a->digest, (long long)a->maclen,
		     a->compression);
	if (n < 0 || (size_t)n >= cap || !(a->addr || a->port))
		return n;
	if (!tok_ok(a->addr) || !tok_ok(a->port))
		return -1;
	return n + snprintf(buf + n, cap - (size_t)n, " %s %s", a->addr,
			    a->port);
}

static int fmt_any(const struct mesh_req *r, char *buf, size_t cap)
{
	switch (r->type) {
	case MESH_REQ_ID:
		if (!tok_ok(r->id.name))
			return -1;
		return snprintf(buf, cap, "0 %s %d.%d", r->id.name, r->id.major,
				r->id.minor);
	case MESH_REQ_ACK:
		if (!tok_ok(r->ack.port))
			return -1;
		return snprintf(buf, cap, "4 %s %d %x", r->ack.port,
				r->ack.weight, r->ack.options);
	case MESH_REQ_TERMREQ:
	case MESH_REQ_PING:
	case MESH_REQ_PONG:
		return snprintf(buf, cap, "%d", r->type);
	case MESH_REQ_ADD_SUBNET:
	case MESH_REQ_DEL_SUBNET:
		return fmt_subnet(r, buf, cap);
	case MESH_REQ_ADD_EDGE:
		return fmt_edge(r, buf, cap);
	case MESH_REQ_DEL_EDGE:
		if (!tok_ok(r->del_edge.from) || !tok_ok(r->del_edge.to))
			return -1;
		return snprintf(buf, cap, "13 %x %s %s", r->nonce,
				r->del_edge.from, r->del_edge.to);
	case MESH_REQ_KEY_CHANGED:
		if (!tok_ok(r->key_changed.name))
			return -1;
		return snprintf(buf, cap, "14 %x %s", r->nonce,
				r->key_changed.name);
	case MESH_REQ_REQ_KEY: return fmt_req_key(r, buf, cap);
	case MESH_REQ_ANS_KEY: return fmt_ans_key(r, buf, cap);
	case MESH_REQ_PACKET:
	case MESH_REQ_SPTPS_PACKET:
		return snprintf(buf, cap, "%d %d", r->type, r->packet.length);
	case MESH_REQ_UDP_INFO:
		if (!tok_ok(r->udp_info.from) || !tok_ok(r->udp_info.to) ||
		    !tok_ok(r->udp_info.addr) || !tok_ok(r->udp_info.port))
			return -1;
		return snprintf(buf, cap, "22 %s %s %s %s", r->udp_info.from,
				r->udp_info.to, r->udp_info.addr,
				r->udp_info.port);
	case MESH_REQ_MTU_INFO:
		if (!tok_ok(r->mtu_info.from) || !tok_ok(r->mtu_info.to))
			return -1;
		return snprintf(buf, cap, "23 %s %s %d", r->mtu_info.from,
				r->mtu_info.to, r->mtu_info.mtu);
	default:
		return -1;	/* we never send legacy or handler-less requests */
	}
}

int mesh_req_format(const struct mesh_req *req, char *buf, size_t cap)
{
	int n;

	if (!cap)
		return -1;
	buf[0] = '\0';
	n = fmt_any(req, buf, cap);
	if (n < 0 || (size_t)n >= cap || n > MESH_LINE_MAX) {
		buf[0] = '\0';
		return -1;
	}
	return n;
}
