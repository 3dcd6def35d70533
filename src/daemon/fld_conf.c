/* SPDX-License-Identifier: MIT */
/*
 * Configuration glue of fenliud: reads the server tree with the conf part
 * (src/conf), copies the settings the daemon uses into struct fld,
 * loads our private key, reads other nodes' public keys (fld_host_key) and
 * answers the mesh's host_lookup callback from hosts/NAME. Called at
 * startup and on reload; control thread only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crypto/b64.h"
#include "crypto/ed25519_keyfile.h"
#include "conf/conf_read.h"
#include "conf/conf_settings.h"
#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_conf.h"
#include "keys/keyfile_io.h"

static void conf_report_err(void *ctx, const char *msg)
{
	(void)ctx;
	fl_dlog(FL_DLOG_ERR, "%s", msg);
}

static void conf_report_warn(void *ctx, const char *msg)
{
	(void)ctx;
	fl_dlog(FL_DLOG_WARN, "%s", msg);
}

static const struct fl_conf_reporter conf_reporter = {conf_report_err, conf_report_warn, NULL};

/* hosts/NAME problems are found when a peer names NAME, as often as it
 * likes: the same line is logged again only after 10 s. */
static void host_report(void *ctx, const char *msg)
{
	static char last[256];
	static uint64_t last_ms;
	uint64_t now = fld_now();

	(void)ctx;
	if (!strncmp(last, msg, sizeof(last) - 1) && now - last_ms < 10000)
		return;
	snprintf(last, sizeof(last), "%s", msg);
	last_ms = now;
	fl_dlog(FL_DLOG_WARN, "%s", msg);
}

static const struct fl_conf_reporter host_reporter = {host_report, host_report, NULL};

/* Read hosts/NAME. A missing file is the common "unknown node" case, not
 * logged; anything else wrong with it is (a directory, /dev/zero, a bad
 * line), naming the file. */
static enum fl_conf_err host_read(struct fld *d, const char *name, struct fl_conf *c)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/hosts/%s", d->confbase, name);
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return FL_CONF_EIO;
	return fl_conf_read_host(c, d->confbase, name, &d->cmdline, &d->warned, &host_reporter);
}

static void conf_free_connect_to(struct fld *d)
{
	for (size_t i = 0; i < d->n_connect_to; i++)
		free(d->connect_to[i]);
	free(d->connect_to);
	d->connect_to = NULL;
	d->n_connect_to = 0;
}

static void conf_free_strv(char ***v, size_t *n)
{
	for (size_t i = 0; i < *n; i++)
		free((*v)[i]);
	free(*v);
	*v = NULL;
	*n = 0;
}

void fld_conf_free(struct fld *d)
{
	conf_free_connect_to(d);
	for (size_t i = 0; i < d->n_own_subnets; i++)
		free(d->own_subnets[i]);
	free(d->own_subnets);
	d->own_subnets = NULL;
	d->n_own_subnets = 0;
	free(d->interface);
	d->interface = NULL;
	conf_free_strv(&d->bind_addrs, &d->n_bind_addrs);
	conf_free_strv(&d->listen_addrs, &d->n_listen_addrs);
	free(d->scripts_interpreter);
	free(d->scripts_extension);
	d->scripts_interpreter = d->scripts_extension = NULL;
	fl_conf_free(&d->cmdline);
	fl_conf_warned_free(&d->warned);
}

static char **conf_strv_dup(const struct fl_strv *v, size_t *n)
{
	char **out = calloc(v->n + 1, sizeof(*out));

	*n = 0;
	if (!out)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if ((out[*n] = strdup(v->v[i])))
			(*n)++;
	return out;
}

/* Our private key file, read with the shared reader (src/keys): it
 * refuses a key group or others may read, as `fenliu fsck` does. */
static int conf_load_key(struct fld *d, const char *file)
{
	char path[4096];
	char err[KEYFILE_IO_ERRLEN];

	if (file)
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%s/ed25519_key.priv", d->confbase);
	if (keyfile_io_load_private(path, &d->key, err) < 0) {
		fl_dlog(FL_DLOG_ERR, "%s", err);
		return -1;
	}
	fl_b64_encode(d->pub_b64, sizeof(d->pub_b64), d->key.pub, sizeof(d->key.pub), false);
	return 0;
}

/* Reads everything; on failure nothing in d changed except logs. */
int fld_conf_load(struct fld *d, bool first)
{
	struct fl_conf conf;
	struct fl_settings s;
	char name[256];
	int ret = -1;

	fl_conf_init(&conf);
	memset(&s, 0, sizeof(s));
	if (fl_conf_read_server(&conf, d->confbase, &d->cmdline, name, sizeof(name), &d->warned,
				&conf_reporter) != FL_CONF_OK)
		goto out;
	if (fl_settings_load(&s, &conf, name) != FL_CONF_OK)
		goto out;
	if (!s.name[0]) {
		fl_dlog(FL_DLOG_ERR, "Name for tinc daemon required!");
		goto out_settings;
	}
	if (first) {
		snprintf(d->name, sizeof(d->name), "%s", s.name);
		snprintf(d->port, sizeof(d->port), "%s", s.port ? s.port : "655");
		d->port_specified = s.port != NULL;
		/* Listeners are set up once; a reload keeps them (as tinc). */
		d->bind_addrs = conf_strv_dup(&s.bind_to_address, &d->n_bind_addrs);
		d->listen_addrs = conf_strv_dup(&s.listen_address, &d->n_listen_addrs);
		d->address_family = s.address_family == FL_AF_IPV4   ? AF_INET
				    : s.address_family == FL_AF_IPV6 ? AF_INET6
								     : AF_UNSPEC;
		if (conf_load_key(d, s.ed25519_private_key_file) < 0)
			goto out_settings;
		free(d->interface);
		d->interface = s.interface ? strdup(s.interface) : NULL;
		d->strict_subnets = s.strict_subnets; /* TunnelServer implies it */
		d->tunnel_server = s.tunnel_server;
	} else if (strcmp(d->name, s.name)) {
		fl_dlog(FL_DLOG_ERR, "Name changed on reload: not supported, restart instead");
		goto out_settings;
	}
	d->tcponly = s.tcp_only;
	d->indirect = s.indirect_data || s.tcp_only;
	d->pmtu_discovery = s.pmtu_discovery && !s.tcp_only;
	d->clampmss = s.clamp_mss;
	d->compression = s.compression;
	d->ping_interval = s.ping_interval;
	d->ping_timeout = s.ping_timeout;
	d->max_timeout = s.max_timeout;
	d->key_expire = s.key_expire;
	d->autoconnect = s.autoconnect;
	d->has_weight = s.weight != FL_UNSET;
	d->weight = s.weight;
	d->udp_discovery_interval = s.udp_discovery_interval;
	d->replaywin = s.replay_window == FL_UNSET ? 16 : (unsigned)s.replay_window;
	d->udp_keepalive_interval = s.udp_discovery_keepalive_interval;
	d->udp_discovery_timeout = s.udp_discovery_timeout;
	if (fld_switch_conf(d, &s, first) < 0)
		goto out_settings;
	if (!first && d->debug_from_conf)
		d->debug = s.log_level;
	conf_free_connect_to(d);
	d->connect_to = conf_strv_dup(&s.connect_to, &d->n_connect_to);
	for (size_t i = 0; i < d->n_own_subnets; i++)
		free(d->own_subnets[i]);
	free(d->own_subnets);
	d->own_subnets = conf_strv_dup(&s.subnet, &d->n_own_subnets);
	free(d->scripts_interpreter);
	free(d->scripts_extension);
	d->scripts_interpreter = s.scripts_interpreter ? strdup(s.scripts_interpreter) : NULL;
	d->scripts_extension =
		s.scripts_extension && *s.scripts_extension ? strdup(s.scripts_extension) : NULL;
	if (first && d->debug_from_conf)
		d->debug = s.log_level;
	ret = 0;
out_settings:
	fl_settings_free(&s);
out:
	fl_conf_free(&conf);
	return ret;
}

/* NAME's public key in tinc's order (KEYS.md §4.3), with the shared
 * readers: the Ed25519PublicKey variable of its host tree (hosts/NAME and
 * -o NAME.Ed25519PublicKey; an invalid value is no key, no fallback), else
 * Ed25519PublicKeyFile or hosts/NAME itself. */
int fld_host_key(struct fld *d, const char *name, uint8_t pub[static 32])
{
	char path[4096], err[KEYFILE_IO_ERRLEN];
	struct fl_conf c;
	struct fl_host_settings h;
	struct fl_keyfile_diag diag;
	int ret = -1;

	fl_conf_init(&c);
	memset(&h, 0, sizeof(h));
	if (host_read(d, name, &c) != FL_CONF_OK ||
	    fl_host_settings_load(&h, &c) != FL_CONF_OK)
		goto out;
	if (h.ed25519_public_key) {
		const char *v = h.ed25519_public_key;
		if (fl_keyfile_parse_public_value(pub, v, strlen(v), &diag) == FL_KEYFILE_OK)
			ret = 0;
		else
			fl_dlog(FL_DLOG_WARN, "hosts/%s: Ed25519PublicKey: %s: '%s'", name,
				fl_keyfile_strerror(diag.err), v);
		goto out;
	}
	if (h.ed25519_public_key_file)
		snprintf(path, sizeof(path), "%s", h.ed25519_public_key_file);
	else
		snprintf(path, sizeof(path), "%s/hosts/%s", d->confbase, name);
	if (keyfile_io_load_host_public(path, pub, err) == 0)
		ret = 0;
	else
		fl_dlog(FL_DLOG_DEBUG, "%s", err);
out:
	fl_host_settings_free(&h);
	fl_conf_free(&c);
	return ret;
}

/* mesh host_lookup: what hosts/NAME says. The Address arrays live in d
 * until the next lookup. */
bool fld_conf_host_lookup(void *ctx, const char *name, struct mesh_host_info *out)
{
	struct fld *d = ctx;
	struct fl_conf c;
	struct fl_host_settings h;
	uint8_t pub[32];

	memset(out, 0, sizeof(*out));
	out->indirect = out->tcponly = out->clampmss = -1;
	for (size_t i = 0; i < d->lookup_n; i++) {
		free(d->lookup_host[i]);
		free(d->lookup_port[i]);
	}
	d->lookup_n = 0;
	fl_conf_init(&c);
	memset(&h, 0, sizeof(h));
	if (host_read(d, name, &c) != FL_CONF_OK)
		goto out;
	if (fl_host_settings_load(&h, &c) != FL_CONF_OK)
		goto out;
	out->exists = true;
	out->has_key = fld_host_key(d, name, pub) == 0;
	out->has_weight = h.weight != FL_UNSET;
	out->weight = h.weight;
	out->indirect = h.indirect_data;
	out->tcponly = h.tcp_only;
	out->clampmss = h.clamp_mss;
	out->pmtu = h.pmtu == FL_UNSET ? 0 : h.pmtu;
	out->has_address = h.address.n > 0;
	for (size_t i = 0; i < h.address.n && d->lookup_n < FLD_LOOKUP_MAX; i++) {
		char host[1024], port[64];
		int k = sscanf(h.address.v[i], "%1023s %63s", host, port);
		if (k < 1)
			continue;
		if (k < 2)
			snprintf(port, sizeof(port), "%s", h.port ? h.port : "655");
		d->lookup_host[d->lookup_n] = strdup(host);
		d->lookup_port[d->lookup_n] = strdup(port);
		if (d->lookup_host[d->lookup_n] && d->lookup_port[d->lookup_n])
			d->lookup_n++;
	}
	out->n_addresses = d->lookup_n;
	out->address_host = (const char *const *)d->lookup_host;
	out->address_port = (const char *const *)d->lookup_port;
	fl_host_settings_free(&h);
out:
	fl_conf_free(&c);
	return out->exists;
}
