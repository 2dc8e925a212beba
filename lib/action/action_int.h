/*
 * action_int.h - state shared by action.c (dispatch, tags, answers) and
 * action_user.c (add and update).  Not part of the library's interface.
 */
#ifndef MW_ACTION_INT_H
#define MW_ACTION_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "action/action.h"
#include "config/config.h"
#include "formats/model.h"
#include "formats/pwhash.h"
#include "request/request.h"
#include "formats/roles.h"

#define JOB_NOTE_MAX 400

enum outcome {
	OUT_CREATED,
	OUT_UPDATED,
	OUT_UNCHANGED,
	OUT_NO_USER,
	OUT_SKIPPED,
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
	bool changed;		       /* something was written */
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
};

/* What the site says about itself, read once per request. */
struct site {
	bool loaded;
	struct roles roles;	   /* {blog prefix}user_roles */
	char *default_role;	   /* option default_role */
	uint64_t db_version;	   /* option db_version */
	enum pwhash_scheme scheme; /* hash for new passwords */
	enum pwhash_keyfmt keyfmt; /* format of reset keys */
	char blog_prefix[48];	   /* wp_ or wp_2_ */
};

/* State of one request. */
struct run {
	const struct cfg *cfg; /* loaded config */
	struct request *req;   /* parsed request */
	struct job *jobs;      /* one per contact */
	size_t njobs;
	struct action_conn *conn; /* the caller's kept connections */
	struct mautic *mautic;	  /* conn->mautic once needed */
	struct wpstore *wp;	  /* conn->wp once needed */
	unsigned sql0;		  /* wp_queries() when it was taken */
	unsigned calls0;	  /* mautic_calls() when it was taken */
	struct site site;	  /* loaded on first need */
	char reqid[17];		  /* hex request id */
};

/* Append a note to a job's answer. */
void job_note(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Record a change for the dry-run answer ("first_name", "role author"). */
void job_change(struct job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Dry run: add the mail and the Mautic PATCH a real run would send. */
void action_user_plan(struct run *r);

/* Open the database / the Mautic client on first need. */
enum mw_err run_open_wp(struct run *r);
enum mw_err run_open_mautic(struct run *r);

/* The job's user: by mautic_contact_id, else by the request's email
 * parameter (then j->link is set). */
enum mw_err run_find_user(struct run *r, struct job *j);

/* The contact data of a job: the signed payload when it carries what is
 * needed (tags, and fields when need_fields), else GET from Mautic. */
enum mw_err run_load_contact(struct run *r, struct job *j, bool need_fields);

/* The read phase of update_tags, update and add: for every job not
 * deleted, its user (when find_first; none means OUT_NO_USER) and its
 * contact data (fields too when need_fields).  No transaction yet. */
enum mw_err run_load_all(struct run *r, bool find_first, bool need_fields);

/* End the transaction: rolled back on error or in a dry run, else
 * committed.  Returns rc, or the commit's failure. */
enum mw_err run_finish(struct run *r, enum mw_err rc);

/* Lock the jobs' users in ascending ID order (inside the transaction). */
enum mw_err run_lock_users(struct run *r);

/* Store the job's tags as WP Fusion does (inside the transaction). */
enum mw_err run_store_tags(struct run *r, struct job *j);

/* Handlers of add and update (action_user.c). */
enum mw_err action_add(struct run *r);
enum mw_err action_update(struct run *r);

/* After a successful commit: return passwords and send welcome mails. */
void action_user_after_commit(struct run *r);

/* Release what a job owns. */
void job_free(struct job *j);

/* Read the site's roles, default role and version into *s (once: does
 * nothing when s->loaded).  MW_ECONFIG when the role table is missing. */
enum mw_err site_read(const struct cfg *cfg, struct wpstore *wp,
		      struct site *s);

/* Release the site description. */
void site_free(struct site *s);

#endif
