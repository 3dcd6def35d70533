/* SPDX-License-Identifier: MIT */
/* ctl.h: control protocol constants and the records the daemon hands to the
 * control server for dumps (CONFIG.md §5). Shared by the server
 * (ctl_session.c), the dump formatter (ctl_dump.c) and the CLI. */
#ifndef FL_CTL_H
#define FL_CTL_H

#include <stdbool.h>
#include <stddef.h>

/* Meta-protocol request numbers used on the control socket. */
enum { FL_CTL_ID = 0, FL_CTL_ACK = 4, FL_CTL_CONTROL = 18 };

#define FL_CTL_VERSION 0
#define FL_CTL_PROTOCOL "17.7"
#define FL_CTL_COOKIE_LEN 64 /* hex characters */
#define FL_CTL_LINE_MAX 4096

enum fl_ctl_req {
	FL_REQ_INVALID = -1,
	FL_REQ_STOP = 0,
	FL_REQ_RELOAD = 1,
	FL_REQ_RESTART = 2,
	FL_REQ_DUMP_NODES = 3,
	FL_REQ_DUMP_EDGES = 4,
	FL_REQ_DUMP_SUBNETS = 5,
	FL_REQ_DUMP_CONNECTIONS = 6,
	FL_REQ_DUMP_GRAPH = 7,
	FL_REQ_PURGE = 8,
	FL_REQ_SET_DEBUG = 9,
	FL_REQ_RETRY = 10,
	FL_REQ_CONNECT = 11,
	FL_REQ_DISCONNECT = 12,
	FL_REQ_DUMP_TRAFFIC = 13,
	FL_REQ_PCAP = 14,
	FL_REQ_LOG = 15,
	/* fenliu's own requests: tinc uses 0-15; "18 64" is answered by tincd
	 * with "18 -1". */
	FL_REQ_DUMP_ROUTES = 64, /* "18 64 PREFIX NODE" per local route, then "18 64" */
	FL_REQ_DUMP_STATS = 65,  /* "18 65 SCOPE NAME VALUE" per counter, then "18 65" */
	FL_REQ_DUMP_OFFLOAD = 66, /* "18 66 TEXT" per line of `dump offload`, then "18 66" */
	FL_REQ_DUMP_NAT = 67,     /* "18 67 TEXT" per line of `dump nat`, then "18 67" */
	FL_REQ_DUMP_NEIGHBOURS = 68, /* "18 68 IFACE ADDR MAC STATE" per ARP/NDP entry, then "18 68" */
};

/* Node status bits as tinc's CLI decodes them (CONFIG.md §5.3). */
enum {
	FL_NODE_VALIDKEY = 0x0002,
	FL_NODE_WAITINGFORKEY = 0x0004,
	FL_NODE_VISITED = 0x0008,
	FL_NODE_REACHABLE = 0x0010,
	FL_NODE_INDIRECT = 0x0020,
	FL_NODE_SPTPS = 0x0040,
	FL_NODE_UDP_CONFIRMED = 0x0080,
	FL_NODE_SEND_LOCALLY = 0x0100,
	FL_NODE_UDPPACKET = 0x0200,
	FL_NODE_VALIDKEY_IN = 0x0400,
	FL_NODE_HAS_ADDRESS = 0x0800,
	FL_NODE_PING_SENT = 0x1000,
};

/* Connection status bits. */
enum {
	FL_CONN_PINGED = 0x0001,
	FL_CONN_CONNECTING = 0x0004,
	FL_CONN_MST = 0x0100,
	FL_CONN_CONTROL = 0x0200,
	FL_CONN_PCAP = 0x0400,
	FL_CONN_LOG = 0x0800,
	FL_CONN_LOG_COLOR = 0x1000,
};

/* Node options bits (META.md): used by `info`. */
enum {
	FL_OPTION_INDIRECT = 0x0001,
	FL_OPTION_TCPONLY = 0x0002,
	FL_OPTION_PMTU_DISCOVERY = 0x0004,
	FL_OPTION_CLAMP_MSS = 0x0008,
};

/* Records for dumps. Strings are borrowed for the duration of the emit
 * call. Addresses are the three-token text "HOST port PORT" split into
 * host and port (e.g. "MYSELF"/"655", "unknown"/"unknown"). */
struct fl_ctl_node {
	const char *name;
	const char *id;              /* 12 lower-case hex characters */
	const char *host, *port;
	int cipher, digest;          /* 0 for SPTPS nodes */
	unsigned long maclength;     /* 0 for SPTPS nodes */
	int compression;
	unsigned options, status;
	const char *nexthop, *via;   /* "-" if never set */
	int distance, mtu, minmtu, maxmtu;
	long last_state_change;
	int udp_ping_rtt;            /* microseconds, -1 if none */
	unsigned long long in_packets, in_bytes, out_packets, out_bytes;
};

struct fl_ctl_edge {
	const char *from, *to;
	const char *host, *port;            /* edge address */
	const char *local_host, *local_port;
	unsigned options;
	int weight;
};

struct fl_ctl_subnet {
	const char *subnet;  /* META.md §5.10 text (mesh formats it) */
	const char *owner;   /* NULL = "(broadcast)" */
};

struct fl_ctl_connection {
	const char *name;    /* "<unknown>" before ID, "<control>" for control */
	const char *host, *port;
	unsigned options;
	int socket;
	unsigned status;
};

struct fl_ctl_traffic {
	const char *name;
	unsigned long long in_packets, in_bytes, out_packets, out_bytes;
};

/* Daemon-side dump lines, exactly as tincd writes them, without "\n".
 * Return snprintf's value (>= len means truncated). */
int fl_ctl_format_node(char *out, size_t len, const struct fl_ctl_node *n);
int fl_ctl_format_edge(char *out, size_t len, const struct fl_ctl_edge *e);
int fl_ctl_format_subnet(char *out, size_t len, const struct fl_ctl_subnet *s);
int fl_ctl_format_connection(char *out, size_t len, const struct fl_ctl_connection *c);
int fl_ctl_format_traffic(char *out, size_t len, const struct fl_ctl_traffic *t);

#endif
