/* SPDX-License-Identifier: MIT */
/* conf_support.h: what fenliud does with each tinc 1.1 server variable
 * that it does not simply honour (issue 18.1: no silent settings).
 *
 * fl_conf_support_check() walks a checked server tree and reports, with
 * FILE:LINE, every setting fenliud cannot honour: a refusal (an error:
 * security settings and anything that would change what the node does)
 * or a warning ("not supported, ignored"). Called by the one loader
 * (fl_config_load) for the daemon, and by `fenliu fsck`. Pure: no I/O.
 * The table in fenliu.conf(5) lists the same rows.
 */
#ifndef FL_CONF_SUPPORT_H
#define FL_CONF_SUPPORT_H

#include "conf/conf.h"

enum fl_support {
	FL_SUP_WARN,   /* accepted, named at start as not supported, ignored */
	FL_SUP_REFUSE, /* fenliud refuses to start (reload keeps the old) */
};

struct fl_support_rule {
	const char *var;
	/* Values that work ('|'-separated, any case); NULL: no value does. */
	const char *ok_values;
	enum fl_support action;
	const char *why;
};

/* The rules, terminated by a NULL var (for the docs test and fsck). */
const struct fl_support_rule *fl_support_rules(void);

/* Reports each entry of c that a rule matches. Returns FL_CONF_EVALUE if
 * any was refused, else FL_CONF_OK. */
enum fl_conf_err fl_conf_support_check(struct fl_conf *c, const struct fl_conf_reporter *r);

#endif
