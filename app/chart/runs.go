package chart

import (
	"fmt"
	"image"
	"path/filepath"
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
	// Duration is the simulated time: runs over a day are drawn hourly.
	Duration time.Duration
}

// Sensor is where a sensor is and what it measures.
type Sensor struct{ Space, Kind string }

// Space is one simulated space of a Run.
type Space struct {
	Name, Floor string
	PersonHours float64
}

// Figure is one chart of a run or a comparison: a line chart (Lines) or
// an hour × weekday heat map (Heat), to be saved as File.
type Figure struct {
	File                  string // file name, e.g. occupancy_floors.png
	Title, XLabel, YLabel string
	Lines                 []Series
	Heat                  *[7][24]float64
}

// FigureWidth and FigureHeight are the size line figures are drawn at.
const (
	FigureWidth  = 1000
	FigureHeight = 450
)

// Draw renders the figure.
func (f *Figure) Draw() (image.Image, error) {
	if f.Heat != nil {
		return Heatmap(f.Title, *f.Heat)
	}
	return Lines(f.Title, f.XLabel, f.YLabel, f.Lines, FigureWidth, FigureHeight)
}

// WriteFigures draws each figure into dir as PNG and returns the paths
// written, in order. It stops at the first error, which names the file.
func WriteFigures(dir string, figs []Figure) ([]string, error) {
	var files []string
	for i := range figs {
		f := &figs[i]
		img, err := f.Draw()
		path := filepath.Join(dir, f.File)
		if err == nil {
			err = WritePNG(path, img)
		}
		if err != nil {
			return files, fmt.Errorf("chart %s: %w", f.File, err)
		}
		files = append(files, path)
	}
	return files, nil
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
// occupancy per floor (the share of its spaces where motion is detected),
// the occupancy heat map (hour × weekday, the base run), and CO₂ and
// temperature in the three busiest rooms (most person-hours in the base
// run). With two runs the variant is overlaid dashed. Charts without data
// are left out.
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
	short := func(full string) string {
		if i := strings.LastIndexByte(full, '/'); i >= 0 {
			return full[i+1:]
		}
		return full
	}
	parsed := make([]map[string]map[string][]reading, len(runs))
	for i := range runs {
		parsed[i] = parseSeries(&runs[i])
	}
	var figs []Figure
	occ, heat := occupancy(runs, parsed, label, short)
	if len(occ) > 0 {
		figs = append(figs, Figure{File: "occupancy_floors.png", Title: "Occupancy per floor (spaces with motion detected)",
			XLabel: "time (UTC)", YLabel: "spaces with motion (%)", Lines: occ})
		title := "Occupancy: % of motion readings detecting someone, hour × weekday"
		if len(runs) > 1 {
			title += " (base)"
		}
		figs = append(figs, Figure{File: "occupancy_heatmap.png", Title: title, Heat: heat})
	}
	// CO₂ and temperature of the busiest rooms (person-hours in the base run).
	top := append([]Space(nil), runs[0].Spaces...)
	sort.SliceStable(top, func(i, j int) bool { return top[i].PersonHours > top[j].PersonHours })
	if len(top) > 3 {
		top = top[:3]
	}
	for _, k := range []struct{ kind, file, title, unit string }{
		{"CarbonDioxide", "co2_busiest.png", "CO₂ in the busiest rooms (most person-hours)", "CO₂ (ppm)"},
		{"Temperature", "temperature_busiest.png", "Temperature in the busiest rooms (most person-hours)", "temperature (°C)"},
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
			figs = append(figs, Figure{File: k.file, Title: k.title, XLabel: "time (UTC)", YLabel: k.unit, Lines: lines})
		}
	}
	return figs
}

// occupancy is the per-floor occupancy lines of every run and the base
// run's hour × weekday heat map (percentages).
func occupancy(runs []Run, parsed []map[string]map[string][]reading, label func(int, string) string, short func(string) string) ([]Series, *[7][24]float64) {
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
				bt := rd.t
				if r.Duration > 24*time.Hour {
					bt = bt.Truncate(time.Hour) // hourly means over longer runs
				}
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
			}
		}
	}
	return occ, &heat
}
