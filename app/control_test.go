package app_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/twinstudio/twinstudio/app"
)

// echoRun answers a command line: "out TEXT" prints TEXT on stdout,
// "err TEXT" on stderr, "exit N" returns N; "wait" blocks until the
// context ends and prints why.
func echoRun(ctx context.Context, a *app.App, args []string, stdout, stderr io.Writer) int {
	code := 0
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "out":
			fmt.Fprintln(stdout, args[i+1]+" "+a.Name())
		case "err":
			fmt.Fprintln(stderr, args[i+1])
		case "exit":
			fmt.Sscan(args[i+1], &code)
		case "big":
			stdout.Write(bytes.Repeat([]byte("x"), 200_000))
		case "wait":
			fmt.Fprintln(stdout, "waiting")
			<-ctx.Done()
			fmt.Fprintln(stderr, ctx.Err())
		}
	}
	return code
}

func openControl(t *testing.T) (*app.App, string) {
	t.Helper()
	project := filepath.Join(t.TempDir(), "q.twin")
	a, err := app.Open(project, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, app.ControlPath(project)
}

func TestControlRunsCommands(t *testing.T) {
	a, path := openControl(t)
	stop, err := a.ServeControl(path, echoRun)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 || fi.Mode()&os.ModeSocket == 0 {
		t.Fatalf("socket %s: %v %v, want a socket with mode 0600", path, fi.Mode(), err)
	}
	cases := []struct {
		args          []string
		out, err      string
		code, bigSize int
	}{
		{[]string{"out", "hello"}, "hello q\n", "", 0, 0},
		{[]string{"err", "bad", "exit", "1"}, "", "bad\n", 1, 0},
		{[]string{"out", "a", "err", "b", "exit", "2"}, "a q\n", "b\n", 2, 0},
		{[]string{"big", "-"}, "", "", 0, 200_000},
		{nil, "", "", 0, 0},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code, err := app.DialControl(path, c.args, &out, &errb)
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if c.bigSize > 0 {
			if out.Len() != c.bigSize {
				t.Errorf("%v: %d bytes on stdout, want %d", c.args, out.Len(), c.bigSize)
			}
		} else if out.String() != c.out || errb.String() != c.err || code != c.code {
			t.Errorf("%v: %q %q %d, want %q %q %d", c.args, out.String(), errb.String(), code, c.out, c.err, c.code)
		}
	}
	// Concurrent clients each get their own answer.
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var out bytes.Buffer
			code, err := app.DialControl(path, []string{"out", fmt.Sprint(i), "exit", fmt.Sprint(i)}, &out, io.Discard)
			if err != nil || code != i || out.String() != fmt.Sprintf("%d q\n", i) {
				t.Errorf("client %d: %q %d %v", i, out.String(), code, err)
			}
		}()
	}
	wg.Wait()
	if !app.ControlListening(path) {
		t.Error("ControlListening: false while serving")
	}
	stop()
	if app.ControlListening(path) {
		t.Error("ControlListening: true after stop")
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the socket outlived stop: %v", err)
	}
	if _, err := app.DialControl(path, []string{"out", "x"}, io.Discard, io.Discard); !errors.Is(err, app.ErrNoControl) {
		t.Errorf("dial after stop: %v, want ErrNoControl", err)
	}
}

// TestControlStopCancels: stop cancels the running commands' context and
// waits for them.
func TestControlStopCancels(t *testing.T) {
	a, path := openControl(t)
	stop, err := a.ServeControl(path, echoRun)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	pr, pw := io.Pipe()
	go func() {
		var errb bytes.Buffer
		app.DialControl(path, []string{"wait", "-"}, pw, &errb)
		pw.Close()
		done <- errb.String()
	}()
	// The command has started once it said so.
	if line, err := bufio.NewReader(pr).ReadString('\n'); line != "waiting\n" {
		t.Fatalf("%q %v", line, err)
	}
	go io.Copy(io.Discard, pr)
	stop()
	if got := <-done; got != "context canceled\n" {
		t.Errorf("the waiting command said %q", got)
	}
}

// TestControlStale: a socket file whose server is gone is not a server
// (ErrNoControl), and a new server replaces it.
func TestControlStale(t *testing.T) {
	a, path := openControl(t)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("no stale socket: %v", err)
	}
	if _, err := app.DialControl(path, []string{"out", "x"}, io.Discard, io.Discard); !errors.Is(err, app.ErrNoControl) {
		t.Errorf("dial a stale socket: %v, want ErrNoControl", err)
	}
	stop, err := a.ServeControl(path, echoRun)
	if err != nil {
		t.Fatalf("serving over a stale socket: %v", err)
	}
	defer stop()
	var out bytes.Buffer
	if code, err := app.DialControl(path, []string{"out", "x"}, &out, io.Discard); err != nil || code != 0 || out.String() != "x q\n" {
		t.Errorf("%q %d %v", out.String(), code, err)
	}
	// A regular file is not a socket.
	file := filepath.Join(t.TempDir(), "f.sock")
	os.WriteFile(file, nil, 0o600)
	if _, err := app.DialControl(file, nil, io.Discard, io.Discard); !errors.Is(err, app.ErrNoControl) {
		t.Errorf("dial a regular file: %v", err)
	}
}

func TestControlPath(t *testing.T) {
	dir := t.TempDir()
	long := filepath.Join(dir, strings.Repeat("d", 120), "q.twin")
	cases := []struct {
		project string
		want    func(string) bool
	}{
		{filepath.Join(dir, "q.twin"), func(p string) bool { return p == filepath.Join(dir, ".q.twin.sock") }},
		{long, func(p string) bool {
			return filepath.Dir(p) == os.TempDir() && strings.HasPrefix(filepath.Base(p), "twin-") && len(p) < 104
		}},
	}
	for _, c := range cases {
		if got := app.ControlPath(c.project); !c.want(got) {
			t.Errorf("ControlPath(%s) = %s", c.project, got)
		}
	}
	// The same project from another working directory, or relative, gives
	// the same path; another project another.
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(dir)
	if got, want := app.ControlPath("q.twin"), app.ControlPath(filepath.Join(dir, "q.twin")); got != want {
		t.Errorf("relative %s, absolute %s", got, want)
	}
	if app.ControlPath(long) == app.ControlPath(long+"2") {
		t.Error("two long projects share a socket")
	}
	if app.ControlPath(long) != app.ControlPath(long) {
		t.Error("not deterministic")
	}
}
