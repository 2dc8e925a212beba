/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hmac.c - HMAC-SHA256 in hex and random hex strings. */
#include "base/hmac.h"

#include <string.h>
#include <sys/random.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static void
to_hex(const unsigned char *raw, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[raw[i] >> 4];
		out[2 * i + 1] = hex[raw[i] & 15];
	}
	out[2 * n] = '\0';
}

enum mw_err
mw_hmac_sha256_hex(const char *key, size_t keylen, const char *msg,
		   size_t msglen, char out[MW_HMAC_HEX])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;

	out[0] = '\0';
	if (keylen > 0x7fffffff ||
	    HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)msg,
		 msglen, mac, &maclen) == NULL ||
	    maclen != 32)
		return MW_EINTERNAL;
	to_hex(mac, maclen, out);
	return MW_OK;
}

enum mw_err
mw_random_hex(size_t nbytes, char *out)
{
	unsigned char raw[64];

	if (nbytes > sizeof(raw) ||
	    getrandom(raw, nbytes, 0) != (ssize_t)nbytes)
		return MW_EINTERNAL;
	to_hex(raw, nbytes, out);
	explicit_bzero(raw, sizeof(raw));
	return MW_OK;
}
