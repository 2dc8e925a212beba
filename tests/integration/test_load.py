# SPDX-License-Identifier: GPL-2.0-or-later
"""Load: 300 mixed webhooks at concurrency 8 through Apache
while Mautic's data keeps changing: every answer 2xx, no duplicate user, and
in the end every user's tags and fields equal the emulator's final state."""

import concurrent.futures
import json
import random
import threading
import urllib.parse

from mw import ACCESS_KEY, WEBHOOK_SECRET, php_strlist, signature

N_CONTACTS = 20
N_TOTAL = 300


def contact_state(rng, i, gen, prefix="load"):
    """Contact i's data in generation gen (tests/integration/test_galera.py
    uses these helpers too)."""
    tags = sorted(rng.sample([f"tag{k}" for k in range(12)], rng.randint(0, 5)))
    return {"tags": tags, "email": f"{prefix}{i}@example.com",
            "firstname": f"First{i}g{gen}", "lastname": rng.choice(["Doe", "Roe", "Poe"])}


def put(t, cid, st):
    t.contact(cid, tags=st["tags"], email=st["email"], firstname=st["firstname"],
              lastname=st["lastname"])


def request(t, rng, kind, cid, server="apache"):
    """One webhook of a kind: a campaign GET, a form POST, or a signed
    global batch of 2-6 contacts."""
    if kind == "campaign_get":
        action = rng.choice(["add", "update", "update_tags"])
        return t.call(server, {"wpf_action": action, "contact_id": cid},
                      headers={"X-Access-Key": ACCESS_KEY})
    if kind == "form_post":
        body = urllib.parse.urlencode({"wpf_action": rng.choice(["add", "update"]),
                                       "contact_id": cid, "access_key": ACCESS_KEY})
        return t.call(server, query="", method="POST", body=body,
                      ctype="application/x-www-form-urlencoded")
    # A signed global batch of 2-6 contacts (queue mode).
    ids = rng.sample(range(1, N_CONTACTS + 1), rng.randint(2, 6))
    body = t.payload([{"type": "mautic.lead_post_save_update", "contact_id": i}
                      for i in ids])
    action = rng.choice(["add", "update", "update_tags"])
    return t.call(server, query=f"wpf_action={action}&access_key={ACCESS_KEY}",
                  method="POST", body=body, ctype="application/json",
                  headers={"Webhook-Signature": signature(body)})


def test_load_300_mixed_webhooks(t, server):
    t.config(webhook__secret=WEBHOOK_SECRET)
    rng = random.Random(20261127)
    state = {i: contact_state(rng, i, 0) for i in range(1, N_CONTACTS + 1)}
    for i, st in state.items():
        put(t, i, st)
    stop = threading.Event()
    lock = threading.Lock()

    def mutate():
        gen = 0
        mr = random.Random(7)
        while not stop.is_set():
            gen += 1
            i = mr.randint(1, N_CONTACTS)
            with lock:
                state[i] = contact_state(mr, i, gen)
                put(t, i, state[i])
            stop.wait(0.01)

    mutator = threading.Thread(target=mutate, daemon=True)
    mutator.start()
    kinds = ["campaign_get"] * 5 + ["form_post"] * 3 + ["signed_batch"] * 2
    jobs = [(rng.choice(kinds), rng.randint(1, N_CONTACTS))
            for _ in range(N_TOTAL - N_CONTACTS)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        answers = list(ex.map(lambda j: request(t, random.Random(j[1]), *j), jobs))
    stop.set()
    mutator.join()
    # The last wave, after Mautic's last change: one add per contact.
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
        answers += list(ex.map(
            lambda i: t.call("apache", {"wpf_action": "add", "contact_id": i},
                             headers={"X-Access-Key": ACCESS_KEY}),
            range(1, N_CONTACTS + 1)))
    assert len(answers) == N_TOTAL
    bad = [a for a in answers if not 200 <= a.status < 300]
    assert not bad, (len(bad), bad[:3])
    dups = t.sql("SELECT user_email, COUNT(*) FROM wp_users GROUP BY user_email"
                 " HAVING COUNT(*) > 1")
    assert dups == (), dups
    for i, st in state.items():
        rows = t.sql("SELECT ID FROM wp_users WHERE user_email=%s", (st["email"],))
        assert len(rows) == 1, (i, rows)
        uid = rows[0][0]
        assert t.meta(uid, "mautic_contact_id") == str(i)
        want_tags = php_strlist(st["tags"]) if st["tags"] else None
        assert t.meta(uid, "mautic_tags") == want_tags, (i, st, t.meta(uid, "mautic_tags"))
        assert t.meta(uid, "first_name") == st["firstname"], (i, st)
        assert t.meta(uid, "last_name") == st["lastname"], (i, st)
    print(f"    load: {len(answers)} webhooks, "
          f"{sum(a.outcome == 'created' for a in answers)} created, "
          f"{json.dumps({k: sum(1 for j in jobs if j[0] == k) for k in set(kinds)})}")
test_load_300_mixed_webhooks.servers = ("apache",)
test_load_300_mixed_webhooks.volume = True  # valgrind: too many requests for memcheck
