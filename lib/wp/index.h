/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * index.h - the contact index: an index on {prefix}usermeta over
 * (meta_key(191), meta_value(32)), so that finding the user of a Mautic
 * contact reads one index entry instead of every mautic_contact_id row.
 *
 * WordPress indexes usermeta on meta_key alone.  The index is an explicit
 * step the site's owner takes (mautic-wp.cgi --install-index), made and
 * dropped online (ALGORITHM=INPLACE, LOCK=NONE); without it everything
 * works as before, only slower on large sites.  An index of another
 * plugin with the same leading columns (Index WP MySQL For Speed makes
 * one) serves as well and is never dropped by us.
 */
#ifndef MW_INDEX_H
#define MW_INDEX_H

#include <stdbool.h>
#include <stdint.h>

#include "base/err.h"
#include "wp/store.h"

#define WP_INDEX_NAME "mautic_wp_contact" /* the index we make */

/* What --check reports. */
struct wp_index_state {
	bool present;	  /* an index leads with meta_key, meta_value */
	bool ours;	  /* it is WP_INDEX_NAME */
	char name[65];	  /* the index's name, "" when absent */
	uint64_t links;	  /* mautic_contact_id rows (users linked) */
	double lookup_ms; /* a contact lookup, measured (median of 3) */
};

/* Look at the usermeta table's indexes, count the links and time a
 * lookup of a contact nobody has (the worst case: no early end). */
enum mw_err wp_index_state(struct wpstore *w,
			   struct wp_index_state *out /* OUT */) MW_MUST_CHECK;

/* Create the index online; nothing when one is present (ours or
 * another's): *made says whether this call made it. */
enum mw_err wp_index_install(struct wpstore *w,
			     bool *made /* OUT */) MW_MUST_CHECK;

/* Drop our index online; nothing when it is absent.  Another plugin's
 * index is left alone.  *dropped says whether this call dropped it. */
enum mw_err wp_index_remove(struct wpstore *w,
			    bool *dropped /* OUT */) MW_MUST_CHECK;

#endif
