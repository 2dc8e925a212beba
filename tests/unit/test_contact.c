/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_contact.c - contact_parse_rest() on Mautic's GET /api/contacts/{id}
 * document and contact_parse_webhook() on global-webhook bodies.
 * tests/data/contact-42.json is a contact document as Mautic 5 sends it:
 * compact, with "\/" and "\u00e9".
 */
#include "formats/contact.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "check.h"

#define ID_MAX 9007199254740992ull
#define A8 "aaaaaaaa"
#define A64 A8 A8 A8 A8 A8 A8 A8 A8

/* Copy s[0..len) into an exact-size allocation (no NUL after it), so that
 * a parser reading past len shows up under ASan. */
static char *
exact_copy(const char *s, size_t len)
{
	char *p = malloc(len ? len : 1);

	if (p != NULL)
		memcpy(p, s, len);
	return p;
}

static enum mw_err
parse_rest(const char *s, size_t len, struct contact *c)
{
	char *p = exact_copy(s, len);
	enum mw_err rc;

	memset(c, 0, sizeof(*c));
	if (p == NULL)
		return MW_ENOMEM;
	rc = contact_parse_rest(p, len, c);
	free(p);
	return rc;
}

static enum mw_err
parse_hook(const char *s, size_t len, struct webhook_event **evs, size_t *n)
{
	char *p = exact_copy(s, len);
	enum mw_err rc;

	*evs = NULL;
	*n = 0;
	if (p == NULL)
		return MW_ENOMEM;
	rc = contact_parse_webhook(p, len, evs, n);
	free(p);
	return rc;
}

static void
free_events(struct webhook_event *evs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		event_free(&evs[i]);
	free(evs);
}

static bool
has_tag(const struct contact *c, const char *tag)
{
	size_t i;

	for (i = 0; i < c->ntags; i++)
		if (strcmp(c->tags[i], tag) == 0)
			return true;
	return false;
}

/* contact_rest_reads_the_1_4_document */
static void
test_rest_document(void)
{
	struct contact c;
	size_t len = 0;
	char *doc = check_read_data("contact-42.json", &len);

	CHECK(doc != NULL);
	if (doc == NULL)
		return;
	CHECK(parse_rest(doc, len, &c) == MW_OK);
	CHECK(c.id == 42);
	CHECK(c.has_tags && c.ntags == 2);
	if (c.ntags == 2) {
		CHECK_STR(c.tags[0], "customer");
		CHECK_STR(c.tags[1], "wp-member");
	}
	CHECK(c.has_fields);
	CHECK_STR(contact_field(&c, "firstname"), "Jane");
	CHECK_STR(contact_field(&c, "lastname"), "Doe");
	CHECK_STR(contact_field(&c, "email"), "jane.doe@example.com");
	CHECK_STR(contact_field(&c, "points"), "12");
	CHECK_STR(contact_field(&c, "wp_user_id"), "1234");
	CHECK_STR(contact_field(&c, "lifetime_value"), "249.5");
	CHECK_STR(contact_field(&c, "newsletter_optin"), "1");
	CHECK_STR(contact_field(&c, "interests"), "news|events");
	CHECK_STR(contact_field(&c, "membership_level"), "gold");
	CHECK_STR(contact_field(&c, "birthday"), "1990-07-14");
	CHECK_STR(contact_field(&c, "trial_ends_at"), "2024-06-01 00:00:00");
	/* PHP escapes decoded: \/ and \u00e9 */
	CHECK_STR(contact_field(&c, "website"), "https://jane.example.com/");
	CHECK_STR(contact_field(&c, "company"),
		  "Soci\xc3\xa9t\xc3\xa9 Exemple");
	/* null values are present but NULL */
	CHECK(contact_has_field(&c, "title"));
	CHECK(contact_field(&c, "title") == NULL);
	CHECK(contact_has_field(&c, "twitter"));
	CHECK(contact_field(&c, "twitter") == NULL);
	/* fields.all's own "id" is not a field; unknown aliases are absent */
	CHECK(!contact_has_field(&c, "id"));
	CHECK(!contact_has_field(&c, "nosuchfield"));
	CHECK(contact_field(&c, "nosuchfield") == NULL);
	contact_free(&c);
	CHECK(c.tags == NULL && c.fields == NULL && c.ntags == 0);
	contact_free(&c);
	contact_free(NULL);

	/* contact_rest_refuses_truncated_document */
	CHECK(parse_rest(doc, len / 2, &c) == MW_EINPUT);
	contact_free(&c);
	CHECK(parse_rest(doc, len - 1, &c) == MW_EINPUT);
	contact_free(&c);
	free(doc);
}

/* A REST document, and the id and tags it must give. */
struct rest_row {
	const char *name;
	const char *json;
	enum mw_err want;
	uint64_t id;
	bool has_tags;
	size_t ntags;
	const char *tag0, *tag1; /* first tags, when ntags > 0 */
};

static const struct rest_row rest_rows[] = {
	{"rest_minimal_contact", "{\"contact\":{\"id\":1}}", MW_OK, 1, false, 0,
	 NULL, NULL},
	{"rest_tags_as_object",
	 "{\"contact\":{\"id\":7,\"tags\":{\"customer\":"
	 "{\"id\":3,\"tag\":\"customer\"},\"vip\":{\"id\":4,"
	 "\"tag\":\"vip\"}}}}",
	 MW_OK, 7, true, 2, "customer", "vip"},
	{"rest_id_as_string", "{\"contact\":{\"id\":\"42\"}}", MW_OK, 42, false,
	 0, NULL, NULL},
	{"rest_id_with_zero_fraction", "{\"contact\":{\"id\":100.0}}", MW_OK,
	 100, false, 0, NULL, NULL},
	/* A JSON number at 2^53 is refused: 2^53 + 1 reads as the same
	 * double, so the id would be ambiguous. */
	{"rest_id_2p53_number_is_ambiguous",
	 "{\"contact\":{\"id\":9007199254740992}}", MW_EINPUT, 0, false, 0,
	 NULL, NULL},
	{"rest_id_2p53_minus_1", "{\"contact\":{\"id\":9007199254740991}}",
	 MW_OK, ID_MAX - 1, false, 0, NULL, NULL},
	{"rest_id_2p53_as_string",
	 "{\"contact\":{\"id\":\"9007199254740992\"}}", MW_OK, ID_MAX, false, 0,
	 NULL, NULL},
	{"rest_empty_tags", "{\"contact\":{\"id\":1,\"tags\":[]}}", MW_OK, 1,
	 true, 0, NULL, NULL},
	{"rest_null_tags", "{\"contact\":{\"id\":1,\"tags\":null}}", MW_OK, 1,
	 true, 0, NULL, NULL},
	{"rest_legacy_empty_tag_items",
	 "{\"contact\":{\"id\":1,\"tags\":[[],{},{\"tag\":null}]}}", MW_OK, 1,
	 true, 0, NULL, NULL},
	{"rest_duplicate_tags_once",
	 "{\"contact\":{\"id\":1,\"tags\":[{\"tag\":"
	 "\"a\"},{\"tag\":\"b\"},{\"tag\":\"a\"}]}}",
	 MW_OK, 1, true, 2, "a", "b"},
	{"rest_empty_tag_name_skipped",
	 "{\"contact\":{\"id\":1,\"tags\":[{\"tag\":\"\"},{\"tag\":\"x\"}]}}",
	 MW_OK, 1, true, 1, "x", NULL},
	{"rest_utf8_tag_escaped",
	 "{\"contact\":{\"id\":1,\"tags\":[{\"tag\":"
	 "\"caf\\u00e9\"},{\"tag\":\"\\ud83d\\ude00\"}]}}",
	 MW_OK, 1, true, 2, "caf\xc3\xa9", "\xf0\x9f\x98\x80"},
	{"rest_blanks_around_document", " \r\n\t{\"contact\":{\"id\":3}}\n ",
	 MW_OK, 3, false, 0, NULL, NULL},
	{"rest_extra_keys_ignored",
	 "{\"contact\":{\"id\":5,\"owner\":{\"id\":1},\"ipAddresses\":{\"1.2.3."
	 "4\":{}},\"stage\":[]},\"extra\":[1,2,3]}",
	 MW_OK, 5, false, 0, NULL, NULL},

	{"rest_refuses_empty_input", "", MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_not_json", "not json", MW_EINPUT, 0, false, 0, NULL,
	 NULL},
	{"rest_refuses_html_error_page", "<html><body>502</body></html>",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_404_body",
	 "{\"errors\":[{\"code\":404,\"message\":\"Item was not found.\","
	 "\"details\":[],\"type\":null}]}",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_401_body",
	 "{\"errors\":[{\"message\":\"API authorization denied.\",\"code\":401,"
	 "\"type\":\"access_denied\"}]}",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_top_level_array", "[{\"contact\":{\"id\":1}}]",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_contact_as_array", "{\"contact\":[]}", MW_EINPUT, 0,
	 false, 0, NULL, NULL},
	{"rest_refuses_contact_null", "{\"contact\":null}", MW_EINPUT, 0, false,
	 0, NULL, NULL},
	{"rest_refuses_contact_without_id",
	 "{\"contact\":{\"fields\":{\"all\":{\"email\":\"a@b.c\"}}}}",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_null_id", "{\"contact\":{\"id\":null}}", MW_EINPUT, 0,
	 false, 0, NULL, NULL},
	{"rest_refuses_fractional_id", "{\"contact\":{\"id\":1.5}}", MW_EINPUT,
	 0, false, 0, NULL, NULL},
	{"rest_refuses_negative_id", "{\"contact\":{\"id\":-1}}", MW_EINPUT, 0,
	 false, 0, NULL, NULL},
	{"rest_refuses_zero_id", "{\"contact\":{\"id\":0}}", MW_EINPUT, 0,
	 false, 0, NULL, NULL},
	{"rest_refuses_id_2p53_plus_2",
	 "{\"contact\":{\"id\":9007199254740994}}", MW_EINPUT, 0, false, 0,
	 NULL, NULL},
	{"rest_refuses_huge_id", "{\"contact\":{\"id\":1e300}}", MW_EINPUT, 0,
	 false, 0, NULL, NULL},
	{"rest_refuses_id_string_2p53_plus_1",
	 "{\"contact\":{\"id\":\"9007199254740993\"}}", MW_EINPUT, 0, false, 0,
	 NULL, NULL},
	{"rest_refuses_id_string_with_junk", "{\"contact\":{\"id\":\"42x\"}}",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_id_string_with_blank", "{\"contact\":{\"id\":\" 42\"}}",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_id_bool", "{\"contact\":{\"id\":true}}", MW_EINPUT, 0,
	 false, 0, NULL, NULL},
	{"rest_refuses_id_object", "{\"contact\":{\"id\":{}}}", MW_EINPUT, 0,
	 false, 0, NULL, NULL},
	{"rest_refuses_tags_as_string",
	 "{\"contact\":{\"id\":1,\"tags\":\"customer\"}}", MW_EINPUT, 0, false,
	 0, NULL, NULL},
	{"rest_refuses_tags_as_number", "{\"contact\":{\"id\":1,\"tags\":3}}",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_nul_escape_in_tag",
	 "{\"contact\":{\"id\":1,\"tags\":[{\"tag\":\"wp-\\u0000member\"}]}}",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_nul_escape_in_key",
	 "{\"contact\":{\"id\":1,\"x\\u0000\":1}}", MW_EINPUT, 0, false, 0,
	 NULL, NULL},
	{"rest_refuses_lone_surrogate_in_tag",
	 "{\"contact\":{\"id\":1,\"tags\":[{\"tag\":\"\\ud800\"}]}}", MW_EINPUT,
	 0, false, 0, NULL, NULL},
	{"rest_refuses_invalid_utf8_in_tag",
	 "{\"contact\":{\"id\":1,\"tags\":[{\"tag\":\"\xff\"}]}}", MW_EINPUT, 0,
	 false, 0, NULL, NULL},
	{"rest_refuses_invalid_utf8_in_value",
	 "{\"contact\":{\"id\":1,\"fields\":{\"all\":{\"firstname\":\"\xc0\xaf\""
	 "}}}}",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_trailing_garbage", "{\"contact\":{\"id\":1}}x",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_two_documents",
	 "{\"contact\":{\"id\":1}}{\"contact\":{\"id\":2}}", MW_EINPUT, 0,
	 false, 0, NULL, NULL},
	{"rest_refuses_single_quotes", "{'contact':{'id':1}}", MW_EINPUT, 0,
	 false, 0, NULL, NULL},
	{"rest_refuses_trailing_comma", "{\"contact\":{\"id\":1,}}", MW_EINPUT,
	 0, false, 0, NULL, NULL},
	{"rest_refuses_document_cut_after_comma", "{\"contact\":{\"id\":1,",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_refuses_field_alias_of_65_bytes",
	 "{\"contact\":{\"id\":1,\"fields\":{\"all\":{\"" A64 "a\":\"x\"}}}}",
	 MW_EINPUT, 0, false, 0, NULL, NULL},
	{"rest_accepts_field_alias_of_64_bytes",
	 "{\"contact\":{\"id\":1,\"fields\":{\"all\":{\"" A64 "\":\"x\"}}}}",
	 MW_OK, 1, false, 0, NULL, NULL},
};

static void
test_rest_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(rest_rows) / sizeof(rest_rows[0]); i++) {
		const struct rest_row *r = &rest_rows[i];
		struct contact c;
		enum mw_err rc;
		bool ok;

		rc = parse_rest(r->json, strlen(r->json), &c);
		ok = rc == r->want;
		if (ok && rc == MW_OK)
			ok = c.id == r->id && c.has_tags == r->has_tags &&
			     c.ntags == r->ntags &&
			     (r->ntags < 1 ||
			      strcmp(c.tags[0], r->tag0) == 0) &&
			     (r->ntags < 2 || strcmp(c.tags[1], r->tag1) == 0);
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  row %s: rc %d\n", r->name, (int)rc);
		contact_free(&c);
	}
}

/* contact_rest_raw_nul_refused: a NUL byte inside the given length */
static void
test_rest_nul(void)
{
	static const char doc[] = "{\"contact\":{\"id\":1}}\0";
	static const char instr[] = "{\"contact\":{\"id\":1,\"x\":\"a\0b\"}}";
	struct contact c;

	CHECK(parse_rest(doc, sizeof(doc) - 1, &c) == MW_EINPUT);
	contact_free(&c);
	CHECK(parse_rest(instr, sizeof(instr) - 1, &c) == MW_EINPUT);
	contact_free(&c);
}

/* contact_rest_field_values_as_php_prints_them */
static void
test_rest_values(void)
{
	static const char doc[] =
		"{\"contact\":{\"id\":9,\"fields\":{\"all\":{\"id\":9,"
		"\"int\":12,\"neg\":-3,\"float\":249.5,\"zero_frac\":100.0,"
		"\"tenth\":0.1,\"yes\":true,\"no\":false,\"null\":null,"
		"\"empty\":\"\",\"list\":[1,2],\"obj\":{\"a\":1},"
		"\"ctl\":\"a\\tb\\nc\",\"int\":13}}}}";
	struct contact c;

	CHECK(parse_rest(doc, sizeof(doc) - 1, &c) == MW_OK);
	CHECK_STR(contact_field(&c, "int"), "12"); /* first one wins */
	CHECK_STR(contact_field(&c, "neg"), "-3");
	CHECK_STR(contact_field(&c, "float"), "249.5");
	CHECK_STR(contact_field(&c, "zero_frac"), "100");
	CHECK_STR(contact_field(&c, "tenth"), "0.1");
	CHECK_STR(contact_field(&c, "yes"), "1");
	CHECK_STR(contact_field(&c, "no"), "");
	CHECK(contact_has_field(&c, "null") && !contact_field(&c, "null"));
	CHECK_STR(contact_field(&c, "empty"), "");
	/* arrays and objects are not storable: present as NULL */
	CHECK(contact_field(&c, "list") == NULL);
	CHECK(contact_field(&c, "obj") == NULL);
	CHECK_STR(contact_field(&c, "ctl"), "a\tb\nc");
	CHECK(!contact_has_field(&c, "id"));
	contact_free(&c);
}

/* contact_rest_groups_when_there_is_no_all: webhook-shaped fields */
static void
test_rest_groups(void)
{
	static const char doc[] =
		"{\"contact\":{\"id\":5,\"fields\":{\"core\":{\"email\":{\"id\":"
		"\"6\",\"alias\":\"email\",\"type\":\"email\",\"value\":\"a@b.c\"},"
		"\"odd_key\":{\"alias\":\"firstname\",\"value\":\"Ann\"},"
		"\"nickname\":{\"value\":\"Annie\"},\"junk\":5},"
		"\"social\":[],\"personal\":[],\"professional\":{}}}}";
	struct contact c;

	CHECK(parse_rest(doc, sizeof(doc) - 1, &c) == MW_OK);
	CHECK_STR(contact_field(&c, "email"), "a@b.c");
	/* the item's alias names the field, else its key */
	CHECK_STR(contact_field(&c, "firstname"), "Ann");
	CHECK_STR(contact_field(&c, "nickname"), "Annie");
	CHECK(!contact_has_field(&c, "junk"));
	contact_free(&c);
}

/* Build head + n copies of item joined by sep + tail; a "%d" in item
 * becomes the copy's number (1..n).  Caller frees. */
static char *
build(const char *head, const char *item, int n, const char *sep,
      const char *tail, size_t *len)
{
	const char *d = strstr(item, "%d");
	size_t pre = d ? (size_t)(d - item) : strlen(item);
	struct buf b;
	char *out;
	int i;

	buf_init(&b, 16u << 20);
	if (buf_addstr(&b, head) != MW_OK)
		goto fail;
	for (i = 1; i <= n; i++) {
		if (i > 1 && buf_addstr(&b, sep) != MW_OK)
			goto fail;
		if (buf_add(&b, item, pre) != MW_OK ||
		    (d != NULL && (buf_printf(&b, "%d", i) != MW_OK ||
				   buf_addstr(&b, d + 2) != MW_OK)))
			goto fail;
	}
	if (buf_addstr(&b, tail) != MW_OK)
		goto fail;
	out = buf_detach(&b, len);
	buf_free(&b);
	return out;
fail:
	buf_free(&b);
	return NULL;
}

/* Counts and depths at and past the caps. */
static void
test_rest_limits(void)
{
	struct contact c;
	char *doc;
	size_t len;
	int depth;

	/* rest_accepts_1000_tags */
	doc = build("{\"contact\":{\"id\":1,\"tags\":[", "{\"tag\":\"t%d\"}",
		    1000, ",", "]}}", &len);
	CHECK(doc != NULL && parse_rest(doc, len, &c) == MW_OK);
	CHECK(c.ntags == 1000);
	contact_free(&c);
	free(doc);
	/* rest_refuses_1001_tags */
	doc = build("{\"contact\":{\"id\":1,\"tags\":[", "{\"tag\":\"t%d\"}",
		    1001, ",", "]}}", &len);
	CHECK(doc != NULL && parse_rest(doc, len, &c) == MW_EINPUT);
	contact_free(&c);
	free(doc);
	/* rest_1001_tags_with_duplicates_are_1000 */
	doc = build("{\"contact\":{\"id\":1,\"tags\":[{\"tag\":\"t1\"},",
		    "{\"tag\":\"t%d\"}", 1000, ",", "]}}", &len);
	CHECK(doc != NULL && parse_rest(doc, len, &c) == MW_OK);
	CHECK(c.ntags == 1000);
	contact_free(&c);
	free(doc);
	/* rest_refuses_tag_over_764_bytes, accepts 764 */
	{
		char tag[800];
		char json[900];
		int n;

		memset(tag, 'x', sizeof(tag));
		tag[764] = '\0';
		n = snprintf(json, sizeof(json),
			     "{\"contact\":{\"id\":1,\"tags\":[{\"tag\":\"%s\"}"
			     "]}}",
			     tag);
		CHECK(parse_rest(json, (size_t)n, &c) == MW_OK);
		CHECK(c.ntags == 1);
		contact_free(&c);
		tag[764] = 'x';
		tag[765] = '\0';
		n = snprintf(json, sizeof(json),
			     "{\"contact\":{\"id\":1,\"tags\":[{\"tag\":\"%s\"}"
			     "]}}",
			     tag);
		CHECK(parse_rest(json, (size_t)n, &c) == MW_EINPUT);
		contact_free(&c);
	}
	/* rest_nesting: 32 levels in all are fine, 33 and 40 are not */
	for (depth = 32; depth <= 40; depth += (depth == 33 ? 7 : 1)) {
		struct buf b;
		enum mw_err want = depth <= 32 ? MW_OK : MW_EINPUT;
		int i;

		buf_init(&b, 4096);
		/* "{" + "\"contact\":{" = 2 levels, then depth - 2 arrays */
		buf_addstr(&b, "{\"contact\":{\"id\":1,\"x\":");
		for (i = 0; i < depth - 2; i++)
			buf_addstr(&b, "[");
		for (i = 0; i < depth - 2; i++)
			buf_addstr(&b, "]");
		buf_addstr(&b, "}}");
		CHECK(parse_rest(b.p, b.len, &c) == want);
		contact_free(&c);
		buf_free(&b);
	}
	/* rest_brackets_inside_strings_do_not_count */
	doc = build("{\"contact\":{\"id\":1,\"x\":\"", "[[[[{{{{%d", 10, ",",
		    "\"}}", &len);
	CHECK(doc != NULL && parse_rest(doc, len, &c) == MW_OK);
	contact_free(&c);
	free(doc);
	/* rest_deep_nesting_past_cjson_limit_refused (no stack blowup) */
	doc = build("{\"contact\":{\"id\":1,\"x\":", "[", 100000, "", "", &len);
	CHECK(doc != NULL && parse_rest(doc, len, &c) == MW_EINPUT);
	contact_free(&c);
	free(doc);
}

/* A webhook body, how many events it must give and the first one. */
struct hook_row {
	const char *name;
	const char *json;
	enum mw_err want;
	size_t n;
	enum event_kind kind; /* of evs[0] */
	uint64_t id;	      /* of evs[0] */
	const char *type;     /* of evs[0] */
};

#define ITEM(id)                                                               \
	"{\"contact\":{\"id\":" #id                                            \
	"},\"timestamp\":\"2024-05-02T09:00:00+00:00\"}"

static const struct hook_row hook_rows[] = {
	{"hook_empty_object_is_no_events", "{}", MW_OK, 0, 0, 0, NULL},
	{"hook_one_update", "{\"mautic.lead_post_save_update\":[" ITEM(5) "]}",
	 MW_OK, 1, EVENT_CONTACT, 5, "mautic.lead_post_save_update"},
	{"hook_mautic2_lead_key",
	 "{\"mautic.lead_post_save_update\":[{\"lead\":{\"id\":6,\"tags\":[]}}]}",
	 MW_OK, 1, EVENT_CONTACT, 6, "mautic.lead_post_save_update"},
	{"hook_contact_preferred_over_lead",
	 "{\"mautic.lead_post_save_update\":[{\"lead\":{\"id\":6},\"contact\":"
	 "{\"id\":7}}]}",
	 MW_OK, 1, EVENT_CONTACT, 7, "mautic.lead_post_save_update"},
	{"hook_id_as_string",
	 "{\"mautic.lead_points_change\":[{\"contact\":{\"id\":\"8\"}}]}",
	 MW_OK, 1, EVENT_CONTACT, 8, "mautic.lead_points_change"},
	{"hook_test_payload_timestamp_skipped",
	 "{\"mautic.lead_post_save_new\":[{\"contact\":{\"id\":1,\"tags\":[[]],"
	 "\"fields\":{\"core\":{\"email\":{\"alias\":\"email\",\"value\":"
	 "\"x@y.z\"}}}}}],\"timestamp\":\"2024-05-02T08:30:01+00:00\"}",
	 MW_OK, 1, EVENT_CONTACT, 1, "mautic.lead_post_save_new"},
	{"hook_delete_uses_item_id",
	 "{\"mautic.lead_post_delete\":[{\"id\":57,\"contact\":{\"id\":null,"
	 "\"fields\":{\"core\":[]}},\"timestamp\":\"2024-05-02T09:02:00+00:00\""
	 "}]}",
	 MW_OK, 1, EVENT_DELETE, 57, "mautic.lead_post_delete"},
	{"hook_update_beats_later_delete",
	 "{\"mautic.lead_post_save_update\":[" ITEM(
		 9) "],"
		    "\"mautic.lead_post_delete\":[{\"id\":9,\"contact\":{\"id\":null},"
		    "\"timestamp\":\"2024-05-02T10:00:00+00:00\"}]}",
	 MW_OK, 1, EVENT_CONTACT, 9, "mautic.lead_post_save_update"},
	{"hook_update_beats_earlier_delete",
	 "{\"mautic.lead_post_delete\":[{\"id\":9,\"contact\":{\"id\":null},"
	 "\"timestamp\":\"2024-05-02T08:00:00+00:00\"}],"
	 "\"mautic.lead_post_save_update\":[" ITEM(9) "]}",
	 MW_OK, 1, EVENT_CONTACT, 9, "mautic.lead_post_save_update"},
	{"hook_form_submit_lead",
	 "{\"mautic.form_on_submit\":[{\"submission\":{\"id\":311,\"lead\":{"
	 "\"id\":42},\"results\":{\"email\":\"a@b.c\"}}}]}",
	 MW_OK, 1, EVENT_CONTACT, 42, "mautic.form_on_submit"},
	{"hook_email_open_stat_lead",
	 "{\"mautic.email_on_open\":[{\"stat\":{\"id\":1,\"lead\":{\"id\":43}}}]}",
	 MW_OK, 1, EVENT_CONTACT, 43, "mautic.email_on_open"},
	{"hook_page_hit_lead",
	 "{\"mautic.page_on_hit\":[{\"hit\":{\"id\":1,\"lead\":{\"id\":44}}}]}",
	 MW_OK, 1, EVENT_CONTACT, 44, "mautic.page_on_hit"},
	{"hook_items_without_contact_skipped",
	 "{\"mautic.company_post_save\":[{\"company\":{\"id\":3}}],"
	 "\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":null}},{\"foo\""
	 ":1},5,\"x\",null,[],{\"contact\":[]},{\"contact\":{}}]}",
	 MW_OK, 0, 0, 0, NULL},
	{"hook_non_mautic_keys_skipped",
	 "{\"other.event\":[" ITEM(
		 1) "],\"contact\":{\"id\":2},\"mautic.x\":{"
		    "\"contact\":{\"id\":3}},\"mautic.y\":\"z\"}",
	 MW_OK, 0, 0, 0, NULL},
	{"hook_same_time_later_item_wins",
	 "{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":4,\"tags\":[{"
	 "\"tag\":\"first\"}]}},{\"contact\":{\"id\":4,\"tags\":[{\"tag\":"
	 "\"second\"}]}}]}",
	 MW_OK, 1, EVENT_CONTACT, 4, "mautic.lead_post_save_update"},

	{"hook_refuses_top_level_array", "[]", MW_EINPUT, 0, 0, 0, NULL},
	{"hook_refuses_array_of_events",
	 "[{\"mautic.lead_post_save_update\":[" ITEM(1) "]}]", MW_EINPUT, 0, 0,
	 0, NULL},
	{"hook_refuses_null", "null", MW_EINPUT, 0, 0, 0, NULL},
	{"hook_refuses_number", "42", MW_EINPUT, 0, 0, 0, NULL},
	{"hook_refuses_string", "\"mautic\"", MW_EINPUT, 0, 0, 0, NULL},
	{"hook_refuses_empty_input", "", MW_EINPUT, 0, 0, 0, NULL},
	{"hook_refuses_blank_input", "  \n", MW_EINPUT, 0, 0, 0, NULL},
	{"hook_refuses_truncated",
	 "{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":1}",
	 MW_EINPUT, 0, 0, 0, NULL},
	{"hook_refuses_trailing_garbage", "{}}", MW_EINPUT, 0, 0, 0, NULL},
	{"hook_refuses_fractional_contact_id",
	 "{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":1.5}}]}",
	 MW_EINPUT, 0, 0, 0, NULL},
	{"hook_refuses_negative_contact_id",
	 "{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":-1}}]}",
	 MW_EINPUT, 0, 0, 0, NULL},
	{"hook_refuses_bad_delete_id",
	 "{\"mautic.lead_post_delete\":[{\"id\":\"abc\",\"contact\":{\"id\":"
	 "null}}]}",
	 MW_EINPUT, 0, 0, 0, NULL},
	{"hook_refuses_tags_as_string",
	 "{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":1,\"tags\":"
	 "\"a\"}}]}",
	 MW_EINPUT, 0, 0, 0, NULL},
	{"hook_refuses_nul_escape",
	 "{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":1,\"tags\":[{"
	 "\"tag\":\"\\u0000\"}]}}]}",
	 MW_EINPUT, 0, 0, 0, NULL},
};

static void
test_hook_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(hook_rows) / sizeof(hook_rows[0]); i++) {
		const struct hook_row *r = &hook_rows[i];
		struct webhook_event *evs;
		size_t n;
		enum mw_err rc;
		bool ok;

		rc = parse_hook(r->json, strlen(r->json), &evs, &n);
		ok = rc == r->want;
		if (ok && rc == MW_OK)
			ok = n == r->n &&
			     (n == 0 || (evs[0].kind == r->kind &&
					 evs[0].contact_id == r->id &&
					 evs[0].type != NULL &&
					 strcmp(evs[0].type, r->type) == 0));
		if (ok && rc != MW_OK)
			ok = evs == NULL && n == 0;
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  row %s: rc %d n %zu\n", r->name,
				(int)rc, n);
		free_events(evs, n);
	}
}

/* hook_vector_b: the signed example body of 4.3 */
static void
test_hook_vector_b(void)
{
	struct webhook_event *evs;
	size_t n, len = 0;
	char *body = check_read_data("webhook-vector-b.json", &len);

	CHECK(body != NULL && len == 1060);
	if (body == NULL)
		return;
	CHECK(parse_hook(body, len, &evs, &n) == MW_OK);
	CHECK(n == 1);
	if (n == 1) {
		CHECK(evs[0].kind == EVENT_CONTACT);
		CHECK(evs[0].contact_id == 42 && evs[0].contact.id == 42);
		CHECK_STR(evs[0].type, "mautic.lead_post_save_update");
		CHECK(evs[0].contact.has_tags && evs[0].contact.ntags == 1);
		CHECK(has_tag(&evs[0].contact, "wp-member"));
		CHECK_STR(contact_field(&evs[0].contact, "firstname"),
			  "J\xc3\xb6hn");
		CHECK_STR(contact_field(&evs[0].contact, "email"),
			  "jane.doe@example.com");
	}
	free_events(evs, n);
	free(body);
}

/* hook_vector_a: a delete whose contact id is null */
static void
test_hook_vector_a(void)
{
	static const char body[] =
		"{\"mautic.lead_post_delete\":[{\"id\":7,\"contact\":{\"id\":"
		"null},\"timestamp\":\"2024-01-01T00:00:00+00:00\"}]}";
	struct webhook_event *evs;
	size_t n;

	CHECK(parse_hook(body, sizeof(body) - 1, &evs, &n) == MW_OK);
	CHECK(n == 1);
	if (n == 1) {
		CHECK(evs[0].kind == EVENT_DELETE);
		CHECK(evs[0].contact_id == 7);
		CHECK(evs[0].contact.id == 0);
	}
	free_events(evs, n);
}

#define CONTACT(id, extra) "{\"contact\":{\"id\":" #id extra "},\"timestamp\":"
#define FIRST(name)                                                            \
	",\"fields\":{\"core\":{\"firstname\":{\"alias\":\"firstname\","       \
	"\"value\":\"" name "\"}}}"
#define TAGS(t) ",\"tags\":[{\"id\":1,\"tag\":\"" t "\"}]"

/* Queue mode: 3 event types, 12 items, 9 contacts. */
static const char batch[] =
	"{\"mautic.lead_post_save_update\":[" CONTACT(1, FIRST("Newest")) "\"2024-05-02T09:10:00+00:00\"}," CONTACT(2, FIRST("Two-save")) "\"2024-05-02T09:00:00+00:00\"}," CONTACT(3, TAGS("old")) "\"2024-05-02T09:00:00+00:00\"}," CONTACT(
		4,
		"") "\"2024-05-02T09:00:00+00:00\"}," CONTACT(5,
							      "") "\"2024-05-02T09:00:00+00:00\"}],"
								  "\"mautic.lead_points_change\":["
								  "{\"points\":{\"old_points\":1,\"new_points\":2},\"contact\":{\"id\":3" TAGS("new") "},\"timestamp\":\"2024-05-02T09:05:00+00:00\"}," CONTACT(
									  6,
									  "") "\"2024-05-02T09:00:00+00:00\"}," CONTACT(7,
															"") "\"2024-05-02T09:00:00+00:00\"},"
	/* 10:30+02:00 is 08:30Z: older than the save above */
	CONTACT(2,
		FIRST("Two-points")) "\"2024-05-02T10:30:00+02:00\"}],"
				     "\"mautic.lead_channel_subscription_changed\":[" CONTACT(
					     1,
					     FIRST("Older")) "\"2024-05-02T09:00:00+00:00\","
							     "\"channel\":\"email\",\"old_status\":\"contactable\","
							     "\"new_status\":\"unsubscribed\"}," CONTACT(8, "") "\"2024-05-02T09:00:00+00:00\"}," CONTACT(
								     9,
								     "") "\"2024-05-02T09:00:00+00:00\"}]}";

static const struct webhook_event *
find_event(const struct webhook_event *evs, size_t n, uint64_t id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (evs[i].contact_id == id)
			return &evs[i];
	return NULL;
}

/* hook_batch_one_event_per_contact_newest_wins */
static void
test_hook_batch(void)
{
	struct webhook_event *evs;
	const struct webhook_event *e;
	size_t n, i, j;
	uint64_t id;

	CHECK(parse_hook(batch, sizeof(batch) - 1, &evs, &n) == MW_OK);
	CHECK(n == 9);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			CHECK(evs[i].contact_id != evs[j].contact_id);
	for (id = 1; id <= 9; id++)
		CHECK(find_event(evs, n, id) != NULL);
	e = find_event(evs, n, 1);
	if (e != NULL) {
		CHECK_STR(e->type, "mautic.lead_post_save_update");
		CHECK_STR(contact_field(&e->contact, "firstname"), "Newest");
	}
	e = find_event(evs, n, 2);
	if (e != NULL) {
		CHECK_STR(e->type, "mautic.lead_post_save_update");
		CHECK_STR(contact_field(&e->contact, "firstname"), "Two-save");
	}
	e = find_event(evs, n, 3);
	if (e != NULL) {
		CHECK_STR(e->type, "mautic.lead_points_change");
		CHECK(e->contact.ntags == 1 && has_tag(&e->contact, "new"));
	}
	e = find_event(evs, n, 8);
	if (e != NULL)
		CHECK_STR(e->type, "mautic.lead_channel_subscription_changed");
	free_events(evs, n);
}

/* hook_fresh_contact_variant: int ids, decoded properties, "" values */
static void
test_hook_fresh(void)
{
	static const char body[] =
		"{\"mautic.lead_post_save_new\":[{\"contact\":{\"isPublished\":"
		"true,\"id\":61,\"points\":0,\"fields\":{\"core\":{\"email\":{"
		"\"id\":6,\"group\":\"core\",\"label\":\"Email\",\"alias\":"
		"\"email\",\"type\":\"email\",\"properties\":[],\"value\":"
		"\"new@example.com\",\"normalizedValue\":\"new@example.com\"},"
		"\"firstname\":{\"id\":2,\"group\":\"core\",\"label\":\"First "
		"Name\",\"alias\":\"firstname\",\"type\":\"text\",\"properties\":"
		"{\"placeholder\":\"\"},\"value\":\"\",\"normalizedValue\":\"\"},"
		"\"points\":{\"id\":9,\"group\":\"core\",\"label\":\"Points\","
		"\"alias\":\"points\",\"type\":\"number\",\"properties\":[],"
		"\"value\":0,\"normalizedValue\":0},\"optin\":{\"id\":70,"
		"\"alias\":\"optin\",\"type\":\"boolean\",\"properties\":{\"no\":"
		"\"No\",\"yes\":\"Yes\"},\"value\":true}},\"social\":[],"
		"\"personal\":[],\"professional\":[]},\"tags\":[],\"stage\":[],"
		"\"utmtags\":{},\"frequencyRules\":{}},\"timestamp\":"
		"\"2023-03-01T12:00:00+01:00\"}]}";
	struct webhook_event *evs;
	size_t n;

	CHECK(parse_hook(body, sizeof(body) - 1, &evs, &n) == MW_OK);
	CHECK(n == 1);
	if (n == 1) {
		const struct contact *c = &evs[0].contact;

		CHECK(evs[0].contact_id == 61);
		CHECK(c->has_tags && c->ntags == 0);
		CHECK_STR(contact_field(c, "email"), "new@example.com");
		CHECK(contact_has_field(c, "firstname"));
		CHECK_STR(contact_field(c, "firstname"), "");
		CHECK_STR(contact_field(c, "points"), "0");
		CHECK_STR(contact_field(c, "optin"), "1");
	}
	free_events(evs, n);
}

/* hook_event_cap: 500 distinct contacts pass, 501 do not; repeats of one
 * contact do not count */
static void
test_hook_limits(void)
{
	struct webhook_event *evs = NULL;
	size_t n = 0, len;
	char *body;

	body = build("{\"mautic.lead_post_save_update\":[",
		     "{\"contact\":{\"id\":%d}}", 500, ",", "]}", &len);
	CHECK(body != NULL && parse_hook(body, len, &evs, &n) == MW_OK);
	CHECK(n == 500);
	free_events(evs, n);
	free(body);

	body = build("{\"mautic.lead_post_save_update\":[",
		     "{\"contact\":{\"id\":%d}}", 501, ",", "]}", &len);
	CHECK(body != NULL && parse_hook(body, len, &evs, &n) == MW_EINPUT);
	CHECK(evs == NULL && n == 0);
	free_events(evs, n);
	free(body);

	body = build("{\"mautic.lead_post_save_update\":[",
		     "{\"contact\":{\"id\":1,\"x\":%d}}", 2000, ",", "]}",
		     &len);
	CHECK(body != NULL && parse_hook(body, len, &evs, &n) == MW_OK);
	CHECK(n == 1);
	free_events(evs, n);
	free(body);

	/* hook_refuses_deep_nesting */
	body = build("{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":"
		     "1,\"x\":",
		     "[", 40, "", "", &len);
	CHECK(body != NULL && parse_hook(body, len, &evs, &n) == MW_EINPUT);
	free_events(evs, n);
	free(body);
}

/* hook_ties_and_missing_timestamps: equal or absent times, later wins */
static void
test_hook_ties(void)
{
	static const char same[] =
		"{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":4,"
		"\"tags\":[{\"tag\":\"first\"}]},\"timestamp\":\"2024-05-02T"
		"09:00:00+00:00\"},{\"contact\":{\"id\":4,\"tags\":[{\"tag\":"
		"\"second\"}]},\"timestamp\":\"2024-05-02T09:00:00+00:00\"}]}";
	static const char older_later[] =
		"{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":4,"
		"\"tags\":[{\"tag\":\"first\"}]},\"timestamp\":\"2024-05-02T"
		"09:00:00Z\"},{\"contact\":{\"id\":4,\"tags\":[{\"tag\":"
		"\"second\"}]},\"timestamp\":\"2024-05-02T08:59:59Z\"}]}";
	static const char untimed[] =
		"{\"mautic.lead_post_save_update\":[{\"contact\":{\"id\":4,"
		"\"tags\":[{\"tag\":\"first\"}]}},{\"contact\":{\"id\":4,"
		"\"tags\":[{\"tag\":\"second\"}]},\"timestamp\":\"garbage\"}]}";
	struct webhook_event *evs;
	size_t n;

	CHECK(parse_hook(same, sizeof(same) - 1, &evs, &n) == MW_OK);
	CHECK(n == 1 && has_tag(&evs[0].contact, "second"));
	free_events(evs, n);
	CHECK(parse_hook(older_later, sizeof(older_later) - 1, &evs, &n) ==
	      MW_OK);
	CHECK(n == 1 && has_tag(&evs[0].contact, "first"));
	free_events(evs, n);
	CHECK(parse_hook(untimed, sizeof(untimed) - 1, &evs, &n) == MW_OK);
	CHECK(n == 1 && has_tag(&evs[0].contact, "second"));
	free_events(evs, n);
}

static void
test_misc(void)
{
	struct webhook_event ev;

	CHECK(strlen(A64) == 64);
	/* event_free_accepts_null_and_zeroed */
	event_free(NULL);
	memset(&ev, 0, sizeof(ev));
	event_free(&ev);
	event_free(&ev);
}

int
main(void)
{
	test_rest_document();
	test_rest_rows();
	test_rest_nul();
	test_rest_values();
	test_rest_groups();
	test_rest_limits();
	test_hook_rows();
	test_hook_vector_a();
	test_hook_vector_b();
	test_hook_batch();
	test_hook_ties();
	test_hook_fresh();
	test_hook_limits();
	test_misc();
	return CHECK_DONE();
}
