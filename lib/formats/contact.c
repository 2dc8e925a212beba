/* SPDX-License-Identifier: GPL-2.0-or-later */
/* contact.c - Mautic contact documents and webhook bodies, via cJSON. */
#include "formats/contact.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/strparse.h"
#include "base/utf8.h"

const char *
contact_field(const struct contact *c, const char *alias)
{
	size_t i;

	for (i = 0; i < c->nfields; i++)
		if (strcmp(c->fields[i].alias, alias) == 0)
			return c->fields[i].val;
	return NULL;
}

bool
contact_has_field(const struct contact *c, const char *alias)
{
	size_t i;

	for (i = 0; i < c->nfields; i++)
		if (strcmp(c->fields[i].alias, alias) == 0)
			return true;
	return false;
}

void
contact_free(struct contact *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ntags; i++)
		free(c->tags[i]);
	free(c->tags);
	for (i = 0; i < c->nfields; i++) {
		free(c->fields[i].alias);
		free(c->fields[i].val);
	}
	free(c->fields);
	memset(c, 0, sizeof(*c));
}

void
event_free(struct webhook_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->type);
	contact_free(&ev->contact);
	memset(ev, 0, sizeof(*ev));
}

/* Reject what cJSON would silently mangle or recurse on too deeply: nesting
 * past CONTACT_JSON_DEPTH and \u0000 escapes (cJSON cuts strings there). */
static bool
json_prescan(const char *s, size_t len)
{
	size_t i, depth = 0;
	bool in_str = false;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\') {
				if (i + 5 < len && s[i + 1] == 'u' &&
				    memcmp(s + i + 2, "0000", 4) == 0)
					return false;
				i++;
			} else if (c == '"') {
				in_str = false;
			} else if (c == '\0') {
				return false;
			}
			continue;
		}
		if (c == '"')
			in_str = true;
		else if (c == '{' || c == '[') {
			if (++depth > CONTACT_JSON_DEPTH)
				return false;
		} else if ((c == '}' || c == ']') && depth > 0)
			depth--;
		else if (c == '\0')
			return false;
	}
	return true;
}

/* Parse exactly json[0..len): trailing bytes other than blanks fail. */
static cJSON *
parse_json(const char *json, size_t len)
{
	const char *end = NULL;
	cJSON *root;

	/* JSON is UTF-8 (RFC 8259); Mautic escapes everything else anyway. */
	if (len == 0 || !utf8_is_valid(json, len, UTF8_NO_NUL) ||
	    !json_prescan(json, len))
		return NULL;
	root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (root == NULL)
		return NULL;
	while (end < json + len && strchr(" \t\r\n", *end) != NULL && *end)
		end++;
	if (end != json + len) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/* An id: an integral JSON number below 2^53 (above it a double cannot
 * tell neighbours apart, so 2^53 + 1 would read as 2^53), or a decimal
 * string 1 .. 2^53. */
static bool
read_id(const cJSON *item, uint64_t *out)
{
	if (cJSON_IsNumber(item)) {
		double d = item->valuedouble;

		if (!(d >= 1 && d < (double)MW_ID_MAX) || floor(d) != d)
			return false;
		*out = (uint64_t)d;
		return true;
	}
	if (cJSON_IsString(item))
		return str_u64(item->valuestring, strlen(item->valuestring), 1,
			       MW_ID_MAX, out) == MW_OK;
	return false;
}

/* A number as PHP prints it: integers plainly, others in the shortest
 * form that reads back the same. */
static char *
number_text(double d)
{
	char tmp[64];
	int prec;

	if (!isfinite(d))
		return strdup("");
	if (floor(d) == d && fabs(d) < 9007199254740992.0) {
		snprintf(tmp, sizeof(tmp), "%lld", (long long)d);
		return strdup(tmp);
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	return strdup(tmp);
}

/* Text of a field value; *out NULL for null.  false on ENOMEM/invalid. */
static bool
value_text(const cJSON *v, char **out)
{
	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (cJSON_IsString(v)) {
		size_t len = strlen(v->valuestring);

		if (len > CONTACT_VALUE_MAX ||
		    !utf8_is_valid(v->valuestring, len, UTF8_NO_NUL))
			return false;
		*out = strdup(v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		*out = number_text(v->valuedouble);
	} else if (cJSON_IsBool(v)) {
		*out = strdup(cJSON_IsTrue(v) ? "1" : "");
	} else {
		/* Arrays and objects are not field values we can store. */
		return true;
	}
	return *out != NULL;
}

static enum mw_err
add_field(struct contact *c, const char *alias, const cJSON *v)
{
	struct field_value *nf;
	size_t i;
	char *val;

	if (alias == NULL || alias[0] == '\0' || strlen(alias) > 64)
		return MW_EINPUT;
	for (i = 0; i < c->nfields; i++)
		if (strcmp(c->fields[i].alias, alias) == 0)
			return MW_OK;
	if (c->nfields == CONTACT_FIELDS_MAX)
		return MW_EINPUT;
	if (!value_text(v, &val))
		return MW_EINPUT;
	nf = reallocarray(c->fields, c->nfields + 1, sizeof(*nf));
	if (nf == NULL) {
		free(val);
		return MW_ENOMEM;
	}
	c->fields = nf;
	nf[c->nfields].alias = strdup(alias);
	nf[c->nfields].val = val;
	if (nf[c->nfields].alias == NULL) {
		free(val);
		return MW_ENOMEM;
	}
	c->nfields++;
	c->has_fields = true;
	return MW_OK;
}

/* fields.all if present (REST), else every group's {alias: {value}}. */
static enum mw_err
read_fields(struct contact *c, const cJSON *fields)
{
	const cJSON *all, *group, *f;
	enum mw_err rc;

	if (!cJSON_IsObject(fields))
		return MW_OK;
	all = cJSON_GetObjectItemCaseSensitive(fields, "all");
	if (cJSON_IsObject(all)) {
		cJSON_ArrayForEach(f, all) {
			if (strcmp(f->string, "id") == 0)
				continue;
			rc = add_field(c, f->string, f);
			if (rc != MW_OK)
				return rc;
		}
		return MW_OK;
	}
	cJSON_ArrayForEach(group, fields) {
		if (!cJSON_IsObject(group))
			continue; /* empty groups are [] */
		cJSON_ArrayForEach(f, group) {
			const cJSON *alias, *value;

			if (!cJSON_IsObject(f))
				continue;
			alias = cJSON_GetObjectItemCaseSensitive(f, "alias");
			value = cJSON_GetObjectItemCaseSensitive(f, "value");
			rc = add_field(c,
				       cJSON_IsString(alias)
					       ? alias->valuestring
					       : f->string,
				       value);
			if (rc != MW_OK)
				return rc;
		}
	}
	return MW_OK;
}

static enum mw_err
add_tag(struct contact *c, const char *tag)
{
	char **nt;
	size_t i, len = strlen(tag);

	if (len == 0)
		return MW_OK;
	if (len > CONTACT_TAG_MAX * 4 || !utf8_is_valid(tag, len, UTF8_NO_NUL))
		return MW_EINPUT;
	for (i = 0; i < c->ntags; i++)
		if (strcmp(c->tags[i], tag) == 0)
			return MW_OK;
	if (c->ntags == CONTACT_TAGS_MAX)
		return MW_EINPUT;
	nt = reallocarray(c->tags, c->ntags + 1, sizeof(*nt));
	if (nt == NULL)
		return MW_ENOMEM;
	c->tags = nt;
	nt[c->ntags] = strdup(tag);
	if (nt[c->ntags] == NULL)
		return MW_ENOMEM;
	c->ntags++;
	return MW_OK;
}

/* tags: [{"tag": "x"}, ...] or {"x": {"tag": "x"}, ...}; both accepted. */
static enum mw_err
read_tags(struct contact *c, const cJSON *tags)
{
	const cJSON *it, *name;
	enum mw_err rc;

	if (tags == NULL)
		return MW_OK;
	c->has_tags = true;
	if (cJSON_IsNull(tags))
		return MW_OK;
	if (!cJSON_IsArray(tags) && !cJSON_IsObject(tags))
		return MW_EINPUT;
	cJSON_ArrayForEach(it, tags) {
		name = cJSON_GetObjectItemCaseSensitive(it, "tag");
		if (!cJSON_IsString(name))
			continue; /* legacy test payloads carry [[]] */
		rc = add_tag(c, name->valuestring);
		if (rc != MW_OK)
			return rc;
	}
	return MW_OK;
}

/* Fill c from a contact object; the id is optional here (deletes). */
static enum mw_err
read_contact(const cJSON *obj, struct contact *c)
{
	enum mw_err rc;
	const cJSON *id;

	memset(c, 0, sizeof(*c));
	id = cJSON_GetObjectItemCaseSensitive(obj, "id");
	if (id != NULL && !cJSON_IsNull(id) && !read_id(id, &c->id))
		return MW_EINPUT;
	rc = read_tags(c, cJSON_GetObjectItemCaseSensitive(obj, "tags"));
	if (rc == MW_OK)
		rc = read_fields(
			c, cJSON_GetObjectItemCaseSensitive(obj, "fields"));
	if (rc != MW_OK)
		contact_free(c);
	return rc;
}

enum mw_err
contact_parse_rest(const char *json, size_t len, struct contact *out)
{
	cJSON *root;
	const cJSON *obj;
	struct contact c;
	enum mw_err rc = MW_EINPUT;

	root = parse_json(json, len);
	if (root == NULL)
		return MW_EINPUT;
	obj = cJSON_GetObjectItemCaseSensitive(root, "contact");
	if (!cJSON_IsObject(obj))
		goto out;
	rc = read_contact(obj, &c);
	if (rc != MW_OK)
		goto out;
	if (c.id == 0) {
		contact_free(&c);
		rc = MW_EINPUT;
		goto out;
	}
	*out = c;
	rc = MW_OK;
out:
	cJSON_Delete(root);
	return rc;
}

/* Seconds since the epoch of an ISO-8601 "YYYY-MM-DDTHH:MM:SS+HH:MM"
 * timestamp; 0 when absent or unreadable. */
static long long
item_time(const cJSON *item)
{
	const cJSON *ts = cJSON_GetObjectItemCaseSensitive(item, "timestamp");
	int y, mo, d, h, mi, s, oh = 0, om = 0;
	char sign = '+';
	struct tm tm;

	if (!cJSON_IsString(ts))
		return 0;
	if (sscanf(ts->valuestring, "%4d-%2d-%2dT%2d:%2d:%2d%c%2d:%2d", &y, &mo,
		   &d, &h, &mi, &s, &sign, &oh, &om) < 6)
		return 0;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (long long)timegm(&tm) -
	       (sign == '-' ? -1 : 1) * (oh * 3600LL + om * 60LL);
}

/* The contact object of an item: contact, lead (Mautic 2), or the lead
 * nested in form, e-mail open and page hit events. */
static const cJSON *
item_contact(const cJSON *item)
{
	static const char *const nests[] = {"submission", "stat", "hit"};
	const cJSON *c;
	size_t i;

	c = cJSON_GetObjectItemCaseSensitive(item, "contact");
	if (cJSON_IsObject(c))
		return c;
	c = cJSON_GetObjectItemCaseSensitive(item, "lead");
	if (cJSON_IsObject(c))
		return c;
	for (i = 0; i < sizeof(nests) / sizeof(nests[0]); i++) {
		const cJSON *n =
			cJSON_GetObjectItemCaseSensitive(item, nests[i]);

		c = cJSON_GetObjectItemCaseSensitive(n, "lead");
		if (cJSON_IsObject(c))
			return c;
		c = cJSON_GetObjectItemCaseSensitive(n, "contact");
		if (cJSON_IsObject(c))
			return c;
	}
	return NULL;
}

struct evlist {
	struct webhook_event *ev;
	long long *when;
	size_t n;
};

/* Add or replace the event for ev->contact_id; takes ownership of *ev. */
static enum mw_err
evlist_put(struct evlist *l, struct webhook_event *ev, long long when)
{
	struct webhook_event *ne;
	long long *nw;
	size_t i;

	for (i = 0; i < l->n; i++) {
		bool newer;

		if (l->ev[i].contact_id != ev->contact_id)
			continue;
		/* A real event beats a delete; otherwise the newest wins,
		 * and on a tie the later item. */
		if (ev->kind != l->ev[i].kind)
			newer = ev->kind == EVENT_CONTACT;
		else
			newer = when >= l->when[i];
		if (newer) {
			event_free(&l->ev[i]);
			l->ev[i] = *ev;
			l->when[i] = when;
		} else {
			event_free(ev);
		}
		return MW_OK;
	}
	if (l->n == WEBHOOK_EVENTS_MAX) {
		event_free(ev);
		return MW_EINPUT;
	}
	ne = reallocarray(l->ev, l->n + 1, sizeof(*ne));
	if (ne != NULL)
		l->ev = ne;
	nw = reallocarray(l->when, l->n + 1, sizeof(*nw));
	if (nw != NULL)
		l->when = nw;
	if (ne == NULL || nw == NULL) {
		event_free(ev);
		return MW_ENOMEM;
	}
	l->ev[l->n] = *ev;
	l->when[l->n] = when;
	l->n++;
	return MW_OK;
}

static enum mw_err
read_item(struct evlist *l, const char *type, const cJSON *item)
{
	struct webhook_event ev;
	const cJSON *c;
	enum mw_err rc;

	if (!cJSON_IsObject(item))
		return MW_OK;
	memset(&ev, 0, sizeof(ev));
	ev.kind = strcmp(type, "mautic.lead_post_delete") == 0 ? EVENT_DELETE
							       : EVENT_CONTACT;
	c = item_contact(item);
	if (c == NULL)
		return MW_OK; /* company, segment-less events: nothing to do */
	rc = read_contact(c, &ev.contact);
	if (rc != MW_OK)
		return rc;
	ev.contact_id = ev.contact.id;
	if (ev.kind == EVENT_DELETE) {
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(item, "id");

		if (id != NULL && !read_id(id, &ev.contact_id)) {
			contact_free(&ev.contact);
			return MW_EINPUT;
		}
	}
	if (ev.contact_id == 0) {
		contact_free(&ev.contact);
		return MW_OK; /* anonymous or malformed: skip */
	}
	ev.type = strdup(type);
	if (ev.type == NULL) {
		contact_free(&ev.contact);
		return MW_ENOMEM;
	}
	return evlist_put(l, &ev, item_time(item));
}

enum mw_err
contact_parse_webhook(const char *json, size_t len, struct webhook_event **evs,
		      size_t *n)
{
	struct evlist l = {NULL, NULL, 0};
	cJSON *root;
	const cJSON *key, *item;
	enum mw_err rc = MW_EINPUT;
	size_t i;

	root = parse_json(json, len);
	if (!cJSON_IsObject(root))
		goto out;
	rc = MW_OK;
	cJSON_ArrayForEach(key, root) {
		/* Skip the test payload's top-level "timestamp" and anything
		 * that is not an event list. */
		if (strncmp(key->string, "mautic.", 7) != 0 ||
		    !cJSON_IsArray(key))
			continue;
		cJSON_ArrayForEach(item, key) {
			rc = read_item(&l, key->string, item);
			if (rc != MW_OK)
				goto out;
		}
	}
out:
	cJSON_Delete(root);
	free(l.when);
	if (rc != MW_OK) {
		for (i = 0; i < l.n; i++)
			event_free(&l.ev[i]);
		free(l.ev);
		return rc;
	}
	*evs = l.ev;
	*n = l.n;
	return MW_OK;
}

enum mw_err
contact_parse_list(const char *json, size_t len, struct contact **out,
		   size_t *n, uint64_t *total)
{
	cJSON *root;
	const cJSON *list, *doc, *tot;
	struct contact *v = NULL;
	size_t count = 0, i;
	enum mw_err rc = MW_EINPUT;
	int size;

	root = parse_json(json, len);
	list = cJSON_GetObjectItemCaseSensitive(root, "contacts");
	tot = cJSON_GetObjectItemCaseSensitive(root, "total");
	if (!cJSON_IsObject(list) && !cJSON_IsArray(list))
		goto out;
	size = cJSON_GetArraySize(list);
	if (size > CONTACT_PAGE_MAX)
		goto out;
	*total = 0;
	if (tot != NULL && !read_id(tot, total) &&
	    !(cJSON_IsString(tot) && strcmp(tot->valuestring, "0") == 0) &&
	    !(cJSON_IsNumber(tot) && tot->valuedouble == 0))
		goto out;
	v = calloc((size_t)size + 1, sizeof(*v));
	rc = MW_ENOMEM;
	if (v == NULL)
		goto out;
	rc = MW_OK;
	cJSON_ArrayForEach(doc, list) {
		if (!cJSON_IsObject(doc))
			continue;
		rc = read_contact(doc, &v[count]);
		if (rc != MW_OK)
			break;
		if (v[count].id == 0) {
			contact_free(&v[count]);
			rc = MW_EINPUT;
			break;
		}
		count++;
	}
out:
	cJSON_Delete(root);
	if (rc != MW_OK) {
		for (i = 0; i < count; i++)
			contact_free(&v[i]);
		free(v);
		return rc;
	}
	*out = v;
	*n = count;
	return MW_OK;
}
