/* SPDX-License-Identifier: MIT */
/* conf_vars.h: the table of known variables (CONFIG.md §3) and value checks.
 *
 * fl_conf_check() walks every entry of a tree, checks each known variable's
 * value against its type and reports "FILE:LINE: VAR: what: 'value'";
 * unknown and unsupported variables are warned about once per process (the
 * caller keeps the struct fl_conf_warned across reloads).
 */
#ifndef FL_CONF_VARS_H
#define FL_CONF_VARS_H

#include "conf/conf.h"

enum fl_var_type {
	FL_VT_STR,    /* any text */
	FL_VT_BOOL,   /* yes / no, any case */
	FL_VT_INT,    /* leading decimal integer within [min, max] */
	FL_VT_PORT,   /* 0-65535 or a service name */
	FL_VT_ADDR,   /* HOST [PORT] */
	FL_VT_SUBNET, /* ADDRESS[/PREFIX][#WEIGHT], mesh's parser, no host bits */
	FL_VT_NAME,   /* node name (CONFIG.md §1.3); Name may be $VAR */
	FL_VT_ENUM,   /* one of the keywords, any case */
	FL_VT_KEY,    /* Ed25519 public key: 43 tinc-b64 characters */
	FL_VT_FIRSTWORD, /* keyword list checked on the first word (Proxy) */
};

enum {
	FL_VF_SERVER = 1 << 0,      /* read from tinc.conf (+ hosts/MYNAME) */
	FL_VF_HOST = 1 << 1,        /* read from a peer's hosts/NAME */
	FL_VF_MULTI = 1 << 2,       /* may repeat */
	FL_VF_RELOAD = 1 << 3,      /* re-applied on reload */
	FL_VF_UNSUPPORTED = 1 << 4, /* accepted, warned once: not supported yet */
	FL_VF_LEGACY = 1 << 5,      /* legacy-protocol only: accepted, ignored */
};

struct fl_var {
	const char *name;
	enum fl_var_type type;
	unsigned flags;
	int min, max;            /* FL_VT_INT */
	const char *const *words; /* FL_VT_ENUM / FL_VT_FIRSTWORD, NULL-terminated */
};

/* Known variable by name (case-insensitive), or NULL. */
const struct fl_var *fl_var_find(const char *name);
/* The whole table, terminated by a NULL name. */
const struct fl_var *fl_var_table(void);

/* Checks one value against a variable's type. On failure writes what was
 * expected (e.g. "expected yes or no") into why and returns false. */
bool fl_var_check_value(const struct fl_var *v, const char *value, char *why, size_t whylen);

/* Index of value in v->words (case-insensitive), or -1. */
int fl_var_word(const struct fl_var *v, const char *value);

/* Names already warned about; keep one per process so reloads stay quiet. */
struct fl_conf_warned {
	char **names;
	size_t n;
};
void fl_conf_warned_free(struct fl_conf_warned *w);

/* Checks every entry of c: bad values are errors (all reported, the return
 * is FL_CONF_EVALUE if any), unknown/unsupported variables are warnings
 * (once per name in w). A single-valued variable given more than once is
 * fine (the first wins, as in tinc). */
enum fl_conf_err fl_conf_check(struct fl_conf *c, struct fl_conf_warned *w,
                               const struct fl_conf_reporter *r);

#endif
