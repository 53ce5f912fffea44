package chart

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Run is one simulation's data for its charts: plain data, so that the
// CLI and the studio map a run to the same charts.
type Run struct {
	// Series is the run's series.csv: time,sensor,value.
	Series []byte
	// Sensors give each sensor (hardwareId) its space (full name) and
	// data type (Motion, CarbonDioxide, Temperature, …).
	Sensors map[string]Sensor
	// Spaces are the simulated spaces with their floor and person-hours.
	Spaces []Space
	// Start and Duration are the simulated time: runs over a day are
	// drawn hourly, shorter ones in half hours.
	Start    time.Time
	Duration time.Duration
	// EV are the run's car parks (none: no EV charts).
	EV []EVPark
	// Gardens are the run's garden beds (none: no garden charts).
	Gardens []Garden
}

// Sensor is where a sensor is, what it measures and its device
// (hardwareId; a car park's chargers are its devices with a
// StateOfCharge sensor).
type Sensor struct{ Space, Kind, Device string }

// EVPark is one car park of a run: its site grid limit (0: none) and
// when cars arrived and were turned away (no free charger).
type EVPark struct {
	Name                    string
	GridLimitKW             float64
	ArrivedAt, TurnedAwayAt []time.Time
}

// Garden is one garden bed of a run: its irrigation threshold (soil
// moisture, %) and its rain and irrigation events.
type Garden struct {
	Name         string
	ThresholdPct float64
	Water        []Water
}

// Water is a step's rain and irrigation on a garden bed, mm.
type Water struct {
	T                    time.Time
	RainMM, IrrigationMM float64
}

// Space is one simulated space of a Run.
type Space struct {
	Name, Floor string
	PersonHours float64
}

// reading is one point of a series.
type reading struct {
	t time.Time
	v float64
}

// parseSeries maps series.csv to per-space series of each data type: the
// first sensor of a kind in a space stands for it; booleans count 1 and 0.
func parseSeries(run *Run) map[string]map[string][]reading {
	out := map[string]map[string][]reading{} // space → kind → readings
	seen := map[string]string{}              // space+kind → the sensor used (the first)
	for _, line := range strings.Split(string(run.Series), "\n") {
		f := strings.SplitN(line, ",", 3)
		if len(f) != 3 || f[0] == "time" {
			continue
		}
		sn, ok := run.Sensors[f[1]]
		if !ok {
			continue
		}
		key := sn.Space + "\x00" + sn.Kind
		if s, ok := seen[key]; ok && s != f[1] {
			continue
		}
		seen[key] = f[1]
		t, err := time.Parse(time.RFC3339, f[0])
		if err != nil {
			continue
		}
		var v float64
		switch f[2] {
		case "true":
			v = 1
		case "false":
			v = 0
		default:
			if v, err = strconv.ParseFloat(f[2], 64); err != nil {
				continue
			}
		}
		if out[sn.Space] == nil {
			out[sn.Space] = map[string][]reading{}
		}
		out[sn.Space][sn.Kind] = append(out[sn.Space][sn.Kind], reading{t, v})
	}
	return out
}

// RunFigures maps one run, or a base and a variant, to their charts:
// occupancy per floor (the share of its spaces where motion is detected,
// 30-minute means up to a day, hourly beyond, 0–100 %), the occupancy
// heat map (hour × weekday, the base run; hours without readings NaN),
// CO₂ (against CO2Limit) and temperature (over the comfort band) in the
// three busiest rooms (most person-hours in the base run), the car
// parks' charts (site power against the grid limit, mean state of charge,
// cars arrived and turned away) and the garden beds' (soil moisture
// against the irrigation threshold, rain and irrigation). With two runs
// the variant is overlaid dashed. Charts without data are left out. The
// result depends only on runs: the same runs give the same figures.
func RunFigures(runs []Run) []Figure {
	if len(runs) == 0 {
		return nil
	}
	label := func(i int, name string) string {
		if len(runs) == 1 {
			return name
		}
		return name + [2]string{" (base)", " (variant)"}[min(i, 1)]
	}
	parsed := make([]map[string]map[string][]reading, len(runs))
	for i := range runs {
		parsed[i] = parseSeries(&runs[i])
	}
	var figs []Figure
	occ, heat := occupancy(runs, parsed, label)
	if len(occ) > 0 {
		figs = append(figs, Figure{File: "occupancy_floors.png", Title: "Occupancy per floor (spaces with motion detected)",
			XLabel: "time (UTC)", YLabel: "spaces with motion (%, " + bucketName(runs[0].Duration) + " mean)", Lines: occ,
			YMin: ptr(0), YMax: ptr(100)})
		title := "Occupancy by hour and weekday"
		if len(runs) > 1 {
			title += " (base)"
		}
		figs = append(figs, Figure{File: "occupancy_heatmap.png", Title: title, Heat: heat,
			HeatUnit: "% of motion readings with someone", YMin: ptr(0), YMax: ptr(100)})
	}
	// CO₂ and temperature of the busiest rooms (person-hours in the base run).
	top := append([]Space(nil), runs[0].Spaces...)
	sort.SliceStable(top, func(i, j int) bool { return top[i].PersonHours > top[j].PersonHours })
	if len(top) > 3 {
		top = top[:3]
	}
	for _, k := range []struct {
		kind, file, title, unit string
		refs                    []Ref
		bands                   []Band
	}{
		{"CarbonDioxide", "co2_busiest.png", "CO₂ in the busiest rooms (most person-hours)", "CO₂ (ppm)",
			[]Ref{{Y: CO2Limit, Label: "1000 ppm (CO₂ KPI limit)"}}, nil},
		{"Temperature", "temperature_busiest.png", "Temperature in the busiest rooms (most person-hours)", "temperature (°C)",
			nil, []Band{{Lo: ComfortLo, Hi: ComfortHi, Label: "comfort band 20–26 °C"}}},
	} {
		var lines []Series
		for i := range runs {
			for j, sp := range top {
				rs := parsed[i][sp.Name][k.kind]
				if len(rs) == 0 {
					continue
				}
				s := Series{Name: label(i, short(sp.Name)), Color: Palette(j), Dashed: i == 1}
				for _, r := range rs {
					s.T = append(s.T, r.t)
					s.Y = append(s.Y, r.v)
				}
				lines = append(lines, s)
			}
		}
		if len(lines) > 0 {
			figs = append(figs, Figure{File: k.file, Title: k.title, XLabel: "time (UTC)", YLabel: k.unit, Lines: lines,
				Refs: k.refs, Bands: k.bands})
		}
	}
	figs = append(figs, evFigures(runs, parsed, label)...)
	return append(figs, gardenFigures(runs, parsed, label)...)
}

// The limits the simulator's KPIs count against (simulator/result.go):
// CO₂ hours above 1000 ppm, occupied hours outside 20–26 °C.
const (
	CO2Limit  = 1000
	ComfortLo = 20
	ComfortHi = 26
)

func ptr(x float64) *float64 { return &x }

// bucket is the occupancy chart's averaging interval: half hours up to a
// day, hours beyond.
func bucket(d time.Duration) time.Duration {
	if d > 24*time.Hour {
		return time.Hour
	}
	return 30 * time.Minute
}

func bucketName(d time.Duration) string {
	if bucket(d) == time.Hour {
		return "hourly"
	}
	return "30-minute"
}

// occupancy is the per-floor occupancy lines of every run and the base
// run's hour × weekday heat map (percentages).
func occupancy(runs []Run, parsed []map[string]map[string][]reading, label func(int, string) string) ([]Series, *[7][24]float64) {
	var occ []Series
	var heat, heatN [7][24]float64
	floorOf := map[string]string{}
	for _, s := range runs[0].Spaces {
		floorOf[s.Name] = s.Floor
	}
	for i, r := range runs {
		type acc struct{ on, n float64 }
		byFloor := map[string]map[time.Time]*acc{}
		for space, kinds := range parsed[i] {
			floor := floorOf[space]
			for _, s := range r.Spaces {
				if s.Name == space {
					floor = s.Floor
				}
			}
			for _, rd := range kinds["Motion"] {
				if byFloor[floor] == nil {
					byFloor[floor] = map[time.Time]*acc{}
				}
				bt := rd.t.Truncate(bucket(runs[0].Duration))
				a := byFloor[floor][bt]
				if a == nil {
					a = &acc{}
					byFloor[floor][bt] = a
				}
				a.on += rd.v
				a.n++
				if i == 0 {
					d := (int(rd.t.Weekday()) + 6) % 7
					heat[d][rd.t.Hour()] += rd.v
					heatN[d][rd.t.Hour()]++
				}
			}
		}
		floors := make([]string, 0, len(byFloor))
		for f := range byFloor {
			floors = append(floors, f)
		}
		sort.Strings(floors)
		for j, f := range floors {
			ts := make([]time.Time, 0, len(byFloor[f]))
			for t := range byFloor[f] {
				ts = append(ts, t)
			}
			sort.Slice(ts, func(a, b int) bool { return ts[a].Before(ts[b]) })
			s := Series{Name: label(i, short(f)), Color: Palette(j), Dashed: i == 1}
			for _, t := range ts {
				a := byFloor[f][t]
				s.T = append(s.T, t)
				s.Y = append(s.Y, 100*a.on/a.n)
			}
			occ = append(occ, s)
		}
	}
	for d := range heat {
		for h := range heat[d] {
			if heatN[d][h] > 0 {
				heat[d][h] = 100 * heat[d][h] / heatN[d][h]
			} else {
				heat[d][h] = math.NaN() // no data, not 0 %
			}
		}
	}
	return occ, &heat
}
