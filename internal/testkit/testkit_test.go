package testkit_test

import (
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mqtt3 "github.com/eclipse/paho.mqtt.golang"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/mqtt"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// TestSnippets: every good snippet provisions into an empty project; every
// bad one is refused with its error and leaves the project empty.
func TestSnippets(t *testing.T) {
	for _, s := range testkit.Snippets {
		t.Run(s.Name, func(t *testing.T) {
			p := testkit.Open(t, "", testkit.Options{})
			sum, err := p.ProvisionYAML(t, s.YAML, s.Scripts)
			if s.Err == "" {
				if err != nil {
					t.Fatal(err)
				}
				if sum.Total().Created == 0 {
					t.Fatalf("nothing created: %+v", sum)
				}
				return
			}
			if err == nil {
				t.Fatalf("provisioned; want an error with %q", s.Err)
			}
			if !strings.Contains(err.Error(), s.Err) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line with %q", err, s.Err)
			}
			if n := p.Engine().Stats().Spaces; n != 0 {
				t.Errorf("%d spaces after a refused file", n)
			}
		})
	}
}

// TestMessages: each telemetry fixture is accepted with its value, or
// rejected with its reason, on the Ingress project and on the quickstart.
func TestMessages(t *testing.T) {
	ingress := testkit.Open(t, "", testkit.Options{})
	if _, err := ingress.ProvisionYAML(t, testkit.Ingress.YAML, nil); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*testkit.Project{ingress, testkit.Example(t, testkit.ExampleQuickstart, testkit.Options{})} {
		for _, m := range testkit.Messages {
			err := p.Send(t, m)
			if m.Reject != "" {
				if err == nil || !strings.Contains(err.Error(), m.Reject) {
					t.Errorf("%s: error %v; want %q", m.Name, err, m.Reject)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", m.Name, err)
				continue
			}
			if got := p.SensorValue(t, m.Sensor); got != m.Value {
				t.Errorf("%s: value %q; want %q", m.Name, got, m.Value)
			}
		}
	}
}

// TestExamples: every example provisions into a real file that reopens
// with the same objects.
func TestExamples(t *testing.T) {
	for _, name := range []string{testkit.ExampleQuickstart, testkit.ExampleSmartOffice, testkit.ExampleEVCharging} {
		t.Run(name, func(t *testing.T) {
			p := testkit.Example(t, name, testkit.Options{})
			before := p.Engine().Stats()
			if before.Spaces == 0 || before.Sensors == 0 {
				t.Fatalf("%s: %+v", name, before)
			}
			if filepath.Dir(p.Path()) == "." {
				t.Errorf("path %s is not in a temporary folder", p.Path())
			}
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}
			again := testkit.Open(t, p.Path(), testkit.Options{})
			if after := again.Engine().Stats(); after != before {
				t.Errorf("reopened: %+v; want %+v", after, before)
			}
		})
	}
}

// TestBroker: a device publishes to the kit's broker with its key and the
// value lands in the project; a wrong key is refused.
func TestBroker(t *testing.T) {
	p := testkit.Example(t, testkit.ExampleQuickstart, testkit.Options{})
	b := p.StartBroker(t, mqtt.Options{})
	if !strings.HasPrefix(b.Addr(), "127.0.0.1:") || strings.HasSuffix(b.Addr(), ":0") {
		t.Fatalf("broker address %s: want a bound loopback port", b.Addr())
	}
	connect := func(pass string) (mqtt3.Client, error) {
		o := mqtt3.NewClientOptions().AddBroker("tcp://" + b.Addr()).SetClientID(testkit.QuickstartDevice).
			SetUsername(testkit.QuickstartDevice).SetPassword(pass).SetAutoReconnect(false).SetConnectRetry(false)
		c := mqtt3.NewClient(o)
		tok := c.Connect()
		if !tok.WaitTimeout(5 * time.Second) {
			return nil, tok.Error()
		}
		return c, tok.Error()
	}
	if c, err := connect("wrong"); err == nil {
		c.Disconnect(0)
		t.Fatal("connected with a wrong key")
	}
	c, err := connect(p.DeviceKey(t, testkit.QuickstartDevice))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(0)
	m := testkit.Messages[0]
	if tok := c.Publish(m.Topic(), 1, false, m.Payload); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("publish: %v", tok.Error())
	}
	// The PUBACK of QoS 1 comes after the commit.
	if got := p.SensorValue(t, m.Sensor); got != m.Value {
		t.Errorf("value %q after the PUBACK; want %q", got, m.Value)
	}
}

// TestUDFHook: the runtime given in Options.UDF runs the matched UDFs.
func TestUDFHook(t *testing.T) {
	// The engine's Go-function runtime stands in for scripts: the
	// quickstart's Motion Processor becomes a Go function that counts.
	var n atomic.Int64
	rt := engine.NewFuncRuntime()
	rt.Register("Motion Processor", func(*engine.UDFContext, engine.Telemetry) error { n.Add(1); return nil })
	p := testkit.Example(t, testkit.ExampleQuickstart, testkit.Options{UDF: rt})
	p.MustSend(t, testkit.Messages[0])
	if n.Load() == 0 {
		t.Error("the UDF runtime given in Options.UDF did not run")
	}
}
