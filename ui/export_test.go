package ui

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/twinstudio/twinstudio/app"
)

// File ▸ Export Provisioning YAML… (Ctrl+E) writes the project as a
// provisioning file with its script beside it; that file gives the same
// graph; a second export overwrites only when told to.
func TestFiles_ExportYAML(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenExample(t, "quickstart", "quickstart")
	s, w := newStudioWindow(t, a)
	defer s.Close()

	var item *fyne.MenuItem
	for _, m := range w.MainMenu().Items {
		for _, it := range m.Items {
			if it.Label == "Export Provisioning YAML…" {
				item = it
			}
		}
	}
	if item == nil || item.Shortcut == nil || item.Shortcut.ShortcutName() != "CustomDesktop:Control+E" {
		t.Fatalf("no File ▸ Export Provisioning YAML… with Ctrl+E: %+v", item)
	}

	dir := t.TempDir()
	if err := s.files.exportYAML(filepath.Join(dir, "q"), false); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "q.yaml")
	if _, err := os.Stat(filepath.Join(dir, "udfs", "motion-processor.js")); err != nil {
		t.Error(err)
	}
	if got := s.status.shownMessage(); got != "Exported to "+out {
		t.Errorf("status %q", got)
	}
	b, err := app.Open(filepath.Join(dir, "b.twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := b.ProvisionFile(out); err != nil {
		t.Fatal(err)
	}
	var x, y strings.Builder
	if err := a.ExportYAML(&x); err != nil {
		t.Fatal(err)
	}
	if err := b.ExportYAML(&y); err != nil {
		t.Fatal(err)
	}
	if x.String() != y.String() {
		t.Error("the exported file gives another graph")
	}

	if err := s.files.exportYAML(out, false); !errors.Is(err, app.ErrFileExists) {
		t.Errorf("a second export without force: %v", err)
	}
	if err := s.files.exportYAML(out, true); err != nil {
		t.Errorf("with force: %v", err)
	}
	// A failure reaches the error path: a folder cannot be made where a
	// file is.
	os.WriteFile(filepath.Join(dir, "file"), nil, 0o644)
	s.files.exportAsked(filepath.Join(dir, "file", "x.yaml"))
	if s.lastErr == nil {
		t.Error("a failed export reported nothing")
	}
}
