/* SPDX-License-Identifier: MIT */
/* cli_fsck.c: `fenliu fsck`: checks a config directory like tinc's fsck:
 * a valid Name, readable and valid config files (every variable's value),
 * the Ed25519 private key file (present, decodable, mode, public half ==
 * a·B) against hosts/NAME's public key, and that scripts are executable.
 * Reports only; it never rewrites files. Called from the dispatch table.
 *
 * Keys are read with the shared readers (src/keys/keyfile_io.c over
 * src/crypto/ed25519_keyfile.c), so fsck accepts and refuses exactly what
 * the other verbs do; the messages around them are tinc fsck's.
 */
#include "cli/cli_ctl_internal.h"
#include "keys/keyfile_io.h"
#include "crypto/ed25519_keyfile.h"
#include "conf/conf_read.h"
#include "conf/conf_settings.h"
#include "conf/conf_support.h"
#include "conf/conf_vars.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* tinc's warning for a private key file group or others may access.
 * Returns true if the mode is unsafe (keyfile_io_load_private refuses it). */
static bool check_private_mode(const struct fl_cli_env *env, const char *path)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		fprintf(env->err, "ERROR: could not stat private key file %s\n", path);
		return false;
	}
	if (!(st.st_mode & 077))
		return false;
	fprintf(env->err, "WARNING: unsafe file permissions on %s.\n", path);
	return true;
}

static void print_cmd(const struct fl_cli_env *env, const char *verb)
{
	if (env->confbase)
		fprintf(env->err, "fenliu -c %s %s\n", env->confbase, verb);
	else if (env->netname)
		fprintf(env->err, "fenliu -n %s %s\n", env->netname, verb);
	else
		fprintf(env->err, "fenliu %s\n", verb);
}

/* Our public key in tinc's order (KEYS.md §4.3): the Ed25519PublicKey
 * variable, else the PEM block of Ed25519PublicKeyFile or hosts/NAME. */
static bool own_public(const struct fl_cli_env *env, const struct fl_paths *p,
                       const struct fl_settings *s, uint8_t pub[static FL_ED25519_PUBLIC_LEN])
{
	char path[FL_PATH_MAX + 300], err[KEYFILE_IO_ERRLEN];
	if (s->ed25519_public_key) {
		struct fl_keyfile_diag d;
		const char *v = s->ed25519_public_key;
		if (fl_keyfile_parse_public_value(pub, v, strlen(v), &d) == FL_KEYFILE_OK)
			return true;
		fprintf(env->err, "WARNING: %s: '%s'\n", fl_keyfile_strerror(d.err), v);
		return false;
	}
	if (s->ed25519_public_key_file)
		snprintf(path, sizeof(path), "%s", s->ed25519_public_key_file);
	else
		snprintf(path, sizeof(path), "%s/hosts/%s", p->confbase, s->name);
	if (keyfile_io_load_host_public(path, pub, err) == 0)
		return true;
	fprintf(env->err, "WARNING: %s\n", err);
	return false;
}

/* The private key through the loader the verbs use, so fsck refuses what
 * they refuse (a bad file, a public half != a·B, group/other access), then
 * its public half against our host file's key. */
static bool check_keys(const struct fl_cli_env *env, const struct fl_paths *p, struct fl_settings *s)
{
	char path[FL_PATH_MAX + 64], err[KEYFILE_IO_ERRLEN];
	struct fl_ed25519_key key;
	uint8_t pub[FL_ED25519_PUBLIC_LEN];
	if (s->ed25519_private_key_file)
		snprintf(path, sizeof(path), "%s", s->ed25519_private_key_file);
	else
		snprintf(path, sizeof(path), "%s/ed25519_key.priv", p->confbase);
	bool have = access(path, F_OK) == 0;
	bool unsafe = have && check_private_mode(env, path);
	if (!have || keyfile_io_load_private(path, &key, err) != 0) {
		if (have)
			fprintf(env->err, "ERROR: %s\n", err);
		if (unsafe)
			return false; /* the key is there; the message says how to fix it */
		fprintf(env->err, "ERROR: No Ed25519 private key found.\n\n"
		        "You can generate a new Ed25519 keypair with:\n\n");
		print_cmd(env, "generate-ed25519-keys");
		return false;
	}
	bool ok = true;
	if (!own_public(env, p, s, pub)) {
		fprintf(env->err, "WARNING: No (usable) public Ed25519 key found.\n");
	} else if (sodium_memcmp(pub, key.pub, sizeof(pub)) != 0) {
		fprintf(env->err, "ERROR: public and private Ed25519 keys do not match.\n");
		ok = false;
	}
	sodium_memzero(&key, sizeof(key));
	return ok;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);
	return a >= b && strcmp(s + a - b, tail) == 0;
}

static void check_exec(const struct fl_cli_env *env, const char *path)
{
	if (access(path, R_OK | X_OK) != 0)
		fprintf(env->err, "WARNING: cannot read and execute %s: %s\n", path, strerror(errno));
}

/* Scripts in CONFBASE (only tinc-/host-/subnet- ones run) and hosts/. */
static bool check_scripts(const struct fl_cli_env *env, const char *dir, bool top)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(env->err, "ERROR: cannot read directory %s: %s\n", dir, strerror(errno));
		return false;
	}
	bool explained = false;
	for (struct dirent *de; (de = readdir(d)) != NULL;) {
		const char *n = de->d_name;
		if (!ends_with(n, "-up") && !ends_with(n, "-down"))
			continue;
		size_t stem = (size_t)(strrchr(n, '-') - n);
		if (top && !((stem == 4 && !strncmp(n, "tinc", 4)) || (stem == 4 && !strncmp(n, "host", 4)) ||
		             (stem == 6 && !strncmp(n, "subnet", 6)))) {
			fprintf(env->err, "WARNING: Unknown script %s/%s found.\n", dir, n);
			if (!explained)
				fprintf(env->err, "The only scripts in %s executed by tinc are:\n"
				        "tinc-up, tinc-down, host-up, host-down, subnet-up and subnet-down.\n", dir);
			explained = true;
			continue;
		}
		char path[FL_PATH_MAX + 300];
		snprintf(path, sizeof(path), "%s/%s", dir, n);
		check_exec(env, path);
	}
	closedir(d);
	return true;
}

/* Placement and repetition checks per file group, as tinc's fsck does:
 * a host-only variable in the server config, a server-only one in a host
 * file, a single-valued one given twice, a legacy one fenliu ignores. */
static void check_placement(const struct fl_cli_env *env, struct fl_conf *c, bool server,
                            const char *label)
{
	for (size_t i = 0; i < c->n; i++) {
		const struct fl_conf_entry *e = &c->v[i];
		const struct fl_var *v = fl_var_find(e->var);
		if (!v || !e->file)
			continue;
		if (v->flags & FL_VF_LEGACY)
			fprintf(env->err, "WARNING: legacy variable %s in %s line %d is ignored by fenliu\n",
			        v->name, e->file, e->line);
		if (server && !(v->flags & FL_VF_SERVER))
			fprintf(env->err, "WARNING: host variable %s found in server config %s line %d\n",
			        v->name, e->file, e->line);
		if (!server && !(v->flags & FL_VF_HOST))
			fprintf(env->err, "WARNING: server variable %s found in host config %s line %d\n",
			        v->name, e->file, e->line);
	}
	for (const struct fl_var *v = fl_var_table(); v->name; v++)
		if (!(v->flags & FL_VF_MULTI) && fl_conf_count(c, v->name) > 1)
			fprintf(env->err, "WARNING: multiple instances of variable %s in %s\n", v->name, label);
}

static void check_server_placement(const struct fl_cli_env *env, const char *confbase)
{
	char path[FL_PATH_MAX + 16];
	struct fl_conf c;
	fl_conf_init(&c);
	snprintf(path, sizeof(path), "%s/tinc.conf", confbase);
	if (fl_conf_read_file(&c, path, NULL) == FL_CONF_OK)
		check_placement(env, &c, true, "tinc.conf");
	fl_conf_free(&c);
}

struct host_walk {
	const struct fl_cli_env *env;
	const char *confbase;
	struct fl_conf_warned *w;
	struct fl_conf_reporter *r;
	bool ok;
};

static void check_host(void *ctx, const char *name)
{
	struct host_walk *hw = ctx;
	struct fl_conf c;
	fl_conf_init(&c);
	if (fl_conf_read_host(&c, hw->confbase, name, NULL, hw->w, hw->r) == FL_CONF_EVALUE)
		hw->ok = false;
	check_placement(hw->env, &c, false, name);
	fl_conf_free(&c);
}

static void say_error(void *ctx, const char *m) { fprintf(ctx, "ERROR: %s\n", m); }
static void say_warning(void *ctx, const char *m) { fprintf(ctx, "WARNING: %s\n", m); }

int fl_cli_fsck(const struct fl_cli_env *env, int argc, char *argv[])
{
	struct fl_paths p;
	if (fl_cli_too_many(env, argc, 1) || !fl_cli_paths(env, &p))
		return 1;
	if (sodium_init() < 0) { /* the key checks use libsodium; tests call us directly */
		fprintf(env->err, "ERROR: cannot initialise libsodium\n");
		return 1;
	}
	char tc[FL_PATH_MAX + 16];
	snprintf(tc, sizeof(tc), "%s/tinc.conf", p.confbase);
	if (access(tc, R_OK) != 0) {
		fprintf(env->err, "ERROR: cannot read %s: %s\n", tc, strerror(errno));
		if (errno == ENOENT) {
			fprintf(env->err, "No tinc configuration found. Create a new one with:\n\n");
			print_cmd(env, "init");
		}
		return 1;
	}
	struct fl_conf srv;
	struct fl_conf_warned w = {0};
	struct fl_conf_reporter r = {say_error, say_warning, env->err};
	char name[256];
	fl_conf_init(&srv);
	enum fl_conf_err e = fl_conf_read_server(&srv, p.confbase, NULL, name, sizeof(name), &w, &r);
	/* What fenliud would refuse or ignore, with FILE:LINE, as it does. */
	if (e == FL_CONF_OK)
		e = fl_conf_support_check(&srv, &r);
	bool ok = e == FL_CONF_OK;
	if (e == FL_CONF_ENAME)
		fprintf(env->err, "ERROR: tinc cannot run without a valid Name.\n");
	if (ok) {
		struct fl_settings s;
		fl_settings_load(&s, &srv, name);
		ok = check_keys(env, &p, &s);
		fl_settings_free(&s);
	}
	fl_conf_free(&srv);
	char hosts[FL_PATH_MAX + 16];
	snprintf(hosts, sizeof(hosts), "%s/hosts", p.confbase);
	ok = check_scripts(env, p.confbase, true) && check_scripts(env, hosts, false) && ok;
	check_server_placement(env, p.confbase);
	struct host_walk hw = {env, p.confbase, &w, &r, true};
	fl_conf_each_host(p.confbase, check_host, &hw);
	fl_conf_warned_free(&w);
	return ok && hw.ok ? 0 : 1;
}
