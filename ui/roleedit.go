package ui

import (
	"errors"
	"fmt"
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

// parsePermissions reads permissions, one a line
// (engine.ParsePermission); blank lines are skipped. An error names the
// line.
func parsePermissions(text string) ([]engine.Permission, error) {
	var out []engine.Permission
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		p, err := engine.ParsePermission(line)
		if err != nil {
			return nil, fmt.Errorf("permissions line %d: %w", n+1, err)
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: permissions: give at least one, e.g. \"Read: everything\"", engine.ErrInvalid)
	}
	return out, nil
}

// parseLimits reads value limits, one a line (engine.ParseValueLimit):
// "NAME MIN..MAX", either bound may be left out ("Brightness ..80"). An
// error names the line.
func parseLimits(text string) ([]engine.ValueLimit, error) {
	var out []engine.ValueLimit
	for n, line := range strings.Split(text, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		l, err := engine.ParseValueLimit(line)
		if err != nil {
			return nil, fmt.Errorf("limits line %d: %w", n+1, err)
		}
		out = append(out, l)
	}
	return out, nil
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
		ps = append(ps, engine.FormatPermission(p))
	}
	for _, l := range r.Limits {
		ls = append(ls, engine.FormatValueLimit(l))
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
