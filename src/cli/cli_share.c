/* SPDX-License-Identifier: MIT */
/*
 * fenliu export, export-all, import, exchange, exchange-all: host files
 * over stdin/stdout in tinc's format ("Name = NODE", the file without its
 * Name lines; files separated by a line of dashes), so `fenliu export |
 * ssh host tinc import` and the reverse work. Messages and exit codes are
 * tinc's. When stdout is not a terminal, export closes it, so that the
 * other end of an exchange knows our part is over.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"

#define SHARE_SEPARATOR "#---------------------------------------------------------------#"

static int share_export_one(const struct fl_cli *cli, const char *name)
{
	char path[FL_CLI_PATH_MAX + 300], buf[4096];
	FILE *in;

	snprintf(path, sizeof path, "%s/hosts/%s", cli->confbase, name);
	if (!(in = fopen(path, "r"))) {
		fprintf(stderr, "Could not open configuration file %s: %s\n", path, strerror(errno));
		return 1;
	}
	printf("Name = %s\n", name);
	while (fgets(buf, sizeof buf, in))
		if (strcspn(buf, "\t =") != 4 || strncasecmp(buf, "Name", 4))
			fputs(buf, stdout);
	if (ferror(in)) {
		fprintf(stderr, "Error while reading configuration file %s: %s\n", path,
			strerror(errno));
		fclose(in);
		return 1;
	}
	fclose(in);
	return 0;
}

static void share_done(const struct fl_cli *cli)
{
	if (!cli_tty(cli))
		fclose(stdout);
}

int cli_export(const struct fl_cli *cli, int argc, char **argv)
{
	char name[256];
	int r;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (cli_conf_name(cli, name, sizeof name, true) != 1)
		return 1;
	r = share_export_one(cli, name);
	share_done(cli);
	return r;
}

int cli_export_all(const struct fl_cli *cli, int argc, char **argv)
{
	char dir[FL_CLI_PATH_MAX + 8];
	struct dirent *e;
	bool first = true;
	int r = 0;
	DIR *d;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	snprintf(dir, sizeof dir, "%s/hosts", cli->confbase);
	if (!(d = opendir(dir))) {
		fprintf(stderr, "Could not open host configuration directory %s: %s\n", dir,
			strerror(errno));
		return 1;
	}
	while ((e = readdir(d))) {
		if (!cli_name_valid(e->d_name))
			continue;
		if (!first)
			printf("\n" SHARE_SEPARATOR "\n");
		first = false;
		r |= share_export_one(cli, e->d_name);
	}
	closedir(d);
	share_done(cli);
	return r;
}

/* A "Name = NODE" line starts the next file: open it (or skip it). */
static int share_open(const struct fl_cli *cli, const char *name, FILE **out, char *path,
		      size_t cap)
{
	if (*out)
		fclose(*out);
	*out = NULL;
	if (!cli_name_valid(name)) {
		fprintf(stderr, "Invalid Name in input!\n");
		return -1;
	}
	snprintf(path, cap, "%s/hosts/%s", cli->confbase, name);
	if (!cli->force && access(path, F_OK) == 0) {
		fprintf(stderr, "Host configuration file %s already exists, skipping.\n", path);
		return 0;
	}
	if (!(*out = fopen(path, "w"))) {
		fprintf(stderr, "Error creating configuration file %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 1;
}

int cli_import(const struct fl_cli *cli, int argc, char **argv)
{
	char buf[4096], name[4096], path[FL_CLI_PATH_MAX + 300] = "";
	bool firstline = true;
	FILE *out = NULL;
	int count = 0, r;

	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	while (fgets(buf, sizeof buf, stdin)) {
		if (sscanf(buf, "Name = %4095s", name) == 1) {
			firstline = false;
			if ((r = share_open(cli, name, &out, path, sizeof path)) < 0)
				return 1;
			count += r;
			continue;
		}
		if (firstline) {
			fprintf(stderr, "Junk at the beginning of the input, ignoring.\n");
			firstline = false;
		}
		if (!strcmp(buf, SHARE_SEPARATOR "\n"))
			continue;
		if (out && fputs(buf, out) < 0) {
			fprintf(stderr, "Error writing to host configuration file %s: %s\n", path,
				strerror(errno));
			return 1;
		}
	}
	if (out)
		fclose(out);
	if (!count) {
		fprintf(stderr, "No host configuration files imported.\n");
		return 1;
	}
	fprintf(stderr, "Imported %d host configuration files.\n", count);
	return 0;
}

int cli_exchange(const struct fl_cli *cli, int argc, char **argv)
{
	return cli_export(cli, argc, argv) ? 1 : cli_import(cli, argc, argv);
}

int cli_exchange_all(const struct fl_cli *cli, int argc, char **argv)
{
	return cli_export_all(cli, argc, argv) ? 1 : cli_import(cli, argc, argv);
}
