/* cli_ctl_internal.h: helpers shared by the cli_*.c control verb files. */
#ifndef FL_CLI_CTL_INTERNAL_H
#define FL_CLI_CTL_INTERNAL_H

#include "cli/cli_ctl.h"
#include "daemon/conf/conf_paths.h"
#include "daemon/control/ctl_client.h"

#include <stdbool.h>

bool fl_cli_paths(const struct fl_cli_env *env, struct fl_paths *p);
/* Connects and greets; prints tinc's message to env->err when verbose. */
bool fl_cli_connect(const struct fl_cli_env *env, struct fl_ctl_client *c, bool verbose);
/* Prints "Too many arguments!" and returns true when argc > max. */
bool fl_cli_too_many(const struct fl_cli_env *env, int argc, int max);

#endif
