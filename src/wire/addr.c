/* SPDX-License-Identifier: MIT */
/*
 * addr.c: helpers for union fl_addr (see addr.h). Called by the dataplane
 * (peer address lookup and comparison) and io (receive addresses).
 */
#include "wire/addr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

socklen_t fl_addr_len(const union fl_addr *a)
{
	switch (a->sa.sa_family) {
	case AF_INET:
		return sizeof(struct sockaddr_in);
	case AF_INET6:
		return sizeof(struct sockaddr_in6);
	default:
		return 0;
	}
}

void fl_addr_unmap(union fl_addr *a)
{
	struct sockaddr_in in;

	if (a->sa.sa_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&a->in6.sin6_addr))
		return;
	memset(&in, 0, sizeof(in));
	in.sin_family = AF_INET;
	in.sin_port = a->in6.sin6_port;
	memcpy(&in.sin_addr, a->in6.sin6_addr.s6_addr + 12, 4);
	memset(a, 0, sizeof(*a));
	a->in = in;
}

bool fl_addr_equal_host(const union fl_addr *a, const union fl_addr *b)
{
	if (a->sa.sa_family != b->sa.sa_family)
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_addr.s_addr == b->in.sin_addr.s_addr;
	if (a->sa.sa_family == AF_INET6)
		return memcmp(&a->in6.sin6_addr, &b->in6.sin6_addr, 16) == 0 &&
		       a->in6.sin6_scope_id == b->in6.sin6_scope_id;
	return false;
}

bool fl_addr_equal(const union fl_addr *a, const union fl_addr *b)
{
	if (!fl_addr_equal_host(a, b))
		return false;
	if (a->sa.sa_family == AF_INET)
		return a->in.sin_port == b->in.sin_port;
	return a->in6.sin6_port == b->in6.sin6_port;
}

uint32_t fl_addr_hash(const union fl_addr *a)
{
	/* FNV-1a over the bytes that fl_addr_equal compares. */
	const uint8_t *p;
	size_t n;
	uint32_t h = 2166136261u ^ a->sa.sa_family;
	uint16_t port;

	if (a->sa.sa_family == AF_INET) {
		p = (const uint8_t *)&a->in.sin_addr;
		n = 4;
		port = a->in.sin_port;
	} else if (a->sa.sa_family == AF_INET6) {
		p = a->in6.sin6_addr.s6_addr;
		n = 16;
		port = a->in6.sin6_port;
	} else {
		return h;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	h = (h ^ (port & 0xff)) * 16777619u;
	h = (h ^ (port >> 8)) * 16777619u;
	return h;
}

char *fl_addr_str(const union fl_addr *a, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (a->sa.sa_family == AF_INET) {
		inet_ntop(AF_INET, &a->in.sin_addr, host, sizeof(host));
		port = ntohs(a->in.sin_port);
	} else if (a->sa.sa_family == AF_INET6) {
		inet_ntop(AF_INET6, &a->in6.sin6_addr, host, sizeof(host));
		port = ntohs(a->in6.sin6_port);
	}
	snprintf(buf, size, "%s port %u", host, port);
	return buf;
}

bool fl_addr_parse(union fl_addr *a, const char *host, uint16_t port)
{
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, host, &a->in.sin_addr) == 1) {
		a->in.sin_family = AF_INET;
		a->in.sin_port = htons(port);
		return true;
	}
	if (inet_pton(AF_INET6, host, &a->in6.sin6_addr) == 1) {
		a->in6.sin6_family = AF_INET6;
		a->in6.sin6_port = htons(port);
		return true;
	}
	return false;
}
