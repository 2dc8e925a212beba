/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * run.c - the connections of one request, opened on first need, and the
 * steps of the driver's skeleton that talk to the database and to Mautic
 * (run_store_io).  The jobs themselves are job.c's.
 */
#include "action/action_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "base/clock.h"
#include "base/log.h"
#include "formats/wptext.h"
#include "mautic/mautic.h"
#include "wp/store.h"

void
run_free(struct run *r)
{
	run_free_jobs(r);
	wp_site_free(&r->site);
	/* The connections stay with the caller, outside any transaction. */
	wp_rollback(r->wp);
}

void
run_count(struct run *r)
{
	r->ncalls = r->mautic ? mautic_calls(r->mautic) - r->calls0 : 0;
	r->nsql = r->wp ? wp_queries(r->wp) - r->sql0 : 0;
	r->nrt = r->wp ? wp_round_trips(r->wp) - r->rt0 : 0;
}

static enum mw_err
open_wp(struct run *r)
{
	struct action_conn *c = r->conn;
	enum mw_err rc;

	if (r->wp != NULL)
		return MW_OK;
	/* A kept connection may have gone away (restart, wait_timeout)
	 * since the last request: its first statement finds out and
	 * reconnects, which costs no round trip when it has not. */
	r->rt0 = c->wp != NULL ? wp_round_trips(c->wp) : 0;
	if (c->wp != NULL) {
		wp_reuse(c->wp);
	} else {
		rc = wp_open(r->cfg, &c->wp);
		if (rc != MW_OK)
			return rc;
		if (c->keep)
			wp_keep_statements(c->wp);
	}
	r->wp = c->wp;
	r->sql0 = wp_queries(r->wp);
	return MW_OK;
}

enum mw_err
run_open_mautic(struct run *r)
{
	struct action_conn *c = r->conn;
	enum mw_err rc;

	if (r->mautic != NULL)
		return MW_OK;
	if (c->mautic == NULL) {
		rc = mautic_open(r->cfg, &c->mautic);
		if (rc != MW_OK)
			return rc;
		if (c->keep)
			mautic_keep_connection(c->mautic);
	} else {
		mautic_begin(c->mautic);
	}
	r->mautic = c->mautic;
	r->calls0 = mautic_calls(r->mautic);
	return MW_OK;
}

static enum mw_err
read_site(struct run *r)
{
	return wp_site_read(r->cfg, r->wp, &r->site);
}

/* Find the WordPress user of a job: by contact id, else by e-mail. */
static enum mw_err
find_user(struct run *r, struct job *j)
{
	enum mw_err rc;

	rc = wp_user_by_contact(r->wp, j->contact_id, &j->uid);
	if (rc != MW_OK || j->uid != 0)
		return rc;
	if (r->req->email != NULL && !r->req->json) {
		rc = wp_user_by_email(r->wp, r->req->email, &j->uid);
		j->link = rc == MW_OK && j->uid != 0;
	}
	return rc;
}

enum mw_err
run_find_users(struct run *r)
{
	uint64_t *cids, *uids;
	size_t i, n = 0;
	enum mw_err rc = MW_ENOMEM;

	cids = calloc(r->njobs, sizeof(*cids));
	uids = calloc(r->njobs, sizeof(*uids));
	if (cids == NULL || uids == NULL)
		goto out;
	for (i = 0; i < r->njobs; i++)
		if (!r->jobs[i].deleted)
			cids[n++] = r->jobs[i].contact_id;
	rc = wp_users_by_contacts(r->wp, cids, n, uids);
	for (i = n = 0; rc == MW_OK && i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		if (j->deleted)
			continue;
		j->uid = uids[n++];
		/* none: find_user() tries the request's e-mail, if any */
		j->found = j->uid != 0 || r->req->email == NULL || r->req->json;
	}
out:
	free(cids);
	free(uids);
	return rc;
}

static enum mw_err
load_contact(struct run *r, struct job *j, bool need_fields)
{
	enum mw_err rc;

	if (j->data != NULL)
		return MW_OK; /* loaded before a deadlock retry */
	if (j->payload != NULL && j->payload->has_tags &&
	    (!need_fields || j->payload->has_fields)) {
		j->data = j->payload;
		return MW_OK;
	}
	rc = run_open_mautic(r);
	if (rc == MW_OK)
		rc = mautic_get_contact(r->mautic, j->contact_id, &j->fetched);
	if (rc == MW_OK)
		j->data = &j->fetched;
	/* In a batch, one contact deleted since the event must not lose the
	 * others: it is skipped.  A single contact stays an error (502). */
	if (rc == MW_EUPSTREAM && r->req->json &&
	    mautic_last_status(r->mautic) == 404) {
		j->deleted = true;
		j->outcome = OUT_SKIPPED;
		job_note(j,
			 "Mautic no longer has this contact; nothing changed");
		rc = MW_OK;
	}
	return rc;
}

#define LOCK_KEY_LEN 200 /* "c:" or "e:" and the id or address */

/* The lock rows of add's jobs: each contact and each e-mail address it
 * brings, so that two webhooks for one contact, or for two contacts
 * sharing an address, never both create a user, whichever web server or
 * database node they reach. */
static enum mw_err
lock_contacts(struct run *r)
{
	const char *alias = cfg_field_alias(r->cfg, "user_email");
	char(*keys)[LOCK_KEY_LEN];
	const char **ptrs;
	size_t i, n = 0;
	enum mw_err rc = MW_ENOMEM;

	keys = calloc(2 * r->njobs + 1, sizeof(*keys));
	ptrs = calloc(2 * r->njobs + 1, sizeof(*ptrs));
	if (keys == NULL || ptrs == NULL)
		goto out;
	for (i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		const char *email;

		if (j->deleted || j->data == NULL)
			continue;
		snprintf(keys[n], sizeof(keys[n]), "c:%llu",
			 (unsigned long long)j->contact_id);
		ptrs[n] = keys[n];
		n++;
		email = alias != NULL ? contact_field(j->data, alias) : NULL;
		if (email != NULL && wptext_is_email(email)) {
			snprintf(keys[n], sizeof(keys[n]), "e:%s", email);
			ptrs[n] = keys[n];
			n++;
		}
	}
	rc = wp_lock_keys(r->wp, ptrs, n);
out:
	free(keys);
	free(ptrs);
	return rc;
}

static enum mw_err
begin(struct run *r)
{
	return wp_begin(r->wp);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Lock every user the jobs will write, in ascending ID order and in one
 * statement, so that two requests touching the same users never wait on
 * each other crosswise; a user deleted since it was found marks its job
 * gone. */
static enum mw_err
lock_users(struct run *r)
{
	uint64_t *ids;
	bool *exists;
	size_t i, k, n = 0;
	enum mw_err rc = MW_ENOMEM;

	ids = calloc(r->njobs + 1, sizeof(*ids));
	exists = calloc(r->njobs + 1, sizeof(*exists));
	if (ids == NULL || exists == NULL)
		goto out;
	for (i = 0; i < r->njobs; i++)
		if (r->jobs[i].uid != 0 && !r->jobs[i].deleted)
			ids[n++] = r->jobs[i].uid;
	qsort(ids, n, sizeof(*ids), cmp_u64);
	for (i = k = 0; i < n; i++)
		if (i == 0 || ids[i] != ids[k - 1])
			ids[k++] = ids[i];
	rc = wp_users_lock(r->wp, ids, k, exists);
	for (i = 0; rc == MW_OK && i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		const uint64_t *at;

		if (j->uid == 0 || j->deleted)
			continue;
		at = bsearch(&j->uid, ids, k, sizeof(*ids), cmp_u64);
		j->locked = true;
		j->gone = at == NULL || !exists[at - ids];
	}
out:
	free(ids);
	free(exists);
	return rc;
}

enum mw_err
run_lock_job(struct run *r, struct job *j)
{
	enum mw_err rc = MW_OK;
	bool exists = false;

	if (!j->locked) {
		rc = wp_users_lock(r->wp, &j->uid, 1, &exists);
		j->locked = rc == MW_OK;
		j->gone = !exists;
	}
	if (rc == MW_OK && j->gone) {
		j->outcome = OUT_NO_USER;
		job_note(j, "the user was deleted meanwhile");
	}
	return rc;
}

static enum mw_err
finish(struct run *r, enum mw_err rc)
{
	if (rc != MW_OK || r->req->dry_run)
		wp_rollback(r->wp);
	else
		rc = wp_commit(r->wp);
	return rc;
}

/* Before a transaction runs again: a random pause that grows with each
 * retry (below 40, 80, 160, 320, then 400 ms), so that requests that keep
 * colliding (webhooks for the same contacts on two cluster nodes, where a
 * commit aborts the other node's transactions that touched its rows) fall
 * out of step.  Seven pauses stay under 2 s on average. */
static void
retry_pause(struct run *r)
{
	unsigned cap = 40u << (r->retries < 4 ? r->retries : 4), v = 0;
	struct timespec ts;

	if (cap > 400)
		cap = 400;
	if (getrandom(&v, sizeof(v), 0) != (ssize_t)sizeof(v))
		v = (unsigned)mw_now_ms();
	v %= cap;
	ts.tv_sec = 0;
	ts.tv_nsec = (long)v * 1000000L;
	nanosleep(&ts, NULL);
	r->retries++;
}

static bool
retry(struct run *r)
{
	/* The outbox table was missing: made now, run again at once. */
	if (r->outbox_missing) {
		r->outbox_missing = false;
		return events_create(r);
	}
	if (!wp_may_retry(r->wp))
		return false;
	retry_pause(r);
	return true;
}

const struct driver_io run_store_io = {
	.open = open_wp,
	.read_site = read_site,
	.find_user = find_user,
	.find_users = run_find_users,
	.load_contact = load_contact,
	.begin = begin,
	.lock_contacts = lock_contacts,
	.lock_users = lock_users,
	.finish = finish,
	.retry = retry,
	.record = events_record,
};

bool
run_transient(const struct run *r, enum mw_err rc)
{
	long st;

	switch (rc) {
	case MW_EDB:	  /* the database away, a lock wait timed out */
	case MW_ETIMEOUT: /* Mautic did not answer in time */
		return true;
	case MW_EUPSTREAM:
		/* No answer at all (refused, reset, TLS), or one that says
		 * "later"; a 404 or another 4xx is for good. */
		st = r->mautic != NULL ? mautic_last_status(r->mautic) : 0;
		return st == 0 || st == 408 || st == 429 || st >= 500;
	default:
		return false;
	}
}
