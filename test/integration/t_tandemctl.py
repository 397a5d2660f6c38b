"""t_tandemctl.py - tandemctl, Tandem's RPC client, against the real
daemon's ctl module (unix, TCP and UDP sockets) and against a scripted
BINRPC server that checks what tandemctl sends (kamcmd's argument typing)
and feeds it replies the daemon never makes (nesting, doubles, bytes that
are not UTF-8, malformed packets).
"""

import json
import os
import pty
import re
import select
import socket
import subprocess
import threading
import time

import harness

CFG = "tandemctl.cfg.in"
# TANDEMCTL_BIN: another build of it (e.g. with the sanitizers)
CTL = os.environ.get("TANDEMCTL_BIN") or os.path.join(
    os.path.dirname(os.path.dirname(harness.BIN)), "utils", "tandemctl",
    "tandemctl")


def tandemctl(args, stdin=None, timeout=30, env=None):
    """Runs tandemctl; returns a harness.Result."""
    if not os.access(CTL, os.X_OK):
        raise harness.TestFailure("tandemctl not found at %s: build it"
                                  % CTL)
    argv = [CTL] + [str(a) for a in args]
    harness.say("run: " + " ".join(argv))
    p = subprocess.run(argv, input=(stdin or "").encode(),
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout,
                       env=dict(os.environ, **env) if env else None)
    r = harness.Result(argv, p.returncode,
                       p.stdout.decode("utf-8", "replace"),
                       p.stderr.decode("utf-8", "replace"))
    harness.assert_no_sanitizer_report(r.out + r.err, "tandemctl")
    return r


def start(t):
    d = start_retrying(t, lambda: t.render(CFG), r"ctl: BINRPC on unix:")
    return d, "unix:" + t.path("ctl.sock")


def start_retrying(t, render, ready_log, tries=3):
    """Starts the daemon; when a port it was given was taken meanwhile
    by another test running in parallel, renders again on new ports."""
    for i in range(tries):
        try:
            return t.daemon(render(), ready_log=ready_log)
        except harness.TestFailure as e:
            if "Address already in use" not in str(e) or i == tries - 1:
                raise
            t.say("a port was taken meanwhile: trying new ones")
            t.daemons.pop().kill()      # it exited: nothing to stop
            for k in [k for k in t.values if re.fullmatch(r"PORT\d*", k)]:
                del t.values[k]


# --- against the daemon --------------------------------------------------------


HT_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=2
listen=127.0.0.1:@PORT@
loadmodule "ctl.so"
loadmodule "htable.so"
loadmodule "kex.so"
modparam("ctl", "binrpc", "unix:@TMP@/ctl.sock")
modparam("htable", "htable", "t=>size=4;")
request_route {
	exit;
}
"""


def test_htable_round_trip_and_tcp_list_with_both_clients(t):
    """The issue's list, with tandemctl and with Debian's kamcmd alike:
    htable.sets then htable.get, core.tcp_list showing a connection the
    test opened, an unknown method."""
    d = start_retrying(t, lambda: t.render(HT_CFG), r"ctl: BINRPC on unix:")
    sock = "unix:" + t.path("ctl.sock")
    conn = socket.create_connection(("127.0.0.1", t.values["PORT"]),
                                    timeout=10)
    conn.sendall(b"\r\n\r\n")       # a keep-alive: adopted, answered
    conn.settimeout(10)
    conn.recv(2)
    lport = conn.getsockname()[1]
    # one SIP request on it, counted by the core
    conn.sendall(b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP "
                 b"127.0.0.1:9;branch=z9hG4bKc\r\nFrom: <sip:a@b>;tag=1\r\n"
                 b"To: <sip:c@d>\r\nCall-ID: cnt1\r\nCSeq: 1 OPTIONS\r\n"
                 b"Content-Length: 0\r\n\r\n")
    time.sleep(0.5)
    kamcmd = ["kamcmd", "-s", sock]
    clients = [("tandemctl", lambda a: tandemctl(["-s", sock] + a))]
    clients.append(("kamcmd", lambda a: harness.Result(
        kamcmd + a, *[(p.returncode, p.stdout, p.stderr) for p in
                      [subprocess.run(kamcmd + a, capture_output=True,
                                      text=True, timeout=30)]][0])))
    for name, run in clients:
        r = run(["htable.sets", "t", "key-" + name, "value-" + name])
        t.eq(r.rc, 0, "%s htable.sets exits 0" % name, **r.context())
        r = run(["htable.get", "t", "key-" + name])
        t.eq(r.rc, 0, "%s htable.get exits 0" % name, **r.context())
        t.check("value-" + name in r.out, "%s htable.get gives the value "
                "set" % name, **r.context())
        r = run(["core.tcp_list"])
        t.eq(r.rc, 0, "%s core.tcp_list exits 0" % name, **r.context())
        t.check(str(lport) in r.out, "%s core.tcp_list shows the test's "
                "connection (port %d)" % (name, lport), **r.context())
        r = run(["stats.get_statistics", "core:"])
        t.eq(r.rc, 0, "%s stats.get_statistics core: exits 0" % name,
             **r.context())
        t.match(r"core:rcv_requests = [1-9]", r.out, "%s: the core counts "
                "the SIP request received" % name, **r.context())
        r = run(["no.such.method"])
        t.match(r"500.*not found", r.out + r.err, "%s: an unknown method "
                "is an error reply" % name, **r.context())
        if name == "tandemctl":
            t.eq(r.rc, 1, "tandemctl exits 1 on an error reply",
                 **r.context())
    conn.close()
    d.stop()


def test_core_methods(t):
    d, sock = start(t)
    r = tandemctl(["-s", sock, "core.version"])
    t.eq(r.rc, 0, "core.version exits 0", **r.context())
    t.match(r"\Atandem %s \S+.*\n\Z" % re.escape(harness.project_version()),
            r.out, "prints the version line", **r.context())
    r = tandemctl(["-s", sock, "core.ps"])
    t.eq(r.rc, 0, "core.ps exits 0", **r.context())
    t.match(r"^%d\nmain process - supervisor$" % d.pid, r.out,
            "core.ps: the supervisor's pid then its description")
    t.match(r"^ctl handler$", r.out, "core.ps lists the ctl process")
    r = tandemctl(["-s", sock, "system.listMethods"])
    t.eq(r.rc, 0, "system.listMethods exits 0", **r.context())
    for m in ("core.version", "core.ps", "system.listMethods",
              "system.methodHelp"):
        t.match(r"^%s$" % re.escape(m), r.out, "lists %s" % m)
    r = tandemctl(["-s", sock, "system.methodHelp", "core.ps"])
    t.eq(r.rc, 0, "system.methodHelp core.ps exits 0", **r.context())
    t.check(r.out.strip() != "", "a help text is printed", **r.context())
    r = tandemctl(["-s", sock, "core.uptime"])
    t.match(r"\A\{\n\tnow: .+\n\tup_since: .+\n\tuptime: \d+\n\}\n\Z",
            r.out, "a struct as kamcmd prints it", **r.context())
    d.stop()


def test_json(t):
    d, sock = start(t)
    r = tandemctl(["-s", sock, "--json", "core.version"])
    t.eq(r.rc, 0, "--json core.version exits 0", **r.context())
    v = json.loads(r.out)
    t.check(v["result"].startswith("tandem "), "result is the version",
            **r.context())
    r = tandemctl(["-s", sock, "-j", "core.ps"])
    ps = json.loads(r.out)["result"]
    t.check(isinstance(ps, list) and d.pid in ps and "ctl handler" in ps,
            "core.ps: a list with the pids (numbers) and descriptions",
            **r.context())
    r = tandemctl(["-s", sock, "--json", "core.uptime"])
    up = json.loads(r.out)["result"]
    t.check(isinstance(up, dict) and isinstance(up.get("uptime"), int),
            "core.uptime: an object with an integer uptime", **r.context())
    r = tandemctl(["-s", sock, "--json", "system.listMethods"])
    t.check("core.version" in json.loads(r.out)["result"],
            "system.listMethods: a list of names", **r.context())
    d.stop()


def test_unknown_method(t):
    d, sock = start(t)
    r = tandemctl(["-s", sock, "no.such"])
    t.eq(r.rc, 1, "a fault exits 1", **r.context())
    t.eq(r.out, "error: 500 - command no.such not found\n",
         "the fault as kamcmd prints it", **r.context())
    r = tandemctl(["-s", sock, "--json", "no.such"])
    t.eq(r.rc, 1, "with --json too", **r.context())
    t.eq(json.loads(r.out), {"error": {"code": 500, "message":
                                       "command no.such not found"}},
         "the fault as JSON", **r.context())
    d.stop()


def test_other_transports(t):
    d, _ = start(t)
    tmpdir = t.path("replies")
    os.mkdir(tmpdir)
    for sock in ("tcp:127.0.0.1:%d" % t.values["PORT2"],
                 "udp:127.0.0.1:%d" % t.values["PORT3"],
                 "unixd:" + t.path("ctl_dgram.sock"),
                 t.path("ctl.sock")):
        r = tandemctl(["-s", sock, "core.version"], env={"TMPDIR": tmpdir})
        t.eq(r.rc, 0, "core.version over %s" % sock, **r.context())
        t.match(r"\Atandem ", r.out, "reply over %s" % sock, **r.context())
    t.eq(os.listdir(tmpdir), [], "the unixd reply socket is removed")
    d.stop()


def test_interactive(t):
    d, sock = start(t)
    script = ("core.version\n"
              "\n"
              "help core.ps\n"
              "core.echo 'two words' \"q\\\"uote\" ''\n"
              "no.such\n"
              "history\n"
              "!1\n"
              "ls\n"
              "help\n"
              "quit\n"
              "core.ps\n")
    r = tandemctl(["-s", sock, "-j"], stdin=script)
    t.eq(r.rc, 0, "exit status of the last command before quit",
         **r.context())
    t.no_match(r"tandemctl> ", r.out, "no prompt when stdin is not a tty")
    t.eq(len(re.findall(r'"result": "tandem ', r.out)), 2,
         "core.version ran, then again through !1", stdout=r.out)
    t.match(r'"result": \[\n\s+"two words",\n\s+"q\\"uote",\n\s+""\n\s+\]',
            r.out, "quoted words are single arguments", **r.context())
    t.match(r'"message": "command no.such not found"', r.out,
            "a fault does not end the session")
    t.match(r"^\s+1  core.version\n\s+2  help core.ps\n", r.out,
            "history lists the lines (blank ones are not kept)")
    t.match(r"^\s+\"core.uptime\",?$", r.out, "ls lists the methods")
    t.match(r"^  quit, exit ", r.out, "help lists the commands")
    t.no_match(r"supervisor", r.out, "nothing ran after quit")
    r = tandemctl(["-s", sock], stdin="no.such\n")
    t.eq(r.rc, 1, "at the end of input: the last command's status",
         **r.context())
    r = tandemctl(["-s", sock], stdin="core.echo 'open\n!99\n")
    t.eq(r.rc, 2, "bad lines are reported", **r.context())
    t.match(r"missing closing '", r.err, "an open quote")
    t.match(r"!99: no such history line", r.err, "an unknown history line")
    d.stop()


def test_interactive_tty(t):
    d, sock = start(t)
    master, slave = pty.openpty()
    p = subprocess.Popen([CTL, "-s", sock], stdin=slave, stdout=slave,
                         stderr=slave, close_fds=True)
    os.close(slave)
    os.write(master, b"core.version\nquit\n")
    out = b""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if not select.select([master], [], [], 0.5)[0]:
            if p.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 4096)
        except OSError:         # EIO: the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    rc = p.wait(timeout=10)
    text = out.decode("utf-8", "replace")
    t.eq(rc, 0, "the session ends with quit", output=text)
    t.match(r"^tandemctl \S+ on unix:", text, "a banner on a terminal",
            output=text)
    t.match(r"tandemctl> ", text, "a prompt on a terminal", output=text)
    t.match(r"(^|tandemctl> )tandem %s " % re.escape(
        harness.project_version()), text, "the reply", output=text)
    d.stop()


def test_connection_and_usage_errors(t):
    port = t.port("tcp")
    cases = [
        (["-s", "unix:" + t.path("nothing.sock"), "core.ps"],
         r"cannot connect to unix:.*nothing\.sock: No such file"),
        (["-s", "tcp:127.0.0.1:%d" % port, "core.ps"],
         r"cannot connect to tcp:127\.0\.0\.1:%d: Connection refused" % port),
        (["-s", "udp:127.0.0.1:%d" % port, "-t", "2", "core.ps"],
         r"Connection refused|no reply within"),
        (["-s", "tcp:127.0.0.1:99999", "core.ps"], r"bad port"),
        (["-s", "unixd:" + t.path("nothing.sock"), "core.ps"],
         r"cannot connect to unixd:.*nothing\.sock: No such file"),
        (["-t", "0", "core.ps"], r"-t 0: give 1 to 86400 seconds"),
        (["--bogus"], r"usage: tandemctl"),
        (["-s", "unix:" + t.path("nothing.sock"), "core.echo", "i:x"],
         r"argument 'i:x': not an integer"),
    ]
    for args, why in cases:
        r = tandemctl(args)
        t.eq(r.rc, 2, "exit 2 for %s" % " ".join(args), **r.context())
        t.match(why, r.err, "stderr says why", **r.context())
        t.eq(r.out, "", "nothing on stdout", **r.context())
    r = tandemctl(["-h"])
    t.eq(r.rc, 0, "-h exits 0", **r.context())
    r = tandemctl(["-V"])
    t.match(r"\Atandemctl %s\n" % re.escape(harness.project_version()),
            r.out, "-V prints the version", **r.context())


# --- against a scripted server -------------------------------------------------


def enc_len_rec(typ, payload):
    n = len(payload)
    if n <= 7:
        return bytes([(n << 4) | typ]) + payload
    lb = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | (len(lb) << 4) | typ]) + lb + payload


def b_int(v):
    if v == 0:
        return b"\x00"
    if v < 0:
        return enc_len_rec(0, (v & 0xffffffff).to_bytes(4, "big"))
    return enc_len_rec(0, v.to_bytes((v.bit_length() + 7) // 8, "big"))


def b_str(s):
    return enc_len_rec(1, (s if isinstance(s, bytes) else s.encode())
                       + b"\0")


def b_double(d):
    v = int(round(d * 1000))
    return enc_len_rec(2, (v & 0xffffffff).to_bytes(4, "big")
                       if v < 0 else v.to_bytes(max(1, (v.bit_length() + 7)
                                                    // 8), "big"))


def b_member(name, value):
    return enc_len_rec(5, name.encode() + b"\0") + value


def b_struct(*members):
    return b"\x03" + b"".join(members) + b"\x83"


def b_array(*values):
    return b"\x04" + b"".join(values) + b"\x84"


def packet(mtype, cookie, body):
    return bytes([0xa1, (mtype << 4) | (3 << 2) | 3]) + \
        len(body).to_bytes(4, "big") + cookie.to_bytes(4, "big") + body


def dec_request(data):
    """(cookie, [values]) of a request whose body holds only ints and
    strings; ints come back as ("int", n), strings as ("str", s)."""
    ll, cl = ((data[1] >> 2) & 3) + 1, (data[1] & 3) + 1
    blen = int.from_bytes(data[2:2 + ll], "big")
    cookie = int.from_bytes(data[2 + ll:2 + ll + cl], "big")
    body, out, i = data[2 + ll + cl:2 + ll + cl + blen], [], 0
    while i < len(body):
        b = body[i]
        i += 1
        size = (b >> 4) & 7
        if b & 0x80:
            n = int.from_bytes(body[i:i + size], "big")
            i += size
        else:
            n = size
        raw = body[i:i + n]
        i += n
        if b & 0xf == 0:
            v = int.from_bytes(raw, "big") if raw else 0
            out.append(("int", v - (1 << 32) if n == 4 and v >> 31 else v))
        else:
            out.append(("str", raw[:-1].decode()))
    return cookie, out


class FakeServer:
    """A unix stream socket answering each request with reply(cookie)."""

    def __init__(self, t, reply):
        self.path = t.path("fake.sock")
        self.reply = reply
        self.requests = []
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(self.path)
        self.sock.listen(4)
        self.sock.settimeout(20)
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        try:
            while True:
                c, _ = self.sock.accept()
                with c:
                    c.settimeout(10)
                    data = b""
                    while len(data) < 2 or len(data) < self.need(data):
                        chunk = c.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    cookie, values = dec_request(data)
                    self.requests.append(values)
                    c.sendall(self.reply(cookie))
        except OSError:
            pass

    @staticmethod
    def need(data):
        ll, cl = ((data[1] >> 2) & 3) + 1, (data[1] & 3) + 1
        if len(data) < 2 + ll + cl:
            return 2 + ll + cl + 1
        return 2 + ll + cl + int.from_bytes(data[2:2 + ll], "big")

    def close(self):
        self.sock.close()


def test_argument_typing(t):
    srv = FakeServer(t, lambda c: packet(1, c, b""))
    r = tandemctl(["-s", srv.path, "x.y", "1", "-3", "s:2", "i:7", "",
                   "1.5", "0x10", "a b", "s:", "2147483648", "007"])
    t.eq(r.rc, 0, "an empty reply exits 0", **r.context())
    t.eq(r.out, "", "and prints nothing", **r.context())
    t.eq(srv.requests[0],
         [("str", "x.y"), ("int", 1), ("int", -3), ("str", "2"),
          ("int", 7), ("str", ""), ("str", "1.5"), ("str", "0x10"),
          ("str", "a b"), ("str", ""), ("str", "2147483648"), ("int", 7)],
         "integers as ints, s: as strings, i: as ints, the rest as "
         "strings; beyond 32 bits as text")
    r = tandemctl(["-s", srv.path, "--json", "x.y"])
    t.eq(json.loads(r.out), {"result": None}, "no value: null",
         **r.context())
    srv.close()


REPLY = (b_struct(b_member("a", b_int(1)),
                  b_member("b", b_array(b_str("x"), b_double(1.5),
                                        b_int(-2))),
                  b_member("c", b_struct()),
                  b_member("d", b_array()),
                  b_member("e", b_str(b"caf\xc3\xa9 \xff \"q\"\t"))) +
         b_str("second"))


def test_nested_reply(t):
    srv = FakeServer(t, lambda c: packet(1, c, REPLY))
    r = tandemctl(["-s", srv.path, "x.y"])
    t.eq(r.rc, 0, "exits 0", **r.context())
    t.eq(r.out,
         "{\n\ta: 1\n\tb: [\n\t\tx\n\t\t1.500000\n\t\t-2\n\t]\n"
         "\tc: {\n\t}\n\td: [\n\t]\n\te: caf\u00e9 \ufffd \"q\"\t\n}\n"
         "second\n", "kamcmd's layout, nested", **r.context())
    r = tandemctl(["-s", srv.path, "--json", "x.y"])
    t.eq(json.loads(r.out),
         {"result": [{"a": 1, "b": ["x", 1.5, -2], "c": {}, "d": [],
                      "e": "caf\u00e9 \ufffd \"q\"\t"}, "second"]},
         "JSON: several values make an array; bad UTF-8 is U+FFFD",
         **r.context())
    srv.close()


def test_faults_and_bad_replies(t):
    replies = {
        "fault": lambda c: packet(3, c, b_int(404) + b_str("no such thing")),
        "fault_nomsg": lambda c: packet(3, c, b_int(400)),
        "truncated": lambda c: packet(1, c, b"\x03\x25a\0"),
        "unclosed": lambda c: packet(1, c, b"\x04" + b_int(1)),
        "cookie": lambda c: packet(1, (c + 1) & 0xffffffff, b_int(1)),
        "request": lambda c: packet(0, c, b_str("x")),
        "magic": lambda c: b"\xb1" + packet(1, c, b"")[1:],
    }
    expect = {
        "fault": (1, "error: 404 - no such thing\n", ""),
        "fault_nomsg": (1, "error: 400 - \n", ""),
        "truncated": (2, "", r"bad reply"),
        "unclosed": (2, "", r"bad reply"),
        "cookie": (2, "", r"cookie"),
        "request": (2, "", r"a request, not a reply"),
        "magic": (2, "", r"bad reply"),
    }
    for name, fn in replies.items():
        srv = FakeServer(t, fn)
        r = tandemctl(["-s", srv.path, "x.y"])
        rc, out, err = expect[name]
        t.eq(r.rc, rc, "%s: exit status" % name, **r.context())
        t.eq(r.out, out, "%s: stdout" % name, **r.context())
        t.match(err, r.err, "%s: stderr" % name, **r.context())
        srv.close()
        os.unlink(srv.path)
    srv = FakeServer(t, replies["fault"])
    r = tandemctl(["-s", srv.path, "--json", "x.y"])
    t.eq(json.loads(r.out),
         {"error": {"code": 404, "message": "no such thing"}},
         "a fault as JSON", **r.context())
    srv.close()


if __name__ == "__main__":
    harness.main()
