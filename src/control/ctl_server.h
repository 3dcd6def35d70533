/* SPDX-License-Identifier: MIT */
/* ctl_server.h: the control socket (UNIX stream socket, CONFIG.md §1.4)
 * and its sessions, driven by the daemon's event loop.
 *
 * No loop of its own: the server tells the loop which fds to watch through
 * struct fl_ctl_loop_ops and the loop calls back when they are ready.
 * Usage in the daemon (control thread only):
 *
 *   srv = fl_ctl_server_new(&provider, &loop_ops, cookie, getpid());
 *   lfd = fl_ctl_server_listen(srv, paths.socket);   // -1: errno
 *   loop: lfd readable        -> fl_ctl_server_on_accept(srv)
 *         client fd ready     -> fl_ctl_server_on_event(srv, fd, rd, wr)
 *   provider.each_connection  -> also call fl_ctl_server_each_connection()
 *   at exit                   -> fl_ctl_server_free(srv) (flushes, unlinks)
 *
 * LOG subscribers receive fl_log() output through a log sink the server
 * installs; messages logged off the control thread are not streamed.
 */
#ifndef FL_CTL_SERVER_H
#define FL_CTL_SERVER_H

#include "control/ctl_session.h"

struct fl_ctl_loop_ops {
	void *ctx;
	/* Start or update watching fd: always for reading, and for writing
	 * when want_write. Called for the listening fd and every client. */
	void (*watch)(void *ctx, int fd, bool want_write);
	/* Stop watching fd; it is closed right after. */
	void (*unwatch)(void *ctx, int fd);
};

struct fl_ctl_server;

/* provider, loop and cookie are borrowed and must outlive the server. */
struct fl_ctl_server *fl_ctl_server_new(const struct fl_ctl_provider *provider,
                                        const struct fl_ctl_loop_ops *loop,
                                        const char *cookie, long pid);
/* Binds and listens on path (mode 0600). If a daemon already answers there
 * it fails with EADDRINUSE; a stale socket file is replaced. Returns the
 * listening fd (already watched) or -1 with errno set. */
int fl_ctl_server_listen(struct fl_ctl_server *srv, const char *path);

void fl_ctl_server_on_accept(struct fl_ctl_server *srv);
void fl_ctl_server_on_event(struct fl_ctl_server *srv, int fd, bool readable, bool writable);

/* Adopts an already connected fd as a control client (tests, or a TCP
 * meta connection that presented the cookie; pass its first line as
 * first_line, else NULL). Returns false if it was closed at once. */
bool fl_ctl_server_adopt(struct fl_ctl_server *srv, int fd, const char *first_line);

/* Emits "<control> localhost port unix 0 FD 200"-style records for the
 * control connections (for the daemon's each_connection). */
void fl_ctl_server_each_connection(struct fl_ctl_server *srv, fl_ctl_connection_fn *emit,
                                   void *sink);

/* Packet capture: true while some client asked for PCAP. */
bool fl_ctl_server_pcap_wanted(const struct fl_ctl_server *srv);
/* Send a copy of a frame to every PCAP client ("18 14 LEN" + bytes, cut
 * to its snaplen; dropped for a reader that lags). Only on the thread that
 * made srv (others send nothing). Returns whether some client still
 * wants copies. */
bool fl_ctl_server_pcap(struct fl_ctl_server *srv, const void *pkt, size_t len);

/* Number of connected control clients. */
size_t fl_ctl_server_clients(const struct fl_ctl_server *srv);

/* Flushes pending output (briefly blocking), closes every fd, removes the
 * socket file and frees the server. */
void fl_ctl_server_free(struct fl_ctl_server *srv);

#endif
