/* SPDX-License-Identifier: MIT */
/*
 * mesh_sim.h: an in-memory network of mesh instances for tests. Lines are
 * passed through FIFO queues between connection ends; the meta SPTPS
 * session is modelled as "ready as soon as it starts" (records stay in
 * order), CONNECT outputs are answered by the sim's link table.
 */
#ifndef FL_TEST_MESH_SIM_H
#define FL_TEST_MESH_SIM_H

#include <stdbool.h>
#include <stdint.h>

#include "mesh/mesh.h"

#define SIM_MAX_NODES 16
#define SIM_MAX_CONNS 128

struct sim_node {
	char name[16];
	struct mesh *m;
	uint32_t seed;
	int up_events, down_events;	/* HOST_UP / HOST_DOWN seen */
	int subnet_up, subnet_down;
	int sent_lines;
	int reqstart, anskey, data_for_me, data_relayed, udp_addr;
	char addr[32];		/* this node's underlay address */
};

struct sim_conn {
	bool used;
	int node;		/* which sim node owns this end */
	int peer_conn;		/* index of the other end */
};

struct sim {
	struct sim_node n[SIM_MAX_NODES];
	int nn;
	struct sim_conn c[SIM_MAX_CONNS];
	fl_time_t now;
	/* pending lines */
	struct sim_msg { int conn; char *text; uint8_t *data; size_t len; } *q;
	size_t qh, qn, qcap;
	long delivered;
	bool wire[SIM_MAX_NODES][SIM_MAX_NODES];	/* connect() possible */
};

void sim_init(struct sim *s, int n);
/* As sim_init, with node i's option bits opts[i] (MESH_OPT_*). */
void sim_init_opts(struct sim *s, int n, const uint32_t *opts);
void sim_free(struct sim *s);
/* Open a meta connection from a to b (a is the initiator). */
void sim_connect(struct sim *s, int a, int b);
/* Close the connection between a and b (both ends). */
void sim_disconnect(struct sim *s, int a, int b);
/* Deliver until quiet; false if it did not settle in max_steps. */
bool sim_run(struct sim *s, long max_steps);
/* Process one output list produced by node i. */
void sim_process(struct sim *s, int i, struct mesh_out *o);
void sim_tick(struct sim *s, int64_t advance_ms);
struct mesh_node *sim_node(struct sim *s, int at, int who);
int sim_conn_of(struct sim *s, int a, int b);

#endif
