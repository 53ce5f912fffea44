package app

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// MaxGeoJSON is the largest GeoJSON file ImportGeoJSON reads (16 MiB).
const MaxGeoJSON = 16 << 20

// geoMargin is the space left around imported shapes, in plan units.
const geoMargin = 1.0

// earthRadius is the mean radius of the Earth in metres (equirectangular
// projection of geographic coordinates).
const earthRadius = 6371008.8

type geoCollection struct {
	Type     string       `json:"type"`
	Features []geoFeature `json:"features"`
}

type geoFeature struct {
	Type       string         `json:"type"`
	Geometry   *geoGeometry   `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type geoGeometry struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// ImportGeoJSON reads data, a GeoJSON FeatureCollection of Polygon (or
// MultiPolygon: its first polygon) features, and returns the plan of
// floor that would result, with how many features it linked to a space;
// the caller applies the plan (through an Editor, to make it undoable).
// Each feature's outer ring becomes a shape; properties.name (or
// properties.space) names the room, a child space of the floor by name or
// by path relative to it ("Area A/Desk 3"); a feature without a name, or
// naming no such space, gives an unlinked shape. The shapes replace those
// of the floor's current plan; its placed devices, background and sizes
// are kept, except that the drawing area grows to hold the shapes.
//
// Coordinates that look geographic (longitude, latitude, all within half
// a degree of each other) are projected to metres around their centroid
// (equirectangular) and the plan's Scale becomes 1; others are taken as
// plan units. Y is flipped so that north is up, and the shapes are moved
// to start one unit from the top left corner.
//
// Errors wrap ErrInvalid and name the feature and field
// ("features[3].geometry: …"); the floor must exist (ErrNotFound). Safe
// for concurrent use.
func (a *App) ImportGeoJSON(floor engine.ID, data []byte) (*engine.FloorPlan, int, error) {
	var out *engine.FloorPlan
	linked := 0
	err := a.engine.View(func(v *engine.View) error {
		var err error
		out, linked, err = importGeoJSON(v, floor, data)
		return err
	})
	return out, linked, err
}

func importGeoJSON(v *engine.View, floor engine.ID, data []byte) (*engine.FloorPlan, int, error) {
	if _, ok := v.Space(floor); !ok {
		return nil, 0, fmt.Errorf("%w: floor %s", engine.ErrNotFound, floor)
	}
	rings, names, err := parseGeoJSON(data)
	if err != nil {
		return nil, 0, err
	}
	p := &engine.FloorPlan{FloorID: floor}
	if cur, ok := v.FloorPlan(floor); ok {
		p = cur.Clone()
	}
	if geographic(rings) {
		project(rings)
		p.Scale = 1
	}
	place(rings, p)
	p.Shapes = make([]engine.PlanShape, len(rings))
	linked := 0
	by := map[engine.ID]int{}
	for i, ring := range rings {
		p.Shapes[i].Points = ring
		if names[i] == "" {
			continue
		}
		id, err := v.RelativeSpace(floor, names[i])
		if err != nil {
			continue // an unlinked shape the user links by hand
		}
		if j, dup := by[id]; dup {
			return nil, 0, fmt.Errorf("%w: features[%d].properties.name: %q is drawn already by features[%d]", engine.ErrInvalid, i, names[i], j)
		}
		by[id] = i
		p.Shapes[i].SpaceID = id
		linked++
	}
	return p, linked, nil
}

// parseGeoJSON returns the outer ring of each feature (closing point
// dropped) and its room name.
func parseGeoJSON(data []byte) ([][]engine.PlanPoint, []string, error) {
	if len(data) > MaxGeoJSON {
		return nil, nil, fmt.Errorf("%w: GeoJSON larger than %d MiB", engine.ErrInvalid, MaxGeoJSON>>20)
	}
	var fc geoCollection
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&fc); err != nil {
		return nil, nil, fmt.Errorf("%w: not GeoJSON: %s", engine.ErrInvalid, oneLineErr(err))
	}
	switch {
	case fc.Type != "FeatureCollection":
		return nil, nil, fmt.Errorf("%w: type: want FeatureCollection, got %q", engine.ErrInvalid, fc.Type)
	case len(fc.Features) == 0:
		return nil, nil, fmt.Errorf("%w: features: no features", engine.ErrInvalid)
	case len(fc.Features) > engine.MaxPlanShapes:
		return nil, nil, fmt.Errorf("%w: features: %d features, at most %d", engine.ErrInvalid, len(fc.Features), engine.MaxPlanShapes)
	}
	rings := make([][]engine.PlanPoint, len(fc.Features))
	names := make([]string, len(fc.Features))
	for i, f := range fc.Features {
		ring, err := featureRing(f)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: features[%d].%s", engine.ErrInvalid, i, err)
		}
		rings[i] = ring
		names[i] = featureName(f.Properties)
	}
	return rings, names, nil
}

func oneLineErr(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// featureName is properties.name, else properties.space, if a string.
func featureName(props map[string]any) string {
	for _, k := range []string{"name", "space"} {
		if s, ok := props[k].(string); ok && strings.TrimSpace(s) != "" {
			return strings.TrimSpace(s)
		}
	}
	return ""
}

// featureRing returns the outer ring of a Polygon or MultiPolygon
// feature; errors start with the field ("geometry: …").
func featureRing(f geoFeature) ([]engine.PlanPoint, error) {
	if f.Type != "Feature" {
		return nil, fmt.Errorf("type: want Feature, got %q", f.Type)
	}
	g := f.Geometry
	if g == nil {
		return nil, fmt.Errorf("geometry: missing")
	}
	var polygon [][][]float64
	switch g.Type {
	case "Polygon":
		if err := json.Unmarshal(g.Coordinates, &polygon); err != nil {
			return nil, fmt.Errorf("geometry.coordinates: want a list of rings of [x, y] positions")
		}
	case "MultiPolygon":
		var multi [][][][]float64
		if err := json.Unmarshal(g.Coordinates, &multi); err != nil || len(multi) == 0 {
			return nil, fmt.Errorf("geometry.coordinates: want a list of polygons")
		}
		polygon = multi[0]
	default:
		return nil, fmt.Errorf("geometry: want a Polygon or MultiPolygon, got %q", g.Type)
	}
	if len(polygon) == 0 {
		return nil, fmt.Errorf("geometry.coordinates: no ring")
	}
	return ringPoints(polygon[0])
}

func ringPoints(ring [][]float64) ([]engine.PlanPoint, error) {
	pts := make([]engine.PlanPoint, 0, len(ring))
	for j, pos := range ring {
		if len(pos) < 2 {
			return nil, fmt.Errorf("geometry.coordinates[0][%d]: want [x, y]", j)
		}
		x, y := pos[0], pos[1]
		if math.Abs(x) > engine.MaxPlanSize || math.Abs(y) > engine.MaxPlanSize {
			return nil, fmt.Errorf("geometry.coordinates[0][%d]: %g, %g out of bounds", j, x, y)
		}
		pts = append(pts, engine.PlanPoint{X: x, Y: y})
	}
	if n := len(pts); n > 1 && pts[0] == pts[n-1] {
		pts = pts[:n-1]
	}
	if len(pts) < 3 || len(pts) > engine.MaxPlanPoints {
		return nil, fmt.Errorf("geometry.coordinates[0]: %d distinct points, want 3 to %d", len(pts), engine.MaxPlanPoints)
	}
	return pts, nil
}

// bounds returns the bounding box of rings.
func bounds(rings [][]engine.PlanPoint) (minX, minY, maxX, maxY float64) {
	minX, minY, maxX, maxY = math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, r := range rings {
		for _, p := range r {
			minX, maxX = min(minX, p.X), max(maxX, p.X)
			minY, maxY = min(minY, p.Y), max(maxY, p.Y)
		}
	}
	return
}

// geographic reports whether rings look like longitude, latitude pairs
// of one building: within the ranges and within half a degree.
func geographic(rings [][]engine.PlanPoint) bool {
	minX, minY, maxX, maxY := bounds(rings)
	return minX >= -180 && maxX <= 180 && minY >= -90 && maxY <= 90 && maxX-minX < 0.5 && maxY-minY < 0.5
}

// project maps longitude, latitude to metres east and north of the
// centroid of every point (equirectangular projection).
func project(rings [][]engine.PlanPoint) {
	var lon0, lat0 float64
	n := 0
	for _, r := range rings {
		for _, p := range r {
			lon0 += p.X
			lat0 += p.Y
			n++
		}
	}
	lon0, lat0 = lon0/float64(n), lat0/float64(n)
	k := math.Pi / 180 * earthRadius
	c := math.Cos(lat0 * math.Pi / 180)
	for _, r := range rings {
		for i, p := range r {
			r[i] = engine.PlanPoint{X: (p.X - lon0) * k * c, Y: (p.Y - lat0) * k}
		}
	}
}

// place flips Y (north up, plan Y grows downwards), moves the shapes to
// start geoMargin from the top left corner, rounds to a thousandth of a
// unit and grows p's drawing area to hold them.
func place(rings [][]engine.PlanPoint, p *engine.FloorPlan) {
	minX, minY, maxX, maxY := bounds(rings)
	for _, r := range rings {
		for i, pt := range r {
			r[i] = engine.PlanPoint{X: round3(pt.X - minX + geoMargin), Y: round3(maxY - pt.Y + geoMargin)}
		}
	}
	if p.Width == 0 {
		p.Width = engine.DefaultPlanWidth
	}
	if p.Height == 0 {
		p.Height = engine.DefaultPlanHeight
	}
	p.Width = max(p.Width, math.Ceil(maxX-minX+2*geoMargin))
	p.Height = max(p.Height, math.Ceil(maxY-minY+2*geoMargin))
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
