/* SPDX-License-Identifier: MIT */
/* daemon_proc.c: detach and log set-up for fenliud (daemon_proc.h). */
#include "conf/daemon_proc.h"
#include "log/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

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
		/* Parent: the child's verdict, or failure if it vanished. */
		unsigned char status = 1;
		close(p[1]);
		ssize_t r;
		do
			r = read(p[0], &status, 1);
		while (r < 0 && errno == EINTR);
		_exit(r == 1 ? status : 1);
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
	unsigned char s = (unsigned char)status;
	ssize_t r = write(fd, &s, 1);
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
