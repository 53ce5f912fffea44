package engine

import (
	"fmt"
	"slices"
)

// RecordForTest makes tx record its changes, as an Editor's transactions
// do.
func (tx *Tx) RecordForTest() { tx.record() }

// TopologyEventsForTest is tx.topologyEvents of the transaction's changes.
func (tx *Tx) TopologyEventsForTest() []*Event { return tx.topologyEvents(tx.changes()) }

// EventsBuiltForTest is the number of events the package has built.
func EventsBuiltForTest() uint64 { return eventsBuilt.Load() }

// SetSmallListForTest sets how many devices or users a space holds before
// they are indexed, and returns a func that restores it.
func SetSmallListForTest(n int) func() {
	old := smallList
	smallList = n
	return func() { smallList = old }
}

// FoldKeyForTest is foldKey.
func FoldKeyForTest(s string) string { return foldKey(s) }

// CheckIndexesForTest compares the graph's name indexes with a scan of the
// graph: every child space under its parent's index by name, every root in
// the root index, every property key in the key index, and nothing else.
func (v *View) CheckIndexesForTest() error {
	g := v.g
	check := func(where string, ix nameIndex[*spaceNode], list []*spaceNode) error {
		n := 0
		for k, l := range ix {
			if len(l) == 0 {
				return fmt.Errorf("%s: empty index list for %q", where, k)
			}
			for _, c := range l {
				if foldKey(c.s.Name) != k {
					return fmt.Errorf("%s: %q indexed as %q", where, c.s.Name, k)
				}
				if !slices.Contains(list, c) {
					return fmt.Errorf("%s: index holds %q (%s), which is not a child", where, c.s.Name, c.s.ID)
				}
			}
			n += len(l)
		}
		if n != len(list) {
			return fmt.Errorf("%s: index holds %d spaces, there are %d children", where, n, len(list))
		}
		for _, c := range list {
			if !slices.Contains(ix[foldKey(c.s.Name)], c) {
				return fmt.Errorf("%s: child %q (%s) is not indexed", where, c.s.Name, c.s.ID)
			}
		}
		return nil
	}
	if err := check("roots", g.rootNames, g.roots); err != nil {
		return err
	}
	for _, n := range g.spaces {
		if err := check("children of "+namePath(n), n.childNames, n.children); err != nil {
			return err
		}
		if err := checkNodes("devices of "+namePath(n), n.deviceNames, n.devices, func(d *deviceNode) string { return d.d.Name }); err != nil {
			return err
		}
		if err := checkNodes("users of "+namePath(n), n.userNames, n.users, func(u *userNode) string { return u.u.UPN }); err != nil {
			return err
		}
	}
	n := 0
	for k, l := range g.keyNames {
		for _, pk := range l {
			if foldKey(pk.Name) != k || g.propKeys[pk.ID] != pk {
				return fmt.Errorf("property key index: %q (%d) under %q is not in the graph", pk.Name, pk.ID, k)
			}
		}
		n += len(l)
	}
	if n != len(g.propKeys) {
		return fmt.Errorf("property key index holds %d keys, there are %d", n, len(g.propKeys))
	}
	if err := checkIDIndex("matcher", g.matcherNames, g.matchers, func(m *Matcher) scopedName { return scopedName{m.SpaceID, foldKey(m.Name)} }); err != nil {
		return err
	}
	if err := checkIDIndex("UDF", g.udfNames, g.udfs, func(u *UDF) scopedName { return scopedName{u.SpaceID, foldKey(u.Name)} }); err != nil {
		return err
	}
	if err := checkIDIndex("role assignment", g.roleKeys, g.roles, roleKeyOf); err != nil {
		return err
	}
	return checkIDIndex("resource", g.resourcesIn, g.resources, func(r *Resource) ID { return r.SpaceID })
}

func checkIDIndex[K comparable, T any](what string, ix idIndex[K], objs map[ID]T, key func(T) K) error {
	n := 0
	for k, ids := range ix {
		for _, id := range ids {
			o, ok := objs[id]
			if !ok {
				return fmt.Errorf("%s index holds %s, which is not in the graph", what, id)
			}
			if key(o) != k {
				return fmt.Errorf("%s index holds %s under %v, its key is %v", what, id, k, key(o))
			}
		}
		n += len(ids)
	}
	if n != len(objs) {
		return fmt.Errorf("%s index holds %d objects, there are %d", what, n, len(objs))
	}
	return nil
}

func checkNodes[T comparable](where string, ix nameIndex[T], list []T, name func(T) string) error {
	if ix == nil {
		if len(list) > smallList {
			return fmt.Errorf("%s: %d in the list and no index", where, len(list))
		}
		return nil
	}
	n := 0
	for k, l := range ix {
		for _, x := range l {
			if foldKey(name(x)) != k || !slices.Contains(list, x) {
				return fmt.Errorf("%s: index holds %q under %q, not in the list", where, name(x), k)
			}
		}
		n += len(l)
	}
	if n != len(list) {
		return fmt.Errorf("%s: index holds %d, the list %d", where, n, len(list))
	}
	return nil
}
