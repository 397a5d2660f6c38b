"""t_mod_tmx.py - tmx (t_precheck_trans, t_is_*_route, $T_branch_idx,
$T_reply_code) and tm's t_check_status() / failure_reply_mode, with the
test as caller and callee (the helpers of t_mod_tm.py)."""

import re
import time

import harness
from t_mod_tm import udp, request, recv, send, reply_to, wait_log


def start(t):
    uas_port = t.port("udp")
    d = t.daemon(t.render("tmx.cfg.in", UASPORT=uas_port))
    return d, t.values["PORT"], uas_port


def test_precheck_trans(t):
    """Two copies of one request at once: the second, on the other UDP
    receiver while the first sleeps in the script, is dropped."""
    d, port, _ = start(t)
    uac = udp()
    req, _, cid = request(uac, test="precheck")
    send(uac, port, req)
    time.sleep(0.1)
    send(uac, port, req)
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 200 first copy", r or "", "the first copy answered")
    t.check(wait_log(d, r"PRECHECK duplicate %s" % re.escape(cid)),
            "the second copy was seen as being processed")
    t.eq(recv(uac, 0.8)[0], None, "and got no reply of its own")
    # afterwards the note is gone: a new request with the same ids is
    # a retransmission of the finished transaction (t_check_trans)
    send(uac, port, req)
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 200 first copy", r or "",
            "a later copy gets the transaction's reply")
    t.check(not re.search(r"PRECHECK duplicate %s.*\n.*PRECHECK duplicate"
                          % re.escape(cid), d.log()),
            "and is not taken for a copy in progress")


def test_branch_idx_and_status(t):
    d, port, uas_port = start(t)
    uac, uas = udp(), udp(uas_port)
    req, _, cid = request(uac, test="relay", extra="X-Again: yes\r\n")
    send(uac, port, req)
    fwd, addr = recv(uas)
    t.check(fwd is not None, "relayed")
    t.check(wait_log(d, r"REQ idx=0 code=<null>$"), "request route: "
            "$T_branch_idx 0, no reply code yet")
    t.check(wait_log(d, r"BRANCH idx=0 %s" % re.escape(cid)),
            "branch_route of the first branch: idx 0")
    send(uas, addr[1], reply_to(fwd, 180, "Ringing"))
    t.check(wait_log(d, r"ONREPLY ringing 180 %s" % re.escape(cid)),
            "onreply_route: t_check_status and $T_reply_code")
    send(uas, addr[1], reply_to(fwd, 486, "Busy Here"))
    t.check(wait_log(d, r"FAILURE code=486 idx=0 %s" % re.escape(cid)),
            "failure_route: the 486 and branch 0")
    fwd2, addr2 = recv(uas)
    t.check(fwd2 is not None, "failure_route relayed a second branch")
    t.check(wait_log(d, r"BRANCH idx=1 %s" % re.escape(cid)),
            "its branch_route saw idx 1")
    send(uas, addr2[1], reply_to(fwd2, 200, "OK"))
    r, _ = recv(uac)
    while r and r.startswith("SIP/2.0 1"):
        r, _ = recv(uac)        # the 180 went up first
    t.match(r"^SIP/2.0 200 OK", r or "", "the second branch's 200 upstream")

    req, _, cid = request(uac, test="relay")
    send(uac, port, req)
    fwd, addr = recv(uas)
    send(uas, addr[1], reply_to(fwd, 486, "Busy Here"))
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 480 busy or away", r or "",
            "t_check_status(\"486|408\") in failure_route")


def test_bad_status_regex_refused(t):
    cfg = t.write("bad.cfg", "\n".join([
        "listen=udp:127.0.0.1:%d" % t.port(),
        'loadmodule "sl.so"', 'loadmodule "tm.so"', 'loadmodule "tmx.so"',
        'modparam("tm", "failure_reply_mode", 7)',
        "request_route {", '  if (t_check_status("4[0-9")) exit;',
        "}", ""]))
    r = harness.check_config(cfg, harness.MODDIR)
    t.ne(r.rc, 0, "tandem -c refuses the config", stderr=r.err)
    t.match(r"bad\.cfg:5:\d+: error: tm: failure_reply_mode is 0, 1, 2 "
            r"or 3", r.err, "a bad failure_reply_mode, at its line")
    t.match(r"bad\.cfg:7:\d+: error: t_check_status\(\): bad regular "
            r"expression", r.err, "a bad pattern, at its line")


def test_tmx_needs_tm(t):
    cfg = t.write("notm.cfg", "\n".join([
        "listen=udp:127.0.0.1:%d" % t.port(), "log_stderror=yes",
        'loadmodule "tmx.so"', "request_route {", "  exit;", "}", ""]))
    r = harness.run_tandem(["-DD", "-E", "-f", cfg, "-L", harness.MODDIR],
                           timeout=30)
    t.ne(r.rc, 0, "tmx does not start without tm", stderr=r.err)
    t.match(r"tm", r.err, "the error names tm", stderr=r.err)


if __name__ == "__main__":
    harness.main(globals())
