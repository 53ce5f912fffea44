package mqtt_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	mqtt3 "github.com/eclipse/paho.mqtt.golang"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/mqtt"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

const otherHW = testkit.IngressOtherDevice

// CONNACK codes of a refused client id.
const (
	v3IdentifierRejected = 0x02
	v5IDNotValid         = 0x85
	v3BadCredentials     = 0x05 // mochi answers bad credentials with "not authorized"
)

// dial3 connects a paho MQTT 3.1.1 client (clean session, no automatic
// reconnection). lost, if set, is told when the broker drops it. It returns
// the CONNACK return code with the error of a refused connection.
func dial3(t *testing.T, addr, id, user, pass string, lost chan<- error) (mqtt3.Client, byte, error) {
	t.Helper()
	o := mqtt3.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(id).SetProtocolVersion(4).
		SetCleanSession(true).SetAutoReconnect(false).SetConnectRetry(false).
		SetConnectTimeout(5 * time.Second).SetKeepAlive(30 * time.Second).SetWriteTimeout(10 * time.Second).
		SetUsername(user).SetPassword(pass)
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
		t.Fatalf("paho 3.1.1: connect as %s with client id %q timed out", user, id)
	}
	if err := tok.Error(); err != nil {
		return nil, tok.(*mqtt3.ConnectToken).ReturnCode(), err
	}
	t.Cleanup(func() { c.Disconnect(50) })
	return c, 0, nil
}

// dial5 connects a paho MQTT 5 client with a clean start and returns the
// CONNACK (also on refusal).
func dial5(t *testing.T, addr, id, user, pass string, disconnected chan<- *paho.Disconnect) (*paho.Client, *paho.Connack, error) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := paho.NewClient(paho.ClientConfig{Conn: conn, PacketTimeout: 10 * time.Second,
		OnServerDisconnect: func(d *paho.Disconnect) {
			if disconnected != nil {
				select {
				case disconnected <- d:
				default:
				}
			}
		}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	ca, err := c.Connect(ctx, &paho.Connect{ClientID: id, KeepAlive: 30, CleanStart: true,
		Username: user, UsernameFlag: true, Password: []byte(pass), PasswordFlag: true})
	if err != nil {
		conn.Close()
		return nil, ca, err
	}
	t.Cleanup(func() { c.Disconnect(&paho.Disconnect{}) })
	return c, ca, nil
}

// pub3 publishes a CO2 reading at QoS 1 and waits for its PUBACK.
func pub3(c mqtt3.Client, payload string) error {
	tok := c.Publish("devices/"+devHW+"/sensors/"+testkit.QuickstartCO2, 1, false, payload)
	if !tok.WaitTimeout(10 * time.Second) {
		return errors.New("no PUBACK within 10 s")
	}
	return tok.Error()
}

func identityBroker(t *testing.T) (*testkit.Project, *mqtt.Broker) {
	p := openProject(t)
	return p, p.StartBroker(t, mqtt.Options{})
}

// TestClientIDTakeoverRefused: a device with a valid key cannot connect
// with another device's client id (nor with one that begins with it and
// "/", nor with mochi's inline client id) over MQTT 3.1.1 or 5; it is
// refused at CONNECT with "Identifier rejected" / "Client Identifier not
// valid", and the device whose id it tried stays connected and keeps
// getting its PUBACKs.
func TestClientIDTakeoverRefused(t *testing.T) {
	p, b := identityBroker(t)
	addr := b.Addr()
	keyA, keyB := p.DeviceKey(t, devHW), p.DeviceKey(t, otherHW)

	lostA := make(chan error, 1)
	a, _, err := dial3(t, addr, devHW, devHW, keyA, lostA)
	if err != nil {
		t.Fatalf("device A: %v", err)
	}
	if err := pub3(a, "700"); err != nil {
		t.Fatalf("device A before the attack: %v", err)
	}

	for _, id := range []string{devHW, devHW + "/x", "inline"} {
		if c, code, err := dial3(t, addr, id, otherHW, keyB, nil); err == nil {
			c.Disconnect(0)
			t.Errorf("MQTT 3.1.1: device B connected with client id %q", id)
		} else if code != v3IdentifierRejected {
			t.Errorf("MQTT 3.1.1: device B with client id %q: return code %d (%v); want %d (identifier rejected)", id, code, err, v3IdentifierRejected)
		}
		c, ca, err := dial5(t, addr, id, otherHW, keyB, nil)
		if err == nil {
			c.Disconnect(&paho.Disconnect{})
			t.Errorf("MQTT 5: device B connected with client id %q", id)
		} else if ca == nil || ca.ReasonCode != v5IDNotValid {
			t.Errorf("MQTT 5: device B with client id %q: CONNACK %+v (%v); want reason 0x85", id, ca, err)
		} else if ca.Properties == nil || !strings.Contains(ca.Properties.ReasonString, "user name") {
			t.Errorf("MQTT 5: device B with client id %q: reason string %+v; want one naming the rule", id, ca.Properties)
		}
	}
	// mosquitto_pub (libmosquitto) sees the refusal too.
	if path, err := exec.LookPath("mosquitto_pub"); err == nil {
		host, port, _ := net.SplitHostPort(addr)
		out, err := exec.Command(path, "-h", host, "-p", port, "-i", devHW, "-u", otherHW, "-P", keyB, "-q", "1",
			"-t", "devices/"+otherHW+"/sensors/"+testkit.IngressOtherSensor, "-m", "1").CombinedOutput()
		if err == nil || !strings.Contains(strings.ToLower(string(out)), "identifier rejected") {
			t.Errorf("mosquitto_pub as B with A's client id: %v, %q; want refused: identifier rejected", err, out)
		}
	} else {
		t.Errorf("mosquitto_pub is not installed (Debian's mosquitto-clients): %v", err)
	}
	// A wrong key with A's client id is refused for its credentials.
	if _, code, err := dial3(t, addr, devHW, devHW, "wrong", nil); err == nil || code != v3BadCredentials {
		t.Errorf("A's client id with a wrong key: code %d, %v; want %d", code, err, v3BadCredentials)
	}

	select {
	case err := <-lostA:
		t.Fatalf("device A was disconnected by the attempts: %v", err)
	case <-time.After(200 * time.Millisecond):
	}
	if !a.IsConnectionOpen() {
		t.Fatal("device A is no longer connected")
	}
	for i, v := range []string{"701", "702", "703"} {
		if err := pub3(a, v); err != nil {
			t.Fatalf("device A after the attack, message %d: %v", i, err)
		}
	}
	if got := p.SensorValue(t, testkit.QuickstartCO2); got != "703" {
		t.Errorf("CO2 %q after A's messages; want 703", got)
	}
	if s := deviceState(t, p.Engine()); s != engine.Connected {
		t.Errorf("device A is recorded %q; want Connected", s)
	}
	if n := b.Connected(); n != 1 {
		t.Errorf("%d clients connected; want 1 (A)", n)
	}
}

// TestClientIDOwnTakeover: a device reconnecting with its own client id
// takes over its old session (the old connection is closed, as MQTT
// wants) and goes on publishing; it stays recorded Connected. A client id
// that begins with the hardwareId and "/" is its own too and may be open
// beside it.
func TestClientIDOwnTakeover(t *testing.T) {
	p, b := identityBroker(t)
	addr := b.Addr()
	key := p.DeviceKey(t, devHW)

	lost1 := make(chan error, 1)
	c1, _, err := dial3(t, addr, devHW, devHW, key, lost1)
	if err != nil {
		t.Fatal(err)
	}
	if err := pub3(c1, "600"); err != nil {
		t.Fatal(err)
	}
	c2, _, err := dial3(t, addr, devHW, devHW, key, nil)
	if err != nil {
		t.Fatalf("reconnecting with its own client id: %v", err)
	}
	select {
	case <-lost1:
	case <-time.After(5 * time.Second):
		t.Fatal("the old connection was not closed by the takeover")
	}
	if err := pub3(c2, "601"); err != nil {
		t.Fatalf("after the takeover: %v", err)
	}
	if got := p.SensorValue(t, testkit.QuickstartCO2); got != "601" {
		t.Errorf("CO2 %q; want 601", got)
	}
	if s := deviceState(t, p.Engine()); s != engine.Connected {
		t.Errorf("after the takeover the device is %q; want Connected", s)
	}

	// A second connection of its own beside the first.
	c3, _, err := dial3(t, addr, devHW+"/second", devHW, key, nil)
	if err != nil {
		t.Fatalf("client id %s/second: %v", devHW, err)
	}
	if err := pub3(c3, "602"); err != nil {
		t.Fatal(err)
	}
	if err := pub3(c2, "603"); err != nil {
		t.Fatalf("the first connection after the second connected: %v", err)
	}
	if n := b.Connected(); n != 2 {
		t.Errorf("%d connected; want 2", n)
	}
}

// TestClientIDEmptyAssigned: an empty client id is given the device's
// hardwareId (sent back as the assigned client id over MQTT 5), so a
// second connection with an empty id takes the first one's place, and
// another device's empty id never touches it.
func TestClientIDEmptyAssigned(t *testing.T) {
	p, b := identityBroker(t)
	addr := b.Addr()
	key := p.DeviceKey(t, devHW)

	disc := make(chan *paho.Disconnect, 1)
	c5, ca, err := dial5(t, addr, "", devHW, key, disc)
	if err != nil {
		t.Fatal(err)
	}
	if ca.Properties == nil || ca.Properties.AssignedClientID != devHW {
		t.Errorf("assigned client id %+v; want %s", ca.Properties, devHW)
	}
	// Another device with an empty client id: its own session.
	if _, _, err := dial3(t, addr, "", otherHW, p.DeviceKey(t, otherHW), nil); err != nil {
		t.Fatalf("device B with an empty client id: %v", err)
	}
	select {
	case d := <-disc:
		t.Fatalf("device B's empty client id disconnected A: %+v", d)
	case <-time.After(200 * time.Millisecond):
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if r, err := c5.Publish(ctx, &paho.Publish{Topic: "devices/" + devHW + "/sensors/" + testkit.QuickstartCO2, QoS: 1, Payload: []byte("900")}); err != nil || r.ReasonCode != 0 {
		t.Fatalf("A after B connected: %+v, %v", r, err)
	}
	// A again with an empty client id (MQTT 3.1.1, clean session): the
	// same client id, so it takes over A's first connection.
	c3, _, err := dial3(t, addr, "", devHW, key, nil)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case d := <-disc:
		if d.ReasonCode != 0x8E {
			t.Errorf("A's first connection was closed with reason %#x; want 0x8E (session taken over)", d.ReasonCode)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("A's second empty-id connection did not take over the first")
	}
	if err := pub3(c3, "901"); err != nil {
		t.Fatal(err)
	}
	if n := b.Connected(); n != 2 {
		t.Errorf("%d connected; want 2 (A and B)", n)
	}
}

// TestClientIDAllowed is the rule itself.
func TestClientIDAllowed(t *testing.T) {
	for _, c := range []struct {
		user, id string
		ok       bool
	}{
		{"DEV1", "DEV1", true},
		{"DEV1", "", true},
		{"DEV1", "DEV1/a", true},
		{"DEV1", "DEV1/", true},
		{"DEV1", "DEV12", false},
		{"DEV1", "DEV", false},
		{"DEV1", "dev1", false},
		{"DEV1", "x/DEV1", false},
		{"DEV1", "DEV2", false},
		{"inline", "inline", false},
		{"", "x", false},
	} {
		if got := mqtt.ClientIDAllowed(c.user, c.id); got != c.ok {
			t.Errorf("ClientIDAllowed(%q, %q) = %v; want %v", c.user, c.id, got, c.ok)
		}
	}
}

// TestNoSessionLeftBehind: connections of one device that race to take
// each other over, or close right after CONNECT, leave the broker holding
// no session once they are all gone (mochi calls no hook for a connection
// that ends before its CONNACK is written; the broker's sweep forgets
// those).
func TestNoSessionLeftBehind(t *testing.T) {
	p, b := identityBroker(t)
	addr, key := b.Addr(), p.DeviceKey(t, devHW)
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				c, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					continue
				}
				_, _ = c.Write(connectPacket(devHW, devHW, key, 30, true))
				switch i % 3 {
				case 0:
					var ack [4]byte
					_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
					_, _ = io.ReadFull(c, ack[:])
				case 1: // reset the connection while the broker works on the CONNECT
					_ = c.(*net.TCPConn).SetLinger(0)
					time.Sleep(time.Duration(i%7) * 100 * time.Microsecond)
				}
				c.Close()
			}
		}()
	}
	wg.Wait()
	if !waitFor(10*time.Second, func() bool { return b.Connected() == 0 && mqtt.Clients(b) == 0 }) {
		t.Fatalf("%d connected, mochi holds %d clients; want none", b.Connected(), mqtt.Clients(b))
	}
	time.Sleep(100 * time.Millisecond) // the last OnDisconnect hooks
	left := mqtt.Sessions(b)
	mqtt.Sweep(b)
	if n := mqtt.Sessions(b); n != 0 {
		t.Fatalf("%d sessions held after every connection closed (%d before the sweep)", n, left)
	}
	t.Logf("%d sessions of connections that ended before their CONNACK were swept", left)
	if s := deviceState(t, p.Engine()); s != engine.Disconnected {
		t.Errorf("device %q after every connection closed; want Disconnected", s)
	}
}

// TestNoPersistentSession: a session asked to persist is forgotten soon
// after its connection closes: MQTT 5 is told a session expiry of 0 in
// the CONNACK, and an MQTT 3.1.1 device without a clean session finds no
// session present when it comes back.
func TestNoPersistentSession(t *testing.T) {
	p, b := identityBroker(t)
	addr, key := b.Addr(), p.DeviceKey(t, devHW)

	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c := paho.NewClient(paho.ClientConfig{Conn: conn, PacketTimeout: 10 * time.Second})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	expiry := uint32(3600)
	ca, err := c.Connect(ctx, &paho.Connect{ClientID: devHW, KeepAlive: 30, CleanStart: false,
		Username: devHW, UsernameFlag: true, Password: []byte(key), PasswordFlag: true,
		Properties: &paho.ConnectProperties{SessionExpiryInterval: &expiry}})
	if err != nil {
		t.Fatal(err)
	}
	if ca.Properties == nil || ca.Properties.SessionExpiryInterval == nil || *ca.Properties.SessionExpiryInterval != 0 {
		t.Errorf("MQTT 5 CONNACK session expiry %+v; want 0", ca.Properties)
	}
	_ = c.Disconnect(&paho.Disconnect{})

	connect := func() (net.Conn, byte) {
		t.Helper()
		conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write(connectPacket(devHW, devHW, key, 30, false)); err != nil {
			t.Fatal(err)
		}
		var ack [4]byte
		if _, err := io.ReadFull(conn, ack[:]); err != nil || ack[3] != 0 {
			t.Fatalf("CONNACK % x, %v", ack, err)
		}
		return conn, ack[2] & 1
	}
	c1, _ := connect()
	if _, err := c1.Write(subscribePacket(1, "devices/"+devHW+"/#")); err != nil {
		t.Fatal(err)
	}
	if h, _, err := readPacket(bufio.NewReader(c1)); err != nil || h != 0x90 {
		t.Fatalf("SUBACK %#x, %v", h, err)
	}
	c1.Close()
	if !waitFor(5*time.Second, func() bool { return mqtt.Clients(b) == 0 }) {
		t.Fatalf("mochi still keeps %d sessions 5 s after the connection closed", mqtt.Clients(b))
	}
	c2, present := connect()
	defer c2.Close()
	if present != 0 {
		t.Error("session present after the broker should have forgotten it")
	}
}
