package simulator

import (
	"sort"

	"github.com/twinstudio/twinstudio/engine"
)

// Sink is where a run's readings go. *engine.Pipeline is one: readings go
// straight into the pipeline, in process and deterministically. The app's
// MQTT sink is another: each virtual device is a real MQTT client that
// publishes to the broker with its own key.
//
// Submit hands over one reading, an engine.IngressMessage on
// devices/{device}/sensors/{sensor} whose Username is the device's
// hardwareId and whose Received is the simulated time. It may return a
// nil ticket when the sink cannot follow the reading to its commit; Run
// then relies on Flush.
type Sink interface {
	Submit(m *engine.IngressMessage) (*engine.Ticket, error)
}

// Flusher is a Sink with work in flight: Run calls Flush after the last
// reading and before it reads the pipeline's counts, and Flush returns
// once every reading submitted has been processed.
type Flusher interface {
	Flush() error
}

// StatsSource is a Sink that can report the pipeline's counts; Run uses it
// for the rejected readings. *engine.Pipeline is one.
type StatsSource interface {
	Stats() engine.IngressStats
}

var (
	_ Sink        = (*engine.Pipeline)(nil)
	_ StatsSource = (*engine.Pipeline)(nil)
)

// Devices lists the hardware ids of the devices whose sensors the run
// drives (sorted): the virtual devices an MQTT sink must connect.
func (s *Sim) Devices() []string {
	seen := map[string]bool{}
	var out []string
	for _, sp := range s.spaces {
		for _, sn := range sp.sensors {
			if !seen[sn.device] {
				seen[sn.device] = true
				out = append(out, sn.device)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Scenario is the scenario the run follows.
func (s *Sim) Scenario() *Scenario { return s.sc }
