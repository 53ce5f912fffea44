package dtdl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/dtdl"
)

// room is an Interface dtmi:x:Room;1 extending Space with contents.
func room(contents string) string {
	return `{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Room;1", "@type": "Interface",
	"extends": "dtmi:twinstudio:Space;1", "contents": [` + contents + `]}`
}

func TestSchemaMapping(t *testing.T) {
	for _, tc := range []struct {
		schema, prim, vdata string
	}{
		{`"string"`, "String", ""},
		{`"boolean"`, "Bool", ""},
		{`"integer"`, "Int", ""},
		{`"short"`, "Int", ""},
		{`"unsignedInteger"`, "UInt", ""},
		{`"long"`, "Long", ""},
		{`"dateTime"`, "DateTime", ""},
		{`"double"`, "String", `^[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$`},
		{`"date"`, "String", ""},
		{`{"@type": "Enum", "valueSchema": "string", "enumValues": [{"name": "a", "enumValue": "A"}, {"name": "b", "enumValue": "B b"}]}`, "Enum", "A;B b"},
		{`{"@type": "Enum", "valueSchema": "integer", "enumValues": [{"name": "one", "enumValue": 1}, {"name": "two", "enumValue": 2}]}`, "Enum", "1;2"},
		{`{"@type": "Array", "elementSchema": "string"}`, "Set", ""},
		{`{"@type": "Array", "elementSchema": {"@type": "Enum", "valueSchema": "string", "enumValues": [{"name": "x", "enumValue": "x"}]}}`, "Set", "x"},
		{`{"@type": "Array", "elementSchema": "double"}`, "Json", ""},
		{`{"@type": "Object", "fields": [{"name": "a", "schema": "string"}]}`, "Json", ""},
		{`{"@type": "Map", "mapKey": {"name": "k", "schema": "string"}, "mapValue": {"name": "v", "schema": "string"}}`, "Json", ""},
		{`"dtmi:x:Colour;1"`, "Enum", "red;green"},
	} {
		doc := `[` + room(`{"@type": "Property", "name": "p", "schema": `+tc.schema+`}`) + `,
		{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Other;1", "@type": "Interface", "extends": "dtmi:x:Room;1",
		 "schemas": [{"@id": "dtmi:x:Colour;1", "@type": "Enum", "valueSchema": "string",
		  "enumValues": [{"name": "red", "enumValue": "red"}, {"name": "green", "enumValue": "green"}]}]}]`
		set, err := dtdl.Parse("m.json", []byte(doc))
		if err != nil {
			t.Errorf("%s: %v", tc.schema, err)
			continue
		}
		if len(set.Keys) != 1 {
			t.Errorf("%s: keys %+v", tc.schema, set.Keys)
			continue
		}
		k := set.Keys[0].Key
		if k.Name != "p" || k.Scope != "Spaces" || k.PrimitiveDataType != tc.prim || k.ValidationData != tc.vdata {
			t.Errorf("%s: key %+v, want %s %q", tc.schema, k, tc.prim, tc.vdata)
		}
	}
}

// TestCategories: the category comes from the base an Interface extends,
// through other interfaces of the file; names from displayName or @id.
func TestCategories(t *testing.T) {
	doc := `[
	{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Gadget;1", "@type": "Interface", "extends": "dtmi:twinstudio:Device;1",
	 "contents": [{"@type": "Property", "name": "Serial", "schema": "string"}, {"@type": "Telemetry", "name": "t", "schema": "double"}]},
	{"@context": ["dtmi:dtdl:context;2"], "@id": "dtmi:x:Smart_Gadget;1", "@type": "Interface", "extends": ["dtmi:x:Gadget;1"],
	 "displayName": {"en": "Smart gadget"}},
	{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Glow;1", "@type": "Interface", "extends": "dtmi:twinstudio:Sensor;1", "displayName": "Glow"},
	{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Hall;1", "@type": "Interface", "description": "a big room"}
	]`
	set, err := dtdl.Parse("m.json", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ty := range set.Types {
		got = append(got, string(ty.Category)+":"+ty.Name+":"+ty.Description)
	}
	want := "DeviceType:Gadget: DeviceType:SmartGadget: SensorDataType:Glow: SpaceType:Hall:a big room"
	if strings.Join(got, " ") != want {
		t.Errorf("types %q, want %q", strings.Join(got, " "), want)
	}
	if len(set.Keys) != 1 || set.Keys[0].Key.Scope != "Devices" || set.Keys[0].Key.Name != "Serial" {
		t.Errorf("keys %+v", set.Keys)
	}
	if len(set.Warnings) != 2 || !strings.Contains(set.Warnings[0], "contents[1] of dtmi:x:Gadget;1: telemetry t skipped") ||
		!strings.Contains(set.Warnings[1], "dtmi:x:Hall;1: extends no twinstudio base") {
		t.Errorf("warnings %q", set.Warnings)
	}
}

func TestParseErrors(t *testing.T) {
	iface := func(id, rest string) string {
		return `{"@context": "dtmi:dtdl:context;3", "@id": "` + id + `", "@type": "Interface"` + rest + `}`
	}
	for _, tc := range []struct{ doc, want string }{
		{`nope`, `m.json: engine: invalid: not JSON`},
		{`[1]`, `m.json: [0]: engine: invalid: an Interface must be a JSON object`},
		{`{}`, `m.json: [0]: engine: invalid: @id (missing) is not a valid DTMI`},
		{iface("dtmi:x:Room", ""), `m.json: [0]: engine: invalid: @id "dtmi:x:Room" is not a valid DTMI`},
		{`{"@id": "dtmi:x:R;1", "@type": "Interface"}`, `m.json: dtmi:x:R;1: engine: invalid: @context must be dtmi:dtdl:context;3`},
		{`{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:R;1", "@type": "Telemetry"}`, `m.json: dtmi:x:R;1: engine: invalid: @type must be Interface`},
		{`[` + iface("dtmi:x:R;1", "") + `,` + iface("dtmi:x:R;1", "") + `]`, `m.json: [1]: engine: invalid: @id dtmi:x:R;1 appears twice`},
		{iface("dtmi:x:R;1", `, "extends": "dtmi:y:Base;1"`), `m.json: dtmi:x:R;1: engine: invalid: extends dtmi:y:Base;1, which is neither in the file nor a twinstudio base`},
		{`[` + iface("dtmi:x:A;1", `, "extends": "dtmi:x:B;1"`) + `,` + iface("dtmi:x:B;1", `, "extends": "dtmi:x:A;1"`) + `]`, `cycle`},
		{iface("dtmi:x:R;1", `, "extends": ["dtmi:twinstudio:Space;1", "dtmi:twinstudio:Device;1"]`), `m.json: dtmi:x:R;1: engine: invalid: extends both`},
		{iface("dtmi:x:R;1", `, "extends": {"@type": "Interface"}`), `extends must be a DTMI or an array of DTMIs`},
		{iface("dtmi:x:R;1", `, "contents": {}`), `m.json: dtmi:x:R;1: engine: invalid: contents must be an array`},
		{room(`{"@type": "Property", "name": "p", "schema": "string"}, {"@type": "Property", "name": "q", "schema": "Map"}`),
			`m.json: contents[1] of dtmi:x:Room;1: engine: invalid: schema "Map" is not supported`},
		{room(`{"@type": "Property", "name": "p", "schema": {"@type": "Unknown"}}`), `contents[0] of dtmi:x:Room;1: engine: invalid: schema "Unknown" is not supported`},
		{room(`{"@type": "Property", "name": "p", "schema": "dtmi:x:Nope;1"}`), `schema dtmi:x:Nope;1 is not defined in the file`},
		{room(`{"@type": "Property", "name": "p"}`), `contents[0] of dtmi:x:Room;1: engine: invalid: schema is missing`},
		{room(`{"@type": "Property", "name": "1p", "schema": "string"}`), `contents[0] of dtmi:x:Room;1: engine: invalid: name "1p" is not a DTDL name`},
		{room(`{"@type": "Component", "name": "c", "schema": "dtmi:x:C;1"}`), `contents[0] of dtmi:x:Room;1: engine: invalid: Component c is not supported`},
		{room(`{"@type": "Foo", "name": "c"}`), `@type "Foo" is not Property`},
		{room(`{"@type": "Property", "name": "p", "schema": {"@type": "Enum", "valueSchema": "string", "enumValues": [{"name": "a", "enumValue": "a;b"}]}}`), `holds ';' or ','`},
		{room(`{"@type": "Property", "name": "p", "schema": "string", "comment": "twinstudio:{\"primitiveDataType\": \"Float\"}"}`), `comment: primitiveDataType "Float" is not a property key type`},
		{room(`{"@type": "Property", "name": "p", "schema": "string", "comment": "twinstudio:{bad"}`), `contents[0] of dtmi:x:Room;1: engine: invalid: comment: twinstudio note`},
		{`[` + room(`{"@type": "Property", "name": "p", "schema": "string"}`) + `,` + iface("dtmi:x:Hall;1", `, "extends": "dtmi:twinstudio:Space;1", "contents": [{"@type": "Property", "name": "p", "schema": "integer"}]`) + `]`,
			`contents[0] of dtmi:x:Hall;1: engine: invalid: property p of Spaces is defined differently in contents[0] of dtmi:x:Room;1`},
		{`[` + iface("dtmi:x:Hall;1", `, "extends": "dtmi:twinstudio:Space;1"`) + `,` + iface("dtmi:y:Hall;1", `, "extends": "dtmi:twinstudio:Space;1"`) + `]`,
			`dtmi:y:Hall;1: engine: invalid: SpaceType "Hall" is also made from dtmi:x:Hall;1`},
		{strings.Repeat("[", 40) + strings.Repeat("]", 40), `nested deeper than 32`},
		{`{} {}`, `more than one JSON value`},
	} {
		_, err := dtdl.Parse("m.json", []byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%.60s…: error %v, want %q", tc.doc, err, tc.want)
			continue
		}
		if !errors.Is(err, engine.ErrInvalid) {
			t.Errorf("%v does not wrap engine.ErrInvalid", err)
		}
	}
}

// TestImportAllOrNothing: a key the engine refuses (a bad regex) fails
// the import and leaves the types of the same file uncreated.
func TestImportAllOrNothing(t *testing.T) {
	e := openProject(t)
	doc := `[{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:Bench;1", "@type": "Interface", "extends": "dtmi:twinstudio:Space;1"},
	` + room(`{"@type": "Property", "name": "p", "schema": "string", "comment": "twinstudio:{\"validationData\": \"([\"}"}`) + `]`
	before := export(t, e)
	_, err := importData(t, e, "m.json", []byte(doc))
	if err == nil || !strings.HasPrefix(err.Error(), "m.json: contents[0] of dtmi:x:Room;1: engine: invalid: property key p: validationData is not a regex") {
		t.Fatalf("error %v", err)
	}
	if after := export(t, e); string(after) != string(before) {
		t.Fatal("a failed import changed the project")
	}
}

func TestReadFileLimits(t *testing.T) {
	if _, err := dtdl.ReadFile(t.TempDir()); err == nil || !errors.Is(err, engine.ErrInvalid) {
		t.Errorf("directory: %v", err)
	}
	big := writeFile(t, "big.json", `"`+strings.Repeat("x", dtdl.MaxFileSize)+`"`)
	if _, err := dtdl.ReadFile(big); !errors.Is(err, dtdl.ErrTooLarge) {
		t.Errorf("big file: %v", err)
	}
}

// FuzzParse: Parse never panics, and what it accepts has valid names.
func FuzzParse(f *testing.F) {
	f.Add([]byte(room(`{"@type": "Property", "name": "p", "schema": {"@type": "Array", "elementSchema": "string"}}`)))
	f.Add([]byte(`[{"@context": "dtmi:dtdl:context;3", "@id": "dtmi:x:A;1", "@type": "Interface", "extends": ["dtmi:x:A;1"]}]`))
	f.Add([]byte(room(`{"@type": "Property", "name": "p", "schema": "dtmi:x:S;1", "comment": "twinstudio:{\"name\":\"q\"}"}`)))
	f.Add([]byte(`{"@id": 3}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := dtdl.Parse("f.json", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		for _, ty := range set.Types {
			if ty.Name == "" || ty.Category == "" {
				t.Fatalf("type %+v", ty)
			}
		}
	})
}
