/* SPDX-License-Identifier: GPL-2.0-or-later */
/* index.c - the contact index on usermeta (see index.h). */
#include "wp/index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/clock.h"
#include "base/strparse.h"
#include "wp/store_int.h"

/* Rows of information_schema.statistics, one per index column. */
struct scan {
	char cur[65];	/* index being read */
	bool key_first; /* its first column is meta_key */
	struct wp_index_state *st;
};

static enum mw_err
index_row(void *ctx, char **col, unsigned long *len, unsigned n)
{
	struct scan *sc = ctx;
	uint64_t seq;

	if (n < 3 || col[0] == NULL || col[1] == NULL || col[2] == NULL ||
	    len[0] >= sizeof(sc->cur) ||
	    str_u64(col[2], len[2], 1, 64, &seq) != MW_OK)
		return MW_EINTERNAL;
	if (strcmp(sc->cur, col[0]) != 0) {
		snprintf(sc->cur, sizeof(sc->cur), "%s", col[0]);
		sc->key_first = false;
	}
	if (seq == 1)
		sc->key_first = strcmp(col[1], "meta_key") == 0;
	else if (seq == 2 && sc->key_first &&
		 strcmp(col[1], "meta_value") == 0 &&
		 (!sc->st->present || strcmp(col[0], WP_INDEX_NAME) == 0)) {
		sc->st->present = true;
		sc->st->ours = strcmp(col[0], WP_INDEX_NAME) == 0;
		snprintf(sc->st->name, sizeof(sc->st->name), "%s", col[0]);
	}
	return MW_OK;
}

/* Whether an index serves the lookup, and its name. */
static enum mw_err
find(struct wpstore *w, struct wp_index_state *st)
{
	struct scan sc;

	memset(&sc, 0, sizeof(sc));
	sc.st = st;
	st->present = st->ours = false;
	st->name[0] = '\0';
	return wps_query(
		w,
		"SELECT index_name, column_name, seq_in_index FROM information_schema.statistics WHERE table_schema = DATABASE() AND table_name = '{P}usermeta' ORDER BY index_name, seq_in_index",
		NULL, 0, index_row, &sc, NULL);
}

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

enum mw_err
wp_index_state(struct wpstore *w, struct wp_index_state *out)
{
	struct wp_index_state st;
	long long t[3];
	enum mw_err rc;
	int i;

	memset(&st, 0, sizeof(st));
	rc = find(w, &st);
	if (rc == MW_OK)
		rc = wps_run_u64(
			w,
			"SELECT COUNT(*) FROM {P}usermeta WHERE meta_key = 'mautic_contact_id'",
			NULL, 0, &st.links, NULL);
	/* A contact id no one has: the lookup reads every link without the
	 * index, one entry with it. */
	for (i = 0; rc == MW_OK && i < 3; i++) {
		uint64_t uid;

		t[i] = mw_now_us();
		rc = wp_user_by_contact(w, UINT64_MAX - 1, &uid);
		t[i] = mw_now_us() - t[i];
	}
	if (rc == MW_OK) {
		qsort(t, 3, sizeof(t[0]), cmp_ll);
		st.lookup_ms = (double)t[1] / 1000.0;
	}
	if (rc == MW_OK)
		*out = st;
	return rc;
}

/* Add the index when none serves, or drop ours when it is there; *done
 * says whether the statement ran.  Online either way: writes go on while
 * InnoDB builds or drops it. */
static enum mw_err
alter(struct wpstore *w, bool add, bool *done)
{
	struct wp_index_state st;
	enum mw_err rc;

	*done = false;
	memset(&st, 0, sizeof(st));
	rc = find(w, &st);
	if (rc != MW_OK || (add ? st.present : !st.ours))
		return rc;
	rc = wps_query(
		w,
		add ? "ALTER TABLE {P}usermeta ADD INDEX " WP_INDEX_NAME
		      " (meta_key(191), meta_value(32)), ALGORITHM=INPLACE, LOCK=NONE"
		    : "ALTER TABLE {P}usermeta DROP INDEX " WP_INDEX_NAME
		      ", ALGORITHM=INPLACE, LOCK=NONE",
		NULL, 0, NULL, NULL, NULL);
	*done = rc == MW_OK;
	return rc;
}

enum mw_err
wp_index_install(struct wpstore *w, bool *made)
{
	return alter(w, true, made);
}

enum mw_err
wp_index_remove(struct wpstore *w, bool *dropped)
{
	return alter(w, false, dropped);
}
