/* SPDX-License-Identifier: MIT */
/*
 * addr.h: a socket address that holds IPv4 or IPv6 (the peers' UDP
 * addresses in the dataplane, source addresses from recvmmsg in io), with
 * pure helpers. IPv4-mapped IPv6 addresses are turned into plain IPv4
 * before any comparison (spec/UDP.md §3.1).
 */
#ifndef FL_WIRE_ADDR_H
#define FL_WIRE_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

union fl_addr {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
};

/* sizeof the family's sockaddr, 0 for AF_UNSPEC/unknown. */
socklen_t fl_addr_len(const union fl_addr *a);
/* ::ffff:a.b.c.d → a.b.c.d (same port); others unchanged. */
void fl_addr_unmap(union fl_addr *a);
/* Same family, address and port (IPv6 scope id included). */
bool fl_addr_equal(const union fl_addr *a, const union fl_addr *b);
/* Same family and address, port ignored. */
bool fl_addr_equal_host(const union fl_addr *a, const union fl_addr *b);
/* A hash of family, address and port for lookup tables. */
uint32_t fl_addr_hash(const union fl_addr *a);
/* "192.0.2.1 port 655" / "2001:db8::1 port 655" into buf (always
 * terminated); returns buf. */
char *fl_addr_str(const union fl_addr *a, char *buf, size_t size);
/* Build from a numeric address string and port; false if not numeric. */
bool fl_addr_parse(union fl_addr *a, const char *host, uint16_t port);

#endif
