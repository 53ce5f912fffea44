package ui

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

func TestOpenProject_givenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.twin")
	a, scenario, err := OpenProject(path)
	if err != nil || scenario != "" {
		t.Fatal(err, scenario)
	}
	defer a.Close()
	if a.Path() != path || a.Engine().Stats().Spaces != 0 {
		t.Errorf("path %s, %d spaces", a.Path(), a.Engine().Stats().Spaces)
	}
}

// The first start installs the bundled example in the data folder, from
// the binary (no checkout needed), and later starts keep the user's edits.
func TestOpenProject_firstStartInstallsTheExample(t *testing.T) {
	data := t.TempDir()
	t.Setenv("TWINSTUDIO_DATA", data)
	t.Chdir(t.TempDir()) // no examples/ folder around

	a, scenario, err := OpenProject("")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(data, "smart-office", "smart-office.twin"); a.Path() != want {
		t.Errorf("path %s, want %s", a.Path(), want)
	}
	if want := filepath.Join(data, "smart-office", "week.yaml"); scenario != want {
		t.Errorf("scenario %s, want %s", scenario, want)
	}
	if _, err := os.Stat(scenario); err != nil {
		t.Error(err)
	}
	if n := a.Engine().Stats().Spaces; n != 64 {
		t.Errorf("%d spaces, want the smart office's 64", n)
	}
	// An edit survives the next start.
	s := New(a, nil)
	s.stopPolling() // the test driver would run the poll's redraws on its goroutine, beside this one
	if err := s.edits.add(engine.KindSpace, addFields{name: "Annex", typ: "Venue"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	a, _, err = OpenProject("")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if n := a.Engine().Stats().Spaces; n != 65 {
		t.Errorf("%d spaces on reopening, want 65 (the example and the annex)", n)
	}
}

func TestDataDir(t *testing.T) {
	t.Setenv("TWINSTUDIO_DATA", "")
	t.Setenv("XDG_DATA_HOME", "/x/data")
	if d, _ := dataDir(); d != "/x/data/twinstudio" {
		t.Errorf("XDG: %s", d)
	}
	t.Setenv("XDG_DATA_HOME", "")
	t.Setenv("HOME", "/home/u")
	if d, _ := dataDir(); d != "/home/u/.local/share/twinstudio" {
		t.Errorf("home: %s", d)
	}
	t.Setenv("TWINSTUDIO_DATA", "/d")
	if d, _ := dataDir(); d != "/d" {
		t.Errorf("TWINSTUDIO_DATA: %s", d)
	}
}

func TestOpenProject_brokerFallsBackToAFreePort(t *testing.T) {
	// Hold defaultBrokerAddr (unless something else already does).
	if l, err := net.Listen("tcp", defaultBrokerAddr); err == nil {
		defer l.Close()
	}
	a, _, err := OpenProject(filepath.Join(t.TempDir(), "busy.twin"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	addr := a.Broker().Addr()
	if addr == defaultBrokerAddr || !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("broker on %s, want a free port of 127.0.0.1", addr)
	}
}
