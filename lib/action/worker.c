/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * worker.c - the queue's worker: read the spool, coalesce each contact's
 * jobs into one (in arrival order), read up to a hundred contacts from
 * Mautic in one request (the contacts list with an ids: search), and run
 * each batch through the driver's one skeleton in one transaction, exactly
 * as a webhook would.  Done jobs are removed; transient failures wait with
 * exponential backoff and jitter (at least what Mautic's Retry-After or
 * rate-limit headers ask); permanent ones become dead letters with their
 * reason.  Damaged or hostile spool files become dead letters too.
 *
 * A job is removed only after its transaction committed, so a worker
 * killed at any moment applies it again on its next run: every action is
 * idempotent (add finds the user it created by its contact id).
 */
#define _GNU_SOURCE
#include "action/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "action/action_int.h"
#include "base/clock.h"
#include "base/log.h"
#include "formats/contact.h"
#include "mautic/mautic.h"
#include "queue/spool.h"
#include "wp/store.h"

#define BATCH_MAX 100 /* contacts per Mautic read and transaction */
#define PASS_MAX 5000 /* jobs read per pass (memory stays bounded) */
#define BACKOFF_FIRST_MS 1000
#define BACKOFF_CAP_MS 20000 /* a recovered peer is used within this */
#define TMP_MAX_AGE_S 3600
#define LINGER_MS                                                              \
	2000 /* a new job waits this long for others to share a                \
	      * Mautic read with (--worker only) */

/* One contact's coalesced work: jobs[first .. first+n) of the pass. */
struct group {
	uint64_t cid;
	size_t first, n;
	enum action action; /* the strongest of its jobs */
	const char *role;   /* the last role given, or NULL */
	const char *email;  /* the last e-mail given, or NULL */
	bool notify;	    /* any job asked for the welcome mail */
	bool due;	    /* every job's time has come */
	bool done;	    /* handled in this pass */
};

struct pass {
	const struct cfg *cfg;
	struct action_conn *conn;
	struct spool_job *jobs; /* sorted by contact, then arrival */
	size_t njobs;
	struct group *groups;
	size_t ngroups;
	/* tallies */
	size_t applied, retried, dead, waiting;
	bool stop;     /* a transient failure: the rest waits for next pass */
	bool linger;   /* wait for a fuller batch (the long-running worker) */
	bool lingered; /* this pass waited instead */
	long long next_due_ms; /* earliest job not yet due (0 = none) */
	/* The window: the contacts of the groups win[0..nwin) of the pass's
	 * order, read in one request for the batches of every kind among
	 * them. */
	struct group **win;
	size_t nwin;
	struct contact *page; /* what Mautic returned for them */
	size_t npage;
};

static volatile sig_atomic_t stopping;

static void
on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static const char *
dir_of(const struct pass *p)
{
	return p->cfg->queue_dir;
}

static bool
action_of(const char *name, enum action *out)
{
	static const enum action acts[] = {ACTION_ADD, ACTION_UPDATE,
					   ACTION_UPDATE_TAGS};
	size_t i;

	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (strcmp(name, req_action_name(acts[i])) == 0) {
			*out = acts[i];
			return true;
		}
	return false;
}

/* add does all update does and more; update all update_tags does. */
static int
strength(enum action a)
{
	return a == ACTION_ADD ? 2 : a == ACTION_UPDATE ? 1 : 0;
}

static void
bury(struct pass *p, const char *name, const char *reason)
{
	log_warn("queue: %s: dead letter: %s", name, reason);
	if (spool_bury(dir_of(p), name, reason) != MW_OK)
		log_err("queue: %s could not be moved to dead/", name);
	p->dead++;
}

static int
cmp_job(const void *a, const void *b)
{
	const struct spool_job *x = a, *y = b;

	if (x->contact_id != y->contact_id)
		return x->contact_id < y->contact_id ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Read what is queued; damaged files go to dead/ at once. */
static enum mw_err
load_pass(struct pass *p)
{
	char **names = NULL, why[160];
	size_t i, n = 0;
	enum mw_err rc;

	rc = spool_list(dir_of(p), &names, &n);
	if (rc != MW_OK)
		return rc;
	if (n > PASS_MAX)
		n = PASS_MAX; /* the oldest first; the rest next pass */
	p->jobs = calloc(n ? n : 1, sizeof(*p->jobs));
	if (p->jobs == NULL) {
		spool_names_free(names, n);
		return MW_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		struct spool_job *j = &p->jobs[p->njobs];
		enum action a;

		rc = spool_load(dir_of(p), names[i], j, why, sizeof(why));
		if (rc == MW_EINTERNAL)
			continue; /* gone meanwhile */
		if (rc == MW_OK && !action_of(j->action, &a)) {
			snprintf(why, sizeof(why), "unknown action");
			rc = MW_EINPUT;
		}
		if (rc != MW_OK) {
			bury(p, names[i], why);
			continue;
		}
		p->njobs++;
	}
	spool_names_free(names, n);
	qsort(p->jobs, p->njobs, sizeof(*p->jobs), cmp_job);
	return MW_OK;
}

/* One group per contact: its jobs, in arrival order, collapse into one. */
static enum mw_err
group_pass(struct pass *p)
{
	long long now = spool_wall_ms();
	size_t i;

	p->groups = calloc(p->njobs ? p->njobs : 1, sizeof(*p->groups));
	if (p->groups == NULL)
		return MW_ENOMEM;
	for (i = 0; i < p->njobs; i++) {
		struct spool_job *j = &p->jobs[i];
		struct group *g;
		enum action a = ACTION_UPDATE_TAGS;

		if (p->ngroups == 0 ||
		    p->groups[p->ngroups - 1].cid != j->contact_id) {
			g = &p->groups[p->ngroups++];
			g->cid = j->contact_id;
			g->first = i;
			g->due = true;
			g->action = ACTION_UPDATE_TAGS;
		}
		g = &p->groups[p->ngroups - 1];
		g->n++;
		if (!action_of(j->action, &a))
			a = ACTION_UPDATE_TAGS; /* cannot happen: checked */
		if (strength(a) > strength(g->action))
			g->action = a;
		if (j->role[0] != '\0')
			g->role = j->role;
		if (j->email[0] != '\0')
			g->email = j->email;
		g->notify |= j->notify;
		if (j->next_ms > now) {
			g->due = false;
			if (p->next_due_ms == 0 || j->next_ms < p->next_due_ms)
				p->next_due_ms = j->next_ms;
		}
	}
	return MW_OK;
}

static bool
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	       (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* Groups that may share one request: same action, role and mail flag,
 * and no e-mail parameter (a user found by e-mail is one request's). */
static bool
batchable(const struct group *a, const struct group *b)
{
	return a->email == NULL && b->email == NULL && a->action == b->action &&
	       a->notify == b->notify && same_str(a->role, b->role);
}

/* Backoff for the attempt-th failure: 1 s, 2 s, 4 s ... up to the cap,
 * times a random factor in [0.5, 1), and at least what Mautic asked. */
static long long
backoff_ms(unsigned attempt, long asked_s)
{
	long long d = BACKOFF_FIRST_MS;
	unsigned r = 0;

	while (attempt-- > 1 && d < BACKOFF_CAP_MS)
		d *= 2;
	if (d > BACKOFF_CAP_MS)
		d = BACKOFF_CAP_MS;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (unsigned)mw_now_us();
	d = d / 2 + (long long)(r % (unsigned)(d / 2 + 1));
	if (asked_s > 0 && d < asked_s * 1000LL)
		d = asked_s * 1000LL;
	return d;
}

static void
finish_group(struct pass *p, struct group *g)
{
	size_t k;

	for (k = 0; k < g->n; k++)
		if (spool_remove(dir_of(p), p->jobs[g->first + k].name) !=
		    MW_OK)
			log_err("queue: %s done but not removed",
				p->jobs[g->first + k].name);
	g->done = true;
	p->applied += g->n;
}

static void
retry_group(struct pass *p, struct group *g, enum mw_err rc, long asked_s)
{
	long long now = spool_wall_ms();
	size_t k;

	for (k = 0; k < g->n; k++) {
		struct spool_job *j = &p->jobs[g->first + k];
		char reason[SPOOL_TEXT_MAX + 64];

		j->attempts++;
		snprintf(j->error, sizeof(j->error), "%s", mw_strerror(rc));
		if (j->attempts >= p->cfg->queue_max_attempts) {
			snprintf(reason, sizeof(reason),
				 "%s; gave up after %u attempts",
				 mw_strerror(rc), j->attempts);
			bury(p, j->name, reason);
			continue;
		}
		j->next_ms = now + backoff_ms(j->attempts, asked_s);
		if (spool_update(dir_of(p), j) != MW_OK)
			log_err("queue: %s: retry time not saved", j->name);
		p->retried++;
	}
	g->done = true;
}

static void
bury_group(struct pass *p, struct group *g, const char *reason)
{
	size_t k;

	for (k = 0; k < g->n; k++)
		bury(p, p->jobs[g->first + k].name, reason);
	g->done = true;
}

/* The answer's view of a failure, for a dead letter's reason. */
static void
failure_reason(const struct run *r, enum mw_err rc, char *out, size_t outsz)
{
	long st = r->mautic != NULL ? mautic_last_status(r->mautic) : 0;

	if (rc == MW_EUPSTREAM && st != 0)
		snprintf(out, outsz, "%s: Mautic answered HTTP %ld",
			 mw_strerror(rc), st);
	else
		snprintf(out, outsz, "%s", mw_strerror(rc));
}

/* Whether the window holds the contacts of groups g[0..n), a slice of
 * the same order. */
static bool
in_window(const struct pass *p, struct group **g, size_t n)
{
	return p->page != NULL && g >= p->win && g + n <= p->win + p->nwin;
}

static void
window_free(struct pass *p)
{
	size_t k;

	for (k = 0; k < p->npage; k++)
		contact_free(&p->page[k]);
	free(p->page);
	p->page = NULL;
	p->win = NULL;
	p->npage = p->nwin = 0;
}

/* A run of the worker's, with a request that asks nothing yet. */
static void
run_setup(struct pass *p, struct run *r, struct request *req)
{
	memset(req, 0, sizeof(*req));
	memset(r, 0, sizeof(*r));
	r->cfg = p->cfg;
	r->req = req;
	r->conn = p->conn;
	r->worker = true;
}

/* The contacts of groups g[0..n) (at most BATCH_MAX) in one list request,
 * an ids: search; the caller frees *page. */
static enum mw_err
read_contacts(struct run *r, struct group **g, size_t n, struct contact **page,
	      size_t *np)
{
	char search[BATCH_MAX * 21 + 8];
	uint64_t total = 0;
	size_t i, o;
	enum mw_err rc;

	o = (size_t)snprintf(search, sizeof(search), "ids:");
	for (i = 0; i < n && o < sizeof(search); i++)
		o += (size_t)snprintf(search + o, sizeof(search) - o, "%s%llu",
				      i ? "," : "",
				      (unsigned long long)g[i]->cid);
	rc = run_open_mautic(r);
	if (rc == MW_OK)
		rc = mautic_list_contacts(r->mautic, search, 0, BATCH_MAX, page,
					  np, &total);
	return rc;
}

/* Read the contacts of groups g[0..n) (at most BATCH_MAX) in one request,
 * for the batches of every kind among them.  A failure leaves no window:
 * each batch then reads its own, and settles the failure as it would. */
static void
window_read(struct pass *p, struct group **g, size_t n)
{
	struct request req;
	struct run r;

	window_free(p);
	if (n < 2)
		return;
	run_setup(p, &r, &req);
	if (read_contacts(&r, g, n, &p->page, &p->npage) != MW_OK) {
		window_free(p);
	} else {
		p->win = g;
		p->nwin = n;
	}
	run_free(&r);
}

/* Run groups g[0..n) as one request.  Returns the driver's result; on a
 * transient failure *transient is set and *asked_s holds what Mautic
 * asked us to wait. */
static enum mw_err
run_batch(struct pass *p, struct group **g, size_t n, bool *transient,
	  long *asked_s, char *reason, size_t reasonsz)
{
	struct request req;
	struct run r;
	struct action_answer ans;
	struct contact *page = NULL;
	size_t i, k, np = 0;
	long long t0 = mw_now_ms();
	bool covered;
	enum mw_err rc;

	*transient = false;
	*asked_s = 0;
	run_setup(p, &r, &req);
	req.action = g[0]->action;
	/* Many contacts: a batch (no user found by e-mail, and a contact
	 * Mautic no longer has is skipped, not an error for the others). */
	req.json = g[0]->email == NULL;
	req.role = (char *)g[0]->role;
	req.email = (char *)g[0]->email;
	req.send_notification = g[0]->notify;
	memcpy(r.reqid, p->jobs[g[0]->first].reqid, sizeof(r.reqid));
	if (r.reqid[0] == '\0')
		snprintf(r.reqid, sizeof(r.reqid), "queue");
	log_set_request_id(r.reqid);

	/* Every contact of the batch in one read: the window's, or its own. */
	covered = in_window(p, g, n);
	if (covered) {
		page = p->page;
		np = p->npage;
		rc = run_open_mautic(&r); /* for what follows the commit */
	} else {
		rc = read_contacts(&r, g, n, &page, &np);
	}
	if (rc != MW_OK) {
		*transient = run_transient(&r, rc);
		*asked_s = r.mautic ? mautic_retry_after_s(r.mautic) : 0;
		failure_reason(&r, rc, reason, reasonsz);
		goto out;
	}
	r.jobs = calloc(n, sizeof(*r.jobs));
	if (r.jobs == NULL) {
		rc = MW_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		const struct contact *c = NULL;

		for (k = 0; k < np && c == NULL; k++)
			if (page[k].id == g[i]->cid)
				c = &page[k];
		if (c == NULL) {
			char why[96];

			snprintf(why, sizeof(why),
				 "contact %llu no longer exists in Mautic",
				 (unsigned long long)g[i]->cid);
			bury_group(p, g[i], why);
			continue;
		}
		r.jobs[r.njobs].contact_id = g[i]->cid;
		r.jobs[r.njobs].payload = c;
		r.jobs[r.njobs].outcome = OUT_UNCHANGED;
		r.njobs++;
	}
	if (r.njobs == 0)
		goto out;
	rc = driver_action(&r, TX_ATTEMPTS);
	if (rc == MW_OK)
		after_commit(&r);
	else {
		*transient = run_transient(&r, rc);
		*asked_s = r.mautic ? mautic_retry_after_s(r.mautic) : 0;
		failure_reason(&r, rc, reason, reasonsz);
	}
	if (rc != MW_EDB)
		answer_wpflog(&r, rc, "");
	run_count(&r);
	answer_fill(&r, rc, "", t0, &ans);
	action_answer_free(&ans);
out:
	run_free(&r);
	for (k = 0; !covered && k < np; k++)
		contact_free(&page[k]);
	if (!covered)
		free(page);
	/* A database that failed is dropped, to be opened again. */
	if (rc == MW_EDB && p->conn->wp != NULL) {
		wp_close(p->conn->wp);
		p->conn->wp = NULL;
	}
	log_set_request_id(NULL);
	return rc;
}

/* Run groups, then settle each: done, retry later, or dead. */
static void
settle_batch(struct pass *p, struct group **g, size_t n)
{
	bool transient = false;
	long asked = 0;
	char reason[SPOOL_TEXT_MAX];
	enum mw_err rc;
	size_t i;

	rc = run_batch(p, g, n, &transient, &asked, reason, sizeof(reason));
	if (rc == MW_OK) {
		for (i = 0; i < n; i++)
			if (!g[i]->done)
				finish_group(p, g[i]);
		return;
	}
	if (transient) {
		for (i = 0; i < n; i++)
			if (!g[i]->done)
				retry_group(p, g[i], rc, asked);
		p->stop = true; /* the peer is away: do not hammer it */
		return;
	}
	if (n > 1) {
		/* One contact spoiled the batch: each on its own. */
		for (i = 0; i < n && !p->stop; i++)
			if (!g[i]->done)
				settle_batch(p, &g[i], 1);
		return;
	}
	if (!g[0]->done)
		bury_group(p, g[0], reason);
}

static int
cmp_group(const void *a, const void *b)
{
	const struct group *x = *(struct group *const *)a;
	const struct group *y = *(struct group *const *)b;

	if (x->action != y->action)
		return (int)x->action - (int)y->action;
	if (x->notify != y->notify)
		return (int)x->notify - (int)y->notify;
	if ((x->email == NULL) != (y->email == NULL))
		return x->email == NULL ? -1 : 1;
	if (!same_str(x->role, y->role))
		return x->role == NULL	 ? -1
		       : y->role == NULL ? 1
					 : strcmp(x->role, y->role);
	return x->cid < y->cid ? -1 : x->cid > y->cid;
}

/* Whether every due group is new (never tried) and arrived less than
 * LINGER_MS ago. */
static bool
young(const struct pass *p, struct group **order, size_t n)
{
	long long now = spool_wall_ms();
	size_t i, k;

	for (i = 0; i < n; i++)
		for (k = 0; k < order[i]->n; k++) {
			const struct spool_job *j =
				&p->jobs[order[i]->first + k];

			if (j->attempts > 0 ||
			    now - j->received_ms >= LINGER_MS)
				return false;
		}
	return true;
}

/* Groups order[0..n) in batches of the same kind, until a transient
 * failure stops the pass; what is left counts as waiting. */
static void
settle_all(struct pass *p, struct group **order, size_t n)
{
	size_t start, end, win_end;

	qsort(order, n, sizeof(*order), cmp_group);
	for (start = win_end = 0; start < n && !p->stop && !stopping;
	     start = end) {
		if (start == win_end) {
			win_end = n - start < BATCH_MAX ? n : start + BATCH_MAX;
			window_read(p, &order[start], win_end - start);
		}
		end = start + 1;
		while (end < win_end && batchable(order[start], order[end]))
			end++;
		settle_batch(p, &order[start], end - start);
	}
	window_free(p);
	for (; start < n; start++)
		p->waiting += order[start]->n;
}

/* One pass: everything due, in batches. */
static enum mw_err
one_pass(struct pass *p)
{
	struct group **order = NULL;
	size_t i, n = 0, before;
	enum mw_err rc;

	/* A staging copy (a cloned site with its spool) never calls Mautic:
	 * its jobs stay where they are, as the webhooks it answers do. */
	if (p->cfg->wpf.staging) {
		static bool said;

		if (!said)
			log_info("staging copy: the queue is left alone (%s)",
				 p->cfg->wpf.staging_why);
		said = true;
		return MW_OK;
	}
	rc = load_pass(p);
	if (rc == MW_OK)
		rc = group_pass(p);
	if (rc == MW_OK && p->ngroups > 0) {
		order = calloc(p->ngroups, sizeof(*order));
		if (order == NULL)
			rc = MW_ENOMEM;
	}
	if (rc != MW_OK || p->ngroups == 0)
		goto out;
	for (i = 0; i < p->ngroups; i++)
		if (p->groups[i].due)
			order[n++] = &p->groups[i];
		else
			p->waiting += p->groups[i].n;
	/* Fewer than a batch of new jobs, all young: wait a little for more,
	 * so that a burst shares its Mautic reads. */
	if (p->linger && n > 0 && n < BATCH_MAX && young(p, order, n)) {
		p->lingered = true;
		for (i = 0; i < n; i++)
			p->waiting += order[i]->n;
		goto out;
	}
	before = p->applied;
	settle_all(p, order, n);
	/* Something went through, so Mautic and the database are back: the
	 * jobs waiting out a backoff go now rather than at their time. */
	if (p->applied > before && !p->stop && !stopping) {
		for (i = n = 0; i < p->ngroups; i++)
			if (!p->groups[i].due) {
				p->waiting -= p->groups[i].n;
				order[n++] = &p->groups[i];
			}
		settle_all(p, order, n);
	}
out:
	free(order);
	free(p->groups);
	free(p->jobs);
	p->groups = NULL;
	p->jobs = NULL;
	p->njobs = p->ngroups = 0;
	return rc;
}

/* The spool's lock: one worker at a time. */
static int
take_lock(const char *dir, bool wait)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s/worker.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0) {
		if (errno == EINTR && !stopping)
			continue;
		close(fd);
		return -2;
	}
	return fd;
}

static void
sleep_ms(long long ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	nanosleep(&ts, NULL); /* a signal cuts it short */
}

static int
requeue(const struct cfg *cfg, FILE *out)
{
	size_t moved = 0, left = 0;

	if (spool_requeue(cfg->queue_dir, &moved, &left) != MW_OK) {
		fprintf(stderr, "mautic-wp: %s: cannot requeue\n",
			cfg->queue_dir);
		return 1;
	}
	fprintf(out, "%zu dead letter(s) queued again", moved);
	if (left > 0)
		fprintf(out, "; %zu damaged file(s) left in %s/dead", left,
			cfg->queue_dir);
	fprintf(out, "\n");
	return 0;
}

int
worker_main(const char *config, enum worker_mode mode, FILE *out)
{
	struct cfg cfg;
	struct action_conn conn = {NULL, NULL, true};
	struct sigaction sa;
	char err[CFG_ERRMSG_MAX];
	int lockfd, rc = 0;

	if (action_config(config ? config : cfg_default_path(), &cfg, &conn,
			  err, sizeof(err)) != MW_OK) {
		fprintf(stderr, "mautic-wp: %s\n", err);
		cfg_free(&cfg);
		return 2;
	}
	log_set_level((enum log_level)cfg.log_level);
	if (spool_init(cfg.queue_dir, err, sizeof(err)) != MW_OK) {
		fprintf(stderr, "mautic-wp: queue: %s\n", err);
		action_conn_close(&conn);
		cfg_free(&cfg);
		return 1;
	}
	if (mode == WORKER_REQUEUE) {
		rc = requeue(&cfg, out);
		action_conn_close(&conn);
		cfg_free(&cfg);
		return rc;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	lockfd = take_lock(cfg.queue_dir, mode == WORKER_FOREVER);
	if (lockfd == -2) {
		fprintf(out, "another worker is draining %s\n", cfg.queue_dir);
		action_conn_close(&conn);
		cfg_free(&cfg);
		return 0;
	}
	spool_sweep_tmp(cfg.queue_dir, TMP_MAX_AGE_S);
	do {
		struct pass p;

		memset(&p, 0, sizeof(p));
		p.cfg = &cfg;
		p.conn = &conn;
		p.linger = mode == WORKER_FOREVER;
		if (one_pass(&p) != MW_OK) {
			fprintf(stderr,
				"mautic-wp: %s: cannot read the queue\n",
				cfg.queue_dir);
			rc = 1;
		}
		if (p.applied + p.retried + p.dead > 0 ||
		    mode == WORKER_DRAIN) {
			fprintf(out,
				"queue: %zu applied, %zu to retry, %zu dead letters, %zu waiting\n",
				p.applied, p.retried, p.dead, p.waiting);
			fflush(out);
		}
		if (mode == WORKER_DRAIN || stopping)
			break;
		/* A pass over a long queue held up to PASS_MAX jobs: give the
		 * memory back, so that the worker's size follows its work. */
		malloc_trim(0);
		/* Straight on while there is work, else a short nap (new
		 * jobs appear as files; a poll is enough). */
		if (p.applied + p.dead > 0 && !p.stop)
			continue;
		sleep_ms(p.lingered ? 200 : 1000);
	} while (!stopping);
	if (lockfd >= 0)
		close(lockfd);
	action_conn_close(&conn);
	cfg_free(&cfg);
	return rc;
}
