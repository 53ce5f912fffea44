//go:build !race

package goja_test

const raceEnabled = false
