package engine

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// The graph's indexes, all guarded by Engine.mu like the graph:
//   - child spaces by name, per parent (and the roots);
//   - property keys by name;
//   - matchers and UDFs by name in their space, role assignments by role,
//     object and path, resources by space;
//   - devices by name and users by upn, per space, once a space holds more
//     than smallList of them.
//
// Names compare case-insensitively (strings.EqualFold); the indexes key
// them by foldKey, so that a lookup costs the same with 10 or 100,000
// siblings. Every Tx method that creates, renames, moves or deletes an
// object keeps them up to date and registers the inverse change in the
// undo log, so a rolled-back transaction (and an Editor's undo, which goes
// through the same methods) leaves them right; graph.link builds them after
// a load. Tests compare them with a scan of the graph
// (View.CheckIndexesForTest).

// foldKey returns a key for s such that foldKey(a) == foldKey(b) exactly
// when strings.EqualFold(a, b): every rune is replaced by the smallest rune
// of its simple case-folding orbit (invalid UTF-8 by U+FFFD, as EqualFold
// reads it).
func foldKey(s string) string {
	ascii, lower := true, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'a' <= c && c <= 'z' {
			lower = true
		}
	}
	if ascii {
		if !lower {
			return s
		}
		b := []byte(s)
		for i, c := range b {
			if 'a' <= c && c <= 'z' {
				b[i] = c - ('a' - 'A')
			}
		}
		return string(b)
	}
	b := make([]byte, 0, len(s))
	for _, r := range s { // invalid bytes come as utf8.RuneError
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < m {
				m = f
			}
		}
		b = utf8.AppendRune(b, m)
	}
	return string(b)
}

// nameIndex maps foldKey(name) to the objects of that name. Lists hold
// one object but for files written before names were checked.
type nameIndex[T comparable] map[string][]T

func (ix nameIndex[T]) add(name string, x T) {
	k := foldKey(name)
	ix[k] = append(ix[k], x)
}

func (ix nameIndex[T]) remove(name string, x T) {
	k := foldKey(name)
	list := ix[k]
	for i, v := range list {
		if v == x {
			if len(list) == 1 {
				delete(ix, k)
			} else {
				ix[k] = append(list[:i:i], list[i+1:]...)
			}
			return
		}
	}
}

func (ix nameIndex[T]) get(name string) []T { return ix[foldKey(name)] }

// childNames returns the index of the children of parent (nil: the roots),
// creating it if need be.
func (g *graph) childNames(parent *spaceNode) nameIndex[*spaceNode] {
	if parent == nil {
		if g.rootNames == nil {
			g.rootNames = nameIndex[*spaceNode]{}
		}
		return g.rootNames
	}
	if parent.childNames == nil {
		parent.childNames = nameIndex[*spaceNode]{}
	}
	return parent.childNames
}

// linkName indexes n as a child of parent named name, undone on rollback.
func (tx *Tx) linkName(parent, n *spaceNode, name string) {
	ix := tx.g.childNames(parent)
	ix.add(name, n)
	tx.onUndo(func() { ix.remove(name, n) })
}

// unlinkName drops n named name from the index of parent's children,
// undone on rollback.
func (tx *Tx) unlinkName(parent, n *spaceNode, name string) {
	ix := tx.g.childNames(parent)
	ix.remove(name, n)
	tx.onUndo(func() { ix.add(name, n) })
}

// indexKey adds k to the property key index, undone on rollback.
func (tx *Tx) indexKey(k *PropertyKey) {
	ix := tx.g.keyNames
	ix.add(k.Name, k)
	tx.onUndo(func() { ix.remove(k.Name, k) })
}

// unindexKey drops k from the property key index, undone on rollback.
func (tx *Tx) unindexKey(k *PropertyKey) {
	ix := tx.g.keyNames
	ix.remove(k.Name, k)
	tx.onUndo(func() { ix.add(k.Name, k) })
}

// scopedName is a name within one space, folded by foldKey.
type scopedName struct {
	space ID
	name  string
}

// idIndex maps a key to the ids of the objects under it.
type idIndex[K comparable] map[K][]ID

func (ix idIndex[K]) add(k K, id ID) { ix[k] = append(ix[k], id) }

func (ix idIndex[K]) remove(k K, id ID) {
	list := ix[k]
	for i, v := range list {
		if v == id {
			if len(list) == 1 {
				delete(ix, k)
			} else {
				ix[k] = append(list[:i:i], list[i+1:]...)
			}
			return
		}
	}
}

// roleKey is what makes a role assignment unique.
type roleKey struct {
	role, object, objectType, path string
}

func roleKeyOf(r *RoleAssignment) roleKey {
	return roleKey{r.RoleID.String(), r.ObjectID, r.ObjectIDType, r.Path}
}

// simpleKey returns the index and key an object of the simple kinds
// (matchers and UDFs by name in their space, role assignments by role,
// object and path, resources by space) is indexed under; ok false for other kinds.
func (g *graph) simpleKey(o Object) (add, remove func(ID), ok bool) {
	switch x := o.(type) {
	case *Matcher:
		k := scopedName{x.SpaceID, foldKey(x.Name)}
		return func(id ID) { g.matcherNames.add(k, id) }, func(id ID) { g.matcherNames.remove(k, id) }, true
	case *UDF:
		k := scopedName{x.SpaceID, foldKey(x.Name)}
		return func(id ID) { g.udfNames.add(k, id) }, func(id ID) { g.udfNames.remove(k, id) }, true
	case *RoleAssignment:
		k := roleKeyOf(x)
		return func(id ID) { g.roleKeys.add(k, id) }, func(id ID) { g.roleKeys.remove(k, id) }, true
	case *Resource:
		k := x.SpaceID
		return func(id ID) { g.resourcesIn.add(k, id) }, func(id ID) { g.resourcesIn.remove(k, id) }, true
	}
	return nil, nil, false
}

// reindexSimple moves object id from old's index entry to new's (either
// may be nil), undone on rollback.
func (tx *Tx) reindexSimple(id ID, old, new Object) {
	g := tx.g
	if old != nil {
		if _, remove, ok := g.simpleKey(old); ok {
			add, _, _ := g.simpleKey(old)
			remove(id)
			tx.onUndo(func() { add(id) })
		}
	}
	if new != nil {
		if add, remove, ok := g.simpleKey(new); ok {
			add(id)
			tx.onUndo(func() { remove(id) })
		}
	}
}

// indexSimpleLoaded indexes an object read by Load.
func (g *graph) indexSimpleLoaded(id ID, o Object) {
	if add, _, ok := g.simpleKey(o); ok {
		add(id)
	}
}

// matcherByName returns the matcher named name (case-insensitively) in
// space, or nil.
func (g *graph) matcherByName(space ID, name string) *Matcher {
	for _, id := range g.matcherNames[scopedName{space, foldKey(name)}] {
		return g.matchers[id]
	}
	return nil
}

// udfByName returns the UDF named name (case-insensitively) in space, or
// nil.
func (g *graph) udfByName(space ID, name string) *UDF {
	for _, id := range g.udfNames[scopedName{space, foldKey(name)}] {
		return g.udfs[id]
	}
	return nil
}

// unlinkChild removes n from *list (a parent's children or the roots) in
// place, searching from the end, and registers the undo that puts it back
// at its index. It neither copies nor allocates the list, so deleting many
// siblings in one transaction (undoing an import) costs time and memory in
// proportion to their number. Undo closures run in reverse order, so each
// finds *list as this call left it.
func (tx *Tx) unlinkChild(list *[]*spaceNode, n *spaceNode) {
	l := *list
	i := len(l) - 1
	for i >= 0 && l[i] != n {
		i--
	}
	if i < 0 {
		return
	}
	copy(l[i:], l[i+1:])
	l[len(l)-1] = nil
	*list = l[:len(l)-1]
	tx.onUndo(func() {
		l := append(*list, nil)
		copy(l[i+1:], l[i:])
		l[i] = n
		*list = l
	})
}

// smallList is how many devices or users a space holds before they get a
// name index; below it a scan is as quick and costs no memory. (A variable
// so that tests can lower it.)
var smallList = 16

// indexIn adds x named name to the index ix if the space has one, undone on
// rollback.
func indexIn[T comparable](tx *Tx, ix nameIndex[T], name string, x T) {
	if ix == nil {
		return
	}
	ix.add(name, x)
	tx.onUndo(func() { ix.remove(name, x) })
}

// unindexIn drops x named name from the index ix if the space has one,
// undone on rollback.
func unindexIn[T comparable](tx *Tx, ix nameIndex[T], name string, x T) {
	if ix == nil {
		return
	}
	ix.remove(name, x)
	tx.onUndo(func() { ix.add(name, x) })
}

// growIndex builds the index *ix of list once list is longer than
// smallList (dropped again on rollback).
func growIndex[T comparable](tx *Tx, ix *nameIndex[T], list []T, name func(T) string) {
	if *ix != nil || len(list) <= smallList {
		return
	}
	*ix = buildIndex(list, name)
	tx.onUndo(func() { *ix = nil })
}

func buildIndex[T comparable](list []T, name func(T) string) nameIndex[T] {
	ix := make(nameIndex[T], len(list))
	for _, x := range list {
		ix.add(name(x), x)
	}
	return ix
}

func deviceName(d *deviceNode) string { return d.d.Name }
func userUPN(u *userNode) string      { return u.u.UPN }

// userByUPN returns the user of space sp with upn (case-insensitively; the
// last if several), or nil.
func (sp *spaceNode) userByUPN(upn string) *userNode {
	return lastNamed(sp.userNames, sp.users, userUPN, upn)
}

// deviceByName returns the device of space sp named name
// (case-insensitively; the last if several), or nil.
func (sp *spaceNode) deviceByName(name string) *deviceNode {
	return lastNamed(sp.deviceNames, sp.devices, deviceName, name)
}

// lastNamed returns the last of list whose key is name (compared
// case-insensitively), through ix when list has one, by a scan when it
// is small enough to have none; the zero T if there is none.
func lastNamed[T comparable](ix nameIndex[T], list []T, key func(T) string, name string) T {
	var found T
	if ix == nil {
		for _, x := range list {
			if strings.EqualFold(key(x), name) {
				found = x
			}
		}
		return found
	}
	if l := ix.get(name); len(l) > 0 {
		found = l[len(l)-1]
	}
	return found
}
