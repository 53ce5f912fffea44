package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/httpapi"
	"github.com/twinstudio/twinstudio/engine/mqtt"
)

const e2eUDF = `function process(telemetry, executionContext) {
    var sensor = getSensorMetadata(telemetry.SensorId);
    var reading = JSON.parse(telemetry.Message);
    setSensorValue(telemetry.SensorId, sensor.DataType, reading.SensorValue);
    setSpaceValue(sensor.Space().Id, "LastTemperature", reading.SensorValue);
}
`

// apiClient is a REST client session against a running app.
type apiClient struct {
	t     *testing.T
	base  string
	token string
}

// curl runs the curl binary with the token and returns its stdout; a
// failing request (curl -f) fails the test.
func (c *apiClient) curl(args ...string) []byte {
	c.t.Helper()
	path := requireTool(c.t, "curl")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	all := append([]string{"-sS", "-f", "-H", "Authorization: Bearer " + c.token}, args...)
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, path, all...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		c.t.Fatalf("curl %s: %v: %s %s", strings.Join(args, " "), err, out, stderr.String())
	}
	return out
}

// do is a net/http request; it fails the test unless the status is want.
func (c *apiClient) do(want int, method, path string, body any, out any) {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, res.StatusCode, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			c.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// TestAPIClientSession: a client creates a space, a device, sensors, a
// matcher, a UDF (multipart, with curl) and a role assignment over REST;
// the device sends telemetry with mosquitto_pub; the client reads
// spaces?includes=values and receives the changes on SSE.
func TestAPIClientSession(t *testing.T) {
	requireTool(t, "mosquitto_pub")
	a, err := app.Open(filepath.Join(t.TempDir(), "api.twin"), app.Options{Broker: &mqtt.Options{Addr: "127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := closeWithin(a, 30*time.Second); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	var secret string
	err = a.Engine().Update(func(tx *engine.Tx) error {
		p := engine.Principal{Type: engine.ObjectServicePrincipalID, ID: "client"}
		if err := tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleSpaceAdministrator, ObjectID: "client",
			ObjectIDType: engine.ObjectServicePrincipalID, Path: "/"}); err != nil {
			return err
		}
		var err error
		secret, _, err = tx.CreateToken(p, "client", time.Time{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := a.StartHTTP(httpapi.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if a.HTTP() != srv || srv.Warning() != "" {
		t.Fatalf("HTTP() = %v, warning %q", a.HTTP(), srv.Warning())
	}
	if _, err := a.StartHTTP(httpapi.Options{Addr: "127.0.0.1:0"}); err == nil {
		t.Error("a second StartHTTP succeeded")
	}
	c := &apiClient{t: t, base: srv.URL() + httpapi.Base, token: secret}

	var building, room, dev, temp, motion, matcher, udf string
	if err := json.Unmarshal(c.curl("-H", "Content-Type: application/json", "-d", `{"name":"Site","type":"Venue"}`, c.base+"/spaces"), &building); err != nil {
		t.Fatal(err)
	}
	c.do(201, "POST", "/spaces", map[string]any{"name": "Room 1", "type": "Room", "parentSpaceId": building}, &room)
	c.do(201, "POST", "/devices", map[string]any{"name": "Pi", "spaceId": room, "hardwareId": "E2E-DEV"}, &dev)
	c.do(201, "POST", "/sensors", map[string]any{"deviceId": dev, "hardwareId": "E2E-TEMP", "dataType": "Temperature"}, &temp)
	c.do(201, "POST", "/sensors", map[string]any{"deviceId": dev, "hardwareId": "E2E-MOTION", "dataType": "Motion"}, &motion)
	json.Unmarshal(c.curl("-H", "Content-Type: application/json", "-d",
		`{"name":"Temperatures","spaceId":"`+room+`","conditions":[{"target":"Sensor","path":"$.dataType","value":"\"Temperature\"","comparison":"Equals"}]}`,
		c.base+"/matchers"), &matcher)
	script := filepath.Join(t.TempDir(), "udf.js")
	os.WriteFile(script, []byte(e2eUDF), 0o644)
	meta := `{"name":"Recorder","spaceId":"` + room + `","matchers":["` + matcher + `"]}`
	if err := json.Unmarshal(c.curl("-F", "metadata="+meta+";type=application/json", "-F", "contents=@"+script+";type=text/javascript",
		c.base+"/userdefinedfunctions"), &udf); err != nil || udf == "" {
		t.Fatalf("UDF by multipart: %q %v", udf, err)
	}
	var ra string
	c.do(201, "POST", "/roleassignments", map[string]any{"roleId": engine.RoleSpaceAdministrator.String(), "objectId": udf,
		"objectIdType": "UserDefinedFunctionId", "path": "/" + building}, &ra)
	var device struct {
		DeviceKey string `json:"deviceKey"`
	}
	c.do(200, "GET", "/devices/"+dev+"?includes=deviceKey", nil, &device)
	if device.DeviceKey == "" {
		t.Fatal("no device key")
	}

	// The event stream, then telemetry from the device.
	req, _ := http.NewRequest("GET", c.base+"/events?types=SensorChange,SpaceChange&spaceId="+building, nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("events: %v %v", err, res)
	}
	defer res.Body.Close()
	events := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(res.Body)
		typ := ""
		for sc.Scan() {
			switch l := sc.Text(); {
			case strings.HasPrefix(l, "event: "):
				typ = l[7:]
			case strings.HasPrefix(l, "data: "):
				events <- typ + " " + l[6:]
			}
		}
		close(events)
	}()
	time.Sleep(100 * time.Millisecond) // the stream is subscribed once its headers arrived
	addr := a.Broker().Addr()
	host, port, _ := strings.Cut(addr, ":")
	out, err := exec.Command(requireTool(t, "mosquitto_pub"), "-h", host, "-p", port, "-u", "E2E-DEV", "-P", device.DeviceKey,
		"-i", "E2E-DEV", "-q", "1", "-t", engine.SensorTopic("E2E-DEV", "E2E-TEMP"), "-m", `{"SensorValue":"21.5"}`).CombinedOutput()
	if err != nil {
		t.Fatalf("mosquitto_pub: %v %s", err, out)
	}
	var sawSensor, sawSpace bool
	deadline := time.After(15 * time.Second)
	for !sawSensor || !sawSpace {
		select {
		case ev, ok := <-events:
			if !ok {
				t.Fatal("the event stream ended")
			}
			sawSensor = sawSensor || strings.HasPrefix(ev, "SensorChange ") && strings.Contains(ev, temp) && strings.Contains(ev, `"Value":"21.5"`)
			sawSpace = sawSpace || strings.HasPrefix(ev, "SpaceChange ") && strings.Contains(ev, room) && strings.Contains(ev, "LastTemperature")
		case <-deadline:
			t.Fatalf("no SensorChange and SpaceChange on SSE (sensor %v, space %v)", sawSensor, sawSpace)
		}
	}
	var spaces []struct {
		Name   string `json:"name"`
		Values []struct{ Type, Value string }
	}
	if err := json.Unmarshal(c.curl(c.base+"/spaces?includes=values&names=Room%201"), &spaces); err != nil {
		t.Fatal(err)
	}
	if len(spaces) != 1 || len(spaces[0].Values) != 1 || spaces[0].Values[0].Type != "LastTemperature" || spaces[0].Values[0].Value != "21.5" {
		t.Errorf("spaces?includes=values = %+v", spaces)
	}
	var val struct{ Value string }
	c.do(200, "GET", "/sensors/"+temp+"/value", nil, &val)
	if val.Value != "21.5" {
		t.Errorf("sensor value = %+v", val)
	}
	var stats map[string]any
	c.do(200, "GET", "/system/stats", nil, &stats)
	if stats["app"] == nil {
		t.Errorf("stats without the app's fields: %v", stats)
	}
	var bad map[string]any
	c.do(400, "POST", "/userdefinedfunctions", map[string]any{"name": "Broken", "spaceId": room, "script": "function ("}, &bad)
}
