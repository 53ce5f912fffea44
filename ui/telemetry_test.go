package ui

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/engine"
)

// logShown returns the telemetry log's rows as drawn, cells joined by " | ".
func logShown(s *Studio) []string {
	var out []string
	for _, l := range visibleLabels(s.tele.log) {
		out = append(out, l.Text)
	}
	return out
}

func TestTelemetry_publishPanelSendsAMessage(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenWithBroker(t, "quickstart", "quickstart")
	s, _ := newStudioWindow(t, a)
	s.showTelemetry()

	// The device list shows the Raspberry Pi, not connected.
	if shown := texts(visibleLabels(s.tele.devs.list)); !contains(shown, "1234567890AB · disconnected") {
		t.Errorf("device list %q", shown)
	}

	test.Type(s.tele.pub.device, "1234567890AB")
	test.Type(s.tele.pub.sensor, "SAMPLE_SENSOR_CARBONDIOXIDE")
	// Picking the sensor filled in its sample payload; replace it. The
	// quickstart's UDF reads {"SensorValue": …} and sets the value.
	s.tele.pub.value.SetText("")
	test.Type(s.tele.pub.value, `{"SensorValue": "612"}`)
	test.Tap(s.tele.pub.send)
	if got := s.tele.pub.result.Text; !strings.Contains(got, "devices/1234567890AB/sensors/SAMPLE_SENSOR_CARBONDIOXIDE") {
		t.Errorf("publish result %q", got)
	}

	sensor := mustSensor(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE")
	waitFor(t, "the value", func() bool {
		var v engine.Value
		_ = a.Engine().View(func(vw *engine.View) error { v, _ = vw.SensorValue(sensor.ID); return nil })
		return v.Value == "612"
	}, func() string {
		return fmt.Sprintf("recent %+v rejections %+v", a.Pipeline().Recent(), a.Pipeline().Rejections())
	})
	s.tick()
	shown := logShown(s)
	for _, want := range []string{"1234567890AB", "SAMPLE_SENSOR_CARBONDIOXIDE", "612", "accepted"} {
		if !contains(shown, want) {
			t.Errorf("log does not show %q; shows %q", want, shown)
		}
	}
	if got := s.tele.count.Text; got != "1 message" {
		t.Errorf("log count %q", got)
	}

	// The filter hides what does not match and keeps what does.
	test.Type(s.tele.filter, "nosuch")
	if n := len(s.tele.shown); n != 0 {
		t.Errorf("%d entries shown for a filter that matches none", n)
	}
	s.tele.filter.SetText("carbon")
	if n := len(s.tele.shown); n != 1 {
		t.Errorf("%d entries shown for filter carbon", n)
	}
}

func TestTelemetry_rejectedMessage(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenWithBroker(t, "quickstart", "quickstart")
	s, _ := newStudioWindow(t, a)

	// The status bar names the broker's real address.
	status := texts(visibleLabels(s.status.content))
	if want := "MQTT " + a.Broker().Addr() + " · 0 devices connected"; !contains(status, want) {
		t.Errorf("status bar %q, want %q", status, want)
	}
	if !contains(status, "0 msg/s") {
		t.Errorf("status bar %q", status)
	}

	s.showTelemetry()
	test.Type(s.tele.pub.device, "1234567890AB")
	test.Type(s.tele.pub.sensor, "NO_SUCH_SENSOR")
	test.Type(s.tele.pub.value, "1")
	test.Tap(s.tele.pub.send)
	waitFor(t, "the rejection", func() bool { return a.Pipeline().Stats().Rejected == 1 })
	// And one accepted message, which the rejections filter hides.
	s.tele.pub.sensor.SetText("SAMPLE_SENSOR_MOTION")
	test.Tap(s.tele.pub.send)
	waitFor(t, "the message", func() bool { return a.Pipeline().Stats().Accepted == 1 })
	s.tick()

	shown := logShown(s)
	if !contains(shown, "NO_SUCH_SENSOR") || !containsPrefix(shown, "rejected: unknown sensor") {
		t.Errorf("log does not show the rejection; shows %q", shown)
	}
	if got := s.status.rejected.Text; got != "1 rejected" {
		t.Errorf("status rejected %q", got)
	}

	// Clicking the rejected count shows the rejections only.
	s.tabs.SelectIndex(tabModel)
	tapButton(t, s.status.content, "1 rejected")
	if s.tabs.SelectedIndex() != tabTelemetry || !s.tele.rejected.Checked {
		t.Fatalf("tab %d, rejected only %v", s.tabs.SelectedIndex(), s.tele.rejected.Checked)
	}
	if len(s.tele.shown) != 1 || !s.tele.shown[0].Rejected || !strings.Contains(s.tele.shown[0].Reason, "no sensor NO_SUCH_SENSOR") {
		t.Errorf("shown %+v", s.tele.shown)
	}
}

func TestMergeLog_newestFirstAndBounded(t *testing.T) {
	var recent []engine.RecentMessage
	var rejects []engine.Rejection
	base := mustTime(t)
	for i := 0; i < 400; i++ {
		recent = append(recent, engine.RecentMessage{Time: base.Add(timeStep(2 * i)), Device: "D", Sensor: "S", Value: "v"})
		rejects = append(rejects, engine.Rejection{Time: base.Add(timeStep(2*i + 1)), Device: "D", Topic: "devices/D/sensors/X", Reason: "unknown sensor"})
	}
	log := mergeLog(recent, rejects, logSize)
	if len(log) != logSize {
		t.Fatalf("%d entries", len(log))
	}
	if !log[0].Rejected || log[0].Sensor != "X" || !log[0].Time.Equal(base.Add(timeStep(799))) {
		t.Errorf("newest %+v", log[0])
	}
	for i := 1; i < len(log); i++ {
		if log[i].Time.After(log[i-1].Time) {
			t.Fatalf("entry %d is newer than %d", i, i-1)
		}
	}
}

func mustTime(t *testing.T) time.Time {
	t.Helper()
	return time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
}

func timeStep(i int) time.Duration { return time.Duration(i) * time.Millisecond }

// tapButton taps the visible button reading text inside o.
func tapButton(t testing.TB, o fyne.CanvasObject, text string) {
	t.Helper()
	var found *widget.Button
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if found != nil || !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *widget.Button:
			if x.Text == text {
				found = x
			}
		case *fyne.Container:
			for _, c := range x.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(x).Objects() {
				walk(c)
			}
		}
	}
	walk(o)
	if found == nil {
		t.Fatalf("no button %q", text)
	}
	test.Tap(found)
}

func TestLogTime(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.Local)
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 11, 26, 9, 41, 7, 250e6, time.Local), "09:41:07.250"},
		{time.Date(2026, 3, 2, 9, 41, 7, 250e6, time.Local), "Mar 02 09:41:07"},
		{time.Date(2025, 11, 26, 9, 41, 7, 0, time.Local), "Nov 26 09:41:07"},
	} {
		if got := logTime(c.t, now); got != c.want {
			t.Errorf("LogTime(%v) = %q, want %q", c.t, got, c.want)
		}
	}
}

// Picking a sensor in the publish panel fills in the sample payload of its
// data type, in the form the example UDFs read; what was typed stays, and
// the sample sent gives the room its state.
func TestPublishPanel_samplePayload(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenWithBroker(t, "quickstart", "quickstart")
	s, _ := newStudioWindow(t, a)
	s.showTelemetry()
	p := s.tele.pub
	test.Type(p.device, "1234567890AB")
	p.sensor.SetText("SAMPLE_SENSOR_CARBONDIOXIDE")
	if p.value.Text != `{"SensorValue":"812"}` {
		t.Fatalf("CO2 payload %q", p.value.Text)
	}
	test.Tap(p.send)
	p.sensor.SetText("SAMPLE_SENSOR_MOTION")
	if p.value.Text != `{"SensorValue":"true"}` {
		t.Fatalf("motion payload %q", p.value.Text)
	}
	test.Tap(p.send)
	waitFor(t, "the messages", func() bool { return a.Pipeline().Stats().Accepted == 2 })
	var room string
	_ = a.Engine().View(func(v *engine.View) error {
		id, _ := v.ResolveSpace("/Quickstart Building/Floor 1/Focus Room A1")
		val, _ := v.SpaceValue(id, "AvailableAndFresh")
		room = val.Value
		return nil
	})
	if room != "Room is not available or air quality is poor" {
		t.Errorf("the room's AvailableAndFresh is %q after the sample payloads", room)
	}
	p.value.SetText("17")
	p.sensor.SetText("SAMPLE_SENSOR_CARBONDIOXIDE")
	if p.value.Text != "17" {
		t.Errorf("the typed payload was replaced by %q", p.value.Text)
	}
}
