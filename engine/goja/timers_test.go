package goja

import (
	"errors"
	"testing"
	"time"

	"github.com/dop251/goja"
)

// TestLimitTimer: an armed limit interrupts the runtime once its time is
// up; a firing before the armed deadline (a late one from an earlier
// execution) or after disarm interrupts nothing.
func TestLimitTimer(t *testing.T) {
	rt := goja.New()
	var l limitTimer
	l.init(rt)
	interrupted := func() bool {
		_, err := rt.RunString("1")
		var ie *goja.InterruptedError
		rt.ClearInterrupt()
		return errors.As(err, &ie)
	}

	l.arm(time.Millisecond)
	time.Sleep(50 * time.Millisecond)
	l.disarm()
	if !interrupted() {
		t.Fatal("the armed limit did not interrupt")
	}

	l.arm(time.Hour)
	l.t.Reset(0) // a firing long before the deadline
	time.Sleep(50 * time.Millisecond)
	if interrupted() {
		t.Error("a firing before the deadline interrupted")
	}
	l.disarm()
	l.t.Reset(0) // a firing after disarm
	time.Sleep(50 * time.Millisecond)
	if interrupted() {
		t.Error("a firing after disarm interrupted")
	}
}
