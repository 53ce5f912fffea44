package bbolt

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestDamagedFile overwrites parts of a project file with garbage: Open
// and engine.New must fail with an error (or succeed), never crash. The
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
	failures := 0
	for i := 0; i < 40; i++ {
		data := append([]byte(nil), orig...)
		page := 2 + rng.IntN(len(data)/4096-2) // keep the meta pages
		switch i % 3 {
		case 0: // garbage page
			for j := page * 4096; j < (page+1)*4096; j++ {
				data[j] = byte(rng.Uint32())
			}
		case 1: // a few flipped bytes
			for k := 0; k < 8; k++ {
				data[page*4096+rng.IntN(4096)] ^= byte(1 + rng.IntN(255))
			}
		case 2: // zeroed page
			clear(data[page*4096 : (page+1)*4096])
		}
		path := tempProject(t)
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		s, err := Open(path, Options{})
		if err != nil {
			failures++
			t.Logf("damage %d (page %d): Open: %v", i, page, err)
			continue
		}
		e, err := engine.New(s, engine.Options{})
		if err != nil {
			failures++
			t.Logf("damage %d (page %d): engine.New: %v", i, page, err)
			s.Close()
			continue
		}
		e.Close()
	}
	t.Logf("%d of 40 damaged files refused", failures)
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
