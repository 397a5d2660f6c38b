"""t_core_tcp.py - the daemon's body: prefork TCP workers fed by fd
passing, SIP and MSRP mixed on one port and framed whatever the read
boundaries, a worker crash that loses no connection, cross-worker sends,
idle-connection expiry, malformed input that costs only its own
connection, and no fd or shm leak over many connect/close cycles.
"""

import collections
import os
import re
import resource
import signal
import socket
import time

import harness

TESTMOD_DIR = harness.TESTMOD_DIR
CFG = "core_tcp.cfg.in"


def raise_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def start(t, lifetime=120):
    cfg = t.render(CFG, LIFETIME=lifetime)
    d = t.daemon(cfg, args=["-L", TESTMOD_DIR])
    return d, t.values["PORT"]


def sip(callid, extra=""):
    return ("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK%s\r\n"
            "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
            "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\n%s"
            "Content-Length: 0\r\n\r\n" % (callid, callid, extra)).encode()


def msrp(tid, body=b"hello"):
    head = ("MSRP %s SEND\r\nTo-Path: msrp://127.0.0.1:1/s;tcp\r\n"
            "From-Path: msrp://127.0.0.1:2/c;tcp\r\nMessage-ID: m%s\r\n"
            "Byte-Range: 1-%d/%d\r\nContent-Type: text/plain\r\n\r\n"
            % (tid, tid, len(body), len(body))).encode()
    return head + body + ("\r\n-------%s$\r\n" % tid).encode()


def ids_in(log):
    """{id: count} of the TM-ID lines, and {conn: pid}."""
    counts = collections.Counter()
    owner = {}
    for m in re.finditer(r"TM-ID (SIP|MSRP) (\S+) pid=(\d+) conn=(\d+)",
                         log):
        counts[m.group(2)] += 1
        owner[int(m.group(4))] = int(m.group(3))
    return counts, owner


def wait_ids(d, want, timeout=60):
    """Waits until every id in want was logged; returns the counts."""
    deadline = time.monotonic() + timeout
    while True:
        counts, owner = ids_in(d.log())
        if all(counts[i] >= 1 for i in want) or time.monotonic() > deadline:
            return counts, owner
        time.sleep(0.2)


def connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def send_round(socks, tag, slow_every=50):
    """Sends one SIP and one MSRP message on every connection: every
    slow_every-th connection byte by byte, the others pipelined in one
    write.  Returns the ids sent."""
    ids = []
    for i, s in enumerate(socks):
        a, b = "%s-sip-%d" % (tag, i), "%s%dm" % (tag, i)
        data = sip(a) + msrp(b) + b"\r\n\r\n"
        if i % slow_every == 0:
            for k in range(len(data)):
                s.send(data[k:k + 1])
        else:
            s.sendall(data)
        ids += [a, b]
    return ids


def test_mixed_port_1000_connections_and_worker_crash(t):
    raise_fd_limit()
    d, port = start(t)
    t.say("open 1000 connections")
    socks = [connect(port) for _ in range(1000)]
    sent = send_round(socks, "r1")
    counts, owner = wait_ids(d, sent)
    missing = [i for i in sent if counts[i] == 0]
    dup = [i for i in sent if counts[i] > 1]
    t.eq(missing, [], "every message of round 1 reached its route")
    t.eq(dup, [], "and none reached it twice")
    pids = set(owner.values())
    t.check(len(pids) == 4, "the 1000 connections are spread over the 4 "
            "workers (owners: %s)" % sorted(pids))

    victim = sorted(pids)[0]
    held = [c for c, p in owner.items() if p == victim]
    t.say("kill -9 worker %d, which owns %d connections" % (victim, len(held)))
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if re.search(r"handed to the new process", d.log()):
            break
        time.sleep(0.1)
    t.match(r"killed by signal 9; respawning", d.log(),
            "the supervisor logged the crash and respawned the worker")
    sent2 = send_round(socks, "r2")
    counts, owner2 = wait_ids(d, sent2)
    missing = [i for i in sent2 if counts[i] == 0]
    t.eq(missing, [], "after the crash every connection still carries "
         "messages to the routes")
    t.eq([i for i in sent2 if counts[i] > 1], [], "each exactly once")
    for s in socks:
        s.close()
    d.stop()


def read_line(s, timeout=10):
    s.settimeout(timeout)
    buf = b""
    while not buf.endswith(b"\r\n"):
        chunk = s.recv(1)
        if not chunk:
            break
        buf += chunk
    return buf.decode(errors="replace").strip()


def whoami(s, tag):
    s.sendall(sip(tag, "X-Whoami: 1\r\n"))
    line = read_line(s)
    m = re.match(r"CONID (\d+) PID (\d+) SHM (\d+)", line)
    if not m:
        raise harness.TestFailure("no CONID answer: %r" % line)
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def test_cross_worker_send(t):
    d, port = start(t)
    socks, seen = [], {}
    # connections spread over the workers: find two owned by different ones
    for i in range(12):
        s = connect(port)
        conid, pid, _ = whoami(s, "who%d" % i)
        socks.append(s)
        seen.setdefault(pid, (s, conid))
        if len(seen) >= 2:
            break
    t.check(len(seen) >= 2, "two connections owned by different workers")
    (pa, (sa, ca)), (pb, (sb, cb)) = list(seen.items())[:2]
    t.say("conn %d owned by pid %d, conn %d owned by pid %d" % (ca, pa, cb, pb))
    sa.sendall(sip("xsend", "X-Send-To: %d\r\n" % cb))
    line = read_line(sb)
    t.eq(line, "RELAYED by %d" % pa, "a message handled by worker %d was "
         "written on the connection of worker %d" % (pa, pb))
    for s in socks:
        s.close()
    d.stop()


def test_idle_connections_closed(t):
    d, port = start(t, lifetime=2)
    s = connect(port)
    s.sendall(sip("idle1"))
    wait_ids(d, ["idle1"])
    s.settimeout(10)
    t0 = time.monotonic()
    data = s.recv(100)
    waited = time.monotonic() - t0
    t.eq(data, b"", "the idle connection was closed by the server")
    t.check(1.0 <= waited <= 8, "after about tcp_connection_lifetime=2 s "
            "(%.1f s)" % waited)
    busy = connect(port)
    for i in range(4):
        busy.sendall(sip("busy%d" % i))
        time.sleep(1)
    wait_ids(d, ["busy3"])
    busy.settimeout(0.2)
    try:
        still_open = busy.recv(1) != b""
    except socket.timeout:
        still_open = True
    t.check(still_open, "a connection in use stays open past the lifetime")
    busy.close()
    d.stop()


def closed_by_server(s, timeout=20):
    s.settimeout(timeout)
    try:
        while True:
            if not s.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def test_malformed_input_closes_only_that_connection(t):
    d, port = start(t)
    good = connect(port)
    cases = [
        ("garbage", b"\x16\x03\x01 hello this is not SIP\r\n\r\n"),
        ("header block with no end", b"OPTIONS sip:x SIP/2.0\r\n" +
         b"X-Long: " + b"a" * 70000),
        ("Content-Length over the limit", sip("big").replace(
            b"Content-Length: 0", b"Content-Length: 2000000")),
        ("NUL in the start line", b"OPTIONS sip:\x00x SIP/2.0\r\n\r\n"),
        ("MSRP frame without end-line up to the limit",
         b"MSRP t1x SEND\r\nTo-Path: msrp://a:1/s;tcp\r\n"
         b"From-Path: msrp://b:2/c;tcp\r\nContent-Type: text/plain\r\n\r\n"
         + b"x" * (10 * 1024 * 1024 + 100)),
    ]
    for name, data in cases:
        bad = connect(port)
        try:
            bad.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        t.check(closed_by_server(bad), "%s: the server closed that "
                "connection" % name)
        bad.close()
        tag = "after-%d" % len(data)
        good.sendall(sip(tag))
        counts, _ = wait_ids(d, [tag])
        t.eq(counts[tag], 1, "%s: the next good message on another "
             "connection still reaches the route" % name)
    good.close()
    d.stop()


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def test_no_fd_or_shm_leak_over_10000_cycles(t):
    d, port = start(t)
    probe = connect(port)
    _, _, shm0 = whoami(probe, "leak0")
    procs = [d.pid] + list(d.children())
    fds0 = {p: fd_count(p) for p in procs}
    t.say("start: shm real_used=%d, fds=%s" % (shm0, fds0))
    for i in range(10000):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        if i % 10 == 0:
            s.sendall(sip("c%d" % i))
        s.close()
    # let the supervisor and workers finish the closes
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        fds = {p: fd_count(p) for p in procs}
        _, _, shm1 = whoami(probe, "leak%d" % int(time.monotonic()))
        if fds == fds0 and shm1 == shm0:
            break
        time.sleep(0.5)
    t.say("end: shm real_used=%d, fds=%s" % (shm1, fds))
    t.eq(fds, fds0, "every process has the open-fd count it started with")
    t.eq(shm1, shm0, "shared memory usage is back to its start value")
    probe.close()
    d.stop()


def test_fork_no_single_process(t):
    """fork=no: one process accepts TCP, reads UDP, runs the routes and
    the timers (debugging mode, as the SER msilo example uses it)."""
    text = open(os.path.join(harness.SRCDIR, "test", "integration", "cfg",
                             CFG)).read().replace("children=4", "fork=no")
    cfg = t.render(text, LIFETIME=2)
    d = t.daemon(cfg, args=["-L", TESTMOD_DIR])
    port = t.values["PORT"]
    t.eq(len(d.children()), 0, "fork=no starts no child process")
    s = connect(port)
    s.sendall(sip("solo-tcp") + msrp("solo1m"))
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.sendto(sip("solo-udp"), ("127.0.0.1", port))
    counts, _ = wait_ids(d, ["solo-tcp", "solo1m", "solo-udp"])
    for i in ("solo-tcp", "solo1m", "solo-udp"):
        t.eq(counts[i], 1, "%s reached its route once" % i)
    s.settimeout(10)
    t.eq(s.recv(10), b"", "the idle-connection timer runs too (closed)")
    u.close()
    d.stop()


if __name__ == "__main__":
    harness.main(globals())
