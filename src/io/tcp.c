/* SPDX-License-Identifier: MIT */
/*
 * tcp.c: non-blocking TCP sockets for meta connections (see tcp.h).
 * Called by the daemon main.
 */
#include "io/tcp.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

static void tcp_setopt(int fd, int level, int name, int value)
{
	(void)setsockopt(fd, level, name, &value, sizeof(value));
}

void fl_tcp_set_meta_opts(int fd)
{
	union fl_addr a;
	socklen_t len = sizeof(a);

	tcp_setopt(fd, IPPROTO_TCP, TCP_NODELAY, 1);
	if (getsockname(fd, &a.sa, &len) < 0)
		return;
	if (a.sa.sa_family == AF_INET)
		tcp_setopt(fd, IPPROTO_IP, IP_TOS, IPTOS_LOWDELAY);
	else if (a.sa.sa_family == AF_INET6)
		tcp_setopt(fd, IPPROTO_IPV6, IPV6_TCLASS, IPTOS_LOWDELAY);
}

int fl_tcp_accept(int lfd, union fl_addr *peer)
{
	socklen_t len = sizeof(*peer);
	int fd;

	do
		fd = accept4(lfd, &peer->sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	fl_addr_unmap(peer);
	fl_tcp_set_meta_opts(fd);
	return fd;
}

int fl_tcp_connect_result(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return -err;
}
