package yaml_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// rolesYAML declares two custom roles on the root and assigns one on a
// floor; the roles come first in the file's effect, so the assignment
// can name one.
const rolesYAML = `- name: Tower
  type: Venue
  spaces:
  - name: Floor 1
    type: Floor
    users: [{upn: ada@example.com, firstName: Ada}]
    roleassignments:
    - role: Occupant
      objectName: ada@example.com
      objectIdType: UserId
    - role: Facility Manager
      objectName: bob@example.com
      objectIdType: UserId
- name: Annex
  roles:
  - name: Occupant
    friendlyName: Building occupant
    permissions:
    - "Read: everything"
    - "Update: Space, SpaceExtendedProperty"
    limits: [TemperatureSetpoint 20..24]
  - name: FacilityManager
    friendlyName: Facility Manager
    permissions: "Read, Create, Update, Delete: everything"
`

func provisionText(t *testing.T, e *engine.Engine, file, text string) (*engine.ProvisionSummary, error) {
	t.Helper()
	p, err := yaml.Parse(file, []byte(text), nil)
	if err != nil {
		return nil, err
	}
	return e.Provision(p)
}

// TestProvisionRoles: custom roles from a file are created, unchanged on
// a second run, updated when they change, and grant what they say: the
// Occupant sets a room's TemperatureSetpoint only between 20 and 24, the
// Facility Manager anything.
func TestProvisionRoles(t *testing.T) {
	e := openProject(t, filepath.Join(t.TempDir(), "r.twin"))
	sum, err := provisionText(t, e, "r.yaml", rolesYAML)
	must(t, err)
	if c := sum.Counts[engine.KindRole]; c == nil || c.Created != 2 {
		t.Fatalf("roles: %+v; want 2 created\n%s", c, sum)
	}
	if !strings.Contains(sum.String(), "  roles                        2 created") {
		t.Errorf("summary does not list the roles:\n%s", sum)
	}
	must(t, e.View(func(v *engine.View) error {
		occ, err := v.FindRole("Occupant")
		must(t, err)
		if occ.FriendlyName != "Building occupant" || len(occ.Permissions) != 2 || len(occ.Limits) != 1 ||
			engine.FormatValueLimit(occ.Limits[0]) != "TemperatureSetpoint 20..24" {
			t.Errorf("Occupant: %+v", occ)
		}
		floor, err := v.ResolveSpace("/Tower/Floor 1")
		must(t, err)
		ada := engine.Principal{Type: engine.ObjectUserID, ID: "u-ada", UPN: "ada@example.com"}
		bob := engine.Principal{Type: engine.ObjectUserID, ID: "u-bob", UPN: "bob@example.com"}
		if err := v.AuthorizeValue(ada, engine.ResSpace, floor, "TemperatureSetpoint", "22"); err != nil {
			t.Errorf("Occupant setting 22: %v", err)
		}
		err = v.AuthorizeValue(ada, engine.ResSpace, floor, "TemperatureSetpoint", "26")
		if !errors.Is(err, engine.ErrNotAuthorized) || !strings.Contains(err.Error(), "Occupant") {
			t.Errorf("Occupant setting 26: %v; want refused, naming the role", err)
		}
		if err := v.AuthorizeValue(bob, engine.ResSpace, floor, "TemperatureSetpoint", "26"); err != nil {
			t.Errorf("Facility Manager setting 26: %v", err)
		}
		return nil
	}))

	sum, err = provisionText(t, e, "r.yaml", rolesYAML)
	must(t, err)
	if c := sum.Counts[engine.KindRole]; c == nil || c.Unchanged != 2 || c.Created+c.Updated != 0 {
		t.Errorf("second run, roles: %+v; want 2 unchanged", c)
	}
	// A new limit, and no friendly name: updated, the friendly name kept.
	changed := strings.Replace(strings.Replace(rolesYAML, "20..24", "19..25", 1), "    friendlyName: Building occupant\n", "", 1)
	sum, err = provisionText(t, e, "r.yaml", changed)
	must(t, err)
	if c := sum.Counts[engine.KindRole]; c == nil || c.Updated != 1 || c.Unchanged != 1 {
		t.Errorf("changed run, roles: %+v; want 1 updated, 1 unchanged", c)
	}
	must(t, e.View(func(v *engine.View) error {
		occ, err := v.FindRole("Occupant")
		must(t, err)
		if occ.FriendlyName != "Building occupant" || engine.FormatValueLimit(occ.Limits[0]) != "TemperatureSetpoint 19..25" {
			t.Errorf("updated Occupant: %+v", occ)
		}
		return nil
	}))
}

// sentinels drops the sentinel errors' texts from a message, as the CLI
// and the studio show it.
var sentinels = strings.NewReplacer("engine: invalid: ", "", "engine: duplicate: ", "", "engine: not found: ", "")

// TestProvisionRoleErrors: a bad role names the file, line and field,
// and the project is left as it was.
func TestProvisionRoleErrors(t *testing.T) {
	for _, c := range []struct {
		name, old, new, want string
		is                   error
	}{
		{"permission form", `"Read: everything"`, `"Read everything"`,
			`r.yaml:19: permissions: permission "Read everything": want "ACTIONS: RESOURCE TYPES", e.g. "Read, Update: Space"`, engine.ErrInvalid},
		{"unknown action", `"Read, Create, Update, Delete: everything"`, `"Fly: everything"`,
			`r.yaml:24: permissions: action "Fly" (want Read, Create, Update or Delete)`, engine.ErrInvalid},
		{"unknown resource type", `"Update: Space, SpaceExtendedProperty"`, `"Update: Spaceship"`,
			`r.yaml:20: permissions: resource type "Spaceship"`, engine.ErrInvalid},
		{"limit not a number", "20..24", "20..warm", `r.yaml:21: limits: value limit "TemperatureSetpoint 20..warm": "warm" is not a number`, engine.ErrInvalid},
		{"limit reversed", "20..24", "24..20", "r.yaml:21: limits: limit on TemperatureSetpoint has min 24 above max 20", engine.ErrInvalid},
		{"no permissions", "    permissions: \"Read, Create, Update, Delete: everything\"\n", "",
			`r.yaml:22: permissions: role FacilityManager needs at least one permission, e.g. "Read: everything"`, engine.ErrInvalid},
		{"system role", "name: FacilityManager", "name: SpaceAdministrator",
			"r.yaml:22: name: SpaceAdministrator is a system role, which cannot be changed; give the custom role another name", engine.ErrInvalid},
		{"twice", "name: FacilityManager", "name: Occupant", "r.yaml:22: name: role Occupant is given twice in the file (also at line 16)", engine.ErrDuplicate},
		{"name with a space", "name: FacilityManager", "name: Facility Boss", "r.yaml:22: name: ", engine.ErrInvalid},
		{"unknown role assigned", "role: Occupant", "role: Ocupant", `r.yaml:8: role: role "Ocupant"`, engine.ErrNotFound},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := openProject(t, filepath.Join(t.TempDir(), "r.twin"))
			in := strings.Replace(rolesYAML, c.old, c.new, 1)
			if in == rolesYAML {
				t.Fatalf("%q is not in the file", c.old)
			}
			_, err := provisionText(t, e, "r.yaml", in)
			if err == nil || !strings.HasPrefix(sentinels.Replace(err.Error()), c.want) || !errors.Is(err, c.is) {
				t.Fatalf("error %v\nwant %s… wrapping %v", err, c.want, c.is)
			}
			must(t, e.View(func(v *engine.View) error {
				if n := len(v.Roles()); n != len(engine.SystemRoles()) {
					t.Errorf("%d roles after a failed provisioning; want only the system roles", n)
				}
				if len(v.Roots()) != 0 {
					t.Errorf("spaces after a failed provisioning: %d", len(v.Roots()))
				}
				return nil
			}))
		})
	}
}

// TestExportRoles: the custom roles are written on the first root, by
// name, and assignments name them; the export provisions into an empty
// project and exports again to the same bytes.
func TestExportRoles(t *testing.T) {
	e := openProject(t, filepath.Join(t.TempDir(), "a.twin"))
	_, err := provisionText(t, e, "r.yaml", rolesYAML)
	must(t, err)
	x := exportOf(t, e, yaml.ExportOptions{})
	if len(x.Left) != 0 {
		t.Errorf("left out: %q", x.Left)
	}
	for _, want := range []string{`- name: Tower
  type: Venue
  roles:
  - name: FacilityManager
    friendlyName: Facility Manager
    permissions:
    - 'Read, Create, Update, Delete: everything'
  - name: Occupant
    friendlyName: Building occupant
    permissions:
    - 'Read: everything'
    - 'Update: Space, SpaceExtendedProperty'
    limits:
    - TemperatureSetpoint 20..24
  spaces:
`, `    roleassignments:
    - role: FacilityManager
      objectId: bob@example.com
      objectIdType: UserId
    - role: Occupant
      objectId: ada@example.com
      objectIdType: UserId
`, "\n- name: Annex\n"} {
		if !strings.Contains(string(x.YAML), want) {
			t.Errorf("export lacks\n%s\ngot\n%s", want, x.YAML)
		}
	}
	if !strings.Contains(string(x.YAML), "\n# functions, custom roles, role assignments and floor plans, with new ids.\n") {
		t.Errorf("the head comment does not say custom roles are written:\n%s", x.YAML)
	}
	e2 := openProject(t, filepath.Join(t.TempDir(), "b.twin"))
	_, err = provisionText(t, e2, "x.yaml", string(x.YAML))
	must(t, err)
	if again := exportOf(t, e2, yaml.ExportOptions{}); string(again.YAML) != string(x.YAML) {
		t.Errorf("export of the export differs:\n%s\nfirst\n%s", again.YAML, x.YAML)
	}
}
