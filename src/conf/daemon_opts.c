/* SPDX-License-Identifier: MIT */
/* daemon_opts.c: parse fenliud's argv like tincd (CONFIG.md §4). Called by
 * the daemon's main() and by tests. */
#include "conf/daemon_opts.h"
#include "conf/conf_read.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { OPT_SYSLOG_LONG = 256, OPT_HELP, OPT_VERSION, OPT_BYPASS, OPT_LOGFILE, OPT_PIDFILE };

static const struct option long_opts[] = {
	{"config", required_argument, NULL, 'c'},
	{"net", required_argument, NULL, 'n'},
	{"no-detach", no_argument, NULL, 'D'},
	{"debug", optional_argument, NULL, 'd'},
	{"mlock", no_argument, NULL, 'L'},
	{"chroot", no_argument, NULL, 'R'},
	{"user", required_argument, NULL, 'U'},
	{"syslog", no_argument, NULL, 's'},
	{"option", required_argument, NULL, 'o'},
	{"help", no_argument, NULL, OPT_HELP},
	{"version", no_argument, NULL, OPT_VERSION},
	{"bypass-security", no_argument, NULL, OPT_BYPASS},
	{"logfile", optional_argument, NULL, OPT_LOGFILE},
	{"pidfile", required_argument, NULL, OPT_PIDFILE},
	{NULL, 0, NULL, 0},
};

const char *fl_daemon_opts_usage(void)
{
	return "Usage: fenliud [option]...\n\n"
	       "  -c, --config=DIR              Read configuration options from DIR.\n"
	       "  -D, --no-detach               Don't fork and detach.\n"
	       "  -d, --debug[=LEVEL]           Increase debug level or set it to LEVEL.\n"
	       "  -n, --net=NETNAME             Connect to net NETNAME.\n"
	       "  -L, --mlock                   Lock tinc into main memory.\n"
	       "      --logfile[=FILENAME]      Write log entries to a logfile.\n"
	       "  -s  --syslog                  Use syslog instead of stderr with --no-detach.\n"
	       "      --pidfile=FILENAME        Write PID and control socket cookie to FILENAME.\n"
	       "      --bypass-security         Disables meta protocol security, for debugging.\n"
	       "  -o, --option[HOST.]KEY=VALUE  Set global/host configuration value.\n"
	       "  -R, --chroot                  chroot to NET dir at startup.\n"
	       "  -U, --user=USER               setuid to given USER at startup.\n"
	       "      --help                    Display this help and exit.\n"
	       "      --version                 Output version information and exit.\n";
}

/* Relative paths are made absolute: the daemon changes directory later. */
static char *abs_path(const char *arg)
{
	if (arg[0] == '/')
		return strdup(arg);
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return strdup(arg);
	size_t n = strlen(cwd) + strlen(arg) + 2;
	char *p = malloc(n);
	if (p)
		snprintf(p, n, "%s/%s", cwd, arg);
	return p;
}

static void set_str(char **dst, char *val)
{
	free(*dst);
	*dst = val;
}

/* -d and --logfile take an optional argument, also as the next word when
 * that does not start with '-' (tincd accepts "-d 5"). */
static const char *optional_arg(int argc, char *argv[])
{
	if (!optarg && optind < argc && argv[optind][0] != '-')
		return argv[optind++];
	return optarg;
}

bool fl_daemon_opts_parse(struct fl_daemon_options *o, int argc, char *argv[],
                          char *err, size_t errlen)
{
	bool logfile = false, syslog_opt = false;
	int r, optidx = 0, lineno = 0;
	const char *a;

	memset(o, 0, sizeof(*o));
	o->detach = true;
	o->debug_level = 0;
	fl_conf_init(&o->cmdline);
	optind = 0; /* GNU: full re-initialisation, so tests may parse again */
	opterr = 0;
	while ((r = getopt_long(argc, argv, "+c:DLd::n:so:RU:", long_opts, &optidx)) != -1) {
		switch (r) {
		case 'c': set_str(&o->confbase, abs_path(optarg)); break;
		case 'n': set_str(&o->netname, strdup(optarg)); break;
		case 'D': o->detach = false; break;
		case 'L': o->mlock = true; break;
		case 'R': o->chroot = true; break;
		case 'U': set_str(&o->user, strdup(optarg)); break;
		case 's': syslog_opt = true; logfile = false; break;
		case OPT_HELP: o->show_help = true; break;
		case OPT_VERSION: o->show_version = true; break;
		case OPT_BYPASS: o->bypass_security = true; break;
		case OPT_PIDFILE: set_str(&o->pidfile, abs_path(optarg)); break;
		case 'd':
			a = optional_arg(argc, argv);
			o->debug_level = a ? atoi(a) : o->debug_level + 1;
			break;
		case OPT_LOGFILE:
			logfile = true;
			syslog_opt = false;
			if ((a = optional_arg(argc, argv)) != NULL)
				set_str(&o->logfile, abs_path(a));
			break;
		case 'o':
			if (fl_conf_cmdline_add(&o->cmdline, optarg, ++lineno) != FL_CONF_OK) {
				snprintf(err, errlen, "invalid -o option, expected [NODE.]VAR=VALUE: '%s'", optarg);
				return false;
			}
			break;
		default:
			snprintf(err, errlen, "unknown or incomplete option '%s'",
			         optind > 0 && optind <= argc ? argv[optind - 1] : "?");
			return false;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unrecognized argument '%s'", argv[optind]);
		return false;
	}
	o->log_target = logfile ? FL_LOG_FILE
	                : (syslog_opt || o->detach) ? FL_LOG_SYSLOG : FL_LOG_STDERR;
	return true;
}

void fl_daemon_opts_free(struct fl_daemon_options *o)
{
	free(o->confbase);
	free(o->netname);
	free(o->pidfile);
	free(o->logfile);
	free(o->user);
	fl_conf_free(&o->cmdline);
	o->confbase = o->netname = o->pidfile = o->logfile = o->user = NULL;
}
