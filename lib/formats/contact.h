/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * contact.h - reading Mautic's JSON: the REST contact document and global
 * webhook bodies.
 *
 * Mautic's JSON is hostile input like any other: sizes, depth and counts are
 * capped, ids must be integral and in range, and tags are accepted as an
 * array or an object of {tag: ...} items.
 */
#ifndef MW_CONTACT_H
#define MW_CONTACT_H

#include <stddef.h>

#include "base/err.h"
#include "formats/model.h"

#define CONTACT_JSON_DEPTH 32	/* nesting of any Mautic document */
#define CONTACT_TAGS_MAX 1000	/* tags per contact */
#define CONTACT_TAG_MAX 191	/* bytes per tag (lead_tags.tag) */
#define CONTACT_FIELDS_MAX 2000 /* field values per contact */
#define CONTACT_VALUE_MAX 65535 /* bytes per field value */
#define WEBHOOK_EVENTS_MAX 500	/* contacts per webhook request */

/* Parse a GET /api/contacts/{id} answer into *out (release with
 * contact_free).  Field values come from fields.all, else from
 * fields.<group>.<alias>.value.  MW_EINPUT for anything that is not such a
 * document. */
enum mw_err contact_parse_rest(const char *json, size_t len,
			       struct contact *out /* OUT */) MW_MUST_CHECK;

#define CONTACT_PAGE_MAX 1000 /* contacts in one list answer */

/* Parse a GET /api/contacts answer: {"total": "N", "contacts": {id: doc}}
 * (or a list, or [] when empty).  *out is allocated with *n contacts
 * (caller frees each with contact_free, then the array); *total is what
 * Mautic says matches in all. */
enum mw_err contact_parse_list(const char *json, size_t len,
			       struct contact **out /* OUT */,
			       size_t *n /* OUT */,
			       uint64_t *total /* OUT */) MW_MUST_CHECK;

/* Parse a global-webhook body: every "mautic.*" key whose value is an
 * array, every item; one event per contact id (the newest item wins; a
 * delete only when nothing else names the id).  *evs is allocated (caller
 * frees each with event_free, then the array); *n may be 0. */
enum mw_err contact_parse_webhook(const char *json, size_t len,
				  struct webhook_event **evs /* OUT */,
				  size_t *n /* OUT */) MW_MUST_CHECK;

#endif
