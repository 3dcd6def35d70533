/* SPDX-License-Identifier: MIT */
/*
 * fuzz_mesh_proto.c: libFuzzer target for the meta protocol logic. A fresh
 * mesh "alpha" with two active peers (beta, gamma) gets the input as lines;
 * the first byte of each line picks what happens: a line on connection 1 or
 * 2, a one-second tick, or the line's bytes as a binary SPTPS_PACKET; each
 * line's first bytes are also looked up as addresses. The mesh must never
 * crash, leak or loop, whatever the peers send.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool lookup(void *ctx, const char *name, struct mesh_host_info *h)
{
	static const char *const hosts[] = {"192.0.2.9"}, *const ports[] = {"655"};

	(void)ctx;
	if (strcmp(name, "beta") && strcmp(name, "gamma") && strcmp(name, "delta"))
		return false;
	h->exists = true;
	h->has_key = true;
	h->n_addresses = 1;
	h->address_host = hosts;
	h->address_port = ports;
	return true;
}

static uint32_t rnd(void *ctx)
{
	uint32_t *s = ctx;

	*s = *s * 1103515245u + 12345u;
	return *s;
}

static void activate(struct mesh *m, int32_t id, const char *name,
		     fl_time_t now, struct mesh_out *o)
{
	char line[64];

	mesh_conn_open(m, id, NULL, "192.0.2.2", "40000", "192.0.2.1", now, o);
	strcpy(line, "0 ");
	strcat(line, name);
	strcat(line, " 17.7");
	mesh_conn_recv(m, id, line, strlen(line), now, o);
	mesh_conn_sptps_ready(m, id, now, o);
	mesh_conn_recv(m, id, "4 655 10 700000c", 16, now, o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mesh_config cfg = {0};
	uint32_t seed = 1;
	fl_time_t now = FL_TIME_MS(1700000000000LL);
	struct mesh *m;
	struct mesh_out o;
	const char *const connect[] = {"delta"};

	cfg.myname = "alpha";
	cfg.my_pubkey_b64 = "KEY";
	cfg.my_options = 0xc;
	cfg.autoconnect = true;
	cfg.forwarding_internal = true;
	cfg.host_lookup = lookup;
	cfg.random_u32 = rnd;
	cfg.ctx = &seed;
	/* the first byte's top bit: batched (as fenliud) or per request */
	cfg.settle_ms = size && (data[0] & 0x80) ? 100 : 0;
	m = mesh_new(&cfg, now);
	if (!m)
		abort();
	mesh_out_init(&o);
	mesh_set_connect_to(m, connect, 1, now, &o);
	activate(m, 1, "beta", now, &o);
	activate(m, 2, "gamma", now, &o);
	mesh_conn_recv(m, 1, "12 1 beta alpha 192.0.2.1 655 700000c 10", 40, now, &o);
	mesh_out_clear(&o);
	while (size > 0) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t len = nl ? (size_t)(nl - data) : size;
		uint8_t op = len ? data[0] % 5 : 0;
		const char *line = (const char *)data + (len ? 1 : 0);
		size_t llen = len ? len - 1 : 0;

		if (op <= 1) {
			int32_t c = op + 1;
			if (mesh_conn_recv(m, c, line, llen, now, &o) != MESH_OK)
				mesh_conn_close(m, c, now, &o);
		} else if (op == 2) {
			now += 1000;
			mesh_tick(m, now, &o);
		} else if (op == 3) {
			mesh_conn_sptps_packet(m, 1, (const uint8_t *)line, llen, now, &o);
		} else {
			mesh_connect_failed(m, mesh_node_find(m, "delta"), now, &o);
		}
		mesh_settle(m, now, &o);
		mesh_out_clear(&o);
		if (llen >= 4) {	/* routing must answer whatever the state */
			uint8_t a6[16] = {0};
			memcpy(a6, line, llen < 16 ? llen : 16);
			mesh_subnet_route(m, MESH_SUBNET_IPV4, a6);
			mesh_subnet_route(m, MESH_SUBNET_IPV6, a6);
		}
		data += nl ? len + 1 : len;
		size -= nl ? len + 1 : len;
	}
	mesh_free(m);
	return 0;
}
