/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * worker.h - the queue's worker: mautic-wp.cgi --drain (one pass, for
 * cron), --worker (until SIGTERM, for systemd) and --requeue.
 */
#ifndef MW_WORKER_H
#define MW_WORKER_H

#include <stdio.h>

enum worker_mode {
	WORKER_DRAIN,	/* one pass over what is due, then exit */
	WORKER_FOREVER, /* passes until SIGTERM or SIGINT */
	WORKER_REQUEUE	/* dead letters back into the queue */
};

/* Run the worker with the configuration at config (NULL: the default).
 * Prints one summary line per pass that did something.  Returns 0, 1
 * when the spool cannot be used, 2 for a configuration error. */
int worker_main(const char *config, enum worker_mode mode, FILE *out);

#endif
