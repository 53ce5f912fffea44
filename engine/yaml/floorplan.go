package yaml

import (
	"fmt"
	"math"
	"strconv"

	"github.com/twinstudio/twinstudio/engine"
	yamlv3 "go.yaml.in/yaml/v3"
)

// The items of a floor plan block (`plan:` on a floor).
var (
	floorPlanKind  = &kind{name: "plan", plural: "plans", keys: []string{"scale", "width", "height", "grid", "background", "rooms", "devices"}}
	planRoomKind   = &kind{name: "plan room", plural: "rooms", keys: []string{"space", "rect", "polygon"}}
	planDeviceKind = &kind{name: "placed device", plural: "devices", keys: []string{"hardwareId", "at"}}
)

// floorPlan reads a space's `plan:` block (null: none); the background
// file it names is read with readScript (relative to the YAML's folder).
func (r *reader) floorPlan(f field) (*engine.PlanFloor, error) {
	v, done, err := r.deref(f.val)
	if err != nil {
		return nil, err
	}
	done()
	if isNull(v) {
		return nil, nil
	}
	fs, src, done, err := r.item(f.val, floorPlanKind, f.key)
	if err != nil {
		return nil, err
	}
	defer done()
	p := &engine.PlanFloor{Src: src}
	p.Pos = r.pos(f.line)
	for _, pf := range fs {
		pf.key = "plan." + pf.key
		switch pf.canon {
		case "scale":
			err = r.planSize(pf, &p.Scale)
		case "width":
			err = r.planSize(pf, &p.Width)
		case "height":
			err = r.planSize(pf, &p.Height)
		case "grid":
			err = r.planSize(pf, &p.Grid)
		case "background":
			err = r.planBackground(pf, p)
		case "rooms":
			err = r.planRooms(pf, p)
		case "devices":
			err = r.planDevices(pf, p)
		}
		if err != nil {
			return nil, err
		}
	}
	return p, nil
}

// number reads a finite number from -max to max into dst; null is 0.
func (r *reader) number(n *node, line int, field string, max float64, dst *float64) error {
	v, done, err := r.deref(n)
	if err != nil {
		return err
	}
	done()
	if isNull(v) {
		*dst = 0
		return nil
	}
	var x float64
	if v.Kind != yamlv3.ScalarNode || (v.ShortTag() != "!!int" && v.ShortTag() != "!!float") || v.Decode(&x) != nil {
		return r.fail(line, field, engine.ErrInvalid, "want a number, got %s", describe(v))
	}
	if math.IsNaN(x) || x < -max || x > max {
		return r.fail(line, field, engine.ErrInvalid, "want a number from %g to %g, got %s", -max, max, short(v.Value))
	}
	*dst = x
	return nil
}

// planSize reads a size: a number from 0 to engine.MaxPlanSize.
func (r *reader) planSize(f field, dst *float64) error {
	if err := r.number(f.val, f.line, f.key, engine.MaxPlanSize, dst); err != nil {
		return err
	}
	if *dst < 0 {
		return r.fail(f.line, f.key, engine.ErrInvalid, "want a number from 0 to %g, got %g", engine.MaxPlanSize, *dst)
	}
	return nil
}

// numbers reads a list of n numbers (n 0: any length) into a new slice.
func (r *reader) numbers(n *node, line int, field string, want int) ([]float64, error) {
	v, done, err := r.deref(n)
	if err != nil {
		return nil, err
	}
	defer done()
	if v.Kind != yamlv3.SequenceNode || want > 0 && len(v.Content) != want {
		what := "a list of numbers"
		if want > 0 {
			what = "a list of " + strconv.Itoa(want) + " numbers"
		}
		return nil, r.fail(line, field, engine.ErrInvalid, "want %s, got %s", what, describe(v))
	}
	out := make([]float64, len(v.Content))
	for i, it := range v.Content {
		if err := r.number(it, max(it.Line, line), fmt.Sprintf("%s[%d]", field, i), engine.MaxPlanSize, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (r *reader) planBackground(f field, p *engine.PlanFloor) error {
	if err := r.str(f, &p.Background); err != nil || p.Background == "" || r.readScript == nil {
		return err
	}
	data, err := r.readScript(p.Background)
	if err != nil {
		return engine.At(r.pos(f.line), f.key, &posError{
			msg:  oneLine("cannot read " + strconv.Quote(p.Background) + ": " + scriptProblem(err)),
			errs: []error{engine.ErrInvalid, err},
		})
	}
	p.BackgroundData = data
	return nil
}

func (r *reader) planRooms(f field, p *engine.PlanFloor) error {
	return r.list(f, planRoomKind, func(n *node) error {
		at := fmt.Sprintf("%s[%d]", f.key, len(p.Rooms))
		fs, src, done, err := r.item(n, planRoomKind, at)
		if err != nil {
			return err
		}
		defer done()
		room := engine.PlanFloorRoom{Src: src}
		shape := ""
		for _, rf := range fs {
			key := at + "." + rf.key
			switch rf.canon {
			case "space":
				err = r.str(rf, &room.Space)
			case "rect", "polygon":
				if shape != "" {
					return r.fail(rf.line, key, engine.ErrInvalid, "give rect or polygon, not both")
				}
				shape = rf.canon
				room.Points, err = r.roomShape(rf, key)
			}
			if err != nil {
				return err
			}
		}
		switch {
		case room.Space == "":
			return r.fail(src.Pos.Line, at+".space", engine.ErrInvalid, "missing (a room names its space)")
		case shape == "":
			return r.fail(src.Pos.Line, at+".rect", engine.ErrInvalid, "missing (a room needs rect: [x, y, w, h] or polygon: [[x, y], ...])")
		}
		p.Rooms = append(p.Rooms, room)
		return nil
	})
}

// roomShape reads a rect ([x, y, w, h], w and h positive) or a polygon
// ([[x, y], ...], 3 to engine.MaxPlanPoints points).
func (r *reader) roomShape(f field, key string) ([]engine.PlanPoint, error) {
	if f.canon == "rect" {
		xs, err := r.numbers(f.val, f.line, key, 4)
		if err != nil {
			return nil, err
		}
		if xs[2] <= 0 || xs[3] <= 0 {
			return nil, r.fail(f.line, key, engine.ErrInvalid, "width and height must be positive, got %g x %g", xs[2], xs[3])
		}
		return engine.Rect(xs[0], xs[1], xs[2], xs[3]), nil
	}
	v, done, err := r.deref(f.val)
	if err != nil {
		return nil, err
	}
	defer done()
	if v.Kind != yamlv3.SequenceNode || len(v.Content) < 3 || len(v.Content) > engine.MaxPlanPoints {
		return nil, r.fail(f.line, key, engine.ErrInvalid, "want a list of 3 to %d points [x, y], got %s", engine.MaxPlanPoints, describe(v))
	}
	pts := make([]engine.PlanPoint, len(v.Content))
	for i, it := range v.Content {
		xy, err := r.numbers(it, max(it.Line, f.line), fmt.Sprintf("%s[%d]", key, i), 2)
		if err != nil {
			return nil, err
		}
		pts[i] = engine.PlanPoint{X: xy[0], Y: xy[1]}
	}
	return pts, nil
}

func (r *reader) planDevices(f field, p *engine.PlanFloor) error {
	return r.list(f, planDeviceKind, func(n *node) error {
		at := fmt.Sprintf("%s[%d]", f.key, len(p.Devices))
		fs, src, done, err := r.item(n, planDeviceKind, at)
		if err != nil {
			return err
		}
		defer done()
		d := engine.PlanFloorDevice{Src: src}
		given := false
		for _, df := range fs {
			switch df.canon {
			case "hardwareId":
				err = r.str(df, &d.HardwareID)
			case "at":
				var xy []float64
				if xy, err = r.numbers(df.val, df.line, at+".at", 2); err == nil {
					d.X, d.Y, given = xy[0], xy[1], true
				}
			}
			if err != nil {
				return err
			}
		}
		switch {
		case d.HardwareID == "":
			return r.fail(src.Pos.Line, at+".hardwareId", engine.ErrInvalid, "missing (a placed device names its hardwareId)")
		case !given:
			return r.fail(src.Pos.Line, at+".at", engine.ErrInvalid, "missing (a placed device needs at: [x, y])")
		}
		p.Devices = append(p.Devices, d)
		return nil
	})
}
