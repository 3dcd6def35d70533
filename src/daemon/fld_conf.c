/* SPDX-License-Identifier: MIT */
/*
 * Configuration glue of fenliud: reads the server tree with the conf part
 * (src/conf) into one settings generation (struct fl_config) that the
 * other parts read through d->cfg, translates it once into each layer's
 * own config (mesh_config, fl_dp_settings), loads our private key,
 * reads other nodes' public keys (fld_host_key) and answers the mesh's
 * host_lookup callback from hosts/NAME. Called at startup and on reload;
 * control thread only.
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
#include "conf/conf_load.h"
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
 * likes: the same line is logged again only after 10 s. Otherwise the
 * same reporter as at start (FILE:LINE, errors as errors). */
static bool host_report_again(const char *msg)
{
	static char last[256];
	static fl_time_t last_at;
	fl_time_t now = fl_now_us(); /* also runs before the loop exists */

	if (!strncmp(last, msg, sizeof(last) - 1) && now - last_at < FL_TIME_S(10))
		return false;
	snprintf(last, sizeof(last), "%s", msg);
	last_at = now;
	return true;
}

static void host_report_err(void *ctx, const char *msg)
{
	if (host_report_again(msg))
		conf_report_err(ctx, msg);
}

static void host_report_warn(void *ctx, const char *msg)
{
	if (host_report_again(msg))
		conf_report_warn(ctx, msg);
}

static const struct fl_conf_reporter host_reporter = {host_report_err, host_report_warn, NULL};

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

void fld_conf_free(struct fld *d)
{
	if (d->cfg != d->boot) {
		fl_config_free(d->cfg);
		free(d->cfg);
	}
	if (d->boot) {
		fl_config_free(d->boot);
		free(d->boot);
	}
	d->cfg = d->boot = NULL;
	d->name = NULL;
	fl_conf_free(&d->cmdline);
	fl_conf_warned_free(&d->warned);
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

/* What start needs beyond the settings: the name and our key. */
static int conf_first(struct fld *d, struct fl_config *c)
{
	const struct fl_settings *s = &c->s;

	if (conf_load_key(d, s->ed25519_private_key_file) < 0)
		return -1;
	d->name = s->name;
	snprintf(d->port, sizeof(d->port), "%s", s->port ? s->port : "655");
	d->port_specified = s->port != NULL;
	d->crypto_threads = s->crypto_threads; /* a reload may change it */
	return 0;
}

/* The dataplane takes its settings at start (fld_conf_dp_settings): a
 * reload that changes one of them says it waits for a restart, rather
 * than pretending. */
static void conf_note_restart(const struct fl_settings *o, const struct fl_settings *n)
{
	if (o->forwarding != n->forwarding || o->direct_only != n->direct_only ||
	    o->decrement_ttl != n->decrement_ttl || o->udp_discovery != n->udp_discovery ||
	    o->local_discovery != n->local_discovery ||
	    o->udp_discovery_interval != n->udp_discovery_interval ||
	    o->udp_discovery_keepalive_interval != n->udp_discovery_keepalive_interval ||
	    o->udp_discovery_timeout != n->udp_discovery_timeout)
		fl_dlog(FL_DLOG_WARN, "Forwarding, DirectOnly, DecrementTTL, UDPDiscovery*, "
				      "LocalDiscovery: changes take effect when fenliud restarts");
}

/* Reads a whole generation with the one loader (src/conf/conf_load.c:
 * read, check, refusals, typed settings) and makes it current; on
 * failure nothing in d changed except logs. The first call also takes the
 * start-only settings (d->boot). A reload frees the previous generation
 * unless it is the boot one. */
int fld_conf_load(struct fld *d, bool first)
{
	struct fl_config *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	if (fl_config_load(c, d->confbase, &d->cmdline, &d->warned, &conf_reporter) != FL_CONF_OK)
		goto out_free;
	if (!c->s.name[0]) {
		fl_dlog(FL_DLOG_ERR, "Name for tinc daemon required!");
		goto out_config;
	}
	if (!first && strcmp(d->name, c->s.name)) {
		fl_dlog(FL_DLOG_ERR, "Name changed on reload: not supported, restart instead");
		goto out_config;
	}
	if (fld_switch_conf(d, &c->s, first) < 0)
		goto out_config;
	if (first) {
		if (conf_first(d, c) < 0)
			goto out_config;
		d->boot = c;
	} else {
		conf_note_restart(&d->cfg->s, &c->s);
		fld_dp_set_crypto_threads(d, c->s.crypto_threads);
		if (d->cfg != d->boot) {
			fl_config_free(d->cfg);
			free(d->cfg);
		}
	}
	d->cfg = c;
	if (d->debug_from_conf)
		d->debug = c->s.log_level;
	return 0;
out_config:
	fl_config_free(c);
out_free:
	free(c);
	return -1;
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

/* ---- the one translation into each layer's config ---------------------- */

static uint32_t conf_my_options(const struct fl_settings *s)
{
	uint32_t o = 0;

	/* fl_settings_load already made TCPOnly imply IndirectData and no
	 * PMTU discovery. */
	if (s->indirect_data)
		o |= MESH_OPT_INDIRECT;
	if (s->tcp_only)
		o |= MESH_OPT_TCPONLY | MESH_OPT_INDIRECT;
	if (s->pmtu_discovery)
		o |= MESH_OPT_PMTU_DISCOVERY;
	if (s->clamp_mss)
		o |= MESH_OPT_CLAMP_MSS;
	return o;
}

void fld_conf_mesh_config(struct fld *d, struct mesh_config *cfg)
{
	const struct fl_settings *s = &d->cfg->s;

	cfg->myname = d->name;
	cfg->my_udp_port = d->port;
	cfg->my_pubkey_b64 = d->pub_b64;
	d->my_options = conf_my_options(s);
	cfg->my_options = d->my_options;
	cfg->has_my_weight = s->weight != FL_UNSET;
	cfg->my_weight = s->weight;
	cfg->ping_interval = s->ping_interval;
	cfg->ping_timeout = s->ping_timeout;
	cfg->max_timeout = s->max_timeout;
	cfg->udp_info_interval = s->udp_info_interval;
	cfg->mtu_info_interval = s->mtu_info_interval;
	cfg->udp_discovery_timeout = s->udp_discovery_timeout;
	cfg->autoconnect = s->autoconnect;
	/* Read at start only, as tincd. */
	cfg->strictsubnets = d->boot->s.strict_subnets; /* TunnelServer implies it */
	cfg->tunnelserver = d->boot->s.tunnel_server;
	cfg->forwarding_internal = s->forwarding == FL_FWD_INTERNAL;
}

void fld_conf_dp_settings(struct fld *d, struct fl_dp_settings *out)
{
	const struct fl_settings *s = &d->cfg->s;

	fl_dp_settings_default(out);
	out->my_options = d->my_options;
	out->compression = s->compression;
	out->forwarding = s->forwarding == FL_FWD_OFF      ? FL_DP_FORWARD_OFF
			  : s->forwarding == FL_FWD_KERNEL ? FL_DP_FORWARD_KERNEL
							   : FL_DP_FORWARD_INTERNAL;
	out->direct_only = s->direct_only;
	out->decrement_ttl = s->decrement_ttl;
	out->udp_discovery = s->udp_discovery;
	out->local_discovery = s->local_discovery;
	out->udp_discovery_keepalive_interval = (unsigned)s->udp_discovery_keepalive_interval;
	out->udp_discovery_interval = (unsigned)s->udp_discovery_interval;
	out->udp_discovery_timeout = (unsigned)s->udp_discovery_timeout;
	out->ping_interval = (unsigned)s->ping_interval;
}
