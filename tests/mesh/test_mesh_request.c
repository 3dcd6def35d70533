/* SPDX-License-Identifier: MIT */
/*
 * test_mesh_request.c: parse/format of meta protocol request lines
 * (META.md §2, §5), including the round trip over the captured tinc
 * conversation in $FENLIU_VECTORS/meta-conversation.txt (tests/vectors).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "mesh/mesh_request.h"

static struct mesh_req req;

static enum mesh_req_err parse(const char *s)
{
	return mesh_req_parse(&req, s, strlen(s));
}

/* parse -> format gives the same text back */
static void roundtrip(const char *s)
{
	char out[MESH_LINE_MAX + 1];

	assert_int_equal(parse(s), MESH_REQ_OK);
	assert_int_equal(mesh_req_format(&req, out, sizeof(out)), (int)strlen(s));
	assert_string_equal(out, s);
}

static void test_id(void **st)
{
	(void)st;
	roundtrip("0 alpha 17.7");
	assert_int_equal(req.type, MESH_REQ_ID);
	assert_string_equal(req.id.name, "alpha");
	assert_int_equal(req.id.major, 17);
	assert_int_equal(req.id.minor, 7);
	assert_int_equal(parse("0 alpha 17"), MESH_REQ_OK);
	assert_int_equal(req.id.minor, 0);
	assert_int_equal(parse("0 alpha 17."), MESH_REQ_OK);
	assert_int_equal(req.id.minor, 0);
	assert_int_equal(parse("0 ^control 17.7"), MESH_REQ_OK);
	assert_int_equal(parse("0 alpha"), MESH_REQ_E_FIELDS);
	assert_int_equal(parse("0 al-pha 17.7"), MESH_REQ_E_NAME);
	assert_int_equal(parse("0 alpha 170.7"), MESH_REQ_E_INT);
	assert_int_equal(parse("0 alpha 17.7777"), MESH_REQ_E_INT);
	assert_int_equal(parse("0 alpha x.7"), MESH_REQ_E_INT);
}

static void test_ack(void **st)
{
	(void)st;
	roundtrip("4 655 23 700000c");
	assert_int_equal(req.ack.weight, 23);
	assert_int_equal(req.ack.options, 0x700000c);
	assert_string_equal(req.ack.port, "655");
	assert_int_equal(parse("4 655 23 700000C"), MESH_REQ_OK);
	assert_int_equal(req.ack.options, 0x700000c);
	assert_int_equal(parse("4 655 23"), MESH_REQ_E_FIELDS);
	assert_int_equal(parse("4 655 x 7"), MESH_REQ_E_INT);
	assert_int_equal(parse("4 655 1 100000000"), MESH_REQ_E_INT);
	assert_int_equal(parse("4 655 99999999999 1"), MESH_REQ_E_INT);
	/* trailing tokens are ignored like tinc's scanf */
	assert_int_equal(parse("4 655 1 c extra"), MESH_REQ_OK);
}

static void test_simple(void **st)
{
	(void)st;
	roundtrip("7");
	roundtrip("8");
	roundtrip("9");
	roundtrip("17 98");
	assert_int_equal(req.packet.length, 98);
	roundtrip("21 100");
	assert_int_equal(parse("17 -1"), MESH_REQ_E_LENGTH);
	assert_int_equal(parse("17 40000"), MESH_REQ_E_INT);
	assert_int_equal(parse("21 11"), MESH_REQ_E_LENGTH);
	assert_int_equal(parse("17"), MESH_REQ_E_FIELDS);
	assert_int_equal(parse("5"), MESH_REQ_E_NO_HANDLER);
	assert_int_equal(parse("6 x"), MESH_REQ_E_NO_HANDLER);
	assert_int_equal(parse("19 a b"), MESH_REQ_E_NO_HANDLER);
	assert_int_equal(parse("20 a b"), MESH_REQ_E_NO_HANDLER);
	assert_int_equal(parse("1 0 0 0 0 abcd"), MESH_REQ_E_LEGACY);
	assert_int_equal(parse("24"), MESH_REQ_E_NUMBER);
	assert_int_equal(parse("-1"), MESH_REQ_E_NUMBER);
	assert_int_equal(parse("x"), MESH_REQ_E_NUMBER);
	assert_int_equal(parse(" 8"), MESH_REQ_E_NUMBER);
	assert_int_equal(parse(""), MESH_REQ_E_EMPTY);
	assert_int_equal(parse("8\n"), MESH_REQ_OK);
	assert_int_equal(mesh_req_parse(&req, "8\0", 2), MESH_REQ_E_BAD_CHAR);
	assert_int_equal(parse("8\r"), MESH_REQ_E_BAD_CHAR);
}

static void test_subnet(void **st)
{
	(void)st;
	roundtrip("10 cce4c90a alpha 10.0.1.0/24");
	assert_int_equal(req.nonce, 0xcce4c90a);
	assert_string_equal(req.subnet.owner, "alpha");
	assert_int_equal(req.subnet.subnet.type, MESH_SUBNET_IPV4);
	assert_int_equal(req.subnet.subnet.prefix, 24);
	roundtrip("11 1 beta 2001:db8::/32#5");
	roundtrip("10 c7f1811 beta fe:fd:00:00:00:01");
	assert_int_equal(parse("10 cce4c90a alpha 10.0.1.0/33"), MESH_REQ_E_SUBNET);
	assert_int_equal(parse("10 cce4c90a al.pha 10.0.1.0/24"), MESH_REQ_E_NAME);
	assert_int_equal(parse("10 zz alpha 10.0.1.0/24"), MESH_REQ_E_NONCE);
	assert_int_equal(parse("10 123456789 alpha 10.0.1.0/24"), MESH_REQ_E_NONCE);
	assert_int_equal(parse("10 1 alpha"), MESH_REQ_E_FIELDS);
	/* host bits are not checked for subnets from the network */
	assert_int_equal(parse("10 1 alpha 10.0.1.1/24"), MESH_REQ_OK);
}

static void test_edge(void **st)
{
	(void)st;
	roundtrip("12 1c1c8547 alpha beta 192.0.2.7 655 700000c 14 198.51.100.3 655");
	assert_string_equal(req.edge.from, "alpha");
	assert_string_equal(req.edge.to, "beta");
	assert_string_equal(req.edge.laddr, "198.51.100.3");
	assert_int_equal(req.edge.weight, 14);
	roundtrip("12 1 alpha beta 2001:db8::1 655 c -3");
	assert_null(req.edge.laddr);
	assert_int_equal(parse("12 1 alpha beta 192.0.2.7 655 c 14 198.51.100.3"),
			 MESH_REQ_E_FIELDS);
	assert_int_equal(parse("12 1 alpha beta 192.0.2.7 655 c"), MESH_REQ_E_FIELDS);
	assert_int_equal(parse("12 1 alpha alpha 192.0.2.7 655 c 1"), MESH_REQ_E_SAME);
	assert_int_equal(parse("12 1 alpha be/ta 192.0.2.7 655 c 1"), MESH_REQ_E_NAME);
	assert_int_equal(parse("12 1 alpha beta 192.0.2.7 655 g 1"), MESH_REQ_E_INT);
	roundtrip("13 90b8a217 alpha beta");
	assert_int_equal(parse("13 1 alpha"), MESH_REQ_E_FIELDS);
	assert_int_equal(parse("13 1 alpha alpha"), MESH_REQ_E_SAME);
	roundtrip("14 abc whatever-name");
}

static void test_keys(void **st)
{
	(void)st;
	roundtrip("15 alpha beta 15 AAAAAAIA");
	assert_true(req.req_key.has_sub);
	assert_int_equal(req.req_key.sub, 15);
	assert_string_equal(req.req_key.payload, "AAAAAAIA");
	roundtrip("15 alpha beta 19");
	assert_null(req.req_key.payload);
	roundtrip("15 alpha beta");
	assert_false(req.req_key.has_sub);
	assert_int_equal(parse("15 alpha"), MESH_REQ_E_FIELDS);
	roundtrip("16 beta alpha AAAAAAIAAN0 -1 -1 -1 0");
	assert_int_equal(req.ans_key.maclen, -1);
	assert_null(req.ans_key.addr);
	roundtrip("16 beta alpha AAAA -1 -1 -1 12 192.0.2.1 655");
	assert_string_equal(req.ans_key.port, "655");
	assert_int_equal(parse("16 beta alpha AAAA -1 -1 -1"), MESH_REQ_E_FIELDS);
	roundtrip("22 alpha beta 192.0.2.1 655");
	assert_int_equal(parse("22 alpha beta 192.0.2.1"), MESH_REQ_E_FIELDS);
	roundtrip("23 alpha beta 1400");
	assert_int_equal(parse("23 alpha beta 511"), MESH_REQ_E_MTU);
	assert_int_equal(parse("23 alpha beta 5000"), MESH_REQ_OK);
}

static void test_limits(void **st)
{
	char line[MESH_LINE_MAX + 10];
	char out[64];

	(void)st;
	memset(line, 'A', sizeof(line));
	memcpy(line, "15 a b 15 ", 10);
	assert_int_equal(mesh_req_parse(&req, line, sizeof(line)), MESH_REQ_E_TOO_LONG);
	/* a 2049-character token is refused */
	assert_int_equal(mesh_req_parse(&req, line, 10 + 2049), MESH_REQ_E_TOO_LONG);
	assert_int_equal(mesh_req_parse(&req, line, 10 + 2048), MESH_REQ_OK);
	/* format refuses what does not fit */
	assert_int_equal(parse("4 655 23 700000c"), MESH_REQ_OK);
	assert_int_equal(mesh_req_format(&req, out, 5), -1);
	memset(&req, 0, sizeof(req));
	req.type = MESH_REQ_ADD_EDGE;
	req.edge.from = "a";
	req.edge.to = "b c";	/* a space would split the token */
	req.edge.addr = req.edge.port = "1";
	assert_int_equal(mesh_req_format(&req, out, sizeof(out)), -1);
	req.type = MESH_REQ_METAKEY;
	assert_int_equal(mesh_req_format(&req, out, sizeof(out)), -1);
}

/* Every line of the captured conversation parses and prints back verbatim. */
/* Ports on the wire are decimal 1..65535 or tinc's "unspec unspec" pair
 * (issue 22.4 of the ports: no atoi() on a peer's text). */
static void test_ports(void **st)
{
	static const char *const bad[] = {"0", "65536", "99999999999", "-1", "+655", "0655",
					  "655x", "x", "", "6 55", "unspec", "0x10"};
	char line[128];
	uint16_t p = 0;

	(void)st;
	assert_true(mesh_port_parse("1", &p) && p == 1);
	assert_true(mesh_port_parse("65535", &p) && p == 65535);
	assert_true(mesh_port_parse("655", &p) && p == 655);
	assert_false(mesh_port_parse(NULL, &p));
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_false(mesh_port_parse(bad[i], &p));
		if (!*bad[i] || strchr(bad[i], ' '))
			continue; /* no token at all: a field count error */
		snprintf(line, sizeof(line), "12 1 alpha beta 192.0.2.7 %s c 1", bad[i]);
		assert_int_equal(parse(line), MESH_REQ_E_PORT);
		snprintf(line, sizeof(line), "12 1 alpha beta 192.0.2.7 655 c 1 198.51.100.3 %s",
			 bad[i]);
		assert_int_equal(parse(line), MESH_REQ_E_PORT);
		snprintf(line, sizeof(line), "16 beta alpha AAAA -1 -1 -1 0 192.0.2.1 %s", bad[i]);
		assert_int_equal(parse(line), MESH_REQ_E_PORT);
		snprintf(line, sizeof(line), "22 alpha beta 192.0.2.1 %s", bad[i]);
		assert_int_equal(parse(line), MESH_REQ_E_PORT);
		snprintf(line, sizeof(line), "4 %s 1 c", bad[i]);
		assert_int_equal(parse(line), MESH_REQ_E_PORT);
	}
	/* tinc prints an unknown local address as "unspec unspec": relay it. */
	roundtrip("12 1 alpha beta 192.0.2.7 655 c 1 unspec unspec");
	assert_int_equal(parse("12 1 alpha beta 192.0.2.7 unspec c 1"), MESH_REQ_E_PORT);
	roundtrip("22 alpha beta 192.0.2.1 65535");
	assert_string_not_equal(mesh_req_strerror(MESH_REQ_E_PORT), "unknown error");
}

static void test_vector_roundtrip(void **st)
{
	const char *dir = getenv("FENLIU_VECTORS");
	char path[4096], line[4096];
	FILE *f;
	int n = 0;

	(void)st;
	if (!dir)
		skip();
	snprintf(path, sizeof(path), "%s/meta-conversation.txt", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		size_t len = strcspn(line, "\n");

		line[len] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		/* "A>B [raw] " / "B>A [rec] " prefix */
		p = strchr(line, ']');
		assert_non_null(p);
		roundtrip(p + 2);
		n++;
	}
	fclose(f);
	assert_true(n >= 30);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_ack),
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_subnet),
		cmocka_unit_test(test_edge),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_vector_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
