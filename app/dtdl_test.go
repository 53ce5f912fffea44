package app_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// openProvisioned opens a fresh project provisioned from a YAML file.
func openProvisioned(t *testing.T, yamlPath string) *app.App {
	t.Helper()
	a := openFresh(t)
	if _, err := a.ProvisionFile(yamlPath); err != nil {
		t.Fatal(err)
	}
	return a
}

func openFresh(t *testing.T) *app.App {
	t.Helper()
	a, err := app.Open(filepath.Join(t.TempDir(), "p.twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := closeWithin(a, 30*time.Second); err != nil {
			t.Error(err)
		}
	})
	return a
}

// TestDTDLRoundTrip: on the quickstart and the Smart Office, ExportDTDL,
// ImportDTDL into a fresh project and ExportDTDL again give the same
// models; a second import changes nothing.
func TestDTDLRoundTrip(t *testing.T) {
	office, _ := installOffice(t)
	for _, yamlPath := range []string{quickstartYAML, filepath.Join(office, "provision.yaml")} {
		t.Run(filepath.Base(filepath.Dir(yamlPath)), func(t *testing.T) {
			var first, second bytes.Buffer
			if err := openProvisioned(t, yamlPath).ExportDTDL(&first); err != nil {
				t.Fatal(err)
			}
			models := filepath.Join(t.TempDir(), "models.json")
			if err := os.WriteFile(models, first.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			fresh := openFresh(t)
			sum, err := fresh.ImportDTDL(models)
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Warnings) != 0 || sum.File != models {
				t.Errorf("summary %+v", sum)
			}
			if err := fresh.ExportDTDL(&second); err != nil {
				t.Fatal(err)
			}
			if first.String() != second.String() {
				t.Fatalf("round trip differs:\n%s\n---\n%s", first.String(), second.String())
			}
			gen := fresh.Engine().Generation()
			sum, err = fresh.ImportDTDL(models)
			if err != nil {
				t.Fatal(err)
			}
			if tot := sum.Total(); tot.Created+tot.Updated != 0 || fresh.Engine().Generation() != gen {
				t.Fatalf("second import changed something:\n%s", sum)
			}
		})
	}
}

// TestSmartOfficeKeysImported: the office's property keys (YearBuilt…)
// are in the export and come back in the fresh project.
func TestSmartOfficeKeysImported(t *testing.T) {
	office, _ := installOffice(t)
	var buf bytes.Buffer
	if err := openProvisioned(t, filepath.Join(office, "provision.yaml")).ExportDTDL(&buf); err != nil {
		t.Fatal(err)
	}
	models := filepath.Join(t.TempDir(), "models.json")
	if err := os.WriteFile(models, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	fresh := openFresh(t)
	if _, err := fresh.ImportDTDL(models); err != nil {
		t.Fatal(err)
	}
	err := fresh.Engine().View(func(v *engine.View) error {
		for _, name := range []string{"YearBuilt", "Level", "Address"} {
			if _, ok := v.FindPropertyKey(name, engine.ScopeSpaces, engine.NilID); !ok {
				t.Errorf("key %s not imported", name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// adtFile is an ADT import file read back: the section names in order and
// the lines of each.
type adtFile struct {
	sections []string
	lines    map[string][]map[string]any
}

func readADT(t *testing.T, data []byte) adtFile {
	t.Helper()
	f := adtFile{lines: map[string][]map[string]any{}}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("line %d: %v: %s", n, err, sc.Text())
		}
		if s, ok := m["Section"].(string); ok && len(m) == 1 {
			f.sections = append(f.sections, s)
			continue
		}
		if len(f.sections) == 0 {
			t.Fatalf("line %d before any section", n)
		}
		cur := f.sections[len(f.sections)-1]
		f.lines[cur] = append(f.lines[cur], m)
	}
	return f
}

// TestADTImport: the sections come in order; the header names the file
// version, author and organization; every twin's model is among the
// models, every relationship joins twins; the counts match the project.
func TestADTImport(t *testing.T) {
	office, _ := installOffice(t)
	a := openProvisioned(t, filepath.Join(office, "provision.yaml"))
	var buf bytes.Buffer
	if err := a.ExportADTImport(&buf); err != nil {
		t.Fatal(err)
	}
	f := readADT(t, buf.Bytes())
	if strings.Join(f.sections, ",") != "Header,Models,Twins,Relationships" {
		t.Fatalf("sections %q", f.sections)
	}
	h := f.lines["Header"]
	if len(h) != 1 || h[0]["fileVersion"] != "1.0.0" || h[0]["author"] != "twinstudio" || h[0]["organization"] != a.Name() {
		t.Errorf("header %v", h)
	}
	models := map[string]bool{}
	for _, m := range f.lines["Models"] {
		models[m["@id"].(string)] = true
	}
	twins := map[string]string{}
	for _, tw := range f.lines["Twins"] {
		id, _ := tw["$dtId"].(string)
		model, _ := tw["$metadata"].(map[string]any)["$model"].(string)
		if !models[model] || twins[id] != "" {
			t.Errorf("twin %v: model unknown or id repeated", tw)
		}
		twins[id] = model
	}
	st := a.Engine().Stats()
	if len(twins) != st.Spaces+st.Devices+st.Sensors {
		t.Errorf("%d twins, want %d", len(twins), st.Spaces+st.Devices+st.Sensors)
	}
	rels := map[string]int{}
	for _, r := range f.lines["Relationships"] {
		src, dst, name := r["$dtId"].(string), r["$targetId"].(string), r["$relationshipName"].(string)
		if twins[src] == "" || twins[dst] == "" || r["$relationshipId"] == "" {
			t.Errorf("relationship %v joins unknown twins", r)
		}
		rels[name]++
	}
	if rels["contains"] != st.Spaces-1 || rels["hasDevice"] != st.Devices || rels["hasSensor"] != st.Sensors {
		t.Errorf("relationships %v for %+v", rels, st)
	}
	var motion, building map[string]any
	for _, tw := range f.lines["Twins"] {
		if tw["hardwareId"] == "SO-F1-R01-MOTION" {
			motion = tw
		}
		if tw["name"] == "Smart Office" {
			building = tw
		}
	}
	if motion == nil || twins[motion["$dtId"].(string)] != "dtmi:twinstudio:datatype:Motion;1" || motion["dataUnitType"] != "Boolean" {
		t.Errorf("motion sensor twin %v", motion)
	}
	if building == nil || twins[building["$dtId"].(string)] != "dtmi:twinstudio:space:Building;1" || building["City"] != "Springfield" {
		t.Errorf("building twin %v", building)
	}
}

// TestImportDTDLErrors: a bad file is one line naming it and the place,
// and changes nothing.
func TestImportDTDLErrors(t *testing.T) {
	a := openFresh(t)
	bad := filepath.Join(t.TempDir(), "models.json")
	doc := `[{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Bench;1", "@type": "Interface", "extends": "dtmi:twinstudio:Space;1"},
	{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Room;1", "@type": "Interface", "extends": "dtmi:twinstudio:Space;1",
	 "contents": [{"@type": "Property", "name": "a", "schema": "string"}, {"@type": "Component", "name": "c", "schema": "dtmi:x:Bench;1"}]}]`
	if err := os.WriteFile(bad, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	gen := a.Engine().Generation()
	_, err := a.ImportDTDL(bad)
	want := bad + ": contents[1] of dtmi:x:Room;1: engine: invalid: Component c is not supported"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error %v, want %q", err, want)
	}
	if a.Engine().Generation() != gen {
		t.Fatal("a failed import changed the project")
	}
	if _, err := a.ImportDTDL(filepath.Join(t.TempDir(), "absent.json")); err == nil {
		t.Fatal("absent file imported")
	}
}
