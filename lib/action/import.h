/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * import.h - bulk import: a Mautic tag's (or segment's) contacts as
 * WordPress users, exactly as the add action makes them.
 */
#ifndef MW_IMPORT_H
#define MW_IMPORT_H

#include <stdbool.h>
#include <stdio.h>

struct import_args {
	const char *config;  /* --config FILE or NULL */
	const char *tag;     /* --tag TAG */
	const char *segment; /* --segment ALIAS (instead of a tag) */
	const char *role;    /* --role R or NULL */
	const char *state;   /* --state FILE or NULL (next to token_cache) */
	bool dry_run;	     /* --dry-run: count, write nothing */
	bool notify;	     /* --send-notification: welcome mails */
};

/* Page through Mautic's contacts with the tag (search tag:"+TAG", or
 * segment:ALIAS), 200 per page, each page one transaction through the add
 * action.  The next offset is kept in the state file after every page, so
 * a killed import resumes; the file goes when the import completes.  A
 * progress line on a terminal, a JSON summary on out.  Returns 0 when
 * every page went through. */
int import_run(const struct import_args *a, FILE *out);

#endif
