package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

// TestStatus_longerTextsAreLaidOut: when a text of the status bar grows
// (the rate from 0 to tens of thousands of messages a second), the bar is
// laid out again, so that the next label does not cover its end.
func TestStatus_longerTextsAreLaidOut(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	s, _ := newStudioWindow(t, a)
	b := s.status
	b.setLive(live{broker: "MQTT broker off", rate: 0})
	b.setLive(live{broker: "MQTT broker off", rate: 123456, rejected: 1234567})
	if w, min := b.rate.Size().Width, b.rate.MinSize().Width; w < min {
		t.Errorf("the rate %q is %v wide, less than the %v it needs", b.rate.Text, w, min)
	}
	if end, next := b.rate.Position().X+b.rate.Size().Width, b.rejected.Position().X; next < end {
		t.Errorf("the rejected count starts at %v, inside the rate (ends at %v)", next, end)
	}
}
