package app

import "github.com/twinstudio/twinstudio/simulator"

// Scenario is a simulation scenario, as package simulator reads it: the
// studio's views reach scenarios through app.
type Scenario = simulator.Scenario

// LoadScenario reads scenario file path; errors name the file, line and
// field (simulator.LoadScenario).
func LoadScenario(path string) (*Scenario, error) { return simulator.LoadScenario(path) }

// ParseScenario reads a scenario from data; name is the file name errors
// give (simulator.ParseScenario).
func ParseScenario(name string, data []byte) (*Scenario, error) {
	return simulator.ParseScenario(name, data)
}
