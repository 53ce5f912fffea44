package engine_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// Go types of the objects, plan items and documents of each kind.
var (
	objectTypes = map[engine.Kind]any{
		engine.KindSpace: engine.Space{}, engine.KindDevice: engine.Device{}, engine.KindSensor: engine.Sensor{},
		engine.KindUser: engine.User{}, engine.KindMatcher: engine.Matcher{}, engine.KindUDF: engine.UDF{},
		engine.KindRoleAssignment: engine.RoleAssignment{}, engine.KindEndpoint: engine.Endpoint{},
		engine.KindResource: engine.Resource{}, engine.KindPropertyKey: engine.PropertyKey{},
		engine.KindType: engine.ExtendedType{}, engine.KindOntology: engine.Ontology{},
		engine.KindToken: engine.Token{}, engine.KindRole: engine.Role{}, engine.KindFloorPlan: engine.FloorPlan{},
	}
	planTypes = map[engine.Kind]any{
		engine.KindSpace: &engine.PlanSpace{}, engine.KindDevice: &engine.PlanDevice{}, engine.KindSensor: &engine.PlanSensor{},
		engine.KindUser: &engine.PlanUser{}, engine.KindMatcher: &engine.PlanMatcher{}, engine.KindUDF: &engine.PlanUDF{},
		engine.KindRoleAssignment: &engine.PlanRoleAssignment{}, engine.KindResource: &engine.PlanResource{},
		engine.KindPropertyKey: &engine.PlanPropertyKey{}, engine.KindType: &engine.PlanType{},
		engine.KindNone: &engine.PlanCondition{}, // matcher conditions
	}
	docTypes = map[engine.Kind]any{
		engine.KindSpace: &engine.SpaceDoc{}, engine.KindDevice: &engine.DeviceDoc{}, engine.KindSensor: &engine.SensorDoc{},
		engine.KindUser: &engine.UserDoc{},
	}
	// Plan item fields that are not fields of the kind: the lists of what
	// it holds, and what the reader fills in besides the field itself.
	planOnly = []string{"Src", "Resources", "Spaces", "Devices", "Sensors", "Matchers", "UDFs", "RoleAssignments",
		"Users", "PropertyKeys", "Types", "Roles", "Conditions", "ScriptPath", "Script", "Plan"}
	// Document fields computed from the graph rather than from a field.
	docOnly = []string{"FullName", "SpacePaths", "Level", "Values", "Sensors", "Value"}
)

// goType is the Go type a field of type t has in the object.
var goType = map[engine.FieldType]reflect.Type{
	engine.FieldString: reflect.TypeFor[string](), engine.FieldInt: reflect.TypeFor[int](),
	engine.FieldBool: reflect.TypeFor[bool](), engine.FieldID: reflect.TypeFor[engine.ID](),
	engine.FieldTime: reflect.TypeFor[time.Time](), engine.FieldDuration: reflect.TypeFor[time.Duration](),
	engine.FieldTypeRef: reflect.TypeFor[int](), engine.FieldLocation: reflect.TypeFor[*engine.Location](),
	engine.FieldProperties: reflect.TypeFor[[]engine.Property](), engine.FieldIDs: reflect.TypeFor[[]engine.ID](),
	engine.FieldStrings: reflect.TypeFor[[]string](), engine.FieldInts: reflect.TypeFor[[]int](),
	engine.FieldConditions: reflect.TypeFor[[]engine.Condition](),
}

// fieldAddrs returns the addresses of the fields of the struct p points to,
// by name.
func fieldAddrs(p any) map[uintptr]string {
	v := reflect.ValueOf(p).Elem()
	out := map[uintptr]string{}
	for i := 0; i < v.NumField(); i++ {
		if v.Type().Field(i).Anonymous {
			continue
		}
		out[v.Field(i).Addr().Pointer()] = v.Type().Field(i).Name
	}
	return out
}

func addr(p any) uintptr { return reflect.ValueOf(p).Pointer() }

// TestKindsDescribeEveryField checks that the descriptions cover every
// field of every object, plan item and document, with the right Go type:
// a field added to a struct and not to its kind's description fails here.
func TestKindsDescribeEveryField(t *testing.T) {
	if len(engine.Kinds()) != len(objectTypes) {
		t.Fatalf("%d kinds described, want %d", len(engine.Kinds()), len(objectTypes))
	}
	for _, d := range engine.Kinds() {
		if d.Label == "" || d.Noun == "" || d.Plural == "" || d.Icon == "" {
			t.Errorf("%s: label, noun, plural or icon missing", d.Kind)
		}
		// Objects: every struct field described once, with its Go type.
		o := d.New()
		if o.Kind() != d.Kind {
			t.Errorf("%s: New makes a %s", d.Kind, o.Kind())
		}
		st := reflect.TypeOf(objectTypes[d.Kind])
		if reflect.TypeOf(o).Elem() != st {
			t.Errorf("%s: New makes a %T", d.Kind, o)
		}
		described := map[string]bool{}
		for i := range d.Fields {
			f := &d.Fields[i]
			if !f.HasObject() {
				continue
			}
			described[f.Name] = true
			sf, ok := st.FieldByName(f.Name)
			if !ok {
				t.Errorf("%s.%s: described but not a field of %s", d.Kind, f.Name, st)
				continue
			}
			p := reflect.ValueOf(f.Ptr(o))
			if f.Type != engine.FieldJSON && p.Type().Elem() != goType[f.Type] && !(sf.Type.Kind() == reflect.String && goType[f.Type].Kind() == reflect.String) {
				t.Errorf("%s.%s: Ptr gives %s for a %s field", d.Kind, f.Name, p.Type(), f.Type)
			}
			if p.Pointer() != reflect.ValueOf(o).Pointer()+sf.Offset {
				t.Errorf("%s.%s: Ptr points to another field", d.Kind, f.Name)
			}
		}
		for i := 0; i < st.NumField(); i++ {
			if !described[st.Field(i).Name] {
				t.Errorf("%s.%s: not described in engine/kinds.go", d.Kind, st.Field(i).Name)
			}
		}
		if key := d.Fields[0].Name; key != "ID" && !(d.Kind == engine.KindFloorPlan && key == "FloorID") || !d.Fields[0].Key {
			t.Errorf("%s: the key is not described first", d.Kind)
		}
		// Versions only grow along the record.
		for i := 1; i < len(d.Fields); i++ {
			if max(d.Fields[i].Since, 1) < max(d.Fields[i-1].Since, 1) {
				t.Errorf("%s.%s: Since %d after a field of version %d: new fields go last", d.Kind, d.Fields[i].Name, d.Fields[i].Since, d.Fields[i-1].Since)
			}
		}
		// Plan items: every field but the lists reached by a described field.
		if pt, ok := planTypes[d.Kind]; ok {
			checkReached(t, d, "plan item", pt, planOnly, func(f *engine.Field, p any) []any { return []any{f.PlanPtr(p)} })
		}
		for i := range d.Fields {
			f := &d.Fields[i]
			if f.YAML != "" && !f.HasPlan() && f.Name != "Script" && f.Name != "Conditions" {
				t.Errorf("%s.%s: has a YAML key but no place in the plan item", d.Kind, f.Name)
			}
			if f.HasPlan() && f.YAML == "" {
				t.Errorf("%s.%s: in the plan item but without a YAML key", d.Kind, f.Name)
			}
		}
		// Documents: every field but the computed ones reached.
		if dt, ok := docTypes[d.Kind]; ok {
			checkReached(t, d, "document", dt, docOnly, func(f *engine.Field, p any) []any {
				if np := f.DocNamePtr(p); np != nil {
					return []any{f.DocPtr(p), np}
				}
				return []any{f.DocPtr(p)}
			})
		}
	}
}

// checkReached checks that every field of the struct item points to is
// reached by ptrs of some described field, except those named in skip.
func checkReached(t *testing.T, d *engine.KindDesc, what string, item any, skip []string, ptrs func(f *engine.Field, item any) []any) {
	t.Helper()
	fields := fieldAddrs(item)
	for i := range d.Fields {
		for _, p := range ptrs(&d.Fields[i], item) {
			if p == nil {
				continue
			}
			if _, ok := fields[addr(p)]; !ok {
				t.Errorf("%s.%s: points outside the %s", d.Kind, d.Fields[i].Name, what)
			}
			delete(fields, addr(p))
		}
	}
	for _, name := range fields {
		if !slices.Contains(skip, name) {
			t.Errorf("%s: %s field %s is not reached by any described field", d.Kind, what, name)
		}
	}
}

// The YAML value each provisionable field gets in the round trip, where
// the default (by the plan field's type) would not be valid.
var yamlValues = map[string]string{
	"device.HardwareID": "HW-1", "sensor.HardwareID": "HW-1-T",
	"roleassignment.RoleID":       "98e44ad7-28d4-4007-853b-b9968ad132d1",
	"roleassignment.Role":         "SpaceAdministrator",
	"roleassignment.ObjectName":   "f-Name",
	"roleassignment.ObjectIDType": "UserDefinedFunctionId",
	"propertykey.Name":            "PK1", "propertykey.PrimitiveDataType": "Int",
	"propertykey.Min": `"1"`, "propertykey.Max": `"9"`,
	"type.Category": "SpaceType", "type.Name": "Lab", "resource.Type": "IoTHub",
	"matcher.DataTypeValue": "Temperature", "userdefinedfunction.MatcherNames": "[m-Name]",
	"userdefinedfunction.Name": "f-Name", "matcher.Name": "m-Name",
	"userdefinedfunction.Script": "f.js", "none.Path": "$.dataType", "none.Value": `'"Temperature"'`,
}

// kindYAML writes the provisioning keys of every described field of d with
// a non-zero value, indented by ind; want collects the value each field
// should end with, as text.
func kindYAML(t *testing.T, v *engine.View, d *engine.KindDesc, ind string, want map[string]string, alt bool) string {
	t.Helper()
	var b strings.Builder
	plan := planTypes[d.Kind]
	for i := range d.Fields {
		f := &d.Fields[i]
		if f.YAML == "" || f.Name == "Conditions" {
			continue
		}
		key := d.Kind.String() + "." + f.Name
		val, ok := yamlValues[key]
		text := val // as YAML reads the scalar
		if len(val) > 1 && (val[0] == '"' || val[0] == '\'') {
			text = val[1 : len(val)-1]
		}
		if !ok {
			switch {
			case f.Type == engine.FieldTypeRef:
				for _, n := range v.EnabledTypeNames(f.Category, engine.NilID) {
					if n != "None" {
						val = n
					}
				}
			case len(f.Choices) > 0:
				val = f.Choices[len(f.Choices)-1]
			default:
				switch f.PlanPtr(plan).(type) {
				case *string:
					val = "v-" + f.Name
				case *int:
					val = "7"
				case *bool:
					val = "true"
				case *time.Duration:
					val = "250ms"
				case *[]string:
					val = "[x]"
				case *[]engine.PlanProperty:
					val = "{P" + d.Kind.String() + ": v}"
				default:
					t.Fatalf("%s: no sample YAML value for %T", key, f.PlanPtr(plan))
				}
			}
			text = val
		}
		yk := f.YAML
		if alt && len(f.YAMLAlts) > 0 {
			yk = f.YAMLAlts[len(f.YAMLAlts)-1]
		}
		fmt.Fprintf(&b, "%s%s: %s\n", ind, yk, val)
		want[key] = text
	}
	return b.String()
}

// TestKindsRoundTripEveryField gives every provisionable field of every
// kind a non-zero value in a provisioning file, reads it, provisions it
// into a project file, reopens the file and checks that each value
// arrived in the plan item, in the object and in its JSON document. A
// field not wired through the YAML reader, provisioning, the codec or
// the documents fails here. It runs twice: with the standard keys, and
// with the alternate spellings where a field has one (subtype …).
func TestKindsRoundTripEveryField(t *testing.T) {
	t.Run("keys", func(t *testing.T) { roundTrip(t, false) })
	t.Run("alternate keys", func(t *testing.T) { roundTrip(t, true) })
}

func roundTrip(t *testing.T, alt bool) {
	e, path := openEngine(t)
	want := map[string]string{}
	var doc string
	must(t, e.View(func(v *engine.View) error {
		k := func(kind engine.Kind, ind string) string {
			return kindYAML(t, v, engine.Describe(kind), ind, want, alt)
		}
		doc = "- " + strings.TrimPrefix(k(engine.KindSpace, "  "), "  ") +
			"  resources:\n  - " + strings.TrimPrefix(k(engine.KindResource, "    "), "    ") +
			"  propertykeys:\n  - " + strings.TrimPrefix(k(engine.KindPropertyKey, "    "), "    ") +
			"  types:\n  - " + strings.TrimPrefix(k(engine.KindType, "    "), "    ") +
			"  users:\n  - " + strings.TrimPrefix(k(engine.KindUser, "    "), "    ") +
			"  devices:\n  - " + strings.TrimPrefix(k(engine.KindDevice, "    "), "    ") +
			"    sensors:\n    - " + strings.TrimPrefix(k(engine.KindSensor, "      "), "      ") +
			"  matchers:\n  - " + strings.TrimPrefix(k(engine.KindMatcher, "    "), "    ") +
			"    conditions:\n    - " + strings.TrimPrefix(kindYAML(t, v, engine.ConditionDesc, "      ", want, alt), "      ") +
			"  userdefinedfunctions:\n  - " + strings.TrimPrefix(k(engine.KindUDF, "    "), "    ") +
			"  roleassignments:\n  - " + strings.TrimPrefix(k(engine.KindRoleAssignment, "    "), "    ")
		return nil
	}))
	plan, err := yaml.Parse("all.yaml", []byte(doc), func(string) ([]byte, error) { return []byte("function process() {}"), nil })
	if err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	// The plan items hold every value.
	root := plan.Spaces[0]
	items := map[engine.Kind]any{engine.KindSpace: root, engine.KindResource: root.Resources[0],
		engine.KindPropertyKey: root.PropertyKeys[0], engine.KindType: root.Types[0], engine.KindUser: root.Users[0],
		engine.KindDevice: root.Devices[0], engine.KindSensor: root.Devices[0].Sensors[0], engine.KindMatcher: root.Matchers[0],
		engine.KindUDF: root.UDFs[0], engine.KindRoleAssignment: root.RoleAssignments[0]}
	for k, item := range items {
		d := engine.Describe(k)
		for i := range d.Fields {
			if p := d.Fields[i].PlanPtr(item); p != nil && reflect.ValueOf(p).Elem().IsZero() {
				t.Errorf("%s.%s: zero in the plan item after reading %q", k, d.Fields[i].Name, d.Fields[i].YAML)
			}
		}
	}
	if _, err := e.Provision(plan); err != nil {
		t.Fatalf("%v\n%s", err, doc)
	}
	must(t, e.Close())
	e = reopen(t, path) // through the codec
	must(t, e.View(func(v *engine.View) error {
		sp := v.Roots()[0]
		dv, _ := v.DeviceByHardwareID(yamlValues["device.HardwareID"])
		se, _ := v.SensorByHardwareID(yamlValues["sensor.HardwareID"])
		objs := map[engine.Kind]engine.Object{engine.KindSpace: sp, engine.KindDevice: dv, engine.KindSensor: se,
			engine.KindUser: v.SpaceUsers(sp.ID)[0], engine.KindMatcher: v.Matchers()[0], engine.KindUDF: v.UDFs()[0],
			engine.KindRoleAssignment: v.RoleAssignments()[0], engine.KindResource: v.Resources()[0]}
		for _, k := range v.PropertyKeys() {
			if k.Name == yamlValues["propertykey.Name"] {
				objs[engine.KindPropertyKey] = k
			}
		}
		for _, x := range v.Types(engine.SpaceType) {
			if x.Name == want["type.Name"] {
				objs[engine.KindType] = x
			}
		}
		for k := range items {
			o := objs[k]
			if o == nil || reflect.ValueOf(o).IsNil() {
				t.Errorf("%s: not provisioned", k)
				continue
			}
			checkObject(t, v, engine.Describe(k), o, want)
		}
		m := objs[engine.KindMatcher].(*engine.Matcher)
		// The first condition is dataTypeValue's, the last the one written.
		checkObject(t, v, engine.ConditionDesc, engine.ConditionObject(&m.Conditions[len(m.Conditions)-1]), want)
		return nil
	}))
}

// checkObject checks that every field of o the plan gave a value has it,
// and that it shows in o's JSON document.
func checkObject(t *testing.T, v *engine.View, d *engine.KindDesc, o engine.Object, want map[string]string) {
	t.Helper()
	var doc map[string]any
	if dd := documentOf(v, o); dd != nil {
		b, err := json.Marshal(dd)
		must(t, err)
		must(t, json.Unmarshal(b, &doc))
	}
	kindName := d.Kind.String()
	if d == engine.ConditionDesc {
		kindName = "none"
	}
	for i := range d.Fields {
		f := &d.Fields[i]
		w, given := want[kindName+"."+f.Name]
		if !given || !f.HasObject() {
			continue
		}
		got := f.Text(v, o)
		switch {
		case f.Name == "Script" || f.Type == engine.FieldProperties:
			if got == "" {
				t.Errorf("%s.%s: empty after the round trip", d.Kind, f.Name)
			}
		case got != w:
			t.Errorf("%s.%s: %q after the round trip, want %q", d.Kind, f.Name, got, w)
		}
		if doc == nil || f.JSON == "" {
			continue
		}
		key := f.JSON
		if f.JSONName != "" {
			key = f.JSONName
		}
		if dv, ok := doc[key]; !ok || reflect.ValueOf(dv).IsZero() {
			t.Errorf("%s.%s: %q missing or empty in the JSON document", d.Kind, f.Name, key)
		} else if s, ok := dv.(string); ok && s != w {
			t.Errorf("%s.%s: %q is %q in the JSON document, want %q", d.Kind, f.Name, key, s, w)
		}
	}
}

// documentOf returns the JSON document of o, or nil for kinds without one.
func documentOf(v *engine.View, o engine.Object) any {
	switch x := o.(type) {
	case *engine.Space:
		return v.SpaceDoc(x, false)
	case *engine.Device:
		return v.DeviceDoc(x, false)
	case *engine.Sensor:
		return v.SensorDoc(x)
	case *engine.User:
		return v.UserDoc(x)
	}
	return nil
}

// TestKindsDocumentEveryField sets every document field of spaces,
// devices, sensors and users, including those provisioning does not set,
// and checks each shows in the JSON document under its key.
func TestKindsDocumentEveryField(t *testing.T) {
	e, _ := openEngine(t)
	must(t, e.View(func(v *engine.View) error {
		for k := range docTypes {
			d := engine.Describe(k)
			o := d.New()
			for i := range d.Fields {
				f := &d.Fields[i]
				must(t, f.Set(o, sampleValue(f)))
			}
			b, err := json.Marshal(documentOf(v, o))
			must(t, err)
			var doc map[string]any
			must(t, json.Unmarshal(b, &doc))
			for i := range d.Fields {
				f := &d.Fields[i]
				if f.JSON == "" {
					if f.HasObject() && strings.Contains(string(b), fmt.Sprint(f.Value(o))) && f.Type == engine.FieldString {
						t.Errorf("%s.%s: has no JSON key but its value is in the document", k, f.Name)
					}
					continue
				}
				for _, key := range []string{f.JSON, f.JSONName} {
					if key == "" {
						continue
					}
					if dv, ok := doc[key]; !ok || reflect.ValueOf(dv).IsZero() {
						t.Errorf("%s.%s: %q missing or empty in %s", k, f.Name, key, b)
					}
				}
			}
		}
		return nil
	}))
}

// sampleValue is a non-zero value for a field of type f.Type.
func sampleValue(f *engine.Field) any {
	switch f.Type {
	case engine.FieldString:
		return "v-" + f.Name
	case engine.FieldInt:
		return 7
	case engine.FieldTypeRef:
		return 1
	case engine.FieldBool:
		return true
	case engine.FieldID:
		return engine.MustParseID("01900000-0000-7000-8000-0000000000aa")
	case engine.FieldTime:
		return time.Date(2026, 3, 4, 5, 6, 7, 8, time.UTC)
	case engine.FieldDuration:
		return 250 * time.Millisecond
	case engine.FieldLocation:
		return &engine.Location{Longitude: 1, Latitude: 2, Elevation: 3}
	case engine.FieldProperties:
		return []engine.Property{{Name: "P", Value: "1"}}
	case engine.FieldIDs:
		return []engine.ID{engine.MustParseID("01900000-0000-7000-8000-0000000000bb")}
	case engine.FieldStrings:
		return []string{"a"}
	case engine.FieldInts:
		return []int{3}
	case engine.FieldConditions:
		return []engine.Condition{{Target: engine.TargetSensor, Path: "$.x", Value: "1", Comparison: engine.CompareEquals}}
	case engine.FieldJSON:
		if v, ok := jsonSamples[f.Name]; ok {
			return v()
		}
	}
	panic("no sample value for " + f.Type.String())
}

// jsonSamples make a non-zero value of each FieldJSON field, by name.
var jsonSamples = map[string]func() any{
	"Principal": func() any { return engine.Principal{Type: engine.ObjectUserID, ID: "u", UPN: "a@b.c"} },
	"Permissions": func() any {
		return []engine.Permission{{Actions: []engine.Action{engine.ActionRead}, ResourceTypes: []string{engine.ResSpace}}}
	},
	"Limits": func() any { lo := 20.0; return []engine.ValueLimit{{Name: "TemperatureSetpoint", Min: &lo}} },
	"Scale":  func() any { return 0.25 },
	"Width":  func() any { return 80.5 },
	"Height": func() any { return 50.0 },
	"Grid":   func() any { return 1.0 },
	"Shapes": func() any {
		return []engine.PlanShape{{SpaceID: engine.MustParseID("01900000-0000-7000-8000-0000000000cc"), Points: engine.Rect(1, 2, 3, 4)}}
	},
	"Items": func() any {
		return []engine.PlanItem{{ID: engine.MustParseID("01900000-0000-7000-8000-0000000000dd"), X: 1.5, Y: 2}}
	},
}

// TestKindsCloneIsDeep checks that a clone shares no memory with the
// original: changing any list element or location of the clone leaves the
// original as it was.
func TestKindsCloneIsDeep(t *testing.T) {
	for _, d := range engine.Kinds() {
		o := d.New()
		for i := range d.Fields {
			if d.Fields[i].HasObject() {
				must(t, d.Fields[i].Set(o, sampleValue(&d.Fields[i])))
			}
		}
		c := d.Clone(o)
		if !reflect.DeepEqual(c, o) || c == o {
			t.Fatalf("%s: clone %+v of %+v", d.Kind, c, o)
		}
		for i := range d.Fields {
			f := &d.Fields[i]
			switch p := f.Ptr(c).(type) {
			case **engine.Location:
				(*p).Latitude = 99
			case *[]engine.Property:
				(*p)[0].Value = "changed"
			case *[]engine.ID:
				(*p)[0] = engine.NilID
			case *[]string:
				(*p)[0] = "changed"
			case *[]int:
				(*p)[0] = 99
			case *[]engine.Condition:
				(*p)[0].Path = "changed"
			case *[]engine.Permission:
				(*p)[0].ResourceTypes[0] = "changed"
			case *[]engine.ValueLimit:
				*(*p)[0].Min = 99
			case *[]engine.PlanShape:
				(*p)[0].Points[0].X = 99
			case *[]engine.PlanItem:
				(*p)[0].X = 99
			}
			if f.HasObject() && !reflect.DeepEqual(f.Value(o), sampleValue(f)) {
				t.Errorf("%s.%s: changing the clone changed the original", d.Kind, f.Name)
			}
		}
	}
}

// TestKindsReplace edits objects of several kinds the way the studio's
// inspector does: look the object up, clone it, set a field by its
// description, replace it.
func TestKindsReplace(t *testing.T) {
	e, _ := openEngine(t)
	_, err := e.Provision(quickstartPlan())
	must(t, err)
	var refs []engine.Object
	must(t, e.View(func(v *engine.View) error {
		d, _ := v.DeviceByHardwareID("1234567890AB")
		s, _ := v.SensorByHardwareID("SAMPLE_SENSOR_MOTION")
		refs = append(refs, v.Roots()[0], d, s, v.Matchers()[0], v.UDFs()[0])
		return nil
	}))
	for _, o := range refs {
		d := engine.DescribeObject(o)
		must(t, e.Update(func(tx *engine.Tx) error {
			cur, ok := tx.Object(d.Kind, o.ObjectKey())
			if !ok {
				t.Fatalf("%s %s not found", d.Kind, o.ObjectKey())
			}
			c := d.Clone(cur)
			must(t, d.Field("Name").Set(c, "Renamed"))
			return tx.Replace(c)
		}))
		must(t, e.View(func(v *engine.View) error {
			got, _ := v.Object(d.Kind, o.ObjectKey())
			if n := d.Field("Name").Value(got); n != "Renamed" {
				t.Errorf("%s: name %v after Replace", d.Kind, n)
			}
			if d.Field("Name").Value(o) == "Renamed" {
				t.Errorf("%s: the original changed", d.Kind)
			}
			return nil
		}))
	}
	err = e.Update(func(tx *engine.Tx) error { return tx.Replace(&engine.Ontology{ID: 1}) })
	if !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("replacing an ontology: %v", err)
	}
}
