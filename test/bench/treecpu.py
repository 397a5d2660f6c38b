#!/usr/bin/env python3
"""treecpu.py PID - the CPU time (user and system, in microseconds) of
PID and all its descendants, as "usr_us sys_us".  compare.sh reads it
before and after a run to get the server's CPU cost per frame."""

import os
import sys

TICK = os.sysconf("SC_CLK_TCK")


def stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        text = f.read()
    # the command name may hold spaces: split after its closing ')'
    rest = text[text.rindex(")") + 2:].split()
    return int(rest[1]), int(rest[11]), int(rest[12])   # ppid utime stime


def main():
    root = int(sys.argv[1])
    procs = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                procs[int(name)] = stat(int(name))
            except (OSError, ValueError, IndexError):
                pass
    tree, todo = set(), [root]
    while todo:
        p = todo.pop()
        if p in tree or p not in procs:
            continue
        tree.add(p)
        todo.extend(c for c, v in procs.items() if v[0] == p)
    usr = sum(procs[p][1] for p in tree) * 1000000 // TICK
    sys_ = sum(procs[p][2] for p in tree) * 1000000 // TICK
    print(usr, sys_)


if __name__ == "__main__":
    main()
