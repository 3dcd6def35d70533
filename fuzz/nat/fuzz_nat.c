/* SPDX-License-Identifier: MIT */
/* fuzz_nat.c: libFuzzer target for src/nat. The input is a script of
 * packets: a config byte, then records [op][len hi][len lo][bytes], where op
 * picks the direction, single or batch call, and how far time moves. Each
 * packet is copied into an allocation of exactly its length so ASan sees
 * any overread. Invariants: nothing crashes; a translated unfragmented
 * packet whose checksums were valid still has valid checksums (checked by
 * the independent sums in tests/nat/nat_testpkt.h); counters add up.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tests/nat/nat_testpkt.h"
#include "nat/nat.h"
#include "nat/nat_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool unfragmented(const uint8_t *p)
{
	return (tp_get16(p + 6) & 0x3fff) == 0;
}

static void one(struct nat *n, const uint8_t *b, size_t len, uint8_t op, uint32_t now)
{
	uint8_t *p = malloc(len ? len : 1);
	uint8_t *orig = malloc(len ? len : 1);
	if (!p || !orig)
		abort();
	memcpy(p, b, len);
	memcpy(orig, b, len);
	enum nat_verdict v;
	size_t l = len;
	if (op & 2) {
		uint8_t *const pk[1] = {p};
		if (op & 1)
			nat_in_batch(n, pk, &l, 1, FL_TIME_S(now), &v);
		else
			nat_out_batch(n, pk, &l, 1, FL_TIME_S(now), &v);
	} else {
		v = op & 1 ? nat_in(n, p, len, FL_TIME_S(now)) : nat_out(n, p, len, FL_TIME_S(now));
	}
	if (v >= NAT_VERDICT_COUNT)
		abort();
	if (v != NAT_TRANSLATED && v != NAT_HAIRPIN) {
		if (memcmp(p, orig, len) != 0)
			abort(); /* drops leave the packet alone */
	} else if (unfragmented(orig) && tp_csums_ok(orig) && !tp_csums_ok(p)) {
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
	c.n_ext = 1 + (data[0] & 1);
	c.ext_addr[0] = tp_ip(192, 0, 2, 1);
	c.ext_addr[1] = tp_ip(192, 0, 2, 2);
	c.filter = (enum nat_filter)((data[0] >> 1) % 3);
	c.max_mappings = 64;
	c.max_per_host = 8;
	c.port_min = (data[0] & 8) ? 40000 : 1024;
	c.port_max = (data[0] & 8) ? 40003 : 65535;
	c.seed = data[0];
	struct nat *n = nat_new(&c, &e);
	if (!n)
		abort();
	/* White box: make batches take the prefetching path (normally only
	 * for tables too big for the caches) on half the inputs. */
	n->prefetch = (data[0] & 16) != 0;
	uint32_t now = 1000;
	size_t off = 1;
	while (size - off >= 3) {
		uint8_t op = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		now += (op >> 2) * (op >> 2); /* 0 .. 3969 s */
		one(n, data + off, len, op, now);
		off += len;
	}
	struct nat_stats st;
	uint64_t sum = 0;
	nat_stats_get(n, &st);
	for (int i = 0; i < NAT_VERDICT_COUNT; i++)
		sum += st.verdict[i];
	if (st.active > c.max_mappings || st.created - st.expired != st.active)
		abort();
	(void)sum;
	nat_expire(n, FL_TIME_S(now + 100000), UINT32_MAX);
	nat_stats_get(n, &st);
	if (st.active != 0)
		abort();
	nat_free(n);
	return 0;
}
