package simulator

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

// Scenario is a simulation run: time, seed, which spaces get which models
// and with which parameters, the outdoor climate and named variants.
// docs/scenarios.md documents the YAML form.
type Scenario struct {
	Name     string
	Seed     uint64
	Start    time.Time
	Duration time.Duration
	Step     time.Duration // physics step
	Report   time.Duration // reading interval; a multiple of Step (default Step)
	Outdoor  Outdoor
	Scale    Scale
	Holidays []time.Time // dates (UTC midnight) treated as weekends
	Spaces   []Rule
	Variants map[string]*yaml.Node // applied with Variant
	// Payload is how readings are sent: "bare" (800, true) or
	// "sensorvalue" ({"SensorValue": "800"}, what the preview's samples
	// and their UDFs expect).
	Payload string
	KPIs    []string
	// Faults make matching sensors misbehave (faults.go).
	Faults []Fault

	file string // for error messages
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
	Model       *string
	People      *float64 // capacity: the most people the model puts in the space
	Volume      *float64 // m³
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

// ScenarioError is a bad scenario: file, line and field.
type ScenarioError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *ScenarioError) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

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
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &ScenarioError{File: name, Line: yamlErrLine(err), Msg: strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	if len(doc.Content) == 0 {
		return nil, &ScenarioError{File: name, Msg: "empty scenario"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &ScenarioError{File: name, Line: root.Line, Msg: "a scenario is a mapping (name:, start:, spaces: …)"}
	}
	sc := defaultScenario()
	// extends: another scenario file this one overrides.
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "extends" {
			v := root.Content[i+1]
			if depth > 8 {
				return nil, &ScenarioError{File: name, Line: v.Line, Field: "extends", Msg: "too deeply nested"}
			}
			base, err := loadScenario(filepath.Join(filepath.Dir(name), v.Value), depth+1)
			if err != nil {
				var se *ScenarioError
				if errors.As(err, &se) {
					return nil, err
				}
				return nil, &ScenarioError{File: name, Line: v.Line, Field: "extends", Msg: err.Error()}
			}
			sc = base
		}
	}
	sc.file = name
	if err := sc.apply(root, false); err != nil {
		return nil, err
	}
	if err := sc.check(root.Line); err != nil {
		return nil, err
	}
	return sc, nil
}

func yamlErrLine(err error) int {
	s := err.Error()
	if i := strings.Index(s, "line "); i >= 0 {
		n := 0
		for _, c := range s[i+5:] {
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	return 0
}

func (sc *Scenario) errf(n *yaml.Node, field, format string, args ...any) error {
	return &ScenarioError{File: sc.file, Line: n.Line, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// apply sets the fields the mapping m mentions; inVariant refuses the keys
// a variant may not change.
func (sc *Scenario) apply(m *yaml.Node, inVariant bool) error {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if seen[k.Value] {
			return sc.errf(k, k.Value, "given twice")
		}
		seen[k.Value] = true
		var err error
		switch k.Value {
		case "name":
			sc.Name, err = sc.str(v, "name")
		case "extends":
			if inVariant {
				return sc.errf(k, "extends", "not allowed in a variant")
			}
		case "seed":
			var n int64
			n, err = sc.int(v, "seed")
			sc.Seed = uint64(n)
		case "start":
			var s string
			if s, err = sc.str(v, "start"); err == nil {
				t, perr := time.Parse(time.RFC3339, s)
				if perr != nil {
					return sc.errf(v, "start", "want an RFC 3339 time such as 2026-03-02T00:00:00Z, got %q", s)
				}
				sc.Start = t.UTC()
			}
		case "duration":
			sc.Duration, err = sc.dur(v, "duration")
		case "step":
			sc.Step, err = sc.dur(v, "step")
		case "report":
			sc.Report, err = sc.dur(v, "report")
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
				return sc.errf(k, "variants", "not allowed in a variant")
			}
			err = sc.variants(v)
		case "kpis":
			err = sc.kpis(v)
		case "faults":
			err = sc.faultsNode(v)
		case "payload":
			if sc.Payload, err = sc.str(v, "payload"); err == nil && sc.Payload != "bare" && sc.Payload != "sensorvalue" {
				err = sc.errf(v, "payload", "want bare or sensorvalue, got %q", sc.Payload)
			}
		default:
			return sc.errf(k, k.Value, "unknown field (want name, extends, seed, start, duration, step, report, payload, outdoor, scale, holidays, spaces, variants, kpis or faults)")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (sc *Scenario) str(v *yaml.Node, field string) (string, error) {
	if v.Kind != yaml.ScalarNode {
		return "", sc.errf(v, field, "want a single value")
	}
	return v.Value, nil
}

func (sc *Scenario) num(v *yaml.Node, field string) (float64, error) {
	if v.Kind != yaml.ScalarNode {
		return 0, sc.errf(v, field, "want a number")
	}
	f, err := strconv.ParseFloat(v.Value, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, sc.errf(v, field, "want a number, got %q", v.Value)
	}
	return f, nil
}

func (sc *Scenario) nonneg(v *yaml.Node, field string) (float64, error) {
	f, err := sc.num(v, field)
	if err == nil && f < 0 {
		return 0, sc.errf(v, field, "must not be negative, got %v", v.Value)
	}
	return f, err
}

func (sc *Scenario) int(v *yaml.Node, field string) (int64, error) {
	if v.Kind != yaml.ScalarNode {
		return 0, sc.errf(v, field, "want an integer")
	}
	n, err := strconv.ParseInt(v.Value, 10, 64)
	if err != nil {
		return 0, sc.errf(v, field, "want an integer, got %q", v.Value)
	}
	return n, nil
}

func (sc *Scenario) dur(v *yaml.Node, field string) (time.Duration, error) {
	if v.Kind != yaml.ScalarNode {
		return 0, sc.errf(v, field, "want a duration such as 24h or 1m")
	}
	d, err := time.ParseDuration(v.Value)
	if err != nil || d <= 0 {
		return 0, sc.errf(v, field, "want a positive duration such as 24h or 1m, got %q", v.Value)
	}
	return d, nil
}

func (sc *Scenario) mapping(v *yaml.Node, field string) error {
	if v.Kind != yaml.MappingNode {
		return sc.errf(v, field, "want a mapping")
	}
	return nil
}

func (sc *Scenario) outdoor(m *yaml.Node) error {
	if err := sc.mapping(m, "outdoor"); err != nil {
		return err
	}
	o := &sc.Outdoor
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		f := "outdoor." + k.Value
		var err error
		switch k.Value {
		case "co2":
			o.CO2, err = sc.nonneg(v, f)
		case "humidity":
			o.Humidity, err = sc.nonneg(v, f)
			if err == nil && o.Humidity > 100 {
				err = sc.errf(v, f, "is a percentage (0 to 100)")
			}
		case "daylight":
			o.Daylight, err = sc.nonneg(v, f)
		case "cloudy":
			o.Cloudy, err = sc.nonneg(v, f)
			if err == nil && o.Cloudy > 1 {
				err = sc.errf(v, f, "is a fraction (0 to 1)")
			}
		case "temperature":
			if v.Kind == yaml.ScalarNode {
				o.TempMean, err = sc.num(v, f)
				o.TempAmp = 0
				break
			}
			if err = sc.mapping(v, f); err != nil {
				return err
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				kk, vv := v.Content[j], v.Content[j+1]
				ff := f + "." + kk.Value
				switch kk.Value {
				case "mean":
					o.TempMean, err = sc.num(vv, ff)
				case "amplitude":
					o.TempAmp, err = sc.nonneg(vv, ff)
				default:
					err = sc.errf(kk, ff, "unknown field (want mean or amplitude)")
				}
				if err != nil {
					return err
				}
			}
		default:
			err = sc.errf(k, f, "unknown field (want co2, temperature, humidity, daylight or cloudy)")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (sc *Scenario) scale(m *yaml.Node) error {
	if err := sc.mapping(m, "scale"); err != nil {
		return err
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		f := "scale." + k.Value
		var err error
		switch k.Value {
		case "people":
			sc.Scale.People, err = sc.nonneg(v, f)
		case "ventilation":
			sc.Scale.Ventilation, err = sc.nonneg(v, f)
		default:
			err = sc.errf(k, f, "unknown field (want people or ventilation)")
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (sc *Scenario) holidays(v *yaml.Node) error {
	if v.Kind != yaml.SequenceNode {
		return sc.errf(v, "holidays", "want a list of dates (2026-12-25)")
	}
	sc.Holidays = nil
	for _, d := range v.Content {
		t, err := time.Parse("2006-01-02", d.Value)
		if err != nil || d.Kind != yaml.ScalarNode {
			return sc.errf(d, "holidays", "want a date such as 2026-12-25, got %q", d.Value)
		}
		sc.Holidays = append(sc.Holidays, t)
	}
	return nil
}

func (sc *Scenario) kpis(v *yaml.Node) error {
	if v.Kind != yaml.SequenceNode {
		return sc.errf(v, "kpis", "want a list of KPI names")
	}
	sc.KPIs = nil
	for _, n := range v.Content {
		if n.Kind != yaml.ScalarNode || !validKPI(n.Value) {
			return sc.errf(n, "kpis", "unknown KPI %q (want %s)", n.Value, strings.Join(KPINames, ", "))
		}
		sc.KPIs = append(sc.KPIs, n.Value)
	}
	return nil
}

func (sc *Scenario) variants(m *yaml.Node) error {
	if err := sc.mapping(m, "variants"); err != nil {
		return err
	}
	sc.Variants = map[string]*yaml.Node{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if err := sc.mapping(v, "variants."+k.Value); err != nil {
			return err
		}
		// Check it now, on a copy, so that errors show up at load.
		c := sc.clone()
		if err := c.apply(v, true); err != nil {
			return err
		}
		sc.Variants[k.Value] = v
	}
	return nil
}

func (sc *Scenario) rules(v *yaml.Node) error {
	if v.Kind != yaml.SequenceNode {
		return sc.errf(v, "spaces", "want a list of rules (- path: /Building/Floor 1 …)")
	}
	sc.Spaces = nil
	for idx, m := range v.Content {
		field := fmt.Sprintf("spaces[%d]", idx)
		if err := sc.mapping(m, field); err != nil {
			return err
		}
		r := Rule{Line: m.Line}
		for i := 0; i+1 < len(m.Content); i += 2 {
			k, val := m.Content[i], m.Content[i+1]
			f := field + "." + k.Value
			var err error
			var x float64
			switch k.Value {
			case "path":
				r.Path, err = sc.str(val, f)
				if err == nil && !strings.HasPrefix(r.Path, "/") {
					err = sc.errf(val, f, "a path starts with / (/Building/Floor 1)")
				}
			case "type":
				r.Type, err = sc.str(val, f)
			case "subtype":
				r.Subtype, err = sc.str(val, f)
			case "model":
				var s string
				if s, err = sc.str(val, f); err == nil {
					if !validModel(s) {
						err = sc.errf(val, f, "unknown model %q (want %s)", s, strings.Join(Models, ", "))
					}
					r.Params.Model = &s
				}
			case "people":
				x, err = sc.nonneg(val, f)
				r.Params.People = &x
			case "volume":
				x, err = sc.num(val, f)
				if err == nil && x <= 0 {
					err = sc.errf(val, f, "must be positive (m³), got %v", val.Value)
				}
				r.Params.Volume = &x
			case "ventilation":
				x, err = sc.nonneg(val, f)
				r.Params.Ventilation = &x
			case "setpoint":
				x, err = sc.num(val, f)
				r.Params.Setpoint = &x
			case "hvac":
				x, err = sc.nonneg(val, f)
				r.Params.HVAC = &x
			case "envelope":
				x, err = sc.nonneg(val, f)
				r.Params.Envelope = &x
			case "chargers":
				var n int64
				if n, err = sc.int(val, f); err == nil && n < 0 {
					err = sc.errf(val, f, "must not be negative, got %v", val.Value)
				}
				x = float64(n)
				r.Params.Chargers = &x
			case "chargerPower":
				x, err = sc.num(val, f)
				if err == nil && x <= 0 {
					err = sc.errf(val, f, "must be positive (kW), got %v", val.Value)
				}
				r.Params.ChargerPower = &x
			case "gridLimit":
				x, err = sc.nonneg(val, f)
				r.Params.GridLimit = &x
			case "policy":
				var s string
				if s, err = sc.str(val, f); err == nil && s != "equal" && s != "udf" {
					err = sc.errf(val, f, "unknown policy %q (want equal or udf)", s)
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
				err = sc.errf(k, f, "unknown field (want path, type, subtype, model, people, volume, ventilation, setpoint, hvac, envelope, chargers, chargerPower, gridLimit, policy, arrivals, visitors, garden or create)")
			}
			if err != nil {
				return err
			}
		}
		if r.Path == "" && r.Type == "" && r.Subtype == "" {
			return sc.errf(m, field, "a rule needs a path, a type or a subtype")
		}
		sc.Spaces = append(sc.Spaces, r)
	}
	return nil
}

// arrivals parses a car park's arrivals mapping; unset fields keep
// defaultArrivals.
func (sc *Scenario) arrivals(m *yaml.Node, field string) (*Arrivals, error) {
	if err := sc.mapping(m, field); err != nil {
		return nil, err
	}
	a := defaultArrivals
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		f := field + "." + k.Value
		var err error
		switch k.Value {
		case "cars":
			a.Cars, err = sc.nonneg(v, f)
		case "arrive", "depart":
			var s string
			if s, err = sc.str(v, f); err == nil {
				t, perr := time.Parse("15:04", s)
				if perr != nil {
					return nil, sc.errf(v, f, "want a time of day such as 08:30, got %q", s)
				}
				h := float64(t.Hour()) + float64(t.Minute())/60
				if k.Value == "arrive" {
					a.Arrive = h
				} else {
					a.Depart = h
				}
			}
		case "arriveSpread", "departSpread":
			var d time.Duration
			if v.Value != "0" {
				d, err = sc.dur(v, f)
			}
			if err == nil {
				if k.Value == "arriveSpread" {
					a.ArriveSpread = d.Hours()
				} else {
					a.DepartSpread = d.Hours()
				}
			}
		case "soc", "socSpread":
			var x float64
			if x, err = sc.nonneg(v, f); err == nil && x > 100 {
				err = sc.errf(v, f, "is a percentage (0 to 100)")
			}
			if k.Value == "soc" {
				a.SoC = x
			} else {
				a.SoCSpread = x
			}
		case "battery":
			if a.Battery, err = sc.num(v, f); err == nil && a.Battery <= 0 {
				err = sc.errf(v, f, "must be positive (kWh), got %v", v.Value)
			}
		default:
			err = sc.errf(k, f, "unknown field (want cars, arrive, arriveSpread, depart, departSpread, soc, socSpread or battery)")
		}
		if err != nil {
			return nil, err
		}
	}
	return &a, nil
}

// create parses a rule's create list of data types.
func (sc *Scenario) create(v *yaml.Node, field string) ([]string, error) {
	if v.Kind != yaml.SequenceNode {
		return nil, sc.errf(v, field, "want a list of data types ([Motion, CarbonDioxide, Temperature])")
	}
	var out []string
	seen := map[string]bool{}
	for _, n := range v.Content {
		name, ok := dataTypeName(n.Value)
		if n.Kind != yaml.ScalarNode || !ok {
			return nil, sc.errf(n, field, "unknown data type %q (want %s)", n.Value, strings.Join(DataTypes, ", "))
		}
		if !seen[name] {
			seen[name] = true
			out = append(out, name)
		}
	}
	return out, nil
}

// visitors parses a retail rule's visitors mapping.
func (sc *Scenario) visitors(m *yaml.Node, field string) (*RetailParams, error) {
	if err := sc.mapping(m, field); err != nil {
		return nil, err
	}
	p := defaultRetail
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		f := field + "." + k.Value
		var err error
		switch k.Value {
		case "rate":
			p.Rate, err = sc.nonneg(v, f)
		case "stay":
			var d time.Duration
			if d, err = sc.dur(v, f); err == nil {
				p.Stay = d.Hours()
			}
		case "open", "close":
			var s string
			if s, err = sc.str(v, f); err == nil {
				t, perr := time.Parse("15:04", s)
				if perr != nil {
					return nil, sc.errf(v, f, "want a time of day such as 09:00, got %q", s)
				}
				h := float64(t.Hour()) + float64(t.Minute())/60
				if k.Value == "open" {
					p.Open = h
				} else {
					p.Close = h
				}
			}
		default:
			err = sc.errf(k, f, "unknown field (want rate, stay, open or close)")
		}
		if err != nil {
			return nil, err
		}
	}
	if p.Close <= p.Open {
		return nil, sc.errf(m, field, "close must be after open")
	}
	return &p, nil
}

// garden parses a garden rule's soil water parameters.
func (sc *Scenario) garden(m *yaml.Node, field string) (*GardenParams, error) {
	if err := sc.mapping(m, field); err != nil {
		return nil, err
	}
	p := defaultGarden
	fields := map[string]*float64{"et": &p.ET, "rainPerDay": &p.RainPerDay, "rainMean": &p.RainMean, "threshold": &p.Threshold,
		"irrigation": &p.Irrigation, "rootDepth": &p.RootDepth, "capacity": &p.Capacity, "initial": &p.Initial}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		f := field + "." + k.Value
		dst, ok := fields[k.Value]
		if !ok {
			return nil, sc.errf(k, f, "unknown field (want et, rainPerDay, rainMean, threshold, irrigation, rootDepth, capacity or initial)")
		}
		x, err := sc.nonneg(v, f)
		if err != nil {
			return nil, err
		}
		*dst = x
	}
	if p.RootDepth <= 0 || p.Capacity <= 0 || p.Capacity > 100 {
		return nil, sc.errf(m, field, "rootDepth must be positive and capacity 0 to 100 %%")
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

func (sc *Scenario) check(line int) error {
	e := func(field, format string, args ...any) error {
		return &ScenarioError{File: sc.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)}
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
	if sc.Duration/sc.Step > 10_000_000 {
		return e("duration", "more than 10,000,000 steps of %v", sc.Step)
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

// Variant returns the scenario with the named variant's overrides applied.
func (sc *Scenario) Variant(name string) (*Scenario, error) {
	n, ok := sc.Variants[name]
	if !ok {
		var names []string
		for k := range sc.Variants {
			names = append(names, k)
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("%s: no variant %q (the scenario has no variants)", sc.file, name)
		}
		return nil, fmt.Errorf("%s: no variant %q (have %s)", sc.file, name, strings.Join(sortedStrings(names), ", "))
	}
	c := sc.clone()
	if err := c.apply(n, true); err != nil {
		return nil, err
	}
	if err := c.check(n.Line); err != nil {
		return nil, err
	}
	if c.Name == sc.Name {
		c.Name = sc.Name + " (" + name + ")"
	}
	return c, nil
}
