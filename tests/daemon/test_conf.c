/* SPDX-License-Identifier: MIT */
/* test_conf.c: config parser, variable checks, lookup order, reading a
 * config directory, typed settings (CONFIG.md §2-§3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_name.h"
#include "conf/conf_read.h"
#include "conf/conf_settings.h"
#include "conf/conf_vars.h"
#include "conf/conf_load.h"
#include "conf/conf_support.h"
#include "conf/conf_proxy.h"

struct msgs {
	char err[16][600];
	char warn[16][600];
	int nerr, nwarn;
};

static void on_err(void *ctx, const char *m)
{
	struct msgs *x = ctx;
	if (x->nerr < 16)
		snprintf(x->err[x->nerr++], 600, "%s", m);
}

static void on_warn(void *ctx, const char *m)
{
	struct msgs *x = ctx;
	if (x->nwarn < 16)
		snprintf(x->warn[x->nwarn++], 600, "%s", m);
}

static enum fl_conf_err parse(struct fl_conf *c, const char *text, struct msgs *m)
{
	struct fl_conf_reporter r = {on_err, on_warn, m};
	memset(m, 0, sizeof(*m));
	fl_conf_init(c);
	return fl_conf_parse(c, text, strlen(text), "tinc.conf", &r);
}

static void test_syntax(void **state)
{
	struct fl_conf c;
	struct msgs m;
	const char *text =
		"# comment\n"
		"Name = alpha\r\n"
		"\n"
		"   \t\n"
		"ConnectTo beta\n"
		"port=655  \t\n"
		"Subnet\t=\t10.0.1.0/24\n"
		"-----BEGIN ED25519 PUBLIC KEY-----\n"
		"Garbage that is not a = setting\n"
		"-----END ED25519 PUBLIC KEY-----\n"
		"ConnectTo = gamma";
	assert_int_equal(parse(&c, text, &m), FL_CONF_OK);
	assert_int_equal(c.n, 5);
	const struct fl_conf_entry *e = fl_conf_first(&c, "NAME");
	assert_non_null(e);
	assert_string_equal(e->value, "alpha");
	assert_int_equal(e->line, 2);
	e = fl_conf_first(&c, "Port");
	assert_string_equal(e->value, "655");
	assert_string_equal(fl_conf_first(&c, "subnet")->value, "10.0.1.0/24");
	e = fl_conf_first(&c, "ConnectTo");
	assert_string_equal(e->value, "beta");
	e = fl_conf_next(&c, e);
	assert_string_equal(e->value, "gamma");
	assert_int_equal(e->line, 11);
	assert_null(fl_conf_next(&c, e));
	assert_null(fl_conf_first(&c, "Mode"));
	fl_conf_free(&c);
}

static void test_bad_lines(void **state)
{
	struct fl_conf c;
	struct msgs m;
	assert_int_equal(parse(&c, "Name = a\nPort\nMode = hub\n", &m), FL_CONF_ENOVALUE);
	assert_int_equal(m.nerr, 1);
	assert_string_equal(m.err[0], "tinc.conf:2: no value for variable: 'Port'");
	assert_int_equal(c.n, 1); /* stops at the bad line */
	fl_conf_free(&c);

	assert_int_equal(parse(&c, "Port =   \n", &m), FL_CONF_ENOVALUE);
	fl_conf_free(&c);
	assert_int_equal(parse(&c, "= 5\n", &m), FL_CONF_ENOVALUE);
	fl_conf_free(&c);

	char longline[3000];
	memset(longline, 'x', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(parse(&c, longline, &m), FL_CONF_ELONG);
	assert_string_equal(m.err[0], "tinc.conf:1: line too long: ''");
	fl_conf_free(&c);
	longline[0] = '#';
	assert_int_equal(parse(&c, longline, &m), FL_CONF_OK);
	assert_int_equal(c.n, 0);
	fl_conf_free(&c);

	struct msgs m2 = {0};
	struct fl_conf_reporter r = {on_err, on_warn, &m2};
	fl_conf_init(&c);
	assert_int_equal(fl_conf_parse(&c, "A = b\0c\n", 8, "f", &r), FL_CONF_ENUL);
	fl_conf_free(&c);
}

/* Every typed variable rejects a bad value with FILE:LINE: VAR: why: 'v'. */
static void test_every_bad_value(void **state)
{
	for (const struct fl_var *v = fl_var_table(); v->name; v++) {
		const char *bad;
		switch (v->type) {
		case FL_VT_BOOL: bad = "maybe"; break;
		case FL_VT_INT: bad = v->min > INT32_MIN ? "-5" : "x12"; break;
		case FL_VT_PORT: bad = "70000"; break;
		case FL_VT_ADDR: bad = "host 1 2"; break;
		case FL_VT_SUBNET: bad = "10.0.0.0/8 junk"; break;
		case FL_VT_NAME: bad = "bad-name"; break;
		case FL_VT_ENUM: bad = "bogus"; break;
		case FL_VT_FIRSTWORD: bad = "bogus x"; break;
		case FL_VT_KEY: bad = "short"; break;
		default: continue;
		}
		char text[200], want[300];
		struct fl_conf c;
		struct msgs m;
		snprintf(text, sizeof(text), "# x\n%s = %s\n", v->name, bad);
		assert_int_equal(parse(&c, text, &m), FL_CONF_OK);
		struct fl_conf_reporter r = {on_err, on_warn, &m};
		assert_int_equal(fl_conf_check(&c, NULL, &r), FL_CONF_EVALUE);
		assert_int_equal(m.nerr, 1);
		snprintf(want, sizeof(want), "tinc.conf:2: %s: ", v->name);
		assert_memory_equal(m.err[0], want, strlen(want));
		snprintf(want, sizeof(want), ": '%s'", bad);
		assert_string_equal(m.err[0] + strlen(m.err[0]) - strlen(want), want);
		fl_conf_free(&c);
	}
}

static void test_messages(void **state)
{
	struct fl_conf c;
	struct msgs m;
	parse(&c, "Port = 70000\nMode = bridge\nPingInterval = abc\nMaxTimeout = 0\n"
	          "AutoConnect = 1\nConnectTo = no-dash\nCompression = 13\n", &m);
	assert_non_null(fl_conf_first(&c, "Mode"));
	struct fl_conf_reporter r = {on_err, on_warn, &m};
	assert_int_equal(fl_conf_check(&c, NULL, &r), FL_CONF_EVALUE);
	assert_int_equal(m.nerr, 7);
	/* Reported in file order, even after a lookup sorted the list. */
	assert_string_equal(m.err[0], "tinc.conf:1: Port: not a port number in 0-65535 or a service name: '70000'");
	assert_string_equal(m.err[1], "tinc.conf:2: Mode: expected one of router, switch, hub: 'bridge'");
	assert_string_equal(m.err[2], "tinc.conf:3: PingInterval: not a number: 'abc'");
	assert_string_equal(m.err[3], "tinc.conf:4: MaxTimeout: not a number >= 1: '0'");
	assert_string_equal(m.err[4], "tinc.conf:5: AutoConnect: expected yes or no: '1'");
	assert_string_equal(m.err[5], "tinc.conf:6: ConnectTo: not a valid node name (A-Z, a-z, 0-9, _): 'no-dash'");
	assert_string_equal(m.err[6], "tinc.conf:7: Compression: not a number in 0-12: '13'");
	fl_conf_free(&c);

	parse(&c, "Subnet = 10.0.0.1/8\nSubnet = 10.0.0.0/33\nBroadcastSubnet = 10.0.0.0/8#x\n"
	          "Subnet = 01:02:03:04:05:06/8\nSubnet = 2001:db8::/32#-5\nSubnet = 1:2:3:4:5:6\n", &m);
	assert_int_equal(fl_conf_check(&c, NULL, &r), FL_CONF_EVALUE);
	assert_int_equal(m.nerr, 4);
	assert_string_equal(m.err[0], "tinc.conf:1: Subnet: network address and prefix length do not match: '10.0.0.1/8'");
	assert_string_equal(m.err[1], "tinc.conf:2: Subnet: invalid prefix length: '10.0.0.0/33'");
	assert_string_equal(m.err[2], "tinc.conf:3: BroadcastSubnet: weight is not a number: '10.0.0.0/8#x'");
	assert_string_equal(m.err[3], "tinc.conf:4: Subnet: MAC address with a prefix length: '01:02:03:04:05:06/8'");
	fl_conf_free(&c);
}

/* Proxy: the whole value is checked at load, with FILE:LINE, as tinc's
 * setup would refuse it; socks4a is refused (tincd fails it at connect). */
static void test_proxy_values(void **state)
{
	struct fl_conf c;
	struct msgs m;
	struct fl_conf_reporter r = {on_err, on_warn, &m};
	struct fl_proxy_conf p;
	char why[128];

	(void)state;
	parse(&c, "Proxy = socks4a 192.0.2.1 1080\nProxy = socks5 192.0.2.1\nProxy = exec\n"
	          "Proxy = http 192.0.2.1 3128 user\nProxy = socks4 192.0.2.1 1080 u x\n"
	          "Proxy = socks5 h 1 u p extra\nProxy = ftp h 1\n", &m);
	assert_int_equal(fl_conf_check(&c, NULL, &r), FL_CONF_EVALUE);
	assert_int_equal(m.nerr, 7);
	assert_non_null(strstr(m.err[0], "tinc.conf:1: Proxy: socks4a is not implemented"));
	assert_non_null(strstr(m.err[1], "tinc.conf:2: Proxy: host and port expected"));
	assert_non_null(strstr(m.err[2], "tinc.conf:3: Proxy: a command expected"));
	assert_non_null(strstr(m.err[3], "tinc.conf:4: Proxy: http takes only"));
	assert_non_null(strstr(m.err[4], "tinc.conf:5: Proxy: socks4 takes at most"));
	assert_non_null(strstr(m.err[5], "tinc.conf:6: Proxy: too many words"));
	assert_non_null(strstr(m.err[6], "tinc.conf:7: Proxy: expected none, socks4"));
	fl_conf_free(&c);

	assert_true(fl_proxy_conf_parse("SOCKS5  proxy.example 1080 alice s3cret", &p, why, sizeof(why)));
	assert_int_equal(p.type, FL_PROXY_SOCKS5);
	assert_string_equal(p.host, "proxy.example");
	assert_string_equal(p.port, "1080");
	assert_string_equal(p.user, "alice");
	assert_string_equal(p.pass, "s3cret");
	assert_true(fl_proxy_conf_parse("socks5 h 1 alice", &p, why, sizeof(why)));
	assert_string_equal(p.user, "alice"); /* no password: no authentication */
	assert_string_equal(p.pass, "");
	assert_true(fl_proxy_conf_parse("exec  nc -q0 $REMOTEADDRESS $REMOTEPORT", &p, why, sizeof(why)));
	assert_int_equal(p.type, FL_PROXY_EXEC);
	assert_string_equal(p.command, "nc -q0 $REMOTEADDRESS $REMOTEPORT");
	assert_true(fl_proxy_conf_parse("none", &p, why, sizeof(why)));
	assert_int_equal(p.type, FL_PROXY_NONE);
	assert_true(fl_proxy_conf_parse(NULL, &p, why, sizeof(why)));
	assert_int_equal(p.type, FL_PROXY_NONE);
}

static void test_good_values(void **state)
{
	struct fl_conf c;
	struct msgs m;
	parse(&c, "Port = 0\nPort = http\nMode = SWITCH\nAutoConnect = YES\nPingInterval = 30 s\n"
	          "Address = example.org 655\nAddress = 192.0.2.1\nBroadcast = yes\n"
	          "Proxy = socks5 192.0.2.1 1080\nName = $HOST\nSubnet = 10.0.0.0/8#5\n"
	          "Ed25519PublicKey = W2iqxnuWYOeGrQy4FqnD9mjygKeSh42zhVhVLswytWO\n"
	          "Cipher = aes-256-cbc\n", &m);
	struct fl_conf_reporter r = {on_err, on_warn, &m};
	struct fl_conf_warned w = {0};
	assert_int_equal(fl_conf_check(&c, &w, &r), FL_CONF_OK);
	assert_int_equal(m.nerr, 0);
	assert_int_equal(m.nwarn, 0); /* support is conf_support's job */
	fl_conf_warned_free(&w);
	fl_conf_free(&c);
}

static void test_unknown_warned_once(void **state)
{
	struct fl_conf c;
	struct msgs m;
	struct fl_conf_warned w = {0};
	parse(&c, "Frobnicate = 1\nfrobnicate = 2\nUPnP = yes\n", &m);
	struct fl_conf_reporter r = {on_err, on_warn, &m};
	assert_int_equal(fl_conf_check(&c, &w, &r), FL_CONF_OK);
	assert_int_equal(m.nwarn, 1);
	assert_string_equal(m.warn[0], "tinc.conf:1: Frobnicate: unknown variable, ignored: '1'");
	/* A reload with the same tree stays quiet. */
	m.nwarn = 0;
	assert_int_equal(fl_conf_check(&c, &w, &r), FL_CONF_OK);
	assert_int_equal(m.nwarn, 0);
	fl_conf_warned_free(&w);
	fl_conf_free(&c);
}

/* -o first, then line number across files, then file name. */
static void test_order(void **state)
{
	struct fl_conf c;
	fl_conf_init(&c);
	fl_conf_add(&c, "Port", "5", "/x/tinc.conf", 5);
	fl_conf_add(&c, "Port", "2", "/x/hosts/me", 2);
	fl_conf_add(&c, "Port", "2b", "/x/a.conf", 2);
	fl_conf_add(&c, "Port", "cmd", NULL, 1);
	const struct fl_conf_entry *e = fl_conf_first(&c, "port");
	assert_string_equal(e->value, "cmd");
	assert_string_equal((e = fl_conf_next(&c, e))->value, "2b");
	assert_string_equal((e = fl_conf_next(&c, e))->value, "2");
	assert_string_equal((e = fl_conf_next(&c, e))->value, "5");
	assert_null(fl_conf_next(&c, e));
	assert_int_equal(fl_conf_count(&c, "PORT"), 4);
	char where[64];
	fl_conf_where(fl_conf_first(&c, "Port"), where, sizeof(where));
	assert_string_equal(where, "command line option 1");
	fl_conf_free(&c);
}

static void test_names(void **state)
{
	assert_true(fl_name_valid("alpha_1"));
	assert_false(fl_name_valid(""));
	assert_false(fl_name_valid("a-b"));
	assert_false(fl_name_valid("a.b"));
	assert_int_equal(fl_netname_check("vpn"), FL_NETNAME_OK);
	assert_int_equal(fl_netname_check("v p"), FL_NETNAME_UNSAFE);
	assert_int_equal(fl_netname_check(".x"), FL_NETNAME_INVALID);
	assert_int_equal(fl_netname_check("a/b"), FL_NETNAME_INVALID);
	assert_int_equal(fl_netname_check("a\tb"), FL_NETNAME_INVALID);
	char out[64];
	setenv("FL_TEST_NAME", "host-1.example", 1);
	assert_true(fl_name_expand("$FL_TEST_NAME", out, sizeof(out)));
	assert_string_equal(out, "host_1_example");
	assert_false(fl_name_expand("$FL_TEST_UNSET_VAR", out, sizeof(out)));
	assert_true(fl_name_expand("$HOST", out, sizeof(out)) || true);
	assert_true(fl_name_expand("plain", out, sizeof(out)));
	assert_false(fl_name_expand("bad-name", out, sizeof(out)));
}

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *make_confdir(void)
{
	static char dir[] = "/tmp/fl_conf_XXXXXX";
	strcpy(dir, "/tmp/fl_conf_XXXXXX");
	assert_non_null(mkdtemp(dir));
	char p[512];
	snprintf(p, sizeof(p), "%s/hosts", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/conf.d", dir);
	mkdir(p, 0700);
	write_file(dir, "tinc.conf", "Name = alpha\nConnectTo = beta\nMode = router\nPort = 7000\n");
	write_file(dir, "conf.d/10-extra.conf", "ConnectTo = gamma\nPingInterval = 0\n");
	write_file(dir, "conf.d/ignored.txt", "ConnectTo = nobody\n");
	write_file(dir, "conf.d/.conf", "ConnectTo = nobody\n");
	write_file(dir, "hosts/alpha", "Port = 7001\nSubnet = 10.0.1.0/24\n"
	           "-----BEGIN ED25519 PUBLIC KEY-----\nabc\n-----END ED25519 PUBLIC KEY-----\n");
	write_file(dir, "hosts/beta", "Address = 192.0.2.2 655\nAddress = beta.example\nPort = 656\n"
	           "Subnet = 10.0.2.0/24\nIndirectData = yes\n");
	write_file(dir, "hosts/beta-up", "#!/bin/sh\n");
	return dir;
}

static void rm_rf(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void count_host(void *ctx, const char *name)
{
	(*(int *)ctx)++;
	assert_true(strcmp(name, "alpha") == 0 || strcmp(name, "beta") == 0);
}

static void test_read_dir(void **state)
{
	char *dir = make_confdir();
	struct fl_conf cmd, srv, host;
	struct msgs m = {0};
	struct fl_conf_reporter r = {on_err, on_warn, &m};
	char name[64];
	fl_conf_init(&cmd);
	fl_conf_init(&srv);
	fl_conf_init(&host);
	assert_int_equal(fl_conf_cmdline_add(&cmd, "Mode=switch", 1), FL_CONF_OK);
	assert_int_equal(fl_conf_cmdline_add(&cmd, "beta.Port = 999", 2), FL_CONF_OK);
	assert_int_equal(fl_conf_cmdline_add(&cmd, "alpha.Weight=3", 3), FL_CONF_OK);
	assert_int_equal(fl_conf_cmdline_add(&cmd, "NoValue", 4), FL_CONF_EOPTION);
	assert_int_equal(fl_conf_cmdline_add(&cmd, "bad-node.Port=1", 4), FL_CONF_EOPTION);
	assert_int_equal(fl_conf_read_server(&srv, dir, &cmd, name, sizeof(name), NULL, &r), FL_CONF_OK);
	assert_int_equal(m.nerr, 0);
	assert_string_equal(name, "alpha");

	struct fl_settings s;
	assert_int_equal(fl_settings_load(&s, &srv, name), FL_CONF_OK);
	assert_string_equal(s.name, "alpha");
	assert_int_equal(s.mode, FL_MODE_SWITCH);          /* -o beats tinc.conf */
	assert_string_equal(s.port, "7001");               /* hosts/alpha line 1 beats line 4 */
	assert_int_equal(s.connect_to.n, 2);
	/* tinc's order: line 1 of conf.d/10-extra.conf beats line 2 of tinc.conf. */
	assert_string_equal(s.connect_to.v[0], "gamma");
	assert_string_equal(s.connect_to.v[1], "beta");
	assert_int_equal(s.subnet.n, 1);
	assert_string_equal(s.subnet.v[0], "10.0.1.0/24");
	assert_int_equal(s.ping_interval, 86400);          /* < 1 -> 86400 */
	assert_int_equal(s.ping_timeout, 5);
	assert_int_equal(s.weight, 3);                     /* -o alpha.Weight */
	fl_settings_free(&s);

	assert_int_equal(fl_conf_read_host(&host, dir, "beta", &cmd, NULL, &r), FL_CONF_OK);
	struct fl_host_settings h;
	assert_int_equal(fl_host_settings_load(&h, &host), FL_CONF_OK);
	assert_int_equal(h.address.n, 2);
	assert_string_equal(h.address.v[0], "192.0.2.2 655");
	assert_string_equal(h.port, "999");
	assert_int_equal(h.indirect_data, 1);
	assert_int_equal(h.tcp_only, FL_UNSET);
	assert_null(h.ed25519_public_key);
	fl_host_settings_free(&h);
	fl_conf_free(&host);

	int n = 0;
	assert_int_equal(fl_conf_each_host(dir, count_host, &n), 2);
	assert_int_equal(n, 2);

	/* A missing host file and a bad value are errors naming file and line. */
	assert_int_equal(fl_conf_read_host(&host, dir, "nobody", &cmd, NULL, &r), FL_CONF_EIO);
	fl_conf_free(&host);
	write_file(dir, "hosts/beta", "Address = 192.0.2.2\nTCPOnly = perhaps\n");
	m.nerr = 0;
	assert_int_equal(fl_conf_read_host(&host, dir, "beta", &cmd, NULL, &r), FL_CONF_EVALUE);
	char want[600];
	snprintf(want, sizeof(want), "%s/hosts/beta:2: TCPOnly: expected yes or no: 'perhaps'", dir);
	assert_string_equal(m.err[0], want);
	fl_conf_free(&host);
	fl_conf_free(&srv);
	fl_conf_free(&cmd);
	rm_rf(dir);
}

static void test_read_errors(void **state)
{
	char *dir = make_confdir();
	struct fl_conf srv;
	struct msgs m = {0};
	struct fl_conf_reporter r = {on_err, on_warn, &m};
	char name[64];

	write_file(dir, "tinc.conf", "ConnectTo = beta\n");
	fl_conf_init(&srv);
	assert_int_equal(fl_conf_read_server(&srv, dir, NULL, name, sizeof(name), NULL, &r), FL_CONF_ENAME);
	fl_conf_free(&srv);

	write_file(dir, "tinc.conf", "Name = no-good\n");
	assert_int_equal(fl_conf_read_server(&srv, dir, NULL, name, sizeof(name), NULL, &r), FL_CONF_ENAME);
	fl_conf_free(&srv);

	write_file(dir, "tinc.conf", "Name = alpha\nDeviceStandby\n");
	assert_int_equal(fl_conf_read_server(&srv, dir, NULL, name, sizeof(name), NULL, &r), FL_CONF_ENOVALUE);
	fl_conf_free(&srv);

	rm_rf(dir);
	assert_int_equal(fl_conf_read_server(&srv, dir, NULL, name, sizeof(name), NULL, &r), FL_CONF_EIO);
	fl_conf_free(&srv);
}

/* A hosts/ entry that is not a regular file of bounded size is refused
 * with FILE: reason, at once: never read (/dev/zero), never waited on (a
 * FIFO). Issue 22.7. */
static void test_read_file_kinds(void **state)
{
	static const struct { const char *name, *why; } cases[] = {
		{"dir", "not a regular file (a directory)"},
		{"zero", "not a regular file (a device)"},
		{"fifo", "not a regular file (a FIFO)"},
		{"big", "larger than 1 MiB"},
	};
	char *dir = make_confdir();
	char p[600], want[700];
	struct msgs m = {0};
	struct fl_conf_reporter r = {on_err, on_warn, &m};
	struct fl_conf host;

	snprintf(p, sizeof(p), "%s/hosts/dir", dir);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/hosts/zero", dir);
	assert_int_equal(symlink("/dev/zero", p), 0);
	snprintf(p, sizeof(p), "%s/hosts/fifo", dir);
	assert_int_equal(mkfifo(p, 0600), 0);
	snprintf(p, sizeof(p), "%s/hosts/big", dir);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	for (int i = 0; i < (1 << 20) / 16 + 1; i++)
		fputs("# padding line.\n", f);
	fclose(f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		m.nerr = 0;
		fl_conf_init(&host);
		assert_int_equal(fl_conf_read_host(&host, dir, cases[i].name, NULL, NULL, &r),
				 FL_CONF_EIO);
		snprintf(want, sizeof(want), "%s/hosts/%s: %s", dir, cases[i].name, cases[i].why);
		assert_int_equal(m.nerr, 1);
		assert_string_equal(m.err[0], want);
		fl_conf_free(&host);
	}
	rm_rf(dir);
}

static void test_defaults(void **state)
{
	struct fl_conf c;
	struct fl_settings s;
	fl_conf_init(&c);
	assert_int_equal(fl_settings_load(&s, &c, "me"), FL_CONF_OK);
	assert_string_equal(s.port, "655");
	assert_int_equal(s.mode, FL_MODE_ROUTER);
	assert_int_equal(s.address_family, FL_AF_ANY);
	assert_int_equal(s.ping_interval, 60);
	assert_int_equal(s.ping_timeout, 5);
	assert_int_equal(s.max_timeout, 900);
	assert_true(s.autoconnect);
	assert_int_equal(s.key_expire, 3600);
	assert_int_equal(s.weight, FL_UNSET);
	assert_int_equal(s.pmtu, 1518);
	assert_true(s.pmtu_discovery);
	assert_true(s.clamp_mss);
	assert_int_equal(s.forwarding, FL_FWD_INTERNAL);
	assert_int_equal(s.broadcast, FL_BCAST_MST);
	assert_true(s.local_discovery);
	assert_true(s.udp_discovery);
	assert_int_equal(s.udp_discovery_keepalive_interval, 10);
	assert_int_equal(s.udp_discovery_interval, 2);
	assert_int_equal(s.udp_discovery_timeout, 30);
	assert_int_equal(s.udp_info_interval, 5);
	assert_int_equal(s.mtu_info_interval, 5);
	assert_int_equal(s.udp_rcvbuf, 1048576);
	assert_int_equal(s.udp_sndbuf, 1048576);
	assert_int_equal(s.replay_window, FL_UNSET);
	assert_int_equal(s.mac_expire, 600);
	assert_int_equal(s.max_connection_burst, 10);
	assert_int_equal(s.max_output_buffer_size, 15180);
	assert_int_equal(s.process_priority, FL_PRIO_UNCHANGED);
	assert_int_equal(s.experimental_protocol, FL_UNSET);
	assert_string_equal(s.scripts_extension, "");
	assert_null(s.proxy);
	assert_int_equal(s.invitation_expire, 604800);
	fl_settings_free(&s);

	fl_conf_add(&c, "TCPOnly", "yes", "f", 1);
	fl_conf_add(&c, "TunnelServer", "yes", "f", 2);
	fl_conf_add(&c, "PingTimeout", "100", "f", 3);
	fl_conf_add(&c, "Broadcast", "direct", "f", 4);
	fl_conf_add(&c, "ProcessPriority", "High", "f", 5);
	assert_int_equal(fl_settings_load(&s, &c, "me"), FL_CONF_OK);
	assert_true(s.indirect_data);
	assert_false(s.pmtu_discovery);
	assert_true(s.strict_subnets);
	assert_int_equal(s.ping_timeout, 60);
	assert_int_equal(s.broadcast, FL_BCAST_DIRECT);
	assert_int_equal(s.process_priority, FL_PRIO_HIGH);
	fl_settings_free(&s);
	fl_conf_free(&c);
}

/* A reload reads into a fresh generation; a failed one leaves the old. */
static void test_load_reload(void **state)
{
	char *dir = make_confdir();
	struct fl_conf cmd;
	struct msgs m = {0};
	struct fl_conf_reporter r = {on_err, on_warn, &m};
	struct fl_conf_warned w = {0};
	struct fl_config cur, next;
	fl_conf_init(&cmd);
	write_file(dir, "conf.d/20-x.conf", "Frobnicate = 1\n");
	assert_int_equal(fl_config_load(&cur, dir, &cmd, &w, &r), FL_CONF_OK);
	assert_string_equal(cur.s.name, "alpha");
	assert_string_equal(cur.s.port, "7001");
	assert_int_equal(m.nwarn, 1);

	write_file(dir, "tinc.conf", "Name = alpha\nMaxTimeout = 30\n");
	assert_int_equal(fl_config_load(&next, dir, &cmd, &w, &r), FL_CONF_OK);
	assert_int_equal(next.s.max_timeout, 30);
	assert_int_equal(next.s.connect_to.n, 1);     /* gamma from conf.d */
	assert_int_equal(m.nwarn, 1);                 /* Frobnicate: warned once */
	fl_config_free(&cur);
	cur = next;

	write_file(dir, "tinc.conf", "Name = alpha\nMode = hubble\n");
	assert_int_equal(fl_config_load(&next, dir, &cmd, &w, &r), FL_CONF_EVALUE);
	assert_int_equal(next.tree.n, 0);
	fl_config_free(&next);                        /* safe on failure */
	assert_int_equal(cur.s.max_timeout, 30);      /* old generation intact */

	m.nerr = 0;
	write_file(dir, "tinc.conf", "Name = alpha\nExperimentalProtocol = no\n");
	assert_int_equal(fl_config_load(&next, dir, &cmd, &w, &r), FL_CONF_EVALUE);
	assert_int_equal(m.nerr, 1);
	assert_non_null(strstr(m.err[0], "tinc.conf:2: ExperimentalProtocol: fenliu speaks only SPTPS"));
	m.nerr = 0;
	write_file(dir, "tinc.conf", "Name = alpha\nDeviceType = vde\n");
	assert_int_equal(fl_config_load(&next, dir, &cmd, &w, &r), FL_CONF_EVALUE);
	assert_int_equal(m.nerr, 1);
	assert_non_null(strstr(m.err[0], "tinc.conf:2: DeviceType: only tun and tap are supported"));
	fl_config_free(&cur);

	struct fl_host_config hc;
	assert_int_equal(fl_host_config_load(&hc, dir, "beta", &cmd, &w, &r), FL_CONF_OK);
	assert_int_equal(hc.h.address.n, 2);
	assert_string_equal(hc.h.port, "656");
	fl_host_config_free(&hc);
	assert_int_equal(fl_host_config_load(&hc, dir, "../etc", &cmd, &w, &r), FL_CONF_ENAME);
	fl_host_config_free(&hc);
	fl_conf_warned_free(&w);
	fl_conf_free(&cmd);
	rm_rf(dir);
}

/* Issue 18.1: every setting fenliud cannot honour is named with FILE:LINE;
 * those guarding security or changing what the node does are refused. */
static void test_support(void **state)
{
	struct fl_conf c;
	struct msgs m;

	(void)state;
	parse(&c, "Mode = Router\nDeviceType = tun\nExperimentalProtocol = yes\nProxy = none\n"
	          "Sandbox = off\nDeviceStandby = no\nHostnames = no\nUPnP = no\nBroadcast = NO\n", &m);
	struct fl_conf_reporter r = {on_err, on_warn, &m};
	assert_int_equal(fl_conf_support_check(&c, &r), FL_CONF_OK);
	assert_int_equal(m.nerr + m.nwarn, 0);
	fl_conf_free(&c);

	/* As stock tincd: PriorityInheritance touches legacy-protocol packets
	 * only, VDEGroup and VDEPort only DeviceType = vde; none is named,
	 * nor DeviceStandby and Hostnames, which work (tests/e2e/standby.sh,
	 * hostnames.sh). */
	parse(&c, "PriorityInheritance = yes\nVDEGroup = vde\nVDEPort = /run/vde.ctl\n"
	          "DeviceStandby = yes\nHostnames = yes\n", &m);
	assert_int_equal(fl_conf_support_check(&c, &r), FL_CONF_OK);
	assert_int_equal(m.nerr + m.nwarn, 0);
	fl_conf_free(&c);

	parse(&c, "Mode = switch\nDeviceType = dummy\nExperimentalProtocol = no\n"
	          "Proxy = socks5 192.0.2.1 1080\nSandbox = high\nBroadcastSubnet = 10.0.0.0/8\n"
	          "CryptoThreads = 2\nMaxOutputBufferSize = 100\nUPnP = yes\n", &m);
	assert_int_equal(fl_conf_support_check(&c, &r), FL_CONF_EVALUE);
	/* Mode, Proxy, BroadcastSubnet, CryptoThreads, MaxOutputBufferSize work */
	assert_int_equal(m.nerr, 3);
	assert_int_equal(m.nwarn, 1);
	assert_non_null(strstr(m.err[0], "tinc.conf:2: DeviceType: only tun"));
	assert_non_null(strstr(m.err[2], "tinc.conf:5: Sandbox: "));
	assert_non_null(strstr(m.warn[0], "tinc.conf:9: UPnP: fenliu has no UPnP client, ignored "
					  "(as by a tinc built without miniupnpc): 'yes'"));
	fl_conf_free(&c);

	/* Mode against DeviceType, each mismatch with FILE:LINE of both. */
	parse(&c, "DeviceType = tun\nMode = Switch\n", &m);
	assert_int_equal(fl_conf_support_check(&c, &r), FL_CONF_EVALUE);
	assert_int_equal(m.nerr, 1);
	assert_non_null(strstr(m.err[0], "tinc.conf:2: Mode: Switch needs a tap device "
					 "(DeviceType = tun at tinc.conf:1)"));
	fl_conf_free(&c);
	parse(&c, "Port = 655\nDeviceType = TAP\n", &m);
	assert_int_equal(fl_conf_support_check(&c, &r), FL_CONF_EVALUE);
	assert_int_equal(m.nerr, 1);
	assert_non_null(strstr(m.err[0], "tinc.conf:2: DeviceType: tap needs Mode = switch or hub "
					 "(Mode = router by default"));
	fl_conf_free(&c);
	parse(&c, "Mode = router\nDeviceType = tap\n", &m);
	assert_int_equal(fl_conf_support_check(&c, &r), FL_CONF_EVALUE);
	assert_non_null(strstr(m.err[0], "tinc.conf:2: DeviceType: tap needs Mode = switch or hub "
					 "(Mode = router at tinc.conf:1"));
	fl_conf_free(&c);
	parse(&c, "Mode = hub\nDeviceType = tap\n", &m); /* and no DeviceType: follows Mode */
	assert_int_equal(fl_conf_support_check(&c, &r), FL_CONF_OK);
	fl_conf_free(&c);
	parse(&c, "Mode = switch\n", &m);
	assert_int_equal(fl_conf_support_check(&c, &r), FL_CONF_OK);
	assert_int_equal(m.nerr, 0);
	fl_conf_free(&c);

	/* A duplicate of a single-valued variable does not count (tinc
	 * reads the first). */
	parse(&c, "Sandbox = off\nSandbox = high\n", &m);
	assert_int_equal(fl_conf_support_check(&c, &r), FL_CONF_OK);
	assert_int_equal(m.nerr, 0);
	fl_conf_free(&c);

	/* Every rule names a variable of the table, so a typo cannot hide. */
	for (const struct fl_support_rule *u = fl_support_rules(); u->var; u++)
		assert_non_null(fl_var_find(u->var));
}

/* fl_conf_merge with an empty source or destination (no array yet): no
 * memcpy from/to NULL (UBSan), entries moved, the source left empty. */
static void test_merge_empty(void **state)
{
	struct fl_conf a, b;

	(void)state;
	fl_conf_init(&a);
	fl_conf_init(&b);
	assert_int_equal(fl_conf_merge(&a, &b), FL_CONF_OK);
	assert_int_equal(a.n, 0);
	assert_int_equal(fl_conf_add(&b, "Port", "656", NULL, 1), FL_CONF_OK);
	assert_int_equal(fl_conf_merge(&a, &b), FL_CONF_OK);
	assert_int_equal(a.n, 1);
	assert_int_equal(b.n, 0);
	assert_null(b.v);
	assert_int_equal(fl_conf_merge(&a, &b), FL_CONF_OK);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.v[0].value, "656");
	fl_conf_free(&a);
	fl_conf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syntax),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_every_bad_value),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_good_values),
		cmocka_unit_test(test_proxy_values),
		cmocka_unit_test(test_unknown_warned_once),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_read_dir),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_read_file_kinds),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_load_reload),
		cmocka_unit_test(test_merge_empty),
		cmocka_unit_test(test_support),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
