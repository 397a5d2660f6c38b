"""t_mod_msilo.py - offline messages (msilo over db_sqlite, tm, registrar,
usrloc), run with the seed config msilo-ser-adapted.cfg unchanged: only
-l picks a free port.

Python UDP sockets play the user agents: alice sends MESSAGEs, bob
registers and answers what reaches him with the code the test chooses.
The stored rows are read from the sqlite file with python's sqlite3.

The seed names a fixed database, /tmp/tandem-msilo.db: it is removed
before and after each test, so the tests of this file run one after the
other and leave nothing behind.
"""

import os
import re
import socket
import sqlite3
import time

import harness

SEED = os.path.join(harness.FIXTURES, "configs", "msilo-ser-adapted.cfg")
DB = "/tmp/tandem-msilo.db"
REGISTRAR = "sip:registrar@127.0.0.1"


def remove_db():
    for suffix in ("", "-journal", "-wal", "-shm"):
        try:
            os.unlink(DB + suffix)
        except FileNotFoundError:
            pass


def rows(where="1=1", args=()):
    """The silo rows (dicts), read while the daemon runs (retried while
    the file is locked by a writer)."""
    for _ in range(50):
        try:
            con = sqlite3.connect(DB, timeout=2)
            try:
                con.row_factory = sqlite3.Row
                cur = con.execute("SELECT * FROM silo WHERE %s ORDER BY id"
                                  % where, args)
                return [dict(r) for r in cur.fetchall()]
            finally:
                con.close()
        except sqlite3.OperationalError as e:
            if "locked" not in str(e):
                raise
            time.sleep(0.1)
    raise harness.TestFailure("the silo table stays locked")


def wait_rows(t, pred, what, timeout=8):
    deadline = time.monotonic() + timeout
    got = rows()
    while not pred(got) and time.monotonic() < deadline:
        time.sleep(0.1)
        got = rows()
    t.check(pred(got), what, rows=repr(got))
    return got


# --- a tiny SIP user agent over UDP ------------------------------------------

class Msg:
    def __init__(self, data, src):
        self.raw = data
        self.src = src
        text = data.decode("utf-8", "replace")
        head, _, self.body = text.partition("\r\n\r\n")
        lines = head.split("\r\n")
        self.first = lines[0]
        self.headers = []
        for ln in lines[1:]:
            if ":" in ln:
                k, _, v = ln.partition(":")
                self.headers.append((k.strip(), v.strip()))
        self.is_reply = self.first.startswith("SIP/2.0 ")
        self.code = int(self.first.split()[1]) if self.is_reply else None
        self.method = None if self.is_reply else self.first.split()[0]
        self.ruri = None if self.is_reply else self.first.split()[1]

    def hdr(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]


class UA:
    """A UDP user agent.  Requests it receives are answered at once with
    self.answer(msg) (200 by default) and kept in self.requests."""

    def __init__(self, name, server_port):
        self.name = name
        self.server = ("127.0.0.1", server_port)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.uri = "sip:%s@127.0.0.1" % name
        self.contact = "sip:%s@127.0.0.1:%d" % (name, self.port)
        self.requests = []
        self.replies = []
        self.seen = set()
        self.answer = lambda m: 200
        self.n = 0

    def close(self):
        self.sock.close()

    def send(self, method, ruri, to, body="", extra="", ctype="text/plain",
             contact=True, frm=None):
        self.n += 1
        callid = "%s-%d-%d@test" % (self.name, self.n, os.getpid())
        hdrs = [
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK%s%d;rport"
            % (self.port, self.name, self.n),
            "From: <%s>;tag=t%s%d" % (frm or self.uri, self.name, self.n),
            "To: <%s>" % to,
            "Call-ID: %s" % callid,
            "CSeq: %d %s" % (self.n, method),
            "Max-Forwards: 70",
        ]
        if contact is True:
            hdrs.append("Contact: <%s>" % self.contact)
        elif contact:
            hdrs.append("Contact: %s" % contact)
        if body:
            hdrs.append("Content-Type: %s" % ctype)
        hdrs += [h for h in extra.split("\r\n") if h]
        data = body.encode() if isinstance(body, str) else body
        hdrs.append("Content-Length: %d" % len(data))
        msg = ("%s %s SIP/2.0\r\n" % (method, ruri)
               + "\r\n".join(hdrs) + "\r\n\r\n").encode() + data
        self.sock.sendto(msg, self.server)
        return callid

    def reply_to(self, m, code):
        reasons = {200: "OK", 415: "Unsupported Media Type",
                   480: "Temporarily Unavailable"}
        lines = ["SIP/2.0 %d %s" % (code, reasons.get(code, "Whatever"))]
        lines += ["Via: %s" % v for v in m.all("Via")]
        to = m.hdr("To")
        if ";tag=" not in to:
            to += ";tag=ua%s" % self.name
        lines += ["From: %s" % m.hdr("From"), "To: %s" % to,
                  "Call-ID: %s" % m.hdr("Call-ID"),
                  "CSeq: %s" % m.hdr("CSeq"), "Content-Length: 0"]
        self.sock.sendto(("\r\n".join(lines) + "\r\n\r\n").encode(), m.src)

    def pump(self, timeout):
        """Reads for up to timeout seconds; answers requests."""
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data, src = self.sock.recvfrom(70000)
        except socket.timeout:
            return
        m = Msg(data, src)
        if m.is_reply:
            self.replies.append(m)
            return
        if m.method == "ACK":
            return
        key = (m.hdr("Call-ID"), m.hdr("CSeq"))
        code = self.answer(m)
        self.reply_to(m, code)
        if key not in self.seen:        # a retransmission is answered only
            self.seen.add(key)
            m.answered = code
            self.requests.append(m)

    def final_reply(self, callid, timeout=8, others=()):
        """The final reply to callid (others are pumped meanwhile)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for r in self.replies:
                if r.hdr("Call-ID") == callid and r.code >= 200:
                    return r
            for ua in others:
                ua.pump(0.01)
            self.pump(0.05)
        raise harness.TestFailure("%s: no final reply to %s in %ds"
                                  % (self.name, callid, timeout))

    def wait_requests(self, n, timeout=8, others=(), method="MESSAGE"):
        """Pumps until n requests of method arrived; returns them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            got = [m for m in self.requests if m.method == method]
            if len(got) >= n:
                return got
            for ua in others:
                ua.pump(0.01)
            self.pump(0.05)
        got = [m for m in self.requests if m.method == method]
        raise harness.TestFailure("%s: %d %s request(s) arrived, expected "
                                  "%d" % (self.name, len(got), method, n))

    def quiet(self, seconds, others=()):
        """Pumps for seconds (answering whatever comes)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for ua in others:
                ua.pump(0.01)
            self.pump(0.05)


def message(t, alice, port, to_user, body, expect, others=(), **kw):
    """alice -> to_user@127.0.0.1 through the daemon; asserts the final
    reply code; returns the Call-ID."""
    cid = alice.send("MESSAGE", "sip:%s@127.0.0.1:%d" % (to_user, port),
                     "sip:%s@127.0.0.1" % to_user, body=body, **kw)
    r = alice.final_reply(cid, others=others)
    t.eq(r.code, expect, "MESSAGE to %s answered %d" % (to_user, expect))
    return cid


def register(t, bob, port, expires=60, others=(), extra=""):
    cid = bob.send("REGISTER", "sip:127.0.0.1:%d" % port, bob.uri,
                   extra="Expires: %d\r\n%s" % (expires, extra))
    r = bob.final_reply(cid, others=others)
    t.eq(r.code, 200, "REGISTER (Expires: %d) answered 200" % expires)
    return r


def start(t):
    remove_db()
    port = t.port()
    d = t.daemon(SEED, args=["-l", "127.0.0.1:%d" % port])
    return d, port


def delivered(t, m, frm, body):
    t.eq(m.method, "MESSAGE", "a MESSAGE reached the contact")
    t.match(r"<?%s>?" % re.escape(frm), m.hdr("From"),
            "it comes from the original sender")
    t.match(r"^\[Offline message - .+\] %s$" % re.escape(body), m.body,
            "its body is the stored one, dated")
    t.eq(m.hdr("Content-Type"), "text/plain", "with the stored type")


# --- tests ---------------------------------------------------------------------

def test_store_notify_dump(t):
    """MESSAGE to an offline user: 202, a notification from the registrar
    address, the row in sqlite; REGISTER delivers; 200 deletes, 480 keeps
    it for the next REGISTER; Expires: 0 dumps nothing."""
    d, port = start(t)
    alice, bob = UA("alice", port), UA("bob", port)
    try:
        message(t, alice, port, "bob", "hello bob", 202)
        notes = alice.wait_requests(1)
        t.match(re.escape(REGISTRAR), notes[0].hdr("From"),
                "the notification comes from the registrar address")
        t.eq(notes[0].ruri, alice.contact,
             "and goes to the sender's Contact (use_contact)")
        t.match(r"User \[sip:bob@127\.0\.0\.1:%d\] is offline" % port,
                notes[0].body, "it says the user is offline")
        got = wait_rows(t, lambda r: len(r) == 1, "one row stored")
        row = got[0]
        t.eq((row["username"], row["domain"]), ("bob", "127.0.0.1"),
             "for bob@127.0.0.1")
        t.eq(row["src_addr"], alice.uri, "src_addr is the From URI")
        t.eq(row["dst_addr"], "sip:bob@127.0.0.1", "dst_addr the To URI")
        t.eq(bytes(row["body"]) if isinstance(row["body"], bytes)
             else row["body"].encode(), b"hello bob", "body stored")
        t.eq(row["ctype"], "text/plain", "content type stored")
        t.eq(row["snd_time"], 0, "not being delivered")
        t.check(row["exp_time"] - row["inc_time"] == 259200,
                "exp_time = inc_time + expire_time (259200)")

        message(t, alice, port, "bob", "second", 202)
        wait_rows(t, lambda r: len(r) == 2, "two rows stored")

        # the first is accepted, the second refused with 480
        bob.answer = lambda m: 480 if m.body.endswith("second") else 200
        register(t, bob, port, others=(alice,))
        got = bob.wait_requests(2, others=(alice,))
        delivered(t, got[0], alice.uri, "hello bob")
        delivered(t, got[1], alice.uri, "second")
        t.eq(got[0].ruri, bob.contact, "sent to the REGISTER's Contact")
        left = wait_rows(t, lambda r: len(r) == 1 and r[0]["snd_time"] == 0,
                         "the 200 deleted one row, the 480 released the "
                         "other")
        t.eq(left[0]["body"] in (b"second", "second"), True,
             "the refused message is kept")

        # deregistration dumps nothing
        register(t, bob, port, expires=0, others=(alice,))
        bob.quiet(1.0, others=(alice,))
        t.eq(len(bob.requests), 2, "Expires: 0 sends nothing")

        bob.answer = lambda m: 200
        register(t, bob, port, others=(alice,))
        got = bob.wait_requests(3, others=(alice,))
        delivered(t, got[2], alice.uri, "second")
        wait_rows(t, lambda r: r == [], "delivered: the table is empty")

        # a REGISTER with nothing stored sends nothing
        register(t, bob, port, others=(alice,))
        bob.quiet(0.7, others=(alice,))
        t.eq(len(bob.requests), 3, "nothing more sent")
        d.stop()
    finally:
        alice.close()
        bob.close()
        remove_db()


def test_relay_and_failure_route(t):
    """A MESSAGE to a registered user is relayed and its 200 comes back;
    a 415 from the user's UA makes failure_route store it (m_store("1"))
    and the sender gets 202; the stored message survives a restart and
    is delivered at the next REGISTER."""
    d, port = start(t)
    alice, bob = UA("alice", port), UA("bob", port)
    try:
        register(t, bob, port)
        message(t, alice, port, "bob", "live", 200, others=(bob,))
        got = bob.wait_requests(1)
        t.eq(got[0].body, "live", "relayed as it was")
        t.eq(rows(), [], "nothing stored")

        bob.answer = lambda m: 415
        message(t, alice, port, "bob", "no pager here", 202, others=(bob,))
        got = wait_rows(t, lambda r: len(r) == 1, "the refused MESSAGE is "
                        "stored by failure_route")
        t.eq((got[0]["username"], got[0]["domain"]), ("bob", "127.0.0.1"),
             "for bob@127.0.0.1 (mode 1: the R-URI as received)")
        alice.wait_requests(1, others=(bob,))   # the notification
        d.stop()

        t.eq(len(rows()), 1, "the row is still there after the stop")
        d2 = t.daemon(SEED, args=["-l", "127.0.0.1:%d" % port])
        bob.answer = lambda m: 200
        n0 = len(bob.requests)
        register(t, bob, port)
        got = bob.wait_requests(n0 + 1)
        delivered(t, got[-1], alice.uri, "no pager here")
        wait_rows(t, lambda r: r == [], "delivered after the restart")
        d2.stop()
    finally:
        alice.close()
        bob.close()
        remove_db()


def test_refusals(t):
    """What m_store refuses gets 503 and stores nothing: no body, a body
    over max_body_size, a message to the registrar address; bad requests
    cost nothing else."""
    d, port = start(t)
    alice = UA("alice", port)
    try:
        message(t, alice, port, "bob", "", 503)
        message(t, alice, port, "bob", "x" * 60001, 503)
        message(t, alice, port, "registrar", "to the registrar", 503)
        t.eq(rows(), [], "nothing stored")
        # a MESSAGE without Contact: the notification goes to the From
        # URI (port 5060, where nothing answers); it is still stored
        message(t, alice, port, "carol", "no contact", 202, contact=False)
        wait_rows(t, lambda r: len(r) == 1, "stored without a Contact")
        # a database error: the table disappears under the server
        con = sqlite3.connect(DB, timeout=5)
        con.execute("DROP TABLE silo")
        con.commit()
        con.close()
        message(t, alice, port, "bob", "no table", 503)
        bob = UA("bob", port)
        try:
            register(t, bob, port)
            bob.quiet(0.5)
            t.eq(bob.requests, [], "m_dump() sends nothing without a table")
        finally:
            bob.close()
        log = d.log()
        t.match(r"the database refused the MESSAGE from sip:alice@127\.0\.0"
                r"\.1 to sip:bob@127\.0\.0\.1:\d+; not stored", log,
                "the failed INSERT is logged")
        t.match(r"cannot read the stored messages of bob@127\.0\.0\.1", log,
                "the failed SELECT is logged")
        t.match(r"no body; not stored", log, "the empty body is logged")
        t.match(r"more than max_body_size", log, "the big body is logged")
        t.match(r"registrar address; messages to it are not stored", log,
                "the registrar refusal is logged")
        d.stop()
    finally:
        alice.close()
        remove_db()


# --- Kamailio 5.6 parameters and forms, forking server ----------------------

def funcs_rows(t, table="offline"):
    con = sqlite3.connect(t.path("silo.db"), timeout=5)
    try:
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute(
            "SELECT * FROM %s ORDER BY id" % table).fetchall()]
    finally:
        con.close()


def kamcmd(t, *args):
    return harness.kamcmd(t, t.path("ctl.sock"), *args).strip()


def stored(t, alice, port, ruri_user, to_user, store, body, expect,
           **kw):
    extra = "X-Store: %s" % store
    cid = alice.send("MESSAGE", "sip:%s@127.0.0.1:%d" % (ruri_user, port),
                     "sip:%s@127.0.0.1" % to_user, body=body, extra=extra,
                     **kw)
    r = alice.final_reply(cid)
    t.eq(r.code, expect, "m_store(\"%s\") -> %d" % (store, expect))


def test_kamailio_forms_and_stats(t):
    """from_address, offline_message with a PV, use_contact=0,
    add_date=0, max_messages, db_table; m_store("2") and the owner forms
    of m_store()/m_dump(); the statistics over kamcmd; children=2."""
    cfg = t.render("msilo_funcs.cfg.in", EXPIRE=3600)
    d = t.daemon(cfg)
    port = t.values["PORT"]
    alice, bob = UA("alice", port), UA("bob", port)
    dead = UA("dead", port)        # a Contact that must not be used
    try:
        frm = "sip:alice@127.0.0.1:%d" % alice.port
        stored(t, alice, port, "bob", "bob", "0", "first", 202, frm=frm,
               contact="<%s>" % dead.contact)
        notes = alice.wait_requests(1)
        t.match(r"sip:notify@127\.0\.0\.1", notes[0].hdr("From"),
                "the notification comes from from_address")
        t.eq(notes[0].ruri, frm, "use_contact=0: it goes to the From URI")
        t.eq(notes[0].body, "*** bob is away",
             "offline_message rendered on the request")
        stored(t, alice, port, "nobody", "bob", "2", "<b>second</b>", 202,
               frm=frm, ctype="text/html")
        stored(t, alice, port, "bob", "bob", "0", "third", 503, frm=frm)
        t.match(r"max_messages reached for bob@127\.0\.0\.1", d.log(),
                "max_messages (2) refuses the third")
        stored(t, alice, port, "bob", "bob", "sip:carol@127.0.0.1",
               "for carol", 202, frm=frm)
        stored(t, alice, port, "bob", "bob", "7", "bad mode", 503, frm=frm)
        t.match(r"\"7\" is neither a mode", d.log(),
                "a bad mode from a variable is refused at run time")
        alice.quiet(0.5)
        got = funcs_rows(t)
        t.eq([(r["username"], r["body"]) for r in got],
             [("bob", b"first"), ("bob", b"<b>second</b>"),
              ("carol", b"for carol")],
             "stored in table 'offline' for the chosen mailboxes")
        t.eq(dead.requests, [], "nothing went to the unused Contact")

        register(t, bob, port)
        got = bob.wait_requests(2)
        t.eq([m.body for m in got], ["first", "<b>second</b>"],
             "add_date=0: the bodies as stored, oldest first")
        t.eq(got[1].hdr("Content-Type"), "text/html",
             "the stored Content-Type")
        t.match(r"^\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$",
                got[0].hdr("Date") or "", "a Date header")
        # m_dump("<owner>"): carol's mailbox to alice's contact
        register(t, alice, port, extra="X-Dump: sip:carol@127.0.0.1")
        deadline = time.monotonic() + 8
        while time.monotonic() < deadline and not any(
                m.body == "for carol" for m in alice.requests):
            alice.pump(0.05)
        got = [m for m in alice.requests if "notify@" not in m.hdr("From")]
        t.eq([m.body for m in got], ["for carol"],
             "m_dump(owner) dumps that mailbox to the REGISTER's contact")
        t.eq(len(alice.requests) - len(got), 3,
             "one notification per stored message")
        deadline = time.monotonic() + 8
        while funcs_rows(t) and time.monotonic() < deadline:
            time.sleep(0.1)
        t.eq(funcs_rows(t), [], "all delivered and deleted")
        out = kamcmd(t, "stats.get_statistics", "msilo:")
        for name, value in (("stored_messages", 3), ("dumped_messages", 3),
                            ("failed_messages", 0),
                            ("dumped_reminders", 0)):
            t.match(r"^msilo:%s = %d$" % (name, value), out,
                    "statistic %s" % name)
        d.stop()
    finally:
        for ua in (alice, bob, dead):
            ua.close()


def test_expiry_and_bad_register(t):
    """The timer deletes expired messages; a REGISTER with a malformed
    Contact or Expires is logged and dumps nothing."""
    cfg = t.render("msilo_funcs.cfg.in", EXPIRE=1)
    d = t.daemon(cfg)
    port = t.values["PORT"]
    alice = UA("alice", port)
    try:
        stored(t, alice, port, "bob", "bob", "0", "short-lived", 202)
        t.eq(len(funcs_rows(t)), 1, "stored")
        deadline = time.monotonic() + 6
        while funcs_rows(t) and time.monotonic() < deadline:
            alice.quiet(0.2)
        t.eq(funcs_rows(t), [], "deleted by the timer once expired")
        cid = alice.send("REGISTER", "sip:127.0.0.1:%d" % port, alice.uri,
                         extra="Expires: soon")
        alice.final_reply(cid)
        # m_dump() runs after save() replied: wait for its line
        deadline = time.monotonic() + 10
        while "malformed Expires header" not in d.log() and \
                time.monotonic() < deadline:
            alice.quiet(0.1)
        t.match(r"malformed Expires header in the REGISTER", d.log(),
                "a malformed Expires is logged by m_dump()")
        d.stop()
    finally:
        alice.close()


def test_config_errors(t):
    """Wrong arguments and parameters are refused before serving."""
    base = open(os.path.join(harness.TEMPLATES, "msilo_funcs.cfg.in"),
                encoding="utf-8").read()
    bad = base.replace('m_store("$hdr(X-Store)")', 'm_store("5")')
    r = harness.check_config(t.render(bad, "bad_mode.cfg", EXPIRE=10),
                             moddir=harness.MODDIR)
    t.eq(r.rc, 1, "m_store(\"5\") refused by tandem -c", **r.context())
    t.match(r"bad_mode\.cfg:\d+:\d+: error: m_store\(\): the mode must be",
            r.err, "with its position")
    bad = base.replace('"sqlite://@TMP@/silo.db"', '"/tmp/no-scheme.db"')
    r = harness.check_config(t.render(bad, "bad_url.cfg", EXPIRE=10),
                             moddir=harness.MODDIR)
    t.eq(r.rc, 1, "a db_url without scheme:// refused", **r.context())
    t.match(r"db_url \"/tmp/no-scheme.db\" has no scheme", r.err,
            "saying why")
    bad = base.replace('"offline")', '"off;line")')
    path = t.render(bad, "bad_table.cfg", EXPIRE=10)
    r = harness.run_tandem(["-DD", "-E", "-f", path, "-L", harness.MODDIR],
                           timeout=30)
    t.ne(r.rc, 0, "a bad db_table stops the start", **r.context())
    t.match(r"db_table \"off;line\" is not a plain table name", r.err,
            "saying why")


if __name__ == "__main__":
    harness.main(globals())
