/* SPDX-License-Identifier: MIT */
/*
 * fenliud: main. Parses the command line (tincd's options), reads the
 * configuration, opens the device, the listeners and the control socket,
 * runs tinc-up, starts the outgoing connections and runs the event loop
 * until STOP or a signal; SIGHUP reloads (CONFIG.md §4, §6). At the end it
 * closes every connection, runs the down scripts and frees everything, so a
 * sanitizer build exits without leaks.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <sodium.h>

#include "conf/conf_paths.h"
#include "conf/daemon_opts.h"
#include "conf/daemon_proc.h"
#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_conf.h"
#include "daemon/fld_notify.h"
#include "log/log.h"
#include "io/tun.h"


/* dlog -> the log part, with tinc's debug levels and syslog priorities. */
static void main_dlog_sink(void *ctx, enum fl_dlog_level level, const char *msg)
{
	static const int dbg[] = {0, 0, 1, 3, 4, 5};
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG, LOG_DEBUG, LOG_DEBUG};
	(void)ctx;
	fl_log(dbg[level], prio[level], "%s", msg);
}

static void main_set_debug(struct fld *d, int level)
{
	d->debug = level;
	fl_log_set_level(level);
	/* dlog levels: INFO shown from 1, DEBUG from 3, TRAFFIC from 5. */
	fl_dlog_set_level(level >= 5 ? FL_DLOG_TRAFFIC : level >= 3 ? FL_DLOG_DEBUG
						     : level >= 1 ? FL_DLOG_INFO : FL_DLOG_WARN);
}

/* ---- scripts ------------------------------------------------------------- */

static void main_script_env(struct fld *d, struct fl_script_env *e)
{
	memset(e, 0, sizeof(*e));
	e->confbase = d->confbase;
	e->netname = d->netname && *d->netname ? d->netname : NULL;
	e->name = d->name;
	e->device = d->device;
	e->interface = d->ifname[0] ? d->ifname : NULL;
	e->extension = d->scripts_extension;
	e->interpreter = d->scripts_interpreter;
	e->debug = d->debug;
}

void fld_run_host_script(struct fld *d, const char *script, struct mesh_node *n,
			 const struct mesh_subnet *s)
{
	char node[300], ra[128], rp[64], sub[MESH_SUBNET_TEXT_MAX + 16], w[32];
	const char *vars[8];
	size_t k = 0;
	bool me = n == mesh_myself(d->mesh);

	if (!d->scripts || !n)
		return;
	snprintf(node, sizeof(node), "NODE=%s", n->name);
	vars[k++] = node;
	if (!me || !s) {
		snprintf(ra, sizeof(ra), "REMOTEADDRESS=%s", n->addr && *n->addr ? n->addr : "unspec");
		snprintf(rp, sizeof(rp), "REMOTEPORT=%s", n->port && *n->port ? n->port : "unspec");
		vars[k++] = ra;
		vars[k++] = rp;
	}
	if (s) {
		struct mesh_subnet plain = *s;
		plain.weight = MESH_SUBNET_DEFAULT_WEIGHT;
		memcpy(sub, "SUBNET=", 7);
		mesh_subnet_format(&plain, sub + 7, sizeof(sub) - 7, false);
		if (s->weight != MESH_SUBNET_DEFAULT_WEIGHT)
			snprintf(w, sizeof(w), "WEIGHT=%d", (int)s->weight);
		else
			snprintf(w, sizeof(w), "WEIGHT=");
		vars[k++] = sub;
		vars[k++] = w;
	}
	vars[k] = NULL;
	fl_script_queue(d->scripts, script, vars);
	if (!s && (!strcmp(script, "host-up") || !strcmp(script, "host-down"))) {
		char per[600];
		snprintf(per, sizeof(per), "hosts/%s-%s", n->name, script + 5);
		fl_script_queue(d->scripts, per, vars);
	}
}

/* ---- device --------------------------------------------------------------- */

/* Mode = switch or hub: a TAP device (whole Ethernet frames). */
static int main_tap_open(struct fld *d, char name[static IFNAMSIZ])
{
	int fd;

	/* TCP offload first, as for TUN (reads of whole TCP bursts, writes
	 * of coalesced ones); plain TAP if refused. */
	d->tun_gso_buf = malloc(FL_TAP_GSO_MAX);
	d->tun_gro.buf = malloc(FL_TAP_GSO_MAX);
	d->tun_gro.l2 = 14;
	fd = d->tun_gso_buf && d->tun_gro.buf ? fl_tun_open_tap_offload(d->device, name, name)
					      : -ENOMEM;
	if (fd < 0) {
		free(d->tun_gso_buf);
		free(d->tun_gro.buf);
		d->tun_gso_buf = NULL;
		d->tun_gro.buf = NULL;
		fd = fl_tun_open_tap(d->device, name, name);
	}

	if (fd < 0) {
		fl_dlog(FL_DLOG_ERR, "Could not create a tun/tap interface from %s: %s", d->device,
			strerror(-fd));
		return -1;
	}
	snprintf(d->ifname, sizeof(d->ifname), "%s", name);
	d->tun_fd = fd;
	fl_dlog(FL_DLOG_INFO, "%s is a Linux tun/tap device (tap mode%s), interface %s", d->device,
		d->tun_gso_buf ? ", TCP offload" : "", d->ifname);
	return fld_watch(d, fd, FL_LOOP_READ, fld_dp_tun_readable, d);
}

static int main_tun_open(struct fld *d)
{
	char name[IFNAMSIZ] = "";
	int fd;

	snprintf(d->device, sizeof(d->device), "/dev/net/tun");
	if (d->interface)
		snprintf(name, IFNAMSIZ, "%s", d->interface);
	else if (d->netname && *d->netname)
		snprintf(name, IFNAMSIZ, "%s", d->netname);
	if (fld_switch_tap(d))
		return main_tap_open(d, name);
	/* Offload first (one read per TCP burst); plain tun if refused. */
	d->tun_gso_buf = malloc(FL_TUN_GSO_MAX);
	d->tun_gro.buf = malloc(FL_TUN_GSO_MAX);
	fd = d->tun_gso_buf && d->tun_gro.buf ? fl_tun_open_offload(d->device, name, name) : -ENOMEM;
	if (fd < 0) {
		free(d->tun_gso_buf);
		free(d->tun_gro.buf);
		d->tun_gso_buf = NULL;
		d->tun_gro.buf = NULL;
		fd = fl_tun_open(d->device, name, name);
	}
	if (fd < 0) {
		fl_dlog(FL_DLOG_ERR, "Could not create a tun interface from %s: %s", d->device,
			strerror(-fd));
		return -1;
	}
	snprintf(d->ifname, sizeof(d->ifname), "%s", name);
	d->tun_fd = fd;
	fl_dlog(FL_DLOG_INFO, "%s is a Linux tun device (tun mode), interface %s", d->device,
		d->ifname);
	return fld_watch(d, fd, FL_LOOP_READ, fld_dp_tun_readable, d);
}

/* ---- mesh set-up ---------------------------------------------------------- */

static uint32_t main_random_u32(void *ctx)
{
	(void)ctx;
	return randombytes_random();
}

static uint32_t main_my_options(const struct fld *d)
{
	uint32_t o = 0;

	if (d->indirect)
		o |= MESH_OPT_INDIRECT;
	if (d->tcponly)
		o |= MESH_OPT_TCPONLY | MESH_OPT_INDIRECT;
	if (d->pmtu_discovery)
		o |= MESH_OPT_PMTU_DISCOVERY;
	if (d->clampmss)
		o |= MESH_OPT_CLAMP_MSS;
	return o;
}

static void main_mesh_config(struct fld *d, struct mesh_config *cfg)
{
	cfg->myname = d->name;
	cfg->my_udp_port = d->port;
	cfg->my_pubkey_b64 = d->pub_b64;
	d->my_options = main_my_options(d);
	cfg->my_options = d->my_options;
	cfg->has_my_weight = d->has_weight;
	cfg->my_weight = d->weight;
	cfg->ping_interval = d->ping_interval;
	cfg->ping_timeout = d->ping_timeout;
	cfg->max_timeout = d->max_timeout;
	cfg->udp_discovery_timeout = d->udp_discovery_timeout;
	cfg->autoconnect = d->autoconnect;
	cfg->strictsubnets = d->strict_subnets;
	cfg->tunnelserver = d->tunnel_server;
	cfg->forwarding_internal = true;
	/* batch graph runs and lookup-index rebuilds (issue 22) */
	cfg->settle_ms = 100;
	cfg->ctx = d;
	cfg->host_lookup = fld_conf_host_lookup;
	cfg->random_u32 = main_random_u32;
}

static int main_mesh_new(struct fld *d)
{
	struct mesh_config cfg = {0};

	main_mesh_config(d, &cfg);
	d->mesh = mesh_new(&cfg, fld_mesh_now());
	return d->mesh ? 0 : -1;
}

/* Own subnets: add those in cfg not yet in the mesh, remove the others. */
static int main_own_subnets(struct fld *d, struct mesh_out *out)
{
	struct mesh_node *me = mesh_myself(d->mesh);
	const struct mesh_subnet **mine = NULL;
	size_t n_mine = 0;
	struct mesh_subnet *want;
	size_t n = d->n_own_subnets;
	int ret = 0;

	want = calloc(n + 1, sizeof(*want));
	if (!want)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *txt = d->own_subnets[i];
		if (mesh_subnet_parse(&want[i], txt, strlen(txt)) != MESH_SUBNET_OK ||
		    mesh_subnet_check_host_bits(&want[i]) != MESH_SUBNET_OK) {
			fl_dlog(FL_DLOG_ERR, "hosts/%s: Subnet: invalid or has host bits set: '%s'",
				d->name, txt);
			ret = -1;
			goto out;
		}
		want[i].owner = me;
	}
	/* our own entries, in reverse table order as before */
	mine = mesh_subnet_owned(me, &n_mine);
	for (size_t i = n_mine; i-- > 0;) {
		/* Learned MACs (switch mode) are not config: they expire. */
		bool keep = mine[i]->expires && !d->stop;
		for (size_t k = 0; k < n; k++)
			if (!mesh_subnet_cmp_noowner(mine[i], &want[k]))
				keep = true;
		if (!keep) {
			struct mesh_subnet gone = *mine[i];
			mesh_del_own_subnet(d->mesh, &gone, out);
		}
	}
	for (size_t k = 0; k < n; k++)
		if (!mesh_subnet_table_find(mesh_subnets(d->mesh), &want[k]))
			mesh_add_own_subnet(d->mesh, &want[k], out);
out:
	free(mine);
	free(want);
	return ret;
}

static void main_connect_to(struct fld *d, struct mesh_out *out)
{
	mesh_set_connect_to(d->mesh, (const char *const *)d->connect_to, d->n_connect_to,
			    fld_mesh_now(), out);
}

int fld_reload(struct fld *d)
{
	struct mesh_config cfg = {0};
	struct fl_script_env env;
	struct mesh_out out;

	fl_dlog(FL_DLOG_INFO, "Reloading configuration");
	fld_notify_reloading();
	if (fld_conf_load(d, false) < 0) {
		fld_notify_reloaded(EINVAL);
		return EINVAL;
	}
	fld_routes_reload(d); /* keeps the old routes if route/ cannot be read */
	main_script_env(d, &env);
	fl_script_set_env(d->scripts, &env);
	main_mesh_config(d, &cfg);
	mesh_reconfigure(d->mesh, &cfg); /* step 2: reloadable settings */
	fld_reload_scan_hosts(d);	 /* step 3 */
	mesh_out_init(&out);
	fld_strict_load(d, &out);	 /* step 3, StrictSubnets */
	main_own_subnets(d, &out);
	main_connect_to(d, &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	fld_reload_close_changed(d);
	fld_notify_reloaded(0);
	return 0;
}

/* ---- signals and the loop ------------------------------------------------- */

static void main_signal(void *ctx, int fd, unsigned events)
{
	struct fld *d = ctx;
	struct signalfd_siginfo si;

	(void)events;
	while (read(fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGHUP:
			fl_log_reopen();
			d->reload_pending = true;
			break;
		case SIGALRM: {
			struct mesh_out out;
			mesh_out_init(&out);
			mesh_retry(d->mesh, fld_mesh_now(), &out);
			fld_out_run(d, &out);
			mesh_out_clear(&out);
			break;
		}
		default:
			fl_dlog(FL_DLOG_INFO, "Got signal %u (%s), exiting", si.ssi_signo,
				strsignal((int)si.ssi_signo));
			d->stop = true;
			break;
		}
	}
}

static int main_signals(struct fld *d)
{
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGALRM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	d->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0)
		return -1;
	return fld_watch(d, d->sigfd, FL_LOOP_READ, main_signal, d);
}

/* Other nodes' subnet events only if a script wants them: a node with
 * 100,000 subnets going down must not cost 100,000 events (issue 22).
 * Checked each second, as a new script would be noticed by tinc at once. */
static void main_subnet_events(struct fld *d)
{
	mesh_set_subnet_events(d->mesh, d->scripts && (fl_script_exists(d->scripts, "subnet-up") ||
						       fl_script_exists(d->scripts, "subnet-down")));
}

static void main_tick(struct fld *d)
{
	struct mesh_out out;

	main_subnet_events(d);

	mesh_out_init(&out);
	mesh_tick(d->mesh, fld_mesh_now(), &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	fld_udp_tick(d);
	fld_keyexpire_tick(d);
	fld_net_tick(d);
	fld_switch_tick(d);
	fld_notify_watchdog(fld_now());
}

/* The mesh's batched graph run and index rebuild, once per iteration. */
static void main_settle(struct fld *d)
{
	struct mesh_out out;

	mesh_out_init(&out);
	d->settle_ms = mesh_settle(d->mesh, fld_mesh_now(), &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
}

static void main_loop(struct fld *d)
{
	d->next_tick_ms = fld_now() + 1000;
	d->settle_ms = -1;
	while (!d->stop) {
		uint64_t now = fld_now();
		bool busy = fl_script_tick(d->scripts, now);
		int timeout = d->next_tick_ms > now ? (int)(d->next_tick_ms - now) : 0;
		if (busy && timeout > 50)
			timeout = 50;
		if (d->settle_ms >= 0 && d->settle_ms < timeout)
			timeout = d->settle_ms;
		if (fl_loop_run_once(d->loop, timeout) < 0) {
			fl_dlog(FL_DLOG_ERR, "Event loop failed: %s", strerror(errno));
			break;
		}
		if (d->reload_pending) {
			d->reload_pending = false;
			if (fld_reload(d) != 0) {
				fl_dlog(FL_DLOG_ERR, "Unable to reread configuration file, exiting");
				d->stop = true;
			}
		}
		if (fld_now() >= d->next_tick_ms) {
			d->next_tick_ms = fld_now() + 1000;
			main_tick(d);
		}
		main_settle(d);
		/* Everything queued in this iteration leaves now. */
		fld_conn_sweep(d);
		fld_conn_flush_all(d);
		fld_dp_flush(d);
	}
}

/* ---- start and stop ------------------------------------------------------- */

static int main_start(struct fld *d)
{
	struct fl_script_env env;
	struct mesh_out out;

	if (!(d->loop = fl_loop_new()) || main_signals(d) < 0)
		return -1;
	fld_reload_stamp(d);
	fld_keyexpire_start(d);
	if (main_mesh_new(d) < 0)
		return -1;
	fld_reload_scan_hosts(d);
	fld_session_bind(d);
	if (fld_switch_start(d) < 0)
		return -1;
	if (main_tun_open(d) < 0 || fld_net_listen(d) < 0 || fld_dp_start(d) < 0)
		return -1;
	fld_routes_reload(d);
	main_script_env(d, &env);
	d->scripts = fl_script_new(&env);
	if (!d->scripts)
		return -1;
	main_subnet_events(d);
	fl_script_run_sync(d->scripts, "tinc-up", NULL);
	mesh_out_init(&out);
	if (main_own_subnets(d, &out) < 0 || fld_strict_load(d, &out) < 0) {
		mesh_out_clear(&out);
		return -1;
	}
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	if (fld_ctl_start(d) < 0)
		return -1;
	fl_dlog(FL_DLOG_INFO, "Ready");
	mesh_out_init(&out);
	main_connect_to(d, &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	fld_reload_close_changed(d);
	return 0;
}

static void main_stop(struct fld *d)
{
	struct mesh_out out;

	if (d->mesh) {
		/* Close connections: host-down/subnet-down for peers follow. */
		while (d->n_conns)
			fld_conn_close(d->conns[0], "shutting down");
		mesh_out_init(&out);
		for (size_t i = 0; i < d->n_own_subnets; i++)
			free(d->own_subnets[i]);
		d->n_own_subnets = 0;
		if (d->scripts)
			main_own_subnets(d, &out); /* subnet-down for ours */
		fld_out_run(d, &out);
		mesh_out_clear(&out);
	}
	if (d->scripts) {
		fl_script_drain(d->scripts);
		fl_script_run_sync(d->scripts, "tinc-down", NULL);
		fl_script_free(d->scripts);
	}
	fld_ctl_stop(d);
	fld_conn_free_all(d);
	fld_nodes_free(d);
	if (d->dp)
		fld_dp_stop(d);
	fld_routes_free(d);
	fld_switch_stop(d);
	fld_net_close(d);
	fld_dp_free_pool(d);
	if (d->tun_fd >= 0) {
		fld_unwatch(d, d->tun_fd);
		close(d->tun_fd);
	}
	free(d->tun_gso_buf);
	free(d->tun_gro.buf);
	if (d->sigfd >= 0)
		close(d->sigfd);
	mesh_free(d->mesh);
	for (size_t i = 0; i < d->lookup_n; i++) {
		free(d->lookup_host[i]);
		free(d->lookup_port[i]);
	}
	fld_watch_free(d);
	fl_loop_free(d->loop);
	fld_conf_free(d);
	fl_ed25519_key_wipe(&d->key);
}

int main(int argc, char *argv[])
{
	static struct fld d = {.tun_fd = -1, .sigfd = -1, .ctl_listen_fd = -1};
	struct fl_daemon_options opts;
	struct fl_paths paths;
	char err[512];
	int umbilical = -1;
	int ret = 1;

	memset(&opts, 0, sizeof(opts));
	if (!fl_daemon_opts_parse(&opts, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "%s\n%s", err, fl_daemon_opts_usage());
		goto out_opts;
	}
	if (opts.show_help || opts.show_version) {
		if (opts.show_help)
			fputs(fl_daemon_opts_usage(), stdout);
		else
			printf("fenliud 0.1.0 (tinc protocol 17.7)\n");
		ret = 0;
		goto out_opts;
	}
	if (!fl_paths_resolve(&paths, opts.confbase, opts.netname, opts.pidfile, opts.logfile,
			      true)) {
		fprintf(stderr, "Invalid netname or path too long\n");
		goto out_opts;
	}
	if (sodium_init() < 0)
		goto out_opts;
	if (!fl_daemon_log_open(&opts, &paths))
		goto out_opts;
	fl_dlog_set_sink(main_dlog_sink, NULL);
	d.confbase = paths.confbase;
	d.netname = paths.netname;
	d.pidfile = paths.pidfile;
	d.socket_path = paths.socket;
	d.debug_from_conf = opts.debug_level == 0;
	main_set_debug(&d, opts.debug_level);
	fl_conf_init(&d.cmdline);
	if (fl_conf_merge(&d.cmdline, &opts.cmdline) != FL_CONF_OK) /* takes the -o list */
		goto out_opts;
	fl_dlog(FL_DLOG_ERR, "fenliud 0.1.0 starting, debug level %d", opts.debug_level);
	if (fld_conf_load(&d, true) < 0)
		goto out_stop;
	if (d.debug_from_conf)
		main_set_debug(&d, d.debug);
	if (opts.detach && (umbilical = fl_daemonize()) < 0) {
		fl_dlog(FL_DLOG_ERR, "Could not detach: %s", strerror(errno));
		goto out_stop;
	}
	if (main_start(&d) < 0) {
		fl_daemonize_done(umbilical, 1);
		goto out_stop;
	}
	fl_daemonize_done(umbilical, 0);
	fld_notify_ready();
	main_loop(&d);
	ret = 0;
	fl_dlog(FL_DLOG_ERR, "Terminating");
out_stop:
	fld_notify_stopping();
	main_stop(&d);
	fl_log_close();
out_opts:
	fl_daemon_opts_free(&opts);
	return ret;
}
