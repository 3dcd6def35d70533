/* SPDX-License-Identifier: MIT */
/*
 * fenliu init NAME: create a configuration directory that a stock tinc 1.1
 * accepts as its own (checked with `tinc fsck` in tests/cli): the
 * directories CONFBASE, hosts/ and cache/, tinc.conf with "Name = NAME",
 * an Ed25519 key pair (ed25519_key.priv, mode 0600, and the
 * Ed25519PublicKey line in hosts/NAME), a Port line when 655 is taken,
 * and a placeholder tinc-up. Like tinc, it refuses to touch a directory
 * whose tinc.conf exists; unlike tinc, every failure exits non-zero.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "keys/keyfile_io.h"

#define INIT_TINC_PORT 655

static const char init_tinc_up[] =
	"#!/bin/sh\n"
	"# Run by the daemon when the VPN interface $INTERFACE is up.\n"
	"# Give it this node's VPN address, for example:\n"
	"#   ip addr add 10.0.0.1/24 dev \"$INTERFACE\"\n"
	"#   ip link set \"$INTERFACE\" up\n"
	"echo \"$0 has not been configured yet: edit it\" >&2\n";

static bool init_mkdir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0755) == 0)
		return true;
	if (errno == EEXIST && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return true;
	cli_error("%s: cannot create directory: %s", path,
		  errno == EEXIST ? "exists and is not a directory" : strerror(errno));
	return false;
}

static bool init_dirs(const struct fl_cli *cli)
{
	char path[FL_CLI_PATH_MAX];

	/* With -n NET (or no -c), SYSCONFDIR/tinc is ours to create too. */
	if (!cli->confbase_given && cli->netname && !init_mkdir(FL_SYSCONFDIR "/tinc"))
		return false;
	return init_mkdir(cli->confbase) &&
	       cli_path(path, cli, "hosts") && init_mkdir(path) &&
	       cli_path(path, cli, "cache") && init_mkdir(path);
}

/* Can a TCP listener bind port on every address family we have? */
static bool init_port_free(uint16_t port)
{
	struct sockaddr_in v4 = {.sin_family = AF_INET, .sin_port = htons(port)};
	struct sockaddr_in6 v6 = {.sin6_family = AF_INET6, .sin6_port = htons(port)};
	int one = 1, fd, r;

	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		r = bind(fd, (struct sockaddr *)&v4, sizeof v4);
		close(fd);
		if (r != 0)
			return false;
	}
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		r = bind(fd, (struct sockaddr *)&v6, sizeof v6);
		close(fd);
		if (r != 0)
			return false;
	}
	return true;
}

/* As tinc does: if 655 is taken, pick a free port in 4096..36863 and put it
 * in hosts/NAME. Not being able to is only a warning. */
void cli_init_port(const char *host_path)
{
	char line[32];
	int fd, n;

	if (init_port_free(INIT_TINC_PORT))
		return;
	for (int i = 0; i < 100; i++) {
		uint16_t port = (uint16_t)(0x1000 + randombytes_uniform(0x8000));

		if (!init_port_free(port))
			continue;
		n = snprintf(line, sizeof line, "Port = %u\n", port);
		fd = open(host_path, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (fd >= 0 && write(fd, line, (size_t)n) == n && fsync(fd) == 0) {
			close(fd);
			cli_error("warning: port %d is in use; %s uses Port = %u",
				  INIT_TINC_PORT, host_path, port);
			return;
		}
		if (fd >= 0)
			close(fd);
		break;
	}
	cli_error("warning: port %d is in use; set Port in %s by hand", INIT_TINC_PORT, host_path);
}

static int init_files(const struct fl_cli *cli, const char *name)
{
	char path[FL_CLI_PATH_MAX], conf[300], err[KEYFILE_IO_ERRLEN];
	struct stat st;
	int n;

	n = snprintf(conf, sizeof conf, "Name = %s\n", name);
	if (!cli_path(path, cli, "tinc.conf"))
		return 1;
	if (keyfile_io_create(path, conf, (size_t)n, 0666, err) != 0) {
		cli_error("%s", err);
		return 1;
	}
	if (cli_keys_install_new(cli, name) != 0)
		return 1;
	snprintf(conf, sizeof conf, "hosts/%s", name);
	if (!cli_path(path, cli, conf))
		return 1;
	cli_init_port(path);
	if (!cli_path(path, cli, "tinc-up"))
		return 1;
	if (lstat(path, &st) != 0 &&
	    keyfile_io_create(path, init_tinc_up, sizeof init_tinc_up - 1, 0777, err) != 0) {
		cli_error("%s", err);
		return 1;
	}
	return 0;
}

int cli_init(const struct fl_cli *cli, int argc, char **argv)
{
	char path[FL_CLI_PATH_MAX];
	const char *name;

	if (argc < 2) {
		cli_error("init: missing NAME (usage: fenliu [-c DIR] init NAME)");
		return 1;
	}
	if (argc > 2) {
		cli_error("init: too many arguments");
		return 1;
	}
	name = argv[1];
	if (strlen(name) > 255 || !cli_name_valid(name)) {
		cli_error("init: invalid Name '%s': only A-Z, a-z, 0-9 and _ are allowed", name);
		return 1;
	}
	if (!cli_path(path, cli, "tinc.conf"))
		return 1;
	if (access(path, F_OK) == 0) {
		cli_error("%s: already exists; not touching this configuration", path);
		return 1;
	}
	if (!init_dirs(cli) || init_files(cli, name) != 0)
		return 1;
	printf("Created %s for node %s (public key in %s/hosts/%s)\n", cli->confbase, name,
	       cli->confbase, name);
	return 0;
}
