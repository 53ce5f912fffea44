package engine_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/jsonpath"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

// systemTable is each system role's permissions as the preview's role
// table states them: resource type → actions (R, C, U, D). Resource types
// not listed allow nothing.
var systemTable = map[string]map[string]string{
	"SpaceAdministrator": allTypes("RCUD"),
	"UserAdministrator": {"User": "RCUD", "UserExtendedProperty": "RCUD", "UserBlobMetadata": "RCUD",
		"Space": "R", "SpaceExtendedProperty": "R", "SpaceBlobMetadata": "R"},
	"DeviceAdministrator": {"Device": "RCUD", "DeviceBlobMetadata": "RCUD", "DeviceExtendedProperty": "RCUD",
		"Sensor": "RCUD", "SensorBlobMetadata": "RCUD", "SensorExtendedProperty": "RCUD", "ExtendedType": "RCUD",
		"Space": "R", "ExtendedPropertyKey": "R", "SpaceExtendedProperty": "R", "SpaceBlobMetadata": "R",
		"SpaceResource": "R", "Matcher": "R"},
	"KeyAdministrator":   {"KeyStore": "RCUD", "Space": "R", "SpaceExtendedProperty": "R", "SpaceBlobMetadata": "R"},
	"TokenAdministrator": {"KeyStore": "RU", "Space": "R", "SpaceExtendedProperty": "R", "SpaceBlobMetadata": "R"},
	"User": {"Space": "R", "SpaceExtendedProperty": "R", "SpaceBlobMetadata": "R", "Sensor": "R",
		"SensorExtendedProperty": "R", "User": "R", "UserExtendedProperty": "R", "UserBlobMetadata": "R",
		"ExtendedType": "R", "ExtendedPropertyKey": "R", "Ontology": "R"},
	"SupportSpecialist": without(allTypes("R"), "KeyStore"),
	"DeviceInstaller": {"Device": "RU", "Sensor": "RU", "DeviceExtendedProperty": "RU", "SensorExtendedProperty": "RU",
		"Space": "R", "SpaceExtendedProperty": "R", "SpaceBlobMetadata": "R"},
	"GatewayDevice": {"Sensor": "RC", "Device": "R"},
}

func allTypes(acts string) map[string]string {
	m := map[string]string{}
	for _, r := range engine.ResourceTypes() {
		m[r] = acts
	}
	return m
}

func without(m map[string]string, res string) map[string]string { delete(m, res); return m }

var actionLetters = map[engine.Action]string{engine.ActionRead: "R", engine.ActionCreate: "C", engine.ActionUpdate: "U", engine.ActionDelete: "D"}

// TestSystemRolesPermissionTable assigns each system role on "/" to its
// own service principal in a real project and asks Authorize every action
// on every resource type.
func TestSystemRolesPermissionTable(t *testing.T) {
	e, _ := openEngine(t)
	must(t, e.Update(func(tx *engine.Tx) error {
		for _, r := range engine.SystemRoles() {
			if err := tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: r.ID, ObjectID: "sp-" + r.Name,
				ObjectIDType: engine.ObjectServicePrincipalID, Path: "/"}); err != nil {
				return err
			}
		}
		return nil
	}))
	if len(engine.SystemRoles()) != 9 || len(systemTable) != 9 {
		t.Fatalf("%d system roles, %d in the table; want 9", len(engine.SystemRoles()), len(systemTable))
	}
	must(t, e.View(func(v *engine.View) error {
		for _, r := range engine.SystemRoles() {
			want, ok := systemTable[r.Name]
			if !ok || !r.System {
				t.Errorf("role %s: not in the table or not System", r.Name)
				continue
			}
			p := engine.Principal{Type: engine.ObjectServicePrincipalID, ID: "sp-" + r.Name}
			for _, res := range engine.ResourceTypes() {
				for a, letter := range actionLetters {
					allowed := v.Authorize(p, a, res, engine.NilID) == nil
					if allowed != strings.Contains(want[res], letter) {
						t.Errorf("%s %s %s: allowed %v, table says %q", r.Name, a, res, allowed, want[res])
					}
				}
			}
		}
		return nil
	}))
}

func f64(x float64) *float64 { return &x }

// occupantRole is the example: Update on spaces and their
// properties, TemperatureSetpoint only between 20 and 24.
func occupantRole() *engine.Role {
	return &engine.Role{Name: "Occupant", Permissions: []engine.Permission{
		{Actions: []engine.Action{engine.ActionRead, engine.ActionUpdate}, ResourceTypes: []string{engine.ResSpace, engine.ResSpaceExtendedProperty}}},
		Limits: []engine.ValueLimit{{Name: "TemperatureSetpoint", Min: f64(20), Max: f64(24)}}}
}

func facilityManagerRole() *engine.Role {
	return &engine.Role{Name: "FacilityManager", FriendlyName: "Facility Manager", Permissions: []engine.Permission{
		{Actions: []engine.Action{engine.ActionRead, engine.ActionUpdate}, ResourceTypes: []string{engine.ResSpace, engine.ResSpaceExtendedProperty}}}}
}

// TestCustomRolesValueLimits: the Occupant and FacilityManager example
// through AuthorizeValue, with the roles and assignments stored in a real
// project file and read back.
func TestCustomRolesValueLimits(t *testing.T) {
	e, path := openEngine(t)
	var room engine.ID
	occ := engine.Principal{Type: engine.ObjectUserID, ID: "occupant-1"}
	fm := engine.Principal{Type: engine.ObjectUserID, ID: "fm-1"}
	both := engine.Principal{Type: engine.ObjectUserID, ID: "both"}
	must(t, e.Update(func(tx *engine.Tx) error {
		b := &engine.Space{Name: "B"}
		if err := tx.CreateSpace(b); err != nil {
			return err
		}
		r := &engine.Space{Name: "Room", ParentID: b.ID}
		if err := tx.CreateSpace(r); err != nil {
			return err
		}
		room = r.ID
		o, f := occupantRole(), facilityManagerRole()
		if err := tx.PutRole(o); err != nil {
			return err
		}
		if err := tx.PutRole(f); err != nil {
			return err
		}
		for _, a := range []struct {
			p    engine.Principal
			role engine.ID
		}{{occ, o.ID}, {fm, f.ID}, {both, o.ID}, {both, f.ID}} {
			if err := tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: a.role, ObjectID: a.p.ID, ObjectIDType: a.p.Type,
				Path: tx.SpacePath(room)}); err != nil {
				return err
			}
		}
		return nil
	}))
	must(t, e.Close())
	e = reopen(t, path)
	tests := []struct {
		p           engine.Principal
		res, name   string
		value, want string // want: "" allowed, else a piece of the refusal
	}{
		{occ, engine.ResSpace, "TemperatureSetpoint", "22", ""},
		{occ, engine.ResSpaceExtendedProperty, "TemperatureSetpoint", "20", ""},
		{occ, engine.ResSpace, "TemperatureSetpoint", "24", ""},
		{occ, engine.ResSpace, "temperaturesetpoint", "30", "role Occupant may set TemperatureSetpoint only between 20 and 24 (not 30)"},
		{occ, engine.ResSpace, "TemperatureSetpoint", "19.9", "only between 20 and 24 (not 19.9)"},
		{occ, engine.ResSpace, "TemperatureSetpoint", "warm", "(not warm)"},
		{occ, engine.ResSpace, "Brightness", "1000", ""},
		{occ, engine.ResDevice, "TemperatureSetpoint", "22", "may not update Device"},
		{fm, engine.ResSpace, "TemperatureSetpoint", "30", ""},
		{fm, engine.ResSpace, "TemperatureSetpoint", "-5", ""},
		{both, engine.ResSpace, "TemperatureSetpoint", "30", ""},
		{engine.Owner, engine.ResSpace, "TemperatureSetpoint", "99", ""},
		{engine.Principal{Type: engine.ObjectUserID, ID: "stranger"}, engine.ResSpace, "TemperatureSetpoint", "22", "may not update"},
	}
	must(t, e.View(func(v *engine.View) error {
		for _, tc := range tests {
			err := v.AuthorizeValue(tc.p, tc.res, room, tc.name, tc.value)
			if tc.want == "" {
				if err != nil {
					t.Errorf("%s sets %s=%s on %s: %v", tc.p.ID, tc.name, tc.value, tc.res, err)
				}
				continue
			}
			if !errors.Is(err, engine.ErrNotAuthorized) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s sets %s=%s on %s: %v, want Not Authorized with %q", tc.p.ID, tc.name, tc.value, tc.res, err, tc.want)
			}
		}
		if _, err := v.FindRole("facility manager"); err != nil {
			t.Error(err)
		}
		names := []string{}
		for _, r := range v.Roles() {
			names = append(names, r.Name)
		}
		if len(names) != 11 || names[9] != "FacilityManager" || names[10] != "Occupant" {
			t.Errorf("roles %v: want the nine system roles, then FacilityManager, Occupant", names)
		}
		return nil
	}))
}

// TestPutRoleRefusals checks custom role bad input, and DeleteRole's rules.
func TestPutRoleRefusals(t *testing.T) {
	e, _ := openEngine(t)
	occ := occupantRole()
	must(t, e.Update(func(tx *engine.Tx) error { return tx.PutRole(occ) }))
	perm := occupantRole().Permissions
	tests := []struct {
		name string
		r    *engine.Role
		want error
	}{
		{"system id", &engine.Role{ID: engine.RoleUser, Name: "Mine", Permissions: perm}, engine.ErrInvalid},
		{"system flag", &engine.Role{Name: "Mine", System: true, Permissions: perm}, engine.ErrInvalid},
		{"name of a system role", &engine.Role{Name: "spaceAdministrator", Permissions: perm}, engine.ErrDuplicate},
		{"name taken", &engine.Role{Name: "OCCUPANT", Permissions: perm}, engine.ErrDuplicate},
		{"empty name", &engine.Role{Permissions: perm}, engine.ErrInvalid},
		{"space in name", &engine.Role{Name: "A B", Permissions: perm}, engine.ErrInvalid},
		{"no permissions", &engine.Role{Name: "Empty"}, engine.ErrInvalid},
		{"bad action", &engine.Role{Name: "X", Permissions: []engine.Permission{{Actions: []engine.Action{"Fly"}}}}, engine.ErrInvalid},
		{"bad resource", &engine.Role{Name: "X", Permissions: []engine.Permission{{Actions: []engine.Action{"read"}, ResourceTypes: []string{"Rocket"}}}}, engine.ErrInvalid},
		{"limit without bounds", &engine.Role{Name: "X", Permissions: perm, Limits: []engine.ValueLimit{{Name: "T"}}}, engine.ErrInvalid},
		{"limit min above max", &engine.Role{Name: "X", Permissions: perm, Limits: []engine.ValueLimit{{Name: "T", Min: f64(3), Max: f64(1)}}}, engine.ErrInvalid},
		{"limit twice", &engine.Role{Name: "X", Permissions: perm, Limits: []engine.ValueLimit{{Name: "T", Min: f64(1)}, {Name: "t", Max: f64(2)}}}, engine.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := e.Update(func(tx *engine.Tx) error { return tx.PutRole(tc.r) }); !errors.Is(err, tc.want) {
				t.Fatalf("%v, want %v", err, tc.want)
			}
		})
	}
	must(t, e.Update(func(tx *engine.Tx) error {
		return tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: occ.ID, ObjectID: "u", ObjectIDType: engine.ObjectUserID, Path: "/"})
	}))
	for _, tc := range []struct {
		id   engine.ID
		want error
	}{{engine.RoleUser, engine.ErrInvalid}, {engine.NewID(), engine.ErrNotFound}, {occ.ID, engine.ErrConflict}} {
		if err := e.Update(func(tx *engine.Tx) error { return tx.DeleteRole(tc.id) }); !errors.Is(err, tc.want) {
			t.Errorf("delete %s: %v, want %v", tc.id, err, tc.want)
		}
	}
	must(t, e.Update(func(tx *engine.Tx) error {
		for _, a := range tx.RoleAssignments() {
			if err := tx.Delete(engine.KindRoleAssignment, a.ID); err != nil {
				return err
			}
		}
		return tx.DeleteRole(occ.ID)
	}))
	must(t, e.View(func(v *engine.View) error {
		if _, err := v.FindRole("Occupant"); !errors.Is(err, engine.ErrNotFound) {
			t.Errorf("deleted role still found: %v", err)
		}
		return nil
	}))
}

// tenantsYAML is one building shared by two tenants, one of which has a
// sub-tenant, and a lobby of the building's own. Each space holds one
// device with one sensor named after it, so that a sensor's hardware id
// says where it is.
const tenantsYAML = `- name: Tower
  type: Venue
  devices:
  - {name: TowerDev, hardwareId: TOWER_DEV, sensors: [{dataType: Temperature, hardwareId: TOWER_T}]}
  spaces:
  - name: Lobby
    type: Room
    devices:
    - {name: LobbyDev, hardwareId: LOBBY_DEV, sensors: [{dataType: Temperature, hardwareId: LOBBY_T}]}
  - name: Contoso
    type: Tenant
    devices:
    - {name: ContosoDev, hardwareId: CONTOSO_DEV, sensors: [{dataType: Temperature, hardwareId: CONTOSO_T}]}
    roleassignments:
    - {role: User, objectIdType: UserId, objectId: alice}
    - {role: User, objectIdType: ServicePrincipalId, objectId: dave}
    spaces:
    - name: Contoso Room
      type: Room
      devices:
      - {name: ContosoRoomDev, hardwareId: CROOM_DEV, sensors: [{dataType: Temperature, hardwareId: CROOM_T}]}
    - name: Contoso Labs
      type: Tenant
      devices:
      - {name: LabsDev, hardwareId: LABS_DEV, sensors: [{dataType: Temperature, hardwareId: LABS_T}]}
      roleassignments:
      - {role: User, objectIdType: UserId, objectId: carol}
      spaces:
      - name: Lab
        type: Room
        devices:
        - {name: LabDev, hardwareId: LAB_DEV, sensors: [{dataType: Temperature, hardwareId: LAB_T}]}
  - name: Fabrikam
    type: Customer
    roleassignments:
    - {role: User, objectIdType: UserId, objectId: bob}
    - {role: User, objectIdType: ServicePrincipalId, objectId: dave}
    devices:
    - {name: FabrikamDev, hardwareId: FAB_DEV, sensors: [{dataType: Temperature, hardwareId: FAB_T}]}
    spaces:
    - name: Fabrikam Room
      type: Room
      devices:
      - {name: FabRoomDev, hardwareId: FROOM_DEV, sensors: [{dataType: Temperature, hardwareId: FROOM_T}]}
`

// tenantPrincipals and the sensors each may see: exactly the union of
// its assignments' subtrees.
var tenantPrincipals = []struct {
	p       engine.Principal
	sensors []string
}{
	{engine.Principal{Type: engine.ObjectUserID, ID: "alice"}, []string{"CONTOSO_T", "CROOM_T", "LABS_T", "LAB_T"}},
	{engine.Principal{Type: engine.ObjectUserID, ID: "carol"}, []string{"LABS_T", "LAB_T"}},
	{engine.Principal{Type: engine.ObjectUserID, ID: "bob"}, []string{"FAB_T", "FROOM_T"}},
	{engine.Principal{Type: engine.ObjectServicePrincipalID, ID: "dave"}, []string{"CONTOSO_T", "CROOM_T", "LABS_T", "LAB_T", "FAB_T", "FROOM_T"}},
	{engine.Principal{Type: engine.ObjectUserID, ID: "nobody"}, nil},
	{engine.Owner, []string{"TOWER_T", "LOBBY_T", "CONTOSO_T", "CROOM_T", "LABS_T", "LAB_T", "FAB_T", "FROOM_T"}},
}

func provisionYAML(t *testing.T, e *engine.Engine, src string, scripts map[string]string) {
	t.Helper()
	plan, err := yaml.Parse("test.yaml", []byte(src), func(name string) ([]byte, error) {
		if s, ok := scripts[name]; ok {
			return []byte(s), nil
		}
		return nil, errors.New("no script " + name)
	})
	must(t, err)
	_, err = e.Provision(plan)
	must(t, err)
}

// TestTenantIsolation: for every principal, queries, CanRead and the
// events of real telemetry show exactly its subtrees' union.
func TestTenantIsolation(t *testing.T) {
	e, _ := openEngine(t)
	provisionYAML(t, e, tenantsYAML, nil)
	sub := e.Events().Subscribe(1024, nil)
	defer sub.Close()
	pl := e.NewPipeline(engine.PipelineOptions{})
	defer pl.Close()
	var all []*engine.Sensor
	must(t, e.View(func(v *engine.View) error {
		r, err := v.Query(engine.Query{Kind: engine.KindSensor})
		all = r.Sensors
		return err
	}))
	if len(all) != 8 {
		t.Fatalf("%d sensors provisioned, want 8", len(all))
	}
	var events []*engine.Event
	for _, s := range all {
		dev := strings.TrimSuffix(s.HardwareID, "_T") + "_DEV"
		tk, err := pl.Submit(&engine.IngressMessage{Topic: engine.SensorTopic(dev, s.HardwareID), Payload: []byte("21"), QoS: 1,
			Username: dev, Received: time.Now()})
		must(t, err)
		must(t, tk.Wait())
	}
	for len(events) < 2*len(all) { // a DeviceMessage and a SensorChange each
		select {
		case ev := <-sub.C:
			events = append(events, ev)
		case <-time.After(5 * time.Second):
			t.Fatalf("%d events, want %d", len(events), 2*len(all))
		}
	}
	for _, tp := range tenantPrincipals {
		t.Run(tp.p.Name(), func(t *testing.T) {
			want := slices.Sorted(slices.Values(tp.sensors))
			p := tp.p
			must(t, e.View(func(v *engine.View) error {
				r, err := v.Query(engine.Query{Kind: engine.KindSensor, Principal: &p})
				must(t, err)
				if got := hws(r.Sensors); !slices.Equal(got, want) {
					t.Errorf("query: %v, want %v", got, want)
				}
				// Each space holds one sensor: name spaces by it.
				bySpace := map[engine.ID]string{}
				for _, s := range all {
					bySpace[s.SpaceID] = s.HardwareID
				}
				rs, err := v.Query(engine.Query{Kind: engine.KindSpace, Principal: &p})
				must(t, err)
				var spaces, spaceEvents []string
				for _, sp := range rs.Spaces {
					spaces = append(spaces, bySpace[sp.ID])
				}
				for id, hw := range bySpace {
					if v.EventVisible(p, &engine.Event{EventType: engine.EventSpaceChange, ObjectID: id}) {
						spaceEvents = append(spaceEvents, hw)
					}
				}
				if slices.Sort(spaces); !slices.Equal(spaces, want) {
					t.Errorf("query spaces: those of %v, want %v", spaces, want)
				}
				if slices.Sort(spaceEvents); !slices.Equal(spaceEvents, want) {
					t.Errorf("SpaceChange events visible: those of %v, want %v", spaceEvents, want)
				}
				var canRead, canReadDev []string
				for _, s := range all {
					if v.CanRead(p, engine.KindSensor, s.ID) {
						canRead = append(canRead, s.HardwareID)
					}
					if v.CanRead(p, engine.KindSpace, s.SpaceID) {
						canReadDev = append(canReadDev, s.HardwareID)
					}
				}
				if slices.Sort(canRead); !slices.Equal(canRead, want) {
					t.Errorf("CanRead sensors: %v, want %v", canRead, want)
				}
				if slices.Sort(canReadDev); !slices.Equal(canReadDev, want) {
					t.Errorf("CanRead of the sensors' spaces: %v, want %v", canReadDev, want)
				}
				seen := map[string]bool{}
				for _, ev := range events {
					if v.EventVisible(p, ev) {
						s, _ := v.Sensor(ev.ObjectID)
						seen[s.HardwareID] = true
					}
				}
				if got := slices.Sorted(func(yield func(string) bool) {
					for k := range seen {
						if !yield(k) {
							return
						}
					}
				}); !slices.Equal(got, want) {
					t.Errorf("events visible about %v, want %v", got, want)
				}
				return nil
			}))
		})
	}
}

func hws(ss []*engine.Sensor) []string {
	var out []string
	for _, s := range ss {
		out = append(out, s.HardwareID)
	}
	slices.Sort(out)
	return out
}

// TestTenantScopedDefinitions: a type, a property key, a matcher and a UDF
// defined inside a tenant apply only there, and what is read of them
// follows the same rule.
func TestTenantScopedDefinitions(t *testing.T) {
	e, _ := openEngine(t)
	e.SetPathEvaluator(jsonpath.New())
	provisionYAML(t, e, tenantsYAML, nil)
	provisionYAML(t, e, `- name: Tower
  spaces:
  - name: Contoso
    types:
    - {category: SpaceType, name: CleanRoom}
    propertykeys:
    - {name: Badge, scope: Spaces, primitiveDataType: String}
    matchers:
    - {name: AllTemps, dataTypeValue: Temperature}
    userdefinedfunctions:
    - {name: ContosoOnly, matcherNames: [AllTemps], script: f.js}
    - {name: Wide, matcherNames: [TowerTemps], script: f.js}
  matchers:
  - {name: TowerTemps, dataTypeValue: Temperature}
`, map[string]string{"f.js": "function process(t, c) {}"})
	ids := map[string]engine.ID{}
	var fabrikam, labs engine.ID
	var matcher engine.ID
	var keyID, typeID int
	must(t, e.View(func(v *engine.View) error {
		r, _ := v.Query(engine.Query{Kind: engine.KindSensor})
		for _, s := range r.Sensors {
			ids[s.HardwareID] = s.ID
		}
		labs, _ = v.ResolveSpace("/Tower/Contoso/Contoso Labs")
		fabrikam, _ = v.ResolveSpace("/Tower/Fabrikam")
		for _, m := range v.Matchers() {
			if m.Name == "AllTemps" {
				matcher = m.ID
			}
		}
		k, ok := v.FindPropertyKey("Badge", engine.ScopeSpaces, labs)
		if !ok {
			t.Fatal("the tenant's property key does not apply in its sub-tenant")
		}
		keyID = k.ID
		if _, ok := v.FindPropertyKey("Badge", engine.ScopeSpaces, fabrikam); ok {
			t.Error("the tenant's property key applies in another tenant")
		}
		var err error
		if typeID, err = v.ResolveType(engine.SpaceType, "CleanRoom", labs); err != nil {
			t.Errorf("the tenant's type in its sub-tenant: %v", err)
		}
		if _, err := v.ResolveType(engine.SpaceType, "CleanRoom", fabrikam); !errors.Is(err, engine.ErrUnknownType) {
			t.Errorf("the tenant's type in another tenant: %v, want ErrUnknownType", err)
		}
		return nil
	}))
	// Writes outside the tenant are refused.
	refused := []struct {
		name string
		want error
		fn   func(tx *engine.Tx) error
	}{
		{"space of the tenant's type in another tenant", engine.ErrUnknownType, func(tx *engine.Tx) error {
			return tx.CreateSpace(&engine.Space{Name: "X", ParentID: fabrikam, TypeID: typeID})
		}},
		{"the tenant's property on another tenant", engine.ErrUnknownKey, func(tx *engine.Tx) error {
			s, _ := tx.Space(fabrikam)
			c := *s
			c.Properties = []engine.Property{{Name: "Badge", Value: "1"}}
			return tx.UpdateSpace(&c)
		}},
		{"a space of the tenant's type moved to another tenant", engine.ErrConflict, func(tx *engine.Tx) error {
			s := &engine.Space{Name: "Clean", ParentID: labs, TypeID: typeID}
			if err := tx.CreateSpace(s); err != nil {
				return err
			}
			c := *s
			c.ParentID = fabrikam
			return tx.UpdateSpace(&c)
		}},
	}
	for _, tc := range refused {
		if err := e.Update(tc.fn); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	// Matchers and UDFs of the tenant match only its sensors.
	for hw, want := range map[string]bool{"CONTOSO_T": true, "LAB_T": true, "FAB_T": false, "LOBBY_T": false} {
		ok, _, err := e.EvaluateMatcher(matcher, ids[hw])
		must(t, err)
		if ok != want {
			t.Errorf("tenant matcher on %s: %v, want %v", hw, ok, want)
		}
		var names []string
		for _, u := range e.MatchedUDFs(ids[hw]) {
			names = append(names, u.Name)
		}
		if slices.Sort(names); want != slices.Equal(names, []string{"ContosoOnly", "Wide"}) || (!want && len(names) != 0) {
			t.Errorf("UDFs run on %s: %v (a tenant's UDFs, even on a building-wide matcher, run only in it)", hw, names)
		}
	}
	// Reads of the definitions follow the scope: carol (in the sub-tenant)
	// reads them, bob (another tenant) does not.
	carol := engine.Principal{Type: engine.ObjectUserID, ID: "carol"}
	bob := engine.Principal{Type: engine.ObjectUserID, ID: "bob"}
	must(t, e.View(func(v *engine.View) error {
		for _, c := range []struct {
			k  engine.Kind
			id engine.ID
		}{{engine.KindPropertyKey, engine.IntKey(keyID)}, {engine.KindType, engine.IntKey(typeID)}} {
			if !v.CanRead(carol, c.k, c.id) || v.CanRead(bob, c.k, c.id) {
				t.Errorf("%s: carol reads %v, bob reads %v; want true, false", c.k, v.CanRead(carol, c.k, c.id), v.CanRead(bob, c.k, c.id))
			}
		}
		return nil
	}))
}

// TestTopologyEventsVisible: topology changes, deletions included, are
// visible to exactly the principals whose subtrees hold them.
func TestTopologyEventsVisible(t *testing.T) {
	e, _ := openEngine(t)
	provisionYAML(t, e, tenantsYAML, nil)
	var evs []*engine.Event
	must(t, e.Update(func(tx *engine.Tx) error {
		fab, err := tx.ResolveSpace("/Tower/Fabrikam")
		if err != nil {
			return err
		}
		lab, err := tx.ResolveSpace("/Tower/Contoso/Contoso Labs/Lab")
		if err != nil {
			return err
		}
		tx.RecordForTest()
		if err := tx.CreateSpace(&engine.Space{Name: "New", ParentID: fab}); err != nil {
			return err
		}
		if err := tx.DeleteSpace(lab); err != nil {
			return err
		}
		evs = tx.TopologyEventsForTest()
		return nil
	}))
	seen := func(p engine.Principal) string {
		var out []string
		must(t, e.View(func(v *engine.View) error {
			for _, ev := range evs {
				if v.EventVisible(p, ev) {
					d := ev.Data.(*engine.TopologyOperationData)
					out = append(out, string(d.AccessType)+" "+d.Type)
				}
			}
			return nil
		}))
		slices.Sort(out)
		return strings.Join(out, ", ")
	}
	deletes := "Delete Sensor, Delete Space" // the User role reads no devices
	for _, tc := range []struct {
		p    engine.Principal
		want string
	}{
		{tenantPrincipals[0].p, deletes},                    // alice: Contoso holds the lab
		{tenantPrincipals[1].p, deletes},                    // carol: Contoso Labs holds it
		{tenantPrincipals[2].p, "Create Space"},             // bob: Fabrikam
		{tenantPrincipals[3].p, "Create Space, " + deletes}, // dave: both
		{engine.Owner, "Create Space, Delete Device, " + deletes},
		{tenantPrincipals[4].p, ""},
	} {
		if got := seen(tc.p); got != tc.want {
			t.Errorf("%s sees %q, want %q", tc.p.Name(), got, tc.want)
		}
	}
}

// TestUserNamedByUPN: an assignment naming a user by UPN (provisioning's
// objectName) covers the user resolved from the graph, whose id is a GUID.
func TestUserNamedByUPN(t *testing.T) {
	e, _ := openEngine(t)
	provisionYAML(t, e, `- name: HQ
  type: Venue
  users:
  - {upn: erin@contoso.com}
  roleassignments:
  - {role: User, objectIdType: UserId, objectName: erin@contoso.com}
`, nil)
	must(t, e.View(func(v *engine.View) error {
		p, err := v.ResolvePrincipal("ERIN@contoso.com")
		must(t, err)
		hq, _ := v.ResolveSpace("/HQ")
		if _, perr := engine.ParseID(p.ID); perr != nil || p.UPN != "erin@contoso.com" {
			t.Fatalf("resolved %+v, want the graph user", p)
		}
		if err := v.Authorize(p, engine.ActionRead, engine.ResSpace, hq); err != nil {
			t.Errorf("erin by UPN: %v", err)
		}
		n := 0
		for _, q := range v.Principals() {
			if q.Name() == "erin@contoso.com" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("Principals lists erin %d times, want once", n)
		}
		other := engine.Principal{Type: engine.ObjectUserID, ID: engine.NewID().String(), UPN: "mallory@contoso.com"}
		if v.Authorize(other, engine.ActionRead, engine.ResSpace, hq) == nil {
			t.Error("another user may read HQ")
		}
		return nil
	}))
}
