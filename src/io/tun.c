/*
 * tun.c: open, read and write a Linux TUN device (see tun.h). Called by
 * the daemon main and the io test.
 */
#include "io/tun.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "wire/dgram.h"

int fl_tun_open(const char *path, const char *name, char ifname[static IFNAMSIZ])
{
	struct ifreq ifr;
	int fd, err;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	fd = open(path ? path : "/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
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

int fl_tun_read_batch(int fd, struct fl_pkt_pool *pool, struct fl_pkt **pkts, unsigned n)
{
	unsigned got = 0;

	while (got < n) {
		struct fl_pkt *p = fl_pkt_alloc(pool);
		ssize_t r;

		if (!p)
			break;
		/* Read at most MTU - 14 so the frame never exceeds FL_MTU;
		 * longer packets are truncated by the kernel and then fail IP
		 * length checks downstream. */
		r = read(fd, p->data, FL_MTU - FL_ETH_HLEN);
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
