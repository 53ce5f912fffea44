package ui

import (
	"slices"
	"strconv"
	"strings"

	"github.com/twinstudio/twinstudio/assets"
	"github.com/twinstudio/twinstudio/engine"
)

// kindUI is what the studio does differently for one kind of object in the
// tree: how its node id is spelt, what it is called, where it goes, what
// may be added with it selected, how it is labelled, drawn, edited, moved
// and duplicated. kinds holds one row per kind the tree shows; the rest of
// the studio reads the table and switches over no kind. (An engine-side
// description of each kind's fields is to replace the field rows here.)
//
// The table holds no widgets: the widget-free editor and view model use it
// as the screens do. Every function gets the row's own kind of object.
type kindUI struct {
	kind     engine.Kind
	prefix   string        // tree node ids are prefix + GUID
	title    string        // what the inspector calls it
	noValues string        // the inspector's Values section when it has none
	parent   engine.Kind   // the kind it goes into (a space may also go at the top)
	adds     []engine.Kind // what may be added with it selected; the first is the default
	scope    string        // the scope of its property keys
	connect  bool          // the inspector shows its MQTT connection
	res      string        // its resource type in the engine's permissions
	propRes  string        // the resource type of its extended properties

	get      func(v *engine.View, id engine.ID) (engine.Object, bool)
	up       func(o engine.Object) (engine.Kind, engine.ID) // the object above it; KindNone for a root space
	space    func(o engine.Object) engine.ID
	name     func(o engine.Object) string // its name in dialogs and undo labels
	setName  func(o engine.Object, name string)
	children func(v *engine.View, id engine.ID) []string
	branch   func(v *engine.View, id engine.ID) bool
	label    func(v *engine.View, o engine.Object) string // its tree row
	icon     func(v *engine.View, o engine.Object) string // a name of package assets
	doc      func(v *engine.View, o engine.Object) any    // its JSON document, with values
	details  func(v *engine.View, o engine.Object) details
	// fields are the inspector's editable fields, in display order.
	fields []editField
	// add describes the Add dialog and makes the object.
	add addForm
	// move moves object id into to (a space, or NilID for the top; a device).
	move func(tx *engine.Tx, id, to engine.ID) error
	// duplicate copies object id beside itself; nil when it cannot be.
	duplicate func(tx *engine.Tx, id engine.ID, name, pattern string) (engine.ID, error)
	// own is its own count in a delete impact.
	own func(im *engine.Impact) *int
}

// editField is one editable field of the inspector: a text entry, a
// dropdown of the enabled types of category, or a dropdown of choices.
type editField struct {
	name     string // the field's Go name in its engine description
	onAdd    bool   // the Add dialog asks for it
	label    string
	verb     string          // a text field: the edit's label ("Rename Focus Room")
	category engine.Category // a type field
	choices  []string        // a choice field
	text     func(o engine.Object) string
	setText  func(o engine.Object, text string)
	typeID   func(o engine.Object) int
	setType  func(o engine.Object, id int)
}

// editFieldsOf returns the inspector's fields of kind k: the fields its
// engine description marks Editable, with their labels, verbs, type
// categories and choices. A form shows the name first, then the other
// identifying texts the Add dialog asks for (a hardware id), then the type
// references, then the rest, each group in the description's order.
func editFieldsOf(k engine.Kind) []editField {
	var out []editField
	for _, f := range engine.Describe(k).Editable() {
		if f.Type == engine.FieldString || f.Type == engine.FieldTypeRef {
			out = append(out, editFieldFrom(f))
		}
	}
	rank := func(f editField) int {
		switch {
		case f.name == "Name":
			return 0
		case f.category == "" && f.choices == nil && f.onAdd:
			return 1
		case f.category != "":
			return 2
		}
		return 3
	}
	slices.SortStableFunc(out, func(a, b editField) int { return rank(a) - rank(b) })
	return out
}

// editFieldFrom is the inspector's field for an engine field description
// of a text or a type reference (the kinds of field the studio edits).
func editFieldFrom(f *engine.Field) editField {
	e := editField{name: f.Name, label: f.Label, verb: f.Verb, onAdd: f.OnAdd}
	if e.verb == "" {
		e.verb = "Set " + strings.ToLower(f.Label) + " of"
	}
	switch f.Type {
	case engine.FieldTypeRef:
		e.category = f.Category
		e.typeID = func(o engine.Object) int { return *f.Ptr(o).(*int) }
		e.setType = func(o engine.Object, id int) { *f.Ptr(o).(*int) = id }
	default:
		e.choices = f.Choices
		e.text = func(o engine.Object) string { return *f.Ptr(o).(*string) }
		e.setText = func(o engine.Object, t string) { *f.Ptr(o).(*string) = t }
	}
	return e
}

// addForm is the Add dialog of a kind and how it makes the object.
type addForm struct {
	title     string          // "Add space"
	in        bool            // the title names the selection it goes in
	where     string          // where it goes, for the error when it cannot go there
	name      bool            // it asks for a name
	hardware  bool            // it asks for a hardware id
	typeLabel string          // the type dropdown's label
	category  engine.Category // the types offered
	// defType is the type offered first, from the type of the space the
	// object goes into ("" at the top).
	defType func(spaceType string) string
	// create makes the object in holder (a node of the parent kind, the
	// zero id at the top) and returns its id.
	create func(tx *engine.Tx, holder engine.ID, f addFields) (engine.ID, error)
}

// addFields is what the Add dialog asks for.
type addFields struct{ name, typ, hardwareID string }

func space(o engine.Object) *engine.Space   { return o.(*engine.Space) }
func device(o engine.Object) *engine.Device { return o.(*engine.Device) }
func sensor(o engine.Object) *engine.Sensor { return o.(*engine.Sensor) }

var spaceKind = &kindUI{
	kind: engine.KindSpace, prefix: spacePrefix, title: "Space", noValues: "No computed values yet.",
	parent: engine.KindSpace, adds: []engine.Kind{engine.KindSpace, engine.KindDevice}, scope: engine.ScopeSpaces,
	res: engine.ResSpace, propRes: engine.ResSpaceExtendedProperty,
	get: func(v *engine.View, id engine.ID) (engine.Object, bool) { s, ok := v.Space(id); return s, ok },
	up: func(o engine.Object) (engine.Kind, engine.ID) {
		if p := space(o).ParentID; !p.IsZero() {
			return engine.KindSpace, p
		}
		return engine.KindNone, engine.NilID
	},
	space:   func(o engine.Object) engine.ID { return space(o).ID },
	name:    func(o engine.Object) string { return space(o).Name },
	setName: func(o engine.Object, n string) { space(o).Name = n },
	children: func(v *engine.View, id engine.ID) []string {
		var out []string
		for _, s := range v.ChildSpaces(id) {
			out = append(out, spaceNode(s.ID))
		}
		for _, d := range v.SpaceDevices(id) {
			out = append(out, deviceNode(d.ID))
		}
		return out
	},
	branch: func(v *engine.View, id engine.ID) bool {
		return len(v.ChildSpaces(id)) > 0 || len(v.SpaceDevices(id)) > 0
	},
	label: func(v *engine.View, o engine.Object) string {
		s := space(o)
		if t := typeAndSubtype(v.TypeName(s.TypeID), v.TypeName(s.SubtypeID)); t != "" {
			return s.Name + " · " + t
		}
		return s.Name
	},
	icon: func(v *engine.View, o engine.Object) string {
		return spaceIcon(v.TypeName(space(o).TypeID), space(o).ParentID.IsZero())
	},
	doc:     func(v *engine.View, o engine.Object) any { return v.SpaceDoc(space(o), true) },
	details: func(v *engine.View, o engine.Object) details { return spaceDetails(v, space(o)) },
	fields:  editFieldsOf(engine.KindSpace),
	add: addForm{title: "Add space", in: true, where: "a space goes into a space; select one (or nothing, for a root space)", name: true, typeLabel: "Type", category: engine.SpaceType,
		defType: engine.ChildSpaceType,
		create: func(tx *engine.Tx, parent engine.ID, f addFields) (engine.ID, error) {
			sp := &engine.Space{Name: f.name, ParentID: parent}
			var err error
			if sp.TypeID, err = tx.ResolveType(engine.SpaceType, f.typ, parent); err != nil {
				return engine.NilID, err
			}
			err = tx.CreateSpace(sp)
			return sp.ID, err
		}},
	move: func(tx *engine.Tx, id, to engine.ID) error { return tx.MoveSpace(id, to) },
	duplicate: func(tx *engine.Tx, id engine.ID, name, pattern string) (engine.ID, error) {
		sp, ok := tx.Space(id)
		if !ok {
			return engine.NilID, errDeleted("space")
		}
		return tx.DuplicateSpace(id, sp.ParentID, name, pattern)
	},
	own: func(im *engine.Impact) *int { return &im.Spaces },
}

var deviceKind = &kindUI{
	kind: engine.KindDevice, prefix: devicePrefix, title: "Device", noValues: "None of its sensors has a value yet.",
	parent: engine.KindSpace, adds: []engine.Kind{engine.KindSensor}, scope: engine.ScopeDevices, connect: true,
	res: engine.ResDevice, propRes: engine.ResDeviceExtendedProperty,
	get:     func(v *engine.View, id engine.ID) (engine.Object, bool) { d, ok := v.Device(id); return d, ok },
	up:      func(o engine.Object) (engine.Kind, engine.ID) { return engine.KindSpace, device(o).SpaceID },
	space:   func(o engine.Object) engine.ID { return device(o).SpaceID },
	name:    func(o engine.Object) string { return device(o).Name },
	setName: func(o engine.Object, n string) { device(o).Name = n },
	children: func(v *engine.View, id engine.ID) []string {
		var out []string
		for _, s := range v.DeviceSensors(id) {
			out = append(out, sensorNode(s.ID))
		}
		return out
	},
	branch: func(v *engine.View, id engine.ID) bool { return len(v.DeviceSensors(id)) > 0 },
	label: func(_ *engine.View, o engine.Object) string {
		if d := device(o); d.HardwareID != "" {
			return d.Name + " (" + d.HardwareID + ")"
		}
		return device(o).Name
	},
	icon:    func(v *engine.View, o engine.Object) string { return assets.DeviceIcon(v.TypeName(device(o).TypeID)) },
	doc:     func(v *engine.View, o engine.Object) any { return v.DeviceDoc(device(o), true) },
	details: func(v *engine.View, o engine.Object) details { return deviceDetails(v, device(o)) },
	fields:  editFieldsOf(engine.KindDevice),
	add: addForm{title: "Add device", in: true, where: "a device goes into a space", name: true, hardware: true, typeLabel: "Type", category: engine.DeviceType,
		defType: func(string) string { return "Generic" },
		create: func(tx *engine.Tx, space engine.ID, f addFields) (engine.ID, error) {
			d := &engine.Device{Name: f.name, SpaceID: space, HardwareID: f.hardwareID}
			var err error
			if d.TypeID, err = tx.ResolveType(engine.DeviceType, f.typ, space); err != nil {
				return engine.NilID, err
			}
			err = tx.CreateDevice(d)
			return d.ID, err
		}},
	move: func(tx *engine.Tx, id, to engine.ID) error { return tx.MoveDevice(id, to) },
	duplicate: func(tx *engine.Tx, id engine.ID, name, pattern string) (engine.ID, error) {
		d, ok := tx.Device(id)
		if !ok {
			return engine.NilID, errDeleted("device")
		}
		return tx.DuplicateDevice(id, d.SpaceID, name, pattern)
	},
	own: func(im *engine.Impact) *int { return &im.Devices },
}

var sensorKind = &kindUI{
	kind: engine.KindSensor, prefix: sensorPrefix, title: "Sensor", noValues: "No value yet.",
	parent: engine.KindDevice, adds: []engine.Kind{engine.KindSensor}, scope: engine.ScopeSensors,
	res: engine.ResSensor, propRes: engine.ResSensorExtendedProperty,
	get:   func(v *engine.View, id engine.ID) (engine.Object, bool) { s, ok := v.Sensor(id); return s, ok },
	up:    func(o engine.Object) (engine.Kind, engine.ID) { return engine.KindDevice, sensor(o).DeviceID },
	space: func(o engine.Object) engine.ID { return sensor(o).SpaceID },
	name: func(o engine.Object) string {
		if s := sensor(o); s.Name != "" {
			return s.Name
		}
		return sensor(o).HardwareID
	},
	setName:  func(o engine.Object, n string) { sensor(o).Name = n },
	children: func(*engine.View, engine.ID) []string { return nil },
	branch:   func(*engine.View, engine.ID) bool { return false },
	label: func(v *engine.View, o engine.Object) string {
		s := sensor(o)
		l := sensorTitle(v, s) + " · " + s.HardwareID
		if val, ok := v.SensorValue(s.ID); ok {
			l += " = " + val.Value
		}
		return l
	},
	icon: func(v *engine.View, o engine.Object) string {
		return assets.SensorIcon(v.TypeName(sensor(o).DataTypeID))
	},
	doc:     func(v *engine.View, o engine.Object) any { return v.SensorDoc(sensor(o)) },
	details: func(v *engine.View, o engine.Object) details { return sensorDetails(v, sensor(o)) },
	fields:  editFieldsOf(engine.KindSensor),
	add: addForm{title: "Add sensor", where: "a sensor goes on a device", hardware: true, typeLabel: "Data type", category: engine.SensorDataType,
		defType: func(string) string { return "Temperature" },
		create: func(tx *engine.Tx, device engine.ID, f addFields) (engine.ID, error) {
			d, ok := tx.Device(device)
			if !ok {
				return engine.NilID, errDeleted("device")
			}
			n := &engine.Sensor{HardwareID: f.hardwareID, DeviceID: device}
			var err error
			if n.DataTypeID, err = tx.ResolveType(engine.SensorDataType, f.typ, d.SpaceID); err != nil {
				return engine.NilID, err
			}
			err = tx.CreateSensor(n)
			return n.ID, err
		}},
	move: func(tx *engine.Tx, id, to engine.ID) error { return tx.MoveSensor(id, to) },
	own:  func(im *engine.Impact) *int { return &im.Sensors },
}

// kinds are the kinds the tree shows, in the order of their node prefixes.
var kinds = []*kindUI{spaceKind, deviceKind, sensorKind}

// kindOf is the row of kind k, nil for a kind the tree does not show.
func kindOf(k engine.Kind) *kindUI {
	for _, r := range kinds {
		if r.kind == k {
			return r
		}
	}
	return nil
}

// parentNode is the node above object o of this kind, "" for a root space.
func (k *kindUI) parentNode(o engine.Object) string {
	if pk, id := k.up(o); pk != engine.KindNone {
		return kindOf(pk).node(id)
	}
	return ""
}

// node is the tree node id of object id of this kind.
func (k *kindUI) node(id engine.ID) string { return k.prefix + id.String() }

// The node id prefixes of the kinds.
const (
	spacePrefix  = "s:"
	devicePrefix = "d:"
	sensorPrefix = "n:"
)

// spaceNode, deviceNode and sensorNode return the tree node id of an object.
func spaceNode(id engine.ID) string  { return spacePrefix + id.String() }
func deviceNode(id engine.ID) string { return devicePrefix + id.String() }
func sensorNode(id engine.ID) string { return sensorPrefix + id.String() }

// parseNode splits a tree node id into its kind's row and the object's id.
// It reports false for anything else, including the root "".
func parseNode(uid string) (*kindUI, engine.ID, bool) {
	for _, k := range kinds {
		if rest, ok := strings.CutPrefix(uid, k.prefix); ok {
			id, err := engine.ParseID(rest)
			if err != nil {
				return nil, engine.NilID, false
			}
			return k, id, true
		}
	}
	return nil, engine.NilID, false
}

// nodeKind is the kind of node uid, KindNone for the root or a bad id.
func nodeKind(uid string) engine.Kind {
	if k, _, ok := parseNode(uid); ok {
		return k.kind
	}
	return engine.KindNone
}

// lookup returns the object of tree node uid in v with its kind's row, or
// false when uid names none (any more).
func lookup(v *engine.View, uid string) (engine.Object, *kindUI, bool) {
	k, id, ok := parseNode(uid)
	if !ok {
		return nil, nil, false
	}
	o, ok := k.get(v, id)
	if !ok {
		return nil, nil, false
	}
	return o, k, true
}

// canAdd reports whether an object of kind k may be added with node sel
// selected ("" nothing: only a space, at the top).
func canAdd(sel string, k engine.Kind) bool {
	sk, _, ok := parseNode(sel)
	if !ok {
		return k == engine.KindSpace
	}
	for _, a := range sk.adds {
		if a == k {
			return true
		}
	}
	return false
}

// spaceIcon is a space's icon: by type, a building for a root space of
// no particular type.
func spaceIcon(typ string, root bool) string {
	name := assets.SpaceIcon(typ)
	if name == "space" && root {
		return "building"
	}
	return name
}

// The inspector's details of each kind.

func spaceDetails(v *engine.View, s *engine.Space) details {
	doc := v.SpaceDoc(s, true)
	var f fields
	f.add("Type", doc.Type)
	f.add("Subtype", doc.Subtype)
	f.add("Status", doc.Status)
	f.add("Path", doc.FullName)
	f.add("Level", strconv.Itoa(doc.Level))
	f.opt("Friendly name", doc.FriendlyName)
	f.opt("Description", doc.Description)
	f.opt("Time zone", doc.TimeZoneName)
	f.opt("Location", location(doc.Location))
	f.add("Contains", contents(len(v.ChildSpaces(s.ID)), len(v.SpaceDevices(s.ID)), len(v.SpaceSensors(s.ID))))
	f.add("ID", doc.ID)
	d := details{Kind: engine.KindSpace, Title: s.Name, Fields: f, Properties: properties(doc.Properties)}
	for _, val := range doc.Values {
		d.Values = append(d.Values, field{Label: val.Type, Value: val.Value, Time: val.Timestamp})
	}
	return d
}

func deviceDetails(v *engine.View, dv *engine.Device) details {
	doc := v.DeviceDoc(dv, false)
	var f fields
	f.add("Type", doc.Type)
	f.add("Subtype", doc.Subtype)
	f.add("Hardware ID", doc.HardwareID)
	f.opt("Gateway ID", doc.GatewayID)
	f.opt("Status", doc.Status)
	if doc.ConnectionState != "" {
		c := field{Label: "Connection", Value: doc.ConnectionState}
		if doc.ConnectionStateUpdatedTime != nil {
			c.Time = *doc.ConnectionStateUpdatedTime
		}
		f = append(f, c)
	}
	f.add("Space", v.FullName(dv.SpaceID))
	f.opt("Friendly name", doc.FriendlyName)
	f.opt("Description", doc.Description)
	f.opt("Location", location(doc.Location))
	f.add("ID", doc.ID)
	d := details{Kind: engine.KindDevice, Title: dv.Name, Fields: f, Properties: properties(doc.Properties)}
	for _, s := range v.DeviceSensors(dv.ID) {
		if val, ok := v.SensorValue(s.ID); ok {
			d.Values = append(d.Values, field{Label: sensorTitle(v, s) + " (" + s.HardwareID + ")", Value: val.Value, Time: val.Time})
		}
	}
	return d
}

func sensorDetails(v *engine.View, s *engine.Sensor) details {
	doc := v.SensorDoc(s)
	var f fields
	f.add("Data type", doc.DataType)
	f.add("Data subtype", doc.DataSubtype)
	f.add("Unit", doc.DataUnitType)
	f.add("Type", doc.Type)
	f.add("Hardware ID", doc.HardwareID)
	if dv, ok := v.Device(s.DeviceID); ok {
		f.add("Device", dv.Name+" ("+dv.HardwareID+")")
	}
	f.add("Space", v.FullName(s.SpaceID))
	f.opt("Port", doc.Port)
	if doc.PollRate != 0 {
		f.add("Poll rate", strconv.Itoa(doc.PollRate))
	}
	f.opt("Location", location(doc.Location))
	f.add("ID", doc.ID)
	d := details{Kind: engine.KindSensor, Title: sensorTitle(v, s), Fields: f, Properties: properties(doc.Properties)}
	if doc.Value != nil {
		d.Values = []field{{Label: "Value", Value: doc.Value.Value, Time: doc.Value.Timestamp}}
	}
	return d
}

// sensorTitle names a sensor: its name, or else its data type.
func sensorTitle(v *engine.View, s *engine.Sensor) string {
	if s.Name != "" {
		return s.Name
	}
	if t := v.TypeName(s.DataTypeID); t != "" && t != "None" {
		return t
	}
	return "Sensor"
}
