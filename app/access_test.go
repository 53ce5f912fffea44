package app_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// openAccessProject opens a new project in t.TempDir() with one building
// and returns it with the building's space path.
func openAccessProject(t *testing.T) (*app.App, string) {
	t.Helper()
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.yaml")
	if err := os.WriteFile(plan, []byte("- name: Tower\n  type: Building\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(filepath.Join(dir, "access.twin"), app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	sum, err := a.ProvisionFile(plan)
	if err != nil {
		t.Fatal(err)
	}
	var path string
	_ = a.Engine().View(func(v *engine.View) error { path = v.SpacePath(sum.Roots[0]); return nil })
	return a, path
}

// Role assignments: made on a space path, listed, refused when they
// cannot be, deleted.
func TestAccessAssignRole(t *testing.T) {
	a, tower := openAccessProject(t)
	app1 := engine.Principal{Type: engine.ObjectServicePrincipalID, ID: "tenant-a-app"}
	for _, c := range []struct {
		name string
		p    engine.Principal
		role engine.ID
		path string
		want error
	}{
		{"on the building", app1, engine.RoleUser, tower, nil},
		{"everywhere", app1, engine.RoleSupportSpecialist, "/", nil},
		{"twice", app1, engine.RoleUser, tower, engine.ErrDuplicate},
		{"an unknown space", app1, engine.RoleUser, "/" + engine.NewID().String(), engine.ErrNotFound},
		{"an unknown role", app1, engine.NewID(), tower, engine.ErrNotFound},
		{"the owner", engine.Owner, engine.RoleUser, tower, engine.ErrInvalid},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := a.AssignRole(c.p, c.role, c.path)
			if !errors.Is(err, c.want) {
				t.Fatalf("AssignRole: %v, want %v", err, c.want)
			}
		})
	}
	asg := a.RoleAssignments()
	if len(asg) != 2 {
		t.Fatalf("%d role assignments, want 2", len(asg))
	}
	found := false
	for _, p := range a.Principals() {
		found = found || p == app1
	}
	if !found {
		t.Errorf("the principals lack %v: %v", app1, a.Principals())
	}
	if err := a.DeleteRoleAssignment(asg[0].ID); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteRoleAssignment(asg[0].ID); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("deleting it again: %v", err)
	}
	if n := len(a.RoleAssignments()); n != 1 {
		t.Errorf("%d role assignments after the delete, want 1", n)
	}
}

// Tokens: the secret resolves to its principal until the token is
// revoked; the list holds the hash, never the secret; delete removes it.
func TestAccessTokens(t *testing.T) {
	a, _ := openAccessProject(t)
	p, err := a.ResolvePrincipal("tenant-a-app")
	if err != nil || p.Type != engine.ObjectServicePrincipalID {
		t.Fatalf("ResolvePrincipal: %+v, %v", p, err)
	}
	secret, err := a.CreateToken(p, "a-reader", time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateToken(p, "a-reader", time.Time{}); !errors.Is(err, engine.ErrDuplicate) && !errors.Is(err, engine.ErrConflict) {
		t.Errorf("a second token named a-reader: %v", err)
	}
	toks := a.Tokens()
	if len(toks) != 1 || toks[0].Name != "a-reader" || toks[0].Hash == secret {
		t.Fatalf("tokens: %+v", toks)
	}
	if got, err := a.Engine().ResolveToken(secret, time.Now()); err != nil || got.ID != "tenant-a-app" {
		t.Errorf("the secret resolves to %+v, %v", got, err)
	}
	if err := a.RevokeToken("a-reader"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Engine().ResolveToken(secret, time.Now()); !errors.Is(err, engine.ErrUnauthenticated) {
		t.Errorf("a revoked token resolves: %v", err)
	}
	if err := a.DeleteToken("a-reader"); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeToken("a-reader"); !errors.Is(err, engine.ErrNotFound) {
		t.Errorf("revoking a deleted token: %v", err)
	}
	if n := len(a.Tokens()); n != 0 {
		t.Errorf("%d tokens after the delete", n)
	}
}
