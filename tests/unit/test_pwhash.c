/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_pwhash.c - unit tests for formats/pwhash.c.
 *
 * WordPress's own hashes of known passwords (checked with PHP 8.2:
 * password_verify, hash_hmac, sodium_crypto_generichash and phpass's
 * crypt_private), tables of fixed-salt hashes and of pwhash_check() cases
 * that must pass or fail, then trimming, the length limit, fresh random
 * hashes, wp_generate_password() and the reset keys.
 */
#include "formats/pwhash.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define PW_E_ACUTE "P@ss w0rd!\xc3\xa9" /* "P@ss w0rd!é" in UTF-8 */
#define WP_PASSWORD                                                            \
	"$wp$2y$10$abcdefghijklmnopqrstuumEoo.ju1cwQjKzeYRkDL5edk3VdeiFy"
#define WP_HORSE                                                               \
	"$wp$2y$10$ABCDEFGHIJKLMNOPQRSTUuYODUl5gyOTTN0wmMQjT0axXIafWtxEq"
#define WP_ACUTE                                                               \
	"$wp$2y$12$0123456789./abcdefghieLNXiT6CNZj0FknW9rr4n/X3.ZiJwn8u"
#define P_PASSWORD "$P$BabcdefghEP1Dc925xipBv72nvZxoc1"
#define BCRYPT_PASSWORD                                                        \
	"$2y$10$abcdefghijklmnopqrstuu5Lo0g67CiD3M4RpN1BmBb4Crp5w7dbK"
#define MD5_PASSWORD "5f4dcc3b5aa765d61d8327deb882cf99"

/* One pwhash_hash_salt() case. */
struct hash_row {
	const char *name;	   /* the behaviour */
	enum pwhash_scheme scheme; /* which hash */
	const char *pw;		   /* password as given */
	const char *salt;	   /* 8 or 22 chars */
	unsigned cost;		   /* bcrypt cost; ignored for phpass */
	enum mw_err rc;		   /* expected result */
	const char *want;	   /* expected hash when rc is MW_OK */
};

#define HASH_OK(name, s, pw, salt, cost, want)                                 \
	{                                                                      \
		name, s, pw, salt, cost, MW_OK, want                           \
	}
#define HASH_BAD(name, s, pw, salt, cost)                                      \
	{                                                                      \
		name, s, pw, salt, cost, MW_EINPUT, NULL                       \
	}

static const struct hash_row hash_rows[] = {
	HASH_OK("phpass_hashes_password", PWHASH_PHPASS, "password", "abcdefgh",
		0, P_PASSWORD),
	HASH_OK("phpass_hashes_passphrase", PWHASH_PHPASS,
		"correct horse battery staple", "Zz9./AbC", 0,
		"$P$BZz9./AbCCn5DvAYUAPka7CWjZPRnq0"),
	HASH_OK("phpass_hashes_utf8", PWHASH_PHPASS, PW_E_ACUTE, "12345678", 0,
		"$P$B12345678ZUuhATWupV4ynGkAG9XnA0"),
	HASH_OK("phpass_hashes_reset_key", PWHASH_PHPASS,
		"abcdefghij0123456789", "saltsalt", 0,
		"$P$BsaltsaltmiHy.0CLzWXRH68YyWVzQ1"),
	HASH_OK("phpass_hashes_empty_password", PWHASH_PHPASS, "", "emptyemp",
		0, "$P$BemptyempQLRQTdWBz6GTC.yEHujKX/"),
	HASH_OK("phpass_ignores_cost", PWHASH_PHPASS, "password", "abcdefgh",
		12, P_PASSWORD),
	HASH_OK("wp_hashes_password", PWHASH_WP_BCRYPT, "password",
		"abcdefghijklmnopqrstuu", 10, WP_PASSWORD),
	HASH_OK("wp_hashes_passphrase", PWHASH_WP_BCRYPT,
		"correct horse battery staple", "ABCDEFGHIJKLMNOPQRSTUu", 10,
		WP_HORSE),
	HASH_OK("wp_hashes_utf8_cost_12", PWHASH_WP_BCRYPT, PW_E_ACUTE,
		"0123456789./abcdefghie", 12, WP_ACUTE),
	HASH_BAD("phpass_rejects_short_salt", PWHASH_PHPASS, "pw", "abcdefg",
		 0),
	HASH_BAD("phpass_rejects_long_salt", PWHASH_PHPASS, "pw", "abcdefghi",
		 0),
	HASH_BAD("phpass_rejects_salt_outside_alphabet", PWHASH_PHPASS, "pw",
		 "abcd$fgh", 0),
	HASH_BAD("wp_rejects_short_salt", PWHASH_WP_BCRYPT, "pw",
		 "abcdefghijklmnopqrstu", 10),
	HASH_BAD("wp_rejects_long_salt", PWHASH_WP_BCRYPT, "pw",
		 "abcdefghijklmnopqrstuuu", 10),
	HASH_BAD("wp_rejects_noncanonical_last_salt_char", PWHASH_WP_BCRYPT,
		 "pw", "abcdefghijklmnopqrstuv", 10),
	HASH_BAD("wp_rejects_salt_outside_alphabet", PWHASH_WP_BCRYPT, "pw",
		 "abcdefghijklm+opqrstuu", 10),
	HASH_BAD("wp_rejects_cost_3", PWHASH_WP_BCRYPT, "pw",
		 "abcdefghijklmnopqrstuu", 3),
	HASH_BAD("wp_rejects_cost_32", PWHASH_WP_BCRYPT, "pw",
		 "abcdefghijklmnopqrstuu", 32),
};

/* One pwhash_check() case. */
struct check_row {
	const char *name; /* the behaviour */
	const char *pw;	  /* password as submitted */
	const char *hash; /* stored user_pass */
	bool want;	  /* must it verify? */
};

#define ACCEPT(name, pw, hash)                                                 \
	{                                                                      \
		name, pw, hash, true                                           \
	}
#define REJECT(name, pw, hash)                                                 \
	{                                                                      \
		name, pw, hash, false                                          \
	}

static const struct check_row check_rows[] = {
	ACCEPT("check_accepts_phpass", "password", P_PASSWORD),
	ACCEPT("check_accepts_phpass_utf8", PW_E_ACUTE,
	       "$P$B12345678ZUuhATWupV4ynGkAG9XnA0"),
	ACCEPT("check_accepts_phpbb_prefix", "password",
	       "$H$BabcdefghEP1Dc925xipBv72nvZxoc1"),
	ACCEPT("check_accepts_phpass_cost_7", "password",
	       "$P$5abcdefghTirbPJao7vjX0d/TOtGeU/"),
	ACCEPT("check_accepts_phpass_cost_8", "password",
	       "$P$6abcdefghBdnOAcTo80p/1Y9Dg8kIb."),
	ACCEPT("check_accepts_wp", "password", WP_PASSWORD),
	ACCEPT("check_accepts_wp_passphrase", "correct horse battery staple",
	       WP_HORSE),
	ACCEPT("check_accepts_wp_cost_12", PW_E_ACUTE, WP_ACUTE),
	ACCEPT("check_accepts_plain_bcrypt", "password", BCRYPT_PASSWORD),
	ACCEPT("check_accepts_md5_hex", "password", MD5_PASSWORD),
	ACCEPT("check_accepts_md5crypt", "password",
	       "$1$saltsalt$qjXMvbEw8oaL.CzflDtaK/"),
	ACCEPT("check_accepts_sha256crypt", "password",
	       "$5$saltsaltsaltsalt$WsFBeg1qQ90JL3VkUTuM7xVV/5njhLngIVm6ftSnBR2"),
	ACCEPT("check_accepts_sha256crypt_rounds", "password",
	       "$5$rounds=5000$saltsaltsaltsalt$"
	       "WsFBeg1qQ90JL3VkUTuM7xVV/5njhLngIVm6ftSnBR2"),
	ACCEPT("check_accepts_sha512crypt", "password",
	       "$6$saltsaltsaltsalt$bcXJ8qxwY5sQ4v8MTl.0B1jeZ0z0JlA9jjmbUoCJZ."
	       "1wYXiLTU.q2ILyrDJLm890lyfuF7sWAeli0yjOyFPkf0"),
	REJECT("check_rejects_wrong_phpass", "Password", P_PASSWORD),
	REJECT("check_rejects_untrimmed_phpass", " password", P_PASSWORD),
	REJECT("check_rejects_wrong_wp", "passwor", WP_PASSWORD),
	REJECT("check_rejects_wrong_plain_bcrypt", "password1",
	       BCRYPT_PASSWORD),
	REJECT("check_rejects_wrong_md5", "passwort", MD5_PASSWORD),
	REJECT("check_rejects_wrong_sha512crypt", "pass",
	       "$6$saltsaltsaltsalt$bcXJ8qxwY5sQ4v8MTl.0B1jeZ0z0JlA9jjmbUoCJZ."
	       "1wYXiLTU.q2ILyrDJLm890lyfuF7sWAeli0yjOyFPkf0"),
	REJECT("check_rejects_uppercase_md5", "password",
	       "5F4DCC3B5AA765D61D8327DEB882CF99"),
	REJECT("check_rejects_short_md5", "password",
	       "5f4dcc3b5aa765d61d8327deb882cf9"),
	REJECT("check_rejects_phpass_with_trailing_char", "password",
	       P_PASSWORD "x"),
	REJECT("check_rejects_truncated_phpass", "password",
	       "$P$BabcdefghEP1Dc925xipBv72nvZxoc"),
	REJECT("check_rejects_phpass_cost_6", "password",
	       "$P$4abcdefghEP1Dc925xipBv72nvZxoc1"),
	REJECT("check_rejects_phpass_cost_31", "password",
	       "$P$TabcdefghEP1Dc925xipBv72nvZxoc1"),
	REJECT("check_rejects_phpass_bad_cost_char", "password",
	       "$P$!abcdefghEP1Dc925xipBv72nvZxoc1"),
	REJECT("check_rejects_wp_on_raw_password", "password",
	       "$wp" BCRYPT_PASSWORD),
	REJECT("check_rejects_bcrypt_without_wp_prefix", "password",
	       &WP_PASSWORD[3]),
	REJECT("check_rejects_wp_with_trailing_char", "password",
	       WP_PASSWORD "."),
	REJECT("check_rejects_wp_phpass", "password", "$wp" P_PASSWORD),
	REJECT("check_rejects_empty_hash", "password", ""),
	REJECT("check_rejects_empty_password_empty_hash", "", ""),
	REJECT("check_rejects_star0", "password", "*0"),
	REJECT("check_rejects_star1", "password", "*1"),
	REJECT("check_rejects_dollar", "", "$"),
	REJECT("check_rejects_bare_prefixes", "password", "$P$B$wp$2y$"),
	REJECT("check_rejects_star_padding", "password",
	       "*0000000000000000000000000000000000000000"),
	REJECT("check_rejects_bcrypt_cost_3", "password",
	       "$2y$03$abcdefghijklmnopqrstuu5Lo0g67CiD3M4RpN1BmBb4Crp5w7dbK"),
	REJECT("check_rejects_bcrypt_bad_salt", "password",
	       "$2y$10$!!!!!!!!!!!!!!!!!!!!!!5Lo0g67CiD3M4RpN1BmBb4Crp5w7dbK"),
	REJECT("check_rejects_bcrypt_short", "password",
	       "$2y$10$abcdefghijklmnopqrstuu5Lo0g67"),
	REJECT("check_rejects_wp_short", "password",
	       "$wp$2y$10$abcdefghijklmnopqrstuu"),
	REJECT("check_rejects_unknown_prefix", "password",
	       "$9$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"),
	REJECT("check_rejects_plain_text", "correct horse battery staple",
	       "correct horse battery staple!!!!!!"),
	REJECT("check_rejects_control_bytes", "password",
	       "$2y$10$\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d"
	       "\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a"),
	REJECT("check_rejects_high_bytes", "password",
	       "$wp\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2"
	       "\xf1\xf0\xef\xee\xed\xec\xeb\xea\xe9\xe8\xe7\xe6\xe5\xe4\xe3"
	       "\xe2\xe1\xe0"),
};

/* Record one check and name the case when it fails. */
static void
run_hash_row(const struct hash_row *r)
{
	char out[PWHASH_MAX];
	enum mw_err rc;

	memset(out, '#', sizeof(out));
	out[sizeof(out) - 1] = '\0';
	rc = pwhash_hash_salt(r->scheme, r->pw, r->salt, r->cost, out,
			      sizeof(out));
	CHECK_CASE(r->name, rc == r->rc);
	if (r->rc == MW_OK) {
		CHECK_CASE(r->name, rc == MW_OK && strcmp(out, r->want) == 0);
		CHECK_CASE(r->name, pwhash_check(r->pw, r->want));
	} else {
		CHECK_CASE(r->name, out[0] == '#'); /* untouched on error */
	}
}

static void
test_hash_rows(void)
{
	size_t i;

	for (i = 0; i < sizeof(hash_rows) / sizeof(hash_rows[0]); i++)
		run_hash_row(&hash_rows[i]);
}

static void
test_check_rows(void)
{
	const struct check_row *r;
	size_t i;

	for (i = 0; i < sizeof(check_rows) / sizeof(check_rows[0]); i++) {
		r = &check_rows[i];
		CHECK_CASE(r->name, pwhash_check(r->pw, r->hash) == r->want);
	}
}

/* Hashes built at run time: huge, at the column limit, NULL. */
static void
test_check_garbage(void)
{
	size_t n = 100000;
	char *big = malloc(n + 1);

	CHECK(big != NULL);
	if (big == NULL)
		return;
	memset(big, 'x', n);
	big[n] = '\0';
	CHECK_CASE("check_rejects_huge_hash", !pwhash_check("password", big));
	memcpy(big, "$wp", 3);
	CHECK_CASE("check_rejects_huge_wp_hash", !pwhash_check("x", big));
	memcpy(big, BCRYPT_PASSWORD, strlen(BCRYPT_PASSWORD));
	CHECK_CASE("check_rejects_bcrypt_with_huge_tail",
		   !pwhash_check("password", big));
	big[255] = '\0';
	CHECK_CASE("check_rejects_255_char_hash",
		   !pwhash_check("password", big));
	memset(big, '$', 255);
	CHECK_CASE("check_rejects_all_dollars", !pwhash_check("", big));
	free(big);
	CHECK_CASE("check_rejects_null_hash", !pwhash_check("password", NULL));
	CHECK_CASE("check_rejects_null_password",
		   !pwhash_check(NULL, P_PASSWORD));
}

/* A password is PHP-trim()med before hashing, and only at its ends. */
static void
test_trim(void)
{
	static const char *const same[] = {
		"secret",
		" secret ",
		"\t\n\r\vsecret\v\r\n\t ",
		"secret   ",
	};
	static const char *const differ[] = {"se cret", "Secret", "secret\f",
					     "\xa0secret"};
	char base[2][PWHASH_MAX], h[PWHASH_MAX];
	size_t i;

	CHECK(pwhash_hash_salt(PWHASH_PHPASS, "secret", "abcdefgh", 0, base[0],
			       PWHASH_MAX) == MW_OK);
	CHECK(pwhash_hash_salt(PWHASH_WP_BCRYPT, "secret",
			       "abcdefghijklmnopqrstuu", 4, base[1],
			       PWHASH_MAX) == MW_OK);
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		CHECK(pwhash_hash_salt(PWHASH_PHPASS, same[i], "abcdefgh", 0, h,
				       sizeof(h)) == MW_OK);
		CHECK_CASE("phpass_trims_password", strcmp(h, base[0]) == 0);
		CHECK(pwhash_hash_salt(PWHASH_WP_BCRYPT, same[i],
				       "abcdefghijklmnopqrstuu", 4, h,
				       sizeof(h)) == MW_OK);
		CHECK_CASE("wp_trims_password", strcmp(h, base[1]) == 0);
	}
	for (i = 0; i < sizeof(differ) / sizeof(differ[0]); i++) {
		CHECK(pwhash_hash_salt(PWHASH_PHPASS, differ[i], "abcdefgh", 0,
				       h, sizeof(h)) == MW_OK);
		CHECK_CASE("phpass_keeps_inner_and_other_bytes",
			   strcmp(h, base[0]) != 0);
	}
	CHECK(pwhash_hash_salt(PWHASH_PHPASS, " \t ", "emptyemp", 0, h,
			       sizeof(h)) == MW_OK);
	CHECK_STR(h, "$P$BemptyempQLRQTdWBz6GTC.yEHujKX/");
	CHECK_CASE("check_accepts_trimmed_password_of_untrimmed_hash",
		   pwhash_check("secret", base[0]) &&
			   pwhash_check("secret", base[1]));
}

/* 4096 bytes are hashed, 4097 refused (before trimming, as WP 6.8). */
static void
test_length_limit(void)
{
	char *pw = malloc(PWHASH_PW_MAX + 2);
	char h[PWHASH_MAX];

	CHECK(pw != NULL);
	if (pw == NULL)
		return;
	memset(pw, 'a', PWHASH_PW_MAX + 1);
	pw[PWHASH_PW_MAX] = '\0';
	CHECK_CASE("phpass_accepts_4096_bytes",
		   pwhash_hash(PWHASH_PHPASS, pw, h, sizeof(h)) == MW_OK &&
			   pwhash_check(pw, h));
	CHECK_CASE("wp_accepts_4096_bytes",
		   pwhash_hash_salt(PWHASH_WP_BCRYPT, pw,
				    "abcdefghijklmnopqrstuu", 4, h,
				    sizeof(h)) == MW_OK &&
			   pwhash_check(pw, h));
	pw[PWHASH_PW_MAX] = 'a';
	pw[PWHASH_PW_MAX + 1] = '\0';
	CHECK_CASE("check_rejects_4097_bytes", !pwhash_check(pw, h));
	CHECK_CASE("phpass_rejects_4097_bytes",
		   pwhash_hash(PWHASH_PHPASS, pw, h, sizeof(h)) == MW_EINPUT);
	CHECK_CASE("wp_rejects_4097_bytes",
		   pwhash_hash(PWHASH_WP_BCRYPT, pw, h, sizeof(h)) ==
			   MW_EINPUT);
	CHECK_CASE("hash_salt_rejects_4097_bytes",
		   pwhash_hash_salt(PWHASH_PHPASS, pw, "abcdefgh", 0, h,
				    sizeof(h)) == MW_EINPUT);
	memset(pw + PWHASH_PW_MAX - 8, ' ', 9);
	CHECK_CASE("rejects_4097_bytes_even_if_trim_would_shorten",
		   pwhash_hash(PWHASH_PHPASS, pw, h, sizeof(h)) == MW_EINPUT);
	free(pw);
}

/* Fresh salts: two hashes of one password differ and both verify. */
static void
test_random_hashes(void)
{
	static const struct {
		enum pwhash_scheme scheme;
		const char *prefix;
		size_t len;
	} s[] = {
		{PWHASH_PHPASS, "$P$B", 34},
		{PWHASH_WP_BCRYPT, "$wp$2y$10$", 63},
	};
	char a[PWHASH_MAX], b[PWHASH_MAX];
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		CHECK(pwhash_hash(s[i].scheme, " s3cret! ", a, sizeof(a)) ==
		      MW_OK);
		CHECK(pwhash_hash(s[i].scheme, "s3cret!", b, sizeof(b)) ==
		      MW_OK);
		CHECK(strlen(a) == s[i].len && strlen(b) == s[i].len);
		CHECK(strncmp(a, s[i].prefix, strlen(s[i].prefix)) == 0);
		CHECK(strncmp(b, s[i].prefix, strlen(s[i].prefix)) == 0);
		CHECK(strcmp(a, b) != 0);
		CHECK(pwhash_check("s3cret!", a) && pwhash_check("s3cret!", b));
		CHECK(!pwhash_check("s3cret", a) &&
		      !pwhash_check("s3cret?", b));
		CHECK(!pwhash_check("", a) && !pwhash_check("", b));
	}
}

/* Argument errors leave out untouched. */
static void
test_hash_errors(void)
{
	char h[PWHASH_MAX];

	memcpy(h, "untouched", sizeof("untouched"));
	CHECK(pwhash_hash(PWHASH__MAX, "pw", h, sizeof(h)) == MW_EINTERNAL);
	CHECK(pwhash_hash((enum pwhash_scheme) - 1, "pw", h, sizeof(h)) ==
	      MW_EINTERNAL);
	CHECK(pwhash_hash(PWHASH_PHPASS, NULL, h, sizeof(h)) == MW_EINTERNAL);
	CHECK(pwhash_hash(PWHASH_PHPASS, "pw", NULL, sizeof(h)) ==
	      MW_EINTERNAL);
	CHECK(pwhash_hash_salt(PWHASH_PHPASS, "pw", NULL, 0, h, sizeof(h)) ==
	      MW_EINTERNAL);
	CHECK(pwhash_hash(PWHASH_PHPASS, "pw", h, 34) == MW_EINTERNAL);
	CHECK(pwhash_hash(PWHASH_WP_BCRYPT, "pw", h, 63) == MW_EINTERNAL);
	CHECK_STR(h, "untouched");
	CHECK(pwhash_hash(PWHASH_PHPASS, "pw", h, 35) == MW_OK);
	CHECK(pwhash_hash_salt(PWHASH_WP_BCRYPT, "pw", "abcdefghijklmnopqrstuu",
			       4, h, 64) == MW_OK);
}

/* Index of c in the 72 generator chars, or -1. */
static int
charset_index(char c)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				    "!@#$%^&*()";
	const char *p = c != '\0' ? strchr(chars, c) : NULL;

	return p != NULL ? (int)(p - chars) : -1;
}

/* n chars drawn at once: every one in the set, each within +-15%. */
static void
check_distribution(const char *name, bool special, size_t n)
{
	size_t count[72] = {0}, nchars = special ? 72 : 62, i, bad = 0;
	double expect = (double)n / (double)nchars;
	char *s = malloc(n + 1);
	int k;

	CHECK(s != NULL);
	if (s == NULL)
		return;
	CHECK(pwhash_generate(n, special, s, n + 1) == MW_OK);
	CHECK(strlen(s) == n);
	for (i = 0; i < n; i++) {
		k = charset_index(s[i]);
		if (k < 0 || (size_t)k >= nchars)
			bad++;
		else
			count[k]++;
	}
	CHECK_CASE(name, bad == 0);
	for (i = 0; i < nchars; i++)
		CHECK_CASE(name, count[i] > expect * 0.85 &&
					 count[i] < expect * 1.15);
	explicit_bzero(s, n);
	free(s);
}

static void
test_generate(void)
{
	static const size_t lens[] = {0, 1, 12, 18, 20, 24, 43, 64};
	char a[65], b[65];
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		memset(a, '#', sizeof(a));
		CHECK(pwhash_generate(lens[i], false, a, lens[i] + 1) == MW_OK);
		CHECK_CASE("generate_writes_len_chars", strlen(a) == lens[i]);
		CHECK_CASE("generate_plain_is_alnum",
			   strspn(a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
				     "OPQRSTUVWXYZ0123456789") == lens[i]);
	}
	CHECK(pwhash_generate(64, true, a, sizeof(a)) == MW_OK);
	CHECK(pwhash_generate(64, true, b, sizeof(b)) == MW_OK);
	CHECK_CASE("generate_differs_each_call", strcmp(a, b) != 0);
	memset(a, '#', sizeof(a));
	a[64] = '\0';
	CHECK_CASE("generate_refuses_small_buffer",
		   pwhash_generate(64, false, a, 64) == MW_EINTERNAL);
	CHECK_CASE("generate_refuses_zero_buffer",
		   pwhash_generate(0, false, a, 0) == MW_EINTERNAL);
	CHECK_CASE("generate_refuses_null",
		   pwhash_generate(1, false, NULL, 2) == MW_EINTERNAL);
	CHECK_CASE("generate_leaves_buffer_on_error", strspn(a, "#") == 64);
	check_distribution("generate_plain_is_uniform", false, 100000);
	check_distribution("generate_special_is_uniform", true, 100000);
}

/* True when s matches the extended regular expression re. */
static bool
matches(const char *re, const char *s)
{
	regex_t r;
	bool ok;

	if (regcomp(&r, re, REG_EXTENDED | REG_NOSUB) != 0)
		return false;
	ok = regexec(&r, s, 0, NULL, 0) == 0;
	regfree(&r);
	return ok;
}

static void
test_fast_hash(void)
{
	static const struct {
		const char *msg, *want;
	} v[] = {
		{"abcdefghij0123456789",
		 "$generic$WYcRtPA0V--aYofWnjGq2WaslhE2LbeMEUhgLKXJ"},
		{"Xk3TqP9sLmN2vB7cR4wZ",
		 "$generic$b6VKqUw5eHL210Q2Hju7XgXtuQoy-xGnmuCk1tNe"},
		{"", "$generic$XJQGK2eUryTa4vHbU0bDv1Ml3wGPwaC1ATczq0o_"},
	};
	char h[64];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK(pwhash_fast_hash(v[i].msg, strlen(v[i].msg), h,
				       sizeof(h)) == MW_OK);
		CHECK_STR(h, v[i].want);
	}
	CHECK(pwhash_fast_hash(NULL, 0, h, sizeof(h)) == MW_OK);
	CHECK_STR(h, v[2].want);
	memcpy(h, "untouched", sizeof("untouched"));
	CHECK(pwhash_fast_hash("abc", 3, h, 49) == MW_EINTERNAL);
	CHECK(pwhash_fast_hash(NULL, 3, h, sizeof(h)) == MW_EINTERNAL);
	CHECK_STR(h, "untouched");
	CHECK(pwhash_fast_hash("abc", 3, h, 50) == MW_OK);
}

static void
test_reset_key(void)
{
	static const char key[] = "abcdefghij0123456789";
	char k[PWHASH_KEY_MAX], k2[PWHASH_KEY_MAX], fast[64];

	/* "$P$B" + 8 salt + 22 hash: 30 chars after the "B" (45 in all) */
	CHECK(pwhash_reset_key(PWHASH_KEY_PHPASS, key, 1795732228, k,
			       sizeof(k)) == MW_OK);
	CHECK_CASE("reset_key_phpass_format",
		   matches("^[0-9]+:\\$P\\$B.{30}$", k));
	CHECK(strncmp(k, "1795732228:", 11) == 0 && strlen(k) == 45);
	CHECK_CASE("reset_key_phpass_verifies",
		   pwhash_check(key, k + 11) && !pwhash_check("x", k + 11));
	CHECK(pwhash_reset_key(PWHASH_KEY_PHPASS, key, 1795732228, k2,
			       sizeof(k2)) == MW_OK);
	CHECK_CASE("reset_key_phpass_salt_is_fresh", strcmp(k, k2) != 0);

	CHECK(pwhash_reset_key(PWHASH_KEY_GENERIC, key, 1795732228, k,
			       sizeof(k)) == MW_OK);
	CHECK_CASE("reset_key_generic_format",
		   matches("^[0-9]+:\\$generic\\$[A-Za-z0-9_-]{40}$", k));
	CHECK_STR(
		k,
		"1795732228:$generic$WYcRtPA0V--aYofWnjGq2WaslhE2LbeMEUhgLKXJ");
	CHECK(pwhash_fast_hash(key, strlen(key), fast, sizeof(fast)) == MW_OK);
	CHECK(strcmp(k + 11, fast) == 0);

	CHECK(pwhash_reset_key(PWHASH_KEY_GENERIC, key, 0, k, sizeof(k)) ==
	      MW_OK);
	CHECK(matches("^0:\\$generic\\$.{40}$", k));
	CHECK(pwhash_reset_key(PWHASH_KEY_GENERIC, key, INT64_MAX, k,
			       sizeof(k)) == MW_OK);
	CHECK(matches("^9223372036854775807:\\$generic\\$.{40}$", k));

	memcpy(k, "untouched", sizeof("untouched"));
	CHECK(pwhash_reset_key(PWHASH_KEY_GENERIC, key, -1, k, sizeof(k)) ==
	      MW_EINPUT);
	CHECK(pwhash_reset_key(PWHASH_KEY_PHPASS, "", 1, k, sizeof(k)) ==
	      MW_EINPUT);
	CHECK(pwhash_reset_key(PWHASH_KEY_PHPASS, NULL, 1, k, sizeof(k)) ==
	      MW_EINTERNAL);
	CHECK(pwhash_reset_key(PWHASH_KEY__MAX, key, 1, k, sizeof(k)) ==
	      MW_EINTERNAL);
	CHECK(pwhash_reset_key(PWHASH_KEY_GENERIC, key, 1795732228, k, 60) ==
	      MW_EINTERNAL);
	CHECK(pwhash_reset_key(PWHASH_KEY_PHPASS, key, 1795732228, k, 45) ==
	      MW_EINTERNAL);
	CHECK_STR(k, "untouched");
	CHECK(pwhash_reset_key(PWHASH_KEY_GENERIC, key, 1795732228, k, 61) ==
	      MW_OK);
}

int
main(void)
{
	test_hash_rows();
	test_check_rows();
	test_check_garbage();
	test_trim();
	test_length_limit();
	test_random_hashes();
	test_hash_errors();
	test_generate();
	test_fast_hash();
	test_reset_key();
	return CHECK_DONE();
}
