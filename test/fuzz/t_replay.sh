#!/bin/sh
# Replays every fuzz corpus through its target (built without libFuzzer),
# so the seeds and every crash ever found stay regression tests.
set -e
srcdir=${TANDEM_SRCDIR:-$(dirname "$0")/../..}
# make runs tests from the top of the build tree (which differs from the
# source tree in an out-of-tree build such as build-asan/)
builddir=test/fuzz
[ -x "$builddir/replay_frame" ] || builddir=$(dirname "$0")
for target in frame binrpc mi auth_hdr msrp tls_profile; do
	"$builddir/replay_$target" "$srcdir/test/fuzz/corpus/$target"
done
