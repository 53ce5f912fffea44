package engine

import "time"

// The *Doc types are the JSON shapes of objects as the preview's Management
// API returned them (camelCase, type names beside type ids). The CLI's JSON
// output, the REST API and matcher conditions (JSONPath over a sensor, its
// device or its space) all use them, so a path such as $.dataType means the
// same everywhere.

// PropertyDoc is an extended property.
type PropertyDoc struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// ValueDoc is a computed value.
type ValueDoc struct {
	Type      string    `json:"type"`
	Value     string    `json:"value"`
	Timestamp time.Time `json:"timestamp"`
}

// LocationDoc is a location.
type LocationDoc struct {
	Longitude float64 `json:"longitude"`
	Latitude  float64 `json:"latitude"`
	Elevation float64 `json:"elevation"`
}

// SpaceDoc is a space.
type SpaceDoc struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	FriendlyName  string        `json:"friendlyName,omitempty"`
	Description   string        `json:"description,omitempty"`
	TypeID        int           `json:"typeId"`
	Type          string        `json:"type"`
	SubtypeID     int           `json:"subtypeId"`
	Subtype       string        `json:"subtype"`
	StatusID      int           `json:"statusId"`
	Status        string        `json:"status"`
	ParentSpaceID *string       `json:"parentSpaceId"`
	TimeZoneName  string        `json:"timeZoneName,omitempty"`
	Location      *LocationDoc  `json:"location,omitempty"`
	Properties    []PropertyDoc `json:"properties"`
	FullName      string        `json:"fullName"`
	SpacePaths    []string      `json:"spacePaths"`
	Level         int           `json:"level"`
	Values        []ValueDoc    `json:"values,omitempty"`
}

// DeviceDoc is a device.
type DeviceDoc struct {
	ID                         string        `json:"id"`
	Name                       string        `json:"name"`
	FriendlyName               string        `json:"friendlyName,omitempty"`
	Description                string        `json:"description,omitempty"`
	TypeID                     int           `json:"typeId"`
	Type                       string        `json:"type"`
	SubtypeID                  int           `json:"subtypeId"`
	Subtype                    string        `json:"subtype"`
	HardwareID                 string        `json:"hardwareId"`
	GatewayID                  string        `json:"gatewayId,omitempty"`
	SpaceID                    string        `json:"spaceId"`
	Status                     string        `json:"status"`
	ConnectionState            string        `json:"connectionState"`
	ConnectionStateUpdatedTime *time.Time    `json:"connectionStateUpdatedTime,omitempty"`
	Location                   *LocationDoc  `json:"location,omitempty"`
	Properties                 []PropertyDoc `json:"properties"`
	SpacePaths                 []string      `json:"spacePaths"`
	Sensors                    []*SensorDoc  `json:"sensors,omitempty"`
}

// SensorDoc is a sensor.
type SensorDoc struct {
	ID             string        `json:"id"`
	Name           string        `json:"name,omitempty"`
	HardwareID     string        `json:"hardwareId"`
	DeviceID       string        `json:"deviceId"`
	SpaceID        string        `json:"spaceId"`
	Port           string        `json:"port,omitempty"`
	PollRate       int           `json:"pollRate"`
	TypeID         int           `json:"typeId"`
	Type           string        `json:"type"`
	DataTypeID     int           `json:"dataTypeId"`
	DataType       string        `json:"dataType"`
	DataSubtypeID  int           `json:"dataSubtypeId"`
	DataSubtype    string        `json:"dataSubtype"`
	DataUnitTypeID int           `json:"dataUnitTypeId"`
	DataUnitType   string        `json:"dataUnitType"`
	PortTypeID     int           `json:"portTypeId"`
	PortType       string        `json:"portType"`
	Location       *LocationDoc  `json:"location,omitempty"`
	Properties     []PropertyDoc `json:"properties"`
	SpacePaths     []string      `json:"spacePaths"`
	Value          *ValueDoc     `json:"value,omitempty"`
}

// UserDoc is a user.
type UserDoc struct {
	ID          string        `json:"id"`
	UPN         string        `json:"upn"`
	FirstName   string        `json:"firstName,omitempty"`
	LastName    string        `json:"lastName,omitempty"`
	ManagerName string        `json:"managerName,omitempty"`
	SpaceID     string        `json:"spaceId"`
	Properties  []PropertyDoc `json:"properties"`
	SpacePaths  []string      `json:"spacePaths"`
}

// PropertyDocs are properties as documents (an empty, non-nil list for
// none).
func PropertyDocs(ps []Property) []PropertyDoc {
	out := make([]PropertyDoc, len(ps))
	for i, p := range ps {
		out[i] = PropertyDoc(p)
	}
	return out
}

// PropertiesFromDocs are the properties of documents ds (PropertyDocs's inverse).
func PropertiesFromDocs(ds []PropertyDoc) []Property {
	out := make([]Property, len(ds))
	for i, d := range ds {
		out[i] = Property(d)
	}
	return out
}

// LocationDocOf is l as a document; nil for nil.
func LocationDocOf(l *Location) *LocationDoc {
	if l == nil {
		return nil
	}
	return &LocationDoc{l.Longitude, l.Latitude, l.Elevation}
}

// Location is d as a location; nil for nil (LocationDocOf's inverse).
func (d *LocationDoc) Location() *Location {
	if d == nil {
		return nil
	}
	return &Location{d.Longitude, d.Latitude, d.Elevation}
}

// fillDoc sets the fields of document d (a *SpaceDoc, *DeviceDoc …) that
// the description of o's kind maps to it: ids as strings (a zero id as a
// nil *string where the document holds one), type ids with their names,
// times in UTC (nil when zero), locations and properties as documents.
func (v *View) fillDoc(o Object, d any) {
	desc := DescribeObject(o)
	for i := range desc.Fields {
		f := &desc.Fields[i]
		if f.doc == nil || f.get == nil {
			continue
		}
		switch dst := f.doc(d).(type) {
		case *string:
			switch x := f.get(o).(type) {
			case *ID:
				*dst = x.String()
			case *string:
				*dst = *x
			}
		case **string:
			if id := *f.get(o).(*ID); !id.IsZero() {
				s := id.String()
				*dst = &s
			}
		case *int:
			*dst = *f.get(o).(*int)
			if f.docName != nil {
				*f.docName(d) = v.TypeName(*dst)
			}
		case **time.Time:
			if t := *f.get(o).(*time.Time); !t.IsZero() {
				t = t.UTC()
				*dst = &t
			}
		case **LocationDoc:
			*dst = LocationDocOf(*f.get(o).(**Location))
		case *[]PropertyDoc:
			*dst = PropertyDocs(*f.get(o).(*[]Property))
		}
	}
}

// SpaceDoc renders a space; values adds its computed values.
func (v *View) SpaceDoc(s *Space, values bool) *SpaceDoc {
	d := &SpaceDoc{FullName: v.FullName(s.ID), SpacePaths: []string{v.SpacePath(s.ID)}, Level: v.Level(s.ID)}
	v.fillDoc(s, d)
	if values {
		for _, nv := range v.SpaceValues(s.ID) {
			d.Values = append(d.Values, ValueDoc{Type: nv.Name, Value: nv.Value.Value, Timestamp: nv.Time.UTC()})
		}
	}
	return d
}

// DeviceDoc renders a device; sensors adds its sensors.
func (v *View) DeviceDoc(dv *Device, sensors bool) *DeviceDoc {
	d := &DeviceDoc{SpacePaths: []string{v.SpacePath(dv.SpaceID)}}
	v.fillDoc(dv, d)
	if sensors {
		for _, s := range v.DeviceSensors(dv.ID) {
			d.Sensors = append(d.Sensors, v.SensorDoc(s))
		}
	}
	return d
}

// SensorDoc renders a sensor with its current value.
func (v *View) SensorDoc(s *Sensor) *SensorDoc {
	d := &SensorDoc{SpacePaths: []string{v.SpacePath(s.SpaceID)}}
	v.fillDoc(s, d)
	if val, ok := v.SensorValue(s.ID); ok {
		d.Value = &ValueDoc{Type: d.DataType, Value: val.Value, Timestamp: val.Time.UTC()}
	}
	return d
}

// UserDoc renders a user.
func (v *View) UserDoc(u *User) *UserDoc {
	d := &UserDoc{SpacePaths: []string{v.SpacePath(u.SpaceID)}}
	v.fillDoc(u, d)
	return d
}
