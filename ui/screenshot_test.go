package ui

import (
	"flag"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/twinstudio/twinstudio/engine"
)

var screenshots = flag.String("screenshots", "", "write the documentation screenshots (studio.png, telemetry.png) to `DIR`")

// TestScreenshots renders the studio on the smart-office example, opened
// with its broker as the studio opens it, with Fyne's default theme: the
// Model tab with a sensor selected into DIR/studio.png, and the Telemetry
// tab after a few messages (one rejected) into DIR/telemetry.png. It runs
// only with -screenshots=DIR (make screenshots).
func TestScreenshots(t *testing.T) {
	if *screenshots == "" {
		t.Skip("run with -screenshots=DIR to write the documentation screenshots")
	}
	test.NewTempApp(t).Settings().SetTheme(variant{theme.DefaultTheme(), theme.VariantDark})
	// The project where `make run` keeps it, so that the status bar shows
	// the path a user sees.
	home := t.TempDir()
	t.Setenv("HOME", home)
	dir := filepath.Join(home, ".local", "share", "twinstudio")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	a, err := openWithBroker(filepath.Join(dir, "smart-office.twin"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.ProvisionFile(filepath.Join("..", "examples", "smart-office", "provision.yaml")); err != nil {
		t.Fatal(err)
	}
	s, w := newStudioWindow(t, a)
	s.Select(SensorNode(mustSensor(t, a, "SO-F1-R05-TEMPERATURE").ID))
	writePNG(t, filepath.Join(*screenshots, "studio.png"), w)

	// A few readings from room 5, as its device would send them, and one
	// for a sensor that does not exist.
	send := func(device, sensor, payload string) {
		_, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: SensorTopic(device, sensor),
			Payload: []byte(payload), QoS: 1, Username: device, Received: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, r := range []struct{ sensor, value string }{
		{"MOTION", "true"}, {"CARBONDIOXIDE", "612"}, {"TEMPERATURE", "21.5"}, {"LIGHT", "340"},
		{"TEMPERATURE", "21.7"}, {"CARBONDIOXIDE", "655"}, {"MOTION", "false"},
	} {
		dev := "SO-F1-R05"
		if i%2 == 1 {
			dev = "SO-F1-R03"
		}
		send(dev, dev+"-"+r.sensor, `{"SensorValue": "`+r.value+`"}`)
	}
	send("SO-F1-R05", "SO-F1-R05-NOISE", `{"SensorValue": "40"}`)
	waitFor(t, "the messages", func() bool {
		st := a.Pipeline().Stats()
		return st.Accepted == 7 && st.Rejected == 1
	}, func() string { return fmt.Sprintf("%+v %+v", a.Pipeline().Stats(), a.Pipeline().Rejections()) })
	s.tick()
	s.ShowTelemetry()
	s.tele.device.SetText("SO-F1-R05")
	s.tele.sensor.SetText("SO-F1-R05-TEMPERATURE")
	s.tele.value.SetText(`{"SensorValue": "22.0"}`)
	writePNG(t, filepath.Join(*screenshots, "telemetry.png"), w)
}

func writePNG(t *testing.T, path string, w fyne.Window) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, w.Canvas().Capture()); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s", path)
}

// variant is a theme fixed to one variant (the test app has no user
// preference).
type variant struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}
