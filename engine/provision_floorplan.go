package engine

import (
	"fmt"
	"path"
	"reflect"
	"strings"
)

// ProvisionedBackground is a background drawing a provisioning file gave
// a floor plan: the application keeps Data (the engine keeps only the
// plan's Background name).
type ProvisionedBackground struct {
	Floor ID
	Name  string
	Data  []byte
	Pos   Pos
}

// floorToPlan is a floor whose plan is applied once every space of the
// provisioning file exists.
type floorToPlan struct {
	floor ID
	plan  *PlanFloor
}

// floorPlans applies the `plan:` blocks of the provisioned floors.
func (pr *provisioner) floorPlans() error {
	for _, f := range pr.floors {
		if err := pr.floorPlan(f.floor, f.plan); err != nil {
			return err
		}
		pr.tick()
	}
	return nil
}

// floorPlan builds the plan of floor from pf and stores it unless it is
// already so. A block replaces the floor's rooms and placed devices; sizes
// it leaves zero and a background it does not name are kept.
func (pr *provisioner) floorPlan(floor ID, pf *PlanFloor) error {
	tx := pr.tx
	fs := tx.g.spaces[floor]
	if len(fs.children) == 0 && !strings.EqualFold(tx.TypeName(fs.s.TypeID), "Floor") {
		return At(pf.Pos, "plan", fmt.Errorf("%w: space %q holds no rooms; only floors carry a plan", ErrInvalid, fs.s.Name))
	}
	cur, had := tx.FloorPlan(floor)
	p := &FloorPlan{FloorID: floor, Width: DefaultPlanWidth, Height: DefaultPlanHeight}
	if had {
		p = cur.Clone()
	}
	for _, v := range []struct {
		dst *float64
		val float64
	}{{&p.Scale, pf.Scale}, {&p.Width, pf.Width}, {&p.Height, pf.Height}, {&p.Grid, pf.Grid}} {
		if v.val != 0 {
			*v.dst = v.val
		}
	}
	if pf.Background != "" {
		p.Background = path.Base(strings.ReplaceAll(pf.Background, "\\", "/"))
		pr.sum.Backgrounds = append(pr.sum.Backgrounds, ProvisionedBackground{Floor: floor, Name: p.Background, Data: pf.BackgroundData, Pos: pf.At("background")})
	}
	shapes, err := pr.planRooms(floor, pf)
	if err != nil {
		return err
	}
	items, err := pr.planDevices(pf)
	if err != nil {
		return err
	}
	p.Shapes, p.Items = shapes, items
	if had && samePlan(cur, p) {
		pr.sum.count(KindFloorPlan).Unchanged++
		return nil
	}
	if err := tx.PutFloorPlan(p); err != nil {
		return At(pf.Pos, "plan", err)
	}
	if had {
		pr.sum.count(KindFloorPlan).Updated++
	} else {
		pr.sum.count(KindFloorPlan).Created++
	}
	return nil
}

func (pr *provisioner) planRooms(floor ID, pf *PlanFloor) ([]PlanShape, error) {
	var out []PlanShape
	seen := map[ID]int{}
	for i, r := range pf.Rooms {
		field := fmt.Sprintf("plan.rooms[%d].space", i)
		id, err := pr.tx.RelativeSpace(floor, r.Space)
		if err != nil {
			return nil, At(r.At("space"), field, err)
		}
		if j, dup := seen[id]; dup {
			return nil, At(r.At("space"), field, fmt.Errorf("%w: %q is drawn already by rooms[%d]", ErrDuplicate, r.Space, j))
		}
		seen[id] = i
		if len(r.Points) < 3 {
			return nil, At(r.Pos, fmt.Sprintf("plan.rooms[%d]", i), fmt.Errorf("%w: a room needs rect or polygon", ErrInvalid))
		}
		out = append(out, PlanShape{SpaceID: id, Points: append([]PlanPoint(nil), r.Points...)})
	}
	return out, nil
}

func (pr *provisioner) planDevices(pf *PlanFloor) ([]PlanItem, error) {
	var out []PlanItem
	seen := map[ID]int{}
	for i, d := range pf.Devices {
		field := fmt.Sprintf("plan.devices[%d].hardwareId", i)
		var id ID
		if dev, ok := pr.tx.DeviceByHardwareID(d.HardwareID); ok {
			id = dev.ID
		} else if s, ok := pr.tx.SensorByHardwareID(d.HardwareID); ok {
			id = s.ID
		} else {
			return nil, At(d.At("hardwareId"), field, fmt.Errorf("%w: no device or sensor with hardwareId %q", ErrNotFound, d.HardwareID))
		}
		if j, dup := seen[id]; dup {
			return nil, At(d.At("hardwareId"), field, fmt.Errorf("%w: %q is placed already by devices[%d]", ErrDuplicate, d.HardwareID, j))
		}
		seen[id] = i
		out = append(out, PlanItem{ID: id, X: d.X, Y: d.Y})
	}
	return out, nil
}

// samePlan reports whether a and b are the same plan, empty and nil
// lists alike.
func samePlan(a, b *FloorPlan) bool {
	x, y := *a, *b
	for _, p := range []*FloorPlan{&x, &y} {
		if len(p.Shapes) == 0 {
			p.Shapes = nil
		}
		if len(p.Items) == 0 {
			p.Items = nil
		}
	}
	return reflect.DeepEqual(&x, &y)
}

// RelativeSpace finds the space at rel, a name or a path of names
// relative to space from ("Area A/Desk 3"; names compare as
// ChildSpaceByName does). It returns ErrNotFound naming the missing part,
// ErrInvalid for an empty path.
func (v *View) RelativeSpace(from ID, rel string) (ID, error) {
	rel = strings.Trim(strings.TrimSpace(rel), "/")
	if rel == "" {
		return NilID, fmt.Errorf("%w: no space name", ErrInvalid)
	}
	cur := from
	for _, part := range strings.Split(rel, "/") {
		s, ok := v.ChildSpaceByName(cur, strings.TrimSpace(part))
		if !ok {
			return NilID, fmt.Errorf("%w: no space %q under %s", ErrNotFound, part, v.FullName(cur))
		}
		cur = s.ID
	}
	return cur, nil
}
