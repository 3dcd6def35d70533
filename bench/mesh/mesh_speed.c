/* SPDX-License-Identifier: MIT */
/*
 * mesh_speed.c: what a flood of ADD_SUBNET / ADD_EDGE costs one mesh
 * instance (issue 22). A mesh "alpha" has two active peers, beta (the
 * flooder) and gamma (gets every request forwarded); N requests go through
 * mesh_conn_recv() as the daemon feeds them, with mesh_settle() after each
 * batch of 64 lines (about one socket read), and the wall time is printed:
 *
 *   mesh add_subnet N <seconds>          batched (settle_ms = 100, as fenliud)
 *   mesh add_subnet_unbatched N <s>      settle_ms = 0: index rebuilt per line
 *   mesh add_edge N <seconds>            N fake nodes, 2N edges
 *   mesh add_edge_unbatched N <seconds>  graph run per line
 *   mesh del_subnet N / del_edge N       the same entries removed again
 *   mesh route N <ns per lookup>         lookups while the index is stale
 *
 * Subnets arrive in descending order, the worst case for a sorted array.
 * Usage: mesh_speed [max N [max unbatched N]] (defaults 100000, 1000: the
 * unbatched runs are quadratic, 10000 takes minutes).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mesh/mesh.h"

static fl_time_t now = FL_TIME_MS(1700000000000LL);

static double secs(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool lookup(void *ctx, const char *name, struct mesh_host_info *h)
{
	(void)ctx;
	if (strcmp(name, "beta") && strcmp(name, "gamma"))
		return false;
	h->exists = h->has_key = true;
	return true;
}

static uint32_t rnd(void *ctx)
{
	static uint32_t seed = 1;

	(void)ctx;
	seed = seed * 1103515245u + 12345u;
	return seed;
}

static void rx(struct mesh *m, int32_t conn, const char *line, struct mesh_out *o)
{
	if (mesh_conn_recv(m, conn, line, strlen(line), now, o) != MESH_OK) {
		fprintf(stderr, "mesh_speed: rejected: %s\n", line);
		exit(1);
	}
}

static void activate(struct mesh *m, int32_t conn, const char *peer, struct mesh_out *o)
{
	char id[64];

	snprintf(id, sizeof(id), "0 %s 17.7", peer);
	if (!mesh_conn_open(m, conn, NULL, "192.0.2.2", "40000", "192.0.2.1", now, o) ||
	    mesh_conn_recv(m, conn, id, strlen(id), now, o) != MESH_OK ||
	    mesh_conn_sptps_ready(m, conn, now, o) != MESH_OK)
		exit(1);
	rx(m, conn, "4 655 10 700000c", o);
}

static struct mesh *setup(int settle_ms)
{
	struct mesh_config cfg = {0};
	struct mesh_out o;
	struct mesh *m;

	cfg.myname = "alpha";
	cfg.my_udp_port = "655";
	cfg.my_pubkey_b64 = "ALPHAKEY";
	cfg.forwarding_internal = true;
	cfg.host_lookup = lookup;
	cfg.random_u32 = rnd;
	cfg.settle_ms = settle_ms;
	m = mesh_new(&cfg, now);
	if (!m)
		exit(1);
	mesh_out_init(&o);
	activate(m, 1, "beta", &o);
	activate(m, 2, "gamma", &o);
	rx(m, 1, "12 1 beta alpha 192.0.2.1 655 700000c 10", &o);
	rx(m, 2, "12 2 gamma alpha 192.0.2.1 655 700000c 10", &o);
	mesh_settle(m, now, &o);
	mesh_out_clear(&o);
	return m;
}

/* Line i of a flood: kind 's' ADD_SUBNET, 'S' DEL_SUBNET, 'e' the two
 * ADD_EDGEs of fake node i, 'E' its DEL_EDGEs. nonce keeps lines unique. */
static int line(char *buf, size_t cap, char kind, size_t n, size_t i, int half,
		uint32_t nonce)
{
	size_t k = n - 1 - i;	/* descending */

	switch (kind) {
	case 's':
	case 'S':
		return snprintf(buf, cap, "%d %x beta 198.%u.%u.%u", kind == 's' ? 10 : 11,
				nonce, 18 + (unsigned)(k >> 16), (unsigned)(k >> 8) & 255,
				(unsigned)k & 255);
	default:
		if (half)
			return snprintf(buf, cap, kind == 'e' ?
					"12 %x beta f%zu 192.0.2.9 655 700000c 10" :
					"13 %x beta f%zu", nonce, k);
		return snprintf(buf, cap, kind == 'e' ?
				"12 %x f%zu beta 192.0.2.9 655 700000c 10" :
				"13 %x f%zu beta", nonce, k);
	}
}

static double flood(struct mesh *m, char kind, size_t n)
{
	static uint32_t nonce = 0x1000;
	struct mesh_out o;
	char buf[128];
	double t0 = secs();
	size_t lines = 0;
	int halves = kind == 'e' || kind == 'E' ? 2 : 1;

	mesh_out_init(&o);
	for (size_t i = 0; i < n; i++) {
		for (int h = 0; h < halves; h++) {
			line(buf, sizeof(buf), kind, n, i, h, nonce++);
			rx(m, 1, buf, &o);
			if (++lines % 64 == 0) {
				now += FL_TIME_MS(1);
				mesh_settle(m, now, &o);
				mesh_out_clear(&o);
			}
		}
	}
	now += FL_TIME_MS(1000);
	mesh_settle(m, now, &o);
	mesh_out_clear(&o);
	return secs() - t0;
}

static void route(struct mesh *m, size_t n)
{
	uint8_t a[16] = {198, 18, 0, 0};
	size_t reps = 100000, hits = 0;
	double t0 = secs();

	for (size_t i = 0; i < reps; i++) {
		size_t k = (i * 7919) % n;
		a[1] = (uint8_t)(18 + (k >> 16));
		a[2] = (uint8_t)(k >> 8);
		a[3] = (uint8_t)k;
		hits += mesh_subnet_route(m, MESH_SUBNET_IPV4, a) != NULL;
	}
	printf("mesh route_stale %zu %.0f\n", n, (secs() - t0) * 1e9 / (double)reps);
	if (hits != reps)
		fprintf(stderr, "mesh_speed: %zu of %zu lookups missed\n", reps - hits, reps);
}

static void run(size_t n, bool batched)
{
	const char *sfx = batched ? "" : "_unbatched";
	struct mesh *m = setup(batched ? 100 : 0);
	struct mesh_out o;
	double t;

	t = flood(m, 's', n);
	printf("mesh add_subnet%s %zu %.3f\n", sfx, n, t);
	if (batched) {
		/* a fresh subnet leaves the index stale: the search answers */
		mesh_out_init(&o);
		rx(m, 1, "10 1 beta 203.0.113.0/24", &o);
		mesh_out_clear(&o);
		route(m, n);
	}
	t = flood(m, 'S', n);
	printf("mesh del_subnet%s %zu %.3f\n", sfx, n, t);
	t = flood(m, 'e', n);
	printf("mesh add_edge%s %zu %.3f\n", sfx, n, t);
	t = flood(m, 'E', n);
	printf("mesh del_edge%s %zu %.3f\n", sfx, n, t);
	fflush(stdout);
	mesh_free(m);
}

int main(int argc, char **argv)
{
	size_t max = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
	size_t unbatched_max = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;

	for (size_t n = 1000; n <= max; n *= 10) {
		run(n, true);
		if (n <= unbatched_max)
			run(n, false);
	}
	return 0;
}
