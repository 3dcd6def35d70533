/* SPDX-License-Identifier: MIT */
/*
 * Framing of a meta connection's byte stream (spec/META.md §2.2, §5.17,
 * §5.20), without sockets or crypto: the connection (fld_meta.c) feeds it
 * every byte it reads and it splits them into
 *   - the peer's plaintext ID line (the only plaintext request),
 *   - SPTPS stream bytes, handed to the session through cb->sptps_in (which
 *     consumes at most one record per call),
 *   - requests: application records of the session, one request each,
 *     delivered back through fl_meta_frame_record() by the session's
 *     deliver callback, passed on to cb->request without the newline,
 *   - the packet record that follows `17 LEN` (cb->packet),
 *   - the LEN raw bytes written onto the TCP stream after the record
 *     `21 LEN`, outside SPTPS (cb->sptps_packet).
 * Called by the control thread only; one frame state per connection.
 */
#ifndef FL_DAEMON_META_FRAME_H
#define FL_DAEMON_META_FRAME_H

#include <stddef.h>
#include <stdint.h>

/* tinc's MAXBUFSIZE for a 1518 MTU build: no ID line or request is longer. */
#define FL_META_MAXLINE 2176
/* Largest SPTPS_PACKET we keep; longer ones are read and dropped. */
#define FL_META_RAW_MAX 2048
/* Largest PACKET body tinc accepts (MAXSIZE - 12). */
#define FL_META_PACKET_MAX 1661

enum fl_meta_frame_err {
	FL_META_OK = 0,
	FL_META_ERR_LINE_TOO_LONG, /* ID line or request over FL_META_MAXLINE */
	FL_META_ERR_BAD_LENGTH,	   /* `17`/`21` length missing, negative or not 16-bit */
	FL_META_ERR_SHORT_RELAY,   /* `21 LEN` with LEN < 12 */
	FL_META_ERR_PACKET_LEN,	   /* PACKET record length differs from LEN */
	FL_META_ERR_SPTPS,	   /* the SPTPS session rejected the stream */
	FL_META_ERR_CALLBACK,	   /* a callback refused (protocol error upstream) */
	FL_META_ERR_EMPTY,	   /* an empty request line */
};

const char *fl_meta_frame_strerror(enum fl_meta_frame_err err);

struct fl_meta_frame_cb {
	/* The peer's ID line, without the newline, NUL-terminated. 0 = go on
	 * (later bytes are SPTPS), -1 = close. */
	int (*id_line)(void *ctx, const char *line, size_t len);
	/* Feed stream bytes to the SPTPS session: consume at most one record,
	 * set *consumed. 0 = ok, -1 = session error (close). */
	int (*sptps_in)(void *ctx, const uint8_t *data, size_t len, size_t *consumed);
	/* One request, newline stripped, NUL-terminated. 0 / -1 = close. */
	int (*request)(void *ctx, const char *line, size_t len);
	/* The packet that followed `17 LEN` (len == LEN). Oversized ones
	 * (LEN > FL_META_PACKET_MAX) are dropped here and not passed on. */
	int (*packet)(void *ctx, const uint8_t *pkt, size_t len);
	/* The raw bytes after `21 LEN` (dst ID, src ID, SPTPS datagram). */
	int (*sptps_packet)(void *ctx, const uint8_t *data, size_t len);
};

struct fl_meta_frame {
	const struct fl_meta_frame_cb *cb; /* borrowed */
	void *ctx;
	int id_done;		   /* ID line seen: bytes go to SPTPS now */
	size_t line_len;	   /* bytes of the ID line held */
	long packet_want;	   /* >= 0: next record is a PACKET of this length */
	size_t raw_want, raw_have; /* raw SPTPS_PACKET bytes expected / held */
	unsigned long dropped;	   /* oversized packets dropped */
	enum fl_meta_frame_err err; /* why a record callback failed */
	char line[FL_META_MAXLINE + 1];
	uint8_t raw[FL_META_RAW_MAX];
};

void fl_meta_frame_init(struct fl_meta_frame *f, const struct fl_meta_frame_cb *cb, void *ctx);

/* Bytes read from the TCP socket, in order. FL_META_OK or the reason to
 * close the connection. */
enum fl_meta_frame_err fl_meta_frame_input(struct fl_meta_frame *f, const uint8_t *data,
					   size_t len);

/* From the SPTPS deliver callback: one application record (any type 0..127,
 * as tinc does not check it). Returns 0 or -1 (the session then fails, so
 * fl_meta_frame_input reports the error). *err tells why when -1. */
int fl_meta_frame_record(struct fl_meta_frame *f, const uint8_t *body, size_t len,
			 enum fl_meta_frame_err *err);

/* Parse the length of `17 LEN` / `21 LEN` requests: returns the length
 * (0..32767) or -1. Exposed for tests. */
long fl_meta_frame_length(const char *line, size_t len);

#endif
