package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// mustOpenExample opens a new project named name.twin in t.TempDir(),
// provisioned from examples/<example>/provision.yaml, and closes it when
// the test ends.
func mustOpenExample(t testing.TB, name, example string) *app.App {
	t.Helper()
	a, err := app.Open(filepath.Join(t.TempDir(), name+".twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Error(err)
		}
	})
	if _, err := a.ProvisionFile(filepath.Join("..", "examples", example, "provision.yaml")); err != nil {
		t.Fatal(err)
	}
	return a
}

// mustOpenWithBroker opens a new project like mustOpenExample, with the
// embedded broker on a free port of 127.0.0.1 and the studio's log size.
func mustOpenWithBroker(t testing.TB, name, example string) *app.App {
	t.Helper()
	a, err := app.Open(filepath.Join(t.TempDir(), name+".twin"), app.Options{
		Broker:   &app.BrokerOptions{Addr: "127.0.0.1:0"},
		Pipeline: engine.PipelineOptions{Recent: logSize},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := a.Close(); err != nil {
			t.Error(err)
		}
	})
	if _, err := a.ProvisionFile(filepath.Join("..", "examples", example, "provision.yaml")); err != nil {
		t.Fatal(err)
	}
	return a
}

// mustOpenEmpty opens a new, empty project in t.TempDir().
func mustOpenEmpty(t testing.TB) *app.App {
	t.Helper()
	a, err := app.Open(filepath.Join(t.TempDir(), "empty.twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// assertGolden compares got with testdata/name. On a difference (or no
// master yet) it writes got to testdata/failed/name, which can be reviewed
// and copied over the master.
func assertGolden(t testing.TB, name, got string) {
	t.Helper()
	want, err := os.ReadFile(filepath.Join("testdata", name))
	if err == nil && string(want) == got {
		return
	}
	failed := filepath.Join("testdata", "failed", name)
	if err := os.MkdirAll(filepath.Dir(failed), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(failed, []byte(got), 0o644); err != nil {
		t.Fatal(err)
	}
	if err != nil {
		t.Errorf("no master testdata/%s (%v); wrote %s", name, err, failed)
		return
	}
	t.Errorf("%s differs from testdata/%s; wrote it to %s", name, name, failed)
}

// newStudioWindow builds the studio for a in a headless 1280x800 test
// window. Its polling is stopped, since the test driver would run redraws
// on the poller's goroutine: tests call tick to poll.
func newStudioWindow(t testing.TB, a *app.App) (*Studio, fyne.Window) {
	t.Helper()
	w := test.NewWindow(nil)
	t.Cleanup(w.Close)
	w.Resize(fyne.NewSize(1280, 800))
	s := New(a, w)
	s.stopPolling() // tests drive the studio with tick
	s.manual = true // also after opening another project
	w.Resize(fyne.NewSize(1280, 800))
	return s, w
}

// waitFor polls cond until it holds, failing the test after 5 seconds.
// more, if given, says what there is instead.
func waitFor(t testing.TB, what string, cond func() bool, more ...func() string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			for _, m := range more {
				what += "; " + m()
			}
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// mustFind returns the node whose tree label is label, searching the whole
// graph depth first.
func mustFind(t testing.TB, m *viewModel, label string) string {
	t.Helper()
	var walk func(uid string) string
	walk = func(uid string) string {
		for _, c := range m.childNodes(uid) {
			if m.label(c) == label {
				return c
			}
			if f := walk(c); f != "" {
				return f
			}
		}
		return ""
	}
	uid := walk("")
	if uid == "" {
		t.Fatalf("no node labelled %q", label)
	}
	return uid
}

// mustSensor returns the sensor with hardware id hw.
func mustSensor(t testing.TB, a *app.App, hw string) *engine.Sensor {
	t.Helper()
	var s *engine.Sensor
	_ = a.Engine().View(func(v *engine.View) error {
		s, _ = v.SensorByHardwareID(hw)
		return nil
	})
	if s == nil {
		t.Fatalf("no sensor %s", hw)
	}
	return s
}

// visibleLabels returns the labels drawn inside o, in drawing order.
func visibleLabels(o fyne.CanvasObject) []*widget.Label {
	var out []*widget.Label
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		switch x := o.(type) {
		case *widget.Label:
			out = append(out, x)
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
	return out
}

// texts returns the texts of labels.
func texts(ls []*widget.Label) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.Text
	}
	return out
}

// tapLabel taps the window where the label reading text is drawn inside o,
// as a user clicking it would.
func tapLabel(t testing.TB, w fyne.Window, o fyne.CanvasObject, text string) {
	t.Helper()
	for _, l := range visibleLabels(o) {
		if l.Text == text {
			pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(l)
			test.TapCanvas(w.Canvas(), pos.Add(fyne.NewPos(l.Size().Width/2, l.Size().Height/2)))
			return
		}
	}
	t.Fatalf("no label %q on screen; have %q", text, texts(visibleLabels(o)))
}

// inspected returns the inspector's fields as shown, label → text.
func inspected(s *Studio) map[string]string {
	out := map[string]string{}
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		c, ok := o.(*fyne.Container)
		if !ok || !c.Visible() {
			return
		}
		for i := 0; i+1 < len(c.Objects); i += 2 {
			k, ok := c.Objects[i].(*widget.Label)
			if !ok {
				continue
			}
			switch v := c.Objects[i+1].(type) {
			case *widget.Label:
				out[k.Text] = v.Text
			case *fyne.Container:
				if len(v.Objects) > 0 {
					switch f := v.Objects[0].(type) {
					case *fieldEntry:
						out[k.Text] = f.Text
					case *widget.Select:
						out[k.Text] = f.Selected
					}
				}
			}
		}
		for _, x := range c.Objects {
			walk(x)
		}
	}
	for _, o := range s.insp.body.Objects {
		walk(o)
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsPrefix(list []string, prefix string) bool {
	for _, x := range list {
		if strings.HasPrefix(x, prefix) {
			return true
		}
	}
	return false
}
