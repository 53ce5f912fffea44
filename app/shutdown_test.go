package app_test

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// stuckYAML adds to the ingress project a UDF on the carbon dioxide
// sensor.
const stuckYAML = `- name: Quickstart Building
  type: Venue
  matchers:
  - name: CO2
    dataTypeValue: CarbonDioxide
  userdefinedfunctions:
  - name: Stuck
    matcherNames: [CO2]
    script: stuck.js
`

// TestCloseBoundedWithStuckUDF: a UDF stuck in a call nothing can
// interrupt (a Go function that blocks) holds a worker. App.Close, as
// twin serve calls it on SIGTERM, returns within its deadline with an
// error wrapping ErrCloseTimeout, and every message acknowledged before is
// in the durable history after reopening.
func TestCloseBoundedWithStuckUDF(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "stuck.js"), []byte("function process(telemetry, executionContext) {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	yml := filepath.Join(dir, "stuck.yaml")
	if err := os.WriteFile(yml, []byte(stuckYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	p := provision(t, ingressYAML, yml)
	stuck := make(chan struct{})
	defer close(stuck)
	entered := make(chan struct{}, 1)
	rt := engine.NewFuncRuntime()
	rt.Register("Stuck", func(x *engine.UDFContext, tm engine.Telemetry) error {
		if tm.Message == "999" {
			entered <- struct{}{}
			<-stuck
		}
		return nil
	})
	const timeout = time.Second
	a, err := app.Open(p.path, app.Options{CloseTimeout: timeout, Broker: &app.BrokerOptions{Addr: freeAddr(t)},
		WrapUDF: func(engine.UDFRuntime) engine.UDFRuntime { return rt }})
	if err != nil {
		t.Fatal(err)
	}
	send := func(v string) *engine.Ticket {
		tk, err := a.Pipeline().Submit(&engine.IngressMessage{Topic: engine.SensorTopic(devHW, co2HW), Payload: []byte(v),
			QoS: 1, Username: devHW, Received: time.Now()})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	var acked []string
	for i := 0; i < 5; i++ {
		v := strconv.Itoa(400 + i)
		if err := send(v).Wait(); err != nil {
			t.Fatal(err)
		}
		acked = append(acked, v)
	}
	stuckTk := send("999")
	<-entered
	queued := send("500")
	start := time.Now()
	err = a.Close()
	el := time.Since(start)
	t.Logf("Close took %v with a stuck UDF: %v", el, err)
	if el > timeout+2*time.Second {
		t.Errorf("Close took %v; want about its %v deadline", el, timeout)
	}
	if !errors.Is(err, app.ErrCloseTimeout) {
		t.Errorf("Close: %v, want an error wrapping ErrCloseTimeout", err)
	}
	for _, tk := range []*engine.Ticket{stuckTk, queued} {
		if err := tk.Wait(); !errors.Is(err, engine.ErrAbandoned) {
			t.Errorf("unacknowledged message's ticket: %v, want ErrAbandoned", err)
		}
	}
	hist := durableHistory(t, p.path, p.co2)
	have := map[string]bool{}
	for _, v := range hist {
		have[v] = true
	}
	for _, v := range acked {
		if !have[v] {
			t.Errorf("acknowledged value %s is not in the durable history %v", v, hist)
		}
	}
	if have["999"] || have["500"] {
		t.Errorf("an unacknowledged message was applied: %v", hist)
	}
}
