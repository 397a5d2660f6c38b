"""t_mod_print.py - SER's print(): the text, with its pseudo-variables
rendered, goes to the daemon's standard output, at once (no buffering
until exit), in the request route, a subroute and the reply route, with
fork=yes and fork=no.  Several workers printing at once never cut each
other's lines.  A missing or extra argument and an unknown
pseudo-variable refuse the config when it loads.

Messages are SIP OPTIONS (and one reply) over UDP.  The harness's Daemon
writes stdout and stderr to one log; SplitDaemon below keeps stdout in a
file of its own, to show that print() writes there and not to the log.
"""

import os
import re
import socket
import subprocess
import time

import harness

CFG = "print.cfg.in"


class SplitDaemon(harness.Daemon):
    """A Daemon whose standard output goes to tmp/NAME.out, apart from
    its log (stderr).  Stopped and checked like any other."""

    def start(self):
        harness.require_binary()
        argv = self.argv()
        self.out_path = os.path.join(self.ctx.tmp, self.name + ".out")
        harness.say("start: " + " ".join(argv))
        harness.say("log: %s, stdout: %s" % (self.log_path, self.out_path))
        self.outf = open(self.out_path, "wb")
        self.logf = open(self.log_path, "wb")
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                     stdout=self.outf, stderr=self.logf,
                                     cwd=self.ctx.tmp, env=self.env)
        self.outf.close()           # the daemon holds its own copy
        self.ctx.daemons.append(self)
        self.wait_ready()
        return self

    def out(self):
        with open(self.out_path, encoding="utf-8", errors="replace") as f:
            return f.read()


def options(port, callid, src):
    return ("OPTIONS sip:x@127.0.0.1:%d SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s\r\n"
            "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
            "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n"
            % (port, src, callid, callid)).encode()


def reply(callid, src):
    return ("SIP/2.0 486 Busy Here\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-r%s\r\n"
            "From: <sip:t@127.0.0.1>;tag=1\r\n"
            "To: <sip:x@127.0.0.1>;tag=2\r\n"
            "Call-ID: %s\r\nCSeq: 1 INVITE\r\n"
            "Content-Length: 0\r\n\r\n" % (src, callid, callid)).encode()


def send(port, make, callid):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", 0))
        src = s.getsockname()[1]
        s.sendto(make(port, callid, src) if make is options
                 else make(callid, src), ("127.0.0.1", port))
    finally:
        s.close()


def wait_for(read, pattern, timeout=15):
    """Waits until pattern is in read(); returns the text read last."""
    deadline = time.monotonic() + timeout
    while True:
        text = read()
        if re.search(pattern, text, re.M) or time.monotonic() > deadline:
            return text
        time.sleep(0.05)


def start(t, fork="yes", children=2, split=True):
    cfg = t.render(CFG, FORK=fork, CHILDREN=children)
    d = SplitDaemon(t, cfg) if split else t.daemon(cfg)
    if split:
        d.start()
    return d, t.values["PORT"]


def expect_request_lines(t, text, callid):
    t.match(r"^PRINT-REQ OPTIONS ci=%s from=127\.0\.0\.1$"
            % re.escape(callid), text, "request route line, PVs rendered")
    t.match(r"^PRINT-SUB ci=%s$" % re.escape(callid), text,
            "subroute line")
    t.match(r"^PRINT-PART1 ci=%s PRINT-PART2$" % re.escape(callid), text,
            "two calls make one line: print() adds no newline")


def test_request_to_stdout(t):
    d, port = start(t)
    send(port, options, "pr-1@t")
    out = wait_for(d.out, r"PRINT-PART2")
    # read while the daemon still runs: each call was flushed at once
    expect_request_lines(t, out, "pr-1@t")
    t.no_match(r"PRINT-", d.log(), "nothing of it in the log (stderr)")
    d.stop()


def test_reply_route(t):
    d, port = start(t)
    send(port, reply, "pr-reply@t")
    out = wait_for(d.out, r"PRINT-REPLY")
    t.match(r"^PRINT-REPLY 486 ci=pr-reply@t$", out,
            "reply route line with $rs")
    d.stop()


def test_fork_no(t):
    """fork=no, as in the seed config: the one process prints."""
    d, port = start(t, fork="no", children=1)
    send(port, options, "pr-solo@t")
    out = wait_for(d.out, r"PRINT-PART2")
    expect_request_lines(t, out, "pr-solo@t")
    d.stop()


def test_harness_log_has_it(t):
    """With the harness's own Daemon (stdout into the log) too."""
    d, port = start(t, split=False)
    send(port, options, "pr-log@t")
    log = wait_for(d.log, r"PRINT-PART2")
    expect_request_lines(t, log, "pr-log@t")
    d.stop()


def test_workers_do_not_mix_lines(t):
    d, port = start(t, children=4)
    n = 60
    for i in range(n):
        send(port, options, "pr-many-%d@t" % i)
    out = wait_for(d.out, r"ci=pr-many-%d@t PRINT-PART2" % (n - 1))
    deadline = time.monotonic() + 10
    while (out.count("PRINT-PART2") < n
           and time.monotonic() < deadline):
        time.sleep(0.05)
        out = d.out()
    # One print() is one write(2): its text is never cut by another
    # worker's.  Two calls are two writes, so with 4 workers another
    # worker's text may land between PART1 and PART2 (not asserted).
    for i in range(n):
        ci = "pr-many-%d@t" % i
        for piece in ("PRINT-REQ OPTIONS ci=%s from=127.0.0.1\n" % ci,
                      "PRINT-SUB ci=%s\n" % ci, "PRINT-PART1 ci=%s" % ci):
            t.eq(out.count(piece), 1, "%r written whole, once" % piece,
                 stdout=out)
    t.eq(out.count(" PRINT-PART2\n"), n, "every PART2 whole", stdout=out)
    rest = re.sub(r"PRINT-(?:REQ OPTIONS ci=\S+? from=127\.0\.0\.1\n|"
                  r"SUB ci=pr-many-\d+@t\n|PART1 ci=pr-many-\d+@t)|"
                  r" PRINT-PART2\n", "", out)
    t.eq(rest, "", "nothing but those pieces on stdout", stdout=out)
    d.stop()


def bad_config(t, body):
    cfg = t.write("bad.cfg", "loadmodule \"print.so\"\n"
                  "request_route {\n%s\n}\n" % body)
    r = harness.check_config(cfg, harness.MODDIR)
    t.ne(r.rc, 0, "config refused: %s" % body.strip(), **r.context())
    return r


def test_config_errors(t):
    r = bad_config(t, "\tprint();")
    t.match(r"bad\.cfg:3:\d+: error: .*print", r.err,
            "the error names print() and its line", **r.context())
    r = bad_config(t, "\tprint(\"a\", \"b\");")
    t.match(r"bad\.cfg:3:\d+: error: .*print", r.err,
            "two arguments refused", **r.context())
    r = bad_config(t, "\tprint(\"$nosuchpv(x)\\n\");")
    t.match(r"bad\.cfg:3:\d+: error: ", r.err,
            "an unknown pseudo-variable refused at load", **r.context())
    good = t.write("good.cfg", "loadmodule \"print.so\"\n"
                   "request_route {\n\tprint(\"ok $ci\\n\");\n}\n"
                   "failure_route[F] {\n\tprint(\"f\\n\");\n}\n"
                   "onreply_route[R] {\n\tprint(\"r\\n\");\n}\n")
    r = harness.check_config(good, harness.MODDIR)
    t.eq(r.rc, 0, "print() accepted in request, failure and onreply "
         "routes", **r.context())


if __name__ == "__main__":
    harness.main()
