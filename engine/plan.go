package engine

import "time"

// A Plan is a provisioning file turned into plain data: the tree of the
// provisioning YAML (see docs/provisioning.md) with type and role names unresolved and each item's
// source position kept, so that Provision can report "file:line: field:
// problem". Readers (engine/yaml) build it; Engine.Provision applies it.
type Plan struct {
	File   string
	Spaces []*PlanSpace
}

// Src is where an item came from: its position and the line of each field
// that was given, keyed by the field's standard spelling ("subType",
// "dataSubtype", "hardwareId") and also by any alternate spelling used.
// Has tells whether a field was given at all.
type Src struct {
	Pos    Pos
	Fields map[string]int
}

// Source returns s itself: every plan item embeds a Src, so readers can
// reach it through this method whatever the item's type.
func (s *Src) Source() *Src { return s }

// Has reports whether field was given.
func (s Src) Has(field string) bool { _, ok := s.Fields[field]; return ok }

// At returns the position of field, or of the item if the field has none.
func (s Src) At(field string) Pos {
	if l, ok := s.Fields[field]; ok && l > 0 {
		return Pos{File: s.Pos.File, Line: l}
	}
	return s.Pos
}

// PlanProperty is an extended property value.
type PlanProperty struct {
	Src
	Name, Value string
}

// PlanSpace is a space with what it holds.
type PlanSpace struct {
	Src
	Name, FriendlyName, Description string
	Type, Subtype, Status           string
	TimeZone                        string
	Properties                      []PlanProperty
	Resources                       []*PlanResource
	Spaces                          []*PlanSpace
	Devices                         []*PlanDevice
	Matchers                        []*PlanMatcher
	UDFs                            []*PlanUDF
	RoleAssignments                 []*PlanRoleAssignment
	Users                           []*PlanUser
	PropertyKeys                    []*PlanPropertyKey
	Types                           []*PlanType
	// Roles are custom roles (`roles:`). They are the project's, not the
	// space's: Provision applies every role of the file before the
	// spaces, so an assignment anywhere in the file can name one.
	Roles []*PlanRole
	// Plan is the floor plan the space carries (`plan:`), or nil.
	Plan *PlanFloor
}

// PlanFloor is a floor plan in a provisioning file (`plan:` on a floor).
// Sizes left zero keep the current plan's (or the defaults).
type PlanFloor struct {
	Src
	Scale, Width, Height, Grid float64
	// Background is the file name of the background drawing as written
	// (relative to the provisioning file's folder); BackgroundData its
	// bytes, which the reader loads. "" keeps the current background.
	Background     string
	BackgroundData []byte
	Rooms          []PlanFloorRoom
	Devices        []PlanFloorDevice
}

// PlanFloorRoom is a room drawn on a provisioned floor plan: the space,
// by name or path relative to the floor ("Area A/Desk 3"), and its
// polygon (a rect is given as its 4 corners).
type PlanFloorRoom struct {
	Src
	Space  string
	Points []PlanPoint
}

// PlanFloorDevice places a device (or sensor) by hardwareId on a
// provisioned floor plan.
type PlanFloorDevice struct {
	Src
	HardwareID string
	X, Y       float64
}

// PlanResource is a space resource (type IoTHub).
type PlanResource struct {
	Src
	Type, Size, Region string
}

// PlanDevice is a device with its sensors.
type PlanDevice struct {
	Src
	Name, FriendlyName, Description string
	HardwareID, Type, Subtype       string
	GatewayID, Status               string
	Properties                      []PlanProperty
	Sensors                         []*PlanSensor
}

// PlanSensor is a sensor of a device.
type PlanSensor struct {
	Src
	Name, HardwareID                                    string
	Type, DataType, DataSubtype, DataUnitType, PortType string
	Port                                                string
	PollRate                                            int
	Properties                                          []PlanProperty
}

// PlanMatcher is a matcher. DataTypeValue is the shorthand for one
// condition (Sensor, $.dataType, Equals, "<value>").
type PlanMatcher struct {
	Src
	Name, Description string
	DataTypeValue     string
	Conditions        []PlanCondition
}

// PlanCondition is a matcher condition.
type PlanCondition struct {
	Src
	Target, Path, Value, Comparison string
}

// PlanUDF is a user-defined function; Script holds the file's contents,
// ScriptPath the path as written.
type PlanUDF struct {
	Src
	Name, Description string
	MatcherNames      []string
	ScriptPath        string
	Script            string
	Disabled          bool
	TimeLimit         time.Duration // 0: the runtime's default

	// Output limits (UDF.ValueSizeLimit, …); 0: the default.
	ValueSizeLimit, WriteLimit               int
	NotificationSizeLimit, NotificationLimit int
	LogLineSizeLimit, LogLineLimit           int
	MemoryLimitMiB                           int // UDF.MemoryLimitMiB; 0: the default
}

// PlanRoleAssignment grants a role at this space's path. Role is a role
// name (or RoleID an id); the object is named (ObjectName: a UDF's name, a
// device's hardwareId or name, a user's upn) or given by ObjectID.
type PlanRoleAssignment struct {
	Src
	RoleID, Role                       string
	ObjectName, ObjectID, ObjectIDType string
	TenantID                           string
}

// PlanRole is a custom role: its permissions and value limits in their
// text forms (ParsePermission, ParseValueLimit), each with its line.
type PlanRole struct {
	Src
	Name, FriendlyName  string
	Permissions, Limits []PlanLine
}

// PlanLine is one text of a list, and the line it is on.
type PlanLine struct {
	Line int
	Text string
}

// PlanUser is a user located in this space.
type PlanUser struct {
	Src
	UPN, FirstName, LastName, ManagerName string
	Properties                            []PlanProperty
}

// PlanPropertyKey declares a property key on this space's subtree.
type PlanPropertyKey struct {
	Src
	Name, Scope, PrimitiveDataType, Category, Description, ValidationData, Min, Max string
}

// PlanType declares a custom extended type on this space's subtree.
type PlanType struct {
	Src
	Category, Name, FriendlyName, Description string
}
