package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// Tree node ids name a graph object by kind and GUID (see kinds): "s:<guid>"
// a space, "d:<guid>" a device, "n:<guid>" a sensor. The empty id is the
// invisible root whose children are the root spaces.

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

	who atomic.Pointer[engine.Principal] // whose view shows (nil: engine.Owner, everything)
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
		who := m.principal()
		if uid == "" {
			out = viewRoots(v, who)
			return
		}
		if k, id, ok := parseNode(uid); ok && m.sees(v, who, k.kind, id) {
			out = visibleNodes(v, who, k.children(v, id))
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
		who := m.principal()
		if who.Type == engine.Owner.Type {
			branch = k.branch(v, id)
		} else {
			branch = m.sees(v, who, k.kind, id) && len(visibleNodes(v, who, k.children(v, id))) > 0
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
	who := m.principal()
	var view *engine.View
	hit := func(uid string) {
		if k, id, ok := parseNode(uid); !ok || !m.sees(view, who, k.kind, id) {
			return
		}
		total++
		if len(matches) < limit {
			matches = append(matches, uid)
		}
	}
	m.view(func(v *engine.View) {
		view = v
		// Tree order: a space, the spaces under it, then its devices.
		_ = v.WalkSpaces(func(s *engine.Space) error {
			if has(s.Name, s.FriendlyName, v.TypeName(s.TypeID), v.TypeName(s.SubtypeID)) {
				hit(spaceNode(s.ID))
			}
			return nil
		}, func(s *engine.Space) error {
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
			return nil
		})
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
		if o, k, ok := m.lookup(v, uid); ok {
			up := k.parentNode(o)
			pk, pid, ok := parseNode(up)
			root = up == "" || ok && !m.sees(v, m.principal(), pk.kind, pid)
		}
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
		if o, k, ok := m.lookup(v, uid); ok {
			label = k.label(v, o)
		}
	})
	return label
}

// name is the name of node uid: a space's or device's name, a sensor's
// name or else its hardware id. An unknown id gives "".
func (m *viewModel) name(uid string) string {
	var name string
	m.view(func(v *engine.View) {
		if o, k, ok := m.lookup(v, uid); ok {
			name = k.name(o)
		}
	})
	return name
}

// exists reports whether node uid's object exists.
func (m *viewModel) exists(uid string) bool {
	found := false
	m.view(func(v *engine.View) { _, _, found = m.lookup(v, uid) })
	return found
}

// ancestors returns the ids of the nodes above uid, root space first: the
// nodes to open so that uid shows in the tree. An unknown id gives nil.
func (m *viewModel) ancestors(uid string) []string {
	var out []string
	m.view(func(v *engine.View) {
		o, k, ok := m.lookup(v, uid)
		for ok {
			pk, id := k.up(o)
			if pk == engine.KindNone {
				break
			}
			k = kindOf(pk)
			if o, ok = k.get(v, id); ok && m.sees(v, m.principal(), k.kind, id) {
				out = append(out, k.node(id))
			}
		}
	})
	slices.Reverse(out)
	return out
}

// parent is the node above uid, "" for a root space or an unknown node.
func (m *viewModel) parent(uid string) string {
	up := ""
	m.view(func(v *engine.View) {
		if o, k, ok := m.lookup(v, uid); ok {
			up = k.parentNode(o)
			if pk, pid, ok := parseNode(up); ok && !m.sees(v, m.principal(), pk.kind, pid) {
				up = "" // the top of what the principal sees
			}
		}
	})
	return up
}

// spaceAt is the space node uid is in (itself for a space), NilID for
// none.
func (m *viewModel) spaceAt(uid string) engine.ID {
	at := engine.NilID
	m.view(func(v *engine.View) {
		if o, k, ok := m.lookup(v, uid); ok {
			at = k.space(o)
		}
	})
	return at
}

// spaceTypeName is the type of space id ("" for none).
func (m *viewModel) spaceTypeName(id engine.ID) string {
	name := ""
	m.view(func(v *engine.View) {
		if sp, ok := v.Space(id); ok {
			name = v.TypeName(sp.TypeID)
		}
	})
	return name
}

// typeNames are the enabled types of category c at space at.
func (m *viewModel) typeNames(c engine.Category, at engine.ID) []string {
	var out []string
	m.view(func(v *engine.View) { out = v.EnabledTypeNames(c, at) })
	return out
}

// document is the JSON document of tree node uid (as the REST API shows
// it, with values), or a hint when there is none.
func (m *viewModel) document(uid string) string {
	var doc any
	m.view(func(v *engine.View) {
		if o, k, ok := m.lookup(v, uid); ok {
			doc = k.doc(v, o)
		}
	})
	if doc == nil && !m.isOwner() {
		return "Select a space, device or sensor in the tree to see its document.\n\n" +
			"Viewing as " + principalText(m.principal()) + ": the tree shows only what it may read."
	}
	if doc == nil {
		return "Select a space, device or sensor in the tree to see its document.\n\n" +
			"This project has " + countsText(m.stats()) + "."
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return err.Error()
	}
	return string(b)
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
	found := false
	m.view(func(v *engine.View) {
		var o engine.Object
		var k *kindUI
		if o, k, found = m.lookup(v, uid); found {
			d = k.details(v, o)
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

// propertyKeyNames returns the names of the property keys of scope that
// apply at space at, sorted.
func (m *viewModel) propertyKeyNames(scope string, at engine.ID) []string {
	seen := map[string]bool{}
	var out []string
	m.view(func(v *engine.View) {
		for _, k := range v.PropertyKeys() {
			if k.Scope != scope || seen[strings.ToLower(k.Name)] {
				continue
			}
			if !k.SpaceID.IsZero() && !v.IsWithin(at, k.SpaceID) {
				continue
			}
			seen[strings.ToLower(k.Name)] = true
			out = append(out, k.Name)
		}
	})
	sort.Strings(out)
	return out
}

// keyHint describes the values property key name of scope accepts at
// space at ("Int from 1 to 40", "Enum: Low, High"), or "" when there is
// no such key or it takes anything.
func (m *viewModel) keyHint(name, scope string, at engine.ID) string {
	var hint string
	m.view(func(v *engine.View) {
		k, ok := v.FindPropertyKey(name, scope, at)
		if !ok || k.PrimitiveDataType == engine.PrimNone || k.PrimitiveDataType == "" {
			return
		}
		hint = k.PrimitiveDataType
		switch {
		case k.Min != "" && k.Max != "":
			hint += " from " + k.Min + " to " + k.Max
		case k.Min != "":
			hint += " from " + k.Min
		case k.Max != "":
			hint += " up to " + k.Max
		}
		if k.ValidationData != "" {
			hint += ": " + k.ValidationData
		}
	})
	return hint
}
