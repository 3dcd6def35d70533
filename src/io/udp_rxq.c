/* SPDX-License-Identifier: MIT */
/*
 * udp_rxq.c: receiving a UDP socket with UDP_GRO (see udp.h). The kernel
 * hands over runs of same-size datagrams from one sender as one buffer and
 * names the datagram size in a cmsg; this file cuts such buffers back into
 * one packet per datagram, in order, so the dataplane above sees exactly
 * what recvmmsg without GRO would have given it. Called by the daemon's
 * UDP read handler (control thread).
 */
#include "io/udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "wire/dgram.h"

size_t fl_udp_gro_seg_len(size_t len, size_t off, size_t seg)
{
	if (off >= len)
		return 0;
	if (!seg || seg > len - off)
		return len - off;
	return seg;
}

int fl_udp_rxq_init(struct fl_udp_rxq *q, int fd, bool want_gro)
{
	int one = 1, zero = 0;

	memset(q, 0, sizeof(*q));
	q->fd = fd;
	if (!want_gro)
		return 0;
	if (setsockopt(fd, SOL_UDP, UDP_GRO, &one, sizeof(one)) < 0) {
		q->gro_err = errno;
		return 0;
	}
	/* Untouched pages of this cost no memory; a slot fills only as far
	 * as the largest buffer the kernel coalesced into it. */
	q->buf = malloc((size_t)FL_UDP_GRO_SLOTS * FL_UDP_GRO_SLOT);
	if (!q->buf) {
		/* The socket may now coalesce, so it must not stay on. */
		setsockopt(fd, SOL_UDP, UDP_GRO, &zero, sizeof(zero));
		q->gro_err = ENOMEM;
		return -ENOMEM;
	}
	q->gro = true;
	return 0;
}

void fl_udp_rxq_free(struct fl_udp_rxq *q)
{
	free(q->buf);
	q->buf = NULL;
	q->gro = false;
	q->nmsg = q->cur = 0;
}

bool fl_udp_rxq_pending(const struct fl_udp_rxq *q)
{
	return q->cur < q->nmsg;
}

/* The datagram size the kernel put in msg's UDP_GRO cmsg; 0 if none (one
 * plain datagram). */
static uint32_t rxq_gro_size(struct msghdr *mh)
{
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		int v;
		if (cm->cmsg_level != SOL_UDP || cm->cmsg_type != UDP_GRO ||
		    cm->cmsg_len < CMSG_LEN(sizeof(v)))
			continue;
		memcpy(&v, CMSG_DATA(cm), sizeof(v));
		return v > 0 ? (uint32_t)v : 0;
	}
	return 0;
}

/* recvmmsg into the slots. Returns messages held, 0 on EAGAIN, or -errno. */
static int rxq_fill(struct fl_udp_rxq *q)
{
	struct mmsghdr msg[FL_UDP_GRO_SLOTS];
	struct iovec iov[FL_UDP_GRO_SLOTS];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} ctl[FL_UDP_GRO_SLOTS];
	int r;

	for (unsigned i = 0; i < FL_UDP_GRO_SLOTS; i++) {
		iov[i].iov_base = q->buf + (size_t)i * FL_UDP_GRO_SLOT;
		iov[i].iov_len = FL_UDP_GRO_SLOT;
		memset(&msg[i], 0, sizeof(msg[i]));
		msg[i].msg_hdr.msg_iov = &iov[i];
		msg[i].msg_hdr.msg_iovlen = 1;
		msg[i].msg_hdr.msg_name = &q->from[i];
		msg[i].msg_hdr.msg_namelen = sizeof(q->from[i]);
		msg[i].msg_hdr.msg_control = ctl[i].buf;
		msg[i].msg_hdr.msg_controllen = sizeof(ctl[i].buf);
	}
	do
		r = recvmmsg(q->fd, msg, FL_UDP_GRO_SLOTS, MSG_DONTWAIT, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
	for (int i = 0; i < r; i++) {
		q->len[i] = msg[i].msg_len;
		q->seg[i] = rxq_gro_size(&msg[i].msg_hdr);
		q->trunc[i] = (msg[i].msg_hdr.msg_flags & MSG_TRUNC) != 0;
		fl_addr_unmap(&q->from[i]);
		if (q->seg[i] && q->seg[i] < q->len[i])
			q->coalesced += (q->len[i] + q->seg[i] - 1) / q->seg[i];
	}
	q->nmsg = (unsigned)r;
	q->cur = 0;
	q->off = 0;
	return r;
}

/* Hand out datagrams of the held messages into pkts[*out .. n). */
static void rxq_split(struct fl_udp_rxq *q, struct fl_pkt_pool *pool, struct fl_pkt **pkts,
		      union fl_addr *from, unsigned n, unsigned *out)
{
	while (q->cur < q->nmsg && *out < n) {
		const uint8_t *m = q->buf + (size_t)q->cur * FL_UDP_GRO_SLOT;
		size_t l = fl_udp_gro_seg_len(q->len[q->cur], q->off, q->seg[q->cur]);
		struct fl_pkt *p;

		if (!l) { /* this message is done (or was empty) */
			q->cur++;
			q->off = 0;
			continue;
		}
		if (!(p = fl_pkt_alloc(pool))) {
			/* Nowhere to put the rest of this buffer: it is lost. */
			while ((l = fl_udp_gro_seg_len(q->len[q->cur], q->off, q->seg[q->cur]))) {
				q->off += (uint32_t)l;
				q->nopool++;
			}
			continue;
		}
		/* Longer than any datagram we take: keep the front, and mark it
		 * so the caller drops it as oversize (as fl_udp_recv_batch). */
		fl_pkt_set(p, m + q->off, l > FL_MAXSIZE ? FL_MAXSIZE : l);
		p->meta = l > FL_MAXSIZE || q->trunc[q->cur] ? FL_UDP_META_TRUNC : 0;
		pkts[*out] = p;
		from[*out] = q->from[q->cur];
		(*out)++;
		/* Step past a finished message now, so that pending() is false
		 * once everything has been handed out. */
		q->off += (uint32_t)l;
		if (q->off >= q->len[q->cur]) {
			q->cur++;
			q->off = 0;
		}
	}
}

int fl_udp_rxq_recv(struct fl_udp_rxq *q, struct fl_pkt_pool *pool, struct fl_pkt **pkts,
		    union fl_addr *from, unsigned n)
{
	unsigned out = 0;
	int r;

	if (!q->gro)
		return fl_udp_recv_batch(q->fd, pool, pkts, from, n);
	rxq_split(q, pool, pkts, from, n, &out);
	/* Read more only when everything held has been handed out, so the
	 * held buffers are never overwritten. */
	if (out < n && !fl_udp_rxq_pending(q)) {
		r = rxq_fill(q);
		if (r < 0 && !out)
			return r;
		rxq_split(q, pool, pkts, from, n, &out);
	}
	return (int)out;
}
