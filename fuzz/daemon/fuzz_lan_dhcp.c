/* SPDX-License-Identifier: MIT */
/*
 * fuzz_lan_dhcp: the frames a LAN TAP reads, as the daemon's DHCP driver
 * (src/daemon/fld_lan_dhcp.c) sees them. The input is a run of records
 * (two length bytes, a flags byte, the bytes): flags bit 0 wraps the bytes
 * as a well-formed server reply (Ethernet, IPv4, UDP 67 -> 68, the xid and
 * chaddr the client expects) so the fuzzer reaches every state; bit 1
 * hands them over as an ARP frame (the probe's conflict check); otherwise
 * they are a raw frame. The timer is ticked between records; what the
 * driver writes and applies is checked for sanity.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/dlog.h"
#include "daemon/fld_lan_dhcp.h"
#include "wire/csum.h"
#include "wire/dhcp_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t mac[6] = {2, 0, 0, 0, 0, 1};
static uint32_t applied;
static fl_time_t timer_at;

static void op_xmit(void *ctx, const uint8_t *f, size_t len)
{
	(void)ctx;
	if (len < 42 || len > 14 + FL_DHCP_IPUDP_LEN + FL_DHCP_BUILD_MAX || memcmp(f + 6, mac, 6))
		abort();
}

static void op_addr(void *ctx, uint32_t old_addr, uint32_t new_addr, unsigned plen)
{
	(void)ctx;
	/* Only the address we have goes; only one is held at a time. */
	if (old_addr != applied || (new_addr && old_addr) || plen > 32)
		abort();
	applied = new_addr;
}

static void op_script(void *ctx, const char *which, const char *const *vars)
{
	(void)ctx;
	(void)which;
	for (size_t i = 0; vars[i]; i++)
		if (i >= 5 || !strchr(vars[i], '='))
			abort();
}

static void op_timer(void *ctx, fl_time_t at)
{
	(void)ctx;
	timer_at = at;
}

static void quiet(void *ctx, enum fl_dlog_level level, const char *msg)
{
	(void)ctx;
	(void)level;
	(void)msg;
}

static const struct fld_lan_dhcp_ops ops = {op_xmit, op_addr, op_script, op_timer, NULL};

/* Wrap payload as a server's reply to the exchange the client has open. */
static size_t wrap(const struct fld_lan_dhcp *dh, const uint8_t *p, size_t n, uint8_t *f,
		   size_t cap)
{
	const struct fl_dhcp_client *c = fld_lan_dhcp_core(dh);
	size_t total;

	if (n > cap - 14 - FL_DHCP_IPUDP_LEN)
		n = cap - 14 - FL_DHCP_IPUDP_LEN;
	memcpy(f + 14 + FL_DHCP_IPUDP_LEN, p, n);
	if (n >= 8)
		fl_put32(f + 14 + FL_DHCP_IPUDP_LEN + 4, c->xid);
	if (n >= 34)
		memcpy(f + 14 + FL_DHCP_IPUDP_LEN + 28, mac, 6);
	if (fl_dhcp_ip_wrap(0xc0000201u, 0xffffffffu, f + 14, cap - 14, n, &total) != FL_DHCP_OK)
		return 0;
	fl_put16(f + 14 + 20, 67);	/* swapped ports keep the checksum */
	fl_put16(f + 14 + 22, 68);
	memcpy(f, mac, 6);
	memset(f + 6, 0x22, 6);
	fl_put16(f + 12, 0x0800);
	return 14 + total;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t rnd[16] = {7};
	uint8_t f[14 + FL_DHCP_IPUDP_LEN + FL_DHCP_MAX_LEN];
	fl_time_t now = FL_TIME_S(100);
	struct fld_lan_dhcp *dh;

	fl_dlog_set_sink(quiet, NULL);
	applied = 0;
	dh = fld_lan_dhcp_new("lan0", mac, rnd, &ops);
	if (!dh)
		abort();
	fld_lan_dhcp_start(dh, size >= FL_DHCP_LEASE_BLOB && data[0] == 'D' ? data : NULL,
			   FL_DHCP_LEASE_BLOB, now);
	while (size >= 3) {
		size_t n = fl_get16(data) % sizeof(f);
		uint8_t flags = data[2];
		if (n > size - 3)
			n = size - 3;
		if (flags & 1) {
			size_t len = wrap(dh, data + 3, n, f, sizeof(f));
			fld_lan_dhcp_frame(dh, f, len, now);
		} else if (flags & 2) {
			fld_lan_dhcp_arp(dh, data + 3, n, now);
		} else {
			fld_lan_dhcp_frame(dh, data + 3, n, now);
		}
		if (fld_lan_dhcp_addr(dh) != applied)
			abort();
		/* Time moves to the timer, or by up to ~2 h. */
		now = (flags & 4) && timer_at != FL_DHCP_NEVER && timer_at > now
			      ? timer_at
			      : now + FL_TIME_MS(flags >> 3) * 229000;
		fld_lan_dhcp_tick(dh, now);
		data += n + 3;
		size -= n + 3;
	}
	fld_lan_dhcp_free(dh, now, true);
	if (applied)
		abort();
	return 0;
}
