/* SPDX-License-Identifier: MIT */
/*
 * cli_daemon_path.c: where `fenliu start` finds fenliud. Order: $FENLIUD;
 * next to the fenliu binary (installed side by side, or the CLI started by
 * a path); the build tree layout (build/src/cli/fenliu ->
 * build/src/daemon/fenliud); the installed layout (PREFIX/bin/fenliu ->
 * PREFIX/sbin/fenliud, as tinc); the same three beside /proc/self/exe (fenliu
 * found through PATH or a symlink); else plain "fenliud" for execvp's PATH
 * search. Called by cli_control.c's start verb.
 */
#include "cli/cli_ctl_internal.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* A fenliud next to, or in the build tree around, the binary at self. */
static bool daemon_path_near(const char *self, char *out, size_t len)
{
	static const char *const rel[] = {"fenliud", "../daemon/fenliud", "../sbin/fenliud"};
	const char *slash = self ? strrchr(self, '/') : NULL;

	if (!slash)
		return false;
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		int n = snprintf(out, len, "%.*s%s", (int)(slash - self + 1), self, rel[i]);
		if (n > 0 && (size_t)n < len && access(out, X_OK) == 0)
			return true;
	}
	return false;
}

void fl_cli_daemon_path(const char *env_fenliud, const char *argv0, char *out, size_t len)
{
	char self[PATH_MAX];
	ssize_t n;

	if (env_fenliud && *env_fenliud) {
		snprintf(out, len, "%s", env_fenliud);
		return;
	}
	if (daemon_path_near(argv0, out, len))
		return;
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n > 0) {
		self[n] = '\0';
		if (daemon_path_near(self, out, len))
			return;
	}
	snprintf(out, len, "fenliud");
}
