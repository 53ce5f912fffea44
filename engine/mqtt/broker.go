// Package mqtt is Twin Studio's ingress: an embedded mochi-mqtt v2 broker
// that devices publish telemetry to (docs/mqtt.md) and that carries the
// engine's events out on twins/events/{EventType}/{objectId}.
//
// The broker never blocks on work: its OnPublish hook hands each message to
// the engine's bounded Pipeline. QoS 0 messages are dropped and counted when
// the pipeline is full. A QoS 1 message's PUBACK is written only after the
// message's effects are committed, in the order the client sent them, while
// the client goes on sending: a connection has up to ackWindow messages in
// flight, and past that its publisher waits, which is MQTT's own back
// pressure (ack.go).
//
// Every publish of an authenticated device goes through the pipeline, so
// that refused messages — a foreign topic, another device's sensor, an
// unknown sensor, an oversize payload — are counted and visible with their
// reason. No device publish, will messages included, is ever forwarded to
// subscribers.
package mqtt

import (
	"bytes"
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
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
	// WSAddr, if set, adds a WebSocket listener (any path); ":0" ports
	// work as for Addr, see Broker.WSAddr.
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
	ws     *wsListener
	log    *slog.Logger
	auth   Authenticator
	done   chan struct{}
	wg     sync.WaitGroup
	closed atomic.Bool

	// pmu guards the principals of the connections and the number of live
	// connections of each device. It is held while a device's connection
	// state is written, so that those writes land in the order of the
	// connections' changes.
	pmu   sync.RWMutex
	prin  map[*mochi.Client]*session // keyed by connection: a client id may be taken over
	conns map[string]int             // device hardwareId → live connections

	eventsPublished, eventsDropped atomic.Uint64
	// deliveriesDropped counts the messages mochi dropped because a
	// client's outbound queue was full (a subscriber that does not read).
	deliveriesDropped atomic.Uint64
	// current is the event the forwarder is publishing: mochi delivers it
	// synchronously, and its ACL checks decide on the whole event.
	current atomic.Pointer[engine.Event]

	// evMu guards evSub (the event forwarder's current subscription) and
	// inline (the event types each inline subscription's filter can
	// match): the forwarder's subscription asks the engine only for the
	// types some inline subscriber can receive.
	evMu   sync.Mutex
	evSub  *engine.Subscription
	inline map[inlineSub]engine.EventMask
	// clientSubs are the event types the event subscriptions of
	// principals' connections can receive, by connection and filter.
	clientSubs map[*mochi.Client]map[string]engine.EventMask
}

// inlineSub names one inline subscription.
type inlineSub struct {
	filter string
	id     int
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
	b := &Broker{e: e, p: p, opts: opts, log: opts.Logger, done: make(chan struct{}),
		prin: map[*mochi.Client]*session{}, conns: map[string]int{},
		inline: map[inlineSub]engine.EventMask{}, clientSubs: map[*mochi.Client]map[string]engine.EventMask{}}
	b.auth = b.defaultAuth
	return b
}

// SetAuthenticator replaces the CONNECT check (by default a token, see
// TokenSecret, or else a device's hardwareId and key). Call before Start.
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

// Start listens and serves. It returns once the listeners are bound, or
// the error of one that could not bind. Devices that the project still
// records as Connected (the previous server was killed) are recorded as
// Disconnected first: no connection survives a restart.
func (b *Broker) Start() error {
	// mochi logs every client at info and dumps whole packets with its
	// errors; we log connections and rejections ourselves, so keep only its
	// errors, without the packet dumps.
	quiet := slog.New(levelFilter{b.log.Handler(), slog.LevelError})
	srv := mochi.New(&mochi.Options{InlineClient: true, Logger: quiet,
		// $SYS topics: nobody here reads them, and each update stops the
		// world to read the memory statistics.
		SysTopicResendInterval: 60,
	})
	caps := srv.Options.Capabilities
	caps.MaximumPacketSize = engine.MaxPayload + 64<<10
	// Memory per connection. mochi gives every client an outbound queue of
	// MaximumClientWritesPending packet pointers up front (8,192 by
	// default: 64 KiB a client, 320 MiB for 5,000 idle devices, which also
	// sets the garbage collector's goal that high). Devices are sent
	// nothing but acknowledgements (written directly, not queued) and what
	// the serving process publishes under their own topics, so a short
	// queue is enough; past it, messages to a device that does not read
	// are dropped and counted.
	caps.MaximumClientWritesPending = maxWritesPending
	// No session outlives its connection. A device's session holds nothing
	// it needs back (its subscriptions, and QoS 1 messages to it, which
	// are none), and mochi keeps a persistent session (MQTT 3.1.1 clean
	// session 0, MQTT 5 session expiry) with its buffers until it expires:
	// by default after 136 years. MQTT 5 clients are told in the CONNACK.
	caps.MaximumSessionExpiryInterval = 0
	// mochi otherwise copies a PUBLISH's properties (an MQTT 5 device's
	// user properties) into its PUBACK, and then writes the reason code
	// "granted QoS 1" (0x01), which is not a PUBACK reason code.
	srv.Options.Capabilities.Compatibilities.NoInheritedPropertiesOnAck = true
	if err := srv.AddHook(&hook{b: b, srv: srv}, nil); err != nil {
		return err
	}
	b.tcp = listeners.NewTCP(listeners.Config{Type: "tcp", ID: "tcp", Address: b.opts.Addr})
	if err := srv.AddListener(b.tcp); err != nil {
		return fmt.Errorf("mqtt: listen on %s: %w", b.opts.Addr, err)
	}
	if b.opts.WSAddr != "" {
		b.ws = newWSListener("ws", b.opts.WSAddr)
		if err := srv.AddListener(b.ws); err != nil {
			srv.Close()
			return fmt.Errorf("mqtt: listen on %s (websocket): %w", b.opts.WSAddr, err)
		}
	}
	b.resetConnectionStates()
	if err := srv.Serve(); err != nil {
		srv.Close()
		return err
	}
	b.srv = srv
	b.wg.Add(3)
	go b.sweep()
	go b.recheckTokens()
	go b.forwardEvents(b.subscribeEvents())
	if b.ws != nil {
		b.log.Info("mqtt broker listening", "addr", b.Addr(), "websocket", b.WSAddr())
	} else {
		b.log.Info("mqtt broker listening", "addr", b.Addr())
	}
	return nil
}

// maxWritesPending is the per-client outbound queue (see Start).
const maxWritesPending = 64

// resetConnectionStates records every device still marked Connected as
// Disconnected: before the broker serves, none is.
func (b *Broker) resetConnectionStates() {
	r, err := b.e.Query(engine.Query{Kind: engine.KindDevice})
	if err != nil {
		return
	}
	now := time.Now()
	for _, d := range r.Devices {
		if d.ConnectionState == engine.Connected {
			_ = b.e.SetDeviceConnection(d.HardwareID, false, now)
		}
	}
}

// Addr is the bound TCP address (host:port).
func (b *Broker) Addr() string {
	if b.tcp == nil {
		return b.opts.Addr
	}
	return b.tcp.Address()
}

// WSAddr is the bound WebSocket address (host:port), or "" without one.
func (b *Broker) WSAddr() string {
	if b.ws == nil {
		return b.opts.WSAddr
	}
	return b.ws.Address()
}

// closeGrace bounds how long Close lets clients take the DISCONNECT it
// writes them: writes to them get this deadline, and connections still
// busy after it are closed without one.
const closeGrace = time.Second

// Close disconnects clients (recording their devices as Disconnected) and
// stops listening. A client that does not read cannot hold it up: writes
// to clients get a deadline of closeGrace, after which their connections
// are closed. The engine must still be open; call Pipeline.Close after it
// to drain what was accepted. Close waits at most closeWait for the
// clients' goroutines: one whose acknowledgement window is full, or whose
// QoS 2 message is not yet committed, waits for the pipeline, and is left
// to end when the pipeline answers it (a warning is logged). QoS 1
// acknowledgements still pending are dropped (their clients resend).
// Calls after the first return nil at once.
func (b *Broker) Close() error {
	if b.closed.Swap(true) {
		return nil
	}
	close(b.done)
	b.wg.Wait()
	if b.srv == nil {
		return nil
	}
	// mochi v2.7.9's own shutdown can deadlock: Clients.GetByListener takes
	// the clients' read lock twice (it calls Len inside), and a client that
	// is disconnecting at that moment waits for the write lock in between,
	// which blocks the second read lock. So close each listener and its
	// clients here, with one read of the client map (GetAll), and remove the
	// listeners before Server.Close runs.
	for _, id := range []string{"tcp", "ws"} {
		if _, ok := b.srv.Listeners.Get(id); !ok {
			continue
		}
		b.srv.Listeners.Close(id, b.disconnectAll)
		b.srv.Listeners.Delete(id)
	}
	// mochi's Close waits for every client's goroutine, and one that is
	// waiting for room in its acknowledgement window, or for its QoS 2
	// message to be committed, waits for the pipeline (a message before it
	// may be running a slow UDF).
	errc := make(chan error, 1)
	go func() { errc <- b.srv.Close() }()
	t := time.NewTimer(closeWait)
	defer t.Stop()
	select {
	case err := <-errc:
		return err
	case <-t.C:
		// The broker is closed all the same: nothing listens and every
		// connection is closed. Those goroutines end once the pipeline
		// answers their messages (Pipeline.Close answers every one); the
		// messages get no PUBACK, so their devices send them again.
		b.log.Warn("mqtt: closed with clients still waiting for the pipeline to commit their messages",
			"clients", b.Connected(), "waited", closeWait)
		return nil
	}
}

// closeWait bounds how long Close waits for the clients' goroutines once
// their connections are closed.
const closeWait = 5 * time.Second

// disconnectAll disconnects the clients of a listener, each with a
// DISCONNECT (server shutting down) where the client takes it within
// closeGrace. mochi writes with no deadline of its own, under a lock per
// client that a write blocked on a client that does not read holds; so
// writes first get a deadline, DISCONNECTs are written by a few workers,
// and connections still busy after closeGrace are closed under them,
// which ends every blocked write.
func (b *Broker) disconnectAll(listener string) {
	var cls []*mochi.Client
	deadline := time.Now().Add(closeGrace)
	for _, cl := range b.srv.Clients.GetAll() {
		if cl.Net.Listener == listener && !cl.Closed() && cl.Net.Conn != nil {
			_ = cl.Net.Conn.SetWriteDeadline(deadline)
			cls = append(cls, cl)
		}
	}
	next := make(chan *mochi.Client)
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range min(len(cls), 32) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for cl := range next {
				_ = b.srv.DisconnectClient(cl, packets.ErrServerShuttingDown)
			}
		}()
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	timer := time.NewTimer(closeGrace + 100*time.Millisecond)
	defer timer.Stop()
	closed := false
	forceClose := func() {
		if closed {
			return
		}
		closed = true
		// A client's reader may have moved its deadline on since; closing
		// the connection ends whatever write is blocked on it.
		for _, cl := range cls {
			_ = cl.Net.Conn.Close()
		}
	}
feed:
	for _, cl := range cls {
		for {
			select {
			case next <- cl:
				continue feed
			case <-timer.C:
				forceClose()
			}
		}
	}
	close(next)
	select {
	case <-done:
	case <-timer.C:
		forceClose()
		<-done
	}
}

// Connected is the number of connected clients (not counting the inline
// client).
func (b *Broker) Connected() int {
	if b.srv == nil {
		return 0
	}
	return int(atomic.LoadInt64(&b.srv.Info.ClientsConnected))
}

// EventStats counts events forwarded to the broker, and the times the
// forwarder fell behind and lost events (the bus dropped its subscription;
// it subscribes again).
func (b *Broker) EventStats() (published, dropped uint64) {
	return b.eventsPublished.Load(), b.eventsDropped.Load()
}

var errNotStarted = errors.New("mqtt: the broker is not started")

// Subscribe subscribes the broker's inline client (the studio's own) to a
// topic filter; fn runs on the publisher's goroutine and must not block.
func (b *Broker) Subscribe(filter string, id int, fn func(topic string, payload []byte)) error {
	if b.srv == nil {
		return errNotStarted
	}
	err := b.srv.Subscribe(filter, id, func(cl *mochi.Client, sub packets.Subscription, pk packets.Packet) {
		fn(pk.TopicName, pk.Payload)
	})
	if err == nil {
		b.setInline(inlineSub{filter, id}, EventTypes(filter))
	}
	return err
}

// Unsubscribe removes an inline subscription.
func (b *Broker) Unsubscribe(filter string, id int) error {
	if b.srv == nil {
		return errNotStarted
	}
	err := b.srv.Unsubscribe(filter, id)
	b.setInline(inlineSub{filter, id}, 0)
	return err
}

// setInline records the event types inline subscription k can receive (0:
// none, or unsubscribed) and narrows or widens the forwarder's
// subscription to the union.
func (b *Broker) setInline(k inlineSub, m engine.EventMask) {
	b.evMu.Lock()
	defer b.evMu.Unlock()
	if m == 0 {
		delete(b.inline, k)
	} else {
		b.inline[k] = m
	}
	if b.evSub != nil {
		b.evSub.SetTypes(b.inlineMask())
	}
}

// inlineMask is the union of the event types of the inline subscriptions
// and of the principals' event subscriptions. Call with evMu held.
func (b *Broker) inlineMask() engine.EventMask {
	var u engine.EventMask
	for _, m := range b.inline {
		u |= m
	}
	for _, fs := range b.clientSubs {
		for _, m := range fs {
			u |= m
		}
	}
	return u
}

// subscribeEvents subscribes the forwarder to the engine's events of the
// types some inline subscription can receive, and makes it the one
// setInline adjusts.
func (b *Broker) subscribeEvents() *engine.Subscription {
	b.evMu.Lock()
	defer b.evMu.Unlock()
	b.evSub = b.e.Events().SubscribeTypes(b.opts.EventBuffer, b.inlineMask(), nil)
	return b.evSub
}

// EventTypes is the set of event types whose topics
// (twins/events/{type}/{id}) the MQTT topic filter can match for some
// object id; a shared subscription's $share/{group}/ prefix is ignored.
func EventTypes(filter string) engine.EventMask {
	if rest, ok := strings.CutPrefix(filter, "$share/"); ok {
		if _, f, ok := strings.Cut(rest, "/"); ok {
			filter = f
		}
	}
	f := strings.Split(filter, "/")
	var m engine.EventMask
	for _, typ := range engine.EventTypeNames {
		topic := [4]string{"twins", "events", typ, ""} // "": any object id
		for i := 0; ; i++ {
			if i == len(f) {
				if i == len(topic) {
					m |= engine.MaskOf(typ)
				}
				break
			}
			if f[i] == "#" {
				m |= engine.MaskOf(typ)
				break
			}
			if i == len(topic) {
				break
			}
			if any := topic[i] == ""; !(f[i] == "+" || (any && f[i] != "") || (!any && f[i] == topic[i])) {
				break
			}
		}
	}
	return m
}

// Publish publishes as the inline client (QoS 0).
func (b *Broker) Publish(topic string, payload []byte) error {
	if b.srv == nil {
		return errNotStarted
	}
	return b.srv.Publish(topic, payload, false, 0)
}

// forwardEvents publishes engine events on twins/events/…, skipping those
// nobody subscribed to. If it falls behind, the bus drops its
// subscription; it counts that and subscribes again. It owns sub (and its
// successors) and closes it on return.
func (b *Broker) forwardEvents(sub *engine.Subscription) {
	defer b.wg.Done()
	defer func() { sub.Close() }()
	for {
		select {
		case <-b.done:
			return
		case ev, ok := <-sub.C:
			if !ok {
				b.eventsDropped.Add(1)
				b.log.Warn("mqtt: event forwarder fell behind; events were dropped")
				sub = b.subscribeEvents()
				continue
			}
			topic := ev.MQTTTopic()
			if subs := b.srv.Topics.Subscribers(topic); len(subs.Subscriptions) == 0 && len(subs.InlineSubscriptions) == 0 && len(subs.Shared) == 0 {
				continue // nobody listens: skip encoding
			}
			b.current.Store(ev)
			if err := b.srv.Publish(topic, ev.JSON(), false, 0); err == nil {
				b.eventsPublished.Add(1)
			}
			b.current.Store(nil)
		}
	}
}

// session is an authenticated connection.
type session struct {
	engine.Principal
	// token: the connection authenticated with a principal's token (key
	// holds its secret), not with a device key.
	token       bool
	key         []byte       // the password it connected with: for a device, its key then
	checked     atomic.Int64 // when the credentials were last found valid, Unix ns
	established atomic.Bool  // OnSessionEstablished ran: OnDisconnect will run
	// acks writes the connection's QoS 1 acknowledgements; the
	// connection's goroutine creates it at its first QoS > 0 publish.
	acks atomic.Pointer[acker]
	// dropped counts the messages to the connection mochi dropped because
	// it did not read them fast enough.
	dropped atomic.Uint64
	// invalid: the token was found revoked or expired (recheckTokens);
	// nothing more is delivered.
	invalid atomic.Bool
	// vis caches event visibility decisions by topic (visibility.go).
	vis visCache
}

// sweepEvery is how often sessions of connections that ended between
// CONNECT and their CONNACK are forgotten: mochi calls no hook for those.
const sweepEvery = 10 * time.Second

// sweep forgets, every sweepEvery until Close, the sessions of connections
// that closed before they were established (OnDisconnect is called only
// for established ones).
func (b *Broker) sweep() {
	defer b.wg.Done()
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		select {
		case <-b.done:
			return
		case <-t.C:
			b.sweepOnce()
		}
	}
}

func (b *Broker) sweepOnce() {
	b.pmu.Lock()
	defer b.pmu.Unlock()
	for cl, s := range b.prin {
		if !s.established.Load() && cl.Closed() {
			delete(b.prin, cl)
		}
	}
}

// recheckEvery is how often an open connection's credentials are checked
// again, on its next publish. Checking on every publish would take the
// engine's read lock per message, which the pipeline's writers contend
// with (it costs a large share of QoS 0 throughput).
const recheckEvery = time.Second

// session is the connection's session, or nil.
func (b *Broker) session(cl *mochi.Client) *session {
	b.pmu.RLock()
	defer b.pmu.RUnlock()
	return b.prin[cl]
}

// stillValid reports whether a connection's credentials still hold: a
// device's key may have been rotated, or the device disabled or deleted,
// since it connected. It looks again at most every recheckEvery.
func (b *Broker) stillValid(s *session) bool {
	if s.invalid.Load() {
		return false
	}
	if !s.token && s.Type != engine.ObjectDeviceID {
		return true
	}
	now := time.Now().UnixNano()
	if now-s.checked.Load() < int64(recheckEvery) {
		return true
	}
	if s.token {
		return b.tokenStillValid(s, now)
	}
	valid := false
	b.e.View(func(v *engine.View) error {
		d, ok := v.DeviceByHardwareID(s.UPN)
		valid = ok && d.Status != engine.DeviceDisabled && d.ID.String() == s.ID &&
			subtle.ConstantTimeCompare([]byte(d.Key), s.key) == 1
		return nil
	})
	if valid {
		s.checked.Store(now)
	}
	return valid
}

// hook is the broker's mochi hook.
type hook struct {
	mochi.HookBase
	b   *Broker
	srv *mochi.Server
}

func (h *hook) ID() string { return "twinstudio" }

func (h *hook) Provides(x byte) bool {
	return bytes.Contains([]byte{mochi.OnConnect, mochi.OnConnectAuthenticate, mochi.OnACLCheck, mochi.OnPublish,
		mochi.OnSessionEstablished, mochi.OnDisconnect, mochi.OnSubscribed, mochi.OnUnsubscribed, mochi.OnPublishDropped}, []byte{x})
}

// ClientIDAllowed reports whether a client that authenticated with user
// name user (a device's hardwareId) may connect with client id id: id is
// the user name itself, or the user name followed by "/" and any suffix
// (for a device that keeps several connections open at once). A hardwareId
// cannot contain "/", so every client id belongs to one user name, and no
// other device can use it. An empty client id is allowed too: the broker
// assigns the user name. mochi's own inline client id is never allowed.
func ClientIDAllowed(user, id string) bool {
	if id == "" {
		return true
	}
	if id == mochi.InlineClientId || user == "" {
		return false
	}
	rest, ok := strings.CutPrefix(id, user)
	return ok && (rest == "" || rest[0] == '/')
}

// errClientID is the CONNACK reason of a client id that is not the user
// name's (MQTT 5 "Client Identifier not valid", 0x85; MQTT 3.1.1
// "Identifier rejected", 0x02).
var errClientID = packets.ErrClientIdentifierNotValid

// OnConnect checks a CONNECT's credentials and ties its client id to the
// identity it authenticates as (ClientIDAllowed): an empty client id
// becomes the user name (sent back as the assigned client id over MQTT 5);
// another user's client id is refused with errClientID before the broker
// looks at sessions, so a device can never take over, or disconnect,
// another's connection. Wrong or missing credentials are left to
// OnConnectAuthenticate, which refuses them (Bad user name or password).
// A principal's token (TokenSecret) is checked instead of a device key,
// and its client id is moved into a namespace of its own (tokenClientID).
// It also drops the will message of a connection it accepts.
func (h *hook) OnConnect(cl *mochi.Client, pk packets.Packet) error {
	user := string(pk.Connect.Username)
	if user == "" {
		h.b.log.Info("mqtt: refused connection without credentials", "client", cl.ID, "remote", cl.Net.Remote)
		return nil
	}
	secret, token := TokenSecret(user, pk.Connect.Password)
	logUser := user
	if token {
		logUser = "token" // never log a secret
	}
	p, ok := h.b.auth(user, pk.Connect.Password)
	if !ok {
		h.b.log.Info("mqtt: refused connection: wrong username or key", "username", logUser, "remote", cl.Net.Remote)
		return nil
	}
	id := pk.Connect.ClientIdentifier
	if token {
		h.tokenClientID(cl, p, id)
	} else if !ClientIDAllowed(user, id) {
		h.b.log.Info("mqtt: refused connection: the client id is not the user name's", "username", user, "client", id, "remote", cl.Net.Remote)
		code := errClientID
		if cl.Properties.ProtocolVersion == 5 {
			code.Reason = "client identifier must be the user name, or begin with the user name and '/'"
		}
		_ = h.srv.SendConnack(cl, code, false, nil)
		return errClientID
	}
	if id == "" && !token {
		// mochi assigned a random id: make it the user name's.
		cl.ID = user
		if cl.Properties.ProtocolVersion == 5 {
			cl.Properties.Props.AssignedClientID = user
		}
	}
	if atomic.LoadUint32(&cl.Properties.Will.Flag) == 1 {
		// mochi would publish the will straight to subscribers, past
		// OnACLCheck and OnPublish: a device could forge twins/events/….
		// Like every device publish, a will reaches no subscriber.
		atomic.StoreUint32(&cl.Properties.Will.Flag, 0)
		h.b.log.Info("mqtt: will message ignored", "username", logUser, "topic", cl.Properties.Will.TopicName)
	}
	s := &session{Principal: p, token: token, key: append([]byte(nil), pk.Connect.Password...)}
	if token {
		s.key = []byte(secret)
	}
	s.checked.Store(time.Now().UnixNano())
	h.b.pmu.Lock()
	h.b.prin[cl] = s
	h.b.pmu.Unlock()
	return nil
}

// OnConnectAuthenticate accepts the connections whose credentials OnConnect
// accepted, and refuses anonymous and wrong ones.
func (h *hook) OnConnectAuthenticate(cl *mochi.Client, pk packets.Packet) bool {
	h.b.pmu.RLock()
	_, ok := h.b.prin[cl]
	h.b.pmu.RUnlock()
	return ok
}

// OnSessionEstablished records a device as Connected when its first
// connection is up.
func (h *hook) OnSessionEstablished(cl *mochi.Client, pk packets.Packet) {
	b := h.b
	b.pmu.Lock()
	defer b.pmu.Unlock()
	p, ok := b.prin[cl]
	if !ok {
		return
	}
	p.established.Store(true)
	b.log.Info("mqtt: connected", "username", p.Name(), "client", cl.ID, "remote", cl.Net.Remote, "protocol", cl.Properties.ProtocolVersion)
	if p.Type == engine.ObjectDeviceID && !p.token {
		b.conns[p.UPN]++
		if b.conns[p.UPN] == 1 {
			_ = b.e.SetDeviceConnection(p.UPN, true, time.Now())
		}
	}
}

// OnDisconnect records a device as Disconnected when its last connection
// is gone. A device that reconnects with the same client id before its old
// connection is closed (a session takeover) stays Connected.
func (h *hook) OnDisconnect(cl *mochi.Client, err error, expire bool) {
	b := h.b
	b.pmu.Lock()
	defer b.pmu.Unlock()
	p, ok := b.prin[cl]
	if !ok {
		return
	}
	delete(b.prin, cl)
	b.dropClientSubs(cl)
	b.log.Info("mqtt: disconnected", "username", p.Name(), "client", cl.ID, "reason", errText(err))
	if p.Type == engine.ObjectDeviceID && !p.token {
		b.conns[p.UPN]--
		if b.conns[p.UPN] <= 0 {
			delete(b.conns, p.UPN)
			_ = b.e.SetDeviceConnection(p.UPN, false, time.Now())
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// OnACLCheck lets a device subscribe only under devices/{its hardwareId}/.
// A device may publish anywhere as far as the broker is concerned: OnPublish
// hands every publish to the pipeline, which refuses (and counts) those
// outside devices/{its hardwareId}/ or for sensors it may not send for.
// Twin events are for the inline client (Broker.Subscribe, in the serving
// process) and for principals with tokens, who receive those about
// objects they may read (see eventACL).
func (h *hook) OnACLCheck(cl *mochi.Client, topic string, write bool) bool {
	if cl.Net.Inline {
		return true
	}
	p := h.b.session(cl)
	if p == nil {
		return false
	}
	if p.token {
		return write || h.b.eventACL(p, topic)
	}
	if p.Type == engine.ObjectDeviceID {
		if write {
			return true
		}
		own := engine.TopicPrefix + p.UPN + "/"
		return strings.HasPrefix(topic, own) && len(topic) > len(own)
	}
	return false
}

// OnPublish hands device telemetry to the pipeline and never forwards it
// to subscribers. A connection whose device key was rotated, or whose
// device was disabled or deleted, since it connected is closed instead
// (noticed within recheckEvery).
//
// A QoS 0 message is never waited for. A QoS 1 message is acknowledged
// only after its effects are committed, but OnPublish does not wait for
// that: the connection's acker writes the PUBACK, in order, and OnPublish
// waits only while ackWindow of the connection's messages are unsettled
// (see ack.go). A QoS 2 message is waited for, as described there. A
// refused message gets a PUBACK (PUBREC) with the reason over MQTT 5; over
// MQTT 3.1.1, which has no reason codes, one that is not allowed closes
// the connection (as an ACL refusal does) and others are acknowledged and
// dropped, so the device does not resend them forever. A message that was
// not committed gets no answer: the client sends it again.
func (h *hook) OnPublish(cl *mochi.Client, pk packets.Packet) (packets.Packet, error) {
	if cl.Net.Inline {
		return pk, nil
	}
	s := h.b.session(cl)
	if s == nil || !h.b.stillValid(s) {
		who := ""
		if s != nil {
			who = s.Name() // never the user name: it may be a token
		}
		h.b.log.Info("mqtt: closed connection: its key was rotated, its token revoked or expired, or its device disabled or deleted",
			"username", who, "client", cl.ID)
		_ = h.srv.DisconnectClient(cl, packets.ErrNotAuthorized)
		return pk, packets.ErrRejectPacket
	}
	m := &engine.IngressMessage{
		Topic:    pk.TopicName,
		Payload:  append([]byte(nil), pk.Payload...),
		QoS:      pk.FixedHeader.Qos,
		Username: string(cl.Properties.Username),
		// Received: stamped by the pipeline when it queues the message.
	}
	if s.token {
		p := s.Principal
		m.Username, m.Principal = "", &p
	}
	if len(pk.Properties.User) > 0 {
		m.UserProperties = make(map[string]string, len(pk.Properties.User))
		for _, u := range pk.Properties.User {
			m.UserProperties[u.Key] = u.Val
		}
	}
	if m.QoS == 0 {
		// Dropped (pipeline full) or not, the client is not answered.
		_, _ = h.b.p.Submit(m)
		return pk, packets.CodeSuccessIgnore
	}
	// Only this connection's goroutine creates its acker.
	a := s.acks.Load()
	if a == nil {
		a = newAcker(h, cl)
		s.acks.Store(a)
	}
	if m.QoS == 1 {
		a.acquire()
		t, err := h.b.p.Submit(m)
		if err != nil {
			// Shutting down: no PUBACK, the client will retry.
			a.release()
			return pk, packets.ErrRejectPacket
		}
		a.push(ackItem{t: t, id: pk.PacketID, user: m.Username})
		return pk, packets.ErrRejectPacket // the acker answers
	}
	a.barrier()
	t, err := h.b.p.Submit(m)
	if err != nil {
		return pk, packets.ErrRejectPacket // no PUBREC: the client will retry
	}
	if err := t.Wait(); err != nil {
		code, refused := refusal(err)
		if !refused {
			h.b.log.Warn("mqtt: message not committed", "username", m.Username, "error", err)
			return pk, packets.ErrRejectPacket
		}
		if cl.Properties.ProtocolVersion == 5 {
			// mochi would answer a reason code with a PUBACK; QoS 2 wants
			// a PUBREC, which with an error code ends the exchange.
			_ = cl.WritePacket(packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Pubrec},
				PacketID: pk.PacketID, ReasonCode: code.Code, Properties: packets.Properties{ReasonString: code.Reason}})
			return pk, packets.ErrRejectPacket
		}
		if code == packets.ErrNotAuthorized {
			_ = h.srv.DisconnectClient(cl, packets.ErrNotAuthorized)
			return pk, packets.ErrRejectPacket
		}
	}
	return pk, packets.CodeSuccessIgnore
}

// wsListener serves MQTT over WebSocket. Unlike mochi's own listener it
// binds its address in Init, so Start fails when the address is taken and
// a ":0" port can be read back.
type wsListener struct {
	id, addr  string
	ln        net.Listener
	srv       *http.Server
	log       *slog.Logger
	up        websocket.Upgrader
	establish listeners.EstablishFn
	end       atomic.Bool
}

func newWSListener(id, addr string) *wsListener {
	return &wsListener{id: id, addr: addr, up: websocket.Upgrader{
		Subprotocols: []string{"mqtt"},
		CheckOrigin:  func(*http.Request) bool { return true }, // credentials are checked at CONNECT
	}}
}

func (l *wsListener) ID() string       { return l.id }
func (l *wsListener) Protocol() string { return "ws" }

func (l *wsListener) Address() string {
	if l.ln != nil {
		return l.ln.Addr().String()
	}
	return l.addr
}

func (l *wsListener) Init(log *slog.Logger) error {
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		return err
	}
	l.ln, l.log = ln, log
	mux := http.NewServeMux()
	mux.HandleFunc("/", l.handle)
	l.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return nil
}

func (l *wsListener) Serve(establish listeners.EstablishFn) {
	l.establish = establish // before Serve: handlers run after
	if err := l.srv.Serve(l.ln); err != nil && !errors.Is(err, http.ErrServerClosed) && !l.end.Load() {
		l.log.Error("websocket listener stopped", "error", err, "listener", l.id)
	}
}

func (l *wsListener) handle(w http.ResponseWriter, r *http.Request) {
	c, err := l.up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade answered the request
	}
	defer c.Close()
	_ = l.establish(l.id, &wsConn{Conn: c.NetConn(), c: c})
}

// Close stops accepting connections and closes the clients. WebSocket
// connections are hijacked, so Shutdown does not wait for them.
func (l *wsListener) Close(closeClients listeners.CloseFn) {
	if l.end.CompareAndSwap(false, true) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = l.srv.Shutdown(ctx)
	}
	closeClients(l.id)
}

// wsConn is a WebSocket connection as the byte stream mochi reads: MQTT
// packets travel in binary messages, any number per message and a packet
// possibly across messages.
type wsConn struct {
	net.Conn
	c *websocket.Conn
	r io.Reader // the current message, nil between messages
}

var errNotBinary = errors.New("mqtt: websocket message is not binary")

func (w *wsConn) Read(p []byte) (int, error) {
	for {
		if w.r == nil {
			op, r, err := w.c.NextReader()
			if err != nil {
				return 0, err
			}
			if op != websocket.BinaryMessage {
				return 0, errNotBinary
			}
			w.r = r
		}
		n, err := w.r.Read(p)
		if errors.Is(err, io.EOF) {
			w.r = nil
			if n == 0 {
				continue
			}
			err = nil
		}
		return n, err
	}
}

func (w *wsConn) Write(p []byte) (int, error) {
	if err := w.c.WriteMessage(websocket.BinaryMessage, p); err != nil {
		return 0, err
	}
	return len(p), nil
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
