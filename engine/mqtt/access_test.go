package mqtt_test

// Principals with tokens on the broker (principals.go): connecting with a
// token, twin events filtered by what the principal may read, telemetry
// for the devices it may update, revoked and expired tokens, and slow
// subscribers.

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt3 "github.com/eclipse/paho.mqtt.golang"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/mqtt"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// twoTenants is a building shared by tenants A and B, each with a
// thermostat. alice may read A and update its devices; bob may read B.
const twoTenants = `- name: Tower
  type: Venue
  spaces:
  - name: A
    type: Tenant
    devices:
    - {name: A Thermostat, hardwareId: A_DEV, sensors: [{dataType: Temperature, hardwareId: A_T}]}
    roleassignments:
    - {role: User, objectIdType: UserId, objectId: alice@a.example}
    - {role: DeviceInstaller, objectIdType: UserId, objectId: alice@a.example}
  - name: B
    type: Customer
    devices:
    - {name: B Thermostat, hardwareId: B_DEV, sensors: [{dataType: Temperature, hardwareId: B_T}]}
    roleassignments:
    - {role: User, objectIdType: ServicePrincipalId, objectId: bob}
`

// tenantProject opens the two-tenant project with a broker and returns
// it with tokens for alice and bob.
func tenantProject(t *testing.T) (p *testkit.Project, b *mqtt.Broker, alice, bob string) {
	t.Helper()
	p = testkit.Open(t, "", testkit.Options{})
	if _, err := p.ProvisionYAML(t, twoTenants, nil); err != nil {
		t.Fatal(err)
	}
	alice = newToken(t, p.Engine(), "UserId:alice@a.example", "alice", time.Time{})
	bob = newToken(t, p.Engine(), "bob", "bob", time.Time{})
	return p, p.StartBroker(t, mqtt.Options{}), alice, bob
}

func newToken(t *testing.T, e *engine.Engine, principal, name string, expires time.Time) string {
	t.Helper()
	var secret string
	err := e.Update(func(tx *engine.Tx) error {
		p, err := tx.ResolvePrincipal(principal)
		if err != nil {
			return err
		}
		secret, _, err = tx.CreateToken(p, name, expires)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

func sensorID(t *testing.T, e *engine.Engine, hw string) string {
	t.Helper()
	var id string
	e.View(func(v *engine.View) error {
		s, ok := v.SensorByHardwareID(hw)
		if !ok {
			t.Fatalf("no sensor %s", hw)
		}
		id = s.ID.String()
		return nil
	})
	return id
}

// inbox collects the topics and payloads a client receives.
type inbox struct {
	mu  sync.Mutex
	got []string // "topic payload"
}

func (ib *inbox) handler(_ mqtt3.Client, m mqtt3.Message) {
	ib.mu.Lock()
	ib.got = append(ib.got, m.Topic()+" "+string(m.Payload()))
	ib.mu.Unlock()
}

func (ib *inbox) has(piece string) bool {
	ib.mu.Lock()
	defer ib.mu.Unlock()
	for _, g := range ib.got {
		if strings.Contains(g, piece) {
			return true
		}
	}
	return false
}

func subscribe3(t *testing.T, c mqtt3.Client, filter string, ib *inbox) byte {
	t.Helper()
	tok := c.Subscribe(filter, 0, ib.handler)
	if !tok.WaitTimeout(10 * time.Second) {
		t.Fatalf("subscribe %s timed out", filter)
	}
	if err := tok.Error(); err != nil {
		return 0x80
	}
	return tok.(*mqtt3.SubscribeToken).Result()[filter]
}

// TestTokenEventsTenantIsolation: a tenant-A token subscribed to
// twins/events/# receives A's events and none of B's, and B's the
// reverse; the token works as the password of user "token" and as the
// user name. A device still cannot subscribe to events.
func TestTokenEventsTenantIsolation(t *testing.T) {
	p, b, alice, bob := tenantProject(t)
	ca, code, err := dial3(t, b.Addr(), "dashboard", "token", alice, nil)
	if err != nil {
		t.Fatalf("alice with user token: code %d, %v", code, err)
	}
	cb, code, err := dial3(t, b.Addr(), "", bob, "", nil)
	if err != nil {
		t.Fatalf("bob with the token as user name: code %d, %v", code, err)
	}
	var ia, ibx, idev inbox
	if q := subscribe3(t, ca, "twins/events/#", &ia); q >= 0x80 {
		t.Fatalf("alice's subscription refused: %#x", q)
	}
	if q := subscribe3(t, cb, "twins/events/+/#", &ibx); q >= 0x80 {
		t.Fatalf("bob's subscription refused: %#x", q)
	}
	dev, _, err := dial3(t, b.Addr(), "A_DEV", "A_DEV", p.DeviceKey(t, "A_DEV"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if q := subscribe3(t, dev, "twins/events/#", &idev); q < 0x80 {
		t.Errorf("a device subscribed to twin events (granted %#x)", q)
	}
	aID, bID := sensorID(t, p.Engine(), "A_T"), sensorID(t, p.Engine(), "B_T")
	for _, v := range []string{"21", "22", "23"} {
		p.MustSend(t, testkit.Message{Device: "A_DEV", Sensor: "A_T", Payload: v})
		p.MustSend(t, testkit.Message{Device: "B_DEV", Sensor: "B_T", Payload: "1" + v})
	}
	ok := waitFor(5*time.Second, func() bool {
		return ia.has("twins/events/SensorChange/"+aID) && ia.has(`"Value":"23"`) &&
			ibx.has("twins/events/SensorChange/"+bID) && ibx.has(`"Value":"123"`)
	})
	if !ok {
		t.Fatalf("events missing: alice %d messages, bob %d", len(ia.got), len(ibx.got))
	}
	time.Sleep(200 * time.Millisecond) // anything leaking would be here by now
	if ia.has(bID) || ia.has("B_DEV") || ia.has("B_T") {
		t.Errorf("alice (tenant A) received B's events: %v", ia.got)
	}
	if ibx.has(aID) || ibx.has("A_DEV") || ibx.has("A_T") {
		t.Errorf("bob (tenant B) received A's events: %v", ibx.got)
	}
	if !ia.has("twins/events/DeviceMessage/"+aID) || len(idev.got) != 0 {
		t.Errorf("alice lacks A's DeviceMessage, or the device got events: %d", len(idev.got))
	}
	// A subscription to a single foreign object is refused outright.
	if q := subscribe3(t, ca, "twins/events/SensorChange/"+bID, &ia); q < 0x80 {
		t.Errorf("alice subscribed to B's sensor (granted %#x)", q)
	}
	// Once alice is given B too, the cached refusals are forgotten and B's
	// events reach her.
	if err := p.Engine().Update(func(tx *engine.Tx) error {
		bSpace, err := tx.ResolveSpace("/Tower/B")
		if err != nil {
			return err
		}
		return tx.PutRoleAssignment(&engine.RoleAssignment{RoleID: engine.RoleUser, ObjectID: "alice@a.example",
			ObjectIDType: engine.ObjectUserID, Path: tx.SpacePath(bSpace)})
	}); err != nil {
		t.Fatal(err)
	}
	p.MustSend(t, testkit.Message{Device: "B_DEV", Sensor: "B_T", Payload: "777"})
	if !waitFor(5*time.Second, func() bool { return ia.has("twins/events/SensorChange/"+bID) && ia.has(`"Value":"777"`) }) {
		t.Error("alice does not get B's events after being given B")
	}
}

// TestTokenTelemetry: a token principal publishes for a device it may
// update (Device Installer on tenant A); a publish for another tenant's
// device is refused as other ACL refusals are (MQTT 3.1.1: the connection
// is closed) and changes nothing.
func TestTokenTelemetry(t *testing.T) {
	p, b, alice, bob := tenantProject(t)
	lost := make(chan error, 1)
	ca, _, err := dial3(t, b.Addr(), "alice-pub", "token", alice, lost)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitPub(ca, "devices/A_DEV/sensors/A_T", "19.5"); err != nil {
		t.Fatal(err)
	}
	if got := p.SensorValue(t, "A_T"); got != "19.5" {
		t.Errorf("A_T = %q after alice's publish, want 19.5", got)
	}
	_ = waitPub(ca, "devices/B_DEV/sensors/B_T", "99")
	select {
	case <-lost:
	case <-time.After(5 * time.Second):
		t.Error("alice's connection stayed open after a publish for B's device")
	}
	if got := p.SensorValue(t, "B_T"); got == "99" {
		t.Error("alice's publish for B's device was applied")
	}
	// bob may read B but not update its devices.
	lostB := make(chan error, 1)
	cb, _, err := dial3(t, b.Addr(), "bob-pub", "token", bob, lostB)
	if err != nil {
		t.Fatal(err)
	}
	_ = waitPub(cb, "devices/B_DEV/sensors/B_T", "98")
	select {
	case <-lostB:
	case <-time.After(5 * time.Second):
		t.Error("bob (User role) published for a device")
	}
	if got := p.SensorValue(t, "B_T"); got == "98" {
		t.Error("bob's publish was applied")
	}
}

func waitPub(c mqtt3.Client, topic, payload string) error {
	tok := c.Publish(topic, 1, false, payload)
	tok.WaitTimeout(5 * time.Second)
	return tok.Error()
}

// TestTokenRevokedOrExpired: a revoked token's connection is closed
// within the recheck interval and cannot connect again; an expired
// token's likewise; an unknown or malformed token never connects.
func TestTokenRevokedOrExpired(t *testing.T) {
	p, b, _, bob := tenantProject(t)
	short := newToken(t, p.Engine(), "bob", "short", time.Now().Add(1500*time.Millisecond))
	lostBob, lostShort := make(chan error, 1), make(chan error, 1)
	if _, code, err := dial3(t, b.Addr(), "bob", "token", bob, lostBob); err != nil {
		t.Fatalf("code %d, %v", code, err)
	}
	if _, code, err := dial3(t, b.Addr(), "short", short, "", lostShort); err != nil {
		t.Fatalf("code %d, %v", code, err)
	}
	if err := p.Engine().Update(func(tx *engine.Tx) error { return tx.RevokeToken("bob") }); err != nil {
		t.Fatal(err)
	}
	for name, lost := range map[string]chan error{"revoked": lostBob, "expired": lostShort} {
		select {
		case <-lost:
		case <-time.After(4 * time.Second):
			t.Errorf("the %s token's connection is still open", name)
		}
	}
	for _, c := range []struct{ name, user, pass string }{
		{"revoked", "token", bob}, {"expired", short, ""}, {"unknown", "token", "twn_" + strings.Repeat("x", 43)},
		{"malformed", "token", "hello"}, {"empty", "token", ""},
	} {
		if _, code, err := dial3(t, b.Addr(), "", c.user, c.pass, nil); err == nil || code != v3BadCredentials {
			t.Errorf("%s token: connected (code %d, %v)", c.name, code, err)
		}
	}
	if !waitFor(5*time.Second, func() bool { mqtt.Sweep(b); return mqtt.Sessions(b) == 0 }) {
		t.Errorf("%d sessions left", mqtt.Sessions(b))
	}
}

// TestSlowSubscriberCounted: a token subscriber that never reads misses
// events, counted for its session and in total, while telemetry goes on
// at full speed and a subscriber that reads gets the newest event.
func TestSlowSubscriberCounted(t *testing.T) {
	p, b, alice, _ := tenantProject(t)
	stuck, code, err := rawConnect(b.Addr(), "stuck", "token", alice, 600, true)
	if err != nil || code != 0 {
		t.Fatalf("code %d, %v", code, err)
	}
	defer stuck.Close()
	_ = stuck.(*net.TCPConn).SetReadBuffer(1024)
	if _, err := stuck.Write(subscribePacket(1, "twins/events/#")); err != nil {
		t.Fatal(err)
	}
	h, body, err := readPacket(bufio.NewReaderSize(stuck, 16))
	if err != nil || h != 0x90 || len(body) != 3 || body[2] >= 0x80 {
		t.Fatalf("SUBACK % x % x, %v", h, body, err)
	} // from here on it never reads
	ca, _, err := dial3(t, b.Addr(), "reader", "token", alice, nil)
	if err != nil {
		t.Fatal(err)
	}
	var ia inbox
	subscribe3(t, ca, "twins/events/SensorChange/#", &ia)
	const burst = 4000
	n := burst
	start := time.Now()
	var tickets []*engine.Ticket
	for i := 0; i < n; i++ {
		tk, err := p.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic("A_DEV", "A_T"),
			Payload: []byte(itoa(i)), QoS: 1, Username: "A_DEV", Received: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		tickets = append(tickets, tk)
	}
	for _, tk := range tickets {
		if err := tk.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	// The reader may have missed some of the burst too; once it caught up
	// it gets what follows.
	var last string
	if !waitFor(10*time.Second, func() bool {
		last = `"Value":"` + itoa(n) + `"`
		p.MustSend(t, testkit.Message{Device: "A_DEV", Sensor: "A_T", Payload: itoa(n)})
		n++
		return waitFor(time.Second, func() bool { return ia.has(last) })
	}) {
		t.Fatalf("the reading subscriber did not get the newest event %s", last)
	}
	var stuckDrops uint64
	for _, s := range b.Sessions() {
		if strings.HasSuffix(s.Client, "/stuck") {
			stuckDrops = s.Dropped
			if !s.Token || s.Principal.ID != "alice@a.example" {
				t.Errorf("session %+v", s)
			}
		}
	}
	total := b.DroppedDeliveries()
	if stuckDrops == 0 || total < stuckDrops {
		t.Fatalf("stuck subscriber dropped %d, total %d; want > 0 (after %d messages in %v)", stuckDrops, total, n, elapsed)
	}
	t.Logf("%d messages in %v; the stuck subscriber missed %d events", burst, elapsed, stuckDrops)
}

func itoa(i int) string { return strconv.Itoa(i) }
