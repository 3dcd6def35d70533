/*
 * mesh_b64.h: tinc's own base64 (META.md §2.3, KEYS.md §1.3): little-endian
 * sextets, no padding, '+'/'-' = 62 and '/'/'_' = 63 accepted on input.
 * Used by mesh_proto.c for REQ_KEY/ANS_KEY payloads and public keys.
 */
#ifndef FL_MESH_B64_H
#define FL_MESH_B64_H

#include <stddef.h>
#include <stdint.h>

/* Characters needed for n bytes, without the NUL. */
#define MESH_B64_LEN(n) (((n) * 4 + 2) / 3)

/* Encode n bytes into out (cap >= MESH_B64_LEN(n) + 1). Returns the length or
 * -1 if it does not fit. */
int mesh_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap);
/* Decode len characters; returns the byte count, 0 on any invalid character,
 * empty input or if the result would exceed cap (tinc treats 0 as invalid). */
size_t mesh_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap);

#endif
