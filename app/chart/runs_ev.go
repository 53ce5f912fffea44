package chart

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// sensorReadings are the readings of each sensor in the given spaces,
// by hardwareId (booleans count 1 and 0).
func sensorReadings(run *Run, spaces map[string]bool) map[string][]reading {
	out := map[string][]reading{}
	for _, line := range strings.Split(string(run.Series), "\n") {
		f := strings.SplitN(line, ",", 3)
		if len(f) != 3 || f[0] == "time" {
			continue
		}
		if sn, ok := run.Sensors[f[1]]; !ok || !spaces[sn.Space] {
			continue
		}
		t, err := time.Parse(time.RFC3339, f[0])
		if err != nil {
			continue
		}
		v, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			continue
		}
		out[f[1]] = append(out[f[1]], reading{t, v})
	}
	return out
}

// byTime folds readings into one series over time: fold gets each
// instant's values (in sensor order) and returns its value.
func byTime(rs [][]reading, fold func([]float64) float64) (ts []time.Time, ys []float64) {
	at := map[time.Time][]float64{}
	for _, r := range rs {
		for _, x := range r {
			at[x.t] = append(at[x.t], x.v)
		}
	}
	for t := range at {
		ts = append(ts, t)
	}
	sort.Slice(ts, func(a, b int) bool { return ts[a].Before(ts[b]) })
	for _, t := range ts {
		ys = append(ys, fold(at[t]))
	}
	return ts, ys
}

func sum(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

// meanPlugged is the mean of the positive values (cars plugged in; a
// free charger reports 0), NaN when none.
func meanPlugged(v []float64) float64 {
	s, n := 0.0, 0
	for _, x := range v {
		if x > 0 {
			s, n = s+x, n+1
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return s / float64(n)
}

// evSensors splits a car park's sensors into the site's power meters and
// the chargers' power and state-of-charge sensors, sorted by hardwareId.
func evSensors(run *Run, park string) (site, chargerPower, soc []string) {
	chargers := map[string]bool{}
	for _, sn := range run.Sensors {
		if sn.Space == park && sn.Kind == "StateOfCharge" {
			chargers[sn.Device] = true
		}
	}
	for id, sn := range run.Sensors {
		switch {
		case sn.Space != park:
		case sn.Kind == "StateOfCharge":
			soc = append(soc, id)
		case sn.Kind == "Power" && chargers[sn.Device]:
			chargerPower = append(chargerPower, id)
		case sn.Kind == "Power":
			site = append(site, id)
		}
	}
	sort.Strings(site)
	sort.Strings(chargerPower)
	sort.Strings(soc)
	return
}

func pick(rs map[string][]reading, ids []string) [][]reading {
	var out [][]reading
	for _, id := range ids {
		if len(rs[id]) > 0 {
			out = append(out, rs[id])
		}
	}
	return out
}

func series(name string, color int, dashed bool, ts []time.Time, ys []float64) Series {
	return Series{Name: name, T: ts, Y: ys, Color: Palette(color), Dashed: dashed}
}

// evFigures are the car parks' charts: site power against the grid
// limit, the mean state of charge of the cars plugged in, and the cars
// that arrived and were turned away.
func evFigures(runs []Run, parsed []map[string]map[string][]reading, label func(int, string) string) []Figure {
	var power, soc, cars []Series
	var refs []Ref
	limits := map[float64]bool{}
	for i := range runs {
		r := &runs[i]
		spaces := map[string]bool{}
		for _, p := range r.EV {
			spaces[p.Name] = true
		}
		if len(spaces) == 0 {
			continue
		}
		rs := sensorReadings(r, spaces)
		for j, p := range r.EV {
			name := short(p.Name)
			site, cp, sc := evSensors(r, p.Name)
			var ts []time.Time
			var ys []float64
			if s := pick(rs, site); len(s) > 0 {
				ts, ys = byTime(s[:1], sum)
			} else if s := pick(rs, cp); len(s) > 0 {
				ts, ys = byTime(s, sum)
			}
			if len(ts) > 0 {
				power = append(power, series(label(i, name+" site power"), j, i == 1, ts, ys))
			}
			if s := pick(rs, sc); len(s) > 0 {
				ts, ys = byTime(s, meanPlugged)
				soc = append(soc, series(label(i, name), j, i == 1, ts, ys))
			}
			if p.GridLimitKW > 0 && !limits[p.GridLimitKW] {
				limits[p.GridLimitKW] = true
				refs = append(refs, Ref{Y: p.GridLimitKW, Label: fmt.Sprintf("grid limit %g kW", p.GridLimitKW)})
			}
			end := r.Start.Add(r.Duration)
			cars = append(cars, cumulative(label(i, name+" cars arrived"), 2*j, i == 1, r.Start, end, p.ArrivedAt, nil),
				cumulative(label(i, name+" turned away"), 2*j+3, i == 1, r.Start, end, p.TurnedAwayAt, nil))
		}
	}
	var figs []Figure
	if len(power) > 0 {
		figs = append(figs, Figure{File: "ev_power.png", Title: "EV charging: site power against the grid limit",
			XLabel: "time (UTC)", YLabel: "power (kW)", Lines: power, Refs: refs, YMin: ptr(0)})
	}
	if len(soc) > 0 {
		figs = append(figs, Figure{File: "ev_soc.png", Title: "EV charging: mean state of charge of the cars plugged in",
			XLabel: "time (UTC)", YLabel: "state of charge (%)", Lines: soc, YMin: ptr(0), YMax: ptr(100)})
	}
	if len(cars) > 0 {
		figs = append(figs, Figure{File: "ev_cars.png", Title: "EV charging: cars arrived and turned away (no free charger)",
			XLabel: "time (UTC)", YLabel: "cars (cumulative)", Lines: cars, YMin: ptr(0)})
	}
	return figs
}

// cumulative is a step line counting events (each at ts, with weight w,
// 1 if nil) from start to end.
func cumulative(name string, color int, dashed bool, start, end time.Time, ts []time.Time, w []float64) Series {
	s := series(name, color, dashed, []time.Time{start}, []float64{0})
	n := 0.0
	for k, t := range ts {
		s.T, s.Y = append(s.T, t), append(s.Y, n)
		if w == nil {
			n++
		} else {
			n += w[k]
		}
		s.T, s.Y = append(s.T, t), append(s.Y, n)
	}
	if end.After(s.T[len(s.T)-1]) {
		s.T, s.Y = append(s.T, end), append(s.Y, n)
	}
	return s
}

// gardenFigures are the garden beds' charts: soil moisture against the
// irrigation threshold, and cumulative rain and irrigation.
func gardenFigures(runs []Run, parsed []map[string]map[string][]reading, label func(int, string) string) []Figure {
	var moist, water []Series
	var refs []Ref
	limits := map[float64]bool{}
	for i := range runs {
		r := &runs[i]
		end := r.Start.Add(r.Duration)
		for j, g := range r.Gardens {
			name := short(g.Name)
			if rs := parsed[i][g.Name]["SoilMoisture"]; len(rs) > 0 {
				s := series(label(i, name), j, i == 1, nil, nil)
				for _, x := range rs {
					s.T, s.Y = append(s.T, x.t), append(s.Y, x.v)
				}
				moist = append(moist, s)
			}
			if g.ThresholdPct > 0 && !limits[g.ThresholdPct] {
				limits[g.ThresholdPct] = true
				refs = append(refs, Ref{Y: g.ThresholdPct, Label: fmt.Sprintf("irrigation threshold %g %%", g.ThresholdPct)})
			}
			var rt, it []time.Time
			var rw, iw []float64
			for _, w := range g.Water {
				if w.RainMM > 0 {
					rt, rw = append(rt, w.T), append(rw, w.RainMM)
				}
				if w.IrrigationMM > 0 {
					it, iw = append(it, w.T), append(iw, w.IrrigationMM)
				}
			}
			water = append(water, cumulative(label(i, name+" rain"), 2*j, i == 1, r.Start, end, rt, rw),
				cumulative(label(i, name+" irrigation"), 2*j+1, i == 1, r.Start, end, it, iw))
		}
	}
	var figs []Figure
	if len(moist) > 0 {
		figs = append(figs, Figure{File: "garden_moisture.png", Title: "Garden: soil moisture against the irrigation threshold",
			XLabel: "time (UTC)", YLabel: "soil moisture (% by volume)", Lines: moist, Refs: refs})
	}
	if len(water) > 0 {
		figs = append(figs, Figure{File: "garden_water.png", Title: "Garden: rain and irrigation",
			XLabel: "time (UTC)", YLabel: "water (mm, cumulative)", Lines: water, YMin: ptr(0)})
	}
	return figs
}

// short is a space's last name.
func short(full string) string {
	if i := strings.LastIndexByte(full, '/'); i >= 0 {
		return full[i+1:]
	}
	return full
}
