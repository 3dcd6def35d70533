/* SPDX-License-Identifier: MIT */
/*
 * icmp_echo.c: echo replies for the router's own addresses (see
 * icmp_echo.h).
 */
#include "wire/icmp_echo.h"

#include <string.h>

#include "wire/csum.h"
#include "wire/icmp_csum.h"

#define ECHO_ETH 14u

/* The request's IPv4 datagram: whole, unfragmented, ICMP echo request
 * with a good checksum, from one host to a unicast address. */
static enum fl_icmp_res echo4_check(const uint8_t *frame, size_t len, size_t *ihl, size_t *tot)
{
	const uint8_t *ip = frame + ECHO_ETH;
	uint32_t src, dst;

	if (len < ECHO_ETH + 20)
		return FL_ICMP_SHORT;
	if (fl_get16(frame + 12) != 0x0800 || (ip[0] >> 4) != 4)
		return FL_ICMP_BAD_HEADER;
	*ihl = (size_t)(ip[0] & 15) * 4;
	*tot = fl_get16(ip + 2);
	if (*ihl < 20 || *tot < *ihl || *tot > len - ECHO_ETH)
		return FL_ICMP_BAD_HEADER;
	if (fl_get16(ip + 6) & 0x3fff)	/* MF or an offset: we do not reassemble */
		return FL_ICMP_FRAGMENT;
	src = fl_get32(ip + 12);
	dst = fl_get32(ip + 16);
	if ((frame[0] & 1) || (dst >> 28) >= 14)
		return FL_ICMP_GROUP_DST;
	if (src == 0 || (src >> 24) == 127 || (src >> 28) >= 14)
		return FL_ICMP_BAD_SOURCE;
	if (ip[9] != 1 || *tot - *ihl < 8 || ip[*ihl] != 8 || ip[*ihl + 1] != 0)
		return FL_ICMP_NOT_ECHO;
	if (fl_icmp_csum4(ip + *ihl, *tot - *ihl) != 0)
		return FL_ICMP_BAD_CSUM;
	return FL_ICMP_OK;
}

enum fl_icmp_res fl_icmp_echo4(const uint8_t *frame, size_t len, uint8_t *out, size_t cap,
			       size_t *outlen)
{
	uint8_t hdr[ECHO_ETH], a[4], b[4], id[2];
	size_t ihl = 0, tot = 0, dlen;
	uint8_t *ip = out + ECHO_ETH, *icmp = ip + 20;
	enum fl_icmp_res r;

	*outlen = 0;
	r = echo4_check(frame, len, &ihl, &tot);
	if (r != FL_ICMP_OK)
		return r;
	dlen = tot - ihl;
	if (cap < ECHO_ETH + 20 + dlen)
		return FL_ICMP_NO_ROOM;
	memcpy(hdr, frame, ECHO_ETH);
	memcpy(a, frame + ECHO_ETH + 12, 4);
	memcpy(b, frame + ECHO_ETH + 16, 4);
	memcpy(id, frame + ECHO_ETH + 4, 2);
	/* Options dropped: the ICMP part moves up to a 20-byte header. */
	memmove(icmp, frame + ECHO_ETH + ihl, dlen);
	memcpy(out, hdr + 6, 6);
	memcpy(out + 6, hdr, 6);
	memcpy(out + 12, hdr + 12, 2);
	memset(ip, 0, 20);
	ip[0] = 0x45;
	fl_put16(ip + 2, (uint16_t)(20 + dlen));
	memcpy(ip + 4, id, 2);
	ip[8] = FL_ICMP_ERR_TTL;
	ip[9] = 1;
	memcpy(ip + 12, b, 4);
	memcpy(ip + 16, a, 4);
	fl_put16(ip + 10, fl_csum_fold(fl_csum_add(0, ip, 20)));
	icmp[0] = 0;
	icmp[2] = 0;
	icmp[3] = 0;
	fl_put16(icmp + 2, fl_icmp_csum4(icmp, dlen));
	*outlen = ECHO_ETH + 20 + dlen;
	return FL_ICMP_OK;
}

static enum fl_icmp_res echo6_check(const uint8_t *frame, size_t len, size_t *plen)
{
	static const uint8_t unspec[16];
	const uint8_t *ip = frame + ECHO_ETH;

	if (len < ECHO_ETH + 40)
		return FL_ICMP_SHORT;
	if (fl_get16(frame + 12) != 0x86dd || (ip[0] >> 4) != 6)
		return FL_ICMP_BAD_HEADER;
	*plen = fl_get16(ip + 4);
	if (*plen != len - ECHO_ETH - 40)
		return FL_ICMP_BAD_HEADER;
	if ((frame[0] & 1) || ip[24] == 0xff)
		return FL_ICMP_GROUP_DST;
	if (ip[8] == 0xff || memcmp(ip + 8, unspec, 16) == 0)
		return FL_ICMP_BAD_SOURCE;
	if (ip[6] == 0 || ip[6] == 43 || ip[6] == 60 || ip[6] == 44)
		return ip[6] == 44 ? FL_ICMP_FRAGMENT : FL_ICMP_EXT_HEADERS;
	if (ip[6] != 58 || *plen < 8 || ip[40] != 128 || ip[41] != 0)
		return FL_ICMP_NOT_ECHO;
	if (fl_icmp_csum6(ip + 8, ip + 24, ip + 40, *plen) != 0)
		return FL_ICMP_BAD_CSUM;
	return FL_ICMP_OK;
}

enum fl_icmp_res fl_icmp_echo6(const uint8_t *frame, size_t len, uint8_t *out, size_t cap,
			       size_t *outlen)
{
	uint8_t hdr[ECHO_ETH], a[16];
	uint8_t *ip = out + ECHO_ETH, *icmp = ip + 40;
	size_t plen = 0;
	enum fl_icmp_res r;

	*outlen = 0;
	r = echo6_check(frame, len, &plen);
	if (r != FL_ICMP_OK)
		return r;
	if (cap < len)
		return FL_ICMP_NO_ROOM;
	if (out != frame)
		memcpy(out, frame, len);
	memcpy(hdr, out, ECHO_ETH);
	memcpy(out, hdr + 6, 6);
	memcpy(out + 6, hdr, 6);
	memcpy(a, ip + 8, 16);
	memmove(ip + 8, ip + 24, 16);
	memcpy(ip + 24, a, 16);
	ip[7] = FL_ICMP_ERR_TTL;
	icmp[0] = 129;
	fl_put16(icmp + 2, 0);
	fl_put16(icmp + 2, fl_icmp_csum6(ip + 8, ip + 24, icmp, plen));
	*outlen = len;
	return FL_ICMP_OK;
}
