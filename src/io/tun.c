/* SPDX-License-Identifier: MIT */
/*
 * tun.c: open, read and write a Linux TUN device (see tun.h). Called by
 * the daemon main and the io test.
 */
#include "io/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "wire/dgram.h"

static int tun_open(const char *path, const char *name, char ifname[static IFNAMSIZ],
		    short flags)
{
	struct ifreq ifr;
	int fd, err;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	fd = open(path ? path : "/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	/* IFF_TAP in flags asks for a TAP device instead of a TUN one. */
	ifr.ifr_flags = (short)((flags & IFF_TAP ? 0 : IFF_TUN) | IFF_NO_PI | flags);
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	memcpy(ifname, ifr.ifr_name, IFNAMSIZ);
	ifname[IFNAMSIZ - 1] = '\0';
	return fd;
}

int fl_tun_open(const char *path, const char *name, char ifname[static IFNAMSIZ])
{
	return tun_open(path, name, ifname, 0);
}

int fl_tun_open_tap(const char *path, const char *name, char ifname[static IFNAMSIZ])
{
	return tun_open(path, name, ifname, IFF_TAP);
}

static int tun_open_offload(const char *path, const char *name, char ifname[static IFNAMSIZ],
			    short flags)
{
	int fd = tun_open(path, name, ifname, (short)(IFF_VNET_HDR | flags)), hs = FL_TUN_VNET_HLEN, err;

	if (fd < 0)
		return fd;
	/* TCP segmentation and checksum offload only: the kernel hands us
	 * TCP super-packets (one read for up to 64 KiB) that
	 * fl_tun_gso_split() cuts into MSS-sized segments. */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hs) < 0 ||
	    ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

int fl_tun_open_offload(const char *path, const char *name, char ifname[static IFNAMSIZ])
{
	return tun_open_offload(path, name, ifname, 0);
}

int fl_tun_open_tap_offload(const char *path, const char *name, char ifname[static IFNAMSIZ])
{
	return tun_open_offload(path, name, ifname, IFF_TAP);
}

static int tun_read_batch(int fd, struct fl_pkt_pool *pool, struct fl_pkt **pkts, unsigned n,
			  size_t max)
{
	unsigned got = 0;

	while (got < n) {
		struct fl_pkt *p = fl_pkt_alloc(pool);
		ssize_t r;

		if (!p)
			break;
		/* Read at most max (TUN: MTU - 14, so the frame never
		 * exceeds FL_MTU); longer packets are truncated by the kernel
		 * and then fail length checks downstream. */
		r = read(fd, p->data, max);
		if (r <= 0) {
			int err = r < 0 ? errno : EAGAIN;
			fl_pkt_free(p);
			if (err == EINTR)
				continue;
			if (got == 0 && err != EAGAIN)
				return -err;
			break;
		}
		p->len = (uint32_t)r;
		pkts[got++] = p;
	}
	return (int)got;
}

int fl_tun_read_batch(int fd, struct fl_pkt_pool *pool, struct fl_pkt **pkts, unsigned n)
{
	return tun_read_batch(fd, pool, pkts, n, FL_MTU - FL_ETH_HLEN);
}

int fl_tap_read_batch(int fd, struct fl_pkt_pool *pool, struct fl_pkt **pkts, unsigned n)
{
	return tun_read_batch(fd, pool, pkts, n, FL_MTU);
}

static ssize_t tun_read_one(int fd, uint8_t *buf, size_t max)
{
	ssize_t r;

	do
		r = read(fd, buf, max);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return r == 0 ? -EAGAIN : r;
}

int fl_tap_read_gso(int fd, uint8_t *buf, struct fl_pkt_pool *pool, struct fl_pkt **pkts,
		    unsigned n)
{
	ssize_t r = tun_read_one(fd, buf, FL_TAP_GSO_MAX);

	if (r < 0)
		return (int)r;
	return (int)fl_tap_gso_split(buf, (size_t)r, pool, pkts, n);
}

int fl_tun_read_gso(int fd, uint8_t *buf, struct fl_pkt_pool *pool, struct fl_pkt **pkts,
		    unsigned n)
{
	return fl_tun_read_gso_if(fd, buf, pool, pkts, n, NULL, NULL);
}

int fl_tun_read_gso_if(int fd, uint8_t *buf, struct fl_pkt_pool *pool, struct fl_pkt **pkts,
		       unsigned n, bool (*no_csum)(void *ctx, const uint8_t *ip, size_t len),
		       void *ctx)
{
	ssize_t r = tun_read_one(fd, buf, FL_TUN_GSO_MAX);
	unsigned flags = 0;

	if (r < 0)
		return (int)r;
	if (no_csum && (size_t)r > FL_TUN_VNET_HLEN &&
	    no_csum(ctx, buf + FL_TUN_VNET_HLEN, (size_t)r - FL_TUN_VNET_HLEN))
		flags = FL_GSO_NO_TCP_CSUM;
	return (int)fl_tun_gso_split_flags(buf, (size_t)r, pool, pkts, n, flags);
}

int fl_tun_write(int fd, const void *ip, size_t len)
{
	ssize_t r;

	do
		r = write(fd, ip, len);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	return 0;
}

int fl_tun_link_up(const char *ifname)
{
	struct ifreq ifr = {0};
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), r = 0;

	if (s < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		r = -errno;
	else if (!(ifr.ifr_flags & IFF_UP)) {
		ifr.ifr_flags |= IFF_UP;
		if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
			r = -errno;
	}
	close(s);
	return r;
}
