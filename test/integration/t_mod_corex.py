"""t_mod_corex.py - the corex module in a running daemon.

The test is the caller (each case answered by the script, its results in
an X-R header) and, where needed, the callee: is_faked_msg() in an event
route, in request_route and in failure_route; file_write() and
file_read() under the test's directory, with bad paths (missing, a
directory, too big, a FIFO, empty, from the request) giving false and a
log line; send_data() to a Python socket and to bad destinations;
is_socket_name(); the corex.* RPCs through ctl and kamcmd; garbage
requests that never crash the daemon.
"""

import os
import re
import socket

import harness

seq = [0]


def start(t):
    uas_port = t.port("udp")
    path = t.render("corex.cfg.in", UASPORT=uas_port)
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
        return data, addr
    except socket.timeout:
        return None, None


def request(sock, test, extra=b""):
    seq[0] += 1
    port = sock.getsockname()[1]
    return (("MESSAGE sip:bob@127.0.0.1 SIP/2.0\r\n"
             "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-cx-%d-%d\r\n"
             "From: <sip:alice@127.0.0.1>;tag=ft%d\r\n"
             "To: <sip:bob@127.0.0.1>\r\n"
             "Call-ID: corex-%d-%d@test\r\n"
             "CSeq: 1 MESSAGE\r\n"
             "Max-Forwards: 70\r\n"
             "X-Test: %s\r\n"
             % (port, os.getpid(), seq[0], seq[0], os.getpid(), seq[0],
                test)).encode()
            + extra + b"Content-Length: 0\r\n\r\n")


def case(t, d, port, test, extra=b""):
    """Sends one case; returns (status line, X-R value)."""
    s = udp()
    try:
        s.sendto(request(s, test, extra), ("127.0.0.1", port))
        data, _ = recv(s)
    finally:
        s.close()
    t.check(data is not None, "the %s case is answered" % test,
            log=d.log())
    text = data.decode("utf-8", "replace")
    m = re.search(r"^X-R: ?(.*)\r$", text, re.M)
    return text.split("\r\n", 1)[0], m.group(1) if m else None


def reply_to(req, code, reason):
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


def test_is_faked_msg(t):
    d, port, uas_port = start(t)
    t.match(r"COREX-INIT faked=yes", d.log(),
            "true in event_route[htable:mod-init] (no SIP message)")
    t.eq(case(t, d, port, "faked")[1], "not-faked",
         "false in request_route")
    uac, uas = udp(), udp(uas_port)
    try:
        uac.sendto(request(uac, "fail"), ("127.0.0.1", port))
        fwd, addr = recv(uas)
        t.check(fwd is not None, "the callee gets the request", log=d.log())
        uas.sendto(reply_to(fwd.decode(), 503, "Unavailable"), addr)
        while True:
            r, _ = recv(uac)
            if r is None or not r.startswith(b"SIP/2.0 1"):
                break
    finally:
        uac.close()
        uas.close()
    t.match(r"^SIP/2.0 500 Failure Not Faked\r\n",
            (r or b"").decode(), "false in failure_route (as Kamailio)")


def test_file_write_read(t):
    d, port, _ = start(t)
    t.eq(case(t, d, port, "write")[1], "written", "file_write() is true")
    with open(t.path("out.txt"), encoding="utf-8") as f:
        t.eq(f.read(), "user=bob src=127.0.0.1\n",
             "the file holds the rendered text")
    # written again: truncated, not appended
    case(t, d, port, "write")
    with open(t.path("out.txt"), encoding="utf-8") as f:
        t.eq(f.read(), "user=bob src=127.0.0.1\n", "rewritten, not appended")

    t.write("in.txt", "line one")
    t.eq(case(t, d, port, "read")[1], "read:line one",
         "file_read() puts the content in the variable")
    t.write("empty.txt", "")
    t.eq(case(t, d, port, "read-empty")[1], "empty:[]",
         "an empty file gives an empty string")
    t.no_match(r"\bERROR:", d.log(), "nothing logged as an error")


def test_bad_files(t):
    d, port, _ = start(t)
    t.write("big.txt", "x" * (1024 * 1024 + 1))
    os.mkfifo(t.path("fifo"))
    t.eq(case(t, d, port, "bad-files")[1], "12345678",
         "every bad path is false (and the worker is not blocked)")
    log = d.log()
    for pat in (r"file_read\(\): \S+/no-such-file: cannot open it: No such "
                r"file or directory",
                r"file_read\(\): \S+: not a regular file",
                r"file_write\(\): \S+/no-such-dir/x.txt: cannot open it: "
                r"No such file or directory",
                r"file_write\(\): \S+: cannot open it: Is a directory",
                r"file_read\(\): \S+/big.txt: 1048577 bytes, more than "
                r"the 1048576 allowed",
                r"file_read\(\): the path is empty",
                r"file_read\(\): \S+/fifo: not a regular file",
                r"file_write\(\): \S+/fifo: cannot open it: No such "
                r"device or address"):
        t.match(pat, log, "logged")
    t.check(not os.path.exists(t.path("no-such-dir")),
            "no directory is made")

    # paths the caller chose: refused with a log line, never a crash
    for path in (b"", b"/nonexistent/\xff\xfe",
                 b"/" + b"x" * 5000, b"/dev/zero"):
        status, r = case(t, d, port, "path-from-request",
                         b"X-Path: " + path + b"\r\n")
        t.eq(r, "refused", "file_read() of %r is false" % path[:40])
    d.check_log()


def test_send_data(t):
    d, port, uas_port = start(t)
    sink = udp(uas_port)
    try:
        t.eq(case(t, d, port, "send")[1], "sent", "send_data() is true")
        data, addr = recv(sink)
    finally:
        sink.close()
    t.eq(data, b"Hello bob from 127.0.0.1",
         "the Python socket gets the rendered data as one datagram")
    t.eq(addr[1], port, "sent from the listen socket")

    t.eq(case(t, d, port, "send-bad", b"X-Uri: sip:\r\n")[1], "123456",
         "bad destinations and empty data are false")
    log = d.log()
    t.match(r"send_data\(\): cannot send to \"sip:host.invalid:5060\"",
            log, "an unknown host is logged")
    t.match(r"send_data\(\): cannot send to \"not a uri\"", log,
            "a bad URI is logged")
    t.match(r"send_data\(\): nothing to send", log, "empty data is logged")
    t.match(r"send_data\(\): no tcp connection to sip:127.0.0.1:%d;"
            r"transport=tcp, and this process cannot open one" % uas_port,
            log, "TCP from a UDP receiver is logged")
    d.check_log()


def test_is_socket_name(t):
    d, port, _ = start(t)
    t.eq(case(t, d, port, "sockname")[1], "sock2,not-nosuch",
         "is_socket_name() knows the listen= names")


def test_rpcs(t):
    d, port, _ = start(t)
    sock = t.path("ctl.sock")
    out = harness.kamcmd(t, sock, "corex.list_sockets")
    blocks = re.findall(r"\{\n(.*?)\n\}", out, re.S)
    t.eq(len(blocks), 3, "one struct per listen socket", out=out)
    t.match(r"PROTO: udp\s+NAME: 127\.0\.0\.1\s+ADDRLIST: \{\s+ADDR: "
            r"127\.0\.0\.1\s+\}\s+PORT: %d\s+MCAST: no\s+MHOMED: no\s+"
            r"VIRTUAL: no\s+SOCKNAME: -\s+ADVERTISE: -" % port, blocks[0],
            "the first socket, in Kamailio's shape")
    t.match(r"PORT: %d\s.*SOCKNAME: sock2" % t.values["PORT2"], blocks[1],
            "the named socket", flags=re.S)
    t.match(r"PROTO: tcp\s.*PORT: %d\s.*ADVERTISE: 192\.0\.2\.7"
            % t.values["PORT3"], blocks[2], "the advertised TCP socket",
            flags=re.S)

    out = harness.kamcmd(t, sock, "corex.list_aliases")
    t.match(r"\{\s+PROTO: \*\s+ADDR: example\.com\s+PORT: 5060\s+\}\s+"
            r"\{\s+PROTO: udp\s+ADDR: other\.example\.org\s+PORT: 0\s+\}",
            out, "both aliases, in config order")

    out = harness.kamcmd(t, sock, "corex.debug")
    t.match(r"debug: 2\b", out, "corex.debug reads the level")
    out = harness.kamcmd(t, sock, "corex.debug", "3")
    t.match(r"old: 2\s+new: 3", out, "corex.debug sets it")
    t.match(r"debug: 3\b", harness.kamcmd(t, sock, "core.debug") +
            harness.kamcmd(t, sock, "corex.debug"), "every reader agrees")
    t.match(r"error: 400 - debug level 42 out of range",
            harness.kamcmd(t, sock, "corex.debug", "42"),
            "an out-of-range level is a fault")
    t.match(r"error: .*not a number",
            harness.kamcmd(t, sock, "corex.debug", "abc"),
            "a word is a fault")
    harness.kamcmd(t, sock, "corex.debug", "2")

    t.eq(harness.kamcmd(t, sock, "corex.shm_summary").strip(), "",
         "corex.shm_summary replies nothing")
    t.match(r"NOTICE: shm summary: total \d+, used \d+", d.log(),
            "it writes the summary to the log")
    t.match(r"corex\.list_sockets",
            harness.kamcmd(t, sock, "system.listMethods"),
            "the methods are listed")
    # the daemon still routes after all of it
    t.eq(case(t, d, port, "faked")[1], "not-faked", "still routing")


GARBAGE = [
    b"MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nX-Test: write\r\n\r\n",
    b"MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;"
    b"branch=z9hG4bK-g1\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
    b"Call-ID: g1\r\nCSeq: 1 MESSAGE\r\nX-Test: send-bad\r\n"
    b"X-Uri: sip:\xff:99999999\r\nContent-Length: 0\r\n\r\n",
    b"MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;"
    b"branch=z9hG4bK-g2\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\n"
    b"Call-ID: g2\r\nCSeq: 1 MESSAGE\r\nX-Test: path-from-request\r\n"
    b"X-Path: \r\n no colon\r\nContent-Length: 0\r\n\r\n",
    b"\x00\x01\x02 garbage\r\n\r\n",
]


def test_garbage_never_crashes(t):
    d, port, _ = start(t)
    s = udp()
    for g in GARBAGE:
        s.sendto(g, ("127.0.0.1", port))
        recv(s, 0.5)
    s.close()
    t.eq(case(t, d, port, "faked")[1], "not-faked", "the daemon still works")
    d.check_log()


BAD_HEAD = """#!KAMAILIO
listen=udp:127.0.0.1:@PORT@
loadmodule "pv.so"
loadmodule "corex.so"
"""


def test_bad_config_refused(t):
    cfg = t.render(BAD_HEAD + 'request_route {\n'
                              '\tfile_read("/tmp/x", "not a var");\n'
                              '}\n', "bad.cfg")
    r = harness.check_config(cfg, harness.MODDIR)
    t.ne(r.rc, 0, "a file_read() without a variable is refused",
         **r.context())
    t.check(any(re.search(r"bad\.cfg:6:", e)
                for e in harness.error_lines(r.err + r.out)),
            "at its line", **r.context())


def test_good_config_accepted(t):
    cfg = t.render("corex.cfg.in", UASPORT=t.port("udp"))
    r = harness.check_config(cfg, harness.MODDIR)
    t.eq(r.rc, 0, "tandem -c accepts the test's own config", **r.context())


if __name__ == "__main__":
    harness.main()
