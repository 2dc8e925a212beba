/* SPDX-License-Identifier: GPL-2.0-or-later */
/* pwhash.c - WordPress password hashes and reset keys. */
#include "formats/pwhash.h"

#include <crypt.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include "base/strparse.h"

/*
 * Error convention: MW_EINPUT for data we refuse (a password over
 * PWHASH_PW_MAX, a bad salt or cost), MW_EINTERNAL for caller bugs (NULL
 * argument, output buffer too small, unknown enum) and library failures,
 * MW_ENOMEM.  Outputs are written only on MW_OK.  Nothing here logs: the
 * caller knows which user a failure concerns.
 */

#define MD5_LEN 16
#define MD5_HEX_LEN 32	  /* legacy user_pass: md5 as lowercase hex */
#define PHPASS_COST 13	  /* log2 of rounds: itoa64[13] = 'B' */
#define PHPASS_COST_MIN 7 /* what CheckPassword accepts */
#define PHPASS_COST_MAX 30
#define PHPASS_SALT_LEN 8
#define PHPASS_SALT_BYTES 6   /* encode64(6 bytes) = 8 chars */
#define PHPASS_SETTING_LEN 12 /* "$P$" + cost char + salt */
#define PHPASS_LEN 34	      /* setting + encode64(md5) */
#define BCRYPT_COST 10	      /* password_hash() default on PHP <= 8.3 */
#define BCRYPT_COST_MIN 4
#define BCRYPT_COST_MAX 31
#define BCRYPT_SALT_LEN 22
#define BCRYPT_SALT_BYTES 16
#define BCRYPT_SETTING_LEN 29 /* "$2y$10$" + 22 salt */
#define BCRYPT_LEN 60	      /* "$2y$10$" + 22 salt + 31 hash */
#define WP_PREFIX "$wp"	      /* 6.8+: "$wp" + bcrypt of the pre-hash */
#define WP_PREFIX_LEN 3
#define WP_HMAC_KEY "wp-sha384"
#define WP_HMAC_LEN 48	    /* SHA-384 */
#define WP_PREHASH_LEN 64   /* base64 of 48 bytes, no padding */
#define HASH_STORED_MAX 255 /* wp_users.user_pass is varchar(255) */
#define FAST_KEY "wp_fast_hash_6.8+"
#define FAST_KEY_LEN 17
#define FAST_LEN 30	/* BLAKE2b digest bytes */
#define FAST_B64_LEN 40 /* base64url of 30 bytes, no padding */
#define FAST_PREFIX "$generic$"

/* phpass's alphabet; not the bcrypt order. */
static const char itoa64[] =
	"./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char bcrypt64[] =
	"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/* wp_generate_password(): the 62 base chars, then the 10 special ones. */
static const char pwchars[] = "abcdefghijklmnopqrstuvwxyz"
			      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()";
#define PWCHARS_BASE 62
#define PWCHARS_SPECIAL 72

/* Fill p with n bytes from getrandom(2), retrying short reads and EINTR. */
static enum mw_err
fill_random(void *p, size_t n)
{
	unsigned char *c = p;
	ssize_t got;

	while (n > 0) {
		got = getrandom(c, n, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return MW_EINTERNAL;
		c += got;
		n -= (size_t)got;
	}
	return MW_OK;
}

/* True when a[0..alen) equals b[0..blen); time depends on lengths only. */
static bool
ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && CRYPTO_memcmp(a, b, alen) == 0;
}

/* phpass encode64(): n bytes as little-endian 6-bit groups; writes
 * ceil(4n/3) chars to out, no NUL. */
static void
encode64(const unsigned char *in, size_t n, char *out)
{
	size_t i = 0;
	uint32_t v;

	while (i < n) {
		v = in[i++];
		*out++ = itoa64[v & 63];
		if (i < n)
			v |= (uint32_t)in[i] << 8;
		*out++ = itoa64[(v >> 6) & 63];
		if (i++ >= n)
			break;
		if (i < n)
			v |= (uint32_t)in[i] << 16;
		*out++ = itoa64[(v >> 12) & 63];
		if (i++ >= n)
			break;
		*out++ = itoa64[(v >> 18) & 63];
	}
}

/* One md5 over a . b into out (which may alias a).  md is fetched once by
 * the caller: an implicit fetch per call doubles the time of phpass. */
static bool
md5_two(EVP_MD_CTX *ctx, const EVP_MD *md, const void *a, size_t alen,
	const void *b, size_t blen, unsigned char out[MD5_LEN])
{
	return EVP_DigestInit_ex2(ctx, md, NULL) == 1 &&
	       EVP_DigestUpdate(ctx, a, alen) == 1 &&
	       EVP_DigestUpdate(ctx, b, blen) == 1 &&
	       EVP_DigestFinal_ex(ctx, out, NULL) == 1;
}

/* True when setting starts like a phpass hash ("$P$" or "$H$", a cost in
 * 7..30, 8 salt bytes); *cost gets the log2 of the rounds. */
static bool
is_phpass_setting(const char *setting, unsigned *cost)
{
	const char *c;

	if (strnlen(setting, PHPASS_SETTING_LEN) != PHPASS_SETTING_LEN)
		return false;
	if (memcmp(setting, "$P$", 3) != 0 && memcmp(setting, "$H$", 3) != 0)
		return false;
	if ((c = strchr(itoa64, setting[3])) == NULL)
		return false;
	*cost = (unsigned)(c - itoa64);
	return *cost >= PHPASS_COST_MIN && *cost <= PHPASS_COST_MAX;
}

/* phpass crypt_private(): md5(salt . pw), then 2^cost times md5(h . pw).
 * Reads the first 12 bytes of setting; out gets PHPASS_LEN chars + NUL.
 * MW_EINPUT for a setting phpass refuses. */
static enum mw_err
phpass_crypt(const char *pw, size_t pwlen, const char *setting,
	     char out[PHPASS_LEN + 1])
{
	unsigned char h[MD5_LEN];
	EVP_MD *md = NULL;
	EVP_MD_CTX *ctx = NULL;
	uint32_t count;
	unsigned cost;
	enum mw_err rc = MW_EINPUT;

	if (!is_phpass_setting(setting, &cost))
		goto out;
	rc = MW_ENOMEM;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto out;
	rc = MW_EINTERNAL;
	if ((md = EVP_MD_fetch(NULL, "MD5", NULL)) == NULL)
		goto out;
	if (!md5_two(ctx, md, setting + 4, PHPASS_SALT_LEN, pw, pwlen, h))
		goto out;
	for (count = UINT32_C(1) << cost; count > 0; count--)
		if (!md5_two(ctx, md, h, sizeof(h), pw, pwlen, h))
			goto out;
	memcpy(out, setting, PHPASS_SETTING_LEN);
	encode64(h, sizeof(h), out + PHPASS_SETTING_LEN);
	out[PHPASS_LEN] = '\0';
	rc = MW_OK;
out:
	explicit_bzero(h, sizeof(h));
	EVP_MD_CTX_free(ctx);
	EVP_MD_free(md);
	return rc;
}

/* crypt_rn(phrase, setting) copied to out (NUL-terminated).  MW_EINPUT
 * when libcrypt refuses the setting or the result does not fit. */
static enum mw_err
crypt_into(const char *phrase, const char *setting, char *out, size_t outsz)
{
	struct crypt_data *cd;
	const char *h;
	size_t n;
	enum mw_err rc = MW_EINPUT;

	if ((cd = calloc(1, sizeof(*cd))) == NULL)
		return MW_ENOMEM;
	h = crypt_rn(phrase, setting, cd, (int)sizeof(*cd));
	if (h == NULL || h[0] == '*')
		goto out;
	n = strlen(h);
	if (n >= outsz)
		goto out;
	memcpy(out, h, n + 1);
	rc = MW_OK;
out:
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return rc;
}

/* WP 6.8 pre-hash: base64(HMAC-SHA384(pw, "wp-sha384")), 64 chars + NUL.
 * The result is a password equivalent: the caller wipes it. */
static enum mw_err
wp_prehash(const char *pw, size_t pwlen, char out[WP_PREHASH_LEN + 1])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	enum mw_err rc = MW_EINTERNAL;

	if (HMAC(EVP_sha384(), WP_HMAC_KEY, (int)strlen(WP_HMAC_KEY),
		 (const unsigned char *)pw, pwlen, mac, &maclen) == NULL ||
	    maclen != WP_HMAC_LEN)
		goto out;
	if (EVP_EncodeBlock((unsigned char *)out, mac, WP_HMAC_LEN) !=
	    WP_PREHASH_LEN)
		goto out;
	rc = MW_OK;
out:
	explicit_bzero(mac, sizeof(mac));
	return rc;
}

/* A fresh phpass salt: encode64 of 6 random bytes. */
static enum mw_err
salt_phpass(char *salt, size_t saltsz)
{
	unsigned char raw[PHPASS_SALT_BYTES];
	enum mw_err rc;

	if (saltsz < PHPASS_SALT_LEN + 1)
		return MW_EINTERNAL;
	if ((rc = fill_random(raw, sizeof(raw))) != MW_OK)
		return rc;
	encode64(raw, sizeof(raw), salt);
	salt[PHPASS_SALT_LEN] = '\0';
	return MW_OK;
}

/* A fresh bcrypt salt: 16 random bytes in bcrypt's base64 (22 chars). */
static enum mw_err
salt_bcrypt(char *salt, size_t saltsz)
{
	unsigned char raw[BCRYPT_SALT_BYTES];
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	enum mw_err rc;

	if (saltsz < BCRYPT_SALT_LEN + 1)
		return MW_EINTERNAL;
	if ((rc = fill_random(raw, sizeof(raw))) != MW_OK)
		return rc;
	rc = MW_EINTERNAL;
	if (crypt_gensalt_rn("$2y$", BCRYPT_COST, (const char *)raw,
			     (int)sizeof(raw), setting,
			     (int)sizeof(setting)) != NULL &&
	    strlen(setting) == BCRYPT_SETTING_LEN) {
		memcpy(salt, setting + BCRYPT_SETTING_LEN - BCRYPT_SALT_LEN,
		       BCRYPT_SALT_LEN + 1);
		rc = MW_OK;
	}
	explicit_bzero(raw, sizeof(raw));
	return rc;
}

/* "$P$B" + salt + encode64(hash); salt is 8 chars of itoa64. */
static enum mw_err
hash_phpass(const char *pw, size_t len, const char *salt, unsigned cost,
	    char *out, size_t outsz)
{
	char setting[PHPASS_SETTING_LEN + 1];

	(void)cost; /* WordPress always uses 'B' */
	if (outsz < PHPASS_LEN + 1)
		return MW_EINTERNAL;
	if (strnlen(salt, PHPASS_SALT_LEN + 1) != PHPASS_SALT_LEN ||
	    strspn(salt, itoa64) != PHPASS_SALT_LEN)
		return MW_EINPUT;
	memcpy(setting, "$P$", 3);
	setting[3] = itoa64[PHPASS_COST];
	memcpy(setting + 4, salt, PHPASS_SALT_LEN + 1);
	return phpass_crypt(pw, len, setting, out);
}

/* True for 22 chars of bcrypt's alphabet whose last one has its unused low
 * 4 bits clear (".Oeu"), so the salt reads back unchanged. */
static bool
is_bcrypt_salt(const char *salt)
{
	return strnlen(salt, BCRYPT_SALT_LEN + 1) == BCRYPT_SALT_LEN &&
	       strspn(salt, bcrypt64) == BCRYPT_SALT_LEN &&
	       strchr(".Oeu", salt[BCRYPT_SALT_LEN - 1]) != NULL;
}

/* "$wp" + crypt(prehash(pw), "$2y$<cost>$<salt>"). */
static enum mw_err
hash_wp_bcrypt(const char *pw, size_t len, const char *salt, unsigned cost,
	       char *out, size_t outsz)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	char pre[WP_PREHASH_LEN + 1];
	char h[CRYPT_OUTPUT_SIZE];
	enum mw_err rc = MW_EINPUT;

	if (cost < BCRYPT_COST_MIN || cost > BCRYPT_COST_MAX ||
	    !is_bcrypt_salt(salt))
		return MW_EINPUT;
	(void)snprintf(setting, sizeof(setting), "$2y$%02u$%s", cost, salt);
	if ((rc = wp_prehash(pw, len, pre)) != MW_OK)
		goto out;
	if ((rc = crypt_into(pre, setting, h, sizeof(h))) != MW_OK)
		goto out;
	rc = MW_EINTERNAL;
	if (strlen(h) != BCRYPT_LEN ||
	    memcmp(h, setting, BCRYPT_SETTING_LEN) != 0)
		goto out;
	if (outsz < WP_PREFIX_LEN + BCRYPT_LEN + 1)
		goto out;
	memcpy(out, WP_PREFIX, WP_PREFIX_LEN);
	memcpy(out + WP_PREFIX_LEN, h, BCRYPT_LEN + 1);
	rc = MW_OK;
out:
	explicit_bzero(pre, sizeof(pre));
	explicit_bzero(h, sizeof(h));
	return rc;
}

/* One hashing scheme of enum pwhash_scheme. */
struct scheme {
	/* hash pw[0..len) with salt (and cost) into out */
	enum mw_err (*hash)(const char *pw, size_t len, const char *salt,
			    unsigned cost, char *out, size_t outsz);
	/* write a fresh random salt, NUL-terminated */
	enum mw_err (*salt)(char *salt, size_t saltsz);
	/* cost pwhash_hash() uses */
	unsigned cost;
};

static const struct scheme schemes[PWHASH__MAX] = {
	{hash_phpass, salt_phpass, PHPASS_COST},    /* PWHASH_PHPASS */
	{hash_wp_bcrypt, salt_bcrypt, BCRYPT_COST}, /* PWHASH_WP_BCRYPT */
};

enum mw_err
pwhash_hash_salt(enum pwhash_scheme scheme, const char *pw, const char *salt,
		 unsigned cost, char *out, size_t outsz)
{
	char h[PWHASH_MAX];
	size_t len, n;
	enum mw_err rc;

	if ((unsigned)scheme >= PWHASH__MAX || pw == NULL || salt == NULL ||
	    out == NULL)
		return MW_EINTERNAL;
	if ((len = strnlen(pw, PWHASH_PW_MAX + 1)) > PWHASH_PW_MAX)
		return MW_EINPUT;
	str_php_trim(&pw, &len);
	rc = schemes[scheme].hash(pw, len, salt, cost, h, sizeof(h));
	if (rc == MW_OK && (n = strlen(h)) < outsz)
		memcpy(out, h, n + 1);
	else if (rc == MW_OK)
		rc = MW_EINTERNAL;
	explicit_bzero(h, sizeof(h));
	return rc;
}

enum mw_err
pwhash_hash(enum pwhash_scheme scheme, const char *pw, char *out, size_t outsz)
{
	char salt[BCRYPT_SALT_LEN + 1];
	enum mw_err rc;

	if ((unsigned)scheme >= PWHASH__MAX)
		return MW_EINTERNAL;
	if ((rc = schemes[scheme].salt(salt, sizeof(salt))) != MW_OK)
		return rc;
	return pwhash_hash_salt(scheme, pw, salt, schemes[scheme].cost, out,
				outsz);
}

/* hash_equals(hash, md5(pw)) for a hash of at most 32 chars. */
static bool
check_md5(const char *pw, size_t pwlen, const char *hash, size_t hlen)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char dig[MD5_LEN];
	char calc[MD5_HEX_LEN];
	size_t i;
	bool ok = false;

	if (hlen != MD5_HEX_LEN)
		return false;
	if (EVP_Digest(pw, pwlen, dig, NULL, EVP_md5(), NULL) == 1) {
		for (i = 0; i < MD5_LEN; i++) {
			calc[2 * i] = hex[dig[i] >> 4];
			calc[2 * i + 1] = hex[dig[i] & 15];
		}
		ok = ct_equal(calc, sizeof(calc), hash, hlen);
	}
	explicit_bzero(dig, sizeof(dig));
	explicit_bzero(calc, sizeof(calc));
	return ok;
}

/* phpass CheckPassword() for "$P$" / "$H$" hashes. */
static bool
check_phpass(const char *pw, size_t pwlen, const char *hash, size_t hlen)
{
	char calc[PHPASS_LEN + 1];
	bool ok;

	if (hlen != PHPASS_LEN)
		return false;
	if (phpass_crypt(pw, pwlen, hash, calc) != MW_OK)
		return false;
	ok = ct_equal(calc, PHPASS_LEN, hash, hlen);
	explicit_bzero(calc, sizeof(calc));
	return ok;
}

/* password_verify(): crypt(phrase, hash) == hash. */
static bool
check_crypt(const char *phrase, const char *hash, size_t hlen)
{
	char calc[CRYPT_OUTPUT_SIZE];
	bool ok;

	if (crypt_into(phrase, hash, calc, sizeof(calc)) != MW_OK)
		return false;
	ok = ct_equal(calc, strlen(calc), hash, hlen);
	explicit_bzero(calc, sizeof(calc));
	return ok;
}

/* "$wp" + password_verify(prehash(pw), rest). */
static bool
check_wp(const char *pw, size_t pwlen, const char *hash, size_t hlen)
{
	char pre[WP_PREHASH_LEN + 1];
	bool ok = false;

	if (wp_prehash(pw, pwlen, pre) == MW_OK)
		ok = check_crypt(pre, hash + WP_PREFIX_LEN,
				 hlen - WP_PREFIX_LEN);
	explicit_bzero(pre, sizeof(pre));
	return ok;
}

/* The order of wp_check_password() in 6.8; pw is not trimmed, as there. */
bool
pwhash_check(const char *pw, const char *hash)
{
	size_t pwlen, hlen;

	if (pw == NULL || hash == NULL)
		return false;
	if ((pwlen = strnlen(pw, PWHASH_PW_MAX + 1)) > PWHASH_PW_MAX)
		return false;
	if ((hlen = strnlen(hash, HASH_STORED_MAX + 1)) > HASH_STORED_MAX)
		return false;
	if (hlen <= MD5_HEX_LEN)
		return check_md5(pw, pwlen, hash, hlen);
	if (strncmp(hash, WP_PREFIX, WP_PREFIX_LEN) == 0)
		return check_wp(pw, pwlen, hash, hlen);
	if (strncmp(hash, "$P$", 3) == 0 || strncmp(hash, "$H$", 3) == 0)
		return check_phpass(pw, pwlen, hash, hlen);
	return check_crypt(pw, hash, hlen);
}

/* Rejection sampling: a byte below limit maps to byte % n with no bias. */
enum mw_err
pwhash_generate(size_t len, bool special, char *out, size_t outsz)
{
	unsigned char pool[64];
	size_t n = special ? PWCHARS_SPECIAL : PWCHARS_BASE;
	size_t limit = 256 - 256 % n;
	size_t i = 0, used = sizeof(pool);
	enum mw_err rc = MW_OK;

	if (out == NULL || outsz == 0 || len > outsz - 1)
		return MW_EINTERNAL;
	while (i < len && rc == MW_OK) {
		if (used == sizeof(pool)) {
			rc = fill_random(pool, sizeof(pool));
			used = 0;
		} else if (pool[used] < limit) {
			out[i++] = pwchars[pool[used++] % n];
		} else {
			used++;
		}
	}
	explicit_bzero(pool, sizeof(pool));
	if (rc != MW_OK) {
		explicit_bzero(out, i);
		return rc;
	}
	out[len] = '\0';
	return MW_OK;
}

enum mw_err
pwhash_fast_hash(const char *msg, size_t len, char *out, size_t outsz)
{
	OSSL_PARAM params[2];
	size_t size = FAST_LEN, got = 0, i;
	unsigned char dig[FAST_LEN];
	char b64[FAST_B64_LEN + 1];
	bool ok;

	if ((msg == NULL && len > 0) || out == NULL ||
	    outsz < sizeof(FAST_PREFIX) + FAST_B64_LEN)
		return MW_EINTERNAL;
	params[0] = OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size);
	params[1] = OSSL_PARAM_construct_end();
	ok = EVP_Q_mac(NULL, "BLAKE2BMAC", NULL, NULL, params, FAST_KEY,
		       FAST_KEY_LEN, (const unsigned char *)(len ? msg : ""),
		       len, dig, sizeof(dig), &got) != NULL &&
	     got == FAST_LEN &&
	     EVP_EncodeBlock((unsigned char *)b64, dig, FAST_LEN) ==
		     FAST_B64_LEN;
	explicit_bzero(dig, sizeof(dig));
	if (!ok)
		return MW_EINTERNAL;
	for (i = 0; i < FAST_B64_LEN; i++)
		b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	(void)snprintf(out, outsz, "%s%s", FAST_PREFIX, b64);
	return MW_OK;
}

/* The key is hashed as is (no trim), like get_password_reset_key(). */
enum mw_err
pwhash_reset_key(enum pwhash_keyfmt fmt, const char *key, int64_t now,
		 char *out, size_t outsz)
{
	char salt[PHPASS_SALT_LEN + 1];
	char h[PWHASH_MAX];
	char full[PWHASH_KEY_MAX];
	size_t len;
	int n;
	enum mw_err rc;

	if ((unsigned)fmt >= PWHASH_KEY__MAX || key == NULL || out == NULL)
		return MW_EINTERNAL;
	len = strnlen(key, PWHASH_PW_MAX + 1);
	if (len == 0 || len > PWHASH_PW_MAX || now < 0)
		return MW_EINPUT;
	if (fmt == PWHASH_KEY_PHPASS) {
		if ((rc = salt_phpass(salt, sizeof(salt))) == MW_OK)
			rc = hash_phpass(key, len, salt, 0, h, sizeof(h));
	} else {
		rc = pwhash_fast_hash(key, len, h, sizeof(h));
	}
	if (rc != MW_OK)
		goto out;
	n = snprintf(full, sizeof(full), "%" PRId64 ":%s", now, h);
	if (n < 0 || (size_t)n >= sizeof(full) || (size_t)n >= outsz) {
		rc = MW_EINTERNAL;
		goto out;
	}
	memcpy(out, full, (size_t)n + 1);
out:
	explicit_bzero(h, sizeof(h));
	explicit_bzero(full, sizeof(full));
	return rc;
}
