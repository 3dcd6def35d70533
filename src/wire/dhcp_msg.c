/* SPDX-License-Identifier: MIT */
/*
 * dhcp_msg.c: parse and build DHCP messages (RFC 2131/2132/3396) and their
 * IPv4+UDP wrapping. See dhcp_msg.h. Pure.
 */
#include <string.h>

#include "wire/csum.h"
#include "wire/dhcp_msg.h"

/* Offsets in the fixed BOOTP header (RFC 2131 figure 1). */
enum {
	OFF_OP = 0, OFF_HTYPE = 1, OFF_HLEN = 2, OFF_HOPS = 3, OFF_XID = 4,
	OFF_SECS = 8, OFF_FLAGS = 10, OFF_CIADDR = 12, OFF_YIADDR = 16,
	OFF_SIADDR = 20, OFF_GIADDR = 24, OFF_CHADDR = 28, OFF_SNAME = 44,
	OFF_FILE = 108, OFF_COOKIE = 236, OFF_OPTIONS = 240,
};
#define SNAME_LEN 64u
#define FILE_LEN 128u
_Static_assert(OFF_FILE + FILE_LEN == FL_DHCP_FIXED_LEN, "BOOTP layout");
_Static_assert(FL_DHCP_BUILD_MAX + FL_DHCP_IPUDP_LEN == 576, "RFC 2131 minimum");

#define OPT_PAD 0
#define OPT_END 255
#define OPT_MASK 1
#define OPT_ROUTER 3
#define OPT_DNS 6
#define OPT_MTU 26
#define OPT_REQ_IP 50
#define OPT_LEASE 51
#define OPT_OVERLOAD 52
#define OPT_TYPE 53
#define OPT_SERVER_ID 54
#define OPT_PARAMS 55
#define OPT_MESSAGE 56
#define OPT_T1 58
#define OPT_T2 59
#define OPT_CLIENT_ID 61

#define BOOTREQUEST 1
#define BOOTREPLY 2
#define FLAG_BROADCAST 0x8000u

static const char *const err_text[FL_DHCP_ERR_MAX] = {
	[FL_DHCP_OK] = "ok",
	[FL_DHCP_SHORT] = "shorter than a DHCP header",
	[FL_DHCP_TOO_LONG] = "longer than a DHCP message may be",
	[FL_DHCP_BAD_OP] = "op is neither BOOTREQUEST nor BOOTREPLY",
	[FL_DHCP_BAD_HLEN] = "hardware address length over 16",
	[FL_DHCP_BAD_COOKIE] = "no DHCP magic cookie",
	[FL_DHCP_OPT_TRUNC] = "option runs past the end of its area",
	[FL_DHCP_OPT_NO_END] = "option area has no End option",
	[FL_DHCP_OPT_BAD] = "option with a wrong length or value",
	[FL_DHCP_BAD_OVERLOAD] = "overload option not 1, 2 or 3",
	[FL_DHCP_BAD_TYPE] = "message type outside 1..8",
	[FL_DHCP_NO_ROOM] = "output buffer too small",
	[FL_DHCP_BAD_IP] = "bad IPv4 header or fragment",
	[FL_DHCP_NOT_DHCP] = "not UDP to the DHCP client port",
	[FL_DHCP_BAD_CSUM] = "bad IPv4 or UDP checksum",
};

const char *fl_dhcp_strerror(enum fl_dhcp_err err)
{
	if ((unsigned)err >= FL_DHCP_ERR_MAX || !err_text[err])
		return "unknown DHCP error";
	return err_text[err];
}

int fl_dhcp_mask_len(uint32_t mask)
{
	int n = 0;

	while (n < 32 && (mask & (0x80000000u >> n)))
		n++;
	if (n < 32 && (mask << n) != 0)
		return -1;
	return n;
}

/* The options we read, each joined across instances (RFC 3396) before it
 * is decoded. Data past ACC_MAX bytes is dropped: enough for 16 addresses
 * of a list, and fixed-size options that long are wrong anyway. */
#define ACC_MAX 64u
static const uint8_t acc_codes[] = {
	OPT_MASK, OPT_ROUTER, OPT_DNS, OPT_MTU, OPT_LEASE, OPT_OVERLOAD,
	OPT_TYPE, OPT_SERVER_ID, OPT_MESSAGE, OPT_T1, OPT_T2, OPT_REQ_IP,
};
#define N_ACC (sizeof(acc_codes) / sizeof(acc_codes[0]))

struct acc {
	bool seen;
	uint16_t n;		/* total length, even past ACC_MAX */
	uint8_t b[ACC_MAX];
};

static void acc_add(struct acc *accs, uint8_t code, const uint8_t *p, uint8_t n)
{
	for (size_t i = 0; i < N_ACC; i++) {
		if (acc_codes[i] != code)
			continue;
		struct acc *a = &accs[i];
		a->seen = true;
		for (uint8_t k = 0; k < n; k++, a->n++)
			if (a->n < ACC_MAX)
				a->b[a->n] = p[k];
		return;
	}
}

static const struct acc *acc_get(const struct acc *accs, uint8_t code)
{
	for (size_t i = 0; i < N_ACC; i++)
		if (acc_codes[i] == code)
			return accs[i].seen ? &accs[i] : NULL;
	return NULL;
}

/* Walk one option area: Pad is skipped, End stops (what follows End is
 * padding and ignored), every other option's length is checked against
 * the bytes left. */
static enum fl_dhcp_err walk_area(const uint8_t *p, size_t len, struct acc *accs)
{
	size_t i = 0;

	while (i < len) {
		uint8_t code = p[i];
		if (code == OPT_PAD) {
			i++;
			continue;
		}
		if (code == OPT_END)
			return FL_DHCP_OK;
		if (len - i < 2 || p[i + 1] > len - i - 2)
			return FL_DHCP_OPT_TRUNC;
		acc_add(accs, code, p + i + 2, p[i + 1]);
		i += 2u + p[i + 1];
	}
	return FL_DHCP_OPT_NO_END;
}

/* A fixed-size option: absent is fine, any other length is an error. */
static bool fixed(const struct acc *a, uint16_t want)
{
	return !a || a->n == want;
}

static uint8_t get_list(const struct acc *a, uint32_t *out)
{
	size_t have = a ? (a->n < ACC_MAX ? a->n : ACC_MAX) : 0;
	uint8_t n = 0;

	for (size_t i = 0; i + 4 <= have && n < FL_DHCP_MAX_ADDRS; i += 4)
		out[n++] = fl_get32(a->b + i);
	return n;
}

static enum fl_dhcp_err decode_fixed(const struct acc *accs, struct fl_dhcp_msg *m)
{
	const struct acc *a;

	if (!fixed(acc_get(accs, OPT_MASK), 4) || !fixed(acc_get(accs, OPT_MTU), 2) ||
	    !fixed(acc_get(accs, OPT_LEASE), 4) || !fixed(acc_get(accs, OPT_SERVER_ID), 4) ||
	    !fixed(acc_get(accs, OPT_T1), 4) || !fixed(acc_get(accs, OPT_T2), 4) ||
	    !fixed(acc_get(accs, OPT_TYPE), 1) || !fixed(acc_get(accs, OPT_REQ_IP), 4))
		return FL_DHCP_OPT_BAD;
	if ((a = acc_get(accs, OPT_TYPE))) {
		if (a->b[0] < FL_DHCP_DISCOVER || a->b[0] > FL_DHCP_INFORM)
			return FL_DHCP_BAD_TYPE;
		m->type = (enum fl_dhcp_type)a->b[0];
	}
	if ((a = acc_get(accs, OPT_MASK))) {
		m->has_mask = true;
		m->mask = fl_get32(a->b);
		if (fl_dhcp_mask_len(m->mask) < 0)
			return FL_DHCP_OPT_BAD;
	}
	if ((a = acc_get(accs, OPT_MTU))) {
		m->has_mtu = true;
		m->mtu = fl_get16(a->b);
		if (m->mtu < 68)
			return FL_DHCP_OPT_BAD;
	}
	if ((a = acc_get(accs, OPT_LEASE)))
		m->has_lease = true, m->lease_s = fl_get32(a->b);
	if ((a = acc_get(accs, OPT_SERVER_ID)))
		m->has_server_id = true, m->server_id = fl_get32(a->b);
	if ((a = acc_get(accs, OPT_T1)))
		m->has_t1 = true, m->t1_s = fl_get32(a->b);
	if ((a = acc_get(accs, OPT_T2)))
		m->has_t2 = true, m->t2_s = fl_get32(a->b);
	if ((a = acc_get(accs, OPT_REQ_IP)))
		m->requested_ip = fl_get32(a->b);
	return FL_DHCP_OK;
}

static enum fl_dhcp_err decode(const struct acc *accs, struct fl_dhcp_msg *m)
{
	const struct acc *a;
	enum fl_dhcp_err err = decode_fixed(accs, m);

	if (err != FL_DHCP_OK)
		return err;
	/* Address lists: a whole number of addresses, at least one. */
	a = acc_get(accs, OPT_ROUTER);
	if (a && (a->n == 0 || a->n % 4))
		return FL_DHCP_OPT_BAD;
	m->n_router = get_list(a, m->router);
	a = acc_get(accs, OPT_DNS);
	if (a && (a->n == 0 || a->n % 4))
		return FL_DHCP_OPT_BAD;
	m->n_dns = get_list(a, m->dns);
	if ((a = acc_get(accs, OPT_MESSAGE))) {
		size_t n = a->n < ACC_MAX ? a->n : ACC_MAX;
		if (n > FL_DHCP_MSG_TEXT - 1)
			n = FL_DHCP_MSG_TEXT - 1;
		for (size_t i = 0; i < n; i++)
			m->text[i] = a->b[i] >= 0x20 && a->b[i] < 0x7f ? (char)a->b[i] : '?';
	}
	return FL_DHCP_OK;
}

static void parse_header(const uint8_t *buf, struct fl_dhcp_msg *m)
{
	m->op = buf[OFF_OP];
	m->htype = buf[OFF_HTYPE];
	m->hlen = buf[OFF_HLEN];
	m->xid = fl_get32(buf + OFF_XID);
	m->secs = fl_get16(buf + OFF_SECS);
	m->flags = fl_get16(buf + OFF_FLAGS);
	m->ciaddr = fl_get32(buf + OFF_CIADDR);
	m->yiaddr = fl_get32(buf + OFF_YIADDR);
	m->siaddr = fl_get32(buf + OFF_SIADDR);
	m->giaddr = fl_get32(buf + OFF_GIADDR);
	memcpy(m->chaddr, buf + OFF_CHADDR, sizeof(m->chaddr));
}

enum fl_dhcp_err fl_dhcp_parse(const uint8_t *buf, size_t len, struct fl_dhcp_msg *out)
{
	struct acc accs[N_ACC];
	const struct acc *ov;
	enum fl_dhcp_err err;

	memset(out, 0, sizeof(*out));
	if (len < FL_DHCP_MIN_LEN)
		return FL_DHCP_SHORT;
	if (len > FL_DHCP_MAX_LEN)
		return FL_DHCP_TOO_LONG;
	if (buf[OFF_OP] != BOOTREQUEST && buf[OFF_OP] != BOOTREPLY)
		return FL_DHCP_BAD_OP;
	if (buf[OFF_HLEN] > 16)
		return FL_DHCP_BAD_HLEN;
	if (fl_get32(buf + OFF_COOKIE) != FL_DHCP_MAGIC)
		return FL_DHCP_BAD_COOKIE;
	memset(accs, 0, sizeof(accs));
	err = walk_area(buf + OFF_OPTIONS, len - OFF_OPTIONS, accs);
	if (err != FL_DHCP_OK)
		return err;
	/* Overload is only meaningful in the options field, so it is read
	 * before the other areas are walked; RFC 3396 joins in the order
	 * options, file, sname. */
	if ((ov = acc_get(accs, OPT_OVERLOAD))) {
		if (ov->n != 1 || ov->b[0] < 1 || ov->b[0] > 3)
			return FL_DHCP_BAD_OVERLOAD;
		uint8_t which = ov->b[0];
		if ((which & 1) && (err = walk_area(buf + OFF_FILE, FILE_LEN, accs)) != FL_DHCP_OK)
			return err;
		if ((which & 2) && (err = walk_area(buf + OFF_SNAME, SNAME_LEN, accs)) != FL_DHCP_OK)
			return err;
		out->overload = which;
	}
	parse_header(buf, out);
	err = decode(accs, out);
	if (err != FL_DHCP_OK) {
		memset(out, 0, sizeof(*out));
		return err;
	}
	return FL_DHCP_OK;
}

static uint8_t *put_opt(uint8_t *p, uint8_t code, const void *data, uint8_t n)
{
	p[0] = code;
	p[1] = n;
	memcpy(p + 2, data, n);
	return p + 2 + n;
}

static uint8_t *put_opt32(uint8_t *p, uint8_t code, uint32_t v)
{
	uint8_t b[4];

	fl_put32(b, v);
	return put_opt(p, code, b, 4);
}

enum fl_dhcp_err fl_dhcp_build(const struct fl_dhcp_req *req, uint8_t *out, size_t cap,
			       size_t *len)
{
	/* Mask, router, DNS, MTU, lease, server id, T1, T2. */
	static const uint8_t params[] = {OPT_MASK, OPT_ROUTER, OPT_DNS, OPT_MTU,
					 OPT_LEASE, OPT_SERVER_ID, OPT_T1, OPT_T2};
	uint8_t type = (uint8_t)req->type, cid[7] = {1};
	uint8_t *p;

	*len = 0;
	if (cap < FL_DHCP_BUILD_MAX)
		return FL_DHCP_NO_ROOM;
	memset(out, 0, FL_DHCP_BUILD_MIN);
	out[OFF_OP] = BOOTREQUEST;
	out[OFF_HTYPE] = 1;	/* Ethernet */
	out[OFF_HLEN] = 6;
	fl_put32(out + OFF_XID, req->xid);
	fl_put16(out + OFF_SECS, req->secs);
	fl_put16(out + OFF_FLAGS, req->broadcast ? FLAG_BROADCAST : 0);
	fl_put32(out + OFF_CIADDR, req->ciaddr);
	memcpy(out + OFF_CHADDR, req->mac, 6);
	fl_put32(out + OFF_COOKIE, FL_DHCP_MAGIC);
	p = out + OFF_OPTIONS;
	p = put_opt(p, OPT_TYPE, &type, 1);
	memcpy(cid + 1, req->mac, 6);
	p = put_opt(p, OPT_CLIENT_ID, cid, sizeof(cid));
	if (req->requested_ip)
		p = put_opt32(p, OPT_REQ_IP, req->requested_ip);
	if (req->server_id)
		p = put_opt32(p, OPT_SERVER_ID, req->server_id);
	if (req->type == FL_DHCP_DISCOVER || req->type == FL_DHCP_REQUEST)
		p = put_opt(p, OPT_PARAMS, params, sizeof(params));
	*p++ = OPT_END;
	*len = (size_t)(p - out) < FL_DHCP_BUILD_MIN ? FL_DHCP_BUILD_MIN : (size_t)(p - out);
	return FL_DHCP_OK;
}

enum fl_dhcp_err fl_dhcp_ip_wrap(uint32_t src, uint32_t dst, uint8_t *out, size_t cap,
				 size_t len, size_t *total)
{
	uint8_t *ip = out, *udp = out + 20;
	size_t n = FL_DHCP_IPUDP_LEN + len;
	uint32_t sum;

	*total = 0;
	if (cap < FL_DHCP_IPUDP_LEN || len > cap - FL_DHCP_IPUDP_LEN || n > 0xffff)
		return FL_DHCP_NO_ROOM;
	memset(ip, 0, FL_DHCP_IPUDP_LEN);
	ip[0] = 0x45;
	fl_put16(ip + 2, (uint16_t)n);
	ip[8] = 64;
	ip[9] = 17;
	fl_put32(ip + 12, src);
	fl_put32(ip + 16, dst);
	fl_put16(ip + 10, fl_csum_fold(fl_csum_add(0, ip, 20)));
	fl_put16(udp, FL_DHCP_CLIENT_PORT);
	fl_put16(udp + 2, FL_DHCP_SERVER_PORT);
	fl_put16(udp + 4, (uint16_t)(n - 20));
	/* Pseudo-header: addresses, protocol, UDP length. */
	sum = fl_csum_add(0, ip + 12, 8) + 17 + (uint32_t)(n - 20);
	sum = fl_csum_add(sum, udp, n - 20);
	uint16_t c = fl_csum_fold(sum);
	fl_put16(udp + 6, c ? c : 0xffff);
	*total = n;
	return FL_DHCP_OK;
}

enum fl_dhcp_err fl_dhcp_ip_unwrap(const uint8_t *pkt, size_t len, const uint8_t **payload,
				   size_t *plen, uint32_t *src)
{
	size_t ihl, tot, ulen;
	const uint8_t *udp;

	*payload = NULL;
	*plen = 0;
	*src = 0;
	if (len < 20 || (pkt[0] >> 4) != 4)
		return FL_DHCP_BAD_IP;
	ihl = (size_t)(pkt[0] & 15) * 4;
	tot = fl_get16(pkt + 2);
	/* Ethernet pads short frames, so the buffer may exceed tot. */
	if (ihl < 20 || tot < ihl || tot > len)
		return FL_DHCP_BAD_IP;
	if (fl_get16(pkt + 6) & 0x3fff)	/* MF or an offset: a fragment */
		return FL_DHCP_BAD_IP;
	if (fl_csum_fold(fl_csum_add(0, pkt, ihl)) != 0)
		return FL_DHCP_BAD_CSUM;
	if (pkt[9] != 17 || tot - ihl < 8)
		return FL_DHCP_NOT_DHCP;
	udp = pkt + ihl;
	ulen = fl_get16(udp + 4);
	if (fl_get16(udp + 2) != FL_DHCP_CLIENT_PORT)
		return FL_DHCP_NOT_DHCP;
	if (ulen < 8 || ulen > tot - ihl)
		return FL_DHCP_BAD_IP;
	if (fl_get16(udp + 6) != 0) {	/* 0: the sender sent no checksum */
		uint32_t sum = fl_csum_add(0, pkt + 12, 8) + 17 + (uint32_t)ulen;
		if (fl_csum_fold(fl_csum_add(sum, udp, ulen)) != 0)
			return FL_DHCP_BAD_CSUM;
	}
	*payload = udp + 8;
	*plen = ulen - 8;
	*src = fl_get32(pkt + 12);
	return FL_DHCP_OK;
}
