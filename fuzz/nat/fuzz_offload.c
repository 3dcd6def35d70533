/* SPDX-License-Identifier: MIT */
/* fuzz_offload.c: libFuzzer target for split tunnelling's per-packet
 * logic (src/dataplane/dp_offload.h), which parses untrusted packets from
 * the LAN (the offload decision, TTL, the sticky-TCP check) and from the
 * offload side before the NAT cores do. Input: records [op][len hi][len
 * lo][bytes]; op bit 0 picks the direction, bit 1 swaps in a set that
 * excludes part of the list (a reload), the rest moves time. Each packet
 * is copied into an allocation of exactly its length so ASan sees any
 * overread. Invariants: no crash; PASS, TTL and DROP leave the packet as
 * it was.
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/dp_offload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fl_lpm *table(int excl)
{
	struct fl_lpm_prefix p[2];
	struct fl_lpm *t;
	memset(p, 0, sizeof(p));
	p[0].family = 4, p[0].len = excl ? 25 : 24;
	memcpy(p[0].addr, "\xc6\x33\x64\x00", 4); /* 198.51.100.0 */
	p[1].family = 6, p[1].len = 32;
	memcpy(p[1].addr, "\x20\x01\x0d\xb8", 4);
	if (fl_lpm_build(p, excl ? 1 : 2, NULL, &t) != FL_LPM_OK)
		abort();
	return t;
}

static struct fl_offload_set *set(int excl)
{
	struct fl_offload_set *s = calloc(1, sizeof(*s));
	if (!s)
		abort();
	s->list = table(0);
	if (excl)
		s->exclude = table(1);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t ext6[16] = {0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 1};
	struct fl_offload o;
	struct nat_config c;
	enum nat_err e;

	memset(&o, 0, sizeof(o));
	nat_config_defaults(&c);
	c.max_mappings = 64;
	c.ext_addr[0] = htonl(0xc6120301);
	o.nat4 = nat_new(&c, &e);
	o.nat6 = nat6_new(&c, ext6, &e);
	if (!o.nat4 || !o.nat6)
		abort();
	fl_offload_publish(&o, set(0));
	uint32_t now = 1000;
	size_t off = 0;
	while (size - off >= 3) {
		uint8_t op = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		now += op >> 3;
		if (op & 2)
			fl_offload_set_free(fl_offload_publish(&o, set(op & 4)));
		uint8_t *p = malloc(len ? len : 1), *orig = malloc(len ? len : 1);
		if (!p || !orig)
			abort();
		memcpy(p, data + off, len);
		memcpy(orig, data + off, len);
		enum fl_offload_verdict v = op & 1 ? fl_offload_in(&o, p, len, FL_TIME_S(now))
						   : fl_offload_out(&o, p, len, FL_TIME_S(now));
		if ((v == FL_OFFLOAD_PASS || v == FL_OFFLOAD_TTL || v == FL_OFFLOAD_DROP) &&
		    !(op & 1) && memcmp(p, orig, len) && v != FL_OFFLOAD_DROP)
			abort(); /* outbound PASS/TTL: untouched (DROP may follow the TTL step) */
		if (v == FL_OFFLOAD_DROP && (op & 1) && memcmp(p, orig, len))
			abort(); /* inbound drops leave the packet alone */
		free(p);
		free(orig);
		off += len;
	}
	fl_offload_set_free(fl_offload_publish(&o, NULL));
	nat_free(o.nat4);
	nat6_free(o.nat6);
	return 0;
}
