package app

import (
	"bytes"
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

// SetPlanBackground keeps data, a PNG or SVG drawing (sniffed, at most
// MaxPlanBackground bytes; otherwise ErrInvalid), as the background of
// floor's plan in the project file, and sets the plan's Background to
// name's file name, creating the plan if the floor has none. The floor
// must exist (ErrNotFound). If setting the plan fails, the previous
// drawing is put back. The change is not on an Editor's undo stack. Safe
// for concurrent use.
func (a *App) SetPlanBackground(floor engine.ID, name string, data []byte) error {
	if err := checkPlanBackground(data); err != nil {
		return err
	}
	if _, ok := a.space(floor); !ok {
		return fmt.Errorf("%w: floor %s", engine.ErrNotFound, floor)
	}
	blob := planBackgroundPrefix + floor.String()
	old, oldErr := a.blobs().Blob(blob)
	if err := a.blobs().WriteBlobs(map[string][]byte{blob: data}, nil); err != nil {
		return err
	}
	err := a.engine.Update(func(tx *engine.Tx) error {
		p := &engine.FloorPlan{FloorID: floor}
		if cur, ok := tx.FloorPlan(floor); ok {
			p = cur.Clone()
		}
		p.Background = planBackgroundName(name)
		return tx.PutFloorPlan(p)
	})
	if err != nil {
		if oldErr == nil {
			_ = a.blobs().WriteBlobs(map[string][]byte{blob: old}, nil)
		} else {
			_ = a.blobs().WriteBlobs(nil, []string{blob})
		}
	}
	return err
}

// PlanBackground returns the name and bytes of the background of floor's
// plan, or an error wrapping ErrNotFound if it has none. Safe for
// concurrent use.
func (a *App) PlanBackground(floor engine.ID) (name string, data []byte, err error) {
	p, ok := a.FloorPlan(floor)
	if !ok || p.Background == "" {
		return "", nil, fmt.Errorf("%w: no background for floor %s", engine.ErrNotFound, floor)
	}
	data, err = a.blobs().Blob(planBackgroundPrefix + floor.String())
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
// named (sum.Backgrounds, read by ReadPlan) in the project file, once the
// plan is provisioned. ProvisionFile calls it; callers that provision a
// plan themselves (an Editor's import) call it after their transaction
// committed. Safe for concurrent use.
func (a *App) SavePlanBackgrounds(sum *engine.ProvisionSummary) error {
	if sum == nil || len(sum.Backgrounds) == 0 {
		return nil
	}
	put := make(map[string][]byte, len(sum.Backgrounds))
	for _, b := range sum.Backgrounds {
		put[planBackgroundPrefix+b.Floor.String()] = b.Data
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
