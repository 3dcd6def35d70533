/* SPDX-License-Identifier: MIT */
/*
 * tinc 1.1's variable names with their CLI flags (cli_vars.h): the facts
 * of tinc.conf(5) and of which settings tinc lets an invitation carry.
 */
#include "cli/cli_vars.h"

#include <stddef.h>
#include <strings.h>

#define S CLI_VAR_SERVER
#define H CLI_VAR_HOST
#define M CLI_VAR_MULTI
#define O CLI_VAR_OBSOLETE
#define F CLI_VAR_SAFE

static const struct cli_var cli_vars[] = {
	/* tinc.conf */
	{"AddressFamily", S | F}, {"AutoConnect", S | F}, {"BindToAddress", S | M},
	{"BindToInterface", S}, {"Broadcast", S | F}, {"BroadcastSubnet", S | M | F},
	{"ConnectTo", S | M | F}, {"DecrementTTL", S | F}, {"Device", S},
	{"DeviceStandby", S}, {"DeviceType", S}, {"DirectOnly", S | F},
	{"Ed25519PrivateKeyFile", S}, {"ExperimentalProtocol", S}, {"Forwarding", S},
	{"FWMark", S}, {"GraphDumpFile", S | O}, {"Hostnames", S}, {"IffOneQueue", S},
	{"Interface", S}, {"InvitationExpire", S}, {"KeyExpire", S | F},
	{"ListenAddress", S | M}, {"LocalDiscovery", S | F}, {"LogLevel", S},
	{"MACExpire", S | F}, {"MaxConnectionBurst", S | F}, {"MaxOutputBufferSize", S | F},
	{"MaxTimeout", S | F}, {"Mode", S | F}, {"Name", S}, {"PingInterval", S | F},
	{"PingTimeout", S | F}, {"PriorityInheritance", S}, {"PrivateKey", S | O},
	{"PrivateKeyFile", S}, {"ProcessPriority", S}, {"Proxy", S}, {"ReplayWindow", S | F},
	{"Sandbox", S}, {"ScriptsExtension", S}, {"ScriptsInterpreter", S},
	{"StrictSubnets", S | F}, {"TunnelServer", S | F}, {"UDPDiscovery", S | F},
	{"UDPDiscoveryKeepaliveInterval", S | F}, {"UDPDiscoveryInterval", S | F},
	{"UDPDiscoveryTimeout", S | F}, {"MTUInfoInterval", S | F}, {"UDPInfoInterval", S | F},
	{"UDPRcvBuf", S}, {"UDPSndBuf", S}, {"UPnP", S}, {"UPnPDiscoverWait", S},
	{"UPnPRefreshPeriod", S}, {"VDEGroup", S}, {"VDEPort", S},
	/* hosts/NAME */
	{"Address", H | M}, {"Cipher", S | H}, {"ClampMSS", S | H | F}, {"Compression", S | H | F},
	{"Digest", S | H}, {"Ed25519PublicKey", H}, {"Ed25519PublicKeyFile", S | H},
	{"IndirectData", S | H | F}, {"MACLength", S | H}, {"PMTU", S | H},
	{"PMTUDiscovery", S | H}, {"Port", H}, {"PublicKey", H | O}, {"PublicKeyFile", S | H | O},
	{"Subnet", H | M | F}, {"TCPOnly", S | H | F}, {"Weight", H | F},
	{NULL, 0},
};

const struct cli_var *cli_var_find(const char *name)
{
	for (const struct cli_var *v = cli_vars; v->name; v++)
		if (!strcasecmp(v->name, name))
			return v;
	return NULL;
}
