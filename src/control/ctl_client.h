/* SPDX-License-Identifier: MIT */
/* ctl_client.h: the client side of the control protocol, used by the
 * fenliu CLI verbs (src/cli) and tests. Blocking I/O on one UNIX socket;
 * talks to fenliud and to a stock tincd alike. */
#ifndef FL_CTL_CLIENT_H
#define FL_CTL_CLIENT_H

#include "control/ctl.h"

#include <stdbool.h>
#include <stddef.h>

struct fl_ctl_client {
	int fd;
	long pid;                    /* from the ACK line */
	char name[FL_CTL_LINE_MAX];  /* daemon's node name from its ID line */
	char buf[FL_CTL_LINE_MAX * 2];
	size_t len;
};

enum fl_ctl_connect_err {
	FL_CTLC_OK = 0,
	FL_CTLC_NOPIDFILE,   /* pid file missing or malformed */
	FL_CTLC_NOTRUNNING,  /* pid from the pid file is gone (files removed) */
	FL_CTLC_SOCKET,      /* cannot connect the socket */
	FL_CTLC_GREETING,    /* bad greeting */
};

/* Reads pidfile, checks the pid is alive (removing stale files like tinc),
 * connects to socket_path and does the greeting. On failure err holds
 * tinc's message (e.g. "Could not open pid file P: No such file..."). */
enum fl_ctl_connect_err fl_ctl_client_connect(struct fl_ctl_client *c, const char *pidfile,
                                              const char *socket_path, char *err, size_t errlen);
/* Greeting over an already connected fd (tests, socketpair). */
enum fl_ctl_connect_err fl_ctl_client_greet(struct fl_ctl_client *c, int fd, const char *cookie);

bool fl_ctl_client_sendf(struct fl_ctl_client *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Reads one line (without "\n"); false on EOF/error or an over-long line. */
bool fl_ctl_client_recvline(struct fl_ctl_client *c, char *line, size_t len);
/* Reads exactly len raw bytes (LOG/PCAP payloads). */
bool fl_ctl_client_recvdata(struct fl_ctl_client *c, void *buf, size_t len);
void fl_ctl_client_close(struct fl_ctl_client *c);

/* Sends "18 TYPE [ARG]" and reads the "18 TYPE RESULT" reply. Returns
 * false on I/O error or a malformed reply; *result gets RESULT. */
bool fl_ctl_client_request(struct fl_ctl_client *c, int type, const char *arg, int *result);

#endif
