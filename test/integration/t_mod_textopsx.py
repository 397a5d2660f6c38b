"""t_mod_textopsx.py - textopsx on relayed requests.

The test is the caller and the callee: tm relays the caller's MESSAGE to
the callee's UDP socket, and the assertions read the request the callee
gets.  Covers msg_apply_changes() (reads see the applied header, later
edits count in the new text, nothing to apply, refused after
t_newtran() with the edits still forwarded, refused when the result
would be no request), remove_body() (Content-Length 0, twice, then
applied), keep_hf() with a literal, no and a $var expression,
fnmatch() with and without "i", garbage requests that never crash the
daemon, and configs that `tandem -c` refuses with file:line.
"""

import os
import re
import socket

import harness

seq = [0]


def start(t):
    uas_port = t.port("udp")
    path = t.render("textopsx.cfg.in", UASPORT=uas_port)
    d = t.daemon(path)
    return d, t.values["PORT"], uas_port


def udp(port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    return s


def recv(sock, timeout=4.0):
    sock.settimeout(timeout)
    try:
        data, addr = sock.recvfrom(65535)
        return data.decode("utf-8", "replace"), addr
    except socket.timeout:
        return None, None


def request(sock, test, extra="", body="hello"):
    seq[0] += 1
    port = sock.getsockname()[1]
    return ("MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-tx-%d-%d\r\n"
            "f: <sip:alice@127.0.0.1>;tag=ft%d\r\n"
            "To: <sip:bob@127.0.0.1>\r\n"
            "Call-ID: txx-%d-%d@test\r\n"
            "CSeq: 1 MESSAGE\r\n"
            "Max-Forwards: 70\r\n"
            "X-Test: %s\r\n"
            "X-Keep: 1\r\n"
            "X-Folded: a,\r\n\tb\r\n"
            "User-Agent: probe\r\n"
            "m: <sip:alice@127.0.0.1>\r\n"
            "Route: <sip:127.0.0.1;lr>\r\n"
            "Record-Route: <sip:p0.invalid;lr>\r\n"
            "Supported: path\r\n"
            "%s"
            "c: text/plain\r\n"
            "l: %d\r\n\r\n%s"
            % (port, os.getpid(), seq[0], seq[0], os.getpid(), seq[0],
               test, extra, len(body), body))


def reply_to(req, code, reason):
    """The callee's reply: Vias, From, To (+tag), Call-ID, CSeq copied."""
    lines = ["SIP/2.0 %d %s" % (code, reason)]
    for line in req.split("\r\n")[1:]:
        if not line:
            break
        name = line.split(":", 1)[0].strip().lower()
        if name in ("via", "v", "f", "from", "call-id", "i", "cseq"):
            lines.append(line)
        elif name in ("to", "t"):
            lines.append(line + ";tag=callee1")
    lines.append("Content-Length: 0")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def header_lines(msg):
    return msg.split("\r\n\r\n", 1)[0].split("\r\n")[1:]


def names(lines):
    return [ln.split(":", 1)[0].strip() for ln in lines
            if ln and ln[0] not in " \t"]


def relay(t, d, port, uas_port, test, extra="", body="hello"):
    """Sends one case; returns what the callee got (the transaction is
    then answered 200 and the caller's 200 asserted)."""
    uac, uas = udp(), udp(uas_port)
    try:
        uac.sendto(request(uac, test, extra, body).encode(),
                   ("127.0.0.1", port))
        fwd, addr = recv(uas)
        t.check(fwd is not None, "the callee gets the %s case" % test,
                log=d.log())
        t.say("relayed:\n" + harness.indent(fwd))
        uas.sendto(reply_to(fwd, 200, "OK"), addr)
        while True:
            r, _ = recv(uac)
            if r is None or not r.startswith("SIP/2.0 1"):
                break
        t.match(r"^SIP/2.0 200 OK\r\n", r or "", "the caller gets the 200")
        return fwd
    finally:
        uac.close()
        uas.close()


def ask(t, port, test, extra=""):
    """Sends one case answered by the script itself; the reply line."""
    uac = udp()
    try:
        uac.sendto(request(uac, test, extra).encode(), ("127.0.0.1", port))
        r, _ = recv(uac)
        return (r or "").split("\r\n", 1)[0]
    finally:
        uac.close()


def test_apply_changes(t):
    d, port, uas_port = start(t)
    fwd = relay(t, d, port, uas_port, "apply")
    lines = header_lines(fwd)
    n = names(lines)
    t.check("X-Seen: 1" in lines,
            "$hdr() sees the header applied by msg_apply_changes()",
            lines="\n".join(lines))
    t.check("X-UA-Gone: yes" in lines and "User-Agent" not in n,
            "is_present_hf() no longer sees the removed header")
    i = lines.index("X-New: 1")
    t.eq(lines[i - 1], "X-Before-New: 2",
         "an edit after msg_apply_changes() anchors on the applied line")
    t.eq(n.count("X-New"), 1, "the applied line is forwarded once")
    t.check("X-Empty-Apply: yes" in lines,
            "msg_apply_changes() without changes is true")
    t.check(fwd.endswith("\r\n\r\nhello") and "l: 5" in lines,
            "the body and its length are intact")
    t.no_match(r"\bERROR:", d.log(), "nothing logged as an error")


def test_apply_then_failure_route(t):
    d, port, uas_port = start(t)
    uac, uas = udp(), udp(uas_port)
    try:
        uac.sendto(request(uac, "apply-failure").encode(),
                   ("127.0.0.1", port))
        first, addr = recv(uas)
        t.check(first is not None, "the first branch", log=d.log())
        lines = header_lines(first)
        i = lines.index("X-Applied: 1")
        t.eq(lines[i + 1], "X-Recorded: 2", "applied, then recorded",
             lines="\n".join(lines))
        t.check("User-Agent" not in names(lines), "the removal applied")
        uas.sendto(reply_to(first, 480, "Later"), addr)
        second, addr = recv(uas)
        t.check(second is not None, "failure_route relays again",
                log=d.log())
        lines = header_lines(second)
        n = names(lines)
        t.say("second branch: " + ", ".join(n))
        t.eq([n.count(h) for h in ("X-Applied", "X-Recorded", "X-Second",
                                    "User-Agent")], [1, 1, 1, 0],
             "the second branch: the applied text, the recorded edit "
             "once, failure_route's own", lines="\n".join(lines))
        t.check(second.endswith("\r\n\r\nhello"), "the body is intact")
        uas.sendto(reply_to(second, 200, "OK"), addr)
        r, _ = recv(uac)
        while r is not None and r.startswith("SIP/2.0 1"):
            r, _ = recv(uac)
        t.match(r"^SIP/2.0 200 OK\r\n", r or "", "the caller gets the 200")
    finally:
        uac.close()
        uas.close()
    t.no_match(r"\bERROR:", d.log(), "nothing logged as an error")


def test_apply_after_transaction(t):
    d, port, uas_port = start(t)
    fwd = relay(t, d, port, uas_port, "after-trans")
    lines = header_lines(fwd)
    t.check("X-Apply-Refused: yes" in lines,
            "msg_apply_changes() after t_newtran() is false",
            lines="\n".join(lines))
    t.check("X-Late-Unseen: yes" in lines,
            "the request is not rewritten then")
    t.check("X-Late: 1" in lines,
            "the edit stays recorded: t_relay() forwards it")
    t.match(r"msg_apply_changes\(\): the request has its transaction "
            r"already", d.log(), "the refusal is logged")

    fwd = relay(t, d, port, uas_port, "after-relay")
    t.check("X-Too-Late" not in fwd, "the branch went out before")
    t.match(r"TXX after t_relay: refused", d.log(),
            "msg_apply_changes() after t_relay() is false")
    t.match(r"TXX after t_relay: request unchanged", d.log(),
            "and the request is left as it was")


def test_apply_refuses_broken_request(t):
    d, port, _ = start(t)
    t.eq(ask(t, port, "broken"), "SIP/2.0 200 Refused And Intact",
         "a change that loses Call-ID is not applied; reads see the "
         "request as it was")
    t.match(r"msg_apply_changes\(\): the request is left as it was: the "
            r"changed request would have no Call-ID header", d.log(),
            "the reason is logged")


def test_remove_body(t):
    d, port, uas_port = start(t)
    fwd = relay(t, d, port, uas_port, "body")
    lines = header_lines(fwd)
    t.check(fwd.endswith("\r\n\r\n"), "no body is forwarded", fwd=fwd)
    t.check("l: 0" in lines and "l: 5" not in lines,
            "Content-Length says 0 (the compact name as written)",
            lines="\n".join(lines))
    t.check("c: text/plain" in lines, "Content-Type stays (as Kamailio)")
    t.check("X-Removed: yes" in lines, "remove_body() is true")

    fwd = relay(t, d, port, uas_port, "body-apply")
    lines = header_lines(fwd)
    t.check("X-Body-Gone: yes" in lines,
            "after msg_apply_changes() has_body() is false",
            lines="\n".join(lines))
    t.check("X-Second-Remove: yes" in lines,
            "remove_body() without a body is true")
    t.eq(names(lines).count("l"), 1, "one Content-Length")
    t.check(fwd.endswith("l: 0\r\n\r\n") or "l: 0" in lines,
            "it says 0")


MANDATORY = ["Via", "Via", "f", "To", "Call-ID", "CSeq", "Max-Forwards",
             "m", "Route", "Record-Route", "c", "l"]


def test_keep_hf(t):
    d, port, uas_port = start(t)
    n = names(header_lines(relay(t, d, port, uas_port, "keep")))
    t.eq(sorted(n), sorted(MANDATORY + ["X-Keep"]),
         "keep_hf(\"^X-K\"): the mandatory fields and X-Keep")
    n = names(header_lines(relay(t, d, port, uas_port, "keep-none")))
    t.eq(sorted(n), sorted(MANDATORY), "keep_hf(): the mandatory fields")
    fwd = relay(t, d, port, uas_port, "keep-pv")
    n = names(header_lines(fwd))
    t.eq(sorted(n), sorted(MANDATORY + ["User-Agent"]),
         "keep_hf(\"$var(re)\"): the expression from a variable")
    t.check("\tb" not in fwd, "a folded field goes with its lines")
    t.check(fwd.endswith("\r\n\r\nhello"), "the body is kept")


def test_fnmatch(t):
    d, port, uas_port = start(t)
    lines = header_lines(relay(t, d, port, uas_port, "fnmatch",
                               "X-Value: abc7\r\n"))
    t.check("X-Fnmatch: 1234567" in lines,
            "fnmatch(): case, \"i\", classes, a flag from a variable, a "
            "bad flag", lines="\n".join(lines))
    t.match(r"fnmatch\(\): unknown flag 'q'", d.log(),
            "a bad flag from a variable is logged")


GARBAGE = [
    # a header line without a colon
    "MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;"
    "branch=z9hG4bK-g1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
    "Call-ID: g1\r\nCSeq: 1 MESSAGE\r\nX-Garbage: 1\r\nno colon\r\n"
    "Content-Length: 0\r\n\r\n",
    # a body longer than its headers say, bytes that are no UTF-8
    "MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;"
    "branch=z9hG4bK-g2\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
    "Call-ID: g2\r\nCSeq: 1 MESSAGE\r\nX-Garbage: \xff\xfe[\r\n"
    "X-Flags: zz\r\nContent-Length: 3\r\n\r\nabcdef",
    # no blank line, a folded header at the end
    "MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;"
    "branch=z9hG4bK-g3\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
    "Call-ID: g3\r\nCSeq: 1 MESSAGE\r\nX-Garbage: a\r\n b",
    # headers only Via and the garbage marker
    "OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: x\r\nX-Garbage: \r\n\r\n",
    # a request line only
    "INVITE sip:b SIP/2.0\r\nX-Garbage: 1",
]


def test_garbage_never_crashes(t):
    d, port, uas_port = start(t)
    s = udp()
    for g in GARBAGE:
        s.sendto(g.encode("latin-1"), ("127.0.0.1", port))
        recv(s, 0.5)
    s.close()
    # the daemon still relays
    fwd = relay(t, d, port, uas_port, "body")
    t.check("l: 0" in header_lines(fwd), "the daemon still works")
    d.check_log()


BAD_HEAD = """#!KAMAILIO
listen=udp:127.0.0.1:@PORT@
loadmodule "sl.so"
loadmodule "tm.so"
loadmodule "textopsx.so"
"""


def check_refused(t, body, line, pattern):
    cfg = t.render(BAD_HEAD + body, "bad.cfg")
    r = harness.check_config(cfg, harness.MODDIR)
    t.ne(r.rc, 0, "tandem -c refuses the config", **r.context())
    errs = harness.error_lines(r.err + r.out)
    t.check(any(re.search(r"bad\.cfg:%d:\d+: error: .*%s" % (line, pattern),
                          e) for e in errs),
            "an error at bad.cfg:%d matching /%s/" % (line, pattern),
            **r.context())


def test_bad_configs_refused(t):
    check_refused(t, 'request_route {\n'
                     '\tkeep_hf("^X-(");\n'
                     '}\n', 7, r"keep_hf\(\): bad regular expression")
    check_refused(t, 'request_route {\n'
                     '\tif (fnmatch("a", "b", "x"))\n'
                     '\t\tdrop;\n'
                     '}\n', 7, r"fnmatch\(\): unknown flag 'x'")
    check_refused(t, 'request_route {\n'
                     '\tt_on_failure("F");\n'
                     '\tt_relay();\n'
                     '}\n'
                     'failure_route[F] {\n'
                     '\tmsg_apply_changes();\n'
                     '}\n', 11,
                  r"msg_apply_changes\(\) cannot be used in failure_route")
    check_refused(t, 'onreply_route {\n'
                     '\tkeep_hf();\n'
                     '}\n', 7, r"keep_hf\(\) cannot be used in "
                               r"onreply_route")


def test_good_config_accepted(t):
    cfg = t.render("textopsx.cfg.in", UASPORT=t.port("udp"))
    r = harness.check_config(cfg, harness.MODDIR)
    t.eq(r.rc, 0, "tandem -c accepts the test's own config", **r.context())


if __name__ == "__main__":
    harness.main()
