// Package app is the composition root of Twin Studio: Open wires the bbolt
// project file (engine/bbolt), the engine, the JSONPath evaluator of
// matchers (engine/jsonpath), the UDF runtime (engine/goja), the telemetry
// pipeline and, when asked, the embedded MQTT broker (engine/mqtt). It
// also starts and stops simulations (simulator) on an open project. The
// studio (ui), `twin serve` and the other CLI commands all open projects
// through it, and end-to-end tests do too. It knows no UI.
package app
