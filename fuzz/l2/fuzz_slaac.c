/* SPDX-License-Identifier: MIT */
/*
 * fuzz_slaac: Router Advertisements from a hostile LAN through the NDP
 * parser into the SLAAC core (slaac.c), with time jumps, expiry ticks,
 * RS timers and addresses the caller forgets. The harness can fix up the
 * ICMPv6 checksum so inputs reach past it, and can build a valid RA
 * around fuzzed prefix options. Checks: at most FL_SLAAC_MAX addresses,
 * none twice, every change a /64 ending in our EUI-64.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2/slaac.h"
#include "wire/icmp_csum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};

static void fz_check(const struct fl_slaac *s, const struct fl_slaac_change *ch, size_t n)
{
	uint8_t want[16];

	if (s->n > FL_SLAAC_MAX)
		abort();
	for (size_t i = 0; i < s->n; i++)
		for (size_t j = i + 1; j < s->n; j++)
			if (!memcmp(s->a[i].ip, s->a[j].ip, 16))
				abort();
	for (size_t i = 0; i < n; i++) {
		fl_slaac_eui64(ch[i].ip, mac, want);
		if (ch[i].plen != 64 || memcmp(want, ch[i].ip, 16))
			abort();
	}
}

/* An RA frame from fe80::a: either the input as it is, or (wrap) the
 * input as its options after a valid header. Checksum fixed if asked. */
static size_t fz_frame(const uint8_t *p, size_t len, bool wrap, bool fix, uint8_t *f, size_t cap)
{
	if (wrap) {
		static const uint8_t hdr[54 + 16] = {
			0x33, 0x33, 0, 0, 0, 1, 2, 0, 0, 0, 0, 0x0a, 0x86, 0xdd,
			0x60, 0, 0, 0, 0, 0, 58, 255, 0xfe, 0x80, [37] = 0x0a,
			0xff, 2, [53] = 1, 134, 0, 0, 0, 64, 0, 0, 8};
		if (len > cap - sizeof(hdr))
			len = cap - sizeof(hdr);
		memcpy(f, hdr, sizeof(hdr));
		memcpy(f + sizeof(hdr), p, len);
		len += sizeof(hdr);
		f[18] = (uint8_t)((len - 54) >> 8);
		f[19] = (uint8_t)(len - 54);
	} else {
		if (len > cap)
			len = cap;
		memcpy(f, p, len);
	}
	if (fix && len >= 58) {
		f[56] = f[57] = 0;
		uint16_t c = fl_icmp_csum6(f + 22, f + 38, f + 54, len - 54);
		f[56] = (uint8_t)(c >> 8);
		f[57] = (uint8_t)c;
	}
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_slaac s;
	struct fl_slaac_change ch[FL_SLAAC_MAX + FL_NDP_PREFIX_MAX];
	struct fl_ndp_msg m;
	uint8_t f[512];
	fl_time_t now = 0;

	fl_slaac_init(&s, mac, 0);
	while (size >= 2) {
		uint8_t op = data[0];
		size_t len = data[1] < size - 2 ? data[1] : size - 2, n = 0;
		if ((op & 3) <= 1) {
			size_t fl = fz_frame(data + 2, len, (op & 3) == 1, (op & 4) != 0, f, sizeof(f));
			if (fl_ndp_parse(f, fl, &m) == FL_NDP_OK)
				n = fl_slaac_ra(&s, &m, now, ch, FL_NDP_PREFIX_MAX);
		} else if ((op & 3) == 2) {
			now += (fl_time_t)op * FL_TIME_S(30);
			n = fl_slaac_tick(&s, now, ch, FL_SLAAC_MAX);
		} else if (op & 0x80 && s.n) { /* the daemon had no room for one */
			uint8_t ip[16];
			memcpy(ip, s.a[op % s.n].ip, 16);
			fl_slaac_forget(&s, ip);
		} else {
			now += (fl_time_t)op * FL_TIME_MS(100);
			fl_slaac_rs_due(&s, now);
		}
		fz_check(&s, ch, n);
		data += len + 2;
		size -= len + 2;
	}
	return 0;
}
