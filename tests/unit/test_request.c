/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_request.c - req_read_body(), req_parse() and req_signature() with a
 * struct cfg built here (access key "test-key-123").  Rows are GET unless
 * they say otherwise; every answer's message is checked for leaks of the
 * key, a wrong key or the secret.
 */
#include "request/request.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/contact.h"
#include "check.h"

#define KEY "test-key-123"
#define K "access_key=" KEY
#define FORM "application/x-www-form-urlencoded"
#define JSON "application/json"
#define A8 "aaaaaaaa"
#define A16 A8 A8
#define A64 A16 A16 A16 A16

#define SECRET_A "secret"
#define SECRET_B                                                               \
	"9d1f938ef80b754ca89ac1e2a794e6882d8b51c2eb41dbc39837664ef0eb28a5"
#define SIG_A "Jwz3HIFd4swNARoMRGVoldnEUmAEBrKgV6V0Q5gtZaQ="
#define SIG_B "StzuPLm8VzvxXnoWA9N0S8+nDh3PGpHkOYypusl8HF0="

/* Test vector A, a webhook body signed as Mautic signs it: 100 bytes. */
static const char body_a[] =
	"{\"mautic.lead_post_delete\":[{\"id\":7,\"contact\":{\"id\":null},"
	"\"timestamp\":\"2024-01-01T00:00:00+00:00\"}]}";

/* Test vector B, read from tests/data/webhook-vector-b.json (1060 bytes). */
static char *body_b;
static size_t body_b_len;

static char cfg_key[] = KEY;
static char cfg_secret_a[] = SECRET_A;
static char cfg_secret_b[] = SECRET_B;

static void
make_cfg(struct cfg *cfg, char *secret)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->access_key = cfg_key;
	cfg->secret = secret;
}

/* The message of an answer: set on error, never a secret. */
static bool
msg_is_clean(enum mw_err rc, const char *msg)
{
	static const char *const leaks[] = {
		KEY,   "test-key", "wrong-key",	   SECRET_B,
		SIG_A, SIG_B,	   "contactfield",
	};
	size_t i;

	if (rc != MW_OK && msg[0] == '\0')
		return false;
	for (i = 0; i < sizeof(leaks) / sizeof(leaks[0]); i++)
		if (strstr(msg, leaks[i]) != NULL)
			return false;
	return true;
}

struct row {
	const char *name;
	const char *method; /* NULL: GET */
	const char *query;
	const char *ctype;
	const char *hkey; /* X-Access-Key */
	const char *body;
	size_t bodysz; /* 0: strlen(body) */
	enum mw_err want;
	enum action action; /* checked when MW_OK */
	uint64_t contact;   /* checked when MW_OK */
};

static const struct row rows[] = {
	/* actions and ids */
	{.name = "req_get_test_needs_no_contact",
	 .query = "wpf_action=test&" K,
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_get_update_tags_reads_contact",
	 .query = "wpf_action=update_tags&contact_id=42&" K,
	 .want = MW_OK,
	 .action = ACTION_UPDATE_TAGS,
	 .contact = 42},
	{.name = "req_get_add",
	 .query = "wpf_action=add&contact_id=7&" K,
	 .want = MW_OK,
	 .action = ACTION_ADD,
	 .contact = 7},
	{.name = "req_get_update",
	 .query = K "&contact_id=9&wpf_action=update",
	 .want = MW_OK,
	 .action = ACTION_UPDATE,
	 .contact = 9},
	{.name = "req_action_is_case_insensitive",
	 .query = "wpf_action=UPDATE_TAGS&contact_id=42&" K,
	 .want = MW_OK,
	 .action = ACTION_UPDATE_TAGS,
	 .contact = 42},
	{.name = "req_action_mixed_case",
	 .query = "wpf_action=Test&" K,
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_test_keeps_a_given_contact",
	 .query = "wpf_action=test&contact_id=5&" K,
	 .want = MW_OK,
	 .action = ACTION_TEST,
	 .contact = 5},
	{.name = "req_contact_2p53_accepted",
	 .query = "wpf_action=update&contact_id=9007199254740992&" K,
	 .want = MW_OK,
	 .action = ACTION_UPDATE,
	 .contact = 9007199254740992ull},
	{.name = "req_contact_percent_encoded_digits",
	 .query = "wpf_action=update&contact_id=%34%32&" K,
	 .want = MW_OK,
	 .action = ACTION_UPDATE,
	 .contact = 42},
	{.name = "req_contact_unreplaced_token",
	 .query = "wpf_action=update&contact_id={contactfield=id}&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_encoded_unreplaced_token",
	 .query = "wpf_action=update&contact_id=%7Bcontactfield%3Did%7D&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_zero",
	 .query = "wpf_action=update&contact_id=0&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_negative",
	 .query = "wpf_action=update&contact_id=-5&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_fraction",
	 .query = "wpf_action=update&contact_id=1.5&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_2p53_plus_1",
	 .query = "wpf_action=update&contact_id=9007199254740993&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_empty",
	 .query = "wpf_action=update&contact_id=&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_leading_zero",
	 .query = "wpf_action=update&contact_id=042&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_plus_sign",
	 .query = "wpf_action=update&contact_id=%2B42&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_leading_space",
	 .query = "wpf_action=update&contact_id=+42&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_trailing_space",
	 .query = "wpf_action=update&contact_id=42%20&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_hex",
	 .query = "wpf_action=update&contact_id=0x2a&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_20_digits",
	 .query = "wpf_action=update&contact_id=18446744073709551617&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_missing_for_update_tags",
	 .query = "wpf_action=update_tags&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_missing_for_update",
	 .query = "wpf_action=update&" K,
	 .want = MW_EINPUT},
	{.name = "req_contact_missing_for_add",
	 .query = "wpf_action=add&" K,
	 .want = MW_EINPUT},
	{.name = "req_action_unknown",
	 .query = "wpf_action=delete&contact_id=1&" K,
	 .want = MW_EINPUT},
	{.name = "req_action_missing",
	 .query = "contact_id=1&" K,
	 .want = MW_EINPUT},
	{.name = "req_action_empty",
	 .query = "wpf_action=&contact_id=1&" K,
	 .want = MW_EINPUT},
	{.name = "req_action_without_equals",
	 .query = "wpf_action&contact_id=1&" K,
	 .want = MW_EINPUT},
	{.name = "req_action_prefix",
	 .query = "wpf_action=update_tag&contact_id=1&" K,
	 .want = MW_EINPUT},
	{.name = "req_action_trailing_space",
	 .query = "wpf_action=test%20&" K,
	 .want = MW_EINPUT},
	{.name = "req_action_list",
	 .query = "wpf_action=add,update&contact_id=1&" K,
	 .want = MW_EINPUT},

	/* the access key */
	{.name = "req_key_first_in_query",
	 .query = K "&wpf_action=test",
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_key_percent_encoded",
	 .query = "wpf_action=test&access_key=test%2Dkey%2D123",
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_header_key_accepted",
	 .query = "wpf_action=test",
	 .hkey = KEY,
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_header_key_preferred_over_wrong_param",
	 .query = "wpf_action=test&access_key=wrong-key-123",
	 .hkey = KEY,
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_wrong_header_key_beats_right_param",
	 .query = "wpf_action=test&" K,
	 .hkey = "wrong-key-123",
	 .want = MW_EAUTH},
	{.name = "req_empty_header_falls_back_to_param",
	 .query = "wpf_action=test&" K,
	 .hkey = "",
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_key_missing_is_403",
	 .query = "wpf_action=test",
	 .want = MW_EAUTH},
	{.name = "req_key_empty_is_403",
	 .query = "wpf_action=test&access_key=",
	 .want = MW_EAUTH},
	{.name = "req_key_wrong_is_403",
	 .query = "wpf_action=test&access_key=wrong-key-123",
	 .want = MW_EAUTH},
	{.name = "req_key_prefix_is_403",
	 .query = "wpf_action=test&access_key=test-key-12",
	 .want = MW_EAUTH},
	{.name = "req_key_one_char_is_403",
	 .query = "wpf_action=test&access_key=t",
	 .want = MW_EAUTH},
	{.name = "req_key_longer_is_403",
	 .query = "wpf_action=test&access_key=test-key-1234",
	 .want = MW_EAUTH},
	{.name = "req_key_other_case_is_403",
	 .query = "wpf_action=test&access_key=TEST-KEY-123",
	 .want = MW_EAUTH},
	{.name = "req_key_trailing_space_is_403",
	 .query = "wpf_action=test&access_key=test-key-123%20",
	 .want = MW_EAUTH},
	{.name = "req_header_key_prefix_is_403",
	 .query = "wpf_action=test",
	 .hkey = "test-key-12",
	 .want = MW_EAUTH},
	{.name = "req_header_key_longer_is_403",
	 .query = "wpf_action=test",
	 .hkey = "test-key-123 ",
	 .want = MW_EAUTH},
	{.name = "req_key_checked_before_action",
	 .query = "wpf_action=delete&access_key=wrong-key-123",
	 .want = MW_EAUTH},
	{.name = "req_key_checked_before_missing_action",
	 .query = "access_key=wrong-key-123",
	 .want = MW_EAUTH},
	{.name = "req_key_checked_before_contact",
	 .query = "wpf_action=update&contact_id={contactfield=id}&"
		  "access_key=wrong-key-123",
	 .want = MW_EAUTH},
	{.name = "req_key_checked_before_flags",
	 .query = "wpf_action=add&contact_id=1&send_notification=maybe",
	 .want = MW_EAUTH},

	/* methods and sizes */
	{.name = "req_put_is_405",
	 .method = "PUT",
	 .query = "wpf_action=test&" K,
	 .want = MW_EMETHOD},
	{.name = "req_delete_is_405",
	 .method = "DELETE",
	 .query = "wpf_action=test&" K,
	 .want = MW_EMETHOD},
	{.name = "req_head_is_405",
	 .method = "HEAD",
	 .query = "wpf_action=test&" K,
	 .want = MW_EMETHOD},
	{.name = "req_options_is_405",
	 .method = "OPTIONS",
	 .query = "wpf_action=test&" K,
	 .want = MW_EMETHOD},
	{.name = "req_lowercase_get_is_405",
	 .method = "get",
	 .query = "wpf_action=test&" K,
	 .want = MW_EMETHOD},
	{.name = "req_empty_method_is_405",
	 .method = "",
	 .query = "wpf_action=test&" K,
	 .want = MW_EMETHOD},
	{.name = "req_method_checked_before_key",
	 .method = "PUT",
	 .query = "wpf_action=test",
	 .want = MW_EMETHOD},

	/* form bodies */
	{.name = "req_post_form_body_overrides_query",
	 .method = "POST",
	 .query = "wpf_action=test&" K,
	 .ctype = FORM,
	 .body = "wpf_action=update&contact_id=7",
	 .want = MW_OK,
	 .action = ACTION_UPDATE,
	 .contact = 7},
	{.name = "req_post_body_contact_overrides_query_contact",
	 .method = "POST",
	 .query = "wpf_action=update&contact_id=1&" K,
	 .ctype = FORM,
	 .body = "contact_id=2",
	 .want = MW_OK,
	 .action = ACTION_UPDATE,
	 .contact = 2},
	{.name = "req_post_body_key_overrides_wrong_query_key",
	 .method = "POST",
	 .query = "wpf_action=test&access_key=wrong-key-123",
	 .ctype = FORM,
	 .body = K,
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_post_wrong_body_key_overrides_query_key",
	 .method = "POST",
	 .query = "wpf_action=test&" K,
	 .ctype = FORM,
	 .body = "access_key=wrong-key-123",
	 .want = MW_EAUTH},
	{.name = "req_post_form_with_charset",
	 .method = "POST",
	 .ctype = FORM "; charset=UTF-8",
	 .body = "wpf_action=test&" K,
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_post_form_type_any_case",
	 .method = "POST",
	 .ctype = "Application/X-WWW-Form-URLencoded",
	 .body = "wpf_action=test&" K,
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_post_without_body_needs_no_type",
	 .method = "POST",
	 .query = "wpf_action=test&" K,
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_post_text_plain_without_body_is_fine",
	 .method = "POST",
	 .query = "wpf_action=test&" K,
	 .ctype = "text/plain",
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_post_text_plain_body_refused",
	 .method = "POST",
	 .query = "wpf_action=test&" K,
	 .ctype = "text/plain",
	 .body = "hello",
	 .want = MW_EINPUT},
	{.name = "req_post_multipart_body_refused",
	 .method = "POST",
	 .query = "wpf_action=test&" K,
	 .ctype = "multipart/form-data; boundary=xyz",
	 .body = "--xyz\r\n\r\n--xyz--\r\n",
	 .want = MW_EINPUT},
	{.name = "req_post_body_without_type_refused",
	 .method = "POST",
	 .query = "wpf_action=test&" K,
	 .body = "contact_id=1",
	 .want = MW_EINPUT},
	{.name = "req_post_json_lookalike_type_refused",
	 .method = "POST",
	 .query = "wpf_action=test&" K,
	 .ctype = "application/jsonx",
	 .body = "{}",
	 .want = MW_EINPUT},
	{.name = "req_post_form_body_raw_nul_refused",
	 .method = "POST",
	 .query = "wpf_action=test&" K,
	 .ctype = FORM,
	 .body = "role=a\0b",
	 .bodysz = 8,
	 .want = MW_EINPUT},

	/* duplicates and hostile bytes */
	{.name = "req_duplicate_action_refused",
	 .query = "wpf_action=test&wpf_action=test&" K,
	 .want = MW_EINPUT},
	/* An unusable key is a wrong key: 403, like any other. */
	{.name = "req_duplicate_key_refused",
	 .query = "wpf_action=test&" K "&" K,
	 .want = MW_EAUTH},
	{.name = "req_duplicate_by_encoded_name_refused",
	 .query = "wpf%5Faction=test&wpf_action=test&" K,
	 .want = MW_EINPUT},
	{.name = "req_duplicate_contact_refused",
	 .query = "wpf_action=update&contact_id=1&contact_id=2&" K,
	 .want = MW_EINPUT},
	{.name = "req_duplicate_in_body_refused",
	 .method = "POST",
	 .query = "wpf_action=test&" K,
	 .ctype = FORM,
	 .body = "role=a&role=b",
	 .want = MW_EINPUT},
	{.name = "req_duplicate_unknown_param_ignored",
	 .query = "foo=1&foo=2&wpf_action=test&" K,
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_unknown_params_ignored",
	 .query = "utm_source=mautic&foo&=bar&&&x=%00&y=%ff&wpf_action=test&" K,
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_async_ignored",
	 .query = "async=banana&wpf_action=test&" K,
	 .want = MW_OK,
	 .action = ACTION_TEST},
	{.name = "req_nul_in_known_param_refused",
	 .query = "role=a%00b&wpf_action=test&" K,
	 .want = MW_EINPUT},
	{.name = "req_crlf_in_known_param_refused",
	 .query = "role=a%0d%0ab&wpf_action=test&" K,
	 .want = MW_EINPUT},
	{.name = "req_tab_in_known_param_refused",
	 .query = "role=a%09b&wpf_action=test&" K,
	 .want = MW_EINPUT},
	{.name = "req_invalid_utf8_in_known_param_refused",
	 .query = "role=%ff&wpf_action=test&" K,
	 .want = MW_EINPUT},
	{.name = "req_overlong_utf8_in_known_param_refused",
	 .query = "role=%c0%af&wpf_action=test&" K,
	 .want = MW_EINPUT},
	{.name = "req_newline_in_email_refused",
	 .query = "email=a%0a@b.c&wpf_action=test&" K,
	 .want = MW_EINPUT},
	{.name = "req_nul_in_key_refused",
	 .query = "wpf_action=test&access_key=test-key-123%00",
	 .want = MW_EAUTH},
	/* Other unusable values are only judged once the key is right. */
	{.name = "req_bad_value_without_key_is_403",
	 .query = "wpf_action=test%00&access_key=wrong-key-0",
	 .want = MW_EAUTH},
	{.name = "req_email_without_at_refused",
	 .query = "email=jane.example.com&wpf_action=test&" K,
	 .want = MW_EINPUT},
	{.name = "req_role_of_65_bytes_refused",
	 .query = "role=" A64 "a&wpf_action=test&" K,
	 .want = MW_EINPUT},
	{.name = "req_send_notification_maybe_refused",
	 .query = "send_notification=maybe&wpf_action=add&contact_id=1&" K,
	 .want = MW_EINPUT},
	{.name = "req_dry_run_maybe_refused",
	 .query = "dry_run=maybe&wpf_action=test&" K,
	 .want = MW_EINPUT},
};

static enum mw_err
run_row(const struct row *r, const struct cfg *cfg, struct request *req,
	char *msg, size_t msgsz)
{
	struct req_env env;
	size_t bodysz = 0;

	memset(&env, 0, sizeof(env));
	env.method = r->method ? r->method : "GET";
	env.query = r->query;
	env.content_type = r->ctype;
	env.access_key = r->hkey;
	if (r->body != NULL)
		bodysz = r->bodysz ? r->bodysz : strlen(r->body);
	return req_parse(&env, r->body, bodysz, cfg, req, msg, msgsz);
}

static void
test_rows(void)
{
	struct cfg cfg;
	size_t i;

	make_cfg(&cfg, NULL);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		struct request req;
		char msg[REQ_MSG_MAX];
		enum mw_err rc;
		bool ok;

		memset(msg, 'z', sizeof(msg));
		rc = run_row(r, &cfg, &req, msg, sizeof(msg));
		ok = rc == r->want;
		if (ok && rc == MW_OK)
			ok = req.action == r->action &&
			     req.contact_id == r->contact && !req.json &&
			     req.nevents == 0;
		CHECK(ok);
		CHECK(memchr(msg, '\0', sizeof(msg)) != NULL);
		CHECK(msg_is_clean(rc, msg));
		if (!ok)
			fprintf(stderr, "  row %s: rc %d (%s)\n", r->name,
				(int)rc, msg);
		req_free(&req);
	}
}

/* req_null_method_is_405 */
static void
test_null_method(void)
{
	struct cfg cfg;
	struct req_env env;
	struct request req;
	char msg[REQ_MSG_MAX];

	make_cfg(&cfg, NULL);
	memset(&env, 0, sizeof(env));
	env.query = "wpf_action=test&" K;
	CHECK(req_parse(&env, NULL, 0, &cfg, &req, msg, sizeof(msg)) ==
	      MW_EMETHOD);
	req_free(&req);
	/* req_null_query_is_empty */
	env.method = "GET";
	env.query = NULL;
	env.access_key = KEY;
	CHECK(req_parse(&env, NULL, 0, &cfg, &req, msg, sizeof(msg)) ==
	      MW_EINPUT);
	CHECK(msg_is_clean(MW_EINPUT, msg));
	req_free(&req);
	/* req_zero_sized_message_buffer_is_fine */
	env.query = "wpf_action=test";
	CHECK(req_parse(&env, NULL, 0, &cfg, &req, NULL, 0) == MW_OK);
	req_free(&req);
}

/* A flag parameter and what it must give. */
struct flag_row {
	const char *name;
	const char *query; /* appended to "wpf_action=add&contact_id=1&" K */
	enum mw_err want;
	bool notify;
	bool dry_run;
};

static const struct flag_row flag_rows[] = {
	{"flag_absent_is_false", "", MW_OK, false, false},
	{"flag_true", "&send_notification=true", MW_OK, true, false},
	{"flag_1", "&send_notification=1", MW_OK, true, false},
	{"flag_yes", "&send_notification=yes", MW_OK, true, false},
	{"flag_on", "&send_notification=on", MW_OK, true, false},
	{"flag_upper_true", "&send_notification=TRUE", MW_OK, true, false},
	{"flag_false", "&send_notification=false", MW_OK, false, false},
	{"flag_0", "&send_notification=0", MW_OK, false, false},
	{"flag_no", "&send_notification=no", MW_OK, false, false},
	{"flag_off", "&send_notification=off", MW_OK, false, false},
	{"flag_empty", "&send_notification=", MW_OK, false, false},
	{"flag_dry_run_1", "&dry_run=1", MW_OK, false, true},
	{"flag_both", "&dry_run=yes&send_notification=on", MW_OK, true, true},
	{"flag_maybe_refused", "&send_notification=maybe", MW_EINPUT, 0, 0},
	{"flag_2_refused", "&send_notification=2", MW_EINPUT, 0, 0},
	{"flag_t_refused", "&send_notification=t", MW_EINPUT, 0, 0},
	{"flag_blank_refused", "&send_notification=+", MW_EINPUT, 0, 0},
	{"flag_yes_blank_refused", "&send_notification=yes%20", MW_EINPUT, 0,
	 0},
	{"flag_dry_run_maybe_refused", "&dry_run=maybe", MW_EINPUT, 0, 0},
};

static void
test_flags(void)
{
	struct cfg cfg;
	size_t i;

	make_cfg(&cfg, NULL);
	for (i = 0; i < sizeof(flag_rows) / sizeof(flag_rows[0]); i++) {
		const struct flag_row *f = &flag_rows[i];
		struct row r;
		struct request req;
		char q[256], msg[REQ_MSG_MAX];
		enum mw_err rc;
		bool ok;

		snprintf(q, sizeof(q), "wpf_action=add&contact_id=1&" K "%s",
			 f->query);
		memset(&r, 0, sizeof(r));
		r.query = q;
		rc = run_row(&r, &cfg, &req, msg, sizeof(msg));
		ok = rc == f->want &&
		     (rc != MW_OK || (req.send_notification == f->notify &&
				      req.dry_run == f->dry_run));
		CHECK(ok);
		CHECK(msg_is_clean(rc, msg));
		if (!ok)
			fprintf(stderr, "  row %s: rc %d\n", f->name, (int)rc);
		req_free(&req);
	}
}

/* A text parameter (role, email) and what must come out. */
struct text_row {
	const char *name;
	const char *query; /* appended to "wpf_action=add&contact_id=1&" K */
	enum mw_err want;
	const char *role;  /* NULL: must be NULL */
	const char *email; /* NULL: must be NULL */
};

static const struct text_row text_rows[] = {
	{"text_role_slug", "&role=subscriber", MW_OK, "subscriber", NULL},
	{"text_role_display_name", "&role=Shop+Manager", MW_OK, "Shop Manager",
	 NULL},
	/* Role names are stored in English; other scripts are refused. */
	{"text_role_utf8_refused", "&role=R%C3%A9dacteur", MW_EINPUT, NULL,
	 NULL},
	{"text_role_empty_is_none", "&role=", MW_OK, NULL, NULL},
	{"text_role_of_64_bytes", "&role=" A64, MW_OK, A64, NULL},
	{"text_email", "&email=jane%40example.com", MW_OK, NULL,
	 "jane@example.com"},
	{"text_email_empty_is_none", "&email=", MW_OK, NULL, NULL},
	{"text_email_of_100_bytes", "&email=" A64 A16 A8 "@example.com", MW_OK,
	 NULL, A64 A16 A8 "@example.com"},
	{"text_email_of_101_bytes_refused",
	 "&email=" A64 A16 A8 "a@example.com", MW_EINPUT, NULL, NULL},
	{"text_email_without_at_refused", "&email=jane", MW_EINPUT, NULL, NULL},
	{"text_role_of_65_bytes_refused", "&role=" A64 "a", MW_EINPUT, NULL,
	 NULL},
	{"text_value_of_1025_bytes_refused", NULL, MW_EINPUT, NULL, NULL},
};

static void
test_texts(void)
{
	struct cfg cfg;
	size_t i;

	make_cfg(&cfg, NULL);
	for (i = 0; i < sizeof(text_rows) / sizeof(text_rows[0]); i++) {
		const struct text_row *t = &text_rows[i];
		struct row r;
		struct request req;
		char q[2048], msg[REQ_MSG_MAX];
		enum mw_err rc;
		bool ok;
		int n;

		n = snprintf(q, sizeof(q),
			     "wpf_action=add&contact_id=1&" K "%s",
			     t->query ? t->query : "&foo=1&role=");
		if (t->query == NULL) {
			/* a known parameter longer than REQ_VALUE_MAX */
			memset(q + n, 'r', 1025);
			q[n + 1025] = '\0';
		}
		memset(&r, 0, sizeof(r));
		r.query = q;
		rc = run_row(&r, &cfg, &req, msg, sizeof(msg));
		ok = rc == t->want;
		if (ok && rc == MW_OK)
			ok = (t->role ? req.role != NULL &&
						strcmp(req.role, t->role) == 0
				      : req.role == NULL) &&
			     (t->email
				      ? req.email != NULL &&
						strcmp(req.email, t->email) == 0
				      : req.email == NULL);
		CHECK(ok);
		CHECK(msg_is_clean(rc, msg));
		if (!ok)
			fprintf(stderr, "  row %s: rc %d\n", t->name, (int)rc);
		req_free(&req);
	}
}

/* req_query_limit_is_8_KiB */
static void
test_sizes(void)
{
	static const char head[] = "wpf_action=test&" K "&pad=";
	struct cfg cfg;
	struct req_env env;
	struct request req;
	char *q, *body, msg[REQ_MSG_MAX];

	make_cfg(&cfg, NULL);
	memset(&env, 0, sizeof(env));
	env.method = "GET";
	q = malloc(MW_QUERY_MAX + 2);
	CHECK(q != NULL);
	if (q == NULL)
		return;
	memcpy(q, head, sizeof(head) - 1);
	memset(q + sizeof(head) - 1, 'x', MW_QUERY_MAX - (sizeof(head) - 1));
	q[MW_QUERY_MAX] = '\0';
	env.query = q;
	/* req_query_of_8192_bytes_accepted */
	CHECK(req_parse(&env, NULL, 0, &cfg, &req, msg, sizeof(msg)) == MW_OK);
	req_free(&req);
	/* req_query_of_8193_bytes_is_413 */
	q[MW_QUERY_MAX] = 'x';
	q[MW_QUERY_MAX + 1] = '\0';
	CHECK(req_parse(&env, NULL, 0, &cfg, &req, msg, sizeof(msg)) ==
	      MW_ETOOBIG);
	CHECK(msg_is_clean(MW_ETOOBIG, msg));
	req_free(&req);
	free(q);

	/* req_body_over_4_MiB_is_413 (checked before anything is decoded) */
	body = calloc(1, MW_BODY_MAX + 2);
	CHECK(body != NULL);
	if (body == NULL)
		return;
	memset(body, 'a', MW_BODY_MAX + 1);
	env.method = "POST";
	env.query = "wpf_action=test&" K;
	env.content_type = FORM;
	CHECK(req_parse(&env, body, MW_BODY_MAX + 1, &cfg, &req, msg,
			sizeof(msg)) == MW_ETOOBIG);
	req_free(&req);
	/* req_body_of_4_MiB_is_decoded (one unknown parameter) */
	CHECK(req_parse(&env, body, MW_BODY_MAX, &cfg, &req, msg,
			sizeof(msg)) == MW_OK);
	req_free(&req);
	free(body);
}

/* A pipe holding data (write end closed); returns the read end or -1. */
static int
pipe_with(const char *data, size_t n)
{
	int fds[2];

	if (pipe(fds) != 0)
		return -1;
	if (n > 0 && write(fds[1], data, n) != (ssize_t)n) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	close(fds[1]);
	return fds[0];
}

struct body_row {
	const char *name;
	const char *method;
	const char *clen;
	const char *data; /* in the pipe */
	enum mw_err want;
	const char *body; /* expected, NULL when none */
};

static const struct body_row body_rows[] = {
	{"body_get_without_length", "GET", NULL, "", MW_OK, NULL},
	{"body_get_nginx_empty_length", "GET", "", "", MW_OK, NULL},
	{"body_post_empty_length", "POST", "", "", MW_OK, NULL},
	{"body_post_zero_length", "POST", "0", "", MW_OK, NULL},
	{"body_post_reads_length", "POST", "5", "hello", MW_OK, "hello"},
	{"body_post_reads_only_length", "POST", "5", "hello world", MW_OK,
	 "hello"},
	{"body_short_read_refused", "POST", "10", "abc", MW_EINPUT, NULL},
	{"body_length_at_limit_then_short", "POST", "4194304", "abc", MW_EINPUT,
	 NULL},
	{"body_length_text_refused", "POST", "abc", "abc", MW_EINPUT, NULL},
	{"body_length_negative_refused", "POST", "-1", "", MW_EINPUT, NULL},
	{"body_length_leading_blank_refused", "POST", " 5", "hello", MW_EINPUT,
	 NULL},
	{"body_length_trailing_blank_refused", "POST", "5 ", "hello", MW_EINPUT,
	 NULL},
	{"body_length_leading_zero_refused", "POST", "05", "hello", MW_EINPUT,
	 NULL},
	{"body_length_plus_refused", "POST", "+5", "hello", MW_EINPUT, NULL},
	{"body_length_4_MiB_plus_1_is_413", "POST", "4194305", "x", MW_ETOOBIG,
	 NULL},
	{"body_length_1_GB_is_413", "POST", "1000000000", "x", MW_ETOOBIG,
	 NULL},
	{"body_put_is_405", "PUT", "5", "hello", MW_EMETHOD, NULL},
	{"body_delete_is_405", "DELETE", NULL, "", MW_EMETHOD, NULL},
	{"body_head_is_405", "HEAD", "", "", MW_EMETHOD, NULL},
};

static void
test_read_body(void)
{
	size_t i;

	for (i = 0; i < sizeof(body_rows) / sizeof(body_rows[0]); i++) {
		const struct body_row *b = &body_rows[i];
		struct req_env env;
		char *body = (char *)"unset";
		size_t n = 99;
		enum mw_err rc;
		bool ok;
		int fd;

		memset(&env, 0, sizeof(env));
		env.method = b->method;
		env.content_length = b->clen;
		fd = pipe_with(b->data, strlen(b->data));
		CHECK(fd >= 0);
		if (fd < 0)
			continue;
		rc = req_read_body(&env, fd, &body, &n);
		close(fd);
		ok = rc == b->want;
		if (ok && b->body != NULL)
			ok = body != NULL && n == strlen(b->body) &&
			     memcmp(body, b->body, n) == 0 && body[n] == '\0';
		else if (ok)
			ok = body == NULL && n == 0;
		CHECK(ok);
		if (!ok)
			fprintf(stderr, "  row %s: rc %d\n", b->name, (int)rc);
		free(body);
	}
	/* body_length_of_23_digits_refused: 400 or 413, never read */
	{
		struct req_env env;
		char *body = NULL;
		size_t n = 0;
		enum mw_err rc;
		int fd = pipe_with("x", 1);

		memset(&env, 0, sizeof(env));
		env.method = "POST";
		env.content_length = "99999999999999999999999";
		rc = req_read_body(&env, fd, &body, &n);
		CHECK(rc == MW_EINPUT || rc == MW_ETOOBIG);
		CHECK(body == NULL && n == 0);
		close(fd);
	}
}

static void
test_signature(void)
{
	char out[64];

	/* req_signature_vector_a */
	req_signature(SECRET_A, body_a, sizeof(body_a) - 1, out);
	CHECK(sizeof(body_a) - 1 == 100);
	CHECK_STR(out, SIG_A);
	/* req_signature_vector_b */
	CHECK(body_b != NULL && body_b_len == 1060);
	if (body_b != NULL) {
		req_signature(SECRET_B, body_b, body_b_len, out);
		CHECK_STR(out, SIG_B);
	}
	/* req_signature_depends_on_secret */
	req_signature("secret2", body_a, sizeof(body_a) - 1, out);
	CHECK(strcmp(out, SIG_A) != 0 && strlen(out) == 44);
	/* req_signature_of_empty_body (NULL body) */
	req_signature(SECRET_A, NULL, 0, out);
	CHECK(strlen(out) == 44 && out[43] == '=');
}

/* A JSON POST; events are checked by the callers. */
static enum mw_err
post_json(const char *query, const char *sig, const char *body, size_t len,
	  char *secret, struct request *req, char *msg)
{
	struct cfg cfg;
	struct req_env env;

	make_cfg(&cfg, secret);
	memset(&env, 0, sizeof(env));
	env.method = "POST";
	env.query = query;
	env.content_type = JSON;
	env.signature = sig;
	return req_parse(&env, body, len, &cfg, req, msg, REQ_MSG_MAX);
}

struct json_row {
	const char *name;
	const char *query;
	char *secret;
	const char *sig;
	bool use_b; /* body B, else body A */
	enum mw_err want;
	bool signed_payload; /* when MW_OK */
};

static const struct json_row json_rows[] = {
	{"json_vector_a_verifies", "wpf_action=update&" K, cfg_secret_a, SIG_A,
	 false, MW_OK, true},
	{"json_vector_b_verifies", "wpf_action=update&" K, cfg_secret_b, SIG_B,
	 true, MW_OK, true},
	{"json_signature_blanks_trimmed", "wpf_action=update&" K, cfg_secret_a,
	 "  " SIG_A " ", false, MW_OK, true},
	{"json_without_secret_accepted_unsigned", "wpf_action=update&" K, NULL,
	 NULL, false, MW_OK, false},
	{"json_without_secret_ignores_signature", "wpf_action=update&" K, NULL,
	 "garbage", true, MW_OK, false},
	{"json_signature_missing_is_403", "wpf_action=update&" K, cfg_secret_a,
	 NULL, false, MW_EAUTH, false},
	{"json_signature_empty_is_403", "wpf_action=update&" K, cfg_secret_a,
	 "", false, MW_EAUTH, false},
	{"json_signature_of_other_body_is_403", "wpf_action=update&" K,
	 cfg_secret_b, SIG_A, true, MW_EAUTH, false},
	{"json_signature_with_other_secret_is_403", "wpf_action=update&" K,
	 cfg_secret_b, SIG_A, false, MW_EAUTH, false},
	{"json_signature_one_char_off_is_403", "wpf_action=update&" K,
	 cfg_secret_a, "Jwz3HIFd4swNARoMRGVoldnEUmAEBrKgV6V0Q5gtZaR=", false,
	 MW_EAUTH, false},
	{"json_signature_without_padding_is_403", "wpf_action=update&" K,
	 cfg_secret_a, "Jwz3HIFd4swNARoMRGVoldnEUmAEBrKgV6V0Q5gtZaQ", false,
	 MW_EAUTH, false},
	{"json_signature_prefix_is_403", "wpf_action=update&" K, cfg_secret_a,
	 "Jwz3", false, MW_EAUTH, false},
	{"json_signature_in_hex_is_403", "wpf_action=update&" K, cfg_secret_a,
	 "270cf71c815de2cc0d011a0c44656895d9c452600406b2a057a57443982d65a4",
	 false, MW_EAUTH, false},
	{"json_signature_checked_after_key",
	 "wpf_action=update&"
	 "access_key=wrong-key-123",
	 cfg_secret_a, SIG_A, false, MW_EAUTH, false},
	{"json_signature_checked_before_action", "wpf_action=nope&" K,
	 cfg_secret_a, "bad", false, MW_EAUTH, false},
	{"json_action_still_required", K, cfg_secret_a, SIG_A, false, MW_EINPUT,
	 false},
	{"json_contact_id_in_query_still_checked",
	 "wpf_action=update&contact_id=x&" K, cfg_secret_a, SIG_A, false,
	 MW_EINPUT, false},
};

static void
test_json_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(json_rows) / sizeof(json_rows[0]); i++) {
		const struct json_row *j = &json_rows[i];
		struct request req;
		char msg[REQ_MSG_MAX];
		enum mw_err rc;
		bool ok;

		if (j->use_b && body_b == NULL)
			continue;
		rc = post_json(j->query, j->sig, j->use_b ? body_b : body_a,
			       j->use_b ? body_b_len : sizeof(body_a) - 1,
			       j->secret, &req, msg);
		ok = rc == j->want;
		if (ok && rc == MW_OK)
			ok = req.json &&
			     req.signed_payload == j->signed_payload &&
			     req.action == ACTION_UPDATE &&
			     req.contact_id == 0 && req.nevents == 1;
		CHECK(ok);
		CHECK(msg_is_clean(rc, msg));
		if (!ok)
			fprintf(stderr, "  row %s: rc %d (%s)\n", j->name,
				(int)rc, msg);
		req_free(&req);
	}
}

/* The events a JSON body carries come out of req_parse. */
static void
test_json_events(void)
{
	struct request req;
	char msg[REQ_MSG_MAX], sig[64];
	const struct webhook_event *ev;
	static const char bad[] = "[{\"contact\":{\"id\":1}}]";
	static const char notjson[] = "{\"mautic.lead_post_save_update\":[";

	/* json_vector_a_is_one_delete */
	CHECK(post_json("wpf_action=update&" K, SIG_A, body_a,
			sizeof(body_a) - 1, cfg_secret_a, &req, msg) == MW_OK);
	CHECK(req.nevents == 1);
	if (req.nevents == 1) {
		ev = &req.events[0];
		CHECK(ev->kind == EVENT_DELETE);
		CHECK(ev->contact_id == 7);
		CHECK_STR(ev->type, "mautic.lead_post_delete");
	}
	req_free(&req);

	/* json_vector_b_is_contact_42 */
	if (body_b != NULL) {
		CHECK(post_json("wpf_action=update&contact_id=5&" K, "\t" SIG_B,
				body_b, body_b_len, cfg_secret_b, &req,
				msg) == MW_OK);
		CHECK(req.signed_payload && req.contact_id == 0);
		CHECK(req.nevents == 1);
		if (req.nevents == 1) {
			ev = &req.events[0];
			CHECK(ev->kind == EVENT_CONTACT);
			CHECK(ev->contact_id == 42);
			CHECK_STR(ev->type, "mautic.lead_post_save_update");
			CHECK(ev->contact.ntags == 1);
			if (ev->contact.ntags == 1)
				CHECK_STR(ev->contact.tags[0], "wp-member");
			CHECK_STR(contact_field(&ev->contact, "firstname"),
				  "J\xc3\xb6hn");
			CHECK_STR(contact_field(&ev->contact, "email"),
				  "jane.doe@example.com");
		}
		req_free(&req);
	}

	/* json_top_level_array_refused (signed, so the parser decides) */
	req_signature(SECRET_A, bad, sizeof(bad) - 1, sig);
	CHECK(post_json("wpf_action=update&" K, sig, bad, sizeof(bad) - 1,
			cfg_secret_a, &req, msg) == MW_EINPUT);
	CHECK(msg_is_clean(MW_EINPUT, msg));
	req_free(&req);
	/* json_truncated_refused (unsigned) */
	CHECK(post_json("wpf_action=update&" K, NULL, notjson,
			sizeof(notjson) - 1, NULL, &req, msg) == MW_EINPUT);
	req_free(&req);
	/* json_type_with_charset_accepted */
	{
		struct cfg cfg;
		struct req_env env;

		make_cfg(&cfg, cfg_secret_a);
		memset(&env, 0, sizeof(env));
		env.method = "POST";
		env.query = "wpf_action=update&" K;
		env.content_type = "Application/JSON; charset=utf-8";
		env.signature = SIG_A;
		CHECK(req_parse(&env, body_a, sizeof(body_a) - 1, &cfg, &req,
				msg, sizeof(msg)) == MW_OK);
		CHECK(req.json && req.nevents == 1);
		req_free(&req);
	}
	/* json_body_is_not_read_as_form: a key inside the JSON is ignored */
	{
		static const char kb[] = "{\"access_key\":\"" KEY "\"}";

		CHECK(post_json("wpf_action=update", NULL, kb, sizeof(kb) - 1,
				NULL, &req, msg) == MW_EAUTH);
		req_free(&req);
	}
}

static void
test_misc(void)
{
	struct request req;

	/* req_action_name_covers_every_action */
	CHECK_STR(req_action_name(ACTION_ADD), "add");
	CHECK_STR(req_action_name(ACTION_UPDATE), "update");
	CHECK_STR(req_action_name(ACTION_UPDATE_TAGS), "update_tags");
	CHECK_STR(req_action_name(ACTION_TEST), "test");
	CHECK_STR(req_action_name(ACTION__MAX), "?");
	/* the row builders' padding is what the row names say */
	CHECK(strlen(A64) == 64 && strlen(A64 A16 A8 "@example.com") == 100);
	/* req_free_accepts_null_and_zeroed */
	req_free(NULL);
	memset(&req, 0, sizeof(req));
	req_free(&req);
	req_free(&req);
}

int
main(void)
{
	body_b = check_read_data("webhook-vector-b.json", &body_b_len);
	CHECK(body_b != NULL);
	test_rows();
	test_null_method();
	test_flags();
	test_texts();
	test_sizes();
	test_read_body();
	test_signature();
	test_json_rows();
	test_json_events();
	test_misc();
	free(body_b);
	return CHECK_DONE();
}
