package testkit

import (
	"testing"

	"github.com/twinstudio/twinstudio/engine/mqtt"
)

// StartBroker starts the embedded mochi broker for p on a free loopback
// port (opts.Addr defaults to 127.0.0.1:0; read Broker.Addr for the port)
// and closes it when the test ends, before the project closes.
func (p *Project) StartBroker(t testing.TB, opts mqtt.Options) *mqtt.Broker {
	t.Helper()
	if opts.Addr == "" {
		opts.Addr = "127.0.0.1:0"
	}
	b := mqtt.New(p.engine, p.pipeline, opts)
	if err := b.Start(); err != nil {
		t.Fatalf("testkit: start broker: %v", err)
	}
	t.Cleanup(func() {
		if err := b.Close(); err != nil {
			t.Errorf("testkit: close broker: %v", err)
		}
	})
	return b
}
