package app_test

import (
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// sensorID resolves a sensor by hardware id.
func sensorID(t *testing.T, a *app.App, hw string) engine.ID {
	t.Helper()
	var id engine.ID
	_ = a.Engine().View(func(v *engine.View) error {
		if s, ok := v.SensorByHardwareID(hw); ok {
			id = s.ID
		}
		return nil
	})
	if id.IsZero() {
		t.Fatalf("no sensor %s", hw)
	}
	return id
}

// TestValuesAtAndSpan records temperatures at 08:00 and 09:00 in a real
// project and reads the state at moments around them and the span.
func TestValuesAtAndSpan(t *testing.T) {
	a, _ := occupancyApp(t, app.Options{})
	temp, motion := sensorID(t, a, "TEMP-A"), sensorID(t, a, "MOTION-A")
	if _, _, ok := a.HistorySpan(); ok {
		t.Fatal("a project without values has a span")
	}
	t1, t2 := monday.Add(8*time.Hour), monday.Add(9*time.Hour)
	publish(t, a, "POD-A", "TEMP-A", "20.5", t1)
	publish(t, a, "POD-A", "TEMP-A", "23", t2)
	publish(t, a, "POD-A", "MOTION-A", "true", t2)
	tests := []struct {
		at           time.Time
		temp, motion string // "" absent
	}{
		{t1.Add(-time.Second), "", ""},
		{t1, "20.5", ""},
		{t1.Add(30 * time.Minute), "20.5", ""},
		{t2, "23", "true"},
		{t2.Add(time.Hour), "23", "true"},
	}
	for _, tc := range tests {
		got, err := a.ValuesAt([]engine.ID{temp, motion}, tc.at)
		if err != nil {
			t.Fatal(err)
		}
		if v := got[temp][""].Value; v != tc.temp {
			t.Errorf("at %s: temperature %q, want %q", tc.at.Format(time.Kitchen), v, tc.temp)
		}
		if v := got[motion][""].Value; v != tc.motion {
			t.Errorf("at %s: motion %q, want %q", tc.at.Format(time.Kitchen), v, tc.motion)
		}
	}
	time.Sleep(1100 * time.Millisecond) // past the span's cache
	from, to, ok := a.HistorySpan()
	if !ok || !from.Equal(t1) || !to.Before(t2.Add(time.Second)) || to.Before(t2) {
		t.Errorf("span %v – %v (%v), want %v – %v", from, to, ok, t1, t2)
	}
}
