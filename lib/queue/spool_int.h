/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spool_int.h - what spool.c (the job files) and journal.c (the journal's
 * slots) share inside the queue part.
 */
#ifndef MW_SPOOL_INT_H
#define MW_SPOOL_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "queue/spool.h"

#define PATH_LEN 4096

void set_why(char *why, size_t whysz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* dir/sub/name (or dir/sub without a name) into out[PATH_LEN]. */
bool path_of(char *out, const char *dir, const char *sub, const char *name);

/* fsync dir/sub, so that a rename or a create in it is durable. */
enum mw_err sync_dir(const char *dir, const char *sub);

/* Write bytes to the new file tmp/NAME and fsync it. */
enum mw_err write_tmp(const char *dir, const char *name, const char *data,
		      size_t len);

/* dead/NAME.reason with the reason and a newline (written in tmp/, then
 * moved), before the dead letter itself goes to dead/. */
enum mw_err dead_reason(const char *dir, const char *name, const char *reason);

/* Rename from/NAME to to/NAME. */
enum mw_err move(const char *dir, const char *from, const char *to,
		 const char *name);

/* A name that sorts by arrival, without its ".job" ending:
 * wall-clock microseconds, pid, counter, random bits. */
void new_stem(char out[SPOOL_NAME_MAX]);

/* A growing list of names (a listing being made). */
struct names {
	char **v; /* owned, each owned */
	size_t n, cap;
};

/* Append a copy of name; false when out of memory. */
bool names_add(struct names *l, const char *name);

/* ---- the journal (journal.c) --------------------------------------------
 * Names of jobs in the journal end in ".s<slot>"; in new/, ".job". */
bool journal_name(const char *name, unsigned *slot);

/* Queue n jobs in free slots (one fdatasync for all).  MW_EFULL when
 * there are not n free slots or no usable journal: the caller falls back
 * to files.  Fills each job's name. */
enum mw_err journal_put(const char *dir, struct spool_job *jobs, size_t n);

/* Append the names of the journal's jobs to l.  A damaged slot is listed under
 * a name that sorts first, so that spool_load reports it and the worker buries
 * it.  A refused journal is left out, and with set_aside moved to dead/. */
enum mw_err journal_list(const char *dir, struct names *l, bool set_aside);

/* Occupied slots. */
size_t journal_depth(const char *dir);

enum mw_err journal_load(const char *dir, const char *name,
			 struct spool_job *out, char *why, size_t whysz);
enum mw_err journal_update(const char *dir, const struct spool_job *job);
enum mw_err journal_remove(const char *dir, const char *name);
enum mw_err journal_bury(const char *dir, const char *name, const char *reason);

#endif
