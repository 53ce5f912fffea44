package mqtt

import (
	"sort"
	"strings"
	"sync"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/twinstudio/twinstudio/engine"
)

// Principals with tokens (docs/access.md). A principal connects with the
// user name "token" and its token as the password, or with the token as
// the user name and no password. It may subscribe to twin events
// (twins/events/{EventType}/{objectId}) and receives those about objects
// it may read (engine.View.EventVisible); it may publish telemetry for the
// devices it may update. Its connection is closed within recheckEvery of
// its token being revoked or expiring.

// TokenUser is the user name of a connection that gives a token as its
// password.
const TokenUser = "token"

// TokenSecret returns the token a CONNECT's credentials carry: the
// password when the user name is TokenUser, or the user name when it
// looks like a token (engine.TokenPrefix) and the password is empty.
func TokenSecret(user string, pass []byte) (string, bool) {
	if user == TokenUser {
		return string(pass), true
	}
	if len(pass) == 0 && strings.HasPrefix(user, engine.TokenPrefix) {
		return user, true
	}
	return "", false
}

// defaultAuth accepts a valid token (TokenSecret), or else a device's
// hardwareId with its key.
func (b *Broker) defaultAuth(user string, pass []byte) (engine.Principal, bool) {
	if secret, ok := TokenSecret(user, pass); ok {
		p, err := b.e.ResolveToken(secret, time.Now())
		return p, err == nil
	}
	return b.deviceAuth(user, pass)
}

// tokenClientID moves a principal's client id into a namespace of its
// own, "~{type}:{id}/{client id}": no hardwareId holds "~", so a token
// client can never take over a device's session, nor another principal's.
// A client that sent no id gets mochi's random one there, and learns it
// over MQTT 5.
func (h *hook) tokenClientID(cl *mochi.Client, p engine.Principal, id string) {
	if id == "" {
		id = cl.ID
	}
	cl.ID = "~" + p.Type + ":" + p.ID + "/" + id
	if pk := cl.Properties.ProtocolVersion; pk == 5 {
		cl.Properties.Props.AssignedClientID = cl.ID
	}
}

// tokenStillValid resolves a token session's secret again (at most every
// recheckEvery, see stillValid).
func (b *Broker) tokenStillValid(s *session, now int64) bool {
	p, err := b.e.ResolveToken(string(s.key), time.Unix(0, now))
	if err != nil || p.Type != s.Type || p.ID != s.ID {
		s.invalid.Store(true)
		return false
	}
	s.checked.Store(now)
	return true
}

// recheckTokens closes, every recheckEvery until Close, the connections
// whose token was revoked, deleted or expired: a subscriber that never
// publishes is closed as soon as one that does.
func (b *Broker) recheckTokens() {
	defer b.wg.Done()
	t := time.NewTicker(recheckEvery / 2)
	defer t.Stop()
	for {
		select {
		case <-b.done:
			return
		case <-t.C:
			b.recheckTokensOnce()
		}
	}
}

func (b *Broker) recheckTokensOnce() {
	type conn struct {
		cl *mochi.Client
		s  *session
	}
	var tokens []conn
	b.pmu.RLock()
	for cl, s := range b.prin {
		if s.token {
			tokens = append(tokens, conn{cl, s})
		}
	}
	b.pmu.RUnlock()
	for _, c := range tokens {
		if b.stillValid(c.s) || c.cl.Closed() {
			continue
		}
		cl := c.cl
		b.log.Info("mqtt: closed connection: its token was revoked or expired", "client", cl.ID)
		_ = b.srv.DisconnectClient(cl, packets.ErrNotAuthorized)
	}
}

// eventACL decides a token session's SUBSCRIBE and each delivery to it
// (mochi asks OnACLCheck with write false for both). A filter with
// wildcards may be subscribed if it can match twin event topics; each
// message it matches is then decided on its own. A topic without
// wildcards is decided by whether the principal may read the event's
// object: the whole event while the forwarder publishes it, else the
// topic's type and object id. Decisions by topic are cached in the
// session until the graph's Generation moves.
func (b *Broker) eventACL(s *session, topic string) bool {
	if !b.stillValid(s) { // a revoked token gets nothing more, even before its connection closes
		return false
	}
	if strings.ContainsAny(topic, "+#") {
		return EventTypes(topic) != 0
	}
	rest, ok := strings.CutPrefix(topic, engine.EventTopicPrefix)
	if !ok {
		return false
	}
	typ, idText, ok := strings.Cut(rest, "/")
	if !ok {
		return false
	}
	if ev := b.current.Load(); ev != nil && typ == engine.EventTopologyOperation && ev.EventType == typ && ev.ObjectID.String() == idText {
		return b.e.EventVisible(s.Principal, ev) // decided on its data (deleted objects too): not cached
	}
	gen := b.e.Generation()
	if v, ok := s.vis.get(topic, gen); ok {
		return v
	}
	id, err := engine.ParseID(idText)
	visible := err == nil && b.e.EventObjectVisible(s.Principal, typ, id)
	s.vis.put(topic, gen, visible)
	return visible
}

// visCache holds a session's event visibility decisions by topic, for one
// graph generation.
type visCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]bool
}

// maxVisCache bounds a session's cached decisions; past it the cache
// starts again.
const maxVisCache = 4096

func (c *visCache) get(topic string, gen uint64) (visible, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return false, false
	}
	visible, ok = c.m[topic]
	return visible, ok
}

func (c *visCache) put(topic string, gen uint64, visible bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.m == nil || len(c.m) >= maxVisCache {
		c.m, c.gen = map[string]bool{}, gen
	}
	c.m[topic] = visible
}

// OnSubscribed widens the event forwarder's subscription to the event
// types a principal's new subscriptions can receive.
func (h *hook) OnSubscribed(cl *mochi.Client, pk packets.Packet, reasonCodes []byte) {
	b := h.b
	b.evMu.Lock()
	defer b.evMu.Unlock()
	for i, f := range pk.Filters {
		if i >= len(reasonCodes) || reasonCodes[i] >= 0x80 {
			continue
		}
		m := EventTypes(f.Filter)
		if m == 0 {
			continue
		}
		if b.clientSubs[cl] == nil {
			b.clientSubs[cl] = map[string]engine.EventMask{}
		}
		b.clientSubs[cl][f.Filter] = m
	}
	if b.evSub != nil {
		b.evSub.SetTypes(b.inlineMask())
	}
}

// OnUnsubscribed narrows the event forwarder's subscription again.
func (h *hook) OnUnsubscribed(cl *mochi.Client, pk packets.Packet) {
	b := h.b
	b.evMu.Lock()
	defer b.evMu.Unlock()
	for _, f := range pk.Filters {
		delete(b.clientSubs[cl], f.Filter)
	}
	if len(b.clientSubs[cl]) == 0 {
		delete(b.clientSubs, cl)
	}
	if b.evSub != nil {
		b.evSub.SetTypes(b.inlineMask())
	}
}

// dropClientSubs forgets a closed connection's event subscriptions.
func (b *Broker) dropClientSubs(cl *mochi.Client) {
	b.evMu.Lock()
	defer b.evMu.Unlock()
	if _, ok := b.clientSubs[cl]; !ok {
		return
	}
	delete(b.clientSubs, cl)
	if b.evSub != nil {
		b.evSub.SetTypes(b.inlineMask())
	}
}

// OnPublishDropped counts a message mochi dropped because the client's
// outbound queue was full: a slow subscriber misses messages, and never
// slows the forwarder or the pipeline.
func (h *hook) OnPublishDropped(cl *mochi.Client, pk packets.Packet) {
	h.b.deliveriesDropped.Add(1)
	if s := h.b.session(cl); s != nil {
		s.dropped.Add(1)
	}
}

// DroppedDeliveries is the number of messages the broker dropped, since it
// started, because a client did not read them fast enough. Safe for
// concurrent use.
func (b *Broker) DroppedDeliveries() uint64 { return b.deliveriesDropped.Load() }

// SessionStats describes one connection of a principal or device.
type SessionStats struct {
	Client    string           // the client id
	Principal engine.Principal // who it authenticated as
	Token     bool             // it authenticated with a token
	Dropped   uint64           // messages to it dropped because it did not read them
}

// Sessions lists the broker's authenticated connections by client id.
// Safe for concurrent use.
func (b *Broker) Sessions() []SessionStats {
	b.pmu.RLock()
	out := make([]SessionStats, 0, len(b.prin))
	for cl, s := range b.prin {
		out = append(out, SessionStats{Client: cl.ID, Principal: s.Principal, Token: s.token, Dropped: s.dropped.Load()})
	}
	b.pmu.RUnlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Client < out[j].Client })
	return out
}
