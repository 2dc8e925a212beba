/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_roles.c - the site's role table and the webhook security rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "formats/roles.h"

struct role_row {
	const char *find; /* slug or display name */
	const char *slug; /* expected slug, NULL = not found */
	int admin;	  /* expected admin_level */
	unsigned level;	  /* expected user_level */
};

static const struct role_row role_rows[] = {
	{"administrator", "administrator", 1, 10},
	{"Administrator", "administrator", 1, 10},
	{"editor", "editor", 1, 7}, /* unfiltered_html, moderate... */
	{"author", "author", 0, 2},
	{"Author", "author", 0, 2},
	{"contributor", "contributor", 0, 1},
	{"subscriber", "subscriber", 0, 0},
	{"Subscriber", "subscriber", 0, 0},
	{"subscriber ", NULL, 0, 0},
	{"SUBSCRIBER", NULL, 0, 0},
	{"", NULL, 0, 0},
	{"customer", NULL, 0, 0},
};

struct priv_row {
	const char *caps; /* a user's {prefix}capabilities value */
	int privileged;
	const char *role; /* first registered role, or NULL */
};

static const struct priv_row priv_rows[] = {
	{"a:1:{s:13:\"administrator\";b:1;}", 1, "administrator"},
	{"a:1:{s:6:\"editor\";b:1;}", 1, "editor"},
	{"a:1:{s:10:\"subscriber\";b:1;}", 0, "subscriber"},
	{"a:1:{s:6:\"author\";b:1;}", 0, "author"},
	{"a:1:{s:6:\"author\";b:0;}", 0, NULL}, /* not granted */
	{"a:2:{s:10:\"subscriber\";b:1;s:10:\"edit_users\";b:1;}", 1,
	 "subscriber"},
	{"a:2:{s:10:\"subscriber\";b:1;s:14:\"manage_options\";b:0;}", 0,
	 "subscriber"},
	{"a:1:{s:13:\"administrator\";s:1:\"1\";}", 1, "administrator"},
	{"a:0:{}", 0, NULL},
	{"s:3:\"abc\";", 0, NULL}, /* not an array: no caps */
	{"a:1:{s:13:\"administrator\";b:1;", 1,
	 NULL}, /* unreadable: privileged */
	{"O:8:\"stdClass\":0:{}", 1, NULL},
	{"a:1:{s:8:\"customer\";b:1;}", 0, NULL},
};

int
main(void)
{
	struct roles r;
	const char *allowed;
	size_t len = 0, i;
	char *ser = check_read_data("wp_user_roles.txt", &len);

	CHECK(ser != NULL);
	if (ser == NULL)
		return CHECK_DONE();
	CHECK(roles_parse(ser, len, &r) == MW_OK);
	CHECK(r.n == 5);
	for (i = 0; i < sizeof(role_rows) / sizeof(role_rows[0]); i++) {
		const struct role_row *row = &role_rows[i];
		const struct role *ro = roles_find(&r, row->find);

		if (row->slug == NULL) {
			CHECK(ro == NULL);
			continue;
		}
		CHECK(ro != NULL);
		if (ro == NULL)
			continue;
		CHECK_STR(ro->slug, row->slug);
		CHECK(ro->admin_level == (row->admin != 0));
		CHECK(ro->level == row->level);
	}

	/* roles_assignable: non-admin roles by default, the list otherwise. */
	allowed = NULL;
	CHECK(roles_assignable(allowed, roles_find(&r, "subscriber")));
	CHECK(roles_assignable(allowed, roles_find(&r, "author")));
	CHECK(!roles_assignable(allowed, roles_find(&r, "editor")));
	CHECK(!roles_assignable(allowed, roles_find(&r, "administrator")));
	CHECK(!roles_assignable(allowed, NULL));
	allowed = "subscriber , editor";
	CHECK(roles_assignable(allowed, roles_find(&r, "editor")));
	CHECK(roles_assignable(allowed, roles_find(&r, "subscriber")));
	CHECK(!roles_assignable(allowed, roles_find(&r, "author")));
	CHECK(!roles_assignable(allowed, roles_find(&r, "administrator")));
	allowed = "edit";
	CHECK(!roles_assignable(allowed, roles_find(&r, "editor")));

	for (i = 0; i < sizeof(priv_rows) / sizeof(priv_rows[0]); i++) {
		const struct priv_row *row = &priv_rows[i];
		const struct role *ro;

		CHECK(roles_user_is_privileged(&r, row->caps,
					       strlen(row->caps)) ==
		      (row->privileged != 0));
		ro = roles_user_role(&r, row->caps, strlen(row->caps));
		if (row->role == NULL)
			CHECK(ro == NULL);
		else
			CHECK(ro != NULL && strcmp(ro->slug, row->role) == 0);
	}
	CHECK(!roles_user_is_privileged(&r, NULL, 0));
	roles_free(&r);
	roles_free(&r);

	/* Invalid role tables are refused. */
	CHECK(roles_parse("s:1:\"a\";", 8, &r) == MW_EINPUT);
	CHECK(roles_parse("a:1:{i:0;s:1:\"a\";}", 17, &r) == MW_EINPUT);
	CHECK(roles_parse("a:1:{s:1:\"x\";a:0:{}}", 20, &r) == MW_EINPUT);
	CHECK(roles_parse("garbage", 7, &r) == MW_EINPUT);
	free(ser);
	return CHECK_DONE();
}
