//go:build race

package goja_test

// raceEnabled: the race detector slows execution 5 to 10 times, so wall-
// clock bounds of hostile built-in calls do not hold under it.
const raceEnabled = true
