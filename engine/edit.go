package engine

import (
	"errors"
	"fmt"
	"sync"
)

// Sentinel errors of the Editor.
var (
	ErrNothingToUndo = errors.New("engine: nothing to undo")
	ErrNothingToRedo = errors.New("engine: nothing to redo")
)

// DefaultUndoLimit is the undo depth NewEditor uses for a limit ≤ 0.
const DefaultUndoLimit = 200

// Editor keeps undo and redo stacks of model edits on one engine. Safe for
// concurrent use.
//
// Every edit made through Do is one transaction whose touched objects are
// recorded with their images before and after it. Undo puts every one of
// them back to its before-image in one transaction (recreating deleted
// objects with the same ids, hardwareIds, device keys, properties and
// types; deleting created ones, dependents first); Redo puts them forward
// again. A delete made through the Editor keeps the values of the sensors
// and spaces it deletes, in memory and in the project file, so undoing it
// brings them back with their history; values of objects still deleted
// when the project is next opened are dropped then. Undoing an edit never
// changes values otherwise, and a device's connection state is left as the
// broker last set it (a recreated device starts Disconnected).
//
// Edits made to the engine without the Editor (Engine.Update, Provision,
// RotateDeviceKey, the HTTP API) are not on the stacks. If such an edit
// changed an object an entry would restore, or took a hardwareId or sibling
// name it would need, that entry can no longer be applied: Undo or Redo
// returns an error wrapping ErrConflict, changes nothing and drops the
// entry (a failed Redo clears the whole redo stack, whose entries build on
// each other).
type Editor struct {
	e     *Engine
	limit int

	mu   sync.Mutex
	undo []*editEntry
	redo []*editEntry
}

type editEntry struct {
	label   string
	changes []change
	kept    map[ID]keptValues // values of the sensors and spaces it deleted or restores
}

// NewEditor returns an editor of e that keeps at most limit undo entries
// (DefaultUndoLimit if limit ≤ 0); the oldest are forgotten first.
func NewEditor(e *Engine, limit int) *Editor {
	if limit <= 0 {
		limit = DefaultUndoLimit
	}
	return &Editor{e: e, limit: limit}
}

// Do runs fn as one transaction (like Engine.Update) and, if it succeeds
// and changed any object, pushes it on the undo stack labelled label (e.g.
// "Rename Floor 1") and clears the redo stack. An error leaves nothing
// changed and nothing pushed. fn must not call the Editor or the Engine's
// View or Update (it would deadlock); it may set values, which are
// committed with the edit but not undone. Once the edit is committed, a
// TopologyOperation event for each object it created, updated or deleted
// goes out on the engine's bus (Undo and Redo do the same).
func (ed *Editor) Do(label string, fn func(tx *Tx) error) error {
	ed.mu.Lock()
	defer ed.mu.Unlock()
	var chs []change
	var kept map[ID]keptValues
	var evs []*Event
	err := ed.e.Update(func(tx *Tx) error {
		tx.record()
		if err := fn(tx); err != nil {
			return err
		}
		chs, kept = tx.changes(), tx.rec.kept
		if ed.e.bus.Wants(EventTopologyOperation) {
			evs = tx.topologyEvents(chs)
		}
		return nil
	})
	if err != nil || len(chs) == 0 {
		return err
	}
	ed.e.bus.Publish(evs...) // committed
	ed.undo = append(ed.undo, &editEntry{label: label, changes: chs, kept: kept})
	if n := len(ed.undo) - ed.limit; n > 0 {
		clear(ed.undo[:n])
		ed.undo = append(ed.undo[:0], ed.undo[n:]...)
	}
	clear(ed.redo)
	ed.redo = ed.redo[:0]
	return nil
}

// Undo reverts the newest edit on the undo stack and moves it to the redo
// stack, returning its label. With an empty stack it returns
// ErrNothingToUndo. If the graph changed meanwhile so that the edit cannot
// be reverted, it returns an error wrapping ErrConflict that names the
// edit and the object in the way, changes nothing and drops the entry.
// Other errors (ErrClosed, a failed commit) leave the entry in place.
func (ed *Editor) Undo() (label string, err error) {
	return ed.step(true)
}

// Redo applies again the newest undone edit and moves it back to the undo
// stack, returning its label. With an empty stack it returns
// ErrNothingToRedo. A conflict (see Undo) changes nothing and clears the
// redo stack.
func (ed *Editor) Redo() (label string, err error) {
	return ed.step(false)
}

func (ed *Editor) step(undo bool) (string, error) {
	ed.mu.Lock()
	defer ed.mu.Unlock()
	src, dst, verb, none := &ed.undo, &ed.redo, "undo", ErrNothingToUndo
	if !undo {
		src, dst, verb, none = &ed.redo, &ed.undo, "redo", ErrNothingToRedo
	}
	if len(*src) == 0 {
		return "", none
	}
	top := (*src)[len(*src)-1]
	conflict := false
	var kept map[ID]keptValues
	var evs []*Event
	err := ed.e.Update(func(tx *Tx) error {
		if err := tx.restore(top.changes, undo); err != nil {
			conflict = true
			return err
		}
		// Sensors and spaces that come back get their values back; those
		// that go keep theirs for the way back.
		tx.reattach(top.kept)
		kept = tx.rec.kept
		if ed.e.bus.Wants(EventTopologyOperation) {
			evs = tx.topologyEvents(tx.changes())
		}
		return nil
	})
	if err != nil {
		if conflict {
			if undo {
				(*src)[len(*src)-1] = nil
				*src = (*src)[:len(*src)-1]
			} else {
				clear(*src)
				*src = (*src)[:0]
			}
			if !errors.Is(err, ErrConflict) {
				err = fmt.Errorf("%w: %w", ErrConflict, err)
			}
			return top.label, fmt.Errorf("cannot %s %q: %w", verb, top.label, err)
		}
		return top.label, err
	}
	for owner, v := range kept {
		if top.kept == nil {
			top.kept = map[ID]keptValues{}
		}
		top.kept[owner] = v
	}
	(*src)[len(*src)-1] = nil
	*src = (*src)[:len(*src)-1]
	*dst = append(*dst, top)
	ed.e.bus.Publish(evs...) // committed
	return top.label, nil
}

// UndoLabel returns the label of the edit Undo would revert.
func (ed *Editor) UndoLabel() (string, bool) {
	ed.mu.Lock()
	defer ed.mu.Unlock()
	if len(ed.undo) == 0 {
		return "", false
	}
	return ed.undo[len(ed.undo)-1].label, true
}

// RedoLabel returns the label of the edit Redo would apply again.
func (ed *Editor) RedoLabel() (string, bool) {
	ed.mu.Lock()
	defer ed.mu.Unlock()
	if len(ed.redo) == 0 {
		return "", false
	}
	return ed.redo[len(ed.redo)-1].label, true
}

// Clear empties both stacks (after opening another project, say).
func (ed *Editor) Clear() {
	ed.mu.Lock()
	defer ed.mu.Unlock()
	ed.undo, ed.redo = nil, nil
}
