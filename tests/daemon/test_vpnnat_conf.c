/* SPDX-License-Identifier: MIT */
/* test_vpnnat_conf.c: cmocka tests for fld_vpnnat_conf.c, the VPNNat and
 * PortForward lines of an interfaces/NAME file: what is accepted, and for
 * each rejection that the message names FILE:LINE and says why.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "daemon/fld_vpnnat.h"

static char errs[4096];
static int n_errs;

static void on_error(void *ctx, const char *msg)
{
	(void)ctx;
	n_errs++;
	size_t l = strlen(errs);
	snprintf(errs + l, sizeof(errs) - l, "%s\n", msg);
}

static const struct fl_conf_reporter rep = {on_error, on_error, NULL};
static const char *subnet_lines[] = {"192.168.192.210/32", "10.9.0.0/16", "2001:db8::/64"};
static const struct fl_strv subnets = {subnet_lines, 3};

/* Parses text as interfaces/lan0 on a LAN 192.168.200.2/24. */
static int parse(const char *text, struct fld_vpnnat_conf *out)
{
	struct fl_conf c;
	struct fld_vpnnat_prefix pfx = {0, 24};
	inet_pton(AF_INET, "192.168.200.2", &pfx.addr);
	errs[0] = '\0';
	n_errs = 0;
	fl_conf_init(&c);
	assert_int_equal(fl_conf_parse(&c, text, strlen(text), "interfaces/lan0", &rep), FL_CONF_OK);
	int r = fld_vpnnat_conf_parse(&c, &subnets, &pfx, 1, &rep, out);
	fl_conf_free(&c);
	return r;
}

static uint32_t ip(const char *s)
{
	uint32_t a;
	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

static void test_good(void **state)
{
	(void)state;
	struct fld_vpnnat_conf c;
	assert_int_equal(parse("Role = lan\nPortForward = tcp 8080 192.168.200.11:80\n"
			       "VPNNat = 192.168.192.210\n"
			       "PortForward = UDP\t5353   192.168.200.12:53\n", &c), 0);
	assert_true(c.on);
	assert_int_equal(c.addr, ip("192.168.192.210"));
	assert_int_equal(c.n_fwd, 2);
	assert_int_equal(c.fwd[0].proto, 6);
	assert_int_equal(c.fwd[0].ext_port, htons(8080));
	assert_int_equal(c.fwd[0].int_addr, ip("192.168.200.11"));
	assert_int_equal(c.fwd[0].int_port, htons(80));
	assert_int_equal(c.fwd[1].proto, 17);
	assert_int_equal(c.fwd[1].int_port, htons(53));
	fld_vpnnat_conf_free(&c);
	/* Absent: off, no error. */
	assert_int_equal(parse("Role = lan\n", &c), 0);
	assert_false(c.on);
	fld_vpnnat_conf_free(&c);
}

/* One bad config: parse fails, one message, at LINE, containing `why`. */
static void bad(const char *text, int line, const char *why)
{
	struct fld_vpnnat_conf c;
	char where[64];
	assert_int_equal(parse(text, &c), -1);
	assert_int_equal(n_errs, 1);
	snprintf(where, sizeof(where), "interfaces/lan0:%d: ", line);
	if (strncmp(errs, where, strlen(where)) != 0 || !strstr(errs, why))
		fail_msg("want '%s' ... '%s', got '%s'", where, why, errs);
	assert_false(c.on);
	assert_null(c.fwd);
}

#define NAT "VPNNat = 192.168.192.210\n"

static void test_errors(void **state)
{
	(void)state;
	bad("VPNNat = 10.1.2.3\n", 1, "not inside one of our Subnets");
	bad("VPNNat = 2001:db8::1\n", 1, "IPv4");
	bad("VPNNat = 224.0.0.1\n", 1, "unicast");
	bad("VPNNat = banana\n", 1, "expected an IPv4 address");
	bad(NAT "VPNNat = 10.9.0.1\n", 2, "given twice");
	bad("PortForward = tcp 80 192.168.200.11:80\n", 1, "needs VPNNat");
	bad(NAT "PortForward = sctp 80 192.168.200.11:80\n", 2, "not tcp or udp");
	bad(NAT "PortForward = tcp 0 192.168.200.11:80\n", 2, "not in 1-65535");
	bad(NAT "PortForward = tcp 65536 192.168.200.11:80\n", 2, "not in 1-65535");
	bad(NAT "PortForward = tcp -1 192.168.200.11:80\n", 2, "not in 1-65535");
	bad(NAT "PortForward = tcp 80 192.168.200.11:0\n", 2, "LAN port");
	bad(NAT "PortForward = tcp 80 192.168.200.11\n", 2, "LANHOST:PORT");
	bad(NAT "PortForward = tcp 80 192.168.201.11:80\n", 2, "not inside the interface's");
	bad(NAT "PortForward = tcp 80 192.168.200.2:80\n", 2, "own address");
	bad(NAT "PortForward = tcp 80 192.168.200.255:80\n", 2, "broadcast");
	bad(NAT "PortForward = tcp 80 host.example:80\n", 2, "not an IPv4 address");
	bad(NAT "PortForward = tcp 80\n", 2, "expected 'tcp|udp PORT LANHOST:PORT'");
	bad(NAT "PortForward = tcp 80 192.168.200.11:80 extra\n", 2, "expected");
	bad(NAT "PortForward = tcp 80 192.168.200.11:80\nPortForward = tcp 80 192.168.200.12:80\n", 3,
	    "forwarded twice");
	bad(NAT "PortForward = udp 80 192.168.200.11:80\nPortForward = udp 81 192.168.200.11:80\n", 3,
	    "target of two forwards");
}

static void test_text(void **state)
{
	(void)state;
	struct fld_vpnnat_conf c;
	struct fld_vpnnat_prefix pfx = {ip("192.168.200.2"), 24};
	const char *t = "Role = lan\nVPNNat = 10.9.1.1\nPortForward = udp 1 192.168.200.9:2\n";
	assert_int_equal(fld_vpnnat_conf_parse_text("f", t, strlen(t), &subnets, &pfx, 1, &rep, &c), 0);
	assert_int_equal(c.n_fwd, 1);
	assert_int_equal(c.addr, ip("10.9.1.1"));
	fld_vpnnat_conf_free(&c);
	/* Address = dhcp: no prefix known, LANHOST unchecked. */
	t = "VPNNat = 10.9.1.1\nPortForward = udp 1 172.16.0.9:2\n";
	assert_int_equal(fld_vpnnat_conf_parse_text("f", t, strlen(t), &subnets, NULL, 0, &rep, &c), 0);
	fld_vpnnat_conf_free(&c);
}

static void test_same_port_two_protocols(void **state)
{
	(void)state;
	struct fld_vpnnat_conf c;
	assert_int_equal(parse(NAT "PortForward = tcp 53 192.168.200.11:53\n"
			       "PortForward = udp 53 192.168.200.11:53\n", &c), 0);
	assert_int_equal(c.n_fwd, 2);
	fld_vpnnat_conf_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_same_port_two_protocols),
		cmocka_unit_test(test_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
