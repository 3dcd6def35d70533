/* SPDX-License-Identifier: MIT */
/*
 * fuzz_udp_offload: the input is a batch of datagrams (two bytes each:
 * the top bit picks one of two receivers, the low 11 bits the size, 1-1900
 * bytes, so some are longer than a receive buffer). They are queued on a
 * transmit queue with UDP_SEGMENT on and flushed over loopback to two
 * sockets read through receive queues with UDP_GRO on; whatever runs the
 * queue forms and however the kernel coalesces them, each receiver must
 * hand out exactly its datagrams, in order, with their sizes and bytes
 * (longer ones cut to FL_MAXSIZE and marked). Aborts otherwise.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/udp.h"
#include "wire/dgram.h"

static struct {
	struct fl_pkt_pool *pool;
	int s, r[2];
	union fl_addr sa, ra[2];
	struct fl_udp_txq q;
	struct fl_udp_rxq rq[2];
} F;

static int fz_init(void)
{
	struct fl_udp_opts o;
	union fl_addr lo;
	int warn;

	fl_udp_opts_default(&o);
	if (!fl_addr_parse(&lo, "127.0.0.1", 0) || !(F.pool = fl_pkt_pool_new(256)))
		return -1;
	if ((F.s = fl_udp_open(&lo, &o, &warn)) < 0 || fl_udp_local_addr(F.s, &F.sa) < 0)
		return -1;
	for (int i = 0; i < 2; i++) {
		if ((F.r[i] = fl_udp_open(&lo, &o, &warn)) < 0 ||
		    fl_udp_local_addr(F.r[i], &F.ra[i]) < 0 ||
		    fl_udp_rxq_init(&F.rq[i], F.r[i], true) < 0)
			return -1;
	}
	fl_udp_txq_init(&F.q, F.s, NULL, NULL);
	fl_udp_txq_gso(&F.q, true);
	return 0;
}

static uint8_t fz_byte(size_t k, size_t j) { return (uint8_t)(k * 13 + j * 7); }

/* Read receiver i until it has handed out the n datagrams of want[]. */
static void fz_expect(int i, const uint16_t *len, const size_t *idx, size_t n)
{
	struct fl_pkt *pk[FL_UDP_BATCH];
	union fl_addr from[FL_UDP_BATCH];
	size_t got = 0;
	int idle = 0;

	while (got < n) {
		int r = fl_udp_rxq_recv(&F.rq[i], F.pool, pk, from, 7);
		if (r < 0 || (r == 0 && ++idle > 100000))
			abort();
		for (int k = 0; k < r; k++, got++) {
			size_t l, keep;
			if (got >= n)
				abort();
			l = len[got];
			keep = l > FL_MAXSIZE ? FL_MAXSIZE : l;
			if (pk[k]->len != keep ||
			    pk[k]->meta != (l > FL_MAXSIZE ? FL_UDP_META_TRUNC : 0u))
				abort();
			for (size_t j = 0; j < keep; j++)
				if (pk[k]->data[j] != fz_byte(idx[got], j))
					abort();
			fl_pkt_free(pk[k]);
		}
	}
	if (fl_udp_rxq_pending(&F.rq[i]))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	uint16_t len[2][FL_UDP_BATCH];
	size_t idx[2][FL_UDP_BATCH], n[2] = {0, 0};
	size_t count = size / 2 > FL_UDP_BATCH ? FL_UDP_BATCH : size / 2;

	if (!ready) {
		if (fz_init() < 0)
			abort();
		ready = 1;
	}
	for (size_t k = 0; k < count; k++) {
		unsigned v = (unsigned)data[2 * k] << 8 | data[2 * k + 1];
		int to = v >> 15;
		size_t l = (v & 0x7ff) % 1900 + 1; /* fits a packet buffer */
		struct fl_pkt *p = fl_pkt_alloc(F.pool);
		uint8_t *d;
		if (!p || !(d = fl_pkt_put(p, l)))
			abort();
		for (size_t j = 0; j < l; j++)
			d[j] = fz_byte(k, j);
		len[to][n[to]] = (uint16_t)l;
		idx[to][n[to]++] = k;
		fl_udp_txq_push(&F.q, &F.ra[to], p, k);
	}
	fl_udp_txq_flush(&F.q);
	if (F.q.dropped)
		abort();
	fz_expect(0, len[0], idx[0], n[0]);
	fz_expect(1, len[1], idx[1], n[1]);
	return 0;
}
