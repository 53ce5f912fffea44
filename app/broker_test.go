package app_test

import (
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// TestBrokerStopStart: the studio's broker switch. Stopping disconnects
// the clients and refuses new ones while the pipeline goes on; starting
// again on the remembered address serves again.
func TestBrokerStopStart(t *testing.T) {
	e := newEnv(t)
	lost := make(chan error, 1)
	c, err := connect3(t, e.addr, "dev", devHW, e.key, lost)
	if err != nil {
		t.Fatal(err)
	}
	if err := publish3(t, c, "devices/"+devHW+"/sensors/"+motionHW, 1, "true"); err != nil {
		t.Fatal(err)
	}
	e.waitValue(e.motion, "true")

	if err := e.a.StartBroker(app.BrokerOptions{Addr: "127.0.0.1:0"}); !errors.Is(err, app.ErrBrokerRunning) {
		t.Errorf("StartBroker while running: %v, want ErrBrokerRunning", err)
	}
	if err := e.a.StopBroker(); err != nil {
		t.Fatal(err)
	}
	if e.a.Broker() != nil {
		t.Fatal("Broker() is not nil after StopBroker")
	}
	select {
	case <-lost:
	case <-time.After(5 * time.Second):
		t.Fatal("the client was not disconnected by StopBroker")
	}
	eventually(t, 5*time.Second, func() bool { return e.device(devHW).ConnectionState == engine.Disconnected },
		func() string { return "device not recorded Disconnected after StopBroker" })
	if _, err := connect3(t, e.addr, "dev2", devHW, e.key, nil); err == nil {
		t.Fatal("a client connected to the stopped broker")
	}
	if err := e.a.StopBroker(); err != nil {
		t.Errorf("StopBroker on a stopped broker: %v", err)
	}
	// The pipeline and the project go on without the broker.
	if _, err := e.a.Pipeline().Submit(&engine.IngressMessage{Topic: "devices/" + devHW + "/sensors/" + co2HW, Payload: []byte("700"), Username: devHW}); err != nil {
		t.Fatal(err)
	}
	e.waitValue(e.co2, "700")

	// Started again with zero options: the same address.
	if err := e.a.StartBroker(app.BrokerOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := e.a.Broker().Addr(); got != e.addr {
		t.Fatalf("restarted on %s, want the last address %s", got, e.addr)
	}
	c, err = connect3(t, e.addr, "dev3", devHW, e.key, nil)
	if err != nil {
		t.Fatalf("connect after StartBroker: %v", err)
	}
	if err := publish3(t, c, "devices/"+devHW+"/sensors/"+motionHW, 1, "false"); err != nil {
		t.Fatal(err)
	}
	e.waitValue(e.motion, "false")

	// RestartBroker: the same address again, clients dropped.
	if err := e.a.RestartBroker(); err != nil {
		t.Fatal(err)
	}
	if got := e.a.Broker().Addr(); got != e.addr {
		t.Fatalf("RestartBroker on %s, want %s", got, e.addr)
	}
	if got := e.a.LastBrokerOptions().Addr; got != e.addr {
		t.Errorf("LastBrokerOptions().Addr = %s, want %s", got, e.addr)
	}
	if _, err := connect3(t, e.addr, "dev4", devHW, e.key, nil); err != nil {
		t.Fatalf("connect after RestartBroker: %v", err)
	}
}

// TestBrokerAddrInUse: an address taken by another listener fails with
// EADDRINUSE and leaves no broker running.
func TestBrokerAddrInUse(t *testing.T) {
	e := newEnv(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if err := e.a.StopBroker(); err != nil {
		t.Fatal(err)
	}
	err = e.a.StartBroker(app.BrokerOptions{Addr: l.Addr().String()})
	if !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("StartBroker on a taken address: %v, want EADDRINUSE", err)
	}
	if e.a.Broker() != nil {
		t.Fatal("a broker runs after a failed start")
	}
	if err := e.a.StartBroker(app.BrokerOptions{Addr: "127.0.0.1:0"}); err != nil {
		t.Fatalf("start on a free port after the failure: %v", err)
	}
	if _, err := connect3(t, e.a.Broker().Addr(), "dev", devHW, e.key, nil); err != nil {
		t.Fatal(err)
	}
}

// TestBrokerConcurrent: readers of Broker() race with stops and starts
// (run with -race); Close afterwards fails later starts.
func TestBrokerConcurrent(t *testing.T) {
	e := newEnv(t)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for !stop.Load() {
				if br := e.a.Broker(); br != nil {
					_ = br.Addr()
					_ = br.Connected()
				}
			}
		})
	}
	for i := range 10 {
		var err error
		if i%2 == 0 {
			err = e.a.StopBroker()
		} else {
			err = e.a.StartBroker(app.BrokerOptions{})
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if err := e.a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := e.a.StartBroker(app.BrokerOptions{}); !errors.Is(err, engine.ErrClosed) {
		t.Errorf("StartBroker after Close: %v, want engine.ErrClosed", err)
	}
}
