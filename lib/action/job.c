/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * job.c - a request's jobs (one per contact) and their notes, with no
 * connection anywhere: the intake's fast path uses it as it is.
 */
#include "action/action_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "base/clock.h"

void
run_request_id(char out[17])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[8] = {0};
	size_t i;

	if (getrandom(raw, sizeof(raw), 0) != (ssize_t)sizeof(raw)) {
		/* Not secret, only for matching log lines to answers. */
		long long t = mw_now_ms();

		memcpy(raw, &t, sizeof(raw));
	}
	for (i = 0; i < sizeof(raw); i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[16] = '\0';
}

enum mw_err
run_make_jobs(struct run *r)
{
	struct request *q = r->req;
	size_t i, n = q->json ? q->nevents : 1;

	if (q->action == ACTION_TEST)
		return MW_OK; /* no contact: the answer has no results */
	r->jobs = calloc(n ? n : 1, sizeof(*r->jobs));
	if (r->jobs == NULL)
		return MW_ENOMEM;
	r->njobs = n;
	for (i = 0; i < n; i++)
		r->jobs[i].outcome = OUT_UNCHANGED;
	if (!q->json) {
		r->jobs[0].contact_id = q->contact_id;
		return MW_OK;
	}
	for (i = 0; i < n; i++) {
		struct webhook_event *ev = &q->events[i];

		r->jobs[i].contact_id = ev->contact_id;
		r->jobs[i].deleted = ev->kind == EVENT_DELETE;
		if (q->signed_payload)
			r->jobs[i].payload = &ev->contact;
	}
	return MW_OK;
}

/* Append ", "- or "; "-separated formatted text to a fixed field. */
static void __attribute__((format(printf, 4, 0)))
append(char *field, size_t fieldsz, const char *sep, const char *fmt,
       va_list ap)
{
	size_t used = strlen(field);

	if (used > 0 && used + 2 < fieldsz) {
		memcpy(field + used, sep, 3);
		used += 2;
	}
	vsnprintf(field + used, fieldsz - used, fmt, ap);
}

void
job_change(struct job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(j->changes, sizeof(j->changes), ", ", fmt, ap);
	va_end(ap);
}

void
job_note(struct job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	append(j->note, sizeof(j->note), "; ", fmt, ap);
	va_end(ap);
}

void
job_free(struct job *j)
{
	contact_free(&j->fetched);
	if (j->password != NULL)
		explicit_bzero(j->password, strlen(j->password));
	if (j->reset_key != NULL)
		explicit_bzero(j->reset_key, strlen(j->reset_key));
	free(j->password);
	free(j->reset_key);
	free(j->login);
	free(j->email);
	free(j->old_email);
	free(j->old_nicename);
	for (size_t i = 0; i < j->nold_tags; i++)
		free(j->old_tags[i]);
	free(j->old_tags);
	memset(j, 0, sizeof(*j));
}

void
run_free_jobs(struct run *r)
{
	size_t i;

	for (i = 0; i < r->njobs; i++)
		job_free(&r->jobs[i]);
	free(r->jobs);
	r->jobs = NULL;
	r->njobs = 0;
}
