package bbolt

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestOpenBig measures Open + engine.New of a big project. It runs only
// with TWIN_BIG=<objects> set, e.g. TWIN_BIG=1000000 (TWIN_BIG_VALUES=1
// also gives every sensor a value).
func TestOpenBig(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TWIN_BIG"))
	if n <= 0 {
		t.Skip("set TWIN_BIG=<objects> to run")
	}
	values := os.Getenv("TWIN_BIG_VALUES") != ""
	path := tempProject(t)
	if p := os.Getenv("TWIN_BIG_KEEP"); p != "" {
		path = p
	}
	st, err := Open(path, Options{NoSync: os.Getenv("TWIN_BIG_SYNC") == ""})
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.New(st, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sh := buildProject(t, e, n, 20000, values)
	t.Logf("built %d objects (%d spaces, %d devices, %d sensors, %d values) in %v", sh.objects(), sh.Spaces, sh.Devices, sh.Sensors, sh.Values, time.Since(start))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("file size %.1f MB (%.0f bytes/object)", float64(fi.Size())/1e6, float64(fi.Size())/float64(sh.objects()))
	for round := 0; round < 3; round++ {
		runtime.GC()
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		start = time.Now()
		st, err = Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		opened := time.Since(start)
		e, err = engine.New(st, engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		total := time.Since(start)
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		t.Logf("round %d: Open %v, Open+engine.New %v; heap %.1f MB = %.0f bytes/object",
			round, opened, total, float64(after.HeapAlloc-before.HeapAlloc)/1e6, float64(after.HeapAlloc-before.HeapAlloc)/float64(sh.objects()))
		if got := e.Stats(); got.Spaces != sh.Spaces || got.Devices != sh.Devices || got.Sensors != sh.Sensors {
			t.Fatalf("stats %+v, want %+v", got, sh)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenBigLoadOnly(t *testing.T) {
	path := os.Getenv("TWIN_BIG_FILE")
	if path == "" {
		t.Skip("set TWIN_BIG_FILE")
	}
	for round := 0; round < 3; round++ {
		start := time.Now()
		st, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		opened := time.Since(start)
		n := 0
		var keep []engine.Object
		err = st.Load(func(o engine.Object) error { n++; keep = append(keep, o); return nil }, func(engine.ID, string, engine.Value) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("open %v load %d objects %v", opened, n, time.Since(start))
		keep = nil
		st.Close()
	}
}
