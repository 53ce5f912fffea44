package bbolt

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/twinstudio/twinstudio/engine"
)

// open opens a store at path and closes it when the test ends.
func open(tb testing.TB, path string, opts Options) *Store {
	tb.Helper()
	s, err := Open(path, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

type ownerName struct {
	owner engine.ID
	name  string
}

// loadAll loads everything from s into maps.
func loadAll(tb testing.TB, s *Store) (map[string]engine.Object, map[ownerName]engine.Value) {
	tb.Helper()
	objs := map[string]engine.Object{}
	vals := map[ownerName]engine.Value{}
	err := s.Load(func(o engine.Object) error {
		k := objKey(o)
		if _, dup := objs[k]; dup {
			return fmt.Errorf("object %s twice", k)
		}
		objs[k] = o
		return nil
	}, func(owner engine.ID, name string, v engine.Value) error {
		vals[ownerName{owner, name}] = v
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return objs, vals
}

func objKey(o engine.Object) string { return fmt.Sprintf("%s/%x", o.Kind(), o.ObjectKey()) }

func TestStoreRoundTrip(t *testing.T) {
	path := tempProject(t)
	s := open(t, path, Options{})
	var ops []engine.Op
	for _, o := range sampleObjects() {
		ops = append(ops, engine.Op{Type: engine.OpPut, Obj: o})
	}
	sensor := sampleObjects()[2].ObjectKey()
	space := sampleObjects()[0].ObjectKey()
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.FixedZone("X", -7200))
	ops = append(ops,
		engine.Op{Type: engine.OpValue, Key: sensor, Value: engine.Value{Value: "20.5", Time: t0}},
		engine.Op{Type: engine.OpValue, Key: sensor, Value: engine.Value{Value: "21.5", Time: t0.Add(time.Second)}},
		engine.Op{Type: engine.OpValue, Key: space, Name: "Temperature", Value: engine.Value{Value: "21", Time: t0}},
		engine.Op{Type: engine.OpValue, Key: space, Name: "Occupied", Value: engine.Value{Value: "true"}}, // zero time
	)
	if err := s.Apply(ops); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	s = open(t, path, Options{})
	if s.Path() != path {
		t.Errorf("Path() = %q, want %q", s.Path(), path)
	}
	objs, vals := loadAll(t, s)
	if len(objs) != len(sampleObjects()) {
		t.Errorf("loaded %d objects, want %d", len(objs), len(sampleObjects()))
	}
	for _, want := range sampleObjects() {
		t.Run(want.Kind().String(), func(t *testing.T) {
			got := objs[objKey(want)]
			if !reflect.DeepEqual(got, normalize(want)) {
				t.Errorf("\n got %+v\nwant %+v", got, normalize(want))
			}
		})
	}
	wantVals := map[ownerName]engine.Value{
		{sensor, ""}:           {Value: "21.5", Time: t0.Add(time.Second).UTC()},
		{space, "Temperature"}: {Value: "21", Time: t0.UTC()},
		{space, "Occupied"}:    {Value: "true"},
	}
	if !reflect.DeepEqual(vals, wantVals) {
		t.Errorf("values:\n got %v\nwant %v", vals, wantVals)
	}
	h, err := s.History(sensor, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	wantH := []engine.Value{{Value: "20.5", Time: t0.UTC()}, {Value: "21.5", Time: t0.Add(time.Second).UTC()}}
	if !reflect.DeepEqual(h, wantH) {
		t.Errorf("history %v, want %v", h, wantH)
	}
	if h, _ := s.History(space, "Occupied", 10); len(h) != 1 || !h[0].Time.IsZero() || h[0].Value != "true" {
		t.Errorf("history with zero time: %v", h)
	}
}

func TestOpenCreates(t *testing.T) {
	path := tempProject(t)
	s := open(t, path, Options{})
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	objs, vals := loadAll(t, s)
	if len(objs)+len(vals) != 0 {
		t.Errorf("new project has %d objects, %d values", len(objs), len(vals))
	}
	// An empty (0-byte) file is refused: TestOpenRefusesEmptyFile.
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.twin")
	if err := os.WriteFile(text, []byte(strings.Repeat("not a project\n", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short.twin")
	if err := os.WriteFile(short, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other.db") // a bbolt file of another program
	writeBolt(t, other, func(tx *bolt.Tx) error {
		_, err := tx.CreateBucket([]byte("widgets"))
		return err
	})
	future := filepath.Join(dir, "future.twin")
	writeBolt(t, future, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(keyFormat, []byte("2"))
	})
	damaged := filepath.Join(dir, "damaged.twin")
	writeBolt(t, damaged, func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		return b.Put(keyFormat, []byte("1"))
	})

	for _, c := range []struct {
		path string
		want error
	}{
		{text, ErrNotProject}, {short, ErrNotProject}, {other, ErrNotProject}, {future, ErrFormat}, {damaged, ErrCorrupt},
	} {
		_, err := Open(c.path, Options{})
		if !errors.Is(err, c.want) {
			t.Errorf("Open(%s): %v, want %v", filepath.Base(c.path), err, c.want)
			continue
		}
		msg := err.Error()
		if !strings.HasPrefix(msg, "open "+c.path+": ") || strings.Contains(msg, "\n") {
			t.Errorf("Open(%s): message %q is not one line naming the file", filepath.Base(c.path), msg)
		}
		t.Logf("%s: %v", filepath.Base(c.path), err)
	}
	if _, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("Open(directory): %v", err)
	}
}

func writeBolt(t *testing.T, path string, fn func(*bolt.Tx) error) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(fn); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestApplyDeleteAndDropValues(t *testing.T) {
	path := tempProject(t)
	s := open(t, path, Options{})
	objs := sampleObjects()
	var ops []engine.Op
	for _, o := range objs {
		ops = append(ops, engine.Op{Type: engine.OpPut, Obj: o})
	}
	sensor, space := objs[2].ObjectKey(), objs[0].ObjectKey()
	now := time.Now()
	for i := 0; i < 5; i++ {
		ops = append(ops,
			engine.Op{Type: engine.OpValue, Key: sensor, Value: engine.Value{Value: fmt.Sprint(i), Time: now.Add(time.Duration(i))}},
			engine.Op{Type: engine.OpValue, Key: space, Name: "A", Value: engine.Value{Value: fmt.Sprint(i), Time: now}},
			engine.Op{Type: engine.OpValue, Key: space, Name: "B", Value: engine.Value{Value: fmt.Sprint(i), Time: now}})
	}
	if err := s.Apply(ops); err != nil {
		t.Fatal(err)
	}
	// Delete the sensor and the ontology, drop the sensor's and the space's values.
	err := s.Apply([]engine.Op{
		{Type: engine.OpDelete, Kind: engine.KindSensor, Key: sensor},
		{Type: engine.OpDelete, Kind: engine.KindOntology, Key: objs[11].ObjectKey()},
		{Type: engine.OpDelete, Kind: engine.KindDevice, Key: engine.NewID()}, // absent: no error
		{Type: engine.OpDropValues, Key: sensor},
		{Type: engine.OpDropValues, Key: space},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path, Options{})
	got, vals := loadAll(t, s)
	if len(got) != len(objs)-2 || got[objKey(objs[2])] != nil || got[objKey(objs[11])] != nil {
		t.Errorf("after delete: %d objects: %v", len(got), got)
	}
	if len(vals) != 0 {
		t.Errorf("after drop: values %v", vals)
	}
	for _, on := range []ownerName{{sensor, ""}, {space, "A"}, {space, "B"}} {
		if h, err := s.History(on.owner, on.name, 100); err != nil || len(h) != 0 {
			t.Errorf("history of %v after drop: %v, %v", on, h, err)
		}
	}
	// New values after a drop start a fresh history.
	if err := s.Apply([]engine.Op{{Type: engine.OpValue, Key: space, Name: "A", Value: engine.Value{Value: "x", Time: now}}}); err != nil {
		t.Fatal(err)
	}
	if h, _ := s.History(space, "A", 100); len(h) != 1 || h[0].Value != "x" {
		t.Errorf("history after drop and set: %v", h)
	}
}

func TestApplyAtomic(t *testing.T) {
	s := open(t, tempProject(t), Options{})
	sp := &engine.Space{ID: engine.NewID(), Name: "A"}
	for _, bad := range []engine.Op{
		{Type: engine.OpValue, Key: sp.ID, Name: strings.Repeat("n", MaxValueNameLen+1), Value: engine.Value{Value: "1"}},
		{Type: engine.OpPut},
		{Type: engine.OpPut, Obj: (*engine.Sensor)(nil)},
		{Type: engine.OpDelete, Kind: engine.KindNone, Key: sp.ID},
		{Type: 99},
	} {
		err := s.Apply([]engine.Op{
			{Type: engine.OpPut, Obj: sp},
			{Type: engine.OpValue, Key: sp.ID, Name: "T", Value: engine.Value{Value: "1"}},
			bad,
		})
		if !errors.Is(err, ErrInvalidOp) {
			t.Errorf("bad op %+v: %v, want ErrInvalidOp", bad, err)
		}
		objs, vals := loadAll(t, s)
		if len(objs)+len(vals) != 0 {
			t.Fatalf("failed Apply left %v %v", objs, vals)
		}
	}
	if err := s.Apply(nil); err != nil {
		t.Errorf("empty Apply: %v", err)
	}
}

func TestClosedStore(t *testing.T) {
	s := open(t, tempProject(t), Options{})
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	err := s.Apply([]engine.Op{{Type: engine.OpPut, Obj: &engine.Space{ID: engine.NewID(), Name: "A"}}})
	if !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Apply after Close: %v", err)
	}
	if _, err := s.History(engine.NewID(), "", 1); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("History after Close: %v", err)
	}
	err = s.Load(func(engine.Object) error { return nil }, func(engine.ID, string, engine.Value) error { return nil })
	if !errors.Is(err, engine.ErrClosed) {
		t.Errorf("Load after Close: %v", err)
	}
}

func TestLoadCallbackError(t *testing.T) {
	s := open(t, tempProject(t), Options{})
	id := engine.NewID()
	if err := s.Apply([]engine.Op{{Type: engine.OpPut, Obj: &engine.Space{ID: id, Name: "A"}},
		{Type: engine.OpValue, Key: id, Name: "x", Value: engine.Value{Value: "1"}}}); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	if err := s.Load(func(engine.Object) error { return stop }, nil); err != stop {
		t.Errorf("object callback error came back as %v", err)
	}
	if err := s.Load(func(engine.Object) error { return nil }, func(engine.ID, string, engine.Value) error { return stop }); err != stop {
		t.Errorf("value callback error came back as %v", err)
	}
}

func TestLoadCorruptRecord(t *testing.T) {
	path := tempProject(t)
	s := open(t, path, Options{})
	sp := &engine.Space{ID: engine.NewID(), Name: "A"}
	if err := s.Apply([]engine.Op{{Type: engine.OpPut, Obj: sp}}); err != nil {
		t.Fatal(err)
	}
	err := s.db.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketObjects).Put(appendObjectKey(nil, engine.KindSpace, sp.ID), []byte{1, 200})
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Load(func(engine.Object) error { return nil }, func(engine.ID, string, engine.Value) error { return nil })
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "space "+sp.ID.String()) {
		t.Errorf("corrupt record: %v", err)
	}
	t.Log(err)
	// Through the engine too.
	s.Close()
	s = open(t, path, Options{})
	if _, err := engine.New(s, engine.Options{}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("engine.New on a corrupt record: %v", err)
	}
}

func TestHistory(t *testing.T) {
	path := tempProject(t)
	s := open(t, path, Options{HistoryRetention: 5})
	owner := engine.NewID()
	other := engine.NewID()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ops []engine.Op
	for i := 0; i < 8; i++ {
		ops = append(ops, engine.Op{Type: engine.OpValue, Key: owner, Name: "v", Value: engine.Value{Value: fmt.Sprint(i), Time: t0.Add(time.Duration(i) * time.Second)}})
		// A name that is a prefix of the other must not mix with it.
		ops = append(ops, engine.Op{Type: engine.OpValue, Key: owner, Name: "", Value: engine.Value{Value: "s" + fmt.Sprint(i), Time: t0}})
		ops = append(ops, engine.Op{Type: engine.OpValue, Key: owner, Name: "vv", Value: engine.Value{Value: "w", Time: t0}})
		ops = append(ops, engine.Op{Type: engine.OpValue, Key: other, Name: "v", Value: engine.Value{Value: "o", Time: t0}})
	}
	if err := s.Apply(ops); err != nil {
		t.Fatal(err)
	}
	vals := func(h []engine.Value) string {
		var b []string
		for _, v := range h {
			b = append(b, v.Value)
		}
		return strings.Join(b, ",")
	}
	check := func(name string, limit int, want string) {
		t.Helper()
		h, err := s.History(owner, name, limit)
		if err != nil {
			t.Fatal(err)
		}
		if got := vals(h); got != want {
			t.Errorf("History(%q, %d) = %s, want %s", name, limit, got, want)
		}
	}
	check("v", 100, "3,4,5,6,7") // retention 5
	check("v", 2, "6,7")
	check("v", 0, "")
	check("", 100, "s3,s4,s5,s6,s7") // equal times keep their order
	check("nope", 10, "")
	if h, _ := s.History(owner, "v", 1); !h[0].Time.Equal(t0.Add(7 * time.Second)) {
		t.Errorf("history time %v", h[0].Time)
	}

	// Retention is remembered across reopen, and a smaller retention
	// prunes at the next append.
	s.Close()
	s = open(t, path, Options{HistoryRetention: 3})
	if err := s.Apply([]engine.Op{{Type: engine.OpValue, Key: owner, Name: "v", Value: engine.Value{Value: "8", Time: t0.Add(8 * time.Second)}}}); err != nil {
		t.Fatal(err)
	}
	check("v", 100, "6,7,8")
	// An entry older than everything kept is pruned at once.
	if err := s.Apply([]engine.Op{{Type: engine.OpValue, Key: owner, Name: "v", Value: engine.Value{Value: "old", Time: t0}}}); err != nil {
		t.Fatal(err)
	}
	check("v", 100, "6,7,8")
	_, cur := loadAll(t, s)
	if v := cur[ownerName{owner, "v"}]; v.Value != "old" {
		t.Errorf("current value %v, want the last set", v)
	}
	// The other names keep 5 until their next append.
	if n := countHistory(t, s); n != 3+5+5+5 {
		t.Errorf("history holds %d entries, want 18", n)
	}
}

func countHistory(t *testing.T, s *Store) int {
	n := 0
	err := s.db.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketHistory).Stats().KeyN
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestHistoryBoundedUnderLoad(t *testing.T) {
	s := open(t, tempProject(t), Options{HistoryRetention: 50, NoSync: true})
	owners := []engine.ID{engine.NewID(), engine.NewID(), engine.NewID()}
	t0 := time.Now()
	for batch := 0; batch < 20; batch++ {
		var ops []engine.Op
		for i := 0; i < 100; i++ {
			for _, o := range owners {
				ops = append(ops, engine.Op{Type: engine.OpValue, Key: o, Value: engine.Value{Value: "x", Time: t0.Add(time.Duration(batch*100+i) * time.Millisecond)}})
			}
		}
		if err := s.Apply(ops); err != nil {
			t.Fatal(err)
		}
	}
	if n := countHistory(t, s); n != 50*len(owners) {
		t.Errorf("history holds %d entries, want %d", n, 50*len(owners))
	}
}

// TestEngine drives the store through the real engine: create a building,
// set values, reopen, check everything.
func TestEngine(t *testing.T) {
	path := tempProject(t)
	st := open(t, path, Options{HistoryRetention: 20})
	e, err := engine.New(st, engine.Options{HistoryInMemory: 4})
	if err != nil {
		t.Fatal(err)
	}
	var building, room engine.ID
	var device *engine.Device
	var sensors []*engine.Sensor
	err = e.Update(func(tx *engine.Tx) error {
		bt, err := tx.ResolveType(engine.SpaceType, "Building", engine.NilID)
		if err != nil {
			return err
		}
		b := &engine.Space{Name: "HQ", TypeID: bt, TimeZone: "Europe/Berlin", Location: &engine.Location{Longitude: 13, Latitude: 52}}
		if err := tx.CreateSpace(b); err != nil {
			return err
		}
		building = b.ID
		rt, err := tx.ResolveType(engine.SpaceType, "Room", building)
		if err != nil {
			return err
		}
		r := &engine.Space{Name: "Room 1", TypeID: rt, ParentID: building}
		if err := tx.CreateSpace(r); err != nil {
			return err
		}
		room = r.ID
		device = &engine.Device{Name: "Pod", SpaceID: room, HardwareID: "POD-1"}
		if err := tx.CreateDevice(device); err != nil {
			return err
		}
		for i, dt := range []string{"Temperature", "Humidity"} {
			dtID, err := tx.ResolveType(engine.SensorDataType, dt, room)
			if err != nil {
				return err
			}
			s := &engine.Sensor{HardwareID: fmt.Sprintf("POD-1-%d", i), DeviceID: device.ID, DataTypeID: dtID}
			if err := tx.CreateSensor(s); err != nil {
				return err
			}
			sensors = append(sensors, s)
		}
		return tx.PutType(&engine.ExtendedType{Category: engine.SpaceType, Name: "Lab", SpaceID: building})
	})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < 30; i++ {
		err := e.Update(func(tx *engine.Tx) error {
			at := t0.Add(time.Duration(i) * time.Minute)
			if _, _, err := tx.SetSensorValue(sensors[0].ID, engine.Value{Value: fmt.Sprint(20 + i), Time: at}); err != nil {
				return err
			}
			_, _, err := tx.SetSpaceValue(room, "Temperature", engine.Value{Value: fmt.Sprint(20 + i), Time: at})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	err = e.Update(func(tx *engine.Tx) error { return tx.SetOntologyLoaded(engine.OntologyBACnet, true) })
	if err != nil {
		t.Fatal(err)
	}
	var before engine.Stats = e.Stats()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}

	st = open(t, path, Options{HistoryRetention: 20})
	e, err = engine.New(st, engine.Options{HistoryInMemory: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if after := e.Stats(); after != before {
		t.Errorf("stats after reopen %+v, want %+v", after, before)
	}
	err = e.View(func(v *engine.View) error {
		if got := v.FullName(room); got != "/HQ/Room 1" {
			t.Errorf("room full name %q", got)
		}
		if d, ok := v.DeviceByHardwareID("POD-1"); !ok || d.ID != device.ID || d.Key != device.Key || d.SpaceID != room {
			t.Errorf("device %+v", d)
		}
		if got := v.DeviceSensors(device.ID); len(got) != 2 {
			t.Errorf("device sensors %v", got)
		}
		for _, s := range sensors {
			got, ok := v.Sensor(s.ID)
			if !ok || !reflect.DeepEqual(got, s) {
				t.Errorf("sensor %+v, want %+v", got, s)
			}
		}
		if b, _ := v.Space(building); b.Location == nil || b.Location.Latitude != 52 || b.TimeZone != "Europe/Berlin" {
			t.Errorf("building %+v", b)
		}
		if val, ok := v.SensorValue(sensors[0].ID); !ok || val.Value != "49" || !val.Time.Equal(t0.Add(29*time.Minute)) {
			t.Errorf("sensor value %v %v", val, ok)
		}
		if _, ok := v.SensorValue(sensors[1].ID); ok {
			t.Error("sensor without a value has one")
		}
		if val, ok := v.SpaceValue(room, "Temperature"); !ok || val.Value != "49" {
			t.Errorf("space value %v %v", val, ok)
		}
		if h := v.SensorHistory(sensors[0].ID); len(h) != 4 || h[3].Value != "49" || h[0].Value != "46" {
			t.Errorf("in-memory sensor history %v", h)
		}
		if _, err := v.ResolveType(engine.SpaceType, "Lab", room); err != nil {
			t.Errorf("custom type lost: %v", err)
		}
		if _, err := v.ResolveType(engine.SensorType, "AnalogInput", room); err != nil {
			t.Errorf("ontology state lost: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := st.History(sensors[0].ID, "", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 20 || h[0].Value != "30" || h[19].Value != "49" {
		t.Errorf("stored history (retention 20): %d entries %v", len(h), h)
	}
	h, _ = st.History(room, "Temperature", 3)
	if len(h) != 3 || h[2].Value != "49" {
		t.Errorf("space history %v", h)
	}

	// Deleting the building removes everything beneath it, values too.
	if err := e.Update(func(tx *engine.Tx) error { return tx.DeleteSpace(building) }); err != nil {
		t.Fatal(err)
	}
	if h, _ := st.History(sensors[0].ID, "", 1000); len(h) != 0 {
		t.Errorf("history after delete: %v", h)
	}
	if h, _ := st.History(room, "Temperature", 1000); len(h) != 0 {
		t.Errorf("space history after delete: %v", h)
	}
}

// TestConcurrentUse runs Apply, History and Load at the same time, then
// Close while readers still run: no races, and readers after Close get
// engine.ErrClosed.
func TestConcurrentUse(t *testing.T) {
	s := open(t, tempProject(t), Options{NoSync: true, HistoryRetention: 100})
	owners := []engine.ID{engine.NewID(), engine.NewID()}
	done := make(chan struct{})
	errs := make(chan error, 3)
	go func() {
		t0 := time.Now()
		for i := 0; i < 100; i++ {
			var ops []engine.Op
			for _, o := range owners {
				ops = append(ops, engine.Op{Type: engine.OpValue, Key: o, Value: engine.Value{Value: fmt.Sprint(i), Time: t0.Add(time.Duration(i))}})
			}
			ops = append(ops, engine.Op{Type: engine.OpPut, Obj: &engine.Space{ID: engine.NewID(), Name: fmt.Sprint(i)}})
			if err := s.Apply(ops); err != nil {
				errs <- err
				return
			}
		}
		close(done)
		errs <- nil
	}()
	reader := func(read func() error) {
		for {
			if err := read(); err != nil {
				if errors.Is(err, engine.ErrClosed) {
					errs <- nil
				} else {
					errs <- err
				}
				return
			}
		}
	}
	go reader(func() error {
		h, err := s.History(owners[0], "", 10)
		for i := 1; i < len(h); i++ {
			if !h[i-1].Time.Before(h[i].Time) {
				return fmt.Errorf("history out of order: %v", h)
			}
		}
		return err
	})
	go reader(func() error {
		return s.Load(func(engine.Object) error { return nil }, func(engine.ID, string, engine.Value) error { return nil })
	})
	<-done
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestApplyBigBatchOrder checks that a big batch, which Apply writes in key
// order, ends in the same state as its ops applied one by one.
func TestApplyBigBatchOrder(t *testing.T) {
	ids := []engine.ID{engine.NewID(), engine.NewID(), engine.NewID(), engine.NewID()}
	names := []string{"", "a", "ab"}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ops []engine.Op
	for i := 0; len(ops) < 4*sortFrom; i++ {
		id := ids[(i*7)%len(ids)]
		switch (i * 13) % 7 {
		case 0, 1:
			ops = append(ops, engine.Op{Type: engine.OpPut, Obj: &engine.Space{ID: id, Name: fmt.Sprint(i)}})
		case 2:
			ops = append(ops, engine.Op{Type: engine.OpPut, Obj: &engine.Device{ID: id, Name: fmt.Sprint(i)}})
		case 3:
			ops = append(ops, engine.Op{Type: engine.OpDelete, Kind: engine.KindSpace, Key: id})
		case 4, 5:
			ops = append(ops, engine.Op{Type: engine.OpValue, Key: id, Name: names[i%len(names)],
				Value: engine.Value{Value: fmt.Sprint(i), Time: t0.Add(time.Duration(i%5) * time.Second)}})
		case 6:
			if i%3 == 0 {
				ops = append(ops, engine.Op{Type: engine.OpDropValues, Key: id})
			}
		}
	}
	opts := Options{NoSync: true, HistoryRetention: 7}
	batch := open(t, tempProject(t), opts)
	if err := batch.Apply(ops); err != nil {
		t.Fatal(err)
	}
	single := open(t, tempProject(t), opts)
	for _, op := range ops {
		if err := single.Apply([]engine.Op{op}); err != nil {
			t.Fatal(err)
		}
	}
	o1, v1 := loadAll(t, batch)
	o2, v2 := loadAll(t, single)
	if !reflect.DeepEqual(o1, o2) || !reflect.DeepEqual(v1, v2) {
		t.Fatalf("batch and one-by-one differ:\n%v %v\n%v %v", o1, v1, o2, v2)
	}
	for _, id := range ids {
		for _, n := range names {
			h1, _ := batch.History(id, n, 100)
			h2, _ := single.History(id, n, 100)
			if !reflect.DeepEqual(h1, h2) {
				t.Errorf("history %s %q: batch %v, one by one %v", id, n, h1, h2)
			}
		}
	}
	if len(v1) == 0 || countHistory(t, batch) == 0 {
		t.Error("test made no values")
	}
}

func TestRecentHistory(t *testing.T) {
	s := open(t, tempProject(t), Options{NoSync: true})
	a, b := engine.NewID(), engine.NewID()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ops []engine.Op
	for i := 0; i < 10; i++ {
		ops = append(ops,
			engine.Op{Type: engine.OpValue, Key: a, Value: engine.Value{Value: fmt.Sprint(i), Time: t0.Add(time.Duration(i))}},
			engine.Op{Type: engine.OpValue, Key: b, Name: "x", Value: engine.Value{Value: fmt.Sprint(i), Time: t0}})
	}
	if err := s.Apply(ops); err != nil {
		t.Fatal(err)
	}
	got := map[ownerName][]engine.Value{}
	err := s.RecentHistory(3, func(owner engine.ID, name string, h []engine.Value) error {
		got[ownerName{owner, name}] = h
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for on, h := range got {
		want, err := s.History(on.owner, on.name, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(h, want) || len(h) != 3 || h[2].Value != "9" {
			t.Errorf("RecentHistory %v = %v, History = %v", on, h, want)
		}
	}
	if len(got) != 2 {
		t.Errorf("RecentHistory gave %d values, want 2", len(got))
	}
}

func TestOpenTwiceInProcess(t *testing.T) {
	path := tempProject(t)
	open(t, path, Options{})
	start := time.Now()
	_, err := Open(path, Options{Timeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("second Open took %v with a 200ms timeout", d)
	}
}
