/* SPDX-License-Identifier: MIT */
/* fuzz_nat_forward.c: libFuzzer target for the NAT's port forwards
 * (src/nat/nat_forward.c with nat_xlate.c). The input is a config byte,
 * then records [op][len hi][len lo][bytes] as in fuzz_nat.c; packets go in
 * or out, and op 0xff instead removes or re-adds forward number len % 3
 * (a reload).
 * Forward ports lie inside the small dynamic range so collisions with
 * dynamic mappings are frequent. Invariants: nothing crashes, drops leave
 * the packet alone, checksums that were valid stay valid, and after every
 * step each mapping agrees with the forwards (a forward's endpoint maps to
 * its port; no other endpoint holds a forwarded port).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tests/nat/nat_testpkt.h"
#include "nat/nat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fwd {
	uint8_t proto;
	uint16_t ext_port, int_port; /* host order */
	uint32_t int_addr;
	bool on;
};

static struct fwd fwds[3];

static void check_entry(void *ctx, const struct nat_entry *e)
{
	(void)ctx;
	for (size_t i = 0; i < 3; i++) {
		const struct fwd *f = &fwds[i];
		if (!f->on || f->proto != e->proto)
			continue;
		bool target = memcmp(e->int_addr, &f->int_addr, 4) == 0 && e->int_port == f->int_port;
		if (target != (e->ext_port == f->ext_port))
			abort();
	}
}

static void toggle(struct nat *n, uint8_t which)
{
	struct fwd *f = &fwds[which % 3];
	enum nat_fwd_err r;
	if (f->on)
		r = nat_forward_remove(n, f->proto, htons(f->ext_port));
	else
		r = nat_forward_add(n, f->proto, htons(f->ext_port), f->int_addr, htons(f->int_port));
	if (r != NAT_FWD_OK)
		abort();
	f->on = !f->on;
}

static void one(struct nat *n, const uint8_t *b, size_t len, uint8_t op, uint32_t now)
{
	uint8_t *p = malloc(len ? len : 1), *orig = malloc(len ? len : 1);
	if (!p || !orig)
		abort();
	memcpy(p, b, len);
	memcpy(orig, b, len);
	enum nat_verdict v = op & 1 ? nat_in(n, p, len, FL_TIME_S(now)) : nat_out(n, p, len, FL_TIME_S(now));
	if (v >= NAT_VERDICT_COUNT)
		abort();
	if (v != NAT_TRANSLATED && v != NAT_HAIRPIN) {
		if (memcmp(p, orig, len) != 0)
			abort();
	} else if ((tp_get16(orig + 6) & 0x3fff) == 0 && tp_csums_ok(orig) && !tp_csums_ok(p)) {
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
	c.ext_addr[0] = tp_ip(192, 0, 2, 1);
	c.filter = (enum nat_filter)((data[0] >> 1) % 3);
	c.max_mappings = 32;
	c.max_per_host = 6;
	c.port_min = 40000;
	c.port_max = 40007;
	c.seed = data[0];
	struct nat *n = nat_new(&c, &e);
	if (!n)
		abort();
	fwds[0] = (struct fwd){TP_TCP, 40001, 80, tp_ip(10, 0, 0, 1), false};
	fwds[1] = (struct fwd){TP_UDP, 40002, 53, tp_ip(10, 0, 0, 2), false};
	fwds[2] = (struct fwd){TP_UDP, 40003, 40003, tp_ip(10, 0, 0, 1), false};
	for (uint8_t i = 0; i < 3; i++)
		if (data[0] & (8 << i))
			toggle(n, i);
	uint32_t now = 1000;
	size_t off = 1;
	while (size - off >= 3) {
		uint8_t op = data[off];
		size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (len > size - off)
			len = size - off;
		if (op == 0xff)
			toggle(n, data[off - 1]);
		else
			one(n, data + off, len, op, now += (op >> 2) * (op >> 2));
		nat_each(n, FL_TIME_S(now), check_entry, NULL);
		off += len;
	}
	nat_forward_clear(n);
	struct nat_stats st;
	nat_stats_get(n, &st);
	if (st.active > c.max_mappings || st.created - st.expired != st.active || nat_forward_count(n))
		abort();
	nat_free(n);
	return 0;
}
