package app_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt3 "github.com/eclipse/paho.mqtt.golang"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/httpapi"
	"github.com/twinstudio/twinstudio/engine/mqtt"
)

// isoObject is one space, device or sensor of app/testdata/tenants.yaml:
// its REST route, its label (name or hardwareId), its id, and the tags of
// the tenants whose subtree holds it (H: the building only).
type isoObject struct {
	route, label, id string
	tags             []string
}

// isoPrincipal is a principal of the test: the tenant tags its assignments
// cover (its subtrees) and the routes whose objects its role reads.
type isoPrincipal struct {
	name  string
	tags  []string
	reads []string
	token string
	root  string   // the label of its tenant space
	above []string // how the spaces above root may appear: path prefixes and root's parentSpaceId
}

func (p *isoPrincipal) sees(o isoObject) bool {
	return slices.Contains(p.reads, o.route) && p.inside(o)
}

// inside: o is in one of p's subtrees (whatever p's role may read there).
func (p *isoPrincipal) inside(o isoObject) bool {
	for _, t := range o.tags {
		if slices.Contains(p.tags, t) {
			return true
		}
	}
	return false
}

// isoTags: the tenant tags of an object, from its label's prefix; A1
// lies inside A.
func isoTags(label string) []string {
	switch {
	case strings.HasPrefix(label, "A1-"):
		return []string{"A1", "A"}
	case strings.HasPrefix(label, "A-"):
		return []string{"A"}
	case strings.HasPrefix(label, "B-"):
		return []string{"B"}
	}
	return []string{"H"}
}

// TestTenantIsolationAllChannels attacks tenant isolation through the REST
// lists and gets, SSE, MQTT event subscriptions and UDF metadata calls at
// once, in one project with two tenants and a sub-tenant: every principal
// sees exactly its subtrees, with no foreign id anywhere in what it
// receives, and writes into a foreign tenant are refused.
//
// Each filter, removed, fails it: the query reads (engine/query.go) the
// exact lists; the read check of gets by id (httpapi see) the 200/404s;
// the includes filters the label scan (sam's User role reads no devices,
// vera's custom role no sensors); the navigation check the 404 from a
// foreign spaceId; the SSE and the broker's event filters the exact
// SensorChange sets; the UDF's read check the probe's value; the Update
// check sam's 403; the pipeline's device check alice's publish as B-DEV.
// (Filtering children includes is redundant here: a readable space's
// children are always in the same subtree.)
func TestTenantIsolationAllChannels(t *testing.T) {
	a, err := app.Open(filepath.Join(t.TempDir(), "tenants.twin"), app.Options{Broker: &mqtt.Options{Addr: "127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := closeWithin(a, 30*time.Second); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	if _, err := a.ProvisionFile(filepath.Join("testdata", "tenants.yaml")); err != nil {
		t.Fatal(err)
	}
	objs, keys, probe := isoInventory(t, a)
	byLabel := map[string]isoObject{}
	for _, o := range objs {
		byLabel[o.label] = o
	}
	all := []string{"spaces", "devices", "sensors"}
	principals := []*isoPrincipal{
		{name: "alice", tags: []string{"A"}, reads: all, root: "A-Tenant"},
		{name: "sam", tags: []string{"A1"}, reads: []string{"spaces", "sensors"}, root: "A1-Tenant"}, // role User
		{name: "bob", tags: []string{"B"}, reads: all, root: "B-Tenant"},
		// A custom role reading spaces and devices but not sensors, on B.
		{name: "vera", tags: []string{"B"}, reads: []string{"spaces", "devices"}, root: "B-Tenant"},
	}
	isoViewerRole(t, a, "vera", byLabel["B-Tenant"].id)
	for _, p := range principals {
		p.token = isoToken(t, a, p.name)
		p.above = isoAbove(t, a, byLabel[p.root].id)
	}
	srv, err := a.StartHTTP(httpapi.Options{Addr: "127.0.0.1:0", Rate: 1e6, Burst: 1e6}) // hundreds of requests per token
	if err != nil {
		t.Fatal(err)
	}
	base := srv.URL() + httpapi.Base

	// The UDF of tenant B probes every space and sensor of the building.
	isoSetProbe(t, a, probe, objs, byLabel["B-Tenant"].id)

	// (3), (4): every principal listens on SSE and on MQTT before any telemetry.
	streams := map[string]*isoInbox{}
	mqttIn := map[string]*isoInbox{}
	for _, p := range principals {
		streams[p.name] = isoStream(t, base, p.token)
		mqttIn[p.name] = isoSubscribe(t, a.Broker().Addr(), p)
	}
	var sensors []isoObject
	for _, o := range objs {
		if o.route == "sensors" {
			sensors = append(sensors, o)
		}
	}
	for i, s := range sensors {
		dev := strings.TrimSuffix(strings.TrimSuffix(s.label, "-SEN-T"), "-SEN-M") + "-DEV"
		c, err := connect3(t, a.Broker().Addr(), "iso", dev, keys[dev], nil)
		if err != nil {
			t.Fatalf("device %s: %v", dev, err)
		}
		if err := publish3(t, c, engine.SensorTopic(dev, s.label), 1, fmt.Sprintf(`{"SensorValue":"%d"}`, 40+i)); err != nil {
			t.Fatalf("publish for %s: %v", s.label, err)
		}
	}

	// (1), (2): REST.
	for _, p := range principals {
		isoREST(t, base, p, objs)
	}

	// (3), (4): each stream and subscription carries exactly its sensors' changes.
	for _, p := range principals {
		var want []string
		for _, s := range sensors {
			if p.sees(s) {
				want = append(want, s.id)
			}
		}
		for channel, ib := range map[string]*isoInbox{"SSE": streams[p.name], "MQTT": mqttIn[p.name]} {
			got := ib.waitSensorChanges(len(want), 8*time.Second)
			if !sameStrings(want, got) {
				t.Errorf("%s: %s SensorChange for %v, want %v", p.name, channel, got, want)
			}
			for _, o := range objs {
				if !p.inside(o) && ib.contains(o.id) {
					t.Errorf("%s: %s carried foreign %s %s", p.name, channel, o.route, o.label)
				}
			}
		}
	}

	// (5): the UDF read exactly tenant B's spaces and sensors.
	isoCheckProbe(t, a, objs, byLabel["B-Tenant"].id)

	// Writes across tenants: REST and MQTT; and a read-only role's write.
	isoWriteAttacks(t, a, base, principals[0], byLabel)
	room := byLabel["A1-Room"]
	if status, body := isoDo(t, "PATCH", base+"/spaces/"+room.id, principals[1].token, `{"name":"Renamed"}`); status != 403 {
		t.Errorf("sam (User) PATCH A1-Room: %d %s, want 403", status, body)
	}
}

// isoViewerRole gives name a custom role on space: read spaces and
// devices, nothing else.
func isoViewerRole(t *testing.T, a *app.App, name, space string) {
	t.Helper()
	id, _ := engine.ParseID(space)
	err := a.Engine().Update(func(tx *engine.Tx) error {
		r := &engine.Role{Name: "SpaceDeviceViewer", FriendlyName: "Space and Device Viewer",
			Permissions: []engine.Permission{{Actions: []engine.Action{engine.ActionRead}, ResourceTypes: []string{engine.ResSpace, engine.ResDevice}}}}
		if err := tx.PutRole(r); err != nil {
			return err
		}
		return tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: r.ID, ObjectID: name,
			ObjectIDType: engine.ObjectServicePrincipalID, Path: tx.SpacePath(id)})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// isoInventory: every space, device and sensor of the building as the
// owner sees it, the device keys by hardwareId, and the probe UDF's id.
func isoInventory(t *testing.T, a *app.App) (objs []isoObject, keys map[string]string, probe engine.ID) {
	t.Helper()
	keys = map[string]string{}
	err := a.Engine().View(func(v *engine.View) error {
		var walk func(s *engine.Space)
		walk = func(s *engine.Space) {
			objs = append(objs, isoObject{"spaces", s.Name, s.ID.String(), isoTags(s.Name)})
			for _, d := range v.SpaceDevices(s.ID) {
				objs = append(objs, isoObject{"devices", d.HardwareID, d.ID.String(), isoTags(d.HardwareID)})
				keys[d.HardwareID] = d.Key
				for _, sn := range v.DeviceSensors(d.ID) {
					objs = append(objs, isoObject{"sensors", sn.HardwareID, sn.ID.String(), isoTags(sn.HardwareID)})
				}
			}
			for _, c := range v.ChildSpaces(s.ID) {
				walk(c)
			}
		}
		for _, r := range v.Roots() {
			walk(r)
		}
		for _, u := range v.UDFs() {
			if u.Name == "B-Probe" {
				probe = u.ID
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, o := range objs {
		count[o.route]++
	}
	if count["spaces"] != 10 || count["devices"] != 4 || count["sensors"] != 7 || probe == (engine.ID{}) {
		t.Fatalf("provisioned %v, probe %v", count, probe)
	}
	return objs, keys, probe
}

func isoToken(t *testing.T, a *app.App, name string) string {
	t.Helper()
	var secret string
	err := a.Engine().Update(func(tx *engine.Tx) error {
		var err error
		secret, _, err = tx.CreateToken(engine.Principal{Type: engine.ObjectServicePrincipalID, ID: name}, name, time.Time{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// isoGet is a GET with the token; it returns the status and the raw body.
func isoGet(t *testing.T, url, token string) (int, []byte) {
	t.Helper()
	return isoDo(t, "GET", url, token, "")
}

func isoDo(t *testing.T, method, url, token, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

// isoREST checks p's lists, list variations and gets by id.
func isoREST(t *testing.T, base string, p *isoPrincipal, objs []isoObject) {
	t.Helper()
	// Exact lists: ids and labels of the visible objects, no others.
	for _, route := range []string{"spaces", "devices", "sensors"} {
		var want, got []string
		for _, o := range objs {
			if o.route == route && p.sees(o) {
				want = append(want, o.id)
			}
		}
		status, body := isoGet(t, base+"/"+route, p.token)
		var list []struct {
			ID string `json:"id"`
		}
		if status != 200 || json.Unmarshal(body, &list) != nil {
			t.Fatalf("%s: GET /%s: %d %s", p.name, route, status, body)
		}
		for _, o := range list {
			got = append(got, o.ID)
		}
		if !sameStrings(want, got) {
			t.Errorf("%s: GET /%s = %v, want %v", p.name, route, got, want)
		}
	}
	// Variations: nothing foreign in any body, whatever the status.
	var queries []string
	for _, o := range objs {
		if o.route != "spaces" {
			continue
		}
		for _, q := range []string{
			"/spaces?includes=values,sensors,devices,children&traverse=Down&spaceId=" + o.id,
			"/spaces?traverse=Up&spaceId=" + o.id,
			"/devices?includes=sensors,sensorsvalues&traverse=Down&spaceId=" + o.id,
			"/sensors?includes=value,values&traverse=Down&spaceId=" + o.id,
		} {
			// Navigation from a space it may not read is a 404, not an empty list.
			if status, _ := isoGet(t, base+q, p.token); (status == 200) != p.sees(o) {
				t.Errorf("%s: GET %s (%s): %d", p.name, q, o.label, status)
			}
			queries = append(queries, q)
		}
	}
	queries = append(queries, "/spaces?includes=values,sensors,devices,children,sensorsvalues", "/devices?includes=sensors,sensorsvalues",
		"/sensors?includes=value,values")
	for _, q := range queries {
		status, body := isoGet(t, base+q, p.token)
		if status != 200 && status != 404 {
			t.Errorf("%s: GET %s: %d %s", p.name, q, status, body)
		}
		isoNoLeak(t, p, objs, "GET "+q, isoAsked(status, body, q))
	}
	// Own subtree listed from its root, traverse Down: everything visible below it.
	for _, o := range objs {
		if o.route == "spaces" && p.sees(o) && strings.HasSuffix(o.label, "-Tenant") && slices.Contains(p.tags, o.tags[0]) {
			status, body := isoGet(t, base+"/sensors?traverse=Down&spaceId="+o.id, p.token)
			for _, s := range objs {
				if s.route == "sensors" && p.sees(s) && status == 200 && !strings.Contains(string(body), s.id) {
					t.Errorf("%s: sensors below %s lack %s: %s", p.name, o.label, s.label, body)
				}
			}
			if status != 200 {
				t.Errorf("%s: sensors below its own %s: %d %s", p.name, o.label, status, body)
			}
		}
	}
	// Gets by id: 200 inside, 404 outside without the name.
	for _, o := range objs {
		status, body := isoGet(t, base+"/"+o.route+"/"+o.id+"?includes=values,sensors,devices", p.token)
		if o.route != "spaces" {
			status, body = isoGet(t, base+"/"+o.route+"/"+o.id, p.token)
		}
		switch {
		case p.sees(o) && status != 200:
			t.Errorf("%s: GET /%s/%s (%s): %d %s, want 200", p.name, o.route, o.id, o.label, status, body)
		case !p.sees(o) && status != 404:
			t.Errorf("%s: GET /%s/%s (%s): %d, want 404", p.name, o.route, o.id, o.label, status)
		case !p.sees(o) && strings.Contains(string(body), o.label):
			t.Errorf("%s: the 404 for %s names it: %s", p.name, o.label, body)
		}
		isoNoLeak(t, p, objs, "GET /"+o.route+"/"+o.id, isoAsked(status, body, o.id))
	}
}

// isoNoLeak fails the test if body holds the id or label of an object
// outside p's subtrees, or the label of one its role may not read. The spaces above p's tenant appear only as the
// prefix of spacePaths and fullName (a space's path runs from the root)
// and as the tenant's parentSpaceId; those fragments are cut out first.
func isoNoLeak(t *testing.T, p *isoPrincipal, objs []isoObject, what string, body []byte) {
	t.Helper()
	s := string(body)
	for _, f := range p.above {
		s = strings.ReplaceAll(s, f, "")
	}
	for _, o := range objs {
		foreign := !p.inside(o) && (strings.Contains(s, o.label) || strings.Contains(s, o.id))
		unreadable := !p.sees(o) && strings.Contains(s, o.label) // a kind its role does not read: not even by name
		if foreign || unreadable {
			t.Errorf("%s: %s leaks %s %s: %s", p.name, what, o.route, o.label, body)
		}
	}
}

// isoAsked cuts the id the request named out of an error body (the
// message echoes it); a 200 body is kept whole.
func isoAsked(status int, body []byte, asked string) []byte {
	if status == 200 {
		return body
	}
	for _, part := range strings.FieldsFunc(asked, func(r rune) bool { return r == '=' || r == '&' || r == '?' || r == '/' }) {
		body = []byte(strings.ReplaceAll(string(body), part, ""))
	}
	return body
}

// isoAbove: the fragments naming the spaces above root that root's
// subtree carries: the id path and the name path of its parent with a
// trailing slash, and its parentSpaceId field.
func isoAbove(t *testing.T, a *app.App, root string) []string {
	t.Helper()
	id, err := engine.ParseID(root)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	_ = a.Engine().View(func(v *engine.View) error {
		s, _ := v.Space(id)
		var names []string
		for p, ok := v.Space(s.ParentID); ok; p, ok = v.Space(p.ParentID) {
			names = append([]string{p.Name}, names...)
		}
		parentPath := strings.TrimSuffix(v.SpacePath(id), s.ID.String())
		out = []string{parentPath, "/" + strings.Join(names, "/") + "/", `"parentSpaceId":"` + s.ParentID.String() + `"`}
		return nil
	})
	return out
}

// isoInbox collects the events of one principal on one channel.
type isoInbox struct {
	mu     sync.Mutex
	events []string // "type id raw"
}

func (ib *isoInbox) add(typ, id, raw string) {
	ib.mu.Lock()
	ib.events = append(ib.events, typ+" "+id+" "+raw)
	ib.mu.Unlock()
}

func (ib *isoInbox) sensorChanges() []string {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	var ids []string
	for _, e := range ib.events {
		if typ, rest, _ := strings.Cut(e, " "); typ == "SensorChange" {
			id, _, _ := strings.Cut(rest, " ")
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func (ib *isoInbox) contains(piece string) bool {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	for _, e := range ib.events {
		if strings.Contains(e, piece) {
			return true
		}
	}
	return false
}

// waitSensorChanges waits until n sensors changed, then a little longer
// for anything that should not arrive.
func (ib *isoInbox) waitSensorChanges(n int, d time.Duration) []string {
	deadline := time.Now().Add(d)
	for len(ib.sensorChanges()) < n && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
	return ib.sensorChanges()
}

// isoStream opens the SSE stream of token; events go into the inbox.
func isoStream(t *testing.T, base, token string) *isoInbox {
	t.Helper()
	req, _ := http.NewRequest("GET", base+"/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("events: %v %v", err, res)
	}
	t.Cleanup(func() { res.Body.Close() })
	ib := &isoInbox{}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(nil, 1<<20)
		typ := ""
		for sc.Scan() {
			switch l := sc.Text(); {
			case l == ": connected":
				close(ready)
			case strings.HasPrefix(l, "event: "):
				typ = l[7:]
			case strings.HasPrefix(l, "data: "):
				var env struct {
					Data struct{ Id string } `json:"data"`
				}
				_ = json.Unmarshal([]byte(l[6:]), &env)
				ib.add(typ, env.Data.Id, l[6:])
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(5 * time.Second):
		t.Fatal("event stream: no ': connected' line")
	}
	return ib
}

// isoSubscribe connects p with its token (user name "token") and
// subscribes to twins/events/#.
func isoSubscribe(t *testing.T, addr string, p *isoPrincipal) *isoInbox {
	t.Helper()
	c, err := connect3(t, addr, "iso-"+p.name, "token", p.token, nil)
	if err != nil {
		t.Fatalf("%s: MQTT connect with its token: %v", p.name, err)
	}
	ib := &isoInbox{}
	tok := c.Subscribe("twins/events/#", 1, func(_ mqtt3.Client, m mqtt3.Message) {
		parts := strings.Split(m.Topic(), "/") // twins/events/TYPE/ID
		typ, id := "", ""
		if len(parts) >= 4 {
			typ, id = parts[2], parts[3]
		}
		ib.add(typ, id, m.Topic()+" "+string(m.Payload()))
	})
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("%s: subscribe: %v", p.name, tok.Error())
	}
	if code := tok.(*mqtt3.SubscribeToken).Result()["twins/events/#"]; code >= 0x80 {
		t.Fatalf("%s: subscription refused: %#x", p.name, code)
	}
	return ib
}

// isoSetProbe makes the B UDF call getSpaceMetadata and getSensorMetadata
// on every space and sensor of the building and write the ids that
// succeeded to tenant B's space value "Readable".
func isoSetProbe(t *testing.T, a *app.App, probe engine.ID, objs []isoObject, bTenant string) {
	t.Helper()
	ids := map[string][]string{}
	for _, o := range objs {
		ids[o.route] = append(ids[o.route], o.id)
	}
	lit, _ := json.Marshal(map[string][]string{"spaces": ids["spaces"], "sensors": ids["sensors"]})
	script := `var ids = ` + string(lit) + `;
function process(telemetry, executionContext) {
    var ok = [];
    ids.spaces.forEach(function (id) {
        try { var s = getSpaceMetadata(id); if (s && s.Id === id) { ok.push(id); } } catch (e) {}
    });
    ids.sensors.forEach(function (id) {
        try { var s = getSensorMetadata(id); if (s && s.Id === id) { ok.push(id); } } catch (e) {}
    });
    setSpaceValue("` + bTenant + `", "Readable", ok.join(","));
}
`
	if _, err := a.SetUDFScript(probe, "B-Probe", script); err != nil {
		t.Fatal(err)
	}
}

// isoCheckProbe: the probe's value names exactly B's spaces and sensors.
func isoCheckProbe(t *testing.T, a *app.App, objs []isoObject, bTenant string) {
	t.Helper()
	var want []string
	for _, o := range objs {
		if o.route != "devices" && slices.Contains(o.tags, "B") {
			want = append(want, o.id)
		}
	}
	id, err := engine.ParseID(bTenant)
	if err != nil {
		t.Fatal(err)
	}
	var got string
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		_ = a.Engine().View(func(v *engine.View) error {
			if val, ok := v.SpaceValue(id, "Readable"); ok {
				got = val.Value
			}
			return nil
		})
		if got != "" {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !sameStrings(want, strings.Split(got, ",")) {
		t.Errorf("the tenant-B UDF read %q, want %v", got, want)
	}
}

// isoWriteAttacks: tenant A's token patches a B space (404, unchanged) and
// publishes as a B device (refused, unchanged).
func isoWriteAttacks(t *testing.T, a *app.App, base string, alice *isoPrincipal, byLabel map[string]isoObject) {
	t.Helper()
	room := byLabel["B-Room"]
	status, body := isoDo(t, "PATCH", base+"/spaces/"+room.id, alice.token, `{"name":"Owned by A"}`)
	if status != 404 || strings.Contains(string(body), room.label) {
		t.Errorf("alice PATCH B-Room: %d %s, want 404", status, body)
	}
	sensor := byLabel["B-SEN-T"]
	sid, _ := engine.ParseID(sensor.id)
	value := func() (name, v string) {
		_ = a.Engine().View(func(vw *engine.View) error {
			rid, _ := engine.ParseID(room.id)
			if s, ok := vw.Space(rid); ok {
				name = s.Name
			}
			if val, ok := vw.SensorValue(sid); ok {
				v = val.Value
			}
			return nil
		})
		return name, v
	}
	name0, v0 := value()
	if name0 != "B-Room" || v0 == "" {
		t.Fatalf("B-Room is %q, B-SEN-T is %q", name0, v0)
	}
	lost := make(chan error, 1)
	c, err := connect3(t, a.Broker().Addr(), "attack", "token", alice.token, lost)
	if err != nil {
		t.Fatal(err)
	}
	perr := publish3(t, c, engine.SensorTopic("B-DEV", "B-SEN-T"), 1, `{"SensorValue":"666"}`)
	select {
	case <-lost:
	case <-time.After(2 * time.Second):
		if perr == nil {
			t.Error("alice published as B-DEV: neither refused nor disconnected")
		}
	}
	if _, v := value(); v != v0 {
		t.Errorf("B-SEN-T changed to %q after alice's publish", v)
	}
}

func sameStrings(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
