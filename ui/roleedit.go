package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/engine"
)

// The Access tab's role editor. A custom role's permissions and value
// limits are written as text, one a line, as the Roles panel shows them:
//
//	Read: everything
//	Read, Update: Space, SpaceExtendedProperty
//	Read: everything but KeyStore
//
//	TemperatureSetpoint 20..24
//	Brightness ..80

// parsePermissions reads permissions, one a line (see permissionText);
// blank lines are skipped. An error names the line.
func parsePermissions(text string) ([]engine.Permission, error) {
	var out []engine.Permission
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		p, err := parsePermission(line)
		if err != nil {
			return nil, fmt.Errorf("%w: permissions line %d: %v", engine.ErrInvalid, n+1, err)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: permissions: give at least one, e.g. \"Read: everything\"", engine.ErrInvalid)
	}
	return out, nil
}

// parsePermission reads "ACTIONS: TYPES", TYPES a list of resource types
// or "everything", either followed by "but TYPES".
func parsePermission(line string) (engine.Permission, error) {
	var p engine.Permission
	acts, on, ok := strings.Cut(line, ":")
	if !ok {
		return p, errors.New(`want "ACTIONS: RESOURCE TYPES", e.g. "Read, Update: Space"`)
	}
	for _, a := range splitList(acts) {
		p.Actions = append(p.Actions, engine.Action(a)) // the engine checks them
	}
	if len(p.Actions) == 0 {
		return p, errors.New("no action before the colon")
	}
	on, but, _ := strings.Cut(on, " but ")
	if strings.TrimSpace(on) != "everything" {
		if p.ResourceTypes = splitList(on); len(p.ResourceTypes) == 0 {
			return p, errors.New(`no resource type after the colon (or "everything")`)
		}
	}
	p.NotResourceTypes = splitList(but)
	return p, nil
}

// splitList splits a comma-separated list, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

// parseLimits reads value limits, one a line: "NAME MIN..MAX", either
// bound may be left out ("Brightness ..80"). An error names the line.
func parseLimits(text string) ([]engine.ValueLimit, error) {
	var out []engine.ValueLimit
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		l, err := parseLimit(line)
		if err != nil {
			return nil, fmt.Errorf("%w: limits line %d: %v", engine.ErrInvalid, n+1, err)
		}
		out = append(out, l)
	}
	return out, nil
}

func parseLimit(line string) (engine.ValueLimit, error) {
	var l engine.ValueLimit
	f := strings.Fields(line)
	if len(f) != 2 {
		return l, errors.New(`want "NAME MIN..MAX", e.g. "TemperatureSetpoint 20..24"`)
	}
	lo, hi, ok := strings.Cut(f[1], "..")
	if !ok || lo == "" && hi == "" {
		return l, fmt.Errorf("range %q: want MIN..MAX, MIN.. or ..MAX", f[1])
	}
	l.Name = f[0]
	var err error
	if l.Min, err = bound(lo); err != nil {
		return l, err
	}
	if l.Max, err = bound(hi); err != nil {
		return l, err
	}
	return l, nil // the engine checks the rest
}

// bound reads one end of a range; "" is open (nil).
func bound(s string) (*float64, error) {
	if s == "" {
		return nil, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return nil, fmt.Errorf("%q is not a number", s)
	}
	return &v, nil
}

// limitText is one value limit: "TemperatureSetpoint 20..24".
func limitText(l engine.ValueLimit) string {
	end := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'g', -1, 64)
	}
	return l.Name + " " + end(l.Min) + ".." + end(l.Max)
}

// roleForm is the New role and Edit role dialog's fields.
type roleForm struct {
	id                          engine.ID // zero for a new role
	name, friendly, perms, lims *widget.Entry
}

// newRoleForm fills the form from r (nil: a new role).
func newRoleForm(r *engine.Role) *roleForm {
	f := &roleForm{name: widget.NewEntry(), friendly: widget.NewEntry(),
		perms: widget.NewMultiLineEntry(), lims: widget.NewMultiLineEntry()}
	f.name.SetPlaceHolder("e.g. Occupant")
	f.friendly.SetPlaceHolder("optional, e.g. Room Occupant")
	f.perms.SetPlaceHolder("Read: everything\nUpdate: SpaceExtendedProperty")
	f.lims.SetPlaceHolder("TemperatureSetpoint 20..24")
	f.perms.SetMinRowsVisible(4)
	f.lims.SetMinRowsVisible(3)
	if r == nil {
		return f
	}
	f.id = r.ID
	f.name.SetText(r.Name)
	f.friendly.SetText(r.FriendlyName)
	var ps, ls []string
	for _, p := range r.Permissions {
		ps = append(ps, permissionText(p))
	}
	for _, l := range r.Limits {
		ls = append(ls, limitText(l))
	}
	f.perms.SetText(strings.Join(ps, "\n"))
	f.lims.SetText(strings.Join(ls, "\n"))
	return f
}

// role is the role the form describes.
func (f *roleForm) role() (*engine.Role, error) {
	name := strings.TrimSpace(f.name.Text)
	if name == "" {
		return nil, fmt.Errorf("%w: name: empty", engine.ErrInvalid)
	}
	perms, err := parsePermissions(f.perms.Text)
	if err != nil {
		return nil, err
	}
	lims, err := parseLimits(f.lims.Text)
	if err != nil {
		return nil, err
	}
	friendly := strings.TrimSpace(f.friendly.Text)
	if friendly == "" {
		friendly = name
	}
	return &engine.Role{ID: f.id, Name: name, FriendlyName: friendly, Permissions: perms, Limits: lims}, nil
}

// saveRole stores the form's role.
func (t *accessTab) saveRole(f *roleForm) error {
	r, err := f.role()
	if err != nil {
		return err
	}
	if err := t.app.PutRole(r); err != nil {
		return err
	}
	t.edited()
	t.selectRole(r.ID)
	return nil
}

// selectRole selects role id in the list.
func (t *accessTab) selectRole(id engine.ID) {
	for i, r := range t.roles {
		if r.ID == id {
			t.roleList.Select(i)
			return
		}
	}
}

// showRoleDialog shows the New role dialog (r nil) or the Edit role one.
// A refused role keeps the dialog's text: it shows again with the error.
func (t *accessTab) showRoleDialog(f *roleForm) {
	if t.sh.win == nil {
		return
	}
	title := "New role"
	if !f.id.IsZero() {
		title = "Edit role " + f.name.Text
	}
	perms := widget.NewFormItem("Permissions", f.perms)
	perms.HintText = "One a line: ACTIONS: RESOURCE TYPES (or everything, and but …)"
	lims := widget.NewFormItem("Value limits", f.lims)
	lims.HintText = "One a line: NAME MIN..MAX; a write outside it is refused"
	t.showForm(title, "Save", func() {
		if err := t.saveRole(f); err != nil {
			t.showRoleDialog(f) // under the error
			t.sh.fail(err)
		}
	}, widget.NewFormItem("Name", f.name), widget.NewFormItem("Friendly name", f.friendly), perms, lims)
}

// onEditRole edits the selected custom role.
func (t *accessTab) onEditRole() {
	if t.roleSel < 0 || t.roles[t.roleSel].System {
		t.sh.fail(errors.New("select a custom role first: the system roles cannot be changed"))
		return
	}
	t.showRoleDialog(newRoleForm(t.roles[t.roleSel]))
}

// onDeleteRole deletes the selected custom role after a confirmation.
func (t *accessTab) onDeleteRole() {
	if t.roleSel < 0 || t.roles[t.roleSel].System {
		t.sh.fail(errors.New("select a custom role first: the system roles cannot be deleted"))
		return
	}
	r := t.roles[t.roleSel]
	t.confirm("Delete the role "+r.FriendlyName+"?", "A role still assigned cannot be deleted.",
		func() { t.sh.act(t.app.DeleteRole(r.ID)); t.edited() })
}
