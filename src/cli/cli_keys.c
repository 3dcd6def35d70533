/* SPDX-License-Identifier: MIT */
/*
 * fenliu generate-ed25519-keys (alias generate-keys): replace our Ed25519
 * key pair the way tinc does (KEYS.md §3.3, §4.1, §5) — old keys stay in
 * the files, commented out with '#', the new ones follow — but each file
 * is rewritten atomically (keyfile_io_replace). Also used by init.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "keys/keyfile_io.h"
#include "crypto/ed25519_keyfile.h"

/* Random seed → key pair (KEYS.md §5); the seed is wiped at once. */
static int keys_generate(struct fl_ed25519_key *key)
{
	uint8_t seed[FL_ED25519_SEED_LEN];
	int r;

	randombytes_buf(seed, sizeof seed);
	r = fl_ed25519_from_seed(key, seed);
	sodium_memzero(seed, sizeof seed);
	return r;
}

static int keys_store(const struct fl_cli *cli, const char *name,
		      const struct fl_ed25519_key *key)
{
	char priv_path[FL_CLI_PATH_MAX], pub_path[FL_CLI_PATH_MAX], rel[FL_CLI_PATH_MAX];
	char priv[FL_KEYFILE_PRIV_TEXT_LEN + 1], line[FL_KEYFILE_PUB_LINE_LEN + 1];
	char err[KEYFILE_IO_ERRLEN];
	bool disabled;
	int ret = -1;

	if (name)
		snprintf(rel, sizeof rel, "hosts/%s", name);
	else
		snprintf(rel, sizeof rel, "ed25519_key.pub");
	if (!cli_path(priv_path, cli, "ed25519_key.priv") || !cli_path(pub_path, cli, rel))
		return -1;
	fl_keyfile_format_private(priv, key);
	fl_keyfile_format_public_line(line, key->pub);
	if (keyfile_io_replace(priv_path, priv, FL_KEYFILE_PRIV_TEXT_LEN, 0600,
			       &disabled, err) != 0) {
		cli_error("%s", err);
		goto out;
	}
	if (disabled)
		cli_error("warning: old key(s) in %s commented out", priv_path);
	if (keyfile_io_replace(pub_path, line, FL_KEYFILE_PUB_LINE_LEN, 0, &disabled, err) != 0) {
		cli_error("%s", err);
		cli_error("%s now holds a new private key whose public half is not in %s: "
			  "run generate-ed25519-keys again", priv_path, pub_path);
		goto out;
	}
	if (disabled)
		cli_error("warning: old key(s) in %s commented out", pub_path);
	ret = 0;
out:
	sodium_memzero(priv, sizeof priv);
	return ret;
}

int cli_keys_install_new(const struct fl_cli *cli, const char *name)
{
	struct fl_ed25519_key key;
	int ret;

	if (keys_generate(&key) != 0) {
		cli_error("Ed25519 key generation failed");
		return -1;
	}
	ret = keys_store(cli, name, &key);
	fl_ed25519_key_wipe(&key);
	return ret;
}

int cli_generate_ed25519_keys(const struct fl_cli *cli, int argc, char **argv)
{
	char name[256];
	int r;

	(void)argv;
	if (argc > 1) {
		cli_error("%s: too many arguments", argv[0]);
		return 1;
	}
	if (!cli_confbase_exists(cli))
		return 1;
	r = cli_conf_name(cli, name, sizeof name, false);
	if (r < 0)
		return 1;
	if (cli_keys_install_new(cli, r == 1 ? name : NULL) != 0)
		return 1;
	printf("New Ed25519 key pair in %s/ed25519_key.priv and %s/%s%s\n", cli->confbase,
	       cli->confbase, r == 1 ? "hosts/" : "ed25519_key.pub", r == 1 ? name : "");
	return 0;
}
