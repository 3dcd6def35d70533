/* SPDX-License-Identifier: MIT */
/*
 * fenliu edit FILE: open one configuration file in $VISUAL, $EDITOR or vi,
 * then ask a running daemon to reload (silently). FILE is tinc.conf, a
 * script (tinc-up, tinc-down, host-up, host-down, subnet-up, subnet-down),
 * NODE, NODE-up, NODE-down or hosts/... for host files. As tinc's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_ctl.h"
#include "cli/cli_ctl_internal.h"

static const char *const edit_top_files[] = {
	"tinc.conf", "tinc-up", "tinc-down", "subnet-up", "subnet-down", "host-up", "host-down",
	NULL,
};

/* The path for FILE; false if it names nothing we edit. */
static bool edit_path(const struct fl_cli *cli, const char *file, char *out, size_t cap)
{
	char name[256];
	const char *dash;

	if (strncmp(file, "hosts/", 6)) {
		for (int i = 0; edit_top_files[i]; i++)
			if (!strcmp(file, edit_top_files[i])) {
				snprintf(out, cap, "%s/%s", cli->confbase, file);
				return true;
			}
	} else {
		file += 6;
	}
	snprintf(out, cap, "%s/hosts/%s", cli->confbase, file);
	if (!(dash = strchr(file, '-')))
		return true;
	snprintf(name, sizeof name, "%.*s", (int)(dash - file), file);
	return (!strcmp(dash + 1, "up") || !strcmp(dash + 1, "down")) && cli_name_valid(name);
}

int cli_edit(const struct fl_cli *cli, int argc, char **argv)
{
	char path[FL_CLI_PATH_MAX + 300];
	const char *editor = getenv("VISUAL");
	struct fl_cli_env env = cli_ctl_env_of(cli);
	struct fl_ctl_client c;
	pid_t pid;
	int st;

	if (argc != 2) {
		fprintf(stderr, "Invalid number of arguments.\n");
		return 1;
	}
	if (!edit_path(cli, argv[1], path, sizeof path)) {
		fprintf(stderr, "Invalid configuration filename.\n");
		return 1;
	}
	if (!editor)
		editor = getenv("EDITOR");
	if (!editor)
		editor = "vi";
	fflush(NULL);
	/* through the shell, so an $EDITOR with options ("emacs -nw") works too */
	pid = fork();
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", "exec $0 \"$1\"", editor, path, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	if (fl_cli_connect(&env, &c, false)) {
		fl_ctl_client_sendf(&c, "%d %d", FL_CTL_CONTROL, FL_REQ_RELOAD);
		fl_ctl_client_close(&c);
	}
	return 0;
}
