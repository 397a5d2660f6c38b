"""t_mod_textops_hf.py - textops' header functions on relayed requests.

The test is the caller and the callee: tm relays the caller's MESSAGE to
the callee's UDP socket, and the assertions read the request the callee
gets.  Covers append_hf()/insert_hf() with and without an anchor (a
compact one too), a text without CRLF, a $pv in the text, remove_hf() of
repeated, comma-list and folded fields, remove_hf_re(), is_present_hf()
and is_present_hf_re() (seen through headers appended conditionally),
remove_hf() of an absent header and a refused header text, the edits of
request_route kept by a failure_route that adds its own, and configs
that `tandem -c` refuses (bad regular expression, bad header text, an
edit in a reply route) with file:line.
"""

import os
import re
import socket

import harness

seq = [0]


def start(t):
    uas_port = t.port("udp")
    path = t.render("textops_hf.cfg.in", UASPORT=uas_port)
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
        return data.decode(), addr
    except socket.timeout:
        return None, None


def request(sock, test, extra):
    seq[0] += 1
    port = sock.getsockname()[1]
    body = "hello"
    return ("MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-hf-%d-%d\r\n"
            "f: <sip:alice@127.0.0.1>;tag=ft%d\r\n"
            "To: <sip:bob@127.0.0.1>\r\n"
            "Call-ID: hf-%d-%d@test\r\n"
            "CSeq: 1 MESSAGE\r\n"
            "Max-Forwards: 70\r\n"
            "X-Test: %s\r\n"
            "%s"
            "Content-Type: text/plain\r\n"
            "Content-Length: %d\r\n\r\n%s"
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
    """The header lines of msg (continuation lines on their own)."""
    head = msg.split("\r\n\r\n", 1)[0]
    return head.split("\r\n")[1:]


def names(lines):
    return [ln.split(":", 1)[0].strip() for ln in lines
            if ln and ln[0] not in " \t"]


def after(lines, first, what, t):
    """Asserts that the line after the one starting with `first` is what."""
    i = next((n for n, ln in enumerate(lines) if ln.startswith(first)),
             None)
    t.check(i is not None and i + 1 < len(lines),
            "a line starts with %r" % first, lines="\n".join(lines))
    t.eq(lines[i + 1], what, "the line after %r" % first,
         lines="\n".join(lines))


EDIT_EXTRA = ("Route: <sip:p1.invalid;lr>\r\n"
              "X-Secret: one\r\n"
              "Route: <sip:p2.invalid;lr>\r\n"
              "x-secret : two\r\n"
              "k: 100rel, timer\r\n"
              "X-Folded: first,\r\n\tsecond\r\n"
              "X-Trace-Id: 7\r\n"
              "X-trace-hop: 8\r\n"
              "X-Keep: yes\r\n"
              "X-Bad-Line: no colon in here\r\n")


def test_edits_reach_the_callee(t):
    d, port, uas_port = start(t)
    uac, uas = udp(), udp(uas_port)
    uac.sendto(request(uac, "edit", EDIT_EXTRA).encode(),
               ("127.0.0.1", port))
    fwd, addr = recv(uas)
    t.check(fwd is not None, "the callee gets the relayed MESSAGE",
            log=d.log())
    lines = header_lines(fwd)
    n = names(lines)
    t.say("relayed headers: " + ", ".join(n))

    # insert_hf() without anchor: before the first header (and so before
    # the Via tm adds there, as Kamailio puts it)
    t.eq(lines[0], "X-Inserted: 1", "insert_hf(): the first header line",
         lines="\n".join(lines))
    t.eq(n[1:3], ["Via", "Via"], "then tm's Via and the caller's")
    # anchors: compact "f" is From; after the last Route, before the first
    after(lines, "f: <sip:alice", "X-After-From: 5", t)
    after(lines, "X-Test: edit", "X-Before-Route: 4", t)
    after(lines, "Route: <sip:p2.invalid;lr>", "X-After-Route: 3", t)
    t.eq(n.count("Route"), 2, "both Route fields stay")

    # removed: both X-Secret (any case), the comma list, the folded field
    # with its continuation line, what the expression matched
    for gone in ("X-Secret", "x-secret", "k", "X-Folded", "X-Trace-Id",
                 "X-trace-hop"):
        t.check(gone not in n, "%s is not relayed" % gone)
    t.check(not any("second" in ln for ln in lines),
            "the folded field's continuation line is gone too")
    t.check("X-Keep" in n and "X-Bad-Line" in n, "other fields stay")

    # append_hf() without anchor: after the last header, in call order;
    # the conditional ones show what the tests returned
    tail = lines[lines.index("Content-Length: 5") + 1:]
    t.eq(tail, ["X-Appended: 2",
                "X-Caller: alice from 127.0.0.1",
                "X-Absent-Removed: no",
                "X-Had-Secret: yes",
                "X-Still-Read: yes",
                "X-Has-From: yes",
                "X-Has-Contact: no",
                "X-Had-Trace: yes",
                "X-Had-P: no",
                "X-Bad-Line-Refused: yes"],
         "the appended lines, after the received ones")
    t.check(fwd.endswith("\r\n\r\nhello"), "the body follows intact")
    t.match(r"append_hf\(\): not added: a header name without ':': "
            r"\"no colon in here\"", d.log(), "the refused text is logged")

    # the transaction completes through the edited request
    uas.sendto(reply_to(fwd, 200, "OK"), addr)
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 200 OK\r\n", r or "", "the caller gets the 200")
    t.no_match(r"\bERROR: (?!.*append_hf\(\): not added)", d.log(),
               "no other error logged")


def test_failure_route_keeps_and_adds(t):
    d, port, uas_port = start(t)
    uac, uas = udp(), udp(uas_port)
    extra = "X-Drop-First: 1\r\nX-Drop-Second: 2\r\n"
    uac.sendto(request(uac, "failure", extra).encode(),
               ("127.0.0.1", port))
    first, addr = recv(uas)
    t.check(first is not None, "the first branch reaches the callee",
            log=d.log())
    n1 = names(header_lines(first))
    t.check("X-First-Branch" in n1 and "X-Drop-First" not in n1
            and "X-Drop-Second" in n1, "request_route's edits",
            headers=", ".join(n1))

    uas.sendto(reply_to(first, 480, "Temporarily Unavailable"), addr)
    second, addr = recv(uas)
    t.check(second is not None, "failure_route relays a second branch",
            log=d.log())
    lines = header_lines(second)
    n2 = names(lines)
    t.say("second branch: " + ", ".join(n2))
    t.check("X-First-Branch" in n2 and "X-Drop-First" not in n2,
            "request_route's edits are kept", headers=", ".join(n2))
    t.check("X-Drop-Second" not in n2, "failure_route removed its header",
            headers=", ".join(n2))
    after(lines, "CSeq: 1 MESSAGE", "X-Second-Branch: 2", t)
    t.eq(n2.count("X-First-Branch"), 1, "the kept line is there once")
    t.check("X-Failure-Reads-Received" in n2,
            "is_present_hf() in failure_route reads the received request")

    uas.sendto(reply_to(second, 200, "OK"), addr)
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 200 OK\r\n", r or "", "the caller gets the 200")


BAD_HEAD = """#!KAMAILIO
listen=udp:127.0.0.1:@PORT@
loadmodule "sl.so"
loadmodule "textops.so"
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


def test_bad_regex_refused(t):
    check_refused(t, 'request_route {\n'
                     '\tremove_hf_re("^X-(Foo");\n'
                     '}\n', 6,
                  r'bad regular expression "\^X-\(Foo" for a header name')
    check_refused(t, 'request_route {\n'
                     '\tif (is_present_hf_re("[a-"))\n'
                     '\t\tdrop;\n'
                     '}\n', 6, r"bad regular expression")


def test_bad_literals_refused(t):
    check_refused(t, 'request_route {\n'
                     '\tappend_hf("X-A: 1\\r\\n\\r\\nbody");\n'
                     '}\n', 6, r"bad header text .*empty line")
    check_refused(t, 'request_route {\n'
                     '\tremove_hf("X Foo");\n'
                     '}\n', 6, r'"X Foo" is not a header name')
    check_refused(t, 'onreply_route {\n'
                     '\tremove_hf("X-Foo");\n'
                     '}\n', 6,
                  r"remove_hf\(\) cannot be used in onreply_route")


def test_good_config_accepted(t):
    uas_port = t.port("udp")
    cfg = t.render("textops_hf.cfg.in", UASPORT=uas_port)
    r = harness.check_config(cfg, harness.MODDIR)
    t.eq(r.rc, 0, "tandem -c accepts the test's own config", **r.context())


if __name__ == "__main__":
    harness.main()
