// Package simulator holds Twin Studio's virtual people and physics, the
// simulated clock and what-if runs. It depends on engine only and
// feeds the same pipeline real devices feed: each reading is an
// engine.IngressMessage on devices/{device}/sensors/{sensor}, received at
// the simulated time.
//
// A Scenario (LoadScenario; docs/scenarios.md) says which spaces get which
// occupancy model and parameters; New binds it to a project's spaces and
// sensors; Sim.Run steps the clock as fast as possible (or paced by
// Options.Pace) and returns the KPIs. Readings go to a Sink: *engine.Pipeline
// in process, or the app's MQTT sink whose virtual devices are real MQTT
// clients. Power and energy meters are in meters.go, sensor faults in
// faults.go, EV charging in ev.go, retail visitors and garden soil moisture
// in outdoor.go. The models and their equations are in docs/simulation.md. Every
// random draw comes from math/rand/v2 PCG sources seeded with the
// scenario's seed and the space's name, so a run is deterministic.
package simulator
