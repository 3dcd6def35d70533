/* SPDX-License-Identifier: MIT */
/* cli_control.c: the simple control verbs: start, stop, restart, reload,
 * pid, log, debug, retry, purge, disconnect (tinc's CLI, CONFIG.md §7).
 * Called from fenliu.c's dispatch table. */
#include "cli/cli_ctl_internal.h"
#include "conf/conf_name.h"
#include "control/ctl_pidfile.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int fl_cli_start(const struct fl_cli_env *env, int argc, char *argv[])
{
	struct fl_ctl_client c;
	if (fl_cli_connect(env, &c, false)) {
		if (env->netname)
			fprintf(env->err, "A tincd is already running for net `%s' with pid %ld.\n",
			        env->netname, c.pid);
		else
			fprintf(env->err, "A tincd is already running with pid %ld.\n", c.pid);
		fl_ctl_client_close(&c);
		return 0;
	}
	char prog[PATH_MAX], pidopt[PATH_MAX + 16];
	fl_cli_daemon_path(getenv("FENLIUD"), env->argv0, prog, sizeof(prog));
	char **nargv = calloc((size_t)argc + 8, sizeof(*nargv));
	if (!nargv)
		return 1;
	int n = 0;
	nargv[n++] = prog;
	if (env->confbase) {
		nargv[n++] = "-c";
		nargv[n++] = (char *)env->confbase;
	}
	if (env->netname) {
		nargv[n++] = "-n";
		nargv[n++] = (char *)env->netname;
	}
	if (env->pidfile) {
		snprintf(pidopt, sizeof(pidopt), "--pidfile=%s", env->pidfile);
		nargv[n++] = pidopt;
	}
	for (int i = 1; i < argc; i++)
		nargv[n++] = argv[i];
	fflush(env->out);
	fflush(env->err);
	pid_t pid = fork();
	if (pid == 0) {
		execvp(prog, nargv);
		fprintf(stderr, "Error starting %s: %s\n", prog, strerror(errno));
		_exit(1);
	}
	free(nargv);
	int status = -1;
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(env->err, "Error starting %s\n", prog);
		return 1;
	}
	return 0;
}

/* STOP, then wait for the daemon to close the connection. */
static bool stop_daemon(const struct fl_cli_env *env, long *pid)
{
	struct fl_ctl_client c;
	char line[FL_CTL_LINE_MAX];
	*pid = 0;
	if (!fl_cli_connect(env, &c, true))
		return false;
	*pid = c.pid;
	if (fl_ctl_client_sendf(&c, "%d %d", FL_CTL_CONTROL, FL_REQ_STOP))
		while (fl_ctl_client_recvline(&c, line, sizeof(line)))
			;
	fl_ctl_client_close(&c);
	return true;
}

/* Like tinc: when the socket does not answer but the pid file names a
 * live process, send it SIGTERM instead. */
static int stop_by_signal(const struct fl_cli_env *env)
{
	struct fl_paths p;
	struct fl_pidfile pf;
	if (!fl_cli_paths(env, &p) || !fl_pidfile_read(p.pidfile, &pf) || kill((pid_t)pf.pid, 0) != 0)
		return 1;
	if (kill((pid_t)pf.pid, SIGTERM) != 0) {
		fprintf(env->err, "Could not send TERM signal to process with PID %ld: %s\n", pf.pid,
		        strerror(errno));
		return 1;
	}
	fprintf(env->err, "Sent TERM signal to process with PID %ld.\n", pf.pid);
	return 0;
}

int fl_cli_stop(const struct fl_cli_env *env, int argc, char *argv[])
{
	long pid;
	if (fl_cli_too_many(env, argc, 1))
		return 1;
	return stop_daemon(env, &pid) ? 0 : stop_by_signal(env);
}

int fl_cli_restart(const struct fl_cli_env *env, int argc, char *argv[])
{
	long pid;
	stop_daemon(env, &pid);
	return fl_cli_start(env, argc, argv);
}

/* Sends a request without argument and expects "18 TYPE 0". */
static int simple(const struct fl_cli_env *env, int argc, int type, const char *fail)
{
	struct fl_ctl_client c;
	int result = -1;
	if (fl_cli_too_many(env, argc, 1) || !fl_cli_connect(env, &c, true))
		return 1;
	bool ok = fl_ctl_client_request(&c, type, NULL, &result) && result == 0;
	fl_ctl_client_close(&c);
	if (!ok)
		fprintf(env->err, "%s\n", fail);
	return ok ? 0 : 1;
}

int fl_cli_reload(const struct fl_cli_env *env, int argc, char *argv[])
{
	return simple(env, argc, FL_REQ_RELOAD, "Could not reload configuration.");
}

int fl_cli_retry(const struct fl_cli_env *env, int argc, char *argv[])
{
	return simple(env, argc, FL_REQ_RETRY, "Could not retry outgoing connections.");
}

int fl_cli_purge(const struct fl_cli_env *env, int argc, char *argv[])
{
	return simple(env, argc, FL_REQ_PURGE, "Could not purge old information.");
}

int fl_cli_pid(const struct fl_cli_env *env, int argc, char *argv[])
{
	struct fl_ctl_client c;
	if (fl_cli_too_many(env, argc, 1) || !fl_cli_connect(env, &c, true))
		return 1;
	fl_ctl_client_close(&c);
	if (!c.pid)
		return 1;
	fprintf(env->out, "%ld\n", c.pid);
	return 0;
}

int fl_cli_debug(const struct fl_cli_env *env, int argc, char *argv[])
{
	struct fl_ctl_client c;
	int old;
	if (argc != 2) {
		fprintf(env->err, "Invalid number of arguments.\n");
		return 1;
	}
	if (!fl_cli_connect(env, &c, true))
		return 1;
	bool ok = fl_ctl_client_request(&c, FL_REQ_SET_DEBUG, argv[1], &old);
	fl_ctl_client_close(&c);
	if (!ok) {
		fprintf(env->err, "Could not set debug level.\n");
		return 1;
	}
	fprintf(env->err, "Old level %d, new level %d.\n", old, atoi(argv[1]));
	return 0;
}

int fl_cli_disconnect(const struct fl_cli_env *env, int argc, char *argv[])
{
	struct fl_ctl_client c;
	int result = -1;
	if (argc != 2) {
		fprintf(env->err, "Invalid number of arguments.\n");
		return 1;
	}
	if (!fl_name_valid(argv[1])) {
		fprintf(env->err, "Invalid name for node.\n");
		return 1;
	}
	if (!fl_cli_connect(env, &c, true))
		return 1;
	bool ok = fl_ctl_client_request(&c, FL_REQ_DISCONNECT, argv[1], &result) && result == 0;
	fl_ctl_client_close(&c);
	if (!ok)
		fprintf(env->err, "Could not disconnect %s.\n", argv[1]);
	return ok ? 0 : 1;
}

int fl_cli_log(const struct fl_cli_env *env, int argc, char *argv[])
{
	struct fl_ctl_client c;
	char line[64], data[1024];
	if (fl_cli_too_many(env, argc, 2) || !fl_cli_connect(env, &c, true))
		return 1;
	bool color = isatty(fileno(env->out)) && getenv("TERM") && strcmp(getenv("TERM"), "dumb");
	fl_ctl_client_sendf(&c, "%d %d %d %d", FL_CTL_CONTROL, FL_REQ_LOG,
	                    argc > 1 ? atoi(argv[1]) : -1, color);
	while (fl_ctl_client_recvline(&c, line, sizeof(line))) {
		int code, req, len;
		if (sscanf(line, "%d %d %d", &code, &req, &len) != 3 || code != FL_CTL_CONTROL ||
		    req != FL_REQ_LOG || len < 0 || (size_t)len > sizeof(data))
			break;
		if (!fl_ctl_client_recvdata(&c, data, (size_t)len))
			break;
		fwrite(data, (size_t)len, 1, env->out);
		fputc('\n', env->out);
		fflush(env->out);
	}
	fl_ctl_client_close(&c);
	return 0;
}
