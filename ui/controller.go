package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// errNoSelection is returned by edits that need a selected node when none
// fits.
var errNoSelection = errors.New("select a node in the tree first")

func errDeleted(what string) error {
	return fmt.Errorf("%w: the %s was deleted", engine.ErrNotFound, what)
}

// controller is the studio's editing session over one project, without
// widgets: the selected node, the node cut for pasting, and every model
// edit (add, rename, delete, move, cut and paste, duplicate, property and
// field changes, import) as one undoable step of its engine.Editor.
//
// Edits that make or move a node return the node to select afterwards ("":
// keep the selection); the screens redraw and select it. A failed edit
// changes nothing. A controller is used on one goroutine at a time (Fyne's
// main goroutine in the studio), except importPlan, which may run on
// another while nothing else edits.
type controller struct {
	e      *engine.Engine
	editor *engine.Editor
	model  *viewModel

	selected string // the selected node, "" none
	cut      string // the node cut, moved by paste
}

func newController(e *engine.Engine, m *viewModel, undoDepth int) *controller {
	return &controller{e: e, editor: engine.NewEditor(e, undoDepth), model: m}
}

// do applies fn as one undoable edit labelled label.
func (c *controller) do(label string, fn func(tx *engine.Tx) error) error {
	return c.editor.Do(label, fn)
}

// ---- add ----

// add adds an object of kind k with the fields f at the selection: a space
// under the selected space or at the top when nothing is selected, a
// device in the selected space, a sensor on the selected device or on the
// device of the selected sensor. It returns the new node.
func (c *controller) add(k engine.Kind, f addFields) (string, error) {
	kind := kindOf(k)
	if kind == nil {
		return "", fmt.Errorf("%w: the tree has no %s", engine.ErrInvalid, k)
	}
	holder := engine.NilID
	if c.selected != "" || k != engine.KindSpace {
		h := c.holder(kind.parent, c.selected)
		if !canAdd(c.selected, k) || h == "" {
			return "", fmt.Errorf("%w: %s", errNoSelection, kind.add.where)
		}
		_, holder, _ = parseNode(h)
	}
	if err := c.model.may(engine.ActionCreate, kindOf(k).res, holder); err != nil {
		return "", err
	}
	f.name, f.typ, f.hardwareID = strings.TrimSpace(f.name), strings.TrimSpace(f.typ), strings.TrimSpace(f.hardwareID)
	what := f.name
	if !kind.add.name {
		what = f.hardwareID
	}
	var made engine.ID
	err := c.do(kind.add.title+" "+what, func(tx *engine.Tx) error {
		var err error
		made, err = kind.add.create(tx, holder, f)
		return err
	})
	if err != nil {
		return "", err
	}
	return kind.node(made), nil
}

// ---- rename, update, delete ----

// rename renames node uid.
func (c *controller) rename(uid, name string) (string, error) {
	k, id, ok := parseNode(uid)
	if !ok {
		return "", errNoSelection
	}
	name = strings.TrimSpace(name)
	if err := c.model.may(engine.ActionUpdate, k.res, id); err != nil {
		return "", err
	}
	err := c.do(fmt.Sprintf("Rename %s to %s", c.model.name(uid), name), func(tx *engine.Tx) error {
		return tx.UpdateObject(k.kind, id, func(o engine.Object) { k.setName(o, name) })
	})
	return uid, err
}

// update applies mutate to a copy of node uid's object as one edit.
func (c *controller) update(label, uid string, mutate func(o engine.Object)) error {
	k, id, ok := parseNode(uid)
	if !ok {
		return errNoSelection
	}
	if err := c.model.may(engine.ActionUpdate, k.res, id); err != nil {
		return err
	}
	return c.do(label, func(tx *engine.Tx) error { return tx.UpdateObject(k.kind, id, mutate) })
}

// setType sets a type field of node uid to the type of category cat named
// name, resolved at space at.
func (c *controller) setType(label, uid string, cat engine.Category, name string, at engine.ID, set func(o engine.Object, id int)) error {
	k, id, ok := parseNode(uid)
	if !ok {
		return errNoSelection
	}
	if err := c.model.may(engine.ActionUpdate, k.res, id); err != nil {
		return err
	}
	return c.do(label, func(tx *engine.Tx) error {
		tid, err := tx.ResolveType(cat, name, at)
		if err != nil {
			return err
		}
		return tx.UpdateObject(k.kind, id, func(o engine.Object) { set(o, tid) })
	})
}

// setProperty sets property name of node uid to value (removing it when
// value is ""); with newKey it first makes a key for it where none applies.
func (c *controller) setProperty(label, uid, name, value string, newKey bool) error {
	k, id, ok := parseNode(uid)
	if !ok {
		return errNoSelection
	}
	if err := c.model.mayWrite(k.propRes, id, name, value); err != nil {
		return err
	}
	at := c.model.spaceAt(uid)
	return c.do(label, func(tx *engine.Tx) error {
		if newKey {
			if _, err := tx.EnsurePropertyKey(name, k.scope, at, tx.RootSpace(at)); err != nil {
				return err
			}
		}
		return tx.UpdateObject(k.kind, id, func(o engine.Object) {
			ps := engine.PropertiesOf(o)
			*ps = engine.SetProperty(*ps, name, value)
		})
	})
}

// deleteImpact says what deleting node uid removes with it.
func (c *controller) deleteImpact(uid string) engine.Impact {
	k, id, ok := parseNode(uid)
	var im engine.Impact
	if ok {
		_ = c.e.View(func(v *engine.View) error { im = v.DeleteImpact(k.kind, id); return nil })
	}
	return im
}

// deletesWith says what deleting node uid deletes besides the object
// itself ("20 spaces, 20 devices and 82 sensors"), "" when nothing.
func (c *controller) deletesWith(uid string) string {
	im := c.deleteImpact(uid)
	if k, _, ok := parseNode(uid); ok {
		*k.own(&im)--
	}
	if im.Total() == 0 {
		return ""
	}
	return im.String()
}

// remove deletes node uid and everything beneath it, and returns the node
// above it to select. The selection is cleared when it was uid.
func (c *controller) remove(uid string) (string, error) {
	k, id, ok := parseNode(uid)
	if !ok {
		return "", errNoSelection
	}
	if err := c.model.may(engine.ActionDelete, k.res, id); err != nil {
		return "", err
	}
	parent := c.model.parent(uid)
	if err := c.do("Delete "+c.model.name(uid), func(tx *engine.Tx) error { return tx.DeleteObject(k.kind, id) }); err != nil {
		return "", err
	}
	if c.selected == uid {
		c.selected = ""
	}
	return parent, nil
}

// ---- move, cut and paste, duplicate ----

// move moves node src into node dst: a space under a space (dst "" makes
// it a root space), a device into a space, a sensor onto a device. A node
// dropped on a node it cannot go into goes into that node's nearest
// ancestor of the right kind (a device dropped on a sensor goes into the
// sensor's space). It returns src, to select; moving a node onto itself
// does nothing and returns "".
func (c *controller) move(src, dst string) (string, error) {
	k, sid, ok := parseNode(src)
	if !ok {
		return "", errNoSelection
	}
	if src == dst {
		return "", nil
	}
	target := c.holder(k.parent, dst)
	if target == "" && k.kind != engine.KindSpace {
		return "", fmt.Errorf("%w: drop a device on a space, a sensor on a device", engine.ErrConflict)
	}
	_, did, _ := parseNode(target) // zero for the top
	if err := c.model.may(engine.ActionUpdate, k.res, sid); err != nil {
		return "", err
	}
	if err := c.model.may(engine.ActionCreate, k.res, did); err != nil {
		return "", err
	}
	where := "the top"
	if target != "" {
		where = c.model.name(target)
	}
	err := c.do(fmt.Sprintf("Move %s to %s", c.model.name(src), where), func(tx *engine.Tx) error {
		return k.move(tx, sid, did)
	})
	if err != nil {
		return "", err
	}
	return src, nil
}

// holder is node uid or the nearest node above it of kind want, "" when
// none (the top).
func (c *controller) holder(want engine.Kind, uid string) string {
	for uid != "" && nodeKind(uid) != want {
		uid = c.model.parent(uid)
	}
	return uid
}

// cutNode marks node uid to be moved by the next paste, and reports
// whether it names a node.
func (c *controller) cutNode(uid string) bool {
	if _, _, ok := parseNode(uid); !ok {
		return false
	}
	c.cut = uid
	return true
}

// paste moves the node cut into the selected node; nothing is cut
// afterwards. With nothing cut it does nothing.
func (c *controller) paste() (string, error) {
	if c.cut == "" {
		return "", nil
	}
	sel, err := c.move(c.cut, c.selected)
	if err == nil {
		c.cut = ""
	}
	return sel, err
}

// duplicate copies space or device uid, with everything beneath it, beside
// the original under the name name; devices and sensors get new hardware
// ids from pattern ({hw} the original's, {n} a number that makes them
// unique: engine.DefaultHardwareIDPattern when ""). It returns the copy.
func (c *controller) duplicate(uid, name, pattern string) (string, error) {
	k, id, ok := parseNode(uid)
	if !ok || k.duplicate == nil {
		return "", fmt.Errorf("%w: select a space or a device to duplicate", errNoSelection)
	}
	_, at, _ := parseNode(c.model.parent(uid)) // zero for the top
	if err := c.model.may(engine.ActionCreate, k.res, at); err != nil {
		return "", err
	}
	if pattern == "" {
		pattern = engine.DefaultHardwareIDPattern
	}
	var made engine.ID
	err := c.do("Duplicate "+c.model.name(uid), func(tx *engine.Tx) error {
		var err error
		made, err = k.duplicate(tx, id, strings.TrimSpace(name), pattern)
		return err
	})
	if err != nil {
		return "", err
	}
	return k.node(made), nil
}

// copyName is the name duplicate suggests for a copy of name.
func copyName(name string) string { return name + " (copy)" }

// ---- undo, redo, import ----

// undo undoes the last edit and returns its label, "" when there was
// none.
func (c *controller) undo() (string, error) {
	if err := c.ownerOnly("undo"); err != nil {
		return "", err
	}
	label, err := c.editor.Undo()
	if errors.Is(err, engine.ErrNothingToUndo) {
		return "", nil
	}
	return label, err
}

// redo redoes the last edit undone and returns its label, "" when there
// was none.
func (c *controller) redo() (string, error) {
	if err := c.ownerOnly("redo"); err != nil {
		return "", err
	}
	label, err := c.editor.Redo()
	if errors.Is(err, engine.ErrNothingToRedo) {
		return "", nil
	}
	return label, err
}

func (c *controller) canUndo() bool { _, ok := c.editor.UndoLabel(); return ok }
func (c *controller) canRedo() bool { _, ok := c.editor.RedoLabel(); return ok }

// importPlan applies plan as one undoable edit. progress, if not nil, is
// called with the objects done and the total. It returns the first root
// space of the plan to select.
func (c *controller) importPlan(plan *engine.Plan, progress func(done, total int)) (*engine.ProvisionSummary, string, error) {
	if err := c.model.may(engine.ActionCreate, engine.ResSpace, engine.NilID); err != nil {
		return nil, "", err
	}
	var sum *engine.ProvisionSummary
	err := c.do("Import "+filepath.Base(plan.File), func(tx *engine.Tx) error {
		var err error
		sum, err = tx.Provision(plan, progress)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	sel := ""
	if len(sum.Roots) > 0 {
		sel = spaceNode(sum.Roots[0])
	}
	return sum, sel, nil
}

// ownerOnly refuses what only the owner may do (undo and redo reach any
// object of the project) while the studio shows another principal's view.
func (c *controller) ownerOnly(what string) error {
	if c.model.isOwner() {
		return nil
	}
	return fmt.Errorf("%w: viewing as %s; switch View as to the owner to %s", engine.ErrNotAuthorized, principalText(c.model.principal()), what)
}

// mayAdd reports whether the principal viewed as may add an object of
// kind k at the selection (the toolbar greys out what it may not).
func (c *controller) mayAdd(k engine.Kind) bool {
	if c.model.isOwner() {
		return true
	}
	at := engine.NilID
	if c.selected != "" || k != engine.KindSpace {
		_, at, _ = parseNode(c.holder(kindOf(k).parent, c.selected))
	}
	return c.model.may(engine.ActionCreate, kindOf(k).res, at) == nil
}

// mayDelete reports whether the principal viewed as may delete node uid.
func (c *controller) mayDelete(uid string) bool {
	k, id, ok := parseNode(uid)
	return ok && c.model.may(engine.ActionDelete, k.res, id) == nil
}

// mayDuplicate reports whether the principal viewed as may copy node uid
// beside itself.
func (c *controller) mayDuplicate(uid string) bool {
	k, _, ok := parseNode(uid)
	if !ok {
		return false
	}
	_, at, _ := parseNode(c.model.parent(uid))
	return c.model.may(engine.ActionCreate, k.res, at) == nil
}
