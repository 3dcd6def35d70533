/* SPDX-License-Identifier: MIT */
/*
 * fenliu: the command-line tool, tinc's `tinc` for fenliu. This file only
 * parses the global options tinc's CLI has (-c DIR, -n NET, --help,
 * --version) and dispatches on the verb through the table below; every
 * verb group lives in its own cli_*.c file.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "cli/cli.h"
#include "cli/cli_ctl.h"

#ifndef FL_VERSION
#define FL_VERSION "unknown"
#endif

struct cli_verb {
	const char *name;
	fl_cli_verb_fn run;
	const char *usage;   /* arguments after the verb, for --help */
	const char *summary;
	int min_args;        /* fewer: tinc's message, then the usage line */
};

/*
 * The verbs. To add one (the control-socket verbs start, stop, reload,
 * dump, info, log, pid and fsck are next): write
 *     int cli_VERB(const struct fl_cli *cli, int argc, char **argv)
 * in a new src/cli/cli_GROUP.c, declare it in cli.h, add the file to
 * src/cli/meson.build and one row here. Rows are shown by --help in this
 * order; argv[0] of the verb is its name.
 */
static int cli_help(const struct fl_cli *cli, int argc, char **argv);
static int cli_version(const struct fl_cli *cli, int argc, char **argv);

static const struct cli_verb cli_verbs[] = {
	{"init", cli_init, "NAME", "create a configuration directory for node NAME", 0},
	{"generate-ed25519-keys", cli_generate_ed25519_keys, "",
	 "replace our Ed25519 key pair (old keys are kept, commented out)", 0},
	{"generate-keys", cli_generate_ed25519_keys, "",
	 "the same (fenliu has no RSA keys)", 0},
	/* control verbs (cli_ctl.h), talking to fenliud or tincd */
	{"start", cli_ctl_start, "[fenliud options]", "start fenliud", 0},
	{"stop", cli_ctl_stop, "", "stop fenliud", 0},
	{"restart", cli_ctl_restart, "[fenliud options]", "restart fenliud", 0},
	{"reload", cli_ctl_reload, "", "partially reload the configuration of the running fenliud", 0},
	{"pid", cli_ctl_pid, "", "show the PID of the running fenliud", 0},
	{"dump", cli_ctl_dump, "[reachable] nodes|edges|subnets|connections|graph|digraph|routes|stats|invitations|offload|nat",
	 "dump a list of one of the given types", 1},
	{"info", cli_ctl_info, "NODE|SUBNET|ADDRESS",
	 "give information about a particular NODE, SUBNET or ADDRESS", 1},
	{"log", cli_ctl_log, "[LEVEL]", "dump log output [up to the specified LEVEL]", 0},
	{"debug", cli_ctl_debug, "N", "set the debug level", 1},
	{"retry", cli_ctl_retry, "", "retry all outgoing connections now", 0},
	{"purge", cli_ctl_purge, "", "purge unreachable nodes", 0},
	{"disconnect", cli_ctl_disconnect, "NODE", "close the meta connection with NODE", 1},
	{"fsck", cli_ctl_fsck, "", "check the configuration files for problems", 0},
	/* configuration files (cli_config.c) */
	{"config", cli_config, "[get|set|add|del] VARIABLE [VALUE]",
	 "get or change a configuration variable", 1},
	{"get", cli_config, "VARIABLE", "print the current value of VARIABLE", 1},
	{"set", cli_config, "VARIABLE VALUE", "set VARIABLE to VALUE", 2},
	{"add", cli_config, "VARIABLE VALUE", "add VARIABLE with the given VALUE", 2},
	{"del", cli_config, "VARIABLE [VALUE]", "remove VARIABLE [only ones with the given VALUE]", 1},
	/* invitations (cli_invite.c, cli_join.c) */
	{"invite", cli_invite, "NODE", "generate an invitation for NODE", 1},
	{"join", cli_join, "[URL]", "join a VPN using an invitation URL", 0},
	/* host files over stdin/stdout (cli_share.c) */
	{"export", cli_export, "", "export our host configuration file to standard output", 0},
	{"export-all", cli_export_all, "", "export all host configuration files to standard output", 0},
	{"import", cli_import, "", "import host configuration file(s) from standard input", 0},
	{"exchange", cli_exchange, "", "same as export followed by import", 0},
	{"exchange-all", cli_exchange_all, "", "same as export-all followed by import", 0},
	/* signed messages (cli_sign.c) */
	{"sign", cli_sign, "[FILE]", "generate a signed version of a file", 0},
	{"verify", cli_verify, "NODE [FILE]", "verify that a file was signed by the given NODE", 1},
	/* the rest of tinc's verbs (cli_network.c, cli_edit.c, cli_pcap.c, cli_top.c) */
	{"network", cli_network, "[NETNAME]",
	 "list all known networks, or switch to the one named NETNAME", 0},
	{"edit", cli_edit, "FILENAME", "edit FILENAME in CONFBASE (or hosts/)", 1},
	{"top", cli_top, "", "show real-time statistics", 0},
	{"pcap", cli_pcap, "[SNAPLEN]", "dump traffic in pcap format [up to SNAPLEN bytes per packet]", 0},
	{"list", cli_ctl_dump, "[reachable] nodes|...", "the same as dump", 1},
	{"help", cli_help, "", "show this help", 0},
	{"version", cli_version, "", "show the version", 0},
};

static void cli_print_version(void)
{
	printf("fenliu version %s (protocol 17.7)\n"
	       "Speaks tinc 1.1's protocol and takes tinc's commands.\n", FL_VERSION);
}

static int cli_version(const struct fl_cli *cli, int argc, char **argv)
{
	(void)cli;
	(void)argv;
	if (argc > 1) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	cli_print_version();
	return 0;
}

static void cli_usage(FILE *f, const char *prog)
{
	fprintf(f, "Usage: %s [options] [COMMAND [arguments]]\n"
		"Without a COMMAND, commands are read from standard input, one per line.\n\n"
		"Options:\n"
		"  -c, --config=DIR   configuration directory (CONFBASE)\n"
		"  -n, --net=NETNAME  use %s/tinc/NETNAME (default: $NETNAME)\n"
		"      --pidfile=FILE read the control cookie from FILE\n"
		"      --force        force some commands to work despite warnings\n"
		"  -b, --batch        do not ask anything on the terminal\n"
		"      --help         show this help\n"
		"      --version      show the version\n\n"
		"Commands:\n", prog, FL_SYSCONFDIR);
	for (size_t i = 0; i < sizeof cli_verbs / sizeof cli_verbs[0]; i++)
		fprintf(f, "  %s %s\n      %s\n", cli_verbs[i].name, cli_verbs[i].usage,
			cli_verbs[i].summary);
}

static int cli_help(const struct fl_cli *cli, int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_usage(stdout, cli->prog);
	return 0;
}

/* Run verb v; missing arguments get the verb's usage after its message. */
static int cli_run(const struct fl_cli *cli, const struct cli_verb *v, int argc, char **argv)
{
	int r = v->run(cli, argc, argv);

	if (argc - 1 < v->min_args) {
		fprintf(stderr, "Usage: %s %s %s\n", cli->prog, v->name, v->usage);
		return r ? r : 1;
	}
	return r;
}

static const struct cli_verb *cli_find(const char *name)
{
	for (size_t i = 0; i < sizeof cli_verbs / sizeof cli_verbs[0]; i++)
		if (strcasecmp(name, cli_verbs[i].name) == 0)
			return &cli_verbs[i];
	return NULL;
}

/* Run one command line (argv[0] = the verb, any case, as tinc). */
static int cli_dispatch(const struct fl_cli *cli, int argc, char **argv)
{
	const struct cli_verb *v = cli_find(argv[0]);

	if (v)
		return cli_run(cli, v, argc, argv);
	fprintf(stderr, "Unknown command `%s'.\n", argv[0]);
	return 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"net", required_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"pidfile", required_argument, NULL, 'P'},
		{"force", no_argument, NULL, 'f'},
		{"batch", no_argument, NULL, 'b'},
		{NULL, 0, NULL, 0},
	};
	struct fl_cli cli = {.prog = argv[0]};
	const struct cli_verb *verb;
	const char *config = NULL;
	int c;

	/* '+': options end at the verb, so a verb's own arguments are its own */
	while ((c = getopt_long(argc, argv, "+bc:n:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; cli.confbase_given = true; break;
		case 'n': cli.netname = optarg; break;
		case 'P': cli.pidfile = optarg; break;
		case 'f': cli.force = true; break;
		case 'b': cli.batch = true; break;
		case 'h': cli_usage(stdout, argv[0]); return 0;
		case 'V': cli_print_version(); return 0;
		default:
			fprintf(stderr, "Try '%s --help'.\n", argv[0]);
			return 1;
		}
	}
	if (sodium_init() < 0) {
		cli_error("libsodium initialisation failed");
		return 1;
	}
	if (!cli_set_confbase(&cli, config))
		return 1;
	if (optind >= argc)
		return cli_shell(&cli, cli_dispatch);
	if ((verb = cli_find(argv[optind])))
		return cli_run(&cli, verb, argc - optind, argv + optind);
	fprintf(stderr, "Unknown command `%s'.\nTry `%s --help' for more information.\n",
		argv[optind], argv[0]);
	return 1;
}
