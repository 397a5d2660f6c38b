"""t_mod_siputils.py - the siputils module on a running daemon: each
function's answer shows in the reason phrase of the reply (see
cfg/siputils.cfg.in), over UDP; bad arguments make a function false
without harm; a config without sl is refused at start."""

import re

import harness
from t_mod_sl import udp_ask, status


def req(port, test, ruri=None, method="MESSAGE", to_tag="", extra=()):
    ruri = ruri or "sip:bob@127.0.0.1:%d" % port
    lines = ["%s %s SIP/2.0" % (method, ruri),
             "Via: SIP/2.0/UDP 127.0.0.1:9;rport;branch=z9hG4bKsu%s"
             % abs(hash((test, ruri, extra))),
             "From: <sip:alice@127.0.0.1>;tag=a1",
             "To: <sip:bob@127.0.0.1>%s" % (";tag=" + to_tag if to_tag
                                             else ""),
             "Call-ID: su-%s@test" % test,
             "CSeq: 1 %s" % method,
             "Max-Forwards: 70",
             "X-Test: %s" % test] + list(extra) + ["Content-Length: 0"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def ask(port, *a, **kw):
    return udp_ask(port, req(port, *a, **kw))


def test_functions(t):
    path = t.render("siputils.cfg.in")
    d = t.daemon(path)
    port = t.values["PORT"]

    # options_reply(): OPTIONS to the server itself
    r = ask(port, "options", ruri="sip:127.0.0.1:%d" % port,
            method="OPTIONS")
    t.eq(status(r), "SIP/2.0 200 OK", "options_reply() answers 200", reply=r)
    for h in ("Accept: text/plain, application/sdp", "Accept-Encoding: ",
              "Accept-Language: en", "Supported: path"):
        t.check("\r\n%s\r\n" % h in r, "with '%s'" % h, reply=r)
    r = ask(port, "options", method="OPTIONS")
    t.eq(status(r), "SIP/2.0 404 not for me",
         "options_reply() is false for a user's URI", reply=r)
    r = ask(port, "options")
    t.eq(status(r), "SIP/2.0 404 not for me",
         "options_reply() is false for a MESSAGE", reply=r)

    # has_totag(), is_request()
    t.eq(status(ask(port, "totag")), "SIP/2.0 200 initial",
         "has_totag() false without a To tag")
    t.eq(status(ask(port, "totag", to_tag="x9")), "SIP/2.0 200 in-dialog",
         "has_totag() true with one")
    t.eq(status(ask(port, "kind")), "SIP/2.0 200 request", "is_request()")

    # uri_param()
    r = ask(port, "uriparam", ruri="sip:bob@127.0.0.1:%d;transport=TCP;lr;"
            "foo=bar" % port, extra=("X-Param: foo",))
    t.eq(status(r), "SIP/2.0 200 [lr var ]",
         "uri_param: value compared as written (TCP is not tcp), "
         "bare and $var names", reply=r)
    r = ask(port, "uriparam", ruri="sip:bob@127.0.0.1:%d;transport=tcp"
            % port, extra=("X-Param: nothing",))
    t.eq(status(r), "SIP/2.0 200 [tcp ]", "uri_param with a value",
         reply=r)

    # add_uri_param(): the R-URI the script sees afterwards
    r = ask(port, "adduriparam", ruri="sip:bob@127.0.0.1:%d;lr?subject=x"
            % port, extra=("X-Param: ob",))
    t.eq(status(r), "SIP/2.0 200 sip:bob@127.0.0.1:%d;lr;nat=yes;ob"
         "?subject=x" % port, "add_uri_param() before the headers",
         reply=r)

    # is_uri_user_e164(), is_e164()
    e164 = "sip:+4912345678@127.0.0.1:%d" % port
    t.eq(status(ask(port, "e164", ruri=e164, extra=("X-Num: +331234",))),
         "SIP/2.0 200 e164", "an E.164 user and number")
    t.eq(status(ask(port, "e164", extra=("X-Num: +331234",))),
         "SIP/2.0 200 not e164", "bob is not E.164")
    t.eq(status(ask(port, "e164", ruri=e164, extra=("X-Num: 331234",))),
         "SIP/2.0 200 not e164", "a number without + is not")

    # cmp_uri(), cmp_aor()
    for a, b, want in (
            ("sip:A@Host;transport=tcp", "sip:A@host;transport=TCP",
             "[uri aor ]"),
            ("sip:a@host:5060", "sip:a@HOST", "[aor ]"),
            ("sip:a@host", "sip:A@host", "[]"),
            ("sip:a@host", "garbage", "[]")):
        r = ask(port, "cmp", extra=("X-A: " + a, "X-B: " + b))
        t.eq(status(r), "SIP/2.0 200 " + want, "cmp %s / %s" % (a, b),
             reply=r)

    # bad input: each function false, the daemon answers the next one
    r = ask(port, "uriparam", ruri="sip:bob@127.0.0.1:%d" % port,
            extra=("X-Param: ",))
    t.eq(status(r), "SIP/2.0 200 []", "uri_param of an empty name is false",
         reply=r)
    t.eq(status(ask(port, "kind")), "SIP/2.0 200 request",
         "still answering")
    d.stop()
    log = d.log()
    harness.match(r"cmp_uri\(\): 'sip:a@host' or 'garbage' is not a SIP "
                  r"URI", log, "the bad URI is logged")
    harness.match(r"options_reply\(\): the Request-URI has a user part",
                  log, "the refused OPTIONS is logged")


def test_needs_sl(t):
    cfg = t.write("nosl.cfg", "\n".join([
        "listen=127.0.0.1:%d" % t.port(),
        "log_stderror=yes",
        'loadmodule "siputils.so"',
        "request_route {",
        "  if (has_totag()) { exit; }",
        "}", ""]))
    r = harness.run_tandem(["-DD", "-E", "-f", cfg, "-L", harness.MODDIR],
                           timeout=30)
    t.ne(r.rc, 0, "the daemon does not start without sl", stderr=r.err)
    harness.match(r"siputils: needs the sl module", r.err,
                  "and says why", stderr=r.err)


if __name__ == "__main__":
    harness.main(globals())
