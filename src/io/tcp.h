/* SPDX-License-Identifier: MIT */
/*
 * tcp.h: non-blocking TCP helpers for meta connections, used by fenliud
 * (src/daemon/fld_net.c, fld_meta.c): accept, the result of a connect
 * that was in progress, and the per-connection options tinc sets
 * (TCP_NODELAY, low-delay TOS/traffic class; spec/UDP.md §8). The
 * listening and connecting sockets themselves are the daemon's, which
 * applies its settings to them.
 */
#ifndef FL_IO_TCP_H
#define FL_IO_TCP_H

#include <stdint.h>

#include "wire/addr.h"

/* Accept one connection (non-blocking, cloexec, options applied). fd,
 * -EAGAIN when none is pending, or -errno. peer gets the unmapped address. */
int fl_tcp_accept(int lfd, union fl_addr *peer);

/* After the fd became writable: 0 if connected, else -errno (SO_ERROR). */
int fl_tcp_connect_result(int fd);

/* TCP_NODELAY and IP_TOS / IPV6_TCLASS = low delay. Best effort. */
void fl_tcp_set_meta_opts(int fd);

#endif
