/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * import.c - bulk import of a Mautic tag's contacts as WordPress users:
 * every page of GET /api/contacts goes through the add action's code (no
 * API call per contact: the page carries fields and tags), one transaction
 * per page, with the next page remembered in a state file so that an
 * interrupted import resumes where it stopped.
 */
#include "action/import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "action/action_int.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/strparse.h"
#include "formats/contact.h"
#include "mautic/mautic.h"

#define IMPORT_PAGE 200 /* contacts per Mautic page and per transaction */

struct tally {
	uint64_t done;	       /* contacts handled */
	uint64_t by[OUT__MAX]; /* per outcome */
	uint64_t total;	       /* what Mautic says matches */
};

/* The state file: the offset of the next page ("start=N"). */
static uint64_t
state_read(const char *path)
{
	char line[64];
	uint64_t start = 0;
	FILE *fp = fopen(path, "r");

	if (fp == NULL)
		return 0;
	if (fgets(line, sizeof(line), fp) != NULL &&
	    strncmp(line, "start=", 6) == 0)
		if (str_u64(line + 6, strcspn(line + 6, "\n"), 0,
			    UINT64_MAX / 2, &start) != MW_OK)
			start = 0;
	fclose(fp);
	return start;
}

static void
state_write(const char *path, uint64_t start)
{
	char tmp[4300];
	FILE *fp;

	snprintf(tmp, sizeof(tmp), "%.4200s.tmp", path);
	fp = fopen(tmp, "w");
	if (fp == NULL) {
		log_warn("import: cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	fprintf(fp, "start=%llu\n", (unsigned long long)start);
	if (fclose(fp) != 0 || rename(tmp, path) != 0)
		log_warn("import: cannot write %s", path);
}

static void
progress(const struct tally *t, long long t0, bool tty)
{
	if (!tty)
		return;
	fprintf(stderr,
		"\rimport: %llu/%llu contacts, %llu created, %llu updated, %llu unchanged, %llu skipped, %.0f s   ",
		(unsigned long long)t->done, (unsigned long long)t->total,
		(unsigned long long)t->by[OUT_CREATED],
		(unsigned long long)t->by[OUT_UPDATED],
		(unsigned long long)t->by[OUT_UNCHANGED],
		(unsigned long long)t->by[OUT_SKIPPED],
		(double)(mw_now_ms() - t0) / 1000.0);
}

/* One page through the add action: jobs carry the page's contacts as
 * payload, so the driver asks Mautic nothing more.  One attempt: a page
 * the database refuses stops the import, to be resumed. */
static enum mw_err
import_page(const struct cfg *cfg, struct action_conn *conn,
	    struct request *req, struct contact *page, size_t n,
	    struct tally *t)
{
	struct run r;
	enum mw_err rc;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.cfg = cfg;
	r.req = req;
	r.conn = conn;
	snprintf(r.reqid, sizeof(r.reqid), "import");
	r.jobs = calloc(n ? n : 1, sizeof(*r.jobs));
	if (r.jobs == NULL)
		return MW_ENOMEM;
	r.njobs = n;
	for (i = 0; i < n; i++) {
		r.jobs[i].contact_id = page[i].id;
		r.jobs[i].payload = &page[i];
		r.jobs[i].outcome = OUT_UNCHANGED;
	}
	rc = driver_action(&r, 1);
	if (rc == MW_OK && !req->dry_run)
		after_commit(&r);
	for (i = 0; rc == MW_OK && i < n; i++) {
		t->by[r.jobs[i].outcome]++;
		t->done++;
	}
	run_free(&r);
	return rc;
}

static void
default_state_path(const struct cfg *cfg, const char *tag, char *out,
		   size_t outsz)
{
	const char *dir = cfg->token_cache ? cfg->token_cache : "/tmp/x";
	const char *slash = strrchr(dir, '/');
	size_t o, i;

	o = (size_t)snprintf(out, outsz, "%.*s/import-",
			     (int)(slash ? slash - dir : 1), slash ? dir : ".");
	for (i = 0; tag[i] != '\0' && o + 8 < outsz; i++) {
		char c = tag[i];

		out[o++] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
					   (c >= '0' && c <= '9')
				   ? c
				   : '_';
	}
	snprintf(out + o, outsz - o, ".state");
}

int
import_run(const struct import_args *a, FILE *out)
{
	struct cfg cfg;
	struct action_conn conn = {NULL, NULL, true};
	struct request req;
	struct tally t;
	char err[CFG_ERRMSG_MAX], search[512], state[4200];
	uint64_t start;
	long long t0 = mw_now_ms();
	bool tty = isatty(STDERR_FILENO);
	enum mw_err rc = MW_OK;

	memset(&t, 0, sizeof(t));
	memset(&req, 0, sizeof(req));
	if (action_config(a->config ? a->config : cfg_default_path(), &cfg,
			  &conn, err, sizeof(err)) != MW_OK) {
		fprintf(stderr, "mautic-wp: %s\n", err);
		cfg_free(&cfg);
		return 2;
	}
	log_set_level((enum log_level)cfg.log_level);
	log_set_request_id("import");
	req.action = ACTION_ADD;
	req.dry_run = a->dry_run;
	req.send_notification = a->notify;
	if (a->role != NULL && (req.role = strdup(a->role)) == NULL)
		rc = MW_ENOMEM;
	if (a->segment != NULL)
		snprintf(search, sizeof(search), "segment:%s", a->segment);
	else
		snprintf(search, sizeof(search), "tag:\"+%s\"", a->tag);
	if (a->state != NULL)
		snprintf(state, sizeof(state), "%s", a->state);
	else
		default_state_path(&cfg, a->segment ? a->segment : a->tag,
				   state, sizeof(state));
	start = a->dry_run ? 0 : state_read(state);
	if (start > 0)
		log_info("import: resuming at contact %llu (%s)",
			 (unsigned long long)start, state);
	while (rc == MW_OK) {
		struct contact *page = NULL;
		size_t n = 0, i;

		if (conn.mautic != NULL)
			mautic_begin(conn.mautic);
		else {
			rc = mautic_open(&cfg, &conn.mautic);
			if (rc == MW_OK)
				mautic_keep_connection(conn.mautic);
		}
		if (rc == MW_OK)
			rc = mautic_list_contacts(conn.mautic, search, start,
						  IMPORT_PAGE, &page, &n,
						  &t.total);
		if (rc == MW_OK && n > 0)
			rc = import_page(&cfg, &conn, &req, page, n, &t);
		for (i = 0; i < n; i++)
			contact_free(&page[i]);
		free(page);
		if (rc != MW_OK || n == 0)
			break;
		start += n;
		if (!a->dry_run)
			state_write(state, start);
		progress(&t, t0, tty);
		if (n < IMPORT_PAGE)
			break;
	}
	if (tty)
		fputc('\n', stderr);
	if (rc == MW_OK && !a->dry_run)
		unlink(state); /* finished: the next run starts over */
	fprintf(out,
		"{\"ok\":%s,\"action\":\"import\",\"dry_run\":%s,\"total\":%llu,\"done\":%llu,\"created\":%llu,\"updated\":%llu,\"unchanged\":%llu,\"skipped\":%llu,\"seconds\":%.1f%s%s%s}\n",
		rc == MW_OK ? "true" : "false", a->dry_run ? "true" : "false",
		(unsigned long long)t.total, (unsigned long long)t.done,
		(unsigned long long)t.by[OUT_CREATED],
		(unsigned long long)t.by[OUT_UPDATED],
		(unsigned long long)t.by[OUT_UNCHANGED],
		(unsigned long long)t.by[OUT_SKIPPED],
		(double)(mw_now_ms() - t0) / 1000.0,
		rc == MW_OK ? "" : ",\"error\":\"",
		rc == MW_OK ? "" : mw_strerror(rc), rc == MW_OK ? "" : "\"");
	log_info("import: done total=%llu created=%llu updated=%llu status=%s",
		 (unsigned long long)t.total,
		 (unsigned long long)t.by[OUT_CREATED],
		 (unsigned long long)t.by[OUT_UPDATED], mw_strerror(rc));
	action_conn_close(&conn);
	req_free(&req);
	cfg_free(&cfg);
	return rc == MW_OK ? 0 : 1;
}
