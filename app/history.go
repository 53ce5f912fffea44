package app

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/simulator"
)

// Signal is a value with a history that a chart can plot: a sensor's
// value (Name "") or a space value (Name is the value's name).
type Signal struct {
	Owner engine.ID // the sensor or the space
	Name  string    // "" for a sensor, else the space value's name
	// Label is the sensor's hardwareId (its id if it has none) or
	// "/path · Name" for a space value.
	Label string
	// Unit is the symbol of the sensor's data unit type ("ppm", "°C";
	// the type's name when it has none; "" for None); for a space
	// value, the unit of a sensor of that data type under the space
	// searched, if any.
	Unit string
	// Kind is the sensor's data type ("Temperature", "Motion", …) or the
	// space value's name.
	Kind string
}

// Signals returns the sensors and space values of space and the spaces
// under it (the zero ID: the whole graph) whose label or kind contains
// query (case-insensitive; "" matches all), sorted by label, at most limit
// if limit > 0. An unknown space gives none. Safe for concurrent use.
func (a *App) Signals(space engine.ID, query string, limit int) []Signal {
	var out []Signal
	units := map[string]string{} // data type → the unit of a sensor of it
	q := strings.ToLower(query)
	_ = a.engine.View(func(v *engine.View) error {
		visit := func(s *engine.Space) {
			for _, sn := range v.SpaceSensors(s.ID) {
				sig := Signal{Owner: sn.ID, Label: sn.HardwareID, Kind: v.TypeName(sn.DataTypeID), Unit: unitName(v.TypeName(sn.DataUnitTypeID))}
				if sig.Label == "" {
					sig.Label = sn.ID.String()
				}
				if _, ok := units[sig.Kind]; !ok && sig.Unit != "" {
					units[sig.Kind] = sig.Unit
				}
				out = append(out, sig)
			}
			full := v.FullName(s.ID)
			for _, nv := range v.SpaceValues(s.ID) {
				out = append(out, Signal{Owner: s.ID, Name: nv.Name, Label: full + " · " + nv.Name, Kind: nv.Name})
			}
		}
		walkUnder(v, space, func(s *engine.Space) { visit(s) })
		return nil
	})
	out = slices.DeleteFunc(out, func(s Signal) bool {
		return q != "" && !strings.Contains(strings.ToLower(s.Label), q) && !strings.Contains(strings.ToLower(s.Kind), q)
	})
	for i := range out {
		if out[i].Name != "" {
			out[i].Unit = units[out[i].Kind]
		}
	}
	slices.SortFunc(out, func(x, y Signal) int { return cmp.Or(cmp.Compare(x.Label, y.Label), cmp.Compare(x.Name, y.Name)) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out
}

// unitName is a unit type's name for an axis: "" for the "None" type.
func unitName(t string) string {
	if sym, ok := unitSymbols[strings.ToLower(t)]; ok {
		return sym
	}
	return t
}

// unitSymbols are the symbols axes show for the ontology's unit types
// (lower case); a unit type not listed shows its name.
var unitSymbols = map[string]string{
	"none": "", "boolean": "", "count": "",
	"celsius": "°C", "celsiustemperature": "°C", "fahrenheit": "°F", "fahrenheittemperature": "°F", "kelvin": "K",
	"partspermillion": "ppm", "partsperbillion": "ppb", "percent": "%", "relativehumidity": "%",
	"lux": "lx", "watt": "W", "kilowatt": "kW", "kilowatthour": "kWh", "volt": "V", "ampere": "A",
	"decibels": "dB", "pascal": "Pa", "hectopascal": "hPa", "kilopascal": "kPa", "seconds": "s",
	"millimeters": "mm", "meterspersecond": "m/s", "literspersecond": "L/s", "cubicmetersperhour": "m³/h",
	"cubicfeetperminute": "cfm", "microgramspercubicmeter": "µg/m³",
}

// walkUnder calls fn for space and every space under it, parents first;
// for the zero ID, for every space of the graph.
func walkUnder(v *engine.View, space engine.ID, fn func(s *engine.Space)) {
	if space.IsZero() {
		_ = v.WalkSpaces(func(s *engine.Space) error { fn(s); return nil }, nil)
		return
	}
	s, ok := v.Space(space)
	if !ok {
		return
	}
	fn(s)
	for _, c := range v.ChildSpaces(space) {
		walkUnder(v, c.ID, fn)
	}
}

// SignalHistory returns the recorded values of s with from <= time <= to
// (a zero from or to: open), oldest first; if limit > 0, the newest limit
// of them. It reads the project's history (real, recorded and simulated
// telemetry alike), not only what the engine keeps in memory, so it
// reaches back as far as the store's retention. An owner no longer in the
// graph is an error wrapping engine.ErrNotFound.
func (a *App) SignalHistory(s Signal, from, to time.Time, limit int) ([]engine.Value, error) {
	return a.engine.HistoryRange(s.Owner, s.Name, from, to, limit)
}

// motionKind is the data type of the sensors Occupancy counts.
const motionKind = "Motion"

// MaxOccupancyBuckets bounds the points one Occupancy call returns.
const MaxOccupancyBuckets = 100_000

// OccupancyPoint is one time bucket of Occupancy: Rooms is the number of
// rooms with motion readings in the bucket, Occupied how many of them
// detected someone at least once, and Rate their share: for a room, the
// share of its readings that detected someone; for a floor or building,
// Occupied/Rooms. A bucket without data has Rooms 0 and Rate 0.
type OccupancyPoint struct {
	T               time.Time // the bucket's start
	Occupied, Rooms int
	Rate            float64
}

// room is a space with motion sensors of its own and their readings.
type room struct {
	space    engine.ID
	readings []motionReading
}

type motionReading struct {
	t        time.Time
	detected bool
}

// Occupancy returns space's occupancy over time in buckets of bucket,
// from from (the first reading if zero) to to (the last reading if zero).
// Its rooms are the spaces with Motion sensors at space or under it: a
// space whose own sensors are its only ones (a room) gives the share of
// its readings that detected someone; any other (a floor, a building)
// counts its rooms occupied per bucket and rates them Occupied/Rooms. Buckets start
// at from truncated to bucket (UTC). A space without motion sensors gives
// no points. Errors: an unknown space wraps engine.ErrNotFound; a bucket
// <= 0 or more than MaxOccupancyBuckets buckets wraps engine.ErrInvalid.
func (a *App) Occupancy(space engine.ID, from, to time.Time, bucket time.Duration) ([]OccupancyPoint, error) {
	if bucket <= 0 {
		return nil, fmt.Errorf("%w: occupancy bucket must be positive, got %v", engine.ErrInvalid, bucket)
	}
	rooms, err := a.motionRooms(space, from, to)
	if err != nil {
		return nil, err
	}
	start, end := readingSpan(rooms, from, to)
	if start.IsZero() || end.Before(start) {
		return nil, nil
	}
	start = start.UTC().Truncate(bucket)
	n := int(end.Sub(start)/bucket) + 1
	if n > MaxOccupancyBuckets {
		return nil, fmt.Errorf("%w: %v in buckets of %v is %d buckets, more than %d", engine.ErrInvalid, end.Sub(start), bucket, n, MaxOccupancyBuckets)
	}
	single := len(rooms) == 1 && rooms[0].space == space
	return occupancyPoints(rooms, single, start, bucket, n), nil
}

// occupancyPoints buckets the rooms' readings into n buckets of width
// bucket from start. single is a room on its own: its rate is the share of
// its readings that detected someone, else the share of rooms occupied.
func occupancyPoints(rooms []room, single bool, start time.Time, bucket time.Duration, n int) []OccupancyPoint {
	pts := make([]OccupancyPoint, n)
	for i := range pts {
		pts[i].T = start.Add(time.Duration(i) * bucket)
	}
	seen, hit := make([]int, n), make([]int, n) // per bucket, of one room
	for _, r := range rooms {
		clear(seen)
		clear(hit)
		for _, m := range r.readings {
			i := int(m.t.Sub(start) / bucket)
			if i < 0 || i >= n {
				continue
			}
			seen[i]++
			if m.detected {
				hit[i]++
			}
		}
		for i := range pts {
			if seen[i] == 0 {
				continue
			}
			pts[i].Rooms++
			if hit[i] > 0 {
				pts[i].Occupied++
			}
			if single {
				pts[i].Rate = float64(hit[i]) / float64(seen[i])
			}
		}
	}
	if !single {
		for i := range pts {
			if pts[i].Rooms > 0 {
				pts[i].Rate = float64(pts[i].Occupied) / float64(pts[i].Rooms)
			}
		}
	}
	return pts
}

// readingSpan is [from, to] with open ends replaced by the first and last
// reading; zero times if there are no readings and from is open.
func readingSpan(rooms []room, from, to time.Time) (time.Time, time.Time) {
	first, last := from, to
	for _, r := range rooms {
		for _, m := range r.readings {
			if from.IsZero() && (first.IsZero() || m.t.Before(first)) {
				first = m.t
			}
			if to.IsZero() && m.t.After(last) {
				last = m.t
			}
		}
	}
	if last.IsZero() {
		last = first
	}
	return first, last
}

// motionRooms returns the spaces with Motion sensors at space or under it,
// with their motion readings in [from, to].
func (a *App) motionRooms(space engine.ID, from, to time.Time) ([]room, error) {
	type roomSensors struct {
		space   engine.ID
		sensors []engine.ID
	}
	var found []roomSensors
	err := a.engine.View(func(v *engine.View) error {
		if _, ok := v.Space(space); !ok {
			return fmt.Errorf("%w: no space has id %s", engine.ErrNotFound, space)
		}
		walkUnder(v, space, func(s *engine.Space) {
			var ids []engine.ID
			for _, sn := range v.SpaceSensors(s.ID) {
				if strings.EqualFold(v.TypeName(sn.DataTypeID), motionKind) {
					ids = append(ids, sn.ID)
				}
			}
			if len(ids) > 0 {
				found = append(found, roomSensors{s.ID, ids})
			}
		})
		return nil
	})
	if err != nil {
		return nil, err
	}
	rooms := make([]room, 0, len(found))
	for _, f := range found {
		r := room{space: f.space}
		for _, id := range f.sensors {
			h, err := a.engine.HistoryRange(id, "", from, to, 0)
			if err != nil {
				return nil, err
			}
			for _, val := range h {
				if d, ok := Detected(val.Value); ok {
					r.readings = append(r.readings, motionReading{val.Time, d})
				}
			}
		}
		rooms = append(rooms, r)
	}
	return rooms, nil
}

// Detected parses a motion reading: "true"/"false" (and the other forms
// strconv.ParseBool knows, "1", "0" …), or a number (detected if not 0).
func Detected(s string) (detected, ok bool) {
	s = strings.TrimSpace(s)
	if b, err := strconv.ParseBool(s); err == nil {
		return b, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) {
		return f != 0, true
	}
	return false, false
}

// OccupancyHeat returns, per weekday (Monday first) and hour of day
// (UTC, the simulator's clock), the percentage of the motion readings of
// space and the spaces under it with from <= time <= to (zero: open) that
// detected someone; NaN where there was no reading. An unknown space
// wraps engine.ErrNotFound.
func (a *App) OccupancyHeat(space engine.ID, from, to time.Time) (grid [7][24]float64, err error) {
	rooms, err := a.motionRooms(space, from, to)
	if err != nil {
		return grid, err
	}
	var seen, hit [7][24]int
	for _, r := range rooms {
		for _, m := range r.readings {
			t := m.t.UTC()
			d := (int(t.Weekday()) + 6) % 7 // Monday 0
			seen[d][t.Hour()]++
			if m.detected {
				hit[d][t.Hour()]++
			}
		}
	}
	for d := range grid {
		for h := range grid[d] {
			grid[d][h] = math.NaN()
			if seen[d][h] > 0 {
				grid[d][h] = 100 * float64(hit[d][h]) / float64(seen[d][h])
			}
		}
	}
	return grid, nil
}

// Reference is a line (Y) or a band (Lo to Hi, Band true) a chart of a
// kind of signal draws: the limits the simulator's KPIs count against.
type Reference struct {
	Y, Lo, Hi float64
	Band      bool
	Label     string
}

// References returns the reference lines and bands of a signal kind (a
// data type or space value name): CarbonDioxide the CO₂ limit,
// Temperature the comfort band, Power (a car park's site power) the
// scenario's grid limit if sc sets one. sc may be nil. Other kinds have
// none.
func References(kind string, sc *simulator.Scenario) []Reference {
	switch strings.ToLower(kind) {
	case "carbondioxide", "co2":
		return []Reference{{Y: simulator.CO2LimitPPM, Label: fmt.Sprintf("%g ppm limit", simulator.CO2LimitPPM)}}
	case "temperature":
		return []Reference{{Lo: simulator.ComfortMinC, Hi: simulator.ComfortMaxC, Band: true,
			Label: fmt.Sprintf("comfort %g–%g °C", simulator.ComfortMinC, simulator.ComfortMaxC)}}
	case "power":
		if g := gridLimit(sc); g > 0 {
			return []Reference{{Y: g, Label: fmt.Sprintf("grid limit %g kW", g)}}
		}
	}
	return nil
}

// gridLimit is the site grid limit (kW) the scenario's rules set, the
// last rule that sets one winning; 0 if none or sc is nil.
func gridLimit(sc *simulator.Scenario) float64 {
	if sc == nil {
		return 0
	}
	g := 0.0
	for _, r := range sc.Spaces {
		if r.Params.GridLimit != nil {
			g = *r.Params.GridLimit
		}
	}
	return g
}

// ScenarioReferences is References for the scenario in file path (the
// one the studio simulates; "" or a file that does not load: none of the
// scenario's own references, such as a grid limit). Safe for concurrent
// use.
func ScenarioReferences(kind, path string) []Reference {
	var sc *simulator.Scenario
	if path != "" {
		sc, _ = simulator.LoadScenario(path)
	}
	return References(kind, sc)
}

// UnitSymbol is the symbol a read-out shows for a unit type's name
// ("Celsius" → "°C", "PartsPerMillion" → "ppm"), the name itself when it
// has none, and "" for the types without a unit (None, Boolean, Count).
func UnitSymbol(unitType string) string { return unitName(unitType) }
