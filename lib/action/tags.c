/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tags.c - WP Fusion's tags: the mautic_tags usermeta every action writes,
 * and the update_tags action's work for one user.
 */
#include "action/action_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "formats/phpser.h"
#include "wp/site.h"
#include "wp/store.h"

#define TAGS_SER_MAX (1u << 20) /* bytes of a serialized tag list */
#define AVAILABLE_TAGS "wpf_available_tags"
#define AVAILABLE_MAX (8u << 20) /* bytes of the whole option */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Same set of names, whatever the order (both lists are duplicate-free).
 * Sorts both arrays in place. */
static bool
same_set(char **a, size_t na, char **b, size_t nb)
{
	size_t i;

	if (na != nb)
		return false;
	qsort(a, na, sizeof(*a), cmp_str);
	qsort(b, nb, sizeof(*b), cmp_str);
	for (i = 0; i < na; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return true;
}

/* Write the new tag list: a serialized list, or no row when empty. */
static enum mw_err
write_tags(struct run *r, struct job *j)
{
	const struct contact *c = j->data;
	struct buf ser;
	enum mw_err rc;

	j->changed = true;
	job_change(j, c->ntags > 0 ? "%s" : "%s deleted", r->cfg->wpf.tags_key);
	if (c->ntags == 0)
		return wp_meta_delete(r->wp, j->uid, r->cfg->wpf.tags_key);
	buf_init(&ser, TAGS_SER_MAX);
	rc = phps_serialize_strlist((const char *const *)c->tags, c->ntags,
				    &ser);
	if (rc == MW_OK)
		rc = wp_meta_set(r->wp, j->uid, r->cfg->wpf.tags_key, ser.p,
				 ser.len);
	buf_free(&ser);
	return rc;
}

/* Store the job's tags as WP Fusion does: a serialized list in
 * mautic_tags, the row deleted when empty, nothing written when the set is
 * unchanged. */
enum mw_err
tags_store(struct run *r, struct job *j)
{
	const struct contact *c = j->data;
	char *old = NULL, **oldtags = NULL, **now = NULL;
	size_t oldlen = 0, nold = 0, i;
	enum mw_err rc;

	rc = wp_meta_get(r->wp, j->uid, r->cfg->wpf.tags_key, &old, &oldlen);
	if (rc != MW_OK)
		goto out;
	/* A corrupt value reads as no tags, as WP Fusion reads it. */
	if (old != NULL &&
	    phps_unserialize_strlist(old, oldlen, &oldtags, &nold) != MW_OK) {
		oldtags = NULL;
		nold = 0;
	}
	/* A copy of the list to sort: the contact's order is kept. */
	rc = MW_ENOMEM;
	now = calloc(c->ntags ? c->ntags : 1, sizeof(*now));
	if (now == NULL)
		goto out;
	if (c->ntags > 0)
		memcpy(now, c->tags, c->ntags * sizeof(*now));
	rc = MW_OK;
	/* The event keeps the list as it was stored (oldtags is sorted by
	 * same_set, so the event's copy is taken first). */
	j->tags_loaded = true;
	for (i = 0; i < j->nold_tags; i++)
		free(j->old_tags[i]);
	free(j->old_tags);
	j->old_tags = NULL;
	j->nold_tags = 0;
	if (nold > 0 && r->cfg->events_outbox) {
		j->old_tags = calloc(nold, sizeof(*j->old_tags));
		for (i = 0; j->old_tags != NULL && i < nold; i++) {
			j->old_tags[i] = strdup(oldtags[i]);
			if (j->old_tags[i] == NULL)
				break;
			j->nold_tags = i + 1;
		}
		if (j->nold_tags != nold) {
			rc = MW_ENOMEM;
			goto out;
		}
	}
	if (old != NULL && same_set(oldtags, nold, now, c->ntags))
		goto out;
	if (old == NULL && c->ntags == 0)
		goto out;
	rc = write_tags(r, j);
out:
	for (i = 0; i < nold; i++)
		free(oldtags[i]);
	free(oldtags);
	free(now);
	free(old);
	return rc;
}

enum mw_err
tags_job(struct run *r, struct job *j)
{
	char cid[24];
	enum mw_err rc;

	rc = run_lock_job(r, j);
	if (rc == MW_OK && j->gone)
		return MW_OK;
	if (rc != MW_OK)
		return rc;
	if (j->link) {
		snprintf(cid, sizeof(cid), "%llu",
			 (unsigned long long)j->contact_id);
		rc = wp_meta_set(r->wp, j->uid, r->cfg->wpf.contact_key, cid,
				 strlen(cid));
		if (rc != MW_OK)
			return rc;
		j->changed = true;
		job_change(j, "%s", r->cfg->wpf.contact_key);
		job_note(j, "user found by email and linked to the contact");
	}
	rc = tags_store(r, j);
	if (rc == MW_OK)
		j->outcome = j->changed ? OUT_UPDATED : OUT_UNCHANGED;
	return rc;
}

/* ---- WP Fusion's available tags ---------------------------------------- */

/* Whether the parsed list has the key name (PHP's isset()): a string key
 * of the same bytes, or an integer key printed the same. */
static bool
listed(const struct phps_value *list, const char *name)
{
	char num[24];
	size_t i;

	for (i = 0; i < list->n; i++) {
		const struct phps_value *k = &list->items[i].key;

		if (k->type == PHPS_STRING && strcmp(k->s, name) == 0 &&
		    strlen(k->s) == k->slen)
			return true;
		if (k->type == PHPS_INT) {
			snprintf(num, sizeof(num), "%lld", (long long)k->i);
			if (strcmp(num, name) == 0)
				return true;
		}
	}
	return false;
}

/* The names of the request's contacts missing from list, once each, into
 * names[] (borrowed from the jobs); their count. */
static size_t
missing_names(const struct run *r, const struct phps_value *list,
	      const char **names, size_t max)
{
	size_t i, t, k, n = 0;

	for (i = 0; i < r->njobs; i++) {
		const struct job *j = &r->jobs[i];

		if (j->deleted || j->data == NULL)
			continue;
		for (t = 0; t < j->data->ntags && n < max; t++) {
			const char *name = j->data->tags[t];
			bool dup = name[0] == '\0' || listed(list, name);

			for (k = 0; k < n && !dup; k++)
				dup = strcmp(names[k], name) == 0;
			if (!dup)
				names[n++] = name;
		}
	}
	return n;
}

/* The new option value: old's entries (its bytes as they are) and then
 * name => name for each new name, values cleaned as WP Fusion's
 * settings->set() cleans them. */
static enum mw_err
extend_list(const char *old, size_t oldlen, size_t oldn, const char **names,
	    size_t n, struct buf *out)
{
	const char **vals = calloc(n ? n : 1, sizeof(*vals));
	char **clean = calloc(n ? n : 1, sizeof(*clean));
	struct buf add;
	const char *body = NULL, *open;
	size_t i, bodylen = 0;
	enum mw_err rc = MW_ENOMEM;

	buf_init(&add, AVAILABLE_MAX);
	if (vals == NULL || clean == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		clean[i] = malloc(USER_META_MAX);
		if (clean[i] == NULL)
			goto out;
		if (user_wpf_clean(names[i], clean[i], USER_META_MAX) != MW_OK)
			snprintf(clean[i], USER_META_MAX, "%s", "");
		vals[i] = clean[i];
	}
	rc = phps_serialize_strmap(names, vals, n, &add);
	if (rc != MW_OK)
		goto out;
	/* add is a:N:{...}: keep its body. */
	open = memchr(add.p, '{', add.len);
	if (old != NULL && oldn > 0) {
		body = memchr(old, '{', oldlen);
		bodylen = (size_t)(old + oldlen - 1 - (body + 1));
		body++;
	}
	buf_printf(out, "a:%zu:{", oldn + n);
	if (body != NULL)
		buf_add(out, body, bodylen);
	buf_add(out, open + 1, (size_t)(add.p + add.len - 1 - (open + 1)));
	buf_add(out, "}", 1);
	rc = buf_error(out);
out:
	for (i = 0; clean != NULL && i < n; i++)
		free(clean[i]);
	free(clean);
	free(vals);
	buf_free(&add);
	return rc;
}

enum mw_err
tags_available(struct run *r)
{
	const char *names[TAGS_NEW_MAX];
	char *old = NULL;
	size_t len = 0, n;
	struct phps_value list;
	struct buf out;
	enum mw_err rc;
	bool parsed;

	/* Only where WP Fusion's settings are read: its list came with
	 * them, so a request whose names it has costs no statement. */
	if (!r->cfg->use_wpf_options)
		return MW_OK;
	memset(&list, 0, sizeof(list));
	list.type = PHPS_ARRAY;
	parsed = r->cfg->wpf.available_tags != NULL &&
		 phps_unserialize(r->cfg->wpf.available_tags,
				  r->cfg->wpf.available_tags_len,
				  &list) == MW_OK;
	if (parsed && list.type != PHPS_ARRAY) {
		phps_free(&list); /* not a list: every name is new */
		parsed = false;
		list.type = PHPS_ARRAY;
	}
	n = missing_names(r, &list, names, TAGS_NEW_MAX);
	if (parsed)
		phps_free(&list);
	memset(&list, 0, sizeof(list));
	list.type = PHPS_ARRAY;
	if (n == 0)
		return MW_OK; /* listed already, or no tags at all */
	rc = wp_option_lock(r->wp, AVAILABLE_TAGS, &old, &len);
	if (rc == MW_OK && old == NULL && !r->req->dry_run) {
		rc = wp_option_create(r->wp, AVAILABLE_TAGS, "a:0:{}",
				      r->site.loaded && r->site.db_version >=
								WP_DB_VERSION_66
					      ? "off"
					      : "no");
		if (rc == MW_OK)
			rc = wp_option_lock(r->wp, AVAILABLE_TAGS, &old, &len);
	}
	if (rc != MW_OK)
		goto out;
	parsed = old != NULL && phps_unserialize(old, len, &list) == MW_OK &&
		 list.type == PHPS_ARRAY;
	if (!parsed) {
		/* Not a list: WP Fusion would start a new one. */
		if (old != NULL && list.type != PHPS_ARRAY)
			phps_free(&list);
		memset(&list, 0, sizeof(list));
		list.type = PHPS_ARRAY;
	}
	n = missing_names(r, &list, names, TAGS_NEW_MAX);
	if (n > 0 && r->njobs > 0)
		job_change(&r->jobs[0], "%s: %zu new tag name%s",
			   AVAILABLE_TAGS, n, n == 1 ? "" : "s");
	if (n > 0 && !r->req->dry_run) {
		buf_init(&out, AVAILABLE_MAX);
		rc = extend_list(parsed ? old : NULL, parsed ? len : 0,
				 parsed ? list.n : 0, names, n, &out);
		if (rc == MW_OK)
			rc = wp_option_update(r->wp, AVAILABLE_TAGS, out.p,
					      out.len);
		if (rc == MW_OK)
			r->tags_listed = true;
		buf_free(&out);
	}
	if (parsed)
		phps_free(&list);
out:
	free(old);
	return rc;
}
