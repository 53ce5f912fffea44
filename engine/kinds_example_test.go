package engine_test

import (
	"fmt"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// The description of a kind says how people, files, documents and UDFs
// name its fields, and where the kind sits in the tree.
func ExampleDescribe() {
	d := engine.Describe(engine.KindSensor)
	fmt.Println(d.Label, d.Icon, "under", engine.Describe(d.Parents[0]).Label)
	f := d.Field("PollRate")
	fmt.Printf("%s: %s, JSON %q, YAML %q, UDF %q, label %q, editable %v\n",
		f.Name, f.Type, f.JSON, f.YAML, f.Meta, f.Label, f.Editable)
	var editable []string
	for _, f := range d.Editable() {
		editable = append(editable, f.Label)
	}
	fmt.Println("the studio edits:", strings.Join(editable, ", "))
	for _, f := range d.AddFields() {
		fmt.Printf("adding one asks for %s (default %q)\n", f.Label, f.Default)
	}
	fmt.Println("a space may hold a device:", engine.Describe(engine.KindSpace).MayHold(engine.KindDevice))
	// Output:
	// Sensor mediaRecord under Device
	// PollRate: int, JSON "pollRate", YAML "pollRate", UDF "PollRate", label "Poll rate", editable false
	// the studio edits: Name, Hardware ID, Sensor type, Data type, Data subtype, Unit
	// adding one asks for Hardware ID (default "")
	// adding one asks for Data type (default "Temperature")
	// a space may hold a device: true
}

// A Field reads and writes its value in an object, without knowing its Go
// type at compile time: what an inspector or a metadata bridge needs.
func ExampleField_Set() {
	s := &engine.Sensor{Name: "Temp"}
	f := engine.Describe(engine.KindSensor).Field("PollRate")
	if err := f.Set(s, 30); err != nil {
		fmt.Println(err)
	}
	fmt.Println(s.PollRate, f.Value(s))
	fmt.Println(f.Set(s, "thirty"))
	// Output:
	// 30 30
	// engine: invalid: field PollRate takes a int, not string
}

// typeNames names the types of the example below.
type typeNames map[int]string

func (n typeNames) TypeName(id int) string { return n[id] }

// KindDesc.Meta gives the properties of a UDF metadata object, in order.
func ExampleKindDesc_Meta() {
	s := &engine.Space{ID: engine.MustParseID("01900000-0000-7000-8000-000000000001"), Name: "Lobby", TypeID: 1, StatusID: 2}
	var props []string
	engine.Describe(engine.KindSpace).Meta(typeNames{1: "Room", 2: "Active"}, s, func(name string, value any) {
		props = append(props, fmt.Sprintf("%s=%v", name, value))
	})
	fmt.Println(strings.Join(props, " "))
	fmt.Println(engine.Describe(engine.KindDevice).MetaNames())
	// Output:
	// Id=01900000-0000-7000-8000-000000000001 Name=Lobby FriendlyName= Description= Type=Room TypeId=1 Subtype= SubtypeId=0 Status=Active ParentSpaceId=<nil>
	// [Id Name FriendlyName Description Type TypeId Subtype SubtypeId HardwareId GatewayId SpaceId Status]
}
