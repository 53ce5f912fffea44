package engine_test

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
	"github.com/twinstudio/twinstudio/engine/jsonpath"
)

// goUDFs opens the edit tests' project with a FuncRuntime running f as the
// UDF "Proc A" (floor 1, motion sensors; its role covers Room A1 only) and
// a pipeline.
func goUDFs(t *testing.T, f engine.UDFFunc) (*engine.Engine, *proj, *engine.Pipeline) {
	t.Helper()
	e, _ := openEngine(t)
	e.SetPathEvaluator(jsonpath.New())
	p := setupProject(t, e)
	rt := engine.NewFuncRuntime()
	rt.Register("Proc A", f)
	e.SetUDFRuntime(rt)
	pl := e.NewPipeline(engine.PipelineOptions{Workers: 1})
	t.Cleanup(pl.Close)
	return e, p, pl
}

func sendMotion(t *testing.T, pl *engine.Pipeline, payload string) {
	t.Helper()
	tk, err := pl.Submit(&engine.IngressMessage{Topic: "devices/PI-A1/sensors/S-A1-M", Payload: []byte(payload), QoS: 1,
		Username: "PI-A1", Received: time.Now()})
	must(t, err)
	must(t, tk.Wait())
}

func udfID(t *testing.T, e *engine.Engine, name string) engine.ID {
	t.Helper()
	var id engine.ID
	e.View(func(v *engine.View) error {
		for _, u := range v.UDFs() {
			if u.Name == name {
				id = u.ID
			}
		}
		return nil
	})
	if id.IsZero() {
		t.Fatalf("no UDF %s", name)
	}
	return id
}

func lastRecord(t *testing.T, e *engine.Engine) *engine.ExecutionRecord {
	t.Helper()
	recs := e.Records(udfID(t, e, "Proc A"))
	if len(recs) == 0 {
		t.Fatal("no execution record")
	}
	return recs[len(recs)-1]
}

func spaceValue(e *engine.Engine, id engine.ID, name string) (string, bool) {
	var out string
	var ok bool
	e.View(func(v *engine.View) error {
		val, had := v.SpaceValue(id, name)
		out, ok = val.Value, had
		return nil
	})
	return out, ok
}

// TestGoUDFReadYourOwnWrites: a write is what later reads of the same
// execution return, and is applied after it.
func TestGoUDFReadYourOwnWrites(t *testing.T) {
	var got []string
	var p *proj
	e, p, pl := goUDFs(t, func(x *engine.UDFContext, tel engine.Telemetry) error {
		room := p.roomA1.String()
		if err := x.SetSpaceValue(room, "Occupied", tel.Message); err != nil {
			return err
		}
		v, err := x.GetSpaceValue(room, "Occupied")
		if err != nil || v == nil {
			return errors.New("no value read back")
		}
		got = append(got, v.Value.Value)
		if err := x.SetSensorValue(tel.SensorID, "motion", "false"); err != nil {
			return err
		}
		sv, err := x.GetSensorValue(tel.SensorID)
		if err != nil {
			return err
		}
		h, err := x.GetSensorHistoryValues(tel.SensorID)
		if err != nil {
			return err
		}
		got = append(got, sv.Value.Value+"/"+sv.DataType, h[len(h)-1].Value.Value)
		s, err := x.GetSensorMetadata(tel.SensorID)
		if err != nil {
			return err
		}
		got = append(got, s.DataType, s.HardwareID)
		return nil
	})
	sendMotion(t, pl, "true")
	want := []string{"true", "false/Motion", "false", "Motion", "S-A1-M"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("read back %q, want %q", got, want)
	}
	rec := lastRecord(t, e)
	if rec.Outcome != engine.OutcomeOK || len(rec.Writes) != 2 || rec.Writes[1].Name != "Motion" || len(rec.Calls) != 6 {
		t.Errorf("record %+v", rec)
	}
	if v, _ := spaceValue(e, p.roomA1, "Occupied"); v != "true" {
		t.Errorf("applied Occupied = %q", v)
	}
	e.View(func(v *engine.View) error {
		// The UDF's write wins over the message's own value.
		if val, _ := v.SensorValue(p.senA1M); val.Value != "false" {
			t.Errorf("sensor value %q", val.Value)
		}
		return nil
	})
}

// TestGoUDFNotAuthorized: objects outside the UDF's role subtree are
// refused; the execution goes on and its other writes apply.
func TestGoUDFNotAuthorized(t *testing.T) {
	var p *proj
	var errs []error
	e, p, pl := goUDFs(t, func(x *engine.UDFContext, tel engine.Telemetry) error {
		_, err1 := x.GetSpaceMetadata(p.roomA2.String())     // a sibling of Room A1
		err2 := x.SetSpaceValue(p.roomB1.String(), "X", "1") // another floor
		_, err3 := x.GetSpaceMetadata(engine.NewID().String())
		_, err4 := x.GetSpaceParentSpace("not-an-id")
		errs = []error{err1, err2, err3, err4}
		return x.SetSpaceValue(p.roomA1.String(), "X", "ok")
	})
	sendMotion(t, pl, "true")
	if !errors.Is(errs[0], engine.ErrNotAuthorized) || !errors.Is(errs[1], engine.ErrNotAuthorized) ||
		errs[0].Error() != "Not Authorized" {
		t.Errorf("errors %v", errs)
	}
	if !errors.Is(errs[2], engine.ErrDataNotFound) || !strings.HasPrefix(errs[2].Error(), "Data Not Found: space ") {
		t.Errorf("unknown space: %v", errs[2])
	}
	if errs[3] == nil || !strings.Contains(errs[3].Error(), `"not-an-id" is not an id`) {
		t.Errorf("bad id: %v", errs[3])
	}
	rec := lastRecord(t, e)
	if rec.Outcome != engine.OutcomeNotAuthorized || len(rec.Writes) != 1 || rec.Calls[0].Err != "Not Authorized" {
		t.Errorf("record %+v", rec)
	}
	if v, _ := spaceValue(e, p.roomA1, "X"); v != "ok" {
		t.Errorf("the authorized write was not applied: %q", v)
	}
	if _, ok := spaceValue(e, p.roomB1, "X"); ok {
		t.Error("the refused write was applied")
	}
}

// TestGoUDFFailedAppliesNothing: an execution that fails (error or panic)
// after writing and notifying applies none of it.
func TestGoUDFFailedAppliesNothing(t *testing.T) {
	var p *proj
	var mode atomic.Int32
	e, p, pl := goUDFs(t, func(x *engine.UDFContext, tel engine.Telemetry) error {
		must(t, x.SetSpaceValue(p.roomA1.String(), "X", "written"))
		must(t, x.SendNotification(p.roomA1.String(), "Space", "hello"))
		x.Log("about to fail")
		if mode.Load() == 1 {
			panic("boom")
		}
		return errors.New("no")
	})
	sub := e.Events().Subscribe(100, func(ev *engine.Event) bool { return ev.EventType == engine.EventUdfCustom })
	defer sub.Close()
	for i, want := range []string{"no", "panic: boom"} {
		mode.Store(int32(i))
		sendMotion(t, pl, "true")
		rec := lastRecord(t, e)
		if rec.Outcome != engine.OutcomeFailed || rec.Error != want || len(rec.Writes) != 0 || len(rec.Notifications) != 0 ||
			len(rec.Logs) != 1 {
			t.Errorf("record %+v", rec)
		}
	}
	if _, ok := spaceValue(e, p.roomA1, "X"); ok {
		t.Error("a failed execution's write was applied")
	}
	select {
	case ev := <-sub.C:
		t.Errorf("a failed execution's notification went out: %+v", ev)
	case <-time.After(100 * time.Millisecond):
	}
}

// TestUDFHoldsNoLock: an edit finishes while a UDF execution is running
// (the execution holds no lock), and the execution that saw the topology
// move is run again, so its record is of one topology.
func TestUDFHoldsNoLock(t *testing.T) {
	var p *proj
	var e *engine.Engine
	var runs atomic.Int32
	var names []string
	e, p, pl := goUDFs(t, func(x *engine.UDFContext, tel engine.Telemetry) error {
		n := runs.Add(1)
		before, err := x.GetSpaceMetadata(p.roomA1.String())
		if err != nil {
			return err
		}
		if n == 1 {
			done := make(chan error, 1)
			go func() {
				done <- e.Update(func(tx *engine.Tx) error {
					return updateSpace(tx, p.roomA1, func(s *engine.Space) { s.Name = "Renamed" })
				})
			}()
			select {
			case err := <-done:
				if err != nil {
					return err
				}
			case <-time.After(2 * time.Second):
				t.Error("an edit waited for a running UDF")
				return errors.New("edit blocked")
			}
		}
		after, err := x.GetSpaceMetadata(p.roomA1.String())
		if err != nil {
			return err
		}
		names = append(names, before.Name+"→"+after.Name)
		return x.SetSpaceValue(p.roomA1.String(), "Seen", after.Name)
	})
	sendMotion(t, pl, "true")
	if runs.Load() != 2 || len(names) != 2 || names[1] != "Renamed→Renamed" {
		t.Errorf("runs %d, names %q", runs.Load(), names)
	}
	if v, _ := spaceValue(e, p.roomA1, "Seen"); v != "Renamed" {
		t.Errorf("applied %q, want the re-run's", v)
	}
	if recs := e.Records(udfID(t, e, "Proc A")); len(recs) != 1 {
		t.Errorf("%d records for one message", len(recs))
	}
}

// gateStore is the real bbolt store with a gate before Apply, to hold a
// commit in flight.
type gateStore struct {
	*bbolt.Store
	hold    atomic.Bool
	entered chan struct{}
	release chan struct{}
	fail    atomic.Bool
}

func (g *gateStore) Apply(ops []engine.Op) error {
	if g.hold.Load() {
		g.entered <- struct{}{}
		<-g.release
	}
	if g.fail.Load() {
		return errors.New("disk full")
	}
	return g.Store.Apply(ops)
}

func openGated(t *testing.T) (*engine.Engine, *gateStore) {
	t.Helper()
	st, err := bbolt.Open(filepath.Join(t.TempDir(), "g.twin"), bbolt.Options{})
	must(t, err)
	g := &gateStore{Store: st, entered: make(chan struct{}, 1), release: make(chan struct{})}
	e, err := engine.New(g, engine.Options{})
	must(t, err)
	t.Cleanup(func() { e.Close() })
	return e, g
}

// TestUpdateReleasesLockBeforeCommit: while an edit's commit is in flight,
// readers go on and see it; Update returns after the commit; a failed
// commit is rolled back.
func TestUpdateReleasesLockBeforeCommit(t *testing.T) {
	e, g := openGated(t)
	p := setupProject(t, e)
	rename := func(name string) func(tx *engine.Tx) error {
		return func(tx *engine.Tx) error {
			return updateSpace(tx, p.roomA1, func(s *engine.Space) { s.Name = name })
		}
	}
	name := func() string {
		var n string
		e.View(func(v *engine.View) error { s, _ := v.Space(p.roomA1); n = s.Name; return nil })
		return n
	}
	for _, fail := range []bool{false, true} {
		g.hold.Store(true)
		g.fail.Store(fail)
		gen := e.Generation()
		var wg sync.WaitGroup
		var uerr error
		returned := atomic.Bool{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			uerr = e.Update(rename("Edited"))
			returned.Store(true)
		}()
		<-g.entered
		// The commit is in flight: a reader does not wait for it.
		got := make(chan string, 1)
		go func() { got <- name() }()
		select {
		case n := <-got:
			if n != "Edited" {
				t.Errorf("reader saw %q during the commit", n)
			}
		case <-time.After(2 * time.Second):
			t.Error("a reader waited for an edit's commit")
		}
		if returned.Load() {
			t.Error("Update returned before its commit")
		}
		g.hold.Store(false)
		close(g.release)
		wg.Wait()
		if t.Failed() {
			return
		}
		g.release = make(chan struct{})
		if !fail {
			if uerr != nil || name() != "Edited" || e.Generation() != gen+1 {
				t.Errorf("commit: err %v, name %q, generation %d→%d", uerr, name(), gen, e.Generation())
			}
			must(t, e.Update(rename("Room A1")))
			continue
		}
		if uerr == nil || !strings.Contains(uerr.Error(), "disk full") || name() != "Room A1" || e.Generation() != gen+2 {
			t.Errorf("failed commit: err %v, name %q, generation %d→%d", uerr, name(), gen, e.Generation())
		}
	}
	g.fail.Store(false)
}

// TestGoUDFAuthorizationPerExecution: within one execution an object is
// decided the same each time it is checked, a refusal included, and read
// and update are decided apart; a role assignment removed between two
// executions is seen by the second (no decision outlives its execution).
func TestGoUDFAuthorizationPerExecution(t *testing.T) {
	var p *proj
	var errs []error
	e, p, pl := goUDFs(t, func(x *engine.UDFContext, tel engine.Telemetry) error {
		_, err1 := x.GetSpaceMetadata(p.roomA1.String())
		err2 := x.SetSpaceValue(p.roomA1.String(), "X", "1")
		_, err3 := x.GetSpaceMetadata(p.roomA1.String())
		_, err4 := x.GetSpaceMetadata(p.roomA2.String())
		_, err5 := x.GetSpaceMetadata(p.roomA2.String())
		errs = []error{err1, err2, err3, err4, err5}
		return nil
	})
	sendMotion(t, pl, "true")
	if errs[0] != nil || errs[1] != nil || errs[2] != nil || !errors.Is(errs[3], engine.ErrNotAuthorized) || !errors.Is(errs[4], engine.ErrNotAuthorized) {
		t.Fatalf("first execution: %v", errs)
	}
	udf := udfID(t, e, "Proc A")
	must(t, e.Update(func(tx *engine.Tx) error {
		for _, a := range tx.RoleAssignments() {
			if a.ObjectID == udf.String() {
				if err := tx.Delete(engine.KindRoleAssignment, a.ID); err != nil {
					return err
				}
			}
		}
		return nil
	}))
	sendMotion(t, pl, "false")
	for i, err := range errs {
		if !errors.Is(err, engine.ErrNotAuthorized) {
			t.Errorf("second execution, call %d: %v, want Not Authorized", i, err)
		}
	}
}
