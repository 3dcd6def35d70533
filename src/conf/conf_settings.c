/* SPDX-License-Identifier: MIT */
/* conf_settings.c: resolves checked trees into typed settings with tinc's
 * defaults and clamps (CONFIG.md §3.1). Called by the daemon after each
 * successful read; no I/O. */
#include "conf/conf_settings.h"
#include "conf/conf_vars.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool fl_conf_get_bool(struct fl_conf *c, const char *var, bool def)
{
	const struct fl_conf_entry *e = fl_conf_first(c, var);
	if (!e)
		return def;
	if (strcasecmp(e->value, "yes") == 0)
		return true;
	if (strcasecmp(e->value, "no") == 0)
		return false;
	return def;
}

int fl_conf_get_int(struct fl_conf *c, const char *var, int def)
{
	const struct fl_conf_entry *e = fl_conf_first(c, var);
	if (!e)
		return def;
	char *end;
	long x = strtol(e->value, &end, 10);
	if (end == e->value || x < -2147483647L - 1 || x > 2147483647L)
		return def;
	return (int)x;
}

const char *fl_conf_get_str(struct fl_conf *c, const char *var, const char *def)
{
	const struct fl_conf_entry *e = fl_conf_first(c, var);
	return e ? e->value : def;
}

enum fl_conf_err fl_conf_get_strv(struct fl_conf *c, const char *var, struct fl_strv *out)
{
	size_t n = fl_conf_count(c, var);
	out->v = NULL;
	out->n = 0;
	if (n == 0)
		return FL_CONF_OK;
	out->v = calloc(n, sizeof(*out->v));
	if (!out->v)
		return FL_CONF_ENOMEM;
	for (const struct fl_conf_entry *e = fl_conf_first(c, var); e; e = fl_conf_next(c, e))
		out->v[out->n++] = e->value;
	return FL_CONF_OK;
}

/* Keyword index in the variable's word list, or def when absent/bad. */
static int get_word(struct fl_conf *c, const char *var, int def)
{
	const struct fl_conf_entry *e = fl_conf_first(c, var);
	if (!e)
		return def;
	int i = fl_var_word(fl_var_find(var), e->value);
	return i < 0 ? def : i;
}

static int tri(struct fl_conf *c, const char *var)
{
	if (!fl_conf_first(c, var))
		return FL_UNSET;
	return fl_conf_get_bool(c, var, false);
}

static void load_timers(struct fl_settings *s, struct fl_conf *c)
{
	s->ping_interval = fl_conf_get_int(c, "PingInterval", 60);
	if (s->ping_interval < 1)
		s->ping_interval = 86400;
	s->ping_timeout = fl_conf_get_int(c, "PingTimeout", 5);
	if (s->ping_timeout < 1 || s->ping_timeout > s->ping_interval)
		s->ping_timeout = s->ping_interval;
	s->max_timeout = fl_conf_get_int(c, "MaxTimeout", 900);
	s->key_expire = fl_conf_get_int(c, "KeyExpire", 3600);
	s->udp_discovery_keepalive_interval = fl_conf_get_int(c, "UDPDiscoveryKeepaliveInterval", 10);
	s->udp_discovery_interval = fl_conf_get_int(c, "UDPDiscoveryInterval", 2);
	s->udp_discovery_timeout = fl_conf_get_int(c, "UDPDiscoveryTimeout", 30);
	s->udp_info_interval = fl_conf_get_int(c, "UDPInfoInterval", 5);
	s->mtu_info_interval = fl_conf_get_int(c, "MTUInfoInterval", 5);
	s->mac_expire = fl_conf_get_int(c, "MACExpire", 600);
	s->invitation_expire = fl_conf_get_int(c, "InvitationExpire", 604800);
}

static void load_flags(struct fl_settings *s, struct fl_conf *c)
{
	s->device_standby = fl_conf_get_bool(c, "DeviceStandby", false);
	s->iff_one_queue = fl_conf_get_bool(c, "IffOneQueue", false);
	s->autoconnect = fl_conf_get_bool(c, "AutoConnect", true);
	s->tcp_only = fl_conf_get_bool(c, "TCPOnly", false);
	/* TCPOnly implies IndirectData and turns PMTU discovery off. */
	s->indirect_data = s->tcp_only || fl_conf_get_bool(c, "IndirectData", false);
	s->pmtu_discovery = !s->tcp_only && fl_conf_get_bool(c, "PMTUDiscovery", true);
	s->clamp_mss = fl_conf_get_bool(c, "ClampMSS", true);
	s->decrement_ttl = fl_conf_get_bool(c, "DecrementTTL", false);
	s->direct_only = fl_conf_get_bool(c, "DirectOnly", false);
	s->tunnel_server = fl_conf_get_bool(c, "TunnelServer", false);
	s->strict_subnets = s->tunnel_server || fl_conf_get_bool(c, "StrictSubnets", false);
	s->hostnames = fl_conf_get_bool(c, "Hostnames", false);
	s->local_discovery = fl_conf_get_bool(c, "LocalDiscovery", true);
	s->udp_discovery = fl_conf_get_bool(c, "UDPDiscovery", true);
	s->priority_inheritance = fl_conf_get_bool(c, "PriorityInheritance", false);
	s->experimental_protocol = tri(c, "ExperimentalProtocol");
}

static void load_misc(struct fl_settings *s, struct fl_conf *c)
{
	s->port = fl_conf_get_str(c, "Port", "655");
	s->ed25519_private_key_file = fl_conf_get_str(c, "Ed25519PrivateKeyFile", NULL);
	s->ed25519_public_key_file = fl_conf_get_str(c, "Ed25519PublicKeyFile", NULL);
	s->ed25519_public_key = fl_conf_get_str(c, "Ed25519PublicKey", NULL);
	s->mode = (enum fl_mode)get_word(c, "Mode", FL_MODE_ROUTER);
	s->device_type = fl_conf_get_str(c, "DeviceType", NULL);
	s->device = fl_conf_get_str(c, "Device", NULL);
	s->interface = fl_conf_get_str(c, "Interface", NULL);
	s->address_family = (enum fl_addr_family)get_word(c, "AddressFamily", FL_AF_ANY);
	s->bind_to_interface = fl_conf_get_str(c, "BindToInterface", NULL);
	s->weight = fl_conf_get_int(c, "Weight", FL_UNSET);
	s->pmtu = fl_conf_get_int(c, "PMTU", 1518);
	s->compression = fl_conf_get_int(c, "Compression", 0);
	s->forwarding = (enum fl_forwarding)get_word(c, "Forwarding", FL_FWD_INTERNAL);
	int b = get_word(c, "Broadcast", FL_BCAST_MST);
	s->broadcast = b == 3 ? FL_BCAST_MST : (enum fl_broadcast)b; /* "yes" = mst */
	s->udp_rcvbuf = fl_conf_get_int(c, "UDPRcvBuf", 1048576);
	s->udp_sndbuf = fl_conf_get_int(c, "UDPSndBuf", 1048576);
	s->replay_window = fl_conf_get_int(c, "ReplayWindow", FL_UNSET);
	s->max_connection_burst = fl_conf_get_int(c, "MaxConnectionBurst", 10);
	s->max_output_buffer_size = fl_conf_get_int(c, "MaxOutputBufferSize", 10 * 1518);
	s->fwmark = fl_conf_get_int(c, "FWMark", 0);
	s->process_priority = (enum fl_priority)get_word(c, "ProcessPriority", FL_PRIO_UNCHANGED);
	s->log_level = fl_conf_get_int(c, "LogLevel", 0);
	s->scripts_interpreter = fl_conf_get_str(c, "ScriptsInterpreter", NULL);
	s->scripts_extension = fl_conf_get_str(c, "ScriptsExtension", "");
	s->proxy = fl_conf_get_str(c, "Proxy", NULL);
	if (s->proxy && strcasecmp(s->proxy, "none") == 0)
		s->proxy = NULL;
	s->crypto_threads = fl_conf_get_int(c, "CryptoThreads", 0);
}

enum fl_conf_err fl_settings_load(struct fl_settings *s, struct fl_conf *c, const char *name)
{
	memset(s, 0, sizeof(*s));
	strncpy(s->name, name, sizeof(s->name) - 1);
	load_timers(s, c);
	load_flags(s, c);
	load_misc(s, c);
	if (fl_conf_get_strv(c, "ConnectTo", &s->connect_to) ||
	    fl_conf_get_strv(c, "Subnet", &s->subnet) ||
	    fl_conf_get_strv(c, "BindToAddress", &s->bind_to_address) ||
	    fl_conf_get_strv(c, "ListenAddress", &s->listen_address) ||
	    fl_conf_get_strv(c, "BroadcastSubnet", &s->broadcast_subnet)) {
		fl_settings_free(s);
		return FL_CONF_ENOMEM;
	}
	return FL_CONF_OK;
}

void fl_settings_free(struct fl_settings *s)
{
	free(s->connect_to.v);
	free(s->subnet.v);
	free(s->bind_to_address.v);
	free(s->listen_address.v);
	free(s->broadcast_subnet.v);
	s->connect_to.v = s->subnet.v = s->bind_to_address.v = NULL;
	s->listen_address.v = s->broadcast_subnet.v = NULL;
}

enum fl_conf_err fl_host_settings_load(struct fl_host_settings *h, struct fl_conf *c)
{
	memset(h, 0, sizeof(*h));
	h->port = fl_conf_get_str(c, "Port", NULL);
	h->ed25519_public_key = fl_conf_get_str(c, "Ed25519PublicKey", NULL);
	h->ed25519_public_key_file = fl_conf_get_str(c, "Ed25519PublicKeyFile", NULL);
	h->weight = fl_conf_first(c, "Weight") ? fl_conf_get_int(c, "Weight", 0) : FL_UNSET;
	h->pmtu = fl_conf_first(c, "PMTU") ? fl_conf_get_int(c, "PMTU", 1518) : FL_UNSET;
	h->indirect_data = tri(c, "IndirectData");
	h->tcp_only = tri(c, "TCPOnly");
	h->clamp_mss = tri(c, "ClampMSS");
	if (fl_conf_get_strv(c, "Address", &h->address) || fl_conf_get_strv(c, "Subnet", &h->subnet)) {
		fl_host_settings_free(h);
		return FL_CONF_ENOMEM;
	}
	return FL_CONF_OK;
}

void fl_host_settings_free(struct fl_host_settings *h)
{
	free(h->address.v);
	free(h->subnet.v);
	h->address.v = h->subnet.v = NULL;
}
