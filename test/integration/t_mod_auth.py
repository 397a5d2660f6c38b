"""t_mod_auth.py - digest authentication (auth module).

sipp registers with [authentication] against the module brief's route
(401 challenge, then 200) over UDP and TCP.  A Python client that computes
the digest itself checks what sipp cannot: a replayed nc is refused with
nonce_count=1, the exact Kamailio return codes of every function (read
from the log), stale=true after an expired nonce, the method argument,
HA1 passwords, SHA-256, auth-int, one_time_nonce, nonces bound to the
Call-ID, auth_get_www_authenticate(), the $avp(digest_challenge) of the
pv_*_authenticate flags, and the config-time errors.
"""

import hashlib
import os
import re
import shutil
import socket
import subprocess
import time
import uuid

import harness

SIPP_XML = os.path.join(harness.SRCDIR, "test", "integration", "sipp",
                        "auth_register.xml")
REALM = "example.com"
PASSWORD = "xyz123"
HA1_MD5 = hashlib.md5(("alice:%s:%s" % (REALM, PASSWORD)).encode()).hexdigest()


# --- a SIP client that computes digests ---------------------------------------

class Sip:
    """One UDP or TCP socket to the daemon; request() returns the reply."""

    def __init__(self, port, proto="udp"):
        self.port, self.proto = port, proto
        if proto == "udp":
            self.s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            self.s.bind(("127.0.0.1", 0))
        else:
            self.s = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.s.settimeout(10)
        self.local = self.s.getsockname()[1]

    def close(self):
        self.s.close()

    def request(self, ruser="alice", method="REGISTER", headers="", body="",
                callid=None, from_user="alice", to_user="alice", cseq=1,
                reply=True):
        callid = callid or uuid.uuid4().hex
        msg = ("%s sip:%s@127.0.0.1:%d SIP/2.0\r\n"
               "Via: SIP/2.0/%s 127.0.0.1:%d;branch=z9hG4bK%s;rport\r\n"
               "From: <sip:%s@%s>;tag=f%s\r\n"
               "To: <sip:%s@%s>\r\n"
               "Call-ID: %s\r\n"
               "CSeq: %d %s\r\n"
               "Max-Forwards: 70\r\n"
               "%s"
               "Content-Length: %d\r\n\r\n%s"
               % (method, ruser, self.port, self.proto.upper(), self.local,
                  uuid.uuid4().hex[:12], from_user, REALM, callid[:8],
                  to_user, REALM, callid, cseq, method, headers,
                  len(body.encode()), body))
        if self.proto == "udp":
            self.s.sendto(msg.encode(), ("127.0.0.1", self.port))
            if not reply:
                return callid, None
            reply = self.s.recv(65535).decode()
        else:
            self.s.sendall(msg.encode())
            reply = self._read_tcp()
        return callid, reply

    def _read_tcp(self):
        buf = b""
        while b"\r\n\r\n" not in buf:
            chunk = self.s.recv(65535)
            if not chunk:
                break
            buf += chunk
        return buf.decode()


def status(reply):
    m = re.match(r"SIP/2\.0 (\d{3}) ", reply)
    return int(m.group(1)) if m else None


def challenge(reply):
    """The challenge's parameters ({} when there is none) and header name."""
    m = re.search(r"^(WWW|Proxy)-Authenticate: Digest (.*)\r$", reply, re.M)
    if not m:
        return {}
    params = {k: (q if q else v) for k, q, v in
              re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]+))', m.group(2))}
    params["_hdr"] = m.group(1)
    return params


def H(alg, text):
    h = hashlib.sha256 if alg.upper().startswith("SHA-256") else hashlib.md5
    return h(text.encode()).hexdigest()


def credentials(chal, method="REGISTER", uri="sip:127.0.0.1", user="alice",
                password=PASSWORD, nc=1, cnonce="0a4f113b", qop="auth",
                alg=None, hdr="Authorization", nonce=None, body="",
                send_alg=None):
    """An Authorization header line computed the RFC 2617 / 7616 way."""
    nonce = nonce or chal["nonce"]
    alg = alg or chal.get("algorithm", "MD5")
    ha1 = H(alg, "%s:%s:%s" % (user, chal["realm"], password))
    if alg.lower().endswith("-sess"):
        ha1 = H(alg, "%s:%s:%s" % (ha1, nonce, cnonce))
    if qop == "auth-int":
        ha2 = H(alg, "%s:%s:%s" % (method, uri, H(alg, body)))
    else:
        ha2 = H(alg, "%s:%s" % (method, uri))
    if qop:
        resp = H(alg, "%s:%s:%08x:%s:%s:%s" % (ha1, nonce, nc, cnonce, qop,
                                              ha2))
        extra = ", qop=%s, nc=%08x, cnonce=\"%s\"" % (qop, nc, cnonce)
    else:
        resp = H(alg, "%s:%s:%s" % (ha1, nonce, ha2))
        extra = ""
    if send_alg or "algorithm" in chal:
        extra += ", algorithm=%s" % (send_alg or alg)
    return ('%s: Digest username="%s", realm="%s", nonce="%s", uri="%s", '
            'response="%s"%s\r\n' % (hdr, user, chal["realm"], nonce, uri,
                                     resp, extra))


def wait_log(t, d, pattern, what, timeout=10):
    deadline = time.monotonic() + timeout
    while True:
        m = re.search(pattern, d.log(), re.M | re.S)
        if m or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    return t.match(pattern, d.log(), what, flags=re.M | re.S)


def rc_of(t, d, callid, tag="RC"):
    m = wait_log(t, d, r"%s %s (-?\d+)" % (tag, re.escape(callid)),
                 "the log has the result for %s" % callid)
    return int(m.group(1))


def expect_rc(t, d, callid, rc, what, tag="RC"):
    t.eq(rc_of(t, d, callid, tag), rc, what)


def start_funcs(t, modparams=""):
    cfg = t.render("auth_funcs.cfg.in", MODPARAMS=modparams, HA1=HA1_MD5)
    return t.daemon(cfg), t.values["PORT"]


def challenged(t, c, user="alice", method="REGISTER", flags="1", code=401):
    callid, r = c.request(user, method, "X-Flags: %s\r\n" % flags)
    t.eq(status(r), code, "%s %s is challenged with %d" % (method, user, code),
         reply=r)
    ch = challenge(r)
    t.check(ch.get("nonce"), "the reply holds a Digest challenge", reply=r)
    return ch


# --- sipp -----------------------------------------------------------------------

def run_sipp(t, port, transport, calls=20):
    sipp = shutil.which("sipp")
    t.check(sipp is not None, "sipp is installed (Debian: sip-tester)")
    local = t.port(proto="tcp" if transport == "t1" else "udp")
    argv = [sipp, "127.0.0.1:%d" % port, "-sf", SIPP_XML,
            "-m", str(calls), "-r", "20", "-l", "10", "-t", transport,
            "-i", "127.0.0.1", "-p", str(local), "-nostdin",
            "-timeout", "60s", "-timeout_error", "-trace_err",
            "-error_file", os.path.join(t.tmp, "sipp_%s_err.log" % transport)]
    t.say("run: " + " ".join(argv))
    p = subprocess.run(argv, cwd=t.tmp, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       timeout=90)
    out = p.stdout.decode(errors="replace")
    errs = ""
    for name in os.listdir(t.tmp):
        if name.endswith("_errors.log") or name.endswith("_err.log"):
            with open(os.path.join(t.tmp, name), errors="replace") as f:
                errs += f.read()
    t.eq(p.returncode, 0, "sipp -t %s exits 0 (every REGISTER got its 401 "
         "and then its 200)" % transport, sipp=out[-3000:],
         errors=errs[-3000:])
    m = t.match(r"Successful call\s*\|\s*\d+\s*\|\s*(\d+)", out,
                "sipp reports its successful calls")
    t.eq(int(m.group(1)), calls, "all %d registrations succeeded" % calls)


def test_sipp_register_udp_and_tcp(t):
    cfg = t.render("auth.cfg.in", NONCE_COUNT=0)
    d = t.daemon(cfg)
    port = t.values["PORT"]
    run_sipp(t, port, "u1")
    run_sipp(t, port, "t1")
    log = d.log()
    t.eq(len(set(re.findall(r"AUTH-RC (\S+) -5\b", log))), 40,
         "every first REGISTER had no credentials (-5)")
    t.eq(len(set(re.findall(r"AUTH-RC (\S+) 1\b", log))), 40,
         "every second REGISTER was authenticated")
    d.stop()


# --- nonce_count: a replay is refused --------------------------------------------

def test_nonce_count_refuses_replay(t):
    cfg = t.render("auth.cfg.in", NONCE_COUNT=1)
    d = t.daemon(cfg)
    c = Sip(t.values["PORT"])
    _, r = c.request()
    t.eq(status(r), 401, "REGISTER without credentials: 401", reply=r)
    ch = challenge(r)
    t.eq(ch.get("qop"), "auth", "the challenge offers qop=auth")
    t.no_match(r"stale", r, "a first challenge is not stale")
    auth = credentials(ch, nc=1)
    cid, r = c.request(headers=auth)
    t.eq(status(r), 200, "credentials with nc=1: 200", reply=r)
    expect_rc(t, d, cid, 1, "pv_www_authenticate() returned 1", "AUTH-RC")
    # the very same Authorization again, as an eavesdropper would replay it
    cid, r = c.request(headers=auth)
    t.eq(status(r), 401, "the replayed nc=1 is refused with 401", reply=r)
    expect_rc(t, d, cid, -4, "a replayed nc returns -4 (stale nonce), as in "
              "Kamailio", "AUTH-RC")
    t.match(r"stale=true", r, "the new challenge says stale=true")
    cid, r = c.request(headers=credentials(ch, nc=2))
    t.eq(status(r), 200, "the next count, nc=2, is accepted", reply=r)
    cid, r = c.request(headers=credentials(ch, nc=4))
    t.eq(status(r), 200, "nc=4 (skipping 3) is accepted", reply=r)
    cid, r = c.request(headers=credentials(ch, nc=3))
    t.eq(status(r), 200, "nc=3, late but never used, is accepted", reply=r)
    cid, r = c.request(headers=credentials(ch, nc=2))
    t.eq(status(r), 401, "nc=2 again is refused", reply=r)
    cid, r = c.request(headers=credentials(ch, nc=256))
    expect_rc(t, d, cid, -4, "nc above 255 is stale (-4)", "AUTH-RC")
    # a wrong password does not consume the count it used
    cid, r = c.request(headers=credentials(ch, nc=5, password="wrong"))
    expect_rc(t, d, cid, -2, "wrong password: -2", "AUTH-RC")
    cid, r = c.request(headers=credentials(ch, nc=5))
    t.eq(status(r), 200, "nc=5 with the right password after a wrong one",
         reply=r)
    c.close()
    d.stop()


# --- return codes ------------------------------------------------------------------

def test_return_codes(t):
    d, port = start_funcs(t)
    c = Sip(port)
    ch = challenged(t, c)
    t.eq(ch["_hdr"], "WWW", "REGISTER: WWW-Authenticate")
    t.eq(ch["realm"], REALM, "the realm is the To domain ($td)")
    t.eq(ch.get("qop"), "auth", "flag 1: qop=auth")
    t.check("algorithm" not in ch, "MD5 is not named (as Kamailio)")
    t.check("stale" not in ch, "not stale")
    cases = [
        ("no credentials", "", -5),
        ("only Basic credentials", "Authorization: Basic YWxpY2U6eHl6\r\n", -5),
        ("credentials for another realm",
         credentials(dict(ch, realm="other.org")), -5),
        ("credentials in Proxy-Authorization",
         credentials(ch, hdr="Proxy-Authorization"), -5),
        ("a wrong password", credentials(ch, password="xyz124"), -2),
        ("a nonce that is not ours",
         credentials(ch, nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093"), -1),
        ("a tampered nonce",
         credentials(ch, nonce=ch["nonce"][:-1] +
                     ("A" if ch["nonce"][-1] != "A" else "B")), -1),
        ("a malformed header",
         'Authorization: Digest username="alice, realm="%s"\r\n' % REALM, -1),
        ("a header without uri",
         'Authorization: Digest username="alice", realm="%s", nonce="%s", '
         'response="00"\r\n' % (REALM, ch["nonce"]), -1),
        ("an algorithm that was not offered", credentials(
            ch, alg="SHA-256", send_alg="SHA-256"), -1),
        ("valid credentials", credentials(ch), 1),
        ("valid credentials without qop (RFC 2069)",
         credentials(ch, qop=None), 1),
        ("valid MD5-sess credentials", credentials(
            dict(ch, algorithm="MD5-sess")), 1),
    ]
    for what, hdr, rc in cases:
        cid, r = c.request(headers=hdr + "X-Flags: 1\r\n")
        expect_rc(t, d, cid, rc, "%s: %d" % (what, rc))
        t.eq(status(r), 200 if rc == 1 else 401, "%s: reply" % what, reply=r)
        if rc == 1:
            expect_rc(t, d, cid, 1, "consume_credentials() after success: 1",
                      "CONSUMED")
            expect_rc(t, d, cid, -1, "consume_credentials() twice: -1",
                      "CONSUMED-AGAIN")
    c.close()
    d.stop()


def test_challenge_functions(t):
    d, port = start_funcs(t, 'modparam("auth", "qop", "auth-int")')
    c = Sip(port)
    ch = challenged(t, c, "www", "INVITE", flags="0")
    t.eq(ch["_hdr"], "WWW", "www_challenge(): 401 WWW-Authenticate even for "
         "INVITE")
    t.check("qop" not in ch, "flags 0: no qop")
    ch = challenged(t, c, "proxy", "INVITE", flags="1", code=407)
    t.eq(ch["_hdr"], "Proxy", "proxy_challenge(): 407 Proxy-Authenticate")
    t.eq(ch.get("qop"), "auth-int", "flag 1 takes qop from the qop parameter")
    ch2 = challenged(t, c, "other", "INVITE", flags="2", code=407)
    t.eq(ch2["_hdr"], "Proxy", "auth_challenge(): 407 for INVITE")
    t.eq(ch2.get("qop"), "auth-int", "flag 2: qop=auth-int")
    ch2 = challenged(t, c, "other", "REGISTER", flags="16")
    t.eq(ch2.get("stale"), "true", "flag 16: stale=true")
    # pv_proxy_authenticate with the proxy challenge's nonce
    body = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
    cid, r = c.request("proxy", "INVITE", credentials(
        ch, method="INVITE", qop="auth-int", hdr="Proxy-Authorization",
        body=body), body=body)
    expect_rc(t, d, cid, 1, "pv_proxy_authenticate() with auth-int: 1")
    cid, r = c.request("proxy", "INVITE", credentials(
        ch, method="INVITE", qop="auth-int", hdr="Proxy-Authorization",
        body=body, nc=2) + "X-Flags: 1\r\n", body=body + "tampered\r\n")
    expect_rc(t, d, cid, -2, "auth-int over another body: -2")
    # the 500 of an unusable flags value, and its absence with flag 4
    cid, r = c.request("www", "REGISTER", "X-Flags: x\r\n")
    t.eq(status(r), 500, "flags that are no number: 500", reply=r)
    expect_rc(t, d, cid, -1, "the challenge function returns -1",
              "CHALLENGE")
    c.close()
    d.stop()


def test_stale_nonce(t):
    d, port = start_funcs(t, 'modparam("auth", "nonce_expire", 1)')
    c = Sip(port)
    ch = challenged(t, c)
    cid, r = c.request(headers=credentials(ch) + "X-Flags: 1\r\n")
    t.eq(status(r), 200, "a fresh nonce is accepted", reply=r)
    time.sleep(2.2)
    cid, r = c.request(headers=credentials(ch, nc=2) + "X-Flags: 1\r\n")
    expect_rc(t, d, cid, -4, "an expired nonce: -4")
    t.eq(status(r), 401, "an expired nonce is challenged again", reply=r)
    ch2 = challenge(r)
    t.eq(ch2.get("stale"), "true", "... with stale=true")
    t.ne(ch2["nonce"], ch["nonce"], "... and a new nonce")
    cid, r = c.request(headers=credentials(ch2) + "X-Flags: 1\r\n")
    t.eq(status(r), 200, "the new nonce is accepted", reply=r)
    c.close()
    d.stop()


def test_method_ha1_and_user_check(t):
    d, port = start_funcs(t)
    c = Sip(port)
    ch = challenged(t, c, "method")
    cid, r = c.request("method", headers=credentials(ch, method="REGISTER"))
    expect_rc(t, d, cid, -2, "method argument AUTH: REGISTER's digest fails")
    cid, r = c.request("method", headers=credentials(ch, method="AUTH"))
    expect_rc(t, d, cid, 1, "method argument AUTH: AUTH's digest is right")
    cid, r = c.request("ha1", headers=credentials(ch, nc=2))
    expect_rc(t, d, cid, 1, "flag 1: the password is an HA1")
    cid, r = c.request("check", headers=credentials(ch, nc=3))
    expect_rc(t, d, cid, 1, "pv_auth_check(): alice for To alice")
    cid, r = c.request("check", headers=credentials(ch, user="bob", nc=4))
    expect_rc(t, d, cid, -8, "pv_auth_check(): bob for To alice: -8")
    cid, r = c.request("check", "INVITE", credentials(
        ch, method="INVITE", hdr="Proxy-Authorization", nc=5))
    expect_rc(t, d, cid, 1, "pv_auth_check() on INVITE reads "
              "Proxy-Authorization and checks the From user")
    cid, r = c.request("has", headers=credentials(ch))
    expect_rc(t, d, cid, 1, "has_credentials(): 1")
    cid, r = c.request("has", headers="X-Flags: 1\r\n")
    expect_rc(t, d, cid, -1, "has_credentials() without: -1")
    cid, r = c.request("alice", "ACK", reply=False)
    expect_rc(t, d, cid, 1, "ACK is never challenged: 1 (as Kamailio)")
    c.close()
    d.stop()


def test_get_www_authenticate_and_avp(t):
    d, port = start_funcs(t)
    c = Sip(port)
    cid, r = c.request("wa", headers="X-Flags: 17\r\n")
    m = wait_log(t, d, r"WA %s \[(WWW-Authenticate: Digest [^\r\n]*)\r?\n\]"
                 % re.escape(cid), "auth_get_www_authenticate() set the PV "
                 "to the header line with its CRLF")
    hdr = m.group(1)
    t.match(r'^WWW-Authenticate: Digest realm="example\.com", '
            r'nonce="[A-Za-z0-9_-]+", qop="auth", stale=true$', hdr,
            "the header in Kamailio's layout")
    ch = challenge(hdr + "\r\n")
    cid, r = c.request(headers=credentials(ch))
    expect_rc(t, d, cid, 1, "its nonce authenticates a later request")
    cid, r = c.request("avp", headers="X-Flags: 1\r\n")
    expect_rc(t, d, cid, -5, "pv_www_authenticate(.., 20) without "
              "credentials: -5")
    wait_log(t, d, r'AVP %s \[WWW-Authenticate: Digest realm="example\.com",'
             r' nonce="[^"]+", qop="auth", stale=true\r?\n\]'
             % re.escape(cid), "flags 4|16 leave the challenge in "
             "$avp(digest_challenge)")
    c.close()
    d.stop()


def test_sha256_over_tcp(t):
    d, port = start_funcs(t, 'modparam("auth", "algorithm", "SHA-256")\n'
                          'modparam("auth", "nonce_count", 1)')
    c = Sip(port, "tcp")
    ch = challenged(t, c)
    t.eq(ch.get("algorithm"), "SHA-256", "the challenge names SHA-256")
    cid, r = c.request(headers=credentials(ch))
    t.eq(status(r), 200, "SHA-256 credentials: 200", reply=r)
    cid, r = c.request(headers=credentials(ch, alg="MD5", send_alg="MD5",
                                           nc=2) + "X-Flags: 1\r\n")
    expect_rc(t, d, cid, -1, "MD5 credentials when SHA-256 is offered: -1")
    cid, r = c.request(headers=credentials(ch, alg="SHA-256-sess", nc=3))
    expect_rc(t, d, cid, 1, "SHA-256-sess: 1")
    c.close()
    d.stop()


def test_one_time_nonce_and_checks(t):
    d, port = start_funcs(t, 'modparam("auth", "one_time_nonce", 1)\n'
                          'modparam("auth", "auth_checks_register", 2)')
    c = Sip(port)
    callid = uuid.uuid4().hex
    _, r = c.request(headers="X-Flags: 0\r\n", callid=callid)
    ch = challenge(r)
    _, r = c.request(headers=credentials(ch, qop=None), callid=callid)
    t.eq(status(r), 200, "a one-time nonce, first use: 200", reply=r)
    _, r = c.request(headers=credentials(ch, qop=None) + "X-Flags: 0\r\n",
                     callid=callid)
    t.eq(status(r), 401, "second use: 401", reply=r)
    t.eq(len(re.findall(r"RC %s -6\b" % callid, d.log())), 1,
         "second use returns -6 (nonce reused)")
    callid2 = uuid.uuid4().hex
    _, r = c.request(headers="X-Flags: 0\r\n", callid=callid2)
    ch = challenge(r)
    cid, r = c.request(headers=credentials(ch, qop=None) + "X-Flags: 0\r\n")
    expect_rc(t, d, cid, -4, "a nonce bound to another Call-ID: -4")
    _, r = c.request(headers=credentials(ch, qop=None), callid=callid2)
    t.eq(status(r), 200, "... and accepted with its own Call-ID", reply=r)
    c.close()
    d.stop()


# --- config-time errors ---------------------------------------------------------------

CFG_ERR = """#!KAMAILIO
listen=127.0.0.1:5060
%s
loadmodule "auth.so"
%s
request_route {
	%s
	exit;
}
"""


def test_config_errors(t):
    cases = [
        ("", 'modparam("auth", "qop", "auth-conf")', "",
         r'qop must be "", "auth" or "auth-int", not "auth-conf"'),
        ("", 'modparam("auth", "algorithm", "SHA-512")', "",
         r'algorithm must be "MD5" or "SHA-256", not "SHA-512"'),
        ("", 'modparam("auth", "add_authinfo_hdr", 1)', "",
         r"add_authinfo_hdr is not supported"),
        ("", 'modparam("auth", "nc_array_order", 30)', "",
         r"nc_array_order must be in 4\.\.24, not 30"),
        ("", 'modparam("auth", "auth_checks_register", 16)', "",
         r"auth_checks_register must be in 0\.\.15, not 16"),
        ("", "", 'www_challenge("$td", "1");',
         r'the challenge functions send their reply through the sl module'),
        ('loadmodule "sl.so"', "", 'auth_get_www_authenticate("r", "1", '
         '"$td");', r"\$td is read-only"),
    ]
    for i, (pre, params, body, want) in enumerate(cases):
        path = t.write("err%d.cfg" % i, CFG_ERR % (pre, params, body))
        r = harness.check_config(path, moddir=harness.MODDIR)
        t.ne(r.rc, 0, "config %d is refused" % i, **r.context())
        t.match(r"err%d\.cfg:\d+:\d+: error: .*%s" % (i, want), r.err,
                "config %d names its error with a position" % i,
                **r.context())
    ok = t.write("ok.cfg", CFG_ERR % ('loadmodule "sl.so"',
                                      'modparam("auth", "nc_array_size", '
                                      '100000)\nmodparam("auth", '
                                      '"nid_pool_no", 4)',
                                      'auth_challenge("$fd", "1");'))
    r = harness.check_config(ok, moddir=harness.MODDIR)
    t.eq(r.rc, 0, "a config with every accepted knob passes -c",
         **r.context())


if __name__ == "__main__":
    harness.main()
