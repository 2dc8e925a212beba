/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_log.c - log records carry attacker bytes, so: log_sanitize()
 * escapes CR, LF, tab, quotes, backslashes and every non-printable byte
 * (one table, including the cut at the end of the buffer), and
 * log_write() makes exactly one line per record, filters by level before
 * formatting, and prints the request id.
 */
#include "base/log.h"

#include <stdio.h>
#include <string.h>

#include "check.h"

struct san_row {
	const char *name;
	const char *in;
	size_t len;   /* LEN_STR: strlen(in) */
	size_t outsz; /* 0: a large buffer */
	const char *want;
};

static const struct san_row san_rows[] = {
	{"san_keeps_printable_ascii", "user 42 ok", LEN_STR, 0, "user 42 ok"},
	{"san_escapes_lf", "a\nb", LEN_STR, 0, "a\\nb"},
	{"san_escapes_cr", "a\rb", LEN_STR, 0, "a\\rb"},
	{"san_escapes_crlf_forged_record", "x\r\nmautic-wp[1] ERROR forged",
	 LEN_STR, 0, "x\\r\\nmautic-wp[1] ERROR forged"},
	{"san_escapes_tab", "a\tb", LEN_STR, 0, "a\\tb"},
	{"san_escapes_backslash", "a\\nb", LEN_STR, 0, "a\\\\nb"},
	{"san_escapes_quote", "say \"hi\"", LEN_STR, 0, "say \\\"hi\\\""},
	{"san_hex_for_escape_sequence", "\x1b[31mred", LEN_STR, 0,
	 "\\x1b[31mred"},
	{"san_hex_for_nul_inside", "a\0b", 3, 0, "a\\x00b"},
	{"san_hex_for_del", "\x7f", LEN_STR, 0, "\\x7f"},
	{"san_hex_for_bell_and_backspace", "\a\b", LEN_STR, 0, "\\x07\\x08"},
	{"san_hex_for_utf8_bytes", "J\xc3\xb6rg", LEN_STR, 0, "J\\xc3\\xb6rg"},
	{"san_hex_for_invalid_byte", "\xff", LEN_STR, 0, "\\xff"},
	{"san_len_limits_input", "abcdef", 3, 0, "abc"},
	{"san_empty", "", 0, 0, ""},
	{"san_exact_fit_not_cut", "abc", LEN_STR, 4, "abc"},
	{"san_cut_with_dots", "abcdef", LEN_STR, 6, "ab..."},
	{"san_cut_never_splits_an_escape", "ab\ncdef", LEN_STR, 7, "ab..."},
	{"san_escape_that_fits_at_the_end", "ab\n", LEN_STR, 5, "ab\\n"},
	{"san_too_small_for_dots", "abcdef", LEN_STR, 3, ""},
	{"san_size_one_is_empty", "abc", LEN_STR, 1, ""},
};

static void
test_sanitize(void)
{
	char out[256];
	size_t i;

	for (i = 0; i < sizeof(san_rows) / sizeof(san_rows[0]); i++) {
		const struct san_row *r = &san_rows[i];
		size_t len = check_len(r->in, r->len);
		size_t outsz = r->outsz ? r->outsz : sizeof(out);

		memset(out, 'Z', sizeof(out));
		CHECK_CASE(r->name,
			   log_sanitize(r->in, len, out, outsz) == out);
		CHECK_CASE(r->name, strcmp(out, r->want) == 0);
		CHECK_CASE(r->name, strlen(out) < outsz);
		CHECK_CASE(r->name, outsz == sizeof(out) || out[outsz] == 'Z');
		if (strcmp(out, r->want) != 0)
			fprintf(stderr, "  got \"%s\"\n", out);
	}
	/* outsz 0: nothing written */
	out[0] = 'Z';
	CHECK(log_sanitize("abc", 3, out, 0) == out && out[0] == 'Z');
}

/* What the sink received. */
static char sunk[4096];
static size_t nsunk, nrecords;

static void
sink(const char *line, size_t len, void *ctx)
{
	(void)ctx;
	nrecords++;
	if (nsunk + len < sizeof(sunk)) {
		memcpy(sunk + nsunk, line, len);
		nsunk += len;
		sunk[nsunk] = '\0';
	}
}

static void
sink_reset(void)
{
	sunk[0] = '\0';
	nsunk = nrecords = 0;
}

/* A format argument that must never be evaluated below the level. */
static int evaluated;

static const char *
costly(void)
{
	evaluated++;
	return "costly";
}

static void
test_write(void)
{
	char big[3000];

	log_set_sink(sink, NULL);

	/* write_one_line_with_pid_level_and_request_id */
	sink_reset();
	log_set_request_id("r-1");
	log_info("contact %d updated", 42);
	CHECK(nrecords == 1);
	CHECK(strncmp(sunk, "mautic-wp[", 10) == 0);
	CHECK(strstr(sunk, "] INFO req=r-1 contact 42 updated\n") != NULL);
	log_set_request_id(NULL);

	/* write_never_splits_a_record: a stray CR or LF becomes a blank */
	sink_reset();
	log_warn("a\r\nb%s", "\nc");
	CHECK(nrecords == 1);
	CHECK(strstr(sunk, "WARN a  b c\n") != NULL);
	CHECK(strchr(sunk, '\n') == sunk + nsunk - 1);

	/* write_filters_below_level_before_formatting */
	sink_reset();
	evaluated = 0;
	log_set_level(LL_INFO);
	log_debug("%s", costly());
	CHECK(nrecords == 0 && evaluated == 0);
	log_set_level(LL_DEBUG);
	log_debug("%s", costly());
	CHECK(nrecords == 1 && evaluated == 1);
	CHECK(strstr(sunk, "DEBUG costly\n") != NULL);
	log_set_level(LL_ERR);
	log_warn("dropped");
	log_err("kept");
	CHECK(nrecords == 2);
	CHECK(strstr(sunk, "dropped") == NULL && strstr(sunk, "ERROR kept"));
	log_set_level(LL__MAX); /* out of range: ignored */
	CHECK(log_enabled(LL_ERR) && !log_enabled(LL_WARN));
	log_set_level(LL_INFO);

	/* write_muted_writes_nothing */
	sink_reset();
	log_mute(true);
	log_err("silent");
	CHECK(nrecords == 0 && !log_enabled(LL_ERR));
	log_mute(false);

	/* write_cuts_a_long_record_and_still_ends_it */
	sink_reset();
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_info("%s", big);
	CHECK(nrecords == 1);
	CHECK(nsunk > 0 && nsunk < 2048 && sunk[nsunk - 1] == '\n');
	CHECK(strchr(sunk, '\n') == sunk + nsunk - 1);

	log_set_sink(NULL, NULL);
}

int
main(void)
{
	test_sanitize();
	test_write();
	return CHECK_DONE();
}
