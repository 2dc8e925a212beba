/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * answer.c - what a request leaves behind: the JSON answer, the log line
 * and the rows of WP Fusion's activity log.
 */
#include "action/action_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/clock.h"
#include "base/log.h"
#include "formats/html.h"
#include "formats/phpser.h"

static const char *const outcome_names[OUT__MAX] = {
	"created",   /* OUT_CREATED */
	"updated",   /* OUT_UPDATED */
	"unchanged", /* OUT_UNCHANGED */
	"no_user",   /* OUT_NO_USER */
	"skipped",   /* OUT_SKIPPED */
	"queued",    /* OUT_QUEUED */
};

const char *
action_status_text(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 403:
		return "Forbidden";
	case 405:
		return "Method Not Allowed";
	case 413:
		return "Payload Too Large";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "Internal Server Error";
	}
}

static void
add_result(cJSON *arr, const struct job *j, bool dry_run)
{
	cJSON *o = cJSON_CreateObject();
	char num[24];

	if (o == NULL)
		return;
	/* Ids as exact decimals: cJSON prints numbers with 15 digits. */
	snprintf(num, sizeof(num), "%llu", (unsigned long long)j->contact_id);
	cJSON_AddRawToObject(o, "contact_id", num);
	snprintf(num, sizeof(num), "%llu", (unsigned long long)j->uid);
	if (j->uid != 0)
		cJSON_AddRawToObject(o, "user_id", num);
	else
		cJSON_AddNullToObject(o, "user_id");
	cJSON_AddStringToObject(o, "outcome", outcome_names[j->outcome]);
	if (j->data != NULL && j->outcome != OUT_NO_USER)
		cJSON_AddNumberToObject(o, "tags", (double)j->data->ntags);
	if (j->role != NULL)
		cJSON_AddStringToObject(o, "role", j->role);
	if (j->note[0] != '\0')
		cJSON_AddStringToObject(o, "note", j->note);
	if (dry_run && j->changes[0] != '\0')
		cJSON_AddStringToObject(o, "changes", j->changes);
	cJSON_AddItemToArray(arr, o);
}

static char *
answer_ok(const struct run *r)
{
	cJSON *root = cJSON_CreateObject(), *arr;
	char *text;
	size_t i;

	if (root == NULL)
		return NULL;
	cJSON_AddTrueToObject(root, "ok");
	cJSON_AddStringToObject(root, "action",
				req_action_name(r->req->action));
	cJSON_AddStringToObject(root, "request_id", r->reqid);
	if (r->req->dry_run)
		cJSON_AddTrueToObject(root, "dry_run");
	if (r->nqueued > 0)
		cJSON_AddNumberToObject(root, "queued", (double)r->nqueued);
	if (r->req->action == ACTION_TEST)
		cJSON_AddStringToObject(root, "message", "access key accepted");
	arr = r->req->action == ACTION_TEST
		      ? NULL
		      : cJSON_AddArrayToObject(root, "results");
	for (i = 0; arr != NULL && i < r->njobs; i++)
		add_result(arr, &r->jobs[i], r->req->dry_run);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

static char *
answer_error(enum mw_err e, const char *msg, const char *reqid)
{
	cJSON *root = cJSON_CreateObject();
	char *text;

	if (root == NULL)
		return NULL;
	cJSON_AddFalseToObject(root, "ok");
	cJSON_AddStringToObject(root, "error", mw_strerror(e));
	cJSON_AddStringToObject(root, "message", msg);
	cJSON_AddStringToObject(root, "request_id", reqid);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

void
action_answer_free(struct action_answer *ans)
{
	if (ans == NULL)
		return;
	free(ans->body);
	ans->body = NULL;
}

int
action_print(FILE *out, const struct action_answer *ans)
{
	fprintf(out, "Status: %d %s\r\n", ans->status,
		action_status_text(ans->status));
	fprintf(out, "Content-Type: application/json\r\n");
	fprintf(out, "Cache-Control: no-store\r\n");
	if (ans->retry_after)
		fprintf(out, "Retry-After: 30\r\n");
	fprintf(out, "\r\n%s\n", ans->body);
	return fflush(out) == 0 ? 0 : 1;
}

const char *
answer_outcome_name(enum outcome o)
{
	return outcome_names[o];
}

const char *
answer_error_message(enum mw_err e)
{
	switch (e) {
	case MW_ECONFIG:
		return "server configuration error (details in the server's error log)";
	case MW_EUPSTREAM:
		return "Mautic answered with an error or an unreadable document";
	case MW_ETIMEOUT:
		return "Mautic did not answer in time";
	case MW_EDB:
		return "the WordPress database is unavailable; retry later";
	case MW_EFULL:
		return "the local queue is full; retry later";
	case MW_EMETHOD:
		return "only GET and POST are allowed";
	case MW_ETOOBIG:
		return "the request is too large";
	case MW_EAUTH:
		return "access denied";
	case MW_EINPUT:
		return "bad request";
	case MW_OK:
	case MW_ENOMEM:
	case MW_EINTERNAL:
	case MW_ERR__MAX:
		break;
	}
	return "internal error";
}

static void
log_done(const struct run *r, enum mw_err rc, int status, long long ms)
{
	const struct job *j = r->njobs == 1 ? &r->jobs[0] : NULL;
	const char *action = r->req ? req_action_name(r->req->action) : "-";
	size_t i;

	for (i = 0; r->njobs > 1 && i < r->njobs; i++)
		log_info("result contact=%llu user=%llu outcome=%s",
			 (unsigned long long)r->jobs[i].contact_id,
			 (unsigned long long)r->jobs[i].uid,
			 rc == MW_OK ? outcome_names[r->jobs[i].outcome]
				     : "failed");
	if (j != NULL)
		log_info(
			"done action=%s contact=%llu user=%llu outcome=%s status=%d ms=%lld mautic_calls=%u sql=%u rt=%u",
			action, (unsigned long long)j->contact_id,
			(unsigned long long)j->uid,
			rc == MW_OK ? outcome_names[j->outcome]
				    : mw_strerror(rc),
			status, ms, r->ncalls, r->nsql, r->nrt);
	else
		log_info(
			"done action=%s contacts=%zu outcome=%s status=%d ms=%lld mautic_calls=%u sql=%u rt=%u",
			action, r->njobs, rc == MW_OK ? "ok" : mw_strerror(rc),
			status, ms, r->ncalls, r->nsql, r->nrt);
}

void
answer_fill(const struct run *r, enum mw_err rc, const char *msg, long long t0,
	    struct action_answer *ans)
{
	ans->status = mw_http_status(rc);
	ans->retry_after = rc == MW_EDB || rc == MW_EFULL;
	ans->body =
		rc == MW_OK
			? answer_ok(r)
			: answer_error(rc,
				       msg[0] ? msg : answer_error_message(rc),
				       r->reqid);
	if (ans->body == NULL) {
		ans->status = 500;
		ans->body =
			strdup("{\"ok\":false,\"error\":\"internal_error\"}");
	}
	log_done(r, rc, ans->status, mw_now_ms() - t0);
}
