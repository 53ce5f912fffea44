package httpapi

import (
	"fmt"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// typed is a name/id pair of an extended-type field: the name wins when
// both are given.
func typed(v *engine.View, c engine.Category, field, name string, id *int, at engine.ID) error {
	if name == "" {
		return nil
	}
	n, err := v.ResolveType(c, name, at)
	if err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	*id = n
	return nil
}

func idString(id engine.ID) string {
	if id.IsZero() {
		return ""
	}
	return id.String()
}

func parseOptID(field, s string) (engine.ID, error) {
	if s == "" {
		return engine.NilID, nil
	}
	id, err := engine.ParseID(s)
	if err != nil {
		return engine.NilID, fmt.Errorf("%w: %s %q is not an id", engine.ErrInvalid, field, s)
	}
	return id, nil
}

// spaceIn is the body of POST and PATCH /spaces.
type spaceIn struct {
	Name          string               `json:"name"`
	FriendlyName  string               `json:"friendlyName"`
	Description   string               `json:"description"`
	Type          string               `json:"type"`
	TypeID        int                  `json:"typeId"`
	Subtype       string               `json:"subtype"`
	SubtypeID     int                  `json:"subtypeId"`
	Status        string               `json:"status"`
	StatusID      int                  `json:"statusId"`
	ParentSpaceID string               `json:"parentSpaceId"`
	TimeZoneName  string               `json:"timeZoneName"`
	Location      *engine.LocationDoc  `json:"location"`
	Properties    []engine.PropertyDoc `json:"properties"`
}

func spaceInOf(s *engine.Space) *spaceIn {
	return &spaceIn{Name: s.Name, FriendlyName: s.FriendlyName, Description: s.Description, TypeID: s.TypeID,
		SubtypeID: s.SubtypeID, StatusID: s.StatusID, ParentSpaceID: idString(s.ParentID), TimeZoneName: s.TimeZone,
		Location: engine.LocationDocOf(s.Location), Properties: engine.PropertyDocs(s.Properties)}
}

func (in *spaceIn) object(v *engine.View, id engine.ID) (engine.Object, error) {
	parent, err := parseOptID("parentSpaceId", in.ParentSpaceID)
	if err != nil {
		return nil, err
	}
	s := &engine.Space{ID: id, Name: in.Name, FriendlyName: in.FriendlyName, Description: in.Description,
		TypeID: in.TypeID, SubtypeID: in.SubtypeID, StatusID: in.StatusID, ParentID: parent, TimeZone: in.TimeZoneName,
		Location: in.Location.Location(), Properties: engine.PropertiesFromDocs(in.Properties)}
	at := parent
	if !id.IsZero() {
		at = id
	}
	for _, t := range []struct {
		c          engine.Category
		field, val string
		id         *int
	}{{engine.SpaceType, "type", in.Type, &s.TypeID}, {engine.SpaceSubtype, "subtype", in.Subtype, &s.SubtypeID},
		{engine.SpaceStatus, "status", in.Status, &s.StatusID}} {
		if err := typed(v, t.c, t.field, t.val, t.id, at); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// deviceIn is the body of POST and PATCH /devices.
type deviceIn struct {
	Name         string               `json:"name"`
	FriendlyName string               `json:"friendlyName"`
	Description  string               `json:"description"`
	Type         string               `json:"type"`
	TypeID       int                  `json:"typeId"`
	Subtype      string               `json:"subtype"`
	SubtypeID    int                  `json:"subtypeId"`
	HardwareID   string               `json:"hardwareId"`
	GatewayID    string               `json:"gatewayId"`
	SpaceID      string               `json:"spaceId"`
	Status       string               `json:"status"`
	Location     *engine.LocationDoc  `json:"location"`
	Properties   []engine.PropertyDoc `json:"properties"`
}

func deviceInOf(d *engine.Device) *deviceIn {
	return &deviceIn{Name: d.Name, FriendlyName: d.FriendlyName, Description: d.Description, TypeID: d.TypeID,
		SubtypeID: d.SubtypeID, HardwareID: d.HardwareID, GatewayID: d.GatewayID, SpaceID: idString(d.SpaceID),
		Status: d.Status, Location: engine.LocationDocOf(d.Location), Properties: engine.PropertyDocs(d.Properties)}
}

func (in *deviceIn) object(v *engine.View, id engine.ID) (engine.Object, error) {
	space, err := parseOptID("spaceId", in.SpaceID)
	if err != nil {
		return nil, err
	}
	d := &engine.Device{ID: id, Name: in.Name, FriendlyName: in.FriendlyName, Description: in.Description,
		TypeID: in.TypeID, SubtypeID: in.SubtypeID, HardwareID: in.HardwareID, GatewayID: in.GatewayID,
		SpaceID: space, Status: in.Status, Location: in.Location.Location(), Properties: engine.PropertiesFromDocs(in.Properties)}
	if old, ok := v.Device(id); ok {
		d.Key, d.ConnectionState, d.ConnectionStateUpdated = old.Key, old.ConnectionState, old.ConnectionStateUpdated
	}
	if err := typed(v, engine.DeviceType, "type", in.Type, &d.TypeID, space); err != nil {
		return nil, err
	}
	return d, typed(v, engine.DeviceSubtype, "subtype", in.Subtype, &d.SubtypeID, space)
}

// sensorIn is the body of POST and PATCH /sensors.
type sensorIn struct {
	Name           string               `json:"name"`
	HardwareID     string               `json:"hardwareId"`
	DeviceID       string               `json:"deviceId"`
	SpaceID        string               `json:"spaceId"`
	Port           string               `json:"port"`
	PollRate       int                  `json:"pollRate"`
	Type           string               `json:"type"`
	TypeID         int                  `json:"typeId"`
	DataType       string               `json:"dataType"`
	DataTypeID     int                  `json:"dataTypeId"`
	DataSubtype    string               `json:"dataSubtype"`
	DataSubtypeID  int                  `json:"dataSubtypeId"`
	DataUnitType   string               `json:"dataUnitType"`
	DataUnitTypeID int                  `json:"dataUnitTypeId"`
	PortType       string               `json:"portType"`
	PortTypeID     int                  `json:"portTypeId"`
	Location       *engine.LocationDoc  `json:"location"`
	Properties     []engine.PropertyDoc `json:"properties"`
}

func sensorInOf(s *engine.Sensor) *sensorIn {
	return &sensorIn{Name: s.Name, HardwareID: s.HardwareID, DeviceID: idString(s.DeviceID), SpaceID: idString(s.SpaceID),
		Port: s.Port, PollRate: s.PollRate, TypeID: s.TypeID, DataTypeID: s.DataTypeID, DataSubtypeID: s.DataSubtypeID,
		DataUnitTypeID: s.DataUnitTypeID, PortTypeID: s.PortTypeID, Location: engine.LocationDocOf(s.Location), Properties: engine.PropertyDocs(s.Properties)}
}

func (in *sensorIn) object(v *engine.View, id engine.ID) (engine.Object, error) {
	dev, err := parseOptID("deviceId", in.DeviceID)
	if err != nil {
		return nil, err
	}
	space, err := parseOptID("spaceId", in.SpaceID)
	if err != nil {
		return nil, err
	}
	s := &engine.Sensor{ID: id, Name: in.Name, HardwareID: in.HardwareID, DeviceID: dev, SpaceID: space, Port: in.Port,
		PollRate: in.PollRate, TypeID: in.TypeID, DataTypeID: in.DataTypeID, DataSubtypeID: in.DataSubtypeID,
		DataUnitTypeID: in.DataUnitTypeID, PortTypeID: in.PortTypeID, Location: in.Location.Location(), Properties: engine.PropertiesFromDocs(in.Properties)}
	at := space
	if d, ok := v.Device(dev); ok && at.IsZero() {
		at = d.SpaceID
	}
	for _, t := range []struct {
		c          engine.Category
		field, val string
		id         *int
	}{{engine.SensorType, "type", in.Type, &s.TypeID}, {engine.SensorDataType, "dataType", in.DataType, &s.DataTypeID},
		{engine.SensorDataSubtype, "dataSubtype", in.DataSubtype, &s.DataSubtypeID},
		{engine.SensorDataUnitType, "dataUnitType", in.DataUnitType, &s.DataUnitTypeID},
		{engine.SensorPortType, "portType", in.PortType, &s.PortTypeID}} {
		if err := typed(v, t.c, t.field, t.val, t.id, at); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// userIn is the body of POST and PATCH /users.
type userIn struct {
	UPN         string               `json:"upn"`
	FirstName   string               `json:"firstName"`
	LastName    string               `json:"lastName"`
	ManagerName string               `json:"managerName"`
	SpaceID     string               `json:"spaceId"`
	Properties  []engine.PropertyDoc `json:"properties"`
}

func userInOf(u *engine.User) *userIn {
	return &userIn{UPN: u.UPN, FirstName: u.FirstName, LastName: u.LastName, ManagerName: u.ManagerName,
		SpaceID: idString(u.SpaceID), Properties: engine.PropertyDocs(u.Properties)}
}

func (in *userIn) object(_ *engine.View, id engine.ID) (engine.Object, error) {
	space, err := parseOptID("spaceId", in.SpaceID)
	if err != nil {
		return nil, err
	}
	return &engine.User{ID: id, UPN: in.UPN, FirstName: in.FirstName, LastName: in.LastName, ManagerName: in.ManagerName,
		SpaceID: space, Properties: engine.PropertiesFromDocs(in.Properties)}, nil
}

// input is the body of a create or patch: it builds the object (with id
// for a patch, zero for a create) in the transaction's view.
type input interface {
	object(v *engine.View, id engine.ID) (engine.Object, error)
}

// inputOf makes the input of kind k, prefilled from old (nil: empty).
func inputOf(k engine.Kind, old engine.Object) input {
	switch k {
	case engine.KindSpace:
		if old == nil {
			return &spaceIn{}
		}
		return spaceInOf(old.(*engine.Space))
	case engine.KindDevice:
		if old == nil {
			return &deviceIn{}
		}
		return deviceInOf(old.(*engine.Device))
	case engine.KindSensor:
		if old == nil {
			return &sensorIn{}
		}
		return sensorInOf(old.(*engine.Sensor))
	case engine.KindUser:
		if old == nil {
			return &userIn{}
		}
		return userInOf(old.(*engine.User))
	}
	return simpleInputOf(k, old)
}

// createSpace is where an object goes: the space it is created in
// (zero: the root).
func createSpace(o engine.Object, v *engine.View) engine.ID {
	switch x := o.(type) {
	case *engine.Space:
		return x.ParentID
	case *engine.Device:
		return x.SpaceID
	case *engine.Sensor:
		if x.SpaceID.IsZero() {
			if d, ok := v.Device(x.DeviceID); ok {
				return d.SpaceID
			}
		}
		return x.SpaceID
	case *engine.User:
		return x.SpaceID
	case *engine.Matcher:
		return x.SpaceID
	case *engine.UDF:
		return x.SpaceID
	case *engine.Resource:
		return x.SpaceID
	case *engine.PropertyKey:
		return x.SpaceID
	case *engine.ExtendedType:
		return x.SpaceID
	case *engine.RoleAssignment:
		return pathAnchor(x.Path)
	}
	return engine.NilID
}

// create stores a new object of kind k built from in, after checking the
// caller may create it where it goes (and set its properties), and
// returns its id (a string, or an int for property keys and types).
func (c *call) create(k engine.Kind, in input) (any, error) {
	var out any
	err := c.s.update(func(tx *engine.Tx) error {
		v := &tx.View
		o, err := in.object(v, engine.NilID)
		if err != nil {
			return err
		}
		at := createSpace(o, v)
		if err := c.mayCreate(v, k, at); err != nil {
			return err
		}
		if err := c.seeRefs(v, o); err != nil {
			return err
		}
		if ps := engine.PropertiesOf(o); ps != nil && len(*ps) > 0 && !at.IsZero() {
			for _, p := range *ps {
				if err := authorizeValue(v, c.p, propRes[k], at, p.Name, p.Value); err != nil {
					return err
				}
			}
		}
		if err := store(tx, o); err != nil {
			return err
		}
		out = newKey(o)
		return nil
	})
	return out, err
}

func newKey(o engine.Object) any {
	switch x := o.(type) {
	case *engine.PropertyKey:
		return x.ID
	case *engine.ExtendedType:
		return x.ID
	}
	return o.ObjectKey().String()
}

// store creates o by its kind's method.
func store(tx *engine.Tx, o engine.Object) error {
	switch x := o.(type) {
	case *engine.Space:
		return tx.CreateSpace(x)
	case *engine.Device:
		return tx.CreateDevice(x)
	case *engine.Sensor:
		return tx.CreateSensor(x)
	case *engine.User:
		return tx.CreateUser(x)
	case *engine.Matcher:
		return tx.PutMatcher(x)
	case *engine.UDF:
		return tx.PutUDF(x)
	case *engine.RoleAssignment:
		return tx.PutRoleAssignment(x)
	case *engine.Endpoint:
		return tx.PutEndpoint(x)
	case *engine.Resource:
		return tx.PutResource(x)
	case *engine.PropertyKey:
		return tx.PutPropertyKey(x)
	case *engine.ExtendedType:
		return tx.PutType(x)
	}
	return fmt.Errorf("%w: cannot create a %s", engine.ErrInvalid, o.Kind())
}

// postObject is POST /{kind} with a JSON body.
func postObject(k engine.Kind) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		in := inputOf(k, nil)
		if err := c.decode(in); err != nil {
			return nil, err
		}
		return c.create(k, in)
	}
}

// patchObject is PATCH /{kind}/{id}: the body's fields replace the
// object's, the others stay.
func patchObject(k engine.Kind) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		key, label, err := c.key(k)
		if err != nil {
			return nil, err
		}
		return nil, c.s.update(func(tx *engine.Tx) error {
			v := &tx.View
			old, err := c.see(v, k, key, label)
			if err != nil {
				return err
			}
			in := inputOf(k, old)
			if err := c.decode(in); err != nil {
				return err
			}
			return c.replace(tx, old, in)
		})
	}
}

// replace builds the new version of old from in, checks the caller may
// make the change, and stores it.
func (c *call) replace(tx *engine.Tx, old engine.Object, in input) error {
	neu, err := in.object(&tx.View, old.ObjectKey())
	if err != nil {
		return err
	}
	if ko, ok := neu.(*engine.PropertyKey); ok {
		ko.ID = old.(*engine.PropertyKey).ID
	}
	if t, ok := neu.(*engine.ExtendedType); ok {
		t.ID = old.(*engine.ExtendedType).ID
	}
	if err := c.mayReplace(&tx.View, old, neu); err != nil {
		return err
	}
	if err := c.seeRefs(&tx.View, neu); err != nil {
		return err
	}
	// A move needs the right to create where the object goes.
	if to := createSpace(neu, &tx.View); to != createSpace(old, &tx.View) {
		if err := c.mayCreate(&tx.View, old.Kind(), to); err != nil {
			return err
		}
	}
	return tx.Replace(neu)
}

// upsert is PUT /devices (keyed on name and spaceId) and PUT /users
// (keyed on upn and spaceId), as in the preview: the object is replaced
// whole when it exists, created when not.
func upsert(k engine.Kind) func(c *call) (any, error) {
	return func(c *call) (any, error) {
		in := inputOf(k, nil)
		if err := c.decode(in); err != nil {
			return nil, err
		}
		var old engine.Object
		err := c.s.e.View(func(v *engine.View) error {
			o, err := in.object(v, engine.NilID)
			if err != nil {
				return err
			}
			old = existing(v, o)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if old == nil {
			_, err := c.create(k, in)
			return nil, err
		}
		return nil, c.s.update(func(tx *engine.Tx) error {
			cur, err := c.see(&tx.View, k, old.ObjectKey(), old.ObjectKey().String())
			if err != nil {
				return err
			}
			return c.replace(tx, cur, in)
		})
	}
}

// existing finds the device with o's name or the user with o's upn in
// o's space.
func existing(v *engine.View, o engine.Object) engine.Object {
	switch x := o.(type) {
	case *engine.Device:
		for _, d := range v.SpaceDevices(x.SpaceID) {
			if strings.EqualFold(d.Name, x.Name) && d.SpaceID == x.SpaceID {
				return d
			}
		}
	case *engine.User:
		for _, u := range v.SpaceUsers(x.SpaceID) {
			if strings.EqualFold(u.UPN, x.UPN) && u.SpaceID == x.SpaceID {
				return u
			}
		}
	}
	return nil
}

// seeRefs checks that the caller may read the objects o refers to besides
// its space: a sensor's device, a UDF's matchers. One outside its view is
// a 404, as if it did not exist (a sensor on another tenant's device, or
// a UDF run by another tenant's matcher, would cross the tenants).
func (c *call) seeRefs(v *engine.View, o engine.Object) error {
	switch x := o.(type) {
	case *engine.Sensor:
		if !x.DeviceID.IsZero() {
			_, err := c.see(v, engine.KindDevice, x.DeviceID, x.DeviceID.String())
			return err
		}
	case *engine.UDF:
		for _, m := range x.MatcherIDs {
			if _, err := c.see(v, engine.KindMatcher, m, m.String()); err != nil {
				return err
			}
		}
	}
	return nil
}
