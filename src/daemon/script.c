/* SPDX-License-Identifier: MIT */
/*
 * Script runner: see script.h. Scripts are started with fork + execve of
 * the script itself (or INTERPRETER SCRIPT); a file without a #! line falls
 * back to /bin/sh, like system() would. Each child gets its own process
 * group so a timeout can kill whatever the script started.
 */
#include "daemon/script.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/dlog.h"
#include "io/clock.h"

extern char **environ;

struct fl_script_job {
	struct fl_script_job *next;
	char *script;
	char *vars[FL_SCRIPT_MAX_VARS + 1];
};

struct fl_script_runner {
	struct fl_script_env env;	/* strings owned */
	struct fl_script_job *head, *tail;
	unsigned queued;
	pid_t running;			/* 0 = none */
	char *running_name;
	fl_time_t started;
	unsigned long dropped, failed;
};

static char *script_dup(const char *s) { return s ? strdup(s) : NULL; }

static void script_env_free(struct fl_script_env *e)
{
	free((char *)e->confbase);
	free((char *)e->netname);
	free((char *)e->name);
	free((char *)e->device);
	free((char *)e->interface);
	free((char *)e->extension);
	free((char *)e->interpreter);
	memset(e, 0, sizeof(*e));
}

int fl_script_set_env(struct fl_script_runner *r, const struct fl_script_env *env)
{
	struct fl_script_env n = *env;

	n.confbase = script_dup(env->confbase);
	n.netname = script_dup(env->netname);
	n.name = script_dup(env->name);
	n.device = script_dup(env->device);
	n.interface = script_dup(env->interface);
	n.extension = script_dup(env->extension);
	n.interpreter = script_dup(env->interpreter);
	if (!n.timeout_ms)
		n.timeout_ms = 30000;
	if (!n.confbase || (env->netname && !n.netname) || (env->name && !n.name) ||
	    (env->device && !n.device) || (env->interface && !n.interface) ||
	    (env->extension && !n.extension) || (env->interpreter && !n.interpreter)) {
		script_env_free(&n);
		return -1;
	}
	script_env_free(&r->env);
	r->env = n;
	return 0;
}

struct fl_script_runner *fl_script_new(const struct fl_script_env *env)
{
	struct fl_script_runner *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	if (fl_script_set_env(r, env) < 0) {
		free(r);
		return NULL;
	}
	return r;
}

/* Full path of a script, or NULL if it does not exist (or no memory). */
static char *script_path(const struct fl_script_runner *r, const char *script)
{
	char *path;
	struct stat st;

	if (asprintf(&path, "%s/%s%s", r->env.confbase, script,
		     r->env.extension ? r->env.extension : "") < 0)
		return NULL;
	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
		free(path);
		return NULL;
	}
	return path;
}

/* Child side: build the environment and exec. Never returns. */
static void script_exec(const struct fl_script_runner *r, const char *path, char *const *vars)
{
	size_t n = 0, i, k = 0;
	char **envp;
	char *argv[3];
	char buf[6][512];

	setpgid(0, 0);
	signal(SIGPIPE, SIG_DFL);
	for (i = 0; environ[i]; i++)
		n++;
	envp = calloc(n + FL_SCRIPT_MAX_VARS + 8, sizeof(*envp));
	if (!envp)
		_exit(127);
	for (i = 0; environ[i]; i++) {
		/* Drop stale copies of the variables we set. */
		static const char *const ours[] = {"NETNAME=", "NAME=", "DEVICE=", "INTERFACE=",
						   "DEBUG=", "NODE=", "REMOTEADDRESS=",
						   "REMOTEPORT=", "SUBNET=", "WEIGHT=", NULL};
		bool skip = false;
		for (size_t j = 0; ours[j]; j++)
			if (!strncmp(environ[i], ours[j], strlen(ours[j])))
				skip = true;
		if (!skip)
			envp[k++] = environ[i];
	}
	if (r->env.netname && snprintf(buf[0], sizeof(buf[0]), "NETNAME=%s", r->env.netname) > 0)
		envp[k++] = buf[0];
	if (r->env.name && snprintf(buf[1], sizeof(buf[1]), "NAME=%s", r->env.name) > 0)
		envp[k++] = buf[1];
	if (r->env.device && snprintf(buf[2], sizeof(buf[2]), "DEVICE=%s", r->env.device) > 0)
		envp[k++] = buf[2];
	if (r->env.interface && snprintf(buf[3], sizeof(buf[3]), "INTERFACE=%s", r->env.interface) > 0)
		envp[k++] = buf[3];
	snprintf(buf[4], sizeof(buf[4]), "DEBUG=%d", r->env.debug);
	envp[k++] = buf[4];
	for (i = 0; vars && vars[i]; i++)
		envp[k++] = vars[i];
	envp[k] = NULL;
	if (r->env.interpreter) {
		argv[0] = (char *)r->env.interpreter;
		argv[1] = (char *)path;
		argv[2] = NULL;
	} else {
		argv[0] = (char *)path;
		argv[1] = NULL;
	}
	execvpe(argv[0], argv, envp);
	_exit(127);
}

/* fork + exec; returns the child pid or -1. */
static pid_t script_spawn(const struct fl_script_runner *r, const char *path, char *const *vars)
{
	pid_t pid = fork();

	if (pid == 0)
		script_exec(r, path, vars);
	if (pid > 0)
		setpgid(pid, pid); /* also in the child: whichever runs first */
	return pid;
}

static void script_report(struct fl_script_runner *r, const char *script, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return;
	r->failed++;
	if (WIFEXITED(status))
		fl_dlog(FL_DLOG_ERR, "Script %s exited with non-zero status %d", script,
			WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		fl_dlog(FL_DLOG_ERR, "Script %s was killed by signal %d (%s)", script,
			WTERMSIG(status), strsignal(WTERMSIG(status)));
}

/* Wait for pid until deadline; kill its group at the deadline. */
static int script_wait(struct fl_script_runner *r, pid_t pid, const char *script, fl_time_t deadline)
{
	int status;

	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid) {
			script_report(r, script, status);
			return status;
		}
		if (w < 0 && errno != EINTR)
			return -2;
		if (fl_now_us() >= deadline) {
			fl_dlog(FL_DLOG_ERR, "Script %s timed out after %u ms, killed", script,
				r->env.timeout_ms);
			kill(-pid, SIGKILL);
			waitpid(pid, &status, 0);
			r->failed++;
			return -2;
		}
		usleep(2000);
	}
}

int fl_script_run_sync(struct fl_script_runner *r, const char *script, const char *const *vars)
{
	char *path = script_path(r, script);
	pid_t pid;
	int ret;

	if (!path)
		return -1;
	fl_dlog(FL_DLOG_INFO, "Executing script %s", script);
	pid = script_spawn(r, path, (char *const *)vars);
	free(path);
	if (pid < 0) {
		fl_dlog(FL_DLOG_ERR, "Could not start script %s: %s", script, strerror(errno));
		r->failed++;
		return -2;
	}
	ret = script_wait(r, pid, script, fl_now_us() + FL_TIME_MS(r->env.timeout_ms));
	return ret;
}

static void script_job_free(struct fl_script_job *j)
{
	free(j->script);
	for (size_t i = 0; j->vars[i]; i++)
		free(j->vars[i]);
	free(j);
}

bool fl_script_exists(const struct fl_script_runner *r, const char *script)
{
	char *path = script_path(r, script);

	free(path);
	return path != NULL;
}

int fl_script_queue(struct fl_script_runner *r, const char *script, const char *const *vars)
{
	struct fl_script_job *j;
	char *path;
	size_t i;

	/* No such script, nothing to queue (tinc checks the same way): a
	 * flood of subnet events must not fill the queue and log a drop per
	 * event when no subnet-up/-down exists (issue 22). */
	if (!(path = script_path(r, script)))
		return 0;
	free(path);
	if (r->queued >= FL_SCRIPT_QUEUE_MAX)
		goto out_drop;
	j = calloc(1, sizeof(*j));
	if (!j)
		goto out_drop;
	j->script = strdup(script);
	for (i = 0; vars && vars[i] && i < FL_SCRIPT_MAX_VARS; i++)
		if (!(j->vars[i] = strdup(vars[i])))
			break;
	if (!j->script || (vars && vars[i])) {
		script_job_free(j);
		goto out_drop;
	}
	if (r->tail)
		r->tail->next = j;
	else
		r->head = j;
	r->tail = j;
	r->queued++;
	return 0;
out_drop:
	r->dropped++;
	fl_dlog(FL_DLOG_ERR, "Script %s dropped: queue full or out of memory", script);
	return -1;
}

static struct fl_script_job *script_pop(struct fl_script_runner *r)
{
	struct fl_script_job *j = r->head;

	if (j) {
		r->head = j->next;
		if (!r->head)
			r->tail = NULL;
		r->queued--;
	}
	return j;
}

/* Start queued jobs until one is running or the queue is empty. */
static void script_start_next(struct fl_script_runner *r, fl_time_t now)
{
	struct fl_script_job *j;

	while (!r->running && (j = script_pop(r))) {
		char *path = script_path(r, j->script);
		if (path) {
			fl_dlog(FL_DLOG_INFO, "Executing script %s", j->script);
			pid_t pid = script_spawn(r, path, j->vars);
			if (pid > 0) {
				r->running = pid;
				r->running_name = j->script;
				j->script = NULL;
				r->started = now;
			} else {
				r->failed++;
				fl_dlog(FL_DLOG_ERR, "Could not start script %s: %s", j->script,
					strerror(errno));
			}
			free(path);
		}
		script_job_free(j);
	}
}

bool fl_script_tick(struct fl_script_runner *r, fl_time_t now)
{
	int status;

	if (r->running) {
		pid_t w = waitpid(r->running, &status, WNOHANG);
		if (w == r->running) {
			script_report(r, r->running_name, status);
		} else if (now - r->started >= FL_TIME_MS(r->env.timeout_ms)) {
			fl_dlog(FL_DLOG_ERR, "Script %s timed out after %u ms, killed",
				r->running_name, r->env.timeout_ms);
			kill(-r->running, SIGKILL);
			waitpid(r->running, &status, 0);
			r->failed++;
		} else {
			return true;
		}
		r->running = 0;
		free(r->running_name);
		r->running_name = NULL;
	}
	script_start_next(r, now);
	return r->running || r->head;
}

void fl_script_drain(struct fl_script_runner *r)
{
	struct fl_script_job *j;

	if (r->running) {
		script_wait(r, r->running, r->running_name,
			    r->started + FL_TIME_MS(r->env.timeout_ms));
		r->running = 0;
		free(r->running_name);
		r->running_name = NULL;
	}
	while ((j = script_pop(r))) {
		fl_script_run_sync(r, j->script, (const char *const *)j->vars);
		script_job_free(j);
	}
}

void fl_script_free(struct fl_script_runner *r)
{
	struct fl_script_job *j;

	if (!r)
		return;
	if (r->running) {
		kill(-r->running, SIGKILL);
		waitpid(r->running, NULL, 0);
	}
	free(r->running_name);
	while ((j = script_pop(r)))
		script_job_free(j);
	script_env_free(&r->env);
	free(r);
}

unsigned long fl_script_dropped(const struct fl_script_runner *r) { return r->dropped; }
unsigned long fl_script_failed(const struct fl_script_runner *r) { return r->failed; }
