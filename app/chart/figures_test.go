package chart

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

var monday = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// officeRun is a synthetic office day: three rooms on two floors with
// motion, CO₂ and temperature every 5 minutes; more people in the
// variant (crowd > 1).
func officeRun(crowd float64, days int) Run {
	var b strings.Builder
	b.WriteString("time,sensor,value\n")
	rooms := []string{"Room A", "Room B", "Room C"}
	for i := range days * 288 {
		t := monday.Add(time.Duration(i) * 5 * time.Minute)
		h := float64(t.Hour()) + float64(t.Minute())/60
		work := t.Weekday() != time.Saturday && t.Weekday() != time.Sunday
		for k, r := range rooms {
			busy := work && h >= 8+float64(k)*0.5 && h < 17.5-float64(k)
			on := busy && (i*7+k*3)%5 < int(3*crowd)
			co2 := 420.0
			if busy {
				co2 += crowd * (250 + 150*float64(k)) * math.Sin(math.Pi*(h-8)/10)
			}
			tmp := 20.5 + 0.8*math.Sin(math.Pi*(h-6)/12)
			if busy {
				tmp += crowd * (1.5 + 0.9*float64(k)) * math.Sin(math.Pi*(h-8)/10)
			}
			id := strings.ToUpper(r[5:])
			fmt.Fprintf(&b, "%s,%s-MOT,%t\n%s,%s-CO2,%.0f\n%s,%s-TMP,%.2f\n", t.Format(time.RFC3339), id, on,
				t.Format(time.RFC3339), id, co2, t.Format(time.RFC3339), id, tmp)
		}
	}
	run := Run{Series: []byte(b.String()), Sensors: map[string]Sensor{}, Start: monday, Duration: time.Duration(days) * 24 * time.Hour}
	for k, r := range rooms {
		floor := "/Office/Floor 1"
		if k == 2 {
			floor = "/Office/Floor 2"
		}
		name := floor + "/" + r
		id := strings.ToUpper(r[5:])
		run.Sensors[id+"-MOT"] = Sensor{Space: name, Kind: "Motion"}
		run.Sensors[id+"-CO2"] = Sensor{Space: name, Kind: "CarbonDioxide"}
		run.Sensors[id+"-TMP"] = Sensor{Space: name, Kind: "Temperature"}
		run.Spaces = append(run.Spaces, Space{Name: name, Floor: floor, PersonHours: float64(10 - k)})
	}
	return run
}

// evRun is a synthetic car park day: chargers cars fill in the morning,
// the site's power meter capped near the grid limit.
func evRun(chargers int) Run {
	const park = "/EV Site/Car Park"
	var b strings.Builder
	b.WriteString("time,sensor,value\n")
	run := Run{Sensors: map[string]Sensor{"SITE-P": {Space: park, Kind: "Power", Device: "EV-METER"}},
		Start: monday, Duration: 24 * time.Hour}
	for c := 1; c <= chargers; c++ {
		dev := fmt.Sprintf("EV-C%d", c)
		run.Sensors[dev+"-P"] = Sensor{Space: park, Kind: "Power", Device: dev}
		run.Sensors[dev+"-SOC"] = Sensor{Space: park, Kind: "StateOfCharge", Device: dev}
	}
	for i := range 24 * 12 {
		t := monday.Add(time.Duration(i) * 5 * time.Minute)
		h := float64(i) / 12
		site := 0.0
		for c := 1; c <= chargers; c++ {
			arrive, depart := 7.5+0.4*float64(c), 16.5+0.3*float64(c)
			p, soc := 0.0, 0.0
			if h >= arrive && h < depart {
				soc = math.Min(100, 30+9*(h-arrive)*8/float64(chargers))
				if soc < 100 {
					p = math.Min(11, 44/float64(chargers))
				}
			}
			site += p
			fmt.Fprintf(&b, "%s,EV-C%d-P,%.2f\n%s,EV-C%d-SOC,%.1f\n", t.Format(time.RFC3339), c, p, t.Format(time.RFC3339), c, soc)
		}
		fmt.Fprintf(&b, "%s,SITE-P,%.2f\n", t.Format(time.RFC3339), site)
	}
	run.Series = []byte(b.String())
	p := EVPark{Name: park, GridLimitKW: 44}
	for k := range 14 {
		t := monday.Add(8*time.Hour + time.Duration(k)*17*time.Minute)
		p.ArrivedAt = append(p.ArrivedAt, t)
		if k >= chargers {
			p.TurnedAwayAt = append(p.TurnedAwayAt, t)
		}
	}
	run.EV = []EVPark{p}
	return run
}

// gardenRun is a synthetic garden week: moisture falls by day, rain
// twice, irrigation below 20 %.
func gardenRun() Run {
	const bed = "/Park/Garden/Bed 1"
	var b strings.Builder
	b.WriteString("time,sensor,value\n")
	g := Garden{Name: bed, ThresholdPct: 20}
	theta := 30.0
	for i := range 7 * 24 {
		t := monday.Add(time.Duration(i) * time.Hour)
		h := float64(t.Hour())
		if h > 6 && h < 18 {
			theta -= 0.35 * math.Sin(math.Pi*(h-6)/12)
		}
		w := Water{T: t}
		if i == 40 || i == 110 {
			w.RainMM = 12
			theta += 4
		}
		if theta < 20 {
			w.IrrigationMM = 10
			theta += 10.0 / 3
		}
		theta = math.Min(35, theta)
		if w.RainMM > 0 || w.IrrigationMM > 0 {
			g.Water = append(g.Water, w)
		}
		fmt.Fprintf(&b, "%s,BED-SOIL,%.1f\n", t.Format(time.RFC3339), theta)
	}
	return Run{Series: []byte(b.String()), Sensors: map[string]Sensor{"BED-SOIL": {Space: bed, Kind: "SoilMoisture"}},
		Start: monday, Duration: 7 * 24 * time.Hour, Gardens: []Garden{g}}
}

func figure(t *testing.T, figs []Figure, file string) *Figure {
	t.Helper()
	for i := range figs {
		if figs[i].File == file {
			return &figs[i]
		}
	}
	t.Fatalf("no figure %s", file)
	return nil
}

// kinds are one figure of every chart kind.
func kinds(t *testing.T) map[string]*Figure {
	ts, ys := day(144)
	motion := make([]float64, len(ts))
	for i := range motion {
		if h := i / 6; h >= 8 && h < 18 && i%9 < 6 {
			motion[i] = 1
		}
	}
	office := RunFigures([]Run{officeRun(1, 1)})
	week := RunFigures([]Run{officeRun(1, 3)})
	cmp := RunFigures([]Run{officeRun(1, 1), officeRun(1.4, 1)})
	ev := RunFigures([]Run{evRun(4), evRun(8)})
	garden := RunFigures([]Run{gardenRun()})
	return map[string]*Figure{
		"kind_lines": {Title: "CO₂ in two rooms", YLabel: "CO₂ (ppm)", Lines: []Series{
			{Name: "Room A", T: ts, Y: ys[0]}, {Name: "Room B", T: ts, Y: ys[1]}}},
		"kind_bool": {Title: "Room A: CO₂ and motion", YLabel: "CO₂ (ppm)", Lines: []Series{
			{Name: "CO₂", T: ts, Y: ys[0], Unit: "ppm"}, {Name: "motion", T: ts, Y: motion, Bool: true},
			{Name: "motion B", T: ts[40:], Y: motion[:len(ts)-40], Bool: true}}},
		"kind_bool_only": {Title: "Motion in two rooms", Lines: []Series{
			{Name: "Room A", T: ts, Y: motion, Bool: true}, {Name: "Room B", T: ts[40:], Y: motion[:len(ts)-40], Bool: true}}},
		"kind_cursor": {Title: "Room A at the time slider's moment", YLabel: "CO₂ (ppm)", Cursor: ts[len(ts)/3], Lines: []Series{
			{Name: "CO₂", T: ts, Y: ys[0], Unit: "ppm"}, {Name: "motion", T: ts, Y: motion, Bool: true}}},
		"kind_refs":            figure(t, office, "co2_busiest.png"),
		"kind_band":            figure(t, office, "temperature_busiest.png"),
		"kind_occupancy":       figure(t, office, "occupancy_floors.png"),
		"kind_heatmap":         figure(t, week, "occupancy_heatmap.png"),
		"kind_compare":         figure(t, cmp, "occupancy_floors.png"),
		"kind_compare_co2":     figure(t, cmp, "co2_busiest.png"),
		"kind_ev_power":        figure(t, ev, "ev_power.png"),
		"kind_ev_soc":          figure(t, ev, "ev_soc.png"),
		"kind_ev_cars":         figure(t, ev, "ev_cars.png"),
		"kind_garden_moisture": figure(t, garden, "garden_moisture.png"),
		"kind_garden_water":    figure(t, garden, "garden_water.png"),
	}
}

// TestFigureGolden renders every chart kind in both themes and compares
// with testdata/kind_*_{light,dark}.png.
func TestFigureGolden(t *testing.T) {
	for name, f := range kinds(t) {
		for _, th := range []Theme{Light, Dark} {
			w, h := f.size()
			img, fr, err := f.Render(w, h, th)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if fr.Right-fr.Left < float64(w)/2 || fr.Bottom-fr.Top < float64(h)/3 || fr.Left <= 0 || fr.Right >= float64(w) {
				t.Errorf("%s: data area %+v in %d×%d", name, fr, w, h)
			}
			goldenImage(t, name+"_"+th.Name, img)
		}
	}
}
