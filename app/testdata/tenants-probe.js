// Replaced by the test (app/isolation_e2e_test.go) once the ids are known.
function process(telemetry, executionContext) {}
