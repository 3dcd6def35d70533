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
/* A transmit queue holds two batches: the one being sent while the next
 * is sealed (fld_dp.c's pipeline flushes the older with
 * fl_udp_txq_flush_head()). */
#define FL_UDP_TXQ_CAP (2 * FL_UDP_BATCH)

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

/* Limits of one UDP_SEGMENT send: older kernels take at most 64 segments,
 * and the whole must fit one IPv4 datagram's 65,507 payload bytes. */
#define FL_UDP_GSO_MAX_SEGS 64u
#define FL_UDP_GSO_MAX_BYTES 65507u

/* A transmit queue for one socket. Fill with fl_udp_txq_push(); flush once
 * per loop iteration (or when full: push flushes by itself). With gso on
 * (fl_udp_txq_gso()), a flush sends each run of queued datagrams that share
 * destination and size (the run's last may be shorter) with one sendmsg and
 * UDP_SEGMENT; the rest, and everything when gso is off, with sendmmsg. */
struct fl_udp_txq {
	int fd;
	unsigned n;
	fl_udp_err_fn *on_error;
	void *ctx;
	uint64_t sent, dropped;
	uint64_t full;          /* of dropped: socket buffer full (EAGAIN) */
	bool gso;               /* send runs with UDP_SEGMENT */
	void (*on_gso_off)(void *ctx, int err); /* gso turned off by a send; or NULL */
	int gso_off_err;        /* errno that kept gso off (probe) or turned it off
				 * while sending; 0: none */
	uint64_t gso_sends;     /* UDP_SEGMENT sendmsg calls that succeeded */
	uint64_t gso_segs;      /* datagrams they carried */
	struct fl_pkt *pkt[FL_UDP_TXQ_CAP];
	union fl_addr to[FL_UDP_TXQ_CAP];
	uintptr_t cookie[FL_UDP_TXQ_CAP];
};

void fl_udp_txq_init(struct fl_udp_txq *q, int fd, fl_udp_err_fn *on_error, void *ctx);
/* Queue p (takes it) for `to`. */
void fl_udp_txq_push(struct fl_udp_txq *q, const union fl_addr *to, struct fl_pkt *p,
		     uintptr_t cookie);
/* Send everything queued; frees the packets. Returns datagrams sent. */
unsigned fl_udp_txq_flush(struct fl_udp_txq *q);
/* Send the first n queued (n <= q->n) as fl_udp_txq_flush() would; the
 * rest stay queued, in order. Returns datagrams sent. */
unsigned fl_udp_txq_flush_head(struct fl_udp_txq *q, unsigned n);
/* Turn UDP_SEGMENT sends on (want, and the kernel knows the option) or off.
 * Returns whether they are on (if wanted but not, gso_off_err says why).
 * A send that later fails with EIO (the
 * route's device cannot checksum them) turns them off again, sets
 * gso_off_err, calls on_gso_off and is retried with sendmmsg, so nothing is
 * lost. */
bool fl_udp_txq_gso(struct fl_udp_txq *q, bool want);

/* Receiving with UDP_GRO: the kernel may hand over a run of same-size
 * datagrams from one sender as one buffer of up to 64 KiB, so a socket with
 * GRO on is read only through this queue, which holds FL_UDP_GRO_SLOTS such
 * buffers from one recvmmsg and cuts them back into one packet per
 * datagram. Without GRO it is fl_udp_recv_batch(). */
#define FL_UDP_GRO_SLOTS 16u
#define FL_UDP_GRO_SLOT 65536u

struct fl_udp_rxq {
	int fd;
	bool gro;               /* UDP_GRO is on for fd */
	int gro_err;            /* why it is not, if asked for (errno) */
	uint8_t *buf;           /* the slots, FL_UDP_GRO_SLOT bytes each */
	unsigned nmsg, cur;     /* messages held; the one being cut */
	uint32_t off;           /* next byte of message cur */
	uint32_t len[FL_UDP_GRO_SLOTS];
	uint32_t seg[FL_UDP_GRO_SLOTS]; /* datagram size from the cmsg; 0: one */
	bool trunc[FL_UDP_GRO_SLOTS];
	union fl_addr from[FL_UDP_GRO_SLOTS];
	uint64_t coalesced;     /* datagrams that arrived in a coalesced buffer */
	uint64_t nopool;        /* datagrams lost: the packet pool was empty */
};

/* Set up q for fd; with want_gro, turn UDP_GRO on if the kernel has it
 * (else q->gro stays false and q->gro_err says why). 0, or -ENOMEM (GRO
 * is then off again). */
int fl_udp_rxq_init(struct fl_udp_rxq *q, int fd, bool want_gro);
void fl_udp_rxq_free(struct fl_udp_rxq *q);
/* As fl_udp_recv_batch (same packets, meta and addresses), through the
 * held buffers when GRO is on. Datagrams cut from one buffer come in
 * order. The caller takes the packets. */
int fl_udp_rxq_recv(struct fl_udp_rxq *q, struct fl_pkt_pool *pool, struct fl_pkt **pkts,
		    union fl_addr *from, unsigned n);
/* Datagrams received from the socket but not yet handed out: call
 * fl_udp_rxq_recv() again before waiting for the socket. */
bool fl_udp_rxq_pending(const struct fl_udp_rxq *q);
/* Length of the datagram at off in a buffer of len bytes cut every seg
 * bytes (seg 0: not cut): seg, or what is left if shorter; 0 at the end. */
size_t fl_udp_gro_seg_len(size_t len, size_t off, size_t seg);

/* Send one datagram now. 0 or -errno. */
int fl_udp_send(int fd, const union fl_addr *to, const void *buf, size_t len);

/* Kernel path MTU (IP_MTU / IPV6_MTU) toward `to`, via a throw-away
 * connected socket; -errno on failure. */
int fl_udp_path_mtu(const union fl_addr *to);

#endif
