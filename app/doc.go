// Package app is the composition root of Twin Studio: Open wires the bbolt
// project file, the engine and (in later issues) the MQTT broker, the UDF
// runtime, the simulator and the HTTP API. The studio (ui), `twin serve` and
// the CLI all open projects through it, and end-to-end tests do too.
package app
