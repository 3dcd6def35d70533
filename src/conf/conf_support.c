/* SPDX-License-Identifier: MIT */
/* conf_support.c: the settings fenliud refuses or warns about
 * (conf_support.h). One row per variable; a variable absent from the
 * table works as in tinc 1.1. */
#include "conf/conf_support.h"
#include "conf/conf_vars.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct fl_support_rule rules[] = {
	/* Security, or what the node does: refused. */
	{"ExperimentalProtocol", "yes", FL_SUP_REFUSE, "fenliu speaks only SPTPS, remove this line"},
	{"DeviceType", "tun|tap", FL_SUP_REFUSE, "only tun and tap are supported"},
	{"Sandbox", "off", FL_SUP_REFUSE, "not supported on Linux (tincd refuses it too)"},
	/* Comfort or tuning: named at start, ignored. */
	/* What a tincd built without miniupnpc does: it names UPnP = yes or
	 * udponly at start and runs without port mappings. Its two tunings are
	 * read by the UPnP client only; tincd passes over them silently, fenliu
	 * names them so nobody waits for a mapping. */
	{"UPnP", "no", FL_SUP_WARN, "fenliu has no UPnP client, ignored (as by a tinc built without miniupnpc)"},
	{"UPnPDiscoverWait", NULL, FL_SUP_WARN, "fenliu has no UPnP client, ignored"},
	{"UPnPRefreshPeriod", NULL, FL_SUP_WARN, "fenliu has no UPnP client, ignored"},
	{"GraphDumpFile", NULL, FL_SUP_WARN, "obsolete, ignored (as by tinc 1.1)"},
	/* Absent on purpose, as tinc 1.1: PriorityInheritance (tincd applies it
	 * to legacy-protocol UDP packets only, never to SPTPS ones), VDEGroup
	 * and VDEPort (read only with DeviceType = vde, refused above). */
	{NULL, NULL, FL_SUP_WARN, NULL},
};

const struct fl_support_rule *fl_support_rules(void)
{
	return rules;
}

/* Is value one of the '|'-separated words of list (any case)? */
static int value_ok(const char *list, const char *value)
{
	size_t vlen = strlen(value);

	while (list && *list) {
		size_t n = strcspn(list, "|");
		if (n == vlen && strncasecmp(list, value, n) == 0)
			return 1;
		list += n + (list[n] == '|');
	}
	return 0;
}

static const struct fl_support_rule *rule_find(const char *var)
{
	for (const struct fl_support_rule *r = rules; r->var; r++)
		if (strcasecmp(r->var, var) == 0)
			return r;
	return NULL;
}

/* Messages come out in reading order: command line, then file by file. */
static int where_cmp(const void *pa, const void *pb)
{
	const struct fl_conf_entry *a = *(const struct fl_conf_entry *const *)pa;
	const struct fl_conf_entry *b = *(const struct fl_conf_entry *const *)pb;

	if (!a->file != !b->file)
		return a->file ? 1 : -1;
	int r = a->file ? strcmp(a->file, b->file) : 0;
	if (r)
		return r;
	return (a->line > b->line) - (a->line < b->line);
}

/* Does a rule apply to e? A single-valued variable given twice: only the
 * first counts, as in tinc (fsck warns about the duplicate). c is sorted. */
static const struct fl_support_rule *rule_of(struct fl_conf *c, const struct fl_conf_entry *e)
{
	const struct fl_support_rule *rule = rule_find(e->var);
	const struct fl_var *v = fl_var_find(e->var);

	if (!rule || value_ok(rule->ok_values, e->value))
		return NULL;
	if (v && !(v->flags & FL_VF_MULTI) && fl_conf_first(c, e->var) != e)
		return NULL;
	return rule;
}

static void report(const struct fl_conf_entry *e, const struct fl_support_rule *rule,
		   const struct fl_conf_reporter *r)
{
	fl_conf_report_fn *fn = !r ? NULL : rule->action == FL_SUP_REFUSE ? r->error : r->warning;
	char where[300], msg[700];

	if (!fn)
		return;
	fl_conf_where(e, where, sizeof(where));
	snprintf(msg, sizeof(msg), "%s: %s: %s: '%.200s'", where, rule->var, rule->why, e->value);
	fn(r->ctx, msg);
}

/* Mode and DeviceType together. Switch and hub carry Ethernet frames, so
 * they need a tap device; fenliud's router mode runs on tun only. Either
 * mismatch is refused, naming the line that is wrong for the other: the
 * Mode line when tun was asked for, else the DeviceType line. Other
 * device types and unknown modes are refused elsewhere. */
static enum fl_conf_err mode_check(struct fl_conf *c, const struct fl_conf_reporter *r)
{
	const struct fl_conf_entry *m = fl_conf_first(c, "Mode"), *t = fl_conf_first(c, "DeviceType");
	char mw[300] = "", tw[300], msg[900];

	if (!t || !value_ok("tun|tap", t->value) || (m && !value_ok("router|switch|hub", m->value)))
		return FL_CONF_OK; /* no DeviceType: the device follows the mode */
	bool tap = !strcasecmp(t->value, "tap"), router = !m || !strcasecmp(m->value, "router");
	if (tap != router)
		return FL_CONF_OK;
	fl_conf_where(t, tw, sizeof(tw));
	if (m)
		fl_conf_where(m, mw, sizeof(mw));
	if (tap)
		snprintf(msg, sizeof(msg),
			 "%s: DeviceType: tap needs Mode = switch or hub (Mode = router%s%s runs "
			 "on a tun device): '%.200s'",
			 tw, m ? " at " : " by default", mw, t->value);
	else
		snprintf(msg, sizeof(msg),
			 "%s: Mode: %.20s needs a tap device (DeviceType = tun at %s): '%.200s'", mw,
			 m->value, tw, m->value);
	if (r && r->error)
		r->error(r->ctx, msg);
	return FL_CONF_EVALUE;
}

enum fl_conf_err fl_conf_support_check(struct fl_conf *c, const struct fl_conf_reporter *r)
{
	enum fl_conf_err rc = FL_CONF_OK;
	const struct fl_conf_entry **hit = calloc(c->n ? c->n : 1, sizeof(*hit));
	size_t n = 0;

	if (!hit)
		return FL_CONF_ENOMEM;
	(void)fl_conf_first(c, ""); /* sorts c once, before the walk below */
	for (size_t i = 0; i < c->n; i++)
		if (rule_of(c, &c->v[i]))
			hit[n++] = &c->v[i];
	qsort(hit, n, sizeof(*hit), where_cmp);
	for (size_t i = 0; i < n; i++) {
		const struct fl_support_rule *rule = rule_find(hit[i]->var);
		if (rule->action == FL_SUP_REFUSE)
			rc = FL_CONF_EVALUE;
		report(hit[i], rule, r);
	}
	free(hit);
	if (mode_check(c, r) != FL_CONF_OK)
		rc = FL_CONF_EVALUE;
	return rc;
}
