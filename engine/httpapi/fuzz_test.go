package httpapi_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/twinstudio/twinstudio/engine/httpapi"
)

// fuzzEnv is the isolation project served without rate limits, with an
// administrator's token and the ids of a room, a device and a sensor.
func fuzzEnv(f *testing.F) (*env, string, *strings.Replacer) {
	v := newEnv(f, httpapi.Options{Rate: 1e9, Burst: 1 << 30})
	if _, err := v.p.ProvisionYAML(f, isolationYAML, map[string]string{"f.js": "function process(t, c) {}"}); err != nil {
		f.Fatal(err)
	}
	tok := v.admin()
	ids := map[string]string{}
	for route, field := range map[string]string{"spaces": "name", "devices": "name", "sensors": "hardwareId", "matchers": "name"} {
		var list []map[string]any
		r := v.must(200, tok, "GET", "/"+route, nil)
		if err := json.Unmarshal(r.body, &list); err != nil {
			f.Fatal(err)
		}
		for _, o := range list {
			if s, _ := o[field].(string); strings.HasPrefix(s, "A-") {
				ids[route] = o["id"].(string)
			}
		}
	}
	return v, tok, strings.NewReplacer("$SPACE", ids["spaces"], "$DEVICE", ids["devices"], "$SENSOR", ids["sensors"], "$MATCHER", ids["matchers"])
}

// answer serves one request and fails on a 5xx, a panic, or an error
// without the {"error": {"code", "message"}} shape.
func answer(t *testing.T, v *env, tok, method, target string, body []byte) {
	req, err := http.NewRequest(method, target, bytes.NewReader(body))
	if err != nil {
		return // not a request a client could send
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	v.s.Handler().ServeHTTP(rec, req)
	if rec.Code >= 500 {
		t.Fatalf("%s %s %q: %d %s", method, target, body, rec.Code, rec.Body)
	}
	if rec.Code >= 400 {
		var b struct {
			Error *struct{ Code, Message string } `json:"error"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || b.Error == nil || b.Error.Code == "" || b.Error.Message == "" {
			t.Fatalf("%s %s %q: %d with body %q", method, target, body, rec.Code, rec.Body)
		}
	}
}

// FuzzCreatePatchBody sends arbitrary JSON bodies to the create and
// patch routes: never a 5xx, always the error shape.
func FuzzCreatePatchBody(f *testing.F) {
	v, tok, ids := fuzzEnv(f)
	routes := []struct{ method, path string }{
		{"POST", "/spaces"}, {"PATCH", "/spaces/$SPACE"}, {"POST", "/devices"}, {"PATCH", "/devices/$DEVICE"},
		{"POST", "/sensors"}, {"PATCH", "/sensors/$SENSOR"}, {"POST", "/users"}, {"POST", "/matchers"},
		{"PATCH", "/matchers/$MATCHER"}, {"POST", "/userdefinedfunctions"}, {"POST", "/propertykeys"}, {"POST", "/types"},
		{"POST", "/endpoints"}, {"POST", "/roleassignments"}, {"PUT", "/spaces/$SPACE/properties"},
		{"POST", "/spaces/$SPACE/properties"}, {"PUT", "/spaces/$SPACE/values/Temp"}, {"PATCH", "/ontologies/1"},
	}
	for i, seed := range []string{
		`{"name": "X", "parentSpaceId": "$SPACE", "type": "Room"}`, `{"name": "D", "spaceId": "$SPACE", "hardwareId": "FZ"}`,
		`{"deviceId": "$DEVICE", "dataType": "Temperature"}`, `{"upn": "f@x.org", "spaceId": "$SPACE"}`,
		`{"name": "M", "spaceId": "$SPACE", "conditions": [{"target": "Sensor", "path": "$.dataType", "value": "1", "comparison": "Equals"}]}`,
		`{"name": "F", "spaceId": "$SPACE", "script": "function process(){}", "matchers": ["$MATCHER"]}`,
		`[{"name": "Floors", "value": "3"}]`, `{"value": "22"}`, `{"loaded": false}`, `{"location": {"longitude": 1e400}}`,
		`{"name": null}`, `[]`, `"x"`, `{}`, ``, `{"typeId": -1}`, `{"parentSpaceId": "$SPACE"}`,
	} {
		f.Add(uint8(i), seed)
	}
	f.Fuzz(func(t *testing.T, route uint8, body string) {
		r := routes[int(route)%len(routes)]
		answer(t, v, tok, r.method, httpapi.Base+ids.Replace(r.path), []byte(ids.Replace(body)))
	})
}

// FuzzQuery sends arbitrary query strings to the list and read routes.
func FuzzQuery(f *testing.F) {
	v, tok, ids := fuzzEnv(f)
	paths := []string{"/spaces", "/devices", "/sensors", "/users", "/matchers", "/userdefinedfunctions", "/types",
		"/propertykeys", "/roleassignments", "/ontologies", "/endpoints", "/resources", "/spaces/$SPACE",
		"/sensors/$SENSOR/values", "/devices/$DEVICE"}
	for i, seed := range []string{
		"spaceId=$SPACE&traverse=Down&minLevel=1&minRelative=true", "traverse=Span&spaceId=$SPACE&minRelative=true&minLevel=0",
		"includes=values,devices,sensors", "$top=1&$skip=2", "types=Room;Floor&names=A-Room", "propertyKey=x&propertyValue=y",
		"from=2020-01-01T00:00:00Z&to=2030-01-01T00:00:00Z", "maxLevel=-1&maxRelative=true&spaceId=$SPACE&traverse=Up",
		"ids=$SPACE,nope", "%zz", "categories=SpaceType&system=true", "path=/&traverse=Down",
	} {
		f.Add(uint8(i), seed)
	}
	f.Fuzz(func(t *testing.T, path uint8, query string) {
		p := paths[int(path)%len(paths)]
		target := httpapi.Base + ids.Replace(p) + "?" + ids.Replace(query)
		answer(t, v, tok, "GET", target, nil)
	})
}
