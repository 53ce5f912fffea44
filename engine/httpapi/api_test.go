package httpapi_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/httpapi"
)

// TestRoutesDocumented: every path and method of the OpenAPI document is
// routed by the server's mux to a handler that is not the fallback (a
// request to it never answers "no route"), and the document lists as
// many operations as the docs page shows.
func TestRoutesDocumented(t *testing.T) {
	v := newEnv(t, httpapi.Options{})
	r := v.do("", "GET", "/openapi.json", nil)
	if r.status != 200 {
		t.Fatalf("openapi.json: %d %s", r.status, r.body)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	r.json(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q", doc.OpenAPI)
	}
	ops := 0
	for path, item := range doc.Paths {
		for method := range item {
			ops++
			concrete := strings.NewReplacer("{id}", "00000000-0000-0000-0000-000000000001", "{name}", "x").Replace(path)
			req := httptest.NewRequest(strings.ToUpper(method), concrete, nil)
			rec := httptest.NewRecorder()
			v.s.Handler().ServeHTTP(rec, req)
			if strings.Contains(rec.Body.String(), "no route") {
				t.Errorf("%s %s is documented but not routed", strings.ToUpper(method), path)
			}
		}
	}
	// Every routed path is documented: the docs page lists the routes
	// from the same table; an undocumented path answers "no route".
	page := v.do("", "GET", "/docs", nil)
	if page.status != 200 || !strings.Contains(page.header.Get("Content-Type"), "text/html") {
		t.Fatalf("docs: %d %s", page.status, page.header.Get("Content-Type"))
	}
	if n := strings.Count(string(page.body), `<td class="m">`); n != ops {
		t.Errorf("docs page lists %d routes, openapi.json %d operations", n, ops)
	}
	for _, want := range []string{"/spaces", "/devices", "/sensors", "/users", "/matchers", "/userdefinedfunctions",
		"/roleassignments", "/propertykeys", "/types", "/ontologies", "/resources", "/keystores", "/endpoints",
		"/system/roles", "/system/stats", "/spaces/{id}/values", "/sensors/{id}/value", "/sensors/{id}/values", "/events"} {
		if doc.Paths[httpapi.Base+want] == nil {
			t.Errorf("%s is not documented", want)
		}
	}
	if r := v.do("", "GET", "/nothing", nil); r.status != 404 {
		t.Errorf("unknown route: %d", r.status)
	} else {
		r.errorShape(t)
	}
}

// TestUnauthenticated: every route but the documents answers 401 with the
// error shape to a missing, malformed, unknown, expired or revoked token.
func TestUnauthenticated(t *testing.T) {
	now := time.Now()
	clock := func() time.Time { return now }
	v := newEnv(t, httpapi.Options{Now: clock})
	good := v.admin()
	var expiring, revoked string
	err := v.e.Update(func(tx *engine.Tx) error {
		p, _ := tx.ResolvePrincipal("admin")
		var err error
		if expiring, _, err = tx.CreateToken(p, "soon", time.Now().Add(time.Hour)); err != nil {
			return err
		}
		if revoked, _, err = tx.CreateToken(p, "gone", time.Time{}); err != nil {
			return err
		}
		return tx.RevokeToken("gone")
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := v.do(expiring, "GET", "/spaces", nil); r.status != 200 {
		t.Fatalf("token before expiry: %d %s", r.status, r.body)
	}
	now = now.Add(2 * time.Hour)
	cases := []struct{ name, header string }{
		{"missing", ""},
		{"not bearer", "Basic " + good},
		{"empty bearer", "Bearer "},
		{"malformed", "Bearer nonsense"},
		{"unknown", "Bearer twn_" + strings.Repeat("A", 43)},
		{"expired", "Bearer " + expiring},
		{"revoked", "Bearer " + revoked},
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	v.do("", "GET", "/openapi.json", nil).json(t, &doc)
	for _, c := range cases {
		for path, item := range doc.Paths {
			if strings.HasSuffix(path, "/openapi.json") || strings.HasSuffix(path, "/docs") {
				continue
			}
			for method := range item {
				url := v.ts.URL + strings.NewReplacer("{id}", "1", "{name}", "x").Replace(path)
				req, _ := http.NewRequest(strings.ToUpper(method), url, nil)
				if c.header != "" {
					req.Header.Set("Authorization", c.header)
				}
				res, err := v.ts.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				b.ReadFrom(res.Body)
				res.Body.Close()
				if res.StatusCode != 401 {
					t.Errorf("%s: %s %s: %d, want 401", c.name, method, path, res.StatusCode)
				}
				resp{status: res.StatusCode, body: b.Bytes()}.errorShape(t)
			}
		}
	}
	if r := v.do(good, "GET", "/spaces", nil); r.status != 200 {
		t.Errorf("good token: %d %s", r.status, r.body)
	}
}

// TestCRUD: create, read, update and delete each kind as an administrator,
// with the preview's status codes, and the errors of bad input.
func TestCRUD(t *testing.T) {
	v := newEnv(t, httpapi.Options{CompileUDF: func(s string) error {
		if strings.Contains(s, "syntax error") {
			return fmt.Errorf("line 1: SyntaxError")
		}
		return nil
	}})
	tok := v.admin()
	b := v.created(tok, "/spaces", map[string]any{"name": "B", "type": "Venue"})
	room := v.created(tok, "/spaces", map[string]any{"name": "R", "type": "Room", "parentSpaceId": b})
	dev := v.created(tok, "/devices", map[string]any{"name": "D", "spaceId": room, "hardwareId": "DEV1"})
	sen := v.created(tok, "/sensors", map[string]any{"deviceId": dev, "hardwareId": "SEN1", "dataType": "Temperature"})
	usr := v.created(tok, "/users", map[string]any{"upn": "a@x.org", "spaceId": room})
	mat := v.created(tok, "/matchers", map[string]any{"name": "M", "spaceId": room,
		"conditions": []map[string]string{{"target": "Sensor", "path": "$.dataType", "value": `"Temperature"`, "comparison": "Equals"}}})
	udf := v.created(tok, "/userdefinedfunctions", map[string]any{"name": "F", "spaceId": room, "matchers": []string{mat},
		"script": "function process(t, c) {}"})
	var pk int
	v.must(201, tok, "POST", "/propertykeys", map[string]any{"name": "Floors", "spaceId": b, "scope": "Spaces", "primitiveDataType": "Int"}).json(t, &pk)
	var typ int
	v.must(201, tok, "POST", "/types", map[string]any{"name": "Pod", "category": "SpaceType", "spaceId": b}).json(t, &typ)
	ep := v.created(tok, "/endpoints", map[string]any{"type": "Mqtt", "eventTypes": []string{"SensorChange"}})
	ra := v.created(tok, "/roleassignments", map[string]any{"roleId": "User", "objectId": "viewer", "objectIdType": "ServicePrincipalId", "path": "/" + b})
	res := v.created(tok, "/resources", map[string]any{"spaceId": b, "type": "IoTHub"})

	for _, g := range []struct{ path, field, want string }{
		{"/spaces/" + room, "name", "R"}, {"/spaces/" + room, "type", "Room"}, {"/devices/" + dev, "hardwareId", "DEV1"},
		{"/sensors/" + sen, "dataType", "Temperature"}, {"/users/" + usr, "upn", "a@x.org"}, {"/matchers/" + mat, "name", "M"},
		{"/userdefinedfunctions/" + udf, "name", "F"}, {fmt.Sprint("/propertykeys/", pk), "name", "Floors"},
		{fmt.Sprint("/types/", typ), "name", "Pod"}, {"/endpoints/" + ep, "type", "Mqtt"},
		{"/roleassignments/" + ra, "objectId", "viewer"}, {"/resources/" + res, "type", "IoTHub"},
	} {
		var m map[string]any
		v.must(200, tok, "GET", g.path, nil).json(t, &m)
		if fmt.Sprint(m[g.field]) != g.want {
			t.Errorf("GET %s: %s = %v, want %s", g.path, g.field, m[g.field], g.want)
		}
	}
	// Patches change only what they name.
	v.must(204, tok, "PATCH", "/spaces/"+room, map[string]any{"friendlyName": "Room R"})
	var sp engine.SpaceDoc
	v.must(200, tok, "GET", "/spaces/"+room, nil).json(t, &sp)
	if sp.FriendlyName != "Room R" || sp.Type != "Room" || sp.ParentSpaceID == nil || *sp.ParentSpaceID != b {
		t.Errorf("after patch: %+v", sp)
	}
	v.must(204, tok, "PATCH", "/devices/"+dev, map[string]any{"status": "Active"})
	v.must(204, tok, "PATCH", "/sensors/"+sen, map[string]any{"port": "A1"})
	v.must(204, tok, "PATCH", "/users/"+usr, map[string]any{"firstName": "Ann"})
	v.must(204, tok, "PATCH", "/matchers/"+mat, map[string]any{"description": "temp"})
	v.must(204, tok, "PATCH", fmt.Sprint("/propertykeys/", pk), map[string]any{"max": "100"})
	v.must(204, tok, "PATCH", fmt.Sprint("/types/", typ), map[string]any{"friendlyName": "A pod"})
	v.must(204, tok, "PATCH", "/endpoints/"+ep, map[string]any{"eventTypes": []string{"SensorChange", "SpaceChange"}})
	// Upserts keyed on name (devices) and upn (users) in a space.
	v.must(204, tok, "PUT", "/devices", map[string]any{"name": "D", "spaceId": room, "hardwareId": "DEV1", "description": "upserted"})
	v.must(204, tok, "PUT", "/devices", map[string]any{"name": "D3", "spaceId": room, "hardwareId": "DEV3"})
	v.must(204, tok, "PUT", "/users", map[string]any{"upn": "a@x.org", "spaceId": room, "lastName": "Lee"})
	var devs []engine.DeviceDoc
	v.must(200, tok, "GET", "/devices?spaceId="+room, nil).json(t, &devs)
	if len(devs) != 2 || devs[0].ID != dev || devs[0].Description != "upserted" || devs[1].HardwareID != "DEV3" {
		t.Errorf("after PUT /devices: %+v", devs)
	}
	var u engine.UserDoc
	v.must(200, tok, "GET", "/users/"+usr, nil).json(t, &u)
	if u.LastName != "Lee" {
		t.Errorf("after PUT /users: %+v", u)
	}
	// Properties.
	v.must(201, tok, "POST", "/spaces/"+b+"/properties", map[string]any{"name": "Floors", "value": "3"})
	var prop engine.PropertyDoc
	v.must(200, tok, "GET", "/spaces/"+b+"/properties/Floors", nil).json(t, &prop)
	if prop.Value != "3" {
		t.Errorf("property = %+v", prop)
	}
	v.must(400, tok, "PUT", "/spaces/"+b+"/properties", []map[string]string{{"name": "Floors", "value": "many"}}).errorShape(t)
	v.must(204, tok, "DELETE", "/spaces/"+b+"/properties/Floors", nil)
	v.must(404, tok, "GET", "/spaces/"+b+"/properties/Floors", nil).errorShape(t)
	// Includes.
	var withDev struct {
		Devices []struct {
			HardwareID string               `json:"hardwareId"`
			DeviceKey  string               `json:"deviceKey"`
			Sensors    []engine.SensorDoc   `json:"sensors"`
			Properties []engine.PropertyDoc `json:"properties"`
		} `json:"devices"`
	}
	v.must(200, tok, "GET", "/spaces/"+room+"?includes=devices,values,fullpath", nil).json(t, &withDev)
	if len(withDev.Devices) != 2 || withDev.Devices[0].HardwareID != "DEV1" {
		t.Errorf("includes=devices: %+v", withDev)
	}
	var withKey struct {
		DeviceKey string             `json:"deviceKey"`
		Sensors   []engine.SensorDoc `json:"sensors"`
	}
	v.must(200, tok, "GET", "/devices/"+dev+"?includes=sensors,deviceKey", nil).json(t, &withKey)
	if withKey.DeviceKey == "" || len(withKey.Sensors) != 1 {
		t.Errorf("includes=sensors,deviceKey: %+v", withKey)
	}
	// Navigation and paging.
	var spaces []engine.SpaceDoc
	v.must(200, tok, "GET", "/spaces?spaceId="+b+"&traverse=Down&minLevel=1&minRelative=true", nil).json(t, &spaces)
	if len(spaces) != 1 || spaces[0].Name != "R" {
		t.Errorf("children of B: %+v", spaces)
	}
	v.must(200, tok, "GET", "/spaces?$top=1&$skip=1", nil).json(t, &spaces)
	if len(spaces) != 1 || spaces[0].Name != "R" {
		t.Errorf("$top=1&$skip=1: %+v", spaces)
	}
	var sensors []engine.SensorDoc
	v.must(200, tok, "GET", "/sensors?dataTypes=Temperature&hardwareIds=SEN1", nil).json(t, &sensors)
	if len(sensors) != 1 {
		t.Errorf("sensors by data type: %+v", sensors)
	}
	// Errors: 400, 404, 409 with the error shape.
	for _, c := range []struct {
		method, path string
		body         any
		want         int
	}{
		{"POST", "/spaces", `{"name": "X", "bogus": 1}`, 400},
		{"POST", "/spaces", `{"name": `, 400},
		{"POST", "/spaces", ``, 400},
		{"POST", "/spaces", map[string]any{"name": "R", "parentSpaceId": b}, 409},
		{"POST", "/spaces", map[string]any{"name": "Y", "type": "NoSuchType", "parentSpaceId": b}, 400},
		{"POST", "/devices", map[string]any{"name": "D2", "spaceId": engine.NewID().String()}, 404},
		{"POST", "/devices", map[string]any{"name": "D2", "spaceId": room, "hardwareId": "DEV1"}, 409},
		{"GET", "/spaces/" + engine.NewID().String(), nil, 404},
		{"GET", "/spaces/not-an-id", nil, 404},
		{"GET", "/spaces?traverse=Sideways&spaceId=" + b, nil, 400},
		{"GET", "/spaces?minLevel=x", nil, 400},
		{"GET", "/spaces?spaceid=" + b, nil, 400},
		{"GET", "/spaces?includes=everything", nil, 400},
		{"GET", "/spaces?$top=-1", nil, 400},
		{"GET", "/sensors/" + sen + "/value", nil, 404},
		{"GET", "/sensors/" + sen + "/values?from=yesterday", nil, 400},
		{"GET", "/events?types=NoSuchEvent", nil, 400},
		{"POST", "/userdefinedfunctions", map[string]any{"name": "G", "spaceId": room, "script": "syntax error"}, 400},
		{"POST", "/userdefinedfunctions", map[string]any{"name": "G", "spaceId": room, "script": " "}, 400},
		{"POST", "/roleassignments", map[string]any{"roleId": "NoRole", "objectId": "x", "objectIdType": "ServicePrincipalId", "path": "/"}, 404},
		{"PATCH", "/ontologies/1", map[string]any{}, 400},
		{"GET", "/keystores/" + engine.NewID().String(), nil, 404},
		{"DELETE", "/types/1", nil, 409},
	} {
		r := v.do(tok, c.method, c.path, c.body)
		if r.status != c.want {
			t.Errorf("%s %s %v: %d %s, want %d", c.method, c.path, c.body, r.status, r.body, c.want)
		}
		r.errorShape(t)
		if strings.Contains(string(r.body), "engine:") {
			t.Errorf("%s %s: message has a package prefix: %s", c.method, c.path, r.body)
		}
	}
	// Reads that need no data.
	var ks []any
	v.must(200, tok, "GET", "/keystores", nil).json(t, &ks)
	var roles []struct{ ID, Name string }
	v.must(200, tok, "GET", "/system/roles", nil).json(t, &roles)
	if len(roles) < 9 {
		t.Errorf("system/roles: %d roles", len(roles))
	}
	var stats map[string]any
	v.must(200, tok, "GET", "/system/stats", nil).json(t, &stats)
	if stats["objects"] == nil {
		t.Errorf("stats: %v", stats)
	}
	var onts []map[string]any
	v.must(200, tok, "GET", "/ontologies?names=Default", nil).json(t, &onts)
	if len(onts) != 1 {
		t.Errorf("ontologies?names=Default: %v", onts)
	}
	// Deletes.
	for _, p := range []string{"/roleassignments/" + ra, "/endpoints/" + ep, "/userdefinedfunctions/" + udf, "/matchers/" + mat,
		"/users/" + usr, "/sensors/" + sen, "/devices/" + dev, fmt.Sprint("/propertykeys/", pk), fmt.Sprint("/types/", typ), "/resources/" + res, "/spaces/" + b} {
		v.must(204, tok, "DELETE", p, nil)
		v.must(404, tok, "GET", p, nil)
	}
}

// multipartUDF builds the preview's multipart UDF upload.
func multipartUDF(t *testing.T, meta any, script string) (string, []byte) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	if meta != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="metadata"`)
		h.Set("Content-Type", "application/json")
		pw, _ := w.CreatePart(h)
		json.NewEncoder(pw).Encode(meta)
	}
	if script != "" {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="contents"; filename="udf.js"`)
		h.Set("Content-Type", "text/javascript")
		pw, _ := w.CreatePart(h)
		pw.Write([]byte(script))
	}
	w.Close()
	return w.FormDataContentType(), b.Bytes()
}

// TestUDFMultipart: a UDF created and updated by multipart, its script
// read back from /contents.
func TestUDFMultipart(t *testing.T) {
	v := newEnv(t, httpapi.Options{})
	tok := v.admin()
	b := v.created(tok, "/spaces", map[string]any{"name": "B"})
	ct, body := multipartUDF(t, map[string]any{"name": "F", "spaceId": b, "matchers": []string{}}, "function process(t, c) { return 1; }")
	r := v.raw(tok, "POST", "/userdefinedfunctions", ct, bytes.NewReader(body))
	if r.status != 201 {
		t.Fatalf("multipart create: %d %s", r.status, r.body)
	}
	var id string
	r.json(t, &id)
	if loc := r.header.Get("Location"); loc != httpapi.Base+"/userdefinedfunctions/"+id {
		t.Errorf("Location = %q", loc)
	}
	ct, body = multipartUDF(t, nil, "function process(t, c) { return 2; }")
	if r := v.raw(tok, "PATCH", "/userdefinedfunctions/"+id, ct, bytes.NewReader(body)); r.status != 204 {
		t.Fatalf("multipart patch: %d %s", r.status, r.body)
	}
	r = v.must(200, tok, "GET", "/userdefinedfunctions/"+id+"/contents", nil)
	if string(r.body) != "function process(t, c) { return 2; }" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/javascript") {
		t.Errorf("contents = %q (%s)", r.body, r.header.Get("Content-Type"))
	}
	ct, body = multipartUDF(t, nil, "function process() {}")
	if r := v.raw(tok, "POST", "/userdefinedfunctions", ct, bytes.NewReader(body)); r.status != 400 {
		t.Errorf("multipart create without metadata: %d %s", r.status, r.body)
	}
}

// TestLimits: a body over MaxBody is 413; requests over the per-token
// rate are 429 with Retry-After, and another token is not affected.
func TestLimits(t *testing.T) {
	now := time.Now()
	v := newEnv(t, httpapi.Options{MaxBody: 1024, Rate: 1, Burst: 3, Now: func() time.Time { return now }})
	tok, other := v.admin(), v.token("other", "SpaceAdministrator", "/")
	big := `{"name": "` + strings.Repeat("x", 2000) + `"}`
	r := v.do(tok, "POST", "/spaces", big)
	if r.status != 413 {
		t.Errorf("big body: %d %s", r.status, r.body)
	}
	r.errorShape(t)
	// A chunked body (no Content-Length) over the limit too.
	r = v.raw(tok, "POST", "/spaces", "application/json", struct{ *strings.Reader }{strings.NewReader(big)})
	if r.status != 413 {
		t.Errorf("big chunked body: %d %s", r.status, r.body)
	}
	// 2 requests used 2 of the burst of 3.
	v.must(200, tok, "GET", "/spaces", nil)
	r = v.do(tok, "GET", "/spaces", nil)
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("over the rate: %d Retry-After=%q %s", r.status, r.header.Get("Retry-After"), r.body)
	}
	r.errorShape(t)
	v.must(200, other, "GET", "/spaces", nil)
	now = now.Add(1100 * time.Millisecond)
	v.must(200, tok, "GET", "/spaces", nil)
}

// TestServe: Start binds a real port on loopback with no warning; the
// self-signed certificate is made once, reused, and its fingerprint is
// the one the client sees; a bad address is a Start error.
func TestServe(t *testing.T) {
	p := newEnv(t, httpapi.Options{})
	dir := t.TempDir()
	s := httpapi.New(p.e, httpapi.Options{Addr: "127.0.0.1:0", SelfSigned: dir})
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if !strings.HasPrefix(s.URL(), "https://127.0.0.1:") || s.Warning() != "" || len(s.Fingerprint()) != 95 {
		t.Fatalf("URL %q warning %q fingerprint %q", s.URL(), s.Warning(), s.Fingerprint())
	}
	conn, err := tls.Dial("tcp", s.Addr(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	cert := conn.ConnectionState().PeerCertificates[0]
	conn.Close()
	if _, err := os.Stat(filepath.Join(dir, httpapi.SelfSignedKey)); err != nil {
		t.Fatal(err)
	}
	s2 := httpapi.New(p.e, httpapi.Options{Addr: "127.0.0.1:0", SelfSigned: dir})
	if err := s2.Start(); err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if s2.Fingerprint() != s.Fingerprint() {
		t.Errorf("the self-signed certificate was made again")
	}
	var pairs []string
	for _, b := range sha256.Sum256(cert.Raw) {
		pairs = append(pairs, fmt.Sprintf("%02X", b))
	}
	if want := strings.Join(pairs, ":"); s.Fingerprint() != want {
		t.Errorf("fingerprint %s is not the served certificate's %s", s.Fingerprint(), want)
	}
	plain := httpapi.New(p.e, httpapi.Options{Addr: "0.0.0.0:0"})
	if err := plain.Start(); err != nil {
		t.Fatal(err)
	}
	if plain.Warning() == "" || plain.Fingerprint() != "" {
		t.Errorf("0.0.0.0 without TLS: warning %q", plain.Warning())
	}
	plain.Close()
	bad := httpapi.New(p.e, httpapi.Options{Addr: "127.0.0.1:99999"})
	if err := bad.Start(); err == nil {
		t.Error("Start on a bad address succeeded")
	}
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestUnknownIDs: every route with an id answers 404 with the error shape
// for an id that does not exist, and so does an event stream anchored at
// a space outside the caller's view.
func TestUnknownIDs(t *testing.T) {
	v := newEnv(t, httpapi.Options{})
	tok := v.admin()
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	v.do("", "GET", "/openapi.json", nil).json(t, &doc)
	n := 0
	for path, item := range doc.Paths {
		if !strings.Contains(path, "{id}") {
			continue
		}
		for method := range item {
			body := "{}"
			if strings.HasSuffix(path, "/properties") && method == "put" {
				body = "[]"
			}
			p := strings.NewReplacer(httpapi.Base, "", "{id}", engine.NewID().String(), "{name}", "x").Replace(path)
			r := v.do(tok, strings.ToUpper(method), p, body)
			if r.status != 404 {
				t.Errorf("%s %s: %d %s, want 404", strings.ToUpper(method), path, r.status, r.body)
			}
			r.errorShape(t)
			n++
		}
	}
	if n < 40 {
		t.Errorf("only %d routes with an id", n)
	}
	b := v.created(tok, "/spaces", map[string]any{"name": "B"})
	other := v.token("stranger", "", "")
	if r := v.do(other, "GET", "/events?spaceId="+b, nil); r.status != 404 {
		t.Errorf("events of a space outside the view: %d %s", r.status, r.body)
	}
	var list []any
	v.must(200, other, "GET", "/spaces", nil).json(t, &list)
	if len(list) != 0 {
		t.Errorf("a principal without roles sees %v", list)
	}
}
