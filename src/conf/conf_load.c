/* SPDX-License-Identifier: MIT */
/* conf_load.c: the one configuration loader (conf_load.h): server and
 * host generations for the daemon, read + check + refusals + typed
 * settings in one call. */
#include "conf/conf_load.h"
#include "conf/conf_support.h"
#include "log/log.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static void log_error(void *ctx, const char *msg)
{
	fl_log(FL_DEBUG_ALWAYS, LOG_ERR, "%s", msg);
}

static void log_warning(void *ctx, const char *msg)
{
	fl_log(FL_DEBUG_ALWAYS, LOG_WARNING, "%s", msg);
}

const struct fl_conf_reporter fl_conf_log_reporter = {log_error, log_warning, NULL};

enum fl_conf_err fl_config_load(struct fl_config *out, const char *confbase,
                                struct fl_conf *cmdline, struct fl_conf_warned *w,
                                const struct fl_conf_reporter *r)
{
	char name[256];
	memset(out, 0, sizeof(*out));
	fl_conf_init(&out->tree);
	enum fl_conf_err e = fl_conf_read_server(&out->tree, confbase, cmdline, name, sizeof(name), w, r);
	if (e == FL_CONF_OK)
		e = fl_conf_support_check(&out->tree, r);
	if (e == FL_CONF_OK)
		e = fl_settings_load(&out->s, &out->tree, name);
	if (e != FL_CONF_OK) {
		fl_conf_free(&out->tree);
		memset(out, 0, sizeof(*out));
	}
	return e;
}

void fl_config_free(struct fl_config *c)
{
	fl_settings_free(&c->s);
	fl_conf_free(&c->tree);
	memset(c, 0, sizeof(*c));
}

enum fl_conf_err fl_host_config_load(struct fl_host_config *out, const char *confbase,
                                     const char *name, struct fl_conf *cmdline,
                                     struct fl_conf_warned *w, const struct fl_conf_reporter *r)
{
	memset(out, 0, sizeof(*out));
	fl_conf_init(&out->tree);
	enum fl_conf_err e = fl_conf_read_host(&out->tree, confbase, name, cmdline, w, r);
	if (e == FL_CONF_OK)
		e = fl_host_settings_load(&out->h, &out->tree);
	if (e != FL_CONF_OK) {
		fl_conf_free(&out->tree);
		memset(out, 0, sizeof(*out));
	}
	return e;
}

void fl_host_config_free(struct fl_host_config *h)
{
	fl_host_settings_free(&h->h);
	fl_conf_free(&h->tree);
	memset(h, 0, sizeof(*h));
}
