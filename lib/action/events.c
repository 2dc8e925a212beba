/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * events.c - the outbox: one row per user a transaction changed, in that
 * transaction, for the mu-plugin (wordpress/mautic-wp.php) to fire what
 * WordPress and WP Fusion fire; the ping that wakes it after the commit;
 * the housekeeping of a site that never drains.
 *
 * A row's payload is JSON, read by the mu-plugin only:
 *   {"created": bool, "fields": [wp keys written], "role": {"before": slug
 *    or null, "after": slug} or null, "tags": {"list": [...], "applied":
 *    [...], "removed": [...]} or null, "notify": bool, "old": {"user_email":
 *    ..., "user_nicename": ...}, "wpf_meta": {key: value} when a mapped
 *    field belongs to another plugin}
 * Values from Mautic are never in it except tag names and the fields of
 * "wpf_meta" (which we do not write ourselves); other field values are read
 * from WordPress when the hooks fire (no password travels).
 */
#include "action/action_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "base/clock.h"
#include "base/log.h"
#include "wp/outbox.h"
#include "wp/ping.h"
#include "wp/store.h"

#define PING_BUDGET_MS 5       /* connecting and writing the ping */
#define OUTBOX_RETRY_MS 600000 /* a table that could not be made */
#define PRUNE_EVERY 64	       /* events recorded between prunes */

/* The outbox left out after its table could not be created, until then
 * (per process, mw_now_ms). */
static long long outbox_off_until;

/* The ping of a persistent process. */
static struct wp_pinger pinger = WP_PINGER_INIT;

void
job_field(struct job *j, const char *key)
{
	size_t i;

	for (i = 0; i < j->nfields; i++)
		if (strcmp(j->fields[i], key) == 0)
			return;
	if (j->nfields < CFG_FIELDS_MAX)
		j->fields[j->nfields++] = key;
}

static bool
in_list(char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

/* Names of a that are not in b, in a's order, into arr. */
static bool
add_diff(cJSON *arr, char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	for (i = 0; i < na; i++)
		if (!in_list(b, nb, a[i]) &&
		    !cJSON_AddItemToArray(arr, cJSON_CreateString(a[i])))
			return false;
	return true;
}

static bool
tags_json(cJSON *o, const struct job *j)
{
	const struct contact *c = j->data;
	cJSON *t = cJSON_AddObjectToObject(o, "tags");
	cJSON *list, *ap, *rm;
	size_t i;

	if (t == NULL || (list = cJSON_AddArrayToObject(t, "list")) == NULL ||
	    (ap = cJSON_AddArrayToObject(t, "applied")) == NULL ||
	    (rm = cJSON_AddArrayToObject(t, "removed")) == NULL)
		return false;
	for (i = 0; i < c->ntags; i++)
		if (!cJSON_AddItemToArray(list, cJSON_CreateString(c->tags[i])))
			return false;
	return add_diff(ap, c->tags, c->ntags, j->old_tags, j->nold_tags) &&
	       add_diff(rm, j->old_tags, j->nold_tags, c->tags, c->ntags);
}

/* The fields a new user got from Mautic: every mapped key with a value. */
static void
created_fields(const struct run *r, struct job *j)
{
	size_t i;

	for (i = 0; i < r->cfg->nfields; i++) {
		const char *wp = r->cfg->fields[i].wp;
		enum field_kind k = user_field_kind(wp);

		if (k != FK_SKIP && k != FK_PASS && !r->cfg->fields[i].pseudo &&
		    user_mapped(r, j, wp) != NULL)
			job_field(j, wp);
	}
}

/* The mapped fields another plugin owns (BuddyPress, AffiliateWP, ...):
 * not written as usermeta by us, handed to the drain with their values
 * for WP Fusion's set_user_meta(), so that the plugin's own filters store
 * them.  Only add and update load fields.  *n counts them. */
static bool
plugin_fields(const struct run *r, const struct job *j, cJSON *o, size_t *n)
{
	size_t i;

	*n = 0;
	if (r->req->action != ACTION_ADD && r->req->action != ACTION_UPDATE)
		return true;
	for (i = 0; i < r->cfg->nfields; i++) {
		const char *wp = r->cfg->fields[i].wp;
		const char *val = user_mapped(r, j, wp);

		if (val == NULL || r->cfg->fields[i].pseudo ||
		    user_field_class(wp, NULL) != FC_PLUGIN)
			continue;
		if (o != NULL && cJSON_AddStringToObject(o, wp, val) == NULL)
			return false;
		(*n)++;
	}
	return true;
}

/* The event of one job, or NULL when it has none; *err on failure. */
static char *
payload(const struct run *r, struct job *j, bool *err)
{
	bool created = j->outcome == OUT_CREATED;
	bool tags = j->tags_loaded && j->data != NULL;
	cJSON *o, *a, *ro, *old, *pm;
	char *out = NULL;
	size_t i, nplugin = 0;

	*err = false;
	if (j->uid == 0 || j->gone || j->deleted ||
	    (j->outcome != OUT_CREATED && j->outcome != OUT_UPDATED &&
	     j->outcome != OUT_UNCHANGED))
		return NULL;
	/* Nothing changed: only a tag load or another plugin's fields are
	 * worth an event. */
	if (j->data != NULL)
		(void)plugin_fields(r, j, NULL, &nplugin);
	if (!j->changed && nplugin == 0 && !(tags && r->cfg->events_unchanged))
		return NULL;
	if (created)
		created_fields(r, j);
	*err = true;
	o = cJSON_CreateObject();
	if (o == NULL || !cJSON_AddBoolToObject(o, "created", created) ||
	    (a = cJSON_AddArrayToObject(o, "fields")) == NULL)
		goto out;
	for (i = 0; i < j->nfields; i++)
		if (!cJSON_AddItemToArray(a, cJSON_CreateString(j->fields[i])))
			goto out;
	if (created || j->role_changed) {
		if ((ro = cJSON_AddObjectToObject(o, "role")) == NULL)
			goto out;
		if (!(j->role_before != NULL && !created
			      ? cJSON_AddStringToObject(ro, "before",
							j->role_before) != NULL
			      : cJSON_AddNullToObject(ro, "before") != NULL) ||
		    !(j->role != NULL
			      ? cJSON_AddStringToObject(ro, "after", j->role) !=
					NULL
			      : cJSON_AddNullToObject(ro, "after") != NULL))
			goto out;
	} else if (!cJSON_AddNullToObject(o, "role")) {
		goto out;
	}
	if (tags ? !tags_json(o, j) : !cJSON_AddNullToObject(o, "tags"))
		goto out;
	if (!cJSON_AddBoolToObject(o, "notify", created && j->notify))
		goto out;
	if ((old = cJSON_AddObjectToObject(o, "old")) == NULL ||
	    (j->old_email != NULL &&
	     !cJSON_AddStringToObject(old, "user_email", j->old_email)) ||
	    (j->old_nicename != NULL &&
	     !cJSON_AddStringToObject(old, "user_nicename", j->old_nicename)))
		goto out;
	if (nplugin > 0 &&
	    ((pm = cJSON_AddObjectToObject(o, "wpf_meta")) == NULL ||
	     !plugin_fields(r, j, pm, &nplugin)))
		goto out;
	out = cJSON_PrintUnformatted(o);
	*err = out == NULL;
out:
	cJSON_Delete(o);
	return out;
}

enum mw_err
events_record(struct run *r)
{
	struct wp_event *ev;
	char **texts;
	size_t i, n = 0;
	bool missing = false, err = false;
	enum mw_err rc = MW_ENOMEM;

	r->nevents = 0;
	if (!r->cfg->events_outbox || r->njobs == 0 ||
	    (outbox_off_until != 0 && mw_now_ms() < outbox_off_until))
		return MW_OK;
	ev = calloc(r->njobs, sizeof(*ev));
	texts = calloc(r->njobs, sizeof(*texts));
	if (ev == NULL || texts == NULL)
		goto out;
	for (i = 0; i < r->njobs; i++) {
		struct job *j = &r->jobs[i];

		texts[n] = payload(r, j, &err);
		if (err)
			goto out;
		if (texts[n] == NULL)
			continue;
		ev[n].uid = j->uid;
		ev[n].contact_id = j->contact_id;
		ev[n].request_id = r->reqid;
		ev[n].payload = texts[n];
		n++;
	}
	rc = n > 0 ? wp_outbox_add(r->wp, ev, n, &missing, &r->first_event)
		   : MW_OK;
	if (missing)
		r->outbox_missing = true;
	if (rc == MW_OK)
		r->nevents = n;
out:
	for (i = 0; texts != NULL && i < n; i++)
		cJSON_free(texts[i]);
	free(texts);
	free(ev);
	return rc;
}

bool
events_create(struct run *r)
{
	if (wp_outbox_create(r->wp) == MW_OK) {
		log_info("created the outbox table %smautic_wp_events",
			 r->site.blog_prefix[0] != '\0' ? r->site.blog_prefix
							: r->cfg->table_prefix);
		return true;
	}
	/* Webhooks go on without it; the log says why (and the README
	 * names the privilege). */
	log_err("the outbox table cannot be created (CREATE privilege?); WordPress's hooks will not fire for the next 10 minutes");
	outbox_off_until = mw_now_ms() + OUTBOX_RETRY_MS;
	return true;
}

static const char *
autoload_no(const struct run *r)
{
	return r->site.db_version >= WP_DB_VERSION_66 ? "off" : "no";
}

void
events_ping(struct run *r)
{
	char key[WP_DRAIN_KEY_HEX + 1];
	char *url = NULL;
	size_t len = 0;
	const char *base = r->cfg->events_ping_url ? r->cfg->events_ping_url
						   : r->cfg->site_url;
	enum wp_ping_result res;

	if (r->nevents == 0 || r->wp == NULL)
		return;
	/* One ping in flight per persistent process: the drain it woke
	 * answers before it reads the outbox, so until then it will see
	 * this transaction's rows too. */
	if (r->conn->keep && wp_ping_in_flight(&pinger))
		return;
	/* Read each time (one statement): a key replaced in the database
	 * must not leave a kept process signing with the old one. */
	if (wp_drain_key(r->wp, autoload_no(r), key) != MW_OK) {
		log_warn(
			"the drain key could not be read; WP-Cron will drain the outbox");
		return;
	}
	if (base == NULL &&
	    wp_option_get(r->wp, "siteurl", &url, &len) == MW_OK)
		base = url;
	if (base == NULL) {
		log_debug("no site URL: the drain is left to WP-Cron");
		return;
	}
	res = wp_ping_drain(r->conn->keep ? &pinger : NULL, base, key,
			    PING_BUDGET_MS);
	explicit_bzero(key, sizeof(key));
	if (res == WP_PING_FAILED)
		log_info(
			"the drain ping did not go out (WordPress away?); the outbox waits for the next ping or WP-Cron");
	free(url);
}

void
events_prune(struct run *r)
{
	uint64_t deleted = 0, next;
	bool warn = false;

	/* Whichever request records an event whose id is a multiple of
	 * PRUNE_EVERY: the same odds in every mode, with no state. */
	if (!r->cfg->events_outbox || r->nevents == 0 || r->wp == NULL ||
	    r->first_event == 0)
		return;
	next = (r->first_event + PRUNE_EVERY - 1) / PRUNE_EVERY * PRUNE_EVERY;
	if (next >= r->first_event + r->nevents)
		return;
	if (wp_outbox_prune(r->wp, r->cfg->events_max_age_days * 86400,
			    autoload_no(r), &deleted, &warn) != MW_OK)
		return;
	if (warn)
		log_warn(
			"deleted %llu outbox events older than %llu days: is wordpress/mautic-wp.php installed in wp-content/mu-plugins? (mautic-wp.cgi --check)",
			(unsigned long long)deleted,
			(unsigned long long)r->cfg->events_max_age_days);
}
