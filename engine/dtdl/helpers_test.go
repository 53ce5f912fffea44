package dtdl_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
	"github.com/twinstudio/twinstudio/engine/dtdl"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// openProject opens a fresh project file in a temp dir.
func openProject(t testing.TB) *engine.Engine {
	t.Helper()
	st, err := bbolt.Open(filepath.Join(t.TempDir(), "p.twin"), bbolt.Options{})
	must(t, err)
	e, err := engine.New(st, engine.Options{})
	must(t, err)
	t.Cleanup(func() { e.Close() })
	return e
}

// provisioned opens a project provisioned from a YAML file.
func provisioned(t testing.TB, path string) *engine.Engine {
	t.Helper()
	p, err := yaml.ReadFile(path)
	must(t, err)
	e := openProject(t)
	_, err = e.Provision(p)
	must(t, err)
	return e
}

// export is the DTDL export of e.
func export(t testing.TB, e *engine.Engine) []byte {
	t.Helper()
	var buf bytes.Buffer
	must(t, e.View(func(v *engine.View) error { return dtdl.WriteModels(&buf, dtdl.Models(v)) }))
	return buf.Bytes()
}

// importData parses data as file name and applies it to e.
func importData(t testing.TB, e *engine.Engine, name string, data []byte) (*dtdl.Summary, error) {
	t.Helper()
	set, err := dtdl.Parse(name, data)
	if err != nil {
		return nil, err
	}
	var sum *dtdl.Summary
	err = e.Update(func(tx *engine.Tx) error {
		var err error
		sum, err = dtdl.Apply(tx, set)
		return err
	})
	return sum, err
}
