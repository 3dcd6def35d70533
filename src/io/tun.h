/* SPDX-License-Identifier: MIT */
/*
 * tun.h: the Linux TUN device for Mode = router (IFF_TUN | IFF_NO_PI: each
 * read/write is one bare IP packet). The daemon opens it once at start-up
 * with the configured Interface name (default: the netname) and registers
 * the fd with the loop; reads come in batches into pool packets.
 */
#ifndef FL_IO_TUN_H
#define FL_IO_TUN_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/pkt.h"

/* Open /dev/net/tun (or `path` if not NULL, for tests) and attach to
 * interface `name` (created if missing; "" lets the kernel choose). The
 * fd is non-blocking and close-on-exec; the actual name is written to
 * ifname. Returns the fd or -errno. */
int fl_tun_open(const char *path, const char *name, char ifname[static IFNAMSIZ]);

/* Set interface `ifname` up (IFF_UP), as `ip link set NAME up` would, if
 * it is not already. 0 or -errno. */
int fl_tun_link_up(const char *ifname);

/* Like fl_tun_open() for a TAP device (IFF_TAP | IFF_NO_PI: each read or
 * write is one Ethernet frame), for Mode = switch and hub. */
int fl_tun_open_tap(const char *path, const char *name, char ifname[static IFNAMSIZ]);

/* Bytes of struct virtio_net_hdr in front of every packet read from or
 * written to a device opened by fl_tun_open_offload(). */
#define FL_TUN_VNET_HLEN 10u
/* Largest read from an offload device: header plus a 64 KiB IP packet. */
#define FL_TUN_GSO_MAX (FL_TUN_VNET_HLEN + 65535u)
/* Largest read from a TAP offload device: the same plus a (tagged)
 * Ethernet header. */
#define FL_TAP_GSO_MAX (FL_TUN_GSO_MAX + 18u)

/* Like fl_tun_open() with IFF_VNET_HDR and TCP/checksum offload turned on
 * (fewer, larger reads on the sending side). Reads then go through
 * fl_tun_gso_split() and writes carry FL_TUN_VNET_HLEN zero bytes in
 * front. -errno if the kernel refuses (callers fall back to
 * fl_tun_open()). */
int fl_tun_open_offload(const char *path, const char *name, char ifname[static IFNAMSIZ]);

/* Cut one read from an offload device (buf, len: virtio_net_hdr + IP
 * packet) into plain IP packets with complete checksums, taken from pool
 * into pkts (at most n). Returns how many; 0 for a malformed read (the
 * caller counts it) or an empty pool. Pure: no I/O. */
unsigned fl_tun_gso_split(uint8_t *buf, size_t len, struct fl_pkt_pool *pool,
			  struct fl_pkt **pkts, unsigned n);

/* fl_tun_gso_split() with flags. FL_GSO_NO_TCP_CSUM: the segments of a
 * TCP burst keep the burst's (partial) TCP checksum instead of their own,
 * saving a sum over every byte; only for bursts whose every segment goes
 * to a writer that computes it again (fl_tun_gro with fix_single, or
 * fl_tun_vnet_csum()). Packets without GSO are completed as always. */
#define FL_GSO_NO_TCP_CSUM 1u
unsigned fl_tun_gso_split_flags(uint8_t *buf, size_t len, struct fl_pkt_pool *pool,
				struct fl_pkt **pkts, unsigned n, unsigned flags);

/* The virtio_net_hdr for writing IP packet ip alone to an offload TUN
 * device: for TCP (IPv4 unfragmented, IPv6 without extension headers)
 * NEEDS_CSUM with the pseudo-header sum stored in ip's checksum field, so
 * the kernel completes it whatever it held; zeros for anything else. */
void fl_tun_vnet_csum(uint8_t vnet[static FL_TUN_VNET_HLEN], uint8_t *ip, size_t len);

/* Receive-side coalescing for an offload device: consecutive full-size
 * TCP segments of one flow (IPv4 without options, IPv6 without extension
 * headers) become one GSO write (one syscall and one trip through the
 * kernel's TCP instead of dozens). buf holds FL_TUN_GSO_MAX bytes; zero
 * the rest before first use. */
struct fl_tun_gro {
	uint8_t *buf;
	size_t l2;	/* 0 (TUN), or 14: a TAP's Ethernet header before the IP */
	size_t len, thl, mss;
	size_t l3;	/* IP header length of the held burst: 20 or 40 */
	unsigned segs;
	uint32_t next_seq;
	bool closed;
	bool fix_single; /* TUN: a lone TCP segment is written with
			    fl_tun_vnet_csum() (its own checksum may be stale:
			    FL_GSO_NO_TCP_CSUM), not as it came */
};

/* Take a copy of IP packet ip (len bytes) into g: true if merged or, when
 * g is empty, started; false if it does not fit (flush g and retry) or
 * cannot be merged at all (write it alone). */
bool fl_tun_gro_add(struct fl_tun_gro *g, const uint8_t *ip, size_t len);

/* fl_tun_gro_add() for a TAP device (g->l2 = 14, buf of FL_TAP_GSO_MAX):
 * frame is a whole Ethernet frame; frames of one burst share their
 * header. */
bool fl_tap_gro_add(struct fl_tun_gro *g, const uint8_t *frame, size_t len);

/* Finish what g holds: returns the byte count of g->buf to write (virtio
 * header included), 0 if empty; g is empty afterwards. */
size_t fl_tun_gro_finish(struct fl_tun_gro *g);

/* One read from an offload device into buf (FL_TUN_GSO_MAX bytes), split
 * by fl_tun_gso_split(). Returns the packet count (0: malformed, dropped),
 * -EAGAIN when nothing is queued, or -errno. */
int fl_tun_read_gso(int fd, uint8_t *buf, struct fl_pkt_pool *pool, struct fl_pkt **pkts,
		    unsigned n);

/* fl_tun_read_gso() that first shows the read's IP packet (burst) to
 * no_csum(ctx, ip, len): if it says true, the burst is cut with
 * FL_GSO_NO_TCP_CSUM. */
int fl_tun_read_gso_if(int fd, uint8_t *buf, struct fl_pkt_pool *pool, struct fl_pkt **pkts,
		       unsigned n, bool (*no_csum)(void *ctx, const uint8_t *ip, size_t len),
		       void *ctx);

/* Read up to n packets into buffers taken from pool (each one IP packet at
 * the default headroom, so the dataplane can push the 14-byte frame header
 * without copying). Stops at EAGAIN or an empty pool. Returns the number
 * read (the caller takes them) or -errno if the first read failed with
 * anything but EAGAIN. */
int fl_tun_read_batch(int fd, struct fl_pkt_pool *pool, struct fl_pkt **pkts, unsigned n);

/* Like fl_tun_open_offload() for a TAP device; reads then go through
 * fl_tap_gso_split() and writes carry FL_TUN_VNET_HLEN zero bytes in
 * front of the frame. */
int fl_tun_open_tap_offload(const char *path, const char *name, char ifname[static IFNAMSIZ]);

/* fl_tun_gso_split() for a TAP device's read (virtio_net_hdr + Ethernet
 * frame): whole frames, TCP bursts cut into segments that each carry the
 * burst's Ethernet header (untagged IPv4/IPv6 only; 0 otherwise). Pure. */
unsigned fl_tap_gso_split(uint8_t *buf, size_t len, struct fl_pkt_pool *pool,
			  struct fl_pkt **pkts, unsigned n);

/* fl_tun_read_gso() for a TAP offload device; buf holds FL_TAP_GSO_MAX. */
int fl_tap_read_gso(int fd, uint8_t *buf, struct fl_pkt_pool *pool, struct fl_pkt **pkts,
		    unsigned n);

/* Like fl_tun_read_batch() for a TAP device: each packet is one whole
 * Ethernet frame of at most FL_MTU bytes (a tagged full-size frame). */
int fl_tap_read_batch(int fd, struct fl_pkt_pool *pool, struct fl_pkt **pkts, unsigned n);

/* Write one IP packet. 0 or -errno (EAGAIN: the device queue is full, the
 * packet is lost as on any router). */
int fl_tun_write(int fd, const void *ip, size_t len);

#endif
