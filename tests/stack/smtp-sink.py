#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""SMTP sink for the test stack: accepts every message and records it.

Each message N (1, 2, ... continuing after the highest file present) is
written as DIR/mail/N.eml (the DATA bytes as received) and appended to
DIR/mail.jsonl as {"n", "mail_from", "rcpt_tos", "data"} (data decoded as
UTF-8, undecodable bytes replaced).  A test clears the sink by deleting
DIR/mail/*.eml and truncating DIR/mail.jsonl.

Needs Debian's python3-aiosmtpd, so run it with /usr/bin/python3:
    /usr/bin/python3 smtp-sink.py --host 127.0.0.1 --port 12525 \
        --dir $MW_STATE/smtp [--pidfile FILE]
"""

import argparse
import asyncio
import json
import os
import signal
import sys

from aiosmtpd.smtp import SMTP


class Sink:
    def __init__(self, root):
        self.root = root
        self.maildir = os.path.join(root, "mail")
        os.makedirs(self.maildir, exist_ok=True)

    def next_number(self):
        last = 0
        for name in os.listdir(self.maildir):
            stem, ext = os.path.splitext(name)
            if ext == ".eml" and stem.isdigit():
                last = max(last, int(stem))
        return last + 1

    async def handle_DATA(self, server, session, envelope):
        # One event loop thread: numbering and writes cannot interleave.
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        n = self.next_number()
        path = os.path.join(self.maildir, "%d.eml" % n)
        with open(path + ".tmp", "wb") as f:
            f.write(data)
        os.rename(path + ".tmp", path)
        rec = {
            "n": n,
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": data.decode("utf-8", "replace"),
        }
        with open(os.path.join(self.root, "mail.jsonl"), "a") as f:
            f.write(json.dumps(rec) + "\n")
        print("message %d from %s to %s, %d bytes"
              % (n, envelope.mail_from, ",".join(envelope.rcpt_tos),
                 len(data)), flush=True)
        return "250 Message accepted for delivery"


async def serve(args):
    sink = Sink(args.dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        # hostname given: no getfqdn() (slow without DNS).
        lambda: SMTP(sink, hostname="mw-smtp-sink", enable_SMTPUTF8=True,
                     data_size_limit=args.max_size),
        host=args.host, port=args.port, reuse_address=True)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    if args.pidfile:
        with open(args.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    print("smtp sink on %s:%d, dir %s" % (args.host, args.port, args.dir),
          flush=True)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=12525)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--pidfile")
    ap.add_argument("--max-size", type=int, default=10 * 1024 * 1024)
    args = ap.parse_args()
    try:
        asyncio.run(serve(args))
    except OSError as e:
        print("smtp-sink: %s" % e, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
