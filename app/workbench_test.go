package app_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// office is the Smart Office example installed in a temporary folder and
// open, with the ids the workbench tests use.
type office struct {
	t                       *testing.T
	path                    string
	a                       *app.App
	building, floor1, lobby engine.ID
	floor2                  engine.ID
	availability            engine.ID // the example's UDF, at the building
	motion, co2, temp       engine.ID // the Lobby's sensors
	mMotion, mMotionF1      engine.ID // "Matcher Motion" (building), "Matcher Motion F1"
	mMotionF2               engine.ID
}

func openOffice(t *testing.T) *office {
	t.Helper()
	path, err := app.InstallSmartOffice(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	o := &office{t: t, path: path}
	o.open()
	err = o.a.Engine().View(func(v *engine.View) error {
		for ref, id := range map[string]*engine.ID{"/Smart Office": &o.building, "/Smart Office/Floor 1": &o.floor1,
			"/Smart Office/Floor 2": &o.floor2, "/Smart Office/Floor 1/Lobby": &o.lobby} {
			if *id, err = v.ResolveSpace(ref); err != nil {
				return err
			}
		}
		for hw, id := range map[string]*engine.ID{"SO-F1-R01-MOTION": &o.motion, "SO-F1-R01-CARBONDIOXIDE": &o.co2,
			"SO-F1-R01-TEMPERATURE": &o.temp} {
			s, ok := v.SensorByHardwareID(hw)
			if !ok {
				return fmt.Errorf("no sensor %s", hw)
			}
			*id = s.ID
		}
		u, err := app.FindUDF(v, "Availability")
		if err != nil {
			return err
		}
		o.availability = u.ID
		for _, m := range v.Matchers() {
			switch m.Name {
			case "Matcher Motion":
				o.mMotion = m.ID
			case "Matcher Motion F1":
				o.mMotionF1 = m.ID
			case "Matcher Motion F2":
				o.mMotionF2 = m.ID
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func (o *office) open() {
	o.t.Helper()
	a, err := app.Open(o.path, app.Options{})
	if err != nil {
		o.t.Fatal(err)
	}
	o.a = a
	o.t.Cleanup(func() { a.Close() })
}

func (o *office) reopen() {
	o.t.Helper()
	if err := o.a.Close(); err != nil {
		o.t.Fatal(err)
	}
	o.open()
}

func (o *office) udf(id engine.ID) *engine.UDF {
	o.t.Helper()
	var u *engine.UDF
	o.a.Engine().View(func(v *engine.View) error {
		u, _ = v.UDF(id)
		return nil
	})
	if u == nil {
		o.t.Fatalf("no UDF %s", id)
	}
	return u
}

func (o *office) counts() engine.Stats { return o.a.Engine().Stats() }

// versionsOf renders UDF id's versions newest first as "N:script" ("*"
// marks the current one).
func versionsOf(t *testing.T, a *app.App, id engine.ID) []string {
	t.Helper()
	vs, err := a.UDFVersions(id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range vs {
		mark := ""
		if v.Current {
			mark = "*"
		}
		if v.Saved.IsZero() {
			t.Errorf("version %d has no saved time", v.N)
		}
		out = append(out, fmt.Sprintf("%s%d:%s", mark, v.N, v.Script))
	}
	return out
}

const (
	scriptA = "function process(telemetry, executionContext) { log('a'); }\n"
	scriptB = "function process(telemetry, executionContext) { log('b'); }\n"
	scriptC = "function process(telemetry, executionContext) { log('c'); }\n"
)

// TestUDFVersions: each script change keeps the replaced script as a
// version, atomically: an unchanged script or one that does not compile
// keeps none; versions survive a reopen, restore works both ways, an
// unknown version is ErrNotFound, and deleting the UDF deletes them.
func TestUDFVersions(t *testing.T) {
	o := openOffice(t)
	id := o.availability
	original := o.udf(id).Script
	steps := []struct {
		name string
		do   func() error
		want []string // newest first
	}{
		{"first save", func() error { _, err := o.a.SetUDFScript(id, "a.js", scriptA); return err },
			[]string{"*2:" + scriptA, "1:" + original}},
		{"second save", func() error { _, err := o.a.SetUDFScript(id, "b.js", scriptB); return err },
			[]string{"*3:" + scriptB, "2:" + scriptA, "1:" + original}},
		{"the same script again", func() error { _, err := o.a.SetUDFScript(id, "b.js", scriptB); return err },
			[]string{"*3:" + scriptB, "2:" + scriptA, "1:" + original}},
		{"a compile error", func() error {
			_, err := o.a.SetUDFScript(id, "bad.js", "var x = ;")
			var se *engine.ScriptError
			if !errors.As(err, &se) || se.Line != 1 {
				return fmt.Errorf("want a ScriptError at line 1, got %v", err)
			}
			return nil
		}, []string{"*3:" + scriptB, "2:" + scriptA, "1:" + original}},
		{"reopen", func() error { o.reopen(); return nil },
			[]string{"*3:" + scriptB, "2:" + scriptA, "1:" + original}},
		{"restore version 2", func() error {
			u, err := o.a.RestoreUDFVersion(id, 2)
			if err == nil && u.Script != scriptA {
				err = fmt.Errorf("restored script %q", u.Script)
			}
			return err
		}, []string{"*4:" + scriptA, "3:" + scriptB, "2:" + scriptA, "1:" + original}},
		{"restore an unknown version", func() error {
			if _, err := o.a.RestoreUDFVersion(id, 9); !errors.Is(err, engine.ErrNotFound) {
				return fmt.Errorf("want ErrNotFound, got %v", err)
			}
			return nil
		}, []string{"*4:" + scriptA, "3:" + scriptB, "2:" + scriptA, "1:" + original}},
		{"restore the original", func() error { _, err := o.a.RestoreUDFVersion(id, 1); return err },
			[]string{"*5:" + original, "4:" + scriptA, "3:" + scriptB, "2:" + scriptA, "1:" + original}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := versionsOf(t, o.a, id); strings.Join(got, "|") != strings.Join(st.want, "|") {
			t.Fatalf("%s: versions\n%q\nwant\n%q", st.name, got, st.want)
		}
	}
	if got := o.udf(id).Script; got != original {
		t.Fatalf("current script %q", got)
	}
	if err := o.a.DeleteUDF(id); err != nil {
		t.Fatal(err)
	}
	if _, err := o.a.UDFVersions(id); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("versions of a deleted UDF: %v", err)
	}
	if err := o.a.DeleteUDF(id); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("deleting it again: %v", err)
	}
}

// TestUDFVersionsLimit: a UDF keeps the newest engine.ScriptVersionsKept
// previous scripts, also after a reopen.
func TestUDFVersionsLimit(t *testing.T) {
	o := openOffice(t)
	changes := engine.ScriptVersionsKept + 5
	for i := 1; i <= changes; i++ {
		if _, err := o.a.SetUDFScript(o.availability, "v.js", fmt.Sprintf("// %d\nfunction process(t, c) {}\n", i)); err != nil {
			t.Fatal(err)
		}
	}
	for _, when := range []string{"open", "reopened"} {
		vs, err := o.a.UDFVersions(o.availability)
		if err != nil {
			t.Fatal(err)
		}
		if len(vs) != engine.ScriptVersionsKept+1 {
			t.Fatalf("%s: %d versions, want the current one and %d kept", when, len(vs), engine.ScriptVersionsKept)
		}
		if vs[0].N != changes+1 || !vs[0].Current || vs[1].N != changes || !strings.HasPrefix(vs[1].Script, fmt.Sprintf("// %d\n", changes-1)) {
			t.Fatalf("%s: newest %+v, %+v", when, vs[0], vs[1])
		}
		if last := vs[len(vs)-1]; last.N != changes+1-engine.ScriptVersionsKept {
			t.Fatalf("%s: oldest kept is version %d", when, last.N)
		}
		o.reopen()
	}
}

func TestUDFDiff(t *testing.T) {
	old := "function process(t, c) {\n    var a = 1;\n    log(a);\n}\n"
	nw := "function process(t, c) {\n    var a = 2;\n    log(a);\n}\n"
	tests := []struct {
		name, old, new, want string
	}{
		{"equal", old, old, ""},
		{"one line changed", old, nw, "--- version 1\n+++ current\n@@ -1,4 +1,4 @@\n function process(t, c) {\n-    var a = 1;\n+    var a = 2;\n     log(a);\n }\n"},
		{"from nothing", "", "x\n", "--- version 1\n+++ current\n@@ -0,0 +1 @@\n+x\n"},
	}
	for _, tt := range tests {
		if got := app.UDFDiff("version 1", "current", tt.old, tt.new); got != tt.want {
			t.Errorf("%s: diff\n%s\nwant\n%s", tt.name, got, tt.want)
		}
	}
}

// TestUDFTemplatesRun: each template compiles (CreateUDF checks it),
// runs dry against the Smart Office example with no error, and makes the
// writes and notification it promises.
func TestUDFTemplatesRun(t *testing.T) {
	o := openOffice(t)
	tmpl := map[string]app.UDFTemplate{}
	for _, x := range app.UDFTemplates() {
		if x.Title == "" || x.Description == "" || !strings.Contains(x.Script, "function process(") {
			t.Errorf("template %q is incomplete", x.Name)
		}
		tmpl[x.Name] = x
	}
	tests := []struct {
		template string
		sensor   engine.ID
		message  string
		// the expected writes, as "Kind name=value" (space values only)
		writes       []string
		notification map[string]any // nil: none
	}{
		{"occupancy", o.motion, `{"SensorValue": "true"}`, []string{"Space Availability=Occupied"}, nil},
		{"occupancy", o.motion, `false`, []string{"Space Availability=Available"}, nil},
		{"threshold", o.co2, `{"SensorValue": "1500"}`, []string{"Space Alert=CarbonDioxide 1500 is above 1000"},
			map[string]any{"alert": "CarbonDioxide 1500 is above 1000", "space": "Lobby", "dataType": "CarbonDioxide", "value": 1500.0, "threshold": 1000.0}},
		{"threshold", o.co2, `812`, nil, nil},
		{"aggregate", o.temp, `{"SensorValue": "21.5"}`, []string{"Space AverageTemperature=21.5"}, nil},
	}
	made := map[string]engine.ID{}
	for _, tt := range tests {
		name := tt.template + " " + tt.message
		id, ok := made[tt.template]
		if !ok {
			u, err := o.a.CreateUDFWithRole(o.building, "From "+tt.template, tmpl[tt.template].Script, nil)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			id, made[tt.template] = u.ID, u.ID
		}
		rec, err := o.a.DryRun(id, tt.sensor, tt.message, false)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if rec.Outcome != engine.OutcomeOK || rec.Error != "" || !rec.DryRun {
			t.Fatalf("%s: %s %s (dry run %t); logs %q", name, rec.Outcome, rec.Error, rec.DryRun, rec.Logs)
		}
		var writes []string
		for _, w := range rec.Writes {
			if w.Kind == "Space" {
				writes = append(writes, fmt.Sprintf("%s %s=%s", w.Kind, w.Name, w.New))
			}
		}
		if strings.Join(writes, ";") != strings.Join(tt.writes, ";") {
			t.Errorf("%s: writes %q, want %q (logs %q)", name, writes, tt.writes, rec.Logs)
		}
		switch {
		case tt.notification == nil && len(rec.Notifications) > 0:
			t.Errorf("%s: unexpected notifications %+v", name, rec.Notifications)
		case tt.notification != nil:
			if len(rec.Notifications) != 1 {
				t.Fatalf("%s: %d notifications", name, len(rec.Notifications))
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(rec.Notifications[0].Payload), &got); err != nil {
				t.Fatalf("%s: payload %q: %v", name, rec.Notifications[0].Payload, err)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.notification) {
				t.Errorf("%s: payload %v, want %v", name, got, tt.notification)
			}
		}
	}
	// A dry run applies nothing.
	o.a.Engine().View(func(v *engine.View) error {
		if val, ok := v.SpaceValue(o.lobby, "Availability"); ok {
			t.Errorf("a dry run wrote Availability=%q", val.Value)
		}
		return nil
	})
}

// TestCreateUDFRefuses: bad input to CreateUDF changes nothing and says
// why.
func TestCreateUDFRefuses(t *testing.T) {
	o := openOffice(t)
	tests := []struct {
		name     string
		space    engine.ID
		udf      string
		script   string
		matchers []engine.ID
		want     error
		msg      string
	}{
		{"compile error", o.floor1, "New", "function process(t, c) {\n  var x = ;\n}", nil, engine.ErrInvalid, "New:2:"},
		{"empty script", o.floor1, "New", "  \n", nil, engine.ErrInvalid, "empty"},
		{"empty name", o.floor1, " ", scriptA, nil, engine.ErrInvalid, "name is empty"},
		{"name taken", o.building, "availability", scriptA, nil, engine.ErrDuplicate, "already exists"},
		{"no such space", engine.NewID(), "New", scriptA, nil, engine.ErrNotFound, "space"},
		{"matcher of another floor", o.floor1, "New", scriptA, []engine.ID{o.mMotionF2}, engine.ErrInvalid, `"Matcher Motion F2"`},
		{"no such matcher", o.floor1, "New", scriptA, []engine.ID{engine.NewID()}, engine.ErrNotFound, "matcher"},
	}
	before := o.counts()
	for _, tt := range tests {
		_, err := o.a.CreateUDF(tt.space, tt.udf, tt.script, tt.matchers)
		if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.msg) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want %v with %q", tt.name, err, tt.want, tt.msg)
		}
	}
	if after := o.counts(); after != before {
		t.Fatalf("refused creations changed the project: %+v → %+v", before, after)
	}
	u, err := o.a.CreateUDF(o.floor1, "New", scriptA, []engine.ID{o.mMotion, o.mMotionF1, o.mMotion})
	if err != nil {
		t.Fatal(err)
	}
	if len(u.MatcherIDs) != 2 || u.SpaceID != o.floor1 || u.Script != scriptA {
		t.Fatalf("created %+v", u)
	}
}

// TestMatcherValidation: a bad condition is refused with one line naming
// its number and field, and nothing changes (create or update).
func TestMatcherValidation(t *testing.T) {
	o := openOffice(t)
	good := engine.Condition{Target: "Sensor", Path: "$.dataType", Comparison: "Equals", Value: `"Motion"`}
	bad := func(f func(c *engine.Condition)) []engine.Condition {
		c := good
		f(&c)
		return []engine.Condition{good, c}
	}
	tests := []struct {
		name  string
		conds []engine.Condition
		msg   string
	}{
		{"no conditions", nil, "conditions: a matcher needs at least one condition"},
		{"target", bad(func(c *engine.Condition) { c.Target = "Room" }), `condition 2: target: "Room" is not one of Sensor, SensorDevice, SensorSpace`},
		{"comparison", bad(func(c *engine.Condition) { c.Comparison = "Bigger" }), `condition 2: comparison: "Bigger" is not one of Equals, NotEquals, Contains`},
		{"path without $", bad(func(c *engine.Condition) { c.Path = "dataType" }), `condition 2: path: "dataType" must be a JSONPath starting with $`},
		{"path that does not parse", bad(func(c *engine.Condition) { c.Path = "$[" }), `condition 2: path: `},
		{"value not JSON", bad(func(c *engine.Condition) { c.Value = "Motion" }), `condition 2: value: Motion is not a JSON literal`},
	}
	m, err := o.a.CreateMatcher(o.floor1, "Mine", []engine.Condition{good})
	if err != nil {
		t.Fatal(err)
	}
	before := o.counts()
	for _, tt := range tests {
		for op, call := range map[string]func() error{
			"create": func() error { _, err := o.a.CreateMatcher(o.floor1, "Other", tt.conds); return err },
			"update": func() error { _, err := o.a.UpdateMatcher(m.ID, "Renamed", tt.conds); return err },
		} {
			err := call()
			if !errors.Is(err, engine.ErrInvalid) || !strings.Contains(err.Error(), tt.msg) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%s, %s: %v, want %q", tt.name, op, err, tt.msg)
			}
		}
	}
	if after := o.counts(); after != before {
		t.Fatalf("refused matchers changed the project: %+v → %+v", before, after)
	}
	o.a.Engine().View(func(v *engine.View) error {
		if x, _ := v.Matcher(m.ID); x.Name != "Mine" || len(x.Conditions) != 1 {
			t.Errorf("a refused update changed the matcher: %+v", x)
		}
		return nil
	})
	if _, err := o.a.CreateMatcher(o.floor1, "mine", []engine.Condition{good}); !errors.Is(err, engine.ErrDuplicate) {
		t.Errorf("a taken name: %v", err)
	}
	if got := strings.Join(app.ConditionTargets(), ","); got != "Sensor,SensorDevice,SensorSpace" {
		t.Errorf("targets %s", got)
	}
	if got := strings.Join(app.ConditionComparisons(), ","); got != "Equals,NotEquals,Contains" {
		t.Errorf("comparisons %s", got)
	}
}

// TestMatcherLifecycle: create, evaluate against a sensor with each
// condition's result, update, bind, and delete (which unbinds it).
func TestMatcherLifecycle(t *testing.T) {
	o := openOffice(t)
	m, err := o.a.CreateMatcher(o.floor1, "Lobby motion", []engine.Condition{
		{Target: "sensor", Path: "$.dataType", Comparison: "equals", Value: `"Motion"`},
		{Target: "SensorSpace", Path: "$.name", Comparison: "Contains", Value: `"Lobby"`},
	})
	if err != nil {
		t.Fatal(err)
	}
	if c := m.Conditions[0]; c.Target != engine.TargetSensor || c.Comparison != engine.CompareEquals || c.ID.IsZero() {
		t.Errorf("not normalised: %+v", c)
	}
	evaluate := func(sensor engine.ID) string {
		ok, log, err := o.a.EvaluateMatcher(m.ID, sensor)
		if err != nil {
			t.Fatal(err)
		}
		parts := []string{fmt.Sprint(ok)}
		for _, l := range log {
			parts = append(parts, fmt.Sprint(l.Result))
		}
		return strings.Join(parts, " ")
	}
	if got := evaluate(o.motion); got != "true true true" {
		t.Errorf("motion: %s", got)
	}
	if got := evaluate(o.co2); got != "false false true" {
		t.Errorf("co2: %s", got)
	}
	if _, err := o.a.UpdateMatcher(m.ID, "Lobby CO2", []engine.Condition{{Target: "Sensor", Path: "$.dataType", Comparison: "Equals", Value: `"CarbonDioxide"`}}); err != nil {
		t.Fatal(err)
	}
	if got := evaluate(o.co2); got != "true true" {
		t.Errorf("co2 after the update: %s", got)
	}
	if _, _, err := o.a.EvaluateMatcher(engine.NewID(), o.co2); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("unknown matcher: %v", err)
	}
	u, err := o.a.CreateUDF(o.floor1, "Bound", scriptA, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := o.a.BindUDF(u.ID, []engine.ID{m.ID, o.mMotion}); err != nil {
		t.Fatal(err)
	}
	if got := o.udf(u.ID).MatcherIDs; len(got) != 2 {
		t.Fatalf("bound to %v", got)
	}
	if err := o.a.DeleteMatcher(m.ID); err != nil {
		t.Fatal(err)
	}
	if got := o.udf(u.ID).MatcherIDs; len(got) != 1 || got[0] != o.mMotion {
		t.Fatalf("after the delete, bound to %v", got)
	}
	o.reopen()
	if got := o.udf(u.ID).MatcherIDs; len(got) != 1 || got[0] != o.mMotion {
		t.Fatalf("after the delete and a reopen, bound to %v", got)
	}
	if err := o.a.DeleteMatcher(m.ID); !errors.Is(err, engine.ErrNotFound) {
		t.Fatalf("deleting it again: %v", err)
	}
}

// TestBindUDFScope: a UDF binds to matchers of its space and its
// ancestors only; a refused binding changes nothing.
func TestBindUDFScope(t *testing.T) {
	o := openOffice(t)
	u, err := o.a.CreateUDF(o.floor1, "Scoped", scriptA, []engine.ID{o.mMotionF1})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		udf      engine.ID
		matchers []engine.ID
		want     error
		bound    int
	}{
		{"another floor's", u.ID, []engine.ID{o.mMotion, o.mMotionF2}, engine.ErrInvalid, 1},
		{"unknown matcher", u.ID, []engine.ID{engine.NewID()}, engine.ErrNotFound, 1},
		{"unknown UDF", engine.NewID(), []engine.ID{o.mMotion}, engine.ErrNotFound, 1},
		{"the building's and its floor's", u.ID, []engine.ID{o.mMotion, o.mMotionF1}, nil, 2},
		{"none", u.ID, nil, nil, 0},
	}
	for _, tt := range tests {
		if err := o.a.BindUDF(tt.udf, tt.matchers); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, err, tt.want)
		}
		if got := o.udf(u.ID); len(got.MatcherIDs) != tt.bound || got.Script != scriptA {
			t.Errorf("%s: bound to %d matchers, want %d", tt.name, len(got.MatcherIDs), tt.bound)
		}
	}
	if vs, _ := o.a.UDFVersions(u.ID); len(vs) != 1 {
		t.Errorf("binding kept script versions: %+v", vs)
	}
}

// loop5000 runs a loop of 5,000 iterations: traced, far more than the
// trace's 10,000 steps at some 50 µs each.
const loop5000 = `function process(telemetry, executionContext) {
  var total = 0;
  for (var i = 0; i < 5000; i++) {
    total += i;
  }
  log("total " + total);
}
`

// TestDryRunTraceLimit: a traced dry run gets TraceTimeLimit, so a loop of
// 5,000 iterations is not timed out under a UDF limit of 100 ms, while
// an untraced run keeps the UDF's own limit.
func TestDryRunTraceLimit(t *testing.T) {
	o := openOffice(t)
	u, err := o.a.CreateUDF(o.floor1, "Loop", loop5000, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = o.a.Engine().Update(func(tx *engine.Tx) error {
		c := *u
		c.TimeLimit = 100 * time.Millisecond
		return tx.PutUDF(&c)
	})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := o.a.DryRun(u.ID, o.motion, "true", true)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Outcome != engine.OutcomeOK || len(rec.Trace) == 0 || !rec.DryRun {
		t.Fatalf("traced: %s %s, %d steps (%d dropped), %v", rec.Outcome, rec.Error, len(rec.Trace), rec.TraceDropped, rec.Duration)
	}
	if got := rec.Logs[len(rec.Logs)-1]; got != "total 12497500" {
		t.Errorf("log %q", got)
	}
	rec, err = o.a.DryRun(u.ID, o.motion, "true", false)
	if err != nil || rec.Outcome != engine.OutcomeOK || len(rec.Trace) != 0 {
		t.Fatalf("untraced: %+v %v", rec, err)
	}
	if _, err := o.a.DryRun(engine.NewID(), o.motion, "true", true); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("unknown UDF: %v", err)
	}
	recs := o.a.UDFRecords(u.ID)
	if len(recs) != 2 || len(recs[0].Trace) != 0 || len(recs[1].Trace) == 0 {
		t.Errorf("records, newest first: %d", len(recs))
	}
}

// TestSensorMessages: a sensor's recorded messages, newest first, from its
// UDFs' execution records (dry runs left out, one entry per message) and
// its value history.
func TestSensorMessages(t *testing.T) {
	p := provision(t, quickstartYAML)
	a, err := app.Open(p.path, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	send := func(sensorHW, v string) {
		tk, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic(devHW, sensorHW), Payload: []byte(v),
			QoS: 1, Username: devHW, Received: time.Now()})
		if err == nil {
			err = tk.Wait()
		}
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	var first *engine.UDF
	a.Engine().View(func(v *engine.View) error {
		first = v.UDFs()[0]
		return nil
	})
	udf := first.ID
	// A second UDF for the same sensors: two records for each message.
	second, err := a.CreateUDF(first.SpaceID, "Second", scriptA, first.MatcherIDs)
	if err != nil {
		t.Fatal(err)
	}
	if got := a.SensorMessages(p.motion, 10); len(got) != 0 {
		t.Fatalf("before any message: %+v", got)
	}
	send(motionHW, `{"SensorValue": "true"}`)
	send(co2HW, `{"SensorValue": "800"}`)
	send(motionHW, `{"SensorValue": "false"}`)
	if _, err := a.DryRun(udf, p.motion, "dry", false); err != nil {
		t.Fatal(err)
	}
	show := func(list []app.Replay) string {
		var parts []string
		for i, r := range list {
			if i > 0 && r.Time.After(list[i-1].Time) {
				t.Errorf("not newest first: %+v", list)
			}
			parts = append(parts, r.Message+" ("+r.From+")")
		}
		return strings.Join(parts, "; ")
	}
	want := `{"SensorValue": "false"} (execution record); {"SensorValue": "true"} (execution record)`
	if got := show(a.SensorMessages(p.motion, 10)); got != want {
		t.Errorf("motion:\n%s\nwant\n%s", got, want)
	}
	if got := show(a.SensorMessages(p.motion, 1)); got != `{"SensorValue": "false"} (execution record)` {
		t.Errorf("motion, 1: %s", got)
	}
	// Without its UDF, the sensor's history is what is left of its
	// messages (the UDF set its value from the payload).
	if got := len(a.UDFRecords(second.ID)); got != 3 { // two motion messages, one CO2
		t.Fatalf("the second UDF ran %d times", got)
	}
	for _, id := range []engine.ID{udf, second.ID} {
		if err := a.DeleteUDF(id); err != nil {
			t.Fatal(err)
		}
	}
	if got := show(a.SensorMessages(p.motion, 10)); got != "false (sensor history); true (sensor history)" {
		t.Errorf("motion, from history: %s", got)
	}
}

// TestProvisionKeepsVersion: provisioning a changed script keeps the
// script it replaces as a version; provisioning the same again keeps none.
func TestProvisionKeepsVersion(t *testing.T) {
	o := openOffice(t)
	dir := filepath.Dir(o.path)
	js := filepath.Join(dir, "userDefinedFunctions", "availability.js")
	plan := filepath.Join(dir, "provision.yaml")
	original := o.udf(o.availability).Script
	if err := os.WriteFile(js, []byte(scriptA), 0o644); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := o.a.ProvisionFile(plan); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"*2:" + scriptA, "1:" + original}
	if got := versionsOf(t, o.a, o.availability); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("versions %q, want %q", got, want)
	}
}
