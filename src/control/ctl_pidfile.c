/* SPDX-License-Identifier: MIT */
/* ctl_pidfile.c: pid file with the control cookie (CONFIG.md §1.4).
 * Called by the daemon (write at start, unlink at exit) and the CLI (read). */
#include "control/ctl_pidfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

void fl_cookie_from_random(const unsigned char rnd[static 32], char out[static 65])
{
	static const char hex[] = "0123456789ABCDEF";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hex[rnd[i] >> 4];
		out[2 * i + 1] = hex[rnd[i] & 15];
	}
	out[64] = '\0';
}

bool fl_cookie_generate(char out[static 65])
{
	unsigned char rnd[32];
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return false;
	fl_cookie_from_random(rnd, out);
	explicit_bzero(rnd, sizeof(rnd));
	return true;
}

bool fl_pidfile_write(const char *path, long pid, const char *cookie, const char *host,
                      const char *port)
{
	char tmp[4200];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return false;
	}
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	char line[512];
	int n = snprintf(line, sizeof(line), "%ld %s %s port %s\n", pid, cookie, host, port);
	bool ok = n > 0 && n < (int)sizeof(line) && write(fd, line, (size_t)n) == n;
	int saved = errno;
	if (close(fd) != 0)
		ok = false;
	if (ok && rename(tmp, path) == 0)
		return true;
	saved = errno ? errno : saved;
	unlink(tmp);
	errno = saved;
	return false;
}

void fl_pidfile_remove(const char *path)
{
	unlink(path);
}

void fl_pidfile_local_address(int fd, char host[static 64], char port[static 16])
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	strcpy(host, "127.0.0.1");
	strcpy(port, "655");
	if (fd < 0 || getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		if (in->sin_addr.s_addr == htonl(INADDR_ANY))
			in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
		if (IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr))
			in6->sin6_addr = in6addr_loopback;
	} else {
		return;
	}
	char h[64], p[16];
	if (getnameinfo((struct sockaddr *)&ss, len, h, sizeof(h), p, sizeof(p),
	                NI_NUMERICHOST | NI_NUMERICSERV) == 0) {
		strcpy(host, h);
		strcpy(port, p);
	}
}

bool fl_pidfile_parse(const char *text, size_t len, struct fl_pidfile *out)
{
	char buf[512];
	memset(out, 0, sizeof(*out));
	if (len >= sizeof(buf) || memchr(text, '\0', len))
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';
	int n = sscanf(buf, "%ld %64s %255s port %63s", &out->pid, out->cookie, out->host, out->port);
	if (n < 2 || strlen(out->cookie) != 64 || out->pid <= 0)
		return false;
	return true;
}

bool fl_pidfile_read(const char *path, struct fl_pidfile *out)
{
	char buf[512];
	FILE *f = fopen(path, "r");
	if (!f)
		return false;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	return fl_pidfile_parse(buf, n, out);
}
