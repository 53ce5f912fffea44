//go:build race

package goja_test

// raceEnabled: the race detector slows goja five to twenty times, so
// wall-clock bounds (a hog reaching its memory limit within the time
// limit, hostile built-in calls finishing within a bound, a budget running
// out before its wall-clock backstop) do not hold under it. Tests that
// assert such a bound relax or skip it under the race detector; the
// non-race run of the same test checks it.
const raceEnabled = true
