package engine_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/jsonpath"
)

// TestTopologyEvents: a recorded transaction yields one TopologyOperation
// event per object it created, updated or deleted, with the spaces to
// notify nearest first, in the Event Grid envelope on
// twins/events/TopologyOperation/{id}.
func TestTopologyEvents(t *testing.T) {
	e, _ := openEngine(t)
	var building, floor, room engine.Space
	var dev engine.Device
	var evs []*engine.Event
	must(t, e.Update(func(tx *engine.Tx) error {
		tx.RecordForTest()
		building = engine.Space{Name: "B"}
		must(t, tx.CreateSpace(&building))
		floor = engine.Space{Name: "F", ParentID: building.ID}
		must(t, tx.CreateSpace(&floor))
		room = engine.Space{Name: "R", ParentID: floor.ID}
		must(t, tx.CreateSpace(&room))
		dev = engine.Device{Name: "Pi", SpaceID: room.ID, HardwareID: "PI1"}
		must(t, tx.CreateDevice(&dev))
		evs = tx.TopologyEventsForTest()
		return nil
	}))
	b, f, r := building.ID.String(), floor.ID.String(), room.ID.String()
	want := []engine.TopologyOperationData{
		{SpacesToNotify: []string{b}, ID: b, Type: "Space", AccessType: engine.ActionCreate},
		{SpacesToNotify: []string{f, b}, ID: f, Type: "Space", AccessType: engine.ActionCreate},
		{SpacesToNotify: []string{r, f, b}, ID: r, Type: "Space", AccessType: engine.ActionCreate},
		{SpacesToNotify: []string{r, f, b}, ID: dev.ID.String(), Type: "Device", AccessType: engine.ActionCreate},
	}
	check(t, "create", evs, want)

	// An update and a delete; an unrecorded transaction has no events.
	must(t, e.Update(func(tx *engine.Tx) error {
		tx.RecordForTest()
		c := floor
		c.Description = "the first floor"
		must(t, tx.UpdateSpace(&c))
		must(t, tx.DeleteDevice(dev.ID))
		evs = tx.TopologyEventsForTest()
		return nil
	}))
	check(t, "update and delete", evs, []engine.TopologyOperationData{
		{SpacesToNotify: []string{f, b}, ID: f, Type: "Space", AccessType: engine.ActionUpdate},
		{SpacesToNotify: []string{r, f, b}, ID: dev.ID.String(), Type: "Device", AccessType: engine.ActionDelete},
	})
	must(t, e.Update(func(tx *engine.Tx) error {
		must(t, tx.DeleteSpace(room.ID))
		evs = tx.TopologyEventsForTest()
		return nil
	}))
	if len(evs) != 0 {
		t.Errorf("unrecorded transaction: %d events", len(evs))
	}

	// The envelope and topic.
	must(t, e.Update(func(tx *engine.Tx) error {
		tx.RecordForTest()
		must(t, tx.DeleteSpace(floor.ID))
		evs = tx.TopologyEventsForTest()
		return nil
	}))
	check(t, "delete a space", evs, []engine.TopologyOperationData{
		{SpacesToNotify: []string{f, b}, ID: f, Type: "Space", AccessType: engine.ActionDelete},
	})
	if got := evs[0].MQTTTopic(); got != "twins/events/TopologyOperation/"+f {
		t.Errorf("topic %s", got)
	}
	var env map[string]any
	if err := json.Unmarshal(evs[0].JSON(), &env); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "subject", "data", "eventType", "eventTime", "dataVersion", "metadataVersion"} {
		if _, ok := env[k]; !ok {
			t.Errorf("envelope without %s: %s", k, evs[0].JSON())
		}
	}
	if env["eventType"] != "TopologyOperation" || env["subject"] != "Space" {
		t.Errorf("envelope %s", evs[0].JSON())
	}
	data := env["data"].(map[string]any)
	if data["AccessType"] != "Delete" || data["Type"] != "Space" || data["Id"] != f {
		t.Errorf("data %v", data)
	}
}

func check(t *testing.T, what string, evs []*engine.Event, want []engine.TopologyOperationData) {
	t.Helper()
	var got []engine.TopologyOperationData
	for _, ev := range evs {
		if ev.EventType != engine.EventTopologyOperation {
			t.Errorf("%s: event type %s", what, ev.EventType)
		}
		got = append(got, *ev.Data.(*engine.TopologyOperationData))
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// TestEditorPublishesTopologyEvents: every committed edit, undo and redo
// publishes its TopologyOperation events on the bus; a failed edit
// publishes none.
func TestEditorPublishesTopologyEvents(t *testing.T) {
	e, _ := openEngine(t)
	ed := engine.NewEditor(e, 0)
	sub := e.Events().Subscribe(100, func(ev *engine.Event) bool { return ev.EventType == engine.EventTopologyOperation })
	defer sub.Close()
	next := func(what string) []string {
		t.Helper()
		var got []string
		for {
			select {
			case ev := <-sub.C:
				d := ev.Data.(*engine.TopologyOperationData)
				got = append(got, string(d.AccessType)+" "+d.Type)
			default:
				return got
			}
		}
	}
	var s engine.Space
	must(t, ed.Do("Add B", func(tx *engine.Tx) error {
		s = engine.Space{Name: "B"}
		if err := tx.CreateSpace(&s); err != nil {
			return err
		}
		return tx.CreateDevice(&engine.Device{Name: "Pi", SpaceID: s.ID, HardwareID: "PI1"})
	}))
	if got := next("do"); !reflect.DeepEqual(got, []string{"Create Space", "Create Device"}) {
		t.Errorf("after Do: %v", got)
	}
	if err := ed.Do("Bad", func(tx *engine.Tx) error {
		c := s
		c.Name = "B2"
		if err := tx.UpdateSpace(&c); err != nil {
			return err
		}
		return engine.ErrInvalid
	}); err == nil {
		t.Fatal("a failing edit succeeded")
	}
	if got := next("failed do"); len(got) != 0 {
		t.Errorf("after a failed edit: %v", got)
	}
	if _, err := ed.Undo(); err != nil {
		t.Fatal(err)
	}
	if got := next("undo"); len(got) != 2 || got[0][:6] != "Delete" || got[1][:6] != "Delete" {
		t.Errorf("after Undo: %v", got)
	}
	if _, err := ed.Redo(); err != nil {
		t.Fatal(err)
	}
	if got := next("redo"); len(got) != 2 || got[0][:6] != "Create" || got[1][:6] != "Create" {
		t.Errorf("after Redo: %v", got)
	}
}

// TestEventsBuiltOnlyWhenWanted: the pipeline and the Editor build an
// event only if a live subscription wants its type. With none, a message
// that sets a sensor value, a space value (UDF) and notifies builds no
// event; a subscription to one type gets that type built and delivered
// alone; a subscription to all gets every event; SetTypes narrows it.
func TestEventsBuiltOnlyWhenWanted(t *testing.T) {
	var p *proj
	e, p, pl := goUDFs(t, func(x *engine.UDFContext, tel engine.Telemetry) error {
		must(t, x.SetSpaceValue(p.roomA1.String(), "Seen", tel.Message))
		return x.SendNotification(p.roomA1.String(), "Space", "hello")
	})
	built := func(payload string) uint64 {
		t.Helper()
		n := engine.EventsBuiltForTest()
		sendMotion(t, pl, payload)
		// The pipeline publishes after the commit, on its own goroutine.
		time.Sleep(20 * time.Millisecond)
		return engine.EventsBuiltForTest() - n
	}
	drain := func(sub *engine.Subscription) []string {
		var got []string
		for {
			select {
			case ev := <-sub.C:
				got = append(got, ev.EventType)
			default:
				sort.Strings(got)
				return got
			}
		}
	}
	if n := built("true"); n != 0 {
		t.Errorf("no subscriber: %d events built", n)
	}
	if v, _ := spaceValue(e, p.roomA1, "Seen"); v != "true" {
		t.Fatalf("the UDF did not run: Seen=%q", v)
	}

	one := e.Events().SubscribeTypes(100, engine.MaskOf(engine.EventSpaceChange), nil)
	if n := built("false"); n != 1 {
		t.Errorf("a SpaceChange subscriber: %d events built, want 1", n)
	}
	if got := drain(one); !reflect.DeepEqual(got, []string{engine.EventSpaceChange}) {
		t.Errorf("a SpaceChange subscriber got %v", got)
	}

	all := e.Events().Subscribe(100, nil)
	want := []string{engine.EventDeviceMessage, engine.EventSensorChange, engine.EventSpaceChange, engine.EventUdfCustom}
	if n := built("true"); n != uint64(len(want)) {
		t.Errorf("a subscriber to all: %d events built, want %d", n, len(want))
	}
	if got := drain(all); !reflect.DeepEqual(got, want) {
		t.Errorf("a subscriber to all got %v, want %v", got, want)
	}
	if got := drain(one); !reflect.DeepEqual(got, []string{engine.EventSpaceChange}) {
		t.Errorf("beside it, the SpaceChange subscriber got %v", got)
	}

	all.SetTypes(engine.MaskOf(engine.EventUdfCustom))
	one.Close()
	if n := built("false"); n != 1 {
		t.Errorf("narrowed to UdfCustom: %d events built, want 1", n)
	}
	if got := drain(all); !reflect.DeepEqual(got, []string{engine.EventUdfCustom}) {
		t.Errorf("narrowed to UdfCustom, got %v", got)
	}
	all.Close()
	all.SetTypes(engine.AllEvents) // after Close: no effect
	if n := built("true"); n != 0 {
		t.Errorf("all closed: %d events built", n)
	}

	// The Editor's TopologyOperation events likewise.
	ed := engine.NewEditor(e, 0)
	n := engine.EventsBuiltForTest()
	must(t, ed.Do("Add", func(tx *engine.Tx) error { return tx.CreateSpace(&engine.Space{Name: "Unseen"}) }))
	if d := engine.EventsBuiltForTest() - n; d != 0 {
		t.Errorf("an edit with no subscriber built %d events", d)
	}
	topo := e.Events().SubscribeTypes(10, engine.MaskOf(engine.EventTopologyOperation), nil)
	defer topo.Close()
	must(t, ed.Do("Add", func(tx *engine.Tx) error { return tx.CreateSpace(&engine.Space{Name: "Seen"}) }))
	if got := drain(topo); !reflect.DeepEqual(got, []string{engine.EventTopologyOperation}) {
		t.Errorf("a TopologyOperation subscriber got %v", got)
	}
}

// BenchmarkIngestEvents measures a message through the pipeline (UDF with
// a space value and a notification, commit) with no subscriber and with
// one subscribed to every event: allocs/op shows what building the events
// costs.
func BenchmarkIngestEvents(b *testing.B) {
	for _, subscribed := range []bool{false, true} {
		b.Run(map[bool]string{false: "none", true: "all"}[subscribed], func(b *testing.B) {
			e, _ := openEngine(b)
			e.SetPathEvaluator(jsonpath.New())
			p := setupProject(b, e)
			rt := engine.NewFuncRuntime()
			rt.Register("Proc A", func(x *engine.UDFContext, tel engine.Telemetry) error {
				if err := x.SetSpaceValue(p.roomA1.String(), "Seen", tel.Message); err != nil {
					return err
				}
				return x.SendNotification(p.roomA1.String(), "Space", "hello")
			})
			e.SetUDFRuntime(rt)
			pl := e.NewPipeline(engine.PipelineOptions{Workers: 1})
			defer pl.Close()
			if subscribed {
				sub := e.Events().Subscribe(1<<20, nil)
				defer sub.Close()
			}
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				tk, err := pl.Submit(&engine.IngressMessage{Topic: "devices/PI-A1/sensors/S-A1-M", Payload: []byte(strconv.Itoa(i % 2)), QoS: 1,
					Username: "PI-A1", Received: time.Now()})
				if err != nil {
					b.Fatal(err)
				}
				if err := tk.Wait(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestFloorPlanTopologyEvents: putting, changing and deleting a floor
// plan through the Editor (and undoing it) publishes TopologyOperation
// events of type FloorPlan with the floor's id and the floor and its
// ancestors to notify; deleting the floor deletes its plan with it. They
// are visible to whoever may read the floor.
func TestFloorPlanTopologyEvents(t *testing.T) {
	e, _ := openEngine(t)
	provisionYAML(t, e, tenantsYAML, nil)
	var tower, contoso engine.ID
	must(t, e.View(func(v *engine.View) error {
		var err error
		if tower, err = v.ResolveSpace("/Tower"); err != nil {
			return err
		}
		contoso, err = v.ResolveSpace("/Tower/Contoso")
		return err
	}))
	ed := engine.NewEditor(e, 0)
	sub := e.Events().Subscribe(100, func(ev *engine.Event) bool { return ev.EventType == engine.EventTopologyOperation })
	defer sub.Close()
	var evs []*engine.Event
	next := func() []*engine.Event {
		evs = evs[:0]
		for {
			select {
			case ev := <-sub.C:
				evs = append(evs, ev)
			default:
				return evs
			}
		}
	}
	c, tw := contoso.String(), tower.String()
	plan := func(access engine.Action) engine.TopologyOperationData {
		return engine.TopologyOperationData{SpacesToNotify: []string{c, tw}, ID: c, Type: "FloorPlan", AccessType: access}
	}
	put := func(shapes int) func(tx *engine.Tx) error {
		return func(tx *engine.Tx) error {
			p := &engine.FloorPlan{FloorID: contoso, Scale: 0.5}
			for range shapes {
				p.Shapes = append(p.Shapes, engine.PlanShape{Points: engine.Rect(1, 1, 4, 3)})
			}
			return tx.PutFloorPlan(p)
		}
	}
	must(t, ed.Do("Draw", put(0)))
	check(t, "put", next(), []engine.TopologyOperationData{plan(engine.ActionCreate)})
	must(t, ed.Do("Draw a room", put(1)))
	check(t, "change", next(), []engine.TopologyOperationData{plan(engine.ActionUpdate)})
	if _, err := ed.Undo(); err != nil {
		t.Fatal(err)
	}
	check(t, "undo", next(), []engine.TopologyOperationData{plan(engine.ActionUpdate)})

	// Who sees the plan's events: the readers of the floor.
	must(t, ed.Do("Draw a room", put(1)))
	ev := next()[0]
	for _, tc := range []struct {
		p    engine.Principal
		want bool
	}{
		{tenantPrincipals[0].p, true},  // alice: Contoso
		{tenantPrincipals[1].p, false}, // carol: Contoso Labs only
		{tenantPrincipals[2].p, false}, // bob: Fabrikam
		{tenantPrincipals[3].p, true},  // dave: both
		{tenantPrincipals[4].p, false},
		{engine.Owner, true},
	} {
		if got := e.EventVisible(tc.p, ev); got != tc.want {
			t.Errorf("%s sees the plan's event: %v, want %v", tc.p.Name(), got, tc.want)
		}
	}

	// Deleting the floor deletes the plan: a Delete event for each.
	must(t, ed.Do("Delete Contoso", func(tx *engine.Tx) error { return tx.DeleteSpace(contoso) }))
	var got []string
	for _, ev := range next() {
		d := ev.Data.(*engine.TopologyOperationData)
		if d.Type == "FloorPlan" || d.ID == c {
			got = append(got, string(d.AccessType)+" "+d.Type+" "+strings.Join(d.SpacesToNotify, ","))
		}
	}
	slices.Sort(got)
	want := []string{"Delete FloorPlan " + c + "," + tw, "Delete Space " + c + "," + tw}
	if !slices.Equal(got, want) {
		t.Errorf("deleting the floor:\n got %q\nwant %q", got, want)
	}
}
