package bbolt

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/twinstudio/twinstudio/engine"
)

// Environment of the helper process.
const (
	envHelper = "TWIN_BBOLT_HELPER" // what the helper does: hold, spaces, values
	envPath   = "TWIN_BBOLT_PATH"   // the project file
)

// TestHelperProcess is not a test: the process tests run the test binary
// again with envHelper set, and this function is then the child's main.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv(envHelper)
	if mode == "" {
		t.Skip("helper process of the lock and crash tests")
	}
	if err := helper(mode, os.Getenv(envPath)); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

func helper(mode, path string) error {
	st, err := Open(path, Options{})
	if err != nil {
		return err
	}
	out := bufio.NewWriter(os.Stdout)
	say := func(format string, a ...any) {
		fmt.Fprintf(out, format+"\n", a...)
		out.Flush()
	}
	if mode == "hold" {
		say("ready")
		io.Copy(io.Discard, os.Stdin) // hold the file until the parent closes stdin
		return st.Close()
	}
	e, err := engine.New(st, engine.Options{})
	if err != nil {
		return err
	}
	var root engine.ID
	var sensor engine.ID
	err = e.Update(func(tx *engine.Tx) error {
		s := &engine.Space{Name: "Crash " + mode}
		if err := tx.CreateSpace(s); err != nil {
			return err
		}
		root = s.ID
		d := &engine.Device{Name: "Pod", SpaceID: root}
		if err := tx.CreateDevice(d); err != nil {
			return err
		}
		sn := &engine.Sensor{DeviceID: d.ID}
		if err := tx.CreateSensor(sn); err != nil {
			return err
		}
		sensor = sn.ID
		return nil
	})
	if err != nil {
		return err
	}
	say("space %s", root)
	say("sensor %s", sensor)
	for i := 0; ; i++ {
		switch mode {
		case "spaces":
			var ids []string
			err := e.Update(func(tx *engine.Tx) error {
				ids = ids[:0]
				s := &engine.Space{Name: fmt.Sprintf("Room %d", i), ParentID: root}
				if err := tx.CreateSpace(s); err != nil {
					return err
				}
				ids = append(ids, "space "+s.ID.String())
				if i%4 == 0 {
					d := &engine.Device{Name: "Pod", SpaceID: s.ID}
					if err := tx.CreateDevice(d); err != nil {
						return err
					}
					sn := &engine.Sensor{DeviceID: d.ID}
					if err := tx.CreateSensor(sn); err != nil {
						return err
					}
					ids = append(ids, "device "+d.ID.String(), "sensor "+sn.ID.String())
				}
				return nil
			})
			if err != nil {
				return err
			}
			for _, id := range ids {
				say("%s", id)
			}
		case "values":
			err := e.Update(func(tx *engine.Tx) error {
				_, _, err := tx.SetSensorValue(sensor, engine.Value{Value: strconv.Itoa(i), Time: time.Now()})
				return err
			})
			if err != nil {
				return err
			}
			say("value %d", i)
		default:
			return fmt.Errorf("unknown mode %q", mode)
		}
	}
}

// startHelper runs the test binary as a helper process in mode on path.
func startHelper(t *testing.T, mode, path string) (*exec.Cmd, io.WriteCloser, *bufio.Scanner) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), envHelper+"="+mode, envPath+"="+path)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	return cmd, stdin, bufio.NewScanner(stdout)
}

func TestLockedByAnotherProcess(t *testing.T) {
	path := tempProject(t)
	open(t, path, Options{}).Close() // create it
	cmd, stdin, out := startHelper(t, "hold", path)
	if !out.Scan() || out.Text() != "ready" {
		t.Fatalf("helper did not get ready: %q %v", out.Text(), out.Err())
	}

	start := time.Now()
	s, err := Open(path, Options{})
	elapsed := time.Since(start)
	if err == nil {
		s.Close()
		t.Fatal("Open succeeded on a file another process holds")
	}
	if !errors.Is(err, ErrLocked) {
		t.Errorf("error %v does not wrap ErrLocked", err)
	}
	if elapsed > 1500*time.Millisecond {
		t.Errorf("Open gave up after %v, want within 1.5s", elapsed)
	}
	msg := err.Error()
	if want := "open " + path + ": project file is in use by another process (close the studio or twin serve that has it open)"; msg != want {
		t.Errorf("message\n%q\nwant\n%q", msg, want)
	}
	t.Logf("after %v: %v", elapsed.Round(time.Millisecond), err)

	// Once the other process lets go, the file opens.
	stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("helper: %v", err)
	}
	open(t, path, Options{Timeout: 100 * time.Millisecond})
}

// crash runs a helper in mode, reads what it reports committed until
// stop says so, kills it with SIGKILL and returns the lines.
func crash(t *testing.T, mode, path string, stop func(lines []string) bool) []string {
	t.Helper()
	cmd, _, out := startHelper(t, mode, path)
	var lines []string
	deadline := time.AfterFunc(30*time.Second, func() { cmd.Process.Kill() })
	defer deadline.Stop()
	for out.Scan() {
		lines = append(lines, out.Text())
		if stop(lines) {
			break
		}
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
		t.Fatalf("helper ended with %v before it was killed (%d lines)", err, len(lines))
	}
	return lines
}

// reopen opens a project after a crash: the file must pass bbolt's
// consistency check and the engine must link it.
func reopen(t *testing.T, path string) (*Store, *engine.Engine) {
	t.Helper()
	st := open(t, path, Options{})
	err := st.db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatalf("bbolt check after crash: %v", err)
	}
	e, err := engine.New(st, engine.Options{})
	if err != nil {
		t.Fatalf("engine.New after crash: %v", err)
	}
	t.Cleanup(func() { e.Close() })
	return st, e
}

func TestCrashKeepsCommittedObjects(t *testing.T) {
	path := tempProject(t)
	ids := 0
	lines := crash(t, "spaces", path, func(lines []string) bool {
		ids++
		return ids >= 500
	})
	_, e := reopen(t, path)
	var spaces, devices, sensors int
	err := e.View(func(v *engine.View) error {
		for _, l := range lines {
			kind, s, _ := strings.Cut(l, " ")
			id, err := engine.ParseID(s)
			if err != nil {
				return fmt.Errorf("line %q: %w", l, err)
			}
			var ok bool
			switch kind {
			case "space":
				_, ok = v.Space(id)
				spaces++
			case "device":
				_, ok = v.Device(id)
				devices++
			case "sensor":
				_, ok = v.Sensor(id)
				sensors++
			default:
				return fmt.Errorf("line %q", l)
			}
			if !ok {
				t.Errorf("committed %s %s is missing after the crash", kind, id)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	st := e.Stats()
	if st.Spaces < spaces || st.Devices < devices || st.Sensors < sensors {
		t.Errorf("after crash %+v, committed %d spaces %d devices %d sensors", st, spaces, devices, sensors)
	}
	t.Logf("killed after %d committed ids; reopened with %d spaces, %d devices, %d sensors", len(lines), st.Spaces, st.Devices, st.Sensors)
}

func TestCrashKeepsCommittedValues(t *testing.T) {
	path := tempProject(t)
	values := 0
	lines := crash(t, "values", path, func(lines []string) bool {
		if strings.HasPrefix(lines[len(lines)-1], "value ") {
			values++
		}
		return values >= 500
	})
	var sensor engine.ID
	last := -1
	for _, l := range lines {
		if s, ok := strings.CutPrefix(l, "sensor "); ok {
			sensor = engine.MustParseID(s)
		}
		if s, ok := strings.CutPrefix(l, "value "); ok {
			last, _ = strconv.Atoi(s)
		}
	}
	st, e := reopen(t, path)
	var cur engine.Value
	err := e.View(func(v *engine.View) error {
		var ok bool
		if cur, ok = v.SensorValue(sensor); !ok {
			return errors.New("the sensor has no value after the crash")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := strconv.Atoi(cur.Value); n < last {
		t.Errorf("current value %s after the crash, last committed %d", cur.Value, last)
	}
	h, err := st.History(sensor, "", 100000)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i, v := range h {
		if v.Value != strconv.Itoa(i) {
			t.Fatalf("history[%d] = %s: lost or out of order", i, v.Value)
		}
		found = found || v.Value == strconv.Itoa(last)
	}
	if !found {
		t.Errorf("last committed value %d is not in the history (%d entries)", last, len(h))
	}
	t.Logf("killed after value %d; current %s, %d history entries", last, cur.Value, len(h))
}
