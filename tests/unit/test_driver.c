/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_driver.c - the action driver without a database: every action has
 * its row and the row says what each action needs; request names map to
 * the rows or to a refusal; and the one skeleton calls its steps in order,
 * stops at a failure, always ends the transaction (which releases the
 * lock rows), and runs a transaction again when the store says it may
 * (a deadlock, a certification conflict, another node).  The database and
 * Mautic steps are fakes that write what was called to a trace.
 */
#include "action/action_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "check.h"

#define KEY "test-key-123"
#define NO_USER_CONTACT 2 /* the fake store knows no user for it */

/* What the fakes were asked, and what they should fail. */
static struct {
	char trace[1024];	/* "open site find:1 ..." */
	const char *fail;	/* step that fails, as traced, or NULL */
	enum mw_err fail_rc;	/* with this */
	int deadlocks;		/* finish calls that report a deadlock */
	struct contact contact; /* what load_contact gives */
} fake;

static void trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
trace(const char *fmt, ...)
{
	size_t used = strlen(fake.trace);
	va_list ap;

	if (used > 0 && used + 1 < sizeof(fake.trace))
		fake.trace[used++] = ' ';
	va_start(ap, fmt);
	vsnprintf(fake.trace + used, sizeof(fake.trace) - used, fmt, ap);
	va_end(ap);
}

/* Trace a step; its result is fake.fail_rc when it is the failing one. */
static enum mw_err step(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static enum mw_err
step(const char *fmt, ...)
{
	char name[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	trace("%s", name);
	return fake.fail && strcmp(fake.fail, name) == 0 ? fake.fail_rc : MW_OK;
}

static enum mw_err
f_open(struct run *r)
{
	(void)r;
	return step("open");
}

static enum mw_err
f_read_site(struct run *r)
{
	(void)r;
	return step("site");
}

static enum mw_err
f_find_user(struct run *r, struct job *j)
{
	(void)r;
	j->uid = j->contact_id == NO_USER_CONTACT ? 0 : j->contact_id * 10;
	return step("find:%llu", (unsigned long long)j->contact_id);
}

static enum mw_err
f_load_contact(struct run *r, struct job *j, bool need_fields)
{
	(void)r;
	if (j->data == NULL)
		j->data = &fake.contact;
	return step("load:%llu%s", (unsigned long long)j->contact_id,
		    need_fields ? "+fields" : "");
}

static enum mw_err
f_begin(struct run *r)
{
	(void)r;
	return step("begin");
}

static enum mw_err
f_lock_contacts(struct run *r)
{
	(void)r;
	return step("lock_contacts");
}

static enum mw_err
f_lock_users(struct run *r)
{
	(void)r;
	return step("lock_users");
}

static enum mw_err
f_finish(struct run *r, enum mw_err rc)
{
	(void)r;
	trace("finish:%s", mw_strerror(rc));
	if (rc == MW_OK && fake.deadlocks > 0)
		return MW_EDB;
	return rc;
}

static bool
f_retry(struct run *r)
{
	(void)r;
	return fake.deadlocks-- > 0;
}

static const struct driver_io fake_io = {
	.open = f_open,
	.read_site = f_read_site,
	.find_user = f_find_user,
	.load_contact = f_load_contact,
	.begin = f_begin,
	.lock_contacts = f_lock_contacts,
	.lock_users = f_lock_users,
	.finish = f_finish,
	.retry = f_retry,
};

/* Stand-ins for the rows' handlers. */
static enum mw_err
h_prepare(struct run *r)
{
	(void)r;
	return step("prepare");
}

static enum mw_err
h_job(struct run *r, struct job *j)
{
	(void)r;
	j->outcome = OUT_UPDATED;
	job_note(j, "written");
	return step("job:%llu", (unsigned long long)j->contact_id);
}

static enum mw_err
h_complete(struct run *r)
{
	(void)r;
	return step("complete");
}

/* The row of action a with its handlers replaced by the stand-ins. */
static struct action_def
fake_row(enum action a)
{
	struct action_def d = *driver_def(a);

	if (d.prepare != NULL)
		d.prepare = h_prepare;
	if (d.job != NULL)
		d.job = h_job;
	if (d.complete != NULL)
		d.complete = h_complete;
	return d;
}

/* A run of jobs for contacts 1..n; contact `deleted` (0: none) was
 * deleted in Mautic. */
static void
run_init(struct run *r, struct request *q, size_t n, uint64_t deleted)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	memset(q, 0, sizeof(*q));
	r->req = q;
	r->jobs = calloc(n, sizeof(*r->jobs));
	r->njobs = r->jobs != NULL ? n : 0;
	for (i = 0; i < r->njobs; i++) {
		r->jobs[i].contact_id = i + 1;
		r->jobs[i].deleted = i + 1 == deleted;
		r->jobs[i].outcome = OUT_UNCHANGED;
	}
	memset(&fake, 0, sizeof(fake));
}

static void
run_done(struct run *r)
{
	size_t i;

	for (i = 0; i < r->njobs; i++)
		job_free(&r->jobs[i]);
	free(r->jobs);
}

/* Run the (faked) row of a once over contacts 1..n and compare the trace
 * and the result. */
static void
check_once(const char *name, enum action a, size_t n, uint64_t deleted,
	   const char *fail, enum mw_err fail_rc, enum mw_err want_rc,
	   const char *want)
{
	struct action_def d = fake_row(a);
	struct request q;
	struct run r;
	enum mw_err rc;

	run_init(&r, &q, n, deleted);
	fake.fail = fail;
	fake.fail_rc = fail_rc;
	rc = driver_once(&r, &d, &fake_io);
	if (rc != want_rc || strcmp(fake.trace, want) != 0)
		fprintf(stderr, "%s: rc %s, trace \"%s\"\n", name,
			mw_strerror(rc), fake.trace);
	CHECK(rc == want_rc);
	CHECK_STR(fake.trace, want);
	run_done(&r);
}

static void
test_every_action_has_its_row(void)
{
	int a;

	for (a = 0; a < ACTION__MAX; a++) {
		const struct action_def *d = driver_def((enum action)a);

		CHECK(d != NULL);
		if (d == NULL)
			continue;
		CHECK((int)d->action == a);
		/* A row that opens the store has work for the jobs. */
		CHECK(!d->opens_store || d->job != NULL);
		/* Only found users can be locked by ID. */
		CHECK(!d->locks_users || d->finds_user_first);
		/* Contact locks are for actions that create users, which
		 * find them inside the transaction. */
		CHECK(!(d->locks_contacts && d->finds_user_first));
	}
	CHECK(driver_def(ACTION__MAX) == NULL);
	CHECK(driver_def((enum action)(ACTION__MAX + 7)) == NULL);
}

static void
test_rows_say_what_each_action_needs(void)
{
	const struct action_def *add = driver_def(ACTION_ADD);
	const struct action_def *upd = driver_def(ACTION_UPDATE);
	const struct action_def *tags = driver_def(ACTION_UPDATE_TAGS);
	const struct action_def *test = driver_def(ACTION_TEST);

	/* add: creates users, so it looks them up behind its lock rows */
	CHECK(add->opens_store && add->reads_site && add->needs_fields);
	CHECK(!add->finds_user_first && add->locks_contacts);
	CHECK(!add->locks_users);
	CHECK(add->prepare == add_prepare && add->job == add_job &&
	      add->complete == add_complete);
	/* update: existing users only, all fields, roles */
	CHECK(upd->opens_store && upd->reads_site && upd->needs_fields);
	CHECK(upd->finds_user_first && upd->locks_users);
	CHECK(!upd->locks_contacts);
	CHECK(upd->prepare == NULL && upd->job == update_job &&
	      upd->complete == tags_available);
	/* update_tags: existing users only, tags only, no site settings */
	CHECK(tags->opens_store && !tags->reads_site && !tags->needs_fields);
	CHECK(tags->finds_user_first && tags->locks_users);
	CHECK(!tags->locks_contacts);
	CHECK(tags->prepare == NULL && tags->job == tags_job &&
	      tags->complete == tags_available);
	/* test: the access key only */
	CHECK(!test->opens_store && !test->reads_site && !test->locks_users);
	CHECK(test->job == NULL);
}

/* Parse a GET query with the test key; returns the result. */
static enum mw_err
parse(const char *query, struct request *q, char *msg, size_t msgsz)
{
	static char key[] = KEY;
	struct req_env env;
	struct cfg cfg;

	memset(&env, 0, sizeof(env));
	memset(&cfg, 0, sizeof(cfg));
	cfg.access_key = key;
	env.method = "GET";
	env.query = query;
	return req_parse(&env, NULL, 0, &cfg, q, msg, msgsz);
}

static void
test_action_names_map_to_rows(void)
{
	char query[128], msg[REQ_MSG_MAX];
	struct request q;
	struct run r;
	int a;

	for (a = 0; a < ACTION__MAX; a++) {
		snprintf(query, sizeof(query),
			 "access_key=" KEY "&wpf_action=%s&contact_id=7",
			 req_action_name((enum action)a));
		memset(&q, 0, sizeof(q));
		CHECK(parse(query, &q, msg, sizeof(msg)) == MW_OK);
		CHECK((int)q.action == a);
		CHECK(driver_def(q.action) != NULL);
		req_free(&q);
	}
	/* An unknown name is the client's error: 400, with a message. */
	memset(&q, 0, sizeof(q));
	msg[0] = '\0';
	CHECK(parse("access_key=" KEY "&wpf_action=delete&contact_id=7", &q,
		    msg, sizeof(msg)) == MW_EINPUT);
	CHECK(strstr(msg, "wpf_action") != NULL);
	CHECK(mw_http_status(MW_EINPUT) == 400);
	req_free(&q);
	/* An action without a row never reaches a step. */
	run_init(&r, &q, 1, 0);
	q.action = ACTION__MAX;
	CHECK(driver_action(&r, 3) == MW_EINTERNAL);
	CHECK_STR(fake.trace, "");
	run_done(&r);
}

static void
test_skeleton_runs_steps_in_order(void)
{
	/* contact 2 has no user, contact 3 was deleted */
	check_once("update_tags", ACTION_UPDATE_TAGS, 3, 3, NULL, MW_OK, MW_OK,
		   "open find:1 load:1 find:2 begin lock_users job:1 "
		   "complete finish:ok");
	check_once("update", ACTION_UPDATE, 3, 3, NULL, MW_OK, MW_OK,
		   "open site find:1 load:1+fields find:2 begin lock_users "
		   "job:1 complete finish:ok");
	check_once("add", ACTION_ADD, 3, 3, NULL, MW_OK, MW_OK,
		   "open site load:1+fields load:2+fields begin lock_contacts "
		   "prepare job:1 job:2 complete finish:ok");
	check_once("test", ACTION_TEST, 0, 0, NULL, MW_OK, MW_OK, "");
}

static void
test_skeleton_read_phase_outcomes(void)
{
	struct action_def d = fake_row(ACTION_UPDATE_TAGS);
	struct request q;
	struct run r;

	run_init(&r, &q, 3, 3);
	CHECK(driver_once(&r, &d, &fake_io) == MW_OK);
	CHECK(r.jobs[0].outcome == OUT_UPDATED && r.jobs[0].uid == 10);
	CHECK(r.jobs[1].outcome == OUT_NO_USER && r.jobs[1].uid == 0);
	CHECK(r.jobs[2].outcome == OUT_SKIPPED);
	CHECK_STR(r.jobs[2].note, "contact deleted in Mautic; nothing changed");
	CHECK(r.jobs[0].data == &fake.contact && r.jobs[1].data == NULL);
	run_done(&r);
}

static void
test_skeleton_stops_at_a_failure(void)
{
	/* before the transaction: nothing more, but it is still ended */
	check_once("open fails", ACTION_UPDATE_TAGS, 1, 0, "open", MW_EDB,
		   MW_EDB, "open finish:database_unavailable");
	check_once("find fails", ACTION_UPDATE, 2, 0, "find:1", MW_EDB, MW_EDB,
		   "open site find:1 finish:database_unavailable");
	check_once("Mautic fails", ACTION_UPDATE_TAGS, 2, 0, "load:1",
		   MW_EUPSTREAM, MW_EUPSTREAM,
		   "open find:1 load:1 finish:mautic_error");
	/* the lock rows not granted: no job, the transaction ended */
	check_once("lock fails", ACTION_ADD, 1, 0, "lock_contacts", MW_EDB,
		   MW_EDB,
		   "open site load:1+fields begin lock_contacts "
		   "finish:database_unavailable");
	/* inside: rolled back (the lock rows with it), no further job */
	check_once("job fails", ACTION_ADD, 2, 0, "job:1", MW_EINTERNAL,
		   MW_EINTERNAL,
		   "open site load:1+fields load:2+fields begin lock_contacts "
		   "prepare job:1 finish:internal_error");
	check_once("row locks fail", ACTION_UPDATE, 1, 0, "lock_users", MW_EDB,
		   MW_EDB,
		   "open site find:1 load:1+fields begin lock_users "
		   "finish:database_unavailable");
}

/* How many runs of the skeleton the trace shows. */
static int
runs(void)
{
	const char *p = fake.trace;
	int n = 0;

	while ((p = strstr(p, "open")) != NULL) {
		n++;
		p += 4;
	}
	return n;
}

static void
test_driver_retries_a_deadlock(void)
{
	struct action_def d = fake_row(ACTION_UPDATE_TAGS);
	struct request q;
	struct run r;

	/* One deadlock: run again from the read phase; what was read from
	 * Mautic is kept, what the transaction decided is forgotten. */
	run_init(&r, &q, 1, 0);
	fake.deadlocks = 1;
	CHECK(driver_run(&r, &d, &fake_io, 3) == MW_OK);
	CHECK_STR(
		fake.trace,
		"open find:1 load:1 begin lock_users job:1 complete finish:ok "
		"open find:1 load:1 begin lock_users job:1 complete finish:ok");
	CHECK_STR(r.jobs[0].note, "written");
	CHECK(r.jobs[0].data == &fake.contact);
	run_done(&r);

	/* Deadlocked every time: three runs, then the error. */
	run_init(&r, &q, 1, 0);
	fake.deadlocks = 5;
	CHECK(driver_run(&r, &d, &fake_io, 3) == MW_EDB);
	CHECK(runs() == 3);
	run_done(&r);

	/* One attempt (a bulk import page): no second run. */
	run_init(&r, &q, 1, 0);
	fake.deadlocks = 1;
	CHECK(driver_run(&r, &d, &fake_io, 1) == MW_EDB);
	CHECK(runs() == 1);
	run_done(&r);

	/* A failure that is not a deadlock is not retried. */
	run_init(&r, &q, 1, 0);
	fake.fail = "job:1";
	fake.fail_rc = MW_EDB;
	CHECK(driver_run(&r, &d, &fake_io, 3) == MW_EDB);
	CHECK(runs() == 1);
	run_done(&r);
}

int
main(void)
{
	log_mute(true);
	test_every_action_has_its_row();
	test_rows_say_what_each_action_needs();
	test_action_names_map_to_rows();
	test_skeleton_runs_steps_in_order();
	test_skeleton_read_phase_outcomes();
	test_skeleton_stops_at_a_failure();
	test_driver_retries_a_deadlock();
	return CHECK_DONE();
}
