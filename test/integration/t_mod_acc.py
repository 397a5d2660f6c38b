"""t_mod_acc.py - accounting (acc) of SIP requests, of transactions and of
MSRP frames, the test acting as caller, callee and MSRP client.

Covers acc_log_request() lines in Kamailio 5.6's exact format (extras,
an unset variable, a comment with and without a code, log_level),
transactions relayed with tm to a callee answering 200 / 404 / 486 (the
INVITE then its ACK), a local t_reply() and a 408 timeout, under the
log_flag / log_missed_flag / failed_transaction_flag combinations Kamailio
was observed with; acc_db_request() and db_flag / db_missed_flag rows in a
sqlite file read with python's sqlite3; an MSRP SEND frame accounted in
event_route[msrp:frame-in] through the msrp module's synthetic SIP
request (and refused without it); and bad input: a database in a
directory that does not exist, tm missing, and config mistakes that
`tandem -c` reports at their line.
"""

import os
import re
import socket
import sqlite3
import time

import harness
import msrp_client as mc

seq = [0]
LOG_EXTRA = "ua=$hdr(User-Agent);uuid=$avp(i:123)"
TAG_RE = r"[0-9a-f]{32}"


# --- SIP over UDP ------------------------------------------------------------------

def udp(port=0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", port))
    return s


def request(sock, method="MESSAGE", test="", flags="", extra=""):
    seq[0] += 1
    cid = "cid-%d-%d@t" % (os.getpid(), seq[0])
    branch = "z9hG4bK-acc-%d-%d" % (os.getpid(), seq[0])
    text = ("%s sip:bob@127.0.0.1 SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\r\n"
            "From: <sip:alice@127.0.0.1>;tag=ft1\r\n"
            "To: <sip:bob@127.0.0.1>\r\n"
            "Call-ID: %s\r\n"
            "CSeq: 1 %s\r\n"
            "Max-Forwards: 70\r\n"
            "User-Agent: UA1\r\n"
            "X-Test: %s\r\n"
            "X-F: %s\r\n"
            "%s"
            "Content-Length: 0\r\n\r\n"
            % (method, sock.getsockname()[1], branch, cid, method, test,
               flags, extra))
    return text, branch, cid


def send(sock, port, text):
    sock.sendto(text.encode() if isinstance(text, str) else text,
                ("127.0.0.1", port))


def recv(sock, timeout=3.0):
    sock.settimeout(timeout)
    try:
        data, addr = sock.recvfrom(65535)
        return data.decode(), addr
    except socket.timeout:
        return None, None


def final(sock, timeout=5.0):
    """The first reply >= 200 that comes (1xx skipped)."""
    end = time.time() + timeout
    while time.time() < end:
        r, _ = recv(sock, end - time.time())
        if r is None:
            return None
        if not re.match(r"SIP/2.0 1\d\d ", r):
            return r
    return None


def hdr(text, name):
    m = re.search(r"^%s:\s*(.*?)\r?$" % name, text or "", re.M | re.I)
    return m.group(1) if m else None


def reply_to(req, code, reason, to_tag="tt9"):
    lines = ["SIP/2.0 %d %s" % (code, reason)]
    for line in req.split("\r\n")[1:]:
        if not line:
            break
        name = line.split(":", 1)[0].strip().lower()
        if name in ("via", "from", "call-id", "cseq"):
            lines.append(line)
        elif name == "to":
            lines.append(line + ";tag=" + to_tag)
    return ("\r\n".join(lines) + "\r\nContent-Length: 0\r\n\r\n").encode()


def ack_for(uac, req, branch, cid, reply, ruri="sip:bob@127.0.0.1"):
    return ("ACK %s SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s\r\n"
            "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 ACK\r\n"
            "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
            % (ruri, uac.getsockname()[1], branch, hdr(req, "From"),
               hdr(reply, "To"), cid))


# --- the log ---------------------------------------------------------------------

def acc_lines(d, cid):
    """The ACC lines of the log about Call-ID cid, without the pid."""
    return [m.group(1) for m in re.finditer(
        r"^\s*\d+ (\w+: ACC: .*call_id=%s;.*)$" % re.escape(cid), d.log(),
        re.M)]


def wait_lines(d, cid, n, seconds=5.0):
    end = time.time() + seconds
    while time.time() < end:
        got = acc_lines(d, cid)
        if len(got) >= n:
            return got
        time.sleep(0.05)
    return acc_lines(d, cid)


def check_ts(t, line, t0):
    ts = int(re.search(r"timestamp=(\d+);", line).group(1))
    t.check(t0 - 1 <= ts <= time.time() + 1,
            "the timestamp %d is the time it was accounted" % ts)


def expect_line(t, d, cid, pattern, what, t0, n=1):
    got = wait_lines(d, cid, n)
    t.eq(len(got), n, "%d ACC line(s) for %s" % (n, what),
         log="\n".join(got))
    line = [ln for ln in got if re.fullmatch(pattern, ln)]
    t.check(line, "%s: %s" % (what, pattern), lines="\n".join(got))
    check_ts(t, line[0], t0)
    return got


def expect_none(t, d, cid, what):
    time.sleep(0.4)
    got = acc_lines(d, cid)
    t.eq(got, [], "no ACC line for %s" % what)


# --- acc_log_request() ----------------------------------------------------------------

def start_log(t, extra=LOG_EXTRA, level=1):
    path = t.render("acc_log.cfg.in", LOG_EXTRA=extra, LOG_LEVEL=level)
    return t.daemon(path), t.values["PORT"]


def ask(t, port, test, extra="", want="200 Accounted"):
    uac = udp()
    req, _, cid = request(uac, test=test, extra=extra)
    send(uac, port, req)
    r, _ = recv(uac)
    t.match(r"^SIP/2.0 %s\r\n" % want, r or "", "X-Test %s answered %s"
            % (test, want))
    uac.close()
    return cid


def test_log_request_format(t):
    d, port = start_log(t)
    t0 = time.time()
    cid = ask(t, port, "static")
    expect_line(t, d, cid, r"NOTICE: ACC: request accounted: "
                r"timestamp=\d+;method=MESSAGE;from_tag=ft1;to_tag=;"
                r"call_id=%s;code=200;reason=accounted here;ua=UA1;uuid="
                % re.escape(cid), "a comment with a code, an unset $avp",
                t0)
    cid = ask(t, port, "plain")
    expect_line(t, d, cid, r"NOTICE: ACC: request accounted: "
                r"timestamp=\d+;method=MESSAGE;from_tag=ft1;to_tag=;"
                r"call_id=%s;code=;reason=whatever;ua=UA1;uuid="
                % re.escape(cid), "a comment without a code", t0)
    cid = ask(t, port, "avp")
    expect_line(t, d, cid, r"NOTICE: ACC: request accounted: "
                r"timestamp=\d+;method=MESSAGE;from_tag=ft1;to_tag=;"
                r"call_id=%s;code=404;reason=Not Here;ua=UA1;uuid=u-42"
                % re.escape(cid), "the $avp set by the script", t0)
    # a comment computed per request: a code only when it has one (no
    # code left over from the request before, unlike Kamailio 5.6)
    cid = ask(t, port, "dynamic", "X-Comment: 486  Busy\r\n")
    expect_line(t, d, cid, r"NOTICE: ACC: request accounted: "
                r"timestamp=\d+;method=MESSAGE;from_tag=ft1;to_tag=;"
                r"call_id=%s;code=486;reason=Busy;ua=UA1;uuid="
                % re.escape(cid), "a dynamic comment with a code", t0)
    cid = ask(t, port, "dynamic", "X-Comment: no code\r\n")
    expect_line(t, d, cid, r"NOTICE: ACC: request accounted: "
                r"timestamp=\d+;method=MESSAGE;from_tag=ft1;to_tag=;"
                r"call_id=%s;code=;reason=no code;ua=UA1;uuid="
                % re.escape(cid), "then one without", t0)
    # an unset header in the extras and in the comment
    cid = ask(t, port, "dynamic")
    expect_line(t, d, cid, r"NOTICE: ACC: request accounted: "
                r"timestamp=\d+;method=MESSAGE;from_tag=ft1;to_tag=;"
                r"call_id=%s;code=;reason=<null>;ua=UA1;uuid="
                % re.escape(cid), "a comment that is an unset header", t0)


def test_log_level_and_no_extras(t):
    d, port = start_log(t, extra="", level=2)
    t0 = time.time()
    cid = ask(t, port, "static")
    expect_line(t, d, cid, r"INFO: ACC: request accounted: "
                r"timestamp=\d+;method=MESSAGE;from_tag=ft1;to_tag=;"
                r"call_id=%s;code=200;reason=accounted here"
                % re.escape(cid), "log_level 2 logs at INFO, no extras", t0)
    d.stop()
    # debug=2 does not show DBG: the function is still true
    d, port = start_log(t, level=3)
    cid = ask(t, port, "static")
    expect_none(t, d, cid, "log_level 3 (DBG) under debug=2")


# --- transactions with tm -----------------------------------------------------------------

def start_tm(t):
    uas_port = t.port("udp")
    path = t.render("acc_tm.cfg.in", UASPORT=uas_port)
    return t.daemon(path), t.values["PORT"], uas_port


def relay(t, port, uas, method, code, flags, reason=None):
    """The caller's request through the proxy to the callee, which answers
    code; for an INVITE >= 300 the caller ACKs (absorbed by tm) and the
    callee gets tm's hop-by-hop ACK; a 2xx is ACKed end to end.  Returns
    the Call-ID."""
    reason = reason or {200: "OK", 404: "Not Found",
                        486: "Busy Here"}.get(code, "Other")
    uac = udp()
    req, branch, cid = request(uac, method=method, flags=flags)
    send(uac, port, req)
    fwd, addr = recv(uas)
    t.check(fwd is not None and cid in fwd, "the callee got the %s (X-F %s)"
            % (method, flags or "none"))
    send(uas, addr[1], reply_to(fwd, code, reason))
    r = final(uac)
    t.match(r"^SIP/2.0 %d %s\r\n" % (code, reason), r or "",
            "the caller got the %d" % code)
    if method == "INVITE" and code >= 300:
        send(uac, port, ack_for(uac, req, branch, cid, r))
        ack, _ = recv(uas)
        t.match(r"^ACK sip:bob@127.0.0.1 SIP/2.0", ack or "",
                "tm ACKed the %d downstream" % code)
    elif method == "INVITE":
        ruri = "sip:bob@127.0.0.1:%d" % uas.getsockname()[1]
        send(uac, port, ack_for(uac, req, branch + "-ack", cid, r, ruri))
        ack, _ = recv(uas)
        t.match(r"^ACK ", ack or "", "the ACK of the 200 reached the "
                "callee")
    uac.close()
    return cid


def answered(cid, method, code, reason, to_tag="tt9", what="transaction "
             "answered"):
    return (r"NOTICE: ACC: %s: timestamp=\d+;method=%s;from_tag=ft1;"
            r"to_tag=%s;call_id=%s;code=%d;reason=%s;ua=UA1"
            % (what, method, to_tag, re.escape(cid), code, reason))


def test_transactions(t):
    d, port, uas_port = start_tm(t)
    uas = udp(uas_port)
    t0 = time.time()

    cid = relay(t, port, uas, "MESSAGE", 200, "1")
    expect_line(t, d, cid, answered(cid, "MESSAGE", 200, "OK"),
                "MESSAGE 200 with log_flag", t0)
    cid = relay(t, port, uas, "MESSAGE", 404, "1")
    expect_none(t, d, cid, "MESSAGE 404 with log_flag only")
    cid = relay(t, port, uas, "MESSAGE", 404, "13")
    expect_line(t, d, cid, answered(cid, "MESSAGE", 404, "Not Found"),
                "MESSAGE 404 with log_flag and failed_transaction_flag",
                t0)
    cid = relay(t, port, uas, "MESSAGE", 404, "2")
    expect_none(t, d, cid, "MESSAGE 404 with log_missed_flag only "
                "(missed calls are INVITEs)")
    cid = relay(t, port, uas, "INVITE", 486, "2")
    expect_line(t, d, cid, answered(cid, "INVITE", 486, "Busy Here",
                                    what="call missed"),
                "INVITE 486 with log_missed_flag", t0)
    cid = relay(t, port, uas, "INVITE", 486, "1")
    expect_none(t, d, cid, "INVITE 486 with log_flag only")
    cid = relay(t, port, uas, "INVITE", 486, "123")
    got = expect_line(t, d, cid, answered(cid, "INVITE", 486, "Busy Here"),
                      "INVITE 486 with the three flags", t0, n=2)
    t.check(re.fullmatch(answered(cid, "INVITE", 486, "Busy Here",
                                  what="call missed"), got[0]),
            "the missed call first, then the transaction (Kamailio's "
            "order)", lines="\n".join(got))
    cid = relay(t, port, uas, "INVITE", 200, "12")
    expect_line(t, d, cid, answered(cid, "INVITE", 200, "OK"),
                "INVITE 200 with log_flag and log_missed_flag", t0)
    time.sleep(0.4)
    t.eq(len(acc_lines(d, cid)), 1, "the ACK of the 200 is not accounted")


def test_transactions_failure_route_local_timeout(t):
    d, port, uas_port = start_tm(t)
    uas = udp(uas_port)
    t0 = time.time()

    # acc_log_request() in failure_route: the request's own To (no tag)
    cid = relay(t, port, uas, "MESSAGE", 404, "1r")
    expect_line(t, d, cid, r"NOTICE: ACC: request accounted: "
                r"timestamp=\d+;method=MESSAGE;from_tag=ft1;to_tag=;"
                r"call_id=%s;code=;reason=in failure;ua=UA1"
                % re.escape(cid), "acc_log_request() in failure_route", t0)
    cid = relay(t, port, uas, "INVITE", 486, "12r")
    got = expect_line(t, d, cid, answered(cid, "INVITE", 486, "Busy Here",
                                          what="call missed"),
                      "INVITE 486 through failure_route", t0, n=2)
    t.check(any("reason=in failure" in ln for ln in got),
            "failure_route's own line is there too", lines="\n".join(got))

    # a reply made by t_reply(): its To tag is tm's
    uac = udp()
    req, _, cid = request(uac, test="local", flags="13")
    send(uac, port, req)
    r = final(uac)
    t.match(r"^SIP/2.0 404 Not Here", r or "", "t_reply() answered")
    tag = re.search(r"tag=(\w+)", hdr(r, "To")).group(1)
    expect_line(t, d, cid, answered(cid, "MESSAGE", 404, "Not Here",
                                    to_tag=tag),
                "a local 404 with log_flag and failed_transaction_flag", t0)
    req, _, cid = request(uac, test="local", flags="1")
    send(uac, port, req)
    t.match(r"^SIP/2.0 404", final(uac) or "", "t_reply() answered")
    expect_none(t, d, cid, "a local 404 with log_flag only")

    # fr_timer: tm's 408
    req, _, cid = request(uac, flags="13")
    send(uac, port, req)
    t.check(recv(uas)[0] is not None, "the silent callee got the MESSAGE")
    r = final(uac, 6)
    t.match(r"^SIP/2.0 408 ", r or "", "tm answered 408 after fr_timer")
    reason = re.match(r"SIP/2.0 408 (.*?)\r\n", r).group(1)
    expect_line(t, d, cid, answered(cid, "MESSAGE", 408, re.escape(reason),
                                    to_tag=TAG_RE),
                "the 408 of a timeout with the failed flag", t0)
    uac.close()


# --- the database ----------------------------------------------------------------------

def rows(path, table, where=""):
    c = sqlite3.connect(path, timeout=5)
    try:
        c.row_factory = sqlite3.Row
        return [dict(r) for r in c.execute("SELECT * FROM \"%s\" %s "
                                           "ORDER BY id" % (table, where))]
    finally:
        c.close()


def wait_rows(path, table, cid, n, seconds=5.0):
    end = time.time() + seconds
    while True:
        got = rows(path, table, "WHERE callid = '%s'" % cid)
        if len(got) >= n or time.time() > end:
            return got
        time.sleep(0.05)


def test_db(t):
    uas_port = t.port("udp")
    cfg = t.render("acc_db.cfg.in", UASPORT=uas_port, DB_FILE="acc.db")
    d = t.daemon(cfg)
    port = t.values["PORT"]
    db = t.path("acc.db")
    uas = udp(uas_port)
    t0 = int(time.time())

    c = sqlite3.connect(db)
    cols = [r[1] for r in c.execute("PRAGMA table_info(acc)")]
    t.eq(cols, ["id", "method", "from_tag", "to_tag", "callid", "code",
                "sip_reason", "time", "ua", "uuid"],
         "the acc table was created: Kamailio's columns (sip_code renamed "
         "by acc_sip_code_column), then the db_extra ones")
    tables = sorted(r[0] for r in c.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"))
    t.eq(tables, ["acc", "missed", "mytab"], "acc, db_table_missed_calls "
         "and the literal table of acc_db_request() exist at startup")
    c.close()

    # acc_db_request(): the request's own To tag, a comment split
    uac = udp()
    req, _, cid = request(uac, test="dbreq")
    req = req.replace("To: <sip:bob@127.0.0.1>", "To: <sip:bob@127.0.0.1>"
                      ";tag=tot")
    send(uac, port, req)
    t.match(r"^SIP/2.0 200 Stored", recv(uac)[0] or "",
            "acc_db_request() true twice")
    got = wait_rows(db, "acc", cid, 1)
    t.eq(len(got), 1, "one acc row for the request")
    r = got[0]
    t.eq((r["method"], r["from_tag"], r["to_tag"], r["code"],
          r["sip_reason"], r["ua"], r["uuid"]),
         ("MESSAGE", "ft1", "tot", "200", "db here", "UA1", "u-7"),
         "the acc row's fields")
    t.check(isinstance(r["time"], int) and t0 - 1 <= r["time"]
            <= time.time() + 1, "time is the integer seconds of now",
            row=repr(r))
    got = wait_rows(db, "mytab", cid, 1)
    t.eq([(x["code"], x["sip_reason"]) for x in got], [("", "plain")],
         "the row in mytab: a comment without a code")

    # a table named per request: bad or missing is false, nothing lost
    for table, want in (("nosuch", "500 Not stored"),
                        ("bad name", "500 Not stored"),
                        ("mytab", "200 Stored")):
        req, _, cid = request(uac, test="table",
                              extra="X-Table: %s\r\n" % table)
        send(uac, port, req)
        t.match(r"^SIP/2.0 %s" % want, recv(uac)[0] or "",
                "acc_db_request() to table '%s'" % table)
    t.match(r"ERROR: acc: the record of MESSAGE \S+ was not stored in table "
            r"nosuch", d.log(), "the database error is logged")
    t.match(r'ERROR: acc_db_request\(\): "bad name" is not a table name',
            d.log(), "a bad table name is logged")
    got = wait_rows(db, "mytab", cid, 1)
    t.eq([(x["code"], x["sip_reason"], x["uuid"]) for x in got],
         [("200", "to mytab", None)],
         "the next request is stored (an unset $avp is NULL)")
    uac.close()

    # transactions
    cid = relay(t, port, uas, "MESSAGE", 200, "4")
    got = wait_rows(db, "acc", cid, 1)
    t.eq([(x["method"], x["to_tag"], x["code"], x["sip_reason"], x["ua"])
          for x in got], [("MESSAGE", "tt9", "200", "OK", "UA1")],
         "MESSAGE 200 with db_flag: a row in acc")
    cid = relay(t, port, uas, "MESSAGE", 404, "4")
    time.sleep(0.4)
    t.eq(rows(db, "acc", "WHERE callid = '%s'" % cid), [],
         "MESSAGE 404 with db_flag only: no row")
    cid = relay(t, port, uas, "MESSAGE", 404, "43")
    got = wait_rows(db, "acc", cid, 1)
    t.eq([(x["code"], x["sip_reason"]) for x in got],
         [("404", "Not Found")], "MESSAGE 404 with db_flag and "
         "failed_transaction_flag: a row")
    cid = relay(t, port, uas, "INVITE", 486, "5")
    got = wait_rows(db, "missed", cid, 1)
    t.eq([(x["method"], x["to_tag"], x["code"], x["sip_reason"])
          for x in got], [("INVITE", "tt9", "486", "Busy Here")],
         "INVITE 486 with db_missed_flag: a row in missed")
    t.eq(rows(db, "acc", "WHERE callid = '%s'" % cid), [],
         "and none in acc")
    cid = relay(t, port, uas, "MESSAGE", 404, "5")
    time.sleep(0.4)
    t.eq(rows(db, "missed", "WHERE callid = '%s'" % cid), [],
         "MESSAGE 404 with db_missed_flag: not a missed call")
    t.no_match(r"ACC: ", d.log(), "no log line: only the database flags "
               "are set")


# --- MSRP -----------------------------------------------------------------------------

def msrp_send(t, port, mid):
    c = mc.Client(port, name="alice")
    tid = c.send("SEND", "msrp://127.0.0.1:%d/relay;tcp" % port,
                 headers=[("Message-ID", mid), ("Byte-Range", "1-2/2")],
                 body=b"hi")
    r = c.read_reply(tid)
    c.close()
    return r


def test_msrp_frame(t):
    cfg = t.render("acc_msrp.cfg.in", SIPMSG=1)
    d = t.daemon(cfg)
    port = t.values["PORT"]
    t0 = time.time()
    r = msrp_send(t, port, "mid42")
    t.eq(r.code, 200, "the SEND is accounted and answered 200")
    # Kamailio 5.6 logs the same line for the same frame
    expect_line(t, d, "a", r"NOTICE: ACC: request accounted: "
                r"timestamp=\d+;method=MSRP;from_tag=a;to_tag=;call_id=a;"
                r"code=200;reason=MSRP SEND;mid=mid42;mm=SEND",
                "the SEND frame, through its synthetic SIP request", t0)
    got = rows(t.path("acc.db"), "msrp_acc")
    t.eq([(x["method"], x["from_tag"], x["callid"], x["sip_code"],
           x["sip_reason"], x["mid"]) for x in got],
         [("MSRP", "a", "a", "200", "MSRP SEND", "mid42")],
         "and its row in msrp_acc")


def test_msrp_without_sipmsg(t):
    cfg = t.render("acc_msrp.cfg.in", SIPMSG=0)
    d = t.daemon(cfg)
    r = msrp_send(t, t.values["PORT"], "mid43")
    t.eq(r.code, 500, "without sipmsg acc_log_request() is false")
    t.match(r'ERROR: acc: this MSRP frame has no SIP view to account: '
            r'set modparam\("msrp", "sipmsg", 1\)', d.log(),
            "the reason is logged")
    t.no_match(r"ACC: ", d.log(), "nothing accounted")


# --- bad input --------------------------------------------------------------------------

def start_fails(t, cfg):
    r = harness.run_tandem(["-DD", "-E", "-f", cfg, "-L", harness.MODDIR],
                           timeout=30)
    t.ne(r.rc, 0, "tandem refuses to start", **r.context())
    return r


def test_db_url_missing_directory(t):
    cfg = t.render("acc_db.cfg.in", UASPORT=t.port("udp"),
                   DB_FILE="no/such/dir/acc.db")
    r = start_fails(t, cfg)
    t.match(r"ERROR: acc: cannot open the database sqlite://%s"
            % re.escape(t.path("no/such/dir/acc.db")), r.err,
            "acc names the database it cannot open", **r.context())
    t.match(r"its directory %s: No such file or directory"
            % re.escape(t.path("no/such/dir")), r.err,
            "and db_sqlite says why")
    t.match(r"module 'acc': init failed", r.err, "at startup")
    t.check(not os.path.exists(t.path("no")), "nothing was created")


BASE = """#!KAMAILIO
debug=2
log_stderror=yes
listen=udp:127.0.0.1:@PORT@
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "kex.so"
%s
request_route {
%s
}
"""


def bad_cfg(t, name, modparams, body='\tacc_log_request("200 x");',
            modules='loadmodule "acc.so"'):
    text = BASE % (modules + "\n" + modparams, body)
    return t.render(text, name + ".cfg")


def line_of(path, needle):
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if needle in line:
                return n
    raise harness.TestFailure("%s not in %s" % (needle, path))


def check_refused(t, cfg, needle, pattern, what):
    r = harness.check_config(cfg, moddir=harness.MODDIR)
    t.eq(r.rc, 1, "tandem -c refuses %s" % what, **r.context())
    line = line_of(cfg, needle)
    t.match(r"^%s:%d:\d+: error: %s" % (re.escape(cfg), line, pattern),
            r.err, "%s: the error is at line %d" % (what, line),
            **r.context())


def test_bad_config(t):
    cases = [
        ("extra", 'modparam("acc", "log_extra", "ua=$hdr(User-Agent) x")',
         "log_extra", r"acc: log_extra: 'x' after the value of 'ua'",
         "a log_extra with text after the variable"),
        ("extra2", 'modparam("acc", "log_extra", "ua=User-Agent")',
         "log_extra", r"acc: log_extra: the value of 'ua' must be one "
         r"pseudo-variable", "a log_extra value that is not a variable"),
        ("extra3", 'modparam("acc", "log_extra", "ua=$nosuch(1)")',
         "log_extra", r"unknown pseudo-variable class '\$nosuch'",
         "a log_extra with an unknown variable"),
        ("dbextra", 'modparam("acc", "db_extra", "user agent=$ua")',
         "db_extra", r"acc: db_extra: 'user agent' is not a column name",
         "a db_extra column that is not an SQL name"),
        ("flag", 'modparam("acc", "log_flag", 32)', "log_flag",
         r"acc: log_flag must be a flag number from 0 to 31",
         "flag 32"),
        ("level", 'modparam("acc", "log_level", 9)', "log_level",
         r"acc: log_level must be from -5 to 3", "log_level 9"),
        ("facility", 'modparam("acc", "log_facility", "LOG_NOPE")',
         "log_facility", r'acc: log_facility "LOG_NOPE" is not a syslog '
         r"facility", "an unknown facility"),
        ("table", 'modparam("acc", "db_table_acc", "acc;drop")',
         "db_table_acc", r"acc: db_table_acc must be a plain SQL name",
         "a table name that is not an SQL name"),
        ("url", 'modparam("acc", "db_url", "/var/lib/acc.db")', "db_url",
         r'acc: db_url "/var/lib/acc.db" has no scheme://',
         "a db_url without a scheme"),
    ]
    for name, mp, needle, pattern, what in cases:
        check_refused(t, bad_cfg(t, name, mp), needle, pattern, what)
    cfg = bad_cfg(t, "nodb", "", '\tacc_db_request("200 x", "acc");')
    check_refused(t, cfg, "acc_db_request", r"acc_db_request\(\) needs a "
                  r"database", "acc_db_request() without db_url")
    cfg = bad_cfg(t, "empty", "", '\tacc_log_request("");')
    check_refused(t, cfg, "acc_log_request", r"acc: the comment is empty",
                  "an empty comment")
    # the good one passes
    r = harness.check_config(bad_cfg(t, "good", 'modparam("acc", '
                                     '"log_extra", "%s")' % LOG_EXTRA),
                             moddir=harness.MODDIR)
    t.eq(r.rc, 0, "the same config with a good log_extra is accepted",
         **r.context())


def test_flags_without_tm(t):
    cfg = bad_cfg(t, "notm", 'modparam("acc", "log_flag", 1)')
    r = start_fails(t, cfg)
    t.match(r"ERROR: acc: log_flag, log_missed_flag, db_flag and "
            r"db_missed_flag account transactions: they need the tm module",
            r.err, "a transaction flag without tm is refused at startup",
            **r.context())


if __name__ == "__main__":
    harness.main()
