package engine

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Tx is a write transaction, made by Engine.Update. It embeds a View that
// sees the transaction's own changes. A Tx is valid only inside the Update
// call and must not be used from other goroutines.
type Tx struct {
	View
	ops  []Op
	undo []func()
	now  time.Time
	rec  *recording // nil unless an Editor records this transaction
}

// Now is the transaction's time (the engine clock when it began).
func (tx *Tx) Now() time.Time { return tx.now }

// Ops is the number of store operations staged so far.
func (tx *Tx) Ops() int { return len(tx.ops) }

func (tx *Tx) rollback() {
	for i := len(tx.undo) - 1; i >= 0; i-- {
		tx.undo[i]()
	}
	tx.undo, tx.ops = nil, nil
}

func (tx *Tx) put(o Object)        { tx.ops = append(tx.ops, Op{Type: OpPut, Obj: o}) }
func (tx *Tx) del(k Kind, key ID)  { tx.ops = append(tx.ops, Op{Type: OpDelete, Kind: k, Key: key}) }
func (tx *Tx) onUndo(f func())     { tx.undo = append(tx.undo, f) }
func (tx *Tx) dropValues(owner ID) { tx.ops = append(tx.ops, Op{Type: OpDropValues, Key: owner}) }
func (tx *Tx) valueOp(owner ID, n string, v Value) {
	tx.ops = append(tx.ops, Op{Type: OpValue, Key: owner, Name: n, Value: v})
}

// NewDeviceKey returns a new random device key (the MQTT password): 32
// random bytes in base64.
func NewDeviceKey() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("engine: crypto/rand failed: " + err.Error())
	}
	return base64.StdEncoding.EncodeToString(b[:])
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("engine: crypto/rand failed: " + err.Error())
	}
	return strings.ToUpper(hex.EncodeToString(b))
}

// MaxHardwareIDLen is the longest hardware id accepted (the preview's 72).
const MaxHardwareIDLen = 72

var hardwareIDRE = regexp.MustCompile(`^[A-Za-z0-9_.:\-]+$`)

func checkHardwareID(hw string) error {
	if len(hw) > MaxHardwareIDLen {
		return fmt.Errorf("%w: hardwareId %q is longer than %d characters", ErrInvalid, hw, MaxHardwareIDLen)
	}
	if !hardwareIDRE.MatchString(hw) {
		return fmt.Errorf("%w: hardwareId %q may hold only letters, digits and _ . : -", ErrInvalid, hw)
	}
	return nil
}

func checkName(what, name string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%w: %s name is empty", ErrInvalid, what)
	}
	if strings.Contains(name, "/") {
		return fmt.Errorf("%w: %s name %q contains '/'", ErrInvalid, what, name)
	}
	if len(name) > 256 {
		return fmt.Errorf("%w: %s name is longer than 256 characters", ErrInvalid, what)
	}
	return nil
}

func (tx *Tx) checkType(c Category, id *int, at ID) error {
	if *id == 0 {
		*id = tx.g.types.noneID[c]
		return nil
	}
	t := tx.g.types.byID[*id]
	if t == nil || t.Category != c {
		return fmt.Errorf("%w: %s id %d", ErrUnknownType, c, *id)
	}
	if !tx.g.types.enabled(t) {
		return fmt.Errorf("%w: %s %q is disabled or its ontology is not loaded", ErrUnknownType, c, t.Name)
	}
	if !t.SpaceID.IsZero() && !tx.IsWithin(at, t.SpaceID) {
		return fmt.Errorf("%w: %s %q is defined for another space subtree", ErrUnknownType, c, t.Name)
	}
	return nil
}

// checkTypes checks every type reference of o (the FieldTypeRef fields
// of its kind's description) with checkType at space at, in field order.
func (tx *Tx) checkTypes(o Object, at ID) error {
	d := DescribeObject(o)
	for i := range d.Fields {
		if f := &d.Fields[i]; f.Type == FieldTypeRef && f.HasObject() {
			if err := tx.checkType(f.Category, f.Ptr(o).(*int), at); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkProps validates props against the property keys in scope at space
// at and returns a normalised copy.
func (tx *Tx) checkProps(props []Property, scope string, at ID) ([]Property, error) {
	if len(props) == 0 {
		return nil, nil
	}
	out := make([]Property, len(props))
	seen := map[string]bool{}
	for i, p := range props {
		k, ok := tx.FindPropertyKey(p.Name, scope, at)
		if !ok {
			return nil, fmt.Errorf("%w: property %q has no property key for %s here", ErrUnknownKey, p.Name, scope)
		}
		if seen[strings.ToLower(k.Name)] {
			return nil, fmt.Errorf("%w: property %q given twice", ErrDuplicate, p.Name)
		}
		seen[strings.ToLower(k.Name)] = true
		v, err := k.Validate(p.Value)
		if err != nil {
			return nil, err
		}
		out[i] = Property{Name: k.Name, Value: v}
	}
	return out, nil
}

// ---- spaces ----

// CreateSpace adds s (a new object the caller gives up) to the graph. A zero
// ID is assigned; zero type ids mean None. Names must be unique among
// siblings (case-insensitively) and may not contain '/'.
func (tx *Tx) CreateSpace(s *Space) error {
	g := tx.g
	if err := checkName("space", s.Name); err != nil {
		return err
	}
	var parent *spaceNode
	if !s.ParentID.IsZero() {
		if parent = g.spaces[s.ParentID]; parent == nil {
			return fmt.Errorf("%w: parent space %s", ErrNotFound, s.ParentID)
		}
	}
	if other, ok := tx.ChildSpaceByName(s.ParentID, s.Name); ok && strings.EqualFold(other.Name, s.Name) {
		return fmt.Errorf("%w: a space named %q already exists at %s", ErrDuplicate, s.Name, orRoot(tx.FullName(s.ParentID)))
	}
	if err := tx.checkSpaceFields(s, s.ParentID); err != nil {
		return err
	}
	if s.ID.IsZero() {
		s.ID = NewID()
	} else if g.spaces[s.ID] != nil {
		return fmt.Errorf("%w: space id %s", ErrDuplicate, s.ID)
	}
	tx.touch(KindSpace, s.ID, nil)
	n := &spaceNode{s: s, parent: parent, level: 1}
	g.spaces[s.ID] = n
	if parent != nil {
		n.level = parent.level + 1
		old := parent.children
		parent.children = append(parent.children, n)
		tx.onUndo(func() { parent.children = old; delete(g.spaces, s.ID) })
	} else {
		old := g.roots
		g.roots = append(g.roots, n)
		tx.onUndo(func() { g.roots = old; delete(g.spaces, s.ID) })
	}
	tx.linkName(parent, n, s.Name)
	tx.put(s)
	return nil
}

func orRoot(s string) string {
	if s == "" {
		return "the root"
	}
	return s
}

// checkSpaceFields checks types and properties of s as placed under parent.
// Properties are checked at the parent (a space's own keys are defined on
// itself or above).
func (tx *Tx) checkSpaceFields(s *Space, parent ID) error {
	at := parent
	if !s.ID.IsZero() && tx.g.spaces[s.ID] != nil {
		at = s.ID
	}
	if err := tx.checkTypes(s, at); err != nil {
		return err
	}
	props, err := tx.checkProps(s.Properties, ScopeSpaces, at)
	if err != nil {
		return err
	}
	s.Properties = props
	return nil
}

// UpdateSpace replaces the space with s.ID by s. Changing ParentID moves the
// subtree; a move under its own subtree is refused.
func (tx *Tx) UpdateSpace(s *Space) error {
	g := tx.g
	n := g.spaces[s.ID]
	if n == nil {
		return fmt.Errorf("%w: space %s", ErrNotFound, s.ID)
	}
	if err := checkName("space", s.Name); err != nil {
		return err
	}
	var np *spaceNode
	if !s.ParentID.IsZero() {
		if np = g.spaces[s.ParentID]; np == nil {
			return fmt.Errorf("%w: parent space %s", ErrNotFound, s.ParentID)
		}
		for p := np; p != nil; p = p.parent {
			if p == n {
				return fmt.Errorf("%w: cannot move space %q under itself", ErrConflict, s.Name)
			}
		}
	}
	if other, ok := tx.ChildSpaceByName(s.ParentID, s.Name); ok && other.ID != s.ID && strings.EqualFold(other.Name, s.Name) {
		return fmt.Errorf("%w: a space named %q already exists at %s", ErrDuplicate, s.Name, orRoot(tx.FullName(s.ParentID)))
	}
	if err := tx.checkSpaceFields(s, s.ParentID); err != nil {
		return err
	}
	if s.ParentID != n.s.ParentID {
		if err := tx.checkMove(n, np); err != nil {
			return err
		}
	}
	old := n.s
	tx.touch(KindSpace, s.ID, old)
	if s.ParentID != old.ParentID || s.Name != old.Name {
		tx.unlinkName(n.parent, n, old.Name)
		tx.linkName(np, n, s.Name)
	}
	n.s = s
	tx.onUndo(func() { n.s = old })
	if s.ParentID != old.ParentID {
		tx.moveSpace(n, np)
		tx.planRecheckLinks()
	}
	tx.put(s)
	return nil
}

func (tx *Tx) moveSpace(n, np *spaceNode) {
	g := tx.g
	op := n.parent
	if op != nil {
		tx.unlinkChild(&op.children, n)
	} else {
		tx.unlinkChild(&g.roots, n)
	}
	if np != nil {
		old := np.children
		np.children = append(np.children, n)
		tx.onUndo(func() { np.children = old })
	} else {
		old := g.roots
		g.roots = append(g.roots, n)
		tx.onUndo(func() { g.roots = old })
	}
	n.parent = np
	lvl := 1
	if np != nil {
		lvl = np.level + 1
	}
	g.setLevels(n, lvl)
	tx.onUndo(func() {
		n.parent = op
		l := 1
		if op != nil {
			l = op.level + 1
		}
		g.setLevels(n, l)
	})
}

// DeleteSpace removes a space and everything beneath it: child spaces,
// devices (with all their sensors), sensors, users, values, matchers, UDFs,
// resources, property keys, custom types and role assignments anchored in
// the subtree. It fails if the subtree holds a sensor whose device lies
// outside it.
func (tx *Tx) DeleteSpace(id ID) error {
	g := tx.g
	n := g.spaces[id]
	if n == nil {
		return fmt.Errorf("%w: space %s", ErrNotFound, id)
	}
	var nodes []*spaceNode
	var walk func(*spaceNode)
	walk = func(x *spaceNode) {
		nodes = append(nodes, x)
		for _, c := range x.children {
			walk(c)
		}
	}
	walk(n)
	in := make(map[ID]bool, len(nodes))
	for _, x := range nodes {
		in[x.s.ID] = true
	}
	for _, x := range nodes {
		for _, s := range x.sensors {
			if !in[s.device.d.SpaceID] {
				return fmt.Errorf("%w: space %q holds sensor %s of device %q outside it; delete or move the sensor first",
					ErrConflict, x.s.Name, s.s.HardwareID, s.device.d.Name)
			}
		}
	}
	for _, x := range nodes {
		for _, d := range x.devices {
			if err := tx.DeleteDevice(d.d.ID); err != nil {
				return err
			}
		}
		for _, u := range x.users {
			if err := tx.DeleteUser(u.u.ID); err != nil {
				return err
			}
		}
	}
	for _, m := range g.udfs {
		if in[m.SpaceID] {
			tx.deleteSimple(KindUDF, m.ID)
		}
	}
	for _, m := range g.matchers {
		if in[m.SpaceID] {
			// Through Delete: UDFs outside the subtree that use the
			// matcher lose the reference.
			if err := tx.Delete(KindMatcher, m.ID); err != nil {
				return err
			}
		}
	}
	for _, r := range g.resources {
		if in[r.SpaceID] {
			tx.deleteSimple(KindResource, r.ID)
		}
	}
	for _, k := range g.propKeys {
		if in[k.SpaceID] {
			tx.deletePropertyKey(k)
		}
	}
	for _, t := range g.types.byID {
		if !t.SpaceID.IsZero() && in[t.SpaceID] {
			tx.deleteType(t)
		}
	}
	for _, r := range g.roles {
		if anchor := pathAnchor(r.Path); !anchor.IsZero() && in[anchor] {
			tx.deleteSimple(KindRoleAssignment, r.ID)
		}
	}
	tx.planUnlink(in)
	// Unlink spaces bottom-up.
	for i := len(nodes) - 1; i >= 0; i-- {
		x := nodes[i]
		tx.touch(KindSpace, x.s.ID, x.s)
		delete(g.spaces, x.s.ID)
		tx.onUndo(func() { g.spaces[x.s.ID] = x })
		tx.del(KindSpace, x.s.ID)
		tx.dropSpaceValues(x)
	}
	tx.unlinkName(n.parent, n, n.s.Name)
	if p := n.parent; p != nil {
		tx.unlinkChild(&p.children, n)
	} else {
		tx.unlinkChild(&g.roots, n)
	}
	return nil
}

// pathAnchor returns the last GUID of a space path; zero for "/".
func pathAnchor(path string) ID {
	path = strings.TrimRight(path, "/")
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return NilID
	}
	id, _ := ParseID(path[i+1:])
	return id
}

// ---- devices ----

// CreateDevice adds d. An empty HardwareID gets a random one, an empty Key
// a new key, an empty Status "Provisioned". Hardware ids are unique among
// devices.
func (tx *Tx) CreateDevice(d *Device) error {
	g := tx.g
	if err := checkName("device", d.Name); err != nil {
		return err
	}
	sp := g.spaces[d.SpaceID]
	if sp == nil {
		return fmt.Errorf("%w: space %s for device %q", ErrNotFound, d.SpaceID, d.Name)
	}
	if d.HardwareID == "" {
		d.HardwareID = randomHex(6)
	}
	if err := checkHardwareID(d.HardwareID); err != nil {
		return err
	}
	if other := g.devByHW[d.HardwareID]; other != nil {
		return fmt.Errorf("%w: hardwareId %q is already used by device %q", ErrDuplicate, d.HardwareID, other.d.Name)
	}
	if err := tx.checkDeviceFields(d); err != nil {
		return err
	}
	if d.Key == "" {
		d.Key = NewDeviceKey()
	}
	if d.Status == "" {
		d.Status = DeviceProvisioned
	}
	if d.ConnectionState == "" {
		d.ConnectionState = Disconnected
	}
	if d.ID.IsZero() {
		d.ID = NewID()
	} else if g.devices[d.ID] != nil {
		return fmt.Errorf("%w: device id %s", ErrDuplicate, d.ID)
	}
	tx.touch(KindDevice, d.ID, nil)
	n := &deviceNode{d: d, space: sp}
	g.devices[d.ID] = n
	g.devByHW[d.HardwareID] = n
	old := sp.devices
	sp.devices = append(sp.devices, n)
	tx.onUndo(func() { sp.devices = old; delete(g.devices, d.ID); delete(g.devByHW, d.HardwareID) })
	indexIn(tx, sp.deviceNames, d.Name, n)
	growIndex(tx, &sp.deviceNames, sp.devices, deviceName)
	tx.put(d)
	return nil
}

func (tx *Tx) checkDeviceFields(d *Device) error {
	switch d.Status {
	case "", DeviceProvisioned, DeviceActive, DeviceOffline, DeviceDisabled:
	default:
		return fmt.Errorf("%w: device status %q (want Provisioned, Active, Offline or Disabled)", ErrInvalid, d.Status)
	}
	if err := tx.checkTypes(d, d.SpaceID); err != nil {
		return err
	}
	props, err := tx.checkProps(d.Properties, ScopeDevices, d.SpaceID)
	if err != nil {
		return err
	}
	d.Properties = props
	return nil
}

// UpdateDevice replaces the device with d.ID by d (moving it if SpaceID
// changed; its sensors that were in the old space follow it).
func (tx *Tx) UpdateDevice(d *Device) error {
	g := tx.g
	n := g.devices[d.ID]
	if n == nil {
		return fmt.Errorf("%w: device %s", ErrNotFound, d.ID)
	}
	if err := checkName("device", d.Name); err != nil {
		return err
	}
	nsp := g.spaces[d.SpaceID]
	if nsp == nil {
		return fmt.Errorf("%w: space %s for device %q", ErrNotFound, d.SpaceID, d.Name)
	}
	if err := checkHardwareID(d.HardwareID); err != nil {
		return err
	}
	if other := g.devByHW[d.HardwareID]; other != nil && other != n {
		return fmt.Errorf("%w: hardwareId %q is already used by device %q", ErrDuplicate, d.HardwareID, other.d.Name)
	}
	if err := tx.checkDeviceFields(d); err != nil {
		return err
	}
	if d.Key == "" {
		d.Key = n.d.Key
	}
	old := n.d
	tx.touch(KindDevice, d.ID, old)
	if old.Name != d.Name || old.SpaceID != d.SpaceID {
		unindexIn(tx, n.space.deviceNames, old.Name, n)
		indexIn(tx, nsp.deviceNames, d.Name, n)
	}
	n.d = d
	tx.onUndo(func() { n.d = old })
	if old.HardwareID != d.HardwareID {
		delete(g.devByHW, old.HardwareID)
		g.devByHW[d.HardwareID] = n
		tx.onUndo(func() { delete(g.devByHW, d.HardwareID); g.devByHW[old.HardwareID] = n })
	}
	if old.SpaceID != d.SpaceID {
		osp := n.space
		oldO, oldN := osp.devices, nsp.devices
		osp.devices = removeNode(osp.devices, n)
		nsp.devices = append(nsp.devices, n)
		n.space = nsp
		tx.onUndo(func() { osp.devices, nsp.devices, n.space = oldO, oldN, osp })
		growIndex(tx, &nsp.deviceNames, nsp.devices, deviceName)
		for _, s := range n.sensors {
			if s.s.SpaceID == old.SpaceID {
				c := *s.s
				c.SpaceID = d.SpaceID
				if err := tx.UpdateSensor(&c); err != nil {
					return err
				}
			}
		}
	}
	tx.put(d)
	return nil
}

// DeleteDevice removes a device and its sensors.
func (tx *Tx) DeleteDevice(id ID) error {
	g := tx.g
	n := g.devices[id]
	if n == nil {
		return fmt.Errorf("%w: device %s", ErrNotFound, id)
	}
	for _, s := range n.sensors {
		if err := tx.DeleteSensor(s.s.ID); err != nil {
			return err
		}
	}
	tx.planDropItem(id)
	tx.touch(KindDevice, id, n.d)
	sp := n.space
	old := sp.devices
	sp.devices = removeNode(sp.devices, n)
	delete(g.devices, id)
	delete(g.devByHW, n.d.HardwareID)
	tx.onUndo(func() { sp.devices = old; g.devices[id] = n; g.devByHW[n.d.HardwareID] = n })
	unindexIn(tx, sp.deviceNames, n.d.Name, n)
	tx.del(KindDevice, id)
	return nil
}

// ---- sensors ----

// CreateSensor adds s. DeviceID is required; a zero SpaceID takes the
// device's space; an empty HardwareID gets a random GUID string. Hardware
// ids are unique among sensors.
func (tx *Tx) CreateSensor(s *Sensor) error {
	g := tx.g
	dev := g.devices[s.DeviceID]
	if dev == nil {
		return fmt.Errorf("%w: device %s for sensor %q", ErrNotFound, s.DeviceID, s.HardwareID)
	}
	if s.SpaceID.IsZero() {
		s.SpaceID = dev.d.SpaceID
	}
	sp := g.spaces[s.SpaceID]
	if sp == nil {
		return fmt.Errorf("%w: space %s for sensor %q", ErrNotFound, s.SpaceID, s.HardwareID)
	}
	if s.HardwareID == "" {
		s.HardwareID = NewID().String()
	}
	if err := checkHardwareID(s.HardwareID); err != nil {
		return err
	}
	if other := g.senByHW[s.HardwareID]; other != nil {
		return fmt.Errorf("%w: hardwareId %q is already used by a sensor of device %q", ErrDuplicate, s.HardwareID, other.device.d.Name)
	}
	if err := tx.checkSensorFields(s); err != nil {
		return err
	}
	if s.ID.IsZero() {
		s.ID = NewID()
	} else if g.sensors[s.ID] != nil {
		return fmt.Errorf("%w: sensor id %s", ErrDuplicate, s.ID)
	}
	tx.touch(KindSensor, s.ID, nil)
	n := &sensorNode{s: s, space: sp, device: dev}
	g.sensors[s.ID] = n
	g.senByHW[s.HardwareID] = n
	oldS, oldD := sp.sensors, dev.sensors
	sp.sensors = append(sp.sensors, n)
	dev.sensors = append(dev.sensors, n)
	tx.onUndo(func() {
		sp.sensors, dev.sensors = oldS, oldD
		delete(g.sensors, s.ID)
		delete(g.senByHW, s.HardwareID)
	})
	tx.put(s)
	return nil
}

func (tx *Tx) checkSensorFields(s *Sensor) error {
	if err := tx.checkTypes(s, s.SpaceID); err != nil {
		return err
	}
	props, err := tx.checkProps(s.Properties, ScopeSensors, s.SpaceID)
	if err != nil {
		return err
	}
	s.Properties = props
	return nil
}

// UpdateSensor replaces the sensor with s.ID by s (re-linking it if its
// device or space changed).
func (tx *Tx) UpdateSensor(s *Sensor) error {
	g := tx.g
	n := g.sensors[s.ID]
	if n == nil {
		return fmt.Errorf("%w: sensor %s", ErrNotFound, s.ID)
	}
	dev := g.devices[s.DeviceID]
	if dev == nil {
		return fmt.Errorf("%w: device %s for sensor %q", ErrNotFound, s.DeviceID, s.HardwareID)
	}
	if s.SpaceID.IsZero() {
		s.SpaceID = dev.d.SpaceID
	}
	sp := g.spaces[s.SpaceID]
	if sp == nil {
		return fmt.Errorf("%w: space %s for sensor %q", ErrNotFound, s.SpaceID, s.HardwareID)
	}
	if err := checkHardwareID(s.HardwareID); err != nil {
		return err
	}
	if other := g.senByHW[s.HardwareID]; other != nil && other != n {
		return fmt.Errorf("%w: hardwareId %q is already used by a sensor of device %q", ErrDuplicate, s.HardwareID, other.device.d.Name)
	}
	if err := tx.checkSensorFields(s); err != nil {
		return err
	}
	old := n.s
	tx.touch(KindSensor, s.ID, old)
	n.s = s
	tx.onUndo(func() { n.s = old })
	if old.HardwareID != s.HardwareID {
		delete(g.senByHW, old.HardwareID)
		g.senByHW[s.HardwareID] = n
		tx.onUndo(func() { delete(g.senByHW, s.HardwareID); g.senByHW[old.HardwareID] = n })
	}
	if n.space != sp {
		osp := n.space
		oO, oN := osp.sensors, sp.sensors
		osp.sensors = removeNode(osp.sensors, n)
		sp.sensors = append(sp.sensors, n)
		n.space = sp
		tx.onUndo(func() { osp.sensors, sp.sensors, n.space = oO, oN, osp })
	}
	if n.device != dev {
		od := n.device
		oO, oN := od.sensors, dev.sensors
		od.sensors = removeNode(od.sensors, n)
		dev.sensors = append(dev.sensors, n)
		n.device = dev
		tx.onUndo(func() { od.sensors, dev.sensors, n.device = oO, oN, od })
	}
	tx.put(s)
	return nil
}

// DeleteSensor removes a sensor with its values and history.
func (tx *Tx) DeleteSensor(id ID) error {
	g := tx.g
	n := g.sensors[id]
	if n == nil {
		return fmt.Errorf("%w: sensor %s", ErrNotFound, id)
	}
	tx.planDropItem(id)
	tx.touch(KindSensor, id, n.s)
	sp, dev := n.space, n.device
	oS, oD := sp.sensors, dev.sensors
	sp.sensors = removeNode(sp.sensors, n)
	dev.sensors = removeNode(dev.sensors, n)
	delete(g.sensors, id)
	delete(g.senByHW, n.s.HardwareID)
	tx.onUndo(func() { sp.sensors, dev.sensors = oS, oD; g.sensors[id] = n; g.senByHW[n.s.HardwareID] = n })
	tx.del(KindSensor, id)
	tx.dropSensorValues(n)
	return nil
}

// ---- users ----

// CreateUser adds u located in u.SpaceID. UPNs are unique per space.
func (tx *Tx) CreateUser(u *User) error {
	g := tx.g
	if strings.TrimSpace(u.UPN) == "" {
		return fmt.Errorf("%w: user upn is empty", ErrInvalid)
	}
	sp := g.spaces[u.SpaceID]
	if sp == nil {
		return fmt.Errorf("%w: space %s for user %q", ErrNotFound, u.SpaceID, u.UPN)
	}
	if sp.userByUPN(u.UPN) != nil {
		return fmt.Errorf("%w: user %q is already in space %q", ErrDuplicate, u.UPN, sp.s.Name)
	}
	props, err := tx.checkProps(u.Properties, ScopeUsers, u.SpaceID)
	if err != nil {
		return err
	}
	u.Properties = props
	if u.ID.IsZero() {
		u.ID = NewID()
	} else if g.users[u.ID] != nil {
		return fmt.Errorf("%w: user id %s", ErrDuplicate, u.ID)
	}
	tx.touch(KindUser, u.ID, nil)
	n := &userNode{u: u, space: sp}
	g.users[u.ID] = n
	old := sp.users
	sp.users = append(sp.users, n)
	tx.onUndo(func() { sp.users = old; delete(g.users, u.ID) })
	indexIn(tx, sp.userNames, u.UPN, n)
	growIndex(tx, &sp.userNames, sp.users, userUPN)
	tx.put(u)
	return nil
}

// UpdateUser replaces the user with u.ID by u.
func (tx *Tx) UpdateUser(u *User) error {
	g := tx.g
	n := g.users[u.ID]
	if n == nil {
		return fmt.Errorf("%w: user %s", ErrNotFound, u.ID)
	}
	sp := g.spaces[u.SpaceID]
	if sp == nil {
		return fmt.Errorf("%w: space %s for user %q", ErrNotFound, u.SpaceID, u.UPN)
	}
	props, err := tx.checkProps(u.Properties, ScopeUsers, u.SpaceID)
	if err != nil {
		return err
	}
	u.Properties = props
	old := n.u
	tx.touch(KindUser, u.ID, old)
	if old.UPN != u.UPN || n.space != sp {
		unindexIn(tx, n.space.userNames, old.UPN, n)
		indexIn(tx, sp.userNames, u.UPN, n)
	}
	n.u = u
	tx.onUndo(func() { n.u = old })
	if n.space != sp {
		osp := n.space
		oO, oN := osp.users, sp.users
		osp.users = removeNode(osp.users, n)
		sp.users = append(sp.users, n)
		n.space = sp
		tx.onUndo(func() { osp.users, sp.users, n.space = oO, oN, osp })
		growIndex(tx, &sp.userNames, sp.users, userUPN)
	}
	tx.put(u)
	return nil
}

// DeleteUser removes a user.
func (tx *Tx) DeleteUser(id ID) error {
	g := tx.g
	n := g.users[id]
	if n == nil {
		return fmt.Errorf("%w: user %s", ErrNotFound, id)
	}
	tx.touch(KindUser, id, n.u)
	sp := n.space
	old := sp.users
	sp.users = removeNode(sp.users, n)
	delete(g.users, id)
	tx.onUndo(func() { sp.users = old; g.users[id] = n })
	unindexIn(tx, sp.userNames, n.u.UPN, n)
	tx.del(KindUser, id)
	return nil
}

// ---- matchers, UDFs, role assignments, endpoints, resources ----

// PutMatcher creates or replaces a matcher. Names are unique per space.
func (tx *Tx) PutMatcher(m *Matcher) error {
	if err := checkName("matcher", m.Name); err != nil {
		return err
	}
	if tx.g.spaces[m.SpaceID] == nil {
		return fmt.Errorf("%w: space %s for matcher %q", ErrNotFound, m.SpaceID, m.Name)
	}
	for _, id := range tx.g.matcherNames[scopedName{m.SpaceID, foldKey(m.Name)}] {
		if id != m.ID {
			return fmt.Errorf("%w: matcher %q already exists in this space", ErrDuplicate, m.Name)
		}
	}
	for i := range m.Conditions {
		if err := checkCondition(&m.Conditions[i]); err != nil {
			return fmt.Errorf("matcher %q: %w", m.Name, err)
		}
	}
	if m.ID.IsZero() {
		m.ID = NewID()
	}
	putSimple(tx, tx.g.matchers, m.ID, m)
	return nil
}

// ConditionTargets and ConditionComparisons are the valid Condition.Target
// and Condition.Comparison values (matched case-insensitively). Read them;
// do not change them.
var (
	ConditionTargets     = []string{TargetSensor, TargetSensorDevice, TargetSensorSpace}
	ConditionComparisons = []string{CompareEquals, CompareNotEquals, CompareContains}
)

// CheckCondition checks c as PutMatcher and provisioning do, and
// normalises it: a zero ID gets a new one, Target and Comparison their
// canonical spelling. The target and comparison must be among
// ConditionTargets and ConditionComparisons, the path must start with $
// (whether it parses is for a PathChecker) and the value must be a JSON
// literal. Errors wrap ErrInvalid and name the field.
func CheckCondition(c *Condition) error { return checkCondition(c) }

func checkCondition(c *Condition) error {
	if c.ID.IsZero() {
		c.ID = NewID()
	}
	if !oneOf(&c.Target, ConditionTargets) {
		return fmt.Errorf("%w: condition target %q (want Sensor, SensorDevice or SensorSpace)", ErrInvalid, c.Target)
	}
	if !oneOf(&c.Comparison, ConditionComparisons) {
		return fmt.Errorf("%w: condition comparison %q (want Equals, NotEquals or Contains)", ErrInvalid, c.Comparison)
	}
	if !strings.HasPrefix(c.Path, "$") {
		return fmt.Errorf("%w: condition path %q must be a JSONPath starting with $", ErrInvalid, c.Path)
	}
	if !json.Valid([]byte(c.Value)) {
		return fmt.Errorf("%w: condition value %s is not a JSON literal (strings need quotes: '\"Motion\"')", ErrInvalid, c.Value)
	}
	return nil
}

// PutUDF creates or replaces a user-defined function record. Its matchers
// must exist; names are unique per space. Replacing a UDF's script keeps
// the script it had as a version (see Engine.ScriptVersions).
func (tx *Tx) PutUDF(u *UDF) error {
	if err := checkName("user-defined function", u.Name); err != nil {
		return err
	}
	if tx.g.spaces[u.SpaceID] == nil {
		return fmt.Errorf("%w: space %s for user-defined function %q", ErrNotFound, u.SpaceID, u.Name)
	}
	for _, id := range tx.g.udfNames[scopedName{u.SpaceID, foldKey(u.Name)}] {
		if id != u.ID {
			return fmt.Errorf("%w: user-defined function %q already exists in this space", ErrDuplicate, u.Name)
		}
	}
	if err := checkMemoryLimit(u.MemoryLimitMiB); err != nil {
		return fmt.Errorf("user-defined function %q: memoryLimitMiB: %w", u.Name, err)
	}
	for _, m := range u.MatcherIDs {
		if tx.g.matchers[m] == nil {
			return fmt.Errorf("%w: matcher %s for user-defined function %q", ErrNotFound, m, u.Name)
		}
	}
	if u.ID.IsZero() {
		u.ID = NewID()
	}
	if u.Updated.IsZero() {
		u.Updated = tx.now
	}
	if old := tx.g.udfs[u.ID]; old != nil && old.Script != u.Script && old.Script != "" {
		tx.keepScriptVersion(old)
	}
	putSimple(tx, tx.g.udfs, u.ID, u)
	return nil
}

// PutRoleAssignment creates a role assignment. The role (system or custom) must exist and the
// path must be "/" or the GUID path of a space.
func (tx *Tx) PutRoleAssignment(r *RoleAssignment) error {
	if _, ok := tx.role(r.RoleID); !ok {
		return fmt.Errorf("%w: role %s", ErrNotFound, r.RoleID)
	}
	switch r.ObjectIDType {
	case ObjectUserID, ObjectDeviceID, ObjectDomainName, ObjectTenantID, ObjectServicePrincipalID, ObjectUserDefinedFunctionID:
	default:
		return fmt.Errorf("%w: objectIdType %q", ErrInvalid, r.ObjectIDType)
	}
	if strings.TrimSpace(r.ObjectID) == "" {
		return fmt.Errorf("%w: role assignment objectId is empty", ErrInvalid)
	}
	if r.ObjectIDType == ObjectDomainName && !strings.HasPrefix(r.ObjectID, "@") {
		return fmt.Errorf("%w: a DomainName objectId must start with @", ErrInvalid)
	}
	if r.Path == "" {
		r.Path = "/"
	}
	if r.Path != "/" {
		a := pathAnchor(r.Path)
		if a.IsZero() || tx.g.spaces[a] == nil || tx.SpacePath(a) != strings.TrimRight(r.Path, "/") {
			return fmt.Errorf("%w: role assignment path %q is not a space path", ErrNotFound, r.Path)
		}
		r.Path = strings.TrimRight(r.Path, "/")
	}
	for _, id := range tx.g.roleKeys[roleKeyOf(r)] {
		if id != r.ID {
			return fmt.Errorf("%w: the same role assignment exists (%s)", ErrDuplicate, id)
		}
	}
	if r.ID.IsZero() {
		r.ID = NewID()
	}
	putSimple(tx, tx.g.roles, r.ID, r)
	return nil
}

// Endpoint types and event types.
var (
	EndpointTypes = []string{"EventHub", "ServiceBus", "EventGrid", "Mqtt", "Webhook", "File"}
	EventTypes    = []string{"SensorChange", "SpaceChange", "TopologyOperation", "UdfCustom", "DeviceMessage"}
)

// PutEndpoint creates or replaces an endpoint.
func (tx *Tx) PutEndpoint(e *Endpoint) error {
	if !oneOf(&e.Type, EndpointTypes) {
		return fmt.Errorf("%w: endpoint type %q (want one of %s)", ErrInvalid, e.Type, strings.Join(EndpointTypes, ", "))
	}
	if len(e.EventTypes) == 0 {
		return fmt.Errorf("%w: endpoint has no eventTypes", ErrInvalid)
	}
	for i := range e.EventTypes {
		if !oneOf(&e.EventTypes[i], EventTypes) {
			return fmt.Errorf("%w: event type %q", ErrInvalid, e.EventTypes[i])
		}
	}
	if e.ID.IsZero() {
		e.ID = NewID()
	}
	putSimple(tx, tx.g.endpoints, e.ID, e)
	return nil
}

// PutResource creates or replaces a space resource (type IoTHub).
func (tx *Tx) PutResource(r *Resource) error {
	if tx.g.spaces[r.SpaceID] == nil {
		return fmt.Errorf("%w: space %s for resource", ErrNotFound, r.SpaceID)
	}
	if r.Type == "" {
		r.Type = "IoTHub"
	}
	if _, err := tx.ResolveType(SpaceResourceType, r.Type, r.SpaceID); err != nil {
		return err
	}
	if r.Status == "" {
		r.Status = "Ready"
	}
	if r.ID.IsZero() {
		r.ID = NewID()
	}
	putSimple(tx, tx.g.resources, r.ID, r)
	return nil
}

func oneOf(s *string, list []string) bool {
	for _, x := range list {
		if strings.EqualFold(*s, x) {
			*s = x
			return true
		}
	}
	return false
}

func putSimple[T Object](tx *Tx, m map[ID]T, id ID, v T) {
	old, had := m[id]
	if tx.rec != nil {
		if had {
			tx.touch(v.Kind(), id, old)
		} else {
			tx.touch(v.Kind(), id, nil)
		}
	}
	m[id] = v
	tx.onUndo(func() {
		if had {
			m[id] = old
		} else {
			delete(m, id)
		}
	})
	var o Object
	if had {
		o = old
	}
	tx.reindexSimple(id, o, v)
	tx.put(v)
}

// Delete removes a matcher, UDF, role assignment, endpoint or resource by
// id. (Spaces, devices, sensors and users have their own Delete methods,
// which it calls, as it calls DeleteToken and DeleteRole.)
func (tx *Tx) Delete(k Kind, id ID) error {
	switch k {
	case KindToken:
		return tx.DeleteToken(id.String())
	case KindRole:
		return tx.DeleteRole(id)
	case KindFloorPlan:
		return tx.DeleteFloorPlan(id)
	case KindSpace:
		return tx.DeleteSpace(id)
	case KindDevice:
		return tx.DeleteDevice(id)
	case KindSensor:
		return tx.DeleteSensor(id)
	case KindUser:
		return tx.DeleteUser(id)
	case KindMatcher:
		if tx.g.matchers[id] == nil {
			return fmt.Errorf("%w: matcher %s", ErrNotFound, id)
		}
		for _, u := range tx.g.udfs {
			for _, m := range u.MatcherIDs {
				if m == id {
					c := *u
					c.MatcherIDs = removeNode(append([]ID(nil), u.MatcherIDs...), id)
					putSimple(tx, tx.g.udfs, c.ID, &c)
					break
				}
			}
		}
	case KindUDF:
		if tx.g.udfs[id] == nil {
			return fmt.Errorf("%w: user-defined function %s", ErrNotFound, id)
		}
	case KindRoleAssignment:
		if tx.g.roles[id] == nil {
			return fmt.Errorf("%w: role assignment %s", ErrNotFound, id)
		}
	case KindEndpoint:
		if tx.g.endpoints[id] == nil {
			return fmt.Errorf("%w: endpoint %s", ErrNotFound, id)
		}
	case KindResource:
		if tx.g.resources[id] == nil {
			return fmt.Errorf("%w: resource %s", ErrNotFound, id)
		}
	default:
		return fmt.Errorf("%w: cannot delete a %s by id", ErrInvalid, k)
	}
	tx.deleteSimple(k, id)
	return nil
}

func (tx *Tx) deleteSimple(k Kind, id ID) {
	g := tx.g
	switch k {
	case KindMatcher:
		delSimple(tx, k, g.matchers, id)
	case KindUDF:
		delSimple(tx, k, g.udfs, id)
		tx.dropUDFValues(id) // its execution records
	case KindRoleAssignment:
		delSimple(tx, k, g.roles, id)
	case KindEndpoint:
		delSimple(tx, k, g.endpoints, id)
	case KindResource:
		delSimple(tx, k, g.resources, id)
	}
	tx.del(k, id)
}

func delSimple[T Object](tx *Tx, k Kind, m map[ID]T, id ID) {
	old, had := m[id]
	if !had {
		return
	}
	tx.touch(k, id, old)
	delete(m, id)
	tx.onUndo(func() { m[id] = old })
	tx.reindexSimple(id, old, nil)
}

// ---- property keys, types, ontologies ----

// PutPropertyKey creates (ID 0) or replaces a property key. Name + Scope +
// SpaceID is unique.
func (tx *Tx) PutPropertyKey(k *PropertyKey) error { return tx.putPropertyKey(k, false) }

// putPropertyKey is PutPropertyKey; with restore it may also recreate a
// deleted key under its old id.
func (tx *Tx) putPropertyKey(k *PropertyKey, restore bool) error {
	g := tx.g
	if err := k.check(); err != nil {
		return err
	}
	if !k.SpaceID.IsZero() && g.spaces[k.SpaceID] == nil {
		return fmt.Errorf("%w: space %s for property key %q", ErrNotFound, k.SpaceID, k.Name)
	}
	for _, o := range g.keyNames.get(k.Name) {
		if o.ID != k.ID && o.SpaceID == k.SpaceID && o.Scope == k.Scope {
			return fmt.Errorf("%w: property key %q for %s already exists here", ErrDuplicate, k.Name, k.Scope)
		}
	}
	if k.ID == 0 {
		k.ID = g.nextKeyID
		g.nextKeyID++
		tx.onUndo(func() { g.nextKeyID-- })
	} else if g.propKeys[k.ID] == nil {
		if !restore {
			return fmt.Errorf("%w: property key %d", ErrNotFound, k.ID)
		}
		if next := g.nextKeyID; k.ID >= next {
			g.nextKeyID = k.ID + 1
			tx.onUndo(func() { g.nextKeyID = next })
		}
	}
	old, had := g.propKeys[k.ID]
	if had {
		tx.touch(KindPropertyKey, IntKey(k.ID), old)
	} else {
		tx.touch(KindPropertyKey, IntKey(k.ID), nil)
	}
	if had {
		tx.unindexKey(old)
	}
	g.propKeys[k.ID] = k
	tx.onUndo(func() {
		if had {
			g.propKeys[k.ID] = old
		} else {
			delete(g.propKeys, k.ID)
		}
	})
	tx.indexKey(k)
	tx.put(k)
	return nil
}

// DeletePropertyKey removes a property key (values already set stay).
func (tx *Tx) DeletePropertyKey(id int) error {
	k := tx.g.propKeys[id]
	if k == nil {
		return fmt.Errorf("%w: property key %d", ErrNotFound, id)
	}
	tx.deletePropertyKey(k)
	return nil
}

func (tx *Tx) deletePropertyKey(k *PropertyKey) {
	tx.touch(KindPropertyKey, IntKey(k.ID), k)
	delete(tx.g.propKeys, k.ID)
	tx.onUndo(func() { tx.g.propKeys[k.ID] = k })
	tx.unindexKey(k)
	tx.del(KindPropertyKey, k.ObjectKey())
}

var typeNameRE = regexp.MustCompile(`^[A-Za-z0-9]+$`)

// PutType creates (ID 0) or replaces a custom extended type. System types
// may only be enabled or disabled.
func (tx *Tx) PutType(t *ExtendedType) error { return tx.putType(t, false) }

// putType is PutType; with restore it may also recreate a deleted custom
// type under its old id.
func (tx *Tx) putType(t *ExtendedType, restore bool) error {
	r := tx.g.types
	if _, err := ParseCategory(string(t.Category)); err != nil {
		return err
	}
	if !typeNameRE.MatchString(t.Name) {
		return fmt.Errorf("%w: type name %q: letters and digits only", ErrInvalid, t.Name)
	}
	if !t.SpaceID.IsZero() && tx.g.spaces[t.SpaceID] == nil {
		return fmt.Errorf("%w: space %s for type %q", ErrNotFound, t.SpaceID, t.Name)
	}
	if t.ID != 0 {
		old := r.byID[t.ID]
		switch {
		case old == nil && (!restore || t.ID < FirstCustomTypeID):
			return fmt.Errorf("%w: type %d", ErrNotFound, t.ID)
		case old == nil:
		case old.ID < FirstCustomTypeID && (old.Name != t.Name || old.Category != t.Category || old.SpaceID != t.SpaceID):
			return fmt.Errorf("%w: built-in type %s may only be enabled or disabled", ErrConflict, old.Name)
		}
	}
	for _, o := range r.byName[typeName{t.Category, strings.ToLower(t.Name)}] {
		if o.ID != t.ID && o.SpaceID == t.SpaceID {
			return fmt.Errorf("%w: %s %q already exists here", ErrDuplicate, t.Category, t.Name)
		}
	}
	if t.ID == 0 {
		t.ID = r.nextID
		if t.LogicalOrder == 0 {
			t.LogicalOrder = 1000
		}
	}
	old, had := r.byID[t.ID]
	if had {
		tx.touch(KindType, IntKey(t.ID), old)
	} else {
		tx.touch(KindType, IntKey(t.ID), nil)
	}
	nextID := r.nextID
	r.put(t)
	tx.onUndo(func() {
		r.remove(t)
		if had {
			r.put(old)
		}
		r.nextID = nextID
	})
	tx.put(t)
	return nil
}

func (tx *Tx) deleteType(t *ExtendedType) {
	r := tx.g.types
	tx.touch(KindType, IntKey(t.ID), t)
	r.remove(t)
	tx.onUndo(func() { r.put(t) })
	tx.del(KindType, t.ObjectKey())
}

// SetOntologyLoaded loads or unloads an ontology by id.
func (tx *Tx) SetOntologyLoaded(id int, loaded bool) error {
	r := tx.g.types
	o := r.ontologies[id]
	if o == nil {
		return fmt.Errorf("%w: ontology %d", ErrNotFound, id)
	}
	if o.Loaded == loaded {
		return nil
	}
	tx.touch(KindOntology, IntKey(id), o)
	n := *o
	n.Loaded = loaded
	r.ontologies[id] = &n
	tx.onUndo(func() { r.ontologies[id] = o })
	tx.put(&n)
	return nil
}

// ---- values ----

// MaxValueNameLen is the longest space value name.
const MaxValueNameLen = 255

// CheckValueName checks a space value name: not empty, at most
// MaxValueNameLen bytes, not starting with '$' (reserved).
func CheckValueName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("%w: space value name is empty", ErrInvalid)
	case len(name) > MaxValueNameLen:
		return fmt.Errorf("%w: space value name is longer than %d bytes", ErrInvalid, MaxValueNameLen)
	case strings.HasPrefix(name, "$"):
		return fmt.Errorf("%w: space value name %q starts with $ (reserved)", ErrInvalid, name)
	}
	return nil
}

// SetSensorValue sets a sensor's current value and appends it to history.
// It returns the previous value, if any.
func (tx *Tx) SetSensorValue(id ID, v Value) (prev Value, had bool, err error) {
	n := tx.g.sensors[id]
	if n == nil {
		return Value{}, false, fmt.Errorf("%w: sensor %s", ErrNotFound, id)
	}
	if n.value == nil {
		n.value = &valueCell{}
		tx.onUndo(func() { n.value = nil })
	} else {
		prev, had = n.value.cur, true
		saved := *n.value
		saved.hist = append([]Value(nil), n.value.hist...)
		tx.onUndo(func() { *n.value = saved })
	}
	n.value.push(v, tx.g.histLen)
	tx.valueOp(id, "", v)
	return prev, had, nil
}

// SetSpaceValue sets a space's named value and appends it to history.
func (tx *Tx) SetSpaceValue(id ID, name string, v Value) (prev Value, had bool, err error) {
	n := tx.g.spaces[id]
	if n == nil {
		return Value{}, false, fmt.Errorf("%w: space %s", ErrNotFound, id)
	}
	if err := CheckValueName(name); err != nil {
		return Value{}, false, err
	}
	if c := n.values[name]; c != nil {
		saved := *c
		saved.hist = append([]Value(nil), c.hist...)
		tx.onUndo(func() { *c = saved })
	} else {
		tx.onUndo(func() { delete(n.values, name) })
	}
	prev, had = n.setValue(name, v, tx.g.histLen)
	tx.valueOp(id, name, v)
	return prev, had, nil
}
