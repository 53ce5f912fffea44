package bench

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/simulator"
)

// stateAtMoments is how many random moments state_at_ms measures.
const stateAtMoments = 101

// benchStateAt measures state_at_ms: the Smart Office's week scenario
// (with its UDF, so spaces have values too; 2 h at test sizes) runs into
// a fresh project once; then the state of every sensor and space
// (App.ValuesAt) at random moments of the simulated span is read, and
// the median time of one read is the row.
func benchStateAt(cfg Config) ([]Row, error) {
	week, err := smartOfficeFile("week.yaml")
	if err != nil {
		return nil, err
	}
	sc, err := simulator.LoadScenario(week)
	if err != nil {
		return nil, err
	}
	note := "week.yaml simulated (168 h)"
	if cfg.IngestMessages < 200_000 {
		sc.Duration = 2 * time.Hour
		note = "2 h of week.yaml (test size)"
	}
	path, err := simProject(cfg, "stateat", true)
	if err != nil {
		return nil, err
	}
	if _, err := simulate(path, sc); err != nil {
		return nil, err
	}
	a, err := app.Open(path, app.Options{})
	if err != nil {
		return nil, err
	}
	defer a.Close()
	owners := stateOwners(a)
	from, to, ok := a.HistorySpan()
	if !ok {
		return nil, fmt.Errorf("state_at_ms: the simulation recorded no value")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ms := make([]float64, stateAtMoments)
	values := 0
	for i := range ms {
		at := from.Add(time.Duration(rng.Int64N(int64(to.Sub(from)) + 1)))
		t0 := time.Now()
		got, err := a.ValuesAt(owners, at)
		ms[i] = float64(time.Since(t0).Microseconds()) / 1000
		if err != nil {
			return nil, err
		}
		for _, m := range got {
			values += len(m)
		}
	}
	sort.Float64s(ms)
	med := ms[len(ms)/2]
	return []Row{{Name: "state_at_ms", Value: med, Unit: "ms", Target: "< 50", OK: med < 50,
		Note: fmt.Sprintf("%s; %d sensors and spaces, %.0f values each moment on average, median of %d random moments",
			note, len(owners), float64(values)/float64(len(ms)), len(ms))}}, nil
}

// stateOwners lists every sensor and space of the project.
func stateOwners(a *app.App) []engine.ID {
	var ids []engine.ID
	_ = a.Engine().View(func(v *engine.View) error {
		return v.WalkSpaces(func(s *engine.Space) error {
			ids = append(ids, s.ID)
			for _, sen := range v.SpaceSensors(s.ID) {
				ids = append(ids, sen.ID)
			}
			return nil
		}, nil)
	})
	return ids
}
