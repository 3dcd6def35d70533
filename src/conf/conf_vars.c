/* SPDX-License-Identifier: MIT */
/* conf_vars.c: known variables, their types, and value checks (CONFIG.md §3).
 *
 * The table lists every variable tinc 1.1 knows, so a tinc config directory
 * loads; fenliu's own additions go at the end. What fenliud refuses or
 * ignores is conf_support.c's table, not this one. Called by
 * conf_read.c after each tree is read and by conf_settings.c for keywords.
 */
#include "conf/conf_vars.h"
#include "conf/conf_name.h"
#include "conf/conf_proxy.h"
#include "mesh/mesh_subnet.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define S FL_VF_SERVER
#define H FL_VF_HOST
#define M FL_VF_MULTI
#define R FL_VF_RELOAD
#define U FL_VF_UNSUPPORTED
#define L FL_VF_LEGACY

static const char *const w_mode[] = {"router", "switch", "hub", NULL};
static const char *const w_af[] = {"ipv4", "ipv6", "any", NULL};
static const char *const w_fwd[] = {"off", "internal", "kernel", NULL};
static const char *const w_bcast[] = {"no", "mst", "direct", "yes", NULL};
static const char *const w_prio[] = {"low", "normal", "high", NULL};
static const char *const w_upnp[] = {"no", "yes", "udponly", NULL};
static const char *const w_sandbox[] = {"off", "normal", "high", NULL};
static const char *const w_natfilter[] = {"endpoint", "address", "address-port", NULL};
static const char *const w_proxy[] = {"none", "socks4", "socks5", "http", "exec", "socks4a", NULL};

/* An integer variable: {name, FL_VT_INT, flags, lo, hi, NULL}. */
#define I(name, lo, hi, flags) {name, FL_VT_INT, flags, lo, hi, NULL}

static const struct fl_var vars[] = {
	{"Address", FL_VT_ADDR, H | M, 0, 0, NULL},
	{"AddressFamily", FL_VT_ENUM, S | R, 0, 0, w_af},
	{"AutoConnect", FL_VT_BOOL, S | R, 0, 0, NULL},
	{"BindToAddress", FL_VT_ADDR, S | M, 0, 0, NULL},
	{"BindToInterface", FL_VT_STR, S, 0, 0, NULL},
	{"Broadcast", FL_VT_ENUM, S | R, 0, 0, w_bcast},
	{"BroadcastSubnet", FL_VT_SUBNET, S | M | R, 0, 0, NULL},
	{"ClampMSS", FL_VT_BOOL, S | H | R, 0, 0, NULL},
	I("Compression", 0, 12, S | H),
	{"ConnectTo", FL_VT_NAME, S | M | R, 0, 0, NULL},
	{"DecrementTTL", FL_VT_BOOL, S | R, 0, 0, NULL},
	{"Device", FL_VT_STR, S, 0, 0, NULL},
	{"DeviceStandby", FL_VT_BOOL, S, 0, 0, NULL},
	{"DeviceType", FL_VT_STR, S, 0, 0, NULL},
	{"DirectOnly", FL_VT_BOOL, S | R, 0, 0, NULL},
	{"Ed25519PrivateKeyFile", FL_VT_STR, S, 0, 0, NULL},
	{"Ed25519PublicKey", FL_VT_KEY, H, 0, 0, NULL},
	{"Ed25519PublicKeyFile", FL_VT_STR, S | H, 0, 0, NULL},
	{"ExperimentalProtocol", FL_VT_BOOL, S, 0, 0, NULL},
	I("FWMark", INT_MIN, INT_MAX, S),
	{"Forwarding", FL_VT_ENUM, S | R, 0, 0, w_fwd},
	{"Hostnames", FL_VT_BOOL, S | R, 0, 0, NULL},
	{"IffOneQueue", FL_VT_BOOL, S, 0, 0, NULL},
	{"IndirectData", FL_VT_BOOL, S | H | R, 0, 0, NULL},
	{"Interface", FL_VT_STR, S, 0, 0, NULL},
	I("InvitationExpire", INT_MIN, INT_MAX, S | R),
	I("KeyExpire", INT_MIN, INT_MAX, S | R),
	{"ListenAddress", FL_VT_ADDR, S | M, 0, 0, NULL},
	{"LocalDiscovery", FL_VT_BOOL, S | R, 0, 0, NULL},
	I("LogLevel", INT_MIN, INT_MAX, S),
	I("MACExpire", INT_MIN, INT_MAX, S | R),
	I("MTUInfoInterval", INT_MIN, INT_MAX, S | R),
	I("MaxConnectionBurst", 1, INT_MAX, S),
	I("MaxOutputBufferSize", INT_MIN, INT_MAX, S),
	I("MaxTimeout", 1, INT_MAX, S | R),
	{"Mode", FL_VT_ENUM, S | R, 0, 0, w_mode},
	{"Name", FL_VT_NAME, S, 0, 0, NULL},
	I("PMTU", INT_MIN, INT_MAX, S | H),
	{"PMTUDiscovery", FL_VT_BOOL, S | H | R, 0, 0, NULL},
	I("PingInterval", INT_MIN, INT_MAX, S),
	I("PingTimeout", INT_MIN, INT_MAX, S),
	{"Port", FL_VT_PORT, S | H, 0, 0, NULL},
	{"PriorityInheritance", FL_VT_BOOL, S | R, 0, 0, NULL},
	{"ProcessPriority", FL_VT_ENUM, S, 0, 0, w_prio},
	{"Proxy", FL_VT_FIRSTWORD, S | R, 0, 0, w_proxy},
	I("ReplayWindow", 0, INT_MAX, S),
	{"Sandbox", FL_VT_ENUM, S, 0, 0, w_sandbox},
	{"ScriptsExtension", FL_VT_STR, S | R, 0, 0, NULL},
	{"ScriptsInterpreter", FL_VT_STR, S | R, 0, 0, NULL},
	{"StrictSubnets", FL_VT_BOOL, S, 0, 0, NULL},
	{"Subnet", FL_VT_SUBNET, S | H | M, 0, 0, NULL},
	{"TCPOnly", FL_VT_BOOL, S | H | R, 0, 0, NULL},
	{"TunnelServer", FL_VT_BOOL, S, 0, 0, NULL},
	{"UDPDiscovery", FL_VT_BOOL, S | R, 0, 0, NULL},
	I("UDPDiscoveryInterval", INT_MIN, INT_MAX, S | R),
	I("UDPDiscoveryKeepaliveInterval", INT_MIN, INT_MAX, S | R),
	I("UDPDiscoveryTimeout", INT_MIN, INT_MAX, S | R),
	I("UDPInfoInterval", INT_MIN, INT_MAX, S | R),
	I("UDPRcvBuf", 0, INT_MAX, S),
	I("UDPSndBuf", 0, INT_MAX, S),
	{"UPnP", FL_VT_ENUM, S, 0, 0, w_upnp},
	I("UPnPDiscoverWait", INT_MIN, INT_MAX, S),
	I("UPnPRefreshPeriod", INT_MIN, INT_MAX, S),
	{"VDEGroup", FL_VT_STR, S, 0, 0, NULL},
	{"VDEPort", FL_VT_STR, S, 0, 0, NULL},
	I("Weight", INT_MIN, INT_MAX, S | H),
	/* Legacy protocol only: ignored, as by a tinc built without it. */
	{"Cipher", FL_VT_STR, S | H | L, 0, 0, NULL},
	{"Digest", FL_VT_STR, S | H | L, 0, 0, NULL},
	{"GraphDumpFile", FL_VT_STR, S | L, 0, 0, NULL},
	{"MACLength", FL_VT_STR, S | H | L, 0, 0, NULL},
	{"PrivateKey", FL_VT_STR, S | L, 0, 0, NULL},
	{"PrivateKeyFile", FL_VT_STR, S | L, 0, 0, NULL},
	{"PublicKey", FL_VT_STR, H | L, 0, 0, NULL},
	{"PublicKeyFile", FL_VT_STR, S | H | L, 0, 0, NULL},
	/* fenliu's own variables (documented in fenliu.conf(5)). */
	I("CryptoThreads", 0, 1024, S),
	/* Split tunnelling (doc/offload.md). */
	{"OffloadInterface", FL_VT_STR, S, 0, 0, NULL},
	{"OffloadAddress", FL_VT_STR, S | M, 0, 0, NULL},
	{"OffloadList", FL_VT_STR, S | M | R, 0, 0, NULL},
	{"OffloadExclude", FL_VT_STR, S | M | R, 0, 0, NULL},
	I("OffloadNATMaxMappings", 1, 67108862, S),
	I("OffloadNATMaxPerHost", 1, INT_MAX, S),
	I("OffloadNATUDPTimeout", 1, 604800, S),
	I("OffloadNATTCPTimeout", 1, 604800, S),
	I("OffloadNATTCPTransitoryTimeout", 1, 604800, S),
	I("OffloadNATICMPTimeout", 1, 604800, S),
	{"OffloadNATFilter", FL_VT_ENUM, S, 0, 0, w_natfilter},
	{NULL, FL_VT_STR, 0, 0, 0, NULL},
};

const struct fl_var *fl_var_table(void)
{
	return vars;
}

const struct fl_var *fl_var_find(const char *name)
{
	for (const struct fl_var *v = vars; v->name; v++)
		if (strcasecmp(v->name, name) == 0)
			return v;
	return NULL;
}

int fl_var_word(const struct fl_var *v, const char *value)
{
	for (int i = 0; v->words && v->words[i]; i++)
		if (strcasecmp(v->words[i], value) == 0)
			return i;
	return -1;
}

static bool check_int(const struct fl_var *v, const char *value, char *why, size_t n)
{
	/* tinc reads "%d": a leading integer, anything after it is ignored. */
	char *end;
	errno = 0;
	long x = strtol(value, &end, 10);
	if (end == value || isspace((unsigned char)*value)) {
		snprintf(why, n, "not a number");
		return false;
	}
	if (errno == ERANGE || x < v->min || x > v->max) {
		if (v->max == INT_MAX)
			snprintf(why, n, "not a number >= %d", v->min);
		else
			snprintf(why, n, "not a number in %d-%d", v->min, v->max);
		return false;
	}
	return true;
}

static bool check_port(const char *p, char *why, size_t n)
{
	if (isdigit((unsigned char)p[0])) {
		char *end;
		long x = strtol(p, &end, 10);
		if (*end == '\0' && x >= 0 && x <= 65535)
			return true;
	} else if (isalpha((unsigned char)p[0]) && strspn(p, "abcdefghijklmnopqrstuvwxyz"
	           "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == strlen(p)) {
		return true; /* a service name, resolved when used */
	}
	snprintf(why, n, "not a port number in 0-65535 or a service name");
	return false;
}

static bool check_addr(const char *value, char *why, size_t n)
{
	char host[1024], port[1024], extra[2];
	int k = sscanf(value, "%1023s %1023s %1s", host, port, extra);
	if (k < 1 || k > 2 || strlen(value) >= sizeof(host)) {
		snprintf(why, n, "expected HOST [PORT]");
		return false;
	}
	return k == 1 || check_port(port, why, n);
}

/* mesh's parser (GRAPH.md §5.1) plus the config-only host-bits rule. */
static bool check_subnet(const char *value, char *why, size_t n)
{
	struct mesh_subnet sn;
	enum mesh_subnet_err e = mesh_subnet_parse(&sn, value, strlen(value));
	if (e == MESH_SUBNET_OK)
		e = mesh_subnet_check_host_bits(&sn);
	if (e == MESH_SUBNET_OK)
		return true;
	snprintf(why, n, "%s", mesh_subnet_strerror(e));
	return false;
}

static bool check_key(const char *value, char *why, size_t n)
{
	/* tinc's decoder takes both alphabets (KEYS.md §1.3). */
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_";
	if (strlen(value) == 43 && strspn(value, b64) == 43)
		return true;
	snprintf(why, n, "expected 43 base64 characters");
	return false;
}

static bool check_words(const struct fl_var *v, const char *value, bool first, char *why, size_t n)
{
	char word[64];
	size_t len = first ? strcspn(value, " \t") : strlen(value);
	if (len < sizeof(word)) {
		memcpy(word, value, len);
		word[len] = '\0';
		if (fl_var_word(v, word) >= 0)
			return true;
	}
	size_t off = (size_t)snprintf(why, n, "expected one of");
	for (int i = 0; v->words[i] && off < n; i++)
		off += (size_t)snprintf(why + off, n - off, "%s%s", i ? ", " : " ", v->words[i]);
	return false;
}

bool fl_var_check_value(const struct fl_var *v, const char *value, char *why, size_t n)
{
	switch (v->type) {
	case FL_VT_STR:
		return true;
	case FL_VT_BOOL:
		if (strcasecmp(value, "yes") == 0 || strcasecmp(value, "no") == 0)
			return true;
		snprintf(why, n, "expected yes or no");
		return false;
	case FL_VT_INT:
		return check_int(v, value, why, n);
	case FL_VT_PORT:
		return check_port(value, why, n);
	case FL_VT_ADDR:
		return check_addr(value, why, n);
	case FL_VT_SUBNET:
		return check_subnet(value, why, n);
	case FL_VT_NAME:
		/* Name = $VAR is expanded later; ConnectTo must be a literal name. */
		if (fl_name_valid(value) || (value[0] == '$' && strcasecmp(v->name, "Name") == 0))
			return true;
		snprintf(why, n, "not a valid node name (A-Z, a-z, 0-9, _)");
		return false;
	case FL_VT_ENUM:
		return check_words(v, value, false, why, n);
	case FL_VT_FIRSTWORD: {
		struct fl_proxy_conf px; /* Proxy: the words after the type too */
		if (strcasecmp(v->name, "Proxy") == 0)
			return fl_proxy_conf_parse(value, &px, why, n);
		return check_words(v, value, true, why, n);
	}
	case FL_VT_KEY:
		return check_key(value, why, n);
	}
	return false;
}

void fl_conf_warned_free(struct fl_conf_warned *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->names[i]);
	free(w->names);
	w->names = NULL;
	w->n = 0;
}

/* True the first time a name is seen (case-insensitive). */
static bool warn_first(struct fl_conf_warned *w, const char *name)
{
	if (!w)
		return true;
	for (size_t i = 0; i < w->n; i++)
		if (strcasecmp(w->names[i], name) == 0)
			return false;
	char **names = realloc(w->names, (w->n + 1) * sizeof(*names));
	if (!names)
		return true;
	w->names = names;
	if ((w->names[w->n] = strdup(name)) != NULL)
		w->n++;
	return true;
}

static void emit(fl_conf_report_fn *fn, void *ctx, const struct fl_conf_entry *e,
                 const char *var, const char *what, const char *value)
{
	if (!fn)
		return;
	char where[300], msg[600];
	fl_conf_where(e, where, sizeof(where));
	snprintf(msg, sizeof(msg), "%s: %s: %s: '%.200s'", where, var, what, value);
	fn(ctx, msg);
}

/* Messages come out in reading order: command line, then file by file. */
static int where_cmp(const void *pa, const void *pb)
{
	const struct fl_conf_entry *a = *(const struct fl_conf_entry *const *)pa;
	const struct fl_conf_entry *b = *(const struct fl_conf_entry *const *)pb;
	if (!a->file != !b->file)
		return a->file ? 1 : -1;
	int r = a->file ? strcmp(a->file, b->file) : 0;
	if (r)
		return r;
	return (a->line > b->line) - (a->line < b->line);
}

enum fl_conf_err fl_conf_check(struct fl_conf *c, struct fl_conf_warned *w,
                               const struct fl_conf_reporter *r)
{
	enum fl_conf_err rc = FL_CONF_OK;
	fl_conf_report_fn *err = r ? r->error : NULL, *warn = r ? r->warning : NULL;
	void *ctx = r ? r->ctx : NULL;
	const struct fl_conf_entry **order = calloc(c->n ? c->n : 1, sizeof(*order));
	if (!order)
		return FL_CONF_ENOMEM;
	for (size_t i = 0; i < c->n; i++)
		order[i] = &c->v[i];
	qsort(order, c->n, sizeof(*order), where_cmp);

	for (size_t i = 0; i < c->n; i++) {
		const struct fl_conf_entry *e = order[i];
		const struct fl_var *v = fl_var_find(e->var);
		char why[200];
		if (!v) {
			if (warn_first(w, e->var) && warn)
				emit(warn, ctx, e, e->var, "unknown variable, ignored", e->value);
			continue;
		}
		if (!fl_var_check_value(v, e->value, why, sizeof(why))) {
			if (err)
				emit(err, ctx, e, v->name, why, e->value);
			rc = FL_CONF_EVALUE;
			continue;
		}
		if ((v->flags & FL_VF_UNSUPPORTED) && warn_first(w, v->name) && warn)
			emit(warn, ctx, e, v->name, "not supported by fenliu yet, ignored", e->value);
	}
	free(order);
	return rc;
}
