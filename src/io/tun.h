/*
 * tun.h: the Linux TUN device for Mode = router (IFF_TUN | IFF_NO_PI: each
 * read/write is one bare IP packet). The daemon opens it once at start-up
 * with the configured Interface name (default: the netname) and registers
 * the fd with the loop; reads come in batches into pool packets.
 */
#ifndef FL_IO_TUN_H
#define FL_IO_TUN_H

#include <net/if.h>
#include <stddef.h>

#include "wire/pkt.h"

/* Open /dev/net/tun (or `path` if not NULL, for tests) and attach to
 * interface `name` (created if missing; "" lets the kernel choose). The
 * fd is non-blocking and close-on-exec; the actual name is written to
 * ifname. Returns the fd or -errno. */
int fl_tun_open(const char *path, const char *name, char ifname[static IFNAMSIZ]);

/* Read up to n packets into buffers taken from pool (each one IP packet at
 * the default headroom, so the dataplane can push the 14-byte frame header
 * without copying). Stops at EAGAIN or an empty pool. Returns the number
 * read (the caller takes them) or -errno if the first read failed with
 * anything but EAGAIN. */
int fl_tun_read_batch(int fd, struct fl_pkt_pool *pool, struct fl_pkt **pkts, unsigned n);

/* Write one IP packet. 0 or -errno (EAGAIN: the device queue is full, the
 * packet is lost as on any router). */
int fl_tun_write(int fd, const void *ip, size_t len);

#endif
