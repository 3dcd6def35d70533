/* SPDX-License-Identifier: MIT */
/* conf_settings.h: typed settings with tinc's defaults (CONFIG.md §3.1).
 *
 * fl_settings_load() resolves a checked server tree (fl_conf_read_server)
 * into plain fields; fl_host_settings_load() does the same for a peer's
 * hosts/NAME tree. Strings and string arrays BORROW from the tree: keep the
 * struct fl_conf alive as long as the settings (the daemon keeps both in
 * one reload generation). Free with the matching _free (arrays only).
 */
#ifndef FL_CONF_SETTINGS_H
#define FL_CONF_SETTINGS_H

#include "conf/conf.h"

enum fl_mode { FL_MODE_ROUTER, FL_MODE_SWITCH, FL_MODE_HUB };
enum fl_addr_family { FL_AF_IPV4, FL_AF_IPV6, FL_AF_ANY };
enum fl_forwarding { FL_FWD_OFF, FL_FWD_INTERNAL, FL_FWD_KERNEL };
enum fl_broadcast { FL_BCAST_NO, FL_BCAST_MST, FL_BCAST_DIRECT };
enum fl_priority { FL_PRIO_LOW, FL_PRIO_NORMAL, FL_PRIO_HIGH, FL_PRIO_UNCHANGED };

/* A multi-valued variable, in tinc's order. */
struct fl_strv {
	const char **v;
	size_t n;
};

/* Tri-state booleans from host files: -1 = not set there. */
#define FL_UNSET (-1)

struct fl_settings {
	char name[256];                 /* Name after $VAR expansion */
	const char *port;               /* "655"; may be a service name; "0" = any */
	struct fl_strv connect_to, subnet, bind_to_address, listen_address, broadcast_subnet;
	const char *ed25519_private_key_file;  /* NULL = CONFBASE/ed25519_key.priv */
	const char *ed25519_public_key_file;   /* NULL = hosts/NAME */
	const char *ed25519_public_key;        /* from our own host file, NULL if absent */
	int experimental_protocol;      /* FL_UNSET = auto */
	enum fl_mode mode;
	const char *device_type;        /* NULL = platform default (tun/tap by Mode) */
	const char *device;             /* NULL = /dev/net/tun */
	const char *interface;          /* NULL = netname or kernel's choice */
	bool device_standby, iff_one_queue;
	enum fl_addr_family address_family;
	const char *bind_to_interface;
	int ping_interval, ping_timeout, max_timeout;
	bool autoconnect;
	int key_expire;
	int weight;                     /* FL_UNSET = measured RTT */
	bool indirect_data, tcp_only;
	int pmtu;
	bool pmtu_discovery, clamp_mss;
	int compression;
	enum fl_forwarding forwarding;
	bool decrement_ttl, direct_only;
	enum fl_broadcast broadcast;
	bool strict_subnets, tunnel_server, hostnames, local_discovery, udp_discovery;
	int udp_discovery_keepalive_interval, udp_discovery_interval, udp_discovery_timeout;
	int udp_info_interval, mtu_info_interval;
	int udp_rcvbuf, udp_sndbuf;
	int replay_window;              /* FL_UNSET = 16 for SPTPS (bytes of bitmap) */
	int mac_expire, max_connection_burst, max_output_buffer_size;
	bool priority_inheritance;
	int fwmark;
	enum fl_priority process_priority;
	int log_level;
	const char *scripts_interpreter; /* NULL = none */
	const char *scripts_extension;   /* "" = none */
	const char *proxy;               /* NULL = none; raw text (conf_proxy.h parses it) */
	int invitation_expire;
	int crypto_threads;              /* 0 = one per core */
};

/* Fills s from a checked server tree. Returns FL_CONF_ENOMEM only. */
enum fl_conf_err fl_settings_load(struct fl_settings *s, struct fl_conf *c, const char *name);
void fl_settings_free(struct fl_settings *s);

struct fl_host_settings {
	struct fl_strv address;         /* "HOST [PORT]" lines in file order */
	struct fl_strv subnet;
	const char *port;               /* NULL = not set (Address default 655) */
	const char *ed25519_public_key; /* NULL if absent */
	const char *ed25519_public_key_file;
	int weight, indirect_data, tcp_only, pmtu, clamp_mss; /* FL_UNSET if absent */
};

enum fl_conf_err fl_host_settings_load(struct fl_host_settings *h, struct fl_conf *c);
void fl_host_settings_free(struct fl_host_settings *h);

/* Typed getters over any tree, for variables not in the structs (fenliu's
 * additions made by other parts). They return def when absent. Values are
 * assumed checked (fl_conf_check); a bad one falls back to def. */
bool fl_conf_get_bool(struct fl_conf *c, const char *var, bool def);
int fl_conf_get_int(struct fl_conf *c, const char *var, int def);
const char *fl_conf_get_str(struct fl_conf *c, const char *var, const char *def);
enum fl_conf_err fl_conf_get_strv(struct fl_conf *c, const char *var, struct fl_strv *out);

#endif
