/* SPDX-License-Identifier: MIT */
/*
 * fenliu network [NET]: without NET, list the networks in SYSCONFDIR/tinc
 * ("." for one configured right there); with NET, switch to it, which
 * matters in the interactive shell, where the following commands then
 * work on NET ("." is no netname). As tinc's.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static int network_list(void)
{
	char path[FL_CLI_PATH_MAX];
	const char *dir = FL_SYSCONFDIR "/tinc";
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d) {
		fprintf(stderr, "Could not read directory %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (!strcmp(e->d_name, "tinc.conf")) {
			printf(".\n");
			continue;
		}
		snprintf(path, sizeof path, "%s/%s/tinc.conf", dir, e->d_name);
		if (access(path, R_OK) == 0)
			printf("%s\n", e->d_name);
	}
	closedir(d);
	return 0;
}

int cli_network(const struct fl_cli *ccli, int argc, char **argv)
{
	/* The context belongs to main (or the shell) and is switched in
	 * place, so the shell's next commands see the new network. */
	struct fl_cli *cli = (struct fl_cli *)ccli;
	const char *net = argc == 2 ? argv[1] : NULL;

	if (argc > 2) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (!net)
		return network_list();
	if (strcmp(net, ".")) {
		if (!cli_netname_strict(net) && (net[0] == '.' || strpbrk(net, "/\\"))) {
			fprintf(stderr, "Invalid character in netname!\n");
			return 1;
		}
		if (!cli_netname_strict(net))
			fprintf(stderr, "Warning: unsafe character in netname!\n");
	}
	/* the shell reuses its line buffer: keep our own copy of the name */
	static char name[256];
	if (snprintf(name, sizeof name, "%s", net) >= (int)sizeof name) {
		fprintf(stderr, "Invalid character in netname!\n");
		return 1;
	}
	cli->netname = strcmp(name, ".") ? name : NULL;
	cli->confbase_given = false;
	return cli_set_confbase(cli, NULL) ? 0 : 1;
}
