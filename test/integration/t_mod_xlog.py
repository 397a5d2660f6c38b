"""t_mod_xlog.py - the xlog module in the running daemon: each function
writes at its level, the debug= level filters (xdbg is silent at
debug=2), pseudo-variables are rendered (a missing one as "<null>"),
levels come from names, numbers or PVs, xlogl puts the config line in
front, the modparams (prefix, buf_size, long_format) apply, and a bad
level or facility refuses the config with its position.

Messages are SIP OPTIONS over UDP and TCP; what the routes did is read
from the daemon's log.
"""

import re
import socket
import time

import harness

CFG = "xlog.cfg.in"


def options(callid, proto, port, extra=""):
    return ("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/%s 127.0.0.1:5999;branch=z9hG4bK%s\r\n"
            "From: <sip:t@127.0.0.1>;tag=1\r\nTo: <sip:x@127.0.0.1>\r\n"
            "Call-ID: %s\r\nCSeq: 1 OPTIONS\r\n%s"
            "Content-Length: 0\r\n\r\n"
            % (proto.upper(), callid, callid, extra)).encode()


def send_udp(port, callid, extra=""):
    """Sends one OPTIONS by UDP; returns the local port it came from."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", 0))
        s.sendto(options(callid, "udp", port, extra), ("127.0.0.1", port))
        return s.getsockname()[1]
    finally:
        s.close()


def send_tcp(port, callid, extra=""):
    """Sends one OPTIONS on a new TCP connection; returns (socket, local
    port): the caller closes the socket once the route ran."""
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(options(callid, "tcp", port, extra))
    return s, s.getsockname()[1]


def wait_log(d, pattern, timeout=15):
    """Waits until pattern is in the log; returns the log."""
    deadline = time.monotonic() + timeout
    while True:
        log = d.log()
        if re.search(pattern, log, re.M) or time.monotonic() > deadline:
            return log
        time.sleep(0.05)


def script_lines(log, callid):
    """{tag: (level, text)} of the <script> lines of one Call-ID."""
    out = {}
    for m in re.finditer(r"^\s*\d+ (\w+): (.*?)\b(T\d+) %s\b(.*)$"
                         % re.escape(callid), log, re.M):
        out[m.group(3)] = (m.group(1), m.group(2) + m.group(3) +
                           " " + callid + m.group(4))
    return out


def start(t, debug=2, modparams=""):
    cfg = t.render(CFG, DEBUG=debug, MODPARAMS=modparams)
    return t.daemon(cfg), cfg, t.values["PORT"]


def line_of(cfg, text):
    with open(cfg, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if text in line:
                return n
    raise harness.TestFailure("%r not in %s" % (text, cfg))


def run_one(t, d, port, proto, callid, extra=""):
    """Sends one message, waits for its last line; returns its lines."""
    conn = None
    if proto == "udp":
        sport = send_udp(port, callid, extra)
    else:
        conn, sport = send_tcp(port, callid, extra)
    log = wait_log(d, r"T14 %s rc=" % re.escape(callid))
    if conn:
        conn.close()
    return script_lines(log, callid), sport


def test_levels_filtered_at_debug_2(t):
    d, cfg, port = start(t, debug=2)
    for proto in ("udp", "tcp"):
        callid = "lv-" + proto
        lines, sport = run_one(t, d, port, proto, callid,
                               "X-Level: 1\r\n")
        t.say("%s: %s" % (proto, sorted(lines)))
        t.eq(lines.get("T1"),
             ("ERROR", "<script>: T1 %s from 127.0.0.1:%d over %s method "
              "OPTIONS none=<null>" % (callid, sport, proto)),
             "%s: xlog(fmt) is an ERROR line with $si:$sp $pr $rm "
             "rendered and a missing header as <null>" % proto)
        for tag, level in (("T2", "ERROR"), ("T3", "WARNING"),
                           ("T4", "NOTICE"), ("T5", "INFO"),
                           ("T7", "INFO"), ("T9", "NOTICE"),
                           ("T10", "NOTICE"), ("T13", "NOTICE")):
            t.eq(lines.get(tag, ("missing",))[0], level,
                 "%s: %s is written at %s" % (proto, tag, level))
        for tag in ("T6", "T8", "T12"):
            t.check(tag not in lines, "%s: %s (debug level) is silent at "
                    "debug=2" % (proto, tag))
        t.eq(lines.get("T11"), ("WARNING", "<script>: %d:T11 %s with its "
                                "line" % (line_of(cfg, "T11 "), callid)),
             "%s: xlogl puts the config line in front" % proto)
        t.eq(lines.get("T14"), ("ERROR", "<script>: T14 %s rc=1" % callid),
             "%s: xlog returns 1 ($rc)" % proto)
    d.stop()


def test_debug_3_and_pv_levels(t):
    d, cfg, port = start(t, debug=3)
    lines, _ = run_one(t, d, port, "udp", "dbg-1", "X-Level: L_DBG\r\n")
    for tag in ("T6", "T8", "T9"):
        t.eq(lines.get(tag, ("missing",))[0], "DEBUG",
             "%s is a DEBUG line at debug=3" % tag)
    t.eq(lines.get("T12"), ("DEBUG", "<script>: %d:T12 dbg-1 debug with "
                            "its line" % line_of(cfg, "T12 ")),
         "xdbgl writes a DEBUG line with the config line")
    # a level PV that is not a level: an error, and the route goes on
    lines, _ = run_one(t, d, port, "tcp", "dbg-2", "X-Level: loud\r\n")
    t.check("T9" not in lines, "no line for a level that is not a level")
    t.match(r"ERROR: xlog: level '\$hdr\(X-Level\)' is 'loud', not a log "
            "level", d.log(), "the bad level is reported")
    t.check("T14" in lines, "and the route went on")
    d.stop()


def test_modparams(t):
    params = ('modparam("xlog", "prefix", "XP| ")\n'
              'modparam("xlog", "buf_size", 40)\n'
              'modparam("xlog", "long_format", 1)\n'
              'modparam("xlog", "log_facility", "LOG_LOCAL1")\n'
              'modparam("xlog", "force_color", 1)\n'
              'modparam("xlog", "log_colors", "L_ERR=cr;L_WARN=px")\n')
    d, cfg, port = start(t, debug=2, modparams=params)
    lines, _ = run_one(t, d, port, "udp", "mp")
    t.eq(lines.get("T2"), ("ERROR", "XP| T2 mp err"),
         "the prefix parameter replaces '<script>: '")
    t.eq(lines.get("T11"), ("WARNING", "XP| %s:%d:T11 mp with its line"
                            % (cfg, line_of(cfg, "T11 "))),
         "long_format puts the file name before the line")
    t.check("T1" not in lines, "a message longer than buf_size is not "
            "printed")
    t.match(r"ERROR: xlog: the message is \d+ bytes, more than buf_size "
            r"\(40\): not printed", d.log(), "and that is reported")
    d.stop()


def test_loud_levels(t):
    cfg = t.render(
        "#!KAMAILIO\ndebug=2\nlog_stderror=yes\nchildren=1\n"
        "listen=127.0.0.1:@PORT@\nloadmodule \"xlog.so\"\n"
        "request_route {\n"
        "\txalert(\"L1 alert $ci\\n\");\n\txcrit(\"L2 crit $ci\\n\");\n"
        "\txbug(\"L3 bug $ci\\n\");\n\txlog(\"L_ALERT\", \"L4 $ci\\n\");\n"
        "\texit;\n}\n")
    d = t.daemon(cfg)
    send_udp(t.values["PORT"], "loud")
    log = wait_log(d, r"L4 loud")
    for level, text in (("ALERT", "L1 alert loud"),
                        ("CRITICAL", "L2 crit loud"),
                        ("BUG", "L3 bug loud"), ("ALERT", "L4 loud")):
        t.match(r"^\s*\d+ %s: <script>: %s$" % (level, text), log,
                "%s is written at %s" % (text, level))
    # the harness fails a daemon whose log has such lines: here they are
    # the point, so expect exactly that failure and nothing else
    try:
        d.stop()
    except harness.TestFailure as e:
        why = str(e)
        t.check(why.startswith("no CRITICAL/ALERT/BUG line in the log"),
                "the only complaint at stop is about the loud lines",
                why=why)
        loud = [ln for ln in why.splitlines() if "<script>:" in ln]
        t.eq(len(loud), 4, "and they are our four lines", why=why)
    else:
        raise harness.TestFailure("stop() accepted ALERT/CRITICAL/BUG "
                                  "lines")


def config_error(t, body, modparams=""):
    cfg = t.render("#!KAMAILIO\nlisten=127.0.0.1:@PORT@\n"
                   "loadmodule \"xlog.so\"\n" + modparams +
                   "request_route {\n" + body + "\n}\n", dest="bad.cfg")
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.ne(r.rc, 0, "tandem -c refuses the config", **r.context())
    return cfg, "\n".join(harness.error_lines(r.err + r.out))


def test_bad_config(t):
    cfg, err = config_error(t, '\txlog("L_LOUD", "x\\n");')
    t.match(r"bad\.cfg:5:\d+: error: xlog: unknown log level 'L_LOUD'",
            err, "an unknown level name is refused at its position")
    cfg, err = config_error(t, '\txlog("LOG_NOPE", "L_ERR", "x\\n");')
    t.match(r"bad\.cfg:5:\d+: error: xlog: unknown log facility "
            "'LOG_NOPE'", err, "an unknown facility is refused")
    cfg, err = config_error(t, '\txlog("a", "b", "c", "d");')
    t.match(r"bad\.cfg:5:\d+: error: xlog\(\) takes", err,
            "four arguments are refused")
    cfg, err = config_error(t, '\txlog("x\\n");',
                            'modparam("xlog", "buf_size", 0)\n')
    t.match(r"bad\.cfg:4:\d+: error: xlog: buf_size must be", err,
            "a buf_size of 0 is refused")
    cfg, err = config_error(t, '\txlog("x\\n");',
                            'modparam("xlog", "log_facility", "LOCAL9")\n')
    t.match(r"bad\.cfg:4:\d+: error: xlog: unknown log_facility 'LOCAL9'",
            err, "an unknown log_facility is refused")


if __name__ == "__main__":
    harness.main(globals())
