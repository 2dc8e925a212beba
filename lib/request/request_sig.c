/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * request_sig.c - the global webhook's signature (HMAC-SHA256 with
 * OpenSSL) and req_parse() with it.  Apart from request.c, so that the
 * intake's fast path, which never verifies a signature, does not load
 * libcrypto.
 */
#include "request/request.h"

#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/strparse.h"

void
req_signature(const char *secret, const char *body, size_t bodysz, char *out)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	if (HMAC(EVP_sha256(), secret, (int)strlen(secret),
		 (const unsigned char *)(body ? body : ""), bodysz, mac,
		 &maclen) == NULL)
		maclen = 0;
	EVP_EncodeBlock((unsigned char *)out, mac, (int)maclen);
}

static bool
signature_ok(const char *secret, const char *body, size_t bodysz,
	     const char *got, size_t gotlen)
{
	char want[64];

	req_signature(secret, body, bodysz, want);
	return str_ct_equal(got, gotlen, want, strlen(want));
}

enum mw_err
req_parse(const struct req_env *env, const char *body, size_t bodysz,
	  const struct cfg *cfg, struct request *r, char *msg, size_t msgsz)
{
	return req_parse_with(env, body, bodysz, cfg, signature_ok, r, msg,
			      msgsz);
}
