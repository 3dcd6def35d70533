/* SPDX-License-Identifier: MIT */
/*
 * probe.c: build and parse UDP probe record bodies (spec/UDP.md §4.2).
 * Called by the dataplane's discovery and PMTU code.
 */
#include "wire/probe.h"

#include <string.h>

#include "wire/csum.h"

size_t fl_probe_request(uint8_t *out, size_t cap, size_t len, const uint8_t *rnd)
{
	if (len < FL_PROBE_MIN)
		len = FL_PROBE_MIN;
	if (len > cap || len > FL_PROBE_MAX)
		return 0;
	memset(out, 0, 14);
	memcpy(out + 14, rnd, len - 14);
	return len;
}

void fl_probe_reply(uint8_t out[static FL_PROBE_REPLY_LEN], const uint8_t *req, size_t reqlen)
{
	size_t n = reqlen < FL_PROBE_REPLY_LEN ? reqlen : FL_PROBE_REPLY_LEN;

	memset(out, 0, FL_PROBE_REPLY_LEN);
	memcpy(out, req, n);
	out[0] = 2;
	fl_put16(out + 1, (uint16_t)(reqlen > 0xffff ? 0xffff : reqlen));
}

void fl_probe_gratuitous(uint8_t out[static FL_PROBE_REPLY_LEN], uint16_t len,
			 const uint8_t rnd[static 4])
{
	memset(out, 0, FL_PROBE_REPLY_LEN);
	out[0] = 2;
	fl_put16(out + 1, len);
	memcpy(out + 14, rnd, 4);
}

enum fl_wire_err fl_probe_parse(const uint8_t *body, size_t len, struct fl_probe *out)
{
	memset(out, 0, sizeof(*out));
	if (len == 0)
		return FL_WIRE_SHORT;
	if (len > FL_PROBE_MAX)
		return FL_WIRE_TOO_LONG;
	out->kind = body[0];
	out->request = body[0] == 0;
	out->len = (uint16_t)len;
	if (body[0] == 2) {
		if (len < 3)
			return FL_WIRE_SHORT;
		out->len = fl_get16(body + 1);
	}
	return FL_WIRE_OK;
}
