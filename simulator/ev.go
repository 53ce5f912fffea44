package simulator

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// EV charging in a car park (model carpark; docs/simulation.md, "EV
// charging").

// ChargerLimitValue is the space value a UDF sets on a car park (kW) to
// steer the per-charger power limit under policy udf.
const ChargerLimitValue = "ChargerLimitKW"

// car is one car of the day.
type car struct {
	arrive, depart float64 // hours after midnight
	soc, battery   float64 // %, kWh
	arrived        bool
}

// need is the energy (kWh) the car still wants: a full battery.
func (c *car) need() float64 { return math.Max(0, c.battery*(100-c.soc)/100) }

// evPark is a car park's chargers and today's cars.
type evPark struct {
	chargers   int
	pmax, grid float64 // kW
	policy     string  // equal or udf
	arr        Arrivals
	spaceID    engine.ID
	rng        *rand.Rand

	day   int
	cars  []car
	plug  []int     // per charger: index in cars, or -1
	power []float64 // kW per charger over the current step
	site  float64   // kW over the current step
	limit float64   // kW per charger (policy udf), as last read

	// KPIs.
	delivered, unmet, peak, overH float64
	arrivedN, turnedAway          int
	arrivedAt, awayAt             []time.Time
}

func newEVPark(p Params, nDevices int, id engine.ID, rng *rand.Rand) *evPark {
	ev := &evPark{chargers: nDevices, pmax: 11, grid: 0, policy: "equal", arr: defaultArrivals, spaceID: id, rng: rng, day: math.MinInt}
	if ev.chargers == 0 {
		ev.chargers = 4
	}
	if p.Chargers != nil {
		ev.chargers = int(*p.Chargers)
	}
	if p.ChargerPower != nil {
		ev.pmax = *p.ChargerPower
	}
	if p.GridLimit != nil {
		ev.grid = *p.GridLimit
	}
	if p.Policy != nil {
		ev.policy = *p.Policy
	}
	if p.Arrivals != nil {
		ev.arr = *p.Arrivals
	}
	ev.reset()
	return ev
}

func (ev *evPark) reset() {
	ev.day = math.MinInt
	ev.cars = nil
	ev.plug = make([]int, ev.chargers)
	for i := range ev.plug {
		ev.plug[i] = -1
	}
	ev.power = make([]float64, ev.chargers)
	ev.site, ev.limit = 0, math.NaN()
	ev.delivered, ev.unmet, ev.peak, ev.overH = 0, 0, 0, 0
	ev.arrivedN, ev.turnedAway = 0, 0
	ev.arrivedAt, ev.awayAt = nil, nil
}

// plan draws a day's cars: ⌊cars⌋ plus one more with the fractional part
// as probability; each arrives at N(arrive, σ) (06:00 at the earliest),
// leaves at N(depart, σ) (at least 30 min later, before midnight), with a
// state of charge N(soc, σ) clamped to 0…95 %. Every number is drawn on
// every day, working or not, so the draws do not depend on the outcome.
func (ev *evPark) plan(work bool) {
	a := ev.arr
	n := int(a.Cars)
	extra := ev.rng.Float64() < a.Cars-float64(n)
	if extra {
		n++
	}
	ev.cars = ev.cars[:0]
	for i := 0; i < n; i++ {
		c := car{arrive: a.Arrive + a.ArriveSpread*ev.rng.NormFloat64(), depart: a.Depart + a.DepartSpread*ev.rng.NormFloat64(),
			soc: a.SoC + a.SoCSpread*ev.rng.NormFloat64(), battery: a.Battery}
		if !work {
			continue
		}
		c.arrive = math.Min(23, math.Max(6, c.arrive))
		c.depart = math.Min(23.99, math.Max(c.arrive+0.5, c.depart))
		c.soc = math.Min(95, math.Max(0, c.soc))
		ev.cars = append(ev.cars, c)
	}
	sort.SliceStable(ev.cars, func(i, j int) bool { return ev.cars[i].arrive < ev.cars[j].arrive })
}

// update lets cars leave and arrive at t and returns how many are plugged in.
func (ev *evPark) update(t time.Time, work bool) int {
	day := int(t.Unix() / 86400)
	if day != ev.day {
		for c := range ev.plug { // nobody stays overnight
			if i := ev.plug[c]; i >= 0 {
				ev.unmet += ev.cars[i].need()
				ev.plug[c] = -1
			}
		}
		ev.day = day
		ev.plan(work)
	}
	h := hourOfDay(t)
	for c := range ev.plug {
		if i := ev.plug[c]; i >= 0 && h >= ev.cars[i].depart {
			ev.unmet += ev.cars[i].need()
			ev.plug[c] = -1
		}
	}
	for i := range ev.cars {
		c := &ev.cars[i]
		if c.arrived || h < c.arrive {
			continue
		}
		c.arrived = true
		ev.arrivedN++
		ev.arrivedAt = append(ev.arrivedAt, t)
		free := -1
		for k := range ev.plug {
			if ev.plug[k] < 0 {
				free = k
				break
			}
		}
		if free < 0 || h >= c.depart {
			ev.turnedAway++
			ev.awayAt = append(ev.awayAt, t)
			ev.unmet += c.need()
			continue
		}
		ev.plug[free] = i
	}
	n := 0
	for _, i := range ev.plug {
		if i >= 0 {
			n++
		}
	}
	return n
}

// allocate sets each charger's power for the step of dt hours:
//
//	p_i = min(P_max, need_i / Δt, share)
//
// with share = G / (cars still charging) under policy equal (no limit
// when G = 0) and the UDF's ChargerLimitKW under policy udf.
func (ev *evPark) allocate(dt float64) {
	active := 0
	for _, i := range ev.plug {
		if i >= 0 && ev.cars[i].need() > 1e-9 {
			active++
		}
	}
	share := math.Inf(1)
	switch ev.policy {
	case "equal":
		if ev.grid > 0 && active > 0 {
			share = ev.grid / float64(active)
		}
	case "udf":
		if !math.IsNaN(ev.limit) {
			share = math.Max(0, ev.limit)
		}
	}
	ev.site = 0
	for c, i := range ev.plug {
		ev.power[c] = 0
		if i < 0 {
			continue
		}
		ev.power[c] = math.Max(0, math.Min(ev.pmax, math.Min(share, ev.cars[i].need()/dt)))
		ev.site += ev.power[c]
	}
	ev.peak = max(ev.peak, ev.site)
	if ev.grid > 0 && ev.site > ev.grid*(1+1e-9) {
		ev.overH += dt
	}
}

// charge integrates the step: each car gains p_i·Δt kWh.
func (ev *evPark) charge(dt float64) {
	for c, i := range ev.plug {
		if i < 0 || ev.power[c] == 0 {
			continue
		}
		car := &ev.cars[i]
		e := ev.power[c] * dt
		ev.delivered += e
		car.soc = math.Min(100, car.soc+100*e/car.battery)
	}
}

// readLimit reads the car park's ChargerLimitKW space value (policy udf).
func (ev *evPark) readLimit(e *engine.Engine) {
	if e == nil {
		return
	}
	e.View(func(v *engine.View) error {
		if val, ok := v.SpaceValue(ev.spaceID, ChargerLimitValue); ok {
			if f, err := strconv.ParseFloat(val.Value, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				ev.limit = f
			}
		}
		return nil
	})
}

// reading formats one car park sensor reading: charger is the sensor's
// charger (1-based; 0 for the site's own sensors).
func (ev *evPark) reading(b []byte, sp *simSpace, kind string, charger, n int) []byte {
	c := charger - 1
	switch kind {
	case "Power":
		if c >= 0 {
			p := 0.0
			if c < len(ev.power) {
				p = ev.power[c]
			}
			return strconv.AppendFloat(b, p, 'f', 2, 64)
		}
		return strconv.AppendFloat(b, ev.site, 'f', 2, 64)
	case "StateOfCharge":
		soc := 0.0
		if c >= 0 && c < len(ev.plug) && ev.plug[c] >= 0 {
			soc = ev.cars[ev.plug[c]].soc
		}
		return strconv.AppendFloat(b, soc, 'f', 1, 64)
	case "Occupancy", "PeopleCount":
		if c >= 0 {
			n = 0
			if c < len(ev.plug) && ev.plug[c] >= 0 {
				n = 1
			}
		}
		if kind == "Occupancy" {
			return strconv.AppendBool(b, n > 0)
		}
		return strconv.AppendInt(b, int64(n), 10)
	case "Energy":
		return strconv.AppendFloat(b, sp.meter.energy, 'f', 3, 64)
	}
	return sp.reading(b, kind, n)
}

// EVKPI are one car park's charging KPIs.
type EVKPI struct {
	Name           string
	Chargers       int
	Policy         string
	GridLimitKW    float64 // 0: none
	DeliveredKWh   float64
	UnmetKWh       float64 // still wanted when cars left (or were turned away)
	PeakKW         float64
	HoursOverLimit float64
	Cars           int // arrived
	TurnedAway     int // found no free charger
	// ArrivedAt and TurnedAwayAt are the steps cars arrived and were
	// turned away at (for the charts).
	ArrivedAt, TurnedAwayAt []time.Time
}
