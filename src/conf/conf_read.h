/* SPDX-License-Identifier: MIT */
/* conf_read.h: reading a tinc config directory from disk (CONFIG.md §1-§2).
 *
 * The daemon calls fl_conf_read_server() at start and on reload (into a
 * fresh struct fl_conf, swapping only on success) and fl_conf_read_host()
 * whenever it needs a peer's hosts/NAME. Command-line -o options live in
 * their own struct fl_conf built by fl_conf_cmdline_add().
 */
#ifndef FL_CONF_READ_H
#define FL_CONF_READ_H

#include "conf/conf.h"
#include "conf/conf_vars.h"

#include <sys/types.h>

/* Adds one -o argument "[NODE.]VAR=VALUE" (index = position, 1-based). The
 * entry keeps "NODE.VAR" as its variable; readers split it. */
enum fl_conf_err fl_conf_cmdline_add(struct fl_conf *cmdline, const char *arg, int index);

/* Reads a whole file (capped at 1 MiB) and parses it, labelled with path. */
enum fl_conf_err fl_conf_read_file(struct fl_conf *c, const char *path,
                                   const struct fl_conf_reporter *r);

/* Reads CONFBASE/tinc.conf, CONFBASE/conf.d/ *.conf (name order), the
 * server -o options, and our own hosts/NAME (Name resolved as in §1.3;
 * its expanded value is written to name). Checks every value. On success
 * *out holds the merged server tree. out must be initialised and empty. */
enum fl_conf_err fl_conf_read_server(struct fl_conf *out, const char *confbase,
                                     struct fl_conf *cmdline, char *name, size_t namelen,
                                     struct fl_conf_warned *w, const struct fl_conf_reporter *r);

/* Reads CONFBASE/hosts/NAME plus "-o NAME.VAR=VALUE" options and checks
 * the values. A missing file is FL_CONF_EIO (reported). */
enum fl_conf_err fl_conf_read_host(struct fl_conf *out, const char *confbase, const char *name,
                                   struct fl_conf *cmdline, struct fl_conf_warned *w,
                                   const struct fl_conf_reporter *r);

/* Calls fn for each file in CONFBASE/hosts whose name is a valid node name
 * (other files such as NAME-up are skipped). Returns -1 if hosts/ cannot be
 * opened, else the number of names. */
int fl_conf_each_host(const char *confbase, void (*fn)(void *ctx, const char *name), void *ctx);

#endif
