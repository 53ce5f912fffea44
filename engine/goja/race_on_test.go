//go:build race

package goja_test

// raceEnabled: the race detector slows goja about tenfold, so a hog may
// not reach its memory limit within the 10 s ceiling of the time limit.
const raceEnabled = true
