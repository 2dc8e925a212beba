#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Seed the test site with N members, each a WordPress user linked to a
# Mautic contact the way WP Fusion links them, with the usermeta rows a
# real member carries (about 20: WordPress's defaults, capabilities, the
# contact id, WP Fusion's tags, a few plugin fields).  Pure SQL over
# MariaDB's SEQUENCE engine, so nothing crosses the client connection:
# 100,000 members take seconds, not minutes.
#
# Usage: tests/stack/seed-site.sh N [FIRST_CONTACT]
#   N              members to add (users get IDs above the current maximum)
#   FIRST_CONTACT  Mautic contact id of the first member (default 1000000);
#                  member i (1-based) is linked to contact FIRST_CONTACT+i-1
#
# Members are named member<contact>, e-mail member<contact>@seed.test.  The
# site's user_count option is refreshed.  Env: MW_STATE, MW_DB_NAME.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

n=${1:-}
first=${2:-1000000}
[[ $n =~ ^[0-9]{1,7}$ ]] && [ "$n" -ge 1 ] || die "usage: $0 N [FIRST_CONTACT]"
[[ $first =~ ^[0-9]{1,12}$ ]] || die "bad FIRST_CONTACT '$first'"
db=${MW_DB_NAME:-wordpress}
[[ $db =~ ^[A-Za-z0-9_]{1,64}$ ]] || die "bad database name '$db'"

t0=$(now_ms)
# A WordPress 6.1 portable hash of a random password: members log in
# through password resets only, as imported members do.
hash='$P$B1yzQqoVl4mRh0Ks1Y0b2tkiUOUfe5.'
db_root "$db" <<SQL
SET sql_notes = 0, unique_checks = 0, foreign_key_checks = 0;
SET @base = (SELECT COALESCE(MAX(ID), 0) FROM wp_users);
SET @first = $first;
START TRANSACTION;
INSERT INTO wp_users (ID, user_login, user_pass, user_nicename, user_email,
	user_url, user_registered, user_activation_key, user_status,
	display_name)
SELECT @base + seq, CONCAT('member', @first + seq - 1), '$hash',
	CONCAT('member', @first + seq - 1),
	CONCAT('member', @first + seq - 1, '@seed.test'), '',
	TIMESTAMPADD(MINUTE, seq, '2023-01-01 00:00:00'), '', 0,
	CONCAT('Member ', @first + seq - 1)
FROM seq_1_to_$n;
INSERT INTO wp_usermeta (user_id, meta_key, meta_value)
SELECT @base + s.seq, k.k,
	CASE k.k
	WHEN 'nickname' THEN CONCAT('member', @first + s.seq - 1)
	WHEN 'first_name' THEN 'Member'
	WHEN 'last_name' THEN CAST(@first + s.seq - 1 AS CHAR)
	WHEN 'mautic_contact_id' THEN CAST(@first + s.seq - 1 AS CHAR)
	WHEN 'mautic_tags' THEN
		IF(s.seq % 3 = 0,
		   'a:2:{i:0;s:7:"Members";i:1;s:8:"Course A";}',
		   'a:1:{i:0;s:7:"Members";}')
	WHEN 'billing_phone' THEN CONCAT('+4930', LPAD(s.seq, 7, '0'))
	WHEN 'session_tokens' THEN ''
	ELSE k.v END
FROM seq_1_to_$n s
CROSS JOIN (
	SELECT 'nickname' AS k, '' AS v UNION ALL
	SELECT 'first_name', '' UNION ALL
	SELECT 'last_name', '' UNION ALL
	SELECT 'description', '' UNION ALL
	SELECT 'rich_editing', 'true' UNION ALL
	SELECT 'syntax_highlighting', 'true' UNION ALL
	SELECT 'comment_shortcuts', 'false' UNION ALL
	SELECT 'admin_color', 'fresh' UNION ALL
	SELECT 'use_ssl', '0' UNION ALL
	SELECT 'show_admin_bar_front', 'true' UNION ALL
	SELECT 'locale', '' UNION ALL
	SELECT 'wp_capabilities', 'a:1:{s:10:"subscriber";b:1;}' UNION ALL
	SELECT 'wp_user_level', '0' UNION ALL
	SELECT 'dismissed_wp_pointers', '' UNION ALL
	SELECT 'mautic_contact_id', '' UNION ALL
	SELECT 'mautic_tags', '' UNION ALL
	SELECT 'billing_phone', '' UNION ALL
	SELECT 'billing_country', 'DE' UNION ALL
	SELECT 'session_tokens', '' UNION ALL
	SELECT 'last_update', '1700000000'
) k
ORDER BY s.seq;
UPDATE wp_options SET option_value = (SELECT COUNT(ID) FROM wp_users)
WHERE option_name = 'user_count';
COMMIT;
ANALYZE TABLE wp_users, wp_usermeta;
SQL
report seed "$n members" "contacts $first.. ($((first + n - 1)))" "$t0"
