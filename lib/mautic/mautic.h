/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mautic.h - the Mautic REST client: the only place with a CURL handle and
 * with Mautic's answers as JSON.
 *
 * One struct mautic serves one request (or, later, one process): all calls
 * share one time budget of cfg->timeout_ms from mautic_open().  libcurl is
 * initialised on the first call, so requests that need no Mautic never pay
 * for it.  TLS verification is always on.
 */
#ifndef MW_MAUTIC_H
#define MW_MAUTIC_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "base/err.h"
#include "formats/model.h"

#define MAUTIC_ANSWER_MAX (8u << 20) /* bytes of one Mautic answer */

struct mautic;

/* Prepare a client for cfg (borrowed until mautic_close) and start the
 * time budget.  No network traffic yet. */
enum mw_err mautic_open(const struct cfg *cfg,
			struct mautic **out /* OUT */) MW_MUST_CHECK;

/* Start the next request on a kept client: a fresh time budget; the
 * connection and the OAuth2 token stay. */
void mautic_begin(struct mautic *m);

/* The client serves many requests (persistent mode, the worker): keep
 * the connection open between exchanges.  Otherwise each exchange closes
 * it, inside its max_parallel slot. */
void mautic_keep_connection(struct mautic *m);

/* Release the client.  NULL is fine. */
void mautic_close(struct mautic *m);

/* GET /api/contacts/{id} into *out (release with contact_free).
 * MW_EUPSTREAM when Mautic answers an error (404 included) or garbage,
 * MW_ETIMEOUT when the budget runs out. */
enum mw_err mautic_get_contact(struct mautic *m, uint64_t id,
			       struct contact *out /* OUT */) MW_MUST_CHECK;

/* PATCH /api/contacts/{id}/edit with a JSON object body (borrowed). */
enum mw_err mautic_patch_contact(struct mautic *m, uint64_t id,
				 const char *json) MW_MUST_CHECK;

/* GET /api/contacts?limit=1&minimal=1: Mautic is reachable and accepts
 * our credentials. */
enum mw_err mautic_ping(struct mautic *m) MW_MUST_CHECK;

/* GET /api/fields/contact: the aliases of every contact field, allocated
 * (caller frees each and the array). */
enum mw_err mautic_field_aliases(struct mautic *m, char ***aliases /* OUT */,
				 size_t *n /* OUT */) MW_MUST_CHECK;

/* One page of GET /api/contacts?search=...&start=&limit=, ordered by id
 * (see contact_parse_list for what comes back). */
enum mw_err mautic_list_contacts(struct mautic *m, const char *search,
				 uint64_t start, unsigned limit,
				 struct contact **out /* OUT */,
				 size_t *n /* OUT */,
				 uint64_t *total /* OUT */) MW_MUST_CHECK;

/* HTTP status of the last answer (0 when none came). */
long mautic_last_status(const struct mautic *m);

/* Seconds the last answer asked us to wait before trying again
 * (Retry-After, or X-RateLimit-Reset on a 429); 0 when it said nothing. */
long mautic_retry_after_s(const struct mautic *m);

/* HTTP requests made so far (token requests included). */
unsigned mautic_calls(const struct mautic *m);

#endif
