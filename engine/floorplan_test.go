package engine_test

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

// planFixture is a building with one floor of two rooms and an area with
// a desk, a device with a sensor in room A, and a second floor.
type planFixture struct {
	floor, floor2, roomA, roomB, area, desk, dev, sen engine.ID
}

func newPlanFixture(t *testing.T, e *engine.Engine) planFixture {
	t.Helper()
	var f planFixture
	must(t, e.Update(func(tx *engine.Tx) error {
		mk := func(name string, parent engine.ID) engine.ID {
			s := &engine.Space{Name: name, ParentID: parent}
			must(t, tx.CreateSpace(s))
			return s.ID
		}
		b := mk("Building", engine.NilID)
		f.floor, f.floor2 = mk("Floor 1", b), mk("Floor 2", b)
		f.roomA, f.roomB, f.area = mk("Room A", f.floor), mk("Room B", f.floor), mk("Area", f.floor)
		f.desk = mk("Desk 3", f.area)
		d := &engine.Device{Name: "Pi", HardwareID: "PI-1", SpaceID: f.roomA}
		must(t, tx.CreateDevice(d))
		s := &engine.Sensor{DeviceID: d.ID, HardwareID: "PI-1-T", DataTypeID: typ(t, tx, engine.SensorDataType, "Temperature")}
		must(t, tx.CreateSensor(s))
		f.dev, f.sen = d.ID, s.ID
		return nil
	}))
	return f
}

func (f planFixture) plan() *engine.FloorPlan {
	return &engine.FloorPlan{FloorID: f.floor, Scale: 0.5, Width: 80, Height: 50, Grid: 1, Background: "floor1.png",
		Shapes: []engine.PlanShape{
			{SpaceID: f.roomA, Points: engine.Rect(0, 0, 10, 8)},
			{SpaceID: f.roomB, Points: engine.Rect(10, 0, 10, 8)},
			{SpaceID: f.desk, Points: []engine.PlanPoint{{0, 10}, {4, 10}, {2, 14}}},
			{Points: engine.Rect(30, 30, 2, 2)},
		},
		Items: []engine.PlanItem{{ID: f.dev, X: 2, Y: 2}, {ID: f.sen, X: 3, Y: 2.5}},
	}
}

func floorPlanOf(t *testing.T, e *engine.Engine, floor engine.ID) *engine.FloorPlan {
	t.Helper()
	var p *engine.FloorPlan
	must(t, e.View(func(v *engine.View) error { p, _ = v.FloorPlan(floor); return nil }))
	return p
}

func TestFloorPlanStoredAcrossReopen(t *testing.T) {
	e, path := openEngine(t)
	f := newPlanFixture(t, e)
	want := f.plan()
	must(t, e.Update(func(tx *engine.Tx) error { return tx.PutFloorPlan(f.plan()) }))
	must(t, e.Update(func(tx *engine.Tx) error {
		return tx.PutFloorPlan(&engine.FloorPlan{FloorID: f.floor2}) // defaults
	}))
	e.Close()
	e = reopen(t, path)
	if got := floorPlanOf(t, e, f.floor); !reflect.DeepEqual(got, want) {
		t.Fatalf("after reopen %+v, want %+v", got, want)
	}
	p2 := floorPlanOf(t, e, f.floor2)
	if p2 == nil || p2.Width != engine.DefaultPlanWidth || p2.Height != engine.DefaultPlanHeight || p2.MetresPerUnit() != 1 || p2.GridStep() != 0.5 {
		t.Fatalf("defaults: %+v", p2)
	}
	must(t, e.View(func(v *engine.View) error {
		ps := v.FloorPlans()
		if len(ps) != 2 || ps[0].FloorID != f.floor || ps[1].FloorID != f.floor2 {
			t.Errorf("FloorPlans not by floor path: %v", ps)
		}
		return nil
	}))
	if a := want.AreaM2(0); a != 80*0.25 {
		t.Errorf("AreaM2(0) = %v, want 20", a)
	}
	if a := want.Shapes[2].Area(); a != 8 {
		t.Errorf("triangle area %v, want 8", a)
	}
}

func TestFloorPlanRefused(t *testing.T) {
	e, _ := openEngine(t)
	f := newPlanFixture(t, e)
	tests := []struct {
		name   string
		change func(p *engine.FloorPlan)
		want   error
		text   string
	}{
		{"no floor", func(p *engine.FloorPlan) { p.FloorID = engine.NewID() }, engine.ErrNotFound, "floor"},
		{"space outside the floor", func(p *engine.FloorPlan) { p.Shapes[2].SpaceID = f.floor2 }, engine.ErrInvalid, "shapes[2].spaceId"},
		{"the floor itself", func(p *engine.FloorPlan) { p.Shapes[0].SpaceID = f.floor }, engine.ErrInvalid, "shapes[0].spaceId"},
		{"linked twice", func(p *engine.FloorPlan) { p.Shapes[1].SpaceID = f.roomA }, engine.ErrInvalid, "shapes[1].spaceId: space \"Room A\" is linked already"},
		{"two points", func(p *engine.FloorPlan) { p.Shapes[3].Points = p.Shapes[3].Points[:2] }, engine.ErrInvalid, "shapes[3].points"},
		{"NaN point", func(p *engine.FloorPlan) { p.Shapes[0].Points[1].X = math.NaN() }, engine.ErrInvalid, "shapes[0].points[1]"},
		{"negative width", func(p *engine.FloorPlan) { p.Width = -1 }, engine.ErrInvalid, "width"},
		{"infinite scale", func(p *engine.FloorPlan) { p.Scale = math.Inf(1) }, engine.ErrInvalid, "scale"},
		{"unknown item", func(p *engine.FloorPlan) { p.Items[1].ID = f.roomA }, engine.ErrInvalid, "items[1].id"},
		{"placed twice", func(p *engine.FloorPlan) { p.Items[1].ID = f.dev }, engine.ErrInvalid, "items[1].id"},
		{"background path", func(p *engine.FloorPlan) { p.Background = "../x.png" }, engine.ErrInvalid, "background"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := f.plan()
			tt.change(p)
			err := e.Update(func(tx *engine.Tx) error { return tx.PutFloorPlan(p) })
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("err %v, want %v naming %q", err, tt.want, tt.text)
			}
			if floorPlanOf(t, e, f.floor) != nil {
				t.Fatal("a refused plan was stored")
			}
		})
	}
	err := e.Update(func(tx *engine.Tx) error { return tx.DeleteFloorPlan(f.floor) })
	if !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("DeleteFloorPlan of none: %v", err)
	}
}

// TestFloorPlanUndoRedo puts, changes and deletes a plan through the
// editor and walks the stack back and forth.
func TestFloorPlanUndoRedo(t *testing.T) {
	e, path := openEngine(t)
	f := newPlanFixture(t, e)
	ed := engine.NewEditor(e, 0)
	must(t, ed.Do("Draw Floor 1", func(tx *engine.Tx) error { return tx.PutFloorPlan(f.plan()) }))
	must(t, ed.Do("Move Room B", func(tx *engine.Tx) error {
		p, _ := tx.FloorPlan(f.floor)
		c := p.Clone()
		c.Shapes[1].Points = engine.Rect(12, 0, 10, 8)
		return tx.PutFloorPlan(c)
	}))
	if p := floorPlanOf(t, e, f.floor); p.Shapes[1].Points[0].X != 12 {
		t.Fatalf("edit not applied: %+v", p.Shapes[1])
	}
	if label, err := ed.Undo(); err != nil || label != "Move Room B" {
		t.Fatalf("undo: %q %v", label, err)
	}
	if p := floorPlanOf(t, e, f.floor); !reflect.DeepEqual(p, f.plan()) {
		t.Fatalf("after undo %+v", p)
	}
	_, err := ed.Undo()
	must(t, err)
	if p := floorPlanOf(t, e, f.floor); p != nil {
		t.Fatalf("undoing the first edit left %+v", p)
	}
	_, err = ed.Redo()
	must(t, err)
	_, err = ed.Redo()
	must(t, err)
	must(t, ed.Do("Delete plan", func(tx *engine.Tx) error { return tx.DeleteObject(engine.KindFloorPlan, f.floor) }))
	_, err = ed.Undo()
	must(t, err)
	e.Close()
	e = reopen(t, path)
	if p := floorPlanOf(t, e, f.floor); p == nil || p.Shapes[1].Points[0].X != 12 {
		t.Fatalf("after redo, delete, undo and reopen: %+v", p)
	}
}

// TestFloorPlanCascades deletes and moves what a plan refers to, through
// the editor, and undoes each.
func TestFloorPlanCascades(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(tx *engine.Tx, f planFixture) error
		check func(t *testing.T, f planFixture, p *engine.FloorPlan)
	}{
		{"delete a room unlinks its shape", func(tx *engine.Tx, f planFixture) error { return tx.DeleteSpace(f.roomB) },
			func(t *testing.T, f planFixture, p *engine.FloorPlan) {
				if p.Shapes[1].SpaceID != engine.NilID || len(p.Shapes) != 4 {
					t.Errorf("shape not unlinked: %+v", p.Shapes)
				}
			}},
		{"delete an area unlinks the desk", func(tx *engine.Tx, f planFixture) error { return tx.DeleteSpace(f.area) },
			func(t *testing.T, f planFixture, p *engine.FloorPlan) {
				if p.Shapes[2].SpaceID != engine.NilID || p.Shapes[0].SpaceID != f.roomA {
					t.Errorf("shapes %+v", p.Shapes)
				}
			}},
		{"delete a device drops it and its sensor", func(tx *engine.Tx, f planFixture) error { return tx.DeleteDevice(f.dev) },
			func(t *testing.T, f planFixture, p *engine.FloorPlan) {
				if len(p.Items) != 0 {
					t.Errorf("items %+v", p.Items)
				}
			}},
		{"delete a sensor drops its item", func(tx *engine.Tx, f planFixture) error { return tx.DeleteSensor(f.sen) },
			func(t *testing.T, f planFixture, p *engine.FloorPlan) {
				if len(p.Items) != 1 || p.Items[0].ID != f.dev {
					t.Errorf("items %+v", p.Items)
				}
			}},
		{"delete the room holding the device", func(tx *engine.Tx, f planFixture) error { return tx.DeleteSpace(f.roomA) },
			func(t *testing.T, f planFixture, p *engine.FloorPlan) {
				if len(p.Items) != 0 || p.Shapes[0].SpaceID != engine.NilID {
					t.Errorf("plan %+v", p)
				}
			}},
		{"delete the floor deletes the plan", func(tx *engine.Tx, f planFixture) error { return tx.DeleteSpace(f.floor) },
			func(t *testing.T, f planFixture, p *engine.FloorPlan) {
				if p != nil {
					t.Errorf("plan left: %+v", p)
				}
			}},
		{"move a room to another floor unlinks it", func(tx *engine.Tx, f planFixture) error { return tx.MoveSpace(f.roomB, f.floor2) },
			func(t *testing.T, f planFixture, p *engine.FloorPlan) {
				if p.Shapes[1].SpaceID != engine.NilID || p.Shapes[0].SpaceID != f.roomA {
					t.Errorf("shapes %+v", p.Shapes)
				}
			}},
		{"move the desk within the floor keeps it", func(tx *engine.Tx, f planFixture) error { return tx.MoveSpace(f.desk, f.roomB) },
			func(t *testing.T, f planFixture, p *engine.FloorPlan) {
				if p.Shapes[2].SpaceID != f.desk {
					t.Errorf("shapes %+v", p.Shapes)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, path := openEngine(t)
			f := newPlanFixture(t, e)
			must(t, e.Update(func(tx *engine.Tx) error { return tx.PutFloorPlan(f.plan()) }))
			ed := engine.NewEditor(e, 0)
			must(t, ed.Do(tt.name, func(tx *engine.Tx) error { return tt.edit(tx, f) }))
			tt.check(t, f, floorPlanOf(t, e, f.floor))
			_, err := ed.Undo()
			must(t, err)
			if p := floorPlanOf(t, e, f.floor); !reflect.DeepEqual(p, f.plan()) {
				t.Fatalf("after undo %+v", p)
			}
			_, err = ed.Redo()
			must(t, err)
			e.Close()
			e = reopen(t, path)
			tt.check(t, f, floorPlanOf(t, e, f.floor))
		})
	}
}
