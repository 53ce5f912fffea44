package mqtt

// Pipelined acknowledgements.
//
// mochi calls OnPublish on the publishing client's own goroutine, before
// it reads the client's next packet and before it writes the PUBACK. If
// OnPublish waited there for the message's commit, a connection would
// have one QoS 1 message in the pipeline at a time, and a group commit
// would cover at most one message per connection. Instead OnPublish hands
// the message to the pipeline, queues its ticket on the connection's
// acker and returns packets.ErrRejectPacket, with which mochi's
// processPublish returns at once: it writes no PUBACK, leaves the
// connection's receive quota and inflight store alone, and reads the next
// packet. The acker writes the PUBACKs itself, in the order of the
// PUBLISHes (MQTT 3.1.1 §4.6, MQTT 5 §4.6), each once its message's
// effects are durable.
//
// At most ackWindow QoS 1 messages of a connection are accepted and not
// yet settled (acknowledged, refused or given up); past that OnPublish
// waits, so the client's read loop stops and TCP slows the client down.
//
// A message that was not committed (the store failed, or the pipeline
// shut down before processing it) is never acknowledged: the client sends
// it again when it reconnects. The acker goes on to the next message, so
// the messages after it that were committed are still acknowledged, in
// order, and the unacknowledged one leaves a gap, which MQTT allows (the
// client keeps the message and its packet id until it reconnects and
// resends it; the pipeline applies a resent message again, as it always
// did with duplicates). When the connection closes, the acknowledgements
// still pending are dropped the same way: their messages are applied all
// the same and the client resends them on reconnection.
//
// QoS 2 keeps mochi's own exchange (PUBREC, PUBREL, PUBCOMP, with the
// PUBREC in mochi's inflight store): OnPublish first waits until every
// earlier QoS 1 message of the connection is settled, then waits for the
// QoS 2 message's commit and lets mochi write the PUBREC, so
// acknowledgements keep the order of the PUBLISHes across QoS levels.

import (
	"errors"
	"sync"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/twinstudio/twinstudio/engine"
)

// ackWindow is the most QoS 1 messages of one connection accepted into
// the pipeline and not yet settled. It is below mochi's default receive
// maximum (1,024), which MQTT 5 clients are told; a client that keeps
// more in flight is not refused, its later PUBLISHes are read later.
const ackWindow = 64

// ackItem is one message awaiting its acknowledgement, or (barrier non-nil)
// a QoS 2 message waiting for the acknowledgements before it.
type ackItem struct {
	t       *engine.Ticket
	id      uint16 // the PUBLISH's packet id
	user    string // for the log
	barrier chan struct{}
}

// acker writes one connection's PUBACKs in the order of its PUBLISHes. Its
// queue is filled by the connection's goroutine (OnPublish) and drained by
// one goroutine that runs while the queue is not empty; every item holds
// one of the window's slots until it is settled.
type acker struct {
	h     *hook
	cl    *mochi.Client
	slots chan struct{} // one per queued item: a buffered channel of ackWindow

	mu      sync.Mutex
	q       [ackWindow]ackItem // a ring: each item holds a slot, so it never overflows
	head, n int
	running bool // a drain goroutine is running

	gap bool // the last message settled was not committed (drain goroutine only)
}

func newAcker(h *hook, cl *mochi.Client) *acker {
	return &acker{h: h, cl: cl, slots: make(chan struct{}, ackWindow)}
}

// acquire takes one of the window's slots, waiting while all are taken.
// Only the connection's goroutine calls it.
func (a *acker) acquire() { a.slots <- struct{}{} }

// release gives back a slot taken by acquire for a message that was not
// queued.
func (a *acker) release() { <-a.slots }

// push queues it, which holds a slot taken by acquire, and makes sure a
// goroutine drains the queue.
func (a *acker) push(it ackItem) {
	a.mu.Lock()
	a.q[(a.head+a.n)%ackWindow] = it
	a.n++
	start := !a.running
	a.running = true
	a.mu.Unlock()
	if start {
		go a.drain()
	}
}

// barrier waits until every item queued before it is settled. Only the
// connection's goroutine calls it.
func (a *acker) barrier() {
	ch := make(chan struct{})
	a.acquire()
	a.push(ackItem{barrier: ch})
	<-ch
}

// drain settles the queued items in order, and ends when the queue is
// empty.
func (a *acker) drain() {
	for {
		a.mu.Lock()
		if a.n == 0 {
			a.running = false
			a.mu.Unlock()
			return
		}
		it := a.q[a.head]
		a.q[a.head] = ackItem{}
		a.head = (a.head + 1) % ackWindow
		a.n--
		a.mu.Unlock()
		a.settle(it)
		<-a.slots
	}
}

// settle waits for one message's outcome and answers it as OnPublish's
// doc says: a PUBACK once it is committed; a refused one a PUBACK with the
// reason over MQTT 5, and over MQTT 3.1.1 a PUBACK (so the device does not
// resend it forever) or, if it was not allowed, the connection closed; a
// message that was not committed no answer at all.
func (a *acker) settle(it ackItem) {
	if it.barrier != nil {
		close(it.barrier)
		return
	}
	err := it.t.Wait()
	code, refused := refusal(err)
	if err != nil && !refused {
		// One line for a run of them (a failed commit covers many, and a
		// shutdown gives up on every message in flight).
		if !a.gap {
			a.h.b.log.Warn("mqtt: message not committed; not acknowledged", "username", it.user, "client", a.cl.ID, "error", err)
		}
		a.gap = true
		return
	}
	a.gap = false
	if err == nil {
		a.write(it.id, packets.CodeSuccess)
		return
	}
	if a.cl.Properties.ProtocolVersion == 5 {
		a.write(it.id, code)
		return
	}
	if code == packets.ErrNotAuthorized {
		_ = a.h.srv.DisconnectClient(a.cl, packets.ErrNotAuthorized)
		return
	}
	a.write(it.id, packets.CodeSuccess)
}

// write sends a PUBACK as mochi's processPublish builds it (no inherited
// properties: see Start), with the reason string of an error code. A
// connection that is gone makes it fail; the PUBACK is dropped.
func (a *acker) write(id uint16, code packets.Code) {
	pk := packets.Packet{FixedHeader: packets.FixedHeader{Type: packets.Puback}, PacketID: id, ReasonCode: code.Code}
	if code.Code >= packets.ErrUnspecifiedError.Code {
		pk.Properties.ReasonString = code.Reason
	}
	_ = a.cl.WritePacket(pk)
}

// refusal maps a ticket's error to the reason code of a refused message;
// refused is false for a message that was not committed (no answer, the
// client retries).
func refusal(err error) (code packets.Code, refused bool) {
	switch {
	case errors.Is(err, engine.ErrNotAllowed):
		return packets.ErrNotAuthorized, true
	case errors.Is(err, engine.ErrOversize):
		return packets.ErrPacketTooLarge, true
	case errors.Is(err, engine.ErrBadTopic), errors.Is(err, engine.ErrBadPropertyBag):
		return packets.ErrTopicNameInvalid, true
	case errors.Is(err, engine.ErrUnknownSensor), errors.Is(err, engine.ErrUnknownDevice):
		return packets.ErrUnspecifiedError, true
	}
	return packets.Code{}, false
}
