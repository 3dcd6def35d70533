/* SPDX-License-Identifier: MIT */
/*
 * l2_linux_peer: the pure ARP, NDP and ICMP cores speaking to a real Linux
 * host over an AF_PACKET socket, for tests/e2e/l2_linux.sh. It stands in
 * for the TAP router's LAN side (which the daemon will wire next): it owns
 * ADDR4 (/24 unless given) and ADDR6/64 on IFNAME's MAC, answers ARP, NDP and pings for
 * them, runs DAD, resolves PEER4 and PEER6 once its address is preferred,
 * and treats every other unicast IP packet as routed through it: TTL/hop
 * limit 1 gets time exceeded, a packet over MTU fragmentation needed /
 * packet too big, anything else unreachable (rate-limited). Linux judges
 * every frame it sends: a wrong checksum, hop limit or quote is dropped.
 *
 * Usage: l2_linux_peer IFNAME ADDR4[/PLEN] ADDR6 PEER4 PEER6 SECONDS MTU
 * The ARP and NDP tables hold 254 entries whatever the prefix, so a
 * flood over a larger prefix shows the bound.
 * Prints one line per event on stdout; exits after SECONDS or on SIGTERM.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "l2/arp.h"
#include "l2/ndp.h"
#include "wire/icmp_echo.h"
#include "wire/icmp_err.h"
#include "wire/icmp_rate.h"

struct peer {
	int fd;
	uint8_t mac[6], ip4[4], ip6[16], peer4[4], peer6[16];
	unsigned mtu;
	struct fl_arp arp;
	struct fl_ndp ndp;
	struct fl_icmp_rate rate4, rate6;
	struct fl_l2_sink sink;
	int pkt;		/* the dummy packet held while resolving */
	unsigned sent_err, limited;
};

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static fl_time_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return (fl_time_t)ts.tv_sec * 1000000u + (fl_time_t)ts.tv_nsec / 1000u;
}

static void xmit(struct peer *p, const uint8_t *f, size_t len)
{
	if (send(p->fd, f, len, 0) < 0)
		fprintf(stderr, "send: %s\n", strerror(errno));
}

static void print_addr(const char *what, const uint8_t addr[16], bool v6, const uint8_t mac[6])
{
	char a[INET6_ADDRSTRLEN], m[FL_ETH_MAC_TEXT];

	inet_ntop(v6 ? AF_INET6 : AF_INET, addr, a, sizeof(a));
	fl_eth_format(mac, m);
	printf("%s %s %s\n", what, a, m);
	fflush(stdout);
}

static void on_act(void *ctx, const struct fl_l2_act *a)
{
	struct peer *p = ctx;
	static const char *const ev[] = {"resolved-event", "failed", "mac-changed", "spoof-refused",
					 "conflict", "dad-ok", "dad-duplicate"};
	static const uint8_t zero[12];
	bool v6 = memcmp(a->addr + 4, zero, 12) != 0;	/* IPv4 keys end in zeros */

	switch (a->kind) {
	case FL_L2_XMIT:
		xmit(p, a->frame, a->len);
		break;
	case FL_L2_RELEASE:
		print_addr("resolved", a->addr, v6, a->mac);
		break;
	case FL_L2_DROP:
		print_addr("dropped", a->addr, v6, a->mac);
		break;
	case FL_L2_EVENT:
		print_addr(ev[a->reason], a->addr, v6, a->mac);
		break;
	}
}

/* A routed packet we have no route for: the error it deserves. */
static void route4(struct peer *p, const uint8_t *f, size_t len, fl_time_t now)
{
	uint8_t out[FL_ICMP_ERR_FRAME4];
	const uint8_t *ip = f + 14;
	uint8_t type = FL_ICMP_T_UNREACH, code = FL_ICMP_C_NET;
	size_t olen;

	if (ip[8] <= 1) {
		type = FL_ICMP_T_TIME_EXCEEDED;
		code = 0;
	} else if (len - 14 > p->mtu && (ip[6] & 0x40)) {
		code = FL_ICMP_C_FRAG_NEEDED;
	}
	if (fl_icmp_err4(f, len, type, code, (uint16_t)p->mtu, p->ip4, out, sizeof(out), &olen))
		return;
	if (!fl_icmp_rate_allow(&p->rate4, now)) {
		p->limited++;
		return;
	}
	p->sent_err++;
	xmit(p, out, olen);
}

static void route6(struct peer *p, const uint8_t *f, size_t len, fl_time_t now)
{
	uint8_t out[FL_ICMP_ERR_FRAME6];
	const uint8_t *ip = f + 14;
	uint8_t type = FL_ICMP6_T_UNREACH, code = FL_ICMP6_C_NOROUTE;
	size_t olen;

	if (ip[7] <= 1) {
		type = FL_ICMP6_T_TIME_EXCEEDED;
		code = 0;
	} else if (len - 14 > p->mtu) {
		type = FL_ICMP6_T_TOO_BIG;
	}
	if (fl_icmp_err6(f, len, type, code, p->mtu, p->ip6, out, sizeof(out), &olen))
		return;
	if (!fl_icmp_rate_allow(&p->rate6, now)) {
		p->limited++;
		return;
	}
	p->sent_err++;
	xmit(p, out, olen);
}

static void input4(struct peer *p, uint8_t *f, size_t len, fl_time_t now)
{
	size_t olen;

	if (len < 34 || memcmp(f, p->mac, 6))
		return;
	if (memcmp(f + 14 + 16, p->ip4, 4) == 0) {
		if (fl_icmp_echo4(f, len, f, len, &olen) == FL_ICMP_OK)
			xmit(p, f, olen);
		return;
	}
	route4(p, f, len, now);
}

static void input6(struct peer *p, uint8_t *f, size_t len, fl_time_t now)
{
	size_t olen;

	if (len < 54)
		return;
	if (f[14 + 6] == 58 && len > 54 && f[54] >= 133 && f[54] <= 136) {
		fl_ndp_input(&p->ndp, f, len, now, &p->sink, NULL);
		return;
	}
	if (memcmp(f, p->mac, 6))
		return;
	if (memcmp(f + 14 + 24, p->ip6, 16) == 0) {
		if (fl_icmp_echo6(f, len, f, len, &olen) == FL_ICMP_OK)
			xmit(p, f, olen);
		return;
	}
	if (f[14 + 24] != 0xff)
		route6(p, f, len, now);
}

static int open_socket(struct peer *p, const char *ifname)
{
	struct sockaddr_ll sll = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL)};
	struct ifreq ifr = {0};

	p->fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (p->fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(p->fd, SIOCGIFHWADDR, &ifr) < 0)
		return -1;
	memcpy(p->mac, ifr.ifr_hwaddr.sa_data, 6);
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex || bind(p->fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -1;
	return 0;
}

static int setup(struct peer *p, char **argv)
{
	struct fl_neigh_cfg cfg;
	uint8_t g[FL_ARP_FRAME];

	char a4[INET_ADDRSTRLEN + 4], *slash;
	unsigned plen4 = 24;

	snprintf(a4, sizeof(a4), "%s", argv[2]);
	slash = strchr(a4, '/');
	if (slash) {
		*slash = 0;
		plen4 = (unsigned)atoi(slash + 1);
	}
	if (inet_pton(AF_INET, a4, p->ip4) != 1 || inet_pton(AF_INET6, argv[3], p->ip6) != 1 ||
	    inet_pton(AF_INET, argv[4], p->peer4) != 1 || inet_pton(AF_INET6, argv[5], p->peer6) != 1)
		return -1;
	p->mtu = (unsigned)atoi(argv[7]);
	if (open_socket(p, argv[1]) < 0)
		return -1;
	p->sink.act = on_act;
	p->sink.ctx = p;
	fl_neigh_cfg_default(&cfg, 254);
	if (!fl_arp_init(&p->arp, &cfg, (uint64_t)now_us()) ||
	    !fl_ndp_init(&p->ndp, &cfg, (uint64_t)now_us() * 3))
		return -1;
	fl_arp_own_add(&p->arp, p->ip4, plen4, p->mac);
	fl_ndp_own_add(&p->ndp, p->ip6, 64, p->mac, true, now_us());
	fl_icmp_rate_init(&p->rate4, 10, 10, now_us());
	fl_icmp_rate_init(&p->rate6, 10, 10, now_us());
	fl_arp_gratuitous(p->mac, p->ip4, g);
	xmit(p, g, sizeof(g));
	return 0;
}

/* Once our IPv6 address is preferred, resolve both peers once. */
static void resolve_peers(struct peer *p, fl_time_t now)
{
	static bool done;
	uint8_t mac[6];

	if (done || fl_ndp_own_find(&p->ndp, p->ip6)->state != FL_NDP_PREFERRED)
		return;
	done = true;
	if (fl_arp_resolve(&p->arp, p->peer4, &p->pkt, now, &p->sink, mac) == FL_NEIGH_HIT)
		print_addr("resolved", (const uint8_t[16]){p->peer4[0], p->peer4[1], p->peer4[2],
							   p->peer4[3]}, false, mac);
	if (fl_ndp_resolve(&p->ndp, p->peer6, &p->pkt, now, &p->sink, mac) == FL_NEIGH_HIT)
		print_addr("resolved", p->peer6, true, mac);
}

int main(int argc, char **argv)
{
	static struct peer p;
	static uint8_t f[65536];
	fl_time_t end;

	if (argc != 8 || setup(&p, argv) < 0) {
		fprintf(stderr, "usage: l2_linux_peer IFNAME ADDR4 ADDR6 PEER4 PEER6 SECONDS MTU"
				" (as root, IFNAME up)\n");
		return 2;
	}
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	end = now_us() + FL_TIME_S(atoi(argv[6]));
	printf("ready %s\n", argv[1]);
	fflush(stdout);
	while (!stop && now_us() < end) {
		struct pollfd pfd = {.fd = p.fd, .events = POLLIN};
		fl_time_t now;
		ssize_t n = 0;
		if (poll(&pfd, 1, 50) > 0)
			n = recv(p.fd, f, sizeof(f), MSG_DONTWAIT);
		now = now_us();
		if (n >= 14 && (f[12] << 8 | f[13]) == 0x0806)
			fl_arp_input(&p.arp, f, (size_t)n, now, &p.sink);
		else if (n >= 14 && (f[12] << 8 | f[13]) == 0x0800)
			input4(&p, f, (size_t)n, now);
		else if (n >= 14 && (f[12] << 8 | f[13]) == 0x86dd)
			input6(&p, f, (size_t)n, now);
		fl_arp_tick(&p.arp, now, &p.sink);
		fl_ndp_tick(&p.ndp, now, &p.sink);
		resolve_peers(&p, now);
	}
	printf("RESULT l2_linux_peer errors_sent=%u errors_limited=%u arp_answered=%llu "
	       "ns_answered=%llu arp_entries=%zu arp_full_refused=%llu arp_spoof_refused=%llu\n",
	       p.sent_err, p.limited, (unsigned long long)p.arp.st.requests_answered,
	       (unsigned long long)p.ndp.st.ns_answered, p.arp.cache.n,
	       (unsigned long long)p.arp.cache.st.full_refused,
	       (unsigned long long)p.arp.cache.st.spoof_refused);
	fl_arp_free(&p.arp, &p.sink);
	fl_ndp_free(&p.ndp, &p.sink);
	close(p.fd);
	return 0;
}
