package engine

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Counts says what provisioning did with one kind of object.
type Counts struct {
	Created, Updated, Unchanged int
}

// ProvisionSummary says what Provision did, per kind.
type ProvisionSummary struct {
	File   string
	Counts map[Kind]*Counts
	Roots  []ID
	// Backgrounds are the background drawings the file gave floor plans,
	// for the application to keep (the engine keeps only their names).
	Backgrounds []ProvisionedBackground
}

func (s *ProvisionSummary) count(k Kind) *Counts {
	c := s.Counts[k]
	if c == nil {
		c = &Counts{}
		s.Counts[k] = c
	}
	return c
}

// Total returns the sums over all kinds.
func (s *ProvisionSummary) Total() Counts {
	var t Counts
	for _, c := range s.Counts {
		t.Created += c.Created
		t.Updated += c.Updated
		t.Unchanged += c.Unchanged
	}
	return t
}

// summaryOrder is the order of the kinds in ProvisionSummary.String.
var summaryOrder = []Kind{KindSpace, KindDevice, KindSensor, KindUser, KindResource, KindPropertyKey, KindType,
	KindMatcher, KindUDF, KindRole, KindRoleAssignment, KindFloorPlan}

// String is the human summary: one line per kind that occurs, then a total.
func (s *ProvisionSummary) String() string {
	var b strings.Builder
	for _, k := range summaryOrder {
		c := s.Counts[k]
		if c == nil {
			continue
		}
		fmt.Fprintf(&b, "  %-24s %5d created %5d updated %5d unchanged\n", Describe(k).Plural, c.Created, c.Updated, c.Unchanged)
	}
	t := s.Total()
	fmt.Fprintf(&b, "  %-24s %5d created %5d updated %5d unchanged\n", "total", t.Created, t.Updated, t.Unchanged)
	return b.String()
}

// Provision applies a plan as one transaction: all of it or, on the first
// error, none of it. It is idempotent: spaces are matched by name under
// their parent, devices and sensors by hardwareId, matchers and UDFs by
// name in their space, users by upn in their space, resources by type,
// role assignments by role, object and path. Objects that match and differ
// are updated; fields the plan leaves out are kept. Property keys used in
// properties are created (scoped to the plan's root space) when missing.
// Errors are *PosError naming the file, line and field.
func (e *Engine) Provision(p *Plan) (*ProvisionSummary, error) {
	var sum *ProvisionSummary
	err := e.Update(func(tx *Tx) error {
		var err error
		sum, err = tx.Provision(p, nil)
		return err
	})
	if err != nil {
		return nil, err
	}
	return sum, nil
}

// errDryRun makes PreviewProvision's transaction roll back.
var errDryRun = errors.New("engine: dry run")

// PreviewProvision is a dry run of Provision: it applies the plan in a
// transaction that it then rolls back, so nothing changes and nothing is
// written, and returns the summary of what Provision would create, update
// and leave unchanged, or the error Provision would return. The summary's
// Roots name spaces that do not exist when they would be created.
func (e *Engine) PreviewProvision(p *Plan) (*ProvisionSummary, error) {
	var sum *ProvisionSummary
	err := e.Update(func(tx *Tx) error {
		var err error
		if sum, err = tx.Provision(p, nil); err != nil {
			return err
		}
		return errDryRun
	})
	if err != errDryRun {
		return nil, err
	}
	return sum, nil
}

// Provision applies a plan inside the transaction, with the rules of
// Engine.Provision. On error the transaction must be abandoned (return the
// error from the Update or Editor.Do function). progress, if not nil, is
// called with the number of plan items processed so far and their total
// (spaces, resources, property keys, types, devices, sensors, users,
// matchers, UDFs and role assignments, counted up front): at the start,
// at most about 100 times on the way and once at the end with done ==
// total. It runs under the engine's write lock: keep it quick and do not
// call the engine from it.
func (tx *Tx) Provision(p *Plan, progress func(done, total int)) (*ProvisionSummary, error) {
	sum := &ProvisionSummary{File: p.File, Counts: map[Kind]*Counts{}}
	if len(p.Spaces) == 0 {
		return nil, At(Pos{File: p.File}, "", fmt.Errorf("%w: no spaces to provision", ErrInvalid))
	}
	pr := &provisioner{tx: tx, sum: sum, hw: map[string]Pos{}, shw: map[string]Pos{}, roleNames: map[string]Pos{}, progress: progress}
	if progress != nil {
		pr.total = countPlan(p.Spaces)
		pr.step = max(1, pr.total/100)
		progress(0, pr.total)
	}
	if err := pr.roles(p.Spaces); err != nil {
		return nil, err
	}
	for _, ps := range p.Spaces {
		id, err := pr.space(ps, NilID, NilID)
		if err != nil {
			return nil, err
		}
		sum.Roots = append(sum.Roots, id)
	}
	if err := pr.floorPlans(); err != nil {
		return nil, err
	}
	if progress != nil && pr.done%pr.step != 0 {
		progress(pr.done, pr.total)
	}
	return sum, nil
}

// countPlan counts the items of a plan that Provision reports progress on.
func countPlan(spaces []*PlanSpace) int {
	n := 0
	for _, s := range spaces {
		n += 1 + len(s.Resources) + len(s.PropertyKeys) + len(s.Types) + len(s.Roles) + len(s.Devices) + len(s.Users) +
			len(s.Matchers) + len(s.UDFs) + len(s.RoleAssignments) + countPlan(s.Spaces)
		if s.Plan != nil {
			n++
		}
		for _, d := range s.Devices {
			n += len(d.Sensors)
		}
	}
	return n
}

type provisioner struct {
	tx  *Tx
	sum *ProvisionSummary
	hw  map[string]Pos // device hardwareIds seen in this plan
	shw map[string]Pos // sensor hardwareIds seen in this plan
	// floors whose plans are applied once every space exists
	floors []floorToPlan
	// roles given in this plan, by roleKeyName
	roleNames map[string]Pos

	progress          func(done, total int)
	done, total, step int
}

// tick counts one processed plan item.
func (pr *provisioner) tick() {
	if pr.progress == nil {
		return
	}
	pr.done++
	if pr.done%pr.step == 0 {
		pr.progress(pr.done, pr.total)
	}
}

// merge applies the fields of plan item p, an item of the kind desc
// describes, to obj: a copy of the stored object or a new one. A text
// given non-empty replaces the current one; other values replace it when
// given (src has the key) or non-zero; type names are resolved in the
// field's category at space at, an empty name keeping the current type
// (or None). Fields marked Ident, properties and fields only the plan or
// only the object has are left to the caller. Errors name the field.
func (pr *provisioner) merge(desc *KindDesc, src Src, p any, obj Object, at ID) error {
	for i := range desc.Fields {
		f := &desc.Fields[i]
		if f.Ident || f.get == nil || f.plan == nil || f.Type == FieldProperties {
			continue
		}
		given := src.Has(f.YAML)
		switch pv := f.plan(p).(type) {
		case *string:
			switch f.Type {
			case FieldTypeRef:
				dst := f.get(obj).(*int)
				id, err := pr.typeID(src, f.YAML, f.Category, *pv, at, *dst)
				if err != nil {
					return err
				}
				*dst = id
			case FieldString:
				if *pv != "" {
					*f.get(obj).(*string) = *pv
				}
			}
		case *int:
			if *pv != 0 || given {
				*f.get(obj).(*int) = *pv
			}
		case *bool:
			if *pv || given {
				*f.get(obj).(*bool) = *pv
			}
		case *time.Duration:
			if *pv != 0 || given {
				*f.get(obj).(*time.Duration) = *pv
			}
		}
	}
	return nil
}

func (pr *provisioner) typeID(src Src, field string, c Category, name string, at ID, keep int) (int, error) {
	if name == "" {
		if keep != 0 {
			return keep, nil
		}
		return pr.tx.g.types.noneID[c], nil
	}
	id, err := pr.tx.ResolveType(c, name, at)
	return id, At(src.At(field), field, err)
}

// props converts plan properties, creating missing keys at root for scope.
func (pr *provisioner) props(list []PlanProperty, scope string, at, root ID) ([]Property, error) {
	if len(list) == 0 {
		return nil, nil
	}
	out := make([]Property, 0, len(list))
	for _, p := range list {
		created, err := pr.tx.EnsurePropertyKey(p.Name, scope, at, root)
		if err != nil {
			return nil, At(p.Pos, "properties", err)
		}
		if created {
			pr.sum.count(KindPropertyKey).Created++
		}
		out = append(out, Property{Name: p.Name, Value: p.Value})
	}
	return out, nil
}

func mergeProps(old, given []Property) []Property {
	if len(given) == 0 {
		return old
	}
	out := append([]Property(nil), old...)
	at := make(map[string][]int, len(out)+len(given)) // foldKey(name) → indexes in out
	for i, p := range out {
		k := foldKey(p.Name)
		at[k] = append(at[k], i)
	}
	for _, g := range given {
		k := foldKey(g.Name)
		if is := at[k]; len(is) > 0 {
			for _, i := range is {
				out[i].Value = g.Value
			}
			continue
		}
		at[k] = append(at[k], len(out))
		out = append(out, g)
	}
	return out
}

func (pr *provisioner) space(ps *PlanSpace, parent, root ID) (ID, error) {
	tx := pr.tx
	if err := checkName("space", ps.Name); err != nil {
		return NilID, At(ps.At("name"), "name", err)
	}
	var old *Space
	if s, ok := tx.ChildSpaceByName(parent, ps.Name); ok && strings.EqualFold(s.Name, ps.Name) {
		old = s
	}
	at := parent
	if old != nil {
		at = old.ID
	}
	ns := &Space{Name: ps.Name, ParentID: parent}
	if old != nil {
		c := *old
		ns = &c
	}
	if err := pr.merge(Describe(KindSpace), ps.Src, ps, ns, at); err != nil {
		return NilID, err
	}

	// The space must exist before keys and types scoped to it.
	if old == nil {
		ns.Properties = nil
		if err := tx.CreateSpace(ns); err != nil {
			return NilID, At(ps.Pos, "name", err)
		}
		pr.sum.count(KindSpace).Created++
		c := *ns // ns now belongs to the graph; work on a copy
		ns = &c
	}
	id := ns.ID
	if root.IsZero() {
		root = id
	}
	for _, pk := range ps.PropertyKeys {
		if err := pr.propertyKey(pk, id); err != nil {
			return NilID, err
		}
		pr.tick()
	}
	for _, pt := range ps.Types {
		if err := pr.customType(pt, id); err != nil {
			return NilID, err
		}
		pr.tick()
	}
	props, err := pr.props(ps.Properties, ScopeSpaces, id, root)
	if err != nil {
		return NilID, err
	}
	ns.Properties = mergeProps(ns.Properties, props)
	pr.tick()
	if old == nil {
		if len(ns.Properties) > 0 {
			c := *ns
			if err := tx.UpdateSpace(&c); err != nil {
				return NilID, At(ps.At("properties"), "properties", err)
			}
		}
	} else if !reflect.DeepEqual(old, ns) {
		if err := tx.UpdateSpace(ns); err != nil {
			return NilID, At(ps.Pos, "", err)
		}
		pr.sum.count(KindSpace).Updated++
	} else {
		pr.sum.count(KindSpace).Unchanged++
	}

	for _, r := range ps.Resources {
		if err := pr.resource(r, id); err != nil {
			return NilID, err
		}
		pr.tick()
	}
	for _, d := range ps.Devices {
		if err := pr.device(d, id, root); err != nil {
			return NilID, err
		}
		pr.tick()
	}
	for _, u := range ps.Users {
		if err := pr.user(u, id, root); err != nil {
			return NilID, err
		}
		pr.tick()
	}
	for _, m := range ps.Matchers {
		if err := pr.matcher(m, id); err != nil {
			return NilID, err
		}
		pr.tick()
	}
	for _, u := range ps.UDFs {
		if err := pr.udf(u, id); err != nil {
			return NilID, err
		}
		pr.tick()
	}
	for _, r := range ps.RoleAssignments {
		if err := pr.roleAssignment(r, id); err != nil {
			return NilID, err
		}
		pr.tick()
	}
	for _, c := range ps.Spaces {
		if _, err := pr.space(c, id, root); err != nil {
			return NilID, err
		}
	}
	if ps.Plan != nil {
		pr.floors = append(pr.floors, floorToPlan{id, ps.Plan})
	}
	return id, nil
}

func (pr *provisioner) propertyKey(pk *PlanPropertyKey, space ID) error {
	scope := pk.Scope
	if scope == "" {
		scope = ScopeSpaces
	}
	if !oneOf(&scope, []string{ScopeSpaces, ScopeDevices, ScopeSensors, ScopeUsers}) {
		return At(pk.At("scope"), "scope", fmt.Errorf("%w: scope %q (want Spaces, Devices, Sensors or Users)", ErrInvalid, pk.Scope))
	}
	k := &PropertyKey{Name: pk.Name, SpaceID: space, Scope: scope}
	if err := pr.merge(Describe(KindPropertyKey), pk.Src, pk, k, space); err != nil {
		return err
	}
	for _, o := range pr.tx.g.keyNames.get(pk.Name) {
		if o.SpaceID == space && o.Scope == scope {
			k.ID = o.ID
			if k.PrimitiveDataType == "" {
				k.PrimitiveDataType = o.PrimitiveDataType
			}
			if err := k.check(); err != nil {
				return At(pk.Pos, "", err)
			}
			if reflect.DeepEqual(o, k) {
				pr.sum.count(KindPropertyKey).Unchanged++
				return nil
			}
			pr.sum.count(KindPropertyKey).Updated++
			return At(pk.Pos, "", pr.tx.PutPropertyKey(k))
		}
	}
	if err := pr.tx.PutPropertyKey(k); err != nil {
		return At(pk.Pos, "", err)
	}
	pr.sum.count(KindPropertyKey).Created++
	return nil
}

func (pr *provisioner) customType(pt *PlanType, space ID) error {
	c, err := ParseCategory(pt.Category)
	if err != nil {
		return At(pt.At("category"), "category", err)
	}
	for _, o := range pr.tx.g.types.byName[typeName{c, strings.ToLower(pt.Name)}] {
		if o.SpaceID == space {
			pr.sum.count(KindType).Unchanged++
			return nil
		}
	}
	t := &ExtendedType{Category: c, Name: pt.Name, SpaceID: space}
	if err := pr.merge(Describe(KindType), pt.Src, pt, t, space); err != nil {
		return err
	}
	if err := pr.tx.PutType(t); err != nil {
		return At(pt.At("name"), "name", err)
	}
	pr.sum.count(KindType).Created++
	return nil
}

func (pr *provisioner) resource(r *PlanResource, space ID) error {
	typ := r.Type
	if typ == "" {
		typ = "IoTHub"
	}
	if _, err := pr.tx.ResolveType(SpaceResourceType, typ, space); err != nil {
		return At(r.At("type"), "type", err)
	}
	tid, _ := pr.tx.ResolveType(SpaceResourceType, typ, space)
	typ = pr.tx.TypeName(tid)
	for _, rid := range pr.tx.g.resourcesIn[space] {
		if o := pr.tx.g.resources[rid]; strings.EqualFold(o.Type, typ) {
			c := *o
			if err := pr.merge(Describe(KindResource), r.Src, r, &c, space); err != nil {
				return err
			}
			if c == *o {
				pr.sum.count(KindResource).Unchanged++
				return nil
			}
			pr.sum.count(KindResource).Updated++
			return At(r.Pos, "", pr.tx.PutResource(&c))
		}
	}
	nr := &Resource{SpaceID: space, Type: typ}
	if err := pr.merge(Describe(KindResource), r.Src, r, nr, space); err != nil {
		return err
	}
	if err := pr.tx.PutResource(nr); err != nil {
		return At(r.Pos, "", err)
	}
	pr.sum.count(KindResource).Created++
	return nil
}

func (pr *provisioner) device(pd *PlanDevice, space, root ID) error {
	tx := pr.tx
	if err := checkName("device", pd.Name); err != nil {
		return At(pd.At("name"), "name", err)
	}
	var old *Device
	if pd.HardwareID != "" {
		if err := checkHardwareID(pd.HardwareID); err != nil {
			return At(pd.At("hardwareId"), "hardwareId", err)
		}
		if p, seen := pr.hw[pd.HardwareID]; seen {
			return At(pd.At("hardwareId"), "hardwareId", fmt.Errorf("%w: hardwareId %q is also used at line %d", ErrDuplicate, pd.HardwareID, p.Line))
		}
		pr.hw[pd.HardwareID] = pd.At("hardwareId")
		if n := tx.g.devByHW[pd.HardwareID]; n != nil {
			if n.d.SpaceID != space {
				return At(pd.At("hardwareId"), "hardwareId", fmt.Errorf("%w: hardwareId %q is already used by device %q in %s",
					ErrDuplicate, pd.HardwareID, n.d.Name, tx.FullName(n.d.SpaceID)))
			}
			old = n.d
		}
	} else {
		if d := tx.g.spaces[space].deviceByName(pd.Name); d != nil {
			old = d.d
		}
	}
	nd := &Device{SpaceID: space}
	if old != nil {
		c := *old
		nd = &c
	}
	if err := pr.merge(Describe(KindDevice), pd.Src, pd, nd, space); err != nil {
		return err
	}
	props, err := pr.props(pd.Properties, ScopeDevices, space, root)
	if err != nil {
		return err
	}
	nd.Properties = mergeProps(nd.Properties, props)
	switch {
	case old == nil:
		if err := tx.CreateDevice(nd); err != nil {
			return At(pd.Pos, "", err)
		}
		pr.sum.count(KindDevice).Created++
	case !reflect.DeepEqual(old, nd):
		if err := tx.UpdateDevice(nd); err != nil {
			return At(pd.Pos, "", err)
		}
		pr.sum.count(KindDevice).Updated++
	default:
		pr.sum.count(KindDevice).Unchanged++
	}
	for _, s := range pd.Sensors {
		if err := pr.sensor(s, nd, root); err != nil {
			return err
		}
		pr.tick()
	}
	return nil
}

func (pr *provisioner) sensor(ps *PlanSensor, dev *Device, root ID) error {
	tx := pr.tx
	var old *Sensor
	if ps.HardwareID != "" {
		if err := checkHardwareID(ps.HardwareID); err != nil {
			return At(ps.At("hardwareId"), "hardwareId", err)
		}
		if p, seen := pr.shw[ps.HardwareID]; seen {
			return At(ps.At("hardwareId"), "hardwareId", fmt.Errorf("%w: sensor hardwareId %q is also used at line %d", ErrDuplicate, ps.HardwareID, p.Line))
		}
		pr.shw[ps.HardwareID] = ps.At("hardwareId")
		if n := tx.g.senByHW[ps.HardwareID]; n != nil {
			if n.s.DeviceID != dev.ID {
				return At(ps.At("hardwareId"), "hardwareId", fmt.Errorf("%w: sensor hardwareId %q is already used by a sensor of device %q",
					ErrDuplicate, ps.HardwareID, n.device.d.Name))
			}
			old = n.s
		}
	}
	space := dev.SpaceID
	ns := &Sensor{DeviceID: dev.ID, SpaceID: space}
	if old != nil {
		c := *old
		ns = &c
	}
	desc := Describe(KindSensor)
	if err := pr.merge(desc, ps.Src, ps, ns, space); err != nil {
		return err
	}
	if old == nil && ps.HardwareID == "" {
		// Without a hardwareId, a sensor of the same device with the same
		// data type and port is the same sensor.
		for _, s := range tx.g.devices[dev.ID].sensors {
			if s.s.DataTypeID == ns.DataTypeID && s.s.Port == ps.Port {
				c := *s.s
				old, ns = s.s, &c
				if err := pr.merge(desc, ps.Src, ps, ns, space); err != nil {
					return err
				}
				break
			}
		}
	}
	props, err := pr.props(ps.Properties, ScopeSensors, space, root)
	if err != nil {
		return err
	}
	ns.Properties = mergeProps(ns.Properties, props)
	switch {
	case old == nil:
		if err := tx.CreateSensor(ns); err != nil {
			return At(ps.Pos, "", err)
		}
		pr.sum.count(KindSensor).Created++
	case !reflect.DeepEqual(old, ns):
		if err := tx.UpdateSensor(ns); err != nil {
			return At(ps.Pos, "", err)
		}
		pr.sum.count(KindSensor).Updated++
	default:
		pr.sum.count(KindSensor).Unchanged++
	}
	return nil
}

func (pr *provisioner) user(pu *PlanUser, space, root ID) error {
	tx := pr.tx
	if strings.TrimSpace(pu.UPN) == "" {
		return At(pu.At("upn"), "upn", fmt.Errorf("%w: user has no upn", ErrInvalid))
	}
	var old *User
	if u := tx.g.spaces[space].userByUPN(pu.UPN); u != nil {
		old = u.u
	}
	nu := &User{UPN: pu.UPN, SpaceID: space}
	if old != nil {
		c := *old
		nu = &c
	}
	if err := pr.merge(Describe(KindUser), pu.Src, pu, nu, space); err != nil {
		return err
	}
	props, err := pr.props(pu.Properties, ScopeUsers, space, root)
	if err != nil {
		return err
	}
	nu.Properties = mergeProps(nu.Properties, props)
	switch {
	case old == nil:
		err = tx.CreateUser(nu)
		pr.sum.count(KindUser).Created++
	case !reflect.DeepEqual(old, nu):
		err = tx.UpdateUser(nu)
		pr.sum.count(KindUser).Updated++
	default:
		pr.sum.count(KindUser).Unchanged++
	}
	return At(pu.Pos, "", err)
}

func sameConditions(a, b []Condition) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := a[i], b[i]
		if x.Target != y.Target || x.Path != y.Path || x.Value != y.Value || x.Comparison != y.Comparison {
			return false
		}
	}
	return true
}

func (pr *provisioner) matcher(pm *PlanMatcher, space ID) error {
	tx := pr.tx
	var conds []Condition
	if pm.DataTypeValue != "" {
		conds = append(conds, Condition{Target: TargetSensor, Path: "$.dataType", Comparison: CompareEquals, Value: strconv.Quote(pm.DataTypeValue)})
	}
	for _, c := range pm.Conditions {
		cond := Condition{Target: c.Target, Path: c.Path, Value: c.Value, Comparison: c.Comparison}
		if cond.Target == "" {
			cond.Target = TargetSensor
		}
		if cond.Comparison == "" {
			cond.Comparison = CompareEquals
		}
		if err := checkCondition(&cond); err != nil {
			return At(c.Pos, "conditions", err)
		}
		conds = append(conds, cond)
	}
	if len(conds) == 0 {
		return At(pm.Pos, "conditions", fmt.Errorf("%w: matcher %q has no conditions (give dataTypeValue or conditions)", ErrInvalid, pm.Name))
	}
	for i := range conds {
		if err := checkCondition(&conds[i]); err != nil {
			return At(pm.Pos, "conditions", err)
		}
	}
	desc := Describe(KindMatcher)
	if m := tx.g.matcherByName(space, pm.Name); m != nil {
		c := desc.Clone(m).(*Matcher)
		if err := pr.merge(desc, pm.Src, pm, c, space); err != nil {
			return err
		}
		if sameConditions(m.Conditions, conds) {
			c.Conditions = m.Conditions // same but for their ids
		} else {
			c.Conditions = conds
		}
		if reflect.DeepEqual(c, m) {
			pr.sum.count(KindMatcher).Unchanged++
			return nil
		}
		pr.sum.count(KindMatcher).Updated++
		return At(pm.Pos, "", tx.PutMatcher(c))
	}
	nm := &Matcher{Name: pm.Name, SpaceID: space, Conditions: conds}
	if err := pr.merge(desc, pm.Src, pm, nm, space); err != nil {
		return err
	}
	pr.sum.count(KindMatcher).Created++
	return At(pm.At("name"), "name", tx.PutMatcher(nm))
}

// findByName looks for a name among objects of space and then of its
// ancestors, with byName (matcherByName, udfByName).
func findByName[T any](tx *Tx, byName func(space ID, name string) *T, space ID, want string) (*T, bool) {
	for n := tx.g.spaces[space]; n != nil; n = n.parent {
		if x := byName(n.s.ID, want); x != nil {
			return x, true
		}
	}
	return nil, false
}

func (pr *provisioner) udf(pu *PlanUDF, space ID) error {
	tx := pr.tx
	var mids []ID
	for _, mn := range pu.MatcherNames {
		m, ok := findByName(tx, tx.g.matcherByName, space, mn)
		if !ok {
			return At(pu.At("matcherNames"), "matcherNames", fmt.Errorf("%w: no matcher named %q in this space or above", ErrNotFound, mn))
		}
		mids = append(mids, m.ID)
	}
	if strings.TrimSpace(pu.Script) == "" {
		return At(pu.At("script"), "script", fmt.Errorf("%w: user-defined function %q has no script", ErrInvalid, pu.Name))
	}
	if err := checkScript(pu, nil); err != nil {
		return At(pu.At("script"), "script", err)
	}
	if err := checkMemoryLimit(pu.MemoryLimitMiB); err != nil {
		return At(pu.At("memoryLimitMiB"), "memoryLimitMiB", err)
	}
	desc := Describe(KindUDF)
	if u := tx.g.udfByName(space, pu.Name); u != nil {
		c := desc.Clone(u).(*UDF)
		if err := pr.merge(desc, pu.Src, pu, c, space); err != nil {
			return err
		}
		c.Script, c.MatcherIDs = pu.Script, mids
		if reflect.DeepEqual(c, u) {
			pr.sum.count(KindUDF).Unchanged++
			return nil
		}
		c.Updated = tx.now
		pr.sum.count(KindUDF).Updated++
		return At(pu.Pos, "", tx.PutUDF(c))
	}
	nu := &UDF{Name: pu.Name, SpaceID: space, MatcherIDs: mids, Script: pu.Script}
	if err := pr.merge(desc, pu.Src, pu, nu, space); err != nil {
		return err
	}
	pr.sum.count(KindUDF).Created++
	return At(pu.At("name"), "name", tx.PutUDF(nu))
}

// roles applies the custom roles of every space of the plan, before any
// space, so that role assignments anywhere in the file can name them.
func (pr *provisioner) roles(spaces []*PlanSpace) error {
	for _, s := range spaces {
		for _, r := range s.Roles {
			if err := pr.role(r); err != nil {
				return err
			}
			pr.tick()
		}
		if err := pr.roles(s.Spaces); err != nil {
			return err
		}
	}
	return nil
}

// role creates or updates the custom role p by name. A friendly name
// left out keeps the current one; permissions and limits replace the
// current ones.
func (pr *provisioner) role(p *PlanRole) error {
	if err := checkRoleName(p.Name); err != nil {
		return At(p.At("name"), "name", err)
	}
	key := roleKeyName(p.Name)
	if at, dup := pr.roleNames[key]; dup {
		return At(p.At("name"), "name", fmt.Errorf("%w: role %s is given twice in the file (also at line %d)", ErrDuplicate, p.Name, at.Line))
	}
	pr.roleNames[key] = p.At("name")
	r := &Role{Name: p.Name, FriendlyName: p.FriendlyName}
	var err error
	if r.Permissions, err = roleLines(p, "permissions", p.Permissions, ParsePermission, checkPermissions); err != nil {
		return err
	}
	if len(r.Permissions) == 0 {
		return At(p.At("permissions"), "permissions", fmt.Errorf(`%w: role %s needs at least one permission, e.g. "Read: everything"`, ErrInvalid, p.Name))
	}
	if r.Limits, err = roleLines(p, "limits", p.Limits, ParseValueLimit, checkLimits); err != nil {
		return err
	}
	var old *Role
	for _, o := range pr.tx.Roles() {
		if roleKeyName(o.Name) == key {
			old = o
		}
	}
	switch {
	case old != nil && old.System:
		return At(p.At("name"), "name", fmt.Errorf("%w: %s is a system role, which cannot be changed; give the custom role another name", ErrInvalid, old.Name))
	case old != nil:
		r.ID = old.ID
		if r.FriendlyName == "" {
			r.FriendlyName = old.FriendlyName
		}
		if sameRole(old, r) {
			pr.sum.count(KindRole).Unchanged++
			return nil
		}
	}
	if err := pr.tx.PutRole(r); err != nil {
		return At(p.Pos, "", err)
	}
	if old != nil {
		pr.sum.count(KindRole).Updated++
	} else {
		pr.sum.count(KindRole).Created++
	}
	return nil
}

// roleLines reads the texts of a role's field with parse and checks each
// alone with check; an error names the text's line.
func roleLines[T any](p *PlanRole, field string, lines []PlanLine, parse func(string) (T, error), check func([]T) error) ([]T, error) {
	var out []T
	for _, l := range lines {
		x, err := parse(l.Text)
		if err == nil {
			err = check([]T{x})
		}
		if err != nil {
			return nil, At(Pos{File: p.Pos.File, Line: l.Line}, field, err)
		}
		out = append(out, x)
	}
	return out, nil
}

// sameRole reports whether a and b have the same names, permissions and
// limits, compared in their text forms.
func sameRole(a, b *Role) bool {
	if a.Name != b.Name || a.FriendlyName != b.FriendlyName || len(a.Permissions) != len(b.Permissions) || len(a.Limits) != len(b.Limits) {
		return false
	}
	for i := range a.Permissions {
		if FormatPermission(a.Permissions[i]) != FormatPermission(b.Permissions[i]) {
			return false
		}
	}
	for i := range a.Limits {
		if FormatValueLimit(a.Limits[i]) != FormatValueLimit(b.Limits[i]) {
			return false
		}
	}
	return true
}

func (pr *provisioner) roleAssignment(pa *PlanRoleAssignment, space ID) error {
	tx := pr.tx
	ref, field := pa.RoleID, "roleId"
	if ref == "" {
		ref, field = pa.Role, "role"
	}
	if ref == "" {
		return At(pa.Pos, "roleId", fmt.Errorf("%w: role assignment needs roleId or role", ErrInvalid))
	}
	role, err := tx.FindRole(ref)
	if err != nil {
		return At(pa.At(field), field, err)
	}
	typ := pa.ObjectIDType
	if !oneOf(&typ, []string{ObjectUserID, ObjectDeviceID, ObjectDomainName, ObjectTenantID, ObjectServicePrincipalID, ObjectUserDefinedFunctionID}) {
		return At(pa.At("objectIdType"), "objectIdType", fmt.Errorf("%w: objectIdType %q", ErrInvalid, pa.ObjectIDType))
	}
	obj := pa.ObjectID
	if obj == "" {
		if pa.ObjectName == "" {
			return At(pa.Pos, "objectName", fmt.Errorf("%w: role assignment needs objectName or objectId", ErrInvalid))
		}
		switch typ {
		case ObjectUserDefinedFunctionID:
			u, ok := findByName(tx, tx.g.udfByName, space, pa.ObjectName)
			if !ok {
				return At(pa.At("objectName"), "objectName", fmt.Errorf("%w: no user-defined function named %q in this space or above", ErrNotFound, pa.ObjectName))
			}
			obj = u.ID.String()
		case ObjectDeviceID:
			d := tx.g.devByHW[pa.ObjectName]
			if d == nil {
				for _, x := range tx.g.devices {
					if x.d.Name == pa.ObjectName && tx.IsWithin(x.d.SpaceID, space) {
						d = x
					}
				}
			}
			if d == nil {
				return At(pa.At("objectName"), "objectName", fmt.Errorf("%w: no device with hardwareId or name %q", ErrNotFound, pa.ObjectName))
			}
			obj = d.d.ID.String()
		default:
			obj = pa.ObjectName
		}
	}
	path := tx.SpacePath(space)
	if len(tx.g.roleKeys[roleKey{role.ID.String(), obj, typ, path}]) > 0 {
		pr.sum.count(KindRoleAssignment).Unchanged++
		return nil
	}
	pr.sum.count(KindRoleAssignment).Created++
	return At(pa.Pos, "", tx.PutRoleAssignment(&RoleAssignment{RoleID: role.ID, ObjectID: obj, ObjectIDType: typ, Path: path, TenantID: pa.TenantID}))
}

// SortedKinds returns the kinds present in the summary in display order.
func (s *ProvisionSummary) SortedKinds() []Kind {
	var ks []Kind
	for k := range s.Counts {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool { return ks[i] < ks[j] })
	return ks
}
