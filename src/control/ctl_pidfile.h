/* SPDX-License-Identifier: MIT */
/* ctl_pidfile.h: the pid file that carries the control cookie
 * (CONFIG.md §1.4): "PID COOKIE HOST port PORT\n", mode 0600.
 * Written by the daemon at start, removed at exit; read by the CLI. */
#ifndef FL_CTL_PIDFILE_H
#define FL_CTL_PIDFILE_H

#include <stdbool.h>
#include <stddef.h>

struct fl_pidfile {
	long pid;
	char cookie[65];     /* 64 upper-case hex characters */
	char host[256];
	char port[64];
};

/* 32 random bytes (the caller draws them) -> 64 upper-case hex + NUL. */
void fl_cookie_from_random(const unsigned char rnd[static 32], char out[static 65]);

/* Draws 32 bytes from getrandom(2) and formats them as a cookie. */
bool fl_cookie_generate(char out[static 65]);

/* Writes the pid file atomically (temp file + rename) with mode 0600.
 * host/port: the first listening TCP socket, unspecified address replaced
 * by 127.0.0.1 / ::1 by the caller. Returns false with errno set. */
bool fl_pidfile_write(const char *path, long pid, const char *cookie, const char *host,
                      const char *port);
/* Removes the pid file at exit (errors ignored). */
void fl_pidfile_remove(const char *path);

/* HOST and PORT text for the pid file from the first listening TCP socket:
 * numeric, with 0.0.0.0 / :: replaced by 127.0.0.1 / ::1 (CONFIG.md §1.4).
 * Falls back to "127.0.0.1" and "655" when fd is not a bound socket. */
void fl_pidfile_local_address(int fd, char host[static 64], char port[static 16]);

/* Parses a pid file. Returns false if missing or malformed. */
bool fl_pidfile_read(const char *path, struct fl_pidfile *out);
/* Parses pid file text (pure; used by read and tests). */
bool fl_pidfile_parse(const char *text, size_t len, struct fl_pidfile *out);

#endif
