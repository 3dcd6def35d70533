/* SPDX-License-Identifier: MIT */
/*
 * fenliu pcap [SNAPLEN]: ask the daemon (fenliud or tincd) for copies of
 * the packets it routes (control request PCAP) and write them to stdout
 * as a pcap capture file (Ethernet link type, microsecond timestamps
 * taken on arrival), as tinc's does: `fenliu pcap | tcpdump -r -`.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>

#include "cli/cli.h"
#include "cli/cli_ctl.h"
#include "cli/cli_ctl_internal.h"

#define PCAP_MAX 9018 /* tinc's largest packet copy */

struct pcap_file_header {
	uint32_t magic;
	uint16_t major, minor;
	uint32_t tz_offset, tz_accuracy;
	uint32_t snaplen, linktype;
};

struct pcap_record_header {
	uint32_t sec, usec, len, origlen;
};

_Static_assert(sizeof(struct pcap_file_header) == 24, "pcap file header");
_Static_assert(sizeof(struct pcap_record_header) == 16, "pcap record header");

static void pcap_copy(struct fl_ctl_client *c, uint32_t snaplen)
{
	struct pcap_file_header fh = {0xa1b2c3d4, 2, 4, 0, 0, snaplen ? snaplen : PCAP_MAX, 1};
	struct pcap_record_header rh;
	char line[64];
	static uint8_t data[PCAP_MAX];
	struct timeval tv;
	unsigned long len;
	int code, req;

	fwrite(&fh, sizeof fh, 1, stdout);
	fflush(stdout);
	while (fl_ctl_client_recvline(c, line, sizeof line)) {
		gettimeofday(&tv, NULL);
		if (sscanf(line, "%d %d %lu", &code, &req, &len) != 3 || code != FL_CTL_CONTROL ||
		    req != FL_REQ_PCAP || len > sizeof data || !fl_ctl_client_recvdata(c, data, len))
			break;
		rh.sec = (uint32_t)tv.tv_sec;
		rh.usec = (uint32_t)tv.tv_usec;
		rh.len = rh.origlen = (uint32_t)len;
		fwrite(&rh, sizeof rh, 1, stdout);
		fwrite(data, len, 1, stdout);
		if (fflush(stdout) != 0)
			break;
	}
}

int cli_pcap(const struct fl_cli *cli, int argc, char **argv)
{
	struct fl_cli_env env = cli_ctl_env_of(cli);
	struct fl_ctl_client c;
	uint32_t snaplen = argc > 1 ? (uint32_t)atoi(argv[1]) : 0;

	if (argc > 2) {
		fprintf(stderr, "Too many arguments!\n");
		return 1;
	}
	if (!fl_cli_connect(&env, &c, true))
		return 1;
	if (fl_ctl_client_sendf(&c, "%d %d %u", FL_CTL_CONTROL, FL_REQ_PCAP, snaplen))
		pcap_copy(&c, snaplen);
	fl_ctl_client_close(&c);
	return 0;
}
