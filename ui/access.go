package ui

import (
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// accessTab is the Access tab: the project's principals, roles, role
// assignments and tokens, each in a panel of its own, with the buttons
// that create, revoke and delete them. It reads the project through
// package app when it shows and after each of its own edits.
type accessTab struct {
	sh      *shell
	app     *app.App
	model   *viewModel
	viewAs  func(p engine.Principal) // shows the studio as p sees it
	changed func()                   // the principals may have changed

	principals []engine.Principal
	roles      []*engine.Role
	assigns    []*engine.RoleAssignment
	tokens     []*engine.Token

	prinList   *widget.List
	prinSel    int
	roleList   *widget.List
	roleSel    int
	roleDetail *widget.Label
	asgList    *widget.List
	asgSel     int
	tokList    *widget.List
	tokSel     int
	secret     *widget.Entry // the secret of the token just created, in its dialog

	panels  *container.AppTabs
	content fyne.CanvasObject
}

// The Access tab's panels, by index.
const (
	accessPrincipals = iota
	accessRoles
	accessAssignments
	accessTokens
)

func newAccessTab(sh *shell, a *app.App, m *viewModel, viewAs func(engine.Principal), changed func()) *accessTab {
	t := &accessTab{sh: sh, app: a, model: m, viewAs: viewAs, changed: changed, prinSel: -1, roleSel: -1, asgSel: -1, tokSel: -1}
	t.panels = container.NewAppTabs(
		container.NewTabItem("Principals", t.principalPanel()),
		container.NewTabItem("Roles", t.rolePanel()),
		container.NewTabItem("Assignments", t.assignmentPanel()),
		container.NewTabItem("Tokens", t.tokenPanel()),
	)
	t.content = t.panels
	t.reload()
	return t
}

// reload re-reads the principals, roles and assignments and redraws.
func (t *accessTab) reload() {
	t.principals = sortPrincipals(t.app.Principals())
	t.roles = t.app.Roles()
	t.assigns = t.app.RoleAssignments()
	t.tokens = t.app.Tokens()
	t.tokSel = clampSel(t.tokSel, len(t.tokens))
	t.tokList.Refresh()
	t.prinSel, t.asgSel = clampSel(t.prinSel, len(t.principals)), clampSel(t.asgSel, len(t.assigns))
	t.roleSel = clampSel(t.roleSel, len(t.roles))
	t.prinList.Refresh()
	t.roleList.Refresh()
	t.asgList.Refresh()
	t.showRole()
}

func clampSel(i, n int) int {
	if i >= n {
		return -1
	}
	return i
}

// ---- tables ----

// table is a list whose rows are columns of labels, as wide as weights
// say (in proportion); the header names the columns.
func table(header []string, weights columns, n func() int, cells func(i int) []string, onSel func(i int)) (*widget.List, fyne.CanvasObject) {
	l := widget.NewList(n, func() fyne.CanvasObject {
		row := container.New(weights)
		for range header {
			c := widget.NewLabel("")
			c.Truncation = fyne.TextTruncateEllipsis
			row.Add(c)
		}
		return row
	}, func(i widget.ListItemID, o fyne.CanvasObject) {
		for j, text := range cells(i) {
			if c := o.(*fyne.Container).Objects[j].(*widget.Label); c.Text != text {
				c.SetText(text)
			}
		}
	})
	l.OnSelected = func(i widget.ListItemID) { onSel(i) }
	l.OnUnselected = func(widget.ListItemID) { onSel(-1) }
	head := container.New(weights)
	for _, h := range header {
		head.Add(bold(h))
	}
	return l, container.NewBorder(container.NewVBox(head, widget.NewSeparator()), nil, nil, nil, l)
}

// panel lays out a table under a line of explanation, with buttons below.
func panel(text string, body fyne.CanvasObject, buttons ...fyne.CanvasObject) fyne.CanvasObject {
	return container.NewBorder(note(text), container.NewHBox(buttons...), nil, nil, body)
}

// ---- principals ----

func (t *accessTab) principalPanel() fyne.CanvasObject {
	var body fyne.CanvasObject
	t.prinList, body = table([]string{"Principal", "Type", "Role assignments"}, columns{3, 2, 5},
		func() int { return len(t.principals) },
		func(i int) []string {
			p := t.principals[i]
			return []string{p.Name(), p.Type, t.assignmentsOf(p)}
		}, func(i int) { t.prinSel = i })
	viewAs := widget.NewButtonWithIcon("View as", theme.VisibilityIcon(), func() {
		if t.prinSel < 0 {
			t.sh.fail(errors.New("select a principal first"))
			return
		}
		t.viewAs(t.principals[t.prinSel])
	})
	add := widget.NewButtonWithIcon("New principal…", theme.ContentAddIcon(), func() { t.showAssign("") })
	remove := widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), t.onDeletePrincipal)
	return panel("Who may use the project: users, devices, functions and service principals (programs). "+
		"A principal is made with its first role assignment; View as shows the studio as it sees the project.",
		body, add, viewAs, remove)
}

// assignmentsOf summarises p's role assignments: "Occupant on /Tenant A".
func (t *accessTab) assignmentsOf(p engine.Principal) string {
	var parts []string
	for _, a := range t.assigns {
		if a.ObjectIDType == p.Type && strings.EqualFold(a.ObjectID, p.ID) {
			parts = append(parts, t.roleName(a.RoleID)+" on "+t.pathName(a.Path))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, "; ")
}

// onDeletePrincipal deletes the selected principal's role assignments
// after a confirmation.
func (t *accessTab) onDeletePrincipal() {
	if t.prinSel < 0 {
		t.sh.fail(errors.New("select a principal first"))
		return
	}
	p := t.principals[t.prinSel]
	t.confirm("Delete "+p.Name()+"?", "Its role assignments and tokens go with it.", func() { t.deletePrincipal(p) })
}

// deletePrincipal deletes p's role assignments and tokens (a user,
// device or function itself stays: the Model tab deletes those).
func (t *accessTab) deletePrincipal(p engine.Principal) {
	defer t.edited()
	for _, a := range t.assigns {
		if a.ObjectIDType == p.Type && strings.EqualFold(a.ObjectID, p.ID) {
			if err := t.app.DeleteRoleAssignment(a.ID); err != nil {
				t.sh.fail(err)
				return
			}
		}
	}
	for _, k := range t.tokens {
		if k.Principal.Type == p.Type && strings.EqualFold(k.Principal.ID, p.ID) {
			if err := t.app.DeleteToken(k.ID.String()); err != nil {
				t.sh.fail(err)
				return
			}
		}
	}
}

// edited redraws after an edit of the tab.
func (t *accessTab) edited() {
	t.reload()
	t.changed()
}

// confirm asks before fn runs; without a window fn runs at once.
func (t *accessTab) confirm(title, text string, fn func()) {
	if t.sh.win == nil {
		fn()
		return
	}
	dialog.ShowConfirm(title, text, func(ok bool) {
		if ok {
			fn()
		}
	}, t.sh.win)
}

// ---- roles ----

func (t *accessTab) rolePanel() fyne.CanvasObject {
	var body fyne.CanvasObject
	t.roleList, body = table([]string{"Role", "Kind"}, columns{2, 1},
		func() int { return len(t.roles) },
		func(i int) []string {
			r := t.roles[i]
			return []string{r.FriendlyName, roleKind(r)}
		}, func(i int) { t.roleSel = i; t.showRole() })
	t.roleDetail = widget.NewLabel("")
	t.roleDetail.Wrapping = fyne.TextWrapWord
	t.roleDetail.Selectable = true
	split := container.NewHSplit(body, container.NewVScroll(t.roleDetail))
	split.Offset = 0.4
	add := widget.NewButtonWithIcon("New role…", theme.ContentAddIcon(), func() { t.showRoleDialog(newRoleForm(nil)) })
	change := widget.NewButtonWithIcon("Edit…", theme.DocumentCreateIcon(), t.onEditRole)
	remove := widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), t.onDeleteRole)
	return panel("The nine system roles of the preview (read-only), then the project's custom roles. "+
		"A custom role's value limits bound what it may write, e.g. TemperatureSetpoint 20..24.", split, add, change, remove)
}

// roleKind says whether r is a system role.
func roleKind(r *engine.Role) string {
	if r.System {
		return "system"
	}
	return "custom"
}

// showRole shows the selected role's permissions.
func (t *accessTab) showRole() {
	if t.roleSel < 0 {
		t.roleDetail.SetText("Select a role to see what it permits.")
		return
	}
	t.roleDetail.SetText(roleText(t.roles[t.roleSel]))
}

// roleText describes role r: its names, id and permissions, one a line.
func roleText(r *engine.Role) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s, %s role)\nid %s\n\nPermissions:\n", r.FriendlyName, r.Name, roleKind(r), r.ID)
	for _, p := range r.Permissions {
		b.WriteString("• " + engine.FormatPermission(p) + "\n")
	}
	if len(r.Limits) > 0 {
		b.WriteString("\nValue limits:\n")
		for _, l := range r.Limits {
			b.WriteString("• may set " + l.String() + "\n")
		}
	}
	return b.String()
}

// roleName is the friendly name of role id, or the id.
func (t *accessTab) roleName(id engine.ID) string {
	for _, r := range t.roles {
		if r.ID == id {
			return r.FriendlyName
		}
	}
	return id.String()
}

// ---- assignments ----

func (t *accessTab) assignmentPanel() fyne.CanvasObject {
	var body fyne.CanvasObject
	t.asgList, body = table([]string{"Principal", "Role", "Space"}, columns{4, 2, 4},
		func() int { return len(t.assigns) },
		func(i int) []string {
			a := t.assigns[i]
			return []string{t.assigneeText(a), t.roleName(a.RoleID), t.pathName(a.Path)}
		}, func(i int) { t.asgSel = i })
	add := widget.NewButtonWithIcon("Assign role…", theme.ContentAddIcon(), func() { t.showAssign("") })
	remove := widget.NewButtonWithIcon("Delete", theme.DeleteIcon(), func() {
		if t.asgSel < 0 {
			t.sh.fail(errors.New("select a role assignment first"))
			return
		}
		a := t.assigns[t.asgSel]
		t.confirm("Delete the role assignment?", t.roleName(a.RoleID)+" of "+t.assigneeText(a)+" on "+t.pathName(a.Path),
			func() { t.sh.act(t.app.DeleteRoleAssignment(a.ID)); t.edited() })
	})
	return panel("A role assignment gives a principal a role on a space and everything under it. "+
		"Select the space in the tree before assigning.", body, add, remove)
}

// assigneeText names the principal of role assignment a by its name
// ("DeviceId SO-F1-R05", not the device's id).
func (t *accessTab) assigneeText(a *engine.RoleAssignment) string {
	for _, p := range t.principals {
		if p.Type == a.ObjectIDType && strings.EqualFold(p.ID, a.ObjectID) {
			return principalText(p)
		}
	}
	return a.ObjectIDType + " " + a.ObjectID
}

// pathName is the name path of a role assignment's space path:
// "/Smart Office/Floor 1", "/ (everything)" for "/".
func (t *accessTab) pathName(path string) string {
	if path == "/" || path == "" {
		return "/ (everything)"
	}
	parts := strings.Split(strings.TrimRight(path, "/"), "/")
	id, err := engine.ParseID(parts[len(parts)-1])
	if err != nil {
		return path
	}
	name := path
	t.model.view(func(v *engine.View) {
		if n := v.FullName(id); n != "" {
			name = n
		}
	})
	return name
}

// assignForm is the Assign role dialog's fields.
type assignForm struct {
	principal *widget.SelectEntry
	role      *widget.Select
	space     *widget.Select
	paths     []string // the space paths of space's options
}

// newAssignForm fills the form: the principals, the roles, and "/" with
// the space selected in the tree and the spaces above it.
func (t *accessTab) newAssignForm(principal string) *assignForm {
	f := &assignForm{principal: t.principalEntry(principal)}
	var roles []string
	for _, r := range t.roles {
		roles = append(roles, r.FriendlyName)
	}
	f.role = widget.NewSelect(roles, nil)
	opts := []string{"/ (everything)"}
	f.paths = []string{"/"}
	sel := t.model.spaceAt(t.sh.s.ctl.selected)
	t.model.view(func(v *engine.View) {
		for id := sel; !id.IsZero(); {
			s, ok := v.Space(id)
			if !ok {
				break
			}
			opts = append(opts[:1], append([]string{v.FullName(id)}, opts[1:]...)...)
			f.paths = append(f.paths[:1], append([]string{v.SpacePath(id)}, f.paths[1:]...)...)
			id = s.ParentID
		}
	})
	f.space = widget.NewSelect(opts, nil)
	f.space.SetSelectedIndex(len(opts) - 1) // the space selected in the tree
	return f
}

// principalEntry is a dialog's principal field, offering the project's
// principals and holding text.
func (t *accessTab) principalEntry(text string) *widget.SelectEntry {
	var names []string
	for _, p := range t.principals {
		names = append(names, principalRef(p))
	}
	e := widget.NewSelectEntry(names)
	e.SetPlaceHolder("name, e.g. tenant-a-app or UserId:alice@contoso.com")
	e.SetText(text)
	return e
}

// assign makes the role assignment the form describes.
func (t *accessTab) assign(f *assignForm) error {
	p, err := t.app.ResolvePrincipal(f.principal.Text)
	if err != nil {
		return err
	}
	if f.role.SelectedIndex() < 0 {
		return fmt.Errorf("%w: role: pick one", engine.ErrInvalid)
	}
	if f.space.SelectedIndex() < 0 {
		return fmt.Errorf("%w: space: pick one", engine.ErrInvalid)
	}
	_, err = t.app.AssignRole(p, t.roles[f.role.SelectedIndex()].ID, f.paths[f.space.SelectedIndex()])
	if err == nil {
		t.edited()
	}
	return err
}

// showAssign shows the Assign role dialog, the principal filled in.
func (t *accessTab) showAssign(principal string) {
	t.reload() // roles and principals made elsewhere meanwhile
	f := t.newAssignForm(principal)
	if t.sh.win == nil {
		return
	}
	t.showForm("Assign role", "Assign", func() { t.sh.act(t.assign(f)) },
		widget.NewFormItem("Principal", f.principal),
		widget.NewFormItem("Role", f.role),
		widget.NewFormItem("Space", f.space))
}

// showForm shows a dialog of form items; confirming it runs ok.
func (t *accessTab) showForm(title, confirm string, ok func(), items ...*widget.FormItem) {
	d := dialog.NewForm(title, confirm, "Cancel", items, func(yes bool) {
		if yes {
			ok()
		}
	}, t.sh.win)
	d.Resize(fyne.NewSize(600, 0))
	d.Show()
}

// ---- View as ----

// viewAsPicker is the toolbar's View as select: the owner first, then the
// project's principals. While another principal is picked its label
// shows in the warning colour, so that a designer always knows whose view
// the studio shows.
type viewAsPicker struct {
	app        *app.App
	principals []engine.Principal // the options after the owner
	label      *widget.Label
	sel        *widget.Select
	onPick     func(p engine.Principal)
	setting    bool // set programmatically: no callback
	content    fyne.CanvasObject
}

func newViewAsPicker(a *app.App, onPick func(engine.Principal)) *viewAsPicker {
	v := &viewAsPicker{app: a, onPick: onPick}
	v.label = widget.NewLabelWithStyle("View as", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
	v.sel = widget.NewSelect(nil, func(string) {
		if v.setting {
			return
		}
		if i := v.sel.SelectedIndex(); i >= 0 {
			v.onPick(v.principal(i))
		}
	})
	v.reload()
	v.show(engine.Owner)
	v.content = container.NewHBox(v.label, container.New(minWidth(viewAsWidth), v.sel))
	return v
}

// principal is option i's principal.
func (v *viewAsPicker) principal(i int) engine.Principal {
	if i == 0 {
		return engine.Owner
	}
	return v.principals[i-1]
}

// reload re-reads the principals, keeping the one picked.
func (v *viewAsPicker) reload() {
	v.principals = sortPrincipals(v.app.Principals())
	opts := []string{ownerText}
	for _, p := range v.principals {
		opts = append(opts, principalText(p))
	}
	cur := v.sel.Selected
	v.setting = true
	v.sel.SetOptions(opts)
	v.sel.Selected = cur
	v.sel.Refresh()
	v.setting = false
}

// show marks p as picked, without calling back.
func (v *viewAsPicker) show(p engine.Principal) {
	v.setting = true
	v.sel.SetSelected(principalText(p))
	v.setting = false
	if p.Type == engine.Owner.Type {
		v.label.SetText("View as")
		v.label.Importance = widget.MediumImportance
	} else {
		v.label.SetText("Viewing as")
		v.label.Importance = widget.WarningImportance
	}
	v.label.Refresh()
}

// viewAsWidth is the View as select's width: room for
// "ServicePrincipalId tenant-a-app".
const viewAsWidth = 220

// minWidth is a layout that gives its one object at least the width.
type minWidth float32

func (w minWidth) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := objs[0].MinSize()
	s.Width = max(s.Width, float32(w))
	return s
}

func (w minWidth) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
}
