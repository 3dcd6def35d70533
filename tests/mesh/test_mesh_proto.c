/* SPDX-License-Identifier: MIT */
/*
 * test_mesh_proto.c: the meta protocol logic of one mesh instance (alpha)
 * driven line by line: ID checks, ACK, flooding and contradictions, routed
 * key requests, timers, outgoing connections and AutoConnect.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/b64.h"
#include "mesh/mesh_internal.h"

static fl_time_t now;
static uint32_t seed;
static struct mesh *m;
static struct mesh_out o;

static const char *const beta_hosts[] = {"192.0.2.2", "198.51.100.2"};
static const char *const beta_ports[] = {"655", "656"};

static bool lookup(void *ctx, const char *name, struct mesh_host_info *h)
{
	static const char *const known[] = {"alpha", "beta", "gamma", "delta",
					    "nokey", "heavy"};
	(void)ctx;
	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
		if (strcmp(name, known[i]))
			continue;
		h->exists = true;
		h->has_key = strcmp(name, "nokey") != 0;
		if (!strcmp(name, "heavy")) {
			h->has_weight = true;
			h->weight = 42;
		}
		if (!strcmp(name, "beta") || !strcmp(name, "gamma")) {
			h->has_address = true;
			h->n_addresses = 2;
			h->address_host = beta_hosts;
			h->address_port = beta_ports;
		}
		return true;
	}
	return false;
}

static uint32_t rnd(void *ctx)
{
	(void)ctx;
	seed = seed * 1103515245u + 12345u;
	return seed;
}

static int setup(void **st)
{
	struct mesh_config cfg = {0};

	(void)st;
	now = FL_TIME_MS(1700000000000LL);
	seed = 1;
	cfg.myname = "alpha";
	cfg.my_udp_port = "655";
	cfg.my_pubkey_b64 = "ALPHAKEY";
	cfg.my_options = MESH_OPT_PMTU_DISCOVERY | MESH_OPT_CLAMP_MSS;
	cfg.forwarding_internal = true;
	cfg.host_lookup = lookup;
	cfg.random_u32 = rnd;
	m = mesh_new(&cfg, now);
	assert_non_null(m);
	mesh_out_init(&o);
	return 0;
}

static int teardown(void **st)
{
	(void)st;
	mesh_out_clear(&o);
	mesh_free(m);
	return 0;
}

/* Replace alpha's mesh by one made with cfg (plus the test's name and
 * callbacks). */
static void remake(struct mesh_config *cfg)
{
	mesh_free(m);
	cfg->myname = "alpha";
	cfg->host_lookup = lookup;
	cfg->random_u32 = rnd;
	m = mesh_new(cfg, now);
	assert_non_null(m);
}

static enum mesh_err rx(int32_t conn, const char *line)
{
	return mesh_conn_recv(m, conn, line, strlen(line), now, &o);
}

/* Number of outputs of kind k (to conn, if conn >= 0). */
static int count(enum mesh_out_kind k, int32_t conn)
{
	int n = 0;

	for (size_t i = 0; i < o.n; i++)
		n += o.v[i].kind == k && (conn < 0 || o.v[i].conn == conn);
	return n;
}

/* Text of the first SEND to conn whose text starts with prefix. */
static const char *sent(int32_t conn, const char *prefix)
{
	for (size_t i = 0; i < o.n; i++)
		if ((o.v[i].kind == MESH_OUT_SEND || o.v[i].kind == MESH_OUT_SEND_RAW) &&
		    o.v[i].conn == conn && !strncmp(o.v[i].text, prefix, strlen(prefix)))
			return o.v[i].text;
	return NULL;
}

static const struct mesh_out_item *item(enum mesh_out_kind k)
{
	for (size_t i = 0; i < o.n; i++)
		if (o.v[i].kind == k)
			return &o.v[i];
	return NULL;
}

static void clear(void)
{
	mesh_out_clear(&o);
}

/* Accept a connection from peer and run it to ACTIVE. */
static void activate(int32_t conn, const char *peer, const char *ip,
		     const char *ack)
{
	char id[64];

	assert_true(mesh_conn_open(m, conn, NULL, ip, "40000", "192.0.2.1", now, &o));
	snprintf(id, sizeof(id), "0 %s 17.7", peer);
	assert_int_equal(rx(conn, id), MESH_OK);
	assert_int_equal(mesh_conn_sptps_ready(m, conn, now, &o), MESH_OK);
	assert_int_equal(rx(conn, ack), MESH_OK);
}

static void test_id_checks(void **st)
{
	static const struct { const char *line; enum mesh_err e; } cases[] = {
		{"0 beta 17.1", MESH_E_LEGACY},
		{"0 beta 17.0", MESH_E_LEGACY},
		{"0 beta 17", MESH_E_LEGACY},
		{"0 nokey 17.7", MESH_E_UNKNOWN_HOST},
		{"0 stranger 17.7", MESH_E_UNKNOWN_HOST},
		{"0 alpha 17.7", MESH_E_ID},
		{"0 beta 18.7", MESH_E_ID},
		{"0 ^beta 17.7", MESH_E_ID},
		{"0 ?beta 17.7", MESH_E_ID},
		{"8", MESH_E_UNAUTHORIZED},
		{"4 655 1 700000c", MESH_E_UNAUTHORIZED},
		{"1 0 0 0 0 abc", MESH_E_UNAUTHORIZED},
		{"5", MESH_E_PARSE},
		{"0 be-ta 17.7", MESH_E_PARSE},
	};

	(void)st;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_true(mesh_conn_open(m, 1, NULL, "192.0.2.2", "40000", "192.0.2.1", now, &o));
		assert_int_equal(rx(1, cases[i].line), cases[i].e);
		mesh_conn_close(m, 1, now, &o);
		assert_null(mesh_conn_find(m, 1));
		clear();
	}
	/* initiator: the peer must be who we called */
	assert_true(mesh_conn_open(m, 2, "beta", "192.0.2.2", "655", "192.0.2.1", now, &o));
	assert_string_equal(sent(2, "0"), "0 alpha 17.7");
	assert_int_equal(rx(2, "0 gamma 17.7"), MESH_E_ID);
	mesh_conn_close(m, 2, now, &o);
	clear();
	/* handshake state allows only ACK; CONTROL never */
	assert_true(mesh_conn_open(m, 3, NULL, "192.0.2.2", "40000", "192.0.2.1", now, &o));
	assert_int_equal(rx(3, "0 beta 17.7"), MESH_OK);
	assert_string_equal(sent(3, "0"), "0 alpha 17.7");
	assert_non_null(item(MESH_OUT_START_SPTPS));
	assert_false(item(MESH_OUT_START_SPTPS)->initiator);
	assert_int_equal(rx(3, "12 1 beta gamma 1.2.3.4 655 c 1"), MESH_E_UNAUTHORIZED);
	assert_int_equal(rx(3, "18 0"), MESH_E_CONTROL);
	assert_int_equal(rx(3, "0 beta 17.7"), MESH_E_UNAUTHORIZED);
	assert_int_equal(mesh_conn_recv(m, 99, "8", 1, now, &o), MESH_E_NOCONN);
	assert_false(mesh_conn_open(m, 3, NULL, "x", "y", "z", now, &o));
}

static void test_ack(void **st)
{
	struct mesh_subnet sn;
	const struct mesh_conn *c;
	struct mesh_edge *e;

	(void)st;
	mesh_subnet_parse(&sn, "10.0.1.0/24", 11);
	assert_true(mesh_add_own_subnet(m, &sn, &o));
	assert_non_null(item(MESH_EV_SUBNET_UP));
	clear();
	assert_true(mesh_conn_open(m, 1, NULL, "198.51.100.2", "40000", "192.0.2.1", now, &o));
	assert_int_equal(rx(1, "0 beta 17.7"), MESH_OK);
	now += FL_TIME_MS(30);
	assert_int_equal(mesh_conn_sptps_ready(m, 1, now, &o), MESH_OK);
	assert_string_equal(sent(1, "4 "), "4 655 30 700000c");
	clear();
	/* a re-handshake sends nothing */
	assert_int_equal(mesh_conn_sptps_ready(m, 1, now, &o), MESH_OK);
	assert_int_equal(o.n, 0);
	/* peer without PMTU discovery: the bit is dropped for the connection */
	assert_int_equal(rx(1, "4 656 15 7000008"), MESH_OK);
	assert_non_null(sent(1, "10 "));
	assert_true(strstr(sent(1, "10 "), " alpha 10.0.1.0/24") != NULL);
	assert_string_equal(strchr(strchr(sent(1, "12 "), ' ') + 1, ' ') + 1,
			    "alpha beta 198.51.100.2 656 7000008 22 192.0.2.1 655");
	c = mesh_conn_find(m, 1);
	assert_int_equal(c->state, MESH_CONN_ACTIVE);
	assert_int_equal(c->options, 0x7000008);
	e = mesh_edge_find(mesh_myself(m), mesh_node_find(m, "beta"));
	assert_non_null(e);
	assert_int_equal(e->weight, 22);	/* (15 + 30) / 2 */
	/* half edge only: beta is not reachable yet */
	assert_false(mesh_node_find(m, "beta")->status & MESH_NS_REACHABLE);
	clear();
	assert_int_equal(rx(1, "12 99 beta alpha 192.0.2.1 655 700000c 22"), MESH_OK);
	assert_non_null(item(MESH_EV_HOST_UP));
	assert_non_null(item(MESH_EV_GRAPH_CHANGED));
	assert_true(mesh_node_find(m, "beta")->status & MESH_NS_REACHABLE);
	assert_string_equal(mesh_node_find(m, "beta")->addr, "198.51.100.2");
	clear();
	/* a hosts-file Weight overrides the measured one */
	assert_true(mesh_conn_open(m, 2, NULL, "203.0.113.9", "40000", "192.0.2.1", now, &o));
	assert_int_equal(rx(2, "0 heavy 17.7"), MESH_OK);
	assert_int_equal(mesh_conn_sptps_ready(m, 2, now + FL_TIME_MS(500), &o), MESH_OK);
	assert_string_equal(sent(2, "4 "), "4 655 42 700000c");
	clear();
	/* send everything: our subnet, then alpha->beta, beta->alpha, in order */
	assert_int_equal(rx(2, "4 655 42 700000c"), MESH_OK);
	assert_true(o.n >= 4);
	assert_true(strstr(o.v[0].text, "alpha 10.0.1.0/24") != NULL);
	assert_true(strstr(o.v[1].text, " alpha beta ") != NULL);
	assert_true(strstr(o.v[2].text, " beta alpha ") != NULL);
	/* the new edge goes to both connections */
	assert_int_equal(count(MESH_OUT_SEND, 1), 1);
	assert_true(strstr(sent(1, "12 "), " alpha heavy ") != NULL);
}

static void test_replace_duplicate(void **st)
{
	(void)st;
	activate(1, "beta", "192.0.2.2", "4 655 10 700000c");
	clear();
	assert_true(mesh_conn_open(m, 2, NULL, "192.0.2.2", "40001", "192.0.2.1", now, &o));
	assert_int_equal(rx(2, "0 beta 17.7"), MESH_OK);
	assert_int_equal(mesh_conn_sptps_ready(m, 2, now, &o), MESH_OK);
	assert_int_equal(rx(2, "4 655 10 700000c"), MESH_OK);
	assert_int_equal(item(MESH_OUT_CLOSE)->conn, 1);
	assert_null(mesh_conn_find(m, 1));
	assert_int_equal(mesh_node_find(m, "beta")->conn, 2);
	/* no DEL_EDGE for the replaced connection's edge */
	assert_null(sent(2, "13 "));
}

static void two_peers(void)
{
	activate(1, "beta", "192.0.2.2", "4 655 10 700000c");
	activate(2, "gamma", "192.0.2.3", "4 655 10 700000c");
	assert_int_equal(rx(1, "12 a1 beta alpha 192.0.2.1 655 700000c 10"), MESH_OK);
	assert_int_equal(rx(2, "12 a2 gamma alpha 192.0.2.1 655 700000c 10"), MESH_OK);
	assert_true(mesh_node_find(m, "beta")->status & MESH_NS_REACHABLE);
	assert_true(mesh_node_find(m, "gamma")->status & MESH_NS_REACHABLE);
	clear();
}

static void test_flooding(void **st)
{
	(void)st;
	two_peers();
	/* new subnet of an unknown node: stored, forwarded unchanged */
	assert_int_equal(rx(1, "10 1 delta 192.0.2.0/24#10"), MESH_OK);
	assert_string_equal(sent(2, "10"), "10 1 delta 192.0.2.0/24#10");
	assert_null(sent(1, "10"));
	assert_non_null(mesh_node_find(m, "delta"));
	assert_null(item(MESH_EV_SUBNET_UP));	/* delta is unreachable */
	clear();
	/* the same line again (from anyone) is ignored */
	assert_int_equal(rx(2, "10 1 delta 192.0.2.0/24#10"), MESH_OK);
	assert_int_equal(o.n, 0);
	/* same fact, new nonce: we have it already, not forwarded */
	assert_int_equal(rx(2, "10 2 delta 192.0.2.0/24"), MESH_OK);
	assert_int_equal(count(MESH_OUT_SEND, -1), 0);
	/* a subnet of ours we do not have: DEL_SUBNET back to the sender */
	assert_int_equal(rx(2, "10 3 alpha 198.51.100.0/24"), MESH_OK);
	assert_true(strstr(sent(2, "11 "), " alpha 198.51.100.0/24") != NULL);
	assert_int_equal(count(MESH_OUT_SEND, 1), 0);
	clear();
	/* an edge of ours that does not exist: DEL_EDGE back */
	assert_int_equal(rx(1, "12 4 alpha delta 203.0.113.4 655 c 1"), MESH_OK);
	assert_true(strstr(sent(1, "13 "), " alpha delta") != NULL);
	assert_int_equal(count(MESH_OUT_SEND, 2), 0);
	clear();
	/* someone deletes our edge: our ADD_EDGE back */
	assert_int_equal(rx(1, "13 5 alpha gamma"), MESH_OK);
	assert_true(strstr(sent(1, "12 "), " alpha gamma 192.0.2.3 655 ") != NULL);
	clear();
	/* someone misstates our edge: the correct one back */
	assert_int_equal(rx(2, "12 6 alpha gamma 192.0.2.99 655 700000c 10"), MESH_OK);
	assert_true(strstr(sent(2, "12 "), " alpha gamma 192.0.2.3 655 ") != NULL);
	clear();
	/* DEL_SUBNET of a subnet we own: ADD_SUBNET back */
	{
		struct mesh_subnet sn;
		mesh_subnet_parse(&sn, "10.9.0.0/16", 11);
		mesh_add_own_subnet(m, &sn, &o);
		clear();
	}
	assert_int_equal(rx(1, "11 7 alpha 10.9.0.0/16"), MESH_OK);
	assert_true(strstr(sent(1, "10 "), " alpha 10.9.0.0/16") != NULL);
	clear();
	/* KEY_CHANGED: forwarded for known names only */
	assert_int_equal(rx(1, "14 8 gamma"), MESH_OK);
	assert_string_equal(sent(2, "14"), "14 8 gamma");
	clear();
	assert_int_equal(rx(1, "14 9 nobody"), MESH_OK);
	assert_int_equal(o.n, 0);
	mesh_send_key_changed(m, &o);
	assert_true(strstr(sent(1, "14 "), " alpha") != NULL);
	assert_true(strstr(sent(2, "14 "), " alpha") != NULL);
	clear();
	/* DEL_SUBNET of a reachable owner: subnet-down, forwarded */
	assert_int_equal(rx(2, "10 a gamma 203.0.113.0/24"), MESH_OK);
	assert_non_null(item(MESH_EV_SUBNET_UP));
	clear();
	assert_int_equal(rx(2, "11 b gamma 203.0.113.0/24"), MESH_OK);
	assert_non_null(item(MESH_EV_SUBNET_DOWN));
	assert_string_equal(sent(1, "11"), "11 b gamma 203.0.113.0/24");
	clear();
	assert_int_equal(rx(1, "7"), MESH_E_TERMREQ);
	assert_int_equal(rx(1, "12 c beta gamma 1 2 c"), MESH_E_PARSE);
}

static void test_contradiction_storm(void **st)
{
	char line[64];

	(void)st;
	two_peers();
	for (int i = 0; i < 101 * 2; i++) {
		snprintf(line, sizeof(line), "%s %x alpha delta 203.0.113.4 655 c 1",
			 i % 2 ? "12" : "13", i + 100);
		if (i % 2 == 0)
			snprintf(line, sizeof(line), "13 %x alpha gamma", i + 100);
		assert_int_equal(rx(1, line), MESH_OK);
	}
	clear();
	now += FL_TIME_MS(5000);
	mesh_tick(m, now, &o);
	assert_non_null(item(MESH_EV_SLEEP));
	assert_int_equal(item(MESH_EV_SLEEP)->value, 10);
}

static void test_orphan_cleanup(void **st)
{
	(void)st;
	two_peers();
	/* beta and gamma also see each other */
	assert_int_equal(rx(1, "12 b1 beta gamma 192.0.2.3 655 700000c 1"), MESH_OK);
	assert_int_equal(rx(1, "12 b2 gamma beta 192.0.2.2 655 700000c 1"), MESH_OK);
	clear();
	/* our connection to gamma goes: gamma stays reachable through beta */
	mesh_conn_close(m, 2, now, &o);
	assert_true(strstr(sent(1, "13 "), " alpha gamma") != NULL);
	assert_true(mesh_node_find(m, "gamma")->status & MESH_NS_REACHABLE);
	assert_ptr_equal(mesh_node_find(m, "gamma")->nexthop, mesh_node_find(m, "beta"));
	assert_int_equal(mesh_node_find(m, "gamma")->distance, 2);
	clear();
	/* beta loses gamma: gamma unreachable, its edge to us is cleaned up */
	assert_int_equal(rx(1, "13 b3 beta gamma"), MESH_OK);
	assert_non_null(item(MESH_EV_HOST_DOWN));
	assert_true(strstr(sent(1, "13 "), " gamma alpha") != NULL);
	assert_null(mesh_edge_find(mesh_node_find(m, "gamma"), mesh_myself(m)));
	assert_int_equal(mesh_node_find(m, "gamma")->status, 0);
}

static void test_ping(void **st)
{
	(void)st;
	activate(1, "beta", "192.0.2.2", "4 655 10 700000c");
	/* a second connection that never finishes its handshake */
	assert_true(mesh_conn_open(m, 2, NULL, "192.0.2.9", "40000", "192.0.2.1", now, &o));
	clear();
	for (int i = 1; i <= 4; i++) {
		now += FL_TIME_MS(1000);
		mesh_tick(m, now, &o);
		assert_null(item(MESH_OUT_CLOSE));
	}
	now += FL_TIME_MS(1000);
	mesh_tick(m, now, &o);
	assert_int_equal(item(MESH_OUT_CLOSE)->conn, 2);
	assert_string_equal(item(MESH_OUT_CLOSE)->reason, "timeout during authentication");
	assert_non_null(item(MESH_EV_TRY_TX));	/* step 3 for beta */
	clear();
	for (int i = 6; i < 60; i++) {
		now += FL_TIME_MS(1000);
		mesh_tick(m, now, &o);
		assert_int_equal(count(MESH_OUT_SEND, 1), 0);
		clear();
	}
	now += FL_TIME_MS(1000);
	mesh_tick(m, now, &o);
	assert_string_equal(sent(1, "8"), "8");
	clear();
	assert_int_equal(rx(1, "8"), MESH_OK);	/* we answer PINGs */
	assert_string_equal(sent(1, "9"), "9");
	assert_int_equal(rx(1, "9"), MESH_OK);
	assert_non_null(item(MESH_EV_PONG));
	clear();
	/* next PING is not answered: dropped after PingTimeout */
	now += FL_TIME_MS(60000);
	mesh_tick(m, now, &o);
	assert_string_equal(sent(1, "8"), "8");
	clear();
	now += FL_TIME_MS(5000);
	mesh_tick(m, now, &o);
	assert_int_equal(item(MESH_OUT_CLOSE)->conn, 1);
	assert_string_equal(item(MESH_OUT_CLOSE)->reason, "didn't respond to PING");
	assert_null(mesh_conn_find(m, 1));
}

static const struct mesh_out_item *connect_item(void)
{
	return item(MESH_OUT_CONNECT);
}

static void test_outgoing(void **st)
{
	const char *names[] = {"beta", "alpha", "bad name"};

	(void)st;
	mesh_set_connect_to(m, names, 3, now, &o);
	assert_non_null(item(MESH_EV_LOG));	/* the bad name */
	assert_int_equal(count(MESH_OUT_CONNECT, -1), 1);
	assert_string_equal(connect_item()->node->name, "beta");
	assert_string_equal(connect_item()->host, "192.0.2.2");
	assert_string_equal(connect_item()->port, "655");
	clear();
	mesh_connect_failed(m, mesh_node_find(m, "beta"), now, &o);
	assert_string_equal(connect_item()->host, "198.51.100.2");
	assert_string_equal(connect_item()->port, "656");
	clear();
	mesh_connect_failed(m, mesh_node_find(m, "beta"), now, &o);
	assert_null(connect_item());	/* exhausted: back-off 5 s */
	clear();
	now += FL_TIME_MS(4000);
	mesh_tick(m, now, &o);
	assert_null(connect_item());
	now += FL_TIME_MS(1000);
	mesh_tick(m, now, &o);
	assert_string_equal(connect_item()->host, "192.0.2.2");
	clear();
	mesh_connect_failed(m, mesh_node_find(m, "beta"), now, &o);
	clear();
	mesh_connect_failed(m, mesh_node_find(m, "beta"), now, &o);
	clear();
	now += FL_TIME_MS(9000);
	mesh_tick(m, now, &o);
	assert_null(connect_item());	/* second back-off: 10 s */
	now += FL_TIME_MS(1000);
	mesh_tick(m, now, &o);
	assert_string_equal(connect_item()->host, "192.0.2.2");
	clear();
	mesh_connect_failed(m, mesh_node_find(m, "beta"), now, &o);
	clear();
	/* the second address works */
	assert_true(mesh_conn_open(m, 5, "beta", "198.51.100.2", "656", "192.0.2.1", now, &o));
	assert_int_equal(rx(5, "0 beta 17.7"), MESH_OK);
	assert_true(item(MESH_OUT_START_SPTPS)->initiator);
	assert_int_equal(mesh_conn_sptps_ready(m, 5, now, &o), MESH_OK);
	assert_int_equal(rx(5, "4 656 10 700000c"), MESH_OK);
	assert_int_equal(rx(5, "9"), MESH_OK);	/* PONG resets the back-off */
	clear();
	/* connection lost: the working address is tried first */
	mesh_conn_close(m, 5, now, &o);
	assert_string_equal(connect_item()->host, "198.51.100.2");
	clear();
	/* ConnectTo removed: record forgotten, nothing more */
	mesh_set_connect_to(m, NULL, 0, now, &o);
	clear();
	mesh_connect_failed(m, mesh_node_find(m, "beta"), now, &o);
	now += FL_TIME_MS(100000);
	mesh_tick(m, now, &o);
	assert_null(connect_item());
}

static void test_outgoing_dropped_on_reload(void **st)
{
	const char *names[] = {"beta"};

	(void)st;
	mesh_set_connect_to(m, names, 1, now, &o);
	clear();
	assert_true(mesh_conn_open(m, 5, "beta", "192.0.2.2", "655", "192.0.2.1", now, &o));
	assert_int_equal(rx(5, "0 beta 17.7"), MESH_OK);
	assert_int_equal(mesh_conn_sptps_ready(m, 5, now, &o), MESH_OK);
	assert_int_equal(rx(5, "4 655 10 700000c"), MESH_OK);
	clear();
	mesh_set_connect_to(m, NULL, 0, now, &o);
	assert_int_equal(item(MESH_OUT_CLOSE)->conn, 5);
	assert_null(mesh_conn_find(m, 5));
	assert_null(connect_item());
}

static void test_autoconnect(void **st)
{
	struct mesh_config cfg = {0};

	(void)st;
	cfg.autoconnect = true;
	remake(&cfg);
	mesh_node_get(m, "beta");
	mesh_node_get(m, "delta");	/* no Address: not a candidate */
	now += FL_TIME_MS(5000);
	mesh_tick(m, now, &o);
	assert_string_equal(connect_item()->node->name, "beta");
}

static char *b64(const uint8_t *d, size_t n)
{
	static char buf[4096];

	assert_true(fl_b64_encode(buf, sizeof(buf), d, n, false) > 0);
	return buf;
}

static void test_routed(void **st)
{
	uint8_t rec[70], pk[32];
	char line[4200];
	const struct mesh_out_item *it;

	(void)st;
	for (size_t i = 0; i < sizeof(rec); i++)
		rec[i] = (uint8_t)i;
	memset(pk, 7, sizeof(pk));
	two_peers();
	/* REQ_KEY for someone else: forwarded unchanged to nexthop(to) */
	assert_int_equal(rx(1, "15 beta gamma 15 AAAA"), MESH_OK);
	assert_string_equal(sent(2, "15"), "15 beta gamma 15 AAAA");
	clear();
	/* REQ_SPTPS_START for us */
	snprintf(line, sizeof(line), "15 beta alpha 15 %s", b64(rec, sizeof(rec)));
	assert_int_equal(rx(1, line), MESH_OK);
	it = item(MESH_EV_REQ_SPTPS_START);
	assert_non_null(it);
	assert_string_equal(it->node->name, "beta");
	assert_int_equal(it->len, 70);
	assert_memory_equal(it->data, rec, 70);
	assert_true(mesh_node_find(m, "beta")->status & MESH_NS_WAITINGFORKEY);
	assert_int_equal(count(MESH_OUT_SEND, -1), 0);	/* direct: no UDP_INFO */
	clear();
	/* bad base64: ignored, not fatal */
	assert_int_equal(rx(1, "15 beta alpha 15 AA=A"), MESH_OK);
	assert_null(item(MESH_EV_REQ_SPTPS_START));
	/* REQ_PUBKEY: answered with ours */
	assert_int_equal(rx(1, "15 beta alpha 19"), MESH_OK);
	assert_string_equal(sent(1, "15"), "15 alpha beta 20 ALPHAKEY");
	clear();
	/* ANS_PUBKEY while we know the key: ignored */
	snprintf(line, sizeof(line), "15 beta alpha 20 %s", b64(pk, 32));
	assert_int_equal(rx(1, line), MESH_OK);
	assert_null(item(MESH_EV_PUBKEY));
	/* unknown sub-code, unknown nodes: ignored */
	assert_int_equal(rx(1, "15 beta alpha 77 x"), MESH_OK);
	assert_int_equal(rx(1, "15 nobody alpha 15 AAAA"), MESH_OK);
	assert_int_equal(count(MESH_OUT_SEND, -1), 0);
	clear();
	/* ANS_KEY in transit: FROM's address appended once gamma has UDP */
	assert_int_equal(rx(1, "16 beta gamma AAAA -1 -1 -1 0"), MESH_OK);
	assert_string_equal(sent(2, "16"), "16 beta gamma AAAA -1 -1 -1 0");
	clear();
	mesh_node_find(m, "gamma")->minmtu = 1400;
	assert_int_equal(rx(1, "16 beta gamma AAAB -1 -1 -1 0"), MESH_OK);
	assert_string_equal(sent(2, "16"), "16 beta gamma AAAB -1 -1 -1 0 192.0.2.2 655");
	clear();
	/* ANS_KEY for us */
	snprintf(line, sizeof(line), "16 beta alpha %s -1 -1 -1 12 203.0.113.5 7000",
		 b64(rec, 69));
	assert_int_equal(rx(1, line), MESH_OK);
	it = item(MESH_EV_ANS_KEY);
	assert_non_null(it);
	assert_int_equal(it->len, 69);
	assert_int_equal(it->value, 12);
	assert_string_equal(it->host, "203.0.113.5");
	assert_string_equal(it->port, "7000");
	assert_int_equal(mesh_node_find(m, "beta")->compression, 12);
	clear();
	snprintf(line, sizeof(line), "16 beta alpha %s -1 -1 -1 13", b64(rec, 69));
	assert_int_equal(rx(1, line), MESH_OK);
	assert_null(item(MESH_EV_ANS_KEY));	/* unsupported compression */
	/* MTU_INFO in transit: provisional MTU for beta, forwarded */
	assert_int_equal(rx(1, "23 beta gamma 1400"), MESH_OK);
	assert_int_equal(item(MESH_EV_MTU)->value, 1400);
	assert_string_equal(sent(2, "23"), "23 beta gamma 1400");
	clear();
	assert_int_equal(rx(1, "23 beta gamma 511"), MESH_E_PARSE);
	/* UDP_INFO in transit: beta's address as we know it */
	assert_int_equal(rx(1, "22 beta gamma 198.51.100.99 655"), MESH_OK);
	assert_string_equal(sent(2, "22"), "22 beta gamma 192.0.2.2 655");
	clear();
}

static void test_sptps_packet(void **st)
{
	struct mesh_node *a, *b, *g;
	uint8_t buf[12 + 30];
	const struct mesh_out_item *it;

	(void)st;
	two_peers();
	a = mesh_myself(m);
	b = mesh_node_find(m, "beta");
	g = mesh_node_find(m, "gamma");
	assert_int_equal(rx(1, "21 42"), MESH_OK);
	assert_int_equal(item(MESH_EV_SPTPS_PACKET_NEXT)->value, 42);
	clear();
	memcpy(buf, a->id, 6);
	memcpy(buf + 6, b->id, 6);
	memset(buf + 12, 0xab, 30);
	assert_int_equal(mesh_conn_sptps_packet(m, 1, buf, sizeof(buf), now, &o), MESH_OK);
	it = item(MESH_EV_SPTPS_DATA);
	assert_ptr_equal(it->node, b);
	assert_ptr_equal(it->node2, a);
	assert_int_equal(it->len, 30);
	clear();
	/* for gamma without a key: only the tunnel improvement */
	memcpy(buf, g->id, 6);
	assert_int_equal(mesh_conn_sptps_packet(m, 1, buf, sizeof(buf), now, &o), MESH_OK);
	assert_null(item(MESH_EV_SPTPS_DATA));
	assert_ptr_equal(item(MESH_EV_TRY_TX)->node, g);
	clear();
	mesh_key_valid(m, g);
	assert_int_equal(mesh_conn_sptps_packet(m, 1, buf, sizeof(buf), now, &o), MESH_OK);
	assert_ptr_equal(item(MESH_EV_SPTPS_DATA)->node2, g);
	clear();
	memset(buf, 0, 6);	/* unknown destination */
	assert_int_equal(mesh_conn_sptps_packet(m, 1, buf, sizeof(buf), now, &o), MESH_OK);
	assert_int_equal(o.n, 0);
	assert_int_equal(mesh_conn_sptps_packet(m, 1, buf, 11, now, &o), MESH_E_PARSE);
	/* sending: gamma speaks minor 7 -> binary SPTPS_PACKET */
	assert_true(mesh_send_sptps_data(m, a, g, buf + 12, 30, &o));
	it = item(MESH_OUT_SEND_BINARY);
	assert_string_equal(it->text, "21 42");
	assert_int_equal(it->len, 42);
	assert_memory_equal(it->data, g->id, 6);
	assert_memory_equal(it->data + 6, a->id, 6);
	clear();
	/* a nexthop below minor 7 gets it as REQ_KEY sub-request 21 instead */
	struct mesh_conn *cg = mesh_conn_find(m, 2);
	uint32_t opts = cg->options;
	char line[256];
	cg->options = (opts & 0x00ffffffu) | 6u << 24;
	assert_true(mesh_send_sptps_data(m, a, g, buf + 12, 30, &o));
	snprintf(line, sizeof(line), "15 alpha gamma 21 %s", b64(buf + 12, 30));
	assert_string_equal(sent(2, "15"), line);
	cg->options = opts;
	clear();
	assert_true(mesh_send_packet(m, b, buf, 20, &o));
	assert_string_equal(item(MESH_OUT_SEND_PACKET)->text, "17 20");
	assert_false(mesh_send_packet(m, mesh_node_get(m, "delta"), buf, 20, &o));
}

static void test_node_ids(void **st)
{
	(void)st;
	/* `tinc dump nodes` example: alpha ba3ce58667ca, beta 560c72de72c0 */
	static const uint8_t alpha[6] = {0xba, 0x3c, 0xe5, 0x86, 0x67, 0xca};
	static const uint8_t beta[6] = {0x56, 0x0c, 0x72, 0xde, 0x72, 0xc0};

	assert_memory_equal(mesh_myself(m)->id, alpha, 6);
	assert_memory_equal(mesh_node_get(m, "beta")->id, beta, 6);
	assert_ptr_equal(mesh_node_by_id(m, beta), mesh_node_find(m, "beta"));
	assert_int_equal(mesh_myself(m)->status, 0x58);
	assert_null(mesh_node_get(m, "bad-name"));
}


static void test_dump(void **st)
{
	char buf[512];
	struct mesh_dump_stats stats = {.rtt = 312, .in_packets = 2, .in_bytes = 36};

	(void)st;
	assert_true(mesh_dump_node(mesh_myself(m), NULL, buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "18 3 alpha ba3ce58667ca MYSELF port 655 0 0 0 0 "
			    "700000c 58 alpha alpha 0 1518 0 1518 1700000000 -1 0 0 0 0");
	assert_true(mesh_dump_node(mesh_node_get(m, "delta"), &stats, buf, sizeof(buf)) > 0);
	assert_true(strstr(buf, " unknown port unknown 0 0 0 0 0 0 - - -1 1518 0 1518 0 312 2 36 0 0") != NULL);
	two_peers();
	assert_true(mesh_dump_edge(mesh_edge_find(mesh_myself(m), mesh_node_find(m, "beta")),
				   buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "18 4 alpha beta 192.0.2.2 port 655 192.0.2.1 port 655 700000c 5");
	assert_true(mesh_dump_edge(mesh_edge_find(mesh_node_find(m, "beta"), mesh_myself(m)),
				   buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "18 4 beta alpha 192.0.2.1 port 655 unspec port unspec 700000c 10");
	assert_true(mesh_dump_subnet(mesh_subnet_table_first(mesh_subnets(m)), buf, sizeof(buf)) > 0);
	assert_string_equal(buf, "18 5 ff:ff:ff:ff:ff:ff (broadcast)");
	assert_true(mesh_dump_conn(mesh_conn_find(m, 1), 8, buf, sizeof(buf)) > 0);
	assert_true(!strcmp(buf, "18 6 beta 192.0.2.2 port 40000 700000c 8 100") ||
		    !strcmp(buf, "18 6 beta 192.0.2.2 port 40000 700000c 8 0"));
	assert_int_equal(mesh_dump_node(mesh_myself(m), NULL, buf, 10), -1);
	assert_true(mesh_dump_node(mesh_node_find(m, "beta"), NULL, buf, sizeof(buf)) > 0);
	assert_true(strstr(buf, " 192.0.2.2 port 655 0 0 0 0 700000c 858 beta beta 1 ") != NULL);
}

static void test_purge_and_strict(void **st)
{
	struct mesh_subnet sn;

	(void)st;
	two_peers();
	assert_int_equal(rx(1, "10 1 delta 192.0.2.0/24"), MESH_OK);
	assert_int_equal(rx(1, "12 2 delta heavy 203.0.113.1 655 c 1"), MESH_OK);
	clear();
	mesh_purge(m, &o);
	assert_true(strstr(sent(1, "11 "), " delta 192.0.2.0/24") != NULL);
	assert_true(strstr(sent(2, "13 "), " delta heavy") != NULL);
	assert_null(mesh_node_find(m, "delta"));
	assert_null(mesh_node_find(m, "heavy"));
	assert_non_null(mesh_node_find(m, "beta"));
	for (size_t i = 0; i < mesh_node_count(m); i++)
		assert_ptr_equal(mesh_node_by_id(m, mesh_node_at(m, i)->id),
				 mesh_node_at(m, i));
	clear();
	/* StrictSubnets entry point: up at once for a reachable owner */
	mesh_subnet_parse(&sn, "10.2.0.0/16", 11);
	assert_true(mesh_add_node_subnet(m, "beta", &sn, &o));
	assert_non_null(item(MESH_EV_SUBNET_UP));
	assert_int_equal(count(MESH_OUT_SEND, -1), 0);
	assert_false(mesh_add_node_subnet(m, "beta", &sn, &o));
	assert_false(mesh_add_node_subnet(m, "alpha", &sn, &o));
}

static void test_seen_cache_ages(void **st)
{
	(void)st;
	two_peers();
	assert_int_equal(rx(1, "14 77 gamma"), MESH_OK);
	assert_non_null(sent(2, "14"));
	clear();
	/* within PingInterval: still suppressed (PINGs are answered here) */
	for (int i = 0; i < 30; i++) {
		now += FL_TIME_MS(1000);
		mesh_tick(m, now, &o);
		rx(1, "9");
		rx(2, "9");
		clear();
	}
	assert_int_equal(rx(2, "14 77 gamma"), MESH_OK);
	assert_int_equal(count(MESH_OUT_SEND, -1), 0);
	for (int i = 0; i < 45; i++) {
		now += FL_TIME_MS(1000);
		mesh_tick(m, now, &o);
		rx(1, "9");
		rx(2, "9");
		clear();
	}
	/* aged out after PingInterval (checked every 10 s): forwarded again */
	assert_int_equal(rx(2, "14 77 gamma"), MESH_OK);
	assert_string_equal(sent(1, "14"), "14 77 gamma");
}

static void test_tunnelserver(void **st)
{
	struct mesh_config cfg = {0};

	(void)st;
	cfg.tunnelserver = true;
	remake(&cfg);
	two_peers();
	/* facts about third parties are ignored, not forwarded */
	assert_int_equal(rx(1, "10 1 delta 10.0.0.0/8"), MESH_OK);
	assert_int_equal(rx(1, "12 2 delta heavy 1.2.3.4 655 c 1"), MESH_OK);
	assert_int_equal(count(MESH_OUT_SEND, -1), 0); /* one log line */
	assert_null(mesh_edge_find(mesh_node_find(m, "delta"), mesh_node_find(m, "heavy")));
	/* even the peer's own subnets come only from hosts files */
	assert_int_equal(rx(1, "10 3 beta 10.1.0.0/16"), MESH_OK);
	assert_int_equal(count(MESH_OUT_SEND, -1), 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_id_checks), T(test_ack), T(test_replace_duplicate),
		T(test_flooding), T(test_contradiction_storm),
		T(test_orphan_cleanup), T(test_ping), T(test_outgoing),
		T(test_outgoing_dropped_on_reload), T(test_autoconnect),
		T(test_routed), T(test_sptps_packet),
		T(test_node_ids), T(test_dump), T(test_purge_and_strict),
		T(test_seen_cache_ages), T(test_tunnelserver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
