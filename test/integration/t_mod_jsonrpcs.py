"""t_mod_jsonrpcs.py - the jsonrpcs module: JSON-RPC 2.0 on a FIFO (the way
Debian's kamctl drives it) and on unix and UDP datagram sockets.  The
methods answer what kamcmd gets through the ctl module; unknown methods,
bad JSON and invalid requests get the JSON-RPC errors; a flood of garbage,
oversized and deeply nested input costs the server nothing (same
processes, still answering); a reply FIFO nobody reads holds the FIFO
process only for a bounded time; kamctl works against Tandem; the
parameters do what they say; jsonrpc_exec() fills $jsonrpl.
"""

import json
import os
import random
import re
import select
import shutil
import socket
import stat
import subprocess
import time

import harness

CFG = "jsonrpcs.cfg.in"
READY = r"(?s)(?=.*jsonrpcs: serving the FIFO)(?=.*tandem \S+ running)"

OPTIONS = ("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
           "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-%d\r\n"
           "From: <sip:t@x>;tag=1\r\nTo: <sip:x@x>\r\nCall-ID: jr-%d\r\n"
           "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")


def start(t, extra="", route="", ready=READY):
    os.makedirs(t.path("chroot", "tmp"), exist_ok=True)
    cfg = t.render(CFG, EXTRA=extra, ROUTE=route)
    return t.daemon(cfg, ready_log=ready)


def fifo_path(t):
    return t.path("kamailio_rpc.fifo")


def sock_path(t):
    return t.path("kamailio_rpc.sock")


def request(method, params=None, rid=1, **extra):
    req = {"jsonrpc": "2.0", "method": method}
    if params is not None:
        req["params"] = params
    if rid is not None:
        req["id"] = rid
    req.update(extra)
    return json.dumps(req)


# --- the datagram transport ------------------------------------------------------

_seq = [0]


def dgram_client(t):
    _seq[0] += 1
    path = t.path("c%d.sock" % _seq[0])
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    return s


def dgram(t, data, timeout=5, addr=None, family=socket.AF_UNIX):
    """Sends one datagram; returns the reply text, or None if none came."""
    if isinstance(data, str):
        data = data.encode()
    if family == socket.AF_UNIX:
        s = dgram_client(t)
    else:
        s = socket.socket(family, socket.SOCK_DGRAM)
    try:
        s.settimeout(timeout)
        s.sendto(data, addr or sock_path(t))
        try:
            return s.recv(1 << 20).decode("utf-8")
        except socket.timeout:
            return None
    finally:
        s.close()


def dgram_json(t, data, **kw):
    text = dgram(t, data, **kw)
    t.check(text is not None, "a datagram reply came")
    return json.loads(text)


# --- the FIFO transport --------------------------------------------------------------


def reply_fifo(t, name=None):
    """A reply FIFO in fifo_reply_dir, open for reading (before the
    request is written, as kamctl's reader is)."""
    _seq[0] += 1
    name = name or "reply_%d" % _seq[0]
    path = t.path("chroot", "tmp", name)
    os.mkfifo(path, 0o600)
    return name, os.open(path, os.O_RDONLY | os.O_NONBLOCK)


def write_fifo(fifo, data):
    if isinstance(data, str):
        data = data.encode()
    fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    try:
        while data:
            try:
                data = data[os.write(fd, data):]
            except BlockingIOError:
                select.select([], [fd], [], 1)
    finally:
        os.close(fd)


def read_reply(fd, timeout=10):
    """Reads a reply FIFO until the server closes it; None if nothing
    came within timeout."""
    buf = b""
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return buf.decode("utf-8") if buf else None
            select.select([fd], [], [], min(left, 0.1))
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if chunk:
                buf += chunk
            elif buf:
                return buf.decode("utf-8")      # the writer closed
            else:
                time.sleep(0.02)                # no writer yet
    finally:
        os.close(fd)


def fifo_call(t, method, params=None, rid=1, raw=None, timeout=10):
    name, fd = reply_fifo(t)
    text = raw.replace("@REPLY@", name) if raw is not None else \
        request(method, params, rid, reply_name=name)
    write_fifo(fifo_path(t), text + "\n")
    return read_reply(fd, timeout)


def fifo_json(t, *args, **kw):
    text = fifo_call(t, *args, **kw)
    t.check(text is not None, "a FIFO reply came")
    return json.loads(text)


def both(t, method, params=None):
    """The same request through both transports: (fifo, dgram) replies."""
    return (fifo_json(t, method, params),
            dgram_json(t, request(method, params)))


def kamcmd(t, *args):
    return harness.kamcmd(t, t.path("ctl.sock"), *args)


def pids_by_desc(ps, desc):
    return [p["PID"] for p in ps if p["DSC"] == desc]


# --- tests ---------------------------------------------------------------------------


def test_methods_match_kamcmd(t):
    d = start(t)
    version = kamcmd(t, "core.version").strip()
    for r in both(t, "core.version"):
        t.eq(r, {"jsonrpc": "2.0", "result": version, "id": 1},
             "core.version: the string kamcmd prints")
    up_since = re.search(r"up_since: (.*)", kamcmd(t, "core.uptime")).group(1)
    for r in both(t, "core.uptime"):
        t.eq(sorted(r["result"]), ["now", "up_since", "uptime"],
             "core.uptime is a struct with kamcmd's members")
        t.eq(r["result"]["up_since"], up_since, "the same start time")
        t.check(isinstance(r["result"]["uptime"], int), "uptime a number")
    methods = kamcmd(t, "system.listMethods").split()
    for r in both(t, "system.listMethods"):
        t.eq(r["result"], methods, "system.listMethods: kamcmd's list")
    t.check("jsonrpc.echo" in methods, "jsonrpc.echo is registered")
    psx = re.findall(r"IDX: (\d+)\n\tPID: (\d+)\n\tDSC: (.*)",
                     kamcmd(t, "core.psx"))
    for r in both(t, "core.psx"):
        t.eq([(str(p["IDX"]), str(p["PID"]), p["DSC"]) for p in r["result"]],
             psx, "core.psx: kamcmd's processes")
    descs = [p[2] for p in psx]
    t.eq(descs.count("JSONRPCS FIFO"), 1, "one FIFO process")
    t.eq(descs.count("JSONRPCS DATAGRAM"), 1, "one datagram worker")
    names = sorted(line.split(" = ")[0] for line in
                   kamcmd(t, "stats.get_statistics", "shmem:").splitlines())
    for r in both(t, "stats.get_statistics", ["shmem:"]):
        t.eq(sorted(s.split(" = ")[0] for s in r["result"]), names,
             "stats.get_statistics shmem: the statistics kamcmd lists")
    for r in both(t, "stats.get_statistics", ["all"]):
        t.check(len(r["result"]) > len(names), "stats all: more of them")
    for r in both(t, "core.echo", ["a", 1, 2.5, True, "x y"]):
        t.eq(r["result"], ["a", "1", "2.5", "1", "x y"],
             "parameters reach the handler as kamcmd's arguments do")
    for r in both(t, "core.echo", {"first": "a", "second": "b"}):
        t.eq(r["result"], ["a", "b"], "parameters by name, in order")
    for r in both(t, "core.echo", ["caf\u00e9 \U0001F600 \"q\" \\ \n"]):
        t.eq(r["result"], "caf\u00e9 \U0001F600 \"q\" \\ \n",
             "one value is the result itself; Unicode and escapes survive")
    for r in both(t, "jsonrpc.echo", ["a", 2]):
        t.eq(r["result"], ["a", 2], "jsonrpc.echo: numbers come back "
             "as numbers")
    d.stop()
    t.check(not os.path.exists(fifo_path(t)), "the FIFO is removed at stop")
    t.check(not os.path.exists(sock_path(t)), "the socket is removed")


def test_pretty_and_compact(t):
    d = start(t)
    text = dgram(t, request("core.uptime", rid=5))
    t.match(r'\A\{\n\t"jsonrpc":\t"2\.0",\n\t"result":\t\{\n\t\t"now":\t"'
            r'[^"]+",\n\t\t"up_since":\t"[^"]+",\n\t\t"uptime":\t\d+\n\t\},'
            r'\n\t"id":\t5\n\}\Z', text,
            "pretty_format 1: Kamailio's tab layout (what kamctl expects)")
    d.stop()
    d = start(t, extra='modparam("jsonrpcs", "pretty_format", 0)')
    t.match(r'\A\{"jsonrpc":"2\.0","result":\{"now":"[^"]+","up_since":'
            r'"[^"]+","uptime":\d+\},"id":5\}\Z',
            dgram(t, request("core.uptime", rid=5)),
            "pretty_format 0: no white space")
    t.eq(fifo_call(t, "core.echo", ["a", "b"], rid="x"),
         '{"jsonrpc":"2.0","result":["a","b"],"id":"x"}',
         "the same on the FIFO, no newline after it (as Kamailio)")
    d.stop()


def test_errors(t):
    d = start(t)
    for r in both(t, "no.such.method"):
        t.eq(r["error"], {"code": -32601, "message": "Method Not Found"},
             "unknown method: -32601")
        t.eq(r["id"], 1, "with the request's id")
    for r in both(t, "system.methodHelp", ["nonexistent"]):
        t.eq(r["error"], {"code": 400, "message": "command not found"},
             "an RPC's own fault: its code and message")
    for r in both(t, "core.echo", [None]):
        t.eq(r["error"]["code"], -32602, "null parameter: -32602")
        t.eq(r["error"]["message"], "Invalid Parameters", "its message")
    r = dgram_json(t, "{not json")
    t.eq((r["error"]["code"], r["error"]["message"], r["id"]),
         (-32700, "Parse Error", None), "bad JSON: Parse Error, id null")
    r = dgram_json(t, '{"jsonrpc":"2.0","method":"core.version","id":1')
    t.eq(r["error"]["code"], -32700, "truncated JSON: Parse Error")
    r = dgram_json(t, '{"jsonrpc":"1.0","method":"core.version","id":4}')
    t.eq((r["error"]["code"], r["error"]["message"], r["id"]),
         (-32600, "Invalid Request", 4), "wrong version: Invalid Request")
    r = dgram_json(t, '{"jsonrpc":"2.0","method":5,"id":4}')
    t.eq(r["error"]["code"], -32600, "method not a string: Invalid "
         "Request (Kamailio 5.6 crashes on this one)")
    r = dgram_json(t, "[" + request("core.version") + "]")
    t.eq((r["error"]["code"], r["error"].get("data")),
         (-32600, "batch requests are not supported"),
         "a batch: Invalid Request, as Kamailio 5.6 has no batches")
    t.eq(dgram(t, request("core.version", rid=None), timeout=1), None,
         "a notification gets no reply")
    t.eq(dgram(t, request("no.such", rid=None), timeout=1), None,
         "not even when it fails")
    # over the FIFO: a request that is not JSON still gets its Parse
    # Error when its reply_name can be found
    r = json.loads(fifo_call(t, None, raw='{"jsonrpc":"2.0","method":'
                             '"core.version", "reply_name":"@REPLY@", '
                             '"id":1,,}'))
    t.eq(r["error"]["code"], -32700, "FIFO: Parse Error to the reply FIFO")
    d.stop()


def test_fifo_notification_and_bad_reply_names(t):
    d = start(t)
    t.eq(fifo_call(t, "core.version", rid=None, timeout=1.5), None,
         "FIFO: a notification gets no reply")
    name, fd = reply_fifo(t)
    write_fifo(fifo_path(t), request("core.version", reply_name="../" + name)
               + "\n")
    t.eq(read_reply(fd, timeout=1.5), None,
         "a reply_name with a '/' is refused (no writing outside the dir)")
    harness.match(r"reply_name\" that is not a file name; skipped", d.log(),
                  "logged")
    r = fifo_json(t, "core.version")
    t.check("result" in r, "the next request is served")
    d.stop()


def test_flood_of_garbage(t):
    d = start(t)
    before = d.children()
    rnd = random.Random(5)
    # datagrams: random bytes, JSON-looking noise, deep nesting, too large
    s = dgram_client(t)
    s.settimeout(5)
    blobs = [bytes(rnd.randrange(256) for _ in range(rnd.randrange(1, 3000)))
             for _ in range(150)]
    noise = '{}[]":,0123456789-.eE truefalsnul\\u'
    blobs += ["".join(rnd.choice(noise) for _ in range(rnd.randrange(1, 500)))
              .encode() for _ in range(150)]
    blobs += [b"[" * 60000, b'{"a":' * 10000, b"\x00" * 1000, b" " * 100,
              b'"' + b"\\" * 5000]
    bad = []
    for b in blobs:
        s.sendto(b, sock_path(t))
        r = json.loads(s.recv(1 << 20))
        if r.get("jsonrpc") != "2.0" or "error" not in r:
            bad.append(r)
    t.eq(bad, [], "every datagram answered with a JSON-RPC error")
    s.sendto(b'{"jsonrpc":"2.0","method":"core.echo","params":["' +
             b"a" * 70000 + b'"],"id":1}', sock_path(t))
    r = json.loads(s.recv(1 << 20))
    t.eq((r["error"]["code"], r["error"]["data"]),
         (-32600, "request larger than 65536 bytes"),
         "a datagram over 64 KiB: Invalid Request")
    s.close()
    # the FIFO: the same and more, in one stream
    fifo = fifo_path(t)
    for b in [b"[" * 200000 + b"\n",
              b'{"a":"' + b"x" * (2 << 20) + b'"}\n',
              bytes(range(256)) * 64, b"\n}}}]]]\n"] + blobs[:100]:
        write_fifo(fifo, b)
    # whatever the noise left unfinished is dropped after 3 s of silence
    time.sleep(3.5)
    r = fifo_call(t, "core.version", timeout=10)
    t.check(r is not None and "result" in json.loads(r),
            "the FIFO serves again after the garbage", reply=r)
    harness.match(r"FIFO: \d+ bytes dropped: request larger than 1048576",
                  d.log(), "a request over 1 MiB is dropped and logged")
    harness.match(r"nested too deep", d.log(), "deep nesting is refused")
    t.eq(d.children(), before, "no process died or was restarted")
    r = dgram_json(t, request("core.version"))
    t.check("result" in r, "the datagram socket still answers")
    d.stop()


def test_reply_fifo_timeouts(t):
    d = start(t)
    # a reply FIFO that nobody opens: given up after 2 s
    _seq[0] += 1
    dead = "dead_%d" % _seq[0]
    os.mkfifo(t.path("chroot", "tmp", dead), 0o600)
    t0 = time.monotonic()
    write_fifo(fifo_path(t), request("core.version", reply_name=dead) + "\n")
    r = fifo_json(t, "core.version", rid=2, timeout=15)
    took = time.monotonic() - t0
    t.eq(r["id"], 2, "the next request is answered")
    t.check(took < 6, "after the dead one was given up (%.1f s)" % took)
    harness.match(r"nobody reads the reply FIFO .*%s" % dead, d.log(),
                  "logged")
    # a reader that opens its FIFO but never reads a large reply: the
    # write is given up after 5 s; the datagram side is not held
    name, fd = reply_fifo(t)
    big = "x" * 300000
    t0 = time.monotonic()
    write_fifo(fifo_path(t), request("core.echo", [big], reply_name=name)
               + "\n")
    time.sleep(0.5)
    r = dgram_json(t, request("core.version"), timeout=2)
    t.check("result" in r and time.monotonic() - t0 < 2,
            "the datagram worker answers meanwhile")
    r = fifo_json(t, "core.version", rid=3, timeout=15)
    t.eq(r["id"], 3, "the FIFO answers again")
    os.close(fd)
    harness.match(r"reader is too slow", d.log(), "the stuck write logged")
    d.stop()


def test_kamctl(t):
    exe = shutil.which("kamctl")
    t.check(exe is not None, "kamctl is installed (Debian package kamailio)")
    d = start(t)
    env = dict(os.environ, RPCFIFOPATH=fifo_path(t),
               CHROOT_DIR=t.path("chroot"))

    def kamctl(*args):
        argv = [exe] + list(args)
        t.say("run: RPCFIFOPATH=%s CHROOT_DIR=%s %s" % (
            env["RPCFIFOPATH"], env["CHROOT_DIR"], " ".join(argv)))
        p = subprocess.run(argv, env=env, cwd=t.tmp, timeout=30,
                           stdin=subprocess.DEVNULL, capture_output=True)
        out = p.stdout.decode("utf-8", "replace")
        t.eq(p.returncode, 0, "kamctl %s exits 0" % " ".join(args),
             stdout=out, stderr=p.stderr.decode("utf-8", "replace"))
        return out

    out = kamctl("ps")
    psx = re.findall(r"PID: (\d+)", kamcmd(t, "core.psx"))
    t.eq(re.findall(r'"PID":\s+(\d+)', out), psx,
         "kamctl ps: the processes kamcmd core.psx lists")
    out = kamctl("uptime")
    up = re.search(r"up_since: (.*)", kamcmd(t, "core.uptime")).group(1)
    t.match(r'"up_since":\s+"%s"' % re.escape(up), out,
            "kamctl uptime: kamcmd's start time")
    out = kamctl("stats", "shmem")
    t.match(r'"shmem:total_size = \d+"', out, "kamctl stats shmem")
    out = kamctl("rpc", "core.echo", "a", "12")
    t.match(r'"result":\s*\[\s*"a",\s*"12"\s*\]', out,
            "kamctl rpc: parameters passed through")
    out = kamctl("rpc", "no.such")
    t.match(r'"code":\s+-32601', out, "kamctl rpc of an unknown method")
    t.eq(os.listdir(t.path("chroot", "tmp")), [],
         "kamctl removed its reply FIFOs")
    d.stop()


def test_transport_and_files(t):
    d = start(t, extra='modparam("jsonrpcs", "fifo_mode", 0600)\n'
               'modparam("jsonrpcs", "dgram_mode", 0640)\n'
               'modparam("jsonrpcs", "dgram_workers", 3)')
    st = os.lstat(fifo_path(t))
    t.check(stat.S_ISFIFO(st.st_mode), "fifo_name is a FIFO")
    t.eq(oct(stat.S_IMODE(st.st_mode)), oct(0o600), "fifo_mode")
    st = os.lstat(sock_path(t))
    t.check(stat.S_ISSOCK(st.st_mode), "dgram_socket is a socket")
    t.eq(oct(stat.S_IMODE(st.st_mode)), oct(0o640), "dgram_mode")
    ps = dgram_json(t, request("core.psx"))["result"]
    t.eq(len(pids_by_desc(ps, "JSONRPCS DATAGRAM")), 3, "dgram_workers 3")
    d.stop()
    # FIFO only
    d = start(t, extra='modparam("jsonrpcs", "transport", 2)')
    t.check(not os.path.exists(sock_path(t)), "transport 2: no socket")
    ps = fifo_json(t, "core.psx")["result"]
    t.eq(pids_by_desc(ps, "JSONRPCS DATAGRAM"), [], "and no worker for it")
    d.stop()
    # datagram only, on UDP; transport 0 enables what is configured
    port = t.port("udp")
    d = start(t, extra='modparam("jsonrpcs", "transport", 4)\n'
              'modparam("jsonrpcs", "dgram_socket", "udp:127.0.0.1:%d")'
              % port, ready=harness.DEFAULT_READY_LOG)
    t.check(not os.path.exists(fifo_path(t)), "transport 4: no FIFO")
    r = dgram_json(t, request("core.version"), addr=("127.0.0.1", port),
                   family=socket.AF_INET)
    t.check("result" in r, "JSON-RPC over UDP")
    d.stop()
    d = start(t, extra='modparam("jsonrpcs", "transport", 0)')
    t.check(os.path.exists(fifo_path(t)) and os.path.exists(sock_path(t)),
            "transport 0: FIFO and datagram socket")
    d.stop()


def test_http_transport_refused(t):
    """Kamailio 5.6 stops when transport includes HTTP (1) and xhttp is not
    loaded; Tandem has no xhttp, so 1, 3, 5 and 7 are refused at start."""
    os.makedirs(t.path("chroot", "tmp"), exist_ok=True)
    cfg = t.render(CFG, EXTRA='modparam("jsonrpcs", "transport", 7)',
                   ROUTE="")
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.eq(r.rc, 0, "the config itself is fine (tandem -c)", **r.context())
    r = harness.run_tandem(["-DD", "-E", "-f", cfg, "-L", harness.MODDIR],
                           timeout=30)
    t.ne(r.rc, 0, "the daemon does not start", **r.context())
    t.match(r"jsonrpcs: transport 7 includes HTTP \(1\), which needs the "
            r"xhttp module", r.out + r.err, "and says why")
    t.check(not os.path.exists(fifo_path(t)), "no FIFO left behind")
    cfg = t.render(CFG, EXTRA='modparam("jsonrpcs", "transport", 8)',
                   ROUTE="")
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.ne(r.rc, 0, "transport 8 is a config error")
    t.match(r"transport 8: expected 0", r.out + r.err, "naming the values")


def test_jsonrpc_exec(t):
    route = r"""
	jsonrpc_exec('{"jsonrpc": "2.0", "method": "core.echo", "params": ["$si", 7], "id": 1}');
	xlog("L_NOTICE", "A rc=$rc code=$jsonrpl(code) text=$jsonrpl(text) body=$jsonrpl(body)\n");
	jsonrpc_exec('{"jsonrpc": "2.0", "method": "no.such", "id": 2}');
	xlog("L_NOTICE", "B code=$jsonrpl(code) text=$jsonrpl(text)\n");
	if (!jsonrpc_exec("not json")) {
		xlog("L_NOTICE", "C false code=$jsonrpl(code) text=$jsonrpl(text)\n");
	}
	jsonrpc_exec('{"jsonrpc": "2.0", "method": "core.version"}');
	xlog("L_NOTICE", "D body=$jsonrpl(body)\n");
"""
    d = start(t, extra='modparam("jsonrpcs", "pretty_format", 0)',
              route=route)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto((OPTIONS % (1, 1)).encode(), ("127.0.0.1", t.values["PORT"]))
    s.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and "D body=" not in d.log():
        time.sleep(0.1)
    log = d.log()
    t.match(r'A rc=1 code=200 text=OK body=\{"jsonrpc":"2\.0","result":'
            r'\["127\.0\.0\.1","7"\],"id":1\}$', log,
            "jsonrpc_exec: $jsonrpl(code/text/body) of a success")
    t.match(r"B code=-32601 text=Method Not Found$", log,
            "an unknown method")
    t.match(r"C false code=-32700 text=Parse Error$", log,
            "not JSON: false, and the Parse Error")
    t.match(r'D body=\{"jsonrpc":"2\.0","result":"tandem [^"]+"\}$', log,
            "a notification still shows its response (no id)")
    d.stop()
    bad = t.render(CFG, EXTRA="", ROUTE='xlog("$jsonrpl(nope)");')
    r = harness.check_config(bad, moddir=harness.MODDIR)
    t.ne(r.rc, 0, "$jsonrpl(nope) is a config error")
    t.match(r"\$jsonrpl: unknown key 'nope'", r.out + r.err, "naming it")


if __name__ == "__main__":
    harness.main()
