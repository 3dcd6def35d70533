/* SPDX-License-Identifier: MIT */
/*
 * test_mesh_vector.c: replays $FENLIU_VECTORS/meta-conversation.txt (tests/vectors)
 * (two stock tinc 1.1 nodes) against one mesh instance per side. Lines the
 * other side sent are fed in; every line this side sent must come out of
 * the mesh byte for byte, either on its own (ID, ACK replies, ADD_SUBNET,
 * ADD_EDGE) or when the test acts as the daemon (PACKET, REQ_KEY and ANS_KEY
 * carrying the captured SPTPS records). Nonces are the captured ones, fed
 * through the random callback; ACK weights come from the captured ACKs by
 * choosing when the meta SPTPS handshake "completes".
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

#define MAXL 64

struct vline {
	char from;	/* 'A' or 'B' */
	bool raw;
	char text[1024];
};

static struct vline vl[MAXL];
static int nvl;

static void load(void)
{
	const char *dir = getenv("FENLIU_VECTORS");
	char path[4096], line[4096];
	FILE *f;

	nvl = 0;
	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/meta-conversation.txt", dir);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && nvl < MAXL) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		vl[nvl].from = line[0];
		vl[nvl].raw = strstr(line, "[raw]") != NULL;
		snprintf(vl[nvl].text, sizeof(vl[nvl].text), "%s", strchr(line, ']') + 2);
		nvl++;
	}
	fclose(f);
	assert_true(nvl > 30);
}

struct side {
	const char *me, *peer, *my_ip, *peer_ip, *my_subnet;
	char letter;
	uint32_t nonces[8];
	int nn, ni;
	int weight;
	/* pending outputs of the mesh that are lines */
	char pending[16][1024];
	int np;
	bool ready;
	int host_up, subnet_up, ans_key, sptps_start;
	long packet_next_sum;
};

static bool lookup(void *ctx, const char *name, struct mesh_host_info *h)
{
	struct side *s = ctx;
	static const char *hosts[1] = {NULL}, *ports[1] = {"655"};

	if (strcmp(name, s->peer) && strcmp(name, s->me))
		return false;
	h->exists = true;
	h->has_key = true;
	hosts[0] = s->peer_ip;
	h->n_addresses = 1;
	h->has_address = true;
	h->address_host = hosts;
	h->address_port = ports;
	return true;
}

static uint32_t nonce(void *ctx)
{
	struct side *s = ctx;

	assert_true(s->ni < s->nn);
	return s->nonces[s->ni++];
}

static void collect(struct side *s, struct mesh_out *o)
{
	for (size_t i = 0; i < o->n; i++) {
		struct mesh_out_item *it = &o->v[i];

		switch (it->kind) {
		case MESH_OUT_SEND_RAW:
		case MESH_OUT_SEND:
		case MESH_OUT_SEND_PACKET:
			assert_true(s->np < 16);
			snprintf(s->pending[s->np++], 1024, "%s", it->text);
			break;
		case MESH_OUT_START_SPTPS: {
			char label[128];
			snprintf(label, sizeof(label), "tinc TCP key expansion %s %s",
				 it->initiator ? s->me : s->peer,
				 it->initiator ? s->peer : s->me);
			assert_int_equal(it->len, strlen(label) + 1);
			assert_memory_equal(it->data, label, it->len);
			break;
		}
		case MESH_EV_HOST_UP: s->host_up++; break;
		case MESH_EV_SUBNET_UP: s->subnet_up++; break;
		case MESH_EV_ANS_KEY:
			s->ans_key++;
			assert_int_equal(it->value, 0);
			break;
		case MESH_EV_REQ_SPTPS_START:
			s->sptps_start++;
			assert_int_equal(it->len, 70);	/* KEX datagram record */
			break;
		case MESH_EV_PACKET_NEXT: s->packet_next_sum += it->value; break;
		default: break;
		}
	}
	mesh_out_clear(o);
}

static void pop_expect(struct side *s, const char *want)
{
	assert_true(s->np > 0);
	assert_string_equal(s->pending[0], want);
	memmove(s->pending[0], s->pending[1], (size_t)(s->np - 1) * 1024);
	s->np--;
}

static size_t decode_tok(const char *line, int tok, uint8_t *buf, size_t cap)
{
	char copy[1024], *t, *save;

	snprintf(copy, sizeof(copy), "%s", line);
	t = strtok_r(copy, " ", &save);
	for (int i = 0; i < tok && t; i++)
		t = strtok_r(NULL, " ", &save);
	assert_non_null(t);
	size_t n = 0;

	assert_int_equal(fl_b64_decode(buf, cap, &n, t, strlen(t), NULL), FL_B64_OK);
	return n;
}

/* Act as the daemon for a line our side sends that needs a daemon action. */
static void daemon_action(struct mesh *m, struct side *s, const char *line,
			  fl_time_t now, struct mesh_out *o)
{
	struct mesh_node *peer = mesh_node_find(m, s->peer);
	uint8_t buf[2048] = {0};
	size_t n;
	int type = atoi(line);

	if (type == 4) {
		assert_int_equal(mesh_conn_sptps_ready(m, 1, now, o), MESH_OK);
		s->ready = true;
	} else if (type == 17) {
		assert_true(mesh_send_packet(m, peer, buf, (size_t)atoi(line + 3), o));
	} else if (type == 15) {
		n = decode_tok(line, 4, buf, sizeof(buf));
		assert_int_equal(n, 70);
		assert_true(mesh_want_key(m, peer, now, o));
		assert_true(mesh_send_sptps_start(m, peer, buf, n, now, o));
	} else if (type == 16) {
		n = decode_tok(line, 3, buf, sizeof(buf));
		assert_true(n == 70 || n == 69);
		assert_true(mesh_send_ans_key(m, peer, buf, n, 0, o));
	} else {
		fail_msg("no daemon action for '%s'", line);
	}
}

static void prescan(struct side *s)
{
	for (int i = 0; i < nvl; i++) {
		int type = atoi(vl[i].text);
		if (vl[i].from != s->letter)
			continue;
		if (type >= 10 && type <= 14)
			s->nonces[s->nn++] = (uint32_t)strtoul(vl[i].text + 3, NULL, 16);
		if (type == 4)
			s->weight = atoi(strchr(vl[i].text + 2, ' ') + 1);
	}
}

static void replay(struct side *s, bool initiator)
{
	struct mesh_config cfg = {0};
	struct mesh *m;
	struct mesh_out o;
	struct mesh_subnet sn;
	fl_time_t t0 = FL_TIME_MS(1795575558000LL);

	prescan(s);
	cfg.myname = s->me;
	cfg.my_udp_port = "655";
	cfg.my_pubkey_b64 = "unused";
	cfg.my_options = MESH_OPT_PMTU_DISCOVERY | MESH_OPT_CLAMP_MSS;
	cfg.ctx = s;
	cfg.host_lookup = lookup;
	cfg.random_u32 = nonce;
	m = mesh_new(&cfg, t0);
	assert_non_null(m);
	mesh_out_init(&o);
	assert_int_equal(mesh_subnet_parse(&sn, s->my_subnet, strlen(s->my_subnet)), 0);
	/* the own subnet exists before any connection: no line is sent */
	assert_true(mesh_add_own_subnet(m, &sn, &o));
	mesh_out_clear(&o);
	s->ni = 0;	/* its broadcast went nowhere: rewind the nonces */
	assert_true(mesh_conn_open(m, 1, initiator ? s->peer : NULL, s->peer_ip,
				   initiator ? "655" : "40112", s->my_ip, t0, &o));
	collect(s, &o);
	for (int i = 0; i < nvl; i++) {
		const char *t = vl[i].text;

		if (vl[i].from == s->letter) {
			if (!s->np)
				daemon_action(m, s, t, t0 + FL_TIME_MS(s->weight), &o);
			collect(s, &o);
			pop_expect(s, t);
			continue;
		}
		/* the meta SPTPS handshake completes before the peer's ACK */
		if (atoi(t) == 4 && !vl[i].raw && !s->ready) {
			assert_int_equal(mesh_conn_sptps_ready(m, 1, t0 + FL_TIME_MS(s->weight), &o), MESH_OK);
			s->ready = true;
		}
		assert_int_equal(mesh_conn_recv(m, 1, t, strlen(t), t0 + FL_TIME_MS(s->weight), &o), MESH_OK);
		collect(s, &o);
	}
	assert_int_equal(s->np, 0);
	assert_int_equal(s->host_up, 1);
	assert_int_equal(s->subnet_up, 1);
	assert_int_equal(s->ni, s->nn);
	mesh_free(m);
}

static void test_alpha(void **st)
{
	struct side s = {
		.me = "alpha", .peer = "beta", .my_ip = "10.203.0.1",
		.peer_ip = "10.203.0.2", .my_subnet = "10.80.0.1", .letter = 'A',
	};

	(void)st;
	load();
	replay(&s, true);
	assert_int_equal(s.ans_key, 2);	/* beta's KEX and SIG */
	assert_true(s.packet_next_sum > 0);
}

static void test_beta(void **st)
{
	struct side s = {
		.me = "beta", .peer = "alpha", .my_ip = "10.203.0.2",
		.peer_ip = "10.203.0.1", .my_subnet = "10.80.0.2", .letter = 'B',
	};

	(void)st;
	load();
	replay(&s, false);
	assert_int_equal(s.sptps_start, 1);
	assert_int_equal(s.ans_key, 1);	/* alpha's SIG */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alpha),
		cmocka_unit_test(test_beta),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
