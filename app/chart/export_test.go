package chart

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFigureSVG: the SVG is well-formed XML with the title as text.
func TestFigureSVG(t *testing.T) {
	for name, f := range kinds(t) {
		var b bytes.Buffer
		if err := f.WriteSVG(&b, 800, 400, Dark); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		d := xml.NewDecoder(bytes.NewReader(b.Bytes()))
		var text strings.Builder
		root := ""
		for {
			tok, err := d.Token()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: not XML: %v", name, err)
			}
			switch tok := tok.(type) {
			case xml.StartElement:
				if root == "" {
					root = tok.Name.Local
				}
			case xml.CharData:
				text.Write(tok)
			}
		}
		if root != "svg" || !strings.Contains(text.String(), f.Title) {
			t.Errorf("%s: root %q, title %q not in the text", name, root, f.Title)
		}
	}
}

// TestFigureCSV: a 10,000-point series is written exactly, every point,
// not as drawn (downsampled); a heat map writes no data as empty.
func TestFigureCSV(t *testing.T) {
	const n = 10000
	s := Series{Name: "room, A", T: make([]time.Time, n), Y: make([]float64, n)}
	for i := range n {
		s.T[i] = monday.Add(time.Duration(i) * time.Second)
		s.Y[i] = math.Sin(float64(i)) * 1000 / 3
	}
	s.Y[17] = math.NaN()
	f := Figure{Title: "x", Lines: []Series{s, {Name: "b", T: s.T[:2], Y: []float64{1, 2}}}}
	var b bytes.Buffer
	if err := f.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1+n+2 || strings.Join(recs[0], ",") != "time,series,value" {
		t.Fatalf("%d records, header %v", len(recs), recs[0])
	}
	for i := range n {
		r := recs[1+i]
		tm, err := time.Parse(time.RFC3339, r[0])
		if err != nil || !tm.Equal(s.T[i]) || r[1] != "room, A" {
			t.Fatalf("record %d: %v", i, r)
		}
		if i == 17 {
			if r[2] != "" {
				t.Errorf("gap written as %q", r[2])
			}
			continue
		}
		if v, err := strconv.ParseFloat(r[2], 64); err != nil || v != s.Y[i] {
			t.Fatalf("record %d: %v, want %v", i, r, s.Y[i])
		}
	}
	if r := recs[n+2]; strings.Join(r, ",") != "2026-03-02T00:00:01Z,b,2" {
		t.Errorf("last record %v", r)
	}

	var g [7][24]float64
	for d := range g {
		for h := range g[d] {
			g[d][h] = math.NaN()
		}
	}
	g[0][9], g[6][23] = 0, 12.5
	b.Reset()
	if err := (&Figure{Heat: &g}).WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if len(lines) != 1+7*24+1 || lines[0] != "weekday,hour,value" || lines[1+9] != "Mon,9,0" ||
		lines[1+8] != "Mon,8," || lines[7*24] != "Sun,23,12.5" {
		t.Errorf("heat map CSV: %d lines %q %q %q %q", len(lines), lines[0], lines[9], lines[10], lines[7*24])
	}
	b.Reset()
	if err := (&Figure{Lines: []Series{{Name: "n", X: []float64{0.5, 2}, Y: []float64{3, 4}}}}).WriteCSV(&b); err != nil ||
		b.String() != "x,series,value\n0.5,n,3\n2,n,4\n" {
		t.Errorf("numeric CSV %q (%v)", b.String(), err)
	}
}

// TestDownsample: at most two points per column plus the ends, each
// column's minimum and maximum kept, first and last kept, order kept.
func TestDownsample(t *testing.T) {
	ramp := func(n int, f func(int) float64) ([]float64, []float64) {
		x, y := make([]float64, n), make([]float64, n)
		for i := range n {
			x[i], y[i] = float64(i), f(i)
		}
		return x, y
	}
	cases := []struct {
		name string
		n    int
		y    func(int) float64
		cols int
	}{
		{"short series unchanged", 10, func(i int) float64 { return float64(i * i) }, 5},
		{"sine", 100000, func(i int) float64 { return math.Sin(float64(i) / 37) }, 300},
		{"spikes", 50000, func(i int) float64 { return float64(i%997) * float64(i%13) }, 100},
		{"constant", 5000, func(int) float64 { return 7 }, 64},
		{"gaps", 20000, func(i int) float64 {
			if i%1000 < 10 {
				return math.NaN()
			}
			return float64(i % 77)
		}, 50},
		{"one column", 1000, func(i int) float64 { return -float64(i) }, 1},
	}
	for _, c := range cases {
		x, y := ramp(c.n, c.y)
		xs, ys := Downsample(x, y, c.cols)
		if len(xs) != len(ys) || len(xs) > 3*c.cols+2 {
			t.Errorf("%s: %d points for %d columns", c.name, len(xs), c.cols)
			continue
		}
		if c.n <= 2*c.cols && len(xs) != c.n {
			t.Errorf("%s: short series changed to %d points", c.name, len(xs))
		}
		if xs[0] != x[0] || xs[len(xs)-1] != x[c.n-1] || !same(ys[0], y[0]) || !same(ys[len(ys)-1], y[c.n-1]) {
			t.Errorf("%s: first or last point lost", c.name)
		}
		for i := 1; i < len(xs); i++ {
			if xs[i] < xs[i-1] {
				t.Fatalf("%s: order lost at %d", c.name, i)
			}
		}
		// Every column's minimum and maximum (and a gap) are kept.
		span := x[c.n-1] - x[0]
		type mm struct {
			lo, hi float64
			gap    bool
		}
		want, got := map[int]*mm{}, map[int]*mm{}
		add := func(m map[int]*mm, x, y float64) {
			k := min(c.cols-1, int(float64(c.cols)*(x-xs[0])/span))
			e := m[k]
			if e == nil {
				e = &mm{lo: math.Inf(1), hi: math.Inf(-1)}
				m[k] = e
			}
			if math.IsNaN(y) {
				e.gap = true
				return
			}
			e.lo, e.hi = math.Min(e.lo, y), math.Max(e.hi, y)
		}
		for i := range x {
			add(want, x[i], y[i])
		}
		for i := range xs {
			add(got, xs[i], ys[i])
		}
		for k, w := range want {
			if g := got[k]; g == nil || *g != *w {
				t.Errorf("%s: column %d: got %+v, want %+v", c.name, k, g, w)
				break
			}
		}
	}
	// The input is left alone.
	x, y := []float64{0, 1, 2, 3, 4, 5}, []float64{5, 4, 3, 2, 1, 0}
	Downsample(x, y, 1)
	if y[0] != 5 || x[5] != 5 {
		t.Error("input changed")
	}
}

func same(a, b float64) bool { return a == b || math.IsNaN(a) && math.IsNaN(b) }

// TestCompareDeterministic: a comparison's figures, from two RunFigures
// calls and rendered twice, give the same bytes in PNG, SVG and CSV.
func TestCompareDeterministic(t *testing.T) {
	render := func() []byte {
		var all bytes.Buffer
		figs := RunFigures([]Run{officeRun(1, 1), officeRun(1.4, 1), evRun(4)}[:2])
		figs = append(figs, RunFigures([]Run{evRun(4), evRun(8)})...)
		for i := range figs {
			w, h := figs[i].size()
			for _, th := range []Theme{Light, Dark} {
				if err := figs[i].WritePNG(&all, w, h, th); err != nil {
					t.Fatal(err)
				}
				if err := figs[i].WriteSVG(&all, w, h, th); err != nil {
					t.Fatal(err)
				}
			}
			if err := figs[i].WriteCSV(&all); err != nil {
				t.Fatal(err)
			}
		}
		return all.Bytes()
	}
	a, b := render(), render()
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Errorf("two renderings differ (%d and %d bytes)", len(a), len(b))
	}
}

// TestWriteFiguresFormats: both formats per figure, named after File; an
// unknown format writes nothing.
func TestWriteFiguresFormats(t *testing.T) {
	dir := t.TempDir()
	figs := RunFigures([]Run{evRun(4)})
	files, err := WriteFigures(dir, figs, []string{"png", "svg"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ev_power.png", "ev_power.svg", "ev_soc.png", "ev_soc.svg", "ev_cars.png", "ev_cars.svg"}
	if len(files) != len(want) {
		t.Fatalf("files %v", files)
	}
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil || filepath.Base(f) != want[i] {
			t.Fatalf("%s: %v (want %s)", f, err, want[i])
		}
		png, svg := strings.HasPrefix(string(data), "\x89PNG"), strings.Contains(string(data[:min(len(data), 400)]), "<svg")
		if strings.HasSuffix(f, ".png") != png || strings.HasSuffix(f, ".svg") != svg {
			t.Errorf("%s: wrong content", f)
		}
	}
	empty := t.TempDir()
	if _, err := WriteFigures(empty, figs, []string{"png", "gif"}); err == nil || !strings.Contains(err.Error(), `format "gif"`) {
		t.Errorf("gif: %v", err)
	}
	if ents, _ := os.ReadDir(empty); len(ents) != 0 {
		t.Errorf("an unknown format wrote %d files", len(ents))
	}
}

// TestRunFiguresKinds: EV and garden runs get their charts, office runs
// do not; occupancy is smoothed, the heat map keeps no data as NaN, the
// limits are drawn.
func TestRunFiguresKinds(t *testing.T) {
	names := func(figs []Figure) string {
		var s []string
		for _, f := range figs {
			s = append(s, f.File)
		}
		return strings.Join(s, " ")
	}
	if got := names(RunFigures([]Run{evRun(4)})); got != "ev_power.png ev_soc.png ev_cars.png" {
		t.Errorf("EV figures %s", got)
	}
	if got := names(RunFigures([]Run{gardenRun()})); got != "garden_moisture.png garden_water.png" {
		t.Errorf("garden figures %s", got)
	}
	office := RunFigures([]Run{officeRun(1, 1)})
	if got := names(office); got != "occupancy_floors.png occupancy_heatmap.png co2_busiest.png temperature_busiest.png" {
		t.Errorf("office figures %s", got)
	}
	occ := figure(t, office, "occupancy_floors.png")
	if n := len(occ.Lines[0].T); n != 48 || occ.Lines[0].T[1].Sub(occ.Lines[0].T[0]) != 30*time.Minute {
		t.Errorf("a day's occupancy has %d points", n)
	}
	if !strings.Contains(occ.YLabel, "30-minute") || *occ.YMin != 0 || *occ.YMax != 100 {
		t.Errorf("occupancy y %q %v %v", occ.YLabel, *occ.YMin, *occ.YMax)
	}
	heat := figure(t, office, "occupancy_heatmap.png")
	if !math.IsNaN(heat.Heat[1][9]) || math.IsNaN(heat.Heat[0][3]) || heat.Heat[0][3] != 0 || heat.HeatUnit == "" {
		t.Errorf("heat map Tue 09 %v, Mon 03 %v, unit %q", heat.Heat[1][9], heat.Heat[0][3], heat.HeatUnit)
	}
	if co2 := figure(t, office, "co2_busiest.png"); len(co2.Refs) != 1 || co2.Refs[0].Y != 1000 {
		t.Errorf("CO₂ refs %+v", co2.Refs)
	}
	if tmp := figure(t, office, "temperature_busiest.png"); len(tmp.Bands) != 1 || tmp.Bands[0].Lo != 20 || tmp.Bands[0].Hi != 26 {
		t.Errorf("temperature bands %+v", tmp.Bands)
	}
	ev := RunFigures([]Run{evRun(4)})
	pw := figure(t, ev, "ev_power.png")
	if len(pw.Refs) != 1 || pw.Refs[0].Y != 44 || len(pw.Lines) != 1 || pw.Lines[0].Y[10*12] != 44 {
		t.Errorf("EV power %+v at 10:00 %v", pw.Refs, pw.Lines[0].Y[10*12])
	}
	soc := figure(t, ev, "ev_soc.png")
	if !math.IsNaN(soc.Lines[0].Y[0]) || soc.Lines[0].Y[9*12] <= 30 {
		t.Errorf("SoC at midnight %v (want a gap), at 9:00 %v", soc.Lines[0].Y[0], soc.Lines[0].Y[9*12])
	}
	cars := figure(t, ev, "ev_cars.png")
	if l := cars.Lines[1]; l.Y[len(l.Y)-1] != 10 || !strings.Contains(l.Name, "turned away") {
		t.Errorf("turned away %s %v", l.Name, l.Y[len(l.Y)-1])
	}
	water := figure(t, RunFigures([]Run{gardenRun()}), "garden_water.png")
	if l := water.Lines[0]; l.Y[len(l.Y)-1] != 24 {
		t.Errorf("rain %v mm, want 24", l.Y[len(l.Y)-1])
	}
}
