"""t_cfg_kamailio_default.py - Kamailio 5.6's stock default config, as
the Debian package installs it (/etc/kamailio/kamailio.cfg), runs on
Tandem unchanged (only -l for the listen address): it compiles, and a
REGISTER, an OPTIONS keep-alive, a MESSAGE and a whole INVITE dialog
(record-routed, loose-routed ACK and BYE, accounted) behave as the
config says, as do a malformed request and a call to nobody.

The config names fixed paths (ctl's and jsonrpcs' defaults under /run):
test/Makemodule.am runs this file after the other tests that use them.
"""

import os
import re
import shutil
import subprocess
import time

import harness
from t_mod_tm import udp, recv, send, reply_to, hdrs, wait_log

CFG = "/etc/kamailio/kamailio.cfg"


def need_cfg(t):
    t.check(os.path.exists(CFG), "%s exists (the kamailio package; "
            ".ci/setup installs it)" % CFG)


def test_compiles(t):
    need_cfg(t)
    r = harness.check_config(CFG, harness.MODDIR)
    t.eq(r.rc, 0, "tandem -c accepts the stock Kamailio config",
         stderr=r.err)
    harness.match(r"config file ok", r.out + r.err, "and says so")


def req(method, ruri, sock, frm, to, cid, cseq=1, extra=(), body="",
        to_tag=None):
    port = sock.getsockname()[1]
    lines = ["%s %s SIP/2.0" % (method, ruri),
             "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-%s-%d-%s"
             % (port, cid, cseq, method),
             "From: <%s>;tag=ft-%s" % (frm, cid),
             "To: <%s>%s" % (to, ";tag=" + to_tag if to_tag else ""),
             "Call-ID: %s" % cid, "CSeq: %d %s" % (cseq, method),
             "Max-Forwards: 70", "User-Agent: tandem-test"] + list(extra)
    if body:
        lines.append("Content-Type: text/plain")
    lines.append("Content-Length: %d" % len(body))
    return "\r\n".join(lines) + "\r\n\r\n" + body


def final(sock):
    """The next non-1xx reply on sock."""
    while True:
        r, _ = recv(sock, 5)
        if r is None or not r.startswith("SIP/2.0 1"):
            return r


def test_runs(t):
    need_cfg(t)
    port = t.port()
    d = t.daemon(CFG, args=("-l", "127.0.0.1:%d" % port))
    me = "127.0.0.1:%d" % port
    alice, bob = udp(), udp()
    bport = bob.getsockname()[1]

    send(alice, port, req("OPTIONS", "sip:%s" % me, alice,
                          "sip:alice@127.0.0.1", "sip:%s" % me, "ka1"))
    r, _ = recv(alice)
    t.match(r"^SIP/2.0 200 Keepalive", r or "", "OPTIONS keep-alive")

    send(bob, port, req("REGISTER", "sip:%s" % me, bob, "sip:bob@127.0.0.1",
                        "sip:bob@127.0.0.1", "reg1",
                        extra=("Contact: <sip:bob@127.0.0.1:%d>" % bport,
                               "Expires: 60")))
    r, _ = recv(bob)
    t.match(r"^SIP/2.0 200 ", r or "", "REGISTER saved")
    t.match(r"Contact: <sip:bob@127.0.0.1:%d>;expires=" % bport, r or "",
            "the 200 lists the binding")

    # a MESSAGE to bob: lookup() and t_relay()
    send(alice, port, req("MESSAGE", "sip:bob@%s" % me, alice,
                          "sip:alice@127.0.0.1", "sip:bob@127.0.0.1",
                          "msg1", body="hi bob"))
    m, addr = recv(bob)
    t.match(r"^MESSAGE sip:bob@127.0.0.1:%d SIP/2.0" % bport, m or "",
            "the MESSAGE reached bob's contact")
    t.eq(hdrs(m, "Record-Route"), [], "not record-routed (the config does "
         "that for INVITE and SUBSCRIBE)")
    send(bob, addr[1], reply_to(m, 200, "OK"))
    t.match(r"^SIP/2.0 200 OK", final(alice) or "", "its 200 came back")

    # an INVITE dialog
    send(alice, port, req("INVITE", "sip:bob@%s" % me, alice,
                          "sip:alice@127.0.0.1", "sip:bob@127.0.0.1",
                          "inv1", body="v=0",
                          extra=("Contact: <sip:alice@127.0.0.1:%d>"
                                 % alice.getsockname()[1],)))
    inv, addr = recv(bob)
    t.match(r"^INVITE sip:bob@127.0.0.1:%d SIP/2.0" % bport, inv or "",
            "the INVITE reached bob")
    rr = hdrs(inv, "Record-Route")
    t.eq(len(rr), 1, "record_route() added one Record-Route", request=inv)
    t.match(r"^<sip:127\.0\.0\.1:%d;lr>$" % port, rr[0],
            "our address with ;lr (append_fromtag 0 in the config)")
    ok = reply_to(inv, 200, "OK", to_tag="bt1").decode()
    ok = ok.replace("Content-Length: 0", "Record-Route: %s\r\nContact: "
                    "<sip:bob@127.0.0.1:%d>\r\nContent-Length: 0"
                    % (rr[0], bport))
    send(bob, addr[1], ok)
    r = final(alice)
    t.match(r"^SIP/2.0 200 OK", r or "", "alice got the 200")
    t.eq(hdrs(r, "Record-Route"), rr, "with the Record-Route")
    route = ("Route: %s" % rr[0],)
    send(alice, port, req("ACK", "sip:bob@127.0.0.1:%d" % bport, alice,
                          "sip:alice@127.0.0.1", "sip:bob@127.0.0.1",
                          "inv1", extra=route, to_tag="bt1"))
    ack, _ = recv(bob)
    t.match(r"^ACK sip:bob@127.0.0.1:%d SIP/2.0" % bport, ack or "",
            "the ACK was loose-routed to bob")
    t.eq(hdrs(ack, "Route"), [], "without our Route")
    send(alice, port, req("BYE", "sip:bob@127.0.0.1:%d" % bport, alice,
                          "sip:alice@127.0.0.1", "sip:bob@127.0.0.1",
                          "inv1", cseq=2, extra=route, to_tag="bt1"))
    bye, addr = recv(bob)
    t.match(r"^BYE sip:bob@127.0.0.1:%d SIP/2.0" % bport, bye or "",
            "the BYE too")
    send(bob, addr[1], reply_to(bye, 200, "OK", to_tag="bt1"))
    t.match(r"^SIP/2.0 200 OK", final(alice) or "", "the BYE's 200")
    t.check(wait_log(d, r"ACC: transaction answered: timestamp=\d+;"
                     r"method=INVITE;from_tag=ft-inv1;to_tag=bt1;"
                     r"call_id=inv1;code=200;reason=OK;src_user=alice;"
                     r"src_domain=127\.0\.0\.1;src_ip=127\.0\.0\.1;"
                     r"dst_ouser=bob;dst_user=bob;dst_domain=127\.0\.0\.1"),
            "the INVITE was accounted with the config's log_extra")
    t.check(wait_log(d, r"ACC: transaction answered: .*method=BYE"),
            "and the BYE")

    # nobody there, a malformed request
    send(alice, port, req("INVITE", "sip:carol@%s" % me, alice,
                          "sip:alice@127.0.0.1", "sip:carol@127.0.0.1",
                          "inv2"))
    t.match(r"^SIP/2.0 404 Not Found", final(alice) or "",
            "an INVITE to an unregistered user: 404")
    bad = req("MESSAGE", "sip:bob@%s" % me, alice, "sip:alice@127.0.0.1",
              "sip:bob@127.0.0.1", "bad1").replace("CSeq: 1 MESSAGE",
                                                   "CSeq: x MESSAGE")
    send(alice, port, bad)
    r, _ = recv(alice)
    t.match(r"^SIP/2.0 400 ", r or "", "sanity_check() answers a bad CSeq",
            reply=r)

    # the RPC side: kamcmd over ctl's default socket, kamctl over the
    # jsonrpcs FIFO at Kamailio's default path
    out = harness.kamcmd(t, "/run/tandem/tandem_ctl", "ul.dump")
    t.match(r"bob@127\.0\.0\.1", out, "kamcmd ul.dump shows bob")
    if shutil.which("kamctl"):
        p = subprocess.run(["kamctl", "uptime"], capture_output=True,
                           text=True, timeout=30)
        t.eq(p.returncode, 0, "kamctl uptime works against Tandem",
             stdout=p.stdout, stderr=p.stderr)
        t.match(r"uptime", p.stdout, "and prints the uptime",
                stdout=p.stdout)
    d.stop()


if __name__ == "__main__":
    harness.main(globals())
