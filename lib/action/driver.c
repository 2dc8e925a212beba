/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * driver.c - every action through one skeleton: a table with one row per
 * wpf_action says which steps the action wants and which handler does its
 * work for each contact (cgit's cmd.c, kcgi's disps[]).
 *
 * The skeleton: open the database; read the site; the read phase (each
 * contact's user when the action finds users first, and its data from the
 * payload or Mautic); BEGIN; the lock rows of the contacts and their
 * e-mails (actions that create users); the users' row locks; prepare, the
 * handler for each job, complete; COMMIT or ROLLBACK.
 * Nothing is written before BEGIN, and no Mautic call comes after it.
 */
#include "action/action_int.h"

#include <string.h>

#include "base/log.h"

/* The dispatch table, one row per wpf_action. */
static const struct action_def defs[ACTION__MAX] = {
	{
		.action = ACTION_ADD,
		.opens_store = true,
		.reads_site = true,
		.needs_fields = true,
		.locks_contacts = true,
		.prepare = add_prepare,
		.job = add_job,
		.complete = add_complete,
	}, /* ACTION_ADD */
	{
		.action = ACTION_UPDATE,
		.opens_store = true,
		.reads_site = true,
		.finds_user_first = true,
		.needs_fields = true,
		.locks_users = true,
		.job = update_job,
		.complete = tags_available,
	}, /* ACTION_UPDATE */
	{
		.action = ACTION_UPDATE_TAGS,
		.opens_store = true,
		.finds_user_first = true,
		.locks_users = true,
		.job = tags_job,
		.complete = tags_available,
	}, /* ACTION_UPDATE_TAGS */
	{
		.action = ACTION_TEST,
	}, /* ACTION_TEST */
};

const struct action_def *
driver_def(enum action a)
{
	return (unsigned)a < ACTION__MAX ? &defs[a] : NULL;
}

/* Whether the skeleton runs the action's handler for a job: never for a
 * deleted contact, and with finds_user_first only for a found user. */
static bool
job_runs(const struct action_def *d, const struct job *j)
{
	return !j->deleted && (!d->finds_user_first || j->uid != 0);
}

/* The read phase: for every job not deleted, its user (when d finds users
 * first; none means OUT_NO_USER) and its contact data.  No transaction
 * yet. */
static enum mw_err
read_phase(struct run *r, const struct action_def *d,
	   const struct driver_io *io)
{
	enum mw_err rc = MW_OK;
	size_t i;

	/* Many contacts (the queue's batches, signed batches): one lookup
	 * for all of them instead of one per contact. */
	if (d->finds_user_first && io->find_users != NULL && r->njobs > 1)
		rc = io->find_users(r);
	for (i = 0; rc == MW_OK && i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		if (j->deleted) {
			j->outcome = OUT_SKIPPED;
			job_note(j,
				 "contact deleted in Mautic; nothing changed");
			continue;
		}
		if (d->finds_user_first) {
			if (!j->found)
				rc = io->find_user(r, j);
			if (rc != MW_OK)
				break;
			if (j->uid == 0) {
				j->outcome = OUT_NO_USER;
				continue;
			}
		}
		rc = io->load_contact(r, j, d->needs_fields);
	}
	return rc;
}

/* Inside the transaction: the row locks, prepare, each job, complete. */
static enum mw_err
write_phase(struct run *r, const struct action_def *d,
	    const struct driver_io *io)
{
	enum mw_err rc = MW_OK;
	size_t i;

	/* Taken before the first read of the transaction, so that what is
	 * read includes users created by whoever held the rows before. */
	if (d->locks_contacts)
		rc = io->lock_contacts(r);
	if (rc == MW_OK && d->locks_users)
		rc = io->lock_users(r);
	if (rc == MW_OK && d->prepare != NULL)
		rc = d->prepare(r);
	for (i = 0; rc == MW_OK && i < r->njobs; i++)
		if (job_runs(d, &r->jobs[i]))
			rc = d->job(r, &r->jobs[i]);
	if (rc == MW_OK && d->complete != NULL)
		rc = d->complete(r);
	if (rc == MW_OK && io->record != NULL && !r->req->dry_run)
		rc = io->record(r);
	return rc;
}

enum mw_err
driver_once(struct run *r, const struct action_def *d,
	    const struct driver_io *io)
{
	enum mw_err rc;

	if (!d->opens_store)
		return MW_OK;
	rc = io->open(r);
	if (rc == MW_OK && d->reads_site)
		rc = io->read_site(r);
	if (rc == MW_OK)
		rc = read_phase(r, d, io);
	if (rc == MW_OK)
		rc = io->begin(r);
	if (rc == MW_OK)
		rc = write_phase(r, d, io);
	return io->finish(r, rc);
}

/* Forget what a rolled-back transaction decided, keep what was read. */
static void
jobs_reset(struct run *r)
{
	size_t i;

	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		struct job keep = *j;

		/* The contact read from Mautic stays (same address). */
		memset(&j->fetched, 0, sizeof(j->fetched));
		job_free(j);
		j->contact_id = keep.contact_id;
		j->payload = keep.payload;
		j->deleted = keep.deleted;
		j->fetched = keep.fetched;
		j->data = keep.data;
		j->outcome = OUT_UNCHANGED;
	}
}

enum mw_err
driver_run(struct run *r, const struct action_def *d,
	   const struct driver_io *io, int attempts)
{
	enum mw_err rc;
	int attempt;

	for (attempt = 1;; attempt++) {
		bool outbox;

		rc = driver_once(r, d, io);
		/* InnoDB or Galera rolled the transaction back, another node
		 * took over, or the outbox table had to be created: run it
		 * again (Mautic's data is kept, so no second API call). */
		outbox = r->outbox_missing;
		if (rc != MW_EDB || attempt >= attempts || !io->retry(r))
			return rc;
		if (!outbox)
			log_info("retrying the transaction (attempt %d)",
				 attempt + 1);
		jobs_reset(r);
	}
}

enum mw_err
driver_action(struct run *r, int attempts)
{
	const struct action_def *d = driver_def(r->req->action);

	if (d == NULL)
		return MW_EINTERNAL;
	return driver_run(r, d, &run_store_io, attempts);
}
