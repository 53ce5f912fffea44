package httpapi_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/httpapi"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// isolationYAML: two tenants in one building, a sub-tenant in the first,
// and a hall outside both. Every object's name starts with its tenant's
// tag: A (Tenant A outside its sub-tenant), S (the sub-tenant), B
// (Tenant B), H (the building itself).
const isolationYAML = `
- name: H-Building
  type: Venue
  roleAssignments:
  - {role: SpaceAdministrator, objectId: admin, objectIdType: ServicePrincipalId}
  spaces:
  - name: H-Hall
    type: Room
    devices:
    - name: H-Dev
      hardwareId: H-DEV
      sensors:
      - {dataType: Temperature, hardwareId: H-SEN}
    users:
    - upn: h@x.org
    matchers:
    - {name: H-Match, dataTypeValue: Temperature}
  - name: A-Tenant
    type: Tenant
    roleAssignments:
    - {role: SpaceAdministrator, objectId: alice, objectIdType: ServicePrincipalId}
    - {role: User, objectId: reader, objectIdType: ServicePrincipalId}
    spaces:
    - name: A-Room
      type: Room
      devices:
      - name: A-Dev
        hardwareId: A-DEV
        sensors:
        - {dataType: Temperature, hardwareId: A-SEN}
      users:
      - upn: a@x.org
      matchers:
      - {name: A-Match, dataTypeValue: Temperature}
      userDefinedFunctions:
      - {name: A-Fn, matcherNames: [A-Match], script: f.js}
    - name: S-Sub
      type: Tenant
      roleAssignments:
      - {role: SpaceAdministrator, objectId: sam, objectIdType: ServicePrincipalId}
      spaces:
      - name: S-Room
        type: Room
        devices:
        - name: S-Dev
          hardwareId: S-DEV
          sensors:
          - {dataType: Temperature, hardwareId: S-SEN}
        users:
        - upn: s@x.org
        matchers:
        - {name: S-Match, dataTypeValue: Temperature}
  - name: B-Tenant
    type: Tenant
    roleAssignments:
    - {role: SpaceAdministrator, objectId: bob, objectIdType: ServicePrincipalId}
    spaces:
    - name: B-Room
      type: Room
      devices:
      - name: B-Dev
        hardwareId: B-DEV
        sensors:
        - {dataType: Temperature, hardwareId: B-SEN}
      users:
      - upn: b@x.org
      matchers:
      - {name: B-Match, dataTypeValue: Temperature}
      userDefinedFunctions:
      - {name: B-Fn, matcherNames: [B-Match], script: f.js}
`

// viewer is a principal of the isolation test and the tags it may see,
// per route (a missing route: the same as "spaces").
type viewer struct {
	name string
	tags map[string]string
}

func (w viewer) sees(route, label string) bool {
	tags, ok := w.tags[route]
	if !ok {
		tags = w.tags["spaces"]
	}
	return strings.ContainsRune(tags, rune(strings.ToUpper(label)[0]))
}

// TestIsolation: for every principal, the REST lists, the gets by id and
// the SSE stream show exactly the objects of its tenants: zero leaks.
func TestIsolation(t *testing.T) {
	v := newEnv(t, httpapi.Options{})
	if _, err := v.p.ProvisionYAML(t, isolationYAML, map[string]string{"f.js": "function process(t, c) {}"}); err != nil {
		t.Fatal(err)
	}
	viewers := []viewer{
		{"admin", map[string]string{"spaces": "HASB"}},
		{"alice", map[string]string{"spaces": "AS"}},
		{"sam", map[string]string{"spaces": "S"}},
		{"bob", map[string]string{"spaces": "B"}},
		// The User role reads spaces, sensors and users only.
		{"reader", map[string]string{"spaces": "AS", "devices": "", "matchers": "", "userdefinedfunctions": ""}},
	}
	// Every object, as the owner sees it: route → label → id.
	all := map[string]map[string]string{}
	label := map[string]func(map[string]any) string{
		"spaces": byField("name"), "devices": byField("name"), "sensors": byField("hardwareId"), "users": byField("upn"),
		"matchers": byField("name"), "userdefinedfunctions": byField("name"),
	}
	owner := v.admin()
	for route, lf := range label {
		all[route] = map[string]string{}
		var list []map[string]any
		v.must(200, owner, "GET", "/"+route, nil).json(t, &list)
		for _, o := range list {
			all[route][lf(o)] = o["id"].(string)
		}
	}
	if len(all["spaces"]) != 8 || len(all["sensors"]) != 4 || len(all["userdefinedfunctions"]) != 2 {
		t.Fatalf("provisioned: %v", all)
	}
	for _, w := range viewers {
		tok := owner
		if w.name != "admin" {
			tok = v.token(w.name, "", "")
		}
		stream := v.stream(tok, "?types=SensorChange")
		for route, lf := range label {
			var want, got []string
			for l := range all[route] {
				if w.sees(route, l) {
					want = append(want, l)
				}
			}
			var list []map[string]any
			v.must(200, tok, "GET", "/"+route, nil).json(t, &list)
			for _, o := range list {
				got = append(got, lf(o))
			}
			if !sameSet(want, got) {
				t.Errorf("%s: GET /%s = %v, want %v", w.name, route, got, want)
			}
			for l, id := range all[route] {
				r := v.do(tok, "GET", "/"+route+"/"+id, nil)
				switch {
				case w.sees(route, l) && r.status != 200:
					t.Errorf("%s: GET /%s/%s (%s): %d, want 200", w.name, route, id, l, r.status)
				case !w.sees(route, l) && r.status != 404:
					t.Errorf("%s: GET /%s/%s (%s): %d %s, want 404", w.name, route, id, l, r.status, r.body)
				}
			}
		}
		// Navigation from a space outside the view is a 404, not an empty list.
		if r := v.do(tok, "GET", "/spaces?traverse=Down&spaceId="+all["spaces"]["B-Room"], nil); w.sees("spaces", "B") != (r.status == 200) {
			t.Errorf("%s: spaces under B-Room: %d", w.name, r.status)
		}
		// Includes do not leak either.
		var withDevs []struct {
			Name    string `json:"name"`
			Devices []struct {
				Name string `json:"name"`
			} `json:"devices"`
			Sensors []struct {
				HardwareID string `json:"hardwareId"`
			} `json:"sensors"`
		}
		v.must(200, tok, "GET", "/spaces?includes=devices,sensors", nil).json(t, &withDevs)
		for _, s := range withDevs {
			for _, d := range s.Devices {
				if !w.sees("devices", d.Name) {
					t.Errorf("%s: space %s includes device %s", w.name, s.Name, d.Name)
				}
			}
			for _, sn := range s.Sensors {
				if !w.sees("sensors", sn.HardwareID) {
					t.Errorf("%s: space %s includes sensor %s", w.name, s.Name, sn.HardwareID)
				}
			}
		}
		// Events: telemetry for every sensor; the stream carries exactly
		// the visible ones.
		var want []string
		for hw := range all["sensors"] {
			v.p.MustSend(t, testkit.Message{Device: strings.Replace(hw, "SEN", "DEV", 1), Sensor: hw, Payload: fmt.Sprint(20 + len(w.name))})
			if w.sees("sensors", hw) {
				want = append(want, all["sensors"][hw])
			}
		}
		var got []string
		for {
			wait := 3 * time.Second
			if len(got) >= len(want) {
				wait = 300 * time.Millisecond
			}
			ev, ok := stream.next(wait)
			if !ok {
				break
			}
			if ev.Type != "SensorChange" {
				continue
			}
			var env struct {
				Data struct{ Id string } `json:"data"`
			}
			if err := json.Unmarshal([]byte(ev.Data), &env); err != nil {
				t.Fatal(err)
			}
			got = append(got, env.Data.Id)
		}
		if !sameSet(want, got) {
			t.Errorf("%s: SSE SensorChange for %v, want %v", w.name, got, want)
		}
	}
}

func byField(f string) func(map[string]any) string {
	return func(m map[string]any) string { s, _ := m[f].(string); return s }
}

func sameSet(a, b []string) bool {
	ma, mb := map[string]bool{}, map[string]bool{}
	for _, x := range a {
		ma[x] = true
	}
	for _, x := range b {
		mb[x] = true
	}
	return len(a) == len(b) && reflect.DeepEqual(ma, mb) || len(a) == 0 && len(b) == 0
}

// TestValueLimits: an Occupant may set a room's TemperatureSetpoint only
// between 20 and 24, a FacilityManager any value; the refusal is a 403
// naming the role and the limit. A principal that may read but not
// change gets 403, one outside the tenant 404.
func TestValueLimits(t *testing.T) {
	v := newEnv(t, httpapi.Options{})
	if _, err := v.p.ProvisionYAML(t, isolationYAML, map[string]string{"f.js": "function process(t, c) {}"}); err != nil {
		t.Fatal(err)
	}
	lo, hi := 20.0, 24.0
	spaceUpdate := engine.Permission{Actions: []engine.Action{engine.ActionRead, engine.ActionUpdate},
		ResourceTypes: []string{engine.ResSpace, engine.ResSpaceExtendedProperty}}
	err := v.e.Update(func(tx *engine.Tx) error {
		if err := tx.PutRole(&engine.Role{Name: "Occupant", Permissions: []engine.Permission{spaceUpdate},
			Limits: []engine.ValueLimit{{Name: "TemperatureSetpoint", Min: &lo, Max: &hi}}}); err != nil {
			return err
		}
		return tx.PutRole(&engine.Role{Name: "FacilityManager", Permissions: []engine.Permission{spaceUpdate}})
	})
	if err != nil {
		t.Fatal(err)
	}
	admin := v.admin()
	var roles []struct {
		Name   string
		System bool
		Limits []struct {
			Name     string
			Min, Max *float64
		}
	}
	v.must(200, admin, "GET", "/system/roles", nil).json(t, &roles)
	if len(roles) != 11 || !roles[0].System || roles[10].System {
		t.Errorf("system/roles: %+v", roles)
	}
	for _, r := range roles {
		if r.Name == "Occupant" && (len(r.Limits) != 1 || *r.Limits[0].Min != 20 || *r.Limits[0].Max != 24) {
			t.Errorf("Occupant's limits: %+v", r.Limits)
		}
	}
	var rooms []engine.SpaceDoc
	v.must(200, admin, "GET", "/spaces?names=A-Room", nil).json(t, &rooms)
	room := rooms[0]
	v.must(201, admin, "POST", "/propertykeys", map[string]any{"name": "TemperatureSetpoint", "scope": "Spaces", "spaceId": room.ID})
	occ := v.token("occupant", "Occupant", room.SpacePaths[0])
	fm := v.token("manager", "FacilityManager", room.SpacePaths[0])
	reader, bob := v.token("reader", "", ""), v.token("bob", "", "")
	set := func(tok, value string) resp {
		return v.do(tok, "PUT", "/spaces/"+room.ID+"/properties", []map[string]string{{"name": "TemperatureSetpoint", "value": value}})
	}
	setValue := func(tok, value string) resp {
		return v.do(tok, "PUT", "/spaces/"+room.ID+"/values/TemperatureSetpoint", map[string]string{"value": value})
	}
	for _, c := range []struct {
		who, tok, value string
		do              func(tok, value string) resp
		want            int
	}{
		{"occupant", occ, "22", set, 204},
		{"occupant", occ, "20", set, 204},
		{"occupant", occ, "30", set, 403},
		{"occupant", occ, "warm", set, 403},
		{"manager", fm, "30", set, 204},
		{"reader", reader, "22", set, 403},
		{"bob", bob, "22", set, 404},
		{"occupant", occ, "23", setValue, 204},
		{"occupant", occ, "19", setValue, 403},
		{"manager", fm, "5", setValue, 204},
		{"reader", reader, "22", setValue, 403},
		{"bob", bob, "22", setValue, 404},
	} {
		r := c.do(c.tok, c.value)
		if r.status != c.want {
			t.Errorf("%s sets %s: %d %s, want %d", c.who, c.value, r.status, r.body, c.want)
		}
		if c.want == 403 && c.who == "occupant" {
			r.errorShape(t)
			if !strings.Contains(string(r.body), "Occupant") || !strings.Contains(string(r.body), "20") || !strings.Contains(string(r.body), "24") {
				t.Errorf("refusal %s does not name the role and the limit", r.body)
			}
		}
	}
	// References across tenants are 404: bob's sensor on alice's device,
	// bob's UDF run by alice's matcher.
	var bRooms, aDevs, aMatchers []struct{ ID string }
	v.must(200, admin, "GET", "/spaces?names=B-Room", nil).json(t, &bRooms)
	v.must(200, admin, "GET", "/devices?names=A-Dev", nil).json(t, &aDevs)
	v.must(200, admin, "GET", "/matchers?names=A-Match", nil).json(t, &aMatchers)
	if r := v.do(bob, "POST", "/sensors", map[string]any{"deviceId": aDevs[0].ID, "spaceId": bRooms[0].ID}); r.status != 404 {
		t.Errorf("bob's sensor on alice's device: %d %s", r.status, r.body)
	}
	if r := v.do(bob, "POST", "/userdefinedfunctions", map[string]any{"name": "Spy", "spaceId": bRooms[0].ID,
		"matchers": []string{aMatchers[0].ID}, "script": "function process(t, c) {}"}); r.status != 404 {
		t.Errorf("bob's UDF on alice's matcher: %d %s", r.status, r.body)
	}
	// Other writes: 403 for a reader, 404 outside the tenant.
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"DELETE", "/spaces/" + room.ID, nil},
		{"PATCH", "/spaces/" + room.ID, map[string]any{"name": "Renamed"}},
		{"POST", "/spaces", map[string]any{"name": "Inner", "parentSpaceId": room.ID}},
		{"POST", "/devices", map[string]any{"name": "New", "spaceId": room.ID}},
		{"DELETE", "/spaces/" + room.ID + "/properties", nil},
	} {
		if r := v.do(reader, c.method, c.path, c.body); r.status != 403 {
			t.Errorf("reader %s %s: %d %s, want 403", c.method, c.path, r.status, r.body)
		}
		if r := v.do(bob, c.method, c.path, c.body); r.status != 404 {
			t.Errorf("bob %s %s: %d %s, want 404", c.method, c.path, r.status, r.body)
		}
	}
	var props []engine.PropertyDoc
	v.must(200, admin, "GET", "/spaces/"+room.ID+"/properties", nil).json(t, &props)
	if len(props) != 1 || props[0].Value != "30" {
		t.Errorf("properties after the writes: %+v", props)
	}
	// A patch that changes only the property is judged by the limit too.
	if r := v.do(occ, "PATCH", "/spaces/"+room.ID, map[string]any{"properties": []map[string]string{{"name": "TemperatureSetpoint", "value": "40"}}}); r.status != 403 {
		t.Errorf("occupant patch to 40: %d %s", r.status, r.body)
	}
	v.must(204, occ, "PATCH", "/spaces/"+room.ID, map[string]any{"properties": []map[string]string{{"name": "TemperatureSetpoint", "value": "21"}}})
}

// TestSSESlowClient: a client that does not read never holds up the bus;
// the events it misses are counted and reported in Dropped events, and
// what it receives plus what it missed is what was published.
func TestSSESlowClient(t *testing.T) {
	v := newEnv(t, httpapi.Options{})
	tok := v.admin()
	b := v.created(tok, "/spaces", map[string]any{"name": "B"})
	d := v.created(tok, "/devices", map[string]any{"name": "D", "spaceId": b, "hardwareId": "D1"})
	s := v.created(tok, "/sensors", map[string]any{"deviceId": d, "hardwareId": "S1", "dataType": "Temperature"})
	stream := v.stream(tok, "?types=SensorChange&spaceId="+b)
	const n = 5000
	ev := &engine.Event{ID: "e", EventType: engine.EventSensorChange, ObjectID: engine.MustParseID(s), EventTime: time.Now(),
		Data: &engine.ChangeData{ID: s, Value: strings.Repeat("x", 2000)}}
	start := time.Now()
	for range n {
		v.e.Events().Publish(ev)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("publishing to a slow client took %v", d)
	}
	got, lastTotal := 0, int64(0)
	for {
		e, ok := stream.next(2 * time.Second)
		if !ok {
			break
		}
		switch e.Type {
		case "SensorChange":
			got++
		case "Dropped":
			var dr struct{ Dropped, Total int64 }
			json.Unmarshal([]byte(e.Data), &dr)
			if dr.Total < lastTotal || dr.Dropped <= 0 {
				t.Errorf("Dropped event %s after total %d", e.Data, lastTotal)
			}
			lastTotal = dr.Total
		}
	}
	if lastTotal == 0 || int64(got)+lastTotal != n {
		t.Errorf("received %d, dropped %d: want some dropped and %d in all", got, lastTotal, n)
	}
}

// TestSSEEnds: a stream ends with a Closed event when its token is
// revoked, and when the server closes.
func TestSSEEnds(t *testing.T) {
	defer httpapi.SetSSEKeepAlive(50 * time.Millisecond)()
	v := newEnv(t, httpapi.Options{})
	tok := v.admin()
	other := v.token("other", "SpaceAdministrator", "/")
	revoked, closing := v.stream(tok, ""), v.stream(other, "")
	err := v.e.Update(func(tx *engine.Tx) error {
		for _, tk := range tx.Tokens() {
			if tk.Principal.ID == "admin" {
				return tx.RevokeToken(tk.Name)
			}
		}
		return fmt.Errorf("no token of admin")
	})
	if err != nil {
		t.Fatal(err)
	}
	ev, ok := revoked.next(5 * time.Second)
	if !ok || ev.Type != "Closed" || !strings.Contains(ev.Data, "revoked") {
		t.Errorf("after revoking: %+v %v", ev, ok)
	}
	if _, ok := revoked.next(5 * time.Second); ok {
		t.Error("the stream goes on after Closed")
	}
	v.s.Close()
	deadline := time.After(5 * time.Second)
	for ended := false; !ended; {
		select {
		case _, ok := <-closing.events:
			ended = !ok
		case <-deadline:
			t.Fatal("a stream did not end when the server closed")
		}
	}
}

// TestTopologyEvents: a change made over REST goes out as a
// TopologyOperation event to those who may read the object, not to the
// other tenant.
func TestTopologyEvents(t *testing.T) {
	v := newEnv(t, httpapi.Options{})
	if _, err := v.p.ProvisionYAML(t, isolationYAML, map[string]string{"f.js": "function process(t, c) {}"}); err != nil {
		t.Fatal(err)
	}
	alice, bob := v.token("alice", "", ""), v.token("bob", "", "")
	aliceEvents, bobEvents := v.stream(alice, "?types=TopologyOperation"), v.stream(bob, "?types=TopologyOperation")
	var rooms []engine.SpaceDoc
	v.must(200, alice, "GET", "/spaces?names=A-Room", nil).json(t, &rooms)
	id := v.created(alice, "/spaces", map[string]any{"name": "A-New", "parentSpaceId": rooms[0].ID})
	ev, ok := aliceEvents.next(5 * time.Second)
	if !ok || ev.Type != "TopologyOperation" || !strings.Contains(ev.Data, id) || !strings.Contains(ev.Data, `"AccessType":"Create"`) {
		t.Errorf("alice: %+v %v", ev, ok)
	}
	if ev, ok := bobEvents.next(500 * time.Millisecond); ok {
		t.Errorf("bob sees alice's change: %+v", ev)
	}
}
