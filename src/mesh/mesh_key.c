/* SPDX-License-Identifier: MIT */
/*
 * mesh_key.c: the routed requests (META.md §5.15-5.17, §5.20-5.22): REQ_KEY
 * and its sub-codes, ANS_KEY, binary SPTPS_PACKET, UDP_INFO and MTU_INFO;
 * forwarding toward nexthop(TO), delivering to the daemon as events when TO
 * is us, and the functions the daemon calls to originate them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/b64.h"
#include "mesh/mesh_internal.h"

#define PUBKEY_LEN 32
#define DGRAM_MAX 2048
/* tinc-b64 characters for DGRAM_MAX bytes, NUL included */
#define B64_MAX ((DGRAM_MAX + 2) / 3 * 4 + 1)

/* tinc-b64 text to bytes; 0 = invalid or empty (tinc treats both alike). */
static size_t b64_decode(const char *in, uint8_t *out, size_t cap)
{
	size_t n = 0;

	if (fl_b64_decode(out, cap, &n, in, strlen(in), NULL) != FL_B64_OK)
		return 0;
	return n;
}

static bool b64_encode(const uint8_t *in, size_t len, char *out, size_t cap)
{
	return len > 0 && fl_b64_encode(out, cap, in, len, false) > 0;
}

static bool has_key(struct mesh *m, const struct mesh_node *n)
{
	struct mesh_host_info h;

	memset(&h, 0, sizeof(h));
	return m->cfg.host_lookup && m->cfg.host_lookup(m->cfg.ctx, n->name, &h) &&
	       h.exists && h.has_key;
}

static bool reachable(const struct mesh_node *n)
{
	return n->status & MESH_NS_REACHABLE;
}

/* Send a line to nexthop(to); false if there is no usable connection. */
static bool route_line(struct mesh *m, struct mesh_out *o,
		       const struct mesh_node *to, const char *line)
{
	struct mesh_conn *c = mesh_conn_nexthop(m, to);

	if (!c)
		return false;
	mesh_out_send(o, MESH_OUT_SEND, c->id, line);
	return true;
}

static bool route_req(struct mesh *m, struct mesh_out *o,
		      const struct mesh_node *to, const struct mesh_req *r)
{
	char line[MESH_LINE_MAX + 1];

	if (mesh_req_format(r, line, sizeof(line)) < 0)
		return false;
	return route_line(m, o, to, line);
}

static void data_event(struct mesh_out *o, enum mesh_out_kind k,
		       struct mesh_node *from, struct mesh_node *to,
		       const uint8_t *buf, size_t len)
{
	struct mesh_out_item *it = mesh_out_push(o, k);

	if (!it)
		return;
	it->node = from;
	it->node2 = to;
	it->data = malloc(len ? len : 1);
	if (!it->data) {
		o->n--;
		o->oom = true;
		return;
	}
	memcpy(it->data, buf, len);
	it->len = len;
}

/* An extended REQ_KEY (META.md §5.15) with sub-request `sub`. */
static void reqkey_sub(struct mesh_req *r, const char *from, const char *to,
		       int sub, const char *payload)
{
	memset(r, 0, offsetof(struct mesh_req, buf));
	r->type = MESH_REQ_REQ_KEY;
	r->req_key.from = from;
	r->req_key.to = to;
	r->req_key.has_sub = true;
	r->req_key.sub = sub;
	r->req_key.payload = payload;
}

static void send_reqkey_sub(struct mesh *m, struct mesh_out *o,
			    struct mesh_node *to, int sub, const char *payload)
{
	struct mesh_req r;

	reqkey_sub(&r, m->myname, to->name, sub, payload);
	route_req(m, o, to, &r);
}

/* META.md §5.21 sending rule. */
void mesh_send_udp_info(struct mesh *m, struct mesh_node *from,
			struct mesh_node *to, fl_time_t now, struct mesh_out *o)
{
	struct mesh_node *target = to->via == m->myself ? to->nexthop : to->via;
	struct mesh_conn *c;
	struct mesh_req r;

	if (!target || target == m->myself || !reachable(target))
		return;
	if (from == m->myself) {
		if (target->conn != MESH_CONN_NONE)
			return;
		if (target->udp_info_sent &&
		    now - target->udp_info_sent < FL_TIME_S(m->cfg.udp_info_interval))
			return;
	}
	if ((m->myself->options | from->options | target->options) & MESH_OPT_TCPONLY)
		return;
	c = mesh_conn_nexthop(m, target);
	if (!c || mesh_conn_minor(c) < 5)
		return;
	memset(&r, 0, offsetof(struct mesh_req, buf));
	r.type = MESH_REQ_UDP_INFO;
	r.udp_info.from = from->name;
	r.udp_info.to = target->name;
	r.udp_info.addr = from == m->myself ? c->local_addr : from->addr;
	r.udp_info.port = from == m->myself ? m->my_udp_port : from->port;
	if (!r.udp_info.addr[0])
		return;	/* we know no address for from */
	if (mesh_send_req(m, o, c->id, &r) && from == m->myself)
		target->udp_info_sent = now;
}

static bool probed(const struct mesh_node *n)
{
	return n->minmtu == n->maxmtu;
}

/* META.md §5.22 sending rule. */
void mesh_send_mtu_info(struct mesh *m, struct mesh_node *from,
			struct mesh_node *to, int mtu, fl_time_t now,
			struct mesh_out *o)
{
	struct mesh_node *relay;
	struct mesh_conn *c;
	struct mesh_req r;

	if (to == m->myself || !reachable(to))
		return;
	if (from == m->myself) {
		if (to->conn != MESH_CONN_NONE)
			return;
		if (to->mtu_info_sent &&
		    now - to->mtu_info_sent < FL_TIME_S(m->cfg.mtu_info_interval))
			return;
	}
	c = mesh_conn_nexthop(m, to);
	if (!c || mesh_conn_minor(c) < 6)
		return;
	relay = from->via == m->myself ? from->nexthop : from->via;
	if (probed(from) && from->via == m->myself)
		mtu = from->minmtu;
	else if (relay && probed(relay))
		mtu = relay->minmtu < mtu ? relay->minmtu : mtu;
	else if (relay && relay->nexthop && probed(relay->nexthop))
		mtu = relay->nexthop->minmtu < mtu ? relay->nexthop->minmtu : mtu;
	memset(&r, 0, offsetof(struct mesh_req, buf));
	r.type = MESH_REQ_MTU_INFO;
	r.mtu_info.from = from->name;
	r.mtu_info.to = to->name;
	r.mtu_info.mtu = mtu;
	if (mesh_send_req(m, o, c->id, &r) && from == m->myself)
		to->mtu_info_sent = now;
}

static enum mesh_err recv_udp_info(struct mesh *m, const struct mesh_req *r,
				   fl_time_t now, struct mesh_out *o)
{
	struct mesh_node *from = mesh_node_find(m, r->udp_info.from), *to;

	if (!from || from->via != from)
		return MESH_OK;
	if (from->conn == MESH_CONN_NONE &&
	    !(from->status & MESH_NS_UDP_CONFIRMED) &&
	    (strcmp(from->addr, r->udp_info.addr) ||
	     strcmp(from->port, r->udp_info.port))) {
		struct mesh_out_item *it;

		if (!mesh_node_set_addr(from, r->udp_info.addr, r->udp_info.port))
			return MESH_E_NOMEM;
		it = mesh_out_push(o, MESH_EV_UDP_ADDRESS);
		if (it) {
			it->node = from;
			it->host = mesh_strdup(from->addr);
			it->port = mesh_strdup(from->port);
		}
	}
	to = mesh_node_find(m, r->udp_info.to);
	if (to)
		mesh_send_udp_info(m, from, to, now, o);
	return MESH_OK;
}

static enum mesh_err recv_mtu_info(struct mesh *m, const struct mesh_req *r,
				   fl_time_t now, struct mesh_out *o)
{
	struct mesh_node *from = mesh_node_find(m, r->mtu_info.from), *to;
	int mtu = r->mtu_info.mtu > MESH_MTU_MAX ? MESH_MTU_MAX : r->mtu_info.mtu;

	if (!from)
		return MESH_OK;
	if (!probed(from) && from->mtu != mtu) {
		struct mesh_out_item *it = mesh_out_push(o, MESH_EV_MTU);

		from->mtu = mtu;
		if (it) {
			it->node = from;
			it->value = mtu;
		}
	}
	to = mesh_node_find(m, r->mtu_info.to);
	if (to)
		mesh_send_mtu_info(m, from, to, mtu, now, o);
	return MESH_OK;
}

/* REQ_KEY sub-code for us (META.md §5.15, "extended handling"). */
static void reqkey_for_us(struct mesh *m, struct mesh_node *from,
			  const struct mesh_req *r, fl_time_t now,
			  struct mesh_out *o)
{
	uint8_t buf[DGRAM_MAX];
	const char *p = r->req_key.payload;
	size_t len = p ? b64_decode(p, buf, sizeof(buf)) : 0;

	switch (r->req_key.sub) {
	case MESH_REQKEY_REQ_PUBKEY:
		if (!has_key(m, from))
			send_reqkey_sub(m, o, from, MESH_REQKEY_REQ_PUBKEY, NULL);
		send_reqkey_sub(m, o, from, MESH_REQKEY_ANS_PUBKEY, m->my_pubkey_b64);
		return;
	case MESH_REQKEY_ANS_PUBKEY:
		if (has_key(m, from) || len != PUBKEY_LEN)
			return;
		data_event(o, MESH_EV_PUBKEY, from, m->myself, buf, len);
		return;
	case MESH_REQKEY_SPTPS_START:
		if (!has_key(m, from)) {
			send_reqkey_sub(m, o, from, MESH_REQKEY_REQ_PUBKEY, NULL);
			return;
		}
		if (!len)
			return;
		from->status &= ~(uint32_t)MESH_NS_VALIDKEY;
		from->status |= MESH_NS_WAITINGFORKEY;
		from->last_req_key = now;
		data_event(o, MESH_EV_REQ_SPTPS_START, from, m->myself, buf, len);
		mesh_send_mtu_info(m, m->myself, from, MESH_MTU_MAX, now, o);
		return;
	case MESH_REQKEY_SPTPS_PACKET:
		if (len)
			data_event(o, MESH_EV_SPTPS_DATA, from, m->myself, buf, len);
		return;
	default:
		mesh_out_log(o, "%s: unknown REQ_KEY sub-code %d ignored",
			     from->name, r->req_key.sub);
	}
}

static enum mesh_err recv_req_key(struct mesh *m, const struct mesh_req *r,
				  const char *line, fl_time_t now,
				  struct mesh_out *o)
{
	struct mesh_node *from = mesh_node_find(m, r->req_key.from);
	struct mesh_node *to = mesh_node_find(m, r->req_key.to);
	int sub = r->req_key.has_sub ? r->req_key.sub : 0;

	if (!from || !to)
		return MESH_OK;
	if (to == m->myself && !reachable(from))
		return MESH_OK;
	if (to != m->myself && (m->cfg.tunnelserver || !reachable(to)))
		return MESH_OK;
	if (!sub) {
		if (to == m->myself)
			mesh_out_log(o, "%s: plain (legacy) REQ_KEY ignored", from->name);
		else
			route_line(m, o, to, line);
		return MESH_OK;
	}
	if ((sub == MESH_REQKEY_SPTPS_START || sub == MESH_REQKEY_SPTPS_PACKET) &&
	    to->via == m->myself)
		mesh_send_udp_info(m, m->myself, from, now, o);
	if (to == m->myself) {
		reqkey_for_us(m, from, r, now, o);
	} else if (sub == MESH_REQKEY_SPTPS_PACKET) {
		uint8_t buf[DGRAM_MAX];
		const char *p = r->req_key.payload;
		size_t len = p ? b64_decode(p, buf, sizeof(buf)) : 0;

		if (len && m->cfg.forwarding_internal) {
			data_event(o, MESH_EV_SPTPS_DATA, from, to, buf, len);
			mesh_out_event(o, MESH_EV_TRY_TX, to);
		}
	} else {
		route_line(m, o, to, line);
	}
	return MESH_OK;
}

static bool compression_ok(int level)
{
	return level >= 0 && level <= 12;	/* zlib 1-9, LZO 10-11, LZ4 12 */
}

static enum mesh_err recv_ans_key(struct mesh *m, const struct mesh_req *r,
				  const char *line, struct mesh_out *o)
{
	struct mesh_node *from = mesh_node_find(m, r->ans_key.from);
	struct mesh_node *to = mesh_node_find(m, r->ans_key.to);
	uint8_t buf[DGRAM_MAX];
	size_t len;
	struct mesh_out_item *it;

	if (!from || !to)
		return MESH_OK;
	if (to != m->myself) {
		char ext[MESH_LINE_MAX + 1];

		if (m->cfg.tunnelserver || !reachable(to))
			return MESH_OK;
		if (!r->ans_key.addr && from->addr[0] && to->minmtu > 0 &&
		    snprintf(ext, sizeof(ext), "%s %s %s", line, from->addr,
			     from->port) < (int)sizeof(ext) &&
		    strlen(ext) <= MESH_LINE_MAX)
			route_line(m, o, to, ext);
		else
			route_line(m, o, to, line);
		return MESH_OK;
	}
	if (!compression_ok(r->ans_key.compression))
		return MESH_OK;
	from->compression = r->ans_key.compression;
	/* undecodable: len 0, which the daemon treats as a failed feed */
	len = b64_decode(r->ans_key.key, buf, sizeof(buf));
	data_event(o, MESH_EV_ANS_KEY, from, m->myself, buf, len);
	it = o->n ? &o->v[o->n - 1] : NULL;
	if (it && it->kind == MESH_EV_ANS_KEY) {
		it->value = r->ans_key.compression;
		if (r->ans_key.addr) {
			it->host = mesh_strdup(r->ans_key.addr);
			it->port = mesh_strdup(r->ans_key.port);
		}
	}
	return MESH_OK;
}

enum mesh_err mesh_key_recv(struct mesh *m, struct mesh_conn *c,
			    const struct mesh_req *r, const char *line,
			    size_t len, fl_time_t now, struct mesh_out *o)
{
	char copy[MESH_LINE_MAX + 1];

	(void)c;
	memcpy(copy, line, len);	/* parse checked len <= MESH_LINE_MAX */
	copy[len] = '\0';
	switch (r->type) {
	case MESH_REQ_REQ_KEY: return recv_req_key(m, r, copy, now, o);
	case MESH_REQ_ANS_KEY: return recv_ans_key(m, r, copy, o);
	case MESH_REQ_UDP_INFO: return recv_udp_info(m, r, now, o);
	case MESH_REQ_MTU_INFO: return recv_mtu_info(m, r, now, o);
	default: return MESH_E_UNAUTHORIZED;
	}
}

/* ---- binary SPTPS_PACKET (META.md §5.20) ------------------------------ */

enum mesh_err mesh_conn_sptps_packet(struct mesh *m, int32_t conn,
				     const uint8_t *buf, size_t len,
				     fl_time_t now, struct mesh_out *out)
{
	struct mesh_conn *c = mesh_conn_find(m, conn);
	struct mesh_node *to, *from;

	if (!c)
		return MESH_E_NOCONN;
	if (len < 2 * MESH_NODE_ID_LEN)
		return MESH_E_PARSE;
	to = mesh_node_by_id(m, buf);
	from = mesh_node_by_id(m, buf + MESH_NODE_ID_LEN);
	if (!to || !from || !reachable(to))
		return MESH_OK;
	if (to->via == m->myself)
		mesh_send_udp_info(m, m->myself, from, now, out);
	buf += 2 * MESH_NODE_ID_LEN;
	len -= 2 * MESH_NODE_ID_LEN;
	if (to != m->myself) {
		if (to->status & MESH_NS_VALIDKEY)
			data_event(out, MESH_EV_SPTPS_DATA, from, to, buf, len);
		mesh_out_event(out, MESH_EV_TRY_TX, to);
		return MESH_OK;
	}
	data_event(out, MESH_EV_SPTPS_DATA, from, to, buf, len);
	return MESH_OK;
}

/* ---- originating ------------------------------------------------------ */

bool mesh_want_key(struct mesh *m, struct mesh_node *to, fl_time_t now,
		   struct mesh_out *out)
{
	if (!has_key(m, to)) {
		send_reqkey_sub(m, out, to, MESH_REQKEY_REQ_PUBKEY, NULL);
		return false;
	}
	to->status &= ~(uint32_t)MESH_NS_VALIDKEY;
	to->status |= MESH_NS_WAITINGFORKEY;
	to->last_req_key = now;
	return true;
}

bool mesh_send_sptps_start(struct mesh *m, struct mesh_node *to,
			   const uint8_t *rec, size_t len, fl_time_t now,
			   struct mesh_out *out)
{
	char b64[B64_MAX];
	struct mesh_conn *c = mesh_conn_nexthop(m, to);

	(void)now;
	if (!c || len > DGRAM_MAX || !b64_encode(rec, len, b64, sizeof(b64)))
		return false;
	send_reqkey_sub(m, out, to, MESH_REQKEY_SPTPS_START, b64);
	return true;
}

bool mesh_send_ans_key(struct mesh *m, struct mesh_node *to,
		       const uint8_t *rec, size_t len, int compression,
		       struct mesh_out *out)
{
	char b64[B64_MAX];
	struct mesh_req r;

	if (len > DGRAM_MAX || !b64_encode(rec, len, b64, sizeof(b64)))
		return false;
	memset(&r, 0, offsetof(struct mesh_req, buf));
	r.type = MESH_REQ_ANS_KEY;
	r.ans_key.from = m->myname;
	r.ans_key.to = to->name;
	r.ans_key.key = b64;
	r.ans_key.cipher = r.ans_key.digest = -1;
	r.ans_key.maclen = -1;
	r.ans_key.compression = compression;
	return route_req(m, out, to, &r);
}

bool mesh_send_sptps_data(struct mesh *m, struct mesh_node *from,
			  struct mesh_node *to, const uint8_t *dgram,
			  size_t len, struct mesh_out *out)
{
	struct mesh_conn *c = mesh_conn_nexthop(m, to);
	struct mesh_out_item *it;
	char line[32];

	if (!c || len > DGRAM_MAX)
		return false;
	if (mesh_conn_minor(c) < 7) {
		char b64[B64_MAX];
		struct mesh_req r;

		if (!b64_encode(dgram, len, b64, sizeof(b64)))
			return false;
		reqkey_sub(&r, from->name, to->name, MESH_REQKEY_SPTPS_PACKET, b64);
		return mesh_send_req(m, out, c->id, &r);
	}
	snprintf(line, sizeof(line), "21 %zu", len + 2 * MESH_NODE_ID_LEN);
	mesh_out_send(out, MESH_OUT_SEND_BINARY, c->id, line);
	it = out->n ? &out->v[out->n - 1] : NULL;
	if (!it || it->kind != MESH_OUT_SEND_BINARY)
		return false;
	it->data = malloc(len + 2 * MESH_NODE_ID_LEN);
	if (!it->data) {
		out->n--;
		free(it->text);
		return false;
	}
	memcpy(it->data, to->id, MESH_NODE_ID_LEN);
	memcpy(it->data + MESH_NODE_ID_LEN, from->id, MESH_NODE_ID_LEN);
	memcpy(it->data + 2 * MESH_NODE_ID_LEN, dgram, len);
	it->len = len + 2 * MESH_NODE_ID_LEN;
	return true;
}

bool mesh_send_packet(struct mesh *m, struct mesh_node *to,
		      const uint8_t *frame, size_t len, struct mesh_out *out)
{
	struct mesh_conn *c = mesh_conn_to(m, to);
	struct mesh_out_item *it;
	char line[32];

	if (!c || c->state != MESH_CONN_ACTIVE || len > INT16_MAX)
		return false;
	snprintf(line, sizeof(line), "17 %zu", len);
	mesh_out_send(out, MESH_OUT_SEND_PACKET, c->id, line);
	it = out->n ? &out->v[out->n - 1] : NULL;
	if (!it || it->kind != MESH_OUT_SEND_PACKET)
		return false;
	it->data = malloc(len ? len : 1);
	if (!it->data) {
		out->n--;
		free(it->text);
		return false;
	}
	memcpy(it->data, frame, len);
	it->len = len;
	return true;
}

void mesh_key_valid(struct mesh *m, struct mesh_node *n)
{
	(void)m;
	n->status |= MESH_NS_VALIDKEY;
	n->status &= ~(uint32_t)MESH_NS_WAITINGFORKEY;
}
