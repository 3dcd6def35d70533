/* SPDX-License-Identifier: MIT */
/*
 * dp_offload.c: the offload decision and translation of one packet each
 * way (dp_offload.h). Called by the daemon's offload hook
 * (src/daemon/fld_offload.c) from the routing decision for packets of our
 * VPN device, and for every packet read from the offload device.
 */
#include "dataplane/dp_offload.h"

#include <stdlib.h>
#include <string.h>

const char *fl_offload_drop_name(enum fl_offload_drop why)
{
	static const char *const name[FL_OFFLOAD_DROP_MAX] = {
		[FL_OFFLOAD_DROP_NAT_OUT] = "nat_out",
		[FL_OFFLOAD_DROP_NO_MAPPING] = "no_mapping",
		[FL_OFFLOAD_DROP_NOT_OURS] = "not_ours",
		[FL_OFFLOAD_DROP_NAT_IN] = "nat_in",
		[FL_OFFLOAD_DROP_NO_NAT] = "no_nat",
		[FL_OFFLOAD_DROP_BAD] = "bad_packet",
		[FL_OFFLOAD_DROP_TTL] = "ttl",
		[FL_OFFLOAD_DROP_WRITE] = "write",
	};
	return (unsigned)why < FL_OFFLOAD_DROP_MAX ? name[why] : "unknown";
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool in_table(const struct fl_lpm *t, int version, const uint8_t *dst)
{
	if (!t)
		return false;
	return (version == 4 ? fl_lpm_lookup4(t, be32(dst)) : fl_lpm_lookup6(t, dst)) != FL_LPM_NONE;
}

bool fl_offload_match(const struct fl_offload_set *s, int version, const uint8_t *dst)
{
	return s && in_table(s->list, version, dst) && !in_table(s->exclude, version, dst);
}

/* Decrements the IPv4 TTL (checksum patched, RFC 1624) or the IPv6 hop
 * limit. false: it would reach 0, the packet stays untouched. */
static bool hop(uint8_t *ip, int version)
{
	if (version == 6) {
		if (ip[7] <= 1)
			return false;
		ip[7]--;
		return true;
	}
	if (ip[8] <= 1)
		return false;
	ip[8]--;
	/* The TTL is the high byte of word 4, which drops by 0x0100: RFC 1624
	 * eq. 3, HC' = ~(~HC + ~m + m') with ~m + m' = -0x0100 = 0xfeff. */
	uint32_t s = (uint32_t)(uint16_t)~(ip[10] << 8 | ip[11]) + 0xfeff;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	uint16_t ck = (uint16_t)~s;
	ip[10] = (uint8_t)(ck >> 8);
	ip[11] = (uint8_t)ck;
	return true;
}

/* Version and destination of a packet long enough for its fixed header. */
static int version_of(const uint8_t *ip, size_t len)
{
	if (len >= 20 && ip[0] >> 4 == 4)
		return 4;
	if (len >= 40 && ip[0] >> 4 == 6)
		return 6;
	return 0;
}

/* A TCP segment other than an opening SYN whose internal endpoint has a
 * NAT mapping: a connection that began on the offload path. A reload that
 * moves its destination to the VPN applies to new connections; this one
 * stays where its peer knows it (its address is the offload address). */
static bool sticky_tcp(const struct fl_offload *o, const uint8_t *ip, size_t len, int v)
{
	size_t off = v == 4 ? (size_t)(ip[0] & 15) * 4 : 40;

	if ((v == 4 ? ip[9] : ip[6]) != 6 || len < off + 14)
		return false;
	if (v == 4 && (ip[6] & 0x1f) | ip[7]) /* a later fragment: no ports */
		return false;
	if ((ip[off + 13] & 0x12) == 0x02) /* SYN without ACK: a new connection */
		return false;
	uint16_t port;
	memcpy(&port, ip + off, 2);
	if (v == 4) {
		uint32_t src;
		memcpy(&src, ip + 12, 4);
		return o->nat4 && nat_has_int(o->nat4, 6, src, port);
	}
	return o->nat6 && nat6_has_int(o->nat6, 6, ip + 8, port);
}

enum fl_offload_verdict fl_offload_out(struct fl_offload *o, uint8_t *ip, size_t len, fl_time_t now)
{
	const struct fl_offload_set *s = atomic_load_explicit(&o->set, memory_order_acquire);
	int v = version_of(ip, len);

	if (!s || !v)
		return FL_OFFLOAD_PASS;
	o->st.lookups++;
	const uint8_t *dst = ip + (v == 4 ? 16 : 24);
	if (!fl_offload_match(s, v, dst)) {
		if (in_table(s->list, v, dst)) {
			o->st.hits++;
			o->st.excluded++;
		}
		if (!sticky_tcp(o, ip, len, v))
			return FL_OFFLOAD_PASS;
		o->st.sticky++;
	} else {
		o->st.hits++;
	}
	if (v == 4 ? !o->nat4 : !o->nat6) {
		o->st.no_addr++;
		return FL_OFFLOAD_PASS;
	}
	if (!hop(ip, v))
		return FL_OFFLOAD_TTL;
	enum nat_verdict nv = v == 4 ? nat_out(o->nat4, ip, len, now) : nat6_out(o->nat6, ip, len, now);
	if (nv == NAT_TRANSLATED) {
		o->st.out_packets++;
		o->st.out_bytes += len;
		return FL_OFFLOAD_SEND;
	}
	if (nv == NAT_HAIRPIN)
		return FL_OFFLOAD_BACK;
	o->st.drop[FL_OFFLOAD_DROP_NAT_OUT]++;
	return FL_OFFLOAD_DROP;
}

bool fl_offload_would_send(const struct fl_offload *o, const uint8_t *ip, size_t len)
{
	const struct fl_offload_set *s = atomic_load_explicit(&o->set, memory_order_acquire);
	int v = version_of(ip, len);

	if (!s || !v || (v == 4 ? !o->nat4 : !o->nat6) || (v == 4 ? ip[8] : ip[7]) <= 1)
		return false;
	return fl_offload_match(s, v, ip + (v == 4 ? 16 : 24)) || sticky_tcp(o, ip, len, v);
}

enum fl_offload_verdict fl_offload_in(struct fl_offload *o, uint8_t *ip, size_t len, fl_time_t now)
{
	int v = version_of(ip, len);
	enum fl_offload_drop why;

	if (!v) {
		why = FL_OFFLOAD_DROP_BAD;
	} else if (v == 4 ? !o->nat4 : !o->nat6) {
		why = FL_OFFLOAD_DROP_NO_NAT;
	} else {
		enum nat_verdict nv = v == 4 ? nat_in(o->nat4, ip, len, now) : nat6_in(o->nat6, ip, len, now);
		if (nv == NAT_TRANSLATED) {
			o->st.in_packets++;
			o->st.in_bytes += len;
			return FL_OFFLOAD_SEND;
		}
		why = nv == NAT_NO_MAPPING ? FL_OFFLOAD_DROP_NO_MAPPING
		      : nv == NAT_NOT_OURS ? FL_OFFLOAD_DROP_NOT_OURS
					   : FL_OFFLOAD_DROP_NAT_IN;
	}
	o->st.drop[why]++;
	return FL_OFFLOAD_DROP;
}

const struct fl_offload_set *fl_offload_publish(struct fl_offload *o, const struct fl_offload_set *s)
{
	return atomic_exchange_explicit(&o->set, s, memory_order_acq_rel);
}

void fl_offload_set_free(const struct fl_offload_set *s)
{
	if (!s)
		return;
	if (s->list)
		fl_lpm_free(s->list);
	if (s->exclude)
		fl_lpm_free(s->exclude);
	free((void *)s);
}
