package app_test

// The durability tests on the real binary: a `twin serve` child
// gets 10,000 QoS 1 messages from several paho 3.1.1 clients and is killed
// with SIGKILL mid-stream (or stopped with SIGTERM); afterwards every
// message that got a PUBACK must be in the sensor's durable history.

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	mqtt3 "github.com/eclipse/paho.mqtt.golang"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
	"github.com/twinstudio/twinstudio/engine/mqtt"
)

// twinBins are the builds of cmd/twin by build tags ("" is the normal
// build), made once per test binary in one temporary folder.
var twinBins struct {
	mu     sync.Mutex
	dir    string
	builds map[string]*twinBuild
}

type twinBuild struct {
	once sync.Once
	path string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if twinBins.dir != "" {
		os.RemoveAll(twinBins.dir)
	}
	os.Exit(code)
}

// buildTwin builds cmd/twin (without cgo, as the CLI must build) once
// per test binary.
func buildTwin(t *testing.T) string { return buildTwinTags(t, "") }

// buildTwinTags builds cmd/twin with the build tags tags (comma-separated;
// "" for the normal build), once per test binary and tags.
func buildTwinTags(t *testing.T, tags string) string {
	t.Helper()
	twinBins.mu.Lock()
	if twinBins.builds == nil {
		twinBins.builds = map[string]*twinBuild{}
	}
	b := twinBins.builds[tags]
	if b == nil {
		b = &twinBuild{}
		twinBins.builds[tags] = b
	}
	twinBins.mu.Unlock()
	b.once.Do(func() {
		out, err := exec.Command("go", "env", "GOMOD").Output()
		if err != nil {
			b.err = fmt.Errorf("go env GOMOD: %w", err)
			return
		}
		gomod := strings.TrimSpace(string(out))
		if gomod == "" || gomod == os.DevNull {
			b.err = errors.New("not inside the module")
			return
		}
		twinBins.mu.Lock()
		if twinBins.dir == "" {
			twinBins.dir, err = os.MkdirTemp("", "twin-e2e-")
		}
		dir := twinBins.dir
		twinBins.mu.Unlock()
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(dir, "twin")
		args := []string{"build", "-o", b.path}
		if tags != "" {
			b.path += "-" + strings.ReplaceAll(tags, ",", "-")
			args = []string{"build", "-tags", tags, "-o", b.path}
		}
		cmd := exec.Command("go", append(args, "./cmd/twin")...)
		cmd.Dir = filepath.Dir(gomod)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = fmt.Errorf("go %s ./cmd/twin: %v\n%s", strings.Join(args, " "), err, out)
		}
	})
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// server is a `twin serve` child process.
type server struct {
	cmd    *exec.Cmd
	addr   string
	log    *syncBuffer
	exited chan struct{}
	err    error // cmd.Wait's, once exited is closed
}

// serve starts `twin serve --project path --mqtt ADDR` on a free port and
// waits until it accepts connections. The child is killed when the test
// ends if it still runs.
func serve(t *testing.T, path string) *server {
	t.Helper()
	return serveBin(t, buildTwin(t), path)
}

// serveBin is serve with the binary bin (a build of buildTwinTags).
func serveBin(t *testing.T, bin, path string) *server {
	t.Helper()
	s := &server{addr: freeAddr(t), log: &syncBuffer{}, exited: make(chan struct{})}
	s.cmd = exec.Command(bin, "serve", "--project", path, "--mqtt", s.addr)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-s.exited:
		default:
			s.cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			t.Logf("twin serve log:\n%s", s.log.String())
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", s.addr, time.Second)
		if err == nil {
			c.Close()
			return s
		}
		select {
		case <-s.exited:
			t.Fatalf("twin serve exited: %v\n%s", s.err, s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("twin serve does not listen on %s: %v\n%s", s.addr, err, s.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// wait waits for the child to exit and returns its exit status (-1 if a
// signal ended it).
func (s *server) wait(t *testing.T) int {
	t.Helper()
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		t.Fatalf("twin serve did not exit\n%s", s.log.String())
	}
	if s.err == nil {
		return 0
	}
	var ee *exec.ExitError
	if !errors.As(s.err, &ee) {
		t.Fatalf("twin serve: %v", s.err)
	}
	return ee.ExitCode()
}

// stream publishes n distinct numeric values as QoS 1 messages on the
// shorthand topic of co2HW from several paho 3.1.1 connections, calls
// onAck after each PUBACK and returns, per connection, the values
// acknowledged in the order they were sent. It returns when every publish
// has an answer — a PUBACK, or an error once the connection is gone — or
// after a minute.
func stream(t *testing.T, addr, key string, clients, n int, onAck func(total int64)) [][]string {
	t.Helper()
	topic := shorthand(devHW, co2HW)
	acked := make([][]string, clients)
	var total atomic.Int64
	var wg sync.WaitGroup
	deadline := time.Now().Add(60 * time.Second) // for the whole stream
	conns := make([]mqtt3.Client, clients)
	for c := range conns {
		cl, err := connect3(t, addr, fmt.Sprintf("stream-%d", c), devHW, key, nil)
		if err != nil {
			t.Fatalf("client %d: %v", c, err)
		}
		conns[c] = cl
	}
	for c, cl := range conns {
		type sent struct {
			v   string
			tok mqtt3.Token
		}
		toks := make(chan sent, n)
		wg.Add(2)
		go func() { // publish as fast as the connection takes them
			defer wg.Done()
			defer close(toks)
			for i := c; i < n; i += clients {
				v := strconv.Itoa(100000 + i)
				toks <- sent{v, cl.Publish(topic, 1, false, v)}
			}
		}()
		go func() { // collect the answers, in order
			defer wg.Done()
			late := 0
			for s := range toks {
				if !s.tok.WaitTimeout(time.Until(deadline)) {
					if late++; late == 1 {
						t.Errorf("client %d: no answer for %s (and later ones) within the stream's minute", c, s.v)
					}
					continue
				}
				if s.tok.Error() == nil {
					acked[c] = append(acked[c], s.v)
					onAck(total.Add(1))
				}
			}
		}()
	}
	wg.Wait()
	return acked
}

// durableHistory reads the sensor's whole history from the project file.
func durableHistory(t *testing.T, path string, sensor engine.ID) []string {
	t.Helper()
	st, err := bbolt.Open(path, bbolt.Options{})
	if err != nil {
		t.Fatalf("open the project after the server stopped: %v", err)
	}
	defer st.Close()
	hist, err := st.History(sensor, "", 100000)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(hist))
	for i, v := range hist {
		out[i] = v.Value
	}
	return out
}

// checkAcked checks that every acknowledged value is in the durable
// history, in the order each connection sent them, and that the history
// holds nothing that was not sent.
func checkAcked(t *testing.T, acked [][]string, hist []string, sent int) (nAcked int) {
	t.Helper()
	pos := make(map[string]int, len(hist))
	for i, v := range hist {
		n, err := strconv.Atoi(v)
		if err != nil || n < 100000 || n >= 100000+sent {
			t.Errorf("history holds %q, which was not sent", v)
		}
		if _, dup := pos[v]; dup {
			t.Errorf("history holds %s twice", v)
		}
		pos[v] = i
	}
	missing := 0
	for c, vs := range acked {
		nAcked += len(vs)
		last := -1
		for _, v := range vs {
			i, ok := pos[v]
			if !ok {
				if missing++; missing <= 10 {
					t.Errorf("client %d: %s got a PUBACK but is not in the durable history", c, v)
				}
				continue
			}
			if i < last {
				t.Errorf("client %d: %s is in history before a value sent earlier on the same connection", c, v)
			}
			last = i
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d acknowledged messages are missing from the durable history", missing, nAcked)
	}
	return nAcked
}

// TestKill9 kills `twin serve` with SIGKILL in the middle of 10,000 QoS 1
// messages: after a restart every acknowledged message is in history.
func TestKill9(t *testing.T) {
	p := provision(t)
	s := serve(t, p.path)
	const n, clients, killAt = 10000, 8, 3000
	var once sync.Once
	start := time.Now()
	acked := stream(t, s.addr, p.key, clients, n, func(total int64) {
		if total >= killAt {
			once.Do(func() { s.cmd.Process.Signal(syscall.SIGKILL) })
		}
	})
	if code := s.wait(t); code == 0 {
		t.Fatalf("twin serve exited with status 0 after SIGKILL; was it killed mid-stream?")
	}
	hist := durableHistory(t, p.path, p.co2)
	nAcked := checkAcked(t, acked, hist, n)
	t.Logf("%d messages sent by %d clients in %v; %d acknowledged before SIGKILL, %d in the durable history",
		n, clients, time.Since(start).Round(time.Millisecond), nAcked, len(hist))
	if nAcked < killAt || nAcked >= n {
		t.Errorf("%d acknowledged: the kill did not land mid-stream", nAcked)
	}

	// Restart: the project opens, its value is the last durable one, and
	// the killed server's connections are not reported as live.
	a, err := app.Open(p.path, app.Options{Broker: &mqtt.Options{Addr: "127.0.0.1:0"}})
	if err != nil {
		t.Fatalf("reopen after SIGKILL: %v", err)
	}
	defer func() {
		if err := closeWithin(a, 30*time.Second); err != nil {
			t.Error(err)
		}
	}()
	a.Engine().View(func(v *engine.View) error {
		if val, _ := v.SensorValue(p.co2); len(hist) > 0 && val.Value != hist[len(hist)-1] {
			t.Errorf("value after restart %q; want the last in history %q", val.Value, hist[len(hist)-1])
		}
		if d, _ := v.DeviceByHardwareID(devHW); d.ConnectionState != engine.Disconnected {
			t.Errorf("after the restart the device is %q; want Disconnected", d.ConnectionState)
		}
		return nil
	})
}

// TestSIGTERM stops `twin serve` with SIGTERM mid-stream: it drains,
// commits, unlocks the project and exits 0, and every acknowledged message
// is in history.
func TestSIGTERM(t *testing.T) {
	p := provision(t)
	s := serve(t, p.path)
	const n, clients, stopAt = 4000, 4, 1000
	var once sync.Once
	acked := stream(t, s.addr, p.key, clients, n, func(total int64) {
		if total >= stopAt {
			once.Do(func() { s.cmd.Process.Signal(syscall.SIGTERM) })
		}
	})
	if code := s.wait(t); code != 0 {
		t.Fatalf("twin serve exited with status %d after SIGTERM; want 0\n%s", code, s.log.String())
	}
	if !strings.Contains(s.log.String(), "msg=stopped") {
		t.Errorf("no 'stopped' line in the log:\n%s", s.log.String())
	}
	hist := durableHistory(t, p.path, p.co2)
	nAcked := checkAcked(t, acked, hist, n)
	t.Logf("%d acknowledged before SIGTERM, %d in the durable history", nAcked, len(hist))
	if nAcked < stopAt || nAcked >= n {
		t.Errorf("%d acknowledged: the stop did not land mid-stream", nAcked)
	}
	// A clean stop records the devices as Disconnected in the file.
	a, err := app.Open(p.path, app.Options{})
	if err != nil {
		t.Fatalf("reopen after SIGTERM: %v", err)
	}
	defer a.Close()
	a.Engine().View(func(v *engine.View) error {
		if d, _ := v.DeviceByHardwareID(devHW); d.ConnectionState != engine.Disconnected {
			t.Errorf("after SIGTERM the project records the device as %q; want Disconnected", d.ConnectionState)
		}
		return nil
	})
}
