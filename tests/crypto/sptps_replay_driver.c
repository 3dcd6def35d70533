/* SPDX-License-Identifier: MIT */
/* Transcript replayer for the SPTPS tests; see sptps_replay_driver.h. */
#include "sptps_replay_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t replay_deadline = UINT64_MAX;

struct side {
	char x, y;
	struct fl_sptps *s;
	uint8_t *rnd;
	size_t rndlen, rndpos;
	char **log;
	size_t nlog;
	unsigned replaywin;
};

static char *hexstr(const uint8_t *d, size_t n)
{
	char *s = malloc(2 * n + 1);

	for (size_t i = 0; i < n; i++)
		sprintf(s + 2 * i, "%02x", d[i]);
	s[2 * n] = 0;
	return s;
}

static void logf_line(struct side *sd, const char *name, const uint8_t *d, size_t n)
{
	char *h = hexstr(d, n);
	size_t len = strlen(name) + strlen(h) + 4;
	char *l = malloc(len);

	snprintf(l, len, "%s = %s", name, h);
	free(h);
	sd->log = realloc(sd->log, (sd->nlog + 1) * sizeof(char *));
	sd->log[sd->nlog++] = l;
}

static void log_clear(struct side *sd)
{
	for (size_t i = 0; i < sd->nlog; i++)
		free(sd->log[i]);
	sd->nlog = 0;
}

static int cb_random(void *ctx, uint8_t *buf, size_t len)
{
	struct side *sd = ctx;
	char name[16];

	if (sd->rndlen - sd->rndpos < len)
		return -1;
	memcpy(buf, sd->rnd + sd->rndpos, len);
	sd->rndpos += len;
	snprintf(name, sizeof(name), "rand.%c", sd->x);
	logf_line(sd, name, buf, len);
	return 0;
}

static int cb_send(void *ctx, uint8_t type, const uint8_t *rec, size_t len)
{
	struct side *sd = ctx;
	char name[16];

	(void)type;
	snprintf(name, sizeof(name), "wire.%c->%c", sd->x, sd->y);
	logf_line(sd, name, rec, len);
	return 0;
}

static int cb_deliver(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct side *sd = ctx;
	uint8_t *b = malloc(len + 1);
	char name[16];

	b[0] = type;
	memcpy(b + 1, body, len);
	snprintf(name, sizeof(name), "app.%c", sd->x);
	logf_line(sd, name, b, len + 1);
	free(b);
	return 0;
}

static void cb_done(void *ctx)
{
	struct side *sd = ctx;
	uint8_t t = 0x80;
	char name[16];

	snprintf(name, sizeof(name), "app.%c", sd->x);
	logf_line(sd, name, &t, 1);
}

static void cb_trace(void *ctx, enum fl_sptps_trace what, const uint8_t *d, size_t n)
{
	static const char *const names[] = { "kdf.%.secret", "kdf.%.seed", "kdf.%.out",
					     "key.%.out", "key.%.in" };
	struct side *sd = ctx;
	char name[32];

	snprintf(name, sizeof(name), "%s", names[what]);
	name[4] = sd->x;
	logf_line(sd, name, d, n);
}

static const struct fl_sptps_callbacks replay_cb = {
	.random = cb_random,
	.send = cb_send,
	.deliver = cb_deliver,
	.handshake_done = cb_done,
	.trace = cb_trace,
};

static bool is_action(const char *name, char *who)
{
	static const char *const acts[] = { "start.", "send.", "force_kex.", "in.", "verify.",
					    "outseqno." };

	for (size_t i = 0; i < sizeof(acts) / sizeof(acts[0]); i++) {
		size_t n = strlen(acts[i]);
		if (!strncmp(name, acts[i], n) && name[n] && !name[n + 1]) {
			*who = name[n];
			return true;
		}
	}
	return false;
}

static bool is_state(const char *name)
{
	return !strncmp(name, "inseqno.", 8) || !strncmp(name, "received.", 9) ||
	       !strncmp(name, "farfuture.", 10) || !strncmp(name, "late.", 5);
}

static bool belongs(const char *name, char x)
{
	size_t n = strlen(name);
	char p[16];

	if (n >= 2 && name[n - 2] == '.' && name[n - 1] == x)
		return true;
	snprintf(p, sizeof(p), "wire.%c->", x);
	if (!strncmp(name, p, strlen(p)))
		return true;
	return (!strncmp(name, "kdf.", 4) || !strncmp(name, "key.", 4)) && name[4] == x;
}

static void do_action(struct side *sd, const char *act, const uint8_t *v, size_t n)
{
	enum fl_sptps_err e = FL_SPTPS_OK;
	char okname[16];
	uint8_t ok;

	if (!strncmp(act, "outseqno.", 9)) {
		fl_sptps_set_outseqno(sd->s, (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 |
						     (uint32_t)v[2] << 8 | v[3]);
		return;
	}
	if (!strncmp(act, "start.", 6)) {
		e = fl_sptps_start(sd->s, replay_deadline);
	} else if (!strncmp(act, "send.", 5)) {
		e = fl_sptps_send(sd->s, v[0], v + 1, n - 1);
	} else if (!strncmp(act, "force_kex.", 10)) {
		e = fl_sptps_force_kex(sd->s, replay_deadline);
	} else if (!strncmp(act, "verify.", 7)) {
		e = fl_sptps_verify_datagram(sd->s, v, n);
	} else {
		size_t off = 0, used;
		do {
			e = fl_sptps_receive(sd->s, v + off, n - off, &used);
			off += used;
		} while (e == FL_SPTPS_OK && off < n && used > 0);
		if (e == FL_SPTPS_OK && off != n)
			e = FL_SPTPS_ERR_ARG;
	}
	ok = e == FL_SPTPS_OK;
	snprintf(okname, sizeof(okname), "ok.%c", sd->x);
	logf_line(sd, okname, &ok, 1);
}

static int check_state(struct side *sd, const char *name, const char *want, const char *title)
{
	struct fl_sptps_replay *r = fl_sptps_replay_window(sd->s);
	uint8_t b[4];
	uint32_t v;
	char *got;
	int bad;

	if (!strncmp(name, "late.", 5)) {
		got = hexstr(r->late, r->win);
	} else {
		v = !strncmp(name, "inseqno.", 8)    ? r->inseqno
		    : !strncmp(name, "received.", 9) ? r->received
						     : r->farfuture;
		b[0] = (uint8_t)(v >> 24);
		b[1] = (uint8_t)(v >> 16);
		b[2] = (uint8_t)(v >> 8);
		b[3] = (uint8_t)v;
		got = hexstr(b, 4);
	}
	bad = strcmp(got, want) != 0;
	if (bad)
		fprintf(stderr, "%s: %s: want %s got %s\n", title, name, want, got);
	free(got);
	return bad;
}

static struct fl_sptps *side_new(const struct vec_case *c, struct side *sd)
{
	char k[32];
	size_t n, pn, ln;
	uint8_t *priv, *pub, *peer, *label;
	struct fl_ed25519_key key;
	const char *rw = vec_get(c, "replaywin");
	struct fl_sptps_config cfg = { 0 };
	struct fl_sptps *s;

	snprintf(k, sizeof(k), "%c.private", sd->x);
	priv = vec_hex(vec_get(c, k), &n);
	snprintf(k, sizeof(k), "%c.public", sd->x);
	pub = vec_hex(vec_get(c, k), &pn);
	snprintf(k, sizeof(k), "%c.peer_public", sd->x);
	peer = vec_hex(vec_get(c, k), &pn);
	snprintf(k, sizeof(k), "%c.random", sd->x);
	sd->rnd = vec_hex(vec_get(c, k), &sd->rndlen);
	label = vec_hex(vec_get(c, "label"), &ln);
	memcpy(key.expanded, priv, 64);
	memcpy(key.pub, pub, 32);
	cfg.mode = !strcmp(vec_get(c, "mode"), "stream") ? FL_SPTPS_STREAM : FL_SPTPS_DATAGRAM;
	cfg.initiator = sd->x == 'i';
	cfg.own_key = &key;
	cfg.peer_public = peer;
	cfg.label = label;
	cfg.label_len = ln;
	cfg.replaywin = rw ? (unsigned)atoi(rw) : FL_SPTPS_DEFAULT_REPLAYWIN;
	cfg.cb = &replay_cb;
	cfg.ctx = sd;
	s = fl_sptps_new(&cfg, NULL);
	free(priv);
	free(pub);
	free(peer);
	free(label);
	return s;
}


void replay_set_deadline(uint64_t d)
{
	replay_deadline = d;
}

static struct side sd; /* callbacks of a kept session still point here */

void replay_done(void)
{
	log_clear(&sd);
	free(sd.log);
	free(sd.rnd);
	memset(&sd, 0, sizeof(sd));
}

int replay_side(const struct vec_case *c, char side, struct fl_sptps **left)
{
	int bad = 0;
	char who;

	replay_done();
	sd.x = side;
	sd.y = side == 'i' ? 'r' : 'i';
	if (!(sd.s = side_new(c, &sd))) {
		fprintf(stderr, "%s: session creation failed\n", c->title);
		return 1;
	}
	for (size_t i = 0; i < c->n && bad < 5; i++) {
		const struct vec_line *l = &c->lines[i];
		size_t n, k = 0;
		uint8_t *v;

		if (!is_action(l->name, &who) || who != side)
			continue;
		log_clear(&sd);
		v = vec_hex(l->value, &n);
		do_action(&sd, l->name, v, n);
		free(v);
		for (size_t j = i + 1; j < c->n && !is_action(c->lines[j].name, &who); j++) {
			const struct vec_line *o = &c->lines[j];
			char want[8192];

			if (!belongs(o->name, side))
				continue;
			if (is_state(o->name)) {
				bad += check_state(&sd, o->name, o->value, c->title);
				continue;
			}
			snprintf(want, sizeof(want), "%s = %s", o->name, o->value);
			if (k >= sd.nlog || strcmp(sd.log[k], want)) {
				fprintf(stderr, "%s: line %zu (%s): want '%.120s' got '%.120s'\n",
					c->title, j, l->name, want, k < sd.nlog ? sd.log[k] : "(none)");
				bad++;
			}
			k++;
		}
		if (k != sd.nlog) {
			fprintf(stderr, "%s: after %s: %zu extra outputs, first '%.120s'\n", c->title,
				l->name, sd.nlog - k, k < sd.nlog ? sd.log[k] : "");
			bad++;
		}
	}
	log_clear(&sd);
	if (left)
		*left = sd.s;
	else
		fl_sptps_free(sd.s);
	return bad;
}
