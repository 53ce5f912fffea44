package yaml_test

import (
	"path/filepath"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// TestProvisionExamples provisions each example into an empty project file
// (every type, role and reference in them must resolve), then again
// (nothing may change).
func TestProvisionExamples(t *testing.T) {
	for _, ex := range []string{"quickstart", "smart-office"} {
		t.Run(ex, func(t *testing.T) {
			p, err := yaml.ReadFile(filepath.Join("..", "..", "examples", ex, "provision.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			st, err := bbolt.Open(filepath.Join(t.TempDir(), ex+".twin"), bbolt.Options{})
			if err != nil {
				t.Fatal(err)
			}
			e, err := engine.New(st, engine.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			sum, err := e.Provision(p)
			if err != nil {
				t.Fatal(err)
			}
			if tot := sum.Total(); tot.Created == 0 || tot.Updated != 0 || tot.Unchanged != 0 {
				t.Errorf("first provisioning:\n%s", sum)
			}
			t.Logf("first provisioning:\n%s", sum)
			sum, err = e.Provision(p)
			if err != nil {
				t.Fatal(err)
			}
			if tot := sum.Total(); tot.Created != 0 || tot.Updated != 0 {
				t.Errorf("second provisioning changed things:\n%s", sum)
			}
		})
	}
}
