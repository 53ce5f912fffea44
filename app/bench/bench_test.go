package bench

import (
	"bytes"
	"strings"
	"testing"
)

// TestRunSmall runs every benchmark at a small size and checks the table.
func TestRunSmall(t *testing.T) {
	var out bytes.Buffer
	if err := Run(&out, "", Config{Dir: t.TempDir(), OpenObjects: 6000, Provision: 6000, FlatProvision: 6000, IngestMessages: 3200, LatencySeconds: 1, UDFSeconds: 1}); err != nil {
		t.Fatal(err)
	}
	for _, name := range Names() {
		if !strings.Contains(out.String(), name) {
			t.Errorf("table lacks %s:\n%s", name, out.String())
		}
	}
	if err := Run(&out, "nope", Config{Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), `no benchmark named "nope"`) {
		t.Errorf("unknown name: %v", err)
	}
}

func BenchmarkProvision(b *testing.B) {
	for i := 0; i < b.N; i++ {
		if _, err := benchProvision(Config{Dir: b.TempDir(), Provision: 60000}); err != nil {
			b.Fatal(err)
		}
	}
}
