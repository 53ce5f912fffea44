package engine_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// fairYAML: device SLOWDEV's sensor is matched by the UDF "Slow", device
// FASTDEV's by the UDF "Fast". Both are in one building.
const fairYAML = `- name: Building
  type: Venue
  devices:
  - name: Slow device
    hardwareId: SLOWDEV
    sensors:
    - dataType: Temperature
      hardwareId: SLOW_T
  - name: Fast device
    hardwareId: FASTDEV
    sensors:
    - dataType: Humidity
      hardwareId: FAST_H
  matchers:
  - name: Temperature
    dataTypeValue: Temperature
  - name: Humidity
    dataTypeValue: Humidity
  userdefinedfunctions:
  - name: Slow
    matcherNames: [Temperature]
    script: slow.js
  - name: Fast
    matcherNames: [Humidity]
    script: fast.js
`

// fairProject opens a project with the two devices, a FuncRuntime running
// slow and fast, and a pipeline with opts.
func fairProject(t *testing.T, opts engine.PipelineOptions, slow, fast engine.UDFFunc) *testkit.Project {
	t.Helper()
	rt := engine.NewFuncRuntime()
	rt.Register("Slow", slow)
	rt.Register("Fast", fast)
	p := testkit.Open(t, "", testkit.Options{UDF: rt, Pipeline: opts})
	js := "function process(telemetry, executionContext) {}\n"
	if _, err := p.ProvisionYAML(t, fairYAML, map[string]string{"slow.js": js, "fast.js": js}); err != nil {
		t.Fatal(err)
	}
	return p
}

func submit(t *testing.T, pl *engine.Pipeline, dev, sensor, payload string, qos byte) (*engine.Ticket, error) {
	t.Helper()
	return pl.Submit(&engine.IngressMessage{Topic: engine.SensorTopic(dev, sensor), Payload: []byte(payload), QoS: qos,
		Username: dev, Received: time.Now()})
}

// TestFairSlowDeviceDoesNotStallOthers floods device SLOWDEV with QoS 0
// messages whose UDF takes 40 ms each, on a single worker (so the two
// devices always share it), then sends one QoS 1 message from FASTDEV: it
// must be committed after at most a few slow executions, not after the
// whole backlog (60 × 40 ms = 2.4 s). SLOWDEV's messages must all run, in
// the order sent.
func TestFairSlowDeviceDoesNotStallOthers(t *testing.T) {
	const slowExec = 40 * time.Millisecond
	const n = 60
	var mu sync.Mutex
	var order []int
	p := fairProject(t, engine.PipelineOptions{Workers: 1},
		func(x *engine.UDFContext, tm engine.Telemetry) error {
			time.Sleep(slowExec)
			i, _ := strconv.Atoi(tm.Message)
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
			return nil
		},
		func(x *engine.UDFContext, tm engine.Telemetry) error { return nil })
	pl := p.Pipeline()
	var last *engine.Ticket
	for i := 0; i < n; i++ {
		tk, err := submit(t, pl, "SLOWDEV", "SLOW_T", strconv.Itoa(i), 0)
		if err != nil {
			t.Fatalf("slow message %d: %v", i, err)
		}
		last = tk
	}
	time.Sleep(slowExec / 2) // the worker is inside a slow execution
	start := time.Now()
	tk, err := submit(t, pl, "FASTDEV", "FAST_H", "55", 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := tk.Wait(); err != nil {
		t.Fatal(err)
	}
	lat := time.Since(start)
	t.Logf("fast device's QoS 1 latency behind %d slow messages: %v", n, lat)
	if bound := 5 * slowExec; lat > bound {
		t.Errorf("the fast device waited %v behind the slow device's backlog; want at most %v (a few slow executions)", lat, bound)
	}
	if err := last.Wait(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(order) != n {
		t.Fatalf("%d slow executions, want %d", len(order), n)
	}
	for i, v := range order {
		if v != i {
			t.Fatalf("slow device's messages ran out of order: %v", order)
		}
	}
}

// TestFairDeviceQueueBound: with a per-device bound of 4, a device that
// floods QoS 0 while its UDF is busy has its excess dropped and counted
// against it alone; another device's QoS 0 message is not dropped, and a
// QoS 1 publisher of the flooding device waits (back-pressure) while the
// other device's QoS 1 message goes through.
func TestFairDeviceQueueBound(t *testing.T) {
	release := make(chan struct{})
	entered := make(chan struct{}, 100)
	p := fairProject(t, engine.PipelineOptions{Workers: 2, Queue: 4},
		func(x *engine.UDFContext, tm engine.Telemetry) error { entered <- struct{}{}; <-release; return nil },
		func(x *engine.UDFContext, tm engine.Telemetry) error { return nil })
	pl := p.Pipeline()
	defer close(release)
	if _, err := submit(t, pl, "SLOWDEV", "SLOW_T", "first", 0); err != nil {
		t.Fatal(err)
	}
	<-entered // a worker is inside its UDF
	var dropped int
	for i := 0; i < 19; i++ {
		_, err := submit(t, pl, "SLOWDEV", "SLOW_T", strconv.Itoa(i), 0)
		if errors.Is(err, engine.ErrQueueFull) {
			dropped++
		} else if err != nil {
			t.Fatal(err)
		}
	}
	// One is being processed, 4 queued: 15 dropped.
	if dropped != 15 {
		t.Errorf("%d QoS 0 messages dropped, want 15 (queue bound 4, one running)", dropped)
	}
	st := pl.Stats()
	if st.DroppedByDevice["SLOWDEV"] != 15 || st.Dropped != 15 {
		t.Errorf("dropped counts %v (total %d), want SLOWDEV: 15", st.DroppedByDevice, st.Dropped)
	}
	if _, err := submit(t, pl, "FASTDEV", "FAST_H", "1", 0); err != nil {
		t.Errorf("the other device's QoS 0 message: %v", err)
	}
	blocked := make(chan error, 1)
	go func() {
		_, err := submit(t, pl, "SLOWDEV", "SLOW_T", "q1", 1)
		blocked <- err
	}()
	tk, err := submit(t, pl, "FASTDEV", "FAST_H", "2", 1)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- tk.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the other device's QoS 1 message was not committed while the slow device's queue was full")
	}
	select {
	case err := <-blocked:
		t.Fatalf("the slow device's QoS 1 submit returned (%v) while its queue was full; want back-pressure", err)
	case <-time.After(50 * time.Millisecond):
	}
	release <- struct{}{} // one slow message done: room for the blocked one
	select {
	case err := <-blocked:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the slow device's QoS 1 submit stayed blocked after its queue had room")
	}
	for i := 0; i < 5; i++ { // 4 queued + the QoS 1 one
		release <- struct{}{}
	}
}

// TestShutdownAbandonsStuckWorker: a UDF that never returns (a Go call
// nothing can interrupt) holds one worker. Shutdown with a deadline returns
// in time, reports the stuck device, fails its ticket with ErrAbandoned and
// the queued messages' too, while what was committed before stays; the
// other device's messages were processed.
func TestShutdownAbandonsStuckWorker(t *testing.T) {
	stuck := make(chan struct{})
	entered := make(chan struct{}, 1)
	p := fairProject(t, engine.PipelineOptions{Workers: 2},
		func(x *engine.UDFContext, tm engine.Telemetry) error {
			if tm.Message == "stuck" {
				entered <- struct{}{}
				<-stuck
			}
			return nil
		},
		func(x *engine.UDFContext, tm engine.Telemetry) error { return nil })
	defer close(stuck)
	pl := p.Pipeline()
	tk, err := submit(t, pl, "SLOWDEV", "SLOW_T", "1", 1)
	if err != nil || tk.Wait() != nil {
		t.Fatalf("first message: %v", err)
	}
	stuckTk, err := submit(t, pl, "SLOWDEV", "SLOW_T", "stuck", 1)
	if err != nil {
		t.Fatal(err)
	}
	<-entered
	var queued []*engine.Ticket
	for i := 0; i < 3; i++ {
		q, err := submit(t, pl, "SLOWDEV", "SLOW_T", fmt.Sprint(10+i), 0)
		if err != nil {
			t.Fatal(err)
		}
		queued = append(queued, q)
	}
	fast, err := submit(t, pl, "FASTDEV", "FAST_H", "42", 1)
	if err != nil || fast.Wait() != nil {
		t.Fatalf("fast device: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	rep := pl.Shutdown(ctx)
	if el := time.Since(start); el > 2*time.Second {
		t.Errorf("Shutdown took %v with a 300 ms deadline", el)
	}
	if len(rep.Abandoned) != 1 || rep.Abandoned[0] != "SLOWDEV" || rep.Unprocessed != 3 || !rep.TimedOut() {
		t.Errorf("report %+v, want SLOWDEV abandoned and 3 unprocessed", rep)
	}
	if err := stuckTk.Wait(); !errors.Is(err, engine.ErrAbandoned) || !errors.Is(err, engine.ErrClosed) {
		t.Errorf("stuck message's ticket: %v, want ErrAbandoned", err)
	}
	for _, q := range queued {
		if err := q.Wait(); !errors.Is(err, engine.ErrAbandoned) {
			t.Errorf("queued message's ticket: %v, want ErrAbandoned", err)
		}
	}
	if _, err := submit(t, pl, "FASTDEV", "FAST_H", "43", 1); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("submit after shutdown: %v, want ErrClosed", err)
	}
	if v := p.SensorValue(t, "SLOW_T"); v != "1" {
		t.Errorf("slow sensor value %q, want the committed 1", v)
	}
	if v := p.SensorValue(t, "FAST_H"); v != "42" {
		t.Errorf("fast sensor value %q, want 42", v)
	}
	// The engine still closes: the stuck worker holds no lock.
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
}
