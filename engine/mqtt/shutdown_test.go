package mqtt_test

import (
	"bufio"
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/mqtt"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// subscribePacket is an MQTT 3.1.1 SUBSCRIBE to one filter at QoS 0.
func subscribePacket(id uint16, filter string) []byte {
	body := append([]byte{byte(id >> 8), byte(id)}, mqttString(filter)...)
	return packet(0x82, append(body, 0))
}

// TestCloseWithClientThatDoesNotRead: a device subscribes to its own
// topics and then stops reading while the serving process publishes far
// more to it than the socket buffers hold, so the broker's writes to it
// block. Closing the broker still returns within a bound (mochi's writes
// have no deadline of their own, and its shutdown writes a DISCONNECT to
// every client under the same lock as the blocked write), and the
// well-behaved device beside it is disconnected too. In the second case
// the device has no keep-alive and goes on sending while the broker
// closes: each packet it sends makes mochi clear its connection's
// deadlines, so only closing the connection ends the blocked write.
func TestCloseWithClientThatDoesNotRead(t *testing.T) {
	for _, c := range []struct {
		name      string
		keepalive uint16
		sending   bool
	}{{"keep-alive 60 s, silent", 60, false}, {"no keep-alive, sending", 0, true}} {
		t.Run(c.name, func(t *testing.T) { closeWithStuckClient(t, c.keepalive, c.sending) })
	}
}

func closeWithStuckClient(t *testing.T, keepalive uint16, sending bool) {
	p := openProject(t)
	b := p.StartBroker(t, mqtt.Options{})
	key := p.DeviceKey(t, devHW)

	stuck, code, err := rawConnect(b.Addr(), devHW, devHW, key, keepalive, true)
	if err != nil || code != 0 {
		t.Fatalf("connect: code %d, %v", code, err)
	}
	defer stuck.Close()
	if _, err := stuck.Write(subscribePacket(1, "devices/"+devHW+"/#")); err != nil {
		t.Fatal(err)
	}
	_ = stuck.SetReadDeadline(time.Now().Add(5 * time.Second))
	h, body, err := readPacket(bufio.NewReader(stuck))
	if err != nil || h != 0x90 || len(body) != 3 || body[2] != 0 {
		t.Fatalf("SUBACK: %#x % x, %v", h, body, err)
	}
	// From here on it reads nothing.
	good, code, err := rawConnect(b.Addr(), otherHW, otherHW, p.DeviceKey(t, otherHW), 60, true)
	if err != nil || code != 0 {
		t.Fatalf("connect the other device: code %d, %v", code, err)
	}
	defer good.Close()

	payload := []byte(strings.Repeat("x", 200<<10))
	for i := 0; i < 400; i++ { // 80 MB offered; the socket buffers hold a few
		if err := b.Publish("devices/"+devHW+"/commands", payload); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond) // the broker's writer blocks
	if sending {
		stop := make(chan struct{})
		defer close(stop)
		go func() {
			pk := publishPacket("devices/"+devHW+"/sensors/NO_SUCH_SENSOR", []byte("1"), 0, 0)
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
					if _, err := stuck.Write(pk); err != nil {
						return
					}
				}
			}
		}()
		time.Sleep(50 * time.Millisecond)
	}

	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- b.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
		t.Logf("Close returned in %v", time.Since(start).Round(time.Millisecond))
	case <-time.After(10 * time.Second):
		t.Fatal("Close blocked for 10 s on a client that does not read")
	}
	// The other device's connection was closed by the broker.
	_ = good.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(good)
	for {
		if _, _, err := readPacket(r); err != nil {
			if strings.Contains(err.Error(), "timeout") {
				t.Fatal("the other device is still connected after Close")
			}
			break
		}
	}
}

// TestCloseWithPipelineStuck: a device's QoS 1 message waits for the
// pipeline, which cannot commit (the engine's write lock is held, as by a
// long edit); closing the broker returns within its bound, with a
// warning, instead of waiting for the pipeline, the device is
// disconnected, and once the pipeline moves on the message is committed
// and nothing is left running.
func TestCloseWithPipelineStuck(t *testing.T) {
	p := openProject(t)
	var logs syncBuffer
	b := p.StartBroker(t, mqtt.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	c, code, err := rawConnect(b.Addr(), devHW, devHW, p.DeviceKey(t, devHW), 60, true)
	if err != nil || code != 0 {
		t.Fatalf("connect: code %d, %v", code, err)
	}
	defer c.Close()
	// The broker records the connection after its CONNACK: let that
	// write through before the lock is taken.
	if !waitFor(5*time.Second, func() bool { return deviceState(t, p.Engine()) == engine.Connected }) {
		t.Fatal("the device was not recorded Connected")
	}

	held, release := make(chan struct{}), make(chan struct{})
	updated := make(chan error, 1)
	go func() {
		updated <- p.Engine().Update(func(*engine.Tx) error {
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	released := false
	defer func() {
		if !released {
			close(release)
		}
	}()
	if _, err := c.Write(publishPacket("devices/"+devHW+"/sensors/"+testkit.QuickstartCO2, []byte("555"), 1, 7)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the message waits for the pipeline

	done := make(chan error, 1)
	start := time.Now()
	go func() { done <- b.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Close: %v", err)
		}
		if !strings.Contains(logs.String(), "still waiting for the pipeline") {
			t.Errorf("no warning logged; log:\n%s", logs.String())
		}
		t.Logf("Close returned in %v", time.Since(start).Round(time.Millisecond))
	case <-time.After(15 * time.Second):
		t.Fatal("Close waited 15 s for a stuck pipeline")
	}
	// The device was disconnected: no PUBACK, then EOF.
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	for {
		h, _, err := readPacket(r)
		if err != nil {
			if strings.Contains(err.Error(), "timeout") {
				t.Fatal("the device is still connected after Close")
			}
			break
		}
		if h == 0x40 {
			t.Error("PUBACK for a message not committed when the broker closed")
		}
	}
	close(release)
	released = true
	if err := <-updated; err != nil {
		t.Fatal(err)
	}
	if !waitFor(10*time.Second, func() bool { return p.SensorValue(t, testkit.QuickstartCO2) == "555" }) {
		t.Errorf("the message was not committed once the pipeline moved on")
	}
	if !waitFor(10*time.Second, func() bool { return b.Connected() == 0 }) {
		t.Errorf("%d clients' goroutines still run after the pipeline moved on", b.Connected())
	}
}

// syncBuffer is a bytes.Buffer safe for concurrent writers (a log).
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
