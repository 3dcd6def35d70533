/* SPDX-License-Identifier: MIT */
/*
 * mesh_sim.c: see mesh_sim.h. Every sim node knows every other node's hosts
 * file (with a key) and address "10.0.0.<i+1>" port 655.
 */
#include "mesh_sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *addr_host[SIM_MAX_NODES][1];
static const char *addr_port[1] = {"655"};
static char addr_buf[SIM_MAX_NODES][32];

static bool sim_host_lookup(void *ctx, const char *name, struct mesh_host_info *h)
{
	struct sim *s = ctx;

	for (int i = 0; i < s->nn; i++) {
		if (strcmp(s->n[i].name, name))
			continue;
		h->exists = true;
		h->has_key = true;
		h->has_address = true;
		h->n_addresses = 1;
		h->address_host = addr_host[i];
		h->address_port = addr_port;
		return true;
	}
	return false;
}

static uint32_t sim_random(void *ctx)
{
	uint32_t *seed = ctx;

	*seed = *seed * 1103515245u + 12345u;
	return *seed >> 1;
}

/* host_lookup needs the sim, random needs the node: one ctx per node that
 * starts with the seed. */
struct sim_ctx {
	uint32_t seed;
	struct sim *s;
};

static struct sim_ctx ctxs[SIM_MAX_NODES];

static bool ctx_host_lookup(void *ctx, const char *name, struct mesh_host_info *h)
{
	return sim_host_lookup(((struct sim_ctx *)ctx)->s, name, h);
}

void sim_init(struct sim *s, int n)
{
	sim_init_opts(s, n, NULL);
}

void sim_init_opts(struct sim *s, int n, const uint32_t *opts)
{
	memset(s, 0, sizeof(*s));
	s->nn = n;
	s->now = FL_TIME_MS(1700000000000LL);
	for (int i = 0; i < n; i++) {
		struct mesh_config cfg;

		snprintf(s->n[i].name, sizeof(s->n[i].name), "node%02d", i);
		snprintf(addr_buf[i], sizeof(addr_buf[i]), "10.0.0.%d", i + 1);
		snprintf(s->n[i].addr, sizeof(s->n[i].addr), "10.0.0.%d", i + 1);
		addr_host[i][0] = addr_buf[i];
		ctxs[i].seed = (uint32_t)(i * 7919 + 1);
		ctxs[i].s = s;
		memset(&cfg, 0, sizeof(cfg));
		cfg.myname = s->n[i].name;
		cfg.my_udp_port = "655";
		cfg.my_pubkey_b64 = "AAAA";
		cfg.my_options = MESH_OPT_PMTU_DISCOVERY | MESH_OPT_CLAMP_MSS;
		if (opts)
			cfg.my_options |= opts[i];
		cfg.forwarding_internal = true;
		cfg.ctx = &ctxs[i];
		cfg.host_lookup = ctx_host_lookup;
		cfg.random_u32 = sim_random;
		s->n[i].m = mesh_new(&cfg, s->now);
	}
}

void sim_free(struct sim *s)
{
	for (int i = 0; i < s->nn; i++)
		mesh_free(s->n[i].m);
	for (size_t i = s->qh; i < s->qn; i++) {
		free(s->q[i].text);
		free(s->q[i].data);
	}
	free(s->q);
}

static void enqueue_data(struct sim *s, int conn, const char *text,
			 const uint8_t *data, size_t len)
{
	if (s->qn == s->qcap) {
		s->qcap = s->qcap ? s->qcap * 2 : 256;
		s->q = realloc(s->q, s->qcap * sizeof(*s->q));
	}
	s->q[s->qn].conn = conn;
	s->q[s->qn].text = strdup(text);
	s->q[s->qn].data = NULL;
	s->q[s->qn].len = len;
	if (data) {
		s->q[s->qn].data = malloc(len);
		memcpy(s->q[s->qn].data, data, len);
	}
	s->qn++;
}

static void enqueue(struct sim *s, int conn, const char *text)
{
	enqueue_data(s, conn, text, NULL, 0);
}

static int alloc_conn(struct sim *s, int node)
{
	for (int i = 0; i < SIM_MAX_CONNS; i++) {
		if (!s->c[i].used) {
			s->c[i].used = true;
			s->c[i].node = node;
			s->c[i].peer_conn = -1;
			return i;
		}
	}
	abort();
}

int sim_conn_of(struct sim *s, int a, int b)
{
	for (int i = 0; i < SIM_MAX_CONNS; i++)
		if (s->c[i].used && s->c[i].node == a && s->c[i].peer_conn >= 0 &&
		    s->c[s->c[i].peer_conn].node == b)
			return i;
	return -1;
}

void sim_connect(struct sim *s, int a, int b)
{
	struct mesh_out o;
	int ca = alloc_conn(s, a), cb = alloc_conn(s, b);

	s->c[ca].peer_conn = cb;
	s->c[cb].peer_conn = ca;
	mesh_out_init(&o);
	mesh_conn_open(s->n[b].m, cb, NULL, s->n[a].addr, "40000", s->n[b].addr,
		       s->now, &o);
	sim_process(s, b, &o);
	mesh_out_init(&o);
	mesh_conn_open(s->n[a].m, ca, s->n[b].name, s->n[b].addr, "655",
		       s->n[a].addr, s->now, &o);
	sim_process(s, a, &o);
}

/* Close one end from the mesh's point of view and the other end too. */
static void drop_conn(struct sim *s, int c, bool tell_owner)
{
	struct mesh_out o;
	int peer = s->c[c].peer_conn;

	if (!s->c[c].used)
		return;
	s->c[c].used = false;
	if (tell_owner) {
		mesh_out_init(&o);
		mesh_conn_close(s->n[s->c[c].node].m, c, s->now, &o);
		sim_process(s, s->c[c].node, &o);
	}
	if (peer >= 0 && s->c[peer].used) {
		s->c[peer].used = false;
		mesh_out_init(&o);
		mesh_conn_close(s->n[s->c[peer].node].m, peer, s->now, &o);
		sim_process(s, s->c[peer].node, &o);
	}
}

void sim_disconnect(struct sim *s, int a, int b)
{
	int c = sim_conn_of(s, a, b);

	if (c >= 0)
		drop_conn(s, c, true);
}

static void on_item(struct sim *s, int i, struct mesh_out_item *it)
{
	struct mesh_out o;

	switch (it->kind) {
	case MESH_OUT_SEND_RAW:
	case MESH_OUT_SEND:
		s->n[i].sent_lines++;
		if (s->c[it->conn].used && s->c[it->conn].peer_conn >= 0)
			enqueue(s, s->c[it->conn].peer_conn, it->text);
		break;
	case MESH_OUT_SEND_PACKET:
		if (s->c[it->conn].used && s->c[it->conn].peer_conn >= 0)
			enqueue(s, s->c[it->conn].peer_conn, it->text);
		break;
	case MESH_OUT_SEND_BINARY:
		if (s->c[it->conn].used && s->c[it->conn].peer_conn >= 0)
			enqueue_data(s, s->c[it->conn].peer_conn, it->text,
				     it->data, it->len);
		break;
	case MESH_EV_REQ_SPTPS_START: s->n[i].reqstart++; break;
	case MESH_EV_ANS_KEY: s->n[i].anskey++; break;
	case MESH_EV_UDP_ADDRESS: s->n[i].udp_addr++; break;
	case MESH_EV_SPTPS_DATA:
		if (it->node2 == mesh_myself(s->n[i].m)) {
			s->n[i].data_for_me++;
		} else {
			/* act as the data path: relay it on over TCP */
			s->n[i].data_relayed++;
			mesh_out_init(&o);
			mesh_send_sptps_data(s->n[i].m, it->node, it->node2,
					     it->data, it->len, &o);
			sim_process(s, i, &o);
		}
		break;
	case MESH_OUT_START_SPTPS:
		mesh_out_init(&o);
		mesh_conn_sptps_ready(s->n[i].m, it->conn, s->now, &o);
		sim_process(s, i, &o);
		break;
	case MESH_OUT_CLOSE:
		drop_conn(s, it->conn, false);
		break;
	case MESH_EV_HOST_UP: s->n[i].up_events++; break;
	case MESH_EV_HOST_DOWN: s->n[i].down_events++; break;
	case MESH_EV_SUBNET_UP: s->n[i].subnet_up++; break;
	case MESH_EV_SUBNET_DOWN: s->n[i].subnet_down++; break;
	default:
		break;
	}
}

void sim_process(struct sim *s, int i, struct mesh_out *o)
{
	for (size_t k = 0; k < o->n; k++)
		on_item(s, i, &o->v[k]);
	mesh_out_clear(o);
}

bool sim_run(struct sim *s, long max_steps)
{
	while (s->qh < s->qn) {
		struct sim_msg msg = s->q[s->qh++];
		struct mesh_out o;

		if (max_steps-- <= 0) {
			free(msg.text);
			free(msg.data);
			return false;
		}
		s->delivered++;
		if (s->c[msg.conn].used) {
			int i = s->c[msg.conn].node;
			enum mesh_err e;

			mesh_out_init(&o);
			e = mesh_conn_recv(s->n[i].m, msg.conn, msg.text,
					   strlen(msg.text), s->now, &o);
			if (!e && msg.data)
				e = mesh_conn_sptps_packet(s->n[i].m, msg.conn,
							   msg.data, msg.len,
							   s->now, &o);
			sim_process(s, i, &o);
			if (e) {
				fprintf(stderr, "%s: conn %d: %s: %s\n", s->n[i].name,
					msg.conn, mesh_strerror(e), msg.text);
				drop_conn(s, msg.conn, true);
			}
		}
		free(msg.text);
		free(msg.data);
	}
	s->qh = s->qn = 0;
	return true;
}

void sim_tick(struct sim *s, int64_t advance_ms)
{
	s->now += (fl_time_t)advance_ms * FL_TIME_US_PER_MS; /* may be < 0 */
	for (int i = 0; i < s->nn; i++) {
		struct mesh_out o;

		mesh_out_init(&o);
		mesh_tick(s->n[i].m, s->now, &o);
		sim_process(s, i, &o);
	}
}

struct mesh_node *sim_node(struct sim *s, int at, int who)
{
	return mesh_node_find(s->n[at].m, s->n[who].name);
}
