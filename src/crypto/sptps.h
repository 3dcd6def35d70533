/* SPDX-License-Identifier: MIT */
/*
 * SPTPS sessions, byte-compatible with tinc 1.1 (spec/SPTPS.md): the stream
 * and datagram record layers, the handshake (KEX, SIG) and re-keying (KEX,
 * SIG, ACK), and the datagram replay window.
 *
 * A session is a pure state machine. It does no I/O, reads no clock and
 * draws no randomness of its own: random bytes come from a callback, time
 * comes in as arguments (any monotonic unit the caller likes), and every
 * record it wants sent is handed to a callback with its type, so the daemon
 * can route datagram-mode handshake records (type 128) into REQ_KEY/ANS_KEY
 * and everything else onto UDP or the meta connection.
 *
 * Callers:
 *   - meta connections (stream mode), control-plane thread;
 *   - UDP tunnels (datagram mode): handshake and slow path in the control
 *     plane; the bulk path uses the split functions fl_sptps_seal() /
 *     fl_sptps_open() (sptps_record.h) with a key snapshot
 *     (fl_sptps_keys()), from any worker thread, plus the replay window
 *     (fl_sptps_replay_*) in the in-order stage.
 *
 * Threading: one session is used by one thread at a time (the control
 * plane). The functions in sptps_record.h touch no session state.
 *
 * Callbacks are called synchronously from inside fl_sptps_start(),
 * fl_sptps_receive(), fl_sptps_send() and fl_sptps_force_kex(), in the
 * order tinc makes them. deliver and handshake_done may call fl_sptps_send(),
 * fl_sptps_force_kex() and the queries on the same session (a meta request
 * answered at once, as tinc does); no callback may call fl_sptps_receive()
 * or fl_sptps_free() on it (free it after the outer call returns).
 */
#ifndef FL_CRYPTO_SPTPS_H
#define FL_CRYPTO_SPTPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "crypto/ed25519.h"
#include "crypto/sptps_record.h"
#include "crypto/sptps_replay.h"

#define FL_SPTPS_HANDSHAKE 128 /* record type of KEX, SIG and ACK */
#define FL_SPTPS_MAX_APP_TYPE 127
#define FL_SPTPS_MAX_LABEL 1024 /* tinc labels are 25 + two node names */
#define FL_SPTPS_MAX_BODY 65535 /* stream LEN is 16 bits; datagrams the same */
#define FL_SPTPS_STREAM_OVERHEAD 19 /* LEN(2) + TYPE(1) + tag(16) */
#define FL_SPTPS_DATAGRAM_OVERHEAD 21 /* SEQNO(4) + TYPE(1) + tag(16) */
#define FL_SPTPS_DEFAULT_REPLAYWIN 16 /* bytes; tinc's SPTPS default */
/* fenliu restarts a UDP session once its outgoing seqno reaches this
 * (SPTPS.md §9); sending stops for good at 2^32 (no nonce reuse). */
#define FL_SPTPS_RESTART_SEQNO 0x80000000u

enum fl_sptps_mode {
	FL_SPTPS_STREAM = 0,
	FL_SPTPS_DATAGRAM = 1,
};

enum fl_sptps_err {
	FL_SPTPS_OK = 0,
	FL_SPTPS_ERR_ARG,	 /* bad argument (NULL, oversized label/body, type) */
	FL_SPTPS_ERR_NOMEM,	 /* allocation failed (fl_sptps_new; stream buffer growth) */
	FL_SPTPS_ERR_STATE,	 /* not allowed now: send before keys, re-key while busy */
	FL_SPTPS_ERR_DEAD,	 /* stream receive failed earlier, or session timed out */
	FL_SPTPS_ERR_SHORT,	 /* datagram shorter than 5 (unkeyed) / 21 (keyed) */
	FL_SPTPS_ERR_SEQNO,	 /* unkeyed datagram with seqno != expected */
	FL_SPTPS_ERR_AUTH,	 /* Poly1305 tag mismatch */
	FL_SPTPS_ERR_REPLAY,	 /* replay window: too old, duplicate or not missing */
	FL_SPTPS_ERR_FUTURE,	 /* replay window: far future, dropped */
	FL_SPTPS_ERR_TYPE,	 /* record type > 128 (129 ALERT, 130 CLOSE included) */
	FL_SPTPS_ERR_EARLY,	 /* application record before the handshake finished */
	FL_SPTPS_ERR_KEX,	 /* KEX: wrong length, version, or a peer KEX pending */
	FL_SPTPS_ERR_SIG,	 /* SIG: wrong length or signature does not verify */
	FL_SPTPS_ERR_ECDH,	 /* degenerate peer ephemeral key (stricter than tinc) */
	FL_SPTPS_ERR_ACK,	 /* ACK with a non-empty body */
	FL_SPTPS_ERR_CALLBACK,	 /* a callback returned an error */
	FL_SPTPS_ERR_RANDOM,	 /* the random callback failed */
	FL_SPTPS_ERR_CRYPTO,	 /* OpenSSL/libsodium internal failure */
	FL_SPTPS_ERR_EXHAUSTED,	 /* outgoing seqno space used up: restart the session */
	FL_SPTPS_ERR_TIMEOUT,	 /* handshake deadline passed */
	FL_SPTPS_ERR_LONG,	 /* datagram longer than any valid record */
};

/* Static text for an error code; never NULL. */
const char *fl_sptps_strerror(enum fl_sptps_err err);

/* What a trace callback is shown (tests only: it sees secrets). */
enum fl_sptps_trace {
	FL_SPTPS_TRACE_KDF_SECRET, /* 32-byte ECDH shared secret */
	FL_SPTPS_TRACE_KDF_SEED,   /* PRF seed */
	FL_SPTPS_TRACE_KDF_OUT,	   /* 128 bytes of key material */
	FL_SPTPS_TRACE_KEY_OUT,	   /* 64-byte direction key now used for sending */
	FL_SPTPS_TRACE_KEY_IN,	   /* 64-byte direction key now used for receiving */
};

struct fl_sptps_callbacks {
	/* Fill buf with len random bytes (the session asks for 32 + 32 per
	 * key exchange: KEX nonce, then ephemeral seed). 0 = ok, -1 = fail. */
	int (*random)(void *ctx, uint8_t *buf, size_t len);
	/* One complete record as it goes on the wire (stream: LEN-prefixed;
	 * datagram: SEQNO-prefixed, without tinc's UDP node IDs). type is the
	 * record's TYPE (128 for handshake records), given in clear so the
	 * caller can route it. The buffer is only borrowed. 0 = ok, -1 = fail
	 * (the calling function then returns FL_SPTPS_ERR_CALLBACK). */
	int (*send)(void *ctx, uint8_t type, const uint8_t *rec, size_t len);
	/* An authenticated application record, type 0..127; body borrowed.
	 * 0 = ok, -1 = reject (fatal in stream mode, like tinc). */
	int (*deliver)(void *ctx, uint8_t type, const uint8_t *body, size_t len);
	/* The handshake or a re-key completed; new keys are in use both
	 * ways. (tinc's receive_record(128, empty).) May be NULL. */
	void (*handshake_done)(void *ctx);
	/* Tests only, NULL in the daemon: observe key derivation. */
	void (*trace)(void *ctx, enum fl_sptps_trace what, const uint8_t *data, size_t len);
};

struct fl_sptps_config {
	enum fl_sptps_mode mode;
	bool initiator;
	const struct fl_ed25519_key *own_key;	/* copied */
	const uint8_t *peer_public;		/* FL_ED25519_PUBLIC_LEN bytes, copied */
	const uint8_t *label;			/* copied; include tinc's trailing NUL */
	size_t label_len;			/* 1..FL_SPTPS_MAX_LABEL */
	unsigned replaywin;			/* datagram: bytes, 0 = off, max FL_SPTPS_REPLAY_MAX */
	/* Length of a handshake that the peer started (a re-key), in the
	 * caller's time unit; see fl_sptps_check_deadline(). 0 = no limit. */
	uint64_t rekey_timeout;
	const struct fl_sptps_callbacks *cb;	/* borrowed; must outlive the session */
	void *ctx;				/* passed to every callback */
};

struct fl_sptps;

/* Create a session (nothing is sent yet). Returns NULL with *err set. */
struct fl_sptps *fl_sptps_new(const struct fl_sptps_config *cfg, enum fl_sptps_err *err);

/* Wipe all secrets and free. NULL is fine. */
void fl_sptps_free(struct fl_sptps *s);

/* Send our KEX (both roles, at once). The handshake must complete before
 * deadline (caller's monotonic time), checked by fl_sptps_check_deadline.
 * Callable once. */
enum fl_sptps_err fl_sptps_start(struct fl_sptps *s, uint64_t deadline);

/* Feed received bytes.
 * Stream: consumes at most ONE record (or the part of one that is
 * available) and sets *consumed; call again with the rest. A complete
 * record is processed (delivered, or handed to the handshake) before
 * returning. Any error is fatal to the receive direction: every later call
 * returns FL_SPTPS_ERR_DEAD (sending still works, as in tinc; the caller
 * closes the connection).
 * Datagram: data is one whole datagram; *consumed = len on success. An
 * error drops only that datagram. Keyed datagrams are authenticated, then
 * checked against the replay window, then dispatched. If the tag fails
 * under the current key and the re-key grace is open, the previous key
 * is tried (see fl_sptps_keys()).
 * consumed may be NULL. */
enum fl_sptps_err fl_sptps_receive(struct fl_sptps *s, const uint8_t *data, size_t len,
				   size_t *consumed);

/* Stream: refuse (FL_SPTPS_ERR_LONG) any incoming record whose body is over
 * max_body, as soon as its length field is read and before any of it is
 * buffered; 0 restores the default (FL_SPTPS_MAX_BODY). The meta
 * connection sets a small limit until the peer is authenticated, so an
 * unknown peer cannot make us hold a 64 kB partial record. */
void fl_sptps_set_rx_limit(struct fl_sptps *s, size_t max_body);

/* tinc's sptps_verify_datagram: would this keyed datagram be accepted
 * (replay rule without state change, then tag)? Changes nothing. */
enum fl_sptps_err fl_sptps_verify_datagram(struct fl_sptps *s, const uint8_t *data,
					   size_t len);

/* Seal and send one application record (type 0..127) through cb->send.
 * Needs outgoing keys (after the first handshake). */
enum fl_sptps_err fl_sptps_send(struct fl_sptps *s, uint8_t type, const uint8_t *body,
				size_t len);

/* Start a re-key (tinc's sptps_force_kex). Only when keyed and idle, else
 * FL_SPTPS_ERR_STATE. deadline as for fl_sptps_start(). */
enum fl_sptps_err fl_sptps_force_kex(struct fl_sptps *s, uint64_t deadline);

/* Call from a timer with the current time. If a handshake (first or re-key)
 * is in progress and its deadline has passed, the session is dead and this
 * returns FL_SPTPS_ERR_TIMEOUT (the side left waiting by a peer that failed
 * is released this way). A re-key the peer started gets its deadline at the
 * first call after it began: now + rekey_timeout. */
enum fl_sptps_err fl_sptps_check_deadline(struct fl_sptps *s, uint64_t now);

/* Queries. */
bool fl_sptps_keyed(const struct fl_sptps *s);	   /* may send application records */
bool fl_sptps_handshaking(const struct fl_sptps *s); /* a (re-)key exchange is running */
/* The next outgoing seqno has reached FL_SPTPS_RESTART_SEQNO: restart the
 * UDP session (new REQ_SPTPS_START) or reconnect the meta connection. */
bool fl_sptps_needs_restart(const struct fl_sptps *s);
uint32_t fl_sptps_outseqno(const struct fl_sptps *s);

/* Datagram bulk path (control plane, serialised with the session).
 * Reserve n consecutive outgoing seqnos for records the caller seals itself
 * with fl_sptps_seal(); *first gets the first. FL_SPTPS_ERR_EXHAUSTED if
 * that would pass 2^32, FL_SPTPS_ERR_STATE if not keyed. */
enum fl_sptps_err fl_sptps_reserve(struct fl_sptps *s, uint32_t n, uint32_t *first);

/* Snapshot of the datagram keys (ChaCha20 halves only) for the data plane;
 * take a new one after every handshake_done (epoch counts key
 * installations). prev_in is the incoming key before the last re-key; it
 * may be tried for a datagram whose tag fails under in, but only if
 * prev_valid and its seqno is below prev_in_below (records the peer sent
 * before its ACK), and only application records (type < 128) opened with
 * it count. The grace ends when the caller calls fl_sptps_end_grace() (a
 * few seconds after the re-key, on its timer); the next re-key replaces
 * prev_in with the key it retires. The data plane drops records of type
 * >= 128: tinc sends handshake records over the meta connection only.
 * The snapshot holds secrets: wipe it. */
struct fl_sptps_keys {
	uint8_t out[FL_SPTPS_KEY_LEN];
	uint8_t in[FL_SPTPS_KEY_LEN];
	uint8_t prev_in[FL_SPTPS_KEY_LEN];
	uint32_t prev_in_below;
	uint32_t epoch;
	bool out_valid, in_valid, prev_valid;
	/* During a re-key, between our ACK and the peer's: the incoming key
	 * the peer's ACK will install. The peer seals with it as soon as it
	 * has sent that ACK, and its datagrams may overtake the ACK (UDP
	 * against the meta connection), so a datagram whose tag fails under
	 * in (and prev_in) may be tried under next_in. Receiver side only. */
	uint8_t next_in[FL_SPTPS_KEY_LEN];
	bool next_valid;
};
void fl_sptps_keys(const struct fl_sptps *s, struct fl_sptps_keys *k);
/* Only the outgoing key (what fl_sptps_keys gives as out / out_valid):
 * a seal per packet needs nothing else. false (out untouched) if there
 * is none. */
bool fl_sptps_out_key(const struct fl_sptps *s, uint8_t out[static FL_SPTPS_KEY_LEN]);
void fl_sptps_end_grace(struct fl_sptps *s);

/* The session's replay window, for the in-order stage of the data plane
 * (fl_sptps_replay_update after fl_sptps_open succeeded). */
struct fl_sptps_replay *fl_sptps_replay_window(struct fl_sptps *s);

/* Test drivers only: set the next outgoing seqno (tinc vectors' outseqno). */
void fl_sptps_set_outseqno(struct fl_sptps *s, uint32_t seqno);

#endif
