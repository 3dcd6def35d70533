/* SPDX-License-Identifier: MIT */
/*
 * udp.h: the UDP sockets of the data path (spec/UDP.md §8): open one per
 * listening address with tinc's options, receive in batches with recvmmsg,
 * send in batches with sendmmsg through a per-socket transmit queue, and
 * read the kernel's path MTU toward an address (UDP.md §4.4.1).
 */
#ifndef FL_IO_UDP_H
#define FL_IO_UDP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "wire/addr.h"
#include "wire/pkt.h"

#define FL_UDP_BATCH 64u

struct fl_udp_opts {
	int rcvbuf;             /* UDPRcvBuf; 0 = leave the OS default */
	int sndbuf;             /* UDPSndBuf; 0 = leave the OS default */
	bool pmtu_discovery;    /* set DF (IP[V6]_PMTUDISC_DO) */
	uint32_t fwmark;        /* SO_MARK if non-zero */
	const char *bind_iface; /* SO_BINDTODEVICE if not NULL/empty */
};

/* Defaults as tinc: 1 MiB buffers, PMTU discovery on. */
void fl_udp_opts_default(struct fl_udp_opts *o);

/* Socket bound to addr (port 0: kernel's choice): non-blocking, cloexec,
 * SO_REUSEADDR, SO_BROADCAST, IPV6_V6ONLY for IPv6, buffers, DF. Returns
 * fd or -errno. A failing optional option (buffers, mark, device) is
 * reported through *warn_errno (0 if all applied) and is not fatal. */
int fl_udp_open(const union fl_addr *addr, const struct fl_udp_opts *o, int *warn_errno);

/* Set DF on a UDP socket of family AF_INET/AF_INET6 (IP[V6]_PMTUDISC_DO):
 * sends larger than the path MTU fail with EMSGSIZE. 0 or -errno. */
int fl_udp_set_df(int fd, int family);

/* The locally bound address (to learn the port chosen for port 0). */
int fl_udp_local_addr(int fd, union fl_addr *out);

/* fl_pkt.meta bit of a received datagram that was longer than FL_MAXSIZE
 * and so truncated (MSG_TRUNC): the caller drops it as oversize. */
#define FL_UDP_META_TRUNC 0x80000000u

/* Receive up to n datagrams (n <= FL_UDP_BATCH) into packets from pool
 * (buffer FL_MAXSIZE each; longer datagrams are truncated and marked with
 * FL_UDP_META_TRUNC in meta, which is 0 otherwise). from[i] gets the
 * unmapped source address. Returns the count (caller takes the packets), 0
 * on EAGAIN, or -errno. Empty datagrams are freed and skipped. */
int fl_udp_recv_batch(int fd, struct fl_pkt_pool *pool, struct fl_pkt **pkts,
		      union fl_addr *from, unsigned n);

/* Called for every queued datagram the kernel refused (not for EAGAIN,
 * which drops the rest of the batch silently as tinc does). cookie is what
 * was queued; len the payload length (for EMSGSIZE, UDP.md §4.6). */
typedef void fl_udp_err_fn(void *ctx, uintptr_t cookie, int err, size_t len);

/* A transmit queue for one socket. Fill with fl_udp_txq_push(); flush once
 * per loop iteration (or when full: push flushes by itself). */
struct fl_udp_txq {
	int fd;
	unsigned n;
	fl_udp_err_fn *on_error;
	void *ctx;
	uint64_t sent, dropped;
	uint64_t full;          /* of dropped: socket buffer full (EAGAIN) */
	struct fl_pkt *pkt[FL_UDP_BATCH];
	union fl_addr to[FL_UDP_BATCH];
	uintptr_t cookie[FL_UDP_BATCH];
};

void fl_udp_txq_init(struct fl_udp_txq *q, int fd, fl_udp_err_fn *on_error, void *ctx);
/* Queue p (takes it) for `to`. */
void fl_udp_txq_push(struct fl_udp_txq *q, const union fl_addr *to, struct fl_pkt *p,
		     uintptr_t cookie);
/* sendmmsg everything queued; frees the packets. Returns datagrams sent. */
unsigned fl_udp_txq_flush(struct fl_udp_txq *q);

/* Send one datagram now. 0 or -errno. */
int fl_udp_send(int fd, const union fl_addr *to, const void *buf, size_t len);

/* Kernel path MTU (IP_MTU / IPV6_MTU) toward `to`, via a throw-away
 * connected socket; -errno on failure. */
int fl_udp_path_mtu(const union fl_addr *to);

#endif
