package app_test

import (
	"errors"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// TestRecordedMessageFromHistory: a sensor no UDF runs for has no
// execution records; its recorded message is its history's value, the
// latest or the last at or before a time.
func TestRecordedMessageFromHistory(t *testing.T) {
	p := provision(t)
	a, err := app.Open(p.path, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.RecordedMessage(p.motion, time.Time{}); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("no message yet: %v", err)
	}
	send := func(v string) time.Time {
		at := time.Now()
		tk, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic(devHW, motionHW), Payload: []byte(v),
			QoS: 1, Username: devHW, Received: at})
		if err == nil {
			err = tk.Wait()
		}
		if err != nil {
			t.Fatal(err)
		}
		return at
	}
	send("true")
	time.Sleep(10 * time.Millisecond)
	mid := time.Now()
	time.Sleep(10 * time.Millisecond)
	send("false")
	rp, err := a.RecordedMessage(p.motion, time.Time{})
	if err != nil || rp.Message != "false" || rp.From != "sensor history" {
		t.Errorf("latest: %+v %v", rp, err)
	}
	if rp, err := a.RecordedMessage(p.motion, mid); err != nil || rp.Message != "true" {
		t.Errorf("at %v: %+v %v", mid, rp, err)
	}
}
