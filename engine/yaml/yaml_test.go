package yaml_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// scripts is the readScript of most tests: "ok.js" exists, nothing else.
func scripts(rel string) ([]byte, error) {
	if rel == "ok.js" {
		return []byte("function process(telemetry, executionContext) {}\n"), nil
	}
	return nil, &fs.PathError{Op: "open", Path: "/somewhere/" + rel, Err: fs.ErrNotExist}
}

// dump writes a plan as one line per item: kind, line, the lines of its
// fields, and its non-empty values. Scripts are shown by length.
func dump(p *engine.Plan) string {
	var b strings.Builder
	var walk func(v reflect.Value, depth int)
	walk = func(v reflect.Value, depth int) {
		if v.Kind() == reflect.Pointer {
			v = v.Elem()
		}
		t := v.Type()
		src := v.FieldByName("Src").Interface().(engine.Src)
		var fields []string
		for k, l := range src.Fields {
			fields = append(fields, fmt.Sprintf("%s:%d", k, l))
		}
		sort.Strings(fields)
		fmt.Fprintf(&b, "%s%s @%d {%s}", strings.Repeat("  ", depth), strings.TrimPrefix(t.Name(), "Plan"), src.Pos.Line, strings.Join(fields, " "))
		var lists []reflect.Value
		for i := 0; i < t.NumField(); i++ {
			f, fv := t.Field(i), v.Field(i)
			switch {
			case f.Name == "Src":
			case f.Name == "Script":
				if fv.Len() > 0 {
					fmt.Fprintf(&b, " Script=<%d bytes>", fv.Len())
				}
			case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.String:
				if fv.Len() > 0 {
					fmt.Fprintf(&b, " %s=%q", f.Name, fv.Interface())
				}
			case fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() == reflect.Uint8:
				if fv.Len() > 0 {
					fmt.Fprintf(&b, " %s=<%d bytes>", f.Name, fv.Len())
				}
			case fv.Kind() == reflect.Slice && hasSrc(fv.Type().Elem()):
				if fv.Len() > 0 {
					lists = append(lists, fv)
				}
			case fv.Kind() == reflect.Pointer && hasSrc(fv.Type()):
				if !fv.IsNil() {
					lists = append(lists, reflect.ValueOf([]any{fv.Interface()}))
				}
			case fv.Kind() == reflect.Slice:
				if fv.Len() > 0 {
					fmt.Fprintf(&b, " %s=%v", f.Name, fv.Interface())
				}
			case !fv.IsZero():
				fmt.Fprintf(&b, " %s=%q", f.Name, fmt.Sprint(fv.Interface()))
			}
		}
		b.WriteString("\n")
		for _, l := range lists {
			for i := 0; i < l.Len(); i++ {
				x := l.Index(i)
				if x.Kind() == reflect.Interface {
					x = x.Elem()
				}
				walk(x, depth+1)
			}
		}
	}
	fmt.Fprintf(&b, "Plan %s\n", p.File)
	for _, s := range p.Spaces {
		walk(reflect.ValueOf(s), 1)
	}
	return b.String()
}

// hasSrc reports whether t (or what it points to) is a plan item.
func hasSrc(t reflect.Type) bool {
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	_, ok := t.FieldByName("Src")
	return t.Kind() == reflect.Struct && ok
}

func TestQuickstart(t *testing.T) {
	path := filepath.Join("..", "..", "examples", "quickstart", "provision.yaml")
	p, err := yaml.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := `Plan ` + path + `
  Space @8 {name:8 resources:10 spaces:12 type:9} Name="Quickstart Building" Type="Venue"
    Resource @11 {type:11} Type="IoTHub"
    Space @13 {name:13 plan:17 spaces:32 type:14} Name="Floor 1" Type="Floor"
      Space @33 {name:33 type:34} Name="Area A" Type="Area"
      Space @35 {name:35 subType:37 type:36} Name="Conference Room 11" Type="Room" Subtype="ConferenceRoom"
      Space @38 {devices:41 matchers:51 name:38 roleassignments:65 subType:40 type:39 userdefinedfunctions:58} Name="Focus Room A1" Type="Room" Subtype="FocusRoom"
        Device @42 {hardwareId:43 name:42 sensors:44} Name="Raspberry Pi 3 A1" HardwareID="1234567890AB"
          Sensor @45 {dataType:45 hardwareId:46} HardwareID="SAMPLE_SENSOR_MOTION" DataType="Motion"
          Sensor @47 {dataType:47 hardwareId:48} HardwareID="SAMPLE_SENSOR_CARBONDIOXIDE" DataType="CarbonDioxide"
        Matcher @52 {dataTypeValue:53 name:52} Name="Matcher Motion A1" DataTypeValue="Motion"
        Matcher @54 {dataTypeValue:55 name:54} Name="Matcher CarbonDioxide A1" DataTypeValue="CarbonDioxide"
        UDF @59 {matcherNames:60 name:59 script:64} Name="Motion Processor" MatcherNames=["Matcher Motion A1" "Matcher CarbonDioxide A1"] ScriptPath="userDefinedFunctions/availability.js" Script=<SIZE bytes>
        RoleAssignment @66 {objectIdType:68 objectName:67 roleId:66} RoleID="98e44ad7-28d4-4007-853b-b9968ad132d1" ObjectName="Motion Processor" ObjectIDType="UserDefinedFunctionId"
      Floor @17 {devices:29 grid:21 height:20 rooms:22 scale:18 width:19} Scale="0.5" Width="44" Height="28" Grid="1"
        FloorRoom @23 {rect:24 space:23} Space="Area A" Points=[{2 2} {24 2} {24 26} {2 26}]
        FloorRoom @25 {rect:26 space:25} Space="Conference Room 11" Points=[{24 2} {42 2} {42 14} {24 14}]
        FloorRoom @27 {rect:28 space:27} Space="Focus Room A1" Points=[{24 14} {42 14} {42 26} {24 26}]
        FloorDevice @30 {at:31 hardwareId:30} HardwareID="1234567890AB" X="36" Y="22"
`
	js, err := os.ReadFile(filepath.Join("..", "..", "examples", "quickstart", "userDefinedFunctions", "availability.js"))
	if err != nil {
		t.Fatal(err)
	}
	want = strings.Replace(want, "SIZE", fmt.Sprint(len(js)), 1)
	if got := dump(p); got != want {
		t.Errorf("quickstart plan:\n%s\nwant:\n%s", got, want)
	}
	udf := p.Spaces[0].Spaces[0].Spaces[2].UDFs[0]
	if udf.Script != string(js) {
		t.Errorf("script not loaded")
	}
	for _, s := range []string{"getSensorMetadata", "setSensorValue", "ChildSensors", "setSpaceValue", "AvailableAndFresh", "Notify", "sendNotification"} {
		if !strings.Contains(udf.Script, s) {
			t.Errorf("availability.js does not use %s", s)
		}
	}
}

// TestSmartOffice checks the shape of the larger example.
func TestSmartOffice(t *testing.T) {
	p, err := yaml.ReadFile(filepath.Join("..", "..", "examples", "smart-office", "provision.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Spaces) != 1 || p.Spaces[0].Name != "Smart Office" || p.Spaces[0].Type != "Building" {
		t.Fatalf("root: %+v", p.Spaces)
	}
	b := p.Spaces[0]
	if len(b.Resources) != 1 || b.Resources[0].Type != "IoTHub" || len(b.UDFs) != 1 || len(b.Matchers) != 2 || len(b.RoleAssignments) != 1 {
		t.Errorf("building: resources %d, udfs %d, matchers %d, role assignments %d", len(b.Resources), len(b.UDFs), len(b.Matchers), len(b.RoleAssignments))
	}
	if len(b.Properties) == 0 || b.Properties[0].Name != "Address" {
		t.Errorf("building properties: %+v", b.Properties)
	}
	if !strings.Contains(b.UDFs[0].Script, "setSpaceValue") {
		t.Errorf("UDF script not loaded")
	}
	if len(b.Spaces) != 3 {
		t.Fatalf("%d floors", len(b.Spaces))
	}
	hw := map[string]bool{}
	rooms, sensors, humidity := 0, 0, 0
	for _, f := range b.Spaces {
		if f.Type != "Floor" || len(f.Matchers) != 2 {
			t.Errorf("floor %s: type %s, %d matchers", f.Name, f.Type, len(f.Matchers))
		}
		for _, r := range f.Spaces {
			rooms++
			if len(r.Devices) != 1 {
				t.Errorf("%s: %d devices", r.Name, len(r.Devices))
				continue
			}
			d := r.Devices[0]
			if hw[d.HardwareID] {
				t.Errorf("hardwareId %s twice", d.HardwareID)
			}
			hw[d.HardwareID] = true
			types := map[string]bool{}
			for _, s := range d.Sensors {
				sensors++
				types[s.DataType] = true
				if hw[s.HardwareID] || !strings.HasPrefix(s.HardwareID, d.HardwareID+"-") {
					t.Errorf("sensor hardwareId %s", s.HardwareID)
				}
				hw[s.HardwareID] = true
			}
			for _, dt := range []string{"Motion", "CarbonDioxide", "Temperature", "Light"} {
				if !types[dt] {
					t.Errorf("%s has no %s sensor", r.Name, dt)
				}
			}
			if types["Humidity"] {
				humidity++
			}
			if types["Humidity"] != (r.Subtype == "ConferenceRoom") {
				t.Errorf("%s (%s): humidity sensor %v", r.Name, r.Subtype, types["Humidity"])
			}
		}
	}
	if rooms < 55 || rooms > 65 {
		t.Errorf("%d rooms", rooms)
	}
	t.Logf("%d rooms, %d sensors (%d humidity)", rooms, sensors, humidity)
}

// aliasBomb is a "billion laughs": each anchor holds ten of the previous.
func aliasBomb() string {
	bomb := "- &s0 {name: n}\n"
	for i := 1; i <= 9; i++ {
		bomb += fmt.Sprintf("- &s%d {name: n, spaces: [%s*s%d]}\n", i, strings.Repeat(fmt.Sprintf("*s%d, ", i-1), 9), i-1)
	}
	return bomb
}

// errorCases are inputs that Parse must refuse with exactly that message
// (file f.yaml, readScript scripts), wrapping is.
var errorCases = []struct {
	name, in, want string
	is             error
}{
	{"syntax", "- name: a\n  type: x\n  devices: [x\n", "f.yaml:3: bad YAML: did not find expected ',' or ']'", yaml.ErrSyntax},
	{"syntax first line", "- [x, y", "f.yaml:1: bad YAML: did not find expected ',' or ']'", yaml.ErrSyntax},
	{"syntax at end", "- name: a\n  devices: [x\n\n", "f.yaml:2: bad YAML: did not find expected ',' or ']'", yaml.ErrSyntax},
	{"syntax key", "- name: a\n  type: x\n  - devices\n", "f.yaml:3: bad YAML: did not find expected key", yaml.ErrSyntax},
	{"syntax indicator", "- name: a\n  devices: x\n bad: 2\n", "f.yaml:3: bad YAML: did not find expected '-' indicator", yaml.ErrSyntax},
	{"syntax scanner", "- name: a\n  type: x\n  devices: x: y\n", "f.yaml:3: bad YAML: mapping values are not allowed in this context", yaml.ErrSyntax},
	{"control character", "- name: a\n  type: \x01\n", "f.yaml:2: bad YAML: control characters are not allowed", yaml.ErrSyntax},
	{"invalid UTF-8", "- name: a\n\n  type: \xff\n", "f.yaml:3: bad YAML: invalid leading UTF-8 octet", yaml.ErrSyntax},
	{"tab", "- name: a\n\ttype: x\n", "f.yaml:2: bad YAML: found a tab character that violates indentation", yaml.ErrSyntax},
	{"unknown anchor", "- name: a\n  type: *nope\n", "f.yaml:2: bad YAML: unknown anchor 'nope' referenced", yaml.ErrSyntax},
	{"two documents", "- name: a\n---\n- name: b\n", "f.yaml:2: bad YAML: more than one document; put all root spaces in one list", yaml.ErrSyntax},
	{"duplicate key", "- name: a\n  type: Venue\n  name: b\n", `f.yaml:3: bad YAML: mapping key "name" already defined at line 1`, yaml.ErrSyntax},
	{"empty", "", "f.yaml: no spaces", engine.ErrInvalid},
	{"comments only", "# nothing here\n", "f.yaml: no spaces", engine.ErrInvalid},
	{"empty list", "[]\n", "f.yaml:1: no spaces", engine.ErrInvalid},
	{"not a list", "name: Building\ntype: Venue\n", `f.yaml:1: want a list of spaces at the top level, got a map (start each root space with "- name: ...")`, engine.ErrInvalid},
	{"scalar document", "hello\n", `f.yaml:1: want a list of spaces at the top level, got the string "hello" (start each root space with "- name: ...")`, engine.ErrInvalid},
	{"root item not a map", "- name: a\n- Floor 1\n", `f.yaml:2: want a space (a map of keys), got the string "Floor 1"`, engine.ErrInvalid},
	{"device not a map", "- name: a\n  devices:\n  - 5\n", "f.yaml:3: devices: want a device (a map of keys), got the integer 5", engine.ErrInvalid},
	{"null sensor", "- name: a\n  devices:\n  - name: d\n    sensors:\n    -\n", "f.yaml:5: sensors: want a sensor (a map of keys), got nothing (null)", engine.ErrInvalid},
	{"unknown key suggested", "- name: a\n  devices:\n  - name: d\n    hardwareID: X1\n", `f.yaml:4: unknown key "hardwareID" in device (did you mean "hardwareId"?)`, yaml.ErrUnknownKey},
	{"unknown key typo", "- name: a\n  spaces:\n  - name: b\n    devcies: []\n", `f.yaml:4: unknown key "devcies" in space (did you mean "devices"?)`, engine.ErrUnknownKey},
	{"unknown key case", "- name: a\n  SubType: FocusRoom\n", `f.yaml:2: unknown key "SubType" in space (did you mean "subType"?)`, yaml.ErrUnknownKey},
	{"unknown key alternate", "- name: a\n  userDefinedFunction: []\n", `f.yaml:2: unknown key "userDefinedFunction" in space (did you mean "userDefinedFunctions"?)`, yaml.ErrUnknownKey},
	{"unknown key no suggestion", "- name: a\n  colour: red\n", `f.yaml:2: unknown key "colour" in space`, yaml.ErrUnknownKey},
	{"unknown key in sensor", "- name: a\n  devices:\n  - name: d\n    sensors:\n    - {dataType: Motion, unit: x}\n", `f.yaml:5: unknown key "unit" in sensor`, yaml.ErrUnknownKey},
	{"both spellings", "- name: a\n  subType: FocusRoom\n  subtype: Office\n", `f.yaml:3: subtype: given twice (also as "subType" at line 2)`, engine.ErrDuplicate},
	{"missing space name", "- name: a\n  spaces:\n  - type: Floor\n", "f.yaml:3: name: missing (a space needs a name)", engine.ErrInvalid},
	{"empty space name", "- name: ''\n", "f.yaml:1: name: missing (a space needs a name)", engine.ErrInvalid},
	{"null space name", "- name:\n  type: Venue\n", "f.yaml:1: name: missing (a space needs a name)", engine.ErrInvalid},
	{"missing device name", "- name: a\n  devices:\n  - hardwareId: X1\n", "f.yaml:3: name: missing (a device needs a name)", engine.ErrInvalid},
	{"missing matcher name", "- name: a\n  matchers:\n  - dataTypeValue: Motion\n", "f.yaml:3: name: missing (a matcher needs a name)", engine.ErrInvalid},
	{"spaces not a list", "- name: a\n  spaces: 5\n", "f.yaml:2: spaces: want a list of spaces, got the integer 5", engine.ErrInvalid},
	{"devices a map", "- name: a\n  devices: {name: d}\n", "f.yaml:2: devices: want a list of devices, got a map", engine.ErrInvalid},
	{"name a list", "- name: [a, b]\n", "f.yaml:1: name: want a string, got a list", engine.ErrInvalid},
	{"pollRate string", "- name: a\n  devices:\n  - name: d\n    sensors:\n    - dataType: Motion\n      pollRate: often\n", `f.yaml:6: pollRate: want an integer, got the string "often"`, engine.ErrInvalid},
	{"pollRate float", "- name: a\n  devices:\n  - name: d\n    sensors:\n    - pollRate: 1.5\n", "f.yaml:5: pollRate: want an integer, got the number 1.5", engine.ErrInvalid},
	{"disabled", "- name: a\n  userdefinedfunctions:\n  - name: u\n    script: ok.js\n    disabled: maybe\n", `f.yaml:5: disabled: want true or false, got the string "maybe"`, engine.ErrInvalid},
	{"matcherNames map", "- name: a\n  userdefinedfunctions:\n  - name: u\n    matcherNames: {a: b}\n", "f.yaml:4: matcherNames: want a list of names, got a map", engine.ErrInvalid},
	{"properties scalar", "- name: a\n  properties: 5\n", "f.yaml:2: properties: want a map of Key: value, got the integer 5", engine.ErrInvalid},
	{"property value list", "- name: a\n  properties:\n    Address: [1, 2]\n", "f.yaml:3: properties.Address: want a single value, got a list", engine.ErrInvalid},
	{"property list without name", "- name: a\n  properties:\n  - value: 1\n", "f.yaml:3: name: missing (a property needs a name)", engine.ErrInvalid},
	{"condition value map", "- name: a\n  matchers:\n  - name: m\n    conditions:\n    - {target: Sensor, value: {a: 1}}\n", "f.yaml:5: value: want a value, got a map", engine.ErrInvalid},
	{"missing script", "- name: a\n  userdefinedfunctions:\n  - name: u\n    matcherNames: [m]\n    script: udfs/x.js\n", `f.yaml:5: script: cannot read "udfs/x.js": no such file`, yaml.ErrScript},
	{"complex key", "- name: a\n  ? [x, y]\n  : b\n", "f.yaml:2: want a plain key, got a list", engine.ErrInvalid},
	{"bad merge", "- <<: 5\n  name: a\n", "f.yaml:1: <<: want a map or a list of maps to merge, got the integer 5", engine.ErrInvalid},
	{"role unknown key", "- name: a\n  roles:\n  - name: r\n    limit: x\n", `f.yaml:4: unknown key "limit" in role (did you mean "limits"?)`, yaml.ErrUnknownKey},
	{"role without name", "- name: a\n  roles:\n  - permissions: [\"Read: everything\"]\n", "f.yaml:3: name: missing (a role needs a name)", engine.ErrInvalid},
	{"role permissions map", "- name: a\n  roles:\n  - name: r\n    permissions: {Read: everything}\n", "f.yaml:4: permissions: want a list of texts, got a map", engine.ErrInvalid},
	{"role limit not a text", "- name: a\n  roles:\n  - name: r\n    limits:\n    - [x]\n", "f.yaml:5: limits: want a text, got a list", engine.ErrInvalid},
	{"roles a map", "- name: a\n  roles: {name: r}\n", "f.yaml:2: roles: want a list of roles, got a map", engine.ErrInvalid},
	{"alias cycle", "- &a\n  name: x\n  spaces: [*a]\n", "f.yaml:3: alias *a refers to itself", engine.ErrInvalid},
	{"alias bomb", aliasBomb(), "f.yaml:6: aliases expand to more than 100000 nodes", engine.ErrInvalid},
}

func TestErrors(t *testing.T) {
	for _, c := range errorCases {
		t.Run(c.name, func(t *testing.T) {
			p, err := yaml.Parse("f.yaml", []byte(c.in), scripts)
			if err == nil {
				t.Fatalf("no error; plan:\n%s", dump(p))
			}
			if err.Error() != c.want {
				t.Errorf("error\n got %s\nwant %s", err, c.want)
			}
			if !errors.Is(err, c.is) {
				t.Errorf("error %q is not %v", err, c.is)
			}
			var pe *engine.PosError
			if !errors.As(err, &pe) || pe.Pos.File != "f.yaml" {
				t.Errorf("error %#v is not a *engine.PosError naming f.yaml", err)
			}
		})
	}
}

func TestScriptErrorWrapsCause(t *testing.T) {
	_, err := yaml.Parse("f.yaml", []byte("- name: a\n  userdefinedfunctions:\n  - name: u\n    script: gone.js\n"), scripts)
	if !errors.Is(err, yaml.ErrScript) || !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("%v: want ErrScript and fs.ErrNotExist", err)
	}
}

func TestReadFileScripts(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "udfs"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "udfs", "a.js"), []byte("// a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "p.yaml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("- name: a\n  userdefinedfunctions:\n  - {name: u, script: udfs/a.js}\n  - {name: v, script: udfs/a.js}\n")
	p, err := yaml.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range p.Spaces[0].UDFs {
		if u.Script != "// a\n" || u.ScriptPath != "udfs/a.js" {
			t.Errorf("%s: script %q path %q", u.Name, u.Script, u.ScriptPath)
		}
	}
	write("- name: a\n  userdefinedfunctions:\n  - {name: u, script: udfs}\n")
	_, err = yaml.ReadFile(path)
	if want := path + `:3: script: cannot read "udfs": not a regular file`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	write("- name: a\n  userdefinedfunctions:\n  - {name: u, script: udfs/b.js}\n")
	_, err = yaml.ReadFile(path)
	if want := path + `:3: script: cannot read "udfs/b.js": no such file`; err == nil || err.Error() != want {
		t.Errorf("got %v, want %s", err, want)
	}
	if _, err := yaml.ReadFile(filepath.Join(dir, "missing.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}

func TestNilReadScript(t *testing.T) {
	p, err := yaml.Parse("f.yaml", []byte("- name: a\n  userdefinedfunctions:\n  - {name: u, script: nowhere.js}\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if u := p.Spaces[0].UDFs[0]; u.ScriptPath != "nowhere.js" || u.Script != "" {
		t.Errorf("%+v", u)
	}
}

// TestFeatures covers alternate spellings, value conversions, property
// forms, anchors, aliases and merge keys.
func TestFeatures(t *testing.T) {
	in := `- name: Site
  type: Building
  friendlyName: The site
  description: A test
  status: Active
  timeZone: Europe/Berlin
  properties:
    Address: 1 Main St
    Floors: 3
    Ratio: 0.5
    Open: true
    Empty:
  propertyKeys:
  - {name: Level, scope: Spaces, primitiveDataType: Int, category: c, description: d, validationData: v, min: 0, max: 10}
  types:
  - {category: SpaceType, name: Wing, friendlyName: A wing, description: d}
  users:
  - upn: ada@example.com
    firstName: Ada
    lastName: Lovelace
    managerName: Babbage
    properties: [{name: Team, value: Engines}]
  roleAssignments:
  - {role: SpaceAdministrator, objectId: 0f0e, objectIdType: UserId, tenantId: t1}
  userDefinedFunctions:
  - name: u
    description: does things
    matcherNames: only
    script: ok.js
    disabled: true
  matchers:
  - name: m
    description: matches
    conditions:
    - {target: Sensor, path: $.dataType, comparison: Equals, value: '"Motion"'}
    - {target: SensorDevice, path: $.x, comparison: NotEquals, value: 42}
    - {value: true}
  resources: [{type: IoTHub, size: S1, region: westeurope}]
  devices:
  - &pi
    name: Pi
    type: RaspberryPi
    subtype: Gateway
    friendlyName: Pi!
    description: a pi
    gatewayId: gw
    status: Active
    hardwareId: 0x1F
    properties: {Serial: 007}
    sensors:
    - &motion {name: mo, type: Classic, dataType: Motion, dataSubType: X, dataUnitType: Boolean, portType: BinaryInput, port: 1, pollRate: 0x10}
  spaces:
  - name: Wing
    devices:
    - <<: *pi
      name: Pi 2
      hardwareId: PI2
      sensors: [{<<: *motion, hardwareId: M2}]
`
	p, err := yaml.Parse("f.yaml", []byte(in), scripts)
	if err != nil {
		t.Fatal(err)
	}
	want := `Plan f.yaml
  Space @1 {description:4 devices:39 friendlyName:3 matchers:31 name:1 properties:7 propertyKeys:13 propertykeys:13 resources:38 roleAssignments:23 roleassignments:23 spaces:52 status:5 timeZone:6 type:2 types:15 userDefinedFunctions:25 userdefinedfunctions:25 users:17} Name="Site" FriendlyName="The site" Description="A test" Type="Building" Status="Active" TimeZone="Europe/Berlin"
    Property @8 {name:8 value:8} Name="Address" Value="1 Main St"
    Property @9 {name:9 value:9} Name="Floors" Value="3"
    Property @10 {name:10 value:10} Name="Ratio" Value="0.5"
    Property @11 {name:11 value:11} Name="Open" Value="true"
    Property @12 {name:12 value:12} Name="Empty"
    Resource @38 {region:38 size:38 type:38} Type="IoTHub" Size="S1" Region="westeurope"
    Space @53 {devices:54 name:53} Name="Wing"
      Device @55 {description:45 friendlyName:44 gatewayId:46 hardwareId:57 name:56 properties:49 sensors:58 status:47 subType:43 subtype:43 type:42} Name="Pi 2" FriendlyName="Pi!" Description="a pi" HardwareID="PI2" Type="RaspberryPi" Subtype="Gateway" GatewayID="gw" Status="Active"
        Property @49 {name:49 value:49} Name="Serial" Value="007"
        Sensor @58 {dataSubType:51 dataSubtype:51 dataType:51 dataUnitType:51 hardwareId:58 name:51 pollRate:51 port:51 portType:51 type:51} Name="mo" HardwareID="M2" Type="Classic" DataType="Motion" DataSubtype="X" DataUnitType="Boolean" PortType="BinaryInput" Port="1" PollRate="16"
    Device @40 {description:45 friendlyName:44 gatewayId:46 hardwareId:48 name:41 properties:49 sensors:50 status:47 subType:43 subtype:43 type:42} Name="Pi" FriendlyName="Pi!" Description="a pi" HardwareID="0x1F" Type="RaspberryPi" Subtype="Gateway" GatewayID="gw" Status="Active"
      Property @49 {name:49 value:49} Name="Serial" Value="007"
      Sensor @51 {dataSubType:51 dataSubtype:51 dataType:51 dataUnitType:51 name:51 pollRate:51 port:51 portType:51 type:51} Name="mo" Type="Classic" DataType="Motion" DataSubtype="X" DataUnitType="Boolean" PortType="BinaryInput" Port="1" PollRate="16"
    Matcher @32 {conditions:34 description:33 name:32} Name="m" Description="matches"
      Condition @35 {comparison:35 path:35 target:35 value:35} Target="Sensor" Path="$.dataType" Value="\"Motion\"" Comparison="Equals"
      Condition @36 {comparison:36 path:36 target:36 value:36} Target="SensorDevice" Path="$.x" Value="42" Comparison="NotEquals"
      Condition @37 {value:37} Value="true"
    UDF @26 {description:27 disabled:30 matcherNames:28 name:26 script:29} Name="u" Description="does things" MatcherNames=["only"] ScriptPath="ok.js" Script=<49 bytes> Disabled="true"
    RoleAssignment @24 {objectId:24 objectIdType:24 role:24 tenantId:24} Role="SpaceAdministrator" ObjectID="0f0e" ObjectIDType="UserId" TenantID="t1"
    User @18 {firstName:19 lastName:20 managerName:21 properties:22 upn:18} UPN="ada@example.com" FirstName="Ada" LastName="Lovelace" ManagerName="Babbage"
      Property @22 {name:22 value:22} Name="Team" Value="Engines"
    PropertyKey @14 {category:14 description:14 max:14 min:14 name:14 primitiveDataType:14 scope:14 validationData:14} Name="Level" Scope="Spaces" PrimitiveDataType="Int" Category="c" Description="d" ValidationData="v" Min="0" Max="10"
    Type @16 {category:16 description:16 friendlyName:16 name:16} Category="SpaceType" Name="Wing" FriendlyName="A wing" Description="d"
`
	if got := dump(p); got != want {
		t.Errorf("plan:\n%s\nwant:\n%s", got, want)
	}
}

// TestFieldsCanonical: provisioning looks fields up by their canonical
// spelling; alternate spellings are recorded under both.
func TestFieldsCanonical(t *testing.T) {
	p, err := yaml.Parse("f.yaml", []byte("- name: a\n  type: Room\n  subtype: Office\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Spaces[0].At("subType"); got.Line != 3 {
		t.Errorf("At(subType) = %v, want line 3", got)
	}
	if got := p.Spaces[0].At("subtype"); got.Line != 3 {
		t.Errorf("At(subtype) = %v, want line 3", got)
	}
}
