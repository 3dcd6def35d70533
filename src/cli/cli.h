/* SPDX-License-Identifier: MIT */
/*
 * The fenliu command: shared context and the verbs' entry points.
 * fenliu.c parses the global options (tinc's -c, -n, --help, --version)
 * into struct fl_cli and dispatches on the verb through its table; each
 * verb group lives in its own file (cli_init.c, cli_keys.c, ...).
 */
#ifndef FL_CLI_CLI_H
#define FL_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

/* Where system-wide configuration lives; -n NET means SYSCONFDIR/tinc/NET
 * (CONFIG.md §1.1). Overridable at build time. */
#ifndef FL_SYSCONFDIR
#define FL_SYSCONFDIR "/etc"
#endif

#define FL_CLI_PATH_MAX 4096

struct fl_cli {
	const char *prog;               /* argv[0] for messages */
	char confbase[FL_CLI_PATH_MAX]; /* CONFBASE: -c DIR, or from -n / NETNAME */
	const char *netname;            /* NULL when none */
	bool confbase_given;            /* -c was used */
	const char *pidfile;            /* --pidfile=FILE (control verbs), or NULL */
	bool force;                     /* --force: do it anyway (tinc's) */
	bool batch;                     /* --batch: never ask on the terminal */
};

/* A verb gets the arguments after its own name (argv[0] = the verb). It
 * returns the process exit status: 0 ok, 1 failure (after one message
 * line per problem on stderr). */
typedef int (*fl_cli_verb_fn)(const struct fl_cli *cli, int argc, char **argv);

/* cli_init.c */
int cli_init(const struct fl_cli *cli, int argc, char **argv);

/* cli_keys.c */
int cli_generate_ed25519_keys(const struct fl_cli *cli, int argc, char **argv);
/* Make a new key pair and store it as tinc does: CONFBASE/ed25519_key.priv
 * and the Ed25519PublicKey line in hosts/NAME (CONFBASE/ed25519_key.pub
 * when name is NULL), old keys in both commented out. Used by init too.
 * 0, or -1 after printing why. */
int cli_keys_install_new(const struct fl_cli *cli, const char *name);

/* cli_init.c: as tinc does, if port 655 is taken, append a free random
 * Port to the host file at host_path (a warning when that fails). */
void cli_init_port(const char *host_path);

/* cli_invite.c: invitations (the inviter's side) */
int cli_invite(const struct fl_cli *cli, int argc, char **argv);
/* `dump invitations`: list CONFBASE/invitations as tinc does. 0 or 1. */
int cli_dump_invitations(const char *confbase);

/* cli_config.c: get/set/add/del/config (argv[0] is the verb) */
int cli_config(const struct fl_cli *cli, int argc, char **argv);

/* cli_share.c: host files over stdin/stdout */
int cli_export(const struct fl_cli *cli, int argc, char **argv);
int cli_export_all(const struct fl_cli *cli, int argc, char **argv);
int cli_import(const struct fl_cli *cli, int argc, char **argv);
int cli_exchange(const struct fl_cli *cli, int argc, char **argv);
int cli_exchange_all(const struct fl_cli *cli, int argc, char **argv);

/* cli_sign.c: signed messages */
int cli_sign(const struct fl_cli *cli, int argc, char **argv);
int cli_verify(const struct fl_cli *cli, int argc, char **argv);

/* cli_shell.c: the interactive shell (no command given). Each line goes
 * to dispatch, which returns the command's exit status, -1 if unknown. */
int cli_shell(const struct fl_cli *cli, fl_cli_verb_fn dispatch);

/* cli_network.c, cli_edit.c, cli_pcap.c, cli_top.c */
int cli_network(const struct fl_cli *cli, int argc, char **argv);
int cli_edit(const struct fl_cli *cli, int argc, char **argv);
int cli_pcap(const struct fl_cli *cli, int argc, char **argv);
int cli_top(const struct fl_cli *cli, int argc, char **argv);

/* cli_join.c: accept an invitation */
int cli_join(const struct fl_cli *cli, int argc, char **argv);

/* cli_util.c: helpers shared by verbs. */

/* Fill cli->confbase from config (-c), else cli->netname (-n) or
 * $NETNAME, as tinc does (CONFIG.md §1.1). false after a message. */
bool cli_set_confbase(struct fl_cli *cli, const char *config);

/* May we talk with a person: stdin and stdout are terminals and no
 * --batch (tinc's "tty"). */
bool cli_tty(const struct fl_cli *cli);

/* tinc's strict netname rule (no blanks or shell characters). */
bool cli_netname_strict(const char *net);

/* "fenliu: " + message + newline on stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* CONFBASE/rel into out; false (with a message) if it does not fit. */
bool cli_path(char out[static FL_CLI_PATH_MAX], const struct fl_cli *cli, const char *rel);

/* true if CONFBASE is a directory; otherwise prints why. */
bool cli_confbase_exists(const struct fl_cli *cli);

/* tinc's node name rule: one or more of A-Z a-z 0-9 _ (CONFIG.md §1.3). */
bool cli_name_valid(const char *name);

/* Our Name from CONFBASE/tinc.conf (first Name variable; "$VAR" expands
 * from the environment, $HOST falls back to the host name). Returns 1 and
 * fills name, 0 if tinc.conf has no Name, -1 on error (message printed;
 * a missing tinc.conf is an error only if required). */
int cli_conf_name(const struct fl_cli *cli, char *name, size_t cap, bool required);

#endif
