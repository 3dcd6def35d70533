/* SPDX-License-Identifier: MIT */
/*
 * fenliu invite NODE and fenliu dump invitations: the inviter's files of
 * tinc 1.1 invitations (src/invite/inv.h), as tinc's CLI makes and lists
 * them, so fenliud and tincd can serve each other's invitations.
 * invite: checks NODE is new (no hosts/NODE; not known to a running
 * daemon), drops invitations older than a week, keeps or makes
 * invitations/ed25519_key.priv (a new key makes a running daemon reload),
 * writes invitations/FILE (NODE's settings, a separator, our host file
 * with the real Port) and prints the URL. fenliud reads the key at each
 * greeting; tincd needs the reload.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "cli/cli_ctl_internal.h"
#include "control/ctl_pidfile.h"
#include "crypto/b64.h"
#include "crypto/ed25519_keyfile.h"
#include "invite/inv.h"
#include "keys/keyfile_io.h"

#define INV_CLEANUP_AGE 604800 /* tinc's CLI drops week-old files, whatever InvitationExpire */

/* Is NODE known to the running daemon (its node list)? */
static bool invite_known(const struct fl_cli *cli, const char *node)
{
	struct fl_cli_env env = cli_ctl_env_of(cli);
	struct fl_ctl_client c;
	char line[FL_CTL_LINE_MAX], name[FL_CTL_LINE_MAX];
	int code, req;
	bool found = false;

	if (!fl_cli_connect(&env, &c, false))
		return false;
	if (fl_ctl_client_sendf(&c, "%d %d", FL_CTL_CONTROL, FL_REQ_DUMP_NODES))
		while (fl_ctl_client_recvline(&c, line, sizeof line) &&
		       sscanf(line, "%d %d %4095s", &code, &req, name) == 3)
			found |= !strcmp(name, node);
	fl_ctl_client_close(&c);
	return found;
}

/* Drop week-old invitation files; the number of those left. -1 on error. */
static int invite_sweep(const char *dir)
{
	char path[FL_CLI_PATH_MAX + 64];
	time_t deadline = time(NULL) - INV_CLEANUP_AGE;
	struct dirent *e;
	struct stat st;
	int count = 0;
	DIR *d = opendir(dir);

	if (!d) {
		fprintf(stderr, "Could not read directory %s: %s\n", dir, strerror(errno));
		return -1;
	}
	while ((e = readdir(d))) {
		if (strlen(e->d_name) != FL_INV_B64_LEN)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (stat(path, &st) != 0)
			fprintf(stderr, "Could not stat %s: %s\n", path, strerror(errno));
		else if (deadline < st.st_mtime)
			count++;
		else
			unlink(path);
	}
	closedir(d);
	return count;
}

/* Tell a running daemon to reload (it reads a new invitation key). */
static void invite_reload(const struct fl_cli *cli)
{
	struct fl_cli_env env = cli_ctl_env_of(cli);
	struct fl_ctl_client c;
	int result;

	if (fl_cli_connect(&env, &c, false)) {
		fl_ctl_client_request(&c, FL_REQ_RELOAD, NULL, &result);
		fl_ctl_client_close(&c);
		return;
	}
	fprintf(stderr, "Could not signal the tinc daemon. Please restart or reload it manually.\n");
}

/* Load invitations/ed25519_key.priv, or make it if there is none. */
static int invite_key(const struct fl_cli *cli, int outstanding, struct fl_ed25519_key *key)
{
	char path[FL_CLI_PATH_MAX], err[KEYFILE_IO_ERRLEN], text[FL_KEYFILE_PRIV_TEXT_LEN + 1];
	uint8_t seed[FL_ED25519_SEED_LEN];
	int r;

	if (!cli_path(path, cli, "invitations/ed25519_key.priv"))
		return -1;
	/* a key with no invitation left is not kept around */
	if (!outstanding)
		unlink(path);
	if (access(path, F_OK) == 0) {
		if (keyfile_io_load_private(path, key, err) == 0)
			return 0;
		fprintf(stderr, "Could not read private key from %s\n", path);
		return -1;
	}
	randombytes_buf(seed, sizeof seed);
	r = fl_ed25519_from_seed(key, seed);
	sodium_memzero(seed, sizeof seed);
	if (r != 0)
		return -1;
	fl_keyfile_format_private(text, key);
	r = keyfile_io_create(path, text, strlen(text), 0600, err);
	sodium_memzero(text, sizeof text);
	if (r != 0) {
		fprintf(stderr, "Could not write %s: %s\n", path, err);
		return -1;
	}
	invite_reload(cli);
	return 0;
}

/* The first Address (and its port) and Port of one config file. */
static void invite_scan(const char *path, char *host, size_t hcap, char *port, size_t pcap)
{
	char line[2100];
	FILE *f = fopen(path, "r");

	while (f && (!*host || !*port) && fgets(line, sizeof line, f)) {
		char *var = line + strspn(line, " \t"), *v, *w;
		size_t n = strcspn(var, " \t=\r\n");

		v = var + n;
		v += strspn(v, " \t");
		if (*v == '=')
			v += 1 + strspn(v + 1, " \t");
		var[n] = 0;
		w = v + strcspn(v, " \t\r\n");
		if (*w)
			*w++ = 0;
		w += strspn(w, " \t");
		w[strcspn(w, " \t\r\n")] = 0;
		if (!*v)
			continue;
		if (!*port && !strcasecmp(var, "Port")) {
			snprintf(port, pcap, "%s", v);
		} else if (!*host && !strcasecmp(var, "Address")) {
			snprintf(host, hcap, "%s", v);
			if (*w)
				snprintf(port, pcap, "%s", w);
		}
	}
	if (f)
		fclose(f);
}

/* "HOST:PORT" for the URL, and PORT for the copied host file. */
static bool invite_address(const struct fl_cli *cli, const char *myname, char *hostport,
			   size_t cap, char *port, size_t pcap)
{
	char path[FL_CLI_PATH_MAX + 300], host[256] = "", pidpath[FL_CLI_PATH_MAX];
	struct fl_cli_env env = cli_ctl_env_of(cli);
	struct fl_paths p;
	struct fl_pidfile pf;

	*port = 0;
	snprintf(path, sizeof path, "%s/hosts/%s", cli->confbase, myname);
	invite_scan(path, host, sizeof host, port, pcap);
	snprintf(path, sizeof path, "%s/tinc.conf", cli->confbase);
	invite_scan(path, host, sizeof host, port, pcap);
	if (!*port || !strcmp(port, "0")) {

		if (!fl_cli_paths(&env, &p) || !snprintf(pidpath, sizeof pidpath, "%s", p.pidfile) ||
		    !fl_pidfile_read(pidpath, &pf)) {
			fprintf(stderr, "tincd is using a dynamic port and is not running. Please "
					"start tincd or set the Port option to a non-zero value.\n");
			return false;
		}
		snprintf(port, pcap, "%s", pf.port);
	}
	if (!*host) {
		/* tinc asks a web service of its project for our address here; fenliu never phones out */
		fprintf(stderr, "Could not determine the external address or hostname. Please "
				"set Address manually.\n");
		return false;
	}
	snprintf(hostport, cap, strchr(host, ':') ? "[%s]:%s" : "%s:%s", host, port);
	return true;
}

/* Append our host file to f, every Port line giving the real port. */
static bool invite_copy_host(FILE *f, const struct fl_cli *cli, const char *myname,
			     const char *port)
{
	char path[FL_CLI_PATH_MAX + 300], line[2100];
	FILE *in;

	snprintf(path, sizeof path, "%s/hosts/%s", cli->confbase, myname);
	if (!(in = fopen(path, "r"))) {
		fprintf(stderr, "Could not open %s: %s\n", path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof line, in)) {
		const char *v = line + strspn(line, " \t");
		if (!strncasecmp(v, "Port", 4) && strchr(" \t=", v[4]) && v[4])
			fprintf(f, "Port = %s\n", port);
		else
			fputs(line, f);
	}
	fclose(in);
	return true;
}

/* Name, NetName, ConnectTo, tinc.conf's Mode and Broadcast, then us. */
static bool invite_write(FILE *f, const struct fl_cli *cli, const char *node,
			 const char *myname, const char *port)
{
	char path[FL_CLI_PATH_MAX + 16], line[2100];
	FILE *tc;

	fprintf(f, "Name = %s\n", node);
	if (cli->netname && cli_netname_strict(cli->netname))
		fprintf(f, "NetName = %s\n", cli->netname);
	fprintf(f, "ConnectTo = %s\n", myname);
	snprintf(path, sizeof path, "%s/tinc.conf", cli->confbase);
	if ((tc = fopen(path, "r"))) {
		while (fgets(line, sizeof line, tc)) {
			if ((!strncasecmp(line, "Mode", 4) && strchr(" \t=", line[4]) && line[4]) ||
			    (!strncasecmp(line, "Broadcast", 9) && strchr(" \t=", line[9]) && line[9])) {
				fputs(line, f);
				if (!strchr(line, '\n'))
					fputc('\n', f);
			}
		}
		fclose(tc);
	}
	fprintf(f, "#---------------------------------------------------------------#\n");
	fprintf(f, "Name = %s\n", myname);
	return invite_copy_host(f, cli, myname, port);
}

/* CONFBASE/invitation-created, if there is one, with tinc's variables. */
static void invite_script(const struct fl_cli *cli, const char *myname, const char *node,
			  const char *file, const char *url)
{
	char path[FL_CLI_PATH_MAX + 32];
	pid_t pid;
	int st;

	snprintf(path, sizeof path, "%s/invitation-created", cli->confbase);
	if (access(path, F_OK) != 0)
		return;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		if (cli->netname)
			setenv("NETNAME", cli->netname, 1);
		setenv("NAME", myname, 1);
		setenv("NODE", node, 1);
		setenv("INVITATION_FILE", file, 1);
		setenv("INVITATION_URL", url, 1);
		execl(path, path, (char *)NULL);
		fprintf(stderr, "Could not execute %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	if (pid > 0)
		waitpid(pid, &st, 0);
}

/* The invitation file and its URL; 0 or 1 (tinc's exit codes). */
static int invite_make(const struct fl_cli *cli, const char *node, const char *myname,
		       const struct fl_ed25519_key *key)
{
	char keytext[64], hash[FL_INV_B64_LEN + 1], cookie_b64[FL_INV_B64_LEN + 1];
	char file[FL_INV_B64_LEN + 1], path[FL_CLI_PATH_MAX + 64], hostport[400], port[64];
	char url[600];
	uint8_t cookie[FL_INV_RAW_LEN];
	FILE *f;
	int fd;
	bool ok;

	if (!invite_address(cli, myname, hostport, sizeof hostport, port, sizeof port))
		return 1;
	fl_b64_encode(keytext, sizeof keytext, key->pub, 32, false);
	fl_inv_key_hash(hash, keytext);
	randombytes_buf(cookie, sizeof cookie);
	fl_inv_cookie_name(file, cookie, keytext);
	fl_b64_encode(cookie_b64, sizeof cookie_b64, cookie, sizeof cookie, true);
	sodium_memzero(cookie, sizeof cookie);
	snprintf(url, sizeof url, "%s/%s%s", hostport, hash, cookie_b64);
	sodium_memzero(cookie_b64, sizeof cookie_b64);
	snprintf(path, sizeof path, "%s/invitations/%s", cli->confbase, file);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		fprintf(stderr, "Could not create invitation file %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 1;
	}
	ok = invite_write(f, cli, node, myname, port);
	ok &= fclose(f) == 0;
	if (!ok) {
		fprintf(stderr, "Could not append my config to invitation file: %s.\n",
			strerror(errno));
		unlink(path);
		return 1;
	}
	invite_script(cli, myname, node, path, url);
	puts(url);
	sodium_memzero(url, sizeof url);
	return 0;
}

int cli_invite(const struct fl_cli *cli, int argc, char **argv)
{
	char myname[256], path[FL_CLI_PATH_MAX];
	struct fl_ed25519_key key;
	int count, ret;

	if (argc < 2) {
		fprintf(stderr, "Not enough arguments!\n");
		return 1;
	}
	if (argc > 2) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (!cli_name_valid(argv[1])) {
		fprintf(stderr, "Invalid name for node.\n");
		return 1;
	}
	if (cli_conf_name(cli, myname, sizeof myname, true) != 1)
		return 1;
	snprintf(path, sizeof path, "%s/hosts/%s", cli->confbase, argv[1]);
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "A host config file for %s already exists!\n", argv[1]);
		return 1;
	}
	if (invite_known(cli, argv[1])) {
		fprintf(stderr, "A node with name %s is already known!\n", argv[1]);
		return 1;
	}
	if (!cli_path(path, cli, "invitations"))
		return 1;
	if (mkdir(path, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "Could not create directory %s: %s\n", path, strerror(errno));
		return 1;
	}
	if ((count = invite_sweep(path)) < 0 || invite_key(cli, count, &key) != 0)
		return 1;
	ret = invite_make(cli, argv[1], myname, &key);
	fl_ed25519_key_wipe(&key);
	return ret;
}

int cli_dump_invitations(const char *confbase)
{
	char dir[FL_CLI_PATH_MAX], path[FL_CLI_PATH_MAX + 64], line[4096], name[256];
	struct dirent *e;
	bool found = false;
	DIR *d;
	FILE *f;

	snprintf(dir, sizeof dir, "%s/invitations", confbase);
	if (!(d = opendir(dir))) {
		if (errno == ENOENT) {
			fprintf(stderr, "No outstanding invitations.\n");
			return 0;
		}
		fprintf(stderr, "Cannot not read directory %s: %s\n", dir, strerror(errno));
		return 1;
	}
	while ((e = readdir(d))) {
		if (!fl_inv_is_file_name(e->d_name))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		if (!(f = fopen(path, "r"))) {
			fprintf(stderr, "Cannot open %s: %s\n", path, strerror(errno));
			continue;
		}
		line[0] = 0;
		if (!fgets(line, sizeof line, f) || strncmp(line, "Name = ", 7) ||
		    fl_inv_file_name(name, sizeof name, (uint8_t *)line, strlen(line)) != FL_INV_OK) {
			fprintf(stderr, "Invalid invitation file %s\n", path);
		} else {
			found = true;
			printf("%s %s\n", e->d_name, name);
		}
		fclose(f);
	}
	closedir(d);
	if (!found)
		fprintf(stderr, "No outstanding invitations.\n");
	return 0;
}
