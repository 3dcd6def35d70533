/* SPDX-License-Identifier: MIT */
/*
 * icmp_err.c: ICMP/ICMPv6 errors as RFC 1812 and RFC 4443 ask (see
 * icmp_err.h).
 */
#include "wire/icmp_err.h"

#include <stdbool.h>
#include <string.h>

#include "wire/csum.h"
#include "wire/icmp_csum.h"

#define ERR_ETH 14u
#define ERR_EXT_MAX 8u	/* IPv6 extension headers walked, at most */

const char *fl_icmp_strerror(enum fl_icmp_res r)
{
	static const char *const text[FL_ICMP_RES_MAX] = {
		[FL_ICMP_OK] = "ok",
		[FL_ICMP_SHORT] = "no whole IP header",
		[FL_ICMP_BAD_HEADER] = "bad IP header",
		[FL_ICMP_NO_ROOM] = "output buffer too small",
		[FL_ICMP_ABOUT_ERROR] = "no ICMP error about an ICMP error",
		[FL_ICMP_FRAGMENT] = "fragment",
		[FL_ICMP_GROUP_DST] = "sent to broadcast or multicast",
		[FL_ICMP_BAD_SOURCE] = "source is not a single host",
		[FL_ICMP_NOT_ECHO] = "not an echo request",
		[FL_ICMP_BAD_CSUM] = "ICMP checksum mismatch",
		[FL_ICMP_EXT_HEADERS] = "ICMPv6 behind extension headers",
	};
	return (unsigned)r < FL_ICMP_RES_MAX ? text[r] : "unknown ICMP result";
}

/* *dlen gets the datagram's length (its total length, so Ethernet
 * padding is not quoted). */
static enum fl_icmp_res err4_check(const uint8_t *frame, size_t len, size_t *ihl, size_t *dlen)
{
	const uint8_t *ip = frame + ERR_ETH;
	size_t tot;

	if (len < ERR_ETH + 20)
		return FL_ICMP_SHORT;
	if (fl_get16(frame + 12) != 0x0800 || (ip[0] >> 4) != 4)
		return FL_ICMP_BAD_HEADER;
	*ihl = (size_t)(ip[0] & 15) * 4;
	tot = fl_get16(ip + 2);
	if (*ihl < 20 || *ihl > len - ERR_ETH || tot < *ihl)
		return FL_ICMP_BAD_HEADER;
	/* A datagram cut short (tot > what we hold) is quoted as held. */
	*dlen = tot < len - ERR_ETH ? tot : len - ERR_ETH;
	return FL_ICMP_OK;
}

static bool err4_is_error_type(uint8_t t)
{
	return t == 3 || t == 4 || t == 5 || t == 11 || t == 12;
}

/* RFC 1812 §4.3.2.7's list for the datagram at ip. */
static enum fl_icmp_res err4_allowed(const uint8_t *frame, const uint8_t *ip, size_t ihl,
				     size_t dlen)
{
	uint32_t src = fl_get32(ip + 12), dst = fl_get32(ip + 16);

	if (frame[0] & 1)	/* link-layer broadcast or multicast */
		return FL_ICMP_GROUP_DST;
	if ((dst >> 28) >= 14 || dst == 0xffffffffu)
		return FL_ICMP_GROUP_DST;
	if (src == 0 || (src >> 24) == 127 || (src >> 28) >= 14)
		return FL_ICMP_BAD_SOURCE;
	if (fl_get16(ip + 6) & 0x1fff)
		return FL_ICMP_FRAGMENT;
	/* An ICMP error, or ICMP too short to tell: say nothing. */
	if (ip[9] == 1 && (dlen <= ihl || err4_is_error_type(ip[ihl])))
		return FL_ICMP_ABOUT_ERROR;
	return FL_ICMP_OK;
}

static void err_swap_macs(uint8_t *out, const uint8_t hdr[static ERR_ETH])
{
	memcpy(out, hdr + 6, 6);
	memcpy(out + 6, hdr, 6);
	memcpy(out + 12, hdr + 12, 2);
}

enum fl_icmp_res fl_icmp_err4(const uint8_t *frame, size_t len, uint8_t type, uint8_t code,
			      uint16_t mtu, const uint8_t src[static 4], uint8_t *out, size_t cap,
			      size_t *outlen)
{
	uint8_t hdr[ERR_ETH], osrc[4];
	uint8_t *ip = out + ERR_ETH, *icmp = ip + 20;
	size_t ihl = 0, dlen = 0, quote;
	enum fl_icmp_res r;

	*outlen = 0;
	r = err4_check(frame, len, &ihl, &dlen);
	if (r == FL_ICMP_OK)
		r = err4_allowed(frame, frame + ERR_ETH, ihl, dlen);
	if (r != FL_ICMP_OK)
		return r;
	quote = dlen < FL_ICMP_ERR_QUOTE4 ? dlen : FL_ICMP_ERR_QUOTE4;
	if (cap < ERR_ETH + 28 + quote)
		return FL_ICMP_NO_ROOM;
	/* Keep what the headers need before the quote moves (out may be frame). */
	memcpy(hdr, frame, ERR_ETH);
	memcpy(osrc, frame + ERR_ETH + 12, 4);
	memmove(icmp + 8, frame + ERR_ETH, quote);
	err_swap_macs(out, hdr);
	memset(ip, 0, 28);
	ip[0] = 0x45;
	ip[1] = 0xc0;	/* precedence "internetwork control", RFC 1812 §4.3.2.5 */
	fl_put16(ip + 2, (uint16_t)(28 + quote));
	ip[8] = FL_ICMP_ERR_TTL;
	ip[9] = 1;
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, osrc, 4);
	fl_put16(ip + 10, fl_csum_fold(fl_csum_add(0, ip, 20)));
	icmp[0] = type;
	icmp[1] = code;
	if (type == FL_ICMP_T_UNREACH && code == FL_ICMP_C_FRAG_NEEDED)
		fl_put16(icmp + 6, mtu);	/* RFC 1191 §4 */
	fl_put16(icmp + 2, fl_icmp_csum4(icmp, 8 + quote));
	*outlen = ERR_ETH + 28 + quote;
	return FL_ICMP_OK;
}

/* What follows the IPv6 header at ip (plen payload bytes): *proto the
 * upper-layer protocol and *off its offset, or *proto 59 ("no next
 * header") if a later fragment or the walk's limits hide it. */
static void err6_upper(const uint8_t *ip, size_t plen, uint8_t *proto, size_t *off)
{
	uint8_t nh = ip[6];
	size_t o = 40, end = 40 + plen;

	for (unsigned k = 0; k < ERR_EXT_MAX; k++) {
		if (nh != 0 && nh != 43 && nh != 60 && nh != 44)
			break;
		if (end - o < 8)
			goto hidden;
		if (nh == 44) {
			if (fl_get16(ip + o + 2) & 0xfff8)
				goto hidden;	/* not the first fragment */
			nh = ip[o];
			o += 8;
			continue;
		}
		size_t hl = ((size_t)ip[o + 1] + 1) * 8;
		if (hl > end - o)
			goto hidden;
		nh = ip[o];
		o += hl;
	}
	*proto = nh;
	*off = o;
	return;
hidden:
	*proto = 59;
	*off = end;
}

/* RFC 4443 §2.4(e) for the packet at ip, held up to dlen bytes. */
static enum fl_icmp_res err6_allowed(const uint8_t *frame, const uint8_t *ip, size_t dlen,
				     uint8_t type)
{
	static const uint8_t unspec[16];
	uint8_t proto;
	size_t off;

	/* Packet too big goes even to a group: PMTU discovery for
	 * multicast senders needs it. */
	if (type != FL_ICMP6_T_TOO_BIG && ((frame[0] & 1) || ip[24] == 0xff))
		return FL_ICMP_GROUP_DST;
	if (ip[8] == 0xff || memcmp(ip + 8, unspec, 16) == 0)
		return FL_ICMP_BAD_SOURCE;
	err6_upper(ip, dlen - 40, &proto, &off);
	/* Errors are types 0..127; a redirect (137) is not answered either. */
	if (proto == 58 && (off >= dlen || ip[off] < 128 || ip[off] == 137))
		return FL_ICMP_ABOUT_ERROR;
	return FL_ICMP_OK;
}

static enum fl_icmp_res err6_check(const uint8_t *frame, size_t len, size_t *dlen)
{
	const uint8_t *ip = frame + ERR_ETH;
	size_t tot;

	if (len < ERR_ETH + 40)
		return FL_ICMP_SHORT;
	if (fl_get16(frame + 12) != 0x86dd || (ip[0] >> 4) != 6)
		return FL_ICMP_BAD_HEADER;
	tot = 40 + (size_t)fl_get16(ip + 4);
	*dlen = tot < len - ERR_ETH ? tot : len - ERR_ETH;
	return FL_ICMP_OK;
}

enum fl_icmp_res fl_icmp_err6(const uint8_t *frame, size_t len, uint8_t type, uint8_t code,
			      uint32_t mtu, const uint8_t src[static 16], uint8_t *out, size_t cap,
			      size_t *outlen)
{
	uint8_t hdr[ERR_ETH], osrc[16];
	uint8_t *ip = out + ERR_ETH, *icmp = ip + 40;
	size_t dlen = 0, quote;
	enum fl_icmp_res r;

	*outlen = 0;
	r = err6_check(frame, len, &dlen);
	if (r == FL_ICMP_OK)
		r = err6_allowed(frame, frame + ERR_ETH, dlen, type);
	if (r != FL_ICMP_OK)
		return r;
	quote = dlen < FL_ICMP_ERR_QUOTE6 ? dlen : FL_ICMP_ERR_QUOTE6;
	if (cap < ERR_ETH + 48 + quote)
		return FL_ICMP_NO_ROOM;
	memcpy(hdr, frame, ERR_ETH);
	memcpy(osrc, frame + ERR_ETH + 8, 16);
	memmove(icmp + 8, frame + ERR_ETH, quote);
	err_swap_macs(out, hdr);
	memset(ip, 0, 48);
	ip[0] = 0x60;
	fl_put16(ip + 4, (uint16_t)(8 + quote));
	ip[6] = 58;
	ip[7] = FL_ICMP_ERR_TTL;
	memcpy(ip + 8, src, 16);
	memcpy(ip + 24, osrc, 16);
	icmp[0] = type;
	icmp[1] = code;
	if (type == FL_ICMP6_T_TOO_BIG)
		fl_put32(icmp + 4, mtu);
	fl_put16(icmp + 2, fl_icmp_csum6(ip + 8, ip + 24, icmp, 8 + quote));
	*outlen = ERR_ETH + 48 + quote;
	return FL_ICMP_OK;
}
