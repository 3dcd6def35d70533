/* SPDX-License-Identifier: MIT */
/*
 * dgram.c: parse and build the node-ID prefix of tinc 1.1 UDP payloads
 * (spec/UDP.md §1.2). Called by the dataplane's receive and send paths.
 */
#include "wire/dgram.h"

#include <string.h>

#include "wire/csum.h"

bool fl_node_id_is_zero(const uint8_t id[static FL_NODE_ID_LEN])
{
	uint8_t acc = 0;

	for (size_t i = 0; i < FL_NODE_ID_LEN; i++)
		acc |= id[i];
	return acc == 0;
}

enum fl_wire_err fl_dgram_parse(const uint8_t *buf, size_t len, struct fl_dgram *out)
{
	memset(out, 0, sizeof(*out));
	if (len < FL_UDP_MIN_PAYLOAD)
		return FL_WIRE_SHORT;
	if (len > FL_MAXSIZE)
		return FL_WIRE_TOO_LONG;
	out->dstid = buf;
	out->srcid = buf + FL_NODE_ID_LEN;
	out->rec = buf + FL_DGRAM_PREFIX_LEN;
	out->rec_len = len - FL_DGRAM_PREFIX_LEN;
	out->direct = fl_node_id_is_zero(buf);
	return FL_WIRE_OK;
}

enum fl_wire_err fl_dgram_push_prefix(struct fl_pkt *p, const uint8_t *dstid,
				      const uint8_t srcid[static FL_NODE_ID_LEN])
{
	uint8_t *h = fl_pkt_push(p, FL_DGRAM_PREFIX_LEN);

	if (!h)
		return FL_WIRE_NO_ROOM;
	if (dstid)
		memcpy(h, dstid, FL_NODE_ID_LEN);
	else
		memset(h, 0, FL_NODE_ID_LEN);
	memcpy(h + FL_NODE_ID_LEN, srcid, FL_NODE_ID_LEN);
	return FL_WIRE_OK;
}

uint32_t fl_dgram_seqno(const uint8_t *rec)
{
	return fl_get32(rec);
}
