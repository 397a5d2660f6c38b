#!/usr/bin/env python3
"""idleconns.py PORT N PIDS... - opens N idle TCP connections to the
server on 127.0.0.1:PORT, each after one small MSRP frame (so each
connection is really adopted by a worker), and prints the servers' total
RSS before and after, and the difference per connection."""

import os
import resource
import socket
import sys
import time


def rss_kb(pids):
    total = 0
    for pid in pids:
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def tree(root):
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                kids.setdefault(ppid, []).append(int(d))
            except (OSError, ValueError, IndexError):
                pass
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def main():
    port, n, root = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    pids = tree(root)
    time.sleep(1)
    before = rss_kb(pids)
    socks = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        tid = "i%07d" % i
        s.sendall(("MSRP %s SEND\r\nTo-Path: msrp://127.0.0.1:%d/x%d;tcp "
                   "msrp://127.0.0.1:1/y;tcp\r\nFrom-Path: msrp://127.0.0.1:2/z;"
                   "tcp\r\nMessage-ID: %d\r\nByte-Range: 1-1/1\r\n"
                   "Content-Type: text/plain\r\n\r\nx\r\n-------%s$\r\n"
                   % (tid, port, i, i, tid)).encode())
        socks.append(s)
    time.sleep(3)
    after = rss_kb(tree(root))
    per = (after - before) * 1024.0 / n
    print("RESULT idle_conns=%d rss_before_kb=%d rss_after_kb=%d "
          "bytes_per_conn=%.0f" % (n, before, after, per))
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
