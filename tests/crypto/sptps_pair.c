/* SPDX-License-Identifier: MIT */
/* In-memory SPTPS session pair for the tests; see sptps_pair.h. */
#include "sptps_pair.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

static int pair_random(void *ctx, uint8_t *buf, size_t len)
{
	struct pair_peer *pp = ctx;
	uint8_t seed[32];

	crypto_generichash(seed, sizeof(seed), (const uint8_t *)&pp->rnd_ctr,
			   sizeof(pp->rnd_ctr), pp->rnd_seed, sizeof(pp->rnd_seed));
	pp->rnd_ctr++;
	randombytes_buf_deterministic(buf, len, seed);
	return 0;
}

static int pair_send(void *ctx, uint8_t type, const uint8_t *rec, size_t len)
{
	struct pair_peer *pp = ctx;
	struct pair_rec *r;

	if (pp->nout >= PAIR_MAXQ)
		return -1;
	r = &pp->out[pp->nout++];
	r->type = type;
	r->len = len;
	r->data = malloc(len + 1);
	memcpy(r->data, rec, len);
	return 0;
}

static int pair_deliver(void *ctx, uint8_t type, const uint8_t *body, size_t len)
{
	struct pair_peer *pp = ctx;
	struct pair_rec *r;

	if (pp->ngot >= PAIR_MAXQ)
		return -1;
	r = &pp->got[pp->ngot++];
	r->type = type;
	r->len = len;
	r->data = malloc(len + 1);
	memcpy(r->data, body, len);
	/* Type 9 is answered from inside the callback (allowed re-entry),
	 * echoing the body, which must still be intact afterwards. */
	if (type == 9 && (fl_sptps_send(pp->s, 10, body, len) != FL_SPTPS_OK ||
			  memcmp(r->data, body, len)))
		return -1;
	return 0;
}

static void pair_done(void *ctx)
{
	((struct pair_peer *)ctx)->done++;
}

static const struct fl_sptps_callbacks pair_cb = {
	.random = pair_random,
	.send = pair_send,
	.deliver = pair_deliver,
	.handshake_done = pair_done,
};

void pair_init(struct pair *pr, enum fl_sptps_mode mode)
{
	static const uint8_t label[] = "tinc UDP key expansion alpha beta"; /* with NUL */
	uint8_t seed[32];

	memset(pr, 0, sizeof(*pr));
	pr->mode = mode;
	for (int i = 0; i < 2; i++) {
		memset(seed, 0x11 * (i + 1), sizeof(seed));
		fl_ed25519_from_seed(&pr->p[i].key, seed);
		memset(pr->p[i].rnd_seed, 0xa0 + i, 32);
	}
	for (int i = 0; i < 2; i++) {
		struct fl_sptps_config cfg = {
			.mode = mode,
			.initiator = i == 0,
			.own_key = &pr->p[i].key,
			.peer_public = pr->p[!i].key.pub,
			.label = label,
			.label_len = sizeof(label),
			.replaywin = FL_SPTPS_DEFAULT_REPLAYWIN,
			.rekey_timeout = 10,
			.cb = &pair_cb,
			.ctx = &pr->p[i],
		};
		pr->p[i].s = fl_sptps_new(&cfg, NULL);
	}
	for (int i = 0; i < 2; i++)
		fl_sptps_start(pr->p[i].s, 1000);
}

void pair_free(struct pair *pr)
{
	for (int i = 0; i < 2; i++) {
		fl_sptps_free(pr->p[i].s);
		for (size_t k = 0; k < pr->p[i].nout; k++)
			free(pr->p[i].out[k].data);
		for (size_t k = 0; k < pr->p[i].ngot; k++)
			free(pr->p[i].got[k].data);
	}
}

struct pair_rec pair_take(struct pair *pr, int side, size_t k)
{
	struct pair_peer *pp = &pr->p[side];
	struct pair_rec r = pp->out[k];

	memmove(&pp->out[k], &pp->out[k + 1], (pp->nout - k - 1) * sizeof(r));
	pp->nout--;
	return r;
}

enum fl_sptps_err pair_feed(struct pair *pr, int to, const uint8_t *d, size_t len)
{
	size_t off = 0, used;
	enum fl_sptps_err e;

	if (pr->mode == FL_SPTPS_DATAGRAM)
		return fl_sptps_receive(pr->p[to].s, d, len, NULL);
	do {
		size_t n = len - off;

		if (pr->chunk && n > pr->chunk)
			n = pr->chunk;
		e = fl_sptps_receive(pr->p[to].s, d + off, n, &used);
		off += used;
	} while (e == FL_SPTPS_OK && off < len);
	return e;
}

enum fl_sptps_err pair_pump(struct pair *pr)
{
	enum fl_sptps_err first = FL_SPTPS_OK;

	while (pr->p[0].nout || pr->p[1].nout) {
		for (int side = 0; side < 2; side++) {
			struct pair_rec r;
			enum fl_sptps_err e;

			if (!pr->p[side].nout)
				continue;
			r = pair_take(pr, side, 0);
			e = pair_feed(pr, !side, r.data, r.len);
			if (e != FL_SPTPS_OK && first == FL_SPTPS_OK)
				first = e;
			free(r.data);
		}
	}
	return first;
}
