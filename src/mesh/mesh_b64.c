/*
 * mesh_b64.c: tinc-b64 encode/decode (META.md §2.3, KEYS.md §1.3). Pure;
 * called by mesh_proto.c and mesh_key.c.
 */
#include "mesh/mesh_b64.h"

static const char alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int mesh_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	size_t o = 0;

	if (cap < MESH_B64_LEN(n) + 1)
		return -1;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = in[i];
		size_t chars = 2;

		if (i + 1 < n) {
			v |= (uint32_t)in[i + 1] << 8;
			chars = 3;
		}
		if (i + 2 < n) {
			v |= (uint32_t)in[i + 2] << 16;
			chars = 4;
		}
		for (size_t c = 0; c < chars; c++)
			out[o++] = alphabet[(v >> (6 * c)) & 63];
	}
	out[o] = '\0';
	return (int)o;
}

static int value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

size_t mesh_b64_decode(const char *in, size_t len, uint8_t *out, size_t cap)
{
	size_t o = 0, need = len / 4 * 3 + (len % 4 == 3 ? 2 : len % 4 == 2);
	uint32_t v = 0;

	if (len == 0 || need > cap)
		return 0;
	for (size_t i = 0; i < len; i++) {
		int x = value(in[i]);

		if (x < 0)
			return 0;
		v |= (uint32_t)x << (6 * (i % 4));
		if (i % 4 == 3) {
			out[o++] = (uint8_t)v;
			out[o++] = (uint8_t)(v >> 8);
			out[o++] = (uint8_t)(v >> 16);
			v = 0;
		}
	}
	if (len % 4 >= 2)
		out[o++] = (uint8_t)v;
	if (len % 4 == 3)
		out[o++] = (uint8_t)(v >> 8);
	return o;
}
