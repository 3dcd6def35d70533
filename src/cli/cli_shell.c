/* SPDX-License-Identifier: MIT */
/*
 * fenliu with no command: tinc's interactive shell. Each line of stdin is
 * one command line (words split on blanks; '#' lines and empty lines
 * skipped), run through the same dispatcher as the command line; "exit"
 * or "quit" ends it, and so does the end of input. The exit status ORs
 * the commands' statuses. The prompt "NET> " (or "tinc> ") is shown only
 * when talking with a person (cli_tty).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"

#define SHELL_MAX_WORDS 256

int cli_shell(const struct fl_cli *cli, fl_cli_verb_fn dispatch)
{
	char buf[4096], *words[SHELL_MAX_WORDS], *save = NULL;
	int result = 0, n;
	bool tty = cli_tty(cli);

	for (;;) {
		if (tty) {
			printf("%s> ", cli->netname ? cli->netname : "tinc");
			fflush(stdout);
		}
		if (!fgets(buf, sizeof buf, stdin))
			break;
		if (buf[0] == '#')
			continue;
		n = 0;
		for (char *w = strtok_r(buf, " \t\r\n", &save); w && n < SHELL_MAX_WORDS;
		     w = strtok_r(NULL, " \t\r\n", &save))
			words[n++] = w;
		if (!n)
			continue;
		if (!strcasecmp(words[0], "exit") || !strcasecmp(words[0], "quit"))
			return result;
		result |= dispatch(cli, n, words);
		fflush(stdout);
	}
	if (tty)
		printf("\n");
	return result;
}
