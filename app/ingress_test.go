package app_test

// End-to-end tests of telemetry ingress (docs/mqtt.md: topics, payloads, events): a
// real project file, the app's real mochi broker on a free loopback port,
// and real clients — paho for MQTT 3.1.1 and 5, mosquitto_pub and
// mosquitto_sub. The kill -9 and SIGTERM tests of `twin serve` are in
// crash_test.go.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/eclipse/paho.golang/paho"
	mqtt3 "github.com/eclipse/paho.mqtt.golang"
	packets3 "github.com/eclipse/paho.mqtt.golang/packets"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
	"github.com/twinstudio/twinstudio/engine/mqtt"
)

func shorthand(device, sensor string) string { return "devices/" + device + "/sensors/" + sensor }

// TestMosquittoClientsInstalled: the mosquitto clients are part of the
// test setup (`make deps`); a missing one fails, it never skips.
func TestMosquittoClientsInstalled(t *testing.T) {
	for _, tool := range []string{"mosquitto_pub", "mosquitto_sub"} {
		requireTool(t, tool)
	}
}

// TestConnectRefused: wrong key, another device's key, anonymous, a key
// without username and an unknown username are refused at CONNECT by paho
// 3.1.1, paho 5 and mosquitto_pub; the right key connects.
func TestConnectRefused(t *testing.T) {
	e := newEnv(t)
	cases := []struct {
		name, user, pass string
		ok               bool
	}{
		{"wrong key", devHW, "not-the-key", false},
		{"other device's key", devHW, e.otherKey, false},
		{"anonymous", "", "", false},
		{"key without username", "", e.key, false},
		{"unknown username", "NOSUCHDEVICE", e.key, false},
		{"username of a sensor", motionHW, e.key, false},
		{"device key", devHW, e.key, true},
	}
	var accepted uint64
	for i, c := range cases {
		t.Run("paho3/"+c.name, func(t *testing.T) {
			cl, err := connect3(t, e.addr, fmt.Sprintf("refused-3-%d", i), c.user, c.pass, nil)
			if c.ok {
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				if err := publish3(t, cl, shorthand(devHW, co2HW), 1, "401"); err != nil {
					t.Fatalf("publish: %v", err)
				}
				accepted++
				e.waitValue(e.co2, "401")
				return
			}
			if err == nil {
				t.Fatal("connected; want refused")
			}
			if !errors.Is(err, packets3.ErrorRefusedNotAuthorised) && !errors.Is(err, packets3.ErrorRefusedBadUsernameOrPassword) {
				t.Errorf("error %v; want a CONNACK refusing the credentials", err)
			}
		})
		t.Run("paho5/"+c.name, func(t *testing.T) {
			cl, ca, err := connect5(t, e.addr, fmt.Sprintf("refused-5-%d", i), c.user, c.pass)
			if c.ok {
				if err != nil {
					t.Fatalf("connect: %v", err)
				}
				if rc, err := publish5(cl, shorthand(devHW, co2HW), 1, []byte("402")); err != nil || rc != 0 {
					t.Fatalf("publish: reason %#x, %v", rc, err)
				}
				accepted++
				e.waitValue(e.co2, "402")
				return
			}
			if err == nil {
				t.Fatal("connected; want refused")
			}
			if ca == nil || ca.ReasonCode != rcBadUserOrPassword {
				t.Errorf("CONNACK %+v (%v); want reason %#x", ca, err, rcBadUserOrPassword)
			}
		})
		for _, v := range []string{"3.1.1", "5"} {
			t.Run("mosquitto_pub-"+v+"/"+c.name, func(t *testing.T) {
				args := []string{"-i", fmt.Sprintf("refused-m%s-%d", v[:1], i), "-q", "1", "-t", shorthand(devHW, co2HW), "-m", "403"}
				if v == "5" {
					args = append(args, "-V", "5")
				}
				out, code := e.mosquitto("mosquitto_pub", c.user, c.pass, args...)
				if c.ok {
					if code != 0 {
						t.Fatalf("exit status %d:\n%s", code, out)
					}
					accepted++
					e.waitValue(e.co2, "403")
					return
				}
				// mosquitto_pub 2.0.11 aborts (status 134) on an MQTT 5
				// CONNACK refusal, after reporting it; what matters is
				// that it fails.
				if code == 0 {
					t.Fatalf("exit status 0; want a refused connection:\n%s", out)
				}
				if c.user == "" && c.pass != "" {
					return // mosquitto_pub refuses to send a password without a username
				}
				if !strings.Contains(strings.ToLower(out), "refused") && !strings.Contains(strings.ToLower(out), "bad user name or password") {
					t.Errorf("output does not say the connection was refused:\n%s", out)
				}
			})
		}
	}
	if got := e.stats().Accepted; got != accepted {
		t.Errorf("accepted %d messages; want %d (only from connections with the right key)", got, accepted)
	}
	if !strings.Contains(e.logs.String(), "refused connection") {
		t.Errorf("no refusal in the log:\n%s", e.logs.String())
	}
	eventually(t, 5*time.Second, func() bool { return e.a.Broker().Connected() == 0 },
		func() string { return fmt.Sprintf("%d clients still connected", e.a.Broker().Connected()) })
}

// TestForeignTopic: a device may publish only under devices/{its own
// hardwareId}/ and only for its own sensors, and may subscribe only there.
// Refused publishes are counted as rejections, never as accepted, and
// change nothing.
func TestForeignTopic(t *testing.T) {
	e := newEnv(t)
	var forged []string
	var forgedMu sync.Mutex
	if err := e.a.Broker().Subscribe("#", 90, func(topic string, payload []byte) {
		if strings.HasPrefix(topic, "$SYS/") { // mochi's own
			return
		}
		if !strings.HasPrefix(topic, "twins/events/") || bytes.Contains(payload, []byte("forged")) {
			forgedMu.Lock()
			forged = append(forged, topic)
			forgedMu.Unlock()
		}
	}); err != nil {
		t.Fatal(err)
	}
	defer e.a.Broker().Unsubscribe("#", 90)

	foreign := []struct{ name, topic string }{
		{"other device's shorthand", shorthand(otherHW, otherSensorHW)},
		{"other device's IoT Hub topic", "devices/" + otherHW + "/messages/events/DigitalTwins-SensorHardwareId=" + otherSensorHW},
		{"own prefix, other device's sensor", shorthand(devHW, otherSensorHW)},
		{"forged event", "twins/events/SensorChange/" + e.other.String()},
		{"outside devices/", "somewhere/else"},
	}
	notAllowed := func() uint64 { return e.stats().ByReason[engine.ErrNotAllowed.Error()] }

	for i, f := range foreign {
		t.Run("paho3-qos1/"+f.name, func(t *testing.T) {
			before := e.stats()
			lost := make(chan error, 1)
			cl, err := connect3(t, e.addr, fmt.Sprintf("foreign-3-%d", i), devHW, e.key, lost)
			if err != nil {
				t.Fatal(err)
			}
			err = publish3(t, cl, f.topic, 1, "forged 99")
			after := e.stats()
			if after.Accepted != before.Accepted {
				t.Errorf("accepted went from %d to %d", before.Accepted, after.Accepted)
			}
			if after.Rejected != before.Rejected+1 {
				t.Errorf("rejected went from %d to %d; want one more", before.Rejected, after.Rejected)
			}
			if strings.HasPrefix(f.topic, "devices/") {
				// Not allowed: MQTT 3.1.1 cannot say so in a PUBACK, so
				// the broker disconnects the client, as for an ACL refusal.
				if after.ByReason["not allowed"] != before.ByReason["not allowed"]+1 {
					t.Errorf("not allowed: %d → %d; want one more", before.ByReason["not allowed"], after.ByReason["not allowed"])
				}
				if err == nil {
					t.Error("PUBACK for a publish that is not allowed; want the connection closed")
				}
				select {
				case <-lost:
				case <-time.After(5 * time.Second):
					t.Error("the client was not disconnected")
				}
			}
			r := e.lastRejection()
			// Long topics are shown shortened, with "...".
			if r.Device != devHW || !strings.HasPrefix(f.topic, strings.TrimSuffix(r.Topic, "...")) || r.Reason == "" {
				t.Errorf("last rejection %+v; want device %s topic %s", r, devHW, f.topic)
			}
		})
		t.Run("paho5-qos1/"+f.name, func(t *testing.T) {
			before := e.stats()
			cl := e.connect5(fmt.Sprintf("foreign-5-%d", i), devHW, e.key)
			rc, err := publish5(cl, f.topic, 1, []byte("forged 98"))
			if rc < 0x80 || err == nil {
				t.Fatalf("PUBACK reason %#x (%v); want an error code", rc, err)
			}
			if strings.HasPrefix(f.topic, "devices/") && rc != rcNotAuthorized {
				t.Errorf("PUBACK reason %#x; want not authorized (%#x)", rc, rcNotAuthorized)
			}
			after := e.stats()
			if after.Accepted != before.Accepted || after.Rejected != before.Rejected+1 {
				t.Errorf("accepted %d → %d, rejected %d → %d; want one more rejected only", before.Accepted, after.Accepted, before.Rejected, after.Rejected)
			}
			// The connection stays up: a good message still goes through.
			if rc, err := publish5(cl, shorthand(devHW, co2HW), 1, []byte(strconv.Itoa(500+i))); err != nil || rc != 0 {
				t.Fatalf("good publish after the refused one: reason %#x, %v", rc, err)
			}
			e.waitValue(e.co2, strconv.Itoa(500+i))
		})
	}

	t.Run("qos0", func(t *testing.T) {
		before := notAllowed()
		c3 := e.connect3("foreign-qos0-3", devHW, e.key)
		c5 := e.connect5("foreign-qos0-5", devHW, e.key)
		if err := publish3(t, c3, shorthand(otherHW, otherSensorHW), 0, "forged 1"); err != nil {
			t.Fatal(err)
		}
		if _, err := publish5(c5, shorthand(otherHW, otherSensorHW), 0, []byte("forged 2")); err != nil {
			t.Fatal(err)
		}
		eventually(t, 5*time.Second, func() bool { return notAllowed() == before+2 },
			func() string { return fmt.Sprintf("not allowed %d; want %d", notAllowed(), before+2) })
		// QoS 0 has no answer to carry a refusal: the connection stays up.
		if err := publish3(t, c3, shorthand(devHW, co2HW), 1, "601"); err != nil {
			t.Fatal(err)
		}
		e.waitValue(e.co2, "601")
	})

	t.Run("mosquitto_pub", func(t *testing.T) {
		before := notAllowed()
		out, code := e.mosquitto("mosquitto_pub", devHW, e.key, "-i", "foreign-m3", "-q", "1", "-t", shorthand(otherHW, otherSensorHW), "-m", "forged 3")
		if code == 0 {
			t.Errorf("MQTT 3.1.1: exit status 0; want the publish refused (connection closed):\n%s", out)
		}
		out, code = e.mosquitto("mosquitto_pub", devHW, e.key, "-V", "5", "-i", "foreign-m5", "-q", "1", "-t", shorthand(otherHW, otherSensorHW), "-m", "forged 4")
		if !strings.Contains(strings.ToLower(out), "not authorized") {
			t.Errorf("MQTT 5: status %d; want the PUBACK's not authorized reported:\n%s", code, out)
		}
		if got := notAllowed(); got != before+2 {
			t.Errorf("not allowed %d; want %d", got, before+2)
		}
	})

	denied := []string{
		"devices/" + otherHW + "/#",
		shorthand(otherHW, otherSensorHW),
		"devices/+/sensors/+",
		"devices/#",
		"#",
		"+/" + devHW + "/#",
		"twins/events/#",
		"twins/events/SensorChange/" + e.co2.String(),
		"$SYS/#",
	}
	t.Run("subscribe/paho3", func(t *testing.T) {
		c := e.connect3("sub-3", devHW, e.key)
		for _, f := range denied {
			if code := subscribe3(t, c, f); code != v3SubackFailure {
				t.Errorf("subscribe %s: SUBACK %#x; want failure %#x", f, code, v3SubackFailure)
			}
		}
		if code := subscribe3(t, c, "devices/"+devHW+"/#"); code >= 0x80 {
			t.Errorf("subscribe to its own topics: SUBACK %#x; want granted", code)
		}
	})
	t.Run("subscribe/paho5", func(t *testing.T) {
		c := e.connect5("sub-5", devHW, e.key)
		for _, f := range denied {
			if code := subscribe5(t, c, f); code != rcNotAuthorized {
				t.Errorf("subscribe %s: SUBACK %#x; want not authorized %#x", f, code, rcNotAuthorized)
			}
		}
		if code := subscribe5(t, c, "devices/"+devHW+"/#"); code >= 0x80 {
			t.Errorf("subscribe to its own topics: SUBACK %#x; want granted", code)
		}
	})
	t.Run("subscribe/mosquitto_sub", func(t *testing.T) {
		for _, f := range []string{"twins/events/#", "devices/" + otherHW + "/#"} {
			for _, v := range []string{"311", "5"} {
				out, _ := e.mosquitto("mosquitto_sub", devHW, e.key, "-V", v, "-i", "sub-m"+v, "-t", f, "-C", "1", "-W", "5")
				if !strings.Contains(out, "denied") {
					t.Errorf("mosquitto_sub -V %s -t %s: want the subscription denied:\n%s", v, f, out)
				}
			}
		}
	})

	if _, ok := e.value(e.other); ok {
		t.Error("the other device's sensor got a value")
	}
	forgedMu.Lock()
	defer forgedMu.Unlock()
	if len(forged) > 0 {
		t.Errorf("refused publishes reached subscribers on %v", forged)
	}
}

// TestWillMessage: a device's will message (last will and testament) is
// a publish like any other: it must not reach subscribers — a device must
// not be able to forge events on twins/events/… by disconnecting.
func TestWillMessage(t *testing.T) {
	e := newEnv(t)
	got := make(chan string, 16)
	for i, f := range []string{"twins/events/#", "devices/#"} {
		if err := e.a.Broker().Subscribe(f, 80+i, func(topic string, payload []byte) {
			if bytes.Contains(payload, []byte("forged")) {
				got <- topic
			}
		}); err != nil {
			t.Fatal(err)
		}
	}
	// A device that watches its own topics, where a will may be aimed too.
	watcher := e.connect3("will-watcher", devHW, e.key)
	own := "devices/" + devHW + "/#"
	tok := watcher.Subscribe(own, 1, func(_ mqtt3.Client, m mqtt3.Message) { got <- "device subscriber: " + m.Topic() })
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil || tok.(*mqtt3.SubscribeToken).Result()[own] >= 0x80 {
		t.Fatalf("subscribe to its own topics: %v %v", tok.Error(), tok.(*mqtt3.SubscribeToken).Result())
	}

	for i, topic := range []string{"twins/events/SensorChange/" + e.co2.String(), shorthand(devHW, co2HW)} {
		conn, err := net.DialTimeout("tcp", e.addr, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		cp := packets3.NewControlPacket(packets3.Connect).(*packets3.ConnectPacket)
		cp.ProtocolName, cp.ProtocolVersion, cp.CleanSession, cp.Keepalive = "MQTT", 4, true, 30
		cp.ClientIdentifier = fmt.Sprintf("%s/will-%d", devHW, i)
		cp.UsernameFlag, cp.Username, cp.PasswordFlag, cp.Password = true, devHW, true, []byte(e.key)
		cp.WillFlag, cp.WillTopic, cp.WillQos, cp.WillRetain = true, topic, 1, true
		cp.WillMessage = []byte(`{"id":"forged","eventType":"SensorChange","data":{"Value":"forged"}}`)
		if err := cp.Write(conn); err != nil {
			t.Fatal(err)
		}
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		ack, err := packets3.ReadPacket(conn)
		if err != nil {
			t.Fatal(err)
		}
		if ca, ok := ack.(*packets3.ConnackPacket); !ok || ca.ReturnCode != 0 {
			t.Fatalf("CONNACK %v", ack)
		}
		conn.Close() // no DISCONNECT: the broker sends the will
	}
	eventually(t, 5*time.Second, func() bool { return e.a.Broker().Connected() == 1 },
		func() string {
			return fmt.Sprintf("%d clients connected; want the watcher only", e.a.Broker().Connected())
		})
	select {
	case topic := <-got:
		t.Errorf("a will message was delivered on %s", topic)
	case <-time.After(300 * time.Millisecond):
	}
	if v, ok := e.value(e.co2); ok {
		t.Errorf("a will message set the sensor to %q", v.Value)
	}
}

// TestRejectedPayloads: unknown sensors, oversize payloads and bad property
// bags are rejected and counted; MQTT 5 gets an error PUBACK; the broker
// keeps serving.
func TestRejectedPayloads(t *testing.T) {
	e := newEnv(t)
	reason := func(r error) uint64 { return e.stats().ByReason[r.Error()] }
	c3 := e.connect3("reject-3", devHW, e.key)
	c5 := e.connect5("reject-5", devHW, e.key)
	if err := publish3(t, c3, shorthand(devHW, co2HW), 1, "700"); err != nil {
		t.Fatal(err)
	}
	e.waitValue(e.co2, "700")

	cases := []struct {
		name, topic string
		payload     []byte
		reason      error
		code        byte // MQTT 5 PUBACK reason
	}{
		{"unknown sensor shorthand", shorthand(devHW, "NO_SUCH_SENSOR"), []byte("1"), engine.ErrUnknownSensor, 0x80},
		{"unknown sensor in property bag", "devices/" + devHW + "/messages/events/DigitalTwins-SensorHardwareId=NO_SUCH_SENSOR", []byte("1"), engine.ErrUnknownSensor, 0x80},
		{"no sensor in property bag", "devices/" + devHW + "/messages/events/DigitalTwins-Telemetry=1.0", []byte("1"), engine.ErrUnknownSensor, 0x80},
		{"oversize", shorthand(devHW, co2HW), bytes.Repeat([]byte("9"), engine.MaxPayload+1), engine.ErrOversize, rcPacketTooLarge},
		{"bad CreationTimeUtc", "devices/" + devHW + "/messages/events/DigitalTwins-SensorHardwareId=" + co2HW + "&CreationTimeUtc=yesterday", []byte("1"), engine.ErrBadPropertyBag, 0x90},
		{"bad escape in property bag", "devices/" + devHW + "/messages/events/DigitalTwins-SensorHardwareId=" + co2HW + "&x=%zz", []byte("1"), engine.ErrBadPropertyBag, 0x90},
	}
	for _, c := range cases {
		t.Run("paho3/"+c.name, func(t *testing.T) {
			before, total := reason(c.reason), e.stats()
			// MQTT 3.1.1 has no PUBACK reason: the message is acknowledged
			// (so the device does not resend it forever) and dropped.
			if err := publish3(t, c3, c.topic, 1, c.payload); err != nil {
				t.Fatalf("publish: %v", err)
			}
			if got := reason(c.reason); got != before+1 {
				t.Errorf("%s: %d → %d; want one more", c.reason, before, got)
			}
			if s := e.stats(); s.Accepted != total.Accepted {
				t.Errorf("accepted %d → %d", total.Accepted, s.Accepted)
			}
			if r := e.lastRejection(); r.Reason != c.reason.Error() || r.Device != devHW {
				t.Errorf("last rejection %+v; want reason %q from %s", r, c.reason, devHW)
			}
		})
		t.Run("paho5/"+c.name, func(t *testing.T) {
			before := reason(c.reason)
			rc, err := publish5(c5, c.topic, 1, c.payload)
			if err == nil || rc != c.code {
				t.Errorf("PUBACK reason %#x (%v); want %#x", rc, err, c.code)
			}
			if got := reason(c.reason); got != before+1 {
				t.Errorf("%s: %d → %d; want one more", c.reason, before, got)
			}
		})
	}
	t.Run("qos 2", func(t *testing.T) {
		before := reason(engine.ErrUnknownSensor)
		if err := publish3(t, c3, shorthand(devHW, "NO_SUCH_SENSOR"), 2, "1"); err != nil {
			t.Errorf("paho 3.1.1: %v", err)
		}
		// MQTT 5 answers QoS 2 with a PUBREC, here with the error code.
		if rc, err := publish5(c5, shorthand(devHW, "NO_SUCH_SENSOR"), 2, []byte("1")); rc < 0x80 {
			t.Errorf("paho 5: PUBREC reason %#x (%v); want an error code", rc, err)
		}
		if got := reason(engine.ErrUnknownSensor); got != before+2 {
			t.Errorf("unknown sensor %d; want %d", got, before+2)
		}
		if rc, err := publish5(c5, shorthand(devHW, co2HW), 1, []byte("700")); err != nil || rc != 0 {
			t.Errorf("paho 5 after the refused QoS 2 message: reason %#x, %v", rc, err)
		}
	})
	t.Run("mosquitto_pub/unknown sensor", func(t *testing.T) {
		before := reason(engine.ErrUnknownSensor)
		if out, code := e.mosquitto("mosquitto_pub", devHW, e.key, "-q", "1", "-t", shorthand(devHW, "NO_SUCH_SENSOR"), "-m", "1"); code != 0 {
			t.Errorf("MQTT 3.1.1: exit status %d:\n%s", code, out)
		}
		out, _ := e.mosquitto("mosquitto_pub", devHW, e.key, "-V", "5", "-q", "1", "-t", shorthand(devHW, "NO_SUCH_SENSOR"), "-m", "1")
		if !strings.Contains(strings.ToLower(out), "failed") {
			t.Errorf("MQTT 5: the PUBACK's error was not reported:\n%s", out)
		}
		if got := reason(engine.ErrUnknownSensor); got != before+2 {
			t.Errorf("unknown sensor %d; want %d", got, before+2)
		}
	})
	if v, _ := e.value(e.co2); v.Value != "700" {
		t.Errorf("after the rejected messages the sensor holds %q; want 700", v.Value)
	}

	t.Run("exactly 256 KiB", func(t *testing.T) {
		before := e.stats()
		big := bytes.Repeat([]byte("a"), engine.MaxPayload) // not a value: history only
		if rc, err := publish5(c5, shorthand(devHW, co2HW), 1, big); err != nil || rc != 0 {
			t.Fatalf("PUBACK reason %#x, %v; want success", rc, err)
		}
		if s := e.stats(); s.Accepted != before.Accepted+1 || s.Rejected != before.Rejected {
			t.Errorf("accepted %d → %d, rejected %d → %d; want one more accepted", before.Accepted, s.Accepted, before.Rejected, s.Rejected)
		}
		if v, _ := e.value(e.co2); v.Value != "700" {
			t.Errorf("a payload that is not a value set the sensor to %.20q", v.Value)
		}
	})

	// Over the broker's packet limit: mochi refuses the packet before our
	// hook sees it and closes that connection. Nothing changes and every
	// other client is served.
	huge := bytes.Repeat([]byte("7"), 1<<20)
	t.Run("over the packet limit/paho3", func(t *testing.T) {
		lost := make(chan error, 1)
		c, err := connect3(t, e.addr, "huge-3", devHW, e.key, lost)
		if err != nil {
			t.Fatal(err)
		}
		if err := publish3(t, c, shorthand(devHW, co2HW), 1, huge); err == nil {
			t.Error("PUBACK for a 1 MiB message")
		}
		select {
		case <-lost:
		case <-time.After(5 * time.Second):
			t.Error("still connected after a 1 MiB message")
		}
	})
	t.Run("over the packet limit/paho5", func(t *testing.T) {
		c := e.connect5("huge-5", devHW, e.key)
		// paho 5 keeps an unacknowledged QoS 1 publish in its session when
		// the connection drops, so do not wait for Publish: wait for the
		// broker to drop the connection.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		acked := make(chan bool, 1)
		go func() {
			r, err := c.Publish(ctx, &paho.Publish{Topic: shorthand(devHW, co2HW), QoS: 1, Payload: huge})
			acked <- err == nil && r != nil && r.ReasonCode < 0x80
		}()
		select {
		case <-c.Done():
		case ok := <-acked:
			if ok {
				t.Fatal("PUBACK for a 1 MiB message")
			}
		case <-ctx.Done():
			t.Fatal("still connected after a 1 MiB message")
		}
	})
	if v, _ := e.value(e.co2); v.Value != "700" {
		t.Errorf("after the oversize messages the sensor holds %.20q; want 700", v.Value)
	}
	// The clients connected before are still served, and new ones too.
	if err := publish3(t, c3, shorthand(devHW, co2HW), 1, "701"); err != nil {
		t.Fatalf("paho 3.1.1 client connected before: %v", err)
	}
	e.waitValue(e.co2, "701")
	if rc, err := publish5(c5, shorthand(devHW, co2HW), 1, []byte("702")); err != nil || rc != 0 {
		t.Fatalf("paho 5 client connected before: reason %#x, %v", rc, err)
	}
	e.waitValue(e.co2, "702")
	if err := publish3(t, e.connect3("after-huge", devHW, e.key), shorthand(devHW, co2HW), 1, "703"); err != nil {
		t.Fatalf("new client: %v", err)
	}
	e.waitValue(e.co2, "703")
}

// TestIoTHubTopic: the IoT Hub topic with a URL-encoded property bag, and
// MQTT 5 user properties, set the sensor's value at CreationTimeUtc.
func TestIoTHubTopic(t *testing.T) {
	e := newEnv(t)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	bag := func(sensor, created, req string) string {
		return "devices/" + devHW + "/messages/events/DigitalTwins-SensorHardwareId=" + url.QueryEscape(sensor) +
			"&DigitalTwins-Telemetry=1.0&CreationTimeUtc=" + url.QueryEscape(created) + "&x-ms-client-request-id=" + req
	}
	sub := e.a.Engine().Events().Subscribe(64, func(ev *engine.Event) bool { return ev.EventType == engine.EventDeviceMessage })
	defer sub.Close()

	t.Run("paho3 property bag", func(t *testing.T) {
		topic := bag(motionHW, "2026-11-25T10:00:00Z", "5b8d6e37-0c1a-4f5e-9a41-6a3c2b1d0e11")
		if !strings.Contains(topic, "CreationTimeUtc=2026-11-25T10%3A00%3A00Z") {
			t.Fatalf("topic %s is not URL-encoded as devices send it", topic)
		}
		c := e.connect3("iothub-3", devHW, e.key)
		if err := publish3(t, c, topic, 1, `{"SensorValue":"true"}`); err != nil {
			t.Fatal(err)
		}
		v := e.waitValue(e.motion, "true")
		if !v.Time.Equal(at) {
			t.Errorf("value time %v; want CreationTimeUtc %v", v.Time, at)
		}
		select {
		case ev := <-sub.C:
			d, ok := ev.Data.(*engine.DeviceMessageData)
			if !ok {
				t.Fatalf("DeviceMessage data %T", ev.Data)
			}
			if d.CorrelationID != "5b8d6e37-0c1a-4f5e-9a41-6a3c2b1d0e11" || d.Properties[engine.PropTelemetry] != "1.0" ||
				d.SensorHardwareID != motionHW || d.Payload != `{"SensorValue":"true"}` {
				t.Errorf("DeviceMessage data %+v", d)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("no DeviceMessage event")
		}
		recent := e.a.Pipeline().Recent()
		if len(recent) == 0 || recent[len(recent)-1].Sensor != motionHW || recent[len(recent)-1].Value != "true" {
			t.Errorf("recent messages %+v", recent)
		}
	})

	t.Run("paho3 property bag, lower-case keys and fractional time", func(t *testing.T) {
		topic := "devices/" + devHW + "/messages/events/digitaltwins-sensorhardwareid=" + co2HW + "&creationtimeutc=2026-11-25T10%3A00%3A01.5000000Z"
		c := e.connect3("iothub-3b", devHW, e.key)
		if err := publish3(t, c, topic, 1, `{"value": 612}`); err != nil {
			t.Fatal(err)
		}
		v := e.waitValue(e.co2, "612")
		if want := at.Add(1500 * time.Millisecond); !v.Time.Equal(want) {
			t.Errorf("value time %v; want %v", v.Time, want)
		}
	})

	t.Run("paho5 user properties", func(t *testing.T) {
		c := e.connect5("iothub-5", devHW, e.key)
		rc, err := publish5(c, "devices/"+devHW+"/messages/events/", 1, []byte(`{"SensorValue":"false"}`),
			paho.UserProperty{Key: engine.PropSensorHardwareID, Value: motionHW},
			paho.UserProperty{Key: engine.PropCreationTimeUtc, Value: "2026-11-25T10:05:00Z"},
			paho.UserProperty{Key: engine.PropClientRequestID, Value: "req-5"})
		if err != nil || rc != 0 {
			t.Fatalf("PUBACK reason %#x, %v", rc, err)
		}
		v := e.waitValue(e.motion, "false")
		if want := at.Add(5 * time.Minute); !v.Time.Equal(want) {
			t.Errorf("value time %v; want %v", v.Time, want)
		}
	})

	t.Run("paho5 user properties without trailing slash", func(t *testing.T) {
		c := e.connect5("iothub-5b", devHW, e.key)
		rc, err := publish5(c, "devices/"+devHW+"/messages/events", 1, []byte("733"),
			paho.UserProperty{Key: engine.PropSensorHardwareID, Value: co2HW})
		if err != nil || rc != 0 {
			t.Fatalf("PUBACK reason %#x, %v", rc, err)
		}
		e.waitValue(e.co2, "733")
	})

	t.Run("mosquitto_pub property bag and user property", func(t *testing.T) {
		out, code := e.mosquitto("mosquitto_pub", devHW, e.key, "-q", "1", "-t", bag(co2HW, "2026-11-25T11:00:00Z", "m-1"), "-m", `{"SensorValue": 801}`)
		if code != 0 {
			t.Fatalf("exit status %d:\n%s", code, out)
		}
		e.waitValue(e.co2, "801")
		out, code = e.mosquitto("mosquitto_pub", devHW, e.key, "-V", "5", "-q", "1", "-t", "devices/"+devHW+"/messages/events/",
			"-D", "publish", "user-property", engine.PropSensorHardwareID, co2HW, "-m", "802")
		if code != 0 || strings.Contains(strings.ToLower(out), "failed") {
			t.Fatalf("exit status %d:\n%s", code, out)
		}
		e.waitValue(e.co2, "802")
	})
}

// TestQuickstartExample: the example project as shipped (with its Motion
// Processor UDF, whichever runtime runs it): a device's {"SensorValue": …}
// messages set its sensors, in both topic forms, from paho and
// mosquitto_pub.
func TestQuickstartExample(t *testing.T) {
	e := newEnv(t, quickstartYAML)
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	topic := "devices/" + devHW + "/messages/events/DigitalTwins-SensorHardwareId=" + motionHW +
		"&DigitalTwins-Telemetry=1.0&CreationTimeUtc=2026-11-25T10%3A00%3A00Z&x-ms-client-request-id=0f8fad5b-d9cb-469f-a165-70867728950e"
	if err := publish3(t, e.connect3("qs-3", devHW, e.key), topic, 1, `{"SensorValue":"true"}`); err != nil {
		t.Fatal(err)
	}
	if v := e.waitValue(e.motion, "true"); !v.Time.Equal(at) {
		t.Errorf("motion value time %v; want CreationTimeUtc %v", v.Time, at)
	}
	if out, code := e.mosquitto("mosquitto_pub", devHW, e.key, "-q", "1", "-t", shorthand(devHW, co2HW), "-m", `{"SensorValue":"812"}`); code != 0 {
		t.Fatalf("mosquitto_pub: exit status %d:\n%s", code, out)
	}
	e.waitValue(e.co2, "812")
	rc, err := publish5(e.connect5("qs-5", devHW, e.key), "devices/"+devHW+"/messages/events/", 1, []byte(`{"SensorValue":"false"}`),
		paho.UserProperty{Key: engine.PropSensorHardwareID, Value: motionHW})
	if err != nil || rc != 0 {
		t.Fatalf("paho 5: PUBACK reason %#x, %v", rc, err)
	}
	e.waitValue(e.motion, "false")
	if s := e.stats(); s.Accepted != 3 || s.Rejected != 0 {
		t.Errorf("accepted %d, rejected %d; want 3 and 0", s.Accepted, s.Rejected)
	}
}

// TestShorthandTopic: devices/{device}/sensors/{sensor} sets the value,
// from paho 3.1.1, paho 5 and mosquitto_pub.
func TestShorthandTopic(t *testing.T) {
	e := newEnv(t)
	topic := shorthand(devHW, co2HW)
	t.Run("paho3", func(t *testing.T) {
		if err := publish3(t, e.connect3("short-3", devHW, e.key), topic, 1, "812"); err != nil {
			t.Fatal(err)
		}
		v := e.waitValue(e.co2, "812")
		if time.Since(v.Time) > time.Minute || v.Time.After(time.Now()) {
			t.Errorf("value time %v; want the time received", v.Time)
		}
	})
	t.Run("paho5", func(t *testing.T) {
		if rc, err := publish5(e.connect5("short-5", devHW, e.key), topic, 1, []byte("813")); err != nil || rc != 0 {
			t.Fatalf("PUBACK reason %#x, %v", rc, err)
		}
		e.waitValue(e.co2, "813")
	})
	t.Run("paho qos 2", func(t *testing.T) {
		if err := publish3(t, e.connect3("short-3q2", devHW, e.key), topic, 2, "814"); err != nil {
			t.Fatal(err)
		}
		e.waitValue(e.co2, "814")
		if rc, err := publish5(e.connect5("short-5q2", devHW, e.key), topic, 2, []byte("815")); err != nil || rc != 0 {
			t.Fatalf("PUBREC reason %#x, %v", rc, err)
		}
		e.waitValue(e.co2, "815")
	})
	for _, q := range []string{"0", "1", "2"} {
		t.Run("mosquitto_pub qos "+q, func(t *testing.T) {
			val := "81" + q
			if out, code := e.mosquitto("mosquitto_pub", devHW, e.key, "-q", q, "-t", topic, "-m", val); code != 0 {
				t.Fatalf("exit status %d:\n%s", code, out)
			}
			e.waitValue(e.co2, val)
		})
	}
	t.Run("mosquitto_pub -V 5", func(t *testing.T) {
		if out, code := e.mosquitto("mosquitto_pub", devHW, e.key, "-V", "5", "-q", "1", "-t", topic, "-m", "true"); code != 0 {
			t.Fatalf("exit status %d:\n%s", code, out)
		}
		e.waitValue(e.co2, "true")
	})
}

// envelope is the Event Grid envelope of the events (docs/mqtt.md), as sent.
type envelope struct {
	ID              string          `json:"id"`
	Subject         string          `json:"subject"`
	Data            json.RawMessage `json:"data"`
	EventType       string          `json:"eventType"`
	EventTime       time.Time       `json:"eventTime"`
	DataVersion     string          `json:"dataVersion"`
	MetadataVersion string          `json:"metadataVersion"`
}

type changeData struct {
	ID             string  `json:"Id"`
	DataType       string  `json:"DataType"`
	Value          string  `json:"Value"`
	PreviousValue  *string `json:"PreviousValue"`
	EventTimestamp string  `json:"EventTimestamp"`
	MessageType    string  `json:"MessageType"`
}

// decodeEnvelope checks the envelope's fields and returns it.
func decodeEnvelope(t *testing.T, raw []byte) envelope {
	t.Helper()
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(raw, &keys); err != nil {
		t.Fatalf("event %s: %v", raw, err)
	}
	for _, k := range []string{"id", "subject", "data", "eventType", "eventTime", "dataVersion", "metadataVersion"} {
		if _, ok := keys[k]; !ok {
			t.Errorf("event lacks %q: %s", k, raw)
		}
	}
	var ev envelope
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("event %s: %v", raw, err)
	}
	if _, err := engine.ParseID(ev.ID); err != nil {
		t.Errorf("event id %q: %v", ev.ID, err)
	}
	if ev.MetadataVersion != "1" || ev.EventTime.IsZero() {
		t.Errorf("event %s: metadataVersion %q eventTime %v", raw, ev.MetadataVersion, ev.EventTime)
	}
	return ev
}

// checkSensorChange checks a SensorChange envelope for sensor id.
func checkSensorChange(t *testing.T, raw []byte, id engine.ID, value string, prev *string) envelope {
	t.Helper()
	ev := decodeEnvelope(t, raw)
	if ev.EventType != engine.EventSensorChange || ev.Subject != "SensorChange" || ev.DataVersion != "1.0" {
		t.Errorf("SensorChange envelope: eventType %q subject %q dataVersion %q", ev.EventType, ev.Subject, ev.DataVersion)
	}
	var d changeData
	if err := json.Unmarshal(ev.Data, &d); err != nil {
		t.Fatalf("SensorChange data %s: %v", ev.Data, err)
	}
	if d.ID != id.String() || d.Value != value || d.DataType != "CarbonDioxide" || d.MessageType != "sensor" {
		t.Errorf("SensorChange data %s; want Id %s Value %q DataType CarbonDioxide MessageType sensor", ev.Data, id, value)
	}
	if (prev == nil) != (d.PreviousValue == nil) || (prev != nil && *prev != *d.PreviousValue) {
		t.Errorf("SensorChange data %s: PreviousValue; want %v", ev.Data, ptrString(prev))
	}
	if ts, err := time.Parse(time.RFC3339Nano, d.EventTimestamp); err != nil || !ts.Equal(ev.EventTime) {
		t.Errorf("SensorChange EventTimestamp %q (%v); want the eventTime %v", d.EventTimestamp, err, ev.EventTime)
	}
	return ev
}

func ptrString(p *string) string {
	if p == nil {
		return "null"
	}
	return strconv.Quote(*p)
}

// TestEvents: SensorChange and DeviceMessage events arrive in process and
// on the broker's twins/events/… topics; a slow in-process subscriber is
// dropped and does not slow ingestion.
func TestEvents(t *testing.T) {
	e := newEnv(t)
	bus := e.a.Engine().Events()
	fast := bus.Subscribe(1024, func(ev *engine.Event) bool { return ev.ObjectID == e.co2 })
	defer fast.Close()
	slow := bus.Subscribe(1, nil) // never read

	type msg struct {
		topic   string
		payload []byte
	}
	inline := make(chan msg, 4096)
	var overflow sync.Once
	collect := func(topic string, payload []byte) {
		select {
		case inline <- msg{topic, append([]byte(nil), payload...)}:
		default:
			overflow.Do(func() { t.Error("inline subscriber overflowed") })
		}
	}
	b := e.a.Broker()
	sensorTopic := "twins/events/SensorChange/" + e.co2.String()
	if err := b.Subscribe(sensorTopic, 1, collect); err != nil {
		t.Fatal(err)
	}
	if err := b.Subscribe("twins/events/DeviceMessage/+", 2, collect); err != nil {
		t.Fatal(err)
	}
	defer b.Unsubscribe(sensorTopic, 1)
	defer b.Unsubscribe("twins/events/DeviceMessage/+", 2)

	c := e.connect3("events", devHW, e.key)
	start := time.Now()
	for _, v := range []string{"812", "813"} {
		if err := publish3(t, c, shorthand(devHW, co2HW), 1, v); err != nil {
			t.Fatal(err)
		}
	}

	t.Run("in process", func(t *testing.T) {
		next := func() *engine.Event {
			t.Helper()
			select {
			case ev, ok := <-fast.C:
				if !ok {
					t.Fatal("subscription closed")
				}
				return ev
			case <-time.After(5 * time.Second):
				t.Fatal("no event")
			}
			return nil
		}
		prev := "812"
		for i, want := range []struct {
			value string
			prev  *string
		}{{"812", nil}, {"813", &prev}} {
			dm := next()
			if dm.EventType != engine.EventDeviceMessage || dm.MQTTTopic() != "twins/events/DeviceMessage/"+e.co2.String() {
				t.Fatalf("event %d: %s on %s; want DeviceMessage first", i, dm.EventType, dm.MQTTTopic())
			}
			dmEnv := decodeEnvelope(t, dm.JSON())
			var dd engine.DeviceMessageData
			if err := json.Unmarshal(dmEnv.Data, &dd); err != nil {
				t.Fatal(err)
			}
			if dd.DeviceHardwareID != devHW || dd.SensorHardwareID != co2HW || dd.SensorID != e.co2.String() || dd.Payload != want.value || dd.DeviceID == "" {
				t.Errorf("DeviceMessage data %+v", dd)
			}
			sc := next()
			if sc.MQTTTopic() != sensorTopic {
				t.Errorf("SensorChange topic %s; want %s", sc.MQTTTopic(), sensorTopic)
			}
			env := checkSensorChange(t, sc.JSON(), e.co2, want.value, want.prev)
			if env.EventTime.Before(start.Add(-time.Second)) || env.EventTime.After(time.Now().Add(time.Second)) {
				t.Errorf("eventTime %v; want about now", env.EventTime)
			}
		}
	})

	t.Run("on the broker", func(t *testing.T) {
		var sensorChanges, deviceMessages []envelope
		deadline := time.After(5 * time.Second)
		for len(sensorChanges) < 2 || len(deviceMessages) < 2 {
			select {
			case m := <-inline:
				switch {
				case m.topic == sensorTopic:
					prev := (*string)(nil)
					if len(sensorChanges) == 1 {
						p := "812"
						prev = &p
					}
					sensorChanges = append(sensorChanges, checkSensorChange(t, m.payload, e.co2, []string{"812", "813"}[len(sensorChanges)], prev))
				case strings.HasPrefix(m.topic, "twins/events/DeviceMessage/"):
					if m.topic != "twins/events/DeviceMessage/"+e.co2.String() {
						t.Errorf("DeviceMessage on %s", m.topic)
					}
					deviceMessages = append(deviceMessages, decodeEnvelope(t, m.payload))
				default:
					t.Errorf("unexpected topic %s", m.topic)
				}
			case <-deadline:
				t.Fatalf("on the broker: %d SensorChange and %d DeviceMessage events; want 2 each", len(sensorChanges), len(deviceMessages))
			}
		}
		// The forwarder counts an event once the broker's Publish returned,
		// which is after the inline subscribers above were called.
		var pub uint64
		eventually(t, 5*time.Second, func() bool {
			pub, _ = b.EventStats()
			return pub >= 4
		}, func() string { return fmt.Sprintf("broker published %d events; want at least 4", pub) })
	})

	t.Run("slow subscriber dropped", func(t *testing.T) {
		// 200 more messages: the slow subscription (buffer 1) is dropped,
		// ingestion does not wait for it.
		t0 := time.Now()
		var toks []mqtt3.Token
		for i := 0; i < 200; i++ {
			toks = append(toks, c.Publish(shorthand(devHW, co2HW), 1, false, strconv.Itoa(1000+i)))
		}
		for _, tok := range toks {
			if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
				t.Fatalf("publish: %v", tok.Error())
			}
		}
		if d := time.Since(t0); d > 10*time.Second {
			t.Errorf("200 QoS 1 messages took %v with a slow subscriber", d)
		}
		if !slow.Dropped() {
			slow.Close()
			t.Fatal("the slow subscription was not dropped")
		}
		n := 0
		for range slow.C { // buffered events, then closed
			n++
		}
		if n > 1 {
			t.Errorf("slow subscription delivered %d events with a buffer of 1", n)
		}
		if fast.Dropped() {
			t.Error("the fast subscription (buffer 1024) was dropped")
		}
		e.waitValue(e.co2, "1199")
	})
}

// TestConnectionState: a device is Connected while at least one of its
// connections is up, with the time of the change, and Disconnected
// afterwards — including after the broker shuts down.
func TestConnectionState(t *testing.T) {
	e := newEnv(t)
	if d := e.device(devHW); d.ConnectionState != engine.Disconnected {
		t.Fatalf("provisioned device: %q; want Disconnected", d.ConnectionState)
	}
	waitState := func(t *testing.T, want string, after time.Time) engine.Device {
		t.Helper()
		var d engine.Device
		eventually(t, 5*time.Second, func() bool {
			d = e.device(devHW)
			return d.ConnectionState == want && !d.ConnectionStateUpdated.Before(after)
		}, func() string {
			return fmt.Sprintf("state %q updated %v; want %q after %v", d.ConnectionState, d.ConnectionStateUpdated, want, after)
		})
		if d.ConnectionStateUpdated.After(time.Now()) {
			t.Errorf("ConnectionStateUpdated %v is in the future", d.ConnectionStateUpdated)
		}
		return d
	}
	// stays checks that the state does not change for a while.
	stays := func(t *testing.T, want string) {
		t.Helper()
		time.Sleep(200 * time.Millisecond)
		if d := e.device(devHW); d.ConnectionState != want {
			t.Errorf("state %q; want %q", d.ConnectionState, want)
		}
	}

	t.Run("paho3 connect and disconnect", func(t *testing.T) {
		t0 := time.Now()
		c := e.connect3("state-3", devHW, e.key)
		waitState(t, engine.Connected, t0)
		t1 := time.Now()
		c.Disconnect(50)
		waitState(t, engine.Disconnected, t1)
	})
	t.Run("paho5 connect and disconnect", func(t *testing.T) {
		t0 := time.Now()
		c := e.connect5("state-5", devHW, e.key)
		waitState(t, engine.Connected, t0)
		t1 := time.Now()
		c.Disconnect(&paho.Disconnect{})
		waitState(t, engine.Disconnected, t1)
	})
	t.Run("refused connection changes nothing", func(t *testing.T) {
		before := e.device(devHW)
		if _, err := connect3(t, e.addr, "state-bad", devHW, "wrong", nil); err == nil {
			t.Fatal("connected with a wrong key")
		}
		stays(t, engine.Disconnected)
		if d := e.device(devHW); !d.ConnectionStateUpdated.Equal(before.ConnectionStateUpdated) {
			t.Errorf("a refused connection touched the device: %v → %v", before.ConnectionStateUpdated, d.ConnectionStateUpdated)
		}
	})
	t.Run("two connections", func(t *testing.T) {
		t0 := time.Now()
		a := e.connect3("state-a", devHW, e.key)
		b := e.connect5("state-b", devHW, e.key)
		waitState(t, engine.Connected, t0)
		a.Disconnect(50)
		stays(t, engine.Connected)
		t1 := time.Now()
		b.Disconnect(&paho.Disconnect{})
		waitState(t, engine.Disconnected, t1)
	})
	t.Run("session takeover", func(t *testing.T) {
		// A device reconnects with the same client id while its old
		// connection is still open: the broker closes the old one. The
		// device stays Connected and may publish on the new connection.
		t0 := time.Now()
		lost := make(chan error, 1)
		if _, err := connect3(t, e.addr, "state-same", devHW, e.key, lost); err != nil {
			t.Fatal(err)
		}
		waitState(t, engine.Connected, t0)
		c2 := e.connect3("state-same", devHW, e.key)
		select {
		case <-lost:
		case <-time.After(5 * time.Second):
			t.Fatal("the old connection was not taken over")
		}
		stays(t, engine.Connected)
		if err := publish3(t, c2, shorthand(devHW, co2HW), 1, "900"); err != nil {
			t.Fatalf("publish on the new connection: %v", err)
		}
		e.waitValue(e.co2, "900")
		t1 := time.Now()
		c2.Disconnect(50)
		waitState(t, engine.Disconnected, t1)
	})
	t.Run("broker shutdown", func(t *testing.T) {
		t0 := time.Now()
		e.connect3("state-shutdown", devHW, e.key)
		waitState(t, engine.Connected, t0)
		e.reopen()
		if d := e.device(devHW); d.ConnectionState != engine.Disconnected {
			t.Errorf("after a restart the device is %q (updated %v); want Disconnected", d.ConnectionState, d.ConnectionStateUpdated)
		}
	})
}

// TestRevokedCredentials: rotating a device's key or disabling the device
// ends what its open connections may do: their next publish a second
// later (the broker looks again at most every second) closes them and
// changes nothing, and the old key no longer connects.
func TestRevokedCredentials(t *testing.T) {
	e := newEnv(t)
	lost := make(chan error, 1)
	c3, err := connect3(t, e.addr, "revoke-3", devHW, e.key, lost)
	if err != nil {
		t.Fatal(err)
	}
	c5 := e.connect5("revoke-5", devHW, e.key)
	if err := publish3(t, c3, shorthand(devHW, co2HW), 1, "1"); err != nil {
		t.Fatal(err)
	}
	e.waitValue(e.co2, "1")
	newKey, err := e.a.Engine().RotateDeviceKey(devHW)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	if err := publish3(t, c3, shorthand(devHW, co2HW), 1, "2"); err == nil {
		t.Error("paho 3.1.1: PUBACK with a rotated key")
	}
	select {
	case <-lost:
	case <-time.After(5 * time.Second):
		t.Error("paho 3.1.1: the connection with the old key stays open")
	}
	acked := make(chan bool, 1)
	go func() { // paho 5 keeps the publish pending when the server disconnects
		rc, err := publish5(c5, shorthand(devHW, co2HW), 1, []byte("3"))
		acked <- err == nil && rc < 0x80
	}()
	select {
	case d := <-c5.disconnected:
		if d.ReasonCode != rcNotAuthorized {
			t.Errorf("paho 5: DISCONNECT reason %#x; want %#x", d.ReasonCode, rcNotAuthorized)
		}
	case ok := <-acked:
		t.Errorf("paho 5: publish with a rotated key answered (acknowledged: %v) without a DISCONNECT", ok)
	case <-time.After(5 * time.Second):
		t.Error("paho 5: no DISCONNECT for the connection with the old key")
	}
	if v, _ := e.value(e.co2); v.Value != "1" {
		t.Errorf("value %q; want 1 (nothing from the old key)", v.Value)
	}
	if _, err := connect3(t, e.addr, "revoke-old", devHW, e.key, nil); err == nil {
		t.Error("connected with the old key")
	}

	c := e.connect3("revoke-new", devHW, newKey)
	if err := publish3(t, c, shorthand(devHW, co2HW), 1, "4"); err != nil {
		t.Fatalf("new key: %v", err)
	}
	e.waitValue(e.co2, "4")
	err = e.a.Engine().Update(func(tx *engine.Tx) error {
		d, _ := tx.DeviceByHardwareID(devHW)
		x := *d
		x.Status = engine.DeviceDisabled
		return tx.UpdateDevice(&x)
	})
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	if err := publish3(t, c, shorthand(devHW, co2HW), 1, "5"); err == nil {
		t.Error("PUBACK for a disabled device")
	}
	if _, err := connect3(t, e.addr, "revoke-disabled", devHW, newKey, nil); err == nil {
		t.Error("a disabled device connected")
	}
	if v, _ := e.value(e.co2); v.Value != "4" {
		t.Errorf("value %q; want 4 (nothing from a disabled device)", v.Value)
	}
}

// TestQoS1Durability: every QoS 1 message acknowledged is in the project
// file after the app closes.
func TestQoS1Durability(t *testing.T) {
	e := newEnv(t)
	const n = 300
	clients := []mqtt3.Client{e.connect3("durable-a", devHW, e.key), e.connect3("durable-b", devHW, e.key)}
	c5 := e.connect5("durable-5", devHW, e.key)
	want := make([]string, 0, n)
	for i := 0; i < n; i++ {
		v := strconv.Itoa(10000 + i)
		want = append(want, v)
		switch i % 3 {
		case 2:
			if rc, err := publish5(c5, shorthand(devHW, co2HW), 1, []byte(v)); err != nil || rc != 0 {
				t.Fatalf("paho 5 publish %s: reason %#x, %v", v, rc, err)
			}
		default:
			// Wait for each before the next, so the values' order is the
			// order sent (two connections are not ordered with each other).
			tok := clients[i%3].Publish(shorthand(devHW, co2HW), 1, false, v)
			if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
				t.Fatalf("paho 3.1.1 publish %s: %v", v, tok.Error())
			}
		}
	}
	if got := e.stats().Accepted; got != n {
		t.Fatalf("accepted %d; want %d", got, n)
	}
	if err := closeWithin(e.a, 30*time.Second); err != nil {
		t.Fatal(err)
	}

	st, err := bbolt.Open(e.path, bbolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hist, err := st.History(e.co2, "", 100000)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	got := make([]string, len(hist))
	for i, v := range hist {
		got[i] = v.Value
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("durable history (%d values) differs from what was sent (%d values):\n got %v\nwant %v", len(got), len(want), got, want)
	}

	e.open() // closed again by the test's cleanup
	if v, _ := e.value(e.co2); v.Value != want[n-1] {
		t.Errorf("after reopening the value is %q; want %q", v.Value, want[n-1])
	}
	var mem []string
	e.a.Engine().View(func(v *engine.View) error {
		for _, x := range v.SensorHistory(e.co2) {
			mem = append(mem, x.Value)
		}
		return nil
	})
	if len(mem) == 0 || !reflect.DeepEqual(mem, want[n-len(mem):]) {
		t.Errorf("in-memory history after reopening %v; want the tail of what was sent", mem)
	}
}

// TestWebSocketListener: the optional WebSocket listener serves devices
// with the same authentication, and Start fails if its address is taken.
func TestWebSocketListener(t *testing.T) {
	p := provision(t)
	a, err := app.Open(p.path, app.Options{Broker: &mqtt.Options{Addr: "127.0.0.1:0", WSAddr: "127.0.0.1:0"}})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	wsAddr := a.Broker().WSAddr()
	if strings.HasSuffix(wsAddr, ":0") {
		t.Fatalf("WebSocket address %s: want the bound port", wsAddr)
	}
	connectWS := func(id, user, pass string) (mqtt3.Client, error) {
		o := paho3Options("", id, user, pass)
		o.Servers = nil
		o.AddBroker("ws://" + wsAddr + "/mqtt")
		c := mqtt3.NewClient(o)
		tok := c.Connect()
		if !tok.WaitTimeout(10 * time.Second) {
			return nil, errors.New("connect timed out")
		}
		return c, tok.Error()
	}
	if _, err := connectWS("ws-bad", devHW, "wrong"); err == nil {
		t.Error("connected over WebSocket with a wrong key")
	}
	c, err := connectWS("ws-good", devHW, p.key)
	if err != nil {
		t.Fatalf("connect over WebSocket: %v", err)
	}
	defer c.Disconnect(50)
	// Payloads over a WebSocket frame or two, and many packets in a row.
	big := strings.Repeat("x", 100<<10)
	for i := 0; i < 50; i++ {
		if err := publish3(t, c, shorthand(devHW, co2HW), 1, big); err != nil {
			t.Fatal(err)
		}
		if err := publish3(t, c, shorthand(devHW, co2HW), 1, strconv.Itoa(300+i)); err != nil {
			t.Fatal(err)
		}
	}
	var v engine.Value
	a.Engine().View(func(vw *engine.View) error { v, _ = vw.SensorValue(p.co2); return nil })
	if v.Value != "349" {
		t.Errorf("value %q after QoS 1 PUBACKs over WebSocket; want 349", v.Value)
	}

	t.Run("address in use", func(t *testing.T) {
		p2 := provision(t)
		a2, err := app.Open(p2.path, app.Options{Broker: &mqtt.Options{Addr: "127.0.0.1:0", WSAddr: wsAddr}})
		if err == nil {
			a2.Close()
			t.Fatalf("a second broker started with WebSocket address %s in use", wsAddr)
		}
		if !strings.Contains(err.Error(), wsAddr) {
			t.Errorf("error %q does not name the address", err)
		}
	})
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}
