/* SPDX-License-Identifier: MIT */
/*
 * wire_err.h: error codes of the pure packet layer (src/wire).
 * Every parser and builder in src/wire returns one of these; callers add
 * context (which node, which device) and count drops by reason.
 */
#ifndef FL_WIRE_ERR_H
#define FL_WIRE_ERR_H

enum fl_wire_err {
	FL_WIRE_OK = 0,
	FL_WIRE_SHORT,        /* fewer bytes than the layout needs */
	FL_WIRE_TOO_LONG,     /* more bytes than the layout allows */
	FL_WIRE_TRAILING,     /* length fields say less than the buffer holds */
	FL_WIRE_BAD_VERSION,  /* IP version nibble not 4 or 6 */
	FL_WIRE_BAD_ETHERTYPE,/* frame is neither IPv4 nor IPv6 */
	FL_WIRE_BAD_HEADER,   /* header field out of range (IHL, length) */
	FL_WIRE_NO_ROOM,      /* output buffer or headroom too small */
	FL_WIRE_EXPIRED,      /* TTL / hop limit reached zero */
	FL_WIRE_CANNOT_FRAG,  /* IPv4 packet with options or bad length */
	FL_WIRE_BAD_LEVEL,    /* compression level not 0..12 */
	FL_WIRE_DECOMPRESS,   /* decompressor failed or produced nothing */
	FL_WIRE_COMPRESS,     /* compressor failed or did not shrink */
	FL_WIRE_ERR_MAX
};

/* Static English text for an error code; never NULL. */
const char *fl_wire_strerror(enum fl_wire_err err);

#endif
