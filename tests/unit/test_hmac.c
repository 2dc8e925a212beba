/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * test_hmac.c - the drain ping's signature: HMAC-SHA256 in lowercase hex
 * (RFC 4231 vectors, and the same value PHP's hash_hmac('sha256') gives
 * the mu-plugin), and random hex strings of the asked length.
 */
#include "base/hmac.h"

#include <string.h>

#include "check.h"

static void
test_vectors(void)
{
	static const struct {
		const char *name, *key, *msg, *want;
	} v[] = {
		{"rfc4231_case2", "Jefe", "what do ya want for nothing?",
		 "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
		/* what the mu-plugin checks: time "." nonce under the key */
		{"ping_message",
		 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
		 "1800000000.0123456789abcdef0123456789abcdef",
		 "80d8a4cefc2e4e94131b71d3abc58a4a1c8eb38390e4e6509edfbb11656b2944"},
	};
	char out[MW_HMAC_HEX];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		CHECK_CASE(v[i].name,
			   mw_hmac_sha256_hex(v[i].key, strlen(v[i].key),
					      v[i].msg, strlen(v[i].msg),
					      out) == MW_OK);
		CHECK_CASE(v[i].name, strcmp(out, v[i].want) == 0);
	}
}

static void
test_random(void)
{
	char a[65], b[65];
	size_t i;

	CHECK(mw_random_hex(32, a) == MW_OK && mw_random_hex(32, b) == MW_OK);
	CHECK(strlen(a) == 64 && strcmp(a, b) != 0);
	for (i = 0; i < 64; i++)
		CHECK((a[i] >= '0' && a[i] <= '9') ||
		      (a[i] >= 'a' && a[i] <= 'f'));
	CHECK(mw_random_hex(65, a) == MW_EINTERNAL);
}

int
main(void)
{
	test_vectors();
	test_random();
	return CHECK_DONE();
}
