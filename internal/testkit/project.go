package testkit

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
	"github.com/twinstudio/twinstudio/engine/jsonpath"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// Options configure Open. The zero value opens a project whose matchers
// evaluate JSONPath conditions and whose UDFs do not run.
type Options struct {
	// Engine options (clock, history kept in memory).
	Engine engine.Options
	// Store options (lock timeout, history retention).
	Store bbolt.Options
	// Pipeline options (workers, queue size, deterministic UDF budgets).
	Pipeline engine.PipelineOptions
	// UDF is the runtime that executes user-defined functions; nil: none is
	// set and matched UDFs do not run. This is the hook for runtimes the
	// kit cannot import without a cycle: engine/goja's tests pass
	// goja.New(goja.Options{}), the engine's own tests (package
	// engine_test) pass the engine's Go-function runtime.
	UDF engine.UDFRuntime
	// NoPathEvaluator leaves the engine without the JSONPath evaluator
	// (engine/jsonpath) that Open sets by default.
	NoPathEvaluator bool
}

// Project is an open project: a real bbolt file, the engine over it and
// its telemetry pipeline. Its accessors have the names and types of
// app.App's, so a test moves from app.Open to the kit without other
// changes.
type Project struct {
	path     string
	store    *bbolt.Store
	engine   *engine.Engine
	pipeline *engine.Pipeline

	once sync.Once
	err  error
}

// Open opens (creating if absent) the project file at path, wires the
// engine, the path evaluator, opts.UDF and a pipeline, and closes it all
// when the test ends. An empty path is a new file in t.TempDir().
func Open(t testing.TB, path string, opts Options) *Project {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "test.twin")
	}
	st, err := bbolt.Open(path, opts.Store)
	if err != nil {
		t.Fatalf("testkit: open %s: %v", path, err)
	}
	e, err := engine.New(st, opts.Engine)
	if err != nil {
		st.Close()
		t.Fatalf("testkit: open %s: %v", path, err)
	}
	if !opts.NoPathEvaluator {
		e.SetPathEvaluator(jsonpath.New())
	}
	if opts.UDF != nil {
		e.SetUDFRuntime(opts.UDF)
	}
	p := &Project{path: path, store: st, engine: e, pipeline: e.NewPipeline(opts.Pipeline)}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("testkit: close %s: %v", path, err)
		}
	})
	return p
}

// Path is the project file.
func (p *Project) Path() string { return p.path }

// Store is the project's bbolt store.
func (p *Project) Store() *bbolt.Store { return p.store }

// Engine is the project's live graph.
func (p *Project) Engine() *engine.Engine { return p.engine }

// Pipeline is the project's telemetry pipeline.
func (p *Project) Pipeline() *engine.Pipeline { return p.pipeline }

// Close drains the pipeline, commits what is pending and closes the file.
// Calls after the first return the first call's error; Open's cleanup
// calls it, so a test closes explicitly only to reopen the file.
func (p *Project) Close() error {
	p.once.Do(func() {
		p.pipeline.Close()
		p.err = p.engine.Close()
	})
	return p.err
}

// Example opens a new project in t.TempDir() provisioned from
// examples/NAME/provision.yaml (ExampleQuickstart, ExampleSmartOffice or
// ExampleEVCharging).
func Example(t testing.TB, name string, opts Options) *Project {
	t.Helper()
	p := Open(t, filepath.Join(t.TempDir(), name+".twin"), opts)
	p.ProvisionFile(t, ExampleFile(name))
	return p
}

// The bundled examples.
const (
	ExampleQuickstart  = "quickstart"
	ExampleSmartOffice = "smart-office"
	ExampleEVCharging  = "ev-charging"
)

// ExampleFile is the path of examples/NAME/provision.yaml in this checkout.
func ExampleFile(name string) string {
	return filepath.Join(Root(), "examples", name, "provision.yaml")
}

// Root is the module's root folder (the checkout the tests run from).
func Root() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("testkit: no caller information")
	}
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// ProvisionFile reads the provisioning YAML at path and applies it as one
// transaction.
func (p *Project) ProvisionFile(t testing.TB, path string) *engine.ProvisionSummary {
	t.Helper()
	plan, err := yaml.ReadFile(path)
	if err != nil {
		t.Fatalf("testkit: %v", err)
	}
	sum, err := p.engine.Provision(plan)
	if err != nil {
		t.Fatalf("testkit: provision %s: %v", path, err)
	}
	return sum
}

// ProvisionYAML writes src to a file in a new temporary folder, with the
// scripts (relative path → JavaScript) beside it, and provisions it. It
// returns the summary and the error of reading or provisioning, so that
// tests of bad input can check it.
func (p *Project) ProvisionYAML(t testing.TB, src string, scripts map[string]string) (*engine.ProvisionSummary, error) {
	t.Helper()
	dir := t.TempDir()
	for rel, js := range scripts {
		f := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(js), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "provision.yaml")
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	plan, err := yaml.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return p.engine.Provision(plan)
}

// Send submits msg at QoS 1 as its device would (authenticated with the
// device's hardware id) and waits until it is committed or rejected,
// returning the ticket's error.
func (p *Project) Send(t testing.TB, msg Message) error {
	t.Helper()
	tk, err := p.pipeline.Submit(&engine.IngressMessage{Topic: msg.Topic(), Payload: []byte(msg.Payload),
		QoS: 1, Username: msg.Device})
	if err != nil {
		return err
	}
	return tk.Wait()
}

// MustSend is Send that fails the test on an error.
func (p *Project) MustSend(t testing.TB, msg Message) {
	t.Helper()
	if err := p.Send(t, msg); err != nil {
		t.Fatalf("testkit: send %s %s: %v", msg.Topic(), msg.Payload, err)
	}
}

// SpaceValue is the current value name of the space at path ("" when it
// has none); a path that names no space fails the test.
func (p *Project) SpaceValue(t testing.TB, path, name string) string {
	t.Helper()
	var out string
	p.engine.View(func(v *engine.View) error {
		id, err := v.ResolveSpace(path)
		if err != nil {
			t.Fatalf("testkit: %v", err)
		}
		val, _ := v.SpaceValue(id, name)
		out = val.Value
		return nil
	})
	return out
}

// SensorValue is the current value of the sensor with hardware id hw (""
// when it has none); an unknown sensor fails the test.
func (p *Project) SensorValue(t testing.TB, hw string) string {
	t.Helper()
	var out string
	p.engine.View(func(v *engine.View) error {
		s, ok := v.SensorByHardwareID(hw)
		if !ok {
			t.Fatalf("testkit: no sensor %s", hw)
		}
		val, _ := v.SensorValue(s.ID)
		out = val.Value
		return nil
	})
	return out
}

// DeviceKey is the MQTT password of the device with hardware id hw; an
// unknown device fails the test.
func (p *Project) DeviceKey(t testing.TB, hw string) string {
	t.Helper()
	var key string
	p.engine.View(func(v *engine.View) error {
		d, ok := v.DeviceByHardwareID(hw)
		if !ok {
			t.Fatalf("testkit: no device %s", hw)
		}
		key = d.Key
		return nil
	})
	return key
}
