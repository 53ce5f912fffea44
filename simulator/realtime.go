package simulator

import (
	"context"
	"fmt"
	"time"
)

// RealTime returns a pacer for Options.Pace that runs the simulated clock
// at speed times real time (60: one simulated minute per real second):
// the step at simulated time t waits until
//
//	wall₀ + (t − t₀) / speed
//
// where t₀ is the first step's simulated time and wall₀ the wall time it
// was paced. It returns ctx.Err() as soon as ctx is done, which stops the
// run. A speed ≤ 0 is an error.
func RealTime(ctx context.Context, speed float64) (func(t time.Time) error, error) {
	if !(speed > 0) {
		return nil, fmt.Errorf("simulate: speed must be positive, got %v", speed)
	}
	var t0, wall0 time.Time
	return func(t time.Time) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if wall0.IsZero() {
			t0, wall0 = t, time.Now()
			return nil
		}
		due := wall0.Add(time.Duration(float64(t.Sub(t0)) / speed))
		d := time.Until(due)
		if d <= 0 {
			return nil
		}
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return nil
		}
	}, nil
}
