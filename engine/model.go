package engine

import "time"

// Kind names a kind of stored object.
type Kind uint8

// The kinds of stored objects. The numbers are persisted: never reorder.
const (
	KindNone Kind = iota
	KindSpace
	KindDevice
	KindSensor
	KindUser
	KindMatcher
	KindUDF
	KindRoleAssignment
	KindEndpoint
	KindResource
	KindPropertyKey
	KindType
	KindOntology
	KindToken
	KindRole
	KindFloorPlan
)

var kindNames = [...]string{"none", "space", "device", "sensor", "user", "matcher",
	"userdefinedfunction", "roleassignment", "endpoint", "resource", "propertykey", "type", "ontology",
	"token", "role", "floorplan"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind?"
}

// Object is implemented by every stored object. Objects are immutable once
// they are in the graph; see the package documentation.
type Object interface {
	// Kind says what the object is.
	Kind() Kind
	// ObjectKey identifies the object within its kind: the GUID for graph objects,
	// the integer id (big-endian in the first 8 bytes) for types, ontologies
	// and property keys.
	ObjectKey() ID
}

// IntKey makes the ObjectKey of an integer-identified object.
func IntKey(n int) ID {
	var id ID
	u := uint64(n)
	for i := 7; i >= 0; i-- {
		id[i] = byte(u)
		u >>= 8
	}
	return id
}

// KeyInt is the inverse of IntKey.
func KeyInt(id ID) int {
	var u uint64
	for i := 0; i < 8; i++ {
		u = u<<8 | uint64(id[i])
	}
	return int(u)
}

// Property is an extended property value on a space, device, sensor or user.
// Its Name is a property key in scope.
type Property struct {
	Name  string
	Value string
}

// Location is a geographic position.
type Location struct {
	Longitude, Latitude, Elevation float64
}

// Space is a node of the spatial tree. A root space has a zero ParentID.
type Space struct {
	ID           ID
	Name         string
	FriendlyName string
	Description  string
	TypeID       int // SpaceType
	SubtypeID    int // SpaceSubtype
	StatusID     int // SpaceStatus
	ParentID     ID
	TimeZone     string
	Location     *Location
	Properties   []Property
}

func (s *Space) Kind() Kind    { return KindSpace }
func (s *Space) ObjectKey() ID { return s.ID }

// Device statuses.
const (
	DeviceProvisioned = "Provisioned"
	DeviceActive      = "Active"
	DeviceOffline     = "Offline"
	DeviceDisabled    = "Disabled"
)

// Device connection states.
const (
	Connected    = "Connected"
	Disconnected = "Disconnected"
)

// Device is equipment in a space that carries sensors and talks to the
// broker with its HardwareID and Key.
type Device struct {
	ID           ID
	Name         string
	FriendlyName string
	Description  string
	TypeID       int // DeviceType
	SubtypeID    int // DeviceSubtype
	HardwareID   string
	GatewayID    string
	SpaceID      ID
	Status       string
	Key          string // MQTT password; see NewDeviceKey
	Location     *Location
	Properties   []Property

	ConnectionState        string
	ConnectionStateUpdated time.Time
}

func (d *Device) Kind() Kind    { return KindDevice }
func (d *Device) ObjectKey() ID { return d.ID }

// Sensor records values. It belongs to a device and to a space (by default
// the device's space).
type Sensor struct {
	ID             ID
	Name           string
	HardwareID     string
	DeviceID       ID
	SpaceID        ID
	Port           string
	PollRate       int
	TypeID         int // SensorType
	DataTypeID     int // SensorDataType
	DataSubtypeID  int // SensorDataSubtype
	DataUnitTypeID int // SensorDataUnitType
	PortTypeID     int // SensorPortType
	Location       *Location
	Properties     []Property
}

func (s *Sensor) Kind() Kind    { return KindSensor }
func (s *Sensor) ObjectKey() ID { return s.ID }

// User is a person located in a space.
type User struct {
	ID          ID
	UPN         string
	FirstName   string
	LastName    string
	ManagerName string
	SpaceID     ID
	Properties  []Property
}

func (u *User) Kind() Kind    { return KindUser }
func (u *User) ObjectKey() ID { return u.ID }

// Matcher condition targets and comparisons.
const (
	TargetSensor       = "Sensor"
	TargetSensorDevice = "SensorDevice"
	TargetSensorSpace  = "SensorSpace"

	CompareEquals    = "Equals"
	CompareNotEquals = "NotEquals"
	CompareContains  = "Contains"
)

// Condition is one test of a matcher: a JSONPath on the target's JSON
// compared with a JSON literal.
type Condition struct {
	ID         ID
	Target     string
	Path       string
	Value      string
	Comparison string
}

// Matcher selects sensors in its space's subtree; all conditions must hold.
type Matcher struct {
	ID           ID
	Name         string
	FriendlyName string
	Description  string
	SpaceID      ID
	Conditions   []Condition
}

func (m *Matcher) Kind() Kind    { return KindMatcher }
func (m *Matcher) ObjectKey() ID { return m.ID }

// UDF is a user-defined function record: JavaScript run on telemetry of
// sensors its matchers select.
type UDF struct {
	ID           ID
	Name         string
	FriendlyName string
	Description  string
	SpaceID      ID
	MatcherIDs   []ID
	Script       string
	Disabled     bool
	Updated      time.Time
	// TimeLimit bounds one execution; 0 means the runtime's default
	// (DefaultUDFLimit, 100 ms).
	TimeLimit time.Duration

	// Output limits of one execution; 0 means the default. See
	// OutputLimits for the defaults and ceilings.
	ValueSizeLimit        int // bytes per value written (default MaxUDFValue)
	WriteLimit            int // values written (default MaxUDFWrites)
	NotificationSizeLimit int // bytes per notification payload (default MaxUDFNotification)
	NotificationLimit     int // notifications sent (default MaxUDFNotifications)
	LogLineSizeLimit      int // bytes per log line (default MaxUDFLogLine)
	LogLineLimit          int // log lines (default MaxUDFLogLines)

	// MemoryLimitMiB bounds the memory one execution may build up, in
	// MiB (at most MaxUDFMemoryMiB); 0 means the runtime's default
	// (DefaultUDFMemoryMiB).
	MemoryLimitMiB int
}

func (u *UDF) Kind() Kind    { return KindUDF }
func (u *UDF) ObjectKey() ID { return u.ID }

// Object id types of role assignments.
const (
	ObjectUserID                = "UserId"
	ObjectDeviceID              = "DeviceId"
	ObjectDomainName            = "DomainName"
	ObjectTenantID              = "TenantId"
	ObjectServicePrincipalID    = "ServicePrincipalId"
	ObjectUserDefinedFunctionID = "UserDefinedFunctionId"
)

// RoleAssignment grants a role to a principal on a space path and
// everything beneath it. Path is "/" or "/{guid}/{guid}…".
type RoleAssignment struct {
	ID           ID
	RoleID       ID
	ObjectID     string
	ObjectIDType string
	Path         string
	TenantID     string
}

func (r *RoleAssignment) Kind() Kind    { return KindRoleAssignment }
func (r *RoleAssignment) ObjectKey() ID { return r.ID }

// Endpoint routes chosen event types somewhere.
type Endpoint struct {
	ID                        ID
	Type                      string
	EventTypes                []string
	ConnectionString          string
	SecondaryConnectionString string
	Path                      string
}

func (e *Endpoint) Kind() Kind    { return KindEndpoint }
func (e *Endpoint) ObjectKey() ID { return e.ID }

// Resource is a space resource (the preview's IoTHub). The embedded broker
// plays its part; it is recorded so that files round-trip.
type Resource struct {
	ID      ID
	SpaceID ID
	Type    string
	Size    string
	Region  string
	Status  string
}

func (r *Resource) Kind() Kind    { return KindResource }
func (r *Resource) ObjectKey() ID { return r.ID }

// Value is a computed value: a string with the time it was set.
type Value struct {
	Value string
	Time  time.Time
}
