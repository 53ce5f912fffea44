package ui

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// framestatsEnv turns on the plan's frame statistics: with
// TWINSTUDIO_FRAMESTATS=1 the studio logs to stderr every
// framestatsEvery how many live plan updates it applied a second and
// what they cost, how many times a second it painted the plan's rooms and
// what that cost, and how long a function handed to fyne.Do waited
// before Fyne's goroutine ran it (whether that goroutine keeps up).
const (
	framestatsEnv   = "TWINSTUDIO_FRAMESTATS"
	framestatsEvery = 5 * time.Second
	probeEvery      = 100 * time.Millisecond // how often the main loop is probed, on average
)

// frameStats is the studio's one frameStats, on when framestatsEnv is 1.
var frameStats = newPlanStats(os.Getenv(framestatsEnv) == "1", os.Stderr)

// planStats collects the plan's frame statistics. Its methods may be
// called from any goroutine; when it is off they do nothing.
type planStats struct {
	on    bool
	out   io.Writer
	start sync.Once

	mu      sync.Mutex
	since   time.Time
	updFrom time.Time       // when the live update being applied began
	updates []time.Duration // live updates: recolour to the end of the view's refresh
	paints  []time.Duration // raster paints
	waits   []time.Duration // fyne.Do to the function running
}

func newPlanStats(on bool, out io.Writer) *planStats {
	return &planStats{on: on, out: out, since: time.Now()}
}

// updating marks the start of a live update (the recolour).
func (s *planStats) updating() {
	if !s.on {
		return
	}
	s.probe()
	s.mu.Lock()
	s.updFrom = time.Now()
	s.mu.Unlock()
}

// refreshed ends the live update in progress, if any, when the plan view
// has been refreshed.
func (s *planStats) refreshed(time.Duration) {
	if !s.on {
		return
	}
	s.mu.Lock()
	if !s.updFrom.IsZero() {
		s.updates = append(s.updates, time.Since(s.updFrom))
		s.updFrom = time.Time{}
	}
	s.mu.Unlock()
}

// painted records a paint of the rooms that took d.
func (s *planStats) painted(d time.Duration) {
	if !s.on {
		return
	}
	s.mu.Lock()
	s.paints = append(s.paints, d)
	s.mu.Unlock()
}

// probe starts, once, the goroutine that measures the main loop's
// latency and writes the statistics. The probes are spaced at random
// (probeEvery on average) so that they do not keep step with the
// studio's own 100 ms poll and sample every moment of its cycle.
func (s *planStats) probe() {
	s.start.Do(func() {
		go func() {
			last := time.Now()
			for {
				time.Sleep(probeEvery/2 + rand.N(probeEvery))
				sent := time.Now()
				fyne.Do(func() {
					d := time.Since(sent)
					s.mu.Lock()
					s.waits = append(s.waits, d)
					s.mu.Unlock()
				})
				if sent.Sub(last) >= framestatsEvery {
					last = sent
					s.write(sent)
				}
			}
		}()
	})
}

// write logs the statistics gathered since the last write and starts
// afresh.
func (s *planStats) write(now time.Time) {
	s.mu.Lock()
	secs := now.Sub(s.since).Seconds()
	line := fmt.Sprintf("framestats: %.0fs: plan updates %.1f/s (%s), room paints %.1f/s (%s), main loop wait %s\n",
		secs, float64(len(s.updates))/secs, spread(s.updates), float64(len(s.paints))/secs, spread(s.paints), spread(s.waits))
	s.updates, s.paints, s.waits, s.since = s.updates[:0], s.paints[:0], s.waits[:0], now
	s.mu.Unlock()
	fmt.Fprint(s.out, line)
}

// spread is "p50 X ms p99 Y ms max Z ms" of ds, or "none".
func spread(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	at := func(p float64) float64 { return float64(s[int(p*float64(len(s)-1))].Microseconds()) / 1000 }
	return fmt.Sprintf("p50 %.2f ms p99 %.2f ms max %.2f ms", at(0.5), at(0.99), at(1))
}
