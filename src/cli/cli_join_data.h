/* SPDX-License-Identifier: MIT */
/*
 * What `fenliu join` makes of the invitation file an inviter sent (pure:
 * bytes in, texts out; cli_join.c writes them to disk). The file's first
 * chunk is the invited node's own configuration: the variables an
 * invitation may set (cli_vars.h, SAFE) go to tinc.conf or hosts/NAME as
 * tinc's CLI sorts them, Ifconfig and Route lines become a tinc-up script,
 * anything else is dropped with a message (kept with a warning under
 * --force if it is a known but unsafe variable). Every later chunk starts
 * with "Name = OTHER" and is OTHER's host file, copied as it is.
 * The input comes from the network: lines are capped, names checked, and
 * values that reach tinc-up may only hold address characters.
 */
#ifndef FL_CLI_CLI_JOIN_DATA_H
#define FL_CLI_CLI_JOIN_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define CLI_JOIN_LINE_MAX 1023 /* tinc's get_line buffer less the NUL */

enum cli_join_err {
	CLI_JOIN_OK = 0,
	CLI_JOIN_ERR_NONAME,   /* no "Name = X" first line */
	CLI_JOIN_ERR_NAME,     /* the Name breaks the name rule */
	CLI_JOIN_ERR_NETNAME,  /* an unsafe NetName */
	CLI_JOIN_ERR_HOSTNAME, /* a later chunk's Name breaks the rule */
	CLI_JOIN_ERR_OWN,      /* a later chunk would overwrite our host file */
	CLI_JOIN_ERR_LINE,     /* a line too long or not text */
	CLI_JOIN_ERR_NOMEM,
};

const char *cli_join_strerror(enum cli_join_err e);

struct cli_join_text {
	char *s;	/* malloc-ed, NUL-terminated */
	size_t len;
};

struct cli_join_host {
	char name[256];
	struct cli_join_text text;
};

struct cli_join_plan {
	char name[256];		  /* our Name */
	char netname[256];	  /* NetName from the invitation, "" if none */
	struct cli_join_text conf;  /* tinc.conf */
	struct cli_join_text host;  /* hosts/NAME, before our key is added */
	struct cli_join_text up;    /* tinc-up */
	bool up_generated;	  /* from Ifconfig/Route lines (else a placeholder) */
	struct cli_join_text notes; /* messages for stderr, one per line */
	struct cli_join_host *hosts; /* the other nodes' host files */
	size_t n_hosts;
};

/* Split data (len bytes, any content) into p (cleared first). force keeps
 * known but unsafe variables. On error p holds nothing to free beyond what
 * cli_join_plan_free releases; call it in every case. */
enum cli_join_err cli_join_plan(struct cli_join_plan *p, const char *data, size_t len,
				bool force);
void cli_join_plan_free(struct cli_join_plan *p);

/* tinc's strict netname rule for names that come from an invitation. */
bool cli_join_netname_ok(const char *net);

#endif
