/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wptext.h - WordPress's text rules for user fields, so that what we store
 * is what wp_insert_user() would store.
 *
 * Every function writes a NUL-terminated result into a caller buffer and
 * returns MW_EINPUT when the result would not fit or is invalid.
 */
#ifndef MW_WPTEXT_H
#define MW_WPTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/err.h"

#define WPTEXT_LOGIN_MAX 60    /* wp_users.user_login, characters */
#define WPTEXT_NICENAME_MAX 50 /* wp_users.user_nicename */
#define WPTEXT_EMAIL_MAX 100   /* wp_users.user_email */
#define WPTEXT_URL_MAX 100     /* wp_users.user_url */
#define WPTEXT_DISPLAY_MAX 250 /* wp_users.display_name */

/* sanitize_user($in, true): strip tags, remove_accents (Latin letters to
 * ASCII as WordPress's table does), drop %XX octets and &entities;, keep
 * [A-Za-z0-9 _.@-], trim, collapse whitespace.  Then cut to 60 characters.
 * With lower (multisite), also lower-case and drop spaces.  MW_EINPUT when
 * nothing is left. */
enum mw_err wptext_sanitize_login(const char *in, bool lower, char *out,
				  size_t outsz) MW_MUST_CHECK;

/* user_nicename from a (sanitized) login: sanitize_title() in save
 * context, cut to 50 characters.  May be "" (MW_OK) for a login such as
 * "@", as WordPress stores it. */
enum mw_err wptext_nicename(const char *login, char *out,
			    size_t outsz) MW_MUST_CHECK;

/* The nicename with a collision suffix: mb_substr(nicename, 0,
 * 49 - strlen(suffix)) . "-" . suffix, as wp_insert_user()'s loop does. */
enum mw_err wptext_nicename_suffix(const char *nicename, unsigned suffix,
				   char *out, size_t outsz) MW_MUST_CHECK;

/* The display filters of display_name, first_name, last_name and nickname:
 * sanitize_text_field() (strip tags, collapse whitespace and line breaks,
 * trim, drop %XX octets; invalid UTF-8 blanks the whole value) then
 * _wp_specialchars() with ENT_NOQUOTES without double encoding (& < >). */
enum mw_err wptext_display(const char *in, char *out,
			   size_t outsz) MW_MUST_CHECK;

/* sanitize_text_field() alone: invalid UTF-8 gives "", a lone '<' becomes
 * &lt;, tags are stripped, line breaks, tabs and runs of blanks become one
 * space, %XX octets are removed, the result is trimmed.  MW_EINPUT when
 * the input is too long or the result does not fit. */
enum mw_err wptext_text_field(const char *in, char *out,
			      size_t outsz) MW_MUST_CHECK;

/* description: wp_filter_kses() with the pre_user_description rules:
 * WordPress's allowed inline tags kept, everything else removed, &
 * escaped (no double encoding).  MW_EINPUT for block comments
 * (<!-- wp:... -->, which WordPress rewrites through its block parser)
 * and for output that is not valid UTF-8. */
enum mw_err wptext_description(const char *in, char *out,
			       size_t outsz) MW_MUST_CHECK;

/* True when in is an e-mail address that is_email() accepts and that
 * sanitize_email() and the user_email filters store unchanged (so "a&b@x"
 * is refused: WordPress would store "a&amp;b@x"), at most 100 bytes. */
bool wptext_is_email(const char *in);

/* user_url: wp_strip_all_tags() then esc_url_raw(): http:// added when
 * there is no scheme, spaces to %20, & to &amp;, WordPress's allowed
 * protocols kept (http, https, ftp, mailto, tel, ...), a disallowed one
 * such as javascript: gives "" (MW_OK).  MW_EINPUT when longer than 100
 * characters. */
enum mw_err wptext_url(const char *in, char *out, size_t outsz) MW_MUST_CHECK;

#endif
