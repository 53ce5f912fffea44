package app_test

import (
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/app/chart"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/simulator"
)

// monday is 2 March 2026, 00:00 UTC, a Monday.
var monday = time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)

// occupancyApp opens a fresh project of testdata/occupancy.yaml with opts
// and returns it with its path.
func occupancyApp(t *testing.T, opts app.Options) (*app.App, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "occ.twin")
	a, err := app.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, err := a.ProvisionFile("testdata/occupancy.yaml"); err != nil {
		t.Fatal(err)
	}
	return a, path
}

// publish sends a reading of sensor hw (on device dev) received at at
// through the pipeline and waits until it is committed.
func publish(t *testing.T, a *app.App, dev, hw, value string, at time.Time) {
	t.Helper()
	tk, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic(dev, hw), Payload: []byte(value),
		QoS: 1, Username: dev, Received: at})
	if err == nil {
		err = tk.Wait()
	}
	if err != nil {
		t.Fatal(err)
	}
}

// spaceID resolves a space path.
func spaceID(t *testing.T, a *app.App, path string) engine.ID {
	t.Helper()
	var id engine.ID
	err := a.Engine().View(func(v *engine.View) (err error) { id, err = v.ResolveSpace(path); return err })
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSignals(t *testing.T) {
	a, _ := occupancyApp(t, app.Options{})
	roomA := spaceID(t, a, "/Office/Floor 1/Room A")
	err := a.Engine().Update(func(tx *engine.Tx) error {
		_, _, err := tx.SetSpaceValue(roomA, "Temperature", engine.Value{Value: "21.5", Time: monday})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	labels := func(ss []app.Signal) []string {
		var out []string
		for _, s := range ss {
			out = append(out, fmt.Sprintf("%s|%s|%s", s.Label, s.Kind, s.Unit))
		}
		return out
	}
	tests := []struct {
		name  string
		space string
		query string
		limit int
		want  []string
	}{
		{"all", "", "", 0, []string{"/Office/Floor 1/Room A · Temperature|Temperature|°C", "MOTION-A|Motion|", "MOTION-B|Motion|", "MOTION-D|Motion|", "TEMP-A|Temperature|°C"}},
		{"under a room", "/Office/Floor 1/Room B", "", 0, []string{"MOTION-B|Motion|"}},
		{"by kind, any case", "/Office/Floor 1", "motion", 0, []string{"MOTION-A|Motion|", "MOTION-B|Motion|"}},
		{"by label", "", "room a", 0, []string{"/Office/Floor 1/Room A · Temperature|Temperature|°C"}},
		{"limit", "", "", 2, []string{"/Office/Floor 1/Room A · Temperature|Temperature|°C", "MOTION-A|Motion|"}},
		{"empty room", "/Office/Floor 1/Room C", "", 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var space engine.ID
			if tc.space != "" {
				space = spaceID(t, a, tc.space)
			}
			if got := labels(a.Signals(space, tc.query, tc.limit)); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	if ss := a.Signals(roomA, "Temperature", 0); len(ss) != 2 || ss[0].Owner != roomA || ss[0].Name != "Temperature" || ss[1].Name != "" {
		t.Errorf("room A's temperature signals: %+v", ss)
	}
}

// TestSignalHistoryBeyondMemory keeps 4 values in memory, writes 50 and
// reads them all back from the project file, in ranges, and after
// reopening it.
func TestSignalHistoryBeyondMemory(t *testing.T) {
	opts := app.Options{Engine: engine.Options{HistoryInMemory: 4}}
	a, path := occupancyApp(t, opts)
	const n = 50
	for i := range n {
		publish(t, a, "POD-A", "TEMP-A", fmt.Sprint(20+float64(i)/10), monday.Add(time.Duration(i)*time.Minute))
	}
	sig := a.Signals(engine.NilID, "TEMP-A", 0)[0]
	check := func(a *app.App) {
		t.Helper()
		h, err := a.SignalHistory(sig, time.Time{}, time.Time{}, 0)
		if err != nil || len(h) != n || h[0].Value != "20" || h[n-1].Value != "24.9" {
			t.Fatalf("all: %d values (%v), %v", len(h), h, err)
		}
		h, err = a.SignalHistory(sig, monday.Add(10*time.Minute), monday.Add(12*time.Minute), 0)
		if err != nil || len(h) != 3 || h[0].Value != "21" || h[2].Value != "21.2" || !h[2].Time.Equal(monday.Add(12*time.Minute)) {
			t.Errorf("10 to 12 min: %v, %v", h, err)
		}
		h, err = a.SignalHistory(sig, monday.Add(45*time.Minute), time.Time{}, 2)
		if err != nil || len(h) != 2 || h[1].Value != "24.9" {
			t.Errorf("newest 2 from 45 min: %v, %v", h, err)
		}
	}
	check(a)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := app.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	check(b)
	if _, err := b.SignalHistory(app.Signal{Owner: engine.NewID()}, time.Time{}, time.Time{}, 0); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("unknown owner: %v", err)
	}
}

// TestOccupancy: Room A detects someone at 09:00 and 09:20 of four
// readings, Room B at 09:40 of two; Room C has no sensor; Room D, alone
// on Floor 2, at 09:00 of two.
func TestOccupancy(t *testing.T) {
	a, _ := occupancyApp(t, app.Options{})
	nine := monday.Add(9 * time.Hour)
	for _, r := range []struct {
		dev, hw, v string
		min        int
	}{
		{"POD-A", "MOTION-A", "true", 0}, {"POD-A", "MOTION-A", "false", 10}, {"POD-A", "MOTION-A", "true", 20},
		{"POD-A", "MOTION-A", "false", 30}, {"POD-B", "MOTION-B", "false", 35}, {"POD-B", "MOTION-B", "true", 40},
		{"POD-D", "MOTION-D", "true", 0}, {"POD-D", "MOTION-D", "false", 10},
	} {
		publish(t, a, r.dev, r.hw, r.v, nine.Add(time.Duration(r.min)*time.Minute))
	}
	pt := func(min, occ, rooms int, rate float64) app.OccupancyPoint {
		return app.OccupancyPoint{T: nine.Add(time.Duration(min) * time.Minute), Occupied: occ, Rooms: rooms, Rate: rate}
	}
	tests := []struct {
		name     string
		space    string
		from, to time.Time
		bucket   time.Duration
		want     []app.OccupancyPoint
	}{
		{"floor, 30 min", "/Office/Floor 1", time.Time{}, time.Time{}, 30 * time.Minute,
			[]app.OccupancyPoint{pt(0, 1, 1, 1), pt(30, 1, 2, 0.5)}},
		{"floor, 20 min", "/Office/Floor 1", time.Time{}, time.Time{}, 20 * time.Minute,
			[]app.OccupancyPoint{pt(0, 1, 1, 1), pt(20, 1, 2, 0.5), pt(40, 1, 1, 1)}},
		{"building, a gap without data", "/Office", nine.Add(-time.Hour), nine.Add(-time.Minute), time.Hour,
			[]app.OccupancyPoint{pt(-60, 0, 0, 0)}},
		{"room: share of readings", "/Office/Floor 1/Room A", time.Time{}, time.Time{}, time.Hour,
			[]app.OccupancyPoint{pt(0, 1, 1, 0.5)}},
		{"room, 20 min", "/Office/Floor 1/Room A", time.Time{}, time.Time{}, 20 * time.Minute,
			[]app.OccupancyPoint{pt(0, 1, 1, 0.5), pt(20, 1, 1, 0.5)}},
		{"a floor of one room counts rooms, not readings", "/Office/Floor 2", time.Time{}, time.Time{}, time.Hour,
			[]app.OccupancyPoint{pt(0, 1, 1, 1)}},
		{"building", "/Office", time.Time{}, time.Time{}, time.Hour,
			[]app.OccupancyPoint{pt(0, 3, 3, 1)}},
		{"room without sensors", "/Office/Floor 1/Room C", time.Time{}, time.Time{}, time.Hour, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := a.Occupancy(spaceID(t, a, tc.space), tc.from, tc.to, tc.bucket)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("\n got %+v\nwant %+v", got, tc.want)
			}
		})
	}
	if _, err := a.Occupancy(engine.NewID(), time.Time{}, time.Time{}, time.Hour); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("unknown space: %v", err)
	}
	if _, err := a.Occupancy(spaceID(t, a, "/Office"), time.Time{}, time.Time{}, 0); !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("zero bucket: %v", err)
	}

	grid, err := a.OccupancyHeat(spaceID(t, a, "/Office"), time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// Monday 09:00–10:00: 4 of 8 readings detected someone.
	if grid[0][9] != 50 {
		t.Errorf("Monday 9h = %v, want 50", grid[0][9])
	}
	for d := range grid {
		for h := range grid[d] {
			if (d != 0 || h != 9) && !math.IsNaN(grid[d][h]) {
				t.Errorf("day %d hour %d = %v, want NaN (no data)", d, h, grid[d][h])
			}
		}
	}
	if grid, _ := a.OccupancyHeat(spaceID(t, a, "/Office/Floor 1/Room B"), nine.Add(36*time.Minute), time.Time{}); grid[0][9] != 100 {
		t.Errorf("Room B from 09:36: %v, want 100", grid[0][9])
	}
}

func TestReferences(t *testing.T) {
	limit := 150.0
	sc := &simulator.Scenario{Spaces: []simulator.Rule{{Path: "/Site"}, {Params: simulator.Params{GridLimit: &limit}}}}
	tests := []struct {
		kind string
		sc   *simulator.Scenario
		want []app.Reference
	}{
		{"CarbonDioxide", nil, []app.Reference{{Y: simulator.CO2LimitPPM, Label: "1000 ppm limit"}}},
		{"Temperature", sc, []app.Reference{{Lo: simulator.ComfortMinC, Hi: simulator.ComfortMaxC, Band: true, Label: "comfort 20–26 °C"}}},
		{"Power", sc, []app.Reference{{Y: 150, Label: "grid limit 150 kW"}}},
		{"Power", nil, nil},
		{"Power", &simulator.Scenario{}, nil},
		{"Motion", sc, nil},
	}
	for _, tc := range tests {
		if got := app.References(tc.kind, tc.sc); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.kind, got, tc.want)
		}
	}
	if simulator.CO2LimitPPM != 1000 || simulator.ComfortMinC != 20 || simulator.ComfortMaxC != 26 {
		t.Errorf("the KPI limits changed: %v, %v–%v (update the docs)", simulator.CO2LimitPPM, simulator.ComfortMinC, simulator.ComfortMaxC)
	}
}

// TestChartLimitsMatchKPIs: the charts draw the limits the simulator's
// KPIs count against.
func TestChartLimitsMatchKPIs(t *testing.T) {
	if chart.CO2Limit != simulator.CO2LimitPPM || chart.ComfortLo != simulator.ComfortMinC || chart.ComfortHi != simulator.ComfortMaxC {
		t.Errorf("chart limits %v ppm, %v–%v °C; KPI limits %v ppm, %v–%v °C", chart.CO2Limit, chart.ComfortLo, chart.ComfortHi,
			simulator.CO2LimitPPM, simulator.ComfortMinC, simulator.ComfortMaxC)
	}
}

func TestUnitSymbol(t *testing.T) {
	for unit, want := range map[string]string{"Celsius": "°C", "PartsPerMillion": "ppm", "Lux": "lx", "Boolean": "", "None": "", "Furlongs": "Furlongs"} {
		if got := app.UnitSymbol(unit); got != want {
			t.Errorf("UnitSymbol(%q) = %q, want %q", unit, got, want)
		}
	}
}
