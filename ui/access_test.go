package ui

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// mustOpenTenants opens a new project in t.TempDir() provisioned from
// testdata/tenants.yaml: a building with tenants A (and its sub-tenant
// A2) and B, each with a room, a device and a sensor.
func mustOpenTenants(t testing.TB) *app.App {
	t.Helper()
	a, err := app.Open(filepath.Join(t.TempDir(), "tenants.twin"), app.Options{Pipeline: engine.PipelineOptions{Recent: logSize}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if _, err := a.ProvisionFile(filepath.Join("testdata", "tenants.yaml")); err != nil {
		t.Fatal(err)
	}
	return a
}

// treeLabels are the labels of every node of the tree, depth first.
func treeLabels(m *viewModel) []string {
	var out []string
	var walk func(uid string)
	walk = func(uid string) {
		for _, c := range m.childNodes(uid) {
			out = append(out, m.label(c))
			walk(c)
		}
	}
	walk("")
	return out
}

// principalField is the principal field of the dialog on top of w.
func principalField(t *testing.T, w fyne.Window) *widget.SelectEntry {
	t.Helper()
	var who *widget.SelectEntry
	walkObjects(overlay(t, w), func(o fyne.CanvasObject) bool {
		if e, ok := o.(*widget.SelectEntry); ok && who == nil {
			who = e
		}
		return who == nil
	})
	if who == nil {
		t.Fatal("the dialog has no principal field")
	}
	return who
}

// assignThroughDialog assigns role to principal on the space selected in
// the tree with the Access tab's Assign role dialog.
func assignThroughDialog(t *testing.T, s *Studio, principal, role string) {
	t.Helper()
	w := s.win
	s.showAccess()
	s.access.panels.SelectIndex(accessAssignments)
	tapButton(t, s.access.content, "Assign role…")
	test.Type(principalField(t, w), principal)
	sels := selects(overlay(t, w))
	if len(sels) != 2 {
		t.Fatalf("the dialog has %d dropdowns, want role and space", len(sels))
	}
	sels[0].SetSelected(role)
	tapButton(t, overlay(t, w), "Assign")
	if s.lastErr != nil {
		t.Fatalf("assign %s to %s: %v", role, principal, s.lastErr)
	}
}

// A tenant's principal sees exactly its tenant's subtree: the tree, the
// search, the inspector and the telemetry log; its edits beyond its role
// are refused with a message, and the owner sees everything again.
func TestAccess_viewAsTenant(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenTenants(t)
	s, _ := newStudioWindow(t, a)
	if got := s.seeAs.sel.Selected; got != ownerText {
		t.Fatalf("View as starts at %q, want %q", got, ownerText)
	}
	all := treeLabels(s.model)
	roomB := mustFind(t, s.model, "Room B1 · Room")
	s.selectNode(mustFind(t, s.model, "Tenant A · Tenant"))
	assignThroughDialog(t, s, "tenant-a-app", "Support Specialist")

	// The assignment is listed with the space's name path, and the
	// principal is offered by View as.
	asg := a.RoleAssignments()
	if len(asg) != 1 || asg[0].ObjectIDType != engine.ObjectServicePrincipalID || asg[0].ObjectID != "tenant-a-app" || asg[0].RoleID != engine.RoleSupportSpecialist {
		t.Fatalf("assignments: %+v", *asg[0])
	}
	if got := s.access.pathName(asg[0].Path); got != "/Tower/Tenant A" {
		t.Errorf("the assignment's space shows as %q", got)
	}
	pickOption(t, s.seeAs.sel, "ServicePrincipalId tenant-a-app")

	got := treeLabels(s.model)
	for _, want := range []string{"Tenant A · Tenant", "Room A1 · Room", "Sub-tenant A2 · Tenant", "Room A2 · Room", "Pi A1 (A1-PI)", "Temperature · A1-TEMP"} {
		if !contains(got, want) {
			t.Errorf("viewing as tenant A the tree lacks %q: %q", want, got)
		}
	}
	for _, hidden := range []string{"Tower · Building", "Tenant B · Tenant", "Room B1 · Room", "Pi B1 (B1-PI)"} {
		if contains(got, hidden) {
			t.Errorf("viewing as tenant A the tree shows %q: %q", hidden, got)
		}
	}
	if roots := s.model.childNodes(""); len(roots) != 1 || s.model.label(roots[0]) != "Tenant A · Tenant" {
		t.Errorf("tenant A's top nodes: %q", labels(s.model, roots))
	}
	if s.seeAs.label.Text != "Viewing as" || !strings.Contains(s.win.Title(), "viewing as ServicePrincipalId tenant-a-app") {
		t.Errorf("the view is not marked: label %q, title %q", s.seeAs.label.Text, s.win.Title())
	}
	if !s.tabs.Items[tabFunctions].Disabled() || !s.tabs.Items[tabCharts].Disabled() || !s.tabs.Items[tabSimulation].Disabled() {
		t.Error("the owner's tools over the whole project stay open while viewing as tenant A")
	}
	if m, n := s.model.search("B1", 10); n != 0 {
		t.Errorf("the search finds tenant B's objects: %q", labels(s.model, m))
	}
	s.selectNode(roomB)
	if s.insp.uid != "" || s.model.exists(roomB) {
		t.Errorf("the inspector shows tenant B's room: %q", s.insp.title.Text)
	}

	// Telemetry from both tenants: only A's shows.
	for _, hw := range []string{"A1", "B1"} {
		if _, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic(hw+"-PI", hw+"-TEMP"),
			Payload: []byte(`{"SensorValue": "21"}`), QoS: 1, Username: hw + "-PI", Received: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the messages", func() bool { return a.Pipeline().Stats().Accepted == 2 })
	s.tick()
	if len(s.tele.all) != 1 || s.tele.all[0].Device != "A1-PI" {
		t.Errorf("viewing as tenant A the log holds %+v", s.tele.all)
	}
	if ds := s.tele.devs.devices; len(ds) != 1 || ds[0].HardwareID != "A1-PI" {
		t.Errorf("viewing as tenant A the devices are %+v", ds)
	}

	// Sending as tenant B's device is refused, as tenant A's is not.
	s.tele.pub.device.SetText("B1-PI")
	s.tele.pub.sensor.SetText("B1-TEMP")
	s.tele.pub.value.SetText(`{"SensorValue": "30"}`)
	s.tele.pub.onSend()
	if !strings.Contains(s.tele.pub.result.Text, "may not see device B1-PI") {
		t.Errorf("sending as tenant B's device: %q", s.tele.pub.result.Text)
	}
	s.tele.pub.device.SetText("A1-PI")
	s.tele.pub.sensor.SetText("A1-TEMP")
	s.tele.pub.onSend()
	if !strings.HasPrefix(s.tele.pub.result.Text, "Sent") {
		t.Errorf("sending as tenant A's device: %q", s.tele.pub.result.Text)
	}

	// Support Specialist may read, not write: edits are refused, nothing changes.
	roomA := mustFind(t, s.model, "Room A1 · Room")
	s.selectNode(roomA)
	if _, err := s.ctl.rename(roomA, "Mine"); !errors.Is(err, engine.ErrNotAuthorized) {
		t.Errorf("rename as a Support Specialist: %v", err)
	}
	if _, err := s.ctl.add(engine.KindSpace, addFields{name: "New", typ: "Room"}); !errors.Is(err, engine.ErrNotAuthorized) {
		t.Errorf("add as a Support Specialist: %v", err)
	}
	if _, err := s.ctl.remove(roomA); !errors.Is(err, engine.ErrNotAuthorized) {
		t.Errorf("delete as a Support Specialist: %v", err)
	}
	if _, err := s.ctl.undo(); !errors.Is(err, engine.ErrNotAuthorized) {
		t.Errorf("undo as a Support Specialist: %v", err)
	}
	if !s.model.exists(roomA) || s.model.name(roomA) != "Room A1" {
		t.Error("a refused edit changed the room")
	}
	if !s.tools.addSpace.Disabled() || !s.tools.remove.Disabled() || !s.tools.undo.Disabled() || !s.tools.simBtn.Disabled() {
		t.Error("the toolbar offers edits a Support Specialist may not make")
	}
	if !strings.HasPrefix(s.status.counts.Text, "Viewing as ServicePrincipalId tenant-a-app") {
		t.Errorf("the status bar says %q", s.status.counts.Text)
	}

	// Back to the owner: everything.
	pickOption(t, s.seeAs.sel, ownerText)
	got = treeLabels(s.model)
	for i := range got {
		got[i], _, _ = strings.Cut(got[i], " = ") // the sensors have values now
	}
	if strings.Join(got, "|") != strings.Join(all, "|") {
		t.Errorf("the owner sees %q, want %q", got, all)
	}
	if s.seeAs.label.Text != "View as" || strings.Contains(s.win.Title(), "viewing as") {
		t.Errorf("the owner's view is marked: %q, %q", s.seeAs.label.Text, s.win.Title())
	}
	if s.tools.addSpace.Disabled() || !strings.Contains(s.status.counts.Text, "spaces") || s.tabs.Items[tabFunctions].Disabled() {
		t.Errorf("the owner's toolbar or status bar is limited: %q", s.status.counts.Text)
	}
	s.tick()
	if len(s.tele.all) != 3 { // A1 twice, B1 once
		t.Errorf("the owner's log holds %d messages, want 3", len(s.tele.all))
	}
}

// A token made in the Tokens panel shows its secret once, in its dialog;
// the list shows its name and principal and never the secret; revoking it
// makes the engine refuse it, and deleting it removes it.
func TestAccess_tokens(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenTenants(t)
	s, w := newStudioWindow(t, a)
	s.showAccess()
	s.access.panels.SelectIndex(accessTokens)
	tapButton(t, s.access.content, "Create token…")
	test.Type(principalField(t, w), "tenant-b-app")
	typeInto(t, w, 0, "b-reader") // the entry after the principal
	tapButton(t, overlay(t, w), "Create")
	if s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	if !strings.Contains(dialogText(t, w), "shown only this once") {
		t.Errorf("the secret's dialog says %q", dialogText(t, w))
	}
	secret := s.access.secret.Text
	if !strings.HasPrefix(secret, "twn_") {
		t.Fatalf("the dialog shows %q, not a token", secret)
	}
	p, err := a.Engine().ResolveToken(secret, time.Now())
	if err != nil || p.Type != engine.ObjectServicePrincipalID || p.ID != "tenant-b-app" {
		t.Fatalf("the secret resolves to %+v, %v", p, err)
	}
	tapButton(t, overlay(t, w), "Copy")
	if got := fyne.CurrentApp().Clipboard().Content(); got != secret {
		t.Errorf("Copy put %q on the clipboard", got)
	}
	tapButton(t, overlay(t, w), "Done")
	if s.access.secret != nil || w.Canvas().Overlays().Top() != nil {
		t.Error("the secret is kept after its dialog closed")
	}

	// The list: name, principal, dates; never the secret.
	toks := a.Tokens()
	if len(toks) != 1 {
		t.Fatalf("%d tokens, want 1", len(toks))
	}
	row := tokenCells(toks[0])
	if row[0] != "b-reader" || row[1] != "ServicePrincipalId tenant-b-app" || row[4] != "" {
		t.Errorf("the token's row: %q", row)
	}
	for _, l := range visibleLabels(w.Content()) {
		if strings.Contains(l.Text, secret) || strings.Contains(l.Text, toks[0].Hash) {
			t.Errorf("a label shows the secret or its hash: %q", l.Text)
		}
	}
	if !contains(texts(visibleLabels(s.access.content)), "b-reader") {
		t.Errorf("the list does not show the token: %q", texts(visibleLabels(s.access.content)))
	}

	// Revoke, then delete.
	s.access.tokList.Select(0)
	tapButton(t, s.access.content, "Revoke")
	tapButton(t, overlay(t, w), "Yes")
	if _, err := a.Engine().ResolveToken(secret, time.Now()); !errors.Is(err, engine.ErrUnauthenticated) {
		t.Errorf("a revoked token resolves: %v", err)
	}
	if row := tokenCells(a.Tokens()[0]); row[4] == "" {
		t.Errorf("the revoked token's row: %q", row)
	}
	s.access.tokList.Select(0)
	tapButton(t, s.access.content, "Delete")
	tapButton(t, overlay(t, w), "Yes")
	if n := len(a.Tokens()); n != 0 || len(s.access.tokens) != 0 {
		t.Errorf("%d tokens after delete (list %d)", n, len(s.access.tokens))
	}
}

// A custom role made in the Roles panel, with a value limit, assigned on
// a room: viewing as its principal, a property write within the limit is
// made and one outside it refused with the role and the limit named; the
// owner may write anything; an assigned role cannot be deleted.
func TestAccess_customRoleWithLimit(t *testing.T) {
	test.NewTempApp(t)
	a := mustOpenTenants(t)
	s, w := newStudioWindow(t, a)
	room := mustFind(t, s.model, "Room A1 · Room")
	if err := s.ctl.setProperty("Set", room, "TemperatureSetpoint", "21", true); err != nil {
		t.Fatal(err)
	}
	s.showAccess()
	s.access.panels.SelectIndex(accessRoles)

	// A malformed permission is refused naming its line; the dialog comes
	// back with what was typed.
	tapButton(t, s.access.content, "New role…")
	typeInto(t, w, 0, "Occupant")
	entries(overlay(t, w))[2].SetText("Read: everything\nUpdate SpaceExtendedProperty")
	entries(overlay(t, w))[3].SetText("TemperatureSetpoint 20..24")
	tapButton(t, overlay(t, w), "Save")
	if s.lastErr == nil || !strings.Contains(s.lastErr.Error(), "permissions line 2") {
		t.Fatalf("a malformed permission: %v", s.lastErr)
	}
	closeDialog(w) // the error
	if es := entries(overlay(t, w)); es[0].Text != "Occupant" {
		t.Fatalf("the dialog did not keep the name: %q", es[0].Text)
	}
	entries(overlay(t, w))[2].SetText("Read: everything\nUpdate: SpaceExtendedProperty")
	s.lastErr = nil
	tapButton(t, overlay(t, w), "Save")
	if s.lastErr != nil {
		t.Fatal(s.lastErr)
	}
	var occupant *engine.Role
	for _, r := range a.Roles() {
		if r.Name == "Occupant" {
			occupant = r
		}
	}
	if occupant == nil || occupant.System || len(occupant.Limits) != 1 || *occupant.Limits[0].Min != 20 || *occupant.Limits[0].Max != 24 {
		t.Fatalf("the role stored: %+v", occupant)
	}
	if !strings.Contains(s.access.roleDetail.Text, "may set TemperatureSetpoint only between 20 and 24") {
		t.Errorf("the role's detail: %q", s.access.roleDetail.Text)
	}

	// Edit: the dialog holds the role as the panel shows it.
	tapButton(t, s.access.content, "Edit…")
	if es := entries(overlay(t, w)); es[0].Text != "Occupant" || es[3].Text != "TemperatureSetpoint 20..24" ||
		es[2].Text != "Read: everything\nUpdate: SpaceExtendedProperty" {
		t.Fatalf("the Edit dialog holds %q, %q, %q", es[0].Text, es[2].Text, es[3].Text)
	}
	entries(overlay(t, w))[1].SetText("Room Occupant")
	tapButton(t, overlay(t, w), "Save")
	if n := len(a.Roles()); s.lastErr != nil || n != len(engine.SystemRoles())+1 {
		t.Fatalf("editing the role: %v; %d roles", s.lastErr, n)
	}
	if r := s.access.roles[s.access.roleSel]; r.ID != occupant.ID || r.FriendlyName != "Room Occupant" {
		t.Errorf("after the edit the panel shows %+v", *r)
	}

	s.selectNode(room)
	assignThroughDialog(t, s, "occupant-a1", "Room Occupant")
	pickOption(t, s.seeAs.sel, "ServicePrincipalId occupant-a1")
	if err := s.ctl.setProperty("Set", room, "TemperatureSetpoint", "22", false); err != nil {
		t.Errorf("22 as an Occupant: %v", err)
	}
	err := s.ctl.setProperty("Set", room, "TemperatureSetpoint", "30", false)
	if !errors.Is(err, engine.ErrNotAuthorized) || !strings.Contains(err.Error(), "Occupant") || !strings.Contains(err.Error(), "between 20 and 24") {
		t.Errorf("30 as an Occupant: %v", err)
	}
	s.insp.refresh()
	if got := inspected(s)["TemperatureSetpoint"]; got != "22" {
		t.Errorf("the room's TemperatureSetpoint shows %q, want 22", got)
	}
	pickOption(t, s.seeAs.sel, ownerText)
	if err := s.ctl.setProperty("Set", room, "TemperatureSetpoint", "30", false); err != nil {
		t.Errorf("30 as the owner: %v", err)
	}

	// An assigned role stays; once unassigned it goes.
	s.showAccess()
	s.access.panels.SelectIndex(accessRoles)
	s.access.selectRole(occupant.ID)
	s.lastErr = nil
	tapButton(t, s.access.content, "Delete")
	tapButton(t, overlay(t, w), "Yes")
	if !errors.Is(s.lastErr, engine.ErrConflict) {
		t.Errorf("deleting an assigned role: %v", s.lastErr)
	}
	closeDialog(w)
	for _, asg := range a.RoleAssignments() {
		if err := a.DeleteRoleAssignment(asg.ID); err != nil {
			t.Fatal(err)
		}
	}
	s.access.reload()
	s.access.selectRole(occupant.ID)
	s.lastErr = nil
	tapButton(t, s.access.content, "Delete")
	tapButton(t, overlay(t, w), "Yes")
	if s.lastErr != nil || len(a.Roles()) != len(engine.SystemRoles()) {
		t.Errorf("deleting the unassigned role: %v; %d roles", s.lastErr, len(a.Roles()))
	}
}

// Permissions and value limits read back what the Roles panel writes.
func TestAccess_roleText(t *testing.T) {
	for _, c := range []struct {
		perms, limits string
		err           string // "" none
	}{
		{"Read: everything", "", ""},
		{"Read, Update: Space, SpaceExtendedProperty\nRead: everything but KeyStore", "TemperatureSetpoint 20..24\nBrightness ..80\nLevel 1..", ""},
		{"", "", "give at least one"},
		{"Read everything", "", "permissions line 1"},
		{"Read:", "", "permissions line 1"},
		{"Read: everything", "TemperatureSetpoint 20", "limits line 1"},
		{"Read: everything", "\nTemperatureSetpoint ..", "limits line 2"},
		{"Read: everything", "TemperatureSetpoint 20..warm", `"warm" is not a number`},
	} {
		perms, err := parsePermissions(c.perms)
		var lims []engine.ValueLimit
		if err == nil {
			lims, err = parseLimits(c.limits)
		}
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) || !errors.Is(err, engine.ErrInvalid) {
				t.Errorf("%q / %q: %v, want an error with %q", c.perms, c.limits, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q / %q: %v", c.perms, c.limits, err)
			continue
		}
		var back []string
		for _, p := range perms {
			back = append(back, engine.FormatPermission(p))
		}
		if got := strings.Join(back, "\n"); got != c.perms {
			t.Errorf("permissions read back as %q, want %q", got, c.perms)
		}
		back = nil
		for _, l := range lims {
			back = append(back, engine.FormatValueLimit(l))
		}
		if got := strings.Join(back, "\n"); got != c.limits {
			t.Errorf("limits read back as %q, want %q", got, c.limits)
		}
	}
}
