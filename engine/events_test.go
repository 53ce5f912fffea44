package engine_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
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
