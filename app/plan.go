package app

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// MaxPlanBackground is the largest background drawing a floor plan keeps
// (8 MiB).
const MaxPlanBackground = 8 << 20

// planBackgroundPrefix starts the names of the blobs holding the
// background drawings of floor plans: "plan-bg/" + the floor's id.
const planBackgroundPrefix = "plan-bg/"

// FloorPlan returns the plan of floor, if it has one. The plan is the
// engine's immutable object: Clone it to change it. Safe for concurrent
// use.
func (a *App) FloorPlan(floor engine.ID) (*engine.FloorPlan, bool) {
	var p *engine.FloorPlan
	var ok bool
	_ = a.engine.View(func(v *engine.View) error { p, ok = v.FloorPlan(floor); return nil })
	return p, ok
}

// Floors returns the spaces that may hold a floor plan: spaces of type
// Floor and spaces with child spaces, in tree order (parents before their
// children, siblings in the tree's order). Safe for concurrent use.
func (a *App) Floors() []engine.ID {
	var out []engine.ID
	_ = a.engine.View(func(v *engine.View) error {
		out = floorsOf(v)
		return nil
	})
	return out
}

func floorsOf(v *engine.View) []engine.ID {
	var out []engine.ID
	_ = v.WalkSpaces(func(s *engine.Space) error {
		if strings.EqualFold(v.TypeName(s.TypeID), "Floor") || len(v.ChildSpaces(s.ID)) > 0 {
			out = append(out, s.ID)
		}
		return nil
	}, nil)
	return out
}

// PlanBackgroundKind says what a background drawing is, "png" or "svg",
// by its first bytes; anything else is an error wrapping ErrInvalid.
func PlanBackgroundKind(data []byte) (string, error) {
	if bytes.HasPrefix(data, []byte("\x89PNG\r\n\x1a\n")) {
		return "png", nil
	}
	head := data[:min(len(data), 64<<10)]
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	if t := bytes.TrimSpace(head); len(t) > 0 && t[0] == '<' && bytes.Contains(t, []byte("<svg")) {
		return "svg", nil
	}
	return "", fmt.Errorf("%w: not a PNG or SVG image", engine.ErrInvalid)
}

// checkPlanBackground refuses what SetPlanBackground would refuse.
func checkPlanBackground(data []byte) error {
	if len(data) > MaxPlanBackground {
		return fmt.Errorf("%w: background is %d bytes, more than %d MiB", engine.ErrInvalid, len(data), MaxPlanBackground>>20)
	}
	_, err := PlanBackgroundKind(data)
	return err
}

// planBackgroundName is the file name part of name, as a plan keeps it.
func planBackgroundName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	if name == "." || name == "/" || name == "" {
		return "background"
	}
	return name
}

// planBackgroundBlob is the blob holding the drawing named name of
// floor's plan: "plan-bg/<floor>/<name>". Project files written before
// drawings were kept by name hold the floor's one drawing in
// "plan-bg/<floor>" (legacyBackgroundBlob).
func planBackgroundBlob(floor engine.ID, name string) string {
	return planBackgroundPrefix + floor.String() + "/" + name
}

func legacyBackgroundBlob(floor engine.ID) string { return planBackgroundPrefix + floor.String() }

// backgroundBytes returns the drawing named name of floor's plan: its own
// blob, else the floor's drawing of an older project file.
func (a *App) backgroundBytes(floor engine.ID, name string) ([]byte, error) {
	data, err := a.blobs().Blob(planBackgroundBlob(floor, name))
	if errors.Is(err, engine.ErrNotFound) {
		data, err = a.blobs().Blob(legacyBackgroundBlob(floor))
	}
	return data, err
}

// SetPlanBackground is PlanBackgroundEdit applied at once with
// Engine.Update: the change is on no Editor's undo stack. Safe for
// concurrent use.
func (a *App) SetPlanBackground(floor engine.ID, name string, data []byte) error {
	_, fn, err := a.PlanBackgroundEdit(floor, name, data)
	if err != nil {
		return err
	}
	return a.engine.Update(fn)
}

// PlanBackgroundEdit prepares a change of the background of floor's plan
// and returns it as one transaction, fn, to run with an Editor's Do
// (undoable: undo and redo bring back the plan's background name and so
// the drawing shown) or Engine.Update, and label, the edit's name.
//
// With data, a PNG or SVG drawing (sniffed, at most MaxPlanBackground
// bytes; otherwise ErrInvalid), it keeps the drawing in the project file
// at once, named by name's file name, or "name (2).png" and so on when the
// floor keeps another drawing by that name: a name, once used on a floor,
// always shows the same drawing. fn then sets the plan's Background to
// that name, creating the plan if the floor has none, and gives the
// plan's drawing area the drawing's proportions (fitToAspect: the width
// stays unless the rooms need more, the height follows) so that the
// drawing is not distorted. With nil data, fn
// removes the plan's background (ErrNotFound if it has none); the drawing
// stays in the project file, for undo. The floor must exist (ErrNotFound).
// Drawings kept for an edit that is not applied stay unused in the
// project file. Safe for concurrent use.
func (a *App) PlanBackgroundEdit(floor engine.ID, name string, data []byte) (label string, fn func(tx *engine.Tx) error, err error) {
	if _, ok := a.space(floor); !ok {
		return "", nil, fmt.Errorf("%w: floor %s", engine.ErrNotFound, floor)
	}
	if data == nil {
		return "Remove plan background", func(tx *engine.Tx) error {
			cur, ok := tx.FloorPlan(floor)
			if !ok || cur.Background == "" {
				return fmt.Errorf("%w: the plan of floor %s has no background", engine.ErrNotFound, floor)
			}
			p := cur.Clone()
			p.Background = ""
			return tx.PutFloorPlan(p)
		}, nil
	}
	if err := checkPlanBackground(data); err != nil {
		return "", nil, err
	}
	if err := a.keepLegacyBackground(floor); err != nil {
		return "", nil, err
	}
	name, err = a.keepBackground(floor, planBackgroundName(name), data)
	if err != nil {
		return "", nil, err
	}
	aspect, fit := backgroundAspect(data)
	return "Set plan background " + name, func(tx *engine.Tx) error {
		p := &engine.FloorPlan{FloorID: floor}
		if cur, ok := tx.FloorPlan(floor); ok {
			p = cur.Clone()
		}
		p.Background = name
		if fit {
			fitToAspect(p, aspect)
		}
		return tx.PutFloorPlan(p)
	}, nil
}

// maxBackgroundNames bounds the "name (n).ext" tried by keepBackground.
const maxBackgroundNames = 1000

// keepBackground keeps data as a drawing of floor named name, or the
// first "name (n).ext" that is free or already holds data, and returns
// the name used.
func (a *App) keepBackground(floor engine.ID, name string, data []byte) (string, error) {
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 1; i <= maxBackgroundNames; i++ {
		n := name
		if i > 1 {
			n = fmt.Sprintf("%s (%d)%s", base, i, ext)
		}
		old, err := a.blobs().Blob(planBackgroundBlob(floor, n))
		switch {
		case errors.Is(err, engine.ErrNotFound):
			return n, a.blobs().WriteBlobs(map[string][]byte{planBackgroundBlob(floor, n): data}, nil)
		case err != nil:
			return "", err
		case bytes.Equal(old, data):
			return n, nil
		}
	}
	return "", fmt.Errorf("%w: background: more than %d drawings named %q on floor %s", engine.ErrInvalid, maxBackgroundNames, name, floor)
}

// keepLegacyBackground moves the drawing an older project file keeps for
// floor (legacyBackgroundBlob) to its name, the plan's background, so
// that a new drawing of that name does not take its place.
func (a *App) keepLegacyBackground(floor engine.ID) error {
	p, ok := a.FloorPlan(floor)
	if !ok || p.Background == "" {
		return nil
	}
	old, err := a.blobs().Blob(legacyBackgroundBlob(floor))
	if errors.Is(err, engine.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	named := planBackgroundBlob(floor, p.Background)
	if _, err := a.blobs().Blob(named); !errors.Is(err, engine.ErrNotFound) {
		return err // already kept by name (or a store failure)
	}
	return a.blobs().WriteBlobs(map[string][]byte{named: old}, []string{legacyBackgroundBlob(floor)})
}

// PlanBackground returns the name and bytes of the background of floor's
// plan, or an error wrapping ErrNotFound if it has none. Safe for
// concurrent use.
func (a *App) PlanBackground(floor engine.ID) (name string, data []byte, err error) {
	p, ok := a.FloorPlan(floor)
	if !ok || p.Background == "" {
		return "", nil, fmt.Errorf("%w: no background for floor %s", engine.ErrNotFound, floor)
	}
	data, err = a.backgroundBytes(floor, p.Background)
	if err != nil {
		return "", nil, err
	}
	return p.Background, data, nil
}

// FloorPlanYAML returns floor's plan as the `plan:` block of a
// provisioning file (yaml.FloorPlanBlock, not indented), to paste under
// the floor's name; its background, if any, is written by name only
// (PlanBackground gives the bytes). ErrNotFound if the floor has no plan.
// Safe for concurrent use.
func (a *App) FloorPlanYAML(floor engine.ID) (string, error) {
	var out string
	err := a.engine.View(func(v *engine.View) error {
		p, ok := v.FloorPlan(floor)
		if !ok {
			return fmt.Errorf("%w: no plan for floor %s", engine.ErrNotFound, floor)
		}
		var err error
		out, err = yaml.FloorPlanBlock(v, p, 0)
		return err
	})
	return out, err
}

// SavePlanBackgrounds keeps the background drawings a provisioning file
// named (sum.Backgrounds, read by ReadPlan) in the project file by their
// names, once the plan is provisioned; a drawing of the same name on the
// same floor is replaced (so an undone import may show the new drawing
// under the old name). ProvisionFile calls it; callers that provision a
// plan themselves (an Editor's import) call it after their transaction
// committed. Safe for concurrent use.
func (a *App) SavePlanBackgrounds(sum *engine.ProvisionSummary) error {
	if sum == nil || len(sum.Backgrounds) == 0 {
		return nil
	}
	put := make(map[string][]byte, len(sum.Backgrounds))
	for _, b := range sum.Backgrounds {
		put[planBackgroundBlob(b.Floor, b.Name)] = b.Data
	}
	return a.blobs().WriteBlobs(put, nil)
}

// checkPlanBackgrounds refuses a provisioning plan whose floor plans name
// a background that is not a PNG or SVG drawing of at most
// MaxPlanBackground bytes, naming the file, line and field.
func checkPlanBackgrounds(spaces []*engine.PlanSpace) error {
	for _, s := range spaces {
		if fp := s.Plan; fp != nil && fp.Background != "" {
			if err := checkPlanBackground(fp.BackgroundData); err != nil {
				return engine.At(fp.At("background"), "plan.background", fmt.Errorf("%s: %w", fp.Background, err))
			}
		}
		if err := checkPlanBackgrounds(s.Spaces); err != nil {
			return err
		}
	}
	return nil
}

// space returns space id.
func (a *App) space(id engine.ID) (*engine.Space, bool) {
	var s *engine.Space
	var ok bool
	_ = a.engine.View(func(v *engine.View) error { s, ok = v.Space(id); return nil })
	return s, ok
}
