/* SPDX-License-Identifier: MIT */
/*
 * dhcp_msg.h: DHCP messages (RFC 2131, options RFC 2132, long options RFC
 * 3396) as a client sees them: parse a server's BOOTREPLY, build the
 * client's DISCOVER, REQUEST (each RFC 2131 4.3.2 form), DECLINE and
 * RELEASE, and wrap/unwrap the IPv4+UDP header a DHCP client on a raw
 * device (a TAP) has to write and check itself.
 *
 * Pure: no I/O, no clock, no globals. Addresses are host-order uint32_t.
 * Callers: src/l2/dhcp_client.c, tests/l2/test_dhcp.c, fuzz/l2/fuzz_dhcp.c,
 * tools/dhcp_probe.c.
 */
#ifndef FL_WIRE_DHCP_MSG_H
#define FL_WIRE_DHCP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FL_DHCP_SERVER_PORT 67
#define FL_DHCP_CLIENT_PORT 68
#define FL_DHCP_MAGIC 0x63825363u
#define FL_DHCP_FIXED_LEN 236u	/* op .. file, before the magic cookie */
#define FL_DHCP_MIN_LEN 240u	/* fixed part + magic cookie */
/* Largest message parsed: a UDP payload in one Ethernet frame is at most
 * 1472 bytes; option 57 lets a server send more only if we ask, and we
 * never do, so anything longer is refused rather than walked. */
#define FL_DHCP_MAX_LEN 1472u
/* Built messages are padded to BOOTP's 300 bytes (some relays drop less)
 * and never exceed 576 - 28, the size every server must accept. */
#define FL_DHCP_BUILD_MIN 300u
#define FL_DHCP_BUILD_MAX 548u
#define FL_DHCP_MAX_ADDRS 4u	/* routers / DNS servers kept from a list */
#define FL_DHCP_MSG_TEXT 64u	/* option 56 (a NAK's reason), printable */
/* IPv4 (no options) + UDP header in front of a DHCP payload. */
#define FL_DHCP_IPUDP_LEN 28u

enum fl_dhcp_type {
	FL_DHCP_NONE = 0,	/* plain BOOTP: no option 53 */
	FL_DHCP_DISCOVER = 1,
	FL_DHCP_OFFER = 2,
	FL_DHCP_REQUEST = 3,
	FL_DHCP_DECLINE = 4,
	FL_DHCP_ACK = 5,
	FL_DHCP_NAK = 6,
	FL_DHCP_RELEASE = 7,
	FL_DHCP_INFORM = 8,
};

enum fl_dhcp_err {
	FL_DHCP_OK = 0,
	FL_DHCP_SHORT,		/* fewer than 240 bytes */
	FL_DHCP_TOO_LONG,	/* more than FL_DHCP_MAX_LEN bytes */
	FL_DHCP_BAD_OP,		/* op neither BOOTREQUEST nor BOOTREPLY */
	FL_DHCP_BAD_HLEN,	/* hardware address longer than chaddr */
	FL_DHCP_BAD_COOKIE,	/* magic cookie is not 99.130.83.99 */
	FL_DHCP_OPT_TRUNC,	/* an option's length runs past its area */
	FL_DHCP_OPT_NO_END,	/* an option area without its End option */
	FL_DHCP_OPT_BAD,	/* a known option with a wrong length or value */
	FL_DHCP_BAD_OVERLOAD,	/* option 52 not 1, 2 or 3 */
	FL_DHCP_BAD_TYPE,	/* option 53 outside 1..8 */
	FL_DHCP_NO_ROOM,	/* output buffer too small */
	FL_DHCP_BAD_IP,		/* IPv4 header: version, IHL, length, fragment */
	FL_DHCP_NOT_DHCP,	/* not UDP to the client port */
	FL_DHCP_BAD_CSUM,	/* IPv4 or UDP checksum wrong */
	FL_DHCP_ERR_MAX
};

/* Static English text for an error code; never NULL. */
const char *fl_dhcp_strerror(enum fl_dhcp_err err);

/* What a client needs from a server's message. Lists longer than
 * FL_DHCP_MAX_ADDRS keep their first entries. has_* say which options
 * were present; a missing option leaves its field 0. */
struct fl_dhcp_msg {
	uint8_t op, htype, hlen;
	uint32_t xid;
	uint16_t secs, flags;
	uint32_t ciaddr, yiaddr, siaddr, giaddr;
	uint8_t chaddr[16];
	enum fl_dhcp_type type;
	uint8_t overload;	/* option 52: 1 file, 2 sname, 3 both */
	bool has_server_id, has_mask, has_lease, has_t1, has_t2, has_mtu;
	uint32_t server_id;	/* option 54 */
	uint32_t requested_ip;	/* option 50 (in what a client sends) */
	uint32_t mask;		/* option 1, contiguous */
	uint32_t lease_s, t1_s, t2_s;	/* options 51, 58, 59 */
	uint16_t mtu;		/* option 26, >= 68 */
	uint8_t n_router, n_dns;
	uint32_t router[FL_DHCP_MAX_ADDRS];	/* option 3 */
	uint32_t dns[FL_DHCP_MAX_ADDRS];	/* option 6 */
	char text[FL_DHCP_MSG_TEXT];	/* option 56, non-printables as '?' */
};

/* Parse one DHCP/BOOTP message (a UDP payload). Out is cleared first.
 * Options split across instances or areas are joined as RFC 3396 says;
 * the sname and file fields are read for options only when option 52
 * says so. Either op is accepted (tests parse what we built); the client
 * checks op, xid and chaddr itself. */
enum fl_dhcp_err fl_dhcp_parse(const uint8_t *buf, size_t len, struct fl_dhcp_msg *out);

/* What the client sends. Zero fields are left out: requested_ip is
 * option 50, server_id option 54, ciaddr the header field. */
struct fl_dhcp_req {
	enum fl_dhcp_type type;	/* DISCOVER, REQUEST, DECLINE or RELEASE */
	uint32_t xid;
	uint16_t secs;
	bool broadcast;		/* ask the server to broadcast its reply */
	uint8_t mac[6];
	uint32_t ciaddr;
	uint32_t requested_ip;
	uint32_t server_id;
};

/* Build req into out[0..cap): the BOOTP header, the cookie, options 53,
 * 61 (client id: type 1 + MAC), 50, 54, 55 (the parameters we use: not in
 * DECLINE/RELEASE, which want no reply) and End, padded to 300 bytes. */
enum fl_dhcp_err fl_dhcp_build(const struct fl_dhcp_req *req, uint8_t *out, size_t cap,
			       size_t *len);

/* Put an IPv4 + UDP header (28 bytes, ports 68 -> 67, TTL 64, checksums
 * filled) in front of the len-byte DHCP payload already at
 * out[FL_DHCP_IPUDP_LEN]. *total gets the packet's length. */
enum fl_dhcp_err fl_dhcp_ip_wrap(uint32_t src, uint32_t dst, uint8_t *out, size_t cap,
				 size_t len, size_t *total);

/* Check that an IPv4 packet is an unfragmented UDP datagram to port 68
 * with good lengths and checksums; *payload and *plen give its DHCP
 * payload (inside pkt) and *src the sender's address. */
enum fl_dhcp_err fl_dhcp_ip_unwrap(const uint8_t *pkt, size_t len, const uint8_t **payload,
				   size_t *plen, uint32_t *src);

/* Prefix length of a contiguous netmask; -1 if it is not contiguous. */
int fl_dhcp_mask_len(uint32_t mask);

#endif
