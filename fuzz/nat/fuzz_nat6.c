/* SPDX-License-Identifier: MIT */
/* fuzz_nat6.c: libFuzzer target for the IPv6 NAT (src/nat/nat6.h). The
 * input is a script like fuzz_nat's: a config byte, then records
 * [op][len hi][len lo][bytes]; op bit 0 picks the direction, the rest how
 * far time moves. Each packet is copied into an allocation of exactly its
 * length so ASan sees any overread. Invariants: nothing crashes; drops
 * leave the packet untouched; a translated packet whose transport checksum
 * was valid (recomputed from scratch here) still is; counters add up and
 * everything expires; no host holds more than max_per_host mappings
 * (small in a third of the runs).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nat/nat6.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t EXT[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};

static uint32_t sum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

/* Whether the IPv6 packet's transport checksum is valid (TCP, UDP with a
 * checksum, ICMPv6; whole payload present). */
static bool csum_ok(const uint8_t *ip, size_t len)
{
	if (len < 48 || ip[0] >> 4 != 6)
		return false;
	size_t plen = (size_t)ip[4] << 8 | ip[5];
	uint8_t nh = ip[6];
	if (plen > len - 40 || (nh != 6 && nh != 17 && nh != 58))
		return false;
	if (nh == 17 && (ip[46] | ip[47]) == 0)
		return false;
	uint32_t s = sum(ip + 40, plen, sum(ip + 8, 32, 0) + (uint32_t)plen + nh);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

static void one(struct nat6 *n, const uint8_t *b, size_t len, uint8_t op, uint32_t now)
{
	uint8_t *p = malloc(len ? len : 1), *orig = malloc(len ? len : 1);
	if (!p || !orig)
		abort();
	memcpy(p, b, len);
	memcpy(orig, b, len);
	/* Inbound packets mostly need our address as destination: put it
	 * there when op asks, so the fuzzer need not guess 16 bytes. */
	if ((op & 3) == 3 && len >= 40) {
		memcpy(p + 24, EXT, 16);
		memcpy(orig + 24, EXT, 16);
	}
	enum nat_verdict v = op & 1 ? nat6_in(n, p, len, FL_TIME_S(now)) : nat6_out(n, p, len, FL_TIME_S(now));
	if (v >= NAT_VERDICT_COUNT)
		abort();
	if (v != NAT_TRANSLATED) {
		if (memcmp(p, orig, len) != 0)
			abort();
	} else if (csum_ok(orig, len) && !csum_ok(p, len)) {
		abort();
	}
	free(p);
	free(orig);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	struct nat_config c;
	enum nat_err e;
	nat_config_defaults(&c);
	c.max_mappings = 1 + (data[0] & 63);
	c.port_min = (data[0] & 64) ? 40000 : 1024;
	c.port_max = (data[0] & 64) ? 40003 : 65535;
	c.inbound_refresh = (data[0] & 128) != 0;
	c.seed = data[0];
	c.max_per_host = data[0] % 3 ? 4096 : 1 + data[0] % 4; /* a third: 1-4 */
	struct nat6 *n = nat6_new(&c, EXT, &e);
	if (!n)
		abort();
	uint32_t now = 1000;
	size_t off = 1;
	while (size - off >= 3) {
		uint8_t op = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		now += (op >> 2) * (op >> 2);
		one(n, data + off, len, op, now);
		off += len;
	}
	struct nat_stats st;
	nat6_stats_get(n, &st);
	if (st.active > c.max_mappings || st.created - st.expired != st.active || st.hosts > st.active ||
	    (uint64_t)st.hosts * c.max_per_host < st.active)
		abort();
	nat6_expire(n, FL_TIME_S((fl_time_t)now + 100000), UINT32_MAX);
	nat6_stats_get(n, &st);
	if (st.active != 0 || st.hosts != 0)
		abort();
	nat6_free(n);
	return 0;
}
