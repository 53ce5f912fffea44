package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
)

// serving runs 'twin serve' on project in this process until the test
// ends, and waits for its control socket.
func serving(t *testing.T, project string, extra ...string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	old := serveContext
	// Each serve gets its own child: a second, refused serve's stop must
	// not stop this one.
	serveContext = func() (context.Context, context.CancelFunc) { return context.WithCancel(ctx) }
	var wg sync.WaitGroup
	var stderr bytes.Buffer
	wg.Add(1)
	go func() {
		defer wg.Done()
		run(append([]string{"serve", "--project", project, "--mqtt", "127.0.0.1:0"}, extra...), &bytes.Buffer{}, &stderr)
	}()
	t.Cleanup(func() {
		cancel()
		wg.Wait()
		serveContext = old
		if _, err := os.Stat(app.ControlPath(project)); !os.IsNotExist(err) {
			t.Errorf("the control socket outlived twin serve: %v", err)
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("unix", app.ControlPath(project)); err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("twin serve did not listen on %s", app.ControlPath(project))
		}
	}
}

// TestCLIReachesServer: while twin serve holds the project, get, query,
// udf list, matcher evaluate … print what they print without the server,
// through it; the edits it makes are the server's; what cannot run
// through it is refused in one line.
func TestCLIReachesServer(t *testing.T) {
	dir, project := provisioned(t)
	reads := [][]string{
		{"get", "--project", project, "/Quickstart Building/Floor 1/Focus Room A1"},
		{"get", "--project", project, "SAMPLE_SENSOR_MOTION", "-o", "json"},
		{"query", "--project", project, "--kind", "sensors"},
		{"query", "--project", project, "-o", "yaml"},
		{"udf", "list", "--project", project},
		{"matcher", "list", "--project", project, "-o", "json"},
		{"matcher", "evaluate", "--project", project, "--matcher", "Matcher Motion A1", "--sensor", "SAMPLE_SENSOR_CARBONDIOXIDE"},
		{"history", "--project", project, "SAMPLE_SENSOR_MOTION"},
		{"device", "key", "--project", project, "1234567890AB"},
		{"token", "list", "--project", project},
		{"retention", "--project", project},
		{"get", "--project", project, "NOPE"},
	}
	type result struct {
		out, err string
		code     int
	}
	alone := make([]result, len(reads))
	for i, args := range reads {
		out, stderr, code := twin(t, args...)
		alone[i] = result{out, stderr, code}
	}
	serving(t, project)
	for i, args := range reads {
		out, stderr, code := twin(t, args...)
		if got := (result{out, stderr, code}); got != alone[i] {
			t.Errorf("%v through the server: %+v\nwithout it: %+v", args, got, alone[i])
		}
	}
	// The relative project and TWIN_PROJECT name the same project.
	plain, _, _ := twin(t, "query", "--project", project)
	wd, _ := os.Getwd()
	t.Cleanup(func() { os.Chdir(wd) })
	os.Chdir(dir)
	t.Setenv("TWIN_PROJECT", "q.twin")
	if out, stderr, code := twin(t, "query"); code != 0 || out != plain {
		t.Errorf("TWIN_PROJECT through the server: exit %d %q %q", code, out, stderr)
	}
	// Edits go to the served project: a token made through the server is
	// listed, and a script set from a relative file name.
	secret, stderr, code := twin(t, "token", "create", "--principal", "ops", "--role", "SpaceAdministrator", "--path", "/Quickstart Building", "--name", "ops1")
	if code != 0 || !strings.HasPrefix(secret, "twn_") || strings.Count(secret, "\n") != 1 || !strings.Contains(stderr, "token ops1") {
		t.Fatalf("token create through the server: exit %d %q %q", code, secret, stderr)
	}
	if out, _, _ := twin(t, "token", "list"); !strings.Contains(out, "ops1") || strings.Contains(out, "twn_") {
		t.Errorf("token list through the server: %q", out)
	}
	os.WriteFile(filepath.Join(dir, "m.js"), []byte("function process(telemetry, executionContext) {}\n"), 0o644)
	if out, stderr, code := twin(t, "udf", "set", "Motion Processor", "m.js"); code != 0 || !strings.Contains(out, "script replaced with") {
		t.Errorf("udf set through the server: exit %d %q %q", code, out, stderr)
	}
	// Provisioning goes to the served project: a file naming its script
	// relative to its own folder, given by a relative name.
	os.WriteFile(filepath.Join(dir, "more.yaml"), []byte("- name: Annex\n  type: Venue\n  userdefinedfunctions:\n  - name: Annex Function\n    script: m.js\n"), 0o644)
	if out, stderr, code := twin(t, "provision", "more.yaml"); code != 0 || !strings.Contains(out, "provisioned "+filepath.Join(dir, "more.yaml")) {
		t.Errorf("provision through the server: exit %d %q %q", code, out, stderr)
	}
	if out, stderr, code := twin(t, "get", "/Annex"); code != 0 || !strings.Contains(out, "Annex") {
		t.Errorf("the provisioned space through the server: exit %d %q %q", code, out, stderr)
	}
	if out, _, code := twin(t, "provision", "more.yaml"); code != 0 || !strings.Contains(out, "0 created") {
		t.Errorf("provisioning again through the server: exit %d %q", code, out)
	}
	// A bad file is refused before it reaches the server, and changes nothing.
	os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("- name: Other\n  type: Spaceship\n"), 0o644)
	if _, stderr, code := twin(t, "provision", "bad.yaml"); code != 1 || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "bad.yaml:2") {
		t.Errorf("a bad file through the server: exit %d %q", code, stderr)
	}
	if _, _, code := twin(t, "get", "/Other"); code == 0 {
		t.Error("a refused file left a space behind")
	}
	// A retention setting made through the server is the server's.
	if out, stderr, code := twin(t, "retention", "--keep-count", "5000"); code != 0 || !strings.Contains(out, "keep-count: 5000") {
		t.Errorf("retention through the server: exit %d %q %q", code, out, stderr)
	}
	if out, _, _ := twin(t, "retention"); !strings.Contains(out, "keep-count: 5000") {
		t.Errorf("retention after the change: %q", out)
	}
	// A simulation runs on a copy the server makes, and leaves the served
	// project as it was.
	os.WriteFile(filepath.Join(dir, "hour.yaml"), []byte("name: hour\nseed: 1\nstart: 2026-03-02T08:00:00Z\nduration: 1h\nstep: 1m\nreport: 10m\nspaces:\n- path: /Quickstart Building\n  people: 2\n"), 0o644)
	before, _, _ := twin(t, "export", "--format", "csv") // the value history
	out, stderr, code := twin(t, "simulate", "--scenario", "hour.yaml")
	if code != 0 || !strings.Contains(out, "ran on a temporary copy of q.twin") {
		t.Errorf("simulate while served: exit %d %q %q", code, out, stderr)
	}
	if after, _, _ := twin(t, "export", "--format", "csv"); after != before {
		t.Errorf("a simulation on a copy changed the served project's history: %d bytes, %d before", len(after), len(before))
	}
	// What needs the file to itself is refused, in one line.
	for _, args := range [][]string{
		{"serve", "--project", project, "--mqtt", "127.0.0.1:0"},
		{"simulate", "--project", project, "--in-place", "--scenario", filepath.Join(wd, "testdata/simulate_small.yaml")},
	} {
		out, stderr, code := twin(t, args...)
		if code != 1 || out != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "another process") && !strings.Contains(stderr, "running twin serve") {
			t.Errorf("%v while served: exit %d %q %q", args[0], code, out, stderr)
		}
	}
}

// TestCLIStaleSocket: a control socket left by a server that is gone
// (killed) does not stop the commands: they open the file.
func TestCLIStaleSocket(t *testing.T) {
	_, project := provisioned(t)
	want, _, _ := twin(t, "query", "--project", project)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: app.ControlPath(project), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	for _, args := range [][]string{
		{"query", "--project", project},
		{"udf", "list", "--project", project},
		{"get", "--project", project, "1234567890AB"},
	} {
		out, stderr, code := twin(t, args...)
		if code != 0 || out == "" || strings.Contains(stderr, "twin:") {
			t.Errorf("%v with a stale socket: exit %d %q %q", args, code, out, stderr)
		}
		if args[0] == "query" && out != want {
			t.Errorf("query with a stale socket: %q, want %q", out, want)
		}
	}
	// A new server replaces the stale socket.
	serving(t, project)
	if out, _, code := twin(t, "query", "--project", project); code != 0 || out != want {
		t.Errorf("query after a new server: %d %q", code, out)
	}
}

// TestServeHTTP: twin serve --http serves the REST API; a token made with
// twin token create (through the running server) reads the spaces its role
// covers, and a request without one is refused.
func TestServeHTTP(t *testing.T) {
	_, project := provisioned(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	serving(t, project, "--http", addr)
	token, stderr, code := twin(t, "token", "create", "--project", project, "--principal", "reader@example.com",
		"--role", "User", "--path", "/Quickstart Building/Floor 1")
	if code != 0 {
		t.Fatalf("token create: exit %d: %s", code, stderr)
	}
	get := func(auth string) (int, string) {
		req, _ := http.NewRequest("GET", "http://"+addr+"/api/v1.0/spaces", nil)
		if auth != "" {
			req.Header.Set("Authorization", "Bearer "+auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get(""); code != http.StatusUnauthorized {
		t.Errorf("no token: %d %s, want 401", code, body)
	}
	code, body := get(strings.TrimSpace(token))
	if code != http.StatusOK || !strings.Contains(body, `"Focus Room A1"`) || strings.Contains(body, `"Quickstart Building"`) {
		t.Errorf("with a User token on Floor 1: %d %s; want Floor 1 and its rooms, not the building", code, body)
	}
}
