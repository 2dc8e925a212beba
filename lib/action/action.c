/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action.c - one request from its environment to its answer: the
 * configuration and the kept connections, the request parsed before
 * anything is opened, the action run by the driver, then what comes after
 * the commit and the answer.
 */
#include "action/action.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "action/action_int.h"
#include "base/clock.h"
#include "base/log.h"
#include "config/wpf_options.h"
#include "mautic/mautic.h"
#include "wp/store.h"

/* Run the parsed request: its action, then what follows the commit (or
 * the plan of it in a dry run) and the activity log. */
static enum mw_err
run_request(struct run *r, const char *msg)
{
	enum mw_err rc;

	rc = run_make_jobs(r);
	if (rc == MW_OK && r->cfg->wpf.staging) {
		/* A staging copy (WP Fusion's rules): Mautic is not asked and
		 * nothing is written, so a clone never touches production. */
		size_t i;

		log_info("staging copy: nothing done (%s)",
			 r->cfg->wpf.staging_why);
		for (i = 0; i < r->njobs; i++) {
			r->jobs[i].outcome = OUT_SKIPPED;
			job_note(
				&r->jobs[i],
				"this site is a staging copy (%s); nothing done",
				r->cfg->wpf.staging_why);
		}
		return MW_OK;
	}
	if (rc == MW_OK && intake_wanted(r)) {
		rc = intake_queue(r);
		/* A spool that cannot be written (not full): the request is
		 * served now rather than lost. */
		if (rc != MW_EINTERNAL)
			return rc;
		log_warn("queue: not writable; serving the request now");
		rc = MW_OK;
	}
	if (rc == MW_OK)
		rc = driver_action(r, TX_ATTEMPTS);
	if (rc != MW_OK && !r->worker && r->cfg->queue_on_failure &&
	    !r->req->dry_run && r->req->action != ACTION_TEST &&
	    run_transient(r, rc)) {
		enum mw_err qrc;

		r->db_failed = rc == MW_EDB;
		qrc = intake_queue(r);

		if (qrc == MW_OK) {
			log_warn("%s: queued for a retry", mw_strerror(rc));
			return MW_OK;
		}
		log_err("%s, and the spool refused the jobs (%s)",
			mw_strerror(rc), mw_strerror(qrc));
		if (qrc == MW_EFULL)
			rc = MW_EFULL;
	}
	if (rc == MW_OK && !r->req->dry_run)
		after_commit(r);
	else if (rc == MW_OK)
		after_plan(r);
	if (rc != MW_EDB)
		answer_wpflog(r, rc, msg);
	return rc;
}

void
action_run(const struct cfg *cfg, struct action_conn *conn,
	   const struct req_env *env, req_read_fn fn, void *ctx,
	   struct action_answer *ans)
{
	struct request req;
	struct run r;
	char msg[REQ_MSG_MAX] = "";
	char *body = NULL;
	size_t bodysz = 0;
	long long t0 = mw_now_ms();
	enum mw_err rc;

	memset(&r, 0, sizeof(r));
	memset(&req, 0, sizeof(req));
	memset(ans, 0, sizeof(*ans));
	run_request_id(r.reqid);
	log_set_request_id(r.reqid);
	log_set_level((enum log_level)cfg->log_level);
	r.cfg = cfg;
	r.conn = conn;
	rc = req_read_body_fn(env, fn, ctx, &body, &bodysz);
	if (rc == MW_OK)
		rc = req_parse(env, body, bodysz, cfg, &req, msg, sizeof(msg));
	if (rc != MW_OK) {
		log_warn("request refused: %s (%s)", mw_strerror(rc), msg);
	} else {
		r.req = &req;
		rc = run_request(&r, msg);
	}
	run_count(&r);
	answer_fill(&r, rc, msg, t0, ans);
	run_free(&r);
	/* A database that failed is dropped, to be opened again next time. */
	if ((rc == MW_EDB || r.db_failed) && conn->wp != NULL) {
		wp_close(conn->wp);
		conn->wp = NULL;
	}
	req_free(&req);
	if (body != NULL) {
		explicit_bzero(body, bodysz);
		free(body);
	}
	log_set_request_id(NULL);
}

enum mw_err
action_wpf_merge(struct cfg *cfg, struct action_conn *conn, char *err,
		 size_t errsz)
{
	static const char *const names[3] = {"wpf_options", "siteurl",
					     "wpf_available_tags"};
	char *vals[3] = {NULL, NULL, NULL};
	size_t lens[3] = {0, 0, 0};
	enum mw_err rc = MW_OK;

	if (!cfg->use_wpf_options)
		return MW_OK;
	/* WP Fusion keeps the key in the database: connect before the
	 * request can be judged. */
	if (conn->wp != NULL) {
		wp_reuse(conn->wp);
	} else {
		rc = wp_open(cfg, &conn->wp);
		if (rc == MW_OK && conn->keep)
			wp_keep_statements(conn->wp);
	}
	/* The site's URL comes along for WP Fusion's duplicate-site lock,
	 * and its tag list, so that a request whose tags it lists already
	 * does not read it again. */
	if (rc == MW_OK)
		rc = wp_options_get(conn->wp, (const char *const *)names, 3,
				    vals, lens);
	if (rc == MW_OK) {
		free(cfg->wpf.available_tags);
		cfg->wpf.available_tags = vals[2];
		cfg->wpf.available_tags_len = lens[2];
		vals[2] = NULL;
	}
	if (rc == MW_OK)
		rc = wpfopts_apply(cfg, vals[0], lens[0], vals[1], err, errsz);
	else
		snprintf(
			err, errsz,
			"%s: use_wpf_options: cannot read wpf_options from the database",
			cfg->path);
	if (vals[0] != NULL) {
		explicit_bzero(vals[0], lens[0]);
		free(vals[0]);
	}
	free(vals[1]);
	free(vals[2]);
	if (rc == MW_EDB) {
		wp_close(conn->wp);
		conn->wp = NULL;
	}
	return rc;
}

enum mw_err
action_config(const char *path, struct cfg *cfg, struct action_conn *conn,
	      char *err, size_t errsz)
{
	enum mw_err rc;

	rc = cfg_load(path, cfg, err, errsz);
	if (rc == MW_OK)
		rc = action_wpf_merge(cfg, conn, err, errsz);
	if (rc != MW_OK)
		action_conn_close(conn);
	return rc;
}

void
action_error(enum mw_err rc, const char *why, struct action_answer *ans)
{
	struct run r;

	memset(&r, 0, sizeof(r));
	memset(ans, 0, sizeof(*ans));
	run_request_id(r.reqid);
	log_set_request_id(r.reqid);
	log_err("config: %s", why);
	answer_fill(&r, rc, "", mw_now_ms(), ans);
	log_set_request_id(NULL);
}

void
action_cgi(const struct req_env *env, int fd, struct action_answer *ans)
{
	action_cgi_read(env, req_read_fd, &fd, ans);
}

void
action_cgi_read(const struct req_env *env, req_read_fn fn, void *ctx,
		struct action_answer *ans)
{
	struct cfg cfg;
	struct action_conn conn = {NULL, NULL, false};
	char errbuf[CFG_ERRMSG_MAX];
	enum mw_err rc;

	rc = action_config(cfg_default_path(), &cfg, &conn, errbuf,
			   sizeof(errbuf));
	if (rc == MW_OK)
		action_run(&cfg, &conn, env, fn, ctx, ans);
	else
		action_error(rc, errbuf, ans);
	action_conn_close(&conn);
	cfg_free(&cfg);
}

void
action_conn_close(struct action_conn *c)
{
	if (c == NULL)
		return;
	wp_close(c->wp);
	mautic_close(c->mautic);
	c->wp = NULL;
	c->mautic = NULL;
}

void
action_library_end(void)
{
	wp_library_end();
}
