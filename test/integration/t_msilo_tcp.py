"""t_msilo_tcp.py - the stateful stack (tm, registrar/usrloc lookup,
msilo delivery) over TCP, with the seed config msilo-ser-adapted.cfg
unchanged (only -l picks a free port; it listens on UDP and TCP), and a
copy of it with children=4 (cfg/msilo_tcp_children4.cfg.in) so that the
process that sends on a connection is often not its owner.

Python sockets play the user agents: TcpUA keeps one TCP connection to
the daemon, sends its requests on it and answers what reaches it on the
same connection; the UDP UA of t_mod_msilo.py plays a sender over UDP.

The seed names a fixed database, /tmp/tandem-msilo.db: removed before
and after each test; never run this file at the same time as
t_mod_msilo.py or t_msilo_badinput.py.
"""

import os
import re
import select
import socket
import time

import harness
from t_mod_msilo import (SEED, UA, Msg, delivered, remove_db, rows,
                         wait_rows)

CHILDREN4 = "msilo_tcp_children4.cfg.in"


class TcpUA:
    """A user agent on one TCP connection.  Requests that reach it are
    answered on that connection with self.answer(msg) (200 by default)
    and kept in self.requests; replies go to self.replies.

    contact="tcp": "sip:NAME@127.0.0.1:LOCALPORT;transport=tcp", the
    connection's own address; contact="plain": a Contact without
    transport naming a UDP port of the test (self.udp) where nothing may
    arrive: only the connection reaches the UA."""

    def __init__(self, name, server_port, contact="tcp"):
        self.name = name
        self.server_port = server_port
        self.sock = socket.create_connection(("127.0.0.1", server_port),
                                             timeout=5)
        self.port = self.sock.getsockname()[1]
        self.uri = "sip:%s@127.0.0.1" % name
        self.udp = None
        if contact == "plain":
            self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.udp.bind(("127.0.0.1", 0))
            self.contact = "sip:%s@127.0.0.1:%d" % (
                name, self.udp.getsockname()[1])
        else:
            self.contact = "sip:%s@127.0.0.1:%d;transport=tcp" % (
                name, self.port)
        self.buf = b""
        self.requests, self.replies, self.seen = [], [], set()
        self.answer = lambda m: 200
        self.n = 0
        self.eof = False

    def close(self):
        try:
            self.sock.close()
        finally:
            if self.udp:
                self.udp.close()

    def send_raw(self, data):
        self.sock.sendall(data)

    def build(self, method, ruri, to, body="", extra="", contact=True):
        self.n += 1
        callid = "%s-tcp-%d-%d@test" % (self.name, self.n, os.getpid())
        hdrs = [
            "Via: SIP/2.0/TCP 127.0.0.1:%d;branch=z9hG4bK%stcp%d;rport"
            % (self.port, self.name, self.n),
            "From: <%s>;tag=t%s%d" % (self.uri, self.name, self.n),
            "To: <%s>" % to,
            "Call-ID: %s" % callid,
            "CSeq: %d %s" % (self.n, method),
            "Max-Forwards: 70",
        ]
        if contact:
            hdrs.append("Contact: <%s>" % self.contact)
        if body:
            hdrs.append("Content-Type: text/plain")
        hdrs += [h for h in extra.split("\r\n") if h]
        data = body.encode() if isinstance(body, str) else body
        hdrs.append("Content-Length: %d" % len(data))
        return callid, ("%s %s SIP/2.0\r\n" % (method, ruri)
                        + "\r\n".join(hdrs) + "\r\n\r\n").encode() + data

    def send(self, method, ruri, to, **kw):
        callid, data = self.build(method, ruri, to, **kw)
        self.send_raw(data)
        return callid

    def reply_to(self, m, code):
        lines = ["SIP/2.0 %d %s" % (code, "OK" if code == 200 else "Nope")]
        lines += ["Via: %s" % v for v in m.all("Via")]
        to = m.hdr("To")
        if ";tag=" not in to:
            to += ";tag=ua%s" % self.name
        lines += ["From: %s" % m.hdr("From"), "To: %s" % to,
                  "Call-ID: %s" % m.hdr("Call-ID"),
                  "CSeq: %s" % m.hdr("CSeq"), "Content-Length: 0"]
        self.send_raw(("\r\n".join(lines) + "\r\n\r\n").encode())

    def _frames(self):
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buf[:end].decode("utf-8", "replace")
            m = re.search(r"^(?:Content-Length|l)\s*:\s*(\d+)", head,
                          re.M | re.I)
            clen = int(m.group(1)) if m else 0
            if len(self.buf) < end + 4 + clen:
                return
            frame = self.buf[:end + 4 + clen]
            self.buf = self.buf[end + 4 + clen:]
            yield frame

    def pump(self, timeout):
        if self.eof:
            time.sleep(timeout)
            return
        r, _, _ = select.select([self.sock], [], [], max(timeout, 0.001))
        if not r:
            return
        try:
            data = self.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            self.eof = True
            return
        self.buf += data
        for frame in self._frames():
            m = Msg(frame, ("127.0.0.1", self.server_port))
            if m.is_reply:
                self.replies.append(m)
                continue
            if m.method == "ACK":
                continue
            code = self.answer(m)
            self.reply_to(m, code)
            key = (m.hdr("Call-ID"), m.hdr("CSeq"))
            if key not in self.seen:
                self.seen.add(key)
                m.answered = code
                self.requests.append(m)

    # the waiting is the UDP UA's: same fields, same pump()
    final_reply = UA.final_reply
    wait_requests = UA.wait_requests


# --- helpers -------------------------------------------------------------------

def start(t, children4=False):
    remove_db()
    port = t.port()
    cfg = SEED
    if children4:
        cfg = t.render(CHILDREN4, "msilo-children4.cfg")
        text = open(cfg, encoding="utf-8").read()
        t.check(re.search(r"^children=4 ", text, re.M) is not None,
                "the template runs 4 children")
    d = t.daemon(cfg, args=["-l", "127.0.0.1:%d" % port])
    return d, port


def register(t, ua, port, expires=60, others=()):
    cid = ua.send("REGISTER", "sip:127.0.0.1:%d" % port, ua.uri,
                  extra="Expires: %d" % expires)
    r = ua.final_reply(cid, others=others)
    t.eq(r.code, 200, "%s: REGISTER over TCP answered 200 on its "
         "connection" % ua.name)
    return r


def message(t, ua, port, to_user, body, expect, others=(), timeout=8):
    cid = ua.send("MESSAGE", "sip:%s@127.0.0.1:%d" % (to_user, port),
                  "sip:%s@127.0.0.1" % to_user, body=body)
    r = ua.final_reply(cid, others=others, timeout=timeout)
    t.eq(r.code, expect, "%s -> %s: %d" % (ua.name, to_user, expect))
    return r


def pump_all(uas, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for ua in uas:
            ua.pump(0.01)


def udp_silent(t, ua, what):
    """Nothing arrived on the plain contact's UDP port."""
    ua.udp.setblocking(False)
    try:
        data = ua.udp.recv(65536)
    except BlockingIOError:
        data = None
    t.eq(data, None, what)


def check_tcp_delivery(t, m, port):
    via = m.all("Via")
    t.match(r"^SIP/2\.0/TCP 127\.0\.0\.1:%d;branch=z9hG4bK" % port, via[0],
            "the delivery carries our Via with transport TCP")


def same_children(t, d, before):
    now = d.children()
    t.eq(sorted(now), sorted(before), "the daemon's processes are the same "
         "(none died or was respawned)")


# --- tests ---------------------------------------------------------------------

def test_stored_then_delivered_over_the_register_connection(t):
    """MESSAGEs to an offline user (one over UDP, one over TCP) are
    stored; bob registers over TCP (Contact ;transport=tcp) and keeps the
    connection: both are delivered on it, bob's 200s delete the rows.
    dave registers over TCP with a plain Contact (no transport, another
    port): his message also comes over his connection, nothing to the
    Contact's UDP address."""
    d, port = start(t)
    procs = d.children()
    carol = UA("carol", port)
    alice = TcpUA("alice", port)
    bob = dave = None
    try:
        cid = carol.send("MESSAGE", "sip:bob@127.0.0.1:%d" % port,
                         "sip:bob@127.0.0.1", body="over udp")
        t.eq(carol.final_reply(cid).code, 202, "carol (UDP) -> bob: 202")
        message(t, alice, port, "bob", "over tcp", 202)
        message(t, alice, port, "dave", "for dave", 202)
        wait_rows(t, lambda r: len(r) == 3, "three rows stored")
        # alice's notifications come over her connection (her Contact
        # says transport=tcp at the connection's own address)
        notes = alice.wait_requests(2, others=(carol,))
        t.match(r"User \[sip:bob@127\.0\.0\.1:%d\] is offline" % port,
                notes[0].body, "the offline notice reached alice over TCP")

        bob = TcpUA("bob", port)
        register(t, bob, port)
        got = bob.wait_requests(2, others=(alice, carol))
        bodies = sorted(m.body.rsplit("] ", 1)[-1] for m in got)
        t.eq(bodies, ["over tcp", "over udp"], "both delivered to bob over "
             "the connection of his REGISTER")
        for m in got:
            check_tcp_delivery(t, m, port)
        delivered(t, [m for m in got if m.body.endswith("over udp")][0],
                  carol.uri, "over udp")
        wait_rows(t, lambda r: [x["username"] for x in r] == ["dave"],
                  "bob's 200s on TCP deleted his rows")

        dave = TcpUA("dave", port, contact="plain")
        register(t, dave, port, others=(alice, bob))
        got = dave.wait_requests(1, others=(alice, bob))
        delivered(t, got[0], alice.uri, "for dave")
        check_tcp_delivery(t, got[0], port)
        t.eq(got[0].ruri, dave.contact, "the Request-URI is dave's Contact")
        wait_rows(t, lambda r: r == [], "dave's 200 deleted his row")
        udp_silent(t, dave, "nothing went to the plain Contact over UDP")

        # the connections stayed up and still serve
        message(t, alice, port, "bob", "live", 200, others=(bob, dave))
        t.eq(bob.requests[-1].body, "live", "a live MESSAGE reaches bob")
        same_children(t, d, procs)
        d.stop()
    finally:
        for ua in (carol, alice, bob, dave):
            if ua:
                ua.close()
        remove_db()


def test_relay_via_and_failure_route(t):
    """alice (TCP) -> bob (registered over TCP): relayed on bob's
    connection with our TCP Via on top and alice's Via with received
    and rport; the 200 comes back on alice's connection with only her
    Via.  bob answers 480: failure_route stores it (m_store("1")) and
    alice gets 202 over TCP."""
    d, port = start(t)
    alice, bob = TcpUA("alice", port), TcpUA("bob", port)
    try:
        register(t, bob, port)
        r = message(t, alice, port, "bob", "hi bob", 200, others=(bob,))
        m = bob.requests[-1]
        t.eq(m.body, "hi bob", "bob got the MESSAGE over TCP")
        t.eq(m.ruri, bob.contact, "the Request-URI is bob's Contact")
        via = m.all("Via")
        t.eq(len(via), 2, "two Vias: ours and alice's")
        t.match(r"^SIP/2\.0/TCP 127\.0\.0\.1:%d;branch=z9hG4bK" % port,
                via[0], "our Via says TCP and our address")
        t.match(r"^SIP/2\.0/TCP 127\.0\.0\.1:%d;branch=z9hG4bKalicetcp\d+"
                r";rport=%d;received=127\.0\.0\.1$" % (alice.port, alice.port),
                via[1], "alice's Via got rport and received")
        rv = r.all("Via")
        t.eq(len(rv), 1, "the 200 reaching alice has one Via")
        t.match(r"^SIP/2\.0/TCP 127\.0\.0\.1:%d;branch=z9hG4bKalicetcp\d+;"
                r"rport=%d" % (alice.port, alice.port), rv[0],
                "her own, with rport filled")
        t.eq(rows(), [], "nothing stored")

        bob.answer = lambda m: 480
        message(t, alice, port, "bob", "busy bob", 202, others=(bob,))
        got = wait_rows(t, lambda r: len(r) == 1, "failure_route stored the "
                        "MESSAGE bob refused")
        t.eq(got[0]["body"] in (b"busy bob", "busy bob"), True,
             "with its body")
        alice.wait_requests(1, others=(bob,))   # the offline notice
        d.stop()
    finally:
        alice.close()
        bob.close()
        remove_db()


def closed_callee(t, children4):
    d, port = start(t, children4)
    procs = d.children()
    alice, carol = TcpUA("alice", port), UA("carol", port)
    bob = TcpUA("bob", port)
    bob2 = None
    try:
        register(t, bob, port)
        bob.close()
        t0 = time.monotonic()
        message(t, alice, port, "bob", "after close tcp", 202,
                others=(carol,), timeout=6)
        cid = carol.send("MESSAGE", "sip:bob@127.0.0.1:%d" % port,
                         "sip:bob@127.0.0.1", body="after close udp")
        t.eq(carol.final_reply(cid, timeout=6, others=(alice,)).code, 202,
             "carol (UDP) -> closed bob: 202")
        t.check(time.monotonic() - t0 < 6, "both answered before fr_timer "
                "(10 s)")
        wait_rows(t, lambda r: len(r) == 2, "both stored by failure_route")
        t.match(r"branch failed: the connection to 127\.0\.0\.1:%d is "
                r"closed" % bob.port, d.log(), "the log says why the branch "
                "failed")
        if children4:
            t.match(r"no tcp connection to 127\.0\.0\.1:%d and this "
                    r"process cannot open one" % bob.port, d.log(),
                    "a UDP receiver could not open a connection")

        bob2 = TcpUA("bob", port)
        register(t, bob2, port, others=(alice, carol))
        got = bob2.wait_requests(2, others=(alice, carol))
        t.eq(sorted(m.body.rsplit("] ", 1)[-1] for m in got),
             ["after close tcp", "after close udp"],
             "delivered on bob's new connection")
        wait_rows(t, lambda r: r == [], "and deleted")
        same_children(t, d, procs)
        d.stop()
    finally:
        for ua in (alice, carol, bob, bob2):
            if ua:
                ua.close()
        remove_db()


def test_callee_connection_closed(t):
    """bob registered over TCP, then closed his connection: a MESSAGE to
    him cannot reach him (fork=no: the one process opens a connection to
    his old address, refused).  The branch ends at once with 503,
    failure_route stores the message, the caller (TCP or UDP) gets 202
    well before fr_timer; bob's next REGISTER over a new connection gets
    them."""
    closed_callee(t, False)


def test_callee_connection_closed_children4(t):
    """The same forked: from a TCP worker tm opens a connection that is
    refused; a UDP receiver cannot open one at all.  Both end with 503 at
    the next timer tick, failure_route (in the timer process) stores."""
    closed_callee(t, True)


def test_children4_cross_worker(t):
    """children=4: several TCP users register and exchange MESSAGEs, so
    the relaying process is often not the owner of the callee's or the
    caller's connection; every MESSAGE arrives once and every 200 comes
    back; stored messages are delivered on REGISTER whichever worker
    runs m_dump."""
    d, port = start(t, children4=True)
    procs = d.children()
    t.check(len(procs) >= 8, "4 TCP workers and 4 UDP receivers at least",
            procs=repr(procs))
    users = [TcpUA("u%d" % i, port) for i in range(6)]
    carol = UA("carol", port)
    late = []
    try:
        for u in users:
            register(t, u, port)
        n = 0
        for rnd in range(3):
            for i, a in enumerate(users):
                b = users[(i + 1 + rnd) % len(users)]
                message(t, a, port, b.name, "m%d-%s" % (n, a.name), 200,
                        others=[u for u in users if u is not a])
                n += 1
        got = sum(len(u.requests) for u in users)
        pump_all(users, 0.3)
        notices = [m for u in users for m in u.requests
                   if m.hdr("From").startswith("<sip:registrar@")]
        t.eq(notices, [], "no offline notice: everyone was online")
        t.eq(sum(len(u.requests) for u in users), n,
             "each of the %d MESSAGEs arrived once" % n)
        t.eq(got, n, "(also before the extra pumping)")

        # offline users: stored, then delivered on their TCP REGISTER
        for i in range(4):
            cid = carol.send("MESSAGE", "sip:off%d@127.0.0.1:%d" % (i, port),
                             "sip:off%d@127.0.0.1" % i, body="stored %d" % i)
            t.eq(carol.final_reply(cid).code, 202, "stored for off%d" % i)
        wait_rows(t, lambda r: len(r) == 4, "four rows")
        late = [TcpUA("off%d" % i, port) for i in range(4)]
        for u in late:
            register(t, u, port, others=[carol])
        for i, u in enumerate(late):
            got = u.wait_requests(1, others=late)
            t.eq(got[0].body.rsplit("] ", 1)[-1], "stored %d" % i,
                 "off%d got its message on its connection" % i)
        wait_rows(t, lambda r: r == [], "all delivered and deleted")

        # m_dump() in a UDP receiver: w registers over UDP a Contact that
        # names its TCP connection; the delivery goes to the owner worker
        w = TcpUA("w", port)
        late.append(w)
        cid = carol.send("MESSAGE", "sip:w@127.0.0.1:%d" % port,
                         "sip:w@127.0.0.1", body="for w")
        t.eq(carol.final_reply(cid).code, 202, "stored for w")
        reg = UA("w", port)
        late.append(reg)
        cid = reg.send("REGISTER", "sip:127.0.0.1:%d" % port, w.uri,
                       extra="Expires: 60", contact="<%s>" % w.contact)
        t.eq(reg.final_reply(cid, others=(w,)).code, 200,
             "w registered over UDP")
        got = w.wait_requests(1, others=(reg, carol))
        t.eq(got[0].body.rsplit("] ", 1)[-1], "for w",
             "delivered on w's TCP connection")
        wait_rows(t, lambda r: r == [], "and deleted")

        # a REGISTER over TCP whose Contact names another connection:
        # like lookup() (received), m_dump() answers on the REGISTER's
        # own connection, not on the one the Contact names
        w2, reg2 = TcpUA("w2", port), TcpUA("w2", port)
        late += [w2, reg2]
        cid = carol.send("MESSAGE", "sip:w2@127.0.0.1:%d" % port,
                         "sip:w2@127.0.0.1", body="for w2")
        t.eq(carol.final_reply(cid).code, 202, "stored for w2")
        cid = reg2.send("REGISTER", "sip:127.0.0.1:%d" % port, w2.uri,
                        extra="Expires: 60\r\nContact: <%s>" % w2.contact,
                        contact=False)
        t.eq(reg2.final_reply(cid, others=(w2,)).code, 200,
             "w2 registered over another TCP connection")
        got = reg2.wait_requests(1, others=(w2, carol))
        t.eq(got[0].body.rsplit("] ", 1)[-1], "for w2",
             "delivered on the REGISTER's connection")
        t.eq(got[0].ruri, w2.contact, "to the registered Contact")
        t.eq(w2.requests, [], "nothing on the connection the Contact names")
        message(t, carol, port, "w2", "live w2", 200, others=(w2, reg2))
        t.eq(reg2.requests[-1].body, "live w2",
             "lookup() relays the same way")
        wait_rows(t, lambda r: r == [], "and deleted")
        same_children(t, d, procs)
        d.stop()
    finally:
        for u in users + late + [carol]:
            u.close()
        remove_db()


if __name__ == "__main__":
    harness.main(globals())
