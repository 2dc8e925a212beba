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
#include "wp/store.h"

#define TAGS_SER_MAX (1u << 20) /* bytes of a serialized tag list */

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
		rc = wp_meta_set(r->wp, j->uid, r->cfg->wpf.tags_key, ser.p, ser.len);
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
		rc = wp_meta_set(r->wp, j->uid, r->cfg->wpf.contact_key, cid, strlen(cid));
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
