/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_contact.c - Mautic's JSON as hostile input: the same bytes go to
 * contact_parse_rest() and contact_parse_webhook(); everything is read
 * back and freed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/contact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Touch every string so that a dangling or unterminated one shows. */
static size_t
walk(const struct contact *c)
{
	size_t i, sum = 0;

	for (i = 0; i < c->ntags; i++)
		sum += strlen(c->tags[i]);
	for (i = 0; i < c->nfields; i++) {
		sum += strlen(c->fields[i].alias);
		if (c->fields[i].val != NULL)
			sum += strlen(c->fields[i].val);
		if (!contact_has_field(c, c->fields[i].alias))
			abort();
	}
	return sum + (contact_field(c, "email") != NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *json = (const char *)data;
	struct contact c;
	struct webhook_event *evs = NULL;
	size_t n = 0, i;
	volatile size_t sink = 0;

	memset(&c, 0, sizeof(c));
	if (contact_parse_rest(json, size, &c) == MW_OK) {
		if (c.id == 0 || c.id > MW_ID_MAX)
			abort();
		sink += walk(&c);
	}
	contact_free(&c);

	if (contact_parse_webhook(json, size, &evs, &n) == MW_OK) {
		if (n > WEBHOOK_EVENTS_MAX)
			abort();
		for (i = 0; i < n; i++) {
			if (evs[i].contact_id == 0 ||
			    evs[i].contact_id > MW_ID_MAX ||
			    evs[i].type == NULL)
				abort();
			sink += walk(&evs[i].contact) + strlen(evs[i].type);
			event_free(&evs[i]);
		}
		free(evs);
	}
	(void)sink;
	return 0;
}
