/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * shell.h - running mautic-wp.cgi from a shell: --action (shell.c) and
 * --check (check.c).
 */
#ifndef MW_SHELL_H
#define MW_SHELL_H

#include <stdbool.h>
#include <stdio.h>

/* Arguments of --action; strings borrowed from argv. */
struct shell_args {
	const char *config;  /* --config FILE, or NULL for the default */
	const char *action;  /* --action: add, update, update_tags, test */
	const char *contact; /* --contact ID */
	const char *role;    /* --role R, or NULL */
	bool dry_run;	     /* --dry-run */
	bool notify;	     /* --send-notification */
};

/* Run one action through the webhook code path (the access key is taken
 * from the config: whoever can read it holds the key) and print the JSON
 * answer.  Returns the exit status: 0 for HTTP 200, 1 for any other
 * answer, 2 for a configuration error. */
int shell_action(const struct shell_args *a, FILE *out);

/* --install-index (install true) or --remove-index: create or drop the
 * contact index on {prefix}usermeta online, saying what was done and what
 * a lookup costs now.  Idempotent.  Returns 0 on success, 1 when the
 * database refused (the privilege needed is ALTER), 2 for a
 * configuration error. */
int shell_index(const char *config, bool install, FILE *out);

/* Diagnostics, one line per check ("ok"/"FAIL", what, detail or fix).
 * Returns 0 only when every check passed. */
int shell_check(const char *config, FILE *out);

#endif
