/* SPDX-License-Identifier: MIT */
/*
 * fenliu get/set/add/del/config: read and change tinc.conf and hosts/NODE
 * as tinc's CLI does, so scripts written for `tinc` work unchanged:
 *   [config] get|set|add|del [NODE.]VARIABLE [[=] VALUE]
 * ("config VARIABLE" gets, "config VARIABLE VALUE" sets; replace and change
 * are set). Which file a variable goes to, whether it may repeat and
 * whether it is obsolete come from cli_vars.c; --force overrides the
 * refusals. A change rewrites the file through a temporary one and then
 * asks a running daemon to reload, silently. Messages and exit codes are
 * tinc's (tests/cli/compare_tinc.sh checks them against a stock tinc).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/cli_ctl_internal.h"
#include "cli/cli_vars.h"
#include "control/ctl_pidfile.h"
#include "mesh/mesh_subnet.h"

enum cfg_action { CFG_GET, CFG_DEL, CFG_SET, CFG_ADD };

struct cfg_req {
	enum cfg_action action;
	char line[4096];	/* the joined arguments, split in place */
	char node[256];		/* "" = tinc.conf */
	const char *var, *value;
	bool warn_remove;	/* set on a repeatable variable: say what goes */
};

/* "[NODE.]VAR [=] VALUE" from the arguments after the action word. */
static int cfg_parse(struct cfg_req *r, int argc, char **argv)
{
	size_t n;
	char *v, *dot;

	r->line[0] = 0;
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			strncat(r->line, " ", sizeof r->line - 1 - strlen(r->line));
		strncat(r->line, argv[i], sizeof r->line - 1 - strlen(r->line));
	}
	n = strcspn(r->line, "\t =");
	v = r->line + n;
	v += strspn(v, "\t ");
	if (*v == '=')
		v += 1 + strspn(v + 1, "\t ");
	r->line[n] = 0;
	r->value = v;
	r->var = r->line;
	if ((dot = strchr(r->line, '.'))) {
		*dot = 0;
		snprintf(r->node, sizeof r->node, "%s", r->line);
		r->var = dot + 1;
	}
	if (!*r->var) {
		fprintf(stderr, "No variable given.\n");
		return -1;
	}
	if ((r->action == CFG_SET || r->action == CFG_ADD) && !*r->value) {
		fprintf(stderr, "No value for variable given.\n");
		return -1;
	}
	if (r->action == CFG_GET && *r->value)
		r->action = CFG_SET;
	return 0;
}

/* tinc's subnet check for Subnet values. */
static bool cfg_subnet_ok(const char *value)
{
	struct mesh_subnet s;

	if (mesh_subnet_parse(&s, value, strlen(value)) != MESH_SUBNET_OK) {
		fprintf(stderr, "Malformed subnet definition %s\n", value);
		return false;
	}
	if (mesh_subnet_check_host_bits(&s) != MESH_SUBNET_OK) {
		fprintf(stderr, "Network address and prefix length do not match: %s\n", value);
		return false;
	}
	return true;
}

/* Known-variable rules; may pick our own host file. 0 or -1. */
static int cfg_known(const struct fl_cli *cli, struct cfg_req *r, const struct cli_var *v)
{
	bool changing = r->action == CFG_SET || r->action == CFG_ADD;

	r->var = v->name;
	if (!strcasecmp(v->name, "Subnet") && *r->value && !cfg_subnet_ok(r->value))
		return -1;
	if ((v->flags & CLI_VAR_OBSOLETE) && changing) {
		if (!cli->force) {
			fprintf(stderr, "%s is an obsolete variable! Use --force to use it anyway.\n",
				v->name);
			return -1;
		}
		fprintf(stderr, "Warning: %s is an obsolete variable!\n", v->name);
	}
	if (r->node[0] && !(v->flags & CLI_VAR_HOST) && changing) {
		if (!cli->force) {
			fprintf(stderr, "%s is not a host configuration variable! Use --force to "
					"use it anyway.\n", v->name);
			return -1;
		}
		fprintf(stderr, "Warning: %s is not a host configuration variable!\n", v->name);
	}
	if (!r->node[0] && !(v->flags & CLI_VAR_SERVER) &&
	    cli_conf_name(cli, r->node, sizeof r->node, true) != 1)
		return -1;
	if (r->action == CFG_ADD && !(v->flags & CLI_VAR_MULTI)) {
		r->warn_remove = true;
		r->action = CFG_SET;
	} else if (r->action == CFG_SET && (v->flags & CLI_VAR_MULTI)) {
		r->warn_remove = true;
	}
	return 0;
}

static int cfg_check(const struct fl_cli *cli, struct cfg_req *r)
{
	const struct cli_var *v = cli_var_find(r->var);

	if (v && cfg_known(cli, r, v) < 0)
		return -1;
	if (r->node[0] && !cli_name_valid(r->node)) {
		fprintf(stderr, "Invalid name for node.\n");
		return -1;
	}
	if (v)
		return 0;
	if (cli->force || r->action == CFG_GET || r->action == CFG_DEL) {
		fprintf(stderr, "Warning: %s is not a known configuration variable!\n", r->var);
		return 0;
	}
	fprintf(stderr, "%s: is not a known configuration variable! Use --force to use it "
			"anyway.\n", r->var);
	return -1;
}

/* Split a config line into its variable (in place) and trimmed value. */
static void cfg_split(char *buf, char **value)
{
	size_t n = strcspn(buf, "\t =");
	char *v = buf + n, *end;

	v += strspn(v, "\t ");
	if (*v == '=')
		v += 1 + strspn(v + 1, "\t ");
	end = v + strlen(v);
	while (end > v && strchr("\t\r\n ", end[-1]))
		*--end = 0;
	buf[n] = 0;
	*value = v;
}

struct cfg_state {
	bool found, set, removed;
};

/* One line of the file: print it (get) or copy/replace/drop it into tf. */
static int cfg_line(const struct cfg_req *r, const char *line, FILE *tf, struct cfg_state *st)
{
	char buf[4096], *bvalue;

	snprintf(buf, sizeof buf, "%s", line);
	cfg_split(buf, &bvalue);
	if (!strcasecmp(buf, r->var)) {
		if (r->action == CFG_GET) {
			st->found = true;
			printf("%s\n", bvalue);
		} else if (r->action == CFG_DEL) {
			if (!*r->value || !strcasecmp(bvalue, r->value)) {
				st->removed = true;
				return 0;
			}
		} else if (r->action == CFG_SET) {
			if (r->warn_remove && strcasecmp(bvalue, r->value))
				fprintf(stderr, "Warning: removing %s = %s\n", r->var, bvalue);
			if (!st->set)
				fprintf(tf, "%s = %s\n", r->var, r->value);
			st->set = true;
			return 0;
		} else if (!strcasecmp(bvalue, r->value)) {
			st->found = true;
		}
	}
	if (tf) {
		fputs(line, tf);
		if (*line && line[strlen(line) - 1] != '\n')
			fputc('\n', tf);
	}
	return 0;
}

/* Tell a running daemon to re-read its configuration; silent. */
static void cfg_notify(const struct fl_cli *cli)
{
	struct fl_cli_env env = cli_ctl_env_of(cli);
	struct fl_ctl_client c;

	if (fl_cli_connect(&env, &c, false)) {
		fl_ctl_client_sendf(&c, "%d %d", FL_CTL_CONTROL, FL_REQ_RELOAD);
		fl_ctl_client_close(&c);
	}
}

static int cfg_edit(const struct fl_cli *cli, const struct cfg_req *r, const char *file)
{
	char tmp[FL_CLI_PATH_MAX + 16], line[4096];
	struct cfg_state st = {0};
	FILE *f = fopen(file, "r"), *tf = NULL;

	if (!f) {
		fprintf(stderr, "Could not open configuration file %s: %s\n", file, strerror(errno));
		return 1;
	}
	snprintf(tmp, sizeof tmp, "%s.config.tmp", file);
	if (r->action != CFG_GET && !(tf = fopen(tmp, "w"))) {
		fprintf(stderr, "Could not open temporary file %s: %s\n", tmp, strerror(errno));
		fclose(f);
		return 1;
	}
	while (fgets(line, sizeof line, f))
		cfg_line(r, line, tf, &st);
	fclose(f);
	if ((r->action == CFG_ADD && !st.found) || (r->action == CFG_SET && !st.set))
		fprintf(tf, "%s = %s\n", r->var, r->value);
	if (r->action == CFG_GET) {
		if (st.found)
			return 0;
		fprintf(stderr, "No matching configuration variables found.\n");
		return 1;
	}
	if (fclose(tf) != 0) {
		fprintf(stderr, "Error closing temporary file %s: %s\n", tmp, strerror(errno));
		return 1;
	}
	if (r->action == CFG_DEL && !st.removed) {
		remove(tmp);
		fprintf(stderr, "No configuration variables deleted.\n");
		return 1;
	}
	if (rename(tmp, file) != 0) {
		fprintf(stderr, "Error renaming temporary file %s to configuration file %s: %s\n",
			tmp, file, strerror(errno));
		return 1;
	}
	cfg_notify(cli);
	return 0;
}

/* "get Port" answers with the running daemon's real port when it can. */
static bool cfg_actual_port(const struct fl_cli *cli)
{
	struct fl_cli_env env = cli_ctl_env_of(cli);
	struct fl_paths p;
	struct fl_pidfile pf;

	if (fl_cli_paths(&env, &p) && fl_pidfile_read(p.pidfile, &pf)) {
		printf("%s\n", pf.port);
		return true;
	}
	fprintf(stderr, "Could not get port from the pidfile.\n");
	return false;
}

static const char *cfg_file(const struct fl_cli *cli, const struct cfg_req *r, char *file,
			    size_t cap)
{
	if (r->node[0])
		snprintf(file, cap, "%s/hosts/%s", cli->confbase, r->node);
	else
		snprintf(file, cap, "%s/tinc.conf", cli->confbase);
	return file;
}

int cli_config(const struct fl_cli *cli, int argc, char **argv)
{
	struct cfg_req *r;
	char file[FL_CLI_PATH_MAX + 300];
	int ret = 1;

	if (argc < 2) {
		fprintf(stderr, "Invalid number of arguments.\n");
		return 1;
	}
	/* "get X" is "config get X" */
	if (strcasecmp(argv[0], "config")) {
		argv--;
		argc++;
	}
	if (!(r = calloc(1, sizeof *r)))
		return 1;
	if (!strcasecmp(argv[1], "get")) {
		argv++, argc--;
	} else if (!strcasecmp(argv[1], "add")) {
		argv++, argc--, r->action = CFG_ADD;
	} else if (!strcasecmp(argv[1], "del")) {
		argv++, argc--, r->action = CFG_DEL;
	} else if (!strcasecmp(argv[1], "replace") || !strcasecmp(argv[1], "set") ||
		   !strcasecmp(argv[1], "change")) {
		argv++, argc--, r->action = CFG_SET;
	}
	if (argc < 2) {
		fprintf(stderr, "Invalid number of arguments.\n");
	} else if (cfg_parse(r, argc, argv) == 0) {
		if (r->action == CFG_GET && !strcasecmp(r->var, "Port") && cfg_actual_port(cli))
			ret = 0;
		else if (cfg_check(cli, r) == 0)
			ret = cfg_edit(cli, r, cfg_file(cli, r, file, sizeof file));
	}
	free(r);
	return ret;
}
