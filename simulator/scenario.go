package simulator

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// Scenario is a simulation run: time, seed, which spaces get which models
// and with which parameters, the outdoor climate and named variants.
// docs/scenarios.md documents the YAML form.
type Scenario struct {
	Name      string
	Seed      uint64
	Start     time.Time
	Duration  time.Duration
	Step      time.Duration // physics step
	Report    time.Duration // reading interval; a multiple of Step (default Step)
	Outdoor   Outdoor
	Scale     Scale
	Holidays  []time.Time // dates (UTC midnight) treated as weekends
	Spaces    []Rule
	overrides map[string]yaml.Node // the variants, applied with Variant
	// Payload is how readings are sent: "bare" (800, true) or
	// "sensorvalue" ({"SensorValue": "800"}, what the preview's samples
	// and their UDFs expect).
	Payload string
	KPIs    []string
	// Faults make matching sensors misbehave (faults.go).
	Faults []Fault

	file       string    // for error messages
	durationAt yaml.Node // duration: (else the document's top) for errors of checkRun
}

// Outdoor is the outdoor climate.
type Outdoor struct {
	CO2      float64 // ppm
	TempMean float64 // °C, daily mean
	TempAmp  float64 // °C, half the daily swing (peak at 15:00)
	Humidity float64 // % relative humidity at the daily mean temperature
	Daylight float64 // lux reaching a room's sensor at noon on a clear day
	Cloudy   float64 // 0..1: how much a day's clouds may dim daylight
}

// Scale multiplies every space's parameters: what-if knobs.
type Scale struct {
	People      float64
	Ventilation float64
}

// Rule gives matching spaces a model and parameters. Rules apply in order;
// a later rule overrides only the fields it sets.
type Rule struct {
	Path    string // prefix of the space's full name path, on name boundaries
	Type    string // space type name
	Subtype string // space subtype name
	Params  Params
	// Create lists data types (Motion, CarbonDioxide, …): a matching
	// space without a sensor of one of them gets a virtual device with
	// such a sensor before the run (devices.go).
	Create []string
	Line   int
}

// Params are a space's model parameters; nil fields are unset.
type Params struct {
	Model  *string
	People *float64 // capacity: the most people the model puts in the space
	Volume *float64 // m³
	// VolumePlan (volume: plan) takes the volume from the room's floor
	// plan: its shape's area in m² × CeilingHeight; a room without a
	// linked shape keeps Volume or the model's default.
	VolumePlan  *bool
	Ventilation *float64 // m³/h of outdoor air
	Setpoint    *float64 // °C
	HVAC        *float64 // W of heating or cooling capacity (0: none)
	Envelope    *float64 // W/K conductance to outdoors through walls and windows

	// Car park (model carpark, ev.go).
	Chargers     *float64  // chargers in use
	ChargerPower *float64  // kW, each charger's maximum
	GridLimit    *float64  // kW, the site's limit (0: none)
	Policy       *string   // equal or udf
	Arrivals     *Arrivals // the cars of a working day

	Visitors *RetailParams // model retail (outdoor.go)
	Garden   *GardenParams // model garden (outdoor.go)
}

// Arrivals are the cars that come to a car park on a working day.
type Arrivals struct {
	Cars         float64 // cars per working day
	Arrive       float64 // mean arrival, hours after midnight
	ArriveSpread float64 // σ of arrival, hours
	Depart       float64 // mean departure, hours after midnight
	DepartSpread float64 // σ of departure, hours
	SoC          float64 // mean state of charge at arrival, %
	SoCSpread    float64 // σ of it, %
	Battery      float64 // kWh
}

// defaultArrivals are a car park's arrivals when a rule gives none.
var defaultArrivals = Arrivals{Cars: 12, Arrive: 8.5, ArriveSpread: 0.75, Depart: 17.25, DepartSpread: 1,
	SoC: 30, SoCSpread: 15, Battery: 60}

// Models are the models a rule may name, in the order they registered
// (model.go).
var Models []string

// defaultScenario is what a scenario file starts from.
func defaultScenario() *Scenario {
	return &Scenario{
		Seed:     1,
		Start:    time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), // a Monday
		Duration: 24 * time.Hour,
		Step:     time.Minute,
		Outdoor:  Outdoor{CO2: 420, TempMean: 10, TempAmp: 5, Humidity: 70, Daylight: 500, Cloudy: 0.6},
		Scale:    Scale{People: 1, Ventilation: 1},
		Payload:  "bare",
	}
}

// LoadScenario reads a scenario file.
func LoadScenario(path string) (*Scenario, error) {
	return loadScenario(path, 0)
}

func loadScenario(path string, depth int) (*Scenario, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(path, data, depth)
}

// ParseScenario parses a scenario from data; name is used in errors. A
// scenario that "extends" another is resolved relative to name's folder.
func ParseScenario(name string, data []byte) (*Scenario, error) {
	return parse(name, data, 0)
}

func parse(name string, data []byte, depth int) (*Scenario, error) {
	doc, err := yaml.ParseDoc(name, data)
	if err != nil {
		return nil, err
	}
	root := doc.Root()
	if root.IsNull() {
		return nil, doc.Errorf(0, "", "empty scenario")
	}
	if !root.IsMap() {
		return nil, root.Errorf("", "a scenario is a mapping (name:, start:, spaces: …)")
	}
	sc := defaultScenario()
	// extends: another scenario file this one overrides.
	for _, e := range root.Entries() {
		if e.Key == "extends" {
			v := e.Value
			if depth > 8 {
				return nil, v.Errorf("extends", "too deeply nested")
			}
			base, err := loadScenario(filepath.Join(filepath.Dir(name), v.Text()), depth+1)
			if err != nil {
				var pe *engine.PosError
				if errors.As(err, &pe) {
					return nil, err
				}
				return nil, v.Errorf("extends", "%v", err)
			}
			sc = base
		}
	}
	sc.file = name
	if sc.durationAt.Line() == 0 { // not given by an extended scenario
		sc.durationAt = root
	}
	if err := sc.apply(root, false); err != nil {
		return nil, err
	}
	if err := sc.check(root); err != nil {
		return nil, err
	}
	return sc, nil
}

// apply sets the fields the mapping m mentions; inVariant refuses the keys
// a variant may not change.
func (sc *Scenario) apply(m yaml.Node, inVariant bool) error {
	seen := map[string]bool{}
	for _, ei := range m.Entries() {
		k, v := ei.KeyAt, ei.Value
		if seen[k.Text()] {
			return k.Errorf(k.Text(), "given twice")
		}
		seen[k.Text()] = true
		var err error
		switch k.Text() {
		case "name":
			sc.Name, err = v.Str("name")
		case "extends":
			if inVariant {
				return k.Errorf("extends", "not allowed in a variant")
			}
		case "seed":
			var n int64
			if n, err = v.Int("seed"); err == nil && n < 0 {
				err = v.Errorf("seed", "must not be negative, got %v", v.Text())
			}
			sc.Seed = uint64(n)
		case "start":
			var s string
			if s, err = v.Str("start"); err == nil {
				t, perr := time.Parse(time.RFC3339, s)
				if perr != nil {
					return v.Errorf("start", "want an RFC 3339 time such as 2026-03-02T00:00:00Z, got %q", s)
				}
				if t.Before(minStart) || !t.Before(maxStart) {
					return v.Errorf("start", "want a time from %s to before %s, got %q", minStart.Format("2006-01-02"), maxStart.Format("2006-01-02"), s)
				}
				sc.Start = t.UTC()
			}
		case "duration":
			sc.Duration, err = durationIn(v, "duration", time.Nanosecond, MaxDuration)
			sc.durationAt = v
		case "step":
			sc.Step, err = durationIn(v, "step", time.Second, time.Hour)
		case "report":
			sc.Report, err = durationIn(v, "report", time.Nanosecond, MaxReport)
		case "outdoor":
			err = sc.outdoor(v)
		case "scale":
			err = sc.scale(v)
		case "holidays":
			err = sc.holidays(v)
		case "spaces":
			err = sc.rules(v)
		case "variants":
			if inVariant {
				return k.Errorf("variants", "not allowed in a variant")
			}
			err = sc.variants(v)
		case "kpis":
			err = sc.kpis(v)
		case "faults":
			err = sc.faultsNode(v)
		case "payload":
			if sc.Payload, err = v.Str("payload"); err == nil && sc.Payload != "bare" && sc.Payload != "sensorvalue" {
				err = v.Errorf("payload", "want bare or sensorvalue, got %q", sc.Payload)
			}
		default:
			return k.Errorf(k.Text(), "unknown field (want name, extends, seed, start, duration, step, report, payload, outdoor, scale, holidays, spaces, variants, kpis or faults)")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (sc *Scenario) nonneg(v yaml.Node, field string) (float64, error) {
	f, err := v.Float(field)
	if err == nil && f < 0 {
		return 0, v.Errorf(field, "must not be negative, got %v", v.Text())
	}
	return f, err
}

// upTo reads a number from 0 to max.
func (sc *Scenario) upTo(v yaml.Node, field string, max float64) (float64, error) {
	x, err := sc.nonneg(v, field)
	if err == nil {
		err = checkRange(v, field, x, 0, max, false)
	}
	return x, err
}

// between reads a number from min to max.
func between(v yaml.Node, field string, min, max float64) (float64, error) {
	x, err := v.Float(field)
	if err == nil {
		err = checkRange(v, field, x, min, max, true)
	}
	return x, err
}

// durationIn reads a duration from min to max.
func durationIn(v yaml.Node, field string, min, max time.Duration) (time.Duration, error) {
	d, err := v.Duration(field)
	if err == nil && (d < min || d > max) {
		return 0, v.Errorf(field, "must be between %v and %v, got %v", min, max, v.Text())
	}
	return d, err
}

// countAtMost refuses a list of more than max items.
func countAtMost(v yaml.Node, field, what string, max int) error {
	if n := len(v.Items()); n > max {
		return v.Errorf(field, "at most %d %s, got %d", max, what, n)
	}
	return nil
}

func (sc *Scenario) outdoor(m yaml.Node) error {
	if err := m.Map("outdoor"); err != nil {
		return err
	}
	o := &sc.Outdoor
	for _, ei := range m.Entries() {
		k, v := ei.KeyAt, ei.Value
		f := "outdoor." + k.Text()
		var err error
		switch k.Text() {
		case "co2":
			o.CO2, err = sc.upTo(v, f, MaxOutdoorCO2)
		case "humidity":
			o.Humidity, err = sc.nonneg(v, f)
			if err == nil && o.Humidity > 100 {
				err = v.Errorf(f, "is a percentage (0 to 100)")
			}
		case "daylight":
			o.Daylight, err = sc.upTo(v, f, MaxDaylight)
		case "cloudy":
			o.Cloudy, err = sc.nonneg(v, f)
			if err == nil && o.Cloudy > 1 {
				err = v.Errorf(f, "is a fraction (0 to 1)")
			}
		case "temperature":
			if v.IsScalar() {
				o.TempMean, err = between(v, f, -MaxOutdoorTemp, MaxOutdoorTemp)
				o.TempAmp = 0
				break
			}
			if err = v.Map(f); err != nil {
				return err
			}
			for _, ej := range v.Entries() {
				kk, vv := ej.KeyAt, ej.Value
				ff := f + "." + kk.Text()
				switch kk.Text() {
				case "mean":
					o.TempMean, err = between(vv, ff, -MaxOutdoorTemp, MaxOutdoorTemp)
				case "amplitude":
					o.TempAmp, err = sc.upTo(vv, ff, MaxOutdoorTempAmp)
				default:
					err = kk.Errorf(ff, "unknown field (want mean or amplitude)")
				}
				if err != nil {
					return err
				}
			}
		default:
			err = k.Errorf(f, "unknown field (want co2, temperature, humidity, daylight or cloudy)")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (sc *Scenario) scale(m yaml.Node) error {
	if err := m.Map("scale"); err != nil {
		return err
	}
	for _, ei := range m.Entries() {
		k, v := ei.KeyAt, ei.Value
		f := "scale." + k.Text()
		var err error
		switch k.Text() {
		case "people":
			if sc.Scale.People, err = sc.nonneg(v, f); err == nil {
				err = checkRange(v, f, sc.Scale.People, 0, MaxScale, false)
			}
		case "ventilation":
			if sc.Scale.Ventilation, err = sc.nonneg(v, f); err == nil {
				err = checkRange(v, f, sc.Scale.Ventilation, 0, MaxScale, false)
			}
		default:
			err = k.Errorf(f, "unknown field (want people or ventilation)")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (sc *Scenario) holidays(v yaml.Node) error {
	if !v.IsList() {
		return v.Errorf("holidays", "want a list of dates (2026-12-25)")
	}
	if err := countAtMost(v, "holidays", "holidays", MaxListed); err != nil {
		return err
	}
	sc.Holidays = nil
	for _, d := range v.Items() {
		t, err := time.Parse("2006-01-02", d.Text())
		if err != nil || !d.IsScalar() {
			return d.Errorf("holidays", "want a date such as 2026-12-25, got %q", d.Text())
		}
		sc.Holidays = append(sc.Holidays, t)
	}
	return nil
}

func (sc *Scenario) kpis(v yaml.Node) error {
	if !v.IsList() {
		return v.Errorf("kpis", "want a list of KPI names")
	}
	sc.KPIs = nil
	for _, n := range v.Items() {
		if !n.IsScalar() || !validKPI(n.Text()) {
			return n.Errorf("kpis", "unknown KPI %q (want %s)", n.Text(), strings.Join(KPINames, ", "))
		}
		sc.KPIs = append(sc.KPIs, n.Text())
	}
	return nil
}

func (sc *Scenario) variants(m yaml.Node) error {
	if err := m.Map("variants"); err != nil {
		return err
	}
	if n := len(m.Entries()); n > MaxVariants {
		return m.Errorf("variants", "at most %d variants, got %d", MaxVariants, n)
	}
	sc.overrides = map[string]yaml.Node{}
	for _, ei := range m.Entries() {
		k, v := ei.KeyAt, ei.Value
		if err := v.Map("variants." + k.Text()); err != nil {
			return err
		}
		// Check it now, on a copy, so that errors show up at load.
		c := sc.clone()
		if err := c.apply(v, true); err != nil {
			return err
		}
		sc.overrides[k.Text()] = v
	}
	return nil
}

func (sc *Scenario) rules(v yaml.Node) error {
	if !v.IsList() {
		return v.Errorf("spaces", "want a list of rules (- path: /Building/Floor 1 …)")
	}
	if err := countAtMost(v, "spaces", "rules", MaxListed); err != nil {
		return err
	}
	sc.Spaces = nil
	for idx, m := range v.Items() {
		field := fmt.Sprintf("spaces[%d]", idx)
		if err := m.Map(field); err != nil {
			return err
		}
		r := Rule{Line: m.Line()}
		for _, e := range m.Entries() {
			if err := sc.ruleField(&r, e, field+"."+e.Key); err != nil {
				return err
			}
		}
		if r.Path == "" && r.Type == "" && r.Subtype == "" {
			return m.Errorf(field, "a rule needs a path, a type or a subtype")
		}
		sc.Spaces = append(sc.Spaces, r)
	}
	return nil
}

// numParam is a rule's numeric parameter.
type numParam struct {
	dst      func(p *Params) **float64
	positive bool   // > 0 (else ≥ 0, unless any)
	any      bool   // any number
	integer  bool   // a whole number
	unit     string // in "must be positive" messages
	// min and max bound the value (NaN and infinities are never taken), so
	// a scenario cannot ask for a billion people or an unbounded charger
	// count; min applies to the signed (any) parameters only.
	min, max float64
}

// numParams are a rule's numeric parameters by key.
var numParams = map[string]numParam{
	"people":       {dst: func(p *Params) **float64 { return &p.People }, max: MaxPeople},
	"volume":       {dst: func(p *Params) **float64 { return &p.Volume }, positive: true, unit: "m³", max: 1e7},
	"ventilation":  {dst: func(p *Params) **float64 { return &p.Ventilation }, max: 1e4},
	"setpoint":     {dst: func(p *Params) **float64 { return &p.Setpoint }, any: true, min: -50, max: 60},
	"hvac":         {dst: func(p *Params) **float64 { return &p.HVAC }, max: 1e6},
	"envelope":     {dst: func(p *Params) **float64 { return &p.Envelope }, max: 1e6},
	"chargers":     {dst: func(p *Params) **float64 { return &p.Chargers }, integer: true, max: 10000},
	"chargerPower": {dst: func(p *Params) **float64 { return &p.ChargerPower }, positive: true, unit: "kW", max: 10000},
	"gridLimit":    {dst: func(p *Params) **float64 { return &p.GridLimit }, max: 1e7},
}

// MaxPeople is the most people a scenario may put in one space
// (`people:`); larger numbers are refused with their line.
const MaxPeople = 10000

// Bounds of a scenario's other numbers (docs/simulation.md, "Bounds"):
// larger values are refused with their line, so that no scenario can run
// the simulator out of memory or for days.
const (
	MaxDuration       = 366 * 24 * time.Hour // duration
	MaxReport         = 24 * time.Hour       // report
	MaxOutdoorCO2     = 10000                // outdoor.co2, ppm
	MaxOutdoorTemp    = 60                   // |outdoor.temperature.mean|, °C
	MaxOutdoorTempAmp = 30                   // outdoor.temperature.amplitude, °C
	MaxDaylight       = 200000               // outdoor.daylight, lux
	MaxCars           = 10000                // arrivals.cars per working day
	MaxSpread         = 12 * time.Hour       // arrivals.arriveSpread, departSpread
	MaxBattery        = 1000                 // arrivals.battery, kWh
	MaxVisitorRate    = 10000                // visitors.rate, per hour
	MaxStay           = 24 * time.Hour       // visitors.stay
	MaxNoise          = 1e6                  // faults' noise, in the sensor's unit
	MaxDrift          = 1e6                  // |faults' drift| per day, in the sensor's unit
	MaxListed         = 1000                 // rules (spaces), faults, holidays
	MaxVariants       = 100                  // variants
	// MaxSteps bounds duration / step; MaxReadings the readings a run
	// sends (duration / report × simulated sensors) and MaxSpaceSteps
	// the model steps it takes (duration / step × simulated spaces), both
	// checked when the scenario is bound to a project (New).
	MaxSteps      = 10_000_000
	MaxReadings   = 50_000_000
	MaxSpaceSteps = 500_000_000
)

// A scenario's start is from minStart to before maxStart, so that times
// stay far inside what time.Duration and Unix nanoseconds can hold.
var (
	minStart = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	maxStart = time.Date(2200, 1, 1, 0, 0, 0, 0, time.UTC)
)

// MaxScale bounds the scenario's scale factors (scale.people,
// scale.ventilation).
const MaxScale = 100

// ruleField reads one key of a rule into r; f names it in errors.
func (sc *Scenario) ruleField(r *Rule, e yaml.Entry, f string) error {
	val := e.Value
	if e.Key == "volume" {
		fromPlan := val.Text() == "plan"
		r.Params.VolumePlan = &fromPlan
		if fromPlan {
			return nil
		}
	}
	if np, ok := numParams[e.Key]; ok {
		var x float64
		var err error
		switch {
		case np.integer:
			var n int64
			if n, err = val.Int(f); err == nil && n < 0 {
				err = val.Errorf(f, "must not be negative, got %v", val.Text())
			}
			x = float64(n)
		case np.positive:
			if x, err = val.Float(f); err == nil && x <= 0 {
				err = val.Errorf(f, "must be positive (%s), got %v", np.unit, val.Text())
			}
		case np.any:
			x, err = val.Float(f)
		default:
			x, err = sc.nonneg(val, f)
		}
		if err == nil {
			err = checkRange(val, f, x, np.min, np.max, np.any)
		}
		*np.dst(&r.Params) = &x
		return err
	}
	var err error
	switch e.Key {
	case "path":
		r.Path, err = val.Str(f)
		if err == nil && !strings.HasPrefix(r.Path, "/") {
			err = val.Errorf(f, "a path starts with / (/Building/Floor 1)")
		}
	case "type":
		r.Type, err = val.Str(f)
	case "subtype":
		r.Subtype, err = val.Str(f)
	case "model":
		var s string
		if s, err = val.Str(f); err == nil && !validModel(s) {
			err = val.Errorf(f, "unknown model %q (want %s)", s, strings.Join(Models, ", "))
		}
		r.Params.Model = &s
	case "policy":
		var s string
		if s, err = val.Str(f); err == nil && s != "equal" && s != "udf" {
			err = val.Errorf(f, "unknown policy %q (want equal or udf)", s)
		}
		r.Params.Policy = &s
	case "arrivals":
		r.Params.Arrivals, err = sc.arrivals(val, f)
	case "visitors":
		r.Params.Visitors, err = sc.visitors(val, f)
	case "garden":
		r.Params.Garden, err = sc.garden(val, f)
	case "create":
		r.Create, err = sc.create(val, f)
	default:
		err = e.KeyAt.Errorf(f, "unknown field (want path, type, subtype, model, people, volume, ventilation, setpoint, hvac, envelope, chargers, chargerPower, gridLimit, policy, arrivals, visitors, garden or create)")
	}
	return err
}

// arrivals parses a car park's arrivals mapping; unset fields keep
// defaultArrivals.
func (sc *Scenario) arrivals(m yaml.Node, field string) (*Arrivals, error) {
	if err := m.Map(field); err != nil {
		return nil, err
	}
	a := defaultArrivals
	for _, ei := range m.Entries() {
		k, v := ei.KeyAt, ei.Value
		f := field + "." + k.Text()
		var err error
		switch k.Text() {
		case "cars":
			a.Cars, err = sc.upTo(v, f, MaxCars)
		case "arrive", "depart":
			var s string
			if s, err = v.Str(f); err == nil {
				t, perr := time.Parse("15:04", s)
				if perr != nil {
					return nil, v.Errorf(f, "want a time of day such as 08:30, got %q", s)
				}
				h := float64(t.Hour()) + float64(t.Minute())/60
				if k.Text() == "arrive" {
					a.Arrive = h
				} else {
					a.Depart = h
				}
			}
		case "arriveSpread", "departSpread":
			var d time.Duration
			if v.Text() != "0" {
				d, err = durationIn(v, f, time.Nanosecond, MaxSpread)
			}
			if err == nil {
				if k.Text() == "arriveSpread" {
					a.ArriveSpread = d.Hours()
				} else {
					a.DepartSpread = d.Hours()
				}
			}
		case "soc", "socSpread":
			var x float64
			if x, err = sc.nonneg(v, f); err == nil && x > 100 {
				err = v.Errorf(f, "is a percentage (0 to 100)")
			}
			if k.Text() == "soc" {
				a.SoC = x
			} else {
				a.SoCSpread = x
			}
		case "battery":
			if a.Battery, err = v.Float(f); err == nil && a.Battery <= 0 {
				err = v.Errorf(f, "must be positive (kWh), got %v", v.Text())
			} else if err == nil {
				err = checkRange(v, f, a.Battery, 0, MaxBattery, false)
			}
		default:
			err = k.Errorf(f, "unknown field (want cars, arrive, arriveSpread, depart, departSpread, soc, socSpread or battery)")
		}
		if err != nil {
			return nil, err
		}
	}
	return &a, nil
}

// create parses a rule's create list of data types.
func (sc *Scenario) create(v yaml.Node, field string) ([]string, error) {
	if !v.IsList() {
		return nil, v.Errorf(field, "want a list of data types ([Motion, CarbonDioxide, Temperature])")
	}
	var out []string
	seen := map[string]bool{}
	for _, n := range v.Items() {
		name, ok := dataTypeName(n.Text())
		if !n.IsScalar() || !ok {
			return nil, n.Errorf(field, "unknown data type %q (want %s)", n.Text(), strings.Join(DataTypes, ", "))
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, nil
}

// visitors parses a retail rule's visitors mapping.
func (sc *Scenario) visitors(m yaml.Node, field string) (*RetailParams, error) {
	if err := m.Map(field); err != nil {
		return nil, err
	}
	p := defaultRetail
	for _, ei := range m.Entries() {
		k, v := ei.KeyAt, ei.Value
		f := field + "." + k.Text()
		var err error
		switch k.Text() {
		case "rate":
			p.Rate, err = sc.upTo(v, f, MaxVisitorRate)
		case "stay":
			var d time.Duration
			if d, err = durationIn(v, f, time.Nanosecond, MaxStay); err == nil {
				p.Stay = d.Hours()
			}
		case "open", "close":
			var s string
			if s, err = v.Str(f); err == nil {
				t, perr := time.Parse("15:04", s)
				if perr != nil {
					return nil, v.Errorf(f, "want a time of day such as 09:00, got %q", s)
				}
				h := float64(t.Hour()) + float64(t.Minute())/60
				if k.Text() == "open" {
					p.Open = h
				} else {
					p.Close = h
				}
			}
		default:
			err = k.Errorf(f, "unknown field (want rate, stay, open or close)")
		}
		if err != nil {
			return nil, err
		}
	}
	if p.Close <= p.Open {
		return nil, m.Errorf(field, "close must be after open")
	}
	return &p, nil
}

// garden parses a garden rule's soil water parameters.
func (sc *Scenario) garden(m yaml.Node, field string) (*GardenParams, error) {
	if err := m.Map(field); err != nil {
		return nil, err
	}
	p := defaultGarden
	type gardenField struct {
		dst *float64
		max float64
	}
	fields := map[string]gardenField{"et": {&p.ET, 50}, "rainPerDay": {&p.RainPerDay, 100}, "rainMean": {&p.RainMean, 1000},
		"threshold": {&p.Threshold, 100}, "irrigation": {&p.Irrigation, 1000}, "rootDepth": {&p.RootDepth, 10000},
		"capacity": {&p.Capacity, 100}, "initial": {&p.Initial, 100}}
	for _, ei := range m.Entries() {
		k, v := ei.KeyAt, ei.Value
		f := field + "." + k.Text()
		gf, ok := fields[k.Text()]
		if !ok {
			return nil, k.Errorf(f, "unknown field (want et, rainPerDay, rainMean, threshold, irrigation, rootDepth, capacity or initial)")
		}
		x, err := sc.upTo(v, f, gf.max)
		if err != nil {
			return nil, err
		}
		*gf.dst = x
	}
	if p.RootDepth <= 0 || p.Capacity <= 0 || p.Capacity > 100 {
		return nil, m.Errorf(field, "rootDepth must be positive and capacity 0 to 100 %%")
	}
	return &p, nil
}

func validModel(s string) bool {
	for _, m := range Models {
		if m == s {
			return true
		}
	}
	return false
}

// check checks what depends on several fields, once n (the scenario or
// the variant) is applied; errors are at n's line.
func (sc *Scenario) check(n yaml.Node) error {
	e := func(field, format string, args ...any) error {
		return n.Errorf(field, format, args...)
	}
	if sc.Report == 0 {
		sc.Report = sc.Step
	}
	if sc.Report%sc.Step != 0 {
		return e("report", "must be a multiple of step (%v)", sc.Step)
	}
	if sc.Step > time.Hour {
		return e("step", "at most 1h, got %v", sc.Step)
	}
	if sc.Duration/sc.Step > MaxSteps {
		return e("duration", "more than 10,000,000 steps of %v", sc.Step)
	}
	return nil
}

// checkRun checks the size of a run of sc over sensors sensors in spaces
// spaces: its duration (which --duration may have replaced after the file
// was read), steps, readings (MaxReadings) and model steps
// (MaxSpaceSteps). The error names the file and the line of duration:.
func (sc *Scenario) checkRun(sensors, spaces int) error {
	fail := func(format string, args ...any) error {
		if sc.durationAt.Line() == 0 {
			return fmt.Errorf("%s: duration: %w: %s", sc.file, engine.ErrInvalid, fmt.Sprintf(format, args...))
		}
		return sc.durationAt.Errorf("duration", format, args...)
	}
	if sc.Duration <= 0 || sc.Duration > MaxDuration {
		return fail("must be between 1ns and %v, got %v", MaxDuration, sc.Duration)
	}
	steps := int64(sc.Duration / sc.Step)
	if steps > MaxSteps {
		return fail("more than 10,000,000 steps of %v", sc.Step)
	}
	reports := int64(sc.Duration / max(sc.Report, sc.Step))
	if n := reports * int64(sensors); n > MaxReadings {
		return fail("%v of readings every %v from %d sensors is %d readings, more than %d", sc.Duration, max(sc.Report, sc.Step), sensors, n, MaxReadings)
	}
	if n := steps * int64(spaces); n > MaxSpaceSteps {
		return fail("%v in steps of %v in %d spaces is %d model steps, more than %d", sc.Duration, sc.Step, spaces, n, MaxSpaceSteps)
	}
	return nil
}

// clone copies the scenario (rules share nothing mutable with the copy).
func (sc *Scenario) clone() *Scenario {
	c := *sc
	c.Spaces = append([]Rule(nil), sc.Spaces...)
	c.Holidays = append([]time.Time(nil), sc.Holidays...)
	c.KPIs = append([]string(nil), sc.KPIs...)
	c.Faults = append([]Fault(nil), sc.Faults...)
	return &c
}

// VariantNames are the scenario's variants, sorted.
func (sc *Scenario) VariantNames() []string {
	names := make([]string, 0, len(sc.overrides))
	for k := range sc.overrides {
		names = append(names, k)
	}
	return sortedStrings(names)
}

// Variant returns the scenario with the named variant's overrides applied.
func (sc *Scenario) Variant(name string) (*Scenario, error) {
	n, ok := sc.overrides[name]
	if !ok {
		names := sc.VariantNames()
		if len(names) == 0 {
			return nil, fmt.Errorf("%s: no variant %q (the scenario has no variants)", sc.file, name)
		}
		return nil, fmt.Errorf("%s: no variant %q (have %s)", sc.file, name, strings.Join(names, ", "))
	}
	c := sc.clone()
	if err := c.apply(n, true); err != nil {
		return nil, err
	}
	if err := c.check(n); err != nil {
		return nil, err
	}
	if c.Name == sc.Name {
		c.Name = sc.Name + " (" + name + ")"
	}
	return c, nil
}

// checkRange refuses NaN, infinities and values above max (below min too
// when signed), naming the field and the range.
func checkRange(v yaml.Node, f string, x, min, max float64, signed bool) error {
	switch {
	case math.IsNaN(x) || math.IsInf(x, 0):
		return v.Errorf(f, "must be a finite number, got %v", v.Text())
	case x > max || (signed && x < min):
		if signed {
			return v.Errorf(f, "must be between %g and %g, got %v", min, max, v.Text())
		}
		return v.Errorf(f, "must be at most %g, got %v", max, v.Text())
	}
	return nil
}
