/* SPDX-License-Identifier: MIT */
/*
 * fenliud: main. Parses the command line (tincd's options), reads the
 * configuration, opens the device, the listeners and the control socket,
 * runs tinc-up, starts the outgoing connections and runs the event loop
 * (fld_loop.c) until STOP or a signal; SIGHUP reloads (CONFIG.md §4, §6).
 * At the end it closes every connection, runs the down scripts and frees
 * everything, so a sanitizer build exits without leaks.
 */
/*
 * fenliud: main. Parses the command line (tincd's options), reads the
 * configuration, opens the device, the listeners and the control socket,
 * runs tinc-up, starts the outgoing connections and runs the event loop
 * (fld_loop.c) until STOP or a signal; SIGHUP reloads (CONFIG.md §4, §6). At the end it
 * closes every connection, runs the down scripts and frees everything, so a
 * sanitizer build exits without leaks.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "conf/conf_paths.h"
#include "conf/daemon_opts.h"
#include "conf/daemon_proc.h"
#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_conf.h"
#include "daemon/fld_offload.h"
#include "daemon/fld_local_iface.h"
#include "daemon/fld_lan.h"
#include "daemon/fld_notify.h"
#include "log/log.h"
#include "io/tun.h"


/* Where start-up errors and warnings are echoed while the log goes
 * elsewhere (syslog, a log file): stderr, then the detach pipe, whose
 * reader copies them to the terminal (issue 18.5); -1 once started. */
static int main_echo_fd = -1;

static void main_echo(const char *msg)
{
	size_t n = strlen(msg);
	char line[1024];

	if (main_echo_fd < 0)
		return;
	if (n > sizeof(line) - 1)
		n = sizeof(line) - 1;
	memcpy(line, msg, n);
	line[n++] = '\n';
	if (write(main_echo_fd, line, n) < 0)
		main_echo_fd = -1; /* nobody is listening any more */
}

/* dlog -> the log part, with tinc's debug levels and syslog priorities. */
static void main_dlog_sink(void *ctx, enum fl_dlog_level level, const char *msg)
{
	static const int dbg[] = {0, 0, 1, 3, 4, 5};
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG, LOG_DEBUG, LOG_DEBUG};
	(void)ctx;
	fl_log(dbg[level], prio[level], "%s", msg);
	if (level <= FL_DLOG_WARN)
		main_echo(msg);
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
	e->extension = *d->cfg->s.scripts_extension ? d->cfg->s.scripts_extension : NULL;
	e->interpreter = d->cfg->s.scripts_interpreter;
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

/* How to open each kind of device: TUN (router mode, IP packets) or TAP
 * (switch and hub, whole Ethernet frames). */
struct main_dev_kind {
	const char *mode;	/* tinc's "(tun mode)" / "(tap mode)" */
	size_t gso_max, l2;	/* offload buffers; header before the IP packet */
	int (*open_offload)(const char *path, const char *name, char ifname[static IFNAMSIZ]);
	int (*open)(const char *path, const char *name, char ifname[static IFNAMSIZ]);
};

static const struct main_dev_kind main_tun = {"tun", FL_TUN_GSO_MAX, 0, fl_tun_open_offload,
					      fl_tun_open};
static const struct main_dev_kind main_tap = {"tap", FL_TAP_GSO_MAX, 14,
					      fl_tun_open_tap_offload, fl_tun_open_tap};

/* Open the device: with TCP offload first (one read per TCP burst,
 * coalesced writes), a plain device if the kernel refuses it. */
static int main_dev_open_kind(struct fld *d, const struct main_dev_kind *k,
			      char name[static IFNAMSIZ])
{
	int fd;

	d->tun_gso_buf = malloc(k->gso_max);
	d->tun_gro.buf = malloc(k->gso_max);
	d->tun_gro.l2 = k->l2;
	fd = d->tun_gso_buf && d->tun_gro.buf ? k->open_offload(d->device, name, name) : -ENOMEM;
	if (fd < 0) {
		free(d->tun_gso_buf);
		free(d->tun_gro.buf);
		d->tun_gso_buf = NULL;
		d->tun_gro.buf = NULL;
		fd = k->open(d->device, name, name);
	}
	if (fd < 0) {
		fl_dlog(FL_DLOG_ERR, "Could not create a tun/tap interface from %s: %s", d->device,
			strerror(-fd));
		return -1;
	}
	snprintf(d->ifname, sizeof(d->ifname), "%s", name);
	d->tun_fd = fd;
	fl_dlog(FL_DLOG_INFO, "%s is a Linux tun/tap device (%s mode%s), interface %s", d->device,
		k->mode, d->tun_gso_buf ? ", TCP offload" : "", d->ifname);
	return fld_watch(d, fd, FL_LOOP_READ, fld_dp_tun_readable, d);
}

/* The device tinc.conf asks for: Device (a path that does not exist
 * fails the start, as in tincd), Interface or the netname as its name,
 * TAP in switch and hub mode. */
static int main_dev_open(struct fld *d)
{
	char name[IFNAMSIZ] = "";

	snprintf(d->device, sizeof(d->device), "%s",
		 d->boot->s.device ? d->boot->s.device : "/dev/net/tun");
	if (d->boot->s.interface)
		snprintf(name, IFNAMSIZ, "%s", d->boot->s.interface);
	else if (d->netname && *d->netname)
		snprintf(name, IFNAMSIZ, "%s", d->netname);
	if (fld_local_iface_name(d, name) < 0) /* interfaces/NAME, Role = local */
		return -1;
	return main_dev_open_kind(d, fld_switch_tap(d) ? &main_tap : &main_tun, name);
}

/* ---- mesh set-up ---------------------------------------------------------- */

static uint32_t main_random_u32(void *ctx)
{
	(void)ctx;
	return randombytes_random();
}

static void main_mesh_config(struct fld *d, struct mesh_config *cfg)
{
	fld_conf_mesh_config(d, cfg);
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
	d->mesh = mesh_new(&cfg, fld_now(d));
	return d->mesh ? 0 : -1;
}

/* Own subnets: add those of list not yet in the mesh, remove the others
 * (list NULL: remove all, at stop). */
static int main_own_subnets(struct fld *d, const struct fl_strv *list, struct mesh_out *out)
{
	struct mesh_node *me = mesh_myself(d->mesh);
	const struct mesh_subnet **mine = NULL;
	size_t n_mine = 0;
	struct mesh_subnet *want;
	size_t n = list ? list->n : 0;
	int ret = 0;

	want = calloc(n + 1, sizeof(*want));
	if (!want)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *txt = list->v[i];
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
	mesh_set_connect_to(d->mesh, d->cfg->s.connect_to.v, d->cfg->s.connect_to.n,
			    fld_now(d), out);
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
	fld_offload_reload(d); /* likewise the offload lists */
	fld_lan_reload(d); /* interfaces/: addresses now, the rest on restart */
	main_script_env(d, &env);
	fl_script_set_env(d->scripts, &env);
	main_mesh_config(d, &cfg);
	mesh_reconfigure(d->mesh, &cfg); /* step 2: reloadable settings */
	fld_reload_scan_hosts(d);	 /* step 3 */
	mesh_out_init(&out);
	fld_strict_load(d, &out);	 /* step 3, StrictSubnets */
	main_own_subnets(d, &d->cfg->s.subnet, &out);
	main_connect_to(d, &out);
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	fld_reload_close_changed(d);
	fld_notify_reloaded(0);
	return 0;
}

/* ---- start and stop ------------------------------------------------------- */

static int main_start(struct fld *d)
{
	struct fl_script_env env;
	struct mesh_out out;

	if (fld_loop_start(d) < 0)
		return -1;
	fld_reload_stamp(d);
	fld_keyexpire_start(d);
	if (main_mesh_new(d) < 0)
		return -1;
	fld_reload_scan_hosts(d);
	fld_session_bind(d);
	if (fld_switch_start(d) < 0)
		return -1;
	if (main_dev_open(d) < 0 || fld_local_iface_up(d) < 0 || fld_net_listen(d) < 0 ||
	    fld_dp_start(d) < 0)
		return -1;
	fld_routes_reload(d);
	main_script_env(d, &env);
	d->scripts = fl_script_new(&env);
	if (!d->scripts)
		return -1;
	fld_loop_subnet_events(d);
	if (!d->boot->s.device_standby) /* else when a node is reachable (fld_out.c) */
		fl_script_run_sync(d->scripts, "tinc-up", NULL);
	if (fld_offload_start(d) < 0)
		return -1;
	if (fld_lan_start(d) < 0) /* interfaces/NAME: the TAP router */
		return -1;
	fl_loop_update_now(d->loop); /* tinc-up may have taken up to 30 s */
	mesh_out_init(&out);
	if (main_own_subnets(d, &d->cfg->s.subnet, &out) < 0 || fld_strict_load(d, &out) < 0) {
		mesh_out_clear(&out);
		return -1;
	}
	fld_out_run(d, &out);
	mesh_out_clear(&out);
	if (fld_ctl_start(d) < 0)
		return -1;
	/* Everything privileged is open: ProcessPriority, then -U/-R. */
	if (fld_privs_priority(&d->cfg->s) < 0 ||
	    fld_privs_drop(d, d->switch_user, d->do_chroot) < 0)
		return -1;
	main_script_env(d, &env); /* the scripts' paths, inside a chroot */
	fl_script_set_env(d->scripts, &env);
	fl_log(FL_DEBUG_ALWAYS, LOG_NOTICE, "Ready");
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
		if (d->scripts)
			main_own_subnets(d, NULL, &out); /* subnet-down for ours */
		fld_out_run(d, &out);
		mesh_out_clear(&out);
	}
	fld_offload_stop(d); /* offload-down before tinc-down */
	fld_lan_stop(d); /* NAME-down likewise */
	if (d->scripts) {
		fl_script_drain(d->scripts); /* with DeviceStandby, tinc-down if it is due */
		if (!d->boot->s.device_standby)
			fl_script_run_sync(d->scripts, "tinc-down", NULL);
		fl_script_free(d->scripts);
	}
	fld_local_iface_down(d); /* Role = local: our addresses off the TUN */
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
	mesh_free(d->mesh);
	for (size_t i = 0; i < d->lookup_n; i++) {
		free(d->lookup_host[i]);
		free(d->lookup_port[i]);
	}
	fld_loop_free(d);
	fld_conf_free(d);
	fl_ed25519_key_wipe(&d->key);
}

int main(int argc, char *argv[])
{
	static struct fld d = {.tun_fd = -1, .ctl_listen_fd = -1};
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
	if (opts.bypass_security) { /* tincd's debugging switch: never ignored silently */
		fprintf(stderr, "--bypass-security: not supported, fenliu never turns "
				"authentication off\n");
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
	d.switch_user = opts.user;
	d.do_chroot = opts.chroot;
	d.do_mlock = opts.mlock;
	main_set_debug(&d, opts.debug_level);
	fl_conf_init(&d.cmdline);
	if (fl_conf_merge(&d.cmdline, &opts.cmdline) != FL_CONF_OK) /* takes the -o list */
		goto out_opts;
	fl_log(FL_DEBUG_ALWAYS, LOG_NOTICE, "fenliud 0.1.0 starting, debug level %d",
	       opts.debug_level);
	signal(SIGPIPE, SIG_IGN); /* the echo pipe's reader may be gone */
	if (opts.log_target != FL_LOG_STDERR)
		main_echo_fd = STDERR_FILENO;
	if (fld_conf_load(&d, true) < 0)
		goto out_stop;
	if (d.debug_from_conf)
		main_set_debug(&d, d.debug);
	if (opts.detach && (umbilical = fl_daemonize()) < 0) {
		fl_dlog(FL_DLOG_ERR, "Could not detach: %s", strerror(errno));
		goto out_stop;
	}
	if (umbilical >= 0)
		main_echo_fd = umbilical;
	/* -L after the fork, so that it locks the daemon (as tincd). */
	if ((d.do_mlock && fld_privs_mlock() < 0) || main_start(&d) < 0) {
		main_echo_fd = -1;
		fl_daemonize_done(umbilical, 1);
		goto out_stop;
	}
	main_echo_fd = -1;
	fl_daemonize_done(umbilical, 0);
	fld_notify_ready();
	fld_loop_run(&d);
	ret = 0;
	fl_log(FL_DEBUG_ALWAYS, LOG_NOTICE, "Terminating");
out_stop:
	fld_notify_stopping();
	main_stop(&d);
	fl_log_close();
out_opts:
	fl_daemon_opts_free(&opts);
	return ret;
}
