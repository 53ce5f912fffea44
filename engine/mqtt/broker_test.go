package mqtt_test

// Tests of the broker adapter's own behaviour, on projects opened with
// internal/testkit (no app); the end-to-end ingress tests with real MQTT
// clients are in app/ingress_test.go and app/crash_test.go.

import (
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/mqtt"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

const devHW = testkit.QuickstartDevice

// openProject opens a project provisioned with the kit's Ingress snippet
// (two devices, no UDFs) in a real bbolt file, without a broker; it is
// closed when the test ends.
func openProject(t *testing.T) *testkit.Project {
	t.Helper()
	p := testkit.Open(t, "", testkit.Options{})
	if _, err := p.ProvisionYAML(t, testkit.Ingress.YAML, nil); err != nil {
		t.Fatal(err)
	}
	return p
}

func deviceState(t *testing.T, e *engine.Engine) string {
	t.Helper()
	var s string
	e.View(func(v *engine.View) error {
		d, ok := v.DeviceByHardwareID(devHW)
		if !ok {
			t.Fatalf("no device %s", devHW)
		}
		s = d.ConnectionState
		return nil
	})
	return s
}

// send submits a QoS 1 message as the device would and waits for it.
func send(t *testing.T, p *testkit.Project, sensor, payload string) {
	t.Helper()
	p.MustSend(t, testkit.Message{Device: devHW, Sensor: sensor, Payload: payload})
}

// TestNotStarted: a broker that is not started answers with errors, not
// panics, and closes.
func TestNotStarted(t *testing.T) {
	a := openProject(t)
	b := mqtt.New(a.Engine(), a.Pipeline(), mqtt.Options{Addr: "127.0.0.1:0"})
	if err := b.Subscribe("#", 1, func(string, []byte) {}); err == nil {
		t.Error("Subscribe before Start: no error")
	}
	if err := b.Publish("x", nil); err == nil {
		t.Error("Publish before Start: no error")
	}
	if err := b.Unsubscribe("#", 1); err == nil {
		t.Error("Unsubscribe before Start: no error")
	}
	if b.Connected() != 0 || b.WSAddr() != "" {
		t.Errorf("Connected %d, WSAddr %q", b.Connected(), b.WSAddr())
	}
	if err := b.Close(); err != nil {
		t.Error(err)
	}
}

// TestAddressInUse: Start fails with the address when a listener cannot
// bind, for TCP and for WebSocket, and leaves nothing listening.
func TestAddressInUse(t *testing.T) {
	a := openProject(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := l.Addr().String()
	for _, o := range []mqtt.Options{{Addr: busy}, {Addr: "127.0.0.1:0", WSAddr: busy}} {
		b := mqtt.New(a.Engine(), a.Pipeline(), o)
		err := b.Start()
		if err == nil {
			b.Close()
			t.Fatalf("%+v: started with %s in use", o, busy)
		}
		if !strings.Contains(err.Error(), busy) {
			t.Errorf("%+v: error %q does not name %s", o, err, busy)
		}
	}
	// The free port of the failed WebSocket start is free again.
	b := mqtt.New(a.Engine(), a.Pipeline(), mqtt.Options{Addr: "127.0.0.1:0", WSAddr: "127.0.0.1:0"})
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	if b.WSAddr() == "127.0.0.1:0" || b.WSAddr() == b.Addr() {
		t.Errorf("WSAddr %s, Addr %s: want two bound ports", b.WSAddr(), b.Addr())
	}
	b.Close()
}

// TestStartResetsConnectionState: devices a killed server left Connected
// are Disconnected once a broker starts.
func TestStartResetsConnectionState(t *testing.T) {
	a := openProject(t)
	if err := a.Engine().SetDeviceConnection(devHW, true, time.Now()); err != nil {
		t.Fatal(err)
	}
	if s := deviceState(t, a.Engine()); s != engine.Connected {
		t.Fatalf("state %q", s)
	}
	b := mqtt.New(a.Engine(), a.Pipeline(), mqtt.Options{Addr: "127.0.0.1:0"})
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if s := deviceState(t, a.Engine()); s != engine.Disconnected {
		t.Errorf("after Start the device is %q; want Disconnected", s)
	}
}

// TestForwarderFallsBehind: when the event forwarder cannot keep up, the
// bus drops its subscription; the broker counts that, subscribes again and
// keeps forwarding. Closing the broker meanwhile is race-free.
func TestForwarderFallsBehind(t *testing.T) {
	a := openProject(t)
	b := mqtt.New(a.Engine(), a.Pipeline(), mqtt.Options{Addr: "127.0.0.1:0", EventBuffer: 1})
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	release := make(chan struct{})
	got := make(chan string, 1024)
	var first sync.Once
	if err := b.Subscribe("twins/events/SensorChange/#", 1, func(topic string, payload []byte) {
		first.Do(func() { <-release }) // the forwarder is stuck here
		got <- string(payload)
	}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		send(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", "1")
	}
	close(release)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, dropped := b.EventStats(); dropped >= 1 && a.Engine().Events().Subscribers() == 1 {
			break
		}
		if time.Now().After(deadline) {
			_, dropped := b.EventStats()
			t.Fatalf("dropped %d, %d bus subscribers; want the forwarder dropped and back", dropped, a.Engine().Events().Subscribers())
		}
		time.Sleep(5 * time.Millisecond)
	}
	send(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", "4242")
	timeout := time.After(5 * time.Second)
	for {
		select {
		case p := <-got:
			if strings.Contains(p, `"Value":"4242"`) {
				return
			}
		case <-timeout:
			t.Fatal("no event forwarded after the forwarder subscribed again")
		}
	}
}

// TestTopologyOperationEvents: a studio-style edit (through the Editor)
// reaches subscribers as a TopologyOperation event on
// twins/events/TopologyOperation/{id}, in the Event Grid envelope.
func TestTopologyOperationEvents(t *testing.T) {
	p := openProject(t)
	b := p.StartBroker(t, mqtt.Options{})
	got := make(chan string, 16)
	if err := b.Subscribe("twins/events/TopologyOperation/#", 1, func(topic string, payload []byte) {
		got <- topic + " " + string(payload)
	}); err != nil {
		t.Fatal(err)
	}
	var room engine.Space
	ed := engine.NewEditor(p.Engine(), 0)
	if err := ed.Do("Add room", func(tx *engine.Tx) error {
		f, err := tx.ResolveSpace("/Quickstart Building/Floor 1")
		if err != nil {
			return err
		}
		room = engine.Space{Name: "Room 2", ParentID: f}
		return tx.CreateSpace(&room)
	}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-got:
		topic, payload, _ := strings.Cut(m, " ")
		if topic != "twins/events/TopologyOperation/"+room.ID.String() {
			t.Errorf("topic %s", topic)
		}
		var env struct {
			ID, Subject, EventType, EventTime, DataVersion, MetadataVersion string
			Data                                                            engine.TopologyOperationData
		}
		if err := json.Unmarshal([]byte(payload), &env); err != nil {
			t.Fatal(err)
		}
		if env.ID == "" || env.EventTime == "" || env.EventType != "TopologyOperation" || env.Subject != "Space" ||
			env.DataVersion == "" || env.MetadataVersion != "1" {
			t.Errorf("envelope %s", payload)
		}
		if d := env.Data; d.ID != room.ID.String() || d.Type != "Space" || d.AccessType != engine.ActionCreate || len(d.SpacesToNotify) != 3 {
			t.Errorf("data %+v", d)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no TopologyOperation event")
	}
}

// TestEventTypesOfFilter: which event types a topic filter can receive.
func TestEventTypesOfFilter(t *testing.T) {
	all := engine.AllEvents &^ engine.MaskOf("other")
	sc, sp := engine.MaskOf(engine.EventSensorChange), engine.MaskOf(engine.EventSpaceChange)
	for _, c := range []struct {
		filter string
		want   engine.EventMask
	}{
		{"#", all},
		{"twins/#", all},
		{"twins/events/#", all},
		{"twins/events/+/+", all},
		{"+/+/+/+", all},
		{"$share/g/twins/events/SpaceChange/#", sp},
		{"twins/events/SensorChange/#", sc},
		{"twins/events/SensorChange/+", sc},
		{"twins/events/SensorChange/0b1c2d", sc},
		{"twins/events/SensorChange", 0},  // no id level
		{"twins/events/SensorChange/", 0}, // empty id
		{"twins/events/SensorChange/x/y", 0},
		{"twins/events/SensorChange/x/#", sc},
		{"twins/events", 0},
		{"twins/+", 0},
		{"devices/#", 0},
		{"twins/events/Nope/#", 0},
		{"+/+/+", 0},
	} {
		if got := mqtt.EventTypes(c.filter); got != c.want {
			t.Errorf("EventTypes(%q) = %b, want %b", c.filter, got, c.want)
		}
	}
}

// TestForwarderAsksOnlyForSubscribedTypes: with no inline subscription on
// twins/events/… the broker's forwarder asks the engine for no events (so
// none are built); subscribing to one type asks for that type only, and
// its events arrive; unsubscribing asks for none again.
func TestForwarderAsksOnlyForSubscribedTypes(t *testing.T) {
	a := openProject(t)
	b := a.StartBroker(t, mqtt.Options{})
	bus := a.Engine().Events()
	if got := bus.Interest(); got != 0 {
		t.Fatalf("interest with no subscriber = %b, want none", got)
	}
	got := make(chan string, 64)
	if err := b.Subscribe("twins/events/SensorChange/#", 7, func(topic string, payload []byte) { got <- topic }); err != nil {
		t.Fatal(err)
	}
	if want := engine.MaskOf(engine.EventSensorChange); bus.Interest() != want {
		t.Fatalf("interest = %b, want %b (SensorChange only)", bus.Interest(), want)
	}
	send(t, a, "SAMPLE_SENSOR_CARBONDIOXIDE", "612")
	select {
	case topic := <-got:
		if !strings.HasPrefix(topic, "twins/events/SensorChange/") {
			t.Fatalf("topic %q", topic)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no SensorChange event forwarded")
	}
	if err := b.Unsubscribe("twins/events/SensorChange/#", 7); err != nil {
		t.Fatal(err)
	}
	if got := bus.Interest(); got != 0 {
		t.Fatalf("interest after unsubscribing = %b, want none", got)
	}
}
