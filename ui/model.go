package ui

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// Tree node ids name a graph object by kind and GUID: "s:<guid>" a space,
// "d:<guid>" a device, "n:<guid>" a sensor. The empty id is the invisible
// root whose children are the root spaces.
const (
	spacePrefix  = "s:"
	devicePrefix = "d:"
	sensorPrefix = "n:"
)

// spaceNode, deviceNode and sensorNode return the tree node id of an object.
func spaceNode(id engine.ID) string  { return spacePrefix + id.String() }
func deviceNode(id engine.ID) string { return devicePrefix + id.String() }
func sensorNode(id engine.ID) string { return sensorPrefix + id.String() }

// parseNode splits a tree node id into the object's kind (KindSpace,
// KindDevice or KindSensor) and id. It reports false for anything else,
// including the root "".
func parseNode(uid string) (engine.Kind, engine.ID, bool) {
	var k engine.Kind
	switch {
	case strings.HasPrefix(uid, spacePrefix):
		k = engine.KindSpace
	case strings.HasPrefix(uid, devicePrefix):
		k = engine.KindDevice
	case strings.HasPrefix(uid, sensorPrefix):
		k = engine.KindSensor
	default:
		return engine.KindNone, engine.NilID, false
	}
	id, err := engine.ParseID(uid[2:])
	if err != nil {
		return engine.KindNone, engine.NilID, false
	}
	return k, id, true
}

// viewModel says what the studio shows for the graph of one engine: the
// children of a tree node, its label, its ancestors and its details. Every
// method reads the engine afresh through Engine.View, so it shows the graph
// as it is now; an id whose object has gone yields nothing. viewModel holds no
// widgets and is safe for concurrent use.
type viewModel struct {
	e *engine.Engine

	mu       sync.Mutex
	gen      uint64              // the engine generation the caches hold
	children map[string][]string // Children, per node
	branch   map[string]bool     // isBranch, per node
	filter   map[string]bool     // when set, only these nodes show (a search)
}

// newViewModel returns the model of e.
func newViewModel(e *engine.Engine) *viewModel { return &viewModel{e: e} }

// cached returns the child and branch caches, emptied when the graph's
// objects changed since they were filled. Call with m.mu held.
func (m *viewModel) cached() {
	if g := m.e.Generation(); g != m.gen || m.children == nil {
		m.gen = g
		m.children = map[string][]string{}
		m.branch = map[string]bool{}
	}
}

// stats counts the project's objects.
func (m *viewModel) stats() engine.Stats { return m.e.Stats() }

func (m *viewModel) view(fn func(v *engine.View)) {
	_ = m.e.View(func(v *engine.View) error { fn(v); return nil })
}

// childNodes returns the ids of a node's children in display order: for the
// root "" the root spaces; for a space its child spaces, then its devices;
// for a device its sensors; for a sensor none. While a filter is set (see
// setFilter) only the nodes it holds show.
//
// Child lists are cached until the graph's objects change (the tree asks
// for the children of every open branch on each redraw), so a project of
// 100,000 objects costs only what its open branches show.
func (m *viewModel) childNodes(uid string) []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.childrenLocked(uid)
}

func (m *viewModel) childrenLocked(uid string) []string {
	m.cached()
	if c, ok := m.children[uid]; ok {
		return c
	}
	c := m.readChildren(uid)
	if m.filter != nil {
		kept := c[:0:0]
		for _, x := range c {
			if m.filter[x] {
				kept = append(kept, x)
			}
		}
		c = kept
	}
	m.children[uid] = c
	return c
}

func (m *viewModel) readChildren(uid string) []string {
	var out []string
	m.view(func(v *engine.View) {
		if uid == "" {
			for _, s := range v.Roots() {
				out = append(out, spaceNode(s.ID))
			}
			return
		}
		k, id, ok := parseNode(uid)
		if !ok {
			return
		}
		switch k {
		case engine.KindSpace:
			for _, s := range v.ChildSpaces(id) {
				out = append(out, spaceNode(s.ID))
			}
			for _, d := range v.SpaceDevices(id) {
				out = append(out, deviceNode(d.ID))
			}
		case engine.KindDevice:
			for _, s := range v.DeviceSensors(id) {
				out = append(out, sensorNode(s.ID))
			}
		}
	})
	return out
}

// isBranch reports whether a node has children to show. The root always
// is a branch.
func (m *viewModel) isBranch(uid string) bool {
	if uid == "" {
		return true
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cached()
	if b, ok := m.branch[uid]; ok {
		return b
	}
	var b bool
	if m.filter != nil {
		b = len(m.childrenLocked(uid)) > 0
	} else {
		b = m.readIsBranch(uid)
	}
	m.branch[uid] = b
	return b
}

func (m *viewModel) readIsBranch(uid string) bool {
	k, id, ok := parseNode(uid)
	if !ok {
		return false
	}
	branch := false
	m.view(func(v *engine.View) {
		switch k {
		case engine.KindSpace:
			branch = len(v.ChildSpaces(id)) > 0 || len(v.SpaceDevices(id)) > 0
		case engine.KindDevice:
			branch = len(v.DeviceSensors(id)) > 0
		}
	})
	return branch
}

// searchLimit is how many matches a search shows at most.
const searchLimit = 500

// search returns the nodes whose name, hardwareId, type or data type
// contains query (case-insensitively), in tree order, at most limit of
// them, and how many match in all.
func (m *viewModel) search(query string, limit int) (matches []string, total int) {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return nil, 0
	}
	has := func(parts ...string) bool {
		for _, p := range parts {
			if p != "" && strings.Contains(strings.ToLower(p), q) {
				return true
			}
		}
		return false
	}
	hit := func(uid string) {
		total++
		if len(matches) < limit {
			matches = append(matches, uid)
		}
	}
	m.view(func(v *engine.View) {
		var walk func(s *engine.Space)
		walk = func(s *engine.Space) {
			if has(s.Name, s.FriendlyName, v.TypeName(s.TypeID), v.TypeName(s.SubtypeID)) {
				hit(spaceNode(s.ID))
			}
			for _, c := range v.ChildSpaces(s.ID) {
				walk(c)
			}
			for _, d := range v.SpaceDevices(s.ID) {
				if has(d.Name, d.HardwareID, d.FriendlyName, v.TypeName(d.TypeID)) {
					hit(deviceNode(d.ID))
				}
				for _, n := range v.DeviceSensors(d.ID) {
					if has(n.Name, n.HardwareID, v.TypeName(n.DataTypeID)) {
						hit(sensorNode(n.ID))
					}
				}
			}
		}
		for _, r := range v.Roots() {
			walk(r)
		}
	})
	return matches, total
}

// setFilter shows only nodes (and the nodes above them) in the tree; nil
// shows everything again.
func (m *viewModel) setFilter(nodes []string) {
	var f map[string]bool
	if nodes != nil {
		f = make(map[string]bool, 4*len(nodes))
		for _, n := range nodes {
			f[n] = true
			for _, a := range m.ancestors(n) {
				f[a] = true
			}
		}
	}
	m.mu.Lock()
	m.filter = f
	m.children = nil // refill under the new filter
	m.mu.Unlock()
}

// shows reports whether node uid shows under the current filter.
func (m *viewModel) shows(uid string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.filter == nil || m.filter[uid]
}

// filtered reports whether a filter is set.
func (m *viewModel) filtered() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.filter != nil
}

// isRoot reports whether uid is a root space.
func (m *viewModel) isRoot(uid string) bool {
	root := false
	m.view(func(v *engine.View) {
		s, ok := lookup(v, uid).(*engine.Space)
		root = ok && s.ParentID.IsZero()
	})
	return root
}

// label is a node's one-line text in the tree:
//
//	Focus Room A1 · Room/FocusRoom          a space: name · type/subtype
//	Raspberry Pi 3 A1 (1234567890AB)        a device: name (hardwareId)
//	Motion · SAMPLE_SENSOR_MOTION = 42      a sensor: data type · hardwareId = value
//
// Type and subtype are left out when they are None, the value when the
// sensor has none. An unknown id gives "".
func (m *viewModel) label(uid string) string {
	var label string
	m.view(func(v *engine.View) {
		switch o := lookup(v, uid).(type) {
		case *engine.Space:
			label = o.Name
			if t := typeAndSubtype(v.TypeName(o.TypeID), v.TypeName(o.SubtypeID)); t != "" {
				label += " · " + t
			}
		case *engine.Device:
			label = o.Name
			if o.HardwareID != "" {
				label += " (" + o.HardwareID + ")"
			}
		case *engine.Sensor:
			label = sensorTitle(v, o) + " · " + o.HardwareID
			if val, ok := v.SensorValue(o.ID); ok {
				label += " = " + val.Value
			}
		}
	})
	return label
}

// lookup returns the object of tree node uid in v: a *engine.Space,
// *engine.Device or *engine.Sensor, or nil when uid names none (any
// more).
func lookup(v *engine.View, uid string) any {
	k, id, ok := parseNode(uid)
	if !ok {
		return nil
	}
	switch k {
	case engine.KindSpace:
		if s, ok := v.Space(id); ok {
			return s
		}
	case engine.KindDevice:
		if d, ok := v.Device(id); ok {
			return d
		}
	case engine.KindSensor:
		if s, ok := v.Sensor(id); ok {
			return s
		}
	}
	return nil
}

// name is the name of node uid: a space's or device's name, a sensor's
// name or else its hardware id. An unknown id gives "".
func (m *viewModel) name(uid string) string {
	var name string
	m.view(func(v *engine.View) {
		switch o := lookup(v, uid).(type) {
		case *engine.Space:
			name = o.Name
		case *engine.Device:
			name = o.Name
		case *engine.Sensor:
			name = o.Name
			if name == "" {
				name = o.HardwareID
			}
		}
	})
	return name
}

// exists reports whether node uid's object exists.
func (m *viewModel) exists(uid string) bool {
	found := false
	m.view(func(v *engine.View) { found = lookup(v, uid) != nil })
	return found
}

// ancestors returns the ids of the nodes above uid, root space first: the
// nodes to open so that uid shows in the tree. An unknown id gives nil.
func (m *viewModel) ancestors(uid string) []string {
	var out []string
	m.view(func(v *engine.View) {
		space := engine.NilID
		switch o := lookup(v, uid).(type) {
		case *engine.Space:
			space = o.ParentID
		case *engine.Device:
			space = o.SpaceID
		case *engine.Sensor:
			if d, ok := v.Device(o.DeviceID); ok {
				out = append(out, deviceNode(d.ID))
				space = d.SpaceID
			}
		}
		for !space.IsZero() {
			s, ok := v.Space(space)
			if !ok {
				break
			}
			out = append(out, spaceNode(s.ID))
			space = s.ParentID
		}
	})
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// field is one labelled line of the inspector. Time, when set, is when
// Value was recorded.
type field struct {
	Label string
	Value string
	Time  time.Time
}

// text is the field's value as the inspector shows it: the value, and its
// time in local time when the field has one.
func (f field) text() string {
	if f.Time.IsZero() {
		return f.Value
	}
	return f.Value + "  (" + formatTime(f.Time) + ")"
}

// formatTime is how the studio shows a timestamp: local time to the second
// with the zone.
func formatTime(t time.Time) string { return t.Local().Format("2006-01-02 15:04:05 MST") }

// details is what the inspector shows for one object.
type details struct {
	Kind   engine.Kind // KindSpace, KindDevice or KindSensor
	Title  string      // the object's name (a sensor's data type when it has no name)
	Fields []field     // identity, types and place, in display order
	// Properties are the object's extended properties.
	Properties []field
	// Values are current values with their times: a space's computed
	// values, a device's sensors' values, a sensor's own value. A sensor or
	// device without any has none.
	Values []field
}

// details returns what the inspector shows for node uid, and false if the
// object does not exist (any more).
func (m *viewModel) details(uid string) (details, bool) {
	var d details
	found := true
	m.view(func(v *engine.View) {
		switch o := lookup(v, uid).(type) {
		case *engine.Space:
			d = spaceDetails(v, o)
		case *engine.Device:
			d = deviceDetails(v, o)
		case *engine.Sensor:
			d = sensorDetails(v, o)
		default:
			found = false
		}
	})
	return d, found
}

// fields collects fields, skipping optional ones without a value.
type fields []field

func (fs *fields) add(label, value string) { *fs = append(*fs, field{Label: label, Value: value}) }

func (fs *fields) opt(label, value string) {
	if value != "" {
		fs.add(label, value)
	}
}

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

// typeAndSubtype joins a type and subtype name as "Room/FocusRoom",
// leaving out None.
func typeAndSubtype(typ, sub string) string {
	if typ == "None" {
		typ = ""
	}
	if sub == "None" {
		sub = ""
	}
	switch {
	case typ != "" && sub != "":
		return typ + "/" + sub
	case typ != "":
		return typ
	default:
		return sub
	}
}

func properties(ps []engine.PropertyDoc) []field {
	var out []field
	for _, p := range ps {
		out = append(out, field{Label: p.Name, Value: p.Value})
	}
	return out
}

func location(l *engine.LocationDoc) string {
	if l == nil {
		return ""
	}
	return fmt.Sprintf("%g, %g (elevation %g)", l.Latitude, l.Longitude, l.Elevation)
}

func contents(spaces, devices, sensors int) string {
	var parts []string
	if spaces > 0 {
		parts = append(parts, plural(spaces, "space", "spaces"))
	}
	if devices > 0 {
		parts = append(parts, plural(devices, "device", "devices"))
	}
	if sensors > 0 {
		parts = append(parts, plural(sensors, "sensor", "sensors"))
	}
	if len(parts) == 0 {
		return "nothing"
	}
	return strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// countsText is the status bar's summary of a project's objects:
//
//	64 spaces · 60 devices · 256 sensors · 8 matchers · 1 UDF · 1 role assignment
//
// Spaces, devices and sensors always show; other kinds only when present.
func countsText(st engine.Stats) string {
	parts := []string{
		plural(st.Spaces, "space", "spaces"),
		plural(st.Devices, "device", "devices"),
		plural(st.Sensors, "sensor", "sensors"),
	}
	for _, c := range []struct {
		n         int
		one, many string
	}{
		{st.Users, "user", "users"},
		{st.Matchers, "matcher", "matchers"},
		{st.UDFs, "UDF", "UDFs"},
		{st.RoleAssignments, "role assignment", "role assignments"},
		{st.Endpoints, "endpoint", "endpoints"},
	} {
		if c.n > 0 {
			parts = append(parts, plural(c.n, c.one, c.many))
		}
	}
	return strings.Join(parts, " · ")
}
