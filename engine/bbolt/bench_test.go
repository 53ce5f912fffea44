package bbolt

import (
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// TestOpenBig measures Open + engine.New of a big project, the figure
// behind `twin bench` graph_open_1m. It runs only when asked:
//
//	TWIN_BIG=1000000 go test -run TestOpenBig -v ./engine/bbolt/
//
// TWIN_BIG_VALUES=1 also gives every sensor a value (so engine.New reads
// history too); TWIN_BIG_FILE=path keeps the project file there, or reuses
// it if it exists.
func TestOpenBig(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("TWIN_BIG"))
	path := os.Getenv("TWIN_BIG_FILE")
	if n <= 0 && path == "" {
		t.Skip("set TWIN_BIG=<objects> to run")
	}
	if path == "" {
		path = tempProject(t)
	}
	if _, err := os.Stat(path); err != nil {
		st, err := Open(path, Options{NoSync: true})
		if err != nil {
			t.Fatal(err)
		}
		e, err := engine.New(st, engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		sh := buildProject(t, e, n, 20000, os.Getenv("TWIN_BIG_VALUES") != "")
		t.Logf("built %d objects (%d spaces, %d devices, %d sensors, %d values) in %v",
			sh.objects(), sh.Spaces, sh.Devices, sh.Sensors, sh.Values, time.Since(start).Round(time.Millisecond))
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 3; round++ {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		st, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		opened := time.Since(start)
		objects := 0
		err = st.Load(func(engine.Object) error { objects++; return nil }, func(engine.ID, string, engine.Value) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
		loaded := time.Since(start)
		st.Close()

		runtime.GC()
		runtime.ReadMemStats(&before)
		start = time.Now()
		st, err = Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		e, err := engine.New(st, engine.Options{})
		if err != nil {
			t.Fatal(err)
		}
		total := time.Since(start)
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap := float64(after.HeapAlloc) - float64(before.HeapAlloc)
		t.Logf("%d objects, file %.1f MB (%.0f B/object): Open %v, Open+Load %v, Open+engine.New %v; heap %.1f MB = %.0f B/object",
			objects, float64(fi.Size())/1e6, float64(fi.Size())/float64(objects), opened.Round(time.Microsecond),
			loaded.Round(time.Millisecond), total.Round(time.Millisecond), heap/1e6, heap/float64(objects))
		if got := e.Stats(); got.Spaces+got.Devices+got.Sensors != objects {
			t.Fatalf("engine has %+v, store %d objects", got, objects)
		}
		if err := e.Close(); err != nil {
			t.Fatal(err)
		}
	}

	// engine.New reads the recent history of every value: compare one
	// History call per value in map order (as it does) with RecentHistory.
	st := open(t, path, Options{})
	values := map[ownerName]bool{}
	start := time.Now()
	err = st.RecentHistory(32, func(owner engine.ID, name string, h []engine.Value) error {
		values[ownerName{owner, name}] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	recent := time.Since(start)
	start = time.Now()
	for on := range values {
		if _, err := st.History(on.owner, on.name, 32); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("history of %d values: RecentHistory %v, History per value in map order %v",
		len(values), recent.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// BenchmarkHistory reads the recent history of random sensors, as
// engine.New does for every value at open.
func BenchmarkHistory(b *testing.B) {
	st := open(b, tempProject(b), Options{NoSync: true})
	e, err := engine.New(st, engine.Options{})
	if err != nil {
		b.Fatal(err)
	}
	sh := buildProject(b, e, 60000, 20000, true)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := sh.SensorIDs[(i*7919)%len(sh.SensorIDs)]
		h, err := st.History(id, "", 32)
		if err != nil || len(h) != 1 {
			b.Fatal(h, err)
		}
	}
}

// BenchmarkApplyValues measures value writes in batches of 1000 (NoSync).
func BenchmarkApplyValues(b *testing.B) {
	st := open(b, tempProject(b), Options{NoSync: true, HistoryRetention: 100})
	owners := make([]engine.ID, 10000)
	for i := range owners {
		owners[i] = engine.NewID()
	}
	t0 := time.Now()
	ops := make([]engine.Op, 0, 1000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ops = append(ops, engine.Op{Type: engine.OpValue, Key: owners[i%len(owners)], Value: engine.Value{Value: "21.5", Time: t0.Add(time.Duration(i))}})
		if len(ops) == cap(ops) || i == b.N-1 {
			if err := st.Apply(ops); err != nil {
				b.Fatal(err)
			}
			ops = ops[:0]
		}
	}
}

// BenchmarkApplyBulk applies one batch of n objects shaped like a
// provisioning plan (a space, a device, 4 sensors, repeated) to an empty
// project, as a big provisioning transaction does.
func BenchmarkApplyBulk(b *testing.B) {
	for _, n := range []int{20000, 200000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				st := open(b, tempProject(b), Options{})
				ops := make([]engine.Op, 0, n)
				for len(ops) < n {
					sp := &engine.Space{ID: engine.NewID(), Name: "Room", TypeID: 27}
					d := &engine.Device{ID: engine.NewID(), Name: "Pod", SpaceID: sp.ID, HardwareID: "POD-0000001", Key: engine.NewDeviceKey(), Status: "Provisioned", ConnectionState: "Disconnected"}
					ops = append(ops, engine.Op{Type: engine.OpPut, Obj: sp}, engine.Op{Type: engine.OpPut, Obj: d})
					for j := 0; j < 4; j++ {
						ops = append(ops, engine.Op{Type: engine.OpPut, Obj: &engine.Sensor{ID: engine.NewID(), DeviceID: d.ID, SpaceID: sp.ID, HardwareID: engine.NewID().String()}})
					}
				}
				b.StartTimer()
				if err := st.Apply(ops); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				st.Close()
			}
			b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "objects/s")
		})
	}
}

// BenchmarkDecodeSensorRecord measures decoding one sensor record (the bulk
// of a project load).
func BenchmarkDecodeSensorRecord(b *testing.B) {
	var o engine.Object
	for _, x := range sampleObjects() {
		if x.Kind() == engine.KindSensor {
			o = x
		}
	}
	o.(*engine.Sensor).Location = nil
	k, v := encodeRecord(b, o)
	s := string(v)
	var al slabs
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := decodeObject(engine.Kind(k[0]), engine.ID(k[1:]), s, &al); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeSensorRecord measures encoding one sensor record.
func BenchmarkEncodeSensorRecord(b *testing.B) {
	var o engine.Object
	for _, x := range sampleObjects() {
		if x.Kind() == engine.KindSensor {
			o = x
		}
	}
	buf := make([]byte, 0, 512)
	for i := 0; i < b.N; i++ {
		buf, _ = appendObject(buf[:0], o)
	}
}
