/* SPDX-License-Identifier: MIT */
/*
 * The inviter's side of tinc 1.1 invitations (src/invite/inv.h): an
 * incoming meta connection whose ID line is "0 ?KEY MAJOR.MINOR" is a
 * `tinc join` / `fenliu join` holding an invitation URL. We answer with our
 * ID line and "4 INVKEY" (the public half of invitations/ed25519_key.priv),
 * then run an SPTPS stream session labelled "tinc invitation" as the
 * responder:
 *   joiner -> type 0, 18 bytes: the cookie. We find invitations/FILE from
 *     it, rename it to FILE.used (so it works once, even against a racing
 *     second joiner), refuse it when older than InvitationExpire, and send
 *     it in type 0 records, then an empty type 1. FILE.used is deleted.
 *   joiner -> type 1: its new public key. We create hosts/NAME with it
 *     (never overwriting one), run invitation-accepted and send type 2.
 * Everything else closes the connection. fld_meta.c calls in from its ID
 * line callback (the only hook); the connection stays "unauthenticated"
 * for the preauth limits throughout. Control thread only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "crypto/b64.h"
#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "invite/inv.h"
#include "keys/keyfile_io.h"

#define INV_CHUNK 1024 /* file bytes per record, as tinc sends them */

struct fld_invite {
	struct fl_ed25519_key key; /* invitations/ed25519_key.priv */
	char key_b64[FL_INV_KEY_B64_LEN + 1];
	char name[256];		/* the invited node, once the cookie checked out */
	bool used;		/* cookie accepted, file sent */
	bool done;		/* key stored */
};

bool fld_invite_greeting(const char *line, size_t len)
{
	/* "0 ?" then the key: tinc tells invitations apart by the '?' */
	return len > 3 && line[0] == '0' && line[1] == ' ' && line[2] == '?';
}

void fld_invite_free(struct fld_conn *c)
{
	if (!c->invite)
		return;
	/* every invitation connection ends here: count how it went */
	if (c->invite->done)
		c->d->meta_stats.invitations_accepted++;
	else
		c->d->meta_stats.invitations_refused++;
	sodium_memzero(c->invite, sizeof *c->invite);
	free(c->invite);
	c->invite = NULL;
}

static int inv_path(char *out, size_t cap, const struct fld *d, const char *a, const char *b)
{
	int n = snprintf(out, cap, "%s/%s/%s", d->confbase, a, b);

	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static int inv_random(void *ctx, uint8_t *buf, size_t len)
{
	(void)ctx;
	randombytes_buf(buf, len);
	return 0;
}

static int inv_send(void *ctx, uint8_t type, const uint8_t *rec, size_t len)
{
	(void)type;
	return fld_conn_send_raw(ctx, rec, len);
}

/* Send the file's bytes in chunks, then the empty FINISH record. */
static int inv_send_file(struct fld_conn *c, const char *text, size_t len)
{
	for (size_t off = 0; off < len; off += INV_CHUNK) {
		size_t n = len - off < INV_CHUNK ? len - off : INV_CHUNK;
		if (fl_sptps_send(c->sptps, FL_INV_REC_DATA, (const uint8_t *)text + off, n) !=
		    FL_SPTPS_OK)
			return -1;
	}
	return fl_sptps_send(c->sptps, FL_INV_REC_FINISH, NULL, 0) == FL_SPTPS_OK ? 0 : -1;
}

/* The cookie: claim the file (rename), check its age and Name, send it. */
static int inv_cookie(struct fld_conn *c, const uint8_t *cookie)
{
	struct fld_invite *iv = c->invite;
	char file[FL_INV_B64_LEN + 1], path[4096], used[4200], err[KEYFILE_IO_ERRLEN], *text;
	struct stat st;
	size_t len;
	int ret = -1;

	fl_inv_cookie_name(file, cookie, iv->key_b64);
	if (inv_path(path, sizeof path, c->d, "invitations", file) < 0)
		return -1;
	snprintf(used, sizeof used, "%s.used", path);
	if (rename(path, used) != 0) {
		fl_dlog(FL_DLOG_ERR, "Peer %s tried to use %s invitation %s", c->host,
			errno == ENOENT ? "non-existing (or already used)" : "unreadable", file);
		return -1;
	}
	if (keyfile_io_read(used, &text, &len, &st, err) != 0) {
		fl_dlog(FL_DLOG_ERR, "Could not read invitation %s: %s", file, err);
		goto out_unlink;
	}
	if ((int64_t)st.st_mtime + c->d->cfg->s.invitation_expire < (int64_t)time(NULL)) {
		fl_dlog(FL_DLOG_ERR, "Peer %s tried to use expired invitation %s", c->host, file);
	} else if (fl_inv_file_name(iv->name, sizeof iv->name, (uint8_t *)text, len) != FL_INV_OK ||
		   !strcmp(iv->name, c->d->name)) {
		fl_dlog(FL_DLOG_ERR, "Invalid invitation file %s", file);
	} else if (inv_send_file(c, text, len) == 0) {
		iv->used = true;
		fl_dlog(FL_DLOG_INFO, "Invitation %s successfully sent to %s (%s)", file, iv->name,
			c->host);
		ret = 0;
	}
	keyfile_io_free(text, len);
out_unlink:
	/* used or refused, an invitation never works twice */
	unlink(used);
	return ret;
}

/* The joiner's public key: create hosts/NAME, tell the scripts, welcome. */
static int inv_finish(struct fld_conn *c, const uint8_t *body, size_t len)
{
	struct fld_invite *iv = c->invite;
	char path[4096], line[128], err[KEYFILE_IO_ERRLEN], addr[80], node[300], self[300];
	uint8_t pub[32];
	int n;

	if (fl_inv_parse_key(pub, (const char *)body, len) != FL_INV_OK) {
		fl_dlog(FL_DLOG_ERR, "Received invalid key from invited node %s (%s)", iv->name,
			c->host);
		return -1;
	}
	n = snprintf(line, sizeof line, "Ed25519PublicKey = %.*s\n", (int)len, (const char *)body);
	if (inv_path(path, sizeof path, c->d, "hosts", iv->name) < 0 ||
	    keyfile_io_create(path, line, (size_t)n, 0644, err) != 0) {
		fl_dlog(FL_DLOG_ERR, "Host config file for %s (%s) not created: %s", iv->name,
			c->host, errno == EEXIST ? "it already exists" : err);
		return -1;
	}
	fl_dlog(FL_DLOG_INFO, "Key successfully received from %s (%s)", iv->name, c->host);
	iv->done = true;
	snprintf(node, sizeof node, "NODE=%s", iv->name);
	snprintf(addr, sizeof addr, "REMOTEADDRESS=%s", c->host);
	snprintf(self, sizeof self, "NAME=%s", c->d->name);
	if (c->d->scripts)
		fl_script_queue(c->d->scripts, "invitation-accepted",
				(const char *const[]){node, addr, self, NULL});
	return fl_sptps_send(c->sptps, FL_INV_REC_ACCEPTED, NULL, 0) == FL_SPTPS_OK ? 0 : -1;
}

static int inv_deliver(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct fld_conn *c = ctx;
	struct fld_invite *iv = c->invite;

	if (type == FL_INV_REC_DATA && len == FL_INV_RAW_LEN && !iv->used)
		return inv_cookie(c, body);
	if (type == FL_INV_REC_FINISH && iv->used && !iv->done)
		return inv_finish(c, body, len);
	fl_dlog(FL_DLOG_ERR, "Unexpected invitation record %u (%zu bytes) from %s", type, len,
		c->host);
	return -1;
}

static const struct fl_sptps_callbacks inv_sptps_cb = {
	.random = inv_random,
	.send = inv_send,
	.deliver = inv_deliver,
};

/* Our invitation key, read afresh: `fenliu invite` may have made it since
 * the last greeting, and it goes away with the last invitation. */
static int inv_load_key(struct fld_conn *c)
{
	char path[4096], err[KEYFILE_IO_ERRLEN];

	if (inv_path(path, sizeof path, c->d, "invitations", "ed25519_key.priv") < 0 ||
	    keyfile_io_load_private(path, &c->invite->key, err) != 0) {
		fl_dlog(FL_DLOG_ERR, "Got invitation from %s but we don't have an invitation key",
			c->host);
		return -1;
	}
	fl_b64_encode(c->invite->key_b64, sizeof c->invite->key_b64, c->invite->key.pub, 32, false);
	return 0;
}

int fld_invite_start(struct fld_conn *c, const char *line, size_t len)
{
	struct fl_sptps_config cfg = {0};
	enum fl_sptps_err err;
	uint8_t peer[32];
	char out[FL_INV_KEY_B64_LEN + 300];
	size_t klen = strcspn(line + 3, " ");
	int n;

	if (c->invite || !(c->invite = calloc(1, sizeof *c->invite)))
		return -1;
	if (klen > len - 3 || fl_inv_parse_key(peer, line + 3, klen) != FL_INV_OK) {
		fl_dlog(FL_DLOG_ERR, "Got bad invitation from %s", c->host);
		return -1;
	}
	if (inv_load_key(c) < 0)
		return -1;
	n = snprintf(out, sizeof out, "0 %s 17.7\n4 %s\n", c->d->name, c->invite->key_b64);
	if (fld_conn_send_raw(c, out, (size_t)n) < 0)
		return -1;
	cfg.mode = FL_SPTPS_STREAM;
	cfg.initiator = false;
	cfg.own_key = &c->invite->key;
	cfg.peer_public = peer;
	cfg.label = (const uint8_t *)FL_INV_LABEL;
	cfg.label_len = FL_INV_LABEL_LEN;
	cfg.cb = &inv_sptps_cb;
	cfg.ctx = c;
	c->sptps = fl_sptps_new(&cfg, &err);
	if (!c->sptps)
		return -1;
	fl_sptps_set_rx_limit(c->sptps, FLD_PREAUTH_RECORD_MAX);
	fl_dlog(FL_DLOG_INFO, "Invitation greeting from %s port %s", c->shown, c->shown_port);
	return fl_sptps_start(c->sptps, 0) == FL_SPTPS_OK ? 0 : -1;
}
