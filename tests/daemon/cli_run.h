/* cli_run.h: runs one fenliu control verb in-process with its stdout and
 * stderr captured, for test_cli.c and test_tincd_compat.c. Each test
 * defines run() over its own directory and pid file:
 *   #define run(fn, out, err, ...) cli_run(fn, dir, pidpath, out, err, __VA_ARGS__)
 * The caller frees *out and *err. */
#ifndef FL_TESTS_CLI_RUN_H
#define FL_TESTS_CLI_RUN_H

#include <stdarg.h>
#include <stdio.h>

#include "cli/cli_ctl.h"

static inline int cli_run(int (*fn)(const struct fl_cli_env *, int, char **), const char *confbase,
                          const char *pidfile, char **out, char **err, ...)
{
	char *argv[8];
	int argc = 0;
	va_list ap;
	va_start(ap, err);
	for (char *a; argc < 7 && (a = va_arg(ap, char *)) != NULL;)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	size_t ol, el;
	struct fl_cli_env env = {confbase, NULL, pidfile, NULL, open_memstream(out, &ol),
	                         open_memstream(err, &el)};
	int r = fn(&env, argc, argv);
	fclose(env.out);
	fclose(env.err);
	return r;
}

#endif
