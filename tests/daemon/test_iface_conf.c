/* SPDX-License-Identifier: MIT */
/*
 * test_iface_conf.c: the interfaces/NAME parser (daemon/fld_iface_conf.h):
 * a full file, each refusal naming FILE:LINE and the variable, names,
 * and the default MAC (stable, unicast, locally administered).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/fld_iface_conf.h"

static char last[2048];
static int n_err;

static void on_error(void *ctx, const char *msg)
{
	(void)ctx;
	snprintf(last, sizeof(last), "%s", msg);
	n_err++;
}

static const struct fl_conf_reporter rep = {on_error, on_error, NULL};

static int parse(const char *text, struct fld_iface_conf *c)
{
	last[0] = '\0';
	n_err = 0;
	return fld_iface_conf_parse("interfaces/lan0", "lan0", text, strlen(text), &rep, c);
}

static void test_full(void **st)
{
	struct fld_iface_conf c;
	static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};

	(void)st;
	assert_int_equal(parse("# the LAN\nRole = lan\nDevice = /dev/net/tun\n"
			       "MACAddress = 02:aa:bb:cc:dd:ee\nAddress = 192.168.200.2/24\n"
			       "Address = 2001:db8:200::2/64\naddress=dhcp\nAddress = SLAAC\nVPNNat = 192.168.192.210\n"
			       "PortForward = tcp 8080 192.168.200.11:80\n"
			       "PortForward = udp 53 [2001:db8:200::11]:5353\n", &c), 0);
	assert_int_equal(n_err, 0);
	assert_string_equal(c.name, "lan0");
	assert_int_equal(c.role, FLD_IFACE_LAN);
	assert_string_equal(c.device, "/dev/net/tun");
	assert_true(c.has_mac);
	assert_memory_equal(c.mac, "\x02\xaa\xbb\xcc\xdd\xee", 6);
	assert_int_equal(c.n_addr, 2);
	assert_int_equal(c.addr[0].family, 4);
	assert_memory_equal(c.addr[0].ip, "\xc0\xa8\xc8\x02", 4);
	assert_int_equal(c.addr[0].plen, 24);
	assert_int_equal(c.addr[0].line, 5);
	assert_int_equal(c.addr[1].family, 6);
	assert_memory_equal(c.addr[1].ip, a6, 16);
	assert_int_equal(c.addr[1].plen, 64);
	assert_true(c.dhcp);
	assert_true(c.slaac);
	assert_true(c.has_vpnnat);
	assert_int_equal(c.vpnnat_family, 4);
	assert_int_equal(c.n_fwd, 2);
	assert_int_equal(c.fwd[0].proto, 6);
	assert_int_equal(c.fwd[0].port, 8080);
	assert_int_equal(c.fwd[0].host_port, 80);
	assert_int_equal(c.fwd[1].proto, 17);
	assert_int_equal(c.fwd[1].family, 6);
	assert_int_equal(c.fwd[1].host_port, 5353);
}

/* Each bad file: refused, and the message names the file, line and variable. */
static void test_refusals(void **st)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"Address = 192.168.200.2/24\n", "interfaces/lan0:1: Role is required"},
		{"Role = local\nMACAddress = 02:00:00:00:00:01\n", "interfaces/lan0:2: MACAddress: only in a Role = lan"},
		{"Role = local\nDevice = /dev/net/tun\n", "interfaces/lan0:2: Device: not in a Role = local block"},
		{"Role = local\nGateway = 198.51.100.1\n", "interfaces/lan0:2: Gateway: only in a Role = offload"},
		{"Role = offload\n", "interfaces/lan0:1: Role = offload needs an Address"},
		{"Role = offload\nAddress = 198.51.100.2/24\nDeviceType = tap\n",
		 "interfaces/lan0:3: DeviceType = tap needs a Gateway"},
		{"Role = offload\nAddress = 198.51.100.2/24\nAddress = 2001:db8:1::2/64\nDeviceType = tap\n"
		 "Gateway = 198.51.100.1\n", "interfaces/lan0:4: DeviceType = tap needs a Gateway for each"},
		{"Role = offload\nAddress = 198.51.100.2/24\nAddress = 198.51.100.3/24\n",
		 "interfaces/lan0:3: Address: an offload block takes one address per family"},
		{"Role = offload\nAddress = dhcp\n", "interfaces/lan0:2: Address: an offload block takes static"},
		{"Role = offload\nAddress = 198.51.100.2/24\nVPNNat = 192.168.192.210\n",
		 "interfaces/lan0:3: VPNNat: only in a Role = lan block"},
		{"Role = offload\nDeviceType = tup\n", "interfaces/lan0:2: DeviceType: expected tun or tap"},
		{"Role = offload\nGateway = 224.0.0.1\n", "interfaces/lan0:2: Gateway: expected a unicast"},
		{"Role = offload\nGateway = 198.51.100.1\nGateway = 198.51.100.9\n",
		 "interfaces/lan0:3: Gateway: a second gateway"},
		{"Role = lan\nGateway = 198.51.100.1\n", "interfaces/lan0:2: Gateway: only in a Role = offload block"},
		{"Role = bridge\n", "interfaces/lan0:1: Role: expected lan, offload or local"},
		{"Role = lan\nColour = blue\n", "interfaces/lan0:2: Colour: unknown variable"},
		{"Role = lan\nAddress = 192.168.200.2\n", "interfaces/lan0:2: Address: expected ADDRESS/PREFIXLENGTH"},
		{"Role = lan\nAddress = 192.168.200.2/33\n", "interfaces/lan0:2: Address: prefix length"},
		{"Role = lan\nAddress = 224.0.0.1/24\n", "interfaces/lan0:2: Address: not a unicast"},
		{"Role = lan\nAddress = dhcp\nAddress = DHCP\n", "interfaces/lan0:3: Address: dhcp a second time"},
		{"Role = lan\nAddress = slaac\nAddress = slaac\n", "interfaces/lan0:3: Address: slaac a second time"},
		{"Role = lan\nMACAddress = 03:00:00:00:00:01\n", "interfaces/lan0:2: MACAddress: not a unicast"},
		{"Role = lan\nMACAddress = 02:00:00:00:00\n", "interfaces/lan0:2: MACAddress: expected"},
		{"Role = lan\nDevice = tun\n", "interfaces/lan0:2: Device: expected an absolute path"},
		{"Role = lan\nVPNNat = nonsense\n", "interfaces/lan0:2: VPNNat: expected"},
		{"Role = lan\nPortForward = tcp 80 192.168.200.11:80\n", "interfaces/lan0:2: PortForward: PortForward needs VPNNat"},
		{"Role = lan\nVPNNat = 192.168.192.210\nPortForward = sctp 80 192.168.200.11:80\n",
		 "interfaces/lan0:3: PortForward: protocol must be tcp or udp"},
		{"Role = lan\nVPNNat = 192.168.192.210\nPortForward = tcp 0 192.168.200.11:80\n",
		 "interfaces/lan0:3: PortForward: port must be"},
		{"Role = lan\nVPNNat = 192.168.192.210\nPortForward = tcp 80 192.168.200.11\n",
		 "interfaces/lan0:3: PortForward: expected LANHOST:PORT"},
		{"Role = lan\nVPNNat = 192.168.192.210\nPortForward = tcp 80 2001:db8::1:80\n",
		 "interfaces/lan0:3: PortForward: LANHOST must be"},
		{"Role = lan\nVPNNat = 192.168.192.210\nPortForward = tcp 80 192.168.200.11:80 extra\n",
		 "interfaces/lan0:3: PortForward: expected tcp|udp"},
		{"Role = lan\nRole = lan\n", "interfaces/lan0:2: Role: Role given twice"},
		{"Role = lan\nAddress\n", "interfaces/lan0:2"},
	};
	struct fld_iface_conf c;

	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = parse(cases[i].text, &c);
		if (rc != -1 || !strstr(last, cases[i].want))
			fail_msg("case %zu: rc %d, message '%s', wanted '%s'", i, rc, last, cases[i].want);
	}
}

/* Role = offload: a TAP with its gateways, addresses one per family. */
static void test_offload(void **st)
{
	struct fld_iface_conf c;

	(void)st;
	assert_int_equal(parse("Role = offload\nDeviceType = tap\nAddress = 198.51.100.2/24\n"
			       "Address = 2001:db8:100::2/64\nGateway = 198.51.100.1\nGateway = 2001:db8:100::1\n"
			       "MACAddress = 02:00:00:00:00:05\n", &c), 0);
	assert_int_equal(c.role, FLD_IFACE_OFFLOAD);
	assert_true(c.tap);
	assert_true(c.has_gw4 && c.has_gw6);
	assert_memory_equal(c.gw4, "\xc6\x33\x64\x01", 4);
	assert_int_equal(c.n_addr, 2);
	assert_int_equal(parse("Role = offload\nAddress = 198.51.100.2/24\n", &c), 0);
	assert_false(c.tap);
	assert_int_equal(parse("Role = local\nAddress = 192.168.192.211/24\nAddress = 2001:db8:192::211/64\n", &c), 0);
	assert_int_equal(c.role, FLD_IFACE_LOCAL);
	assert_int_equal(c.n_addr, 2);
}

static void test_names(void **st)
{
	(void)st;
	assert_true(fld_iface_name_ok("lan0"));
	assert_true(fld_iface_name_ok("A_b9"));
	assert_true(fld_iface_name_ok("abcdefghijklmno"));
	assert_false(fld_iface_name_ok("abcdefghijklmnop"));
	assert_false(fld_iface_name_ok(""));
	assert_false(fld_iface_name_ok("lan0-up"));
	assert_false(fld_iface_name_ok("lan.0"));
	assert_false(fld_iface_name_ok("../x"));
}

static void test_default_mac(void **st)
{
	uint8_t a[6], b[6], c[6];

	(void)st;
	fld_iface_default_mac("alpha", "lan0", a);
	fld_iface_default_mac("alpha", "lan0", b);
	fld_iface_default_mac("beta", "lan0", c);
	assert_memory_equal(a, b, 6);
	assert_memory_not_equal(a, c, 6);
	assert_int_equal(a[0] & 3, 2); /* unicast, locally administered */
	assert_int_equal(c[0] & 3, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_offload),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_default_mac),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
