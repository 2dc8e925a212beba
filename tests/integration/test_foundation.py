# SPDX-License-Identifier: GPL-2.0-or-later
"""Foundation: the CGI behind Apache and nginx for test and update_tags:
keys, parameters, tags in WP Fusion's format, Mautic errors and
OAuth2 tokens."""

import json
import os
import stat

from mw import ACCESS_KEY, MAUTIC_PASSWORD, OAUTH_SECRET, php_strlist


def contact_gets(t, cid):
    return [r for r in t.emu_log()
            if r["method"] == "GET" and r["path"] == f"/api/contacts/{cid}"]


def test_test_action_answers_200(t, server):
    a = t.hook(server, "test")
    assert a.status == 200, a
    assert a.json["ok"] is True and a.json["action"] == "test", a
    assert a.headers["content-type"] == "application/json", a.headers
    assert t.emu_log() == [], "test must not call Mautic"


def test_action_is_case_insensitive_and_key_may_be_a_header(t, server):
    a = t.call(server, {"wpf_action": "TeSt"}, headers={"X-Access-Key": ACCESS_KEY})
    assert a.status == 200, a


def test_bad_or_missing_key_is_403_and_changes_nothing(t, server):
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["a"], email="ann@example.com")
    before = t.checksum()
    for params in ({"wpf_action": "update_tags", "contact_id": 42, "access_key": "wrong"},
                   {"wpf_action": "update_tags", "contact_id": 42},
                   {"wpf_action": "update_tags", "contact_id": 42,
                    "access_key": ACCESS_KEY + "x"},
                   {"wpf_action": "update_tags", "contact_id": 42,
                    "access_key": ACCESS_KEY[:-1]}):
        a = t.call(server, params)
        assert a.status == 403, (params, a)
        assert a.json["ok"] is False and a.json["error"] == "forbidden", a
        assert ACCESS_KEY not in a.raw
    assert t.checksum() == before
    assert t.emu_log() == []
    assert t.meta(uid, "mautic_tags") is None


def test_bad_contact_id_is_400(t, server):
    before = t.checksum()
    for cid in ("{contactfield=id}", "0", "-1", "1.5", "abc", "9007199254740993", "",
                " 42", "0x2a"):
        a = t.hook(server, "update_tags", contact_id=cid)
        assert a.status == 400, (cid, a)
        assert a.json["error"] == "bad_request", a
    a = t.hook(server, "update_tags")
    assert a.status == 400 and "contact_id" in a.json["message"], a
    assert t.checksum() == before
    assert t.emu_log() == []


def test_unknown_action_is_400_method_405_size_413(t, server):
    a = t.hook(server, "delete", contact_id=1)
    assert a.status == 400, a
    a = t.call(server, {"wpf_action": "test", "access_key": ACCESS_KEY}, method="PUT")
    assert a.status == 405, a
    a = t.call(server, query=f"wpf_action=test&access_key={ACCESS_KEY}&pad=" + "x" * 9000)
    assert a.status in (413, 414), a  # nginx may refuse the URI itself


def test_update_tags_for_a_linked_user(t, server):
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["wp-member", "customer"], email="ann@example.com")
    a = t.hook(server, "update_tags", 42)
    assert a.status == 200, a
    assert a.results == [{"contact_id": 42, "user_id": uid, "outcome": "updated",
                          "tags": 2}], a
    # Mautic lists tags by name; stored as WP Fusion stores them.
    assert t.meta(uid, "mautic_tags") == php_strlist(["customer", "wp-member"])
    gets = contact_gets(t, 42)
    assert len(gets) == 1 and gets[0]["auth"] == "basic:apiuser", gets


def test_update_tags_finds_user_by_email_and_links_it(t, server):
    uid = t.add_user("bob", "Bob@Example.com")
    t.contact(77, tags=["vip"], email="bob@example.com")
    a = t.hook(server, "update_tags", 77, email="bob@example.com")
    assert a.status == 200 and a.outcome == "updated", a
    assert a.results[0]["user_id"] == uid
    assert t.meta(uid, "mautic_contact_id") == "77"
    assert t.meta(uid, "mautic_tags") == php_strlist(["vip"])
    # The link holds: the next webhook needs no e-mail.
    t.contact(77, tags=["vip", "gold"], email="bob@example.com")
    a = t.hook(server, "update_tags", 77)
    assert a.outcome == "updated", a
    assert t.meta(uid, "mautic_tags") == php_strlist(["gold", "vip"])


def test_update_tags_without_user_is_200_no_user(t, server):
    t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(5, tags=["x"], email="nobody@example.com")
    before = t.checksum()
    a = t.hook(server, "update_tags", 5)
    assert a.status == 200, a
    assert a.results == [{"contact_id": 5, "user_id": None, "outcome": "no_user"}], a
    a = t.hook(server, "update_tags", 5, email="nobody@example.com")
    assert a.status == 200 and a.outcome == "no_user", a
    assert t.checksum() == before
    assert t.emu_log() == [], "no user: Mautic must not be asked"


def test_tags_added_removed_reordered(t, server):
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["b", "a"], email="ann@example.com")
    assert t.hook(server, "update_tags", 42).outcome == "updated"
    stored = t.meta(uid, "mautic_tags")
    assert stored == php_strlist(["a", "b"]), stored
    # Same set in another order, stored by someone else: nothing written.
    t.sql("UPDATE wp_usermeta SET meta_value=%s WHERE user_id=%s AND"
          " meta_key='mautic_tags'", (php_strlist(["b", "a"]), uid))
    before = t.checksum()
    a = t.hook(server, "update_tags", 42)
    assert a.outcome == "unchanged", a
    assert t.checksum() == before
    # Added.
    t.contact(42, tags=["a", "b", "c"], email="ann@example.com")
    assert t.hook(server, "update_tags", 42).outcome == "updated"
    assert t.meta(uid, "mautic_tags") == php_strlist(["a", "b", "c"])
    # Removed.
    t.contact(42, tags=["c"], email="ann@example.com")
    assert t.hook(server, "update_tags", 42).outcome == "updated"
    assert t.meta(uid, "mautic_tags") == php_strlist(["c"])
    # All removed: the row goes, as WP Fusion deletes it.
    t.contact(42, tags=[], email="ann@example.com")
    a = t.hook(server, "update_tags", 42)
    assert a.outcome == "updated" and a.results[0]["tags"] == 0, a
    assert t.meta(uid, "mautic_tags") is None
    assert t.hook(server, "update_tags", 42).outcome == "unchanged"


def test_unicode_and_markup_tags_are_stored_verbatim(t, server):
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    tags = ["Jöhn's \"VIP\"", "<b>x</b>", "a;b:c{d}", "日本"]
    t.contact(42, tags=tags, email="ann@example.com")
    a = t.hook(server, "update_tags", 42)
    assert a.status == 200, a
    # Mautic strips markup from tags itself; what it sends back is stored
    # byte for byte.
    stored = t.meta(uid, "mautic_tags")
    for name in ("Jöhn's \"VIP\"", "a;b:c{d}", "日本"):
        assert f's:{len(name.encode())}:"{name}";' in stored, (name, stored)


def test_mautic_errors_are_502_and_change_nothing(t, server):
    uid = t.add_user("ann", "ann@example.com", contact_id=42,
                     tags=php_strlist(["old"]))
    t.contact(42, tags=["new"], email="ann@example.com")
    before = t.checksum()
    cases = [
        ({"match": "^/api/contacts/42$", "status": 500}, 502),
        ({"match": "^/api/contacts/42$", "status": 200, "body": "<html>oops</html>"}, 502),
        ({"match": "^/api/contacts/42$", "status": 200, "body": '{"contact":{"id":42,'}, 502),
        ({"match": "^/api/contacts/42$", "truncate": True}, 502),
        ({"match": "^/api/contacts/42$", "drop": True}, 502),
        ({"match": "^/api/contacts/42$", "status": 403}, 502),
    ]
    for rule, status in cases:
        t.emu("DELETE", "/_emu/faults")
        t.fault(**rule)
        a = t.hook(server, "update_tags", 42)
        assert a.status == status, (rule, a)
        assert a.json["ok"] is False, a
    t.emu("DELETE", "/_emu/faults")
    # A contact Mautic does not know.
    t.emu("DELETE", "/_emu/contacts/42")
    a = t.hook(server, "update_tags", 42)
    assert a.status == 502 and a.json["error"] == "mautic_error", a
    assert t.checksum() == before
    assert t.meta(uid, "mautic_tags") == php_strlist(["old"])


def test_mautic_past_the_budget_is_504(t, server):
    t.config(mautic__timeout_ms=800)
    t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["new"], email="ann@example.com")
    before = t.checksum()
    t.fault(match="^/api/contacts/42$", delay_ms=2500)
    a = t.hook(server, "update_tags", 42)
    assert a.status == 504, a
    assert a.json["error"] == "mautic_timeout", a
    assert t.checksum() == before
    t.wait_emu_log(1)  # let the abandoned request finish before the next test


def test_wrong_certificate_is_502(t, server):
    t.config(mautic__ca_file=os.path.join(t.state, "tls", "bad-ca.crt"))
    t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["new"], email="ann@example.com")
    before = t.checksum()
    a = t.hook(server, "update_tags", 42)
    assert a.status == 502, a
    assert t.checksum() == before
    assert t.emu_log() == []


def test_oauth2_one_token_for_many_requests_and_refetch_when_expired(t, server):
    t.config(mautic__auth="oauth2", mautic__username=None, mautic__password=None,
             mautic__client_id="1_testclient", mautic__client_secret=OAUTH_SECRET)
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    for i in range(5):
        t.contact(42, tags=[f"t{i}"], email="ann@example.com")
        a = t.hook(server, "update_tags", 42)
        assert a.status == 200 and a.outcome == "updated", a
    log = t.emu_log()
    tokens = [r for r in log if r["path"] == "/oauth/v2/token"]
    gets = [r for r in log if r["path"] == "/api/contacts/42"]
    assert len(tokens) == 1, tokens
    assert len(gets) == 5 and all(g["auth"].startswith("bearer:") for g in gets)
    cache = os.path.join(t.env["MW_CACHE_DIR"], "token")
    st = os.stat(cache)
    assert stat.S_IMODE(st.st_mode) == 0o600, oct(st.st_mode)
    # Mautic expires the token: one 401, one new token, one retry.
    t.emu("POST", "/_emu/expire_tokens", {})
    t.emu_log_clear()
    t.contact(42, tags=["after"], email="ann@example.com")
    a = t.hook(server, "update_tags", 42)
    assert a.status == 200 and a.outcome == "updated", a
    log = t.emu_log()
    assert [r["path"] for r in log] == ["/api/contacts/42", "/oauth/v2/token",
                                        "/api/contacts/42"], log
    assert [r["status"] for r in log] == [401, 200, 200], log
    assert t.meta(uid, "mautic_tags") == php_strlist(["after"])


def test_oauth2_refused_client_is_502(t, server):
    t.config(mautic__auth="oauth2", mautic__username=None, mautic__password=None,
             mautic__client_id="1_testclient", mautic__client_secret="wrong")
    t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["x"], email="ann@example.com")
    before = t.checksum()
    a = t.hook(server, "update_tags", 42)
    assert a.status == 502, a
    assert t.checksum() == before


def test_basic_auth_refused_is_502(t, server):
    t.config(mautic__password="wrong")
    t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["x"], email="ann@example.com")
    a = t.hook(server, "update_tags", 42)
    assert a.status == 502, a


def test_config_errors_are_500_without_detail(t, server):
    text = t.config()
    t.write_config_text(text, mode=0o644)
    a = t.hook(server, "test")
    assert a.status == 500 and a.json["error"] == "config_error", a
    assert "mautic-wp.conf" not in a.raw
    t.write_config_text(text + "[webhook]\nacess_key = typo\n")
    mark = t.log_mark(server)
    a = t.hook(server, "test")
    assert a.status == 500, a
    log = t.log_since(server, mark)
    assert "acess_key" in log and "unknown key" in log, log
    t.write_config_text(text.replace("table_prefix = wp_", "table_prefix = wp;drop"))
    assert t.hook(server, "test").status == 500


def test_database_down_is_503_with_retry_after(t, server):
    t.config(wordpress__db_port=1)  # nothing listens there
    t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["x"], email="ann@example.com")
    a = t.hook(server, "update_tags", 42)
    assert a.status == 503, a
    assert a.headers.get("retry-after") == "30", a.headers


def test_secrets_stay_out_of_answers_and_logs(t, server):
    t.config(log__level="debug")
    mark = t.log_mark(server)
    t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["x"], email="ann@example.com")
    answers = [t.hook(server, "update_tags", 42), t.hook(server, "test"),
               t.call(server, {"wpf_action": "test", "access_key": "guess-" + ACCESS_KEY})]
    t.config(mautic__auth="oauth2", mautic__username=None, mautic__password=None,
             mautic__client_id="1_testclient", mautic__client_secret=OAUTH_SECRET,
             log__level="debug")
    answers.append(t.hook(server, "update_tags", 42))
    log = t.log_since(server, mark)
    assert "mautic-wp[" in log, log
    token = open(os.path.join(t.env["MW_CACHE_DIR"], "token")).read()
    token = json.loads(token)["access_token"]
    for secret in (ACCESS_KEY, MAUTIC_PASSWORD, OAUTH_SECRET, token, "wppw",
                   "ann@example.com"):
        assert secret not in log, secret
        for a in answers:
            assert secret not in a.raw, (secret, a)


def test_log_line_per_request(t, server):
    mark = t.log_mark(server)
    uid = t.add_user("ann", "ann@example.com", contact_id=42)
    t.contact(42, tags=["x"], email="ann@example.com")
    a = t.hook(server, "update_tags", 42)
    log = t.log_since(server, mark)
    rid = a.json["request_id"]
    assert f"req={rid} done action=update_tags contact=42 user={uid} outcome=updated" \
        " status=200" in log, log
    assert " ms=" in log
test_mautic_past_the_budget_is_504.timing = True  # valgrind: depends on time budgets
