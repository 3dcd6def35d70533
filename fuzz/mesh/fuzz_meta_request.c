/* SPDX-License-Identifier: MIT */
/*
 * fuzz_meta_request.c: libFuzzer target for the meta request parser. Every
 * accepted line must print, and the printed line must parse to the same
 * text again (a fixed point).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mesh/mesh_request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mesh_req a, b;
	static char out1[MESH_LINE_MAX + 1], out2[MESH_LINE_MAX + 1];
	int n1, n2;

	if (mesh_req_parse(&a, (const char *)data, size) != MESH_REQ_OK)
		return 0;
	n1 = mesh_req_format(&a, out1, sizeof(out1));
	if (n1 < 0)
		return 0;	/* e.g. CONTROL: parsed but never sent by us */
	if (mesh_req_parse(&b, out1, (size_t)n1) != MESH_REQ_OK)
		abort();
	n2 = mesh_req_format(&b, out2, sizeof(out2));
	if (n2 != n1 || memcmp(out1, out2, (size_t)n1))
		abort();
	return 0;
}
