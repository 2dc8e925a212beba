/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * outbox.h - the outbox table {prefix}mautic_wp_events (sql/
 * mautic-wp-events.sql): one row per changed user, written inside the
 * webhook's transaction and drained by the mu-plugin, which fires
 * WordPress's and WP Fusion's hooks; the key the program and the
 * mu-plugin share to sign the drain ping; the housekeeping of a site that
 * never drains.
 */
#ifndef MW_WP_OUTBOX_H
#define MW_WP_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "wp/store.h"

#define WP_DRAIN_KEY_OPTION "mautic_wp_drain_key"
#define WP_DRAIN_KEY_HEX 64 /* the key: 32 random bytes in hex */

/* One event to record; every member borrowed. */
struct wp_event {
	uint64_t uid;
	uint64_t contact_id;
	const char *request_id;
	const char *payload; /* JSON */
};

/* INSERT the events (inside the caller's transaction).  When the table
 * does not exist, *missing is set and MW_EDB returned: the caller rolls
 * back, creates it (wp_outbox_create, outside any transaction) and runs
 * the transaction again.  *first_id is the id of the first row (the rows
 * of one call have consecutive ids). */
enum mw_err wp_outbox_add(struct wpstore *w, const struct wp_event *ev,
			  size_t n, bool *missing /* OUT */,
			  uint64_t *first_id /* OUT */) MW_MUST_CHECK;

/* CREATE TABLE IF NOT EXISTS {prefix}mautic_wp_events (an implicit
 * commit: never inside a transaction). */
enum mw_err wp_outbox_create(struct wpstore *w) MW_MUST_CHECK;

/* The drain key in out (WP_DRAIN_KEY_HEX + 1 bytes): the option
 * mautic_wp_drain_key, created (autoload as given) by whichever of the
 * program and the mu-plugin needs it first. */
enum mw_err wp_drain_key(struct wpstore *w, const char *autoload,
			 char *out) MW_MUST_CHECK;

/* The outbox as --check shows it.  *exists false when there is no table
 * (nothing recorded yet). */
struct wp_outbox_stats {
	bool exists;
	uint64_t pending;      /* rows not parked */
	uint64_t parked;       /* rows parked after failures */
	uint64_t oldest_age_s; /* age of the oldest pending row */
	char last_error[256];  /* of the newest parked row */
	uint64_t pings_age_s;  /* since the drain last accepted a ping,
				* UINT64_MAX: never (no pings table) */
};
enum mw_err wp_outbox_stats(struct wpstore *w,
			    struct wp_outbox_stats *st /* OUT */) MW_MUST_CHECK;

/* Housekeeping for a site that does not drain: delete events older than
 * max_age_s (at most 1000 rows); *deleted how many.  *warn true when rows
 * went and no warning was given in the last day (an option row
 * mautic_wp_outbox_warned keeps the time, so every process agrees). */
enum mw_err wp_outbox_prune(struct wpstore *w, uint64_t max_age_s,
			    const char *autoload, uint64_t *deleted /* OUT */,
			    bool *warn /* OUT */) MW_MUST_CHECK;

#endif
