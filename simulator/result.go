package simulator

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// KPINames are the KPI groups a scenario's kpis list may name; an empty
// list means all of them.
// The limits the KPIs count against, which charts draw as reference
// lines: CO2Hours are the hours a space's CO₂ is above CO2LimitPPM,
// ComfortHours the occupied hours its temperature is outside
// [ComfortMinC, ComfortMaxC].
const (
	CO2LimitPPM = 1000.0
	ComfortMinC = 20.0
	ComfortMaxC = 26.0
)

var KPINames = []string{"occupancy", "co2", "comfort", "readings", "udf", "energy", "ev", "water"}

func validKPI(s string) bool {
	for _, k := range KPINames {
		if k == s {
			return true
		}
	}
	return false
}

func sortedStrings(s []string) []string { sort.Strings(s); return s }

// SpaceKPI are one simulated space's KPIs.
type SpaceKPI struct {
	Name, Floor, Model string
	Capacity           int
	OccupancyRate      float64 // share of working hours (weekdays 08–18) with someone present
	Peak               int     // most people at once
	PersonHours        float64
	CO2Hours           float64 // hours above 1,000 ppm
	ComfortHours       float64 // occupied hours outside 20–26 °C
}

// FloorKPI are one floor's KPIs over its simulated spaces.
type FloorKPI struct {
	Name          string
	Capacity      int
	OccupancyRate float64 // person-hours over capacity × working hours
	Peak          int     // most people on the floor at once

	personH, workPersonH, workH float64
}

// Result is what a run measured.
type Result struct {
	Scenario      string
	Seed          uint64
	Start         time.Time
	Duration      time.Duration
	Step, Report  time.Duration
	Spaces        []SpaceKPI
	Floors        []FloorKPI
	Readings      uint64
	Rejected      uint64
	UDFCounted    bool
	UDFExecutions uint64
	UDFFailures   uint64 // failed or timed out
	Notifications uint64 // UdfCustom notifications sent by UDFs that succeeded
	Wall          time.Duration

	// Energy of the spaces with Power or Energy sensors (none: no energy KPIs).
	Energy    []SpaceEnergy
	EnergyKWh float64 // all metered spaces
	HVACKWh   float64
	PeakKW    float64 // largest sum over metered spaces of one step's power

	// EV charging, one per car park (none: no EV KPIs).
	EV       []EVKPI
	EVPeakKW float64 // largest sum over car parks of one step's power

	// Gardens' water balance (none: no water KPIs).
	Gardens []GardenKPI
}

// EVTotals are the energy delivered and the unmet demand over all car parks, kWh.
func (r *Result) EVTotals() (delivered, unmet float64, cars, turnedAway int) {
	for _, e := range r.EV {
		delivered += e.DeliveredKWh
		unmet += e.UnmetKWh
		cars += e.Cars
		turnedAway += e.TurnedAway
	}
	return
}

func (r *Result) want(kpis []string, name string) bool {
	if len(kpis) == 0 {
		return true
	}
	for _, k := range kpis {
		if k == name {
			return true
		}
	}
	return false
}

// Totals are the building-wide figures.
func (r *Result) Totals() (co2H, comfortH, personH float64, peak int) {
	for _, s := range r.Spaces {
		co2H += s.CO2Hours
		comfortH += s.ComfortHours
		personH += s.PersonHours
	}
	for _, f := range r.Floors {
		peak += f.Peak
	}
	return
}

// WriteKPIs writes kpis.csv: scope,name,kpi,value,unit. kpis limits the
// groups (nil: all).
func (r *Result) WriteKPIs(w io.Writer, kpis []string) error {
	var b strings.Builder
	b.WriteString("scope,name,kpi,value,unit\n")
	row := func(scope, name, kpi, value, unit string) {
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s\n", scope, csvField(name), kpi, value, unit)
	}
	co2H, comfortH, personH, _ := r.Totals()
	if r.want(kpis, "readings") {
		row("run", r.Scenario, "readings_sent", fmt.Sprint(r.Readings), "readings")
		row("run", r.Scenario, "readings_rejected", fmt.Sprint(r.Rejected), "readings")
	}
	if r.want(kpis, "udf") && r.UDFCounted {
		row("run", r.Scenario, "udf_executions", fmt.Sprint(r.UDFExecutions), "executions")
		row("run", r.Scenario, "udf_failures", fmt.Sprint(r.UDFFailures), "executions")
		row("run", r.Scenario, "notifications", fmt.Sprint(r.Notifications), "notifications")
	}
	if r.want(kpis, "energy") && len(r.Energy) > 0 {
		row("run", r.Scenario, "energy_kwh", f3(r.EnergyKWh), "kWh")
		row("run", r.Scenario, "hvac_kwh", f3(r.HVACKWh), "kWh")
		row("run", r.Scenario, "peak_kw", f3(r.PeakKW), "kW")
	}
	if r.want(kpis, "ev") && len(r.EV) > 0 {
		del, unmet, cars, away := r.EVTotals()
		row("run", r.Scenario, "ev_energy_delivered", f3(del), "kWh")
		row("run", r.Scenario, "ev_unmet_demand", f3(unmet), "kWh")
		row("run", r.Scenario, "ev_peak_kw", f3(r.EVPeakKW), "kW")
		row("run", r.Scenario, "ev_cars", fmt.Sprint(cars), "cars")
		row("run", r.Scenario, "ev_cars_turned_away", fmt.Sprint(away), "cars")
	}
	if r.want(kpis, "occupancy") {
		row("run", r.Scenario, "person_hours", f3(personH), "h")
	}
	if r.want(kpis, "co2") {
		row("run", r.Scenario, "co2_hours_above_1000", f3(co2H), "h")
	}
	if r.want(kpis, "comfort") {
		row("run", r.Scenario, "comfort_hours_out_of_range", f3(comfortH), "h")
	}
	if r.want(kpis, "occupancy") {
		for _, f := range r.Floors {
			row("floor", f.Name, "occupancy_rate", f3(f.OccupancyRate), "ratio")
			row("floor", f.Name, "occupancy_peak", fmt.Sprint(f.Peak), "people")
		}
	}
	for _, s := range r.Spaces {
		if r.want(kpis, "occupancy") {
			row("space", s.Name, "occupancy_rate", f3(s.OccupancyRate), "ratio")
			row("space", s.Name, "occupancy_peak", fmt.Sprint(s.Peak), "people")
		}
		if r.want(kpis, "co2") {
			row("space", s.Name, "co2_hours_above_1000", f3(s.CO2Hours), "h")
		}
		if r.want(kpis, "comfort") {
			row("space", s.Name, "comfort_hours_out_of_range", f3(s.ComfortHours), "h")
		}
	}
	if r.want(kpis, "energy") {
		for _, e := range r.Energy {
			row("space", e.Name, "energy_kwh", f3(e.KWh), "kWh")
			row("space", e.Name, "hvac_kwh", f3(e.HVACKWh), "kWh")
			row("space", e.Name, "peak_kw", f3(e.PeakKW), "kW")
		}
	}
	if r.want(kpis, "water") {
		for _, g := range r.Gardens {
			row("space", g.Name, "rain_mm", f3(g.RainMM), "mm")
			row("space", g.Name, "irrigation_mm", f3(g.IrrigationMM), "mm")
			row("space", g.Name, "irrigations", fmt.Sprint(g.Irrigations), "events")
			row("space", g.Name, "evapotranspiration_mm", f3(g.EvapotranspirationMM), "mm")
			row("space", g.Name, "soil_moisture_min", f3(g.MinMoisture), "%")
		}
	}
	if r.want(kpis, "ev") {
		for _, e := range r.EV {
			row("space", e.Name, "ev_chargers", fmt.Sprint(e.Chargers), "chargers")
			row("space", e.Name, "ev_energy_delivered", f3(e.DeliveredKWh), "kWh")
			row("space", e.Name, "ev_unmet_demand", f3(e.UnmetKWh), "kWh")
			row("space", e.Name, "ev_peak_kw", f3(e.PeakKW), "kW")
			row("space", e.Name, "ev_hours_over_grid_limit", f3(e.HoursOverLimit), "h")
			row("space", e.Name, "ev_cars", fmt.Sprint(e.Cars), "cars")
			row("space", e.Name, "ev_cars_turned_away", fmt.Sprint(e.TurnedAway), "cars")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func f3(x float64) string { return fmt.Sprintf("%.3f", x) }

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// WriteSummary writes the text summary: the run, building totals, floors
// and the five spaces with the most CO₂ hours.
func (r *Result) WriteSummary(w io.Writer) error {
	co2H, comfortH, personH, _ := r.Totals()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "scenario %s, seed %d\n", r.Scenario, r.Seed)
	fmt.Fprintf(tw, "simulated %s to %s (%v, step %v, readings every %v)\n", r.Start.Format(time.RFC3339),
		r.Start.Add(r.Duration).Format(time.RFC3339), r.Duration, r.Step, r.Report)
	fmt.Fprintf(tw, "%d spaces on %d floors\n", len(r.Spaces), len(r.Floors))
	fmt.Fprintf(tw, "readings sent\t%d\t(%d rejected)\n", r.Readings, r.Rejected)
	if r.UDFCounted {
		fmt.Fprintf(tw, "UDF executions\t%d\t(%d failed, %d notifications)\n", r.UDFExecutions, r.UDFFailures, r.Notifications)
	}
	if len(r.Energy) > 0 {
		fmt.Fprintf(tw, "energy\t%.1f kWh\t(HVAC %.1f kWh, peak %.1f kW; metered spaces: %d)\n", r.EnergyKWh, r.HVACKWh, r.PeakKW, len(r.Energy))
	}
	if len(r.EV) > 0 {
		del, unmet, cars, away := r.EVTotals()
		fmt.Fprintf(tw, "EV energy delivered\t%.1f kWh\t(unmet demand %.1f kWh, peak %.1f kW, %d cars, %d turned away)\n", del, unmet, r.EVPeakKW, cars, away)
	}
	fmt.Fprintf(tw, "person-hours\t%.1f\n", personH)
	fmt.Fprintf(tw, "CO2 hours above 1000 ppm\t%.1f\t(all spaces)\n", co2H)
	fmt.Fprintf(tw, "comfort hours out of 20-26 °C\t%.1f\t(occupied)\n", comfortH)
	tw.Flush()
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FLOOR\tCAPACITY\tOCCUPANCY\tPEAK")
	for _, f := range r.Floors {
		fmt.Fprintf(tw, "%s\t%d\t%.1f %%\t%d\n", f.Name, f.Capacity, 100*f.OccupancyRate, f.Peak)
	}
	tw.Flush()
	fmt.Fprintln(w)
	top := append([]SpaceKPI(nil), r.Spaces...)
	sort.SliceStable(top, func(i, j int) bool { return top[i].CO2Hours > top[j].CO2Hours })
	if len(top) > 5 {
		top = top[:5]
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "SPACE (most CO2 hours)\tMODEL\tOCCUPANCY\tPEAK\tCO2 H\tCOMFORT H")
	for _, s := range top {
		fmt.Fprintf(tw, "%s\t%s\t%.1f %%\t%d\t%.1f\t%.1f\n", s.Name, s.Model, 100*s.OccupancyRate, s.Peak, s.CO2Hours, s.ComfortHours)
	}
	return tw.Flush()
}
