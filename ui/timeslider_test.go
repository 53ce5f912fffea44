package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// sendValue sends value for the quickstart's sensor hw received at at and
// waits until it is committed.
func sendValue(t *testing.T, a *app.App, hw, value string, at time.Time) {
	t.Helper()
	tk, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic("1234567890AB", hw),
		Payload: []byte(`{"SensorValue": "` + value + `"}`), QoS: 1, Username: "1234567890AB", Received: at})
	if err == nil {
		err = tk.Wait()
	}
	if err != nil {
		t.Fatal(err)
	}
}

// quietQuickstart opens the quickstart with its UDF disabled: only the
// test's values are recorded (the UDF would stamp the room's values with
// the wall clock).
func quietQuickstart(t *testing.T, name string) *app.App {
	t.Helper()
	a := mustOpenExample(t, name, "quickstart")
	err := a.Engine().Update(func(tx *engine.Tx) error {
		for _, u := range tx.UDFs() {
			c := *u
			c.Disabled = true
			if err := tx.PutUDF(&c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// co2Hour opens the quickstart as quietQuickstart does, with the CO₂
// sensor's readings 600 at t1 (08:00 on 2 March 2026) and 900 at t2, an
// hour later.
func co2Hour(t *testing.T, name string) (a *app.App, t1, t2 time.Time) {
	t.Helper()
	a = quietQuickstart(t, name)
	t1 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	t2 = t1.Add(time.Hour)
	sendValue(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", "600", t1)
	sendValue(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", "900", t2)
	return a, t1, t2
}

// labelTexts gathers the label texts under o.
func labelTexts(o fyne.CanvasObject) string {
	var sb strings.Builder
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch x := o.(type) {
		case *widget.Label:
			sb.WriteString(x.Text + "\n")
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	return sb.String()
}

// TestTimeSliderShowsOlderState records CO₂ 600 at 08:00 and 900 at
// 09:00 into a real project, moves the slider to 08:30: the inspector
// shows 600 under the moment's marker and the chart draws the cursor;
// Live shows 900 again.
func TestTimeSliderShowsOlderState(t *testing.T) {
	test.NewTempApp(t)
	a, t1, t2 := co2Hour(t, "slider")
	s, _ := newStudioWindow(t, a)
	time.Sleep(1100 * time.Millisecond) // the span is read again at most once a second
	s.tick()
	s.timeBar.refresh()
	var sensor engine.ID
	_ = a.Engine().View(func(v *engine.View) error {
		sn, _ := v.SensorByHardwareID("SAMPLE_SENSOR_CARBONDIOXIDE")
		sensor = sn.ID
		return nil
	})
	s.onSelected(sensorNode(sensor))
	b := s.timeBar
	if b.slider.Min != float64(t1.Unix()) || b.slider.Max != float64(t2.Unix()) || b.label.Text != "Now" {
		t.Fatalf("slider %v–%v, label %q; want the span %v–%v, live", b.slider.Min, b.slider.Max, b.label.Text, t1, t2)
	}
	if got := labelTexts(s.insp.values); !strings.Contains(got, "900") {
		t.Fatalf("live values:\n%s", got)
	}

	mid := t1.Add(30 * time.Minute)
	b.slider.SetValue(float64(mid.Unix())) // as a drag does
	if at, ok := s.cursor.At(); !ok || !at.Equal(mid) {
		t.Fatalf("cursor %v %v after the slider moved to %v", at, ok, mid)
	}
	got := labelTexts(s.insp.values)
	if !strings.Contains(got, cursorText(mid)) || !strings.Contains(got, "600") || strings.Contains(got, "900") {
		t.Errorf("values at %v:\n%s", mid, got)
	}
	if "at "+b.label.Text != cursorText(mid) || b.live.Disabled() {
		t.Errorf("bar label %q, Live disabled %v", b.label.Text, b.live.Disabled())
	}

	s.tabs.SelectIndex(tabCharts)
	s.charts.pickSensor(sensor)
	s.charts.redraw()
	if s.charts.fig == nil || !s.charts.fig.Cursor.Equal(mid) {
		t.Errorf("chart cursor: %+v", s.charts.fig)
	}

	test.Tap(b.live)
	if !s.cursor.Live() || b.label.Text != "Now" {
		t.Fatalf("after Live: cursor live %v, label %q", s.cursor.Live(), b.label.Text)
	}
	s.tabs.SelectIndex(tabModel)
	if got := labelTexts(s.insp.values); !strings.Contains(got, "900") || strings.Contains(got, "at 2026") {
		t.Errorf("values after Live:\n%s", got)
	}
	if s.charts.fig != nil && !s.charts.fig.Cursor.IsZero() {
		t.Errorf("the chart keeps a cursor after Live: %v", s.charts.fig.Cursor)
	}
}

// TestTimeSliderPlays plays from the start of the span at 600x: the
// cursor advances frame by frame and stops at the end of the span.
func TestTimeSliderPlays(t *testing.T) {
	test.NewTempApp(t)
	a := quietQuickstart(t, "play")
	t1 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	t2 := t1.Add(5 * time.Minute)
	sendValue(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", "600", t1)
	sendValue(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", "900", t2)
	s, _ := newStudioWindow(t, a)
	time.Sleep(1100 * time.Millisecond)
	b := s.timeBar
	b.refresh()
	steps := make(chan func(), 4)
	b.do = func(f func()) { steps <- f }
	b.speed.SetSelected("600x")
	test.Tap(b.play)
	if at, ok := s.cursor.At(); !ok || !at.Equal(t1) {
		t.Fatalf("play from live starts at %v (%v), want the span's start %v", at, ok, t1)
	}
	prev := t1
	deadline := time.After(10 * time.Second)
	for frames := 0; b.stop != nil; frames++ {
		select {
		case f := <-steps:
			f()
		case <-deadline:
			t.Fatalf("still playing after %d frames, at %v", frames, prev)
		}
		at, _ := s.cursor.At()
		if at.Before(prev) {
			t.Fatalf("the cursor went back from %v to %v", prev, at)
		}
		prev = at
	}
	if at, ok := s.cursor.At(); !ok || !at.Equal(t2) {
		t.Errorf("play stopped at %v (%v), want the span's end %v", at, ok, t2)
	}
	// 5 simulated minutes at 600x take about half a second: many frames,
	// each a small step.
	if b.play.Icon == nil || b.stop != nil {
		t.Errorf("still playing")
	}
}

// TestModelTabFollowsTimeSlider: with the slider in the past, the Model
// tab's JSON shows the values at its moment (a sensor's, a device's
// sensors', a space's) under a marker naming it; Live shows the current
// values again and hides the marker.
func TestModelTabFollowsTimeSlider(t *testing.T) {
	test.NewTempApp(t)
	a, t1, t2 := co2Hour(t, "modeltab")
	sensor := mustSensor(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE")
	err := a.Engine().Update(func(tx *engine.Tx) error {
		for _, v := range []engine.Value{{Value: "Free", Time: t1}, {Value: "Busy", Time: t2}} {
			if _, _, err := tx.SetSpaceValue(sensor.SpaceID, "Occupancy", v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newStudioWindow(t, a)
	s.tabs.SelectIndex(tabModel)
	mid := t1.Add(30 * time.Minute)
	shows := func(what, uid string, want, not []string, marker bool) {
		t.Helper()
		s.onSelected(uid)
		got := s.doc.label.Text
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: the document lacks %s:\n%s", what, w, got)
			}
		}
		for _, n := range not {
			if strings.Contains(got, n) {
				t.Errorf("%s: the document shows %s:\n%s", what, n, got)
			}
		}
		if s.doc.marker.Visible() != marker || marker && s.doc.marker.Text != "Values "+cursorText(mid) {
			t.Errorf("%s: marker %q visible %v, want visible %v", what, s.doc.marker.Text, s.doc.marker.Visible(), marker)
		}
	}
	now := []string{`"value": "900"`}
	then := []string{`"value": "600"`}
	shows("live sensor", sensorNode(sensor.ID), now, then, false)

	s.cursor.Set(mid) // as the slider does
	if got := s.doc.label.Text; !strings.Contains(got, `"value": "600"`) || !s.doc.marker.Visible() {
		t.Errorf("the Model tab did not follow the slider:\n%s", got)
	}
	shows("sensor then", sensorNode(sensor.ID), then, now, true)
	shows("device then", deviceNode(sensor.DeviceID), then, now, true)
	shows("space then", spaceNode(sensor.SpaceID), []string{`"value": "Free"`}, []string{`"value": "Busy"`}, true)

	s.cursor.Set(t1.Add(-time.Minute)) // before anything was recorded
	if got := s.doc.label.Text; strings.Contains(got, `"values"`) || strings.Contains(got, "Free") {
		t.Errorf("values before the first one:\n%s", got)
	}

	s.cursor.Set(time.Time{}) // Live
	shows("space live", spaceNode(sensor.SpaceID), []string{`"value": "Busy"`}, []string{`"value": "Free"`}, false)
	shows("sensor live", sensorNode(sensor.ID), now, then, false)
}
