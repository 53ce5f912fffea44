// Package testkit is the shared kit of Twin Studio's tests: real parts,
// never fakes. It opens projects in real bbolt files under t.TempDir(),
// provisions the bundled examples or small YAML snippets into them, holds
// catalogues of provisioning snippets and telemetry messages, sends
// telemetry through the real pipeline and starts a real mochi MQTT broker
// on a free loopback port.
//
// Only tests import it (the architecture test enforces that no other
// package does). It wires the engine with its adapters itself and does not
// import app, so adapter tests can use it without depending on the
// composition root.
//
// # Import cycles
//
// The kit imports engine, engine/bbolt, engine/yaml, engine/jsonpath and
// engine/mqtt. Tests of those packages that use the kit must therefore be
// external test packages (package mqtt_test, not package mqtt). The kit
// imports no UDF runtime: a test that wants user-defined functions to run
// passes one in Options.UDF (goja.New(goja.Options{}) in engine/goja's
// tests; the engine's Go-function runtime in the engine's own tests).
//
// # Contract
//
// Every function takes the test's testing.TB, fails the test with
// t.Fatal on an error (so it must be called from the test's goroutine) and
// registers the cleanup it needs with t.Cleanup. Projects and brokers are
// safe for concurrent use as the engine, pipeline and broker they hold are.
package testkit
