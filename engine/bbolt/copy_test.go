package bbolt

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestCopyTo: the copy is a project holding the same objects, values and
// history; nothing but the copy is left in its folder.
func TestCopyTo(t *testing.T) {
	path := tempProject(t)
	st := open(t, path, Options{})
	e, err := engine.New(st, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	sh := buildProject(t, e, 500, 100, true)
	if err := e.SyncCommit(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	dst := filepath.Join(dir, "copy.twin")
	if err := st.CopyTo(dst); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "copy.twin" {
		t.Fatalf("folder holds %v, want only copy.twin", entries)
	}
	if fi, _ := os.Stat(dst); fi.Mode().Perm() != 0o600 {
		t.Errorf("copy has mode %v, want 0600", fi.Mode().Perm())
	}
	cp := open(t, dst, Options{})
	wantObjs, wantVals := loadAll(t, st)
	gotObjs, gotVals := loadAll(t, cp)
	if !reflect.DeepEqual(gotObjs, wantObjs) {
		t.Errorf("copy has %d objects, original %d (or they differ)", len(gotObjs), len(wantObjs))
	}
	if !reflect.DeepEqual(gotVals, wantVals) {
		t.Errorf("copy has %d values, original %d (or they differ)", len(gotVals), len(wantVals))
	}
	h1, err := st.History(sh.SensorIDs[0], "", 10)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := cp.History(sh.SensorIDs[0], "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(h1) == 0 || !reflect.DeepEqual(h1, h2) {
		t.Errorf("history: copy %v, original %v", h2, h1)
	}

	// Copying again replaces the copy (the Store of the copy closed first:
	// an open copy is refused, below).
	cp.Close()
	if err := st.CopyTo(dst); err != nil {
		t.Fatalf("copy over an existing file: %v", err)
	}
}

// TestCopyToWhileWriting: a copy taken while values are committed is a
// whole project (it opens, loads and links), and the writes go on.
func TestCopyToWhileWriting(t *testing.T) {
	path := tempProject(t)
	st := open(t, path, Options{})
	e, err := engine.New(st, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	sh := buildProject(t, e, 200, 200, false)
	var stop atomic.Bool
	var wg sync.WaitGroup
	var writes atomic.Int64
	for w := range 4 {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				id := sh.SensorIDs[(w*37+i)%len(sh.SensorIDs)]
				err := e.Update(func(tx *engine.Tx) error {
					_, _, err := tx.SetSensorValue(id, engine.Value{Value: strconv.Itoa(i), Time: time.Now()})
					return err
				})
				if err != nil {
					t.Error(err)
					return
				}
				writes.Add(1)
			}
		})
	}
	dir := t.TempDir()
	for i := range 5 {
		time.Sleep(20 * time.Millisecond)
		dst := filepath.Join(dir, "copy"+strconv.Itoa(i)+".twin")
		if err := st.CopyTo(dst); err != nil {
			t.Fatal(err)
		}
		cp, err := Open(dst, Options{})
		if err != nil {
			t.Fatalf("open copy %d: %v", i, err)
		}
		ce, err := engine.New(cp, engine.Options{})
		if err != nil {
			t.Fatalf("load copy %d: %v", i, err)
		}
		if got := ce.Stats(); got.Sensors != sh.Sensors || got.Spaces != sh.Spaces {
			t.Errorf("copy %d: %+v, want %d spaces and %d sensors", i, got, sh.Spaces, sh.Sensors)
		}
		if err := ce.Close(); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if writes.Load() == 0 {
		t.Fatal("no writes ran during the copies")
	}
}

func TestCopyToErrors(t *testing.T) {
	path := tempProject(t)
	st := open(t, path, Options{})

	// Onto itself, by the same or another name.
	link := filepath.Join(t.TempDir(), "link.twin")
	if err := os.Symlink(path, link); err != nil {
		t.Fatal(err)
	}
	for _, dst := range []string{path, filepath.Join(filepath.Dir(path), ".", filepath.Base(path)), link} {
		err := st.CopyTo(dst)
		if !errors.Is(err, ErrSameFile) || !strings.Contains(err.Error(), dst) {
			t.Errorf("CopyTo(%s): %v, want ErrSameFile naming it", dst, err)
		}
	}

	// Onto a project another Store has open.
	other := filepath.Join(t.TempDir(), "other.twin")
	open(t, other, Options{})
	if err := st.CopyTo(other); !errors.Is(err, ErrLocked) {
		t.Errorf("CopyTo(open project): %v, want ErrLocked", err)
	}

	// Into a folder that does not exist: nothing is written.
	if err := st.CopyTo(filepath.Join(t.TempDir(), "missing", "x.twin")); err == nil || strings.Contains(err.Error(), "\n") {
		t.Errorf("CopyTo(missing folder): %v, want a one-line error", err)
	}

	// After Close, and no temporary file is left behind.
	dir := t.TempDir()
	st.Close()
	if err := st.CopyTo(filepath.Join(dir, "x.twin")); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("CopyTo after Close: %v, want engine.ErrClosed", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("failed copy left %v", entries)
	}
}
