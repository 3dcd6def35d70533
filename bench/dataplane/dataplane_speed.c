/* SPDX-License-Identifier: MIT */
/*
 * dataplane_speed [SECONDS [BYTES [WORKERS]]]: synthetic packets through the real data path
 * of two in-memory dataplanes (tests/dataplane/tnet.c, real SPTPS
 * sessions) with 1, 2 and N crypto workers (N = online cores):
 *   seal  A's device input (decide, encapsulate, seqno reserved, framed)
 *         then the batch's seal handed to the workers' ring, and the next
 *         batch decided while they seal it; 64 packets per batch;
 *   open  the same datagrams at B in batches of 64: the opens handed to
 *         the ring, the next batch handed over, then the first one's
 *         in-order input (replay window, record rules, routing, device
 *         write), and so on.
 * Prints `dataplane <seal|open> <packet bytes> <workers> <Mpps> <Gbit/s>`
 * for 1400- and 64-byte IP packets (Gbit/s of IP packet bytes). Wall-clock
 * time, each phase timed on its own over rounds of 1024 packets (FL_DPS_ROUND);
 * FL_DPS_CPU=1 uses the process's CPU time instead (the clock sptps_speed
 * reads; meaningful for one worker on a busy machine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataplane/dp_sptps.h"
#include "dataplane/dp_workers.h"
#include "tnet.h"

#define BATCH 64
/* Packets per timed phase (FL_DPS_ROUND, a multiple of 64): sixteen
 * batches, as fenliud's device side hands over up to sixteen batches of
 * 64 (TUN reads) or 64 bursts (TSO reads) per wake-up before it waits for
 * the pipeline to drain. Each phase starts with a pipeline fill that
 * leaves the workers idle while the first batch is decided: with rounds
 * of four batches that fill came four times as often as in the daemon
 * and two workers sealed a median 1.79x one, against 1.87x now (ten
 * alternations, 2026-12-07). Rounds of 2048 charge the open with cache
 * misses the daemon never has (it opens each batch right after
 * recvmmsg; here the records of a round wait 1.4 MiB deep at 1024). */
#define ROUND_DEFAULT 1024
#define ROUND_MAX 2048 /* within tnet's queue (TNET_QUEUE) */

static unsigned round_pkts = ROUND_DEFAULT;

static struct tnet net;
static struct fl_pkt *tmpl[2]; /* the frame of each size, built once */

static double now_sec(void)
{
	struct timespec t;

	clock_gettime(getenv("FL_DPS_CPU") ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* 64 frames of len bytes (IP) into A's device input, then their seal
 * handed to the workers; returns its ticket. */
static uint64_t seal_batch(size_t len)
{
	struct fl_pkt *p[BATCH];
	unsigned first = net.qtail;

	const struct fl_pkt *t = tmpl[len == 64];

	for (int k = 0; k < BATCH; k++) {
		/* A device read: one copy of the packet into a pool buffer. */
		struct fl_pkt *f = fl_pkt_alloc(net.pool);
		if (!f || fl_pkt_set(f, t->data, t->len) < 0)
			exit(1);
		fl_dp_device_input(net.node[0].dp, net.now, f);
	}
	if (net.qtail - first != BATCH) {
		fprintf(stderr, "dataplane_speed: %u datagrams queued for %d frames\n",
			net.qtail - first, BATCH);
		exit(1);
	}
	for (int k = 0; k < BATCH; k++)
		p[k] = net.q[(first + (unsigned)k) % TNET_QUEUE].p;
	return fl_dp_sptps_seal_submit(net.dps, p, BATCH);
}

/* A round of seals as fenliud's device side runs them: batch k+1 is read
 * and decided while the workers seal batch k (whose send queue would be
 * flushed after the wait). */
static void seal_round(size_t len)
{
	uint64_t prev = 0;

	for (unsigned b = 0; b < round_pkts / BATCH; b++) {
		uint64_t t = seal_batch(len);
		fl_dp_sptps_wait(net.dps, prev);
		prev = t;
	}
	fl_dp_sptps_wait(net.dps, prev);
}

struct rx_batch {
	struct fl_pkt *p[BATCH];
	uint64_t ticket;
};

/* recvmmsg's batch: the sessions looked up, the opens handed over. */
static void open_submit(struct rx_batch *rb, bool ahead)
{
	void *sess[BATCH];
	size_t off[BATCH];
	const union fl_addr *from = &net.node[0].addr;

	for (int k = 0; k < BATCH; k++) {
		rb->p[k] = net.q[net.qhead++ % TNET_QUEUE].p;
		sess[k] = ahead ? fl_dp_udp_session_of(net.node[1].dp, from, rb->p[k], &off[k]) : NULL;
	}
	rb->ticket = ahead ? fl_dp_sptps_open_submit(net.dps, rb->p, sess, off, BATCH) : 0;
}

/* The in-order half, in ticket order. */
static void open_finish(struct rx_batch *rb)
{
	fl_dp_sptps_wait(net.dps, rb->ticket);
	for (int k = 0; k < BATCH; k++)
		fl_dp_udp_input(net.node[1].dp, net.now, 0, &net.node[0].addr, rb->p[k]);
}

/* A round of opens as fenliud's socket side runs them: batch k+1 is
 * received and handed over before batch k's in-order input. */
static void open_round(bool ahead)
{
	struct rx_batch rb[2];

	open_submit(&rb[0], ahead);
	for (unsigned b = 1; b < round_pkts / BATCH; b++) {
		open_submit(&rb[b % 2], ahead);
		open_finish(&rb[(b - 1) % 2]);
	}
	open_finish(&rb[(round_pkts / BATCH - 1) % 2]);
}

static void run(size_t len, unsigned workers, double secs)
{
	struct fl_dp_workers *w = workers > 1 ? fl_dp_workers_new(workers) : NULL;
	double t_seal = 0, t_open = 0, t0;
	unsigned long pkts = 0;
	unsigned dev0 = net.node[1].device_frames;

	if (fl_dp_sptps_set_workers(net.dps, w) < 0)
		exit(1);
	while (t_seal + t_open < secs) {
		t0 = now_sec();
		seal_round(len);
		t_seal += now_sec() - t0;
		t0 = now_sec();
		open_round(w != NULL);
		t_open += now_sec() - t0;
		pkts += round_pkts;
	}
	if (net.node[1].device_frames - dev0 != pkts) {
		fprintf(stderr, "dataplane_speed: %lu sent, %u arrived\n", pkts,
			net.node[1].device_frames - dev0);
		exit(1);
	}
	printf("dataplane seal %zu %u %.3f %.2f\n", len, workers, pkts / t_seal / 1e6,
	       pkts * len * 8.0 / t_seal / 1e9);
	printf("dataplane open %zu %u %.3f %.2f\n", len, workers, pkts / t_open / 1e6,
	       pkts * len * 8.0 / t_open / 1e9);
	fflush(stdout);
	fl_dp_sptps_set_workers(net.dps, NULL);
	fl_dp_workers_free(w);
}

int main(int argc, char *argv[])
{
	double secs = argc > 1 ? atof(argv[1]) : 2;
	/* One size and one worker count only (for perf): 0 = all. */
	size_t only_len = argc > 2 ? (size_t)atoi(argv[2]) : 0;
	unsigned only_w = argc > 3 ? (unsigned)atoi(argv[3]) : 0;
	unsigned online = fl_dp_workers_online(), counts[3] = {1, 2, online};
	size_t sizes[2] = {1400, 64};
	struct fl_dp_settings s;
	const char *r = getenv("FL_DPS_ROUND");

	if (r) {
		round_pkts = (unsigned)atoi(r);
		if (round_pkts < BATCH || round_pkts % BATCH || round_pkts > ROUND_MAX) {
			fprintf(stderr, "dataplane_speed: FL_DPS_ROUND=%s: want a multiple of %d up to %d\n",
				r, BATCH, ROUND_MAX);
			return 2;
		}
	}

	fl_dp_settings_default(&s);
	tnet_init(&net, 2, &s);
	tnet_link(&net, 0, 1, true, 1);
	tnet_link(&net, 1, 0, true, 0);
	/* Warm up: keys, UDP confirmed, PMTU found (as the tests do). */
	for (int i = 0; i < 40; i++) {
		tnet_send_ip(&net, 0, 1, 200, true);
		tnet_send_ip(&net, 1, 0, 200, true);
		tnet_advance(&net, 100000);
	}
	for (int si = 0; si < 2; si++) {
		tmpl[si] = tnet_frame4(&net, 0, 1, sizes[si] + 14, false);
		fl_pkt_pull(tmpl[si], 14);
	}
	for (int si = 0; si < 2; si++)
		for (int ci = 0; ci < 3; ci++)
			if ((ci < 2 || online > 2) && (!only_len || only_len == sizes[si]) &&
			    (!only_w || only_w == counts[ci]))
				run(sizes[si], counts[ci], secs);
	fl_pkt_free(tmpl[0]);
	fl_pkt_free(tmpl[1]);
	tnet_free(&net);
	return 0;
}
