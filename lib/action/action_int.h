/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action_int.h - the inside of the action part, included only by its own
 * files (and the driver's unit test): the state of one request (struct
 * run, struct job), the driver's table of actions and the one skeleton
 * that runs them, and what each file offers to the files above it.
 *
 * Files, highest first; a file calls only files on lower lines:
 *   shell.c check.c import.c  entry points of the shell modes
 *   worker.c                  the queue's worker (--drain, --worker)
 *   action.c                  action_run(), configuration, connections
 *   intake.c                  a checked request into the spool
 *   answer.c after.c          the answer and the logs; after the commit
 *   driver.c                  the table of actions and the one skeleton
 *   add.c                     the add action
 *   update.c                  the update action (and add's known users)
 *   user.c tags.c             a user's fields and role; WP Fusion's tags
 *   run.c                     jobs, connections, the database steps
 *   events.c                  the outbox rows and the drain ping
 */
#ifndef MW_ACTION_INT_H
#define MW_ACTION_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "action/action.h"
#include "base/buf.h"
#include "config/config.h"
#include "formats/model.h"
#include "request/request.h"
#include "wp/site.h"

#define JOB_NOTE_MAX 400
#define USER_TEXT_MAX 1024 /* a formatted user text field */
/* Runs of a transaction rolled back by a deadlock or a certification
 * conflict, or moved to another node (webhooks and the queue's worker). */
#define TX_ATTEMPTS 8

enum outcome {
	OUT_CREATED,
	OUT_UPDATED,
	OUT_UNCHANGED,
	OUT_NO_USER,
	OUT_SKIPPED,
	OUT_QUEUED,
	OUT__MAX
};

/* Work and result for one contact of a request. */
struct job {
	uint64_t contact_id;	       /* from the request */
	const struct contact *payload; /* signed payload data, or NULL */
	bool deleted;		       /* mautic.lead_post_delete */
	struct contact fetched;	       /* from the API (owned) */
	const struct contact *data;    /* payload or &fetched */
	uint64_t uid;		       /* WordPress user, 0 = none */
	bool link;		       /* found by e-mail: store the id */
	bool found;		       /* uid looked up already (batch) */
	bool changed;		       /* something was written */
	bool locked;		       /* its user's row is locked */
	bool gone;		       /* ... and was found deleted */
	enum outcome outcome;	       /* result */
	const char *role;	       /* role slug set or kept (borrowed) */
	char note[JOB_NOTE_MAX];       /* notes, "; "-joined */
	char changes[JOB_NOTE_MAX];    /* what was (or would be) written */
	char *password;		       /* generated password (secret) */
	char *reset_key;	       /* welcome-mail key (secret) */
	char *login;		       /* new user's login, for the mail */
	char *email;		       /* new user's e-mail, for the mail */
	char *old_email;	       /* replaced user_email (object cache) */
	char *old_nicename;	       /* replaced user_nicename */
	/* what the outbox event says (events.c) */
	bool notify;	  /* welcome mail through WordPress */
	bool tags_loaded; /* the contact's tags were compared */
	char **old_tags;  /* the stored list before (owned) */
	size_t nold_tags;
	bool role_changed;		    /* the role was set */
	const char *role_before;	    /* its slug before, or NULL */
	const char *fields[CFG_FIELDS_MAX]; /* [fields] keys written
					     * (borrowed from cfg) */
	size_t nfields;
};

/* State of one request. */
struct run {
	const struct cfg *cfg;	    /* loaded config (borrowed) */
	struct request *req;	    /* parsed request (borrowed) */
	struct job *jobs;	    /* owned, one per contact */
	size_t njobs;		    /* entries of jobs */
	struct action_conn *conn;   /* the caller's kept connections */
	struct mautic *mautic;	    /* conn->mautic once needed */
	struct wpstore *wp;	    /* conn->wp once needed */
	unsigned sql0;		    /* wp_queries() when it was taken */
	unsigned rt0;		    /* wp_round_trips() then (0: a new
				     * connection, whose set-up counts) */
	unsigned calls0;	    /* mautic_calls() when it was taken */
	unsigned retries;	    /* transactions run again so far */
	struct wp_site site;	    /* owned; read on first need */
	bool tags_listed;	    /* wpf_available_tags was changed */
	size_t nevents;		    /* outbox rows of the last transaction */
	uint64_t first_event;	    /* ... and the id of the first one */
	bool outbox_missing;	    /* the outbox table must be created */
	char reqid[17];		    /* hex request id */
	size_t nqueued;		    /* jobs written to the spool */
	bool db_failed;		    /* the database failed (even if queued) */
	bool worker;		    /* run by the queue's worker */
	unsigned ncalls, nsql, nrt; /* Mautic calls, statements and round
				     * trips of the request (run_count) */
};

/* ---- job.c: the request's jobs, without any connection ----------------- */

/* A new request id: 16 hex digits. */
void run_request_id(char out[17]);

/* Build r's job list from its request: the form's contact or the
 * webhook's events (none for a test). */
enum mw_err run_make_jobs(struct run *r) __attribute__((warn_unused_result));

/* Append a note to a job's answer. */
void job_note(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record a change for the dry-run answer ("first_name", "role author"). */
void job_change(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Release what a job owns (secrets wiped) and zero it. */
void job_free(struct job *j);

/* Release the jobs of r. */
void run_free_jobs(struct run *r);

/* ---- run.c: connections, the database steps ----------------------------- */

/* Release the jobs and the site of r and roll back anything left open;
 * the connections stay with r->conn. */
void run_free(struct run *r);

/* Count r's Mautic calls, statements and round trips so far into
 * r->ncalls, nsql, nrt (for the request's log line). */
void run_count(struct run *r);

/* The job's user row, locked (once: the driver may have locked every
 * job's user already).  A user deleted since it was found makes the job
 * OUT_NO_USER with a note and sets j->gone; the caller then stops. */
enum mw_err run_lock_job(struct run *r, struct job *j)
	__attribute__((warn_unused_result));

/* The users of every job's contact (deleted ones left out) in one
 * statement; j->found marks the jobs settled, a contact without a user
 * being left to find_user() when it may be found by e-mail. */
enum mw_err run_find_users(struct run *r) __attribute__((warn_unused_result));

/* The Mautic client, from r->conn or opened on first need. */
enum mw_err run_open_mautic(struct run *r) __attribute__((warn_unused_result));

/* The steps of the skeleton that talk to the database or to Mautic.  The
 * driver runs them through this table: run_store_io in production, fakes
 * in the driver's unit test. */
struct driver_io {
	/* the database, from r->conn or opened on first need */
	enum mw_err (*open)(struct run *r);
	/* r->site, read once */
	enum mw_err (*read_site)(struct run *r);
	/* j->uid: by contact id, else by the request's e-mail (j->link) */
	enum mw_err (*find_user)(struct run *r, struct job *j);
	/* optional: every job's j->uid by contact id in one lookup, marking
	 * the jobs found; find_user() then runs for the others only */
	enum mw_err (*find_users)(struct run *r);
	/* j->data: the signed payload when it carries tags (and fields when
	 * need_fields), else GET from Mautic */
	enum mw_err (*load_contact)(struct run *r, struct job *j,
				    bool need_fields);
	/* the transaction */
	enum mw_err (*begin)(struct run *r);
	/* the lock rows of the jobs' contacts and e-mail addresses, first
	 * thing in the transaction */
	enum mw_err (*lock_contacts)(struct run *r);
	/* the jobs' users' rows, in ascending ID order */
	enum mw_err (*lock_users)(struct run *r);
	/* end the transaction: rolled back on error or in a dry run, else
	 * committed; returns rc or the commit's failure */
	enum mw_err (*finish)(struct run *r, enum mw_err rc);
	/* true when the failed transaction may run again: a deadlock or a
	 * cluster's certification conflict, its database node was lost and
	 * another one is connected, or a missing outbox table now created */
	bool (*retry)(struct run *r);
	/* inside the transaction, after the jobs (not in a dry run): the
	 * outbox rows; NULL: none */
	enum mw_err (*record)(struct run *r);
};

extern const struct driver_io run_store_io;

/* Whether rc from the synchronous path is a transient failure worth
 * queueing and retrying: the database away or a lock wait timed out,
 * Mautic not answering, refusing the connection, answering 5xx or 429. */
bool run_transient(const struct run *r, enum mw_err rc);

/* ---- events.c: the outbox ---------------------------------------------- */

/* One outbox row per user the jobs changed (or whose tags they loaded,
 * with [events] unchanged), inside the transaction.  A missing table sets
 * r->outbox_missing and fails (MW_EDB): run.c creates it and the driver
 * runs the transaction again.  Sets r->nevents. */
enum mw_err events_record(struct run *r) __attribute__((warn_unused_result));

/* Create the outbox table after events_record() found it missing (outside
 * any transaction); false when it cannot be made (then the outbox is left
 * out for this process, with an error in the log). */
bool events_create(struct run *r);

/* After the commit: ping the drain when rows were recorded. */
void events_ping(struct run *r);

/* Housekeeping, now and then: events older than [events] max_age_days
 * deleted (a site without the mu-plugin), with a warning once a day. */
void events_prune(struct run *r);

/* Record a [fields] key as written for the job's event. */
void job_field(struct job *j, const char *key);

/* ---- tags.c ------------------------------------------------------------- */

/* Store the job's tags as WP Fusion does (inside the transaction). */
enum mw_err tags_store(struct run *r, struct job *j)
	__attribute__((warn_unused_result));

#define TAGS_NEW_MAX 1024 /* new names added to available_tags at once */

/* WP Fusion's tag list (option wpf_available_tags, name => name for
 * Mautic), with use_wpf_options: when the copy read with wpf_options
 * lacks some of the request's tag names, the row is read again under its
 * lock (created when missing) and they are appended, so concurrent
 * webhooks never lose one.  A request whose names are all listed costs
 * no statement.  A dry run only notes how many are new. */
enum mw_err tags_available(struct run *r) __attribute__((warn_unused_result));

/* update_tags for one found user (inside the transaction). */
enum mw_err tags_job(struct run *r, struct job *j)
	__attribute__((warn_unused_result));

/* ---- user.c: what add and update both do to a user ---------------------- */

enum field_kind {
	FK_SKIP,    /* user_login (never changed), role (handled apart) */
	FK_PASS,    /* user_pass */
	FK_EMAIL,   /* user_email */
	FK_URL,	    /* user_url */
	FK_DISPLAY, /* display_name column */
	FK_NICE,    /* user_nicename column */
	FK_NAME,    /* first_name, last_name, nickname: display filters */
	FK_DESC,    /* description: kses */
	FK_META,    /* any other usermeta key, stored verbatim */
	FK__MAX
};

/* How a [fields] WordPress key is written. */
enum field_kind user_field_kind(const char *wp_key);

#define USER_META_MAX 65536 /* a cleaned meta value, NUL included */

/* Who owns a mapped key, for writing and for --check. */
enum field_class {
	FC_META,   /* a WordPress field or plain usermeta: written */
	FC_PSEUDO, /* WP Fusion's pseudo fields (user_id, ...): never
		    * written, only sent to Mautic */
	FC_WPF,	   /* the contact link and tags: never a field */
	FC_ROLES,  /* role, capabilities, user level: through the role */
	FC_PLUGIN, /* another plugin's data (BuddyPress xprofile,
		    * AffiliateWP): not usermeta, so not written */
};

/* The class of a mapped WordPress key and, unless FC_META, who owns it
 * in *owner (static text; owner may be NULL). */
enum field_class user_field_class(const char *wp_key,
				  const char **owner /* OUT */);

/* WP Fusion's wpf_clean() of a value without markup: "%40" (any case)
 * becomes "@", then sanitize_text_field().  MW_EINPUT when it does not
 * fit. */
enum mw_err user_wpf_clean(const char *in, char *out, size_t outsz)
	__attribute__((warn_unused_result));

/* The value WP Fusion would store for a mapped meta field, in out:
 * wpf_clean() ("%40" to "@", then sanitize_text_field()), then its empty
 * rule (an empty result is skipped unless the field's type is raw, which
 * clears the meta to "", also for a null value; "0" is kept).  NULL when
 * nothing is to be written (a null value, a pseudo field, an empty one; a
 * note for a value too long). */
const char *user_meta_value(const struct run *r, struct job *j,
			    const struct cfg_field *f, char *out, size_t outsz);

/* The mapped Mautic value of a WordPress key; NULL when unmapped, null or
 * empty (an empty value never clears WordPress's).  Borrowed from j. */
const char *user_mapped(const struct run *r, const struct job *j,
			const char *wp_key);

/* The blog's usermeta key for suffix ("wp_2_capabilities") in out. */
char *user_blog_key(const struct run *r, const char *suffix, char *out,
		    size_t outsz);

/* update_user_meta() of a text value: written only when its stored form
 * differs. */
enum mw_err user_meta_update(struct run *r, struct job *j, const char *key,
			     const char *val)
	__attribute__((warn_unused_result));

/* add_user_meta() of a text value. */
enum mw_err user_meta_add(struct run *r, struct job *j, const char *key,
			  const char *val) __attribute__((warn_unused_result));

/* Append the serialized {prefix}capabilities value of a single role. */
enum mw_err user_caps(const struct role *ro, struct buf *out)
	__attribute__((warn_unused_result));

/* The role a webhook asked for, if the site has it and the rules allow
 * it; else NULL with a note.  Borrowed from r->site. */
const struct role *user_wanted_role(struct run *r, struct job *j,
				    const char *wanted);

/* WP_User::set_role() and {prefix}user_level. */
enum mw_err user_set_role(struct run *r, struct job *j, const struct role *ro)
	__attribute__((warn_unused_result));

/* ---- update.c ----------------------------------------------------------- */

/* Update an existing user inside the transaction: link, fields, tags,
 * role. */
enum mw_err update_job(struct run *r, struct job *j)
	__attribute__((warn_unused_result));

/* ---- add.c -------------------------------------------------------------- */

/* Before add's jobs: the users of many contacts in one lookup. */
enum mw_err add_prepare(struct run *r) __attribute__((warn_unused_result));

/* add for one contact: its user, else the user of its e-mail (linked),
 * else a new user. */
enum mw_err add_job(struct run *r, struct job *j)
	__attribute__((warn_unused_result));

/* After add's jobs: the site's user_count, once. */
enum mw_err add_complete(struct run *r) __attribute__((warn_unused_result));

/* ---- driver.c: the table and the skeleton ------------------------------- */

/* One action's row: what the skeleton does for it. */
struct action_def {
	enum action action;    /* the row's own index */
	bool opens_store;      /* false: nothing to read or write (test) */
	bool reads_site;       /* needs roles, default role, hash scheme */
	bool finds_user_first; /* users found in the read phase; none is
				  no_user and the job is not run */
	bool needs_fields;     /* contact fields, not only tags */
	bool locks_contacts;   /* the contacts' and e-mails' lock rows,
				  first in the transaction (creates users) */
	bool locks_users;      /* the found users' rows locked in ID order */
	enum mw_err (*prepare)(struct run *r); /* before the jobs, or NULL */
	enum mw_err (*job)(struct run *r, struct job *j); /* each job run */
	enum mw_err (*complete)(struct run *r); /* after the jobs, or NULL */
};

/* The row of an action; NULL when a is not an action. */
const struct action_def *driver_def(enum action a);

/* The skeleton, once: open, site, read phase (users, contacts), begin,
 * lock contacts, lock users, prepare, the jobs, complete, finish; the
 * steps a row does not want are left out. */
enum mw_err driver_once(struct run *r, const struct action_def *d,
			const struct driver_io *io)
	__attribute__((warn_unused_result));

/* driver_once() up to attempts times while the failure allows another
 * run (io->retry: a deadlock or certification conflict rolled the
 * transaction back, or another database node took over); what was read
 * from Mautic is kept between attempts. */
enum mw_err driver_run(struct run *r, const struct action_def *d,
		       const struct driver_io *io, int attempts)
	__attribute__((warn_unused_result));

/* The request's action against the real store, up to attempts times.
 * MW_EINTERNAL for an action without a row. */
enum mw_err driver_action(struct run *r, int attempts)
	__attribute__((warn_unused_result));

/* ---- after.c: after the transaction ------------------------------------- */

/* After a successful commit: drop cached users, return generated
 * passwords to Mautic and send welcome mails (failures become notes). */
void after_commit(struct run *r);

/* Dry run: note the mail and the Mautic PATCH a real run would send. */
void after_plan(struct run *r);

/* ---- answer.c ----------------------------------------------------------- */

/* Fill *ans for the result rc of r (msg: the request's error message or
 * "") and write the request's log line; t0 is when it started. */
void answer_fill(const struct run *r, enum mw_err rc, const char *msg,
		 long long t0, struct action_answer *ans /* OUT */);

/* The answer's name of an outcome ("created"), and the message of an
 * error that has no more specific one. */
const char *answer_outcome_name(enum outcome o);
const char *answer_error_message(enum mw_err e);

/* ---- wpflog.c ----------------------------------------------------------- */

/* One row per contact in WP Fusion's activity log, when the site has it
 * and this is not a dry run; failures are only logged. */
void answer_wpflog(struct run *r, enum mw_err rc, const char *msg);

/* ---- intake.c: the spool side of a request --------------------------- */

/* Whether the request goes straight to the spool: async asked for (or
 * [webhook] async = always), never a dry run or a test. */
bool intake_wanted(const struct run *r);

/* Queue every job of r that is not a deleted contact (outcome queued,
 * r->nqueued counted); MW_EFULL when the spool is full, MW_EINTERNAL when
 * it cannot be written.  Nothing stays behind on failure. */
enum mw_err intake_queue(struct run *r) __attribute__((warn_unused_result));

/* ---- action.c ----------------------------------------------------------- */

/* Load the configuration at path and, with use_wpf_options, connect to the
 * database and merge WP Fusion's settings; conn->wp keeps that connection
 * (conn must start empty; caller closes it with action_conn_close).  On
 * error err holds the reason: MW_ECONFIG, or MW_EDB when the database is
 * needed and away; cfg is released with cfg_free in every case. */
enum mw_err action_config(const char *path, struct cfg *cfg /* OUT */,
			  struct action_conn *conn, char *err, size_t errsz)
	__attribute__((warn_unused_result));

#endif
