#!/bin/sh
# Runs every fuzz target of the module, one after the other, each for
# FUZZTIME (default 30s). Targets are found by their declaration
# (func FuzzXxx(f *testing.F) in a _test.go file), so new ones are
# included without editing this script or the Makefile.
#
#   scripts/fuzz.sh            every target, 30s each
#   FUZZTIME=5s scripts/fuzz.sh
#   GO=/usr/local/go/bin/go scripts/fuzz.sh
#
# Stops at the first target that fails; go test leaves the failing input
# in that package's testdata/fuzz/ folder.
set -eu
GO=${GO:-go}
FUZZTIME=${FUZZTIME:-30s}
cd "$(dirname "$0")/.."

targets=$(grep -rE --include='*_test.go' -o '^func Fuzz[A-Za-z0-9_]*\(' . |
	grep -v -e '^\./\.git/' -e '/testdata/' | sed -E 's#^\./(.*)/[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]*)\($#\1 \2#; s#^\./[^/]+_test\.go:func (Fuzz[A-Za-z0-9_]*)\($#. \1#' | sort -u)
if [ -z "$targets" ]; then
	echo "fuzz: no fuzz targets found" >&2
	exit 1
fi
n=$(printf '%s\n' "$targets" | wc -l)
echo "fuzz: $n targets, $FUZZTIME each"
printf '%s\n' "$targets" | while read -r dir name; do
	echo "fuzz: $name in ./$dir"
	# ^name$: -fuzz must match exactly one target of the package.
	"$GO" test -run='^$' -fuzz="^${name}\$" -fuzztime="$FUZZTIME" "./$dir"
done
