package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	mqtt3 "github.com/eclipse/paho.mqtt.golang"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/simulator"
)

// SimMode is how a simulation's readings reach the pipeline.
type SimMode int

const (
	// SimInProcess submits readings straight to the pipeline, received at
	// the simulated time: deterministic.
	SimInProcess SimMode = iota
	// SimMQTT makes each virtual device a real MQTT client that connects
	// to the app's broker with its hardwareId and device key and
	// publishes its readings (QoS 1) on devices/{hw}/sensors/{sensorHw}:
	// the whole path a real device takes. Readings are received at the
	// wall time they arrive.
	SimMQTT
)

func (m SimMode) String() string {
	if m == SimMQTT {
		return "mqtt"
	}
	return "in-process"
}

// SimOptions configure RunSimulation.
type SimOptions struct {
	Mode SimMode
	// Speed, if > 0, runs the simulated clock at Speed × real time (60:
	// one simulated minute per real second); 0 runs as fast as possible.
	Speed float64
	// Series, if set, receives the series CSV (time,sensor,value).
	Series io.Writer
	// Clock, if set, is the simulated clock to drive (the one the engine
	// and UDF runtime were given, for in-process runs).
	Clock *simulator.Clock
	// UDFs, if set, is read for the udf KPIs.
	UDFs *simulator.UDFCounter
	// OnConnected, if set, is called in MQTT mode once every virtual
	// device is connected, before the first reading.
	OnConnected func(devices []string)
}

// RunSimulation runs sc over the project until it ends or ctx is done (then
// it returns ctx's error). In MQTT mode the app must have a broker.
func (a *App) RunSimulation(ctx context.Context, sc *simulator.Scenario, o SimOptions) (*simulator.Result, error) {
	p, err := a.planSim(ctx, sc, o)
	if err != nil {
		return nil, err
	}
	defer p.close()
	return p.run()
}

// simPlan is a simulation bound to the project, its sink connected.
type simPlan struct {
	sim   *simulator.Sim
	sink  simulator.Sink
	opts  simulator.Options
	close func() // disconnects an MQTT sink
}

func (p *simPlan) run() (*simulator.Result, error) { return p.sim.Run(p.sink, p.opts) }

// planSim binds sc to the project (creating the virtual devices its create
// lists ask for) and, in MQTT mode, connects the virtual devices; ctx
// stops the run.
func (a *App) planSim(ctx context.Context, sc *simulator.Scenario, o SimOptions) (*simPlan, error) {
	if sc == nil {
		return nil, errors.New("simulate: no scenario")
	}
	sim, err := simulator.New(a.engine, sc)
	if err != nil {
		return nil, err
	}
	p := &simPlan{sim: sim, sink: a.pipeline, close: func() {},
		opts: simulator.Options{Series: o.Series, Clock: o.Clock, UDFs: o.UDFs}}
	if o.Speed > 0 {
		if p.opts.Pace, err = simulator.RealTime(ctx, o.Speed); err != nil {
			return nil, err
		}
	} else {
		p.opts.Pace = func(time.Time) error { return ctx.Err() }
	}
	if o.Mode == SimMQTT {
		ms, err := a.NewMQTTSink(sim.Devices())
		if err != nil {
			return nil, err
		}
		if o.OnConnected != nil {
			o.OnConnected(sim.Devices())
		}
		p.sink, p.close = ms, ms.Close
	}
	return p, nil
}

// MQTTSink is a simulator.Sink whose virtual devices are paho MQTT 3.1.1
// clients connected to the app's broker, one per device, each with its
// own hardwareId (username) and device key (password). Submit publishes a
// reading with QoS 1 from the reading's device; the broker acknowledges
// it once the pipeline has committed it, so after Flush the pipeline's
// counts include every reading published.
type MQTTSink struct {
	p       *engine.Pipeline
	clients map[string]mqtt3.Client
	order   []string

	mu      sync.Mutex
	pending []mqtt3.Token
	sent    atomic.Uint64
}

// mqttWindow is how many publishes may be in flight before Submit waits.
const mqttWindow = 512

// mqttTimeout bounds a connect or a publish acknowledgement.
const mqttTimeout = 30 * time.Second

// NewMQTTSink connects one MQTT client per device (hardware ids) to the
// app's broker. It fails if the app has no broker, or if a device is
// unknown, has no key or is refused; clients already connected are then
// disconnected.
func (a *App) NewMQTTSink(devices []string) (*MQTTSink, error) {
	br := a.Broker()
	if br == nil {
		return nil, errors.New("simulate: MQTT mode needs the broker")
	}
	keys := map[string]string{}
	err := a.engine.View(func(v *engine.View) error {
		for _, hw := range devices {
			d, ok := v.DeviceByHardwareID(hw)
			if !ok {
				return fmt.Errorf("simulate: device %s does not exist", hw)
			}
			if d.Key == "" {
				return fmt.Errorf("simulate: device %s has no key", hw)
			}
			keys[hw] = d.Key
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s := &MQTTSink{p: a.pipeline, clients: map[string]mqtt3.Client{}}
	addr := br.Addr()
	for _, hw := range devices {
		o := mqtt3.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(hw + "/twin-sim").
			SetProtocolVersion(4).SetCleanSession(true).SetAutoReconnect(false).SetConnectRetry(false).
			SetConnectTimeout(10 * time.Second).SetKeepAlive(30 * time.Second).SetWriteTimeout(10 * time.Second).
			SetUsername(hw).SetPassword(keys[hw])
		c := mqtt3.NewClient(o)
		tok := c.Connect()
		if !tok.WaitTimeout(mqttTimeout) {
			s.Close()
			return nil, fmt.Errorf("simulate: device %s: MQTT connect timed out", hw)
		}
		if err := tok.Error(); err != nil {
			s.Close()
			return nil, fmt.Errorf("simulate: device %s: MQTT connect: %w", hw, err)
		}
		s.clients[hw] = c
		s.order = append(s.order, hw)
	}
	// The broker records a session after its CONNACK: wait until every
	// virtual device is recorded Connected, so the run sees them so.
	if err := a.waitConnected(devices, 10*time.Second); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// waitConnected waits until every device is recorded Connected.
func (a *App) waitConnected(devices []string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		var missing string
		_ = a.engine.View(func(v *engine.View) error {
			for _, hw := range devices {
				if d, ok := v.DeviceByHardwareID(hw); !ok || d.ConnectionState != engine.Connected {
					missing = hw
					return nil
				}
			}
			return nil
		})
		if missing == "" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("simulate: device %s: not recorded Connected %v after its MQTT connection", missing, timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Submit publishes m from its device (m.Username) on m.Topic with QoS 1.
// It returns a nil ticket: Flush waits for the acknowledgements. Received
// and the other fields of m are not sent: the broker stamps the reading.
func (s *MQTTSink) Submit(m *engine.IngressMessage) (*engine.Ticket, error) {
	c, ok := s.clients[m.Username]
	if !ok {
		return nil, fmt.Errorf("device %s is not connected", m.Username)
	}
	tok := c.Publish(m.Topic, 1, false, m.Payload)
	s.sent.Add(1)
	s.mu.Lock()
	s.pending = append(s.pending, tok)
	full := len(s.pending) >= mqttWindow
	s.mu.Unlock()
	if full {
		return nil, s.Flush()
	}
	return nil, nil
}

// Flush waits until every reading published has been acknowledged.
func (s *MQTTSink) Flush() error {
	s.mu.Lock()
	pending := s.pending
	s.pending = nil
	s.mu.Unlock()
	var errs []error
	for _, tok := range pending {
		if !tok.WaitTimeout(mqttTimeout) {
			errs = append(errs, errors.New("MQTT publish not acknowledged in time"))
			continue
		}
		if err := tok.Error(); err != nil {
			errs = append(errs, fmt.Errorf("MQTT publish: %w", err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%d of %d publishes failed: %w", len(errs), len(pending), errs[0])
	}
	return nil
}

// Stats are the pipeline's counts (simulator.StatsSource).
func (s *MQTTSink) Stats() engine.IngressStats { return s.p.Stats() }

// Sent is the number of readings published.
func (s *MQTTSink) Sent() uint64 { return s.sent.Load() }

// Devices are the connected virtual devices' hardware ids.
func (s *MQTTSink) Devices() []string { return append([]string(nil), s.order...) }

// Close disconnects every client.
func (s *MQTTSink) Close() {
	for _, hw := range s.order {
		s.clients[hw].Disconnect(250)
	}
	s.order = nil
}
