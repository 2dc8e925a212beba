/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * model.h - plain data shared by the modules: a Mautic contact as we use it
 * and one event of a webhook.  No behaviour beyond freeing.
 */
#ifndef MW_MODEL_H
#define MW_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MW_ID_MAX 9007199254740992ull /* 2^53: largest exact JSON integer */

/* One contact field value; val NULL means Mautic sent null. */
struct field_value {
	char *alias; /* owned */
	char *val;   /* owned, NUL-terminated text as PHP would print it */
};

struct contact {
	uint64_t id;   /* Mautic contact id (0 = unknown) */
	bool has_tags; /* the document carried a tags member */
	char **tags;   /* owned tag names, first-seen order, unique */
	size_t ntags;
	bool has_fields;	    /* the document carried field values */
	struct field_value *fields; /* owned, in document order */
	size_t nfields;
};

/* Kinds of global-webhook events we act on. */
enum event_kind {
	EVENT_CONTACT, /* carries a contact: save, points, channel, ... */
	EVENT_DELETE,  /* mautic.lead_post_delete: acknowledged only */
	EVENT__MAX
};

struct webhook_event {
	enum event_kind kind;
	char *type; /* owned event key, e.g. mautic.lead_post_save_update */
	uint64_t contact_id; /* from contact.id (lead.id), or id for deletes */
	struct contact contact; /* payload data (used only when signed) */
};

/* Value of a field, or NULL when absent or null.  Borrowed from c. */
const char *contact_field(const struct contact *c, const char *alias);

/* True when the contact has a field of that alias (even if null). */
bool contact_has_field(const struct contact *c, const char *alias);

/* Release what c owns and zero it.  NULL is fine. */
void contact_free(struct contact *c);

/* Release an event.  NULL is fine. */
void event_free(struct webhook_event *ev);

#endif
