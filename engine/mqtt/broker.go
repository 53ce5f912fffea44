// Package mqtt is Twin Studio's ingress: an embedded mochi-mqtt v2 broker
// that devices publish telemetry to (CONTRACT §4) and that carries the
// engine's events out on twins/events/{EventType}/{objectId}.
//
// The broker never blocks on work: its OnPublish hook hands each message to
// the engine's bounded Pipeline. QoS 0 messages are dropped and counted when
// the pipeline is full; a QoS 1 publisher waits (its PUBACK is written only
// after the message's effects are committed), which is MQTT's own back
// pressure. mochi calls OnPublish on the publishing client's goroutine
// before it writes the PUBACK, which is what makes that wait possible.
package mqtt

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/twinstudio/twinstudio/engine"
)

// DefaultAddr is where the broker listens unless told otherwise.
const DefaultAddr = "127.0.0.1:1883"

// Options configure a Broker. The zero value is valid.
type Options struct {
	// Addr is the TCP listen address; default DefaultAddr. Use
	// "127.0.0.1:0" for a free port (tests) and read Broker.Addr.
	Addr string
	// WSAddr, if set, adds a WebSocket listener.
	WSAddr string
	// Logger gets one line per connection and rejection at info level;
	// default discards.
	Logger *slog.Logger
	// EventBuffer is the size of the event subscription that feeds
	// twins/events/…; default 65536.
	EventBuffer int
}

// Authenticator checks CONNECT credentials and returns the principal. The
// broker's default authenticates devices (username = hardwareId, password
// = device key); the access-control issue adds principals with tokens.
type Authenticator func(username string, password []byte) (engine.Principal, bool)

// Broker is the embedded broker wired to an engine and its pipeline.
type Broker struct {
	e      *engine.Engine
	p      *engine.Pipeline
	opts   Options
	srv    *mochi.Server
	tcp    *listeners.TCP
	log    *slog.Logger
	auth   Authenticator
	pmu    sync.RWMutex
	prin   map[string]engine.Principal // client id → principal
	sub    *engine.Subscription
	done   chan struct{}
	wg     sync.WaitGroup
	closed atomic.Bool

	eventsPublished, eventsDropped atomic.Uint64
}

// New makes a broker for e that feeds p. Start it with Start.
func New(e *engine.Engine, p *engine.Pipeline, opts Options) *Broker {
	if opts.Addr == "" {
		opts.Addr = DefaultAddr
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.EventBuffer <= 0 {
		opts.EventBuffer = 1 << 16
	}
	b := &Broker{e: e, p: p, opts: opts, log: opts.Logger, prin: map[string]engine.Principal{}, done: make(chan struct{})}
	b.auth = b.deviceAuth
	return b
}

// SetAuthenticator replaces the CONNECT check. Call before Start.
func (b *Broker) SetAuthenticator(a Authenticator) { b.auth = a }

// deviceAuth accepts a device's hardwareId with its key.
func (b *Broker) deviceAuth(user string, pass []byte) (engine.Principal, bool) {
	var key string
	var id engine.ID
	b.e.View(func(v *engine.View) error {
		if d, ok := v.DeviceByHardwareID(user); ok && d.Status != engine.DeviceDisabled {
			key, id = d.Key, d.ID
		}
		return nil
	})
	if key == "" || subtle.ConstantTimeCompare([]byte(key), pass) != 1 {
		return engine.Principal{}, false
	}
	return engine.Principal{Type: engine.ObjectDeviceID, ID: id.String(), UPN: user}, true
}

// Start listens and serves. It returns once the listeners are bound.
func (b *Broker) Start() error {
	// mochi logs every client at info and dumps whole packets with its
	// errors; we log connections and rejections ourselves, so keep only its
	// errors, without the packet dumps.
	quiet := slog.New(levelFilter{b.log.Handler(), slog.LevelError})
	srv := mochi.New(&mochi.Options{InlineClient: true, Logger: quiet})
	srv.Options.Capabilities.MaximumPacketSize = engine.MaxPayload + 64<<10
	if err := srv.AddHook(&hook{b: b}, nil); err != nil {
		return err
	}
	b.tcp = listeners.NewTCP(listeners.Config{Type: "tcp", ID: "tcp", Address: b.opts.Addr})
	if err := srv.AddListener(b.tcp); err != nil {
		return fmt.Errorf("mqtt: listen on %s: %w", b.opts.Addr, err)
	}
	if b.opts.WSAddr != "" {
		ws := listeners.NewWebsocket(listeners.Config{Type: "ws", ID: "ws", Address: b.opts.WSAddr})
		if err := srv.AddListener(ws); err != nil {
			srv.Close()
			return fmt.Errorf("mqtt: listen on %s (websocket): %w", b.opts.WSAddr, err)
		}
	}
	if err := srv.Serve(); err != nil {
		srv.Close()
		return err
	}
	b.srv = srv
	b.sub = b.e.Events().Subscribe(b.opts.EventBuffer, nil)
	b.wg.Add(1)
	go b.forwardEvents()
	b.log.Info("mqtt broker listening", "addr", b.Addr())
	return nil
}

// Addr is the bound TCP address (host:port).
func (b *Broker) Addr() string {
	if b.tcp == nil {
		return b.opts.Addr
	}
	return b.tcp.Address()
}

// Close disconnects clients and stops listening. Call Pipeline.Close after
// it to drain what was accepted.
func (b *Broker) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	close(b.done)
	if b.sub != nil {
		b.sub.Close()
	}
	b.wg.Wait()
	if b.srv != nil {
		return b.srv.Close()
	}
	return nil
}

// Connected is the number of connected clients (not counting the inline
// client).
func (b *Broker) Connected() int {
	if b.srv == nil {
		return 0
	}
	return int(atomic.LoadInt64(&b.srv.Info.ClientsConnected))
}

// EventStats counts events forwarded to the broker and events lost because
// the forwarder fell behind.
func (b *Broker) EventStats() (published, dropped uint64) {
	return b.eventsPublished.Load(), b.eventsDropped.Load()
}

// Subscribe subscribes the broker's inline client (the studio's own) to a
// topic filter; fn runs on the publisher's goroutine and must not block.
func (b *Broker) Subscribe(filter string, id int, fn func(topic string, payload []byte)) error {
	return b.srv.Subscribe(filter, id, func(cl *mochi.Client, sub packets.Subscription, pk packets.Packet) {
		fn(pk.TopicName, pk.Payload)
	})
}

// Unsubscribe removes an inline subscription.
func (b *Broker) Unsubscribe(filter string, id int) error { return b.srv.Unsubscribe(filter, id) }

// Publish publishes as the inline client (QoS 0).
func (b *Broker) Publish(topic string, payload []byte) error {
	return b.srv.Publish(topic, payload, false, 0)
}

// forwardEvents publishes engine events on twins/events/…. If it falls
// behind, the bus drops its subscription; it counts what was lost and
// subscribes again.
func (b *Broker) forwardEvents() {
	defer b.wg.Done()
	sub := b.sub
	for {
		select {
		case <-b.done:
			return
		case ev, ok := <-sub.C:
			if !ok {
				if b.closed.Load() {
					return
				}
				b.eventsDropped.Add(1)
				b.log.Warn("mqtt: event forwarder fell behind; events were dropped")
				sub = b.e.Events().Subscribe(b.opts.EventBuffer, nil)
				b.sub = sub
				continue
			}
			topic := ev.MQTTTopic()
			if subs := b.srv.Topics.Subscribers(topic); len(subs.Subscriptions) == 0 && len(subs.InlineSubscriptions) == 0 && len(subs.Shared) == 0 {
				continue // nobody listens: skip encoding
			}
			if err := b.srv.Publish(topic, ev.JSON(), false, 0); err == nil {
				b.eventsPublished.Add(1)
			}
		}
	}
}

func (b *Broker) principal(clientID string) (engine.Principal, bool) {
	b.pmu.RLock()
	defer b.pmu.RUnlock()
	p, ok := b.prin[clientID]
	return p, ok
}

// hook is the broker's mochi hook.
type hook struct {
	mochi.HookBase
	b *Broker
}

func (h *hook) ID() string { return "twinstudio" }

func (h *hook) Provides(x byte) bool {
	return bytes.Contains([]byte{mochi.OnConnectAuthenticate, mochi.OnACLCheck, mochi.OnPublish,
		mochi.OnSessionEstablished, mochi.OnDisconnect}, []byte{x})
}

// OnConnectAuthenticate refuses anonymous and wrong credentials.
func (h *hook) OnConnectAuthenticate(cl *mochi.Client, pk packets.Packet) bool {
	user := string(pk.Connect.Username)
	if user == "" {
		h.b.log.Info("mqtt: refused connection without credentials", "client", cl.ID, "remote", cl.Net.Remote)
		return false
	}
	p, ok := h.b.auth(user, pk.Connect.Password)
	if !ok {
		h.b.log.Info("mqtt: refused connection: wrong username or key", "username", user, "remote", cl.Net.Remote)
		return false
	}
	h.b.pmu.Lock()
	h.b.prin[cl.ID] = p
	h.b.pmu.Unlock()
	return true
}

// OnSessionEstablished records a device as Connected.
func (h *hook) OnSessionEstablished(cl *mochi.Client, pk packets.Packet) {
	p, ok := h.b.principal(cl.ID)
	if !ok {
		return
	}
	h.b.log.Info("mqtt: connected", "username", p.UPN, "client", cl.ID, "remote", cl.Net.Remote, "protocol", cl.Properties.ProtocolVersion)
	if p.Type == engine.ObjectDeviceID {
		_ = h.b.e.SetDeviceConnection(p.UPN, true, time.Now())
	}
}

// OnDisconnect records a device as Disconnected.
func (h *hook) OnDisconnect(cl *mochi.Client, err error, expire bool) {
	p, ok := h.b.principal(cl.ID)
	if !ok {
		return
	}
	h.b.pmu.Lock()
	delete(h.b.prin, cl.ID)
	h.b.pmu.Unlock()
	h.b.log.Info("mqtt: disconnected", "username", p.UPN, "client", cl.ID, "reason", errText(err))
	if p.Type == engine.ObjectDeviceID && !h.b.closed.Load() {
		_ = h.b.e.SetDeviceConnection(p.UPN, false, time.Now())
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// OnACLCheck lets a device publish and subscribe only under
// devices/{its hardwareId}/. Twin events are for the inline client (and,
// with the access-control issue, for principals with tokens).
func (h *hook) OnACLCheck(cl *mochi.Client, topic string, write bool) bool {
	if cl.Net.Inline {
		return true
	}
	p, ok := h.b.principal(cl.ID)
	if !ok {
		return false
	}
	if p.Type == engine.ObjectDeviceID {
		own := engine.TopicPrefix + p.UPN + "/"
		if strings.HasPrefix(topic, own) && len(topic) > len(own) {
			return true
		}
		if write {
			h.b.log.Info("mqtt: rejected publish outside the device's topics", "username", p.UPN, "topic", topic)
		}
		return false
	}
	return false
}

// OnPublish hands device telemetry to the pipeline. A QoS 1 message is
// acknowledged only after its effects are committed.
func (h *hook) OnPublish(cl *mochi.Client, pk packets.Packet) (packets.Packet, error) {
	if cl.Net.Inline {
		return pk, nil
	}
	m := &engine.IngressMessage{
		Topic:    pk.TopicName,
		Payload:  append([]byte(nil), pk.Payload...),
		QoS:      pk.FixedHeader.Qos,
		Username: string(cl.Properties.Username),
		Received: time.Now(),
	}
	if len(pk.Properties.User) > 0 {
		m.UserProperties = make(map[string]string, len(pk.Properties.User))
		for _, u := range pk.Properties.User {
			m.UserProperties[u.Key] = u.Val
		}
	}
	t, err := h.b.p.Submit(m)
	if err != nil {
		// Dropped (QoS 0, pipeline full) or shutting down.
		if m.QoS > 0 {
			return pk, packets.ErrRejectPacket // no PUBACK: the client will retry
		}
		return pk, packets.CodeSuccessIgnore
	}
	if m.QoS == 0 {
		return pk, packets.CodeSuccessIgnore
	}
	if err := t.Wait(); err != nil {
		var code packets.Code
		switch {
		case errors.Is(err, engine.ErrNotAllowed):
			code = packets.ErrNotAuthorized
		case errors.Is(err, engine.ErrOversize):
			code = packets.ErrPacketTooLarge
		case errors.Is(err, engine.ErrBadTopic), errors.Is(err, engine.ErrBadPropertyBag):
			code = packets.ErrTopicNameInvalid
		case errors.Is(err, engine.ErrUnknownSensor), errors.Is(err, engine.ErrUnknownDevice):
			code = packets.ErrUnspecifiedError
		default:
			// Not committed: do not acknowledge, so the client retries.
			h.b.log.Warn("mqtt: message not committed", "username", m.Username, "error", err)
			return pk, packets.ErrRejectPacket
		}
		if cl.Properties.ProtocolVersion == 5 {
			return pk, code
		}
		return pk, packets.CodeSuccessIgnore
	}
	return pk, packets.CodeSuccessIgnore
}

// levelFilter drops records below a level.
type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

// Handle drops mochi's reports of the reason codes our hook returns on
// purpose and strips packet dumps.
func (f levelFilter) Handle(ctx context.Context, r slog.Record) error {
	if r.Message == "publish packet error" {
		return nil
	}
	out := slog.NewRecord(r.Time, r.Level, "mqtt: "+r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "pk" && a.Key != "packet" {
			out.AddAttrs(a)
		}
		return true
	})
	return f.Handler.Handle(ctx, out)
}

func (f levelFilter) WithAttrs(as []slog.Attr) slog.Handler {
	return levelFilter{f.Handler.WithAttrs(as), f.min}
}

func (f levelFilter) WithGroup(name string) slog.Handler {
	return levelFilter{f.Handler.WithGroup(name), f.min}
}
