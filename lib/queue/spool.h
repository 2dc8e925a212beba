/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * spool.h - the durable local queue: one small file per queued job under
 * a spool directory, written so that a crash or a power loss at any
 * moment leaves either the whole job or nothing.
 *
 * Layout of the spool directory (created 0700 by spool_init):
 *   journal  SPOOL_JOURNAL_SLOTS preallocated slots of one job each
 *            (journal.c), made by the first job queued: the fast way in
 *   tmp/     files being written; never read, stale ones removed
 *   new/     queued jobs, one file each, when the journal is full or
 *            cannot be used
 *   dead/    jobs that failed for good, each with NAME.reason beside it
 * Job names sort by arrival, wherever the job is: "<microseconds>-<pid>-
 * <counter>-<random>" and ".job" for a file, ".s<slot>" in the journal.
 *
 * A job file is "MWQ1 <payload length> <crc32 of the payload>\n" and the
 * payload, key=value lines.  A file that is truncated, garbage, not a
 * regular file, a symlink, not ours or readable by others is refused with
 * a reason, so that the worker can move it aside and go on.
 *
 * This part knows files and bytes only: the action names are opaque
 * text to it.
 */
#ifndef MW_SPOOL_H
#define MW_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

#define SPOOL_NAME_MAX 64   /* bytes of a job file's name, NUL included */
#define SPOOL_FILE_MAX 4096 /* bytes of a job file */
#define SPOOL_TEXT_MAX 128  /* bytes of a text field, NUL included */
#define SPOOL_VERSION 1
#define SPOOL_JOURNAL_SLOTS 8192u /* 8 MiB of 1 KiB slots */
#define SPOOL_JOURNAL_BATCH 32u	  /* more jobs at once go to files */

/* One queued job.  Text fields are NUL-terminated, without newlines. */
struct spool_job {
	char name[SPOOL_NAME_MAX];  /* file name in new/ ("" before put) */
	char action[24];	    /* "add", "update", "update_tags" */
	uint64_t contact_id;	    /* Mautic contact */
	char role[SPOOL_TEXT_MAX];  /* role parameter, "" = none */
	char email[SPOOL_TEXT_MAX]; /* email parameter, "" = none */
	bool notify;		    /* send_notification */
	long long received_ms;	    /* wall clock when it was accepted */
	unsigned attempts;	    /* failed runs so far */
	long long next_ms;	    /* not before this wall-clock time */
	char reqid[17];		    /* the accepting request's id */
	char error[SPOOL_TEXT_MAX]; /* why the last run failed, "" = none */
};

/* Create dir (if its parent exists) and its tmp/, new/ and dead/
 * subdirectories with mode 0700; refuse a dir that is a symlink, not a
 * directory, or not owned by this user.  MW_ECONFIG with the reason in
 * why. */
enum mw_err spool_init(const char *dir, char *why, size_t whysz) MW_MUST_CHECK;

/* Queue n jobs at once: into free slots of the journal (unless journal
 * is false) and one fdatasync; else each written to tmp/, fsync'd, then
 * renamed into new/ and new/ fsync'd.  Refused as a whole (MW_EFULL)
 * when the spool would then hold more than max_jobs jobs; on any failure
 * nothing of the call stays behind.  Fills each job's name. */
enum mw_err spool_put(const char *dir, uint64_t max_jobs, bool journal,
		      struct spool_job *jobs, size_t n) MW_MUST_CHECK;

/* The names of the queued jobs (new/ and the journal), sorted (oldest
 * first); a refused journal is moved to dead/.  Caller frees with
 * spool_names_free. */
enum mw_err spool_list(const char *dir, char ***names /* OUT */,
		       size_t *n /* OUT */) MW_MUST_CHECK;
void spool_names_free(char **names, size_t n);

/* Read and check new/NAME.  MW_EINPUT: the file is hostile or damaged
 * (why says how; move it to dead/); MW_EINTERNAL: it vanished or could
 * not be read (why says so; try again later). */
enum mw_err spool_load(const char *dir, const char *name,
		       struct spool_job *out /* OUT */, char *why,
		       size_t whysz) MW_MUST_CHECK;

/* Write job back over new/<job->name> (attempts, next_ms, error). */
enum mw_err spool_update(const char *dir,
			 const struct spool_job *job) MW_MUST_CHECK;

/* Remove new/NAME (the job is done).  A missing file is fine. */
enum mw_err spool_remove(const char *dir, const char *name) MW_MUST_CHECK;

/* Move new/NAME to dead/ with the reason in dead/NAME.reason. */
enum mw_err spool_bury(const char *dir, const char *name,
		       const char *reason) MW_MUST_CHECK;

/* Put every readable dead letter back into new/ with its attempts reset;
 * *moved counts them, *left those that are still damaged. */
enum mw_err spool_requeue(const char *dir, size_t *moved /* OUT */,
			  size_t *left /* OUT */) MW_MUST_CHECK;

/* Queue depth, the oldest job's arrival (wall-clock ms, 0 = empty) and
 * the number of dead letters. */
enum mw_err spool_stats(const char *dir, size_t *depth /* OUT */,
			long long *oldest_ms /* OUT */,
			size_t *dead /* OUT */) MW_MUST_CHECK;

/* The journal's state for --check: MW_OK (usable; *taken slots hold
 * jobs), MW_EINTERNAL (not made yet), MW_EINPUT (refused: why says why;
 * jobs go to files until the worker sets it aside). */
enum mw_err spool_journal_state(const char *dir, size_t *taken /* OUT */,
				char *why, size_t whysz);

/* Remove files in tmp/ older than max_age_s (a writer that died). */
void spool_sweep_tmp(const char *dir, long long max_age_s);

/* Wall-clock milliseconds. */
long long spool_wall_ms(void);

/* CRC-32 (IEEE 802.3) of n bytes. */
uint32_t spool_crc32(const void *p, size_t n);

/* Encode job into buf (SPOOL_FILE_MAX bytes); returns the length, 0 when
 * a field does not fit or holds a newline.  Decode checks everything
 * spool_load checks about the bytes. */
size_t spool_encode(const struct spool_job *job, char *buf, size_t bufsz);
enum mw_err spool_decode(const char *buf, size_t len,
			 struct spool_job *out /* OUT */, char *why,
			 size_t whysz) MW_MUST_CHECK;

#endif
