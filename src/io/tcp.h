/* SPDX-License-Identifier: MIT */
/*
 * tcp.h: non-blocking TCP helpers for meta connections: listen, accept,
 * connect (in progress is success; wait for writability, then ask
 * fl_tcp_connect_result()), and the per-connection options tinc sets
 * (TCP_NODELAY, low-delay TOS/traffic class; spec/UDP.md §8).
 */
#ifndef FL_IO_TCP_H
#define FL_IO_TCP_H

#include <stdint.h>

#include "wire/addr.h"

/* Listening socket on addr (SO_REUSEADDR, IPV6_V6ONLY, non-blocking,
 * cloexec). fd or -errno. */
int fl_tcp_listen(const union fl_addr *addr, int backlog);

/* Accept one connection (non-blocking, cloexec, options applied). fd,
 * -EAGAIN when none is pending, or -errno. peer gets the unmapped address. */
int fl_tcp_accept(int lfd, union fl_addr *peer);

/* Start connecting to addr, optionally from `bind_to` (may be NULL).
 * Returns fd (connected or in progress) or -errno. */
int fl_tcp_connect(const union fl_addr *addr, const union fl_addr *bind_to);

/* After the fd became writable: 0 if connected, else -errno (SO_ERROR). */
int fl_tcp_connect_result(int fd);

/* TCP_NODELAY and IP_TOS / IPV6_TCLASS = low delay. Best effort. */
void fl_tcp_set_meta_opts(int fd);

#endif
