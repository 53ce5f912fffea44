package yaml

import (
	"fmt"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
	yamlv3 "go.yaml.in/yaml/v3"
)

// planBlock is the `plan:` block of a provisioning file, for writing.
type planBlock struct {
	Scale      float64       `yaml:"scale,omitempty"`
	Width      float64       `yaml:"width,omitempty"`
	Height     float64       `yaml:"height,omitempty"`
	Grid       float64       `yaml:"grid,omitempty"`
	Background string        `yaml:"background,omitempty"`
	Rooms      []planRoomOut `yaml:"rooms,omitempty"`
	Devices    []planDevOut  `yaml:"devices,omitempty"`
}

type planRoomOut struct {
	Space   string      `yaml:"space"`
	Rect    []float64   `yaml:"rect,omitempty,flow"`
	Polygon [][]float64 `yaml:"polygon,omitempty,flow"`
}

type planDevOut struct {
	HardwareID string    `yaml:"hardwareId"`
	At         []float64 `yaml:"at,flow"`
}

// FloorPlanBlock writes p, a plan of the graph v shows, as the `plan:`
// block of its floor in a provisioning file: "plan:\n" and the block,
// every line indented by indent spaces, so that provisioning it gives the
// same plan. Rooms name their space by path below the floor, devices and
// sensors by hardwareId; rectangles (drawn as Rect draws them) are
// written as rect, other shapes as polygon. Shapes not linked to a space
// cannot be written and are left out; the background is written by name
// (the caller writes its file beside the provisioning file).
func FloorPlanBlock(v *engine.View, p *engine.FloorPlan, indent int) (string, error) {
	b, err := planBlockOf(v, p)
	if err != nil {
		return "", err
	}
	out, err := yamlv3.Marshal(map[string]planBlock{"plan": b})
	if err != nil {
		return "", err
	}
	pad := strings.Repeat(" ", indent)
	lines := strings.SplitAfter(string(out), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, ""), nil
}

// planBlockOf is the `plan:` block of p (see FloorPlanBlock).
func planBlockOf(v *engine.View, p *engine.FloorPlan) (planBlock, error) {
	b := planBlock{Scale: p.Scale, Width: p.Width, Height: p.Height, Grid: p.Grid, Background: p.Background}
	floor := v.FullName(p.FloorID)
	if floor == "" {
		return planBlock{}, fmt.Errorf("%w: floor %s", engine.ErrNotFound, p.FloorID)
	}
	for _, s := range p.Shapes {
		if s.SpaceID.IsZero() {
			continue
		}
		room := planRoomOut{Space: strings.TrimPrefix(v.FullName(s.SpaceID), floor+"/")}
		if r, ok := asRect(s.Points); ok {
			room.Rect = r
		} else {
			for _, pt := range s.Points {
				room.Polygon = append(room.Polygon, []float64{pt.X, pt.Y})
			}
		}
		b.Rooms = append(b.Rooms, room)
	}
	for _, it := range p.Items {
		hw := ""
		if d, ok := v.Device(it.ID); ok {
			hw = d.HardwareID
		} else if s, ok := v.Sensor(it.ID); ok {
			hw = s.HardwareID
		}
		if hw != "" {
			b.Devices = append(b.Devices, planDevOut{HardwareID: hw, At: []float64{it.X, it.Y}})
		}
	}
	return b, nil
}

// asRect returns [x, y, w, h] if pts are the corners engine.Rect makes.
func asRect(pts []engine.PlanPoint) ([]float64, bool) {
	if len(pts) != 4 {
		return nil, false
	}
	x, y := pts[0].X, pts[0].Y
	w, h := pts[2].X-x, pts[2].Y-y
	if w <= 0 || h <= 0 {
		return nil, false
	}
	want := engine.Rect(x, y, w, h)
	for i := range want {
		if want[i] != pts[i] {
			return nil, false
		}
	}
	return []float64{x, y, w, h}, true
}
