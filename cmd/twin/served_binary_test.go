package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
)

// TestServedBinary runs the real twin binary: twin serve in its own
// process, twin get through it, then the server killed (its socket left
// behind) and twin get on the file; a stopped server removes its socket.
func TestServedBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "twin")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "build", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	_, project := provisioned(t)
	socket := app.ControlPath(project)
	want, _, _ := twin(t, "get", "--project", project, "1234567890AB")
	get := func() (string, string, error) {
		var out, errb bytes.Buffer
		cmd := exec.Command(bin, "get", "--project", project, "1234567890AB")
		cmd.Stdout, cmd.Stderr = &out, &errb
		err := cmd.Run()
		return out.String(), errb.String(), err
	}
	serve := func() *exec.Cmd {
		cmd := exec.Command(bin, "serve", "--project", project, "--mqtt", "127.0.0.1:0")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		for deadline := time.Now().Add(15 * time.Second); !app.ControlListening(socket); time.Sleep(20 * time.Millisecond) {
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatal("twin serve did not listen")
			}
		}
		return cmd
	}
	srv := serve()
	if out, stderr, err := get(); err != nil || out != want {
		t.Errorf("through the server: %v %q %q", err, out, stderr)
	}
	srv.Process.Kill()
	srv.Wait()
	if _, err := os.Stat(socket); err != nil {
		t.Fatalf("a killed server should leave its socket for this test: %v", err)
	}
	if out, stderr, err := get(); err != nil || out != want || strings.Contains(stderr, "twin:") {
		t.Errorf("with a stale socket: %v %q %q", err, out, stderr)
	}
	srv = serve()
	srv.Process.Signal(syscall.SIGTERM)
	if err := srv.Wait(); err != nil {
		t.Errorf("twin serve after SIGTERM: %v", err)
	}
	if _, err := os.Stat(socket); !os.IsNotExist(err) {
		t.Errorf("the socket outlived a stopped server: %v", err)
	}
}
