/* SPDX-License-Identifier: MIT */
/*
 * fld_local_iface.c: Role = local blocks (fld_local_iface.h). The
 * addresses go on the device with rtnetlink (RTM_NEWADDR/RTM_DELADDR),
 * one request each, acknowledged, so an error is reported per address.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "daemon/dlog.h"
#include "daemon/fld.h"
#include "daemon/fld_lan.h"
#include "daemon/fld_local_iface.h"
#include "io/tun.h"

/* The block of this process's daemon: one per process, set at start. */
static struct fld_iface_conf *local_blk;

int fld_local_iface_name(struct fld *d, char name[static IFNAMSIZ])
{
	struct fld_iface_conf *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -1;
	r = fld_lan_find_role(d, FLD_IFACE_LOCAL, c);
	if (r <= 0) {
		free(c);
		return r;
	}
	if (d->boot->s.interface && strcmp(d->boot->s.interface, c->name)) {
		fl_dlog(FL_DLOG_ERR, "tinc.conf: Interface = %s, but interfaces/%s has Role = local: use one name",
			d->boot->s.interface, c->name);
		free(c);
		return -1;
	}
	snprintf(name, IFNAMSIZ, "%s", c->name);
	free(local_blk);
	local_blk = c;
	return 0;
}

/* One RTM_NEWADDR / RTM_DELADDR for a, acknowledged: 0 or -errno. */
static int nl_addr(int type, unsigned ifindex, const struct fld_iface_addr *a)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg m;
		char attrs[64];
	} req = {0};
	struct {
		struct nlmsghdr h;
		struct nlmsgerr e;
	} ack;
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	size_t alen = a->family == 4 ? 4 : 16;
	int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE), r = 0;

	if (s < 0)
		return -errno;
	req.h.nlmsg_type = (unsigned short)type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (type == RTM_NEWADDR ? NLM_F_CREATE | NLM_F_REPLACE : 0);
	req.h.nlmsg_seq = 1;
	req.m.ifa_family = a->family == 4 ? AF_INET : AF_INET6;
	req.m.ifa_prefixlen = a->plen;
	req.m.ifa_flags = a->family == 6 ? IFA_F_NODAD : 0; /* a TUN has no neighbours */
	req.m.ifa_index = ifindex;
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(req.m));
	for (int t = 0; t < (a->family == 4 ? 2 : 1); t++) { /* IPv4: IFA_LOCAL and IFA_ADDRESS */
		struct rtattr *rta = (struct rtattr *)((char *)&req + NLMSG_ALIGN(req.h.nlmsg_len));
		rta->rta_type = t ? IFA_ADDRESS : IFA_LOCAL;
		rta->rta_len = (unsigned short)RTA_LENGTH(alen);
		memcpy(RTA_DATA(rta), a->ip, alen);
		req.h.nlmsg_len = NLMSG_ALIGN(req.h.nlmsg_len) + RTA_ALIGN(rta->rta_len);
	}
	if (sendto(s, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = -errno;
	else if (recv(s, &ack, sizeof(ack), 0) < (ssize_t)sizeof(ack))
		r = -EIO;
	else if (ack.h.nlmsg_type == NLMSG_ERROR)
		r = ack.e.error;
	close(s);
	return r;
}

static void link_up(const char *ifname)
{
	int r = fl_tun_link_up(ifname);

	if (r < 0)
		fl_dlog(FL_DLOG_WARN, "local %s: cannot set the link up: %s", ifname, strerror(-r));
}

int fld_local_iface_up(struct fld *d)
{
	unsigned idx;

	if (!local_blk)
		return 0;
	if (!(idx = if_nametoindex(d->ifname))) {
		fl_dlog(FL_DLOG_ERR, "local %s: no such interface: %s", d->ifname, strerror(errno));
		return -1;
	}
	link_up(d->ifname);
	for (size_t i = 0; i < local_blk->n_addr; i++) {
		const struct fld_iface_addr *a = &local_blk->addr[i];
		char text[INET6_ADDRSTRLEN];
		int r = nl_addr(RTM_NEWADDR, idx, a);
		inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->ip, text, sizeof(text));
		if (r < 0) {
			fl_dlog(FL_DLOG_ERR, "interfaces/%s:%d: cannot put %s/%u on %s: %s", local_blk->name, a->line,
				text, a->plen, d->ifname, strerror(-r));
			return -1;
		}
		fl_dlog(FL_DLOG_INFO, "local %s: address %s/%u", d->ifname, text, a->plen);
	}
	return 0;
}

void fld_local_iface_down(struct fld *d)
{
	unsigned idx;

	if (!local_blk)
		return;
	if ((idx = if_nametoindex(d->ifname)))
		for (size_t i = 0; i < local_blk->n_addr; i++)
			(void)nl_addr(RTM_DELADDR, idx, &local_blk->addr[i]);
	free(local_blk);
	local_blk = NULL;
}
