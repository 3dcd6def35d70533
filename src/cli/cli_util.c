/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the fenliu verbs (cli.h): messages, CONFBASE paths,
 * the node name rule, and finding our Name in tinc.conf.
 */
#include "cli/cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/keyfile_io.h"

void cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("fenliu: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

bool cli_path(char out[static FL_CLI_PATH_MAX], const struct fl_cli *cli, const char *rel)
{
	if (snprintf(out, FL_CLI_PATH_MAX, "%s/%s", cli->confbase, rel) >= FL_CLI_PATH_MAX) {
		cli_error("%s/%s: path too long", cli->confbase, rel);
		return false;
	}
	return true;
}

bool cli_confbase_exists(const struct fl_cli *cli)
{
	struct stat st;

	if (stat(cli->confbase, &st) != 0) {
		cli_error("%s: configuration directory: %s%s", cli->confbase, strerror(errno),
			  errno == ENOENT ? " (create one with: fenliu -c DIR init NAME)" : "");
		return false;
	}
	if (!S_ISDIR(st.st_mode)) {
		cli_error("%s: configuration directory: not a directory", cli->confbase);
		return false;
	}
	return true;
}

bool cli_tty(const struct fl_cli *cli)
{
	return !cli->batch && isatty(0) && isatty(1);
}

bool cli_netname_strict(const char *net)
{
	if (!*net || *net == '.')
		return false;
	for (const char *c = net; *c; c++)
		if (iscntrl((unsigned char)*c) || strchr("/\\ $%<>:`\"|?*", *c))
			return false;
	return true;
}

bool cli_name_valid(const char *name)
{
	if (!*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_')
			return false;
	return true;
}

/* Expand "$VAR" as tinc does (CONFIG.md §1.3): non-alphanumerics become _. */
static bool conf_expand(char *name, size_t cap, const char *value)
{
	const char *v = getenv(value + 1);
	char host[256];

	if (!v && strcmp(value + 1, "HOST") == 0) {
		if (gethostname(host, sizeof host) != 0)
			return false;
		host[sizeof host - 1] = 0;
		v = host;
	}
	if (!v || snprintf(name, cap, "%s", v) >= (int)cap)
		return false;
	for (char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p))
			*p = '_';
	return true;
}

/* If line is "Name = value" (config rules), copy the value; 1 found, 0 not. */
static int conf_name_line(char *line, const char **value)
{
	size_t n = strcspn(line, " \t=");
	char *v = line + n, *end;

	if (n != 4 || strncasecmp(line, "Name", 4) != 0)
		return 0;
	v += strspn(v, " \t");
	if (*v == '=')
		v++;
	v += strspn(v, " \t");
	end = v + strlen(v);
	while (end > v && strchr(" \t\r\n", end[-1]))
		*--end = 0;
	*value = v;
	return 1;
}

/* Find the first Name variable of tinc.conf's text (PEM blocks and
 * comments skipped); *lineno gets its line. NULL if there is none. */
static const char *conf_find_name(char *text, size_t *lineno)
{
	const char *value;
	bool in_pem = false;
	char *p = text, *nl;

	for (*lineno = 1; p && *p; p = nl ? nl + 1 : NULL, ++*lineno) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = 0;
		if (*p == '#' || *p == '\r')
			continue;
		if (in_pem) {
			in_pem = strncmp(p, "-----END", 8) != 0;
			continue;
		}
		if ((in_pem = strncmp(p, "-----BEGIN", 10) == 0))
			continue;
		if (conf_name_line(p, &value))
			return value;
	}
	return NULL;
}

int cli_conf_name(const struct fl_cli *cli, char *name, size_t cap, bool required)
{
	char path[FL_CLI_PATH_MAX], err[KEYFILE_IO_ERRLEN], *text;
	const char *value;
	size_t len, line;
	int r;

	if (!cli_path(path, cli, "tinc.conf"))
		return -1;
	r = keyfile_io_read(path, &text, &len, NULL, err);
	if (r == -ENOENT && !required)
		return 0;
	if (r != 0) {
		cli_error("%s", err);
		return -1;
	}
	value = conf_find_name(text, &line);
	r = -1;
	if (!value) {
		if (required)
			cli_error("%s: no Name variable", path);
		else
			r = 0;
	} else if (value[0] == '$' ? !conf_expand(name, cap, value)
				   : snprintf(name, cap, "%s", value) >= (int)cap) {
		cli_error("%s:%zu: Name: cannot use '%s'", path, line, value);
	} else if (!cli_name_valid(name)) {
		cli_error("%s:%zu: Name: only A-Z, a-z, 0-9 and _ are allowed: '%s'",
			  path, line, name);
	} else {
		r = 1;
	}
	keyfile_io_free(text, len);
	return r;
}

/* Netname rules (CONFIG.md §1.1); "." or "" means none. */
static bool cli_netname_ok(const char *net)
{
	if (net[0] == '.')
		return false;
	for (const char *p = net; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F || *p == '/' || *p == '\\')
			return false;
	return true;
}

bool cli_set_confbase(struct fl_cli *cli, const char *config)
{
	const char *net = cli->netname;
	int n;

	if (!net)
		net = getenv("NETNAME");
	if (net && (!strcmp(net, ".") || !*net))
		net = NULL;
	if (net && !cli_netname_ok(net)) {
		cli_error("invalid netname '%s'", net);
		return false;
	}
	cli->netname = net;
	if (config)
		n = snprintf(cli->confbase, sizeof cli->confbase, "%s", config);
	else if (net)
		n = snprintf(cli->confbase, sizeof cli->confbase, "%s/tinc/%s", FL_SYSCONFDIR, net);
	else
		n = snprintf(cli->confbase, sizeof cli->confbase, "%s/tinc", FL_SYSCONFDIR);
	if (n < 0 || (size_t)n >= sizeof cli->confbase - 64) {
		cli_error("configuration directory name too long");
		return false;
	}
	/* "DIR/" and "DIR" are the same place; keep messages tidy */
	while (n > 1 && cli->confbase[n - 1] == '/')
		cli->confbase[--n] = 0;
	return true;
}
