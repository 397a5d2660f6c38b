"""t_mod_sl.py - stateless replies (sl), with textops and maxfwd.

sipp drives the seed configs' policy (every request answered 403 "No SIP
Here") over UDP and TCP; raw sockets check the exact reply (received and
rport, the To tag, the copied headers), where a UDP reply goes, that an
ACK is never answered, the textops and maxfwd functions, sl_reply_error(),
the refusals on replies and MSRP frames, and the config-time errors.
"""

import os
import re
import shutil
import socket
import subprocess
import time

import harness

SIPP_XML = os.path.join(harness.SRCDIR, "test", "integration", "sipp",
                        "options_403.xml")
TAG_RE = r"[0-9a-f]{32}"


def start(t, cfg="sl_funcs.cfg.in", server_header=""):
    path = t.render(cfg, SERVER_HEADER=server_header) \
        if cfg == "sl_funcs.cfg.in" else t.render(cfg)
    return t.daemon(path), t.values["PORT"]


def request(via, method="OPTIONS", extra="", to="To: <sip:x@127.0.0.1>",
            body="", callid="cid-1@h", cseq=7):
    return ("%s sip:x@127.0.0.1 SIP/2.0\r\n"
            "%s\r\n"
            "From: \"A\" <sip:a@127.0.0.1>;tag=ft1\r\n"
            "%s\r\n"
            "Call-ID: %s\r\n"
            "CSeq: %d %s\r\n"
            "Max-Forwards: 70\r\n"
            "%s"
            "Content-Length: %d\r\n\r\n%s"
            % (method, via, to, callid, cseq, method, extra, len(body),
               body)).encode()


def udp_socket(port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    return s


def udp_ask(port, data, sock=None, timeout=5):
    """Sends data from sock (a new one if None); returns the reply text
    or None when nothing came within timeout."""
    s = sock or udp_socket()
    try:
        s.settimeout(timeout)
        s.sendto(data, ("127.0.0.1", port))
        try:
            return s.recvfrom(65535)[0].decode()
        except socket.timeout:
            return None
    finally:
        if sock is None:
            s.close()


def status(text):
    return text.split("\r\n", 1)[0] if text else None


def tcp_read_reply(s, timeout=5):
    """One SIP message (headers + Content-Length body) from s."""
    s.settimeout(timeout)
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = s.recv(4096)
        if not chunk:
            break
        buf += chunk
    return buf.decode()


# --- sipp -----------------------------------------------------------------------

def run_sipp(t, port, transport, calls=200):
    sipp = shutil.which("sipp")
    t.check(sipp is not None, "sipp is installed (Debian: sip-tester)")
    local = t.port(proto="tcp" if transport == "t1" else "udp")
    argv = [sipp, "127.0.0.1:%d" % port, "-sf", SIPP_XML,
            "-m", str(calls), "-r", "100", "-l", "50", "-t", transport,
            "-i", "127.0.0.1", "-p", str(local), "-nostdin",
            "-timeout", "60s", "-timeout_error", "-trace_err",
            "-error_file", os.path.join(t.tmp, "sipp_%s_err.log" % transport)]
    t.say("run: " + " ".join(argv))
    p = subprocess.run(argv, cwd=t.tmp, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=90)
    out = p.stdout.decode(errors="replace")
    errs = ""
    for name in os.listdir(t.tmp):
        if name.endswith("_errors.log"):
            with open(os.path.join(t.tmp, name), errors="replace") as f:
                errs += f.read()
    t.eq(p.returncode, 0, "sipp -t %s exits 0 (every call succeeded)"
         % transport, sipp=out[-3000:], errors=errs[-3000:])
    m = t.match(r"Successful call\s*\|\s*\d+\s*\|\s*(\d+)", out,
                "sipp reports its successful calls")
    t.eq(int(m.group(1)), calls, "all %d OPTIONS got the 403" % calls)
    m = t.match(r"Failed call\s*\|\s*\d+\s*\|\s*(\d+)", out,
                "sipp reports its failed calls")
    t.eq(int(m.group(1)), 0, "no call failed")


def test_sipp_options_403_udp_and_tcp(t):
    d, port = start(t, "sl_seed.cfg.in")
    run_sipp(t, port, "u1")
    run_sipp(t, port, "t1")
    d.stop()


# --- the reply, byte for byte ------------------------------------------------------

def test_udp_reply_exact(t):
    d, port = start(t)
    s = udp_socket()
    me = s.getsockname()[1]
    via = ("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-exact;rport" % me)
    req = request(via + "\r\nRecord-Route: <sip:rr@192.0.2.1;lr>")
    text = udp_ask(port, req, s)
    t.check(text is not None, "the OPTIONS got a reply on the socket it "
            "came from")
    tag = t.match(r"^To: <sip:x@127\.0\.0\.1>;tag=(%s)\r$" % TAG_RE, text,
                  "the To header got a 32-hex-digit tag").group(1)
    want = ("SIP/2.0 403 No SIP Here\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-exact;"
            "rport=%d;received=127.0.0.1\r\n"
            "From: \"A\" <sip:a@127.0.0.1>;tag=ft1\r\n"
            "To: <sip:x@127.0.0.1>;tag=%s\r\n"
            "Call-ID: cid-1@h\r\n"
            "CSeq: 7 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n" % (me, me, tag))
    t.eq(text, want, "the reply is exactly the RFC 3261 8.2.6 copy with "
         "rport and received (RFC 3581), no Record-Route in a 403")

    t.say("retransmissions, handled by any of the 4 UDP receivers")
    tags = set()
    for _ in range(12):
        tags.add(re.search(r"tag=(%s)" % TAG_RE,
                           udp_ask(port, req, s)).group(1))
    t.eq(tags, {tag}, "every retransmission gets the same To tag")
    other = request(via.replace("exact", "other"))
    t.ne(re.search(r"tag=(%s)" % TAG_RE, udp_ask(port, other, s)).group(1),
         tag, "another transaction (branch) gets another To tag")
    kept = request(via, to="t: <sip:x@127.0.0.1> ;tag=mine")
    t.match(r"^t: <sip:x@127\.0\.0\.1> ;tag=mine\r$", udp_ask(port, kept, s),
            "a To that has a tag keeps it, compact name and all")
    s.close()
    d.stop()


def test_udp_reply_destination(t):
    d, port = start(t)
    a = udp_socket()
    b = udp_socket()
    bport = b.getsockname()[1]
    t.say("no rport, sent-by 127.0.0.1:%d (socket B), sent from socket A"
          % bport)
    req = request("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-dst1"
                  % bport)
    t.eq(udp_ask(port, req, a, timeout=1), None,
         "nothing comes back to the source port")
    b.settimeout(5)
    text = b.recvfrom(65535)[0].decode()
    t.match(r"^Via: SIP/2\.0/UDP 127\.0\.0\.1:%d;branch=z9hG4bK-dst1\r$"
            % bport, text, "the reply went to the sent-by port (RFC 3261 "
            "18.2.2), with no received= since the host is the source")
    t.say("a host name in sent-by")
    req = request("Via: SIP/2.0/UDP localhost:%d;branch=z9hG4bK-dst2"
                  % bport)
    a.sendto(req, ("127.0.0.1", port))
    text = b.recvfrom(65535)[0].decode()
    t.match(r"^Via: SIP/2\.0/UDP localhost:%d;branch=z9hG4bK-dst2;"
            r"received=127\.0\.0\.1\r$" % bport, text,
            "received= is added for a name, the reply goes to its port")
    t.say("rport with a port: RFC 3581 says that port")
    req = request("Via: SIP/2.0/UDP 192.0.2.9:5060;rport=%d;"
                  "branch=z9hG4bK-dst3" % bport)
    a.sendto(req, ("127.0.0.1", port))
    text = b.recvfrom(65535)[0].decode()
    t.match(r"^Via: SIP/2\.0/UDP 192\.0\.2\.9:5060;rport=%d;"
            r"branch=z9hG4bK-dst3;received=127\.0\.0\.1\r$" % bport, text,
            "the reply went to received:rport")
    a.close()
    b.close()
    d.stop()


def test_tcp_reply_on_the_connection(t):
    d, port = start(t)
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    me = c.getsockname()[1]
    c.sendall(request("Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-t1;"
                      "rport", extra="X-Test: append\r\n"))
    text = tcp_read_reply(c)
    t.eq(status(text), "SIP/2.0 403 With Headers",
         "the reply came back on the connection")
    t.match(r"^Via: SIP/2\.0/TCP 127\.0\.0\.1:5999;branch=z9hG4bK-t1;"
            r"rport=%d;received=127\.0\.0\.1\r$" % me, text,
            "rport holds the connection's port")
    t.match(r"CSeq: 7 OPTIONS\r\nX-Src: 127\.0\.0\.1:%d\r\nX-Proto: tcp\r\n"
            r"Content-Length: 0\r\n\r\n$" % me, text,
            "append_to_reply() headers, rendered, before Content-Length")
    c.sendall(request("Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-t2"))
    text = tcp_read_reply(c)
    t.match(r"^Via: SIP/2\.0/TCP 127\.0\.0\.1:5999;branch=z9hG4bK-t2\r$",
            text, "without rport: nothing added, still on the connection")
    c.close()
    d.stop()


def test_force_rport_and_reply_close(t):
    """force_rport(): the reply goes to the source port with rport= and
    received= added, though the Via asked for neither (Kamailio's core
    function); set_reply_close(): the TCP connection ends after the
    final reply."""
    d, port = start(t)
    a = udp_socket()
    req = request("Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-fr1",
                  extra="X-Test: force-rport\r\n")
    text = udp_ask(port, req, a)
    t.eq(status(text), "SIP/2.0 200 rport forced",
         "the reply came back to the source port, not sent-by's 9")
    t.match(r"^Via: SIP/2\.0/UDP 127\.0\.0\.1:9;branch=z9hG4bK-fr1;"
            r"rport=%d;received=127\.0\.0\.1\r$" % a.getsockname()[1],
            text, "rport= and received= added to the Via")
    a.close()
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    c.sendall(request("Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-rc1",
                      extra="X-Test: reply-close\r\n"))
    text = tcp_read_reply(c)
    t.eq(status(text), "SIP/2.0 200 then closed", "the reply came")
    c.settimeout(5)
    try:
        rest = c.recv(100)
    except OSError:
        rest = b""
    t.eq(rest, b"", "and then the server closed the connection")
    c.close()
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    c.sendall(request("Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-rc2",
                      extra="X-Test: append\r\n"))
    t.eq(status(tcp_read_reply(c)), "SIP/2.0 403 With Headers",
         "without it a connection stays open")
    c.sendall(request("Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-rc3",
                      extra="X-Test: append\r\n"))
    t.eq(status(tcp_read_reply(c)), "SIP/2.0 403 With Headers",
         "for the next request")
    c.close()
    d.stop()


def test_ack_gets_no_reply(t):
    d, port = start(t)
    s = udp_socket()
    me = s.getsockname()[1]
    via = "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-ack;rport" % me
    t.eq(udp_ask(port, request(via, method="ACK",
                               to="To: <sip:x@127.0.0.1>;tag=x"), s,
                 timeout=1.5), None, "an ACK over UDP gets no reply")
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    c.sendall(request(via.replace("UDP", "TCP"), method="ACK"))
    c.sendall(request(via.replace("UDP", "TCP"), callid="after-ack"))
    text = tcp_read_reply(c)
    t.match(r"^Call-ID: after-ack\r$", text, "over TCP the first answer "
            "is the one to the OPTIONS sent after the ACK")
    c.close()
    s.close()
    d.stop()
    t.no_match(r"ERROR", d.log(), "the ACK logged no error")


# --- textops, maxfwd, sl_reply_error -----------------------------------------------

def ask(port, extra="", method="OPTIONS", body="", via_branch="x",
        timeout=5):
    via = "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-%s;rport" % via_branch
    return udp_ask(port, request(via, method=method, extra=extra,
                                 body=body), timeout=timeout)


def test_textops_functions(t):
    d, port = start(t, server_header='server_header="Server: Tandem-test"')
    cases = [
        ("INVITE", "Content-Type: text/plain\r\n", "hi", "200 text body"),
        ("MESSAGE", "c: application/json\r\n", "{}", "200 other body"),
        ("INVITE", "", "", "200 no body"),
        ("OPTIONS", "", "", "405 not INVITE or MESSAGE"),
    ]
    for method, hdr, body, want in cases:
        text = ask(port, "X-Test: method\r\n" + hdr, method, body)
        t.eq(status(text), "SIP/2.0 " + want,
             "is_method/has_body on a %s with %r" % (method, hdr or body))
    for methods, want in [("INVITE|OPTIONS", "200 listed"),
                          ("BYE", "405 not listed"),
                          ("A||B", "405 not listed")]:
        text = ask(port, "X-Test: method-pv\r\nX-Methods: %s\r\n" % methods)
        t.eq(status(text), "SIP/2.0 " + want,
             "is_method() with the list %r from a PV" % methods)
    text = ask(port, "X-Test: search\r\nSubject:   Top Secret plans\r\n")
    t.eq(status(text), "SIP/2.0 200 found",
         "search() matches a line start, case-insensitively")
    text = ask(port, "X-Test: search\r\nX-Subject: top secret\r\n")
    t.eq(status(text), "SIP/2.0 404 not found",
         "search()'s ^ anchors at the start of a line")
    text = ask(port, "X-Test: append\r\n")
    t.match(r"CSeq: 7 OPTIONS\r\nX-Src: 127\.0\.0\.1:\d+\r\nX-Proto: udp\r\n"
            r"Server: Tandem-test\r\nContent-Length: 0\r\n\r\n$", text,
            "append_to_reply() lines, then server_header, then "
            "Content-Length")
    text = ask(port)
    t.no_match(r"X-Src", text, "headers appended for one message do not "
               "leak into the next")
    d.stop()
    t.match(r'is_method\("\$hdr\(X-Methods\)"\): empty method name in the '
            r'list', d.log(), "a bad list from a PV is logged")


def test_maxfwd_and_codes(t):
    d, port = start(t)
    text = ask(port, "X-Test: maxfwd\r\n")
    t.eq(status(text), "SIP/2.0 200 rc=1", "Max-Forwards 70: decremented (1)")
    for value, want in [(None, "200 rc=2"), ("0", "200 rc=-1"),
                        ("abc", "200 rc=-2"), ("3", "200 rc=1")]:
        hdr = "" if value is None else "Max-Forwards: %s\r\n" % value
        via = "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-mf;rport"
        req = ("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n%s\r\n"
               "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: mf\r\n"
               "CSeq: 1 OPTIONS\r\n%sX-Test: maxfwd\r\n"
               "Content-Length: 0\r\n\r\n" % (via, hdr)).encode()
        t.eq(status(udp_ask(port, req)), "SIP/2.0 " + want,
             "mf_process_maxfwd_header() with Max-Forwards %r" % value)
    for value, want in [("0", "483 Too Many Hops"), ("4", "200 few hops left"),
                        ("70", "200 hops left")]:
        req = request("Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-h;rport",
                      extra="X-Test: hops\r\n").replace(
            b"Max-Forwards: 70", ("Max-Forwards: " + value).encode())
        t.eq(status(udp_ask(port, req)), "SIP/2.0 " + want,
             "the usual 483 idiom and is_maxfwd_lt() with %s" % value)

    text = ask(port, "X-Test: code\r\nX-Code: 486\r\n")
    t.eq(status(text), "SIP/2.0 486 code from a header",
         "sl_send_reply() takes its code from a PV")
    t.eq(ask(port, "X-Test: code\r\nX-Code: 99\r\n", timeout=1.5), None,
         "an out-of-range code from a PV sends nothing")
    t.eq(ask(port, "X-Test: code\r\nX-Code: 4o4\r\n", timeout=1.5), None,
         "neither does a code that is not a number")
    text = ask(port, "X-Test: error\r\n")
    t.eq(status(text), "SIP/2.0 500 Server Internal Error",
         "sl_reply_error() with no error recorded")
    text = ask(port, "X-Test: error\r\nContact: <<<\r\n")
    t.eq(status(text), "SIP/2.0 400 Bad Request",
         "sl_reply_error() for a request that does not parse")
    t.match(r"^To: <sip:x@127\.0\.0\.1>;tag=%s\r$" % TAG_RE, text,
            "which is still a proper reply")
    d.stop()
    log = d.log()
    t.match(r"SL-BAD-CODE 99", log, "the script saw the failure")
    t.match(r"sl_send_reply\(\): bad status code", log,
            "and the log says why")


def test_refused_on_reply_and_msrp(t):
    d, port = start(t)
    reply = ("SIP/2.0 200 OK\r\n"
             "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bK-r\r\n"
             "From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: r\r\n"
             "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n").encode()
    t.eq(udp_ask(port, reply, timeout=1), None, "a reply is not answered")
    c = socket.create_connection(("127.0.0.1", port), timeout=5)
    c.sendall(b"MSRP tid1234 SEND\r\nTo-Path: msrp://127.0.0.1:1/s;tcp\r\n"
              b"From-Path: msrp://127.0.0.1:2/c;tcp\r\nMessage-ID: m1\r\n"
              b"Byte-Range: 1-5/5\r\nContent-Type: text/plain\r\n\r\n"
              b"hello\r\n-------tid1234$\r\n")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not (
            "SL-REFUSED-REPLY" in d.log() and "SL-REFUSED-MSRP" in d.log()):
        time.sleep(0.1)
    c.close()
    d.stop()
    log = d.log()
    t.match(r"sl_send_reply\(\): the message is not a SIP request; only "
            r"requests are answered", log, "the reply case is logged")
    t.match(r"SL-REFUSED-REPLY", log, "and sl_send_reply() was false")
    t.match(r"sl_send_reply\(\): cannot answer an MSRP frame with a SIP "
            r"reply \(use msrp_reply\(\)\)", log, "the MSRP case is logged")
    t.match(r"SL-REFUSED-MSRP", log, "and sl_send_reply() was false")


def test_truncated_requests_cost_nothing(t):
    d, port = start(t)
    s = udp_socket()
    me = s.getsockname()[1]
    full = request("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-cut;rport"
                   % me, extra="X-Test: append\r\n")
    t.say("%d truncated copies of a request, then the whole one"
          % len(full))
    for cut in range(1, len(full)):
        s.sendto(full[:cut], ("127.0.0.1", port))
    time.sleep(0.5)
    s.settimeout(0.2)
    try:
        while True:
            s.recvfrom(65535)       # what the cuts that still parse got
    except socket.timeout:
        pass
    text = udp_ask(port, full, s)
    t.eq(status(text), "SIP/2.0 403 With Headers",
         "the daemon still answers, and correctly")
    s.close()
    d.stop()
    t.no_match(r"killed by signal|respawning", d.log(),
               "no process died on the way")


def test_udp_content_length(t):
    """RFC 3261 18.3 over UDP: a malformed Content-Length, or one larger
    than the datagram, drops the datagram (as TCP refuses the stream);
    a smaller one ends the message there; none: the datagram's end."""
    d, port = start(t)
    s = udp_socket()
    me = s.getsockname()[1]
    via = "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-cl%%d;rport" % me
    for i, cl in enumerate(("-5", "abc", "1e3", "", "4 4", "5000")):
        data = request(via % i, body="short").replace(
            b"Content-Length: 5", b"Content-Length: " + cl.encode())
        t.eq(udp_ask(port, data, s, timeout=0.5), None,
             "Content-Length %r: dropped, no reply" % cl)
        t.match(r"dropped: (bad Content-Length|Content-Length larger)",
                d.log(), "and logged")
    text = udp_ask(port, request(via % 10, body="short").replace(
        b"Content-Length: 5", b"Content-Length: 3"), s)
    t.match(r"^SIP/2.0 403 ", text or "",
            "a shorter Content-Length is answered")
    text = udp_ask(port, request(via % 11, body="short").replace(
        b"Content-Length: 5\r\n", b""), s)
    t.match(r"^SIP/2.0 403 ", text or "",
            "no Content-Length over UDP is answered")
    s.close()
    d.stop()


# --- RPC and statistics ------------------------------------------------------------

kamcmd = harness.kamcmd


def test_rpc_stats(t):
    d = t.daemon(t.render("sl_rpc.cfg.in"))
    port = t.values["PORT"]
    for extra in ["", "", "X-Test: error\r\n", "X-Test: ring\r\n"]:
        t.check(ask(port, extra) is not None, "a reply came (%r)" % extra)
    sock = os.path.join(t.tmp, "ctl.sock")
    out = kamcmd(t, sock, "sl.stats")
    for key, value in [("1xx", 1), ("403", 2), ("500", 1), ("4xx", 0),
                       ("200", 0), ("6xx", 0)]:
        t.match(r"^\s*%s: %d$" % (key, value), out,
                "sl.stats %s is %d" % (key, value))
    out = kamcmd(t, sock, "stats.get_statistics", "sl:")
    for name, value in [("sent_replies", 4), ("sent_err_replies", 1),
                        ("403_replies", 2), ("500_replies", 1),
                        ("1xx_replies", 1), ("failures", 0)]:
        t.match(r"^sl:%s = %d$" % (name, value), out,
                "sl:%s is %d" % (name, value))
    d.stop()


# --- config errors ------------------------------------------------------------------

BAD_CFGS = [
    ('sl_send_reply("99", "x");', r"sl: status code 99 is out of range"),
    ('sl_send_reply(700, "x");', r"sl: status code 700 is out of range"),
    ('sl_send_reply("abc", "x");', r'sl: status code "abc" is not a number'),
    ('is_method("INVITE||BYE");', r'is_method\("INVITE\|\|BYE"\): empty '
     r'method name in the list'),
    ('search("([a-z");', r'search\(\): bad regular expression'),
    ('mf_process_maxfwd_header("0");', r"maxfwd: 0 is not a Max-Forwards "
     r"value \(1 to 255\)"),
    ('mf_process_maxfwd_header("ten");', r"must be a number"),
]


def test_config_errors(t):
    for i, (line, want) in enumerate(BAD_CFGS):
        cfg = t.write("bad%d.cfg" % i,
                      "loadmodule \"sl.so\"\nloadmodule \"textops.so\"\n"
                      "loadmodule \"maxfwd.so\"\n"
                      "request_route {\n\t%s\n}\n" % line)
        r = harness.check_config(cfg, moddir=harness.MODDIR)
        t.ne(r.rc, 0, "tandem -c refuses: %s" % line, **r.context())
        t.match(r"bad%d\.cfg:5:\d+: error: .*%s" % (i, want), r.err,
                "with file:line:col and the reason", **r.context())
    cfg = t.write("limit.cfg", "loadmodule \"maxfwd.so\"\n"
                  "modparam(\"maxfwd\", \"max_limit\", 0)\n"
                  "request_route {\n}\n")
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.ne(r.rc, 0, "max_limit 0 is refused", **r.context())
    t.match(r"limit\.cfg:2:\d+: error: maxfwd: max_limit must be a number "
            r"from 1 to 256", r.err, "with its position", **r.context())


if __name__ == "__main__":
    harness.main(globals())
