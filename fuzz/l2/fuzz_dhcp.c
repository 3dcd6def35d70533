/* SPDX-License-Identifier: MIT */
/*
 * fuzz_dhcp: whatever arrives on UDP port 68 of a LAN TAP. The input goes
 * through the IPv4/UDP unwrap, the DHCP parser and the saved-lease loader
 * whole, then as a run of messages (two length bytes, a flags byte, then
 * the message) into a client whose timers are ticked between them. The flags
 * can patch in the xid and chaddr the client expects, so the fuzzer gets
 * past the matching into every state's handling.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "l2/dhcp_client.h"
#include "wire/csum.h"
#include "wire/dhcp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_out(const struct fl_dhcp_client *c, const struct fl_dhcp_out *o)
{
	const struct fl_dhcp_lease *l = fl_dhcp_lease(c);
	struct fl_dhcp_msg m;

	if (o->len > sizeof(o->pkt) || (unsigned)c->state >= FL_DHCP_STATE_MAX)
		abort();
	if (l && (!l->addr || l->t1_s > l->t2_s || l->t2_s > l->lease_s))
		abort();
	/* What we send must parse as what we meant to send. */
	if (o->len && (fl_dhcp_parse(o->pkt + FL_DHCP_IPUDP_LEN, o->len - FL_DHCP_IPUDP_LEN, &m) !=
		       FL_DHCP_OK || m.op != 1))
		abort();
}

static void run_client(const uint8_t *data, size_t size)
{
	static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1}, rnd[16] = {7};
	uint8_t msg[FL_DHCP_MAX_LEN];
	struct fl_dhcp_client c;
	struct fl_dhcp_out o;
	fl_time_t now = FL_TIME_S(100);

	fl_dhcp_init(&c, mac, rnd);
	fl_dhcp_start(&c, now, &o);
	while (size >= 3) {
		size_t n = fl_get16(data) % sizeof(msg);
		uint8_t flags = data[2];
		if (n > size - 3)
			n = size - 3;
		memcpy(msg, data + 3, n);
		if ((flags & 1) && n >= 8)
			fl_put32(msg + 4, c.xid);
		if ((flags & 2) && n >= 34)
			memcpy(msg + 28, mac, 6);
		fl_dhcp_input(&c, msg, n, now, &o);
		check_out(&c, &o);
		/* Time moves by up to ~2 h, or to the next timer. */
		now = (flags & 4) && o.next != FL_DHCP_NEVER ? o.next : now + FL_TIME_S(flags >> 3) * 229;
		fl_dhcp_tick(&c, now, &o);
		check_out(&c, &o);
		if ((flags & 0xf8) == 0xf8) {
			fl_dhcp_decline(&c, now, &o);
			check_out(&c, &o);
		}
		data += n + 3;
		size -= n + 3;
	}
	fl_dhcp_release(&c, now, &o);
	check_out(&c, &o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_dhcp_msg m;
	struct fl_dhcp_lease l;
	const uint8_t *p;
	size_t n;
	uint32_t src;

	if (fl_dhcp_parse(data, size, &m) == FL_DHCP_OK &&
	    (m.n_router > FL_DHCP_MAX_ADDRS || m.n_dns > FL_DHCP_MAX_ADDRS ||
	     m.text[FL_DHCP_MSG_TEXT - 1] != 0))
		abort();
	if (fl_dhcp_ip_unwrap(data, size, &p, &n, &src) == FL_DHCP_OK) {
		if (p < data || p + n > data + size)
			abort();
		fl_dhcp_parse(p, n, &m);
	}
	if (fl_dhcp_lease_load(data, size, &l) == FL_DHCP_OK) {
		struct fl_dhcp_client c;
		struct fl_dhcp_out o;
		fl_dhcp_init(&c, (const uint8_t[6]){2}, (const uint8_t[16]){0});
		fl_dhcp_restore(&c, &l, FL_TIME_S(50), &o);
		check_out(&c, &o);
	}
	run_client(data, size);
	return 0;
}
