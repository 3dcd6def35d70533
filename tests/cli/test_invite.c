/* SPDX-License-Identifier: MIT */
/*
 * Invitations' pure parts: src/invite (URL, hashes, file Name) against
 * values stock `tinc invite` produced, and cli_join_data.c (what `fenliu
 * join` makes of an invitation) on good and hostile invitations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

#include "cli/cli_join_data.h"
#include "crypto/b64.h"
#include "crypto/ed25519_keyfile.h"
#include "invite/inv.h"

/* Made by stock tinc 1.1: `tinc invite d` with this invitation key printed
 * .../khgFw0mc-PcZiWMH3nK9YJ6TZP5mEPfdHkumMJIP-OmsueFU and wrote
 * invitations/8iKsGP1FWwdDcE364xpD2TLF. */
static const char tinc_inv_key[] =
	"-----BEGIN ED25519 PRIVATE KEY-----\n"
	"IGPnce3ZvKKH+OQnOQoBEBnG4mEAynOtIzF63vDRvXkM5prjzWI+TIsiyiXJ/Qwj\n"
	"DQ9NcHNBTbAN2ya7RC7GqL4MrBif09rGvg5hhBTSL1DGTP3c/CKYBL75qJLi9Ljl\n"
	"-----END ED25519 PRIVATE KEY-----\n";
static const char tinc_url[] =
	"192.0.2.1:6655/khgFw0mc-PcZiWMH3nK9YJ6TZP5mEPfdHkumMJIP-OmsueFU";

static void test_tinc_vector(void **state)
{
	struct fl_ed25519_key key;
	struct fl_keyfile_diag diag;
	struct fl_inv_url u;
	char text[64], hash[FL_INV_B64_LEN + 1], file[FL_INV_B64_LEN + 1];
	uint8_t raw[FL_INV_RAW_LEN];

	(void)state;
	assert_int_equal(fl_keyfile_read_private(&key, tinc_inv_key, strlen(tinc_inv_key), &diag),
			 FL_KEYFILE_OK);
	fl_b64_encode(text, sizeof text, key.pub, 32, false);
	assert_int_equal(strlen(text), FL_INV_KEY_B64_LEN);
	fl_inv_key_hash(hash, text);
	assert_string_equal(hash, "khgFw0mc-PcZiWMH3nK9YJ6T");
	assert_int_equal(fl_inv_url_parse(&u, tinc_url, strlen(tinc_url)), FL_INV_OK);
	assert_string_equal(u.host, "192.0.2.1");
	assert_string_equal(u.port, "6655");
	fl_inv_key_hash_raw(raw, text);
	assert_memory_equal(raw, u.hash, sizeof raw);
	fl_inv_cookie_name(file, u.cookie, text);
	assert_string_equal(file, "8iKsGP1FWwdDcE364xpD2TLF");
	assert_true(fl_inv_is_file_name(file));
	assert_false(fl_inv_is_file_name("ed25519_key.priv"));
	assert_false(fl_inv_is_file_name("8iKsGP1FWwdDcE364xpD2TLF.used"));
	fl_ed25519_key_wipe(&key);
}

static void expect_url(const char *s, enum fl_inv_err want, const char *host, const char *port)
{
	struct fl_inv_url u;

	assert_int_equal(fl_inv_url_parse(&u, s, strlen(s)), want);
	assert_string_equal(u.host, host);
	assert_string_equal(u.port, port);
}

#define TAIL "khgFw0mc-PcZiWMH3nK9YJ6TZP5mEPfdHkumMJIP-OmsueFU"

static void test_urls(void **state)
{
	(void)state;
	expect_url("example.org/" TAIL "\n", FL_INV_OK, "example.org", "655");
	expect_url("[2001:db8::1]:7000/" TAIL, FL_INV_OK, "2001:db8::1", "7000");
	expect_url("[2001:db8::1]/" TAIL, FL_INV_OK, "2001:db8::1", "655");
	expect_url("h:/" TAIL, FL_INV_OK, "h", "655");
	expect_url("h" TAIL, FL_INV_ERR_URL, "", "");
	expect_url("h/" TAIL "x", FL_INV_ERR_URL, "", "");
	expect_url("h/" TAIL "/", FL_INV_ERR_URL, "", "");
	expect_url("h/khgFw0mc-PcZiWMH3nK9YJ6TZP5mEPfdHkumMJIP-Oms!eFU", FL_INV_ERR_URL, "", "");
	expect_url("[2001:db8::1/" TAIL, FL_INV_ERR_URL, "", "");
	expect_url("", FL_INV_ERR_URL, "", "");
}

static void expect_name(const char *s, enum fl_inv_err want, const char *name)
{
	char out[16];

	assert_int_equal(fl_inv_file_name(out, sizeof out, (const uint8_t *)s, strlen(s)), want);
	assert_string_equal(out, name);
}

static void test_file_name(void **state)
{
	uint8_t pub[32];

	(void)state;
	expect_name("Name = bob\nConnectTo = a\n", FL_INV_OK, "bob");
	expect_name("name\tbob_2 \r\n", FL_INV_OK, "bob_2");
	expect_name("Name=bob", FL_INV_OK, "bob");
	expect_name("Nam = bob\n", FL_INV_ERR_NAME, "");
	expect_name("Name = bo-b\n", FL_INV_ERR_NAME, "");
	expect_name("Name = \n", FL_INV_ERR_NAME, "");
	expect_name("Name = averyveryverylongname\n", FL_INV_ERR_NAME, "");
	expect_name("", FL_INV_ERR_NAME, "");
	assert_int_equal(fl_inv_parse_key(pub, "3f1wYG/WZVRb7GQa3YRIoAYGlsNCK+5XLvQzerjjTwO", 43),
			 FL_INV_OK);
	assert_int_equal(fl_inv_parse_key(pub, "3f1wYG/WZVRb7GQa3YRIoAYGlsNCK+5XLvQzerjjTw", 42),
			 FL_INV_ERR_KEY);
	assert_int_equal(fl_inv_parse_key(pub, "3f1wYG/WZVRb7GQa3YRIoAYGlsNCK+5XLvQzerjjT\nO", 43),
			 FL_INV_ERR_KEY);
}

static const char invitation[] =
	"Name = bob\n"
	"NetName = office\n"
	"ConnectTo = alice\n"
	"Mode = switch\n"
	"Subnet = 198.51.100.2/32\n"
	"ClampMSS = no\n"
	"# a comment\n"
	"Device = /dev/evil\n"
	"Frobnicate = 1\n"
	"Ifconfig = 198.51.100.2/24\n"
	"Route = 198.51.100.128/25 198.51.100.1\n"
	"Ifconfig = 1.2.3.4; rm -rf /\n"
	"#---------------------------------------------------------------#\n"
	"Name = alice\n"
	"Address = 192.0.2.1\n"
	"Port = 655\n"
	"Name = carol\n"
	"Subnet = 198.51.100.3/32\n";

static void test_join_plan(void **state)
{
	struct cli_join_plan p;

	(void)state;
	assert_int_equal(cli_join_plan(&p, invitation, strlen(invitation), false), CLI_JOIN_OK);
	assert_string_equal(p.name, "bob");
	assert_string_equal(p.netname, "office");
	assert_string_equal(p.conf.s, "Name = bob\nConnectTo = alice\nMode = switch\n");
	assert_string_equal(p.host.s, "Subnet = 198.51.100.2/32\nClampMSS = no\n");
	assert_true(p.up_generated);
	assert_non_null(strstr(p.up.s, "ip addr replace 198.51.100.2/24 dev \"$INTERFACE\"\n"));
	assert_non_null(strstr(p.up.s, "ip route add 198.51.100.128/25 via 198.51.100.1 dev"));
	assert_null(strstr(p.up.s, "rm -rf"));
	assert_non_null(strstr(p.notes.s, "Ignoring unsafe variable 'Device' in invitation."));
	assert_non_null(strstr(p.notes.s, "Ignoring unknown variable 'Frobnicate' in invitation."));
	assert_non_null(strstr(p.notes.s, "Could not parse address in Ifconfig statement"));
	assert_int_equal(p.n_hosts, 2);
	assert_string_equal(p.hosts[0].name, "alice");
	assert_string_equal(p.hosts[0].text.s, "Address = 192.0.2.1\nPort = 655\n");
	assert_string_equal(p.hosts[1].name, "carol");
	assert_string_equal(p.hosts[1].text.s, "Subnet = 198.51.100.3/32\n");
	cli_join_plan_free(&p);

	/* --force keeps a known unsafe variable, with a warning */
	assert_int_equal(cli_join_plan(&p, invitation, strlen(invitation), true), CLI_JOIN_OK);
	assert_non_null(strstr(p.conf.s, "Device = /dev/evil\n"));
	assert_non_null(strstr(p.notes.s, "Warning: unsafe variable 'Device' in invitation."));
	cli_join_plan_free(&p);
}

static void expect_plan(const char *s, enum cli_join_err want)
{
	struct cli_join_plan p;

	assert_int_equal(cli_join_plan(&p, s, strlen(s), false), want);
	cli_join_plan_free(&p);
}

static void test_join_hostile(void **state)
{
	char *big = malloc(3000);

	(void)state;
	expect_plan("", CLI_JOIN_ERR_NONAME);
	expect_plan("ConnectTo = a\nName = b\n", CLI_JOIN_ERR_NONAME);
	expect_plan("Name = ../etc\n", CLI_JOIN_ERR_NAME);
	expect_plan("Name = b\nNetName = ../x\n", CLI_JOIN_ERR_NETNAME);
	expect_plan("Name = b\nNetName = a b\n", CLI_JOIN_ERR_NETNAME);
	expect_plan("Name = b\nName = ../passwd\nx\n", CLI_JOIN_ERR_HOSTNAME);
	expect_plan("Name = b\nName = a\nName = b\nx\n", CLI_JOIN_ERR_OWN);
	expect_plan("Name = b\n\x01\x02\n", CLI_JOIN_ERR_LINE);
	expect_plan("Name = b\nMode = sw\0itch\n", CLI_JOIN_OK); /* strlen stops at the NUL */
	assert_non_null(big);
	memset(big, 'a', 2999);
	big[2999] = 0;
	memcpy(big, "Name = b\nSubnet = ", 18);
	expect_plan(big, CLI_JOIN_ERR_LINE);
	free(big);
	{
		struct cli_join_plan p;
		static const char nul[] = "Name = b\nMode = sw\0itch\n";
		assert_int_equal(cli_join_plan(&p, nul, sizeof nul - 1, false), CLI_JOIN_ERR_LINE);
		cli_join_plan_free(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tinc_vector),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_file_name),
		cmocka_unit_test(test_join_plan),
		cmocka_unit_test(test_join_hostile),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
