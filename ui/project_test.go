package ui

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenProject_givenFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "new.twin")
	a, warning, err := OpenProject(path)
	if err != nil || warning != nil {
		t.Fatal(err, warning)
	}
	defer a.Close()
	if a.Path() != path || a.Engine().Stats().Spaces != 0 {
		t.Errorf("path %s, %d spaces", a.Path(), a.Engine().Stats().Spaces)
	}
}

func TestOpenProject_defaultProvisionsTheExample(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Chdir("..") // the repository root, where examples/ is

	a, warning, err := OpenProject("")
	if err != nil || warning != nil {
		t.Fatal(err, warning)
	}
	if want := filepath.Join(home, ".local/share/twinstudio/smart-office.twin"); a.Path() != want {
		t.Errorf("path %s, want %s", a.Path(), want)
	}
	if n := a.Engine().Stats().Spaces; n != 64 {
		t.Errorf("%d spaces, want the smart office's 64", n)
	}
	a.Close()

	// Opening it again finds the example already there.
	a, warning, err = OpenProject("")
	if err != nil || warning != nil {
		t.Fatal(err, warning)
	}
	if n := a.Engine().Stats().Spaces; n != 64 {
		t.Errorf("%d spaces on reopening", n)
	}
	a.Close()
}

func TestOpenProject_exampleNotFound(t *testing.T) {
	a := mustOpenEmpty(t)
	dir := t.TempDir()
	err := provisionExample(a, []string{dir})
	if err == nil || !strings.Contains(err.Error(), "smart-office example was not found") || !strings.Contains(err.Error(), dir) {
		t.Errorf("warning %v", err)
	}
	if a.Engine().Stats().Spaces != 0 {
		t.Error("spaces appeared")
	}

	// A broken example is reported, and nothing of it is applied.
	bad := filepath.Join(dir, filepath.FromSlash(ExampleFile))
	if err := os.MkdirAll(filepath.Dir(bad), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte("- name: A\n  type: NoSuchType\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := provisionExample(a, []string{dir}); err == nil || !strings.Contains(err.Error(), "provision the smart-office example") {
		t.Errorf("warning %v", err)
	}
	if a.Engine().Stats().Spaces != 0 {
		t.Error("spaces appeared from a broken example")
	}
}

func TestOpenProject_brokerFallsBackToAFreePort(t *testing.T) {
	// Hold BrokerAddr (unless something else already does).
	if l, err := net.Listen("tcp", BrokerAddr); err == nil {
		defer l.Close()
	}
	a, warning, err := OpenProject(filepath.Join(t.TempDir(), "busy.twin"))
	if err != nil || warning != nil {
		t.Fatal(err, warning)
	}
	defer a.Close()
	addr := a.Broker().Addr()
	if addr == BrokerAddr || !strings.HasPrefix(addr, "127.0.0.1:") {
		t.Errorf("broker on %s, want a free port of 127.0.0.1", addr)
	}
}
