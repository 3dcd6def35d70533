/* SPDX-License-Identifier: MIT */
/*
 * dp_sptps.c: fl_dp_crypto over tinc-compatible SPTPS datagram sessions
 * (spec/SPTPS.md §4, §7; see dp_sptps.h). Called by the dataplane for every
 * record it seals or opens.
 */
#include "dataplane/dp_sptps.h"

#include <stdlib.h>
#include <string.h>

#include "crypto/sptps.h"
#include "dataplane/dp_workers.h"
#include "wire/csum.h"
#include "wire/dgram.h"

/* What a deferred seal or an early open leaves at the end of the packet's
 * buffer, for the next stage (never on the wire; wiped after use). */
struct dps_stash {
	uint8_t key[FL_SPTPS_KEY_LEN]; /* seal: the outgoing key */
	uint32_t seq, reclen;          /* seal: seqno, record length */
	const void *sess;              /* open: the session and key epoch used */
	uint32_t epoch;
	uint32_t ptlen;                /* open: plaintext length (TYPE + body) */
	uint8_t result;                /* open: enum fl_sptps_open_result */
	uint8_t key_used;              /* open: enum dps_key */
};

/* Which of a session's incoming keys opened a record. */
enum dps_key { DPS_KEY_IN, DPS_KEY_PREV, DPS_KEY_NEXT };

/* One batch handed to the workers: its own copy of the packet list (and
 * for an open, the sessions and key snapshots), so the caller may build
 * the next batch meanwhile. */
struct dps_job {
	struct fl_dp_sptps *c;
	uint64_t ticket;
	bool busy;                      /* submitted, not yet waited for */
	bool open;
	size_t n;
	struct fl_pkt *pkts[FL_DP_SPTPS_BATCH];
	void *sess[FL_DP_SPTPS_BATCH];
	size_t off[FL_DP_SPTPS_BATCH];
	struct fl_sptps_keys keys[FL_DP_SPTPS_BATCH];
};

struct fl_dp_sptps {
	struct fl_sptps_cipher *cipher; /* the control thread's (worker 0) */
	struct fl_dp_workers *workers;  /* borrowed; NULL = all inline */
	struct fl_sptps_cipher **wcipher; /* per worker; [0] = cipher */
	unsigned n_workers;
	struct dps_job *jobs;           /* FL_DP_WORKERS_RING of them */
	unsigned next_job;
	struct fl_dp_sptps_stats stats;
};

static struct dps_stash *dps_stash(struct fl_pkt *p)
{
	_Static_assert(sizeof(struct dps_stash) <= 64, "stash fits the buffer's last 64 bytes");
	return (struct dps_stash *)(void *)(p->buf + FL_PKT_BUFSIZE - 64);
}

/* Room around the record rec[0..reclen) for the in-place forms
 * (fl_sptps_seal_room): ChaCha20's block 0 in front, the rest of its last
 * block behind, short of the stash. Records in pool buffers always have
 * it; the plain forms are for the rest. */
_Static_assert(FL_PKT_HEADROOM + FL_MAXSIZE + FL_SPTPS_TAIL_ROOM <= FL_PKT_BUFSIZE - 64,
	       "a received datagram leaves the tail room short of the stash");

static bool dps_room(const struct fl_pkt *p, const uint8_t *rec, size_t reclen)
{
	return (size_t)(rec - p->buf) >= FL_SPTPS_ROOM &&
	       (size_t)(rec - p->buf) + reclen + FL_SPTPS_TAIL_ROOM <= FL_PKT_BUFSIZE - 64;
}

static size_t dps_seal_rec(struct fl_sptps_cipher *cipher, const uint8_t *key, uint32_t seq,
			   const struct fl_pkt *p, uint8_t *rec, size_t ptlen)
{
	if (dps_room(p, rec, ptlen + FL_SPTPS_SEQNO_LEN + FL_SPTPS_TAG_LEN))
		return fl_sptps_seal_room(cipher, key, seq, rec, ptlen);
	return fl_sptps_seal(cipher, key, seq, rec, ptlen);
}

static enum fl_sptps_open_result dps_open_rec(struct fl_sptps_cipher *cipher, const uint8_t *key,
					      const struct fl_pkt *p, uint8_t *rec, size_t len,
					      uint32_t *seq, size_t *ptlen)
{
	if (dps_room(p, rec, len))
		return fl_sptps_open_room(cipher, key, rec, len, seq, ptlen);
	return fl_sptps_open(cipher, key, rec, len, seq, ptlen);
}

/* Room for the record and its tag before the stash? */
static bool dps_stash_ok(const struct fl_pkt *p, size_t extra)
{
	return p->data + p->len + extra <= p->buf + FL_PKT_BUFSIZE - 64;
}

struct fl_dp_sptps *fl_dp_sptps_new(void)
{
	struct fl_dp_sptps *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->cipher = fl_sptps_cipher_new_private();
	if (!c->cipher) {
		free(c);
		return NULL;
	}
	return c;
}

static void dps_free_wciphers(struct fl_dp_sptps *c)
{
	fl_dp_sptps_wait(c, UINT64_MAX);
	free(c->jobs);
	c->jobs = NULL;
	for (unsigned i = 1; i < c->n_workers; i++)
		fl_sptps_cipher_free(c->wcipher[i]);
	free(c->wcipher);
	c->wcipher = NULL;
	c->n_workers = 0;
	c->workers = NULL;
}

void fl_dp_sptps_free(struct fl_dp_sptps *c)
{
	if (!c)
		return;
	dps_free_wciphers(c);
	fl_sptps_cipher_free(c->cipher);
	free(c);
}

int fl_dp_sptps_set_workers(struct fl_dp_sptps *c, struct fl_dp_workers *w)
{
	unsigned n = fl_dp_workers_count(w);

	dps_free_wciphers(c);
	if (!w || n < 2)
		return 0;
	c->wcipher = calloc(n, sizeof(*c->wcipher));
	c->jobs = calloc(FL_DP_WORKERS_RING, sizeof(*c->jobs));
	if (!c->wcipher || !c->jobs) {
		free(c->wcipher);
		free(c->jobs);
		c->wcipher = NULL;
		c->jobs = NULL;
		return -1;
	}
	c->wcipher[0] = c->cipher;
	c->n_workers = n;
	for (unsigned i = 1; i < n; i++) {
		if (!(c->wcipher[i] = fl_sptps_cipher_new_private())) {
			dps_free_wciphers(c);
			return -1;
		}
	}
	c->workers = w;
	return 0;
}

bool fl_dp_sptps_parallel(const struct fl_dp_sptps *c)
{
	return c->workers != NULL;
}

static int dps_seal(void *ctx, void *sess, uint8_t type, struct fl_pkt *p)
{
	struct fl_dp_sptps *c = ctx;
	struct fl_sptps *s = sess;
	uint8_t key[FL_SPTPS_KEY_LEN];
	size_t ptlen = (size_t)p->len + 1, n;
	uint32_t seq;
	uint8_t *h;

	if (!s || !fl_sptps_keyed(s) || fl_pkt_tailroom(p) < FL_SPTPS_TAG_LEN ||
	    fl_pkt_headroom(p) < FL_SPTPS_DGRAM_HEAD)
		return -1;
	if (fl_sptps_reserve(s, 1, &seq) != FL_SPTPS_OK)
		return -1;
	h = fl_pkt_push(p, FL_SPTPS_DGRAM_HEAD);
	h[4] = type;
	if (c->workers && dps_stash_ok(p, FL_SPTPS_TAG_LEN)) {
		/* The seqno is ours now, in order; a worker encrypts the
		 * record with it before the send queue is flushed. Only the
		 * outgoing key is copied (per packet: no full key snapshot). */
		struct dps_stash *st = dps_stash(p);
		if (!fl_sptps_out_key(s, st->key)) {
			fl_pkt_pull(p, FL_SPTPS_DGRAM_HEAD);
			return -1;
		}
		st->seq = seq;
		st->reclen = (uint32_t)(ptlen + FL_SPTPS_SEQNO_LEN + FL_SPTPS_TAG_LEN);
		p->len = st->reclen;
		p->meta |= FL_DP_META_SEAL_PENDING;
		return fl_sptps_needs_restart(s) ? 1 : 0;
	}
	if (!fl_sptps_out_key(s, key)) {
		fl_pkt_pull(p, FL_SPTPS_DGRAM_HEAD);
		return -1;
	}
	n = dps_seal_rec(c->cipher, key, seq, p, p->data, ptlen);
	explicit_bzero(key, sizeof(key));
	if (!n)
		return -1;
	p->len = (uint32_t)n;
	return fl_sptps_needs_restart(s) ? 1 : 0;
}

/* Open a datagram record in place with the current incoming key; when
 * its tag fails there, with the previous key during a re-key's grace
 * period (records sealed before the peer's ACK), then with the next key
 * (records sealed after the peer's ACK that overtook it). A tag fails
 * without touching the record, so each try sees the same bytes. */
static enum fl_sptps_open_result dps_open_keys(struct fl_sptps_cipher *cipher,
					       const struct fl_sptps_keys *k, const struct fl_pkt *p,
					       uint8_t *rec, size_t len, uint32_t *seq,
					       size_t *ptlen, uint8_t *used)
{
	enum fl_sptps_open_result r = dps_open_rec(cipher, k->in, p, rec, len, seq, ptlen);

	*used = DPS_KEY_IN;
	if (r == FL_SPTPS_OPEN_AUTH && k->prev_valid && *seq < k->prev_in_below) {
		r = dps_open_rec(cipher, k->prev_in, p, rec, len, seq, ptlen);
		*used = DPS_KEY_PREV;
	}
	if (r == FL_SPTPS_OPEN_AUTH && k->next_valid) {
		r = dps_open_rec(cipher, k->next_in, p, rec, len, seq, ptlen);
		*used = DPS_KEY_NEXT;
	}
	return r;
}

/* Count what an accepted record's key says about a re-key in progress. */
static void dps_count_key(struct fl_dp_sptps *c, uint8_t used)
{
	if (used == DPS_KEY_PREV)
		c->stats.grace_opens++;
	else if (used == DPS_KEY_NEXT)
		c->stats.next_key_opens++;
}

/* Encrypt a pending record where it sits: it ends at data + len (a node
 * ID prefix may have been pushed in front since). */
static void dps_seal_pending(struct fl_sptps_cipher *cipher, struct fl_pkt *p)
{
	struct dps_stash *st = dps_stash(p);
	uint8_t *rec = p->data + p->len - st->reclen;

	p->meta &= ~FL_DP_META_SEAL_PENDING;
	/* fl_sptps_seal fails only inside OpenSSL; the record then leaves
	 * with a tag that fails, as a corrupted datagram would. */
	dps_seal_rec(cipher, st->key, st->seq, p, rec,
		     st->reclen - FL_SPTPS_SEQNO_LEN - FL_SPTPS_TAG_LEN);
	explicit_bzero(st, sizeof(*st));
}

static void dps_finish(void *ctx, struct fl_pkt *p)
{
	struct fl_dp_sptps *c = ctx;

	if (p->meta & FL_DP_META_SEAL_PENDING)
		dps_seal_pending(c->cipher, p);
}

static void dps_seal_one(void *ctx, unsigned worker, size_t i)
{
	struct dps_job *j = ctx;
	struct fl_dp_sptps *c = j->c;

	if (j->pkts[i]->meta & FL_DP_META_SEAL_PENDING)
		dps_seal_pending(c->wcipher ? c->wcipher[worker] : c->cipher, j->pkts[i]);
}

static void dps_open_one(void *ctx, unsigned worker, size_t i)
{
	struct dps_job *j = ctx;
	struct fl_dp_sptps *c = j->c;
	struct fl_pkt *p = j->pkts[i];
	const struct fl_sptps_keys *k = &j->keys[i];
	struct dps_stash *st;
	enum fl_sptps_open_result r;
	struct fl_sptps_cipher *cipher = c->wcipher ? c->wcipher[worker] : c->cipher;
	uint32_t seq = 0;
	size_t ptlen = 0, off = j->off[i];
	uint8_t used;

	if (!j->sess[i] || !k->in_valid)
		return;
	st = dps_stash(p);
	r = dps_open_keys(cipher, k, p, p->data + off, p->len - off, &seq, &ptlen, &used);
	st->sess = j->sess[i];
	st->epoch = k->epoch;
	st->seq = seq;
	st->ptlen = (uint32_t)ptlen;
	st->result = (uint8_t)r;
	st->key_used = used;
	p->meta |= FL_DP_META_PREOPENED;
}

/* Retire a job the workers finished: its key snapshots are wiped. */
static void dps_job_done(struct dps_job *j)
{
	if (j->open)
		explicit_bzero(j->keys, j->n * sizeof(j->keys[0]));
	j->busy = false;
}

void fl_dp_sptps_wait(struct fl_dp_sptps *c, uint64_t ticket)
{
	if (!c->jobs)
		return;
	fl_dp_workers_wait(c->workers, ticket);
	for (unsigned i = 0; i < FL_DP_WORKERS_RING; i++)
		if (c->jobs[i].busy && c->jobs[i].ticket <= ticket)
			dps_job_done(&c->jobs[i]);
}

/* The next job of the ring, free (its previous batch waited for). */
static struct dps_job *dps_job_take(struct fl_dp_sptps *c, bool open, size_t n)
{
	struct dps_job *j = &c->jobs[c->next_job++ % FL_DP_WORKERS_RING];

	if (j->busy)
		fl_dp_sptps_wait(c, j->ticket);
	j->c = c;
	j->open = open;
	j->n = n;
	return j;
}

/* Below this many record bytes a batch is sealed or opened by the caller
 * at once: handing it over (a wake-up, cache lines moving between cores)
 * costs more than the crypto. 64 small packets (TCP ACKs) stay inline;
 * a dozen full-size ones go to the ring. */
#define DPS_RING_MIN_BYTES 16384
#define DPS_CHUNK_MIN 4 /* packets */

static uint64_t dps_job_submit(struct fl_dp_sptps *c, struct dps_job *j)
{
	fl_dp_work_fn *fn = j->open ? dps_open_one : dps_seal_one;
	/* Chunks shrink as the batch is taken (dp_workers.h): 64 packets on
	 * two workers go as 32, 16, 8, 4 and 4. Large runs first, because
	 * every chunk boundary is a cache line two cores write (one packet's
	 * stash, the next one's header) and a worker that seals a run of
	 * neighbours streams them from the other core's cache: fixed
	 * 8-packet chunks sealed 1.17x one worker in dataplane_speed where
	 * fixed 32-packet ones gave 1.55x. Small ones last, so that the
	 * control thread, which also reads and decides every packet, is
	 * not left with half the batch: 22.34 against 21.63 Gbit/s for fixed
	 * 32-packet chunks, better in each of five alternations. */
	size_t chunk = DPS_CHUNK_MIN, bytes = 0;

	for (size_t i = 0; i < j->n && bytes < DPS_RING_MIN_BYTES; i++)
		bytes += j->pkts[i]->len;
	if (bytes < DPS_RING_MIN_BYTES) {
		for (size_t i = 0; i < j->n; i++)
			fn(j, 0, i);
		/* No batch posted: the ticket of the last one that was. */
		j->ticket = fl_dp_workers_submit(c->workers, fn, j, 0, chunk);
	} else {
		j->ticket = fl_dp_workers_submit(c->workers, fn, j, j->n, chunk);
	}
	j->busy = true;
	return j->ticket;
}

uint64_t fl_dp_sptps_seal_submit(struct fl_dp_sptps *c, struct fl_pkt *const *pkts, size_t n)
{
	struct dps_job *j = NULL;
	uint64_t t = 0;

	for (size_t i = 0; i < n; i++) {
		if (!(pkts[i]->meta & FL_DP_META_SEAL_PENDING))
			continue; /* sealed already: no worker needed */
		if (!c->jobs) {
			dps_seal_pending(c->cipher, pkts[i]);
			continue;
		}
		if (!j)
			j = dps_job_take(c, false, 0);
		j->pkts[j->n++] = pkts[i];
		if (j->n == FL_DP_SPTPS_BATCH) {
			t = dps_job_submit(c, j);
			j = NULL;
		}
	}
	if (j)
		t = dps_job_submit(c, j);
	return t;
}

uint64_t fl_dp_sptps_open_submit(struct fl_dp_sptps *c, struct fl_pkt *const *pkts,
				 void *const *sess, const size_t *rec_off, size_t n)
{
	struct dps_job *j;

	if (n > FL_DP_SPTPS_BATCH)
		n = FL_DP_SPTPS_BATCH;
	if (!c->jobs)
		return 0; /* inline: udp input opens each record itself */
	j = dps_job_take(c, true, n);
	/* Key snapshots on this thread: workers never touch a session. */
	for (size_t i = 0; i < n; i++) {
		j->pkts[i] = pkts[i];
		j->sess[i] = sess[i];
		j->off[i] = rec_off[i];
		memset(&j->keys[i], 0, sizeof(j->keys[i]));
		if (sess[i] && pkts[i]->len >= rec_off[i] + FL_SPTPS_DGRAM_OVERHEAD &&
		    dps_stash_ok(pkts[i], 0))
			fl_sptps_keys(sess[i], &j->keys[i]);
	}
	return dps_job_submit(c, j);
}

void fl_dp_sptps_seal_batch(struct fl_dp_sptps *c, struct fl_pkt *const *pkts, size_t n)
{
	fl_dp_sptps_wait(c, fl_dp_sptps_seal_submit(c, pkts, n));
}

void fl_dp_sptps_open_batch(struct fl_dp_sptps *c, struct fl_pkt *const *pkts, void *const *sess,
			    const size_t *rec_off, size_t n)
{
	fl_dp_sptps_wait(c, fl_dp_sptps_open_submit(c, pkts, sess, rec_off, n));
}

const struct fl_dp_sptps_stats *fl_dp_sptps_stats(const struct fl_dp_sptps *c)
{
	return &c->stats;
}

/* tinc's sptps_verify_datagram: replay rule without state change, then
 * the tag, nothing decrypted into p. */
static enum fl_dp_open_err dps_verify(struct fl_dp_sptps *c, struct fl_sptps *s,
				      const struct fl_sptps_keys *k, struct fl_pkt *p)
{
	uint32_t seq = fl_get32(p->data);
	size_t clen = p->len - FL_SPTPS_SEQNO_LEN - FL_SPTPS_TAG_LEN;

	if (fl_sptps_replay_check(fl_sptps_replay_window(s), seq) != FL_SPTPS_REPLAY_OK)
		return FL_DP_OPEN_REPLAY;
	if (fl_sptps_cipher_open(c->cipher, k->in, seq, p->data + FL_SPTPS_SEQNO_LEN, clen,
				 p->data + p->len - FL_SPTPS_TAG_LEN, false) != 0)
		return FL_DP_OPEN_AUTH;
	return FL_DP_OPEN_OK;
}

/* The in-order half of an open a worker did ahead (fl_dp_sptps_open_batch):
 * the replay window moves here, in arrival order, after the tag check. A
 * datagram opened under a session or key epoch that is no longer current
 * (restarted or re-keyed mid-batch) is refused as inauthentic. */
static enum fl_dp_open_err dps_open_done(struct fl_dp_sptps *c, struct fl_sptps *s,
					 struct fl_pkt *p, uint8_t *type)
{
	struct dps_stash *st = dps_stash(p);
	struct fl_sptps_keys k;
	enum fl_dp_open_err e = FL_DP_OPEN_OK;

	p->meta &= ~FL_DP_META_PREOPENED;
	if (!s) {
		e = FL_DP_OPEN_NOKEY;
		goto out;
	}
	fl_sptps_keys(s, &k);
	if (!k.in_valid)
		e = FL_DP_OPEN_NOKEY;
	else if (st->sess != s || st->epoch != k.epoch || st->result != FL_SPTPS_OPEN_OK)
		e = st->result == FL_SPTPS_OPEN_SHORT ? FL_DP_OPEN_SHORT : FL_DP_OPEN_AUTH;
	else if (fl_sptps_replay_update(fl_sptps_replay_window(s), st->seq) != FL_SPTPS_REPLAY_OK)
		e = FL_DP_OPEN_REPLAY;
	else if ((*type = p->data[FL_SPTPS_SEQNO_LEN]) >= FL_SPTPS_HANDSHAKE)
		e = FL_DP_OPEN_TYPE;
	if (e == FL_DP_OPEN_OK) {
		dps_count_key(c, st->key_used);
		fl_pkt_pull(p, FL_SPTPS_DGRAM_HEAD);
		p->len = st->ptlen - 1;
	}
	explicit_bzero(&k, sizeof(k));
out:
	explicit_bzero(st, sizeof(*st));
	return e;
}

static enum fl_dp_open_err dps_open(void *ctx, void *sess, struct fl_pkt *p, uint8_t *type,
				    bool verify_only)
{
	struct fl_dp_sptps *c = ctx;
	struct fl_sptps *s = sess;
	struct fl_sptps_keys k;
	enum fl_sptps_open_result r;
	enum fl_dp_open_err e = FL_DP_OPEN_OK;
	uint32_t seq = 0;
	size_t ptlen = 0;
	uint8_t used;

	if (p->meta & FL_DP_META_PREOPENED)
		return dps_open_done(c, s, p, type);
	if (!s)
		return FL_DP_OPEN_NOKEY;
	if (p->len < FL_SPTPS_DGRAM_OVERHEAD)
		return FL_DP_OPEN_SHORT;
	fl_sptps_keys(s, &k);
	if (!k.in_valid) {
		e = FL_DP_OPEN_NOKEY;
		goto out;
	}
	if (verify_only) {
		e = dps_verify(c, s, &k, p);
		goto out;
	}
	r = dps_open_keys(c->cipher, &k, p, p->data, p->len, &seq, &ptlen, &used);
	if (r != FL_SPTPS_OPEN_OK) {
		e = FL_DP_OPEN_AUTH;
		goto out;
	}
	if (fl_sptps_replay_update(fl_sptps_replay_window(s), seq) != FL_SPTPS_REPLAY_OK) {
		e = FL_DP_OPEN_REPLAY;
		goto out;
	}
	*type = p->data[FL_SPTPS_SEQNO_LEN];
	if (*type >= FL_SPTPS_HANDSHAKE) {
		e = FL_DP_OPEN_TYPE; /* handshake records never use the data path */
		goto out;
	}
	dps_count_key(c, used);
	fl_pkt_pull(p, FL_SPTPS_DGRAM_HEAD);
	p->len = (uint32_t)(ptlen - 1);
out:
	explicit_bzero(&k, sizeof(k));
	return e;
}

static bool dps_rekeying(void *ctx, void *sess)
{
	(void)ctx;
	return sess && fl_sptps_keyed(sess) && fl_sptps_handshaking(sess);
}

void fl_dp_sptps_crypto(struct fl_dp_sptps *c, struct fl_dp_crypto *out)
{
	out->ctx = c;
	out->seal = dps_seal;
	out->open = dps_open;
	out->finish = dps_finish;
	out->rekeying = dps_rekeying;
}
