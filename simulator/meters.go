package simulator

import (
	"math"
	"strconv"
)

// Power and energy meter model (docs/simulation.md, "Power and energy").
const (
	// CeilingHeight turns a room's volume into its floor area: A = V / h.
	CeilingHeight = 3.0 // m
	// LightingDensity is the installed lighting, on while anyone is in
	// the room (the same rule that turns the light model's lamps on).
	LightingDensity = 8.0 // W/m²
	// PlugBaseDensity is the plug load of an empty room (standby, network).
	PlugBaseDensity = 2.0 // W/m²
	// PlugPerPerson is one occupant's plug load (laptop, screen, phone).
	PlugPerPerson = 80.0 // W
	// HVACCOP is the HVAC's coefficient of performance, heating and
	// cooling alike: electrical power = thermal power / COP.
	HVACCOP = 3.0
)

// meter is a space's electrical state.
type meter struct {
	power   float64 // W over the last step: lighting + plugs + HVAC
	hvacW   float64 // W electrical for HVAC over the last step
	energy  float64 // kWh since the run started
	hvacKWh float64
	peak    float64 // W
}

// SpacePower is the electrical power (W) of a room of volume v (m³) with
// n people present, lamps on or off, whose HVAC delivers hvacThermal W of
// heating (> 0) or cooling (< 0):
//
//	P = L·A·[lamps] + (b·A + p·n) + |P_hvac| / COP,  A = V / h
func SpacePower(v, n float64, lamps bool, hvacThermal float64) float64 {
	a := v / CeilingHeight
	p := PlugBaseDensity*a + PlugPerPerson*n + math.Abs(hvacThermal)/HVACCOP
	if lamps {
		p += LightingDensity * a
	}
	return p
}

// step integrates the meter over dt hours with n people present and the
// HVAC thermal power used over the step: E += P·dt / 1000.
func (m *meter) step(r *Room, n int, hvacThermal, dt float64) {
	m.power = SpacePower(r.V, float64(n), r.Lamps, hvacThermal)
	m.hvacW = math.Abs(hvacThermal) / HVACCOP
	m.energy += m.power * dt / 1000
	m.hvacKWh += m.hvacW * dt / 1000
	m.peak = max(m.peak, m.power)
}

// meterReading formats a Power (W, the last step's mean, rounded) or
// Energy (kWh since the run started, 3 decimals) reading.
func (sp *simSpace) meterReading(b []byte, kind string, n int) []byte {
	switch kind {
	case "Power":
		p := sp.meter.power
		if p == 0 { // before the first step: what the room draws now
			p = SpacePower(sp.room.V, float64(n), sp.room.Lamps, 0)
		}
		return strconv.AppendFloat(b, math.Round(p), 'f', 0, 64)
	case "Energy":
		return strconv.AppendFloat(b, sp.meter.energy, 'f', 3, 64)
	}
	return b
}

// SpaceEnergy is one space's electricity over a run.
type SpaceEnergy struct {
	Name    string
	KWh     float64 // lighting + plugs + HVAC
	HVACKWh float64
	PeakKW  float64 // highest step mean
}

// Energy lists each simulated space's energy after Run (in name order),
// and the totals: energy (kWh) and the site's peak (kW) — the largest sum
// over spaces of one step's power.
func (s *Sim) Energy() (spaces []SpaceEnergy, totalKWh, peakKW float64) {
	for _, sp := range s.spaces {
		spaces = append(spaces, SpaceEnergy{Name: sp.name, KWh: sp.meter.energy, HVACKWh: sp.meter.hvacKWh, PeakKW: sp.meter.peak / 1000})
		totalKWh += sp.meter.energy
	}
	return spaces, totalKWh, s.sitePeak / 1000
}

// energyKPIs fills the result's energy KPIs (spaces with Power or Energy
// sensors) and the site's peaks.
func (s *Sim) energyKPIs(res *Result) {
	for _, sp := range s.spaces {
		if sp.metered {
			res.Energy = append(res.Energy, SpaceEnergy{Name: sp.name, KWh: sp.meter.energy, HVACKWh: sp.meter.hvacKWh, PeakKW: sp.meter.peak / 1000})
			res.EnergyKWh += sp.meter.energy
			res.HVACKWh += sp.meter.hvacKWh
		}
	}
	res.PeakKW = s.meteredPeak / 1000
	res.EVPeakKW = s.evPeak
}
