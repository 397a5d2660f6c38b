"""t_msilo_badinput.py - the seed config (msilo-ser-adapted.cfg, -l only)
under a flood of malformed SIP over UDP and TCP, interleaved with good
traffic; and the same flood on its forked copy with children=4
(cfg/msilo_tcp_children4.cfg.in).

Afterwards the daemon and all its processes are the same (no crash, no
respawn), every message stored before the flood is still in the sqlite
file and is delivered at the next REGISTER, and a fresh MESSAGE and
REGISTER work.

The seed names a fixed database, /tmp/tandem-msilo.db: removed before
and after each test; never run this file at the same time as
t_mod_msilo.py or t_msilo_tcp.py.
"""

import random
import socket
import time

import harness
from t_mod_msilo import UA, Msg, remove_db, rows, wait_rows
from t_msilo_tcp import TcpUA, register, start


def req(method, ruri, hdrs, body=b"", clen=None):
    """A request from header lines; Content-Length is added unless hdrs
    has one or clen is False."""
    if isinstance(body, str):
        body = body.encode()
    lines = ["%s %s SIP/2.0" % (method, ruri)] + list(hdrs)
    if clen is None and not any(h.lower().startswith("content-length")
                                for h in hdrs):
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def base_hdrs(n, method, to="sip:bob@127.0.0.1", proto="UDP"):
    return {
        "via": "Via: SIP/2.0/%s 127.0.0.1:9;branch=z9hG4bKbad%d" % (proto, n),
        "from": "From: <sip:mallory@127.0.0.1>;tag=m%d" % n,
        "to": "To: <%s>" % to,
        "callid": "Call-ID: bad-%d@test" % n,
        "cseq": "CSeq: %d %s" % (n, method),
        "mf": "Max-Forwards: 70",
    }


def malformed(port, proto="UDP"):
    """The list of bad inputs: (name, bytes)."""
    ruri = "sip:bob@127.0.0.1:%d" % port
    rreg = "sip:127.0.0.1:%d" % port
    out = []
    n = 1000

    def full(method, drop=(), extra=(), body="x", uri=None,
             to="sip:bob@127.0.0.1", **kw):
        nonlocal n
        n += 1
        h = base_hdrs(n, method, to=to, proto=proto)
        lines = [v for k, v in h.items() if k not in drop] + list(extra)
        if body:
            lines.append("Content-Type: text/plain")
        return req(method, uri or ruri, lines, body, **kw)

    for what in ("via", "from", "to", "callid", "cseq"):
        out.append(("MESSAGE without %s" % what,
                    full("MESSAGE", drop=(what,))))
        out.append(("REGISTER without %s" % what,
                    full("REGISTER", drop=(what,), uri=rreg, body="",
                         extra=("Contact: <sip:bob@127.0.0.1:9>",))))
    good = full("MESSAGE", body="truncated body here")
    out.append(("truncated in the request line", good[:10]))
    out.append(("truncated in the headers", good[:len(good) // 2]))
    out.append(("no blank line", good[:good.index(b"\r\n\r\n")]))
    out.append(("request line only", b"MESSAGE " + ruri.encode()
                + b" SIP/2.0\r\n\r\n"))
    out.append(("bad request line", b"MESSAGE\r\nVia: x\r\n\r\n"))
    out.append(("bad SIP version", full("MESSAGE").replace(b"SIP/2.0\r\n",
                                                           b"SIP/3.7\r\n", 1)))
    for cl in ("-5", "abc", "99999999999999999999", "1e3", "", "4 4"):
        out.append(("Content-Length: %r" % cl,
                    full("MESSAGE", extra=("Content-Length: %s" % cl,),
                         body="short", clen=False)))
    if proto == "UDP":
        out.append(("Content-Length larger than the datagram",
                    full("MESSAGE", extra=("Content-Length: 5000",),
                         body="tiny", clen=False)))
    out.append(("bad CSeq", full("MESSAGE", drop=("cseq",),
                                 extra=("CSeq: banana MESSAGE",))))
    out.append(("bad Max-Forwards", full("MESSAGE", drop=("mf",),
                                         extra=("Max-Forwards: -1",))))
    out.append(("Max-Forwards 0", full("MESSAGE", drop=("mf",),
                                       extra=("Max-Forwards: 0",))))
    out.append(("bad Via", full("MESSAGE", drop=("via",),
                                extra=("Via: SIP/2.0/UDP",))))
    out.append(("bad From", full("MESSAGE", drop=("from",),
                                 extra=("From: <sip:mallory@",))))
    out.append(("bad To", full("MESSAGE", drop=("to",),
                               extra=("To: \"unterminated <sip:bob@x",))))
    out.append(("bad R-URI", full("MESSAGE", uri="sip:@@@:::")))
    out.append(("R-URI not sip", full("MESSAGE", uri="mailto:bob@x")))
    out.append(("bad Content-Type", full("MESSAGE", body="",
                                         extra=("Content-Type: ;;;",
                                                "Content-Length: 3"),
                                         clen=False) + b"abc"))
    # REGISTERs for bob that must neither bind nor make m_dump() send
    # his stored messages anywhere (t_msilo_badinput checks that they
    # stay unclaimed)
    for contact in ("<sip:bob@", "*", "<<<>>>",
                    "<sip:bob@127.0.0.1>;expires=banana", ",,,,",
                    "<sip:bob@127.0.0.1>;=x"):
        out.append(("REGISTER Contact %r" % contact[:30],
                    full("REGISTER", uri=rreg, body="",
                         extra=("Contact: %s" % contact,
                                "Expires: 60"))))
    # odd Contacts the registrar may take: for mallory, whose mailbox is
    # empty (a binding to a bad address must cost nothing later)
    for contact in ("sip:m@127.0.0.1:99999", "<sip:m@127.0.0.1>;q=2.5",
                    "<mailto:m@x>", "<sip:m@[::1>",
                    "<sip:m@127.0.0.1;transport=carrier-pigeon>",
                    "\"x\" <sip:m@h>;" * 40):
        out.append(("REGISTER Contact %r" % contact[:30],
                    full("REGISTER", uri=rreg, body="",
                         to="sip:mallory@127.0.0.1",
                         extra=("Contact: %s" % contact,
                                "Expires: 60"))))
    out.append(("MESSAGE to mallory's odd contacts",
                full("MESSAGE", uri="sip:mallory@127.0.0.1:%d" % port,
                     to="sip:mallory@127.0.0.1")))
    # odd but acceptable MESSAGEs, stored like any other (Kamailio's core
    # and tm take them too): for mallory as well, so that whether a
    # flooded datagram arrives decides nothing the test checks
    mal = "sip:mallory@127.0.0.1:%d" % port
    out.append(("CSeq method mismatch",
                full("MESSAGE", drop=("cseq",), extra=("CSeq: 5 INVITE",),
                     uri=mal, to="sip:mallory@127.0.0.1")))
    out.append(("very long header",
                full("MESSAGE", extra=("X-Long: " + "a" * 60000,), uri=mal,
                     to="sip:mallory@127.0.0.1")))
    out.append(("REGISTER Expires garbage",
                full("REGISTER", uri=rreg, body="",
                     extra=("Contact: <sip:bob@127.0.0.1:9>",
                            "Expires: -1"))))
    # replies that match no transaction
    for branch in ("z9hG4bKtd0.0", "z9hG4bKtdffff.ffffffffffffffff",
                   "z9hG4bKtd3.12345", "z9hG4bKnothing", ""):
        out.append(("reply, branch %r" % branch, (
            "SIP/2.0 200 OK\r\nVia: SIP/2.0/%s 127.0.0.1:%d;branch=%s\r\n"
            "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>;tag=2\r\n"
            "Call-ID: nothing@test\r\nCSeq: 1 MESSAGE\r\n"
            "Content-Length: 0\r\n\r\n" % (proto, port, branch)).encode()))
    out.append(("reply, bad status", b"SIP/2.0 2x0 OK\r\nVia: SIP/2.0/UDP "
                b"127.0.0.1;branch=z9hG4bKtd1.1\r\n\r\n"))
    out.append(("reply, status 999", b"SIP/2.0 999 What\r\nCSeq: 1 X\r\n\r\n"))
    # CANCEL and ACK of nothing
    for method in ("CANCEL", "ACK"):
        out.append(("%s of no transaction" % method, full(method, body="")))
        out.append(("%s without Via" % method,
                    full(method, drop=("via",), body="")))
    out.append(("OPTIONS to us", full("OPTIONS", body="",
                                      uri="sip:127.0.0.1:%d" % port)))
    out.append(("INVITE to bob", full("INVITE", body="v=0")))
    # binary junk
    rnd = random.Random(4242)
    for i in range(12):
        out.append(("junk %d" % i,
                    bytes(rnd.randrange(256) for _ in range(rnd.randrange(
                        1, 1500)))))
    out.append(("NULs", b"\0" * 300))
    out.append(("CRLFs only", b"\r\n" * 50))
    out.append(("MSRP-looking junk", b"MSRP abc SEND\r\n\0\0\0\r\n"))
    out.append(("header with NUL", full("MESSAGE", extra=("X-Y: a\0b",))))
    out.append(("10000 headers", full("MESSAGE",
                                      extra=["X-%d: y" % i
                                             for i in range(10000)])[:60000]))
    return out


def flood_udp(port, items):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for _, data in items:
            try:
                s.sendto(data[:65000], ("127.0.0.1", port))
            except OSError:
                pass
    finally:
        s.close()


def tcp_one(port, data, read=0.05):
    """data on a connection of its own; whatever the server answers or
    does (close) is fine."""
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
    except OSError as e:
        raise harness.TestFailure("cannot connect to the daemon: %s" % e)
    try:
        s.sendall(data)
        s.settimeout(read)
        try:
            s.recv(65536)
        except (socket.timeout, OSError):
            pass
    except OSError:
        pass
    finally:
        s.close()


def good_message(t, carol, port, i):
    """A good MESSAGE to an offline user in the middle of the flood."""
    cid = carol.send("MESSAGE", "sip:dora@127.0.0.1:%d" % port,
                     "sip:dora@127.0.0.1", body="good %d" % i)
    r = carol.final_reply(cid)
    t.eq(r.code, 202, "good MESSAGE %d during the flood: 202" % i)


def live_transaction_garbage(t, port, carol):
    """A reply with the branch of a live transaction but garbage headers:
    dropped; the real 200 then still completes the transaction."""
    eve = UA("eve", port)
    try:
        cid = eve.send("REGISTER", "sip:127.0.0.1:%d" % port, eve.uri,
                       extra="Expires: 60")
        t.eq(eve.final_reply(cid).code, 200, "eve registered (UDP)")
        cid = carol.send("MESSAGE", "sip:eve@127.0.0.1:%d" % port,
                         "sip:eve@127.0.0.1", body="live one")
        eve.sock.settimeout(5)
        while True:
            data, src = eve.sock.recvfrom(70000)
            m = Msg(data, src)
            if m.method == "MESSAGE":
                break
        via = m.all("Via")[0]
        top = "Via: %s\r\n" % via
        keep = "".join("%s: %s\r\n" % (k, m.hdr(k))
                       for k in ("From", "To", "Call-ID"))
        cseq = "CSeq: %s\r\n" % m.hdr("CSeq")
        garbage = [
            "SIP/2.0 200 OK\r\n" + top + "\r\n",
            "SIP/2.0 200 OK\r\n" + top + cseq + "\r\n",
            "SIP/2.0 200 OK\r\n" + top + "CSeq: x\r\n" + keep + "\r\n",
            "SIP/2.0 200 OK\r\n" + top + "CSeq: 1\r\n" + keep + "\r\n",
            "SIP/2.0 2x0 OK\r\n" + top + cseq + keep + "\r\n",
            "SIP/2.0 20 OK\r\n" + top + cseq + keep + "\r\n",
            "SIP/2.0 200 OK\r\n" + top + cseq + keep + "bad line\r\n\r\n",
            "SIP/2.0 200 OK\r\n" + top + cseq + "To: <sip:x\r\n"
            "From: \"\r\nCall-ID: \r\n\r\n",
            "SIP/2.0 200 OK\r\n" + "Via: SIP/2.0/UDP\r\n" + cseq + keep
            + "\r\n",
            "SIP/2.0 200 OK\r\n" + top,
            "SIP/2.0 180 Ringing\r\n" + top + cseq + "\r\n",
            "SIP/2.0 100 Trying\r\n" + top + "\r\n",
        ]
        for g in garbage:
            eve.sock.sendto(g.encode(), src)
        # the transaction is still open: the real 200 completes it
        eve.reply_to(m, 200)
        r = carol.final_reply(cid)
        t.eq(r.code, 200, "after the garbage replies the real 200 reaches "
             "the caller")
        t.eq(r.hdr("Call-ID"), m.hdr("Call-ID"), "with its Call-ID")
        # eve goes offline again
        cid = eve.send("REGISTER", "sip:127.0.0.1:%d" % port, eve.uri,
                       extra="Expires: 0")
        t.eq(eve.final_reply(cid).code, 200, "eve unregistered")
    finally:
        eve.close()


def flood(t, children4):
    d, port = start(t, children4)
    procs = d.children()
    carol = UA("carol", port)
    try:
        # stored before the flood
        for i in range(5):
            cid = carol.send("MESSAGE", "sip:bob@127.0.0.1:%d" % port,
                             "sip:bob@127.0.0.1", body="before %d" % i)
            t.eq(carol.final_reply(cid).code, 202, "stored before the "
                 "flood (%d)" % i)
        before = wait_rows(t, lambda r: len(r) == 5, "five rows")

        udp_items = malformed(port, "UDP")
        tcp_items = malformed(port, "TCP")
        t.say("%d bad inputs over UDP, %d over TCP"
              % (len(udp_items), len(tcp_items)))
        for rnd in range(3):
            flood_udp(port, udp_items)
            good_message(t, carol, port, rnd * 3)
            for i, (_, data) in enumerate(tcp_items):
                tcp_one(port, data, read=0.02 if i % 8 else 0.1)
            good_message(t, carol, port, rnd * 3 + 1)
            # the same on one persistent connection, good in between
            tu = TcpUA("tcpgood", port)
            try:
                # the server closes the stream at the first input it cannot
                # frame; a write after that may fail, which is fine
                try:
                    for _, data in tcp_items[:20]:
                        tu.send_raw(data)
                except OSError:
                    pass
                # a huge MESSAGE body over TCP
                body = b"B" * (3 << 20)
                try:
                    tu.send_raw(req("MESSAGE", "sip:dora@127.0.0.1:%d"
                                    % port, list(base_hdrs(
                                        9000 + rnd, "MESSAGE",
                                        proto="TCP").values())
                                    + ["Content-Type: text/plain"], body))
                except OSError:
                    pass
            finally:
                tu.close()
            live_transaction_garbage(t, port, carol)
            good_message(t, carol, port, rnd * 3 + 2)
        # a huge body on its own connection, answered or closed
        tu = TcpUA("huge", port)
        try:
            cid, data = tu.build("MESSAGE", "sip:dora@127.0.0.1:%d" % port,
                                 "sip:dora@127.0.0.1", body="H" * 200000)
            tu.send_raw(data)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and not tu.eof and not any(
                    r.hdr("Call-ID") == cid for r in tu.replies):
                tu.pump(0.05)
            got = [r.code for r in tu.replies if r.hdr("Call-ID") == cid]
            t.check(tu.eof or (got and got[0] >= 400),
                    "a 200 kB MESSAGE over TCP is refused (error reply or "
                    "closed connection)", got=repr(got))
        finally:
            tu.close()

        # afterwards: the same processes
        t.check(harness.alive(d.pid), "the daemon is alive")
        t.eq(sorted(d.children()), sorted(procs), "the same child "
             "processes (none crashed or was respawned)")
        d.check_log()
        after = rows("username = 'bob'")
        t.eq([r["id"] for r in after], [r["id"] for r in before],
             "the five stored messages are all still there",
             rows="\n".join("%s: src=%s body=%r" % (r["id"], r["src_addr"],
                                                   r["body"][:80])
                            for r in after))
        t.eq([r["snd_time"] for r in after], [0] * 5,
             "none was claimed: no bad REGISTER made m_dump() send them")
        dora = rows("username = 'dora'")
        t.eq(sorted(r["body"] for r in dora),
             sorted(("good %d" % i).encode() for i in range(9)),
             "the good MESSAGEs during the flood were stored, nothing else")
        t.eq(rows("username NOT IN ('bob', 'dora', 'mallory', 'eve')"), [],
             "no other mailbox got anything")

        # delivered on REGISTER (over TCP), a fresh MESSAGE works
        bob = TcpUA("bob", port)
        try:
            register(t, bob, port, others=(carol,))
            got = bob.wait_requests(5, others=(carol,))
            t.eq(sorted(m.body.rsplit("] ", 1)[-1] for m in got),
                 ["before %d" % i for i in range(5)],
                 "all five delivered at the REGISTER")
            wait_rows(t, lambda r: all(x["username"] != "bob" for x in r),
                      "and deleted")
            cid = carol.send("MESSAGE", "sip:bob@127.0.0.1:%d" % port,
                             "sip:bob@127.0.0.1", body="fresh")
            r = carol.final_reply(cid, others=(bob,))
            t.eq(r.code, 200, "a fresh MESSAGE to bob is relayed: 200")
            t.eq(bob.requests[-1].body, "fresh", "and reaches him")
        finally:
            bob.close()
        t.eq(sorted(d.children()), sorted(procs), "still the same processes")
        d.stop()
    finally:
        carol.close()
        remove_db()


def test_flood_seed(t):
    """The seed config (fork=no): the flood costs nothing."""
    flood(t, False)


def test_flood_children4(t):
    """The forked copy with children=4: no worker or receiver dies."""
    flood(t, True)


if __name__ == "__main__":
    harness.main(globals())
