"""t_cfg_seeds.py - the seed configs (test/fixtures/configs/*.cfg, copies
of shared/configs) compile with `tandem -c`, as far as the modules built so
far allow.

For each config, <name>.modules lists the modules it loads.  A module m
is there if TANDEM_MODDIR/m/m.so or TANDEM_MODDIR/m.so exists.

- none missing: `tandem -c -f CFG -L TANDEM_MODDIR` exits 0 with no error;
- some missing: it exits 1, with exactly one error per missing module,
  "CFG:LINE:COL: error: module 'm.so' not found" at m's loadmodule line,
  and no other error: every other line of the config is accepted (what
  cannot be checked without a missing module is reported as a note).
"""

import os
import re

import harness

CONFIGS = os.path.join(harness.FIXTURES, "configs")

LOADMODULE_RE = re.compile(r'^[ \t]*loadmodule[ \t]+"([^"]+)"', re.M)
MISSING_RE = re.compile(r"\berror: module '([^']+)\.so' not found")


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
    t.say("missing from %s: %s"
          % (harness.MODDIR, " ".join(missing) or "none"))

    r = harness.check_config(cfg, moddir=harness.MODDIR, cwd=t.tmp)
    errors = harness.error_lines(r.err)
    notes = [ln for ln in r.err.splitlines() if re.search(r"\bnote: ", ln)]

    if not missing:
        t.eq(r.rc, 0, "tandem -c accepts %s.cfg" % name, **r.context())
        t.eq(errors, [], "with no error", **r.context())
        t.say("outcome: %s.cfg accepted" % name)
        return

    t.eq(r.rc, 1, "tandem -c refuses %s.cfg (modules missing)" % name,
         **r.context())
    for m in missing:
        pattern = r"^%s:%d:\d+: error: module '%s\.so' not found" % (
            re.escape(cfg), where[m], re.escape(m))
        found = [ln for ln in errors if re.search(pattern, ln)]
        t.eq(len(found), 1,
             "one error for missing %s.so, at its loadmodule (line %d)"
             % (m, where[m]), **r.context())
    other = [ln for ln in errors
             if not (MISSING_RE.search(ln)
                     and MISSING_RE.search(ln).group(1) in missing)]
    t.eq(other, [], "no other error: the rest of %s.cfg is accepted" % name,
         **r.context())
    t.eq(len(errors), len(missing), "one error line per missing module",
         **r.context())
    t.say("outcome: %s.cfg refused for %d missing module(s) only; "
          "%d note(s)" % (name, len(missing), len(notes)))


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
