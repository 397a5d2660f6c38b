"""t_msrp_relay.py - the msrp module as a relay (RFC 4975 / RFC 4976),
run with the seed configs unchanged (only -l picks a free port):
digest AUTH -> Use-Path, SEND and REPORT relayed with paths rewritten and
bodies intact at every size, chunking, byte-at-a-time and pipelined
frames, 481 / 501, SIP on the same port, the connection map over RPC and
its expiry, malformed frames, and the relay pair split across workers.

The seed configs name fixed paths (/tmp/kamailio_fifo, the default ctl
socket), so every daemon of this script runs one after the other."""

import os
import re
import socket
import subprocess
import time

import harness
import msrp_client as mc

SEEDS = os.path.join(harness.SRCDIR, "test", "fixtures", "configs")
EX117 = os.path.join(SEEDS, "ex117-htable.cfg")
EX118 = os.path.join(SEEDS, "ex118-cmap.cfg")
EX19 = os.path.join(SEEDS, "ex19-old.cfg")
CTL_SOCK = "unix:/run/tandem/tandem_ctl"

SIZES = [0, 1, 4096, 65536, 1 << 20, 8 << 20]


def start_seed(t, cfg, extra=()):
    port = t.port()
    t.values["PORT"] = port
    d = t.daemon(cfg, args=["-l", "127.0.0.1:%d" % port] + list(extra))
    return d, port


def pair(port, names=("alice", "bob")):
    a = mc.Client(port, name=names[0])
    b = mc.Client(port, name=names[1])
    for c in (a, b):
        r = c.auth()
        if r.code != 200 or not c.use_path:
            raise harness.TestFailure("AUTH for %s: %s %s"
                                      % (c.session, r.code, r.reason))
    return a, b


def body_of(size, seed):
    chunk = (b"%08d" % seed) * 8 + bytes(range(256))
    out = (chunk * (size // len(chunk) + 1))[:size]
    return out


def use_path_uri(c):
    return c.use_path.strip()


def relay_send(t, a, b, body, byte_by_byte=False, method="SEND"):
    """a -> relay -> b; checks the 200 to a, the relayed frame's paths and
    body at b; b answers 200 (hop by hop: the relay consumes it)."""
    to = "%s %s" % (use_path_uri(b), b.uri)
    hdrs = [("Message-ID", "m" + os.urandom(3).hex())]
    if method == "SEND":
        hdrs.append(("Byte-Range", "1-%d/%d" % (len(body), len(body))))
    tid = a.send(method, to, headers=hdrs, body=body if body or method ==
                 "SEND" else None, byte_by_byte=byte_by_byte)
    if method == "SEND":
        r = a.read_reply(tid, timeout=60)
        t.eq(r.code, 200, "the relay answers the SEND with 200")
        t.eq(r.header("To-Path"), a.uri, "the 200's To-Path is the sender")
    got = b.read_request(timeout=60)
    t.eq(got.tid, tid, "the relayed frame keeps its transaction id")
    t.eq(got.method, method, "and its method")
    t.eq(got.header("To-Path"), b.uri, "To-Path lost the relay's URI")
    t.eq(got.header("From-Path"), "%s %s" % (use_path_uri(b), a.uri),
         "From-Path gained the relay's URI in front")
    t.check(got.body == body, "the body arrived intact (%d bytes)" % len(body))
    if method == "SEND":
        _, data = b.frame_bytes("200 OK", got.header("From-Path").split()[0],
                                tid=got.tid)
        b.send_raw(data)
    return got


def check_relay_suite(t, cfg):
    d, port = start_seed(t, cfg)
    a, b = pair(port)
    t.match(r"^msrp://127\.0\.0\.1:\d+/\S+;tcp$", use_path_uri(a),
            "Use-Path is an msrp:// URI with a session id")
    t.no_match(r"msrp://msrp://", use_path_uri(a), "and never msrp://msrp://")
    for size in SIZES:
        relay_send(t, a, b, body_of(size, size))
    relay_send(t, b, a, b"back the other way")
    relay_send(t, a, b, b"", method="REPORT")
    relay_send(t, a, b, b"x" * 300, byte_by_byte=True)
    # chunks: '+' then '$', and an aborted '#'
    to = "%s %s" % (use_path_uri(b), b.uri)
    for flag in ("+", "$", "#"):
        tid, data = a.frame_bytes("SEND", to, body=b"chunk" + flag.encode(),
                                  flag=flag, headers=[("Message-ID", "mc1"),
                                                      ("Byte-Range", "1-*/*")])
        a.send_raw(data)
        t.eq(a.read_reply(tid).code, 200, "chunk %s answered" % flag)
        got = b.read_request()
        t.eq(got.flag, flag, "chunk end-line flag %s relayed" % flag)
    # many frames in one write
    blob, tids = b"", []
    for i in range(50):
        tid, data = a.frame_bytes("SEND", to, body=b"pipelined %d" % i,
                                  headers=[("Message-ID", "p%d" % i),
                                           ("Byte-Range", "1-11/11")])
        blob += data
        tids.append(tid)
    a.send_raw(blob)
    got = [b.read_request().tid for _ in tids]
    t.eq(got, tids, "50 frames written at once arrive in order")
    # unknown session / method
    tid = a.send("SEND", "msrp://127.0.0.1:%d/nosuchsession;tcp %s"
                 % (port, b.uri), body=b"x",
                 headers=[("Message-ID", "u1"), ("Byte-Range", "1-1/1")])
    t.eq(a.read_reply(tid).code, 481, "an unknown session gets 481")
    tid = a.send("FOO", a.relay)
    t.eq(a.read_reply(tid).code, 501, "an unknown method gets 501")
    # SIP on the same port
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(("OPTIONS sip:x@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TCP "
               "127.0.0.1:9;branch=z9hG4bKq\r\nFrom: <sip:a@b>;tag=1\r\n"
               "To: <sip:c@d>\r\nCall-ID: o1\r\nCSeq: 1 OPTIONS\r\n"
               "Content-Length: 0\r\n\r\n").encode())
    s.settimeout(10)
    t.match(r"^SIP/2.0 403 No SIP Here", s.recv(4096).decode(),
            "SIP OPTIONS on the MSRP port is answered by request_route")
    s.close()
    for c in (a, b):
        c.close()
    return d


def test_ex118_cmap(t):
    d = check_relay_suite(t, EX118)
    d.stop()


def test_ex117_htable(t):
    d = check_relay_suite(t, EX117)
    d.stop()


def kamcmd(*args):
    return subprocess.run(["kamcmd", "-s", CTL_SOCK] + list(args),
                          capture_output=True, text=True, timeout=20)


def test_cmaplist_and_tandemctl(t):
    d, port = start_seed(t, EX118)
    a, b = pair(port)
    r = kamcmd("msrp.cmaplist")
    t.eq(r.returncode, 0, "kamcmd msrp.cmaplist succeeds", out=r.stdout,
         err=r.stderr)
    for c in (a, b):
        sess = use_path_uri(c).split("/")[3].split(";")[0]
        t.check(sess in r.stdout, "the list shows session %s" % sess,
                out=r.stdout)
    t.match(r"MAP_SIZE: 256", r.stdout, "with MAP_SIZE 256 (cmap_size 8)")
    ctl = os.path.join(os.path.dirname(os.path.dirname(harness.BIN)),
                       "utils", "tandemctl", "tandemctl")
    if os.path.exists(ctl):
        r2 = subprocess.run([ctl, "-s", CTL_SOCK, "msrp.cmaplist"],
                            capture_output=True, text=True, timeout=20)
        t.eq(r2.returncode, 0, "tandemctl msrp.cmaplist succeeds",
             out=r2.stdout, err=r2.stderr)
    a.close()
    time.sleep(0.5)
    r = kamcmd("msrp.cmaplist")
    sess = use_path_uri(a).split("/")[3].split(";")[0]
    t.check(sess not in r.stdout, "a closed connection's session is gone "
            "at once", out=r.stdout)
    b.close()
    d.stop()


EXPIRY_CFG = open(EX118).read().replace(
    'modparam("msrp", "cmap_size", 8)',
    'modparam("msrp", "cmap_size", 8)\nmodparam("msrp", "timer_interval", 1)\n'
    'modparam("msrp", "auth_min_expires", 1)')


def test_cmap_expiry_by_timer(t):
    cfg = t.write("expiry.cfg", EXPIRY_CFG)
    d, port = start_seed(t, cfg)
    a = mc.Client(port)
    r = a.auth(expires=2)
    t.eq(r.code, 200, "AUTH with Expires: 2 accepted")
    t.eq(r.header("Expires"), "2", "the 200 says Expires: 2")
    b = mc.Client(port)
    b.auth()
    time.sleep(4.5)
    tid = b.send("SEND", "%s %s" % (use_path_uri(a), a.uri), body=b"late",
                 headers=[("Message-ID", "e1"), ("Byte-Range", "1-4/4")])
    t.eq(b.read_reply(tid).code, 481, "after expiry the session is gone (481)")
    r = a.auth(expires=999999)
    t.eq(r.code, 423, "Expires over auth_max_expires gets 423")
    t.eq(r.header("Max-Expires"), "3600", "with Max-Expires")
    a.close()
    b.close()
    d.stop()


def test_malformed_frames(t):
    d, port = start_seed(t, EX118)
    cases = [
        ("missing To-Path", b"MSRP abcd1 SEND\r\nFrom-Path: msrp://1.2.3.4:1/a;tcp"
         b"\r\n-------abcd1$\r\n"),
        ("bad URI", b"MSRP abcd2 SEND\r\nTo-Path: msrp://[bad/x;tcp\r\n"
         b"From-Path: msrp://1.2.3.4:1/a;tcp\r\n-------abcd2$\r\n"),
        ("bad Byte-Range", b"MSRP abcd3 SEND\r\nTo-Path: msrp://1.2.3.4:1/b;tcp"
         b"\r\nFrom-Path: msrp://1.2.3.4:1/a;tcp\r\nByte-Range: x-y/z\r\n"
         b"Content-Type: text/plain\r\n\r\nhi\r\n-------abcd3$\r\n"),
        ("NUL in a header", b"MSRP abcd4 SEND\r\nTo-Path: msrp://1.2.3.4:1/b;tcp"
         b"\r\nFrom-Path: msrp://1.2.3.4:1/a;tcp\r\nX-A: a\x00b\r\n"
         b"-------abcd4$\r\n"),
        ("oversize header block", b"MSRP abcd5 SEND\r\nTo-Path: "
         b"msrp://1.2.3.4:1/b;tcp\r\nX-Big: " + b"a" * 70000 + b"\r\n"),
        ("end-line with the wrong id", b"MSRP abcd6 SEND\r\nTo-Path: "
         b"msrp://1.2.3.4:1/b;tcp\r\nFrom-Path: msrp://1.2.3.4:1/a;tcp\r\n"
         b"-------zzzz9$\r\n" + b"y" * (10 * 1024 * 1024 + 10)),
    ]
    for name, data in cases:
        c = mc.Client(port)
        try:
            c.send_raw(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        outcome = None
        try:
            f = c.read_frame(timeout=30)
            outcome = "reply %d" % f.code
        except (EOFError, ConnectionResetError):
            outcome = "closed"
        t.check(outcome in ("reply 400", "closed"), "%s: 400 or the "
                "connection closed (got %s)" % (name, outcome))
        c.close()
        fresh = mc.Client(port)
        t.eq(fresh.auth().code, 200, "%s: a fresh AUTH on another "
             "connection still works" % name)
        fresh.close()
    d.stop()


def test_ex19_old_starts(t):
    """ex19-old.cfg stores sessions in $sht(msrp=>...) but defines only the
    htable "c": its session lookups always miss (Kamailio 5.6 behaves the
    same way), so its SENDs through a Use-Path get 481.  Everything else
    runs: digest AUTH -> Use-Path, relaying along a longer To-Path, 403."""
    d, port = start_seed(t, EX19)
    a, b = pair(port)
    tid = a.send("SEND", "%s %s" % (use_path_uri(b), b.uri), body=b"hi",
                 headers=[("Message-ID", "o1"), ("Byte-Range", "1-2/2")])
    t.eq(a.read_reply(tid).code, 481, "the config's own lookup misses: 481")
    # nexthops > 1: relayed to the next To-Path URI (b's connection)
    to = "%s %s msrp://127.0.0.1:9/final;tcp" % (use_path_uri(a), b.uri)
    tid = a.send("SEND", to, body=b"hello ex19",
                 headers=[("Message-ID", "o2"), ("Byte-Range", "1-10/10")])
    r = a.read_reply(tid)
    t.eq(r.code, 200, "a longer To-Path is answered 200 (%r)" % r.reason)
    got = b.read_request()
    t.eq(got.body, b"hello ex19", "and relayed to the next hop intact")
    t.eq(got.header("To-Path"), "%s msrp://127.0.0.1:9/final;tcp" % b.uri,
         "with the relay's URI taken off To-Path")
    a.close()
    b.close()
    d.stop()


def test_split_across_workers(t):
    """children=4: 24 client pairs, so sender and receiver are owned by
    different workers; every frame still crosses intact."""
    d, port = start_seed(t, EX118)
    pairs = [pair(port, ("a%d" % i, "b%d" % i)) for i in range(24)]
    for i, (a, b) in enumerate(pairs):
        relay_send(t, a, b, body_of(2000 + i, i))
        relay_send(t, b, a, body_of(100 + i, i))
    for a, b in pairs:
        a.close()
        b.close()
    d.stop()


PV_CFG = """#!KAMAILIO
debug=2
log_stderror=yes
children=2
listen=127.0.0.1:@PORT@
loadmodule "sl.so"
loadmodule "pv.so"
loadmodule "xlog.so"
loadmodule "msrp.so"
request_route { exit; }
event_route[msrp:frame-in] {
	if (msrp_is_reply()) { exit; }
	xinfo("PV method=$msrp(method) transid=$msrp(transid) msgid=$msrp(msgid) bodylen=$msrp(bodylen) body=$msrp(body) sessid=$msrp(sessid) nexthops=$msrp(nexthops) prevhops=$msrp(prevhops) conid_ok=$(msrp(conid){s.len})\n");
	xinfo("PV crthop=$msrp(crthop) nexthop=$msrp(nexthop) lasthop=$msrp(lasthop) prevhop=$msrp(prevhop) firsthop=$msrp(firsthop)\n");
	xinfo("PV srcaddr=$msrp(srcaddr) srcsock=$msrp(srcsock) host=$(msrp(nexthop){msrpuri.host}) port=$(msrp(nexthop){msrpuri.port}) session=$(msrp(nexthop){msrpuri.session}) proto=$(msrp(nexthop){msrpuri.proto}) user=$(msrp(nexthop){msrpuri.user}) scheme=$(msrp(nexthop){msrpuri.scheme})\n");
	if ($msrp(method) == "SEND") {
		msrp_reply("200", "OK");
		# msrp_forward: no path rewriting, to the To-Path given
		msrp_forward("$hdr(X-Forward-To)", "$msrp(crthop) $msrp(prevhop)");
	}
}
"""


def test_pvs_transformation_and_forward(t):
    """$msrp(key) and {msrpuri.key} as the README documents them, and
    msrp_forward() with explicit paths (the frame goes to the first URI
    of the given To-Path, paths as given, body untouched)."""
    cfg = t.render(PV_CFG)
    d = t.daemon(cfg)
    port = t.values["PORT"]
    b = mc.Client(port, name="bobsess")
    a = mc.Client(port, name="alicesess")
    to = "msrp://127.0.0.1:%d/relay1;tcp msrp://bob@127.0.0.1:%d/bobx;tcp" \
        % (port, b.sock.getsockname()[1])
    tid = a.send("SEND", to, body=b"hello pv",
                 headers=[("Message-ID", "mid42"), ("Byte-Range", "1-8/8"),
                          ("X-Forward-To", b.uri)])
    t.eq(a.read_reply(tid).code, 200, "the route answered 200")
    got = b.read_request()
    t.eq(got.header("To-Path"), b.uri, "msrp_forward: To-Path as given")
    t.eq(got.header("From-Path"), "msrp://127.0.0.1:%d/relay1;tcp %s"
         % (port, a.uri), "msrp_forward: From-Path as given")
    t.eq(got.body, b"hello pv", "msrp_forward: body untouched")
    log = d.log()
    want = {
        "method": "SEND", "transid": tid, "msgid": "mid42", "bodylen": "8",
        "body": "hello", "sessid": "relay1", "nexthops": "1",
        "prevhops": "1",
        "crthop": "msrp://127.0.0.1:%d/relay1;tcp" % port,
        "nexthop": "msrp://bob@127.0.0.1:%d/bobx;tcp"
        % b.sock.getsockname()[1],
        "prevhop": a.uri, "firsthop": a.uri,
        "srcaddr": "msrp://127.0.0.1:%d" % a.sock.getsockname()[1],
        "srcsock": "tcp:127.0.0.1:%d" % port,
        "host": "127.0.0.1", "port": str(b.sock.getsockname()[1]),
        "session": "bobx", "proto": "tcp", "user": "bob", "scheme": "msrp",
    }
    for k, v in want.items():
        t.match(r"\b%s=%s(\s|$)" % (k, re.escape(v)), log,
                "$msrp/%s is %s" % (k, v))
    a.close()
    b.close()
    d.stop()


if __name__ == "__main__":
    harness.main(globals())
