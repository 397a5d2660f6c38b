"""t_mod_htable.py - the htable module in the running daemon: a value
stored with $sht by one TCP worker is read by another (shared memory),
event_route[htable:mod-init] runs once before the workers, autoexpire
hides and then frees items, $shtinc is atomic across workers, the
functions remove items, a forgotten sht_lock() is released with its
message, the htable.* RPC methods answer kamcmd, and bad modparams are
refused with their position.
"""

import os
import re
import shutil
import socket
import subprocess
import time

import harness

CFG = "htable.cfg.in"


def sip(callid, extra=""):
    return ("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK%s\r\n"
            "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
            "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\n%s"
            "Content-Length: 0\r\n\r\n" % (callid, callid, extra)).encode()


class Conn:
    """One TCP connection; ask() sends a request and reads the one line
    tm_reply() answers with."""

    seq = 0

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def ask(self, headers):
        Conn.seq += 1
        self.s.sendall(sip("ht%d" % Conn.seq, headers))
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(4096)
            if not chunk:
                raise harness.TestFailure("connection closed by tandem")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line.decode(errors="replace")

    def close(self):
        self.s.close()


def fields(line):
    return dict(re.findall(r"(\w+)=(\S*)", line))


def start(t):
    cfg = t.render(CFG)
    d = t.daemon(cfg)
    return d, t.values["PORT"]


def two_workers(t, port):
    """Two connections owned by different TCP workers: (conn, pid) x 2."""
    seen, extra = {}, []
    for i in range(16):
        c = Conn(port)
        pid = fields(c.ask("X-Get: probe\r\n"))["pid"]
        if pid in seen:
            extra.append(c)
            continue
        seen[pid] = c
        if len(seen) == 2:
            break
    for c in extra:
        c.close()
    t.check(len(seen) == 2, "two connections owned by two workers (%s)"
            % sorted(seen))
    return [(c, pid) for pid, c in seen.items()]


def test_shared_across_workers_and_mod_init(t):
    d, port = start(t)
    (a, pa), (b, pb) = two_workers(t, port)
    t.say("connection A owned by worker %s, B by worker %s" % (pa, pb))
    r = fields(a.ask("X-Set: s.1.42\r\nX-Val: 127.0.0.1:40000\r\n"))
    t.eq(r["pid"], pa, "A's worker stored the value")
    r = fields(b.ask("X-Get: s.1.42\r\n"))
    t.eq(r["pid"], pb, "B's worker answers the read")
    t.eq(r["val"], "127.0.0.1:40000", "B's worker reads what A's stored "
         "with $sht(msrp=>$hdr(X-Get)::srcaddr)")
    t.eq(r["boot"], "set-at-init", "the value event_route[htable:mod-init] "
         "stored is visible in the workers")
    t.eq(r["cn"], "1", "$shtcn(msrp=>~%::srcaddr) counts the one key")
    r = fields(a.ask("X-Get: never-set\r\n"))
    t.eq(r["val"], "<null>", "a missing key reads as $null")
    inits = re.findall(r"HT-INIT pid=(\d+) boot=(.*)", d.log())
    t.eq(len(inits), 1, "event_route[htable:mod-init] ran once")
    t.eq(inits[0], (str(d.pid), "set-at-init"), "in the supervisor, "
         "before any worker, with $sht working")
    r = fields(b.ask("X-Rm: s.1.42\r\n"))
    r = fields(a.ask("X-Get: s.1.42\r\n"))
    t.eq((r["val"], r["short"]), ("<null>", "<null>"), "sht_rm() and "
         "sht_rm_name_re() in one worker removed it for the other")
    a.close()
    b.close()
    d.stop()


def test_autoexpire(t):
    d, port = start(t)
    (a, _), (b, _) = two_workers(t, port)
    a.ask("X-Set: gone\r\nX-Val: soon\r\n")
    t0 = time.monotonic()
    r = fields(b.ask("X-Get: gone\r\n"))
    t.eq(r["short"], "soon", "the item of the autoexpire=2 table is there")
    t.check(r["ex"] in ("1", "2"), "$shtex gives the seconds left (%s)"
            % r["ex"])
    t.eq(r["val"], "soon", "the item of the autoexpire=3600 table too")
    time.sleep(max(0, 2.3 - (time.monotonic() - t0)))
    r = fields(b.ask("X-Get: gone\r\n"))
    t.eq((r["short"], r["ex"]), ("<null>", "0"), "after 2 s it has "
         "expired")
    t.eq(r["val"], "soon", "the other table's item is still there")
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if re.search(r"htable 'short': 1 expired item removed", d.log()):
            break
        time.sleep(0.1)
    t.match(r"DEBUG: htable 'short': 1 expired item removed", d.log(),
            "the timer (timer_interval_ms=300) freed it")
    a.close()
    b.close()
    d.stop()


def test_counter_is_atomic_across_workers(t):
    d, port = start(t)
    conns = [Conn(port) for _ in range(8)]
    got = []
    for _ in range(40):
        for c in conns:
            c.s.sendall(sip("inc", "X-Inc: hits\r\n"))
        for c in conns:
            while b"\r\n" not in c.buf:
                c.buf += c.s.recv(4096)
            line, c.buf = c.buf.split(b"\r\n", 1)
            got.append(int(line.split()[1]))
    t.eq(sorted(got), list(range(1, 321)), "320 $shtinc from 8 "
         "connections over 4 workers gave each value 1..320 once")
    for c in conns:
        c.close()
    d.stop()


def test_forgotten_lock_does_not_wedge_others(t):
    d, port = start(t)
    (a, pa), (b, pb) = two_workers(t, port)
    t.eq(fields(a.ask("X-Lock: k\r\n"))["pid"], pa, "worker %s took "
         "sht_lock(cnt=>k) and ended the message without sht_unlock()" % pa)
    b.s.settimeout(5)
    t.eq(b.ask("X-Inc: k\r\n"), "INC 1", "worker %s can still use that "
         "slot" % pb)
    t.eq(a.ask("X-Inc: k\r\n"), "INC 2", "and so can the first worker")
    t.match(r"WARNING: sht_lock\(cnt=>k\) still held at the end of the "
            r"message; released", d.log(), "the release was logged")
    a.close()
    b.close()
    d.stop()


def kamcmd(sock, *args):
    p = subprocess.run(["kamcmd", "-s", "unix:" + sock] + list(args),
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=20)
    return p.stdout.decode(errors="replace").strip()


def test_rpc_with_kamcmd(t):
    t.check(shutil.which("kamcmd") is not None, "kamcmd is installed")
    d, port = start(t)
    sock = os.path.join(t.tmp, "ctl.sock")
    c = Conn(port)
    c.ask("X-Set: k1\r\nX-Val: v1\r\n")
    out = kamcmd(sock, "htable.get", "msrp", "k1::srcaddr")
    t.match(r"^\{\n\titem: \{\n\t\tname: k1::srcaddr\n\t\tvalue: v1\n"
            r"\t\tflags: 2\n\t\texpire: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\n"
            r"\t\}\n\}$", out, "htable.get prints Kamailio's item struct")
    t.eq(kamcmd(sock, "htable.seti", "cnt", "x", "41"),
         "Ok. Key set to new value.", "htable.seti")
    t.eq(c.ask("X-Inc: x\r\n"), "INC 42", "the script sees the RPC's "
         "value (41, then $shtinc)")
    t.eq(c.ask("X-Inc: x\r\n"), "INC 43", "and once more")
    t.eq(kamcmd(sock, "htable.sets", "cnt", "s", "hello world"),
         "Ok. Key set to new value.", "htable.sets")
    out = kamcmd(sock, "htable.dump", "cnt")
    t.match(r"name: x\n\t\t\tvalue: 43\n\t\t\ttype: int", out,
            "htable.dump lists the int item")
    t.match(r"name: s\n\t\t\tvalue: hello world\n\t\t\ttype: str", out,
            "and the string item")
    t.eq(kamcmd(sock, "htable.delete", "cnt", "s"), "Ok. Key deleted.",
         "htable.delete")
    t.eq(kamcmd(sock, "htable.delete", "cnt", "s"),
         "error: 404 - Key not found in htable.", "deleting twice")
    t.eq(kamcmd(sock, "htable.get", "nope", "k"),
         "error: 500 - No such htable", "an unknown table")
    out = kamcmd(sock, "htable.listTables")
    t.match(r"name: cnt\n\tdbtable: \n\tdbmode: 0\n\texpire: 0\n"
            r"\tupdateexpire: 1\n\tsize: 4\n\tdmqreplicate: 0", out,
            "htable.listTables")
    t.match(r"name: short\n\tslots: 16\n\tall: 1\n", kamcmd(
        sock, "htable.stats"), "htable.stats")
    t.eq(kamcmd(sock, "htable.reload", "cnt"), "error: 500 - No htable "
         "db_url (Tandem has no database support)", "htable.reload")
    c.close()
    d.stop()


BAD = [
    ('modparam("htable", "htable", "a=>size=8;foo=1;")',
     r"error: htable: unknown key 'foo' \(known: size, autoexpire, "),
    ('modparam("htable", "htable", "a=>size=8;dbtable=htable;")',
     r"error: htable: 'dbtable=htable': not supported \(no database in "
     r"Tandem\)"),
    ('modparam("htable", "htable", "a=>size=8;")\n'
     'modparam("htable", "htable", "a=>size=4;")',
     r"error: htable: table 'a' is already defined"),
    ('modparam("htable", "enable_dmq", 1)',
     r"error: htable: enable_dmq=1: not supported \(no DMQ replication"),
    ('modparam("htable", "db_url", "mysql://x")',
     r"error: htable: database parameters are not supported"),
    ('modparam("htable", "timer_interval", 0)',
     r"error: htable: timer_interval must be 1\.\.86400 seconds, not 0"),
]


def test_bad_modparams_are_refused(t):
    for i, (line, err) in enumerate(BAD):
        text = ("#!KAMAILIO\nloadmodule \"htable.so\"\n%s\n"
                "request_route { exit; }\n" % line)
        cfg = t.write("bad%d.cfg" % i, text)
        r = harness.check_config(cfg, moddir=harness.MODDIR)
        t.eq(r.rc, 1, "tandem -c refuses: %s" % line.splitlines()[-1],
             **r.context())
        last = 2 + len(line.splitlines())
        t.match(r"^%s:%d:\d+: %s" % (re.escape(cfg), last, err), r.err,
                "with the reason at the modparam's line", **r.context())


def test_seed_style_config_accepted(t):
    text = ("#!KAMAILIO\nloadmodule \"htable.so\"\n"
            "modparam(\"htable\", \"htable\", \"c=>size=8;autoexpire=1800;\")\n"
            "request_route {\n"
            "  if ($sht(msrp=>$ci::srcaddr) == $null) { exit; }\n"
            "  $sht(c=>$ci::srcaddr) = $si;\n"
            "  $shtex(c=>$ci) = 60;\n"
            "  sht_rm_value_re(\"c=>^10\\.\");\n"
            "}\n")
    cfg = t.write("seed.cfg", text)
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.eq(r.rc, 0, "a table used but not defined is accepted, as Kamailio "
         "does (ex19-old.cfg)", **r.context())


if __name__ == "__main__":
    harness.main(globals())
