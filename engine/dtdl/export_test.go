package dtdl_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/twinstudio/twinstudio/engine/dtdl"
)

var update = flag.Bool("update", false, "rewrite the golden files")

const quickstart = "../../examples/quickstart/provision.yaml"

// TestQuickstartGolden: the quickstart's DTDL export is the golden file,
// every @id is a valid DTMI, and a second export is byte for byte equal.
func TestQuickstartGolden(t *testing.T) {
	e := provisioned(t, quickstart)
	got := export(t, e)
	golden := filepath.Join("testdata", "quickstart.dtdl.json")
	if *update {
		must(t, os.WriteFile(golden, got, 0o644))
	}
	want, err := os.ReadFile(golden)
	must(t, err)
	if !bytes.Equal(got, want) {
		t.Fatalf("export differs from %s (go test -update to rewrite):\n%s", golden, got)
	}
	if again := export(t, e); !bytes.Equal(again, got) {
		t.Fatal("a second export differs")
	}
	var ifaces []dtdl.Interface
	must(t, json.Unmarshal(got, &ifaces))
	seen := map[string]bool{}
	for _, in := range ifaces {
		if !dtdl.ValidDTMI(in.ID) || seen[in.ID] {
			t.Errorf("@id %q invalid or repeated", in.ID)
		}
		seen[in.ID] = true
		for _, x := range in.Extends {
			if !seen[x] {
				t.Errorf("%s extends %s, not defined before it", in.ID, x)
			}
		}
	}
	for _, id := range []string{dtdl.SpaceID, dtdl.DeviceID, dtdl.SensorID, "dtmi:twinstudio:space:Room;1",
		"dtmi:twinstudio:datatype:Motion;1", "dtmi:twinstudio:device:RaspberryPi;1"} {
		if !seen[id] {
			t.Errorf("no interface %s", id)
		}
	}
}
