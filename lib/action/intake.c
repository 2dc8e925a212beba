/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * intake.c - a checked request into the local spool: when it asks for
 * async (or the configuration always queues), and when the synchronous
 * path met a transient failure that Mautic would never retry.  The
 * answer is then 200 with outcome "queued" per contact; the worker
 * (worker.c) applies the jobs later through the same driver.
 */
#include "action/action_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "queue/spool.h"

bool
intake_wanted(const struct run *r)
{
	const struct request *q = r->req;

	/* A dry run's answer is the plan, and a test has no contact: both
	 * are answered at once. */
	if (q->dry_run || q->action == ACTION_TEST)
		return false;
	switch (r->cfg->webhook_async) {
	case CFG_ASYNC_ALWAYS:
		return true;
	case CFG_ASYNC_NEVER:
		return false;
	case CFG_ASYNC_PARAM:
		break;
	}
	return q->async;
}

enum mw_err
intake_queue(struct run *r)
{
	const struct request *q = r->req;
	struct spool_job *sj;
	char why[256];
	size_t i, n = 0;
	long long now = spool_wall_ms();
	enum mw_err rc;

	rc = spool_init(r->cfg->queue_dir, why, sizeof(why));
	if (rc != MW_OK) {
		log_err("queue: %s", why);
		return MW_EINTERNAL;
	}
	sj = calloc(r->njobs ? r->njobs : 1, sizeof(*sj));
	if (sj == NULL)
		return MW_ENOMEM;
	for (i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];
		struct spool_job *s = &sj[n];

		if (j->deleted)
			continue;
		snprintf(s->action, sizeof(s->action), "%s",
			 req_action_name(q->action));
		s->contact_id = j->contact_id;
		snprintf(s->role, sizeof(s->role), "%s",
			 q->role != NULL ? q->role : "");
		snprintf(s->email, sizeof(s->email), "%s",
			 q->email != NULL && !q->json ? q->email : "");
		s->notify = q->send_notification;
		s->received_ms = now;
		memcpy(s->reqid, r->reqid, sizeof(s->reqid));
		n++;
	}
	rc = spool_put(r->cfg->queue_dir, r->cfg->queue_max_jobs,
		       r->cfg->queue_journal, sj, n);
	free(sj);
	if (rc != MW_OK)
		return rc;
	/* The answer: every queued contact "queued", nothing else known. */
	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];
		uint64_t cid = j->contact_id;
		bool deleted = j->deleted;

		job_free(j);
		j->contact_id = cid;
		j->deleted = deleted;
		j->outcome = deleted ? OUT_SKIPPED : OUT_QUEUED;
		if (deleted)
			job_note(j,
				 "contact deleted in Mautic; nothing changed");
	}
	r->nqueued = n;
	log_info("queued %zu job(s) in %s", n, r->cfg->queue_dir);
	return MW_OK;
}
