#!/bin/sh
# Replays every fuzz corpus through its target (built without libFuzzer),
# so the seeds and every crash ever found stay regression tests.
set -e
srcdir=${TANDEM_SRCDIR:-$(dirname "$0")/../..}
builddir=$(dirname "$0")
for target in frame binrpc mi auth_hdr msrp; do
	"$builddir/replay_$target" "$srcdir/test/fuzz/corpus/$target"
done
