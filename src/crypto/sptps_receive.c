/*
 * SPTPS receive paths (SPTPS.md §3.2, §4.2, §7.3): stream framing one
 * record per call, datagram authentication, the replay window and the
 * dispatch of authenticated records. Called through fl_sptps_receive() and
 * fl_sptps_verify_datagram() by the daemon's control plane and the tests.
 */
#include "crypto/sptps_internal.h"

#include <string.h>

static uint32_t fl_sptps_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

enum fl_sptps_err fl_sptps_dispatch(struct fl_sptps *s, uint8_t type, const uint8_t *body,
				    size_t len)
{
	if (type == FL_SPTPS_HANDSHAKE)
		return fl_sptps_handshake(s, body, len);
	if (type > FL_SPTPS_HANDSHAKE)
		return FL_SPTPS_ERR_TYPE;
	if (!s->instate)
		return FL_SPTPS_ERR_EARLY;
	return s->cb->deliver(s->ctx, type, body, len) ? FL_SPTPS_ERR_CALLBACK : FL_SPTPS_OK;
}

/* Buffer up to one record; process it once complete. The expected size
 * (with or without tag) follows instate at framing time, like tinc. */
static enum fl_sptps_err fl_sptps_receive_stream(struct fl_sptps *s, const uint8_t *data,
						 size_t len, size_t *consumed)
{
	size_t take = 0, n, total, body;
	uint32_t seqno;
	enum fl_sptps_err e;

	if (s->rxlen < 2) {
		n = 2 - s->rxlen < len ? 2 - s->rxlen : len;
		memcpy(s->rxbuf + s->rxlen, data, n);
		s->rxlen += n;
		take = n;
		if (s->rxlen < 2) {
			*consumed = take;
			return FL_SPTPS_OK;
		}
	}
	body = (size_t)s->rxbuf[0] << 8 | s->rxbuf[1];
	total = 2 + 1 + body + (s->instate ? FL_SPTPS_TAG_LEN : 0);
	n = total - s->rxlen < len - take ? total - s->rxlen : len - take;
	memcpy(s->rxbuf + s->rxlen, data + take, n);
	s->rxlen += n;
	*consumed = take + n;
	if (s->rxlen < total)
		return FL_SPTPS_OK;
	s->rxlen = 0;
	/* The implicit seqno advances for every complete record, before the
	 * tag is checked. */
	seqno = s->stream_inseqno++;
	if (s->instate) {
		int r = fl_sptps_cipher_open(s->cipher, s->key_in, seqno, s->rxbuf + 2, 1 + body,
					     s->rxbuf + 3 + body, true);
		if (r)
			return r < 0 ? FL_SPTPS_ERR_CRYPTO : FL_SPTPS_ERR_AUTH;
	}
	e = fl_sptps_dispatch(s, s->rxbuf[2], s->rxbuf + 3, body);
	return e;
}

/* Before our incoming keys exist: plaintext handshake records, strictly in
 * order (the meta graph delivers them in order). */
static enum fl_sptps_err fl_sptps_receive_plain_datagram(struct fl_sptps *s,
							 const uint8_t *data, size_t len)
{
	uint32_t seqno;

	if (len < 5)
		return FL_SPTPS_ERR_SHORT;
	seqno = fl_sptps_be32(data);
	if (seqno != s->replay.inseqno)
		return FL_SPTPS_ERR_SEQNO;
	s->replay.inseqno = seqno + 1;
	if (data[4] != FL_SPTPS_HANDSHAKE)
		return data[4] < FL_SPTPS_HANDSHAKE ? FL_SPTPS_ERR_EARLY : FL_SPTPS_ERR_TYPE;
	s->last_in_seqno = seqno;
	return fl_sptps_handshake(s, data + 5, len - 5);
}

static bool fl_sptps_may_try_prev(const struct fl_sptps *s, uint32_t seqno)
{
	return s->prev_valid && seqno < s->prev_below;
}

static enum fl_sptps_err fl_sptps_receive_datagram(struct fl_sptps *s, const uint8_t *data,
						   size_t len)
{
	enum fl_sptps_open_result r;
	uint32_t seqno = 0;
	size_t ptlen = 0;
	bool prev = false;

	if (!s->instate)
		return fl_sptps_receive_plain_datagram(s, data, len);
	if (len < FL_SPTPS_DATAGRAM_OVERHEAD)
		return FL_SPTPS_ERR_SHORT;
	if (len > FL_SPTPS_BUF_LEN)
		return FL_SPTPS_ERR_LONG;
	memcpy(s->rxbuf, data, len);
	r = fl_sptps_open(s->cipher, s->key_in, s->rxbuf, len, &seqno, &ptlen);
	if (r == FL_SPTPS_OPEN_AUTH && fl_sptps_may_try_prev(s, seqno)) {
		/* A failed open leaves the record untouched, so retry in place. */
		r = fl_sptps_open(s->cipher, s->prev_in, s->rxbuf, len, &seqno, &ptlen);
		prev = true;
	}
	if (r != FL_SPTPS_OPEN_OK)
		return r == FL_SPTPS_OPEN_AUTH ? FL_SPTPS_ERR_AUTH : FL_SPTPS_ERR_CRYPTO;
	/* Under the previous key only application records are taken. */
	if (prev && s->rxbuf[4] >= FL_SPTPS_HANDSHAKE)
		return FL_SPTPS_ERR_AUTH;
	switch (fl_sptps_replay_update(&s->replay, seqno)) {
	case FL_SPTPS_REPLAY_OK:
		break;
	case FL_SPTPS_REPLAY_FUTURE:
		return FL_SPTPS_ERR_FUTURE;
	default:
		return FL_SPTPS_ERR_REPLAY;
	}
	s->last_in_seqno = seqno;
	return fl_sptps_dispatch(s, s->rxbuf[4], s->rxbuf + 5, ptlen - 1);
}

enum fl_sptps_err fl_sptps_receive(struct fl_sptps *s, const uint8_t *data, size_t len,
				   size_t *consumed)
{
	enum fl_sptps_err e;
	size_t dummy;

	if (!consumed)
		consumed = &dummy;
	*consumed = 0;
	if (!s || (len && !data))
		return FL_SPTPS_ERR_ARG;
	if (s->dead || (s->mode == FL_SPTPS_STREAM && s->rx_dead))
		return FL_SPTPS_ERR_DEAD;
	if (s->state == FL_SPTPS_S_NEW) {
		s->rx_dead = s->mode == FL_SPTPS_STREAM;
		return FL_SPTPS_ERR_STATE;
	}
	if (s->mode == FL_SPTPS_STREAM) {
		e = fl_sptps_receive_stream(s, data, len, consumed);
		if (e != FL_SPTPS_OK)
			s->rx_dead = true;
		return e;
	}
	e = fl_sptps_receive_datagram(s, data, len);
	if (e == FL_SPTPS_OK)
		*consumed = len;
	return e;
}

enum fl_sptps_err fl_sptps_verify_datagram(struct fl_sptps *s, const uint8_t *data,
					   size_t len)
{
	uint32_t seqno;
	size_t ct;
	int r;

	if (!s || (len && !data))
		return FL_SPTPS_ERR_ARG;
	if (s->mode != FL_SPTPS_DATAGRAM || !s->instate || s->dead)
		return FL_SPTPS_ERR_STATE;
	if (len < FL_SPTPS_DATAGRAM_OVERHEAD)
		return FL_SPTPS_ERR_SHORT;
	seqno = fl_sptps_be32(data);
	switch (fl_sptps_replay_check(&s->replay, seqno)) {
	case FL_SPTPS_REPLAY_OK:
		break;
	case FL_SPTPS_REPLAY_FUTURE:
		return FL_SPTPS_ERR_FUTURE;
	default:
		return FL_SPTPS_ERR_REPLAY;
	}
	ct = len - FL_SPTPS_SEQNO_LEN - FL_SPTPS_TAG_LEN;
	r = fl_sptps_cipher_verify(s->cipher, s->key_in, seqno, data + 4, ct, data + 4 + ct);
	if (r > 0 && fl_sptps_may_try_prev(s, seqno))
		r = fl_sptps_cipher_verify(s->cipher, s->prev_in, seqno, data + 4, ct,
					   data + 4 + ct);
	if (r)
		return r < 0 ? FL_SPTPS_ERR_CRYPTO : FL_SPTPS_ERR_AUTH;
	return FL_SPTPS_OK;
}
