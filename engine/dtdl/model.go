package dtdl

import (
	"encoding/json"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// Context is the @context of every Interface this package writes.
const Context = "dtmi:dtdl:context;3"

// The DTMIs of the base interfaces.
const (
	SpaceID  = "dtmi:twinstudio:Space;1"
	DeviceID = "dtmi:twinstudio:Device;1"
	SensorID = "dtmi:twinstudio:Sensor;1"
	UserID   = "dtmi:twinstudio:User;1"
)

// The relationships of the base interfaces: the spatial tree.
const (
	RelContains  = "contains"  // space → child space
	RelHasDevice = "hasDevice" // space → device
	RelHasSensor = "hasSensor" // device → sensor
)

// Interface is a DTDL Interface as this package writes it. Field order is
// the JSON order.
type Interface struct {
	Context     string    `json:"@context,omitempty"`
	ID          string    `json:"@id"`
	Type        string    `json:"@type"`
	DisplayName string    `json:"displayName,omitempty"`
	Description string    `json:"description,omitempty"`
	Comment     string    `json:"comment,omitempty"`
	Extends     []string  `json:"extends,omitempty"`
	Contents    []Content `json:"contents,omitempty"`
}

// Content is a Property or Relationship of an Interface.
type Content struct {
	Type        string `json:"@type"`
	Name        string `json:"name"`
	Schema      any    `json:"schema,omitempty"` // a primitive schema name, *EnumSchema or *ArraySchema
	Target      string `json:"target,omitempty"`
	Writable    bool   `json:"writable,omitempty"`
	Description string `json:"description,omitempty"`
	Comment     string `json:"comment,omitempty"`
}

// EnumSchema is a DTDL Enum with string values.
type EnumSchema struct {
	Type        string      `json:"@type"`
	ValueSchema string      `json:"valueSchema"`
	EnumValues  []EnumValue `json:"enumValues"`
}

// EnumValue is one value of an EnumSchema.
type EnumValue struct {
	Name      string `json:"name"`
	EnumValue string `json:"enumValue"`
}

// ArraySchema is a DTDL Array.
type ArraySchema struct {
	Type          string `json:"@type"`
	ElementSchema any    `json:"elementSchema"`
}

// base describes one base interface: its DTMI, the property key scope
// and type category it stands for, the standard fields (string
// Properties unless listed in intFields) and its relationships.
type base struct {
	id        string
	scope     string
	category  engine.Category // "" for users: no type interfaces
	fields    []string
	intFields map[string]bool
	rels      [][2]string // name, target
}

var bases = []*base{
	{id: SpaceID, scope: engine.ScopeSpaces, category: engine.SpaceType,
		fields: []string{"name", "friendlyName", "description", "type", "subType", "status", "timeZone"},
		rels:   [][2]string{{RelContains, SpaceID}, {RelHasDevice, DeviceID}}},
	{id: DeviceID, scope: engine.ScopeDevices, category: engine.DeviceType,
		fields: []string{"name", "friendlyName", "description", "type", "subType", "hardwareId", "gatewayId", "status"},
		rels:   [][2]string{{RelHasSensor, SensorID}}},
	{id: SensorID, scope: engine.ScopeSensors, category: engine.SensorDataType,
		fields:    []string{"name", "hardwareId", "port", "pollRate", "type", "dataType", "dataSubtype", "dataUnitType", "portType"},
		intFields: map[string]bool{"pollRate": true}},
	{id: UserID, scope: engine.ScopeUsers,
		fields: []string{"upn", "firstName", "lastName", "managerName"}},
}

// typeKinds maps the categories exported as interfaces to the DTMI
// segment that names them: dtmi:twinstudio:<kind>:<Name>;1, and the base
// they extend.
var typeKinds = []struct {
	cat  engine.Category
	kind string
	base string
}{
	{engine.SpaceType, "space", SpaceID},
	{engine.DeviceType, "device", DeviceID},
	{engine.SensorType, "sensortype", SensorID},
	{engine.SensorDataType, "datatype", SensorID},
}

func baseByID(id string) *base {
	for _, b := range bases {
		if b.id == id {
			return b
		}
	}
	return nil
}

func baseByScope(scope string) *base {
	for _, b := range bases {
		if b.scope == scope {
			return b
		}
	}
	return nil
}

// standardField reports whether name is a standard field of b, without
// regard to case.
func (b *base) standardField(name string) bool {
	for _, f := range b.fields {
		if strings.EqualFold(f, name) {
			return true
		}
	}
	return false
}

// interfaceOf builds the base interface with the property keys' contents.
func (b *base) interfaceOf(keys []Content) Interface {
	in := Interface{Context: Context, ID: b.id, Type: "Interface", DisplayName: strings.TrimPrefix(strings.TrimSuffix(b.id, ";1"), "dtmi:twinstudio:")}
	for _, f := range b.fields {
		schema := "string"
		if b.intFields[f] {
			schema = "integer"
		}
		in.Contents = append(in.Contents, Content{Type: "Property", Name: f, Schema: schema, Writable: true})
	}
	for _, r := range b.rels {
		in.Contents = append(in.Contents, Content{Type: "Relationship", Name: r[0], Target: r[1]})
	}
	in.Contents = append(in.Contents, keys...)
	return in
}

// keyNote is the machine-readable part of a property's comment: what the
// schema alone does not say about the property key. It is written as
// "twinstudio:" followed by its JSON.
type keyNote struct {
	Name              string `json:"name,omitempty"`
	PrimitiveDataType string `json:"primitiveDataType,omitempty"`
	Category          string `json:"category,omitempty"`
	ValidationData    string `json:"validationData,omitempty"`
	Min               string `json:"min,omitempty"`
	Max               string `json:"max,omitempty"`
}

const notePrefix = "twinstudio:"

func (n keyNote) comment() string {
	if n == (keyNote{}) {
		return ""
	}
	b, _ := json.Marshal(n) // strings only: cannot fail
	return notePrefix + string(b)
}
