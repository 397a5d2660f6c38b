"""t_mod_sanity.py - the sanity module on a running daemon.

The daemon runs Kamailio's default config call, sanity_check("17895",
"7"), with autodrop on (cfg/sanity.cfg.in).  Malformed requests over UDP
and TCP get the reply Kamailio 5.6 gives for each failure (code and
reason), or none where Kamailio sends none; a good request, and one that
libosip2 refuses but that passes the checks, get the script's 200.
Replies run through the checks in reply_route.  Then autodrop=0 and
noreply=1 with sanity_reply() (cfg/sanity_opts.cfg.in), the config-time
refusals of bad literals and parameters (tandem -c, with file:line), a
config without sl, and a flood of garbage the daemon survives.
"""

import random
import re
import socket
import time

import harness
from t_mod_sl import status, tcp_read_reply, udp_ask, udp_socket

DIGEST = ('username="a", realm="r", nonce="n", uri="sip:x", '
          'response="0123456789abcdef0123456789abcdef"')


def req(proto, cid, first="INVITE sip:bob@127.0.0.1 SIP/2.0", via=None,
        frm="From: <sip:alice@127.0.0.1>;tag=a1",
        to="To: <sip:bob@127.0.0.1>", cseq="CSeq: 1 INVITE", extra=(),
        body=""):
    via = via or ("Via: SIP/2.0/%s 127.0.0.1:9;branch=z9hG4bK-%s;rport"
                  % (proto, cid))
    lines = [first, via, frm, to, "Call-ID: %s" % cid, cseq,
             "Max-Forwards: 70"] + list(extra) + \
        ["Content-Length: %d" % len(body.encode())]
    return ("\r\n".join(x for x in lines if x) + "\r\n\r\n"
            + body).encode()


# name, request fields, the reply's status line (None: no reply)
CASES = [
    ("good", {}, "SIP/2.0 200 passed"),
    # Tandem's framer drops a start line without SIP/2.0 before any
    # route, so check 1 never sees one (Kamailio's parser lets "SIP/2.00"
    # through and its sanity answers 505)
    ("version", {"first": "INVITE sip:bob@127.0.0.1 SIP/2.00"}, None),
    ("scheme", {"first": "INVITE http://bob@127.0.0.1 SIP/2.0"},
     "SIP/2.0 416 Unsupported URI Scheme in Request URI"),
    ("bad-ruri", {"first": "INVITE sip:@ SIP/2.0"},
     "SIP/2.0 400 Bad Request URI"),
    ("cseq-method", {"cseq": "CSeq: 1 BYE"},
     "SIP/2.0 400 CSeq method does not match request method"),
    ("cseq-value", {"cseq": "CSeq: -1 INVITE"},
     "SIP/2.0 400 CSeq number is illegal"),
    ("cseq-big", {"cseq": "CSeq: 4294967296 INVITE"},
     "SIP/2.0 400 CSeq number is illegal"),
    ("expires", {"extra": ["Expires: soon"]},
     "SIP/2.0 400 Expires value is illegal"),
    ("from-uri", {"frm": "From: <sip:alice@>;tag=a1"},
     "SIP/2.0 400 Invalid From Header"),
    ("to-uri", {"to": "To: <http://bob>"}, "SIP/2.0 400 Invalid To Header"),
    # RFC 3261 8.1.1 headers: Kamailio answers nothing
    ("two-callids", {"extra": ["Call-ID: another"]}, None),
    # a top Via without a host: there is nowhere to send a reply
    ("via1", {"via": "Via: SIP/2.0/UDP"}, None),
    ("unanswerable", {"via": "Via: SIP/2.0/UDP", "cseq": "CSeq: 1 BYE"},
     None),
    # libosip2 refuses "<<<"; the checks (Contact not among them) pass
    ("osip-refuses", {"extra": ["Contact: <<<"]}, "SIP/2.0 200 passed"),
    ("osip-refuses-bad", {"extra": ["Contact: <<<"],
                          "cseq": "CSeq: 1 BYE"},
     "SIP/2.0 400 CSeq method does not match request method"),
    # chosen checks ("X-Checks"), as variables
    ("proxy-require", {"extra": ["X-Checks: 512", "X-Uri: 7",
                                 "Proxy-Require: foo, zzz, qux"]},
     "SIP/2.0 420 Bad Proxy Require Extension"),
    ("proxy-require-ok", {"extra": ["X-Checks: 512", "X-Uri: 7",
                                    "Proxy-Require: BAR, foo"]},
     "SIP/2.0 200 passed chosen"),
    ("dup-tags", {"frm": "From: <sip:a@127.0.0.1>;tag=1;tag=2",
                  "extra": ["X-Checks: 4096", "X-Uri: 7"]},
     "SIP/2.0 400 Many From Tag Params"),
    ("contact-uri", {"extra": ["X-Checks: 1024", "X-Uri: 8",
                               "Contact: <sip:a@b>, <sip:c@d:99999>"]},
     "SIP/2.0 400 Bad Contact URI"),
    ("bad-argument", {"extra": ["X-Checks: 32768", "X-Uri: 7"]},
     "SIP/2.0 500 sanity_check false"),
    # sanity_check() without arguments: default_checks 3047
    ("default-digest", {"extra": ["X-Checks: default",
                                  'Authorization: Digest realm="r"']},
     "SIP/2.0 400 Bad Auth Credentials"),
    ("default-basic", {"extra": ["X-Checks: default",
                                 "Authorization: Basic YTpi"]}, None),
    ("default-ok", {"extra": ["X-Checks: default",
                              "Authorization: Digest " + DIGEST,
                              "Proxy-Require: foo"]},
     "SIP/2.0 200 passed default"),
]


def tcp_ask(port, data, timeout):
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        c.sendall(data)
        try:
            text = tcp_read_reply(c, timeout=timeout)
        except socket.timeout:
            return None
        return text or None
    finally:
        c.close()


def ask(port, proto, cid, fields, timeout):
    data = req(proto, cid, **fields)
    if proto == "UDP":
        return udp_ask(port, data, timeout=timeout)
    return tcp_ask(port, data, timeout)


def test_default_config_call(t):
    d = t.daemon(t.render("sanity.cfg.in"))
    port = t.values["PORT"]
    for proto in ("UDP", "TCP"):
        for name, fields, want in CASES:
            cid = "%s-%s" % (name, proto)
            fields = dict(fields)
            if "via" in fields:
                fields["via"] = fields["via"].replace("UDP", proto)
            text = ask(port, proto, cid, fields, 5 if want else 1.5)
            t.eq(status(text), want, "%s over %s" % (name, proto),
                 reply=text)
            if name == "proxy-require":
                t.match(r"\r\nUnsupported: zzz, qux\r\n", text,
                        "the 420 lists the unknown extensions")
            if want:
                t.match(r"\r\nCall-ID: %s\r\n" % cid, text,
                        "the reply is to that request")
    d.stop()
    log = d.log()
    t.match(r"sanity: cseq method check failed on INVITE from "
            r"udp:127\.0\.0\.1:\d+: the CSeq method is not the request's "
            r"\(1 BYE\)", log, "a failure is logged with its reason")
    t.match(r"sanity: required headers check failed on INVITE from "
            r"tcp:127\.0\.0\.1:\d+: a header allowed once appears more "
            r"than once \(Call-ID\)", log, "an unanswered one too")
    t.match(r"dropped: not a SIP or MSRP start line", log,
            "the core dropped the SIP/2.00 request line")
    t.match(r"sanity: cseq method check failed on INVITE from "
            r"udp:127\.0\.0\.1:\d+: .*; not answered: malformed top Via "
            r"header", log, "a failure that cannot be answered says so")
    t.match(r"sanity: first via header check failed", log,
            "the Via without a host")
    t.match(r"sanity_check\(\): msg_checks 32768 outside of valid range "
            r"1-32767", log, "the bad argument is logged")
    t.no_match(r"Malformed SIP message|NEVER", log,
               "autodrop ended the route at the failed check")
    t.eq(len(re.findall(r"SANE from 127\.0\.0\.1", log)), 4,
         "the four sane requests ran the rest of the route")


def test_ack_and_replies(t):
    d = t.daemon(t.render("sanity.cfg.in"))
    port = t.values["PORT"]
    s = udp_socket()
    ack = req("UDP", "ack-1", first="ACK sip:bob@127.0.0.1 SIP/2.0",
              cseq="CSeq: 1 INVITE")
    t.eq(udp_ask(port, ack, s, timeout=1.5), None,
         "an ACK that fails a check gets no reply")
    for cid, cseq in (("reply-good", "1 INVITE"), ("reply-bad", "x INVITE")):
        s.sendto(("SIP/2.0 200 OK\r\n"
                  "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-r\r\n"
                  "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\n"
                  "Call-ID: %s\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n"
                  % (cid, cseq)).encode(), ("127.0.0.1", port))
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (
            "REPLY-SANE reply-good" in d.log()
            and "failed on a reply" in d.log()):
        time.sleep(0.1)
    s.settimeout(0.5)
    try:
        got = s.recvfrom(65535)[0]
    except socket.timeout:
        got = None
    t.eq(got, None, "replies are never answered")
    s.close()
    d.stop()
    log = d.log()
    t.match(r"sanity: cseq method check failed on ACK from udp:", log,
            "the ACK's failure is logged")
    t.match(r"REPLY-SANE reply-good", log, "a good reply passes")
    t.match(r"sanity: cseq value check failed on a reply from udp:", log,
            "a reply with a bad CSeq fails")
    t.no_match(r"REPLY-SANE reply-bad|NEVER", log,
               "and ends the reply route")


def start_opts(t, autodrop, noreply):
    d = t.daemon(t.render("sanity_opts.cfg.in", AUTODROP=autodrop,
                          NOREPLY=noreply))
    return d, t.values["PORT"]


def opt_ask(port, cid, bad, then=None, timeout=5):
    extra = ["X-Then: %s" % then] if then else []
    return udp_ask(port, req("UDP", cid, cseq="CSeq: 1 BYE" if bad
                             else "CSeq: 1 INVITE", extra=extra),
                   timeout=timeout)


def test_autodrop_off(t):
    d, port = start_opts(t, 0, 0)
    text = opt_ask(port, "ad-1", True)
    t.eq(status(text), "SIP/2.0 400 CSeq method does not match request "
         "method", "the module answers", reply=text)
    t.eq(status(opt_ask(port, "ad-2", False)), "SIP/2.0 200 passed",
         "a good request passes")
    t.eq(opt_ask(port, "ad-3", False, "reply-only", timeout=1.5), None,
         "sanity_reply() without noreply sends nothing")
    d.stop()
    log = d.log()
    t.match(r"SCRIPT-SAW-FAILURE ad-1", log,
            "sanity_check() returned false and the script went on")
    t.match(r"REPLY-ONLY true", log, "sanity_reply() was true")


def test_noreply(t):
    d, port = start_opts(t, 0, 1)
    t.eq(opt_ask(port, "nr-1", True, timeout=1.5), None,
         "noreply: no reply from the module")
    text = opt_ask(port, "nr-2", True, "sanity_reply")
    t.eq(status(text), "SIP/2.0 400 CSeq method does not match request "
         "method", "sanity_reply() sends the failure's reply", reply=text)
    text = opt_ask(port, "nr-3", True, "own")
    t.eq(status(text), "SIP/2.0 499 script's own reply",
         "or the script answers as it likes", reply=text)
    text = opt_ask(port, "nr-4", False, "reply-only")
    t.eq(status(text), "SIP/2.0 500 Server Sanity Failure",
         "sanity_reply() with no failure recorded", reply=text)
    d.stop()
    log = d.log()
    t.match(r"SCRIPT-SAW-FAILURE nr-1", log, "the script saw the failure")
    t.match(r"SANITY-REPLY true nr-2", log, "sanity_reply() was true")


def test_noreply_with_autodrop(t):
    d, port = start_opts(t, 1, 1)
    t.eq(opt_ask(port, "na-1", True, "sanity_reply", timeout=1.5), None,
         "no reply, and the route ended before sanity_reply()")
    t.eq(status(opt_ask(port, "na-2", False)), "SIP/2.0 200 passed",
         "a good request passes")
    d.stop()
    t.no_match(r"SCRIPT-SAW-FAILURE", d.log(), "the script saw nothing")


BAD_CFGS = [
    ('sanity_check("0");', r"sanity: msg_checks 0 outside of valid range "
     r"1-32767"),
    ('sanity_check("32768");', r"sanity: msg_checks 32768 outside of valid "
     r"range 1-32767"),
    ('sanity_check(1024, 16);', r"sanity: uri_checks 16 outside of valid "
     r"range 1-15"),
    ('sanity_check("1", "0");', r"sanity: uri_checks 0 outside of valid "
     r"range 1-15"),
    ('sanity_check("abc");', r'sanity: msg_checks "abc" is not a number'),
]

BAD_PARAMS = [
    ('modparam("sanity", "default_checks", 40000)',
     r"sanity: default_checks 40000 outside of valid range 0-32767"),
    ('modparam("sanity", "uri_checks", 16)',
     r"sanity: uri_checks 16 outside of valid range 0-15"),
    ('modparam("sanity", "proxy_require", "foo, , bar")',
     r'sanity: proxy_require "foo, , bar": each item must be an option '
     r'tag'),
]


def test_config_errors(t):
    head = ('loadmodule "sl.so"\nloadmodule "pv.so"\n'
            'loadmodule "sanity.so"\n')
    for i, (line, want) in enumerate(BAD_CFGS):
        cfg = t.write("bad%d.cfg" % i, head + "request_route {\n\t%s\n}\n"
                      % line)
        r = harness.check_config(cfg, moddir=harness.MODDIR)
        t.ne(r.rc, 0, "tandem -c refuses: %s" % line, **r.context())
        t.match(r"bad%d\.cfg:5:\d+: error: %s" % (i, want), r.err,
                "with file:line:col and the reason", **r.context())
    for i, (line, want) in enumerate(BAD_PARAMS):
        cfg = t.write("param%d.cfg" % i, head + line + "\nrequest_route {\n"
                      "\tsanity_check();\n}\n")
        r = harness.check_config(cfg, moddir=harness.MODDIR)
        t.ne(r.rc, 0, "tandem -c refuses: %s" % line, **r.context())
        t.match(r"param%d\.cfg:4:\d+: error: %s" % (i, want), r.err,
                "with file:line:col and the reason", **r.context())
    cfg = t.write("good.cfg", head + 'modparam("sanity", "proxy_require", '
                  '"foo, bar")\nrequest_route {\n\tsanity_check();\n'
                  '\tsanity_check("17895");\n\tsanity_check("$var(x)", '
                  '"7");\n\tsanity_reply();\n}\nreply_route {\n'
                  '\tsanity_check("17895", "7");\n}\n')
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.eq(r.rc, 0, "every form of the calls is accepted", **r.context())


def test_needs_sl(t):
    cfg = t.write("nosl.cfg", "\n".join([
        "listen=127.0.0.1:%d" % t.port(),
        "log_stderror=yes",
        'loadmodule "sanity.so"',
        "request_route {",
        "  if (!sanity_check()) { exit; }",
        "}", ""]))
    r = harness.run_tandem(["-DD", "-E", "-f", cfg, "-L", harness.MODDIR],
                           timeout=30)
    t.ne(r.rc, 0, "the daemon does not start without sl", stderr=r.err)
    harness.match(r"sanity: needs the sl module", r.err, "and says why",
                  stderr=r.err)


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randint(0, 2)
        i = rng.randrange(len(data))
        if op == 0:
            data[i] = rng.randrange(256)
        elif op == 1:
            del data[i:i + rng.randint(1, 20)]
        else:
            data[i:i] = rng.choice([b"\r\n", b";tag=", b",", b"<", b"\"",
                                    b"\x00", b":", b" ", b"%", b"@"])
    return bytes(data)


def test_garbage_flood(t):
    d = t.daemon(t.render("sanity.cfg.in"))
    port = t.values["PORT"]
    rng = random.Random(20240607)
    s = udp_socket()
    seeds = [req("UDP", "g%d" % i, **fields)
             for i, (_, fields, _) in enumerate(CASES)]
    n = 0
    for _ in range(3000):
        if rng.random() < 0.2:
            data = bytes(rng.randrange(256)
                         for _ in range(rng.randint(1, 600)))
        else:
            data = mutate(rng, rng.choice(seeds))
        s.sendto(data or b"x", ("127.0.0.1", port))
        n += 1
    t.say("%d datagrams of garbage sent" % n)
    for i in range(40):
        c = socket.create_connection(("127.0.0.1", port), timeout=5)
        body = mutate(rng, rng.choice(seeds))
        c.sendall(body.replace(b"/UDP", b"/TCP") + b"\r\n\r\n")
        c.close()
    s.settimeout(0.3)
    try:
        while True:
            s.recvfrom(65535)       # what the mutants got
    except socket.timeout:
        pass
    text = udp_ask(port, req("UDP", "after-flood"), s)
    t.eq(status(text), "SIP/2.0 200 passed",
         "the daemon still answers, and correctly")
    text = tcp_ask(port, req("TCP", "after-flood-tcp"), 5)
    t.eq(status(text), "SIP/2.0 200 passed", "over TCP too")
    s.close()
    d.stop()
    t.no_match(r"killed by signal|respawning", d.log(),
               "no process died on the way")


if __name__ == "__main__":
    harness.main(globals())
