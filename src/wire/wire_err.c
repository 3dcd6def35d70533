/* SPDX-License-Identifier: MIT */
/*
 * wire_err.c: text for enum fl_wire_err. Used by log lines in the
 * dataplane and daemon; no state.
 */
#include "wire/wire_err.h"

const char *fl_wire_strerror(enum fl_wire_err err)
{
	static const char *const text[FL_WIRE_ERR_MAX] = {
		[FL_WIRE_OK] = "success",
		[FL_WIRE_SHORT] = "packet too short",
		[FL_WIRE_TOO_LONG] = "packet too long",
		[FL_WIRE_TRAILING] = "trailing bytes after packet",
		[FL_WIRE_BAD_VERSION] = "unknown IP version",
		[FL_WIRE_BAD_ETHERTYPE] = "unknown ethertype",
		[FL_WIRE_BAD_HEADER] = "malformed header",
		[FL_WIRE_NO_ROOM] = "no room in buffer",
		[FL_WIRE_EXPIRED] = "TTL expired",
		[FL_WIRE_CANNOT_FRAG] = "packet cannot be fragmented",
		[FL_WIRE_BAD_LEVEL] = "unknown compression level",
		[FL_WIRE_DECOMPRESS] = "decompression failed",
		[FL_WIRE_COMPRESS] = "compression failed or did not shrink",
	};
	if ((unsigned)err >= FL_WIRE_ERR_MAX || !text[err])
		return "unknown error";
	return text[err];
}
