package app

import (
	"errors"
	"fmt"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/mqtt"
)

// ErrBrokerRunning means StartBroker was called while the broker runs.
var ErrBrokerRunning = errors.New("the MQTT broker is already running")

// StartBroker starts the embedded MQTT broker with opts (the studio's
// toolbar switch). It returns once the listeners are bound.
//
// A zero opts.Addr reuses the address the broker last listened on (the
// port it was given, also when it asked for ":0"), and then the last
// WebSocket address too when opts.WSAddr is empty; with no broker before,
// it is mqtt.DefaultAddr. A nil opts.Logger is the app's logger.
//
// It fails with an error wrapping ErrBrokerRunning if a broker runs,
// engine.ErrClosed after Close, and the listener's error otherwise: an
// address in use wraps syscall.EADDRINUSE (test with errors.Is). On
// failure no broker runs. Safe for concurrent use.
func (a *App) StartBroker(opts BrokerOptions) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.startBrokerLocked(opts)
}

func (a *App) startBrokerLocked(opts BrokerOptions) error {
	if a.closed {
		return fmt.Errorf("start the MQTT broker of %s: %w", a.path, engine.ErrClosed)
	}
	if br := a.broker.Load(); br != nil {
		return fmt.Errorf("start the MQTT broker: %w on %s", ErrBrokerRunning, br.Addr())
	}
	if opts.Addr == "" {
		opts.Addr = a.brokerOpts.Addr
		if opts.WSAddr == "" {
			opts.WSAddr = a.brokerOpts.WSAddr
		}
	}
	if opts.Logger == nil {
		opts.Logger = a.log
	}
	br := mqtt.New(a.engine, a.pipeline, opts)
	if err := br.Start(); err != nil {
		return err
	}
	opts.Addr = br.Addr()
	if opts.WSAddr != "" {
		opts.WSAddr = br.WSAddr()
	}
	a.brokerOpts = opts
	a.broker.Store(br)
	return nil
}

// StopBroker stops the embedded MQTT broker: it disconnects every client
// (their devices are recorded Disconnected) and stops listening. The
// pipeline, the project and a running in-process simulation go on; an
// MQTT-mode simulation fails at its next publish. Stopping a stopped
// broker does nothing and returns nil. Safe for concurrent use.
func (a *App) StopBroker() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stopBrokerLocked()
}

func (a *App) stopBrokerLocked() error {
	br := a.broker.Swap(nil)
	if br == nil {
		return nil
	}
	if err := br.Close(); err != nil {
		return fmt.Errorf("stop the MQTT broker on %s: %w", br.Addr(), err)
	}
	return nil
}

// RestartBroker stops the broker if it runs and starts it again with the
// options it last started with, on the same addresses (StartBroker with
// zero options). Errors are StopBroker's and StartBroker's. Safe for
// concurrent use.
func (a *App) RestartBroker() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if err := a.stopBrokerLocked(); err != nil {
		return err
	}
	return a.startBrokerLocked(a.brokerOpts)
}

// LastBrokerOptions are the options the broker last started with, its
// addresses the ones it bound; the zero value if it never started. Safe
// for concurrent use.
func (a *App) LastBrokerOptions() BrokerOptions {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.brokerOpts
}
