/* SPDX-License-Identifier: MIT */
/*
 * fenliu join [URL]: accept a tinc 1.1 invitation (src/invite/inv.h) from
 * a fenliud or tincd inviter, as `tinc join` does: connect to the URL's
 * address, greet with "0 ?KEY 17.1" (KEY a throw-away Ed25519 key), check
 * that the inviter's key matches the URL's hash, run the "tinc invitation"
 * SPTPS session as initiator, send the cookie, receive the invitation
 * file, write the configuration (cli_join_data.c decides what goes where),
 * make our key pair and send the public key; the inviter's empty type 2
 * record says it stored it. Messages and exit codes follow tinc's CLI.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "cli/cli_join_data.h"
#include "crypto/b64.h"
#include "crypto/ed25519_keyfile.h"
#include "crypto/sptps.h"
#include "invite/inv.h"
#include "keys/keyfile_io.h"

#define JOIN_TIMEOUT_MS 5000
#define JOIN_DATA_MAX (1u << 20) /* no invitation file is larger */

struct join {
	const struct fl_cli *cli;
	char confbase[FL_CLI_PATH_MAX];
	bool confbase_fixed;	/* -c or a netname: tinc.conf must not exist */
	int fd;
	struct fl_sptps *sptps;
	struct fl_inv_url url;
	char *data;
	size_t len;
	bool finalized, success, failed;
};

static int join_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
	return 0;
}

static int join_send(void *ctx, uint8_t type, const uint8_t *rec, size_t len)
{
	struct join *j = ctx;

	(void)type;
	while (len) {
		ssize_t n = send(j->fd, rec, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		rec += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ---- writing the configuration ----------------------------------------- */

static bool join_mkdir(const char *path)
{
	struct stat st;

	if (mkdir(path, 0755) == 0 || (errno == EEXIST && stat(path, &st) == 0 &&
				       S_ISDIR(st.st_mode)))
		return true;
	fprintf(stderr, "Could not create directory %s: %s\n", path, strerror(errno));
	return false;
}

static bool join_write(const char *dir, const char *rel, const char *text, size_t len,
		       mode_t mode, bool excl)
{
	char path[FL_CLI_PATH_MAX];
	int fd;

	if (snprintf(path, sizeof path, "%s/%s", dir, rel) >= (int)sizeof path)
		return false;
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (excl ? O_EXCL : O_TRUNC), mode);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) != 0) {
		fprintf(stderr, "Could not create file %s: %s\n", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	return true;
}

/* Where the configuration goes: -c DIR, -n NET, or the invitation's
 * NetName. false after a message. */
static bool join_place(struct join *j, const struct cli_join_plan *p)
{
	char path[FL_CLI_PATH_MAX + 16];

	if (!j->confbase_fixed && p->netname[0]) {
		snprintf(j->confbase, sizeof j->confbase, "%s/tinc/%s", FL_SYSCONFDIR, p->netname);
		if (!join_mkdir(FL_SYSCONFDIR "/tinc"))
			return false;
	}
	snprintf(path, sizeof path, "%s/tinc.conf", j->confbase);
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "Configuration file %s already exists!\n", path);
		return false;
	}
	if (!join_mkdir(j->confbase))
		return false;
	snprintf(path, sizeof path, "%s/hosts", j->confbase);
	if (!join_mkdir(path))
		return false;
	snprintf(path, sizeof path, "%s/cache", j->confbase);
	return join_mkdir(path);
}

static bool join_tinc_up(struct join *j, const struct cli_join_plan *p)
{
	static const char placeholder[] =
		"echo \"$0 has not been configured yet: edit it\" >&2\n";
	char *text;
	bool ok;

	if (!p->up_generated) {
		if (asprintf(&text, "%s%s", p->up.s, placeholder) < 0)
			return false;
		ok = join_write(j->confbase, "tinc-up", text, strlen(text), 0755, false);
		free(text);
		return ok;
	}
	if (!j->cli->force) {
		fprintf(stderr, "A tinc-up script was generated, but has been left disabled.\n");
		return join_write(j->confbase, "tinc-up.invitation", p->up.s, p->up.len, 0644,
				  false);
	}
	fprintf(stderr, "tinc-up enabled.\n");
	return join_write(j->confbase, "tinc-up", p->up.s, p->up.len, 0755, false);
}

/* Our key pair: the private file, and the public line for hosts/NAME. */
static bool join_key(struct join *j, char *pub_b64, size_t cap)
{
	struct fl_ed25519_key key;
	uint8_t seed[FL_ED25519_SEED_LEN];
	char priv[FL_KEYFILE_PRIV_TEXT_LEN + 1];
	bool ok;

	randombytes_buf(seed, sizeof seed);
	ok = fl_ed25519_from_seed(&key, seed) == 0;
	sodium_memzero(seed, sizeof seed);
	if (ok) {
		fl_keyfile_format_private(priv, &key);
		fl_b64_encode(pub_b64, cap, key.pub, sizeof key.pub, false);
		ok = join_write(j->confbase, "ed25519_key.priv", priv, strlen(priv), 0600, false);
		sodium_memzero(priv, sizeof priv);
	}
	fl_ed25519_key_wipe(&key);
	return ok;
}

static bool join_files(struct join *j, const struct cli_join_plan *p, const char *pub)
{
	char rel[300], *host;
	bool ok;

	if (!join_write(j->confbase, "tinc.conf", p->conf.s, p->conf.len, 0644, true) ||
	    !join_write(j->confbase, "invitation-data", j->data, j->len, 0600, false))
		return false;
	for (size_t i = 0; i < p->n_hosts; i++) {
		snprintf(rel, sizeof rel, "hosts/%s", p->hosts[i].name);
		if (!join_write(j->confbase, rel, p->hosts[i].text.s, p->hosts[i].text.len, 0644,
				false))
			return false;
	}
	if (asprintf(&host, "%sEd25519PublicKey = %s\n", p->host.s, pub) < 0)
		return false;
	snprintf(rel, sizeof rel, "hosts/%s", p->name);
	ok = join_write(j->confbase, rel, host, strlen(host), 0644, false);
	free(host);
	if (ok) {
		snprintf(rel, sizeof rel, "%s/hosts/%s", j->confbase, p->name);
		cli_init_port(rel);
	}
	return ok && join_tinc_up(j, p);
}

/* The whole invitation is here: write everything, send our public key. */
static int join_finalize(struct join *j)
{
	struct cli_join_plan p;
	char pub[64];
	enum cli_join_err e;
	int ret = -1;

	e = cli_join_plan(&p, j->data ? j->data : "", j->len, j->cli->force);
	if (p.notes.s)
		fputs(p.notes.s, stderr);
	if (e != CLI_JOIN_OK) {
		fprintf(stderr, "%s\n", cli_join_strerror(e));
	} else if (join_place(j, &p) && join_key(j, pub, sizeof pub) && join_files(j, &p, pub)) {
		if (fl_sptps_send(j->sptps, FL_INV_REC_FINISH, (const uint8_t *)pub,
				  strlen(pub)) == FL_SPTPS_OK) {
			fprintf(stderr, "Configuration stored in: %s\n", j->confbase);
			ret = 0;
		}
	}
	cli_join_plan_free(&p);
	return ret;
}

/* ---- the SPTPS session ------------------------------------------------- */

static void join_handshake_done(void *ctx)
{
	struct join *j = ctx;

	if (fl_sptps_send(j->sptps, FL_INV_REC_DATA, j->url.cookie, FL_INV_RAW_LEN) != FL_SPTPS_OK)
		j->failed = true;
}

static int join_deliver(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct join *j = ctx;
	char *d;

	if (type == FL_INV_REC_DATA && !j->finalized) {
		if (len > JOIN_DATA_MAX - j->len || !(d = realloc(j->data, j->len + len + 1)))
			return -1;
		j->data = d;
		memcpy(j->data + j->len, body, len);
		j->len += len;
		j->data[j->len] = 0;
		return 0;
	}
	if (type == FL_INV_REC_FINISH && !j->finalized) {
		j->finalized = true;
		return join_finalize(j);
	}
	if (type == FL_INV_REC_ACCEPTED && j->finalized) {
		fprintf(stderr, "Invitation successfully accepted.\n");
		shutdown(j->fd, SHUT_RDWR);
		j->success = true;
		return 0;
	}
	return -1;
}

static const struct fl_sptps_callbacks join_cb = {
	.random = join_random,
	.send = join_send,
	.deliver = join_deliver,
	.handshake_done = join_handshake_done,
};

/* ---- the connection ---------------------------------------------------- */

struct join_in {
	char buf[4096];
	size_t len;
};

static bool join_wait(int fd)
{
	struct pollfd pfd = {.fd = fd, .events = POLLIN};

	if (poll(&pfd, 1, JOIN_TIMEOUT_MS) == 1)
		return true;
	fprintf(stderr, "Timed out waiting for the server to reply.\n");
	return false;
}

/* One line (without '\n') from the socket into line; the bytes after it
 * stay in in. false on EOF, error, timeout or an overlong line. */
static bool join_getline(int fd, struct join_in *in, char *line, size_t cap)
{
	char *nl;
	ssize_t n;

	while (!(nl = memchr(in->buf, '\n', in->len))) {
		if (in->len == sizeof in->buf || !join_wait(fd))
			return false;
		n = recv(fd, in->buf + in->len, sizeof in->buf - in->len, 0);
		if (n <= 0)
			return false;
		in->len += (size_t)n;
	}
	if ((size_t)(nl - in->buf) >= cap)
		return false;
	memcpy(line, in->buf, (size_t)(nl - in->buf));
	line[nl - in->buf] = 0;
	in->len -= (size_t)(nl - in->buf) + 1;
	memmove(in->buf, nl + 1, in->len);
	return true;
}

/* Greet; read the inviter's ID and "4 KEY". Fills hiskey (the text). */
static bool join_greet(int fd, const char *mykey, struct join_in *in, char *hiskey, size_t cap)
{
	char line[2200], name[2200];
	int code, major, minor;
	size_t n;

	snprintf(line, sizeof line, "0 ?%s 17.1\n", mykey);
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) != (ssize_t)strlen(line))
		return false;
	if (!join_getline(fd, in, line, sizeof line) ||
	    sscanf(line, "%d %2199s %d.%d", &code, name, &major, &minor) < 3 || code != 0 ||
	    major != 17 || !fl_inv_name_ok(name, strlen(name)))
		return false;
	if (!join_getline(fd, in, line, sizeof line))
		return false;
	n = strlen(line);
	while (n && strchr(" \t\r", line[n - 1]))
		line[--n] = 0;
	if (n < 3 || sscanf(line, "%d ", &code) != 1 || code != 4 || n - 2 >= cap)
		return false;
	memcpy(hiskey, line + 2, n - 1);
	return true;
}

static int join_connect(const struct fl_inv_url *u)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *ai, *p;
	char host[NI_MAXHOST], port[NI_MAXSERV];
	int fd = -1, r;

	r = getaddrinfo(u->host, u->port, &hints, &ai);
	if (r != 0) {
		fprintf(stderr, "Error looking up %s port %s: %s\n", u->host, u->port,
			gai_strerror(r));
		return -1;
	}
	for (p = ai; p; p = p->ai_next) {
		fd = socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
		if (fd < 0)
			continue;
		if (connect(fd, p->ai_addr, p->ai_addrlen) == 0)
			break;
		getnameinfo(p->ai_addr, p->ai_addrlen, host, sizeof host, port, sizeof port,
			    NI_NUMERICHOST | NI_NUMERICSERV);
		fprintf(stderr, "Could not connect to %s port %s: %s\n", host, port,
			strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	if (fd < 0)
		fprintf(stderr, "Could not connect to inviter. Please make sure the URL you "
				"entered is valid.\n");
	else
		fprintf(stderr, "Connected to %s port %s...\n", u->host, u->port);
	return fd;
}

/* Feed bytes to the session (it takes one record per call). */
static bool join_feed(struct join *j, const uint8_t *p, size_t len)
{
	while (len && !j->failed) {
		size_t used = 0;
		if (fl_sptps_receive(j->sptps, p, len, &used) != FL_SPTPS_OK)
			return false;
		p += used;
		len -= used;
	}
	return !j->failed;
}

static bool join_session(struct join *j, struct fl_ed25519_key *key, struct join_in *in)
{
	struct fl_sptps_config cfg = {0};
	char hiskey[128], mykey[64];
	uint8_t hash[FL_INV_RAW_LEN], peer[32];
	enum fl_sptps_err err;
	uint8_t buf[4096];
	ssize_t n;

	fl_b64_encode(mykey, sizeof mykey, key->pub, sizeof key->pub, false);
	if (!join_greet(j->fd, mykey, in, hiskey, sizeof hiskey)) {
		fprintf(stderr, "Cannot read greeting from peer\n");
		return false;
	}
	fl_inv_key_hash_raw(hash, hiskey);
	if (sodium_memcmp(hash, j->url.hash, sizeof hash) != 0 ||
	    fl_inv_parse_key(peer, hiskey, strlen(hiskey)) != FL_INV_OK) {
		fprintf(stderr, "Peer has an invalid key. Please make sure you're using the "
				"correct URL.\n%s\n", hiskey);
		return false;
	}
	cfg.mode = FL_SPTPS_STREAM;
	cfg.initiator = true;
	cfg.own_key = key;
	cfg.peer_public = peer;
	cfg.label = (const uint8_t *)FL_INV_LABEL;
	cfg.label_len = FL_INV_LABEL_LEN;
	cfg.cb = &join_cb;
	cfg.ctx = j;
	if (!(j->sptps = fl_sptps_new(&cfg, &err)) || fl_sptps_start(j->sptps, 0) != FL_SPTPS_OK ||
	    !join_feed(j, (uint8_t *)in->buf, in->len))
		return false;
	while (!j->success && join_wait(j->fd)) {
		n = recv(j->fd, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			fprintf(stderr, "Error reading data from %s port %s: %s\n", j->url.host,
				j->url.port, strerror(errno));
		if (n <= 0 || !join_feed(j, buf, (size_t)n))
			break;
	}
	return j->success;
}

/* The URL from the command line or stdin. */
static bool join_read_url(int argc, char **argv, char *line, size_t cap)
{
	if (argc > 1) {
		snprintf(line, cap, "%s", argv[1]);
		return true;
	}
	if (isatty(0))
		fprintf(stderr, "Enter invitation URL: ");
	if (!fgets(line, (int)cap, stdin)) {
		fprintf(stderr, "Error while reading stdin: %s\n", strerror(errno ? errno : EPIPE));
		return false;
	}
	return true;
}

int cli_join(const struct fl_cli *cli, int argc, char **argv)
{
	struct join j = {.cli = cli, .fd = -1};
	struct fl_ed25519_key key;
	uint8_t seed[FL_ED25519_SEED_LEN];
	struct join_in in = {.len = 0};
	char line[4096], path[FL_CLI_PATH_MAX + 16];
	bool ok = false;

	if (argc > 2) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	snprintf(j.confbase, sizeof j.confbase, "%s", cli->confbase);
	j.confbase_fixed = cli->confbase_given || cli->netname;
	snprintf(path, sizeof path, "%s/tinc.conf", j.confbase);
	if (j.confbase_fixed && access(path, F_OK) == 0) {
		fprintf(stderr, "Configuration file %s already exists!\n", path);
		return 1;
	}
	if (!join_read_url(argc, argv, line, sizeof line))
		return 1;
	if (fl_inv_url_parse(&j.url, line, strlen(line)) != FL_INV_OK) {
		fprintf(stderr, "Invalid invitation URL.\n");
		return 1;
	}
	randombytes_buf(seed, sizeof seed);
	if (fl_ed25519_from_seed(&key, seed) != 0)
		return 1;
	sodium_memzero(seed, sizeof seed);
	j.fd = join_connect(&j.url);
	if (j.fd >= 0) {
		ok = join_session(&j, &key, &in);
		close(j.fd);
	}
	fl_ed25519_key_wipe(&key);
	fl_sptps_free(j.sptps);
	free(j.data);
	sodium_memzero(&j.url, sizeof j.url);
	if (!ok && j.fd >= 0)
		fprintf(stderr, "Invitation cancelled. Please try again and contact the inviter "
				"for assistance if this error persists.\n");
	return ok ? 0 : 1;
}
