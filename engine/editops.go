package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The edit operations below are the studio's model edits. Like every Tx
// method they must run inside Engine.Update or Editor.Do, and an error
// means the transaction must be abandoned: return it from the function so
// that everything rolls back. They check what they can before changing
// anything.

// MoveSpace moves space id with its whole subtree under newParent (zero:
// make it a root). Moving a space to where it is is a no-op. Role
// assignments anchored in the subtree get their paths rewritten. It fails
// with ErrNotFound for an unknown space or parent, ErrConflict for a move
// under the space itself or its subtree, or when an object of the subtree
// uses a custom type or property key defined for a subtree it would leave,
// and ErrDuplicate when the new parent already has a child of that name.
func (tx *Tx) MoveSpace(id, newParent ID) error {
	g := tx.g
	n := g.spaces[id]
	if n == nil {
		return fmt.Errorf("%w: space %s", ErrNotFound, id)
	}
	if n.s.ParentID == newParent {
		return nil
	}
	if !newParent.IsZero() {
		if g.spaces[newParent] == nil {
			return fmt.Errorf("%w: new parent space %s", ErrNotFound, newParent)
		}
		if tx.IsWithin(newParent, id) {
			return fmt.Errorf("%w: cannot move space %q under itself", ErrConflict, n.s.Name)
		}
	}
	if other, ok := tx.ChildSpaceByName(newParent, n.s.Name); ok && strings.EqualFold(other.Name, n.s.Name) {
		return fmt.Errorf("%w: cannot move space %q: a space of that name already exists at %s",
			ErrDuplicate, n.s.Name, orRoot(tx.FullName(newParent)))
	}
	nodes := subtree(n)
	in := make(map[ID]bool, len(nodes))
	for _, x := range nodes {
		in[x.s.ID] = true
	}
	// After the move, anchor a is an ancestor-or-self of x in the subtree
	// iff it was before, or an ancestor-or-self of newParent.
	scoped := func(x *spaceNode, anchor ID) bool {
		if anchor.IsZero() {
			return true
		}
		if in[anchor] {
			return tx.IsWithin(x.s.ID, anchor)
		}
		return !newParent.IsZero() && tx.IsWithin(newParent, anchor)
	}
	checkT := func(x *spaceNode, what string, ids ...int) error {
		for _, tid := range ids {
			if t := g.types.byID[tid]; t != nil && !scoped(x, t.SpaceID) {
				return fmt.Errorf("%w: cannot move space %q: %s uses %s %q, which is defined for %s only",
					ErrConflict, n.s.Name, what, t.Category, t.Name, tx.FullName(t.SpaceID))
			}
		}
		return nil
	}
	checkP := func(x *spaceNode, what, scope string, props []Property) error {
		for _, p := range props {
			found := false
			for _, k := range g.propKeys {
				if k.Scope == scope && strings.EqualFold(k.Name, p.Name) && scoped(x, k.SpaceID) {
					found = true
					break
				}
			}
			if !found {
				return fmt.Errorf("%w: cannot move space %q: %s has property %q, whose key would not be in scope there",
					ErrConflict, n.s.Name, what, p.Name)
			}
		}
		return nil
	}
	for _, x := range nodes {
		s := x.s
		what := fmt.Sprintf("space %q", s.Name)
		if err := checkT(x, what, s.TypeID, s.SubtypeID, s.StatusID); err != nil {
			return err
		}
		if err := checkP(x, what, ScopeSpaces, s.Properties); err != nil {
			return err
		}
		for _, d := range x.devices {
			what := fmt.Sprintf("device %q", d.d.Name)
			if err := checkT(x, what, d.d.TypeID, d.d.SubtypeID); err != nil {
				return err
			}
			if err := checkP(x, what, ScopeDevices, d.d.Properties); err != nil {
				return err
			}
		}
		for _, se := range x.sensors {
			s := se.s
			what := fmt.Sprintf("sensor %s", s.HardwareID)
			if err := checkT(x, what, s.TypeID, s.DataTypeID, s.DataSubtypeID, s.DataUnitTypeID, s.PortTypeID); err != nil {
				return err
			}
			if err := checkP(x, what, ScopeSensors, s.Properties); err != nil {
				return err
			}
		}
		for _, u := range x.users {
			if err := checkP(x, fmt.Sprintf("user %q", u.u.UPN), ScopeUsers, u.u.Properties); err != nil {
				return err
			}
		}
	}
	oldPath := guidPath(n)
	c := cloneObject(n.s).(*Space)
	c.ParentID = newParent
	if err := tx.UpdateSpace(c); err != nil {
		return fmt.Errorf("cannot move space %q: %w", n.s.Name, err)
	}
	newPath := guidPath(n)
	var roles []*RoleAssignment
	for _, r := range g.roles {
		if a := pathAnchor(r.Path); !a.IsZero() && in[a] {
			roles = append(roles, r)
		}
	}
	for _, r := range roles {
		c := *r
		c.Path = newPath + strings.TrimPrefix(r.Path, oldPath)
		putSimple(tx, g.roles, c.ID, &c)
	}
	return nil
}

// subtree returns n and the spaces beneath it, parents before children.
func subtree(n *spaceNode) []*spaceNode {
	out := []*spaceNode{n}
	for i := 0; i < len(out); i++ {
		out = append(out, out[i].children...)
	}
	return out
}

// MoveDevice moves device id into space. Its sensors that were in the
// device's space follow it; sensors placed in another space stay there.
// Moving a device to its own space is a no-op. It fails with ErrNotFound
// for an unknown device or space, and with ErrUnknownType or ErrUnknownKey
// when the device or a following sensor uses a custom type or property key
// not in scope at the new space.
func (tx *Tx) MoveDevice(id, space ID) error {
	g := tx.g
	n := g.devices[id]
	if n == nil {
		return fmt.Errorf("%w: device %s", ErrNotFound, id)
	}
	if n.d.SpaceID == space {
		return nil
	}
	if g.spaces[space] == nil {
		return fmt.Errorf("%w: space %s", ErrNotFound, space)
	}
	where := tx.FullName(space)
	d := cloneObject(n.d).(*Device)
	d.SpaceID = space
	if err := tx.checkDeviceFields(cloneObject(d).(*Device)); err != nil {
		return fmt.Errorf("cannot move device %q to %s: %w", n.d.Name, where, err)
	}
	for _, s := range n.sensors {
		if s.s.SpaceID == n.d.SpaceID {
			c := cloneObject(s.s).(*Sensor)
			c.SpaceID = space
			if err := tx.checkSensorFields(c); err != nil {
				return fmt.Errorf("cannot move device %q to %s: its sensor %s: %w", n.d.Name, where, s.s.HardwareID, err)
			}
		}
	}
	if err := tx.UpdateDevice(d); err != nil {
		return fmt.Errorf("cannot move device %q to %s: %w", n.d.Name, where, err)
	}
	return nil
}

// MoveSensor gives sensor id to device. If the sensor was in its old
// device's space it moves to the new device's space; otherwise it keeps
// its space. Moving a sensor to its own device is a no-op. It fails with
// ErrNotFound for an unknown sensor or device, and with ErrUnknownType or
// ErrUnknownKey when the sensor uses a custom type or property key not in
// scope at its new space.
func (tx *Tx) MoveSensor(id, device ID) error {
	g := tx.g
	n := g.sensors[id]
	if n == nil {
		return fmt.Errorf("%w: sensor %s", ErrNotFound, id)
	}
	if n.s.DeviceID == device {
		return nil
	}
	dev := g.devices[device]
	if dev == nil {
		return fmt.Errorf("%w: device %s", ErrNotFound, device)
	}
	c := cloneObject(n.s).(*Sensor)
	c.DeviceID = device
	if n.s.SpaceID == n.device.d.SpaceID {
		c.SpaceID = dev.d.SpaceID
	}
	if err := tx.UpdateSensor(c); err != nil {
		return fmt.Errorf("cannot move sensor %s to device %q: %w", n.s.HardwareID, dev.d.Name, err)
	}
	return nil
}

// DefaultHardwareIDPattern is the hardwareId pattern of copies: the
// original's hardwareId, a dash and a number.
const DefaultHardwareIDPattern = "{hw}-{n}"

// DuplicateSpace deep-copies the subtree of space id under parent (zero:
// as a root), naming the copy of id name (empty: the original's name), and
// returns the copy's id. Copied are the spaces with their properties and
// types, the devices in them with all their sensors, and the matchers and
// UDFs anchored in the subtree (UDFs' references to copied matchers are
// remapped; references to matchers outside stay). Not copied: users,
// values, resources, role assignments, custom types and property keys —
// the copies keep referring to the originals, which must be in scope at
// the new place (else ErrUnknownType or ErrUnknownKey names the object).
// A copied device's sensor placed outside the subtree keeps its space; a
// sensor in the subtree whose device is outside it is not copied.
//
// Every copied object gets a new id, every device a new key, and every
// device and sensor a new hardwareId made from hwPattern (empty:
// DefaultHardwareIDPattern): "{hw}" stands for the original hardwareId and
// "{n}" for a number, the smallest from 2 up such that no new hardwareId
// is in use (devices and sensors each have their own namespace) and the
// new ones are distinct. A pattern without "{n}" whose result is taken
// fails with ErrDuplicate naming the hardwareId; one that gives an
// invalid hardwareId fails with ErrInvalid. Errors also come from the
// ordinary checks: ErrNotFound, ErrDuplicate for a name taken at parent.
func (tx *Tx) DuplicateSpace(id, parent ID, name, hwPattern string) (ID, error) {
	g := tx.g
	src := g.spaces[id]
	if src == nil {
		return NilID, fmt.Errorf("%w: space %s", ErrNotFound, id)
	}
	if !parent.IsZero() && g.spaces[parent] == nil {
		return NilID, fmt.Errorf("%w: parent space %s", ErrNotFound, parent)
	}
	if name == "" {
		name = src.s.Name
	}
	nodes := subtree(src)
	in := make(map[ID]bool, len(nodes))
	var devs []*deviceNode
	for _, x := range nodes {
		in[x.s.ID] = true
		devs = append(devs, x.devices...)
	}
	hw, err := tx.newHardwareIDs(hwPattern, devs)
	if err != nil {
		return NilID, fmt.Errorf("cannot duplicate space %q: %w", src.s.Name, err)
	}
	idMap := make(map[ID]ID, len(nodes))
	for i, x := range nodes {
		c := cloneObject(x.s).(*Space)
		c.ID = NilID
		if i == 0 {
			c.Name, c.ParentID = name, parent
		} else {
			c.ParentID = idMap[x.s.ParentID]
		}
		if err := tx.CreateSpace(c); err != nil {
			return NilID, fmt.Errorf("cannot duplicate space %q: space %q: %w", src.s.Name, x.s.Name, err)
		}
		idMap[x.s.ID] = c.ID
	}
	for _, d := range devs {
		if _, err := tx.copyDevice(d, idMap[d.d.SpaceID], "", hw, func(s ID) ID {
			if in[s] {
				return idMap[s]
			}
			return s
		}); err != nil {
			return NilID, fmt.Errorf("cannot duplicate space %q: %w", src.s.Name, err)
		}
	}
	var ms []*Matcher
	for _, m := range g.matchers {
		if in[m.SpaceID] {
			ms = append(ms, m)
		}
	}
	sort.Slice(ms, func(i, j int) bool { return idLess(ms[i].ID, ms[j].ID) })
	mMap := map[ID]ID{}
	for _, m := range ms {
		c := cloneObject(m).(*Matcher)
		c.ID, c.SpaceID = NilID, idMap[m.SpaceID]
		for i := range c.Conditions {
			c.Conditions[i].ID = NilID
		}
		if err := tx.PutMatcher(c); err != nil {
			return NilID, fmt.Errorf("cannot duplicate space %q: %w", src.s.Name, err)
		}
		mMap[m.ID] = c.ID
	}
	var us []*UDF
	for _, u := range g.udfs {
		if in[u.SpaceID] {
			us = append(us, u)
		}
	}
	sort.Slice(us, func(i, j int) bool { return idLess(us[i].ID, us[j].ID) })
	for _, u := range us {
		c := cloneObject(u).(*UDF)
		c.ID, c.SpaceID, c.Updated = NilID, idMap[u.SpaceID], tx.now
		for i, m := range c.MatcherIDs {
			if nm, ok := mMap[m]; ok {
				c.MatcherIDs[i] = nm
			}
		}
		if err := tx.PutUDF(c); err != nil {
			return NilID, fmt.Errorf("cannot duplicate space %q: %w", src.s.Name, err)
		}
	}
	return idMap[id], nil
}

// DuplicateDevice copies device id with all its sensors into space, naming
// the copy name (empty: the original's name), and returns the copy's id.
// Sensors in the device's space go to space; sensors placed elsewhere keep
// their space. The copies get new ids, the device a new key, and
// hardwareIds are made from hwPattern as for DuplicateSpace. Types and
// property keys must be in scope at space.
func (tx *Tx) DuplicateDevice(id, space ID, name, hwPattern string) (ID, error) {
	g := tx.g
	n := g.devices[id]
	if n == nil {
		return NilID, fmt.Errorf("%w: device %s", ErrNotFound, id)
	}
	if g.spaces[space] == nil {
		return NilID, fmt.Errorf("%w: space %s", ErrNotFound, space)
	}
	hw, err := tx.newHardwareIDs(hwPattern, []*deviceNode{n})
	if err != nil {
		return NilID, fmt.Errorf("cannot duplicate device %q: %w", n.d.Name, err)
	}
	nid, err := tx.copyDevice(n, space, name, hw, func(s ID) ID {
		if s == n.d.SpaceID {
			return space
		}
		return s
	})
	if err != nil {
		return NilID, fmt.Errorf("cannot duplicate device %q: %w", n.d.Name, err)
	}
	return nid, nil
}

// copyDevice creates a copy of d with its sensors in space; sensorSpace
// maps a sensor's space to its copy's.
func (tx *Tx) copyDevice(d *deviceNode, space ID, name string, hw *hwNames, sensorSpace func(ID) ID) (ID, error) {
	c := cloneObject(d.d).(*Device)
	c.ID, c.SpaceID, c.Key = NilID, space, ""
	c.HardwareID = hw.id(d.d.HardwareID)
	c.ConnectionState, c.ConnectionStateUpdated = Disconnected, time.Time{}
	if name != "" {
		c.Name = name
	}
	if err := tx.CreateDevice(c); err != nil {
		return NilID, fmt.Errorf("device %q: %w", d.d.Name, err)
	}
	for _, s := range d.sensors {
		cs := cloneObject(s.s).(*Sensor)
		cs.ID, cs.DeviceID, cs.SpaceID = NilID, c.ID, sensorSpace(s.s.SpaceID)
		cs.HardwareID = hw.id(s.s.HardwareID)
		if err := tx.CreateSensor(cs); err != nil {
			return NilID, fmt.Errorf("sensor %s of device %q: %w", s.s.HardwareID, d.d.Name, err)
		}
	}
	return c.ID, nil
}

// hwNames makes the hardwareIds of copies with one chosen {n}.
type hwNames struct {
	pattern string
	n       int
}

// id returns the hardwareId of the copy of a device or sensor with hw.
func (h *hwNames) id(hw string) string { return expandHardwareID(h.pattern, hw, h.n) }

// expandHardwareID fills pattern's placeholders.
func expandHardwareID(pattern, hw string, n int) string {
	return strings.NewReplacer("{hw}", hw, "{n}", strconv.Itoa(n)).Replace(pattern)
}

// maxHardwareN bounds the search for {n}.
const maxHardwareN = 1 << 20

// newHardwareIDs picks {n} for copying devs with all their sensors.
func (tx *Tx) newHardwareIDs(pattern string, devs []*deviceNode) (*hwNames, error) {
	g := tx.g
	if pattern == "" {
		pattern = DefaultHardwareIDPattern
	}
	hasN := strings.Contains(pattern, "{n}")
	try := func(n int) (taken string, err error) {
		seenD, seenS := map[string]bool{}, map[string]bool{}
		for _, d := range devs {
			x := expandHardwareID(pattern, d.d.HardwareID, n)
			if err := checkHardwareID(x); err != nil {
				return "", fmt.Errorf("hardwareId pattern %q: %w", pattern, err)
			}
			if seenD[x] {
				return "", fmt.Errorf("%w: hardwareId pattern %q gives two devices hardwareId %q", ErrDuplicate, pattern, x)
			}
			seenD[x] = true
			if taken == "" && g.devByHW[x] != nil {
				taken = x
			}
			for _, s := range d.sensors {
				x := expandHardwareID(pattern, s.s.HardwareID, n)
				if err := checkHardwareID(x); err != nil {
					return "", fmt.Errorf("hardwareId pattern %q: %w", pattern, err)
				}
				if seenS[x] {
					return "", fmt.Errorf("%w: hardwareId pattern %q gives two sensors hardwareId %q", ErrDuplicate, pattern, x)
				}
				seenS[x] = true
				if taken == "" && g.senByHW[x] != nil {
					taken = x
				}
			}
		}
		return taken, nil
	}
	for n := 2; n < maxHardwareN; n++ {
		taken, err := try(n)
		if err != nil {
			return nil, err
		}
		if taken == "" {
			return &hwNames{pattern, n}, nil
		}
		if !hasN {
			return nil, fmt.Errorf("%w: hardwareId %q is already in use (put {n} in the pattern %q to number copies)", ErrDuplicate, taken, pattern)
		}
	}
	return nil, fmt.Errorf("%w: no free hardwareIds for pattern %q", ErrDuplicate, pattern)
}

// Impact counts what a delete removes: the object itself and everything
// that goes with it. Others counts resources, endpoints, property keys and
// custom types.
type Impact struct {
	Spaces, Devices, Sensors, Users, Matchers, UDFs, RoleAssignments, Others int
}

// Total is the number of objects removed.
func (i Impact) Total() int {
	return i.Spaces + i.Devices + i.Sensors + i.Users + i.Matchers + i.UDFs + i.RoleAssignments + i.Others
}

// String names the counts that are not zero: "3 spaces, 4 devices, 12
// sensors and 1 matcher"; "nothing" when all are zero.
func (i Impact) String() string {
	var parts []string
	add := func(n int, one, many string) {
		switch {
		case n == 1:
			parts = append(parts, "1 "+one)
		case n > 1:
			parts = append(parts, strconv.Itoa(n)+" "+many)
		}
	}
	add(i.Spaces, "space", "spaces")
	add(i.Devices, "device", "devices")
	add(i.Sensors, "sensor", "sensors")
	add(i.Users, "user", "users")
	add(i.Matchers, "matcher", "matchers")
	add(i.UDFs, "user-defined function", "user-defined functions")
	add(i.RoleAssignments, "role assignment", "role assignments")
	add(i.Others, "other object", "other objects")
	switch len(parts) {
	case 0:
		return "nothing"
	case 1:
		return parts[0]
	}
	return strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
}

// DeleteImpact says what DeleteObject(k, id) would remove, the object
// included (see DeleteSpace, DeleteDevice), for a confirmation dialog. An
// unknown object gives a zero Impact. It does not say whether the delete
// is allowed: DeleteSpace refuses a subtree that holds a sensor of a
// device outside it, DeleteObject a custom type in use. Deleting a matcher
// also edits the UDFs that use it, which is not counted: they stay.
func (v *View) DeleteImpact(k Kind, id ID) Impact {
	g := v.g
	var im Impact
	switch k {
	case KindSpace:
		n := g.spaces[id]
		if n == nil {
			return im
		}
		nodes := subtree(n)
		in := make(map[ID]bool, len(nodes))
		for _, x := range nodes {
			in[x.s.ID] = true
			im.Spaces++
			im.Devices += len(x.devices)
			for _, d := range x.devices {
				im.Sensors += len(d.sensors)
			}
			im.Users += len(x.users)
		}
		for _, m := range g.matchers {
			if in[m.SpaceID] {
				im.Matchers++
			}
		}
		for _, u := range g.udfs {
			if in[u.SpaceID] {
				im.UDFs++
			}
		}
		for _, r := range g.roles {
			if a := pathAnchor(r.Path); !a.IsZero() && in[a] {
				im.RoleAssignments++
			}
		}
		for _, r := range g.resources {
			if in[r.SpaceID] {
				im.Others++
			}
		}
		for _, pk := range g.propKeys {
			if in[pk.SpaceID] {
				im.Others++
			}
		}
		for _, t := range g.types.byID {
			if !t.SpaceID.IsZero() && in[t.SpaceID] {
				im.Others++
			}
		}
	case KindDevice:
		if n := g.devices[id]; n != nil {
			im.Devices, im.Sensors = 1, len(n.sensors)
		}
	default:
		if g.lookup(objRef{k, id}) == nil {
			return im
		}
		switch k {
		case KindSensor:
			im.Sensors = 1
		case KindUser:
			im.Users = 1
		case KindMatcher:
			im.Matchers = 1
		case KindUDF:
			im.UDFs = 1
		case KindRoleAssignment:
			im.RoleAssignments = 1
		case KindEndpoint, KindResource, KindPropertyKey, KindType:
			im.Others = 1
		}
	}
	return im
}

// DeleteObject deletes any deletable object: a space (with its subtree,
// see DeleteSpace), device (with its sensors), sensor, user, matcher, UDF,
// role assignment, endpoint, resource, property key or custom type (for
// property keys and types id is IntKey of the integer id). It fails with
// ErrNotFound for an unknown object, ErrConflict for a built-in type or a
// custom type still in use, and ErrInvalid for ontologies.
func (tx *Tx) DeleteObject(k Kind, id ID) error {
	switch k {
	case KindPropertyKey:
		return tx.DeletePropertyKey(KeyInt(id))
	case KindType:
		t := tx.g.types.byID[KeyInt(id)]
		if t == nil {
			return fmt.Errorf("%w: type %d", ErrNotFound, KeyInt(id))
		}
		if t.ID < FirstCustomTypeID {
			return fmt.Errorf("%w: built-in %s %q cannot be deleted (disable it instead)", ErrConflict, t.Category, t.Name)
		}
		if o := tx.g.typeUser(map[int]bool{t.ID: true}); o != nil {
			return fmt.Errorf("%w: %s %q is used by %s", ErrConflict, t.Category, t.Name, describe(o))
		}
		tx.deleteType(t)
		return nil
	}
	return tx.Delete(k, id)
}
