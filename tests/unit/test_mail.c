/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_mail.c - mail_compose(): what may reach a header.  Recipients,
 * subjects and senders that carry CR, LF, NUL or other control bytes must
 * be refused with MW_EINPUT before a byte is written (header injection);
 * a subject or sender name that is not ASCII goes out as RFC 2047 encoded
 * words, folded so that no header line passes 76 characters.
 */
#include "mail/mail.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "check.h"

struct compose_row {
	const char *name;
	const char *mail_from; /* [mail] from, or NULL */
	const char *site_url;  /* [wordpress] site_url, or NULL */
	const char *to;
	const char *subject;
	enum mw_err want;
	const char *from_hdr; /* the From line (MW_OK rows) */
	const char *subj_hdr; /* the Subject header, folded (MW_OK rows) */
};

#define EXAMPLE "wp@example.com"

static const struct compose_row compose_rows[] = {
	{"compose_plain_ascii", EXAMPLE, NULL, "ann@example.org", "Hello",
	 MW_OK, "From: " EXAMPLE, "Subject: Hello"},
	{"compose_default_sender_from_site_url", NULL,
	 "https://www.example.net:8443/blog", "ann@example.org", "Hi", MW_OK,
	 "From: WordPress <wordpress@example.net>", "Subject: Hi"},
	{"compose_default_sender_without_site_url", NULL, NULL,
	 "ann@example.org", "Hi", MW_OK,
	 "From: WordPress <wordpress@localhost>", "Subject: Hi"},
	{"compose_named_ascii_sender_kept", "Shop <shop@example.com>", NULL,
	 "ann@example.org", "Hi", MW_OK, "From: Shop <shop@example.com>",
	 "Subject: Hi"},
	{"compose_utf8_subject_one_encoded_word", EXAMPLE, NULL,
	 "ann@example.org", "Caf\xc3\xa9", MW_OK, "From: " EXAMPLE,
	 "Subject: =?UTF-8?B?Q2Fmw6k=?="},
	{"compose_utf8_sender_name_encoded_without_quotes",
	 "\"Caf\xc3\xa9\" <shop@example.com>", NULL, "ann@example.org", "Hi",
	 MW_OK, "From: =?UTF-8?B?Q2Fmw6k=?= <shop@example.com>", "Subject: Hi"},
	/* 40 x "é" (80 bytes): 19 characters (38 bytes) per word, never
	 * a character cut in two. */
	{"compose_long_utf8_subject_folded_between_characters", EXAMPLE, NULL,
	 "ann@example.org",
	 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
	 "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
	 MW_OK, "From: " EXAMPLE, NULL},
	{"compose_tab_in_subject_allowed", EXAMPLE, NULL, "ann@example.org",
	 "a\tb", MW_OK, "From: " EXAMPLE, "Subject: a\tb"},

	/* header injection: CR, LF, other controls, in every header */
	{"compose_refuses_lf_in_subject", EXAMPLE, NULL, "ann@example.org",
	 "Hi\nBcc: victim@example.org", MW_EINPUT, NULL, NULL},
	{"compose_refuses_cr_in_subject", EXAMPLE, NULL, "ann@example.org",
	 "Hi\rBcc: victim@example.org", MW_EINPUT, NULL, NULL},
	{"compose_refuses_crlf_in_subject", EXAMPLE, NULL, "ann@example.org",
	 "Hi\r\n\r\nforged body", MW_EINPUT, NULL, NULL},
	{"compose_refuses_escape_in_subject", EXAMPLE, NULL, "ann@example.org",
	 "Hi\x1b[2J", MW_EINPUT, NULL, NULL},
	{"compose_refuses_del_in_subject", EXAMPLE, NULL, "ann@example.org",
	 "Hi\x7f", MW_EINPUT, NULL, NULL},
	{"compose_refuses_invalid_utf8_subject", EXAMPLE, NULL,
	 "ann@example.org", "Caf\xe9", MW_EINPUT, NULL, NULL},
	{"compose_refuses_subject_over_90_bytes", EXAMPLE, NULL,
	 "ann@example.org",
	 "0123456789012345678901234567890123456789012345678901234567890123456789"
	 "012345678901234567890",
	 MW_EINPUT, NULL, NULL},
	{"compose_refuses_lf_in_recipient", EXAMPLE, NULL,
	 "ann@example.org\nBcc: victim@example.org", "Hi", MW_EINPUT, NULL,
	 NULL},
	{"compose_refuses_cr_in_recipient", EXAMPLE, NULL, "ann@example.org\r",
	 "Hi", MW_EINPUT, NULL, NULL},
	{"compose_refuses_two_recipients", EXAMPLE, NULL,
	 "ann@example.org, victim@example.org", "Hi", MW_EINPUT, NULL, NULL},
	{"compose_refuses_named_recipient", EXAMPLE, NULL,
	 "Ann <ann@example.org>", "Hi", MW_EINPUT, NULL, NULL},
	{"compose_refuses_recipient_without_at", EXAMPLE, NULL, "ann", "Hi",
	 MW_EINPUT, NULL, NULL},
	{"compose_refuses_recipient_ending_in_at", EXAMPLE, NULL, "ann@", "Hi",
	 MW_EINPUT, NULL, NULL},
	{"compose_refuses_empty_recipient", EXAMPLE, NULL, "", "Hi", MW_EINPUT,
	 NULL, NULL},
	{"compose_refuses_non_ascii_recipient", EXAMPLE, NULL,
	 "j\xc3\xb6rg@example.org", "Hi", MW_EINPUT, NULL, NULL},
	{"compose_refuses_lf_in_sender_name",
	 "Shop\nBcc: v@example.org <s@x.y>", NULL, "ann@example.org", "Hi",
	 MW_EINPUT, NULL, NULL},
	{"compose_refuses_cr_in_sender_address", "Shop <s@x.y\r>", NULL,
	 "ann@example.org", "Hi", MW_EINPUT, NULL, NULL},
	{"compose_refuses_lf_in_site_host", NULL, "https://ex\nBcc: v@x.y/",
	 "ann@example.org", "Hi", MW_EINPUT, NULL, NULL},
};

/* The header line that starts with name (through its folded lines), or
 * NULL; static storage. */
static const char *
header(const char *msg, const char *name)
{
	static char out[512];
	const char *p = msg, *end;
	size_t n = strlen(name);

	while (p != NULL && strncmp(p, "\r\n", 2) != 0) {
		if (strncmp(p, name, n) == 0) {
			for (end = p; (end = strstr(end, "\r\n")) != NULL &&
				      (end[2] == ' ' || end[2] == '\t');
			     end += 2)
				;
			if (end == NULL || (size_t)(end - p) >= sizeof(out))
				return NULL;
			memcpy(out, p, (size_t)(end - p));
			out[end - p] = '\0';
			return out;
		}
		p = strstr(p, "\r\n");
		p = p != NULL ? p + 2 : NULL;
	}
	return NULL;
}

/* True when every header line is at most max characters. */
static bool
lines_within(const char *msg, long max)
{
	const char *p, *eol;

	for (p = msg; (eol = strstr(p, "\r\n")) != NULL && eol != p;
	     p = eol + 2)
		if (eol - p > max)
			return false;
	return true;
}

/* The encoded words of the Subject decode, in order, to subject; each
 * word is at most 75 characters (RFC 2047). */
static bool
subject_round_trips(const char *msg, const char *subject)
{
	const char *h = header(msg, "Subject: "), *p, *q;
	unsigned char dec[256];
	char got[256];
	size_t o = 0, blen, pad;
	int n;

	for (p = h; p != NULL && (p = strstr(p, "=?UTF-8?B?")) != NULL;
	     p = q + 2) {
		p += 10;
		q = strstr(p, "?=");
		if (q == NULL || q - p + 12 > 75)
			return false;
		blen = (size_t)(q - p);
		for (pad = 0;
		     pad < 2 && pad < blen && p[blen - 1 - pad] == '=';)
			pad++;
		n = EVP_DecodeBlock(dec, (const unsigned char *)p, (int)blen);
		if (n < (int)pad || o + (size_t)n >= sizeof(got))
			return false;
		memcpy(got + o, dec, (size_t)n - pad);
		o += (size_t)n - pad;
	}
	got[o] = '\0';
	return h != NULL && strcmp(got, subject) == 0;
}

static bool
is_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return false;
	return true;
}

static void
test_compose(void)
{
	size_t i;

	for (i = 0; i < sizeof(compose_rows) / sizeof(compose_rows[0]); i++) {
		const struct compose_row *r = &compose_rows[i];
		struct cfg cfg;
		struct buf out;
		enum mw_err rc;

		memset(&cfg, 0, sizeof(cfg));
		cfg.mail_from = (char *)(uintptr_t)r->mail_from;
		cfg.site_url = (char *)(uintptr_t)r->site_url;
		buf_init(&out, 1u << 16);
		rc = mail_compose(&cfg, r->to, r->subject, "Body\r\n", &out);
		CHECK_CASE(r->name, rc == r->want);
		if (rc != MW_OK) {
			/* refused before a byte was written */
			CHECK_CASE(r->name, out.len == 0);
			buf_free(&out);
			continue;
		}
		if (r->from_hdr != NULL)
			CHECK_CASE(r->name,
				   header(out.p, "From: ") != NULL &&
					   strcmp(header(out.p, "From: "),
						  r->from_hdr) == 0);
		if (r->subj_hdr != NULL)
			CHECK_CASE(r->name,
				   header(out.p, "Subject: ") != NULL &&
					   strcmp(header(out.p, "Subject: "),
						  r->subj_hdr) == 0);
		if (!is_ascii(r->subject))
			CHECK_CASE(r->name,
				   subject_round_trips(out.p, r->subject));
		CHECK_CASE(r->name, lines_within(out.p, 76));
		CHECK_CASE(r->name, header(out.p, "To: ") != NULL &&
					    strcmp(header(out.p, "To: ") + 4,
						   r->to) == 0);
		CHECK_CASE(r->name, strstr(out.p, "\r\n\r\nBody\r\n") != NULL);
		CHECK_CASE(r->name, strstr(out.p, "Content-Type: text/plain; "
						  "charset=UTF-8\r\n") != NULL);
		buf_free(&out);
	}
}

/* The folded 80-byte subject: three words, every one decoding to whole
 * characters, lines within 76 characters. */
static void
compose_folds_long_subject(void)
{
	const char *subject = compose_rows[6].subject;
	struct cfg cfg;
	struct buf out;
	const char *h, *p;
	int words = 0;

	memset(&cfg, 0, sizeof(cfg));
	buf_init(&out, 1u << 16);
	CHECK(mail_compose(&cfg, "ann@example.org", subject, "", &out) ==
	      MW_OK);
	h = out.p != NULL ? header(out.p, "Subject: ") : NULL;
	CHECK(h != NULL);
	for (p = h; p != NULL && (p = strstr(p, "=?UTF-8?B?")) != NULL; p++)
		words++;
	CHECK(words == 3);
	CHECK(h != NULL && strstr(h, "?=\r\n =?UTF-8?B?") != NULL);
	CHECK(out.p != NULL && subject_round_trips(out.p, subject));
	CHECK(out.p != NULL && lines_within(out.p, 76));
	buf_free(&out);
}

/* A subject with a NUL byte cannot reach mail_compose() whole: the C
 * string ends there, so what follows never becomes a header. */
static void
compose_nul_ends_the_subject(void)
{
	static const char subject[] = "Hi\0\r\nBcc: victim@example.org";
	struct cfg cfg;
	struct buf out;

	memset(&cfg, 0, sizeof(cfg));
	buf_init(&out, 1u << 16);
	CHECK(mail_compose(&cfg, "ann@example.org", subject, "", &out) ==
	      MW_OK);
	CHECK(out.p != NULL && strstr(out.p, "victim") == NULL);
	CHECK(out.p != NULL && strstr(out.p, "Subject: Hi\r\n") != NULL);
	buf_free(&out);
}

/* A buffer too small for the message: its error, not a partial MW_OK. */
static void
compose_reports_buffer_cap(void)
{
	struct cfg cfg;
	struct buf out;

	memset(&cfg, 0, sizeof(cfg));
	buf_init(&out, 64);
	CHECK(mail_compose(&cfg, "ann@example.org", "Hi", "Body", &out) ==
	      MW_ETOOBIG);
	buf_free(&out);
}

int
main(void)
{
	test_compose();
	compose_folds_long_subject();
	compose_nul_ends_the_subject();
	compose_reports_buffer_cap();
	return CHECK_DONE();
}
