package engine

import (
	"fmt"
	"strings"
)

// Traverse is the direction of a navigation query from its anchor space.
type Traverse uint8

// Traversals (the preview's traverse parameter).
const (
	TraverseNone Traverse = iota // only the anchor
	TraverseDown                 // the anchor and its descendants
	TraverseUp                   // the anchor and its ancestors
	TraverseSpan                 // a horizontal slice at levels relative to the anchor
)

var traverseNames = [...]string{"None", "Down", "Up", "Span"}

func (t Traverse) String() string {
	if int(t) < len(traverseNames) {
		return traverseNames[t]
	}
	return "Traverse?"
}

// ParseTraverse parses None, Down, Up or Span, case-insensitively ("" is
// None).
func ParseTraverse(s string) (Traverse, error) {
	if s == "" {
		return TraverseNone, nil
	}
	for i, n := range traverseNames {
		if strings.EqualFold(n, s) {
			return Traverse(i), nil
		}
	}
	return 0, fmt.Errorf("%w: traverse %q (want None, Down, Up or Span)", ErrInvalid, s)
}

// Level is an optional level bound.
type Level struct {
	Set bool
	N   int
}

// L returns a set Level n.
func L(n int) Level { return Level{Set: true, N: n} }

// Query is a navigation query of the preview's Management API, on the
// spaces, devices, sensors or users route.
//
// Without SpaceID every space is a candidate and levels are absolute (root
// spaces are level 1). With SpaceID the candidates are the anchor (None),
// the anchor and its subtree (Down), the anchor and its ancestors (Up), or
// every space of the graph in the level range (Span, which needs MinRelative
// or MaxRelative). MinLevel and MaxLevel are inclusive; with MinRelative or
// MaxRelative they count from the anchor's level (0 the anchor, 1 its
// children, -1 its parent). UseParentSpace makes SpaceID the parent: the
// candidates start from its children. Devices, sensors and users are those
// whose space is a candidate; they count as their space's level.
type Query struct {
	Kind           Kind // KindSpace (default), KindDevice, KindSensor or KindUser
	SpaceID        ID
	UseParentSpace bool
	Traverse       Traverse
	MinLevel       Level
	MaxLevel       Level
	MinRelative    bool
	MaxRelative    bool

	IDs         []ID
	Names       []string // spaces, devices: name; users: upn
	Types       []string // type names of the route's object (SpaceType, DeviceType, SensorType)
	Subtypes    []string
	HardwareIDs []string
	DataTypes   []string // sensors: SensorDataType names

	PropertyKey      string
	PropertyValue    string
	PropertyContains bool // PropertyValue is a substring, not the whole value

	// Principal, if set, keeps only objects it may read.
	Principal *Principal
}

// Result holds what a Query found, in tree order (depth first).
type Result struct {
	Spaces  []*Space
	Devices []*Device
	Sensors []*Sensor
	Users   []*User
}

// Len is the number of objects found.
func (r *Result) Len() int { return len(r.Spaces) + len(r.Devices) + len(r.Sensors) + len(r.Users) }

// Query runs q under a read lock.
func (e *Engine) Query(q Query) (*Result, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return (&View{g: e.g}).Query(q)
}

// Query runs a navigation query.
func (v *View) Query(q Query) (*Result, error) {
	g := v.g
	if q.Kind == KindNone {
		q.Kind = KindSpace
	}
	var anchor *spaceNode
	if !q.SpaceID.IsZero() {
		if anchor = g.spaces[q.SpaceID]; anchor == nil {
			return nil, fmt.Errorf("%w: space %s", ErrNotFound, q.SpaceID)
		}
	}
	if anchor == nil && (q.MinRelative || q.MaxRelative) {
		return nil, fmt.Errorf("%w: minRelative and maxRelative need a spaceId", ErrInvalid)
	}
	if q.Traverse == TraverseSpan && !q.MinRelative && !q.MaxRelative {
		return nil, fmt.Errorf("%w: traverse=Span needs minRelative or maxRelative", ErrInvalid)
	}
	if q.Traverse != TraverseNone && anchor == nil {
		return nil, fmt.Errorf("%w: traverse=%s needs a spaceId", ErrInvalid, q.Traverse)
	}

	lo, hi := -1<<31, 1<<31-1
	if q.MinLevel.Set {
		lo = q.MinLevel.N
		if q.MinRelative {
			lo += anchor.level
		}
	}
	if q.MaxLevel.Set {
		hi = q.MaxLevel.N
		if q.MaxRelative {
			hi += anchor.level
		}
	}

	// Candidate spaces, in tree order, each once.
	var cands []*spaceNode
	add := func(n *spaceNode) {
		if n.level >= lo && n.level <= hi {
			cands = append(cands, n)
		}
	}
	var down func(n *spaceNode)
	down = func(n *spaceNode) {
		add(n)
		if n.level < hi {
			for _, c := range n.children {
				down(c)
			}
		}
	}
	switch {
	case anchor == nil:
		for _, r := range g.roots {
			down(r)
		}
	default:
		starts := []*spaceNode{anchor}
		if q.UseParentSpace {
			starts = anchor.children
		}
		switch q.Traverse {
		case TraverseNone:
			for _, s := range starts {
				add(s)
			}
		case TraverseDown:
			for _, s := range starts {
				down(s)
			}
		case TraverseUp:
			var chain []*spaceNode
			seen := map[*spaceNode]bool{}
			for _, s := range starts {
				var up []*spaceNode
				for n := s; n != nil && !seen[n]; n = n.parent {
					seen[n] = true
					up = append(up, n)
				}
				for i := len(up) - 1; i >= 0; i-- {
					chain = append(chain, up[i])
				}
			}
			for _, n := range chain {
				add(n)
			}
		case TraverseSpan:
			for _, r := range g.roots {
				down(r)
			}
		}
	}

	f, err := v.newFilter(q)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	rd := v.readsOf(q.Principal)
	switch q.Kind {
	case KindSpace:
		for _, n := range cands {
			if f.space(n.s) && rd.in(ResSpace, n) {
				res.Spaces = append(res.Spaces, n.s)
			}
		}
	case KindDevice:
		for _, n := range cands {
			for _, d := range n.devices {
				if f.device(d.d) && rd.in(ResDevice, n) {
					res.Devices = append(res.Devices, d.d)
				}
			}
		}
	case KindSensor:
		for _, n := range cands {
			for _, s := range n.sensors {
				if f.sensor(s.s) && rd.in(ResSensor, n) {
					res.Sensors = append(res.Sensors, s.s)
				}
			}
		}
	case KindUser:
		for _, n := range cands {
			for _, u := range n.users {
				if f.user(u.u) && rd.in(ResUser, n) {
					res.Users = append(res.Users, u.u)
				}
			}
		}
	default:
		return nil, fmt.Errorf("%w: cannot query %ss", ErrInvalid, q.Kind)
	}
	return res, nil
}

// reads decides a query's reads as Authorize does, with its principal's
// grants resolved once.
type reads struct {
	all    bool // no principal, or the owner
	grants []grant
}

func (v *View) readsOf(p *Principal) reads {
	if p == nil || p.Type == Owner.Type {
		return reads{all: true}
	}
	return reads{grants: v.grantsOf(*p)}
}

// in reports whether the principal may read objects of resource type res
// in space n.
func (r *reads) in(res string, n *spaceNode) bool {
	return r.all || anyAllows(r.grants, ActionRead, res, n)
}

type filter struct {
	ids       map[ID]bool
	names     []string
	types     map[int]bool
	subtypes  map[int]bool
	hws       map[string]bool
	dataTypes map[int]bool
	propKey   string
	propValue string
	contains  bool
}

func (v *View) newFilter(q Query) (*filter, error) {
	f := &filter{names: q.Names, propKey: q.PropertyKey, propValue: q.PropertyValue, contains: q.PropertyContains}
	if len(q.IDs) > 0 {
		f.ids = map[ID]bool{}
		for _, id := range q.IDs {
			f.ids[id] = true
		}
	}
	if len(q.HardwareIDs) > 0 {
		f.hws = map[string]bool{}
		for _, h := range q.HardwareIDs {
			f.hws[h] = true
		}
	}
	var tc, sc Category
	switch q.Kind {
	case KindSpace:
		tc, sc = SpaceType, SpaceSubtype
	case KindDevice:
		tc, sc = DeviceType, DeviceSubtype
	case KindSensor:
		tc, sc = SensorType, SensorDataSubtype
	}
	f.types = v.typeSet(tc, q.Types)
	f.subtypes = v.typeSet(sc, q.Subtypes)
	f.dataTypes = v.typeSet(SensorDataType, q.DataTypes)
	return f, nil
}

// typeSet maps type names to every id with that name in category c; nil
// for no names. Unknown names match nothing.
func (v *View) typeSet(c Category, names []string) map[int]bool {
	if len(names) == 0 {
		return nil
	}
	set := map[int]bool{-1: true} // never empty, so an unknown name matches nothing
	for _, n := range names {
		if strings.EqualFold(n, "None") {
			set[v.g.types.noneID[c]] = true
		}
		for _, t := range v.g.types.byName[typeName{c, strings.ToLower(n)}] {
			set[t.ID] = true
		}
	}
	return set
}

func (f *filter) common(id ID, name string, props []Property) bool {
	if f.ids != nil && !f.ids[id] {
		return false
	}
	if len(f.names) > 0 {
		ok := false
		for _, n := range f.names {
			if strings.EqualFold(n, name) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if f.propKey != "" {
		ok := false
		for _, p := range props {
			if strings.EqualFold(p.Name, f.propKey) {
				switch {
				case f.propValue == "":
					ok = true
				case f.contains:
					ok = strings.Contains(strings.ToLower(p.Value), strings.ToLower(f.propValue))
				default:
					ok = strings.EqualFold(p.Value, f.propValue)
				}
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func in(set map[int]bool, id int) bool { return set == nil || set[id] }

func (f *filter) space(s *Space) bool {
	return f.common(s.ID, s.Name, s.Properties) && in(f.types, s.TypeID) && in(f.subtypes, s.SubtypeID)
}

func (f *filter) device(d *Device) bool {
	return f.common(d.ID, d.Name, d.Properties) && in(f.types, d.TypeID) && in(f.subtypes, d.SubtypeID) &&
		(f.hws == nil || f.hws[d.HardwareID])
}

func (f *filter) sensor(s *Sensor) bool {
	return f.common(s.ID, s.Name, s.Properties) && in(f.types, s.TypeID) && in(f.subtypes, s.DataSubtypeID) &&
		in(f.dataTypes, s.DataTypeID) && (f.hws == nil || f.hws[s.HardwareID])
}

func (f *filter) user(u *User) bool {
	return f.common(u.ID, u.UPN, u.Properties)
}
