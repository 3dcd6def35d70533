/* SPDX-License-Identifier: MIT */
/* daemon_proc.c: detach and log set-up for fenliud (daemon_proc.h). */
#include "conf/daemon_proc.h"
#include "log/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Parent: copies the child's start-up messages to stderr up to the NUL
 * that precedes its verdict; failure if it vanished before. */
static int daemonize_wait(int fd)
{
	unsigned char buf[512];
	ssize_t r;

	for (;;) {
		do
			r = read(fd, buf, sizeof(buf));
		while (r < 0 && errno == EINTR);
		if (r <= 0)
			return 1;
		unsigned char *nul = memchr(buf, 0, (size_t)r);
		size_t text = nul ? (size_t)(nul - buf) : (size_t)r;
		if (text && write(STDERR_FILENO, buf, text) < 0)
			(void)0; /* the terminal went away: the verdict still counts */
		if (!nul)
			continue;
		if (nul + 1 < buf + r)
			return nul[1];
		/* The verdict byte is in the next read. */
		do
			r = read(fd, buf, 1);
		while (r < 0 && errno == EINTR);
		return r == 1 ? buf[0] : 1;
	}
}

int fl_daemonize(void)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	if (pid > 0) {
		close(p[1]);
		_exit(daemonize_wait(p[0]));
	}
	close(p[0]);
	setsid();
	if (chdir("/") != 0)
		return -1;
	int null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	return p[1];
}

void fl_daemonize_done(int fd, int status)
{
	if (fd < 0)
		return;
	unsigned char s[2] = {0, (unsigned char)status};
	ssize_t r = write(fd, s, sizeof(s));
	(void)r;
	close(fd);
}

bool fl_daemon_log_open(const struct fl_daemon_options *o, const struct fl_paths *paths)
{
	enum fl_log_mode mode = FL_LOGMODE_STDERR;
	switch (o->log_target) {
	case FL_LOG_STDERR: mode = FL_LOGMODE_STDERR; break;
	case FL_LOG_FILE: mode = FL_LOGMODE_FILE; break;
	case FL_LOG_SYSLOG: mode = FL_LOGMODE_SYSLOG; break;
	}
	fl_log_set_level(o->debug_level);
	return fl_log_open(mode, paths->logfile, paths->ident);
}
