/* SPDX-License-Identifier: MIT */
/* conf_load.h: one configuration generation, as the daemon uses it.
 *
 * Start-up:   fl_config_load(&cfg, paths.confbase, &opts.cmdline, &warned,
 *                            &fl_conf_log_reporter)  -> cfg.s.name, cfg.s.*
 * Reload:     load into a NEW struct fl_config; on success apply it and
 *             fl_config_free() the old one; on failure keep the old one
 *             (answer 22 to `fenliu reload`, exit on SIGHUP).
 * Peers:      fl_host_config_load(&hc, confbase, "beta", &opts.cmdline, ...)
 *             -> hc.h.address, hc.h.subnet, hc.h.ed25519_public_key ...
 * Keep one struct fl_conf_warned for the process so unknown variables are
 * warned about once, not at every reload.
 */
#ifndef FL_CONF_LOAD_H
#define FL_CONF_LOAD_H

#include "conf/conf_read.h"
#include "conf/conf_settings.h"

struct fl_config {
	struct fl_conf tree;      /* tinc.conf + conf.d + -o + hosts/NAME */
	struct fl_settings s;     /* typed view; borrows strings from tree */
};

struct fl_host_config {
	struct fl_conf tree;      /* hosts/NAME + -o NAME.VAR */
	struct fl_host_settings h;
};

/* Reads, checks and resolves the server configuration. Also refuses what
 * fenliud cannot honour safely and warns about what it ignores
 * (conf_support.h: ExperimentalProtocol = no, Mode = switch, ...). On
 * failure *out is left empty (safe to free) and the reporter has said why. */
enum fl_conf_err fl_config_load(struct fl_config *out, const char *confbase,
                                struct fl_conf *cmdline, struct fl_conf_warned *w,
                                const struct fl_conf_reporter *r);
void fl_config_free(struct fl_config *c);

enum fl_conf_err fl_host_config_load(struct fl_host_config *out, const char *confbase,
                                     const char *name, struct fl_conf *cmdline,
                                     struct fl_conf_warned *w, const struct fl_conf_reporter *r);
void fl_host_config_free(struct fl_host_config *h);

/* A reporter that logs errors (LOG_ERR) and warnings (LOG_WARNING) at
 * debug level 0 through fl_log(). */
extern const struct fl_conf_reporter fl_conf_log_reporter;

#endif
