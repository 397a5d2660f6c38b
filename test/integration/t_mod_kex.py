"""t_mod_kex.py - the kex and cfgutils modules in the running daemon.

kex: message, script and branch flags across a route and its sub-route,
none carried to the next message; setdebug()/resetdebug() per process.
cfgutils: route_if_exists() / check_route_exists() and their return
codes, an exit inside the route ending the caller, the shared
probability (rand_set_prob 0 and 100, reset, get), sleep()/usleep(),
lock()/trylock()/unlock() across processes, the release of a lock a
message forgot, global flags across processes, core_hash(), is_myself(),
the memory summaries, and the stats.* and cfgutils.* RPCs through ctl
and kamcmd.  Bad values in the config are refused with their position.

The daemon runs children=1: one UDP receiver and one TCP worker, so a
message sent by UDP and one sent by TCP run in different processes, and
two sent by UDP in the same one.  X-Case names the route to run; what
the routes did is read from the log ("K <Call-ID> ...").
"""

import itertools
import re
import socket
import time

import harness

CFG = "kex.cfg.in"
_seq = itertools.count(1)


def options(callid, proto, headers):
    extra = "".join("%s: %s\r\n" % kv for kv in headers.items())
    return ("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/%s 127.0.0.1:5999;rport;branch=z9hG4bK%s\r\n"
            "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
            "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\n%s"
            "Content-Length: 0\r\n\r\n"
            % (proto.upper(), callid, callid, extra)).encode()


class Client:
    """Sends cases to the daemon and reads their log lines."""

    def __init__(self, t, d, port):
        self.t, self.d, self.port = t, d, port
        self.tcp = None

    def send(self, case, proto="udp", **headers):
        """Sends one message running route[case]; returns its Call-ID."""
        callid = "%s-%d" % (case, next(_seq))
        headers = dict({"X-Case": case},
                       **{k.replace("_", "-"): v for k, v in headers.items()})
        data = options(callid, proto, headers)
        if proto == "udp":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.sendto(data, ("127.0.0.1", self.port))
            s.close()
        else:
            if self.tcp is None:
                self.tcp = socket.create_connection(("127.0.0.1",
                                                     self.port), timeout=10)
            self.tcp.sendall(data)
        return callid

    def wait(self, callid, what="end rc=", timeout=20):
        """Waits for "K <callid> <what>"; returns that message's lines
        (the text after the Call-ID)."""
        pat = r"K %s %s" % (re.escape(callid), re.escape(what))
        deadline = time.monotonic() + timeout
        while True:
            log = self.d.log()
            if re.search(pat, log) or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.t.match(pat, log, "%s ran (%s)" % (callid, what))
        return self.lines(callid)

    def lines(self, callid):
        return re.findall(r"^\s*\d+ \w+: <script>: K %s (.*)$"
                          % re.escape(callid), self.d.log(), re.M)

    def run(self, case, proto="udp", **headers):
        return self.wait(self.send(case, proto, **headers))

    def close(self):
        if self.tcp:
            self.tcp.close()


def start(t):
    d = t.daemon(t.render(CFG))
    return d, Client(t, d, t.values["PORT"])


def test_flags_across_routes(t):
    d, c = start(t)
    for proto in ("udp", "tcp"):
        lines = c.run("flags", proto)
        for want in ("sub-route sees flag 1",
                     "sub-route sees script flag 2",
                     "sub-route sees branch flag 3",
                     "the three sets are separate",
                     "flag 4 set by the sub-route",
                     "flags 1 2 3 reset", "end rc=1"):
            t.check(want in lines, "%s: %s" % (proto, want), lines=lines)
        lines = c.run("noflags", proto)
        t.check("starts with no flag" in lines, "%s: the next message in "
                "the same process starts with no flag" % proto,
                lines=lines)
    lines = c.run("dynflag", "udp", X_Flag="7")
    t.check("setflag rc=1" in lines and "dynamic flag set" in lines,
            "a flag from a header is set", lines=lines)
    lines = c.run("dynflag", "udp", X_Flag="40")
    t.check("setflag rc=-1" in lines and "dynamic flag set" not in lines,
            "flag 40 is refused at runtime", lines=lines)
    t.match(r"ERROR: kex: setflag\(40\): flag out of range 0\.\.31",
            d.log(), "with an error naming it")
    t.check("setbflag on branch 2 rc=-1" in lines, "branch 2 does not "
            "exist", lines=lines)
    c.close()
    d.stop()


def test_setdebug_per_process(t):
    d, c = start(t)
    lines = c.run("debug_probe", "udp")
    t.check("debug probe" not in lines, "no debug line at debug=2")
    lines = c.run("debug_on", "udp")
    t.check("debug line after setdebug" in lines, "setdebug(3) shows "
            "debug lines at once", lines=lines)
    lines = c.run("debug_probe", "udp")
    t.check("debug probe" in lines, "and for the next message of that "
            "process", lines=lines)
    lines = c.run("debug_probe", "tcp")
    t.check("debug probe" not in lines, "but not in another process",
            lines=lines)
    lines = c.run("debug_off", "udp")
    t.check("debug line after resetdebug" not in lines, "resetdebug() "
            "goes back to debug=2", lines=lines)
    lines = c.run("debug_probe", "udp")
    t.check("debug probe" not in lines, "for the next messages too",
            lines=lines)
    c.close()
    d.stop()


def test_route_if_exists(t):
    d, c = start(t)
    for proto in ("udp", "tcp"):
        lines = c.run("routes", proto)
        t.eq(lines, ["in ret_neg", "route_if_exists(ret_neg) rc=-3",
                     "route_if_exists(nosuch) rc=-1",
                     "check_route_exists(ret_neg) true",
                     "check_route_exists(nosuch) false", "end rc=1"],
             "%s: the route ran on the message and gave its return value; "
             "a missing one is false" % proto)
    lines = c.run("no_such_case", "udp")
    t.eq(lines, ["no such case rc=-1", "end rc=1"],
         "route_if_exists() of a missing route is false")
    cid = c.send("exit_in", "udp")
    c.wait(cid, "exiting")
    after = c.run("noflags", "udp")        # same process, runs after it
    t.check("starts with no flag" in after, "the next message ran")
    t.eq(c.lines(cid), ["exiting"], "exit inside the route ends the "
         "caller's script too")
    lines = c.run("recurse", "udp")
    t.eq(lines, ["end rc=1"], "a route calling itself is stopped (each "
         "level ends without return: 1)")
    t.match(r"ERROR: cfgutils: route_if_exists\(recurse\): more than 100 "
            "nested calls", d.log(), "and that is reported")
    c.close()
    d.stop()


def rand_results(c, proto, n):
    out = []
    for _ in range(n):
        lines = c.run("rand", proto)
        out += [ln for ln in lines if ln.startswith("rand_event")]
    return out


def test_probability(t):
    d, c = start(t)
    t.check("probability rc=10" in c.run("prob_get"),
            "initial_probability is 10")
    c.run("prob0", "tcp")
    res = rand_results(c, "udp", 20)
    t.eq(set(res), {"rand_event false"}, "rand_set_prob(0) in one process: "
         "rand_event() is never true in another")
    t.check("probability rc=-1" in c.run("prob_get"),
            "rand_get_prob() is false at 0 %")
    c.run("prob100", "udp")
    res = rand_results(c, "tcp", 20)
    t.eq(set(res), {"rand_event true"}, "at 100 it is always true")
    t.check("probability rc=100" in c.run("prob_get", "tcp"),
            "rand_get_prob() returns the probability")
    lines = c.run("prob_bad", "udp", X_Prob="101")
    t.check("rand_set_prob rc=-1" in lines, "101 is refused", lines=lines)
    t.match(r"ERROR: cfgutils: rand_set_prob\(101\): the probability is "
            r"0\.\.100", d.log(), "with an error")
    c.run("prob_reset", "tcp")
    t.check("probability rc=10" in c.run("prob_get", "udp"),
            "rand_reset_prob() goes back to initial_probability")
    c.close()
    d.stop()


def test_sleep(t):
    d, c = start(t)
    t0 = time.monotonic()
    cid = c.send("sleep", "udp")
    c.wait(cid, "slept")
    took = time.monotonic() - t0
    t.check(1.25 <= took < 8, "sleep(1) + usleep(300000) took %.2f s"
            % took)
    c.close()
    d.stop()


def test_locks_across_processes(t):
    d, c = start(t)
    holder = c.send("hold", "tcp", X_Key="a")
    c.wait(holder, "locked")
    lines = c.run("try", "udp", X_Key="a")
    t.check("trylock busy" in lines, "trylock() in another process sees "
            "the lock held", lines=lines)
    lines = c.run("try", "udp", X_Key="b")
    t.check("trylock taken" in lines, "another key is free", lines=lines)
    c.wait(holder, "unlocked rc=1")
    lines = c.run("try", "udp", X_Key="a")
    t.check("trylock taken" in lines, "after unlock() it is free",
            lines=lines)

    lines = c.run("twice", "udp", X_Key="c")
    t.check("second lock rc=-1" in lines, "a process locking what it "
            "holds gets an error instead of waiting forever", lines=lines)
    t.check("second unlock rc=-1" in lines, "unlocking what it does not "
            "hold is refused", lines=lines)
    t.match(r"ERROR: cfgutils: lock\(key-c\): this process already holds",
            d.log(), "the second lock() is reported")

    c.run("leak", "udp", X_Key="d")
    t.match(r"WARNING: cfgutils: 1 lock still held when the message was "
            r"done: released", d.log(), "a lock the message kept is "
            "released when it is done, with a warning")
    lines = c.run("try", "tcp", X_Key="d")
    t.check("trylock taken" in lines, "so another process can take it",
            lines=lines)
    c.close()
    d.stop()


def test_gflags_hash_myself_mem(t):
    d, c = start(t)
    lines = c.run("gtest", "udp")
    t.check("gflag 1 set" in lines and "gflag 5 set" not in lines,
            "initial_gflags=2 sets flag 1", lines=lines)
    c.run("gset", "tcp")
    lines = c.run("gtest", "udp")
    t.check("gflag 5 set" in lines and "gflag 1 set" not in lines,
            "set_gflag/reset_gflag in one process are seen in another",
            lines=lines)
    for proto in ("udp", "tcp"):
        lines = c.run("hash", proto)
        vals = dict(ln.rsplit(" ", 1) for ln in lines
                    if ln.startswith("hash4") or ln.startswith("hash12"))
        t.check(1 <= int(vals["hash4"]) <= 16, "core_hash(.., 4) is in "
                "1..16 (%s)" % vals["hash4"])
        t.eq(vals["hash4 again"], vals["hash4"], "the same input gives "
             "the same value")
        t.check(1 <= int(vals["hash12"]) <= 4096, "core_hash(.., 12) is "
                "in 1..4096 (%s)" % vals["hash12"])
        t.check("hash31 rc=-1" in lines, "a size over 30 is refused")
    lines = c.run("myself", "tcp")
    t.eq(lines, ["our address and port", "our address without a port",
                 "another port is not ours", "another host is not ours",
                 "end rc=1"], "is_myself() knows our listen address")
    lines = c.run("mem", "udp")
    t.match(r"WARNING: shm summary: total \d+, used \d+", d.log(),
            "shm_summary() logs at memlog (0: WARNING)")
    t.match(r"WARNING: pkg summary \(pid \d+\): heap \d+", d.log(),
            "pkg_summary() too")
    t.match(r"shm status: every block and free list is consistent",
            d.log(), "shm_status() checks the allocator")
    c.close()
    d.stop()


STATS_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=1
listen=127.0.0.1:@PORT@
loadmodule "sl.so"
loadmodule "kex.so"
loadmodule "cfgutils.so"
loadmodule "ctl.so"
modparam("ctl", "binrpc", "unix:@TMP@/ctl.sock")
request_route {
\tsl_send_reply("200", "OK");
\texit;
}
"""


def kamcmd(t, *args):
    """Runs kamcmd against the test's ctl socket; returns its output."""
    import subprocess
    argv = ["kamcmd", "-s", "unix:" + t.path("ctl.sock")] + list(args)
    t.say("run: " + " ".join(argv))
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=20)
    return p.stdout.decode("utf-8", "replace").strip()


def sip_ok(port, n):
    """n OPTIONS by UDP, each answered (sl) before the next."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(10)
    try:
        for i in range(n):
            s.sendto(options("st-%d-%d" % (i, next(_seq)), "udp", {}),
                     ("127.0.0.1", port))
            s.recv(4096)
    finally:
        s.close()


def test_stats_and_cfgutils_rpcs(t):
    d = t.daemon(t.render(STATS_CFG))
    port = t.values["PORT"]
    sip_ok(port, 3)
    out = kamcmd(t, "stats.get_statistics", "sl:200_replies")
    t.eq(out, "sl:200_replies = 3", "one 'group:name = value' line")
    out = kamcmd(t, "stats.get_statistics", "all").splitlines()
    t.check(all(re.fullmatch(r"[\w.]+:\w+ = -?\d+", ln) for ln in out),
            "'all' prints group:name = value lines", out="\n".join(out))
    keys = [ln.split(" = ")[0] for ln in out]
    t.eq(keys, sorted(keys, key=lambda k: k.split(":")), "sorted by group "
         "then name")
    for name in ("fragments", "free_size", "max_used_size",
                 "real_used_size", "total_size", "used_size"):
        t.check("shmem:" + name in keys, "kex's shmem:%s gauge is there"
                % name)
    total = [ln for ln in out if ln.startswith("shmem:total_size")][0]
    t.check(int(total.split(" = ")[1]) > 1 << 20, "shmem:total_size is "
            "the real size: " + total)
    out = kamcmd(t, "stats.get_statistics", "200_replies", "nosuch",
                 "shmem:")
    t.eq(out.splitlines()[0], "sl:200_replies = 3", "a bare name, an "
         "unknown one (nothing) and a group in one call")
    t.eq(len(out.splitlines()), 7, "1 + 6 shmem lines", out=out)
    t.match(r"error: 400 - Please provide which stats to retrieve",
            kamcmd(t, "stats.get_statistics"), "no argument is a fault")
    t.eq(kamcmd(t, "stats.clear_statistics", "sl:200_replies"),
         "sl:200_replies = 0 (3)", "clear prints new (old) and zeroes")
    t.eq(kamcmd(t, "stats.get_statistics", "sl:200_replies"),
         "sl:200_replies = 0", "it is 0 now")
    sip_ok(port, 2)
    t.eq(kamcmd(t, "stats.reset_statistics", "sl:", "shmem:"), "",
         "reset is silent")
    out = kamcmd(t, "stats.get_statistics", "sl:sent_replies",
                 "shmem:total_size")
    t.eq(out.splitlines()[0], "sl:sent_replies = 0", "reset zeroed sl:")
    t.eq(out.splitlines()[1], total, "but not a no-reset gauge")
    t.match(r"error: 400 - Please provide stats name",
            kamcmd(t, "stats.reset_statistics"), "reset wants a name")
    sip_ok(port, 1)
    t.match(r"^\s*sl\.200_replies: 1$",
            kamcmd(t, "stats.fetch", "sl:200_replies"), "stats.fetch")
    t.match(r"^\s*sl\.200_replies: 1$",
            kamcmd(t, "stats.fetchn", "sl.200_replies"), "stats.fetchn")

    t.eq(kamcmd(t, "cfgutils.rand_get_prob"),
         "actual probability: 10 percent", "cfgutils.rand_get_prob")
    kamcmd(t, "cfgutils.rand_set_prob", "55")
    t.eq(kamcmd(t, "cfgutils.rand_get_prob"),
         "actual probability: 55 percent", "cfgutils.rand_set_prob")
    t.eq(kamcmd(t, "cfgutils.rand_set_prob", "101"),
         "error: 500 - Invalid Percent", "101 % is refused")
    kamcmd(t, "cfgutils.rand_reset_prob")
    t.eq(kamcmd(t, "cfgutils.rand_get_prob"),
         "actual probability: 10 percent", "cfgutils.rand_reset_prob")
    kamcmd(t, "cfgutils.set_gflag", "0x5")
    t.eq(kamcmd(t, "cfgutils.get_gflags"), "0x5 (5)", "set_gflag 0x5")
    t.eq(kamcmd(t, "cfgutils.is_gflag", "4"), "TRUE", "is_gflag 4")
    kamcmd(t, "cfgutils.reset_gflag", "4")
    t.eq(kamcmd(t, "cfgutils.is_gflag", "5"), "FALSE", "reset_gflag 4")
    t.eq(kamcmd(t, "cfgutils.set_gflag", "abc"),
         "error: 500 - Invalid Parameters", "a mask that is not a number")
    d.stop()


def config_error(t, body, modparams=""):
    cfg = t.render("#!KAMAILIO\nlisten=127.0.0.1:@PORT@\n"
                   "loadmodule \"kex.so\"\nloadmodule \"cfgutils.so\"\n" +
                   modparams + "request_route {\n" + body + "\n}\n",
                   dest="bad.cfg")
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.ne(r.rc, 0, "tandem -c refuses the config", **r.context())
    return "\n".join(harness.error_lines(r.err + r.out))


def test_bad_config(t):
    err = config_error(t, "\tsetflag(32);")
    t.match(r"bad\.cfg:6:\d+: error: kex: flag 32 is out of range 0\.\.31",
            err, "setflag(32) is refused at its position")
    err = config_error(t, '\tissflagset("-1");')
    t.match(r"bad\.cfg:6:\d+: error: kex: flag -1 is out of range", err,
            "a negative script flag is refused")
    err = config_error(t, "\trand_set_prob(101);")
    t.match(r"bad\.cfg:6:\d+: error: cfgutils: the probability is "
            r"0\.\.100, not 101", err, "rand_set_prob(101) is refused")
    err = config_error(t, "\tset_gflag(32);")
    t.match(r"bad\.cfg:6:\d+: error: cfgutils: flag 32 is out of range",
            err, "set_gflag(32) is refused")
    err = config_error(t, "\texit;",
                       'modparam("cfgutils", "lock_set_size", 15)\n')
    t.match(r"bad\.cfg:5:\d+: error: cfgutils: lock_set_size .* must be "
            r"0\.\.14, not 15", err, "a lock set over 2^14 is refused")
    err = config_error(t, "\texit;",
                       'modparam("cfgutils", "hash_file", "/etc/x.cfg")\n')
    t.match(r"bad\.cfg:5:\d+: error: cfgutils: hash_file is not supported",
            err, "hash_file says it is not supported")
    err = config_error(t, "\texit;",
                       'modparam("cfgutils", "initial_probability", -1)\n')
    t.match(r"bad\.cfg:5:\d+: error: cfgutils: initial_probability must "
            r"be 0\.\.100", err, "a bad initial_probability is refused")


if __name__ == "__main__":
    harness.main(globals())
