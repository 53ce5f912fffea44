package engine

import (
	"fmt"
	"sort"
	"strings"
)

// View is a consistent read-only view of the graph, valid only inside the
// Engine.View or Engine.Update call that made it. Its methods are not safe
// for use after that call returns; the objects they return are.
type View struct {
	g *graph
}

// Space returns the space with id.
func (v *View) Space(id ID) (*Space, bool) {
	if n := v.g.spaces[id]; n != nil {
		return n.s, true
	}
	return nil, false
}

// Device returns the device with id.
func (v *View) Device(id ID) (*Device, bool) {
	if n := v.g.devices[id]; n != nil {
		return n.d, true
	}
	return nil, false
}

// Sensor returns the sensor with id.
func (v *View) Sensor(id ID) (*Sensor, bool) {
	if n := v.g.sensors[id]; n != nil {
		return n.s, true
	}
	return nil, false
}

// User returns the user with id.
func (v *View) User(id ID) (*User, bool) {
	if n := v.g.users[id]; n != nil {
		return n.u, true
	}
	return nil, false
}

// Matcher returns the matcher with id.
func (v *View) Matcher(id ID) (*Matcher, bool) { m, ok := v.g.matchers[id]; return m, ok }

// UDF returns the user-defined function with id.
func (v *View) UDF(id ID) (*UDF, bool) { u, ok := v.g.udfs[id]; return u, ok }

// RoleAssignment returns the role assignment with id.
func (v *View) RoleAssignment(id ID) (*RoleAssignment, bool) { r, ok := v.g.roles[id]; return r, ok }

// Endpoint returns the endpoint with id.
func (v *View) Endpoint(id ID) (*Endpoint, bool) { e, ok := v.g.endpoints[id]; return e, ok }

// Resource returns the resource with id.
func (v *View) Resource(id ID) (*Resource, bool) { r, ok := v.g.resources[id]; return r, ok }

// PropertyKey returns the property key with id.
func (v *View) PropertyKey(id int) (*PropertyKey, bool) { k, ok := v.g.propKeys[id]; return k, ok }

// Type returns the extended type with id.
func (v *View) Type(id int) (*ExtendedType, bool) { t, ok := v.g.types.byID[id]; return t, ok }

// TypeName returns the name of type id ("None" for 0).
func (v *View) TypeName(id int) string { return v.g.types.name(id) }

// TypeEnabled reports whether type id may be referenced now.
func (v *View) TypeEnabled(id int) bool {
	t := v.g.types.byID[id]
	return t != nil && v.g.types.enabled(t)
}

// DeviceByHardwareID finds a device by its hardware id (case-sensitive).
func (v *View) DeviceByHardwareID(hw string) (*Device, bool) {
	if n := v.g.devByHW[hw]; n != nil {
		return n.d, true
	}
	return nil, false
}

// SensorByHardwareID finds a sensor by its hardware id (case-sensitive).
func (v *View) SensorByHardwareID(hw string) (*Sensor, bool) {
	if n := v.g.senByHW[hw]; n != nil {
		return n.s, true
	}
	return nil, false
}

// Roots returns the root spaces.
func (v *View) Roots() []*Space { return spacesOf(v.g.roots) }

// ChildSpaces returns the direct children of space id.
func (v *View) ChildSpaces(id ID) []*Space {
	if n := v.g.spaces[id]; n != nil {
		return spacesOf(n.children)
	}
	return nil
}

// SpaceDevices returns the devices directly in space id.
func (v *View) SpaceDevices(id ID) []*Device {
	n := v.g.spaces[id]
	if n == nil {
		return nil
	}
	out := make([]*Device, len(n.devices))
	for i, d := range n.devices {
		out[i] = d.d
	}
	return out
}

// SpaceSensors returns the sensors directly in space id.
func (v *View) SpaceSensors(id ID) []*Sensor {
	n := v.g.spaces[id]
	if n == nil {
		return nil
	}
	return sensorsOf(n.sensors)
}

// SpaceUsers returns the users located directly in space id.
func (v *View) SpaceUsers(id ID) []*User {
	n := v.g.spaces[id]
	if n == nil {
		return nil
	}
	out := make([]*User, len(n.users))
	for i, u := range n.users {
		out[i] = u.u
	}
	return out
}

// DeviceSensors returns the sensors of device id.
func (v *View) DeviceSensors(id ID) []*Sensor {
	n := v.g.devices[id]
	if n == nil {
		return nil
	}
	return sensorsOf(n.sensors)
}

// Level returns the level of space id (roots are 1), or 0 if unknown.
func (v *View) Level(id ID) int {
	if n := v.g.spaces[id]; n != nil {
		return n.level
	}
	return 0
}

// SpacePath returns the GUID path of space id: "/root/child/…/id".
func (v *View) SpacePath(id ID) string {
	n := v.g.spaces[id]
	if n == nil {
		return ""
	}
	return guidPath(n)
}

func guidPath(n *spaceNode) string {
	var parts []string
	for ; n != nil; n = n.parent {
		parts = append(parts, n.s.ID.String())
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	return b.String()
}

// FullName returns the name path of space id: "/Building/Floor 1/Room".
func (v *View) FullName(id ID) string {
	n := v.g.spaces[id]
	if n == nil {
		return ""
	}
	return namePath(n)
}

func namePath(n *spaceNode) string {
	var parts []string
	for ; n != nil; n = n.parent {
		parts = append(parts, n.s.Name)
	}
	var b strings.Builder
	for i := len(parts) - 1; i >= 0; i-- {
		b.WriteByte('/')
		b.WriteString(parts[i])
	}
	return b.String()
}

// ObjectSpace returns the space an object hangs off: the space itself, a
// device's, sensor's or user's space, a matcher's, UDF's or resource's
// space.
func (v *View) ObjectSpace(id ID) (ID, bool) {
	g := v.g
	switch {
	case g.spaces[id] != nil:
		return id, true
	case g.devices[id] != nil:
		return g.devices[id].d.SpaceID, true
	case g.sensors[id] != nil:
		return g.sensors[id].s.SpaceID, true
	case g.users[id] != nil:
		return g.users[id].u.SpaceID, true
	case g.matchers[id] != nil:
		return g.matchers[id].SpaceID, true
	case g.udfs[id] != nil:
		return g.udfs[id].SpaceID, true
	case g.resources[id] != nil:
		return g.resources[id].SpaceID, true
	}
	return NilID, false
}

// IsWithin reports whether space id is anchor or lies beneath it. A zero
// anchor contains everything.
func (v *View) IsWithin(id, anchor ID) bool {
	if anchor.IsZero() {
		return true
	}
	for n := v.g.spaces[id]; n != nil; n = n.parent {
		if n.s.ID == anchor {
			return true
		}
	}
	return false
}

// ChildSpaceByName finds the child of parent (zero: a root) named name.
// Names compare exactly first, then case-insensitively. It uses the
// graph's name index: its cost does not grow with the number of siblings.
func (v *View) ChildSpaceByName(parent ID, name string) (*Space, bool) {
	var ix nameIndex[*spaceNode]
	if parent.IsZero() {
		ix = v.g.rootNames
	} else if p := v.g.spaces[parent]; p != nil {
		ix = p.childNames
	}
	list := ix.get(name)
	for _, c := range list {
		if c.s.Name == name {
			return c.s, true
		}
	}
	if len(list) > 0 {
		return list[0].s, true
	}
	return nil, false
}

// ResolveSpace finds a space by GUID or by name path
// ("/Quickstart Building/Floor 1"). "/" and "" give the zero ID (the whole
// graph) and true.
func (v *View) ResolveSpace(ref string) (ID, error) {
	ref = strings.TrimSpace(ref)
	if ref == "" || ref == "/" {
		return NilID, nil
	}
	if id, err := ParseID(ref); err == nil {
		if v.g.spaces[id] == nil {
			return NilID, fmt.Errorf("%w: space %s", ErrNotFound, ref)
		}
		return id, nil
	}
	if !strings.HasPrefix(ref, "/") {
		return NilID, fmt.Errorf("%w: %q is neither a GUID nor a path starting with /", ErrInvalid, ref)
	}
	cur := NilID
	for _, part := range strings.Split(strings.Trim(ref, "/"), "/") {
		s, ok := v.ChildSpaceByName(cur, part)
		if !ok {
			where := "the root"
			if !cur.IsZero() {
				where = v.FullName(cur)
			}
			return NilID, fmt.Errorf("%w: no space %q under %s", ErrNotFound, part, where)
		}
		cur = s.ID
	}
	return cur, nil
}

// SensorValue returns a sensor's current value.
func (v *View) SensorValue(id ID) (Value, bool) {
	if n := v.g.sensors[id]; n != nil && n.value != nil {
		return n.value.cur, true
	}
	return Value{}, false
}

// SensorHistory returns a sensor's recent values held in memory, oldest
// first.
func (v *View) SensorHistory(id ID) []Value {
	if n := v.g.sensors[id]; n != nil && n.value != nil {
		return append([]Value(nil), n.value.hist...)
	}
	return nil
}

// SpaceValue returns a space's current value name.
func (v *View) SpaceValue(id ID, name string) (Value, bool) {
	if n := v.g.spaces[id]; n != nil {
		if c := n.values[name]; c != nil {
			return c.cur, true
		}
	}
	return Value{}, false
}

// SpaceHistory returns the recent history of a space value, oldest first.
func (v *View) SpaceHistory(id ID, name string) []Value {
	if n := v.g.spaces[id]; n != nil {
		if c := n.values[name]; c != nil {
			return append([]Value(nil), c.hist...)
		}
	}
	return nil
}

// NamedValue is a space value with its name.
type NamedValue struct {
	Name string
	Value
}

// SpaceValues returns all current values of a space, sorted by name.
func (v *View) SpaceValues(id ID) []NamedValue {
	n := v.g.spaces[id]
	if n == nil {
		return nil
	}
	out := make([]NamedValue, 0, len(n.values))
	for name, c := range n.values {
		out = append(out, NamedValue{name, c.cur})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Matchers returns all matchers, by name.
func (v *View) Matchers() []*Matcher {
	return sortedByName(v.g.matchers, func(m *Matcher) string { return m.Name })
}

// UDFs returns all user-defined functions, by name.
func (v *View) UDFs() []*UDF { return sortedByName(v.g.udfs, func(u *UDF) string { return u.Name }) }

// Endpoints returns all endpoints.
func (v *View) Endpoints() []*Endpoint {
	return sortedByName(v.g.endpoints, func(e *Endpoint) string { return e.ID.String() })
}

// Resources returns all resources.
func (v *View) Resources() []*Resource {
	return sortedByName(v.g.resources, func(r *Resource) string { return r.ID.String() })
}

// RoleAssignments returns all role assignments, by path.
func (v *View) RoleAssignments() []*RoleAssignment {
	return sortedByName(v.g.roles, func(r *RoleAssignment) string { return r.Path + " " + r.ID.String() })
}

// PropertyKeys returns all property keys, by name.
func (v *View) PropertyKeys() []*PropertyKey {
	out := make([]*PropertyKey, 0, len(v.g.propKeys))
	for _, k := range v.g.propKeys {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// Types returns the extended types of a category ("" for all), in logical
// order.
func (v *View) Types(c Category) []*ExtendedType {
	var out []*ExtendedType
	for _, t := range v.g.types.byID {
		if c == "" || t.Category == c {
			out = append(out, t)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Category != out[j].Category {
			return out[i].Category < out[j].Category
		}
		if out[i].LogicalOrder != out[j].LogicalOrder {
			return out[i].LogicalOrder < out[j].LogicalOrder
		}
		return out[i].ID < out[j].ID
	})
	return out
}

// EnabledTypeNames returns the names that may be used for category c at
// space at (zero: system types only), in logical order. The studio fills
// its dropdowns with it.
func (v *View) EnabledTypeNames(c Category, at ID) []string {
	var out []string
	for _, t := range v.Types(c) {
		if v.g.types.enabled(t) && (t.SpaceID.IsZero() || v.IsWithin(at, t.SpaceID)) {
			out = append(out, t.Name)
		}
	}
	return out
}

// Ontologies returns the ontologies by id.
func (v *View) Ontologies() []*Ontology { return v.g.types.sortedOntologies() }

// ResolveType finds the enabled type named name in category c that may be
// used at space at: a system type, or a custom type of at or an ancestor
// (the nearest wins). "" gives None. Names compare case-insensitively.
func (v *View) ResolveType(c Category, name string, at ID) (int, error) {
	name = strings.TrimSpace(name)
	if name == "" || strings.EqualFold(name, "None") {
		return v.g.types.noneID[c], nil
	}
	cands := v.g.types.byName[typeName{c, strings.ToLower(name)}]
	var best *ExtendedType
	bestDepth := -1
	disabled := false
	for _, t := range cands {
		if !t.SpaceID.IsZero() && !v.IsWithin(at, t.SpaceID) {
			continue
		}
		if !v.g.types.enabled(t) {
			disabled = true
			continue
		}
		d := 0
		if !t.SpaceID.IsZero() {
			d = v.Level(t.SpaceID)
		}
		if d > bestDepth {
			best, bestDepth = t, d
		}
	}
	if best == nil {
		if disabled {
			return 0, fmt.Errorf("%w: %s %q is disabled or its ontology is not loaded", ErrUnknownType, c, name)
		}
		return 0, fmt.Errorf("%w: %s %q", ErrUnknownType, c, name)
	}
	return best.ID, nil
}

// FindPropertyKey returns the key named name for scope that applies at space
// at: one defined on at or its nearest ancestor, or a global one.
func (v *View) FindPropertyKey(name, scope string, at ID) (*PropertyKey, bool) {
	var best *PropertyKey
	bestDepth := -1
	for _, k := range v.g.keyNames.get(name) {
		if k.Scope != scope {
			continue
		}
		if !k.SpaceID.IsZero() && !v.IsWithin(at, k.SpaceID) {
			continue
		}
		d := 0
		if !k.SpaceID.IsZero() {
			d = v.Level(k.SpaceID)
		}
		if d > bestDepth {
			best, bestDepth = k, d
		}
	}
	return best, best != nil
}

func spacesOf(list []*spaceNode) []*Space {
	out := make([]*Space, len(list))
	for i, n := range list {
		out[i] = n.s
	}
	return out
}

func sensorsOf(list []*sensorNode) []*Sensor {
	out := make([]*Sensor, len(list))
	for i, n := range list {
		out[i] = n.s
	}
	return out
}

func sortedByName[T any](m map[ID]T, key func(T) string) []T {
	out := make([]T, 0, len(m))
	for _, x := range m {
		out = append(out, x)
	}
	sort.Slice(out, func(i, j int) bool { return key(out[i]) < key(out[j]) })
	return out
}
