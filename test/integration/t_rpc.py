"""t_rpc.py - the ctl module and the core RPC methods, driven by Debian's
kamcmd (the client Kamailio users have) and by raw BINRPC packets: the
methods answer in the shapes kamcmd prints for Kamailio, core.ps lists
exactly the daemon's processes, core.tcp_list shows a connection the test
opened, and no malformed, truncated, oversized or slow client costs the
ctl process anything.
"""

import os
import random
import re
import socket
import stat
import subprocess
import time

import harness

CFG = "rpc.cfg.in"
KAMCMD = "/usr/sbin/kamcmd"


def start(t, extra=""):
    cfg = t.render(CFG, EXTRA=extra)
    d = t.daemon(cfg)
    return d, t.path("ctl.sock")


def kamcmd(sock, *args, addr=None, timeout=20):
    """Runs kamcmd against the ctl socket; returns (rc, stdout, stderr)."""
    harness.check(os.access(KAMCMD, os.X_OK),
                  "kamcmd is installed (Debian package kamailio)")
    argv = [KAMCMD, "-s", addr or "unix:" + sock] + [str(a) for a in args]
    harness.say("run: " + " ".join(argv))
    p = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True,
                       timeout=timeout)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def kam_ok(t, sock, *args, **kw):
    rc, out, err = kamcmd(sock, *args, **kw)
    t.eq(rc, 0, "kamcmd %s exits 0" % " ".join(map(str, args)),
         stdout=out, stderr=err)
    t.no_match(r"^error:", out, "no error printed")
    return out


def structs(text):
    """kamcmd's printout of top-level structs -> list of dicts."""
    found = []
    for block in re.findall(r"^\{\n(.*?)^\}", text, re.M | re.S):
        found.append(dict(re.findall(r"^\t(\w+): (.*)$", block, re.M)))
    return found


# --- raw BINRPC (for what kamcmd never sends) --------------------------------

def rec_str(payload, rtype=1):
    b = payload + (b"\0" if rtype in (1, 5) else b"")
    if len(b) < 8:
        return bytes([(len(b) << 4) | rtype]) + b
    lb = len(b).to_bytes((len(b).bit_length() + 7) // 8, "big")
    return bytes([0x80 | (len(lb) << 4) | rtype]) + lb + b


def packet(body, cookie=0x1234, mtype=0):
    bl = len(body).to_bytes(max(1, (len(body).bit_length() + 7) // 8), "big")
    cb = cookie.to_bytes(max(1, (cookie.bit_length() + 7) // 8), "big")
    return bytes([0xA1, (mtype << 4) | ((len(bl) - 1) << 2)
                  | (len(cb) - 1)]) + bl + cb + body


def request(method, *args, cookie=0x1234):
    body = rec_str(method.encode())
    for a in args:
        body += rec_str(a.encode())
    return packet(body, cookie)


_pending = {}


def read_packet(s):
    """One reply from a stream socket: (type, cookie, body) or None at EOF.
    Bytes read past the packet are kept for the next call."""
    data = _pending.pop(s, b"")
    while True:
        if len(data) >= 2:
            ll = ((data[1] >> 2) & 3) + 1
            cl = (data[1] & 3) + 1
            if len(data) >= 2 + ll + cl:
                blen = int.from_bytes(data[2:2 + ll], "big")
                cookie = int.from_bytes(data[2 + ll:2 + ll + cl], "big")
                total = 2 + ll + cl + blen
                if len(data) >= total:
                    _pending[s] = data[total:]
                    return data[1] >> 4, cookie, data[2 + ll + cl:total]
        chunk = s.recv(65536)
        if not chunk:
            return None
        data += chunk


def closed_by_peer(s):
    """Whether the server closed s: EOF, or a reset when it closed with
    our unread request still in its buffer."""
    try:
        return read_packet(s) is None
    except ConnectionResetError:
        return True


def unix_conn(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    return s


def processes(d):
    """{pid} of the daemon: the supervisor and everything below it."""
    return {d.pid} | set(d.children())


# --- tests -----------------------------------------------------------------------

def test_kamcmd_core_methods(t):
    d, sock = start(t)
    out = kam_ok(t, sock, "core.version")
    t.match(r"^tandem %s \(\S+/linux\)$" % re.escape(
        harness.project_version()), out, "core.version like Kamailio's")
    st = os.stat(sock)
    t.check(stat.S_ISSOCK(st.st_mode), "the ctl socket exists")
    t.eq(stat.S_IMODE(st.st_mode), 0o600, "socket mode (default 0600)")

    out = kam_ok(t, sock, "core.ps")
    lines = out.splitlines()
    t.eq(len(lines) % 2, 0, "core.ps prints pid/description pairs")
    pairs = list(zip(lines[0::2], lines[1::2]))
    pids = {int(p) for p, _ in pairs}
    t.eq(pids, processes(d), "core.ps lists every process of the daemon")
    descs = [desc for _, desc in pairs]
    t.eq(descs[0], "main process - supervisor", "the supervisor first")
    for want in ("tcp worker 1", "tcp worker 2", "timer", "ctl handler"):
        t.check(want in descs, "core.ps lists '%s'" % want, stdout=out)

    psx = structs(kam_ok(t, sock, "core.psx"))
    t.eq({int(p["PID"]) for p in psx}, pids, "core.psx: the same pids")
    t.eq([int(p["IDX"]) for p in psx], sorted(int(p["IDX"]) for p in psx),
         "core.psx: IDX in order")

    up = structs(kam_ok(t, sock, "core.uptime"))
    t.eq(sorted(up[0]), ["now", "up_since", "uptime"], "core.uptime fields")
    shm = structs(kam_ok(t, sock, "core.shmmem"))[0]
    for f in ("total", "free", "used", "real_used", "max_used", "fragments"):
        t.check(shm.get(f, "").isdigit(), "core.shmmem has %s" % f)
    t.check(int(shm["used"]) + int(shm["free"]) <= int(shm["total"]),
            "used + free <= total")
    info = structs(kam_ok(t, sock, "core.tcp_info"))[0]
    t.eq(info["readers"], "2", "core.tcp_info: two TCP workers")
    t.eq(kam_ok(t, sock, "core.modules"), "ctl\n", "core.modules")
    t.eq(kam_ok(t, sock, "core.echo", "a", "7", "s:8"), "a\n7\n8\n",
         "core.echo returns its arguments")
    d.check_log()


def test_list_methods_and_help(t):
    d, sock = start(t)
    methods = kam_ok(t, sock, "system.listMethods").split()
    want = {"core.version", "core.info", "core.uptime", "core.ps",
            "core.psx", "core.shmmem", "core.tcp_info", "core.tcp_list",
            "core.modules", "core.echo", "core.debug", "system.listMethods",
            "system.methodHelp", "system.methodSignature", "ctl.listen",
            "ctl.connections"}
    t.eq(set(methods), want, "system.listMethods: every registered method")
    t.eq(methods, sorted(methods), "sorted by name")
    for m in methods:
        out = kam_ok(t, sock, "system.methodHelp", m)
        t.check(len(out.strip()) > 10, "help text for %s" % m, stdout=out)
    t.eq(kam_ok(t, sock, "system.methodSignature", "core.debug"),
         "[level: int]\n", "system.methodSignature")
    out = kam_ok(t, sock, "ctl.listen")
    t.match(r"^unix_stream:%s$" % re.escape(sock), out, "ctl.listen")
    t.match(r"^udp:127\.0\.0\.1:%d$" % t.values["PORT2"], out,
            "ctl.listen: udp")


def test_unknown_method(t):
    d, sock = start(t)
    rc, out, err = kamcmd(sock, "foo.bar")
    # kamcmd prints the fault; it exits 0 for a fault reply (it does so
    # against Kamailio 5.6 too): the text is the contract
    t.eq(out, "error: 500 - command foo.bar not found\n",
         "kamcmd prints Kamailio's fault for an unknown method",
         stderr=err)
    rc, out, err = kamcmd(sock, "system.methodHelp", "foo.bar")
    t.eq(out, "error: 400 - command not found\n", "help of an unknown one")
    rc, out, err = kamcmd(sock, "core.debug", "abc")
    t.eq(out, "error: 400 - argument 1 is not a number\n",
         "a bad argument is a 400 fault")
    rc, out, err = kamcmd(os.path.join(t.tmp, "nothing.sock"),
                          "core.version")
    t.ne(rc, 0, "kamcmd exits non-zero when no server answers")
    kam_ok(t, sock, "core.version")


def test_tcp_list_shows_connection(t):
    d, sock = start(t)
    port = t.values["PORT"]
    c = socket.create_connection(("127.0.0.1", port), timeout=10)
    c.sendall(b"OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP "
              b"127.0.0.1:5999;branch=z9hG4bKrpc\r\nFrom: <sip:t@x>;tag=1"
              b"\r\nTo: <sip:x@127.0.0.1>\r\nCall-ID: rpc1\r\nCSeq: 1 "
              b"OPTIONS\r\nContent-Length: 0\r\n\r\n")
    mine = c.getsockname()[1]
    conn = None
    deadline = time.monotonic() + 10
    while conn is None and time.monotonic() < deadline:
        out = kam_ok(t, sock, "core.tcp_list")
        conn = next((x for x in structs(out)
                     if x.get("src_port") == str(mine)), None)
        if conn is None or conn.get("msgs_in") != "1":
            conn = None
            time.sleep(0.1)
    t.check(conn is not None, "core.tcp_list shows the test's connection",
            stdout=out)
    t.eq((conn["type"], conn["state"], conn["src_ip"], conn["dst_ip"],
          conn["dst_port"]), ("TCP", "CONN_OK", "127.0.0.1", "127.0.0.1",
                              str(port)), "its type, state and addresses")
    t.check(int(conn["owner_pid"]) in d.children(),
            "owned by one of the daemon's workers", conn=repr(conn))
    t.eq(conn["lifetime"], "300", "lifetime from tcp_connection_lifetime")
    t.check(int(conn["bytes_in"]) > 100, "bytes_in counted")
    info = structs(kam_ok(t, sock, "core.tcp_info"))[0]
    t.eq(info["opened_connections"], "1", "core.tcp_info counts it")
    c.close()


def test_other_transports(t):
    d, sock = start(t)
    p2 = t.values["PORT2"]
    for addr in ("tcp:127.0.0.1:%d" % p2, "udp:127.0.0.1:%d" % p2,
                 "unixd:" + t.path("ctl_dgram.sock")):
        out = kam_ok(t, sock, "core.version", addr=addr)
        t.match(r"^tandem ", out, "core.version over " + addr.split(":")[0])
        out = kam_ok(t, sock, "system.listMethods", addr=addr)
        t.check("core.tcp_list" in out.split(), "listMethods over " + addr)


def test_debug_reaches_every_process(t):
    d, sock = start(t)
    t.eq(kam_ok(t, sock, "core.debug"), "2\n", "core.debug reads the level")
    t.eq(kam_ok(t, sock, "core.debug", 3), "3\n", "core.debug 3 sets it")
    workers = {int(p): desc for p, desc in zip(
        *[iter(kam_ok(t, sock, "core.ps").splitlines())] * 2)
        if desc.startswith("tcp worker")}
    # a worker (not the ctl process) now logs at DEBUG
    c = socket.create_connection(("127.0.0.1", t.values["PORT"]), timeout=10)
    c.sendall(b"\r\n\r\n")
    c.close()
    deadline = time.monotonic() + 10
    seen = None
    while seen is None and time.monotonic() < deadline:
        for m in re.finditer(r"^ *(\d+) DEBUG:", d.log(), re.M):
            if int(m.group(1)) in workers:
                seen = m.group(0)
        time.sleep(0.1)
    t.check(seen is not None, "a TCP worker logs DEBUG after core.debug 3",
            log=d.log())
    kam_ok(t, sock, "core.debug", 2)
    t.eq(kam_ok(t, sock, "core.debug"), "2\n", "and back to 2")
    rc, out, err = kamcmd(sock, "core.debug", 12)
    t.eq(out, "error: 400 - debug level 12 out of range (-5..9)\n",
         "out of range refused")


def test_raw_protocol_edges(t):
    d, sock = start(t, extra='modparam("ctl", "binrpc_max_body_size", 1)')
    # pipelined: three requests in one write, three replies in order
    s = unix_conn(sock)
    s.sendall(request("core.echo", "one", cookie=1)
              + request("core.nothing", cookie=2)
              + request("core.echo", "three", cookie=3))
    got = [read_packet(s) for _ in range(3)]
    t.eq([(g[0], g[1]) for g in got], [(1, 1), (3, 2), (1, 3)],
         "three replies (reply, fault, reply) with their cookies")
    t.check(b"three" in got[2][2], "the third echoes its argument")
    # a request larger than binrpc_max_body_size: a fault, then closed
    s.sendall(packet(rec_str(b"core.echo") + rec_str(b"x" * 5000), 9))
    r = read_packet(s)
    t.check(r is not None and r[0] == 3 and r[1] == 9
            and b"request too large" in r[2], "oversized: a 400 fault",
            reply=repr(r))
    t.check(closed_by_peer(s), "and the connection is closed")
    s.close()
    # a reply larger than the limit becomes a fault: ints are 5 bytes on
    # the wire, echoed back as 14-byte strings
    neg = b"\x40" + (-1000000000 & 0xffffffff).to_bytes(4, "big")
    s = unix_conn(sock)
    s.sendall(packet(rec_str(b"core.echo") + neg * 70))
    r = read_packet(s)
    t.check(r is not None and r[0] == 1, "a 980-byte reply fits in 1 KB",
            reply=repr(r)[:200])
    t.check(b"-1000000000" in r[2], "ints reach the handler as text")
    s.sendall(packet(rec_str(b"core.echo") + neg * 80))
    r = read_packet(s)
    t.check(r is not None and r[0] == 3 and b"reply too large" in r[2]
            and b"binrpc_max_body_size" in r[2],
            "a 1120-byte reply is a fault naming binrpc_max_body_size",
            reply=repr(r)[:200])
    s.close()
    # not BINRPC: closed without a reply
    s = unix_conn(sock)
    s.sendall(b"GET / HTTP/1.0\r\n\r\n")
    t.check(closed_by_peer(s), "garbage: the connection is closed")
    s.close()
    kam_ok(t, sock, "core.version")


def test_slow_client_is_bounded(t):
    d, sock = start(t)
    slow = unix_conn(sock)
    slow.sendall(request("core.version")[:5])   # and never the rest
    started = time.monotonic()
    out = kam_ok(t, sock, "core.version")
    t.match(r"^tandem ", out, "others are served meanwhile")
    slow.settimeout(15)
    t.eq(slow.recv(100), b"", "the slow client is dropped")
    took = time.monotonic() - started
    t.check(4 <= took <= 10, "after the request timeout (5 s): %.1f s"
            % took)
    slow.close()
    idle = unix_conn(sock)      # idle, no partial request: kept
    time.sleep(6)
    idle.sendall(request("core.version"))
    r = read_packet(idle)
    t.check(r is not None and r[0] == 1, "an idle client is still served")
    idle.close()


def mutate(rnd, seeds):
    """One malformed or random packet."""
    kind = rnd.randrange(6)
    base = bytearray(rnd.choice(seeds))
    if kind == 0:                       # truncated
        return bytes(base[:rnd.randrange(len(base))])
    if kind == 1:                       # bytes flipped
        for _ in range(rnd.randrange(1, 4)):
            base[rnd.randrange(len(base))] = rnd.randrange(256)
        return bytes(base)
    if kind == 2:                       # random body, valid header
        return packet(bytes(rnd.randrange(256)
                            for _ in range(rnd.randrange(40))),
                      rnd.randrange(1 << 32))
    if kind == 3:                       # huge or lying lengths
        return bytes([0xA1, rnd.choice([0x0c, 0x03, 0x0f]),
                      0xff, 0xff, 0xff, 0xff]) + bytes(base[6:])
    if kind == 4:                       # deep nesting
        n = rnd.randrange(10, 40)
        return packet(rec_str(b"core.echo") + b"\x04" * n + b"\x84" * n)
    return bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 64)))


def test_fuzz_10000_packets(t):
    d, sock = start(t)
    before = kam_ok(t, sock, "core.ps")
    children = d.children()
    rnd = random.Random(20240607)
    seeds = [request("core.version"), request("core.echo", "a", "b"),
             request("system.methodHelp", "core.ps"),
             packet(rec_str(b"core.echo") + b"\x03" + rec_str(b"a", 5)
                    + b"\x10\x01\x83"),
             packet(rec_str(b"core.echo") + b"\x22\x09\xc4")]
    dgram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    dgram.bind(t.path("fuzz_client.sock"))
    dgram.setblocking(False)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setblocking(False)
    sent, replies, deadline = 0, 0, time.monotonic() + 90
    while sent < 10000 and time.monotonic() < deadline:
        batch = [mutate(rnd, seeds) for _ in range(50)]
        # streams: a batch per connection, then closed (half of them
        # without reading anything back)
        try:
            s = unix_conn(t.path("ctl.sock"))
            s.settimeout(2)
            s.sendall(b"".join(batch))
            if sent % 100 == 0:
                s.shutdown(socket.SHUT_WR)
                while s.recv(65536):
                    pass
        except OSError:
            pass                # the server may drop us mid-way: fine
        finally:
            s.close()
        # datagrams: every packet alone, replies drained and ignored
        for p in batch[:10]:
            for sk, addr in ((dgram, t.path("ctl_dgram.sock")),
                             (udp, ("127.0.0.1", t.values["PORT2"]))):
                try:
                    sk.sendto(p or b"\0", addr)
                except OSError:
                    pass
        for sk in (dgram, udp):
            try:
                while sk.recv(65536):
                    replies += 1
            except OSError:
                pass
        sent += len(batch)
    dgram.close()
    udp.close()
    t.eq(sent, 10000, "10000 packets sent within the time bound")
    # most datagrams are not BINRPC enough to answer; the rest get faults
    t.check(replies > 500, "the ctl process answered what it could "
            "(%d datagram replies)" % replies)
    t.match(r"^tandem ", kam_ok(t, sock, "core.version"),
            "core.version still answers")
    t.eq(kam_ok(t, sock, "core.ps"), before,
         "the same processes (the ctl handler did not die)")
    t.eq(d.children(), children, "no process respawned")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        n = kam_ok(t, sock, "ctl.connections").strip()
        if n == "1":
            break
        time.sleep(0.2)
    t.eq(n, "1", "every fuzz connection was closed (only kamcmd's left)")
    d.check_log()


def ctl_pid(t, sock):
    lines = kam_ok(t, sock, "core.ps").splitlines()
    return next(int(p) for p, desc in zip(lines[0::2], lines[1::2])
                if desc == "ctl handler")


def test_ctl_process_respawn(t):
    d, sock = start(t)
    old = ctl_pid(t, sock)
    held = unix_conn(sock)          # a client of the dying process:
    held.sendall(request("core.version"))   # accepted by it for sure
    t.check(read_packet(held)[0] == 1, "the held client is served")
    os.kill(old, 9)
    deadline = time.monotonic() + 15
    new = None
    while time.monotonic() < deadline:
        try:
            new = ctl_pid(t, sock)
            break
        except harness.TestFailure:
            time.sleep(0.2)         # between the death and the respawn
    t.check(new is not None and new != old,
            "a new ctl handler serves after the old one was killed")
    t.check(new in d.children(), "it is the daemon's child")
    t.check(closed_by_peer(held), "the old process's client was closed")
    held.close()
    t.match(r"ctl handler \(pid %d\) killed by signal 9; respawning" % old,
            d.log(), "the supervisor respawned it")


def first_pid(t, sock):
    return int(kam_ok(t, sock, "core.ps").split()[0])


def test_socket_file_lifecycle(t):
    d, sock = start(t, extra='modparam("ctl", "mode", "0660")')
    t.eq(stat.S_IMODE(os.stat(sock).st_mode), 0o660, "mode 0660 applied")
    # a second daemon on the same paths takes them over, as Kamailio does
    cfg2 = t.write("second.cfg", open(d.cfg).read().replace(
        "listen=127.0.0.1:%d" % t.values["PORT"],
        "listen=127.0.0.1:%d" % t.port()).replace(
        '"tcp:127.0.0.1:%d"' % t.values["PORT2"], '"tcp:127.0.0.1:%d"'
        % t.port("tcp")).replace('"udp:127.0.0.1:%d"' % t.values["PORT2"],
                                 '"udp:127.0.0.1:%d"' % t.port("udp")))
    d2 = t.daemon(cfg2, name="tandem2")
    t.match(r"WARNING: ctl: \S*ctl\.sock is in use by a running process "
            r"\(another tandem or kamailio\?\); taking it over", d2.log(),
            "the second daemon warns that it takes the socket over")
    t.eq(first_pid(t, sock), d2.pid, "kamcmd now reaches the second one")
    # the first one, stopping, must not remove the second one's socket
    d.stop()
    t.check(os.path.exists(sock), "the socket file outlives the first "
            "daemon, which no longer owns it")
    t.match(r"ctl\.sock was replaced by another process; leaving it",
            d.log(), "the first daemon says why it left it")
    t.eq(first_pid(t, sock), d2.pid, "and the second one still answers")
    d2.stop()
    t.check(not os.path.exists(sock), "the socket file is removed at exit")
    t.check(not os.path.exists(t.path("ctl_dgram.sock")),
            "and the datagram one")
    # a stale socket file (no one listening) is taken over quietly
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(sock)
    stale.close()
    d3 = t.daemon(d.cfg, name="tandem3")
    t.eq(first_pid(t, sock), d3.pid, "a stale socket file is replaced")
    t.no_match(r"ctl\.sock is in use", d3.log(), "without a warning")
    d3.stop()


def test_bad_config(t):
    cases = [
        ('"binrpc", "foo:bar"', r"bad binrpc address: 'foo:bar': expected "
         r"unix:/path"),
        ('"binrpc", "tcp:127.0.0.1:99999"', r"bad port '99999'"),
        ('"mode", "0689"', r"mode 689 is not octal"),
        ('"binrpc_max_body_size", 0', r"binrpc_max_body_size must be 1\.\."),
        ('"user", "no-such-user-xyz"', r"unknown user 'no-such-user-xyz'"),
    ]
    for param, want in cases:
        cfg = t.write("bad.cfg", "loadmodule \"ctl.so\"\nmodparam(\"ctl\", "
                      "%s)\nrequest_route { exit; }\n" % param)
        r = harness.check_config(cfg, moddir=harness.MODDIR)
        t.ne(r.rc, 0, "tandem -c refuses %s" % param, **r.context())
        t.match(r"bad\.cfg:2:\d+: error: .*" + want, r.out + r.err,
                "with file:line:col and the reason")
    # a path that cannot be bound stops startup with a clear error
    cfg = t.write("nodir.cfg", "listen=127.0.0.1:%d\nloadmodule \"ctl.so\"\n"
                  "modparam(\"ctl\", \"binrpc\", \"unix:/nonexistent-dir/"
                  "x.sock\")\nrequest_route { exit; }\n" % t.port())
    r = harness.run_tandem(["-DD", "-E", "-f", cfg, "-L", harness.MODDIR],
                           timeout=30)
    t.ne(r.rc, 0, "startup fails", **r.context())
    t.match(r"cannot bind the unix socket /nonexistent-dir/x\.sock",
            r.out + r.err, "naming the path")


if __name__ == "__main__":
    harness.main()
