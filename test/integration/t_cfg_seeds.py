"""t_cfg_seeds.py - the seed configs (test/fixtures/configs/*.cfg, copies
of shared/configs) compile with `tandem -c`.

For each config, <name>.modules lists the modules it loads; every one of
them must be built (TANDEM_MODDIR/m/m.so or TANDEM_MODDIR/m.so), and
`tandem -c -f CFG -L TANDEM_MODDIR` exits 0 with no error.  (Running
them is the job of t_msrp_relay.py and t_mod_msilo.py.)
"""

import os
import re

import harness

CONFIGS = os.path.join(harness.FIXTURES, "configs")

LOADMODULE_RE = re.compile(r'^[ \t]*loadmodule[ \t]+"([^"]+)"', re.M)


def read_list(path):
    with open(path, encoding="utf-8") as f:
        return [ln.strip() for ln in f
                if ln.strip() and not ln.lstrip().startswith("#")]


def loadmodule_lines(text):
    """{module basename: line number of its loadmodule}"""
    found = {}
    for m in LOADMODULE_RE.finditer(text):
        name = os.path.basename(m.group(1))
        name = name[:-3] if name.endswith(".so") else name
        found.setdefault(name, text.count("\n", 0, m.start()) + 1)
    return found


def check_seed(t, cfg):
    name = os.path.splitext(os.path.basename(cfg))[0]
    modules = read_list(os.path.join(CONFIGS, name + ".modules"))
    with open(cfg, encoding="utf-8") as f:
        where = loadmodule_lines(f.read())
    t.eq(sorted(where), sorted(modules),
         "%s.modules lists the modules %s.cfg loads" % (name, name))

    missing = [m for m in modules if harness.module_path(m) is None]
    t.say("modules: %s" % " ".join(modules))
    t.eq(missing, [], "every module %s.cfg loads is built in %s"
         % (name, harness.MODDIR))

    r = harness.check_config(cfg, moddir=harness.MODDIR, cwd=t.tmp)
    errors = harness.error_lines(r.err)
    t.eq(r.rc, 0, "tandem -c accepts %s.cfg" % name, **r.context())
    t.eq(errors, [], "with no error", **r.context())
    t.say("outcome: %s.cfg accepted" % name)


def test_fixtures_complete(t):
    cfgs = sorted(f for f in os.listdir(CONFIGS) if f.endswith(".cfg"))
    t.check(len(cfgs) >= 4, "there are seed configs in %s (%d)"
            % (CONFIGS, len(cfgs)))
    for f in cfgs:
        lst = os.path.join(CONFIGS, f[:-4] + ".modules")
        t.check(os.path.isfile(lst), "%s has %s"
                % (f, os.path.basename(lst)))


def _make_test(cfg):
    def test(t):
        check_seed(t, cfg)
    return test


# one test per seed config, in file name order
for _f in sorted(os.listdir(CONFIGS)):
    if _f.endswith(".cfg"):
        _name = "test_" + re.sub(r"\W", "_", _f[:-4])
        globals()[_name] = _make_test(os.path.join(CONFIGS, _f))


if __name__ == "__main__":
    harness.main()
