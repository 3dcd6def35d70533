/* SPDX-License-Identifier: MIT */
/* cli_test.h: helpers shared by test_cli.c and test_tincd_compat.c, which
 * both run fenliu's control verbs in-process against a config directory
 * they write. Each test maps the helpers onto its own dir and pid file:
 *   #define run(fn, out, err, ...) cli_run(fn, dir, pidpath, out, err, __VA_ARGS__)
 *   #define put(name, text, mode) cli_put(dir, name, text, mode)
 */
#ifndef FL_TESTS_CLI_TEST_H
#define FL_TESTS_CLI_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "cli/cli_ctl.h"
#include "crypto/ed25519_keyfile.h"

/* Runs a verb with argv from the NULL-terminated varargs, capturing its
 * stdout and stderr; the caller frees *out and *err. */
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

/* Writes dir/name (replacing it) and gives it mode. */
static inline void cli_put(const char *dir, const char *name, const char *text, int mode)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, (mode_t)mode);
}

/* A node's key files as tinc writes them, from a seed {seed0, 0, ...}:
 * ed25519_key.priv's text and the "Ed25519PublicKey = ...\n" host line. */
static inline void cli_keypair(uint8_t seed0, char priv[static FL_KEYFILE_PRIV_TEXT_LEN + 1],
                               char publine[static FL_KEYFILE_PUB_LINE_LEN + 1])
{
	uint8_t seed[FL_ED25519_SEED_LEN] = {seed0};
	struct fl_ed25519_key key;
	assert_int_equal(fl_ed25519_from_seed(&key, seed), 0);
	fl_keyfile_format_private(priv, &key);
	fl_keyfile_format_public_line(publine, key.pub);
}

/* Teardown: ends the test's child process (if any) and removes its
 * directory. Returns what cmocka's teardown returns. */
static inline int cli_cleanup(pid_t child, const char *dir)
{
	if (child > 0) {
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
	}
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

#endif
