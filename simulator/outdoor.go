package simulator

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"
)

// Retail visitors and garden soil moisture (docs/simulation.md, "Visitors"
// and "Soil moisture").

// RetailParams are a venue's visitors (model retail).
type RetailParams struct {
	Rate  float64 // arrivals per hour while open
	Stay  float64 // mean stay, hours
	Open  float64 // opening hour
	Close float64 // closing hour
}

var defaultRetail = RetailParams{Rate: 30, Stay: 1.0 / 3, Open: 9, Close: 20}

// retail is a venue's visitors: arrivals are a Poisson process of rate λ
// over opening hours, each visitor stays an exponential time of mean
// Stay (but leaves at closing), and visitors who find it full go away.
type retail struct {
	p      RetailParams
	cap    int
	rng    *rand.Rand
	leave  []time.Time // present visitors' departures
	turned int
}

// poisson draws a Poisson number of mean m (Knuth; m is small per step).
func poisson(rng *rand.Rand, m float64) int {
	if m <= 0 {
		return 0
	}
	l, k, p := math.Exp(-m), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

// people returns the visitors present at t (open: the venue opens today).
func (r *retail) people(t time.Time, open bool, dt float64) int {
	h := hourOfDay(t)
	isOpen := open && h >= r.p.Open && h < r.p.Close
	kept := r.leave[:0]
	for _, d := range r.leave {
		if t.Before(d) && isOpen {
			kept = append(kept, d)
		}
	}
	r.leave = kept
	arrivals := poisson(r.rng, r.p.Rate*dt) // drawn every step: draws do not depend on the outcome
	for i := 0; i < arrivals; i++ {
		stay := r.rng.ExpFloat64() * r.p.Stay
		if !isOpen {
			continue
		}
		if len(r.leave) >= r.cap {
			r.turned++
			continue
		}
		r.leave = append(r.leave, t.Add(time.Duration(math.Max(stay, 1.0/60)*float64(time.Hour))))
	}
	return len(r.leave)
}

// GardenParams are a garden bed's soil water balance (model garden).
type GardenParams struct {
	ET         float64 // reference evapotranspiration, mm per day
	RainPerDay float64 // rain events per day (Poisson)
	RainMean   float64 // mean depth of a rain event, mm (exponential)
	Threshold  float64 // irrigate below this volumetric moisture, %
	Irrigation float64 // water per irrigation, mm
	RootDepth  float64 // root zone depth, mm
	Capacity   float64 // field capacity, %: water above it drains
	Initial    float64 // moisture at the start, %
}

var defaultGarden = GardenParams{ET: 4, RainPerDay: 0.3, RainMean: 8, Threshold: 20, Irrigation: 10, RootDepth: 300, Capacity: 35, Initial: 30}

// garden is a bed's soil moisture θ (% by volume).
type garden struct {
	p                   GardenParams
	rng                 *rand.Rand
	theta, min          float64
	rainMM, irrMM, etMM float64
	irrigations         int
	water               []WaterStep
}

// step integrates θ over dt hours from t:
//
//	Δθ = 100 / D · (R + I − ET₀ · (π/24) · sin(π (h − 6) / 12) · min(1, θ/θ_fc) · Δt)
//
// with rain R (Poisson events, exponential depths), irrigation I when θ
// falls below the threshold, and θ capped at field capacity (drainage).
func (g *garden) step(t time.Time, dt float64) {
	p := &g.p
	h := hourOfDay(t)
	et := 0.0
	if h > 6 && h < 18 {
		et = p.ET * math.Pi / 24 * math.Sin(math.Pi*(h-6)/12) * math.Min(1, g.theta/p.Capacity) * dt
	}
	rain := 0.0
	for i := poisson(g.rng, p.RainPerDay/24*dt); i > 0; i-- {
		rain += g.rng.ExpFloat64() * p.RainMean
	}
	g.etMM += et
	g.rainMM += rain
	irr0 := g.irrMM
	g.theta += 100 / p.RootDepth * (rain - et)
	if g.theta < p.Threshold {
		g.theta += 100 / p.RootDepth * p.Irrigation
		g.irrMM += p.Irrigation
		g.irrigations++
	}
	if irr := g.irrMM - irr0; rain > 0 || irr > 0 {
		g.water = append(g.water, WaterStep{T: t, RainMM: rain, IrrigationMM: irr})
	}
	g.theta = math.Max(0, math.Min(p.Capacity, g.theta))
	g.min = math.Min(g.min, g.theta)
}

func (g *garden) reading(b []byte) []byte {
	return strconv.AppendFloat(b, g.theta, 'f', 1, 64)
}

// GardenKPI are one garden bed's water KPIs.
type GardenKPI struct {
	Name                 string
	RainMM, IrrigationMM float64
	EvapotranspirationMM float64
	Irrigations          int
	MinMoisture          float64 // %
	ThresholdPct         float64 // irrigation below this moisture, %
	// Water are the steps with rain or irrigation (for the charts).
	Water []WaterStep
}

// WaterStep is one step's rain and irrigation on a garden bed, mm.
type WaterStep struct {
	T                    time.Time
	RainMM, IrrigationMM float64
}
