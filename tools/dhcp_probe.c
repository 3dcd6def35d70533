/* SPDX-License-Identifier: MIT */
/*
 * dhcp_probe: drives the pure DHCP client core (src/l2/dhcp_client) on a
 * real interface, the way fenliud will on a LAN TAP: raw IPv4 in and out
 * through an AF_PACKET socket (the interface needs no address), the
 * clock and the random bytes from the kernel. Used by tests/e2e/dhcp_core.sh
 * against dnsmasq; not installed.
 *
 * usage: dhcp_probe IFACE [--hook CMD] [--until EVENT[:N]] [--timeout S]
 *                   [--save FILE] [--restore FILE] [--decline-first]
 *                   [--broadcast] [--release]
 *
 * Each event is a line on stdout: `EVENT bound|renewed|lost|declined
 * addr=A/LEN router=R dns=D lease=S t1=S t2=S server=S at_ms=T`. The hook
 * runs as `CMD EVENT` with DHCP_ADDR, DHCP_PREFIX, DHCP_ROUTER, DHCP_DNS,
 * DHCP_OLD_ADDR and DHCP_OLD_PREFIX in its environment (what an interface script gets).
 * --until exits 0 when EVENT has been seen N times (default 1); --save
 * writes the lease then (no RELEASE, so it can be restored); --restore
 * starts with INIT-REBOOT from such a file; --decline-first declines the
 * first address bound, as if an ARP probe had found it in use;
 * --broadcast sets the BROADCAST flag (the server broadcasts its replies,
 * so clients on one LAN see each other's); --release gives the lease back
 * on exit. At exit a line `DROPS name=count ...` gives the ignored
 * replies by reason (ip_bad: refused by the IPv4/UDP unwrap) and VmRSS.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "l2/dhcp_client.h"

struct probe {
	const char *hook, *save, *restore, *until;
	unsigned until_n, seen;
	long timeout_s;
	bool decline_first, declined, release;
	int fd, ifindex;
	uint8_t mac[6];
	uint32_t server_ip;	/* whose MAC we learned, for unicast */
	uint8_t server_mac[6];
	uint32_t cur_addr;	/* the address the hook was told about */
	int cur_prefix;
	uint64_t ip_bad;	/* IPv4/UDP to port 68 that fl_dhcp_ip_unwrap refused */
	fl_time_t t0;
	struct fl_dhcp_client c;
};

static fl_time_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (fl_time_t)ts.tv_sec * FL_TIME_US_PER_S + (fl_time_t)ts.tv_nsec / 1000;
}

static const char *ip_text(uint32_t a, char *buf)
{
	struct in_addr in = {.s_addr = htonl(a)};

	return inet_ntop(AF_INET, &in, buf, INET_ADDRSTRLEN);
}

static void list_text(const uint32_t *a, unsigned n, char *out, size_t cap)
{
	char ip[INET_ADDRSTRLEN];
	size_t used = 0;

	out[0] = 0;
	for (unsigned i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(out + used, cap - used, "%s%s", i ? "," : "",
					 ip_text(a[i], ip));
}

static int open_iface(struct probe *p, const char *ifname)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP)};
	struct ifreq ifr = {0};

	p->fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
	if (p->fd < 0 || strlen(ifname) >= IFNAMSIZ)
		return -1;
	strcpy(ifr.ifr_name, ifname);
	if (ioctl(p->fd, SIOCGIFHWADDR, &ifr) < 0)
		return -1;
	memcpy(p->mac, ifr.ifr_hwaddr.sa_data, 6);
	p->ifindex = (int)if_nametoindex(ifname);
	sll.sll_ifindex = p->ifindex;
	if (!p->ifindex || bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -1;
	int one = 1;
	if (setsockopt(p->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) < 0)
		return -1;
	return 0;
}

static void send_out(struct probe *p, const struct fl_dhcp_out *o)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	struct sockaddr_ll to = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP),
				 .sll_ifindex = p->ifindex, .sll_halen = 6};
	char ip[INET_ADDRSTRLEN];

	if (!o->len)
		return;
	/* Unicast goes to the server's MAC as seen on its last reply; the
	 * daemon will ARP for it instead. */
	memcpy(to.sll_addr, o->dst == 0xffffffffu || o->dst != p->server_ip ? bcast : p->server_mac,
	       6);
	fprintf(stderr, "dhcp_probe: %s: send %zu bytes to %s\n", fl_dhcp_state_name(p->c.state),
		o->len, ip_text(o->dst, ip));
	if (sendto(p->fd, o->pkt, o->len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		perror("dhcp_probe: sendto");
}

static void run_hook(struct probe *p, const char *ev, const struct fl_dhcp_lease *l)
{
	char buf[128], ip[INET_ADDRSTRLEN];

	setenv("DHCP_OLD_ADDR", p->cur_addr ? ip_text(p->cur_addr, ip) : "", 1);
	snprintf(buf, sizeof(buf), "%d", p->cur_prefix);
	setenv("DHCP_OLD_PREFIX", buf, 1);
	setenv("DHCP_ADDR", l ? ip_text(l->addr, ip) : "", 1);
	snprintf(buf, sizeof(buf), "%d", l ? fl_dhcp_lease_prefix(l) : 0);
	setenv("DHCP_PREFIX", buf, 1);
	list_text(l ? l->router : NULL, l ? l->n_router : 0, buf, sizeof(buf));
	setenv("DHCP_ROUTER", buf, 1);
	list_text(l ? l->dns : NULL, l ? l->n_dns : 0, buf, sizeof(buf));
	setenv("DHCP_DNS", buf, 1);
	p->cur_addr = l ? l->addr : 0;
	p->cur_prefix = l ? fl_dhcp_lease_prefix(l) : 0;
	if (!p->hook)
		return;
	snprintf(buf, sizeof(buf), "%s %s", p->hook, ev);
	if (system(buf) != 0)
		fprintf(stderr, "dhcp_probe: hook '%s' failed\n", buf);
}

static void report(struct probe *p, const char *ev, const struct fl_dhcp_lease *l, fl_time_t now)
{
	char ip[INET_ADDRSTRLEN], srv[INET_ADDRSTRLEN], r[80], d[80];

	if (l) {
		list_text(l->router, l->n_router, r, sizeof(r));
		list_text(l->dns, l->n_dns, d, sizeof(d));
		printf("EVENT %s addr=%s/%d router=%s dns=%s lease=%u t1=%u t2=%u server=%s at_ms=%llu\n",
		       ev, ip_text(l->addr, ip), fl_dhcp_lease_prefix(l), r, d, l->lease_s, l->t1_s,
		       l->t2_s, ip_text(l->server_id, srv),
		       (unsigned long long)((now - p->t0) / FL_TIME_US_PER_MS));
	} else {
		printf("EVENT %s at_ms=%llu\n", ev, (unsigned long long)((now - p->t0) / 1000));
	}
	fflush(stdout);
	if (p->until && strcmp(ev, p->until) == 0)
		p->seen++;
}

/* Act on what one call of the core produced: send, report, run the hook. */
static void handle(struct probe *p, struct fl_dhcp_out *o, fl_time_t now)
{
	const struct fl_dhcp_lease *l = fl_dhcp_lease(&p->c);
	struct fl_dhcp_lease copy;

	send_out(p, o);
	switch (o->ev) {
	case FL_DHCP_EV_BOUND:
		if (p->decline_first && !p->declined) {
			p->declined = true;
			copy = *l;
			fl_dhcp_decline(&p->c, now, o);
			report(p, "declined", &copy, now);
			send_out(p, o);
			return;
		}
		report(p, "bound", l, now);
		run_hook(p, "bound", l);
		break;
	case FL_DHCP_EV_RENEWED:
		report(p, "renewed", l, now);
		run_hook(p, "renewed", l);
		break;
	case FL_DHCP_EV_LOST:
		report(p, "lost", NULL, now);
		run_hook(p, "lost", NULL);
		break;
	default:
		break;
	}
}

/* A veth or bridge hands a locally sent datagram over with its checksum
 * still to be filled in (offload); the packet socket says so in its
 * auxiliary data, and such a checksum is not checked (as dhclient does). */
static ssize_t receive(struct probe *p, uint8_t *buf, size_t cap, struct sockaddr_ll *from)
{
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct iovec iov = {.iov_base = buf, .iov_len = cap};
	struct msghdr mh = {.msg_name = from, .msg_namelen = sizeof(*from), .msg_iov = &iov,
			    .msg_iovlen = 1, .msg_control = &ctl, .msg_controllen = sizeof(ctl)};
	ssize_t n = recvmsg(p->fd, &mh, MSG_DONTWAIT);

	if (n < 20)
		return n;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		struct tpacket_auxdata aux;
		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA)
			continue;
		memcpy(&aux, CMSG_DATA(c), sizeof(aux));
		size_t ihl = (size_t)(buf[0] & 15) * 4;
		if ((aux.tp_status & TP_STATUS_CSUMNOTREADY) && buf[9] == 17 && (size_t)n >= ihl + 8)
			buf[ihl + 6] = buf[ihl + 7] = 0;
	}
	return n;
}

static void input(struct probe *p, fl_time_t now)
{
	uint8_t buf[2048];
	struct sockaddr_ll from;
	struct fl_dhcp_out o;
	const uint8_t *pl;
	size_t plen;
	uint32_t src;
	enum fl_dhcp_err err;
	ssize_t n = receive(p, buf, sizeof(buf), &from);

	if (n <= 0 || from.sll_pkttype == PACKET_OUTGOING)
		return;
	err = fl_dhcp_ip_unwrap(buf, (size_t)n, &pl, &plen, &src);
	if (err != FL_DHCP_OK) {
		/* Counted, not logged: a flood must not flood the log. */
		p->ip_bad += err != FL_DHCP_NOT_DHCP;
		return;
	}
	if (from.sll_halen == 6) {
		p->server_ip = src;
		memcpy(p->server_mac, from.sll_addr, 6);
	}
	fl_dhcp_input(&p->c, pl, plen, now, &o);
	handle(p, &o, now);
}

static int save_lease(const struct probe *p)
{
	const struct fl_dhcp_lease *l = fl_dhcp_lease(&p->c);
	uint8_t blob[FL_DHCP_LEASE_BLOB];
	FILE *f;

	if (!p->save || !l)
		return 0;
	fl_dhcp_lease_save(l, blob);
	f = fopen(p->save, "wb");
	if (!f || fwrite(blob, 1, sizeof(blob), f) != sizeof(blob) || fclose(f) != 0) {
		fprintf(stderr, "dhcp_probe: %s: cannot write the lease\n", p->save);
		return -1;
	}
	return 0;
}

static void begin(struct probe *p, fl_time_t now)
{
	uint8_t blob[FL_DHCP_LEASE_BLOB + 1];
	struct fl_dhcp_lease l;
	struct fl_dhcp_out o;
	enum fl_dhcp_err err;
	FILE *f;

	if (p->restore && (f = fopen(p->restore, "rb"))) {
		size_t n = fread(blob, 1, sizeof(blob), f);
		fclose(f);
		err = fl_dhcp_lease_load(blob, n, &l);
		if (err == FL_DHCP_OK) {
			p->cur_addr = l.addr;
			p->cur_prefix = fl_dhcp_lease_prefix(&l);
			fl_dhcp_restore(&p->c, &l, now, &o);
			handle(p, &o, now);
			return;
		}
		fprintf(stderr, "dhcp_probe: %s: %s\n", p->restore, fl_dhcp_strerror(err));
	}
	fl_dhcp_start(&p->c, now, &o);
	handle(p, &o, now);
}

static long rss_kb(void)
{
	char line[128];
	long kb = 0;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static int finish(struct probe *p)
{
	struct fl_dhcp_out o;

	if (save_lease(p))
		return 1;
	if (p->release) {
		fl_dhcp_release(&p->c, now_us(), &o);
		send_out(p, &o);
	}
	static const char *const key[FL_DHCP_DROP_MAX] = {
		"parse", "not_reply", "xid", "chaddr", "state", "server", "incomplete",
	};
	printf("DROPS");
	for (int d = 0; d < FL_DHCP_DROP_MAX; d++)
		printf(" %s=%llu", key[d], (unsigned long long)p->c.drops[d]);
	printf(" naks=%llu ip_bad=%llu rss_kb=%ld\n", (unsigned long long)p->c.naks,
	       (unsigned long long)p->ip_bad, rss_kb());
	return 0;
}

static int loop(struct probe *p)
{
	fl_time_t deadline = p->t0 + FL_TIME_S(p->timeout_s);
	struct fl_dhcp_out o;

	for (;;) {
		fl_time_t now = now_us(), wake = p->c.next < deadline ? p->c.next : deadline;
		if (p->until && p->seen >= p->until_n)
			return finish(p);
		if (now >= deadline) {
			fprintf(stderr, "dhcp_probe: timeout after %lds in state %s\n", p->timeout_s,
				fl_dhcp_state_name(p->c.state));
			return 1;
		}
		if (now >= p->c.next) {
			fl_dhcp_tick(&p->c, now, &o);
			handle(p, &o, now);
			continue;
		}
		struct pollfd pfd = {.fd = p->fd, .events = POLLIN};
		int ms = (int)((wake - now) / 1000) + 1;
		if (poll(&pfd, 1, ms) < 0 && errno != EINTR)
			return 1;
		if (pfd.revents & POLLIN)
			input(p, now_us());
	}
}

/* Options after IFACE; 0, or 2 on a usage error. */
static int parse_args(struct probe *p, int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--decline-first") || !strcmp(a, "--broadcast") ||
		    !strcmp(a, "--release")) {
			p->decline_first |= !strcmp(a, "--decline-first");
			p->c.broadcast |= !strcmp(a, "--broadcast");
			p->release |= !strcmp(a, "--release");
			continue;
		}
		if (!v) {
			fprintf(stderr, "dhcp_probe: %s needs a value\n", a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--hook"))
			p->hook = v;
		else if (!strcmp(a, "--save"))
			p->save = v;
		else if (!strcmp(a, "--restore"))
			p->restore = v;
		else if (!strcmp(a, "--timeout"))
			p->timeout_s = strtol(v, NULL, 10);
		else if (!strcmp(a, "--until")) {
			char *colon = strchr(v, ':');
			p->until = v;
			if (colon) {
				*colon = 0;
				p->until_n = (unsigned)strtoul(colon + 1, NULL, 10);
			}
		} else {
			fprintf(stderr, "dhcp_probe: unknown option %s\n", a);
			return 2;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct probe p = {.timeout_s = 60, .until_n = 1};
	uint8_t rnd[16];
	bool bcast;

	if (argc < 2) {
		fprintf(stderr, "usage: dhcp_probe IFACE [--hook CMD] [--until EVENT[:N]] "
				"[--timeout S] [--save FILE] [--restore FILE] [--decline-first] "
				"[--broadcast] [--release]\n");
		return 2;
	}
	if (parse_args(&p, argc, argv))
		return 2;
	if (open_iface(&p, argv[1]) < 0) {
		fprintf(stderr, "dhcp_probe: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return 1;
	bcast = p.c.broadcast;
	fl_dhcp_init(&p.c, p.mac, rnd);
	p.c.broadcast = bcast;
	p.t0 = now_us();
	begin(&p, p.t0);
	return loop(&p);
}
