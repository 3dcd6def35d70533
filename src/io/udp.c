/* SPDX-License-Identifier: MIT */
/*
 * udp.c: UDP sockets with tinc's options and batched I/O (see udp.h).
 * Called by the daemon main: it opens the sockets, reads them on
 * readiness with fl_udp_recv_batch() and flushes the transmit queues that
 * the dataplane's send callback fills.
 */
#include "io/udp.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wire/dgram.h"

void fl_udp_opts_default(struct fl_udp_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->rcvbuf = 1 << 20;
	o->sndbuf = 1 << 20;
	o->pmtu_discovery = true;
}

static int udp_setopt(int fd, int level, int name, int value)
{
	return setsockopt(fd, level, name, &value, sizeof(value)) < 0 ? errno : 0;
}

/* Options whose failure only deserves a warning (UDP.md §8). */
static int udp_soft_opts(int fd, const union fl_addr *addr, const struct fl_udp_opts *o)
{
	int warn = 0, e;

	if (o->rcvbuf && (e = udp_setopt(fd, SOL_SOCKET, SO_RCVBUF, o->rcvbuf)))
		warn = e;
	if (o->sndbuf && (e = udp_setopt(fd, SOL_SOCKET, SO_SNDBUF, o->sndbuf)))
		warn = e;
	if (o->fwmark && (e = udp_setopt(fd, SOL_SOCKET, SO_MARK, (int)o->fwmark)))
		warn = e;
	if (o->bind_iface && *o->bind_iface &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->bind_iface,
		       (socklen_t)strlen(o->bind_iface)) < 0)
		warn = errno;
	if (o->pmtu_discovery && (e = -fl_udp_set_df(fd, addr->sa.sa_family)))
		warn = e;
	return warn;
}

int fl_udp_set_df(int fd, int family)
{
	int e;

	/* DO, as tinc: never fragment, and a datagram larger than the route's
	 * (or the learnt path's) MTU fails with EMSGSIZE, which is what makes
	 * a too-big PMTU probe fail instead of going out in fragments. */
	if (family == AF_INET)
		e = udp_setopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO);
	else
		e = udp_setopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, IPV6_PMTUDISC_DO);
	return -e;
}

int fl_udp_open(const union fl_addr *addr, const struct fl_udp_opts *o, int *warn_errno)
{
	int fd, err;

	*warn_errno = 0;
	if (!fl_addr_len(addr))
		return -EAFNOSUPPORT;
	fd = socket(addr->sa.sa_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	if ((err = udp_setopt(fd, SOL_SOCKET, SO_REUSEADDR, 1)) ||
	    (err = udp_setopt(fd, SOL_SOCKET, SO_BROADCAST, 1)) ||
	    (addr->sa.sa_family == AF_INET6 && (err = udp_setopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1))))
		goto out_close;
	*warn_errno = udp_soft_opts(fd, addr, o);
	if (bind(fd, &addr->sa, fl_addr_len(addr)) < 0) {
		err = errno;
		goto out_close;
	}
	return fd;
out_close:
	close(fd);
	return -err;
}

int fl_udp_local_addr(int fd, union fl_addr *out)
{
	socklen_t len = sizeof(*out);

	memset(out, 0, sizeof(*out));
	return getsockname(fd, &out->sa, &len) < 0 ? -errno : 0;
}

int fl_udp_recv_batch(int fd, struct fl_pkt_pool *pool, struct fl_pkt **pkts,
		      union fl_addr *from, unsigned n)
{
	struct mmsghdr msg[FL_UDP_BATCH];
	struct iovec iov[FL_UDP_BATCH];
	unsigned have = 0, out = 0;
	int r;

	if (n > FL_UDP_BATCH)
		n = FL_UDP_BATCH;
	for (; have < n; have++) {
		struct fl_pkt *p = fl_pkt_alloc(pool);
		if (!p)
			break;
		pkts[have] = p;
		iov[have].iov_base = p->data;
		iov[have].iov_len = FL_MAXSIZE;
		memset(&msg[have], 0, sizeof(msg[have]));
		msg[have].msg_hdr.msg_iov = &iov[have];
		msg[have].msg_hdr.msg_iovlen = 1;
		msg[have].msg_hdr.msg_name = &from[have];
		msg[have].msg_hdr.msg_namelen = sizeof(from[have]);
	}
	if (!have)
		return 0;
	do
		r = recvmmsg(fd, msg, have, MSG_DONTWAIT, NULL);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		int err = errno;
		for (unsigned i = 0; i < have; i++)
			fl_pkt_free(pkts[i]);
		return err == EAGAIN || err == EWOULDBLOCK ? 0 : -err;
	}
	for (unsigned i = 0; i < have; i++) {
		if ((int)i >= r || msg[i].msg_len == 0) {
			fl_pkt_free(pkts[i]);
			continue;
		}
		pkts[i]->len = msg[i].msg_len;
		pkts[i]->meta = (msg[i].msg_hdr.msg_flags & MSG_TRUNC) ? FL_UDP_META_TRUNC : 0;
		fl_addr_unmap(&from[i]);
		pkts[out] = pkts[i];
		from[out] = from[i];
		out++;
	}
	return (int)out;
}

void fl_udp_txq_init(struct fl_udp_txq *q, int fd, fl_udp_err_fn *on_error, void *ctx)
{
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	q->on_error = on_error;
	q->ctx = ctx;
}

void fl_udp_txq_push(struct fl_udp_txq *q, const union fl_addr *to, struct fl_pkt *p,
		     uintptr_t cookie)
{
	if (q->n == FL_UDP_TXQ_CAP)
		fl_udp_txq_flush(q);
	q->pkt[q->n] = p;
	q->to[q->n] = *to;
	q->cookie[q->n] = cookie;
	q->n++;
}

/* Datagrams q->pkt[from .. from + n) to q->to[from] (one run) or to each
 * q->to[k], one sendmmsg entry each; the errors the kernel names are
 * reported per datagram. Returns how many were handled (sent or refused);
 * fewer than n means the socket buffer is full and the rest are dropped. */
static unsigned udp_txq_send_each(struct fl_udp_txq *q, unsigned from, unsigned n)
{
	struct mmsghdr msg[FL_UDP_TXQ_CAP];
	struct iovec iov[FL_UDP_TXQ_CAP];
	unsigned i = 0;

	for (unsigned k = 0; k < n; k++) {
		iov[k].iov_base = q->pkt[from + k]->data;
		iov[k].iov_len = q->pkt[from + k]->len;
		memset(&msg[k], 0, sizeof(msg[k]));
		msg[k].msg_hdr.msg_iov = &iov[k];
		msg[k].msg_hdr.msg_iovlen = 1;
		msg[k].msg_hdr.msg_name = &q->to[from + k];
		msg[k].msg_hdr.msg_namelen = fl_addr_len(&q->to[from + k]);
	}
	while (i < n) {
		int r = sendmmsg(q->fd, msg + i, n - i, MSG_DONTWAIT);
		if (r > 0) {
			i += (unsigned)r;
			q->sent += (unsigned)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return i;
		/* msg[i] failed: report it and carry on with the rest. */
		if (q->on_error)
			q->on_error(q->ctx, q->cookie[from + i], r < 0 ? errno : EIO,
				    q->pkt[from + i]->len);
		q->dropped++;
		i++;
	}
	return n;
}

/* Length of the run starting at `from` that one UDP_SEGMENT send can carry:
 * same destination, same size, except that the last may be shorter, at
 * most FL_UDP_GSO_MAX_SEGS datagrams and FL_UDP_GSO_MAX_BYTES bytes. */
static unsigned udp_txq_run(const struct fl_udp_txq *q, unsigned from)
{
	size_t seg = q->pkt[from]->len, total = seg;
	unsigned k = from + 1;

	while (k < q->n && k - from < FL_UDP_GSO_MAX_SEGS) {
		size_t len = q->pkt[k]->len;
		if (len > seg || len == 0 || total + len > FL_UDP_GSO_MAX_BYTES ||
		    !fl_addr_equal(&q->to[k], &q->to[from]))
			break;
		total += len;
		k++;
		if (len < seg) /* a shorter one ends the run */
			break;
	}
	return k - from;
}

/* One sendmsg with a UDP_SEGMENT cmsg for the run [from, from + n): the
 * kernel cuts it into n datagrams of the first one's size (the last may be
 * shorter), so the wire sees exactly what n single sends would give.
 * Returns 0, or the errno of the failed send. */
static int udp_txq_send_gso(struct fl_udp_txq *q, unsigned from, unsigned n)
{
	struct iovec iov[FL_UDP_GSO_MAX_SEGS];
	union {
		char buf[CMSG_SPACE(sizeof(uint16_t))];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh = {
		.msg_name = &q->to[from],
		.msg_namelen = fl_addr_len(&q->to[from]),
		.msg_iov = iov,
		.msg_iovlen = n,
		.msg_control = ctl.buf,
		.msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *cm;
	uint16_t seg = (uint16_t)q->pkt[from]->len;
	ssize_t r;

	for (unsigned k = 0; k < n; k++) {
		iov[k].iov_base = q->pkt[from + k]->data;
		iov[k].iov_len = q->pkt[from + k]->len;
	}
	memset(&ctl, 0, sizeof(ctl));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
	do
		r = sendmsg(q->fd, &mh, MSG_DONTWAIT);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return errno;
	q->sent += n;
	q->gso_sends++;
	q->gso_segs += n;
	return 0;
}

/* Send the run [from, from + n) as one UDP_SEGMENT send if it can be.
 * Returns how many were handled, as udp_txq_send_each(). */
static unsigned udp_txq_send_run(struct fl_udp_txq *q, unsigned from, unsigned n)
{
	int err;

	if (n < 2 || !q->gso)
		return udp_txq_send_each(q, from, n);
	err = udp_txq_send_gso(q, from, n);
	if (!err)
		return n;
	if (err == EAGAIN || err == EWOULDBLOCK)
		return 0;
	/* EIO: the route's device cannot checksum a GSO send (or the kernel
	 * lacks UDP_SEGMENT): stop trying on this socket. Any other error
	 * (EMSGSIZE or EINVAL for a segment over the path MTU) is left to
	 * the single sends, which report it per datagram (UDP.md §4.6). */
	if (err == EIO || err == ENOPROTOOPT || err == EOPNOTSUPP) {
		q->gso = false;
		q->gso_off_err = err;
		if (q->on_gso_off)
			q->on_gso_off(q->ctx, err);
	}
	return udp_txq_send_each(q, from, n);
}

unsigned fl_udp_txq_flush(struct fl_udp_txq *q)
{
	uint64_t before = q->sent;
	unsigned i = 0, single = 0, done; /* q->pkt[single .. i): not yet sent */

	/* Runs for one UDP_SEGMENT send go out whole; the datagrams between
	 * them gather for one sendmmsg, sent before the next run so that
	 * nothing overtakes what was queued before it. */
	while (i < q->n) {
		unsigned run = q->gso ? udp_txq_run(q, i) : 1;
		if (run < 2) {
			i++;
			continue;
		}
		if (single < i && (done = udp_txq_send_each(q, single, i - single)) < i - single) {
			i = single + done;
			goto out_full;
		}
		if ((done = udp_txq_send_run(q, i, run)) < run) {
			i += done;
			goto out_full;
		}
		i += run;
		single = i;
	}
	if (single < i && (done = udp_txq_send_each(q, single, i - single)) < i - single) {
		i = single + done;
		goto out_full;
	}
	goto out_free;
out_full:
	/* Socket buffer full: the rest is lost, as with tinc. */
	q->dropped += q->n - i;
	q->full += q->n - i;
out_free:
	for (unsigned k = 0; k < q->n; k++)
		fl_pkt_free(q->pkt[k]);
	q->n = 0;
	return (unsigned)(q->sent - before);
}

unsigned fl_udp_txq_flush_head(struct fl_udp_txq *q, unsigned n)
{
	unsigned all = q->n, sent;

	if (n >= all)
		return fl_udp_txq_flush(q);
	if (!n)
		return 0;
	q->n = n;
	sent = fl_udp_txq_flush(q);
	memmove(q->pkt, q->pkt + n, (all - n) * sizeof(q->pkt[0]));
	memmove(q->to, q->to + n, (all - n) * sizeof(q->to[0]));
	memmove(q->cookie, q->cookie + n, (all - n) * sizeof(q->cookie[0]));
	q->n = all - n;
	return sent;
}

bool fl_udp_txq_gso(struct fl_udp_txq *q, bool want)
{
	/* Setting a zero segment size changes nothing for plain sends; it only
	 * tells whether this kernel knows UDP_SEGMENT. */
	q->gso_off_err = want ? udp_setopt(q->fd, SOL_UDP, UDP_SEGMENT, 0) : 0;
	q->gso = want && !q->gso_off_err;
	return q->gso;
}

int fl_udp_send(int fd, const union fl_addr *to, const void *buf, size_t len)
{
	ssize_t r;

	do
		r = sendto(fd, buf, len, MSG_DONTWAIT, &to->sa, fl_addr_len(to));
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : 0;
}

int fl_udp_path_mtu(const union fl_addr *to)
{
	int fd, mtu = 0, err;
	socklen_t len = sizeof(mtu);

	if (!fl_addr_len(to))
		return -EAFNOSUPPORT;
	fd = socket(to->sa.sa_family, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_UDP);
	if (fd < 0)
		return -errno;
	if (connect(fd, &to->sa, fl_addr_len(to)) < 0 ||
	    getsockopt(fd, to->sa.sa_family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
		       to->sa.sa_family == AF_INET ? IP_MTU : IPV6_MTU, &mtu, &len) < 0) {
		err = errno;
		close(fd);
		return -err;
	}
	close(fd);
	return mtu;
}
