package app_test

// Helpers of the end-to-end ingress tests (ingress_test.go, crash_test.go):
// a provisioned project in a real bbolt file, the app with its real mochi
// broker on a free loopback port, and real MQTT clients — paho for MQTT
// 3.1.1 and 5, and Debian's mosquitto_pub / mosquitto_sub.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	mqtt3 "github.com/eclipse/paho.mqtt.golang"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/mqtt"
)

// The test project (testdata/ingress.yaml): the quickstart's Raspberry Pi
// with its two sensors, and a second device to be foreign to it. The
// quickstart example itself (with its UDF) is provisioned by
// TestQuickstartExample.
const (
	ingressYAML    = "testdata/ingress.yaml"
	quickstartYAML = "../examples/quickstart/provision.yaml"

	devHW         = "1234567890AB"
	motionHW      = "SAMPLE_SENSOR_MOTION"
	co2HW         = "SAMPLE_SENSOR_CARBONDIOXIDE"
	otherHW       = "OTHERDEVICE01"
	otherSensorHW = "OTHER_SENSOR_TEMPERATURE"
)

// project is a provisioned project file and what the tests need from it.
type project struct {
	path     string
	key      string // devHW's MQTT password
	otherKey string // otherHW's, if provisioned
	motion   engine.ID
	co2      engine.ID
	other    engine.ID // otherSensorHW, if provisioned
}

// provision creates a project file in a fresh temporary folder from
// provisioning files (default testdata/ingress.yaml), and closes it. The
// files must hold both devices.
func provision(t testing.TB, files ...string) project {
	t.Helper()
	if len(files) == 0 {
		files = []string{ingressYAML}
	}
	p := project{path: filepath.Join(t.TempDir(), "ingress.twin")}
	a, err := app.Open(p.path, app.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if _, err := a.ProvisionFile(f); err != nil {
			a.Close()
			t.Fatalf("provision %s: %v", f, err)
		}
	}
	err = a.Engine().View(func(v *engine.View) error {
		d, ok := v.DeviceByHardwareID(devHW)
		if !ok || d.Key == "" {
			return fmt.Errorf("device %s: not provisioned or without a key", devHW)
		}
		p.key = d.Key
		if d, ok := v.DeviceByHardwareID(otherHW); ok {
			p.otherKey = d.Key
		}
		for hw, id := range map[string]*engine.ID{motionHW: &p.motion, co2HW: &p.co2, otherSensorHW: &p.other} {
			if s, ok := v.SensorByHardwareID(hw); ok {
				*id = s.ID
			} else if hw != otherSensorHW {
				return fmt.Errorf("sensor %s not provisioned", hw)
			}
		}
		return nil
	})
	if err != nil {
		a.Close()
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	return p
}

// env is an open project with its broker listening on a free port.
type env struct {
	project
	t    *testing.T
	a    *app.App
	addr string
	logs *syncBuffer
}

// newEnv provisions a project and opens it with the broker on a free
// loopback port. The app is closed when the test ends; its log is shown if
// the test failed.
func newEnv(t *testing.T, files ...string) *env {
	t.Helper()
	p := provision(t, files...)
	e := &env{project: p, t: t, logs: &syncBuffer{}}
	e.open()
	t.Cleanup(func() {
		if err := closeWithin(e.a, 30*time.Second); err != nil {
			t.Errorf("close: %v", err)
		}
		if t.Failed() {
			t.Logf("app log:\n%s", e.logs.String())
		}
	})
	return e
}

// closeWithin closes a, or gives up after d with every goroutine's stack
// (a stuck close must fail the test, not hang the run).
func closeWithin(a *app.App, d time.Duration) error {
	done := make(chan error, 1)
	go func() { done <- a.Close() }()
	select {
	case err := <-done:
		return err
	case <-time.After(d):
		buf := make([]byte, 1<<20)
		return fmt.Errorf("still closing after %v; goroutines:\n%s", d, buf[:runtime.Stack(buf, true)])
	}
}

func (e *env) open() {
	e.t.Helper()
	log := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.Open(e.path, app.Options{Logger: log, Broker: &mqtt.Options{Addr: "127.0.0.1:0"}})
	if err != nil {
		e.t.Fatal(err)
	}
	e.a, e.addr = a, a.Broker().Addr()
}

// reopen closes the app and opens the file again (a restart).
func (e *env) reopen() {
	e.t.Helper()
	if err := closeWithin(e.a, 30*time.Second); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

// value is a sensor's current value.
func (e *env) value(id engine.ID) (engine.Value, bool) {
	var val engine.Value
	var ok bool
	e.a.Engine().View(func(v *engine.View) error {
		val, ok = v.SensorValue(id)
		return nil
	})
	return val, ok
}

// waitValue waits until sensor id has value want.
func (e *env) waitValue(id engine.ID, want string) engine.Value {
	e.t.Helper()
	var got engine.Value
	eventually(e.t, 5*time.Second, func() bool {
		var ok bool
		got, ok = e.value(id)
		return ok && got.Value == want
	}, func() string { return fmt.Sprintf("sensor %s: value %q, want %q", id, got.Value, want) })
	return got
}

// device is a copy of a device as the engine holds it now.
func (e *env) device(hw string) engine.Device {
	var d engine.Device
	e.a.Engine().View(func(v *engine.View) error {
		if p, ok := v.DeviceByHardwareID(hw); ok {
			d = *p
		}
		return nil
	})
	return d
}

func (e *env) stats() engine.IngressStats { return e.a.Pipeline().Stats() }

// lastRejection is the most recent rejection, or the zero value.
func (e *env) lastRejection() engine.Rejection {
	rs := e.a.Pipeline().Rejections()
	if len(rs) == 0 {
		return engine.Rejection{}
	}
	return rs[len(rs)-1]
}

// eventually polls cond until it holds or timeout passes.
func eventually(t testing.TB, timeout time.Duration, cond func() bool, msg func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", timeout, msg())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// ---- paho, MQTT 3.1.1 ----

// clientID is the MQTT client id a test client of user connects with. The
// broker accepts only client ids that belong to the user name (the
// hardwareId, or it followed by "/" and a suffix), so a test's own id
// becomes the suffix; without a user name it is used as it is.
func clientID(user, id string) string {
	if user == "" || id == "" {
		return id
	}
	return user + "/" + id
}

// paho3Options are a test client's options: no reconnection, clean session.
func paho3Options(addr, id, user, pass string) *mqtt3.ClientOptions {
	o := mqtt3.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(clientID(user, id)).SetProtocolVersion(4).
		SetCleanSession(true).SetAutoReconnect(false).SetConnectRetry(false).
		SetConnectTimeout(5 * time.Second).SetKeepAlive(30 * time.Second).SetWriteTimeout(10 * time.Second)
	if user != "" {
		o.SetUsername(user)
	}
	if pass != "" {
		o.SetPassword(pass)
	}
	return o
}

// connect3 connects a paho 3.1.1 client; it is disconnected when the test
// ends. lost, if set, is told when the broker drops the connection.
func connect3(t testing.TB, addr, id, user, pass string, lost chan<- error) (mqtt3.Client, error) {
	o := paho3Options(addr, id, user, pass)
	if lost != nil {
		o.SetConnectionLostHandler(func(_ mqtt3.Client, err error) {
			select {
			case lost <- err:
			default:
			}
		})
	}
	c := mqtt3.NewClient(o)
	tok := c.Connect()
	if !tok.WaitTimeout(10 * time.Second) {
		return nil, errors.New("paho 3.1.1: connect timed out")
	}
	if err := tok.Error(); err != nil {
		return nil, err
	}
	t.Cleanup(func() { c.Disconnect(50) })
	return c, nil
}

func (e *env) connect3(id, user, pass string) mqtt3.Client {
	e.t.Helper()
	c, err := connect3(e.t, e.addr, id, user, pass, nil)
	if err != nil {
		e.t.Fatalf("paho 3.1.1 connect as %q: %v", user, err)
	}
	return c
}

// publish3 publishes and waits for the PUBACK (QoS 1) or the write (QoS 0).
func publish3(t testing.TB, c mqtt3.Client, topic string, qos byte, payload any) error {
	t.Helper()
	tok := c.Publish(topic, qos, false, payload)
	if !tok.WaitTimeout(10 * time.Second) {
		return errors.New("paho 3.1.1: publish timed out")
	}
	return tok.Error()
}

// subscribe3 subscribes and returns the SUBACK return code.
func subscribe3(t testing.TB, c mqtt3.Client, filter string) byte {
	t.Helper()
	tok := c.Subscribe(filter, 1, func(mqtt3.Client, mqtt3.Message) {})
	if !tok.WaitTimeout(10 * time.Second) {
		t.Fatalf("paho 3.1.1: subscribe %s timed out", filter)
	}
	if err := tok.Error(); err != nil {
		t.Fatalf("paho 3.1.1: subscribe %s: %v", filter, err)
	}
	code, ok := tok.(*mqtt3.SubscribeToken).Result()[filter]
	if !ok {
		t.Fatalf("paho 3.1.1: no SUBACK code for %s", filter)
	}
	return code
}

// ---- paho, MQTT 5 ----

// client5 is a paho MQTT 5 client and what the server told it.
type client5 struct {
	*paho.Client
	disconnected chan *paho.Disconnect // server DISCONNECTs
}

// connect5 connects a paho MQTT 5 client; it is disconnected when the test
// ends. On refusal it returns the CONNACK too.
func connect5(t testing.TB, addr, id, user, pass string) (*client5, *paho.Connack, error) {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return nil, nil, err
	}
	c5 := &client5{disconnected: make(chan *paho.Disconnect, 1)}
	c5.Client = paho.NewClient(paho.ClientConfig{
		Conn:          conn,
		PacketTimeout: 10 * time.Second,
		OnServerDisconnect: func(d *paho.Disconnect) {
			select {
			case c5.disconnected <- d:
			default:
			}
		},
	})
	cp := &paho.Connect{ClientID: clientID(user, id), KeepAlive: 30, CleanStart: true}
	if user != "" {
		cp.Username, cp.UsernameFlag = user, true
	}
	if pass != "" {
		cp.Password, cp.PasswordFlag = []byte(pass), true
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ca, err := c5.Connect(ctx, cp)
	if err != nil {
		return nil, ca, err
	}
	t.Cleanup(func() { c5.Disconnect(&paho.Disconnect{ReasonCode: 0}) })
	return c5, ca, nil
}

func (e *env) connect5(id, user, pass string) *client5 {
	e.t.Helper()
	c, _, err := connect5(e.t, e.addr, id, user, pass)
	if err != nil {
		e.t.Fatalf("paho 5 connect as %q: %v", user, err)
	}
	return c
}

// publish5 publishes and returns the PUBACK reason code (QoS 1) and the
// client's error.
func publish5(c *client5, topic string, qos byte, payload []byte, user ...paho.UserProperty) (byte, error) {
	p := &paho.Publish{Topic: topic, QoS: qos, Payload: payload}
	if len(user) > 0 {
		p.Properties = &paho.PublishProperties{User: user}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := c.Publish(ctx, p)
	if r == nil {
		return 0xff, err
	}
	return r.ReasonCode, err
}

// subscribe5 subscribes and returns the SUBACK reason code.
func subscribe5(t testing.TB, c *client5, filter string) byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sa, err := c.Subscribe(ctx, &paho.Subscribe{Subscriptions: []paho.SubscribeOptions{{Topic: filter, QoS: 1}}})
	if sa == nil {
		t.Fatalf("paho 5: subscribe %s: %v", filter, err)
	}
	if len(sa.Reasons) != 1 {
		t.Fatalf("paho 5: subscribe %s: %d reason codes", filter, len(sa.Reasons))
	}
	return sa.Reasons[0]
}

// MQTT 5 reason codes the tests expect.
const (
	rcBadUserOrPassword = 0x86
	rcNotAuthorized     = 0x87
	rcPacketTooLarge    = 0x95
	v3SubackFailure     = 0x80
)

// ---- mosquitto_pub / mosquitto_sub ----

// requireTool fails (never skips) when a command-line client is missing:
// CI must run these tests.
func requireTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: run `make deps` (it installs Debian's mosquitto-clients); "+
			"the ingress tests need it and do not skip without it", name)
	}
	return p
}

// mosquitto runs mosquitto_pub or mosquitto_sub against the broker with
// credentials (user and pass may be empty) and returns its combined output
// and exit status (-1: did not run or was killed by the timeout). With a
// user, a client id given with -i is made the user's (clientID), and
// without one the client id is the user name.
func (e *env) mosquitto(tool, user, pass string, args ...string) (string, int) {
	e.t.Helper()
	path := requireTool(e.t, tool)
	host, port, _ := net.SplitHostPort(e.addr)
	all := []string{"-h", host, "-p", port}
	if user != "" {
		all = append(all, "-u", user)
		args = append([]string(nil), args...)
		hasID := false
		for i := 0; i+1 < len(args); i++ {
			if args[i] == "-i" {
				args[i+1], hasID = clientID(user, args[i+1]), true
			}
		}
		if !hasID {
			all = append(all, "-i", user)
		}
	}
	if pass != "" {
		all = append(all, "-P", pass)
	}
	all = append(all, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, all...)
	out, err := cmd.CombinedOutput()
	code := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ctx.Err() != nil {
			e.t.Fatalf("%s %s: %v\n%s", tool, strings.Join(all, " "), err, out)
		}
		code = ee.ExitCode()
		if code == -1 { // killed by a signal
			code = 128
		}
	}
	return string(out), code
}

// ---- logs ----

// syncBuffer is a bytes.Buffer safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var _ io.Writer = (*syncBuffer)(nil)
