package simulator

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/twinstudio/twinstudio/engine/yaml"
)

// Fault makes matching sensors misbehave (docs/scenarios.md, "Faults";
// docs/simulation.md, "Faults"). A sensor matches if it passes every
// selector set (sensor, device, path, type); a fault with no selector
// matches every driven sensor.
type Fault struct {
	Sensor string // sensor hardwareId
	Device string // device hardwareId
	Path   string // space full-name prefix, on name boundaries
	Type   string // data type (CarbonDioxide, Temperature, …)

	Dropout float64 // 0..1: chance each reading is lost
	Noise   float64 // σ of extra Gaussian noise, in the reading's unit
	Drift   float64 // offset growing by this much per day from the run's start
	Stuck   Window  // readings repeat the last value sent before From
	Offline Window  // no readings at all (the device is offline)

	Line int
}

// Window is a simulated time interval [From, To); zero is none.
type Window struct{ From, To time.Time }

func (w Window) has(t time.Time) bool {
	return !w.From.IsZero() && !t.Before(w.From) && t.Before(w.To)
}

// sensorFaults is the fault state of one sensor.
type sensorFaults struct {
	faults []*Fault
	rng    *rand.Rand
	last   []byte // last value sent
}

func (f *Fault) matches(sp *simSpace, sn *simSensor) bool {
	if f.Sensor != "" && f.Sensor != sn.hw {
		return false
	}
	if f.Device != "" && f.Device != sn.device {
		return false
	}
	if f.Path != "" && !(f.Path == "/" || sp.name == f.Path || strings.HasPrefix(sp.name, f.Path+"/")) {
		return false
	}
	if f.Type != "" && !strings.EqualFold(f.Type, sn.kind) {
		return false
	}
	return true
}

// bindFaults gives each driven sensor the faults that match it, and its
// own random source (seed, sensor hardwareId, "faults"), so that faults
// draw nothing from the models' sources: a run without faults is the
// same as before, and faulty sensors do not change the physics.
func (s *Sim) bindFaults() {
	if len(s.sc.Faults) == 0 {
		return
	}
	s.faults = map[string]*sensorFaults{}
	for _, sp := range s.spaces {
		for i := range sp.sensors {
			sn := &sp.sensors[i]
			var fs []*Fault
			for j := range s.sc.Faults {
				if f := &s.sc.Faults[j]; f.matches(sp, sn) {
					fs = append(fs, f)
				}
			}
			if fs == nil {
				continue
			}
			h := fnv.New64a()
			h.Write([]byte("faults/" + sn.hw))
			s.faults[sn.hw] = &sensorFaults{faults: fs, rng: rand.New(rand.NewPCG(s.sc.Seed, h.Sum64()))}
		}
	}
}

// fault applies the sensor's faults at t to the reading in b. It returns
// the reading to send, or ok false if none is sent. Faults apply in
// order: offline, dropout, stuck, then drift and noise on numbers.
func (s *Sim) fault(hw string, t time.Time, b []byte) (out []byte, ok bool) {
	st := s.faults[hw]
	if st == nil {
		return b, true
	}
	stuck := false
	var offset, sigma float64
	for _, f := range st.faults {
		if f.Offline.has(t) {
			return b, false
		}
		if f.Dropout > 0 && st.rng.Float64() < f.Dropout {
			return b, false
		}
		if f.Stuck.has(t) {
			stuck = true
		}
		offset += f.Drift * t.Sub(s.sc.Start).Hours() / 24
		sigma = math.Hypot(sigma, f.Noise)
	}
	if stuck && st.last != nil {
		return append(b[:0], st.last...), true
	}
	if offset != 0 || sigma > 0 {
		if x, err := strconv.ParseFloat(string(b), 64); err == nil {
			x += offset
			if sigma > 0 {
				x += sigma * st.rng.NormFloat64()
			}
			prec := 0
			if i := strings.IndexByte(string(b), '.'); i >= 0 {
				prec = len(b) - i - 1
			}
			b = strconv.AppendFloat(b[:0], x, 'f', prec, 64)
		}
	}
	st.last = append(st.last[:0], b...)
	return b, true
}

// faultsNode parses the scenario's faults: list.
func (sc *Scenario) faultsNode(v yaml.Node) error {
	if !v.IsList() {
		return v.Errorf("faults", "want a list of faults (- type: CarbonDioxide, drift: 50 …)")
	}
	if err := countAtMost(v, "faults", "faults", MaxListed); err != nil {
		return err
	}
	sc.Faults = nil
	for idx, m := range v.Items() {
		field := "faults[" + strconv.Itoa(idx) + "]"
		if err := m.Map(field); err != nil {
			return err
		}
		f := Fault{Line: m.Line()}
		effect := false
		for _, ei := range m.Entries() {
			k, val := ei.KeyAt, ei.Value
			fl := field + "." + k.Text()
			var err error
			switch k.Text() {
			case "sensor":
				f.Sensor, err = val.Str(fl)
			case "device":
				f.Device, err = val.Str(fl)
			case "path":
				f.Path, err = val.Str(fl)
				if err == nil && !strings.HasPrefix(f.Path, "/") {
					err = val.Errorf(fl, "a path starts with / (/Building/Floor 1)")
				}
			case "type":
				f.Type, err = val.Str(fl)
			case "dropout":
				f.Dropout, err = sc.nonneg(val, fl)
				if err == nil && f.Dropout > 1 {
					err = val.Errorf(fl, "is a probability (0 to 1)")
				}
				effect = true
			case "noise":
				f.Noise, err = sc.upTo(val, fl, MaxNoise)
				effect = true
			case "drift":
				f.Drift, err = between(val, fl, -MaxDrift, MaxDrift)
				effect = true
			case "stuck":
				f.Stuck, err = sc.window(val, fl)
				effect = true
			case "offline":
				f.Offline, err = sc.window(val, fl)
				effect = true
			default:
				err = k.Errorf(fl, "unknown field (want sensor, device, path, type, dropout, noise, drift, stuck or offline)")
			}
			if err != nil {
				return err
			}
		}
		if !effect {
			return m.Errorf(field, "a fault needs dropout, noise, drift, stuck or offline")
		}
		sc.Faults = append(sc.Faults, f)
	}
	return nil
}

// window parses {from: RFC 3339, to: RFC 3339}.
func (sc *Scenario) window(v yaml.Node, field string) (Window, error) {
	var w Window
	if err := v.Map(field); err != nil {
		return w, err
	}
	for _, ei := range v.Entries() {
		k, val := ei.KeyAt, ei.Value
		f := field + "." + k.Text()
		var t *time.Time
		switch k.Text() {
		case "from":
			t = &w.From
		case "to":
			t = &w.To
		default:
			return w, k.Errorf(f, "unknown field (want from and to)")
		}
		s, err := val.Str(f)
		if err != nil {
			return w, err
		}
		p, perr := time.Parse(time.RFC3339, s)
		if perr != nil {
			return w, val.Errorf(f, "want an RFC 3339 time such as 2026-03-02T10:00:00Z, got %q", s)
		}
		*t = p.UTC()
	}
	if w.From.IsZero() || w.To.IsZero() {
		return w, v.Errorf(field, "want both from and to")
	}
	if !w.To.After(w.From) {
		return w, v.Errorf(field, "to must be after from")
	}
	return w, nil
}
