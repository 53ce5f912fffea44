package bbolt

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestDamagedFile damages a project file in many ways (garbage, flipped
// bytes or zeros in a page, the meta pages included; the file cut short;
// random bytes): every damaged file must be refused by Open or engine.New
// with a clear one-line error (one of this package's sentinels or an
// inconsistency the engine names, never a runtime error's text), or open
// and then work (a write commits, the file reopens). Never a crash. The
// file and the damage are the same in every run.
func TestDamagedFile(t *testing.T) {
	src := tempProject(t)
	st := open(t, src, Options{NoSync: true})
	if err := st.Apply(deterministicProject(500)); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	orig, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	type damaged struct {
		what string
		data []byte
	}
	var cases []damaged
	for i := 0; i < 120; i++ {
		data := append([]byte(nil), orig...)
		page := rng.IntN(len(data) / 4096) // meta pages 0 and 1 too
		var what string
		switch i % 3 {
		case 0:
			what = "garbage page"
			for j := page * 4096; j < (page+1)*4096; j++ {
				data[j] = byte(rng.Uint32())
			}
		case 1:
			what = "flipped bytes in page"
			for k := 0; k < 8; k++ {
				data[page*4096+rng.IntN(4096)] ^= byte(1 + rng.IntN(255))
			}
		case 2:
			what = "zeroed page"
			clear(data[page*4096 : (page+1)*4096])
		}
		cases = append(cases, damaged{fmt.Sprintf("%s %d", what, page), data})
	}
	for _, n := range []int{1, 100, 4096, 8192, 8193, 16384, len(orig) / 2, len(orig) - 4096, len(orig) - 1} {
		cases = append(cases, damaged{fmt.Sprintf("cut to %d bytes", n), append([]byte(nil), orig[:n]...)})
	}
	for i := 0; i < 5; i++ {
		data := make([]byte, 4096*(2+rng.IntN(20)))
		for j := range data {
			data[j] = byte(rng.Uint32())
		}
		cases = append(cases, damaged{fmt.Sprintf("random %d bytes", len(data)), data})
	}
	clearErr := func(err error) bool {
		msg := err.Error()
		return (errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNotProject) || errors.Is(err, engine.ErrInvalid)) &&
			!strings.Contains(msg, "runtime error") && !strings.Contains(msg, "nil pointer") && !strings.Contains(msg, "\n")
	}
	refused := 0
	for i, c := range cases {
		path := tempProject(t)
		if err := os.WriteFile(path, c.data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, Options{})
		if err != nil {
			refused++
			if !clearErr(err) {
				t.Errorf("%d %s: Open: unclear error %v", i, c.what, err)
			}
			continue
		}
		e, err := engine.New(s, engine.Options{})
		if err != nil {
			refused++
			if !clearErr(err) {
				t.Errorf("%d %s: engine.New: unclear error %v", i, c.what, err)
			}
			s.Close()
			continue
		}
		// Opened: it must work.
		err = e.Update(func(tx *engine.Tx) error { return tx.CreateSpace(&engine.Space{Name: "After the damage"}) })
		if cerr := e.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			if !clearErr(err) {
				t.Errorf("%d %s: opened, then a write failed with an unclear error: %v", i, c.what, err)
			}
			continue
		}
		s, err = Open(path, Options{})
		if err != nil {
			t.Errorf("%d %s: opened and written, then reopening failed: %v", i, c.what, err)
			continue
		}
		e, err = engine.New(s, engine.Options{})
		if err != nil {
			t.Errorf("%d %s: opened and written, then reopening failed: %v", i, c.what, err)
			s.Close()
			continue
		}
		e.Close()
	}
	if refused < len(cases)/2 {
		t.Errorf("only %d of %d damaged files were refused", refused, len(cases))
	}
	t.Logf("%d of %d damaged files refused, the others opened and worked", refused, len(cases))
}

// TestOpenRefusesEmptyFile: an existing empty file is not made into a new
// project; a missing one is created.
func TestOpenRefusesEmptyFile(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty.twin")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(empty, Options{})
	if want := "open " + empty + ": the file is empty (0 bytes), not a Twin Studio project; delete it to start a new project under this name"; err == nil || err.Error() != want || !errors.Is(err, ErrNotProject) {
		t.Errorf("got %v, want %s", err, want)
	}
	if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
		t.Errorf("the empty file was changed: %v %v", fi, err)
	}
	if _, err := Open(t.TempDir(), Options{}); err == nil || !errors.Is(err, ErrNotProject) || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a folder: %v", err)
	}
	s, err := Open(filepath.Join(t.TempDir(), "new.twin"), Options{})
	if err != nil {
		t.Fatalf("a missing file: %v", err)
	}
	s.Close()
}

// deterministicProject returns the ops of a project of rooms rooms, each
// with a device, a sensor and a value, with fixed ids and times.
func deterministicProject(rooms int) []engine.Op {
	id := func(kind byte, n int) engine.ID {
		var x engine.ID
		x[0], x[1], x[2], x[3], x[6], x[8] = 0x01, 0x90, byte(n>>8), byte(n), 0x70, kind
		return x
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	root := id(0, 0)
	ops := []engine.Op{{Type: engine.OpPut, Obj: &engine.Space{ID: root, Name: "Campus"}}}
	for i := 1; i <= rooms; i++ {
		sp, dev, sen := id(1, i), id(2, i), id(3, i)
		ops = append(ops,
			engine.Op{Type: engine.OpPut, Obj: &engine.Space{ID: sp, Name: fmt.Sprintf("Room %d", i), ParentID: root, Description: "a room"}},
			engine.Op{Type: engine.OpPut, Obj: &engine.Device{ID: dev, Name: "Pod", SpaceID: sp, HardwareID: fmt.Sprintf("POD-%d", i), Key: "key"}},
			engine.Op{Type: engine.OpPut, Obj: &engine.Sensor{ID: sen, DeviceID: dev, SpaceID: sp, HardwareID: fmt.Sprintf("POD-%d-0", i)}},
			engine.Op{Type: engine.OpValue, Key: sen, Value: engine.Value{Value: "21.5", Time: t0.Add(time.Duration(i) * time.Second)}},
			engine.Op{Type: engine.OpValue, Key: sp, Name: "Occupied", Value: engine.Value{Value: "true", Time: t0}},
		)
	}
	return ops
}
