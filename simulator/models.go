package simulator

import (
	"math"
	"math/rand/v2"
	"time"
)

// Physical constants of the models (docs/simulation.md explains them).
const (
	// CO2PerPerson is the CO₂ one sedentary adult breathes out: 0.005 L/s
	// = 0.018 m³/h.
	CO2PerPerson = 0.018 // m³/h
	// HeatPerPerson is one sedentary adult's sensible heat gain.
	HeatPerPerson = 100.0 // W
	// AirHeatCapacity is ρ·c_p of air: 1.2 kg/m³ × 1005 J/(kg·K).
	AirHeatCapacity = 1206.0 // J/(m³·K)
	// MassFactor multiplies the air's heat capacity for the furniture,
	// floor and walls that warm up with it.
	MassFactor = 10.0
	// MoisturePerPerson is the water vapour one person adds.
	MoisturePerPerson = 50.0 // g/h
	// LightsLux is what the lights add at the sensor when they are on.
	LightsLux = 400.0
)

// hvacGain is the HVAC controller's proportional gain, in multiples of
// the room's conductance: it holds the setpoint within a few tenths of a
// degree when the capacity suffices.
const hvacGain = 50

// Room is the physical state of one simulated space.
type Room struct {
	V     float64 // volume, m³
	Q     float64 // ventilation, m³/h
	UA    float64 // envelope conductance, W/K
	Set   float64 // setpoint, °C
	HVAC  float64 // heating/cooling capacity, W
	CO2   float64 // ppm
	T     float64 // °C
	W     float64 // absolute humidity, g/m³
	Lux   float64
	Lamps bool
}

// CO2Step advances the CO₂ concentration c (ppm) by dt hours with n people
// in volume v (m³) ventilated with q m³/h of outdoor air at cOut ppm. It
// solves dC/dt = 10⁶·G·n/V + (Q/V)(C_out − C) exactly for constant n, so
// any step size is stable.
func CO2Step(c, n, v, q, cOut, dt float64) float64 {
	gen := 1e6 * CO2PerPerson * n / v // ppm/h
	if q <= 0 {
		return c + gen*dt
	}
	css := cOut + 1e6*CO2PerPerson*n/q
	return css + (c-css)*math.Exp(-q/v*dt)
}

// SteadyCO2 is the concentration CO2Step tends to: C_out + 10⁶·G·n/Q.
func SteadyCO2(n, q, cOut float64) float64 { return cOut + 1e6*CO2PerPerson*n/q }

// heatCapacity is the room's thermal capacity, J/K.
func (r *Room) heatCapacity() float64 { return r.V * AirHeatCapacity * MassFactor }

// conductance is the room's total heat loss to outdoors, W/K: the envelope
// plus the ventilation air.
func (r *Room) conductance() float64 { return r.UA + AirHeatCapacity*r.Q/3600 }

// TempStep advances the room temperature by dt hours: heat flows to the
// outdoor temperature tOut through the envelope and the ventilation air,
// n people add HeatPerPerson each, and when hvacOn the HVAC pushes toward
// the setpoint with a proportional controller limited to its capacity. It
// returns the HVAC power used (W, positive heating, negative cooling).
func (r *Room) TempStep(n, tOut, dt float64, hvacOn bool) float64 {
	c := r.heatCapacity()
	h := r.conductance()
	sec := dt * 3600
	// Substeps keep explicit Euler well inside its stable range.
	sub := 1
	if lim := 0.2 * c / (h + hvacGain*h + 1); sec > lim {
		sub = int(sec/lim) + 1
	}
	ds := sec / float64(sub)
	var used float64
	for i := 0; i < sub; i++ {
		p := 0.0
		if hvacOn && r.HVAC > 0 {
			p = hvacGain * h * (r.Set - r.T)
			p = math.Max(-r.HVAC, math.Min(r.HVAC, p))
		}
		used += p / float64(sub)
		r.T += ds * (h*(tOut-r.T) + n*HeatPerPerson + p) / c
	}
	return used
}

// satVapour is the saturation vapour density at t °C, g/m³ (a cubic fit,
// within 1 % from 0 to 40 °C).
func satVapour(t float64) float64 {
	return 5.018 + 0.32321*t + 8.1847e-3*t*t + 3.1243e-4*t*t*t
}

// HumidityStep advances absolute humidity w (g/m³) like CO₂: people add
// MoisturePerPerson, ventilation exchanges with outdoor air at wOut.
func HumidityStep(w, n, v, q, wOut, dt float64) float64 {
	gen := MoisturePerPerson * n / v
	if q <= 0 {
		return w + gen*dt
	}
	wss := wOut + MoisturePerPerson*n/q
	return wss + (w-wss)*math.Exp(-q/v*dt)
}

// RelativeHumidity of w g/m³ at t °C, in %, at most 100.
func RelativeHumidity(w, t float64) float64 {
	return math.Min(100, 100*w/satVapour(t))
}

// OutdoorTemp is the outdoor temperature at t: a daily cosine peaking at 15:00.
func (o *Outdoor) Temp(t time.Time) float64 {
	h := hourOfDay(t)
	return o.TempMean + o.TempAmp*math.Cos(2*math.Pi*(h-15)/24)
}

// Daylight is the daylight at a sensor at t on a day with cloud factor
// clouds (0 clear … 1 fully dimmed by o.Cloudy): a half sine from 06:00 to 18:00.
func (o *Outdoor) DaylightAt(t time.Time, clouds float64) float64 {
	h := hourOfDay(t)
	if h <= 6 || h >= 18 {
		return 0
	}
	return o.Daylight * math.Sin(math.Pi*(h-6)/12) * (1 - o.Cloudy*clouds)
}

func hourOfDay(t time.Time) float64 {
	return float64(t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
}

// PIR motion detector parameters.
const (
	PIRDetect        = 0.9  // chance one present person is seen in a reading
	PIRFalsePositive = 0.01 // chance an empty room reads true
)

// Motion is one PIR reading with n people present.
func Motion(rng *rand.Rand, n int) bool {
	if n == 0 {
		return rng.Float64() < PIRFalsePositive
	}
	return rng.Float64() < 1-math.Pow(1-PIRDetect, float64(n))
}

// occupancy generates who is in a space, step by step.
type occupancy struct {
	model    string
	capacity int
	rng      *rand.Rand
	day      int // day number of the schedules below
	// office: one interval set per person for the day (hours).
	in, out, lunchIn, lunchOut []float64
	// meeting / common: current group and when it leaves.
	n     int
	until time.Time
}

// workday says whether t's date is a working day.
func (s *Sim) workday(t time.Time) bool {
	wd := t.Weekday()
	if wd == time.Saturday || wd == time.Sunday {
		return false
	}
	y, m, d := t.Date()
	for _, h := range s.sc.Holidays {
		hy, hm, hd := h.Date()
		if y == hy && m == hm && d == hd {
			return false
		}
	}
	return true
}

// openDay says whether a shop opens on t's date: Monday to Saturday,
// except holidays.
func (s *Sim) openDay(t time.Time) bool {
	if t.Weekday() != time.Saturday {
		return s.workday(t)
	}
	y, m, d := t.Date()
	for _, h := range s.sc.Holidays {
		if hy, hm, hd := h.Date(); y == hy && m == hm && d == hd {
			return false
		}
	}
	return true
}

// people returns how many are present at t (with dt the step in hours).
func (o *occupancy) people(t time.Time, work bool, dt float64) int {
	if o.capacity <= 0 {
		return 0
	}
	h := hourOfDay(t)
	switch o.model {
	case "office":
		day := int(t.Unix() / 86400)
		if day != o.day || o.in == nil {
			o.day = day
			o.plan(work)
		}
		n := 0
		for i := range o.in {
			if h >= o.in[i] && h < o.out[i] && !(h >= o.lunchIn[i] && h < o.lunchOut[i]) {
				n++
			}
		}
		return n
	case "meeting", "common":
		if o.n > 0 && !t.Before(o.until) {
			o.n = 0
		}
		if o.n > 0 || !work {
			return o.n
		}
		var rate float64 // arrivals per hour while free
		var minN, stayMin, stayMax int
		if o.model == "meeting" {
			if h < 8 || h >= 18 {
				return 0
			}
			rate, minN, stayMin, stayMax = 0.7, 2, 1, 4 // 30 to 120 min in half hours
		} else {
			if h < 7.5 || h >= 19 {
				return 0
			}
			rate, minN, stayMin, stayMax = 3, 1, 1, 3 // 5 to 15 min in 5 min units
			if h >= 11.75 && h < 13.5 {
				rate = 8 // lunch
			}
		}
		if o.rng.Float64() < 1-math.Exp(-rate*dt) {
			if minN > o.capacity {
				minN = o.capacity
			}
			o.n = minN + o.rng.IntN(o.capacity-minN+1)
			unit := 30 * time.Minute
			if o.model == "common" {
				unit = 5 * time.Minute
				o.n = 1 + o.rng.IntN(max(1, o.capacity/2))
			}
			o.until = t.Add(time.Duration(stayMin+o.rng.IntN(stayMax-stayMin+1)) * unit)
		}
		return o.n
	}
	return 0
}

// plan draws the day's office schedule: each person comes with chance
// 0.85, arrives around 08:45 (σ 30 min), leaves around 17:15 (σ 40 min),
// and with chance 0.7 is out for lunch around 12:15 for 45 min.
func (o *occupancy) plan(work bool) {
	o.in, o.out, o.lunchIn, o.lunchOut = o.in[:0], o.out[:0], o.lunchIn[:0], o.lunchOut[:0]
	for i := 0; i < o.capacity; i++ {
		// Draw every number whether or not the person comes, so the
		// stream of draws does not depend on the outcome.
		come := o.rng.Float64() < 0.85
		a := 8.75 + 0.5*o.rng.NormFloat64()
		d := 17.25 + 0.67*o.rng.NormFloat64()
		lunch := o.rng.Float64() < 0.7
		l := 12.25 + 0.25*o.rng.NormFloat64()
		if !work || !come {
			continue
		}
		a = math.Max(6, a)
		d = math.Min(21, math.Max(a+1, d))
		li, lo := 0.0, 0.0
		if lunch {
			li, lo = l, l+0.75
		}
		o.in, o.out, o.lunchIn, o.lunchOut = append(o.in, a), append(o.out, d), append(o.lunchIn, li), append(o.lunchOut, lo)
	}
}
