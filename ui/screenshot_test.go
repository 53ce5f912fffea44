package ui

import (
	"flag"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"

	"github.com/twinstudio/twinstudio/app"
)

var screenshots = flag.String("screenshots", "", "write the documentation screenshots (studio.png) to `DIR`")

// TestScreenshots renders the studio on the smart-office example into
// DIR/studio.png with Fyne's default theme. It runs only with
// -screenshots=DIR (make screenshots).
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
	a, err := app.Open(filepath.Join(dir, "smart-office.twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if _, err := a.ProvisionFile(filepath.Join("..", filepath.FromSlash(ExampleFile))); err != nil {
		t.Fatal(err)
	}
	s, w := newStudioWindow(t, a)
	s.Select(SensorNode(mustSensor(t, a, "SO-F1-R05-TEMPERATURE").ID))
	writePNG(t, filepath.Join(*screenshots, "studio.png"), w)
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
