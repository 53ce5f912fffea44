package engine

import (
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Event types: the eventType of the envelope and the {type} of the topic
// twins/events/{type}/{objectId} (docs/mqtt.md).
const (
	EventSensorChange      = "SensorChange"
	EventSpaceChange       = "SpaceChange"
	EventTopologyOperation = "TopologyOperation"
	EventUdfCustom         = "UdfCustom"
	EventDeviceMessage     = "DeviceMessage"
)

// Event is an event in the Event Grid envelope the preview used. ObjectID
// (not serialised) is the object the event is about; it names the MQTT
// topic twins/events/{EventType}/{ObjectID} and decides who may see it.
type Event struct {
	ID              string    `json:"id"`
	Subject         string    `json:"subject"`
	Data            any       `json:"data"`
	EventType       string    `json:"eventType"`
	EventTime       time.Time `json:"eventTime"`
	DataVersion     string    `json:"dataVersion"`
	MetadataVersion string    `json:"metadataVersion"`
	Topic           string    `json:"topic,omitempty"`

	ObjectID ID `json:"-"`
}

// MQTTTopic is the broker topic the event is published on.
func (ev *Event) MQTTTopic() string {
	return EventTopicPrefix + ev.EventType + "/" + ev.ObjectID.String()
}

// JSON encodes the envelope.
func (ev *Event) JSON() []byte {
	b, err := json.Marshal(ev)
	if err != nil {
		// Data is built by this package from strings and times only.
		panic("engine: event encoding: " + err.Error())
	}
	return b
}

// ChangeData is the data of SensorChange and SpaceChange events.
type ChangeData struct {
	Type           *string           `json:"Type"`
	DataType       string            `json:"DataType"`
	ID             string            `json:"Id"`
	Value          string            `json:"Value"`
	PreviousValue  *string           `json:"PreviousValue"`
	EventTimestamp string            `json:"EventTimestamp"`
	MessageType    string            `json:"MessageType"`
	Properties     map[string]string `json:"Properties,omitempty"`
	CorrelationID  string            `json:"CorrelationId,omitempty"`
}

// DeviceMessageData is the data of a DeviceMessage event: the raw
// telemetry as received.
type DeviceMessageData struct {
	DeviceID         string            `json:"DeviceId"`
	DeviceHardwareID string            `json:"DeviceHardwareId"`
	SensorID         string            `json:"SensorId"`
	SensorHardwareID string            `json:"SensorHardwareId"`
	Payload          string            `json:"Payload"`
	Properties       map[string]string `json:"Properties,omitempty"`
	EnqueuedTime     string            `json:"EnqueuedTime"`
	CorrelationID    string            `json:"CorrelationId,omitempty"`
}

// UdfCustomData is the data of a UdfCustom event (a UDF's notification).
type UdfCustomData struct {
	TopologyObjectID string `json:"TopologyObjectId"`
	ResourceType     string `json:"ResourceType"`
	Payload          string `json:"Payload"`
	CorrelationID    string `json:"CorrelationId,omitempty"`
}

// TopologyOperationData is the data of a TopologyOperation event: one
// object of the graph was created, updated or deleted by a committed
// transaction (an edit in the studio, a provisioning run, an undo).
type TopologyOperationData struct {
	// SpacesToNotify are the object's space and that space's ancestors,
	// nearest first (for a space: itself, then its ancestors); empty for
	// objects of no space (endpoints, ontologies, system types).
	SpacesToNotify []string `json:"SpacesToNotify"`
	// ID is the object's id: a GUID, or the integer id of a property key,
	// type or ontology.
	ID string `json:"Id"`
	// Type is the preview's resource type of the object: Space, Device,
	// Sensor, User, Matcher, UserDefinedFunction, SpaceRoleAssignment,
	// Endpoint, SpaceResource, ExtendedPropertyKey, ExtendedType or
	// Ontology; or TopologyFloorPlan for a floor plan, which the preview
	// did not have (its ID is the floor's, its spaces the floor and its
	// ancestors). It is the event's subject too.
	Type string `json:"Type"`
	// AccessType is Create, Update or Delete.
	AccessType Action `json:"AccessType"`
}

// TopologyFloorPlan is the resource type of the TopologyOperation events
// of floor plans. It is no RBAC resource type: whoever may read the floor
// (Read on Space) may see them.
const TopologyFloorPlan = "FloorPlan"

// topologyTypes are the resource types of TopologyOperation events.
var topologyTypes = map[Kind]string{
	KindSpace: ResSpace, KindDevice: ResDevice, KindSensor: ResSensor, KindUser: ResUser,
	KindMatcher: ResMatcher, KindUDF: ResUserDefinedFunction, KindRoleAssignment: ResSpaceRoleAssignment,
	KindEndpoint: ResEndpoint, KindResource: ResSpaceResource, KindPropertyKey: ResExtendedPropertyKey,
	KindType: ResExtendedType, KindOntology: ResOntology, KindFloorPlan: TopologyFloorPlan,
}

// topologyReadAs is the RBAC resource type a TopologyOperation event of
// resource type typ is read as: a floor plan's as its floor's (Space).
func topologyReadAs(typ string) string {
	if typ == TopologyFloorPlan {
		return ResSpace
	}
	return typ
}

// topologyEvents returns the TopologyOperation events of the changes chs
// of a recorded transaction (tx.changes): one per object whose image
// differs before and after it, in the order they were first touched. Call
// it inside the transaction; publish the events only once the commit
// succeeded, as the pipeline does with its events. The Editor does so for
// every edit, undo and redo, so that subscribers see every topology
// change made in a serving process.
func (tx *Tx) topologyEvents(chs []change) []*Event {
	if len(chs) == 0 {
		return nil
	}
	evs := make([]*Event, 0, len(chs))
	for _, c := range chs {
		typ, ok := topologyTypes[c.Ref.Kind]
		if !ok {
			continue
		}
		access, img := ActionUpdate, c.After
		switch {
		case c.Before == nil:
			access = ActionCreate
		case c.After == nil:
			access, img = ActionDelete, c.Before
		}
		id := c.Ref.Key.String()
		if c.Ref.Kind == KindPropertyKey || c.Ref.Kind == KindType || c.Ref.Kind == KindOntology {
			id = strconv.Itoa(KeyInt(c.Ref.Key))
		}
		data := &TopologyOperationData{SpacesToNotify: tx.spacesToNotify(img), ID: id, Type: typ, AccessType: access}
		evs = append(evs, newEvent(EventTopologyOperation, c.Ref.Key, typ, data, tx.now, "1"))
	}
	return evs
}

// spacesToNotify is the space of o and its ancestors, nearest first, as
// GUID strings. A space deleted by the transaction is known by its image;
// the walk goes on from its parent while that is in the graph.
func (tx *Tx) spacesToNotify(o Object) []string {
	switch x := o.(type) {
	case *Space:
		return append([]string{x.ID.String()}, tx.ancestorIDs(x.ParentID)...)
	case *FloorPlan:
		return tx.ancestorIDs(x.FloorID)
	case *RoleAssignment:
		return tx.ancestorIDs(pathAnchor(x.Path))
	}
	// Every other kind that sits in a space says so in its SpaceID field.
	if d := DescribeObject(o); d != nil {
		if f := d.Field("SpaceID"); f != nil && f.HasObject() {
			if id, ok := f.Value(o).(ID); ok {
				return tx.ancestorIDs(id)
			}
		}
	}
	return tx.ancestorIDs(NilID)
}

// ancestorIDs is id and its ancestors, nearest first; empty for a zero
// id. A space the transaction deleted is known by its recorded image, and
// the walk goes on from its parent, so that the objects of a deleted
// subtree still name the spaces above it.
func (tx *Tx) ancestorIDs(id ID) []string {
	out := []string{}
	for hops := 0; !id.IsZero(); hops++ {
		out = append(out, id.String())
		if n := tx.g.spaces[id]; n != nil {
			for p := n.parent; p != nil; p = p.parent {
				out = append(out, p.s.ID.String())
			}
			return out
		}
		s, ok := tx.deletedSpace(id)
		if !ok || hops > len(tx.rec.before) {
			return out
		}
		id = s.ParentID
	}
	return out
}

// deletedSpace is the recorded image of space id, which the transaction
// deleted.
func (tx *Tx) deletedSpace(id ID) (*Space, bool) {
	if tx.rec == nil {
		return nil, false
	}
	s, ok := tx.rec.before[objRef{KindSpace, id}].(*Space)
	return s, ok
}

// eventIDs makes event ids cheaply: a random per-process prefix and a
// counter, in GUID form (unique, not secret).
var eventIDs struct {
	once   sync.Once
	prefix [8]byte
	n      atomic.Uint64
}

func newEventID() string {
	eventIDs.once.Do(func() { id := NewID(); copy(eventIDs.prefix[:], id[8:]) })
	var id ID
	copy(id[8:], eventIDs.prefix[:])
	n := eventIDs.n.Add(1)
	for i := 7; i >= 0; i-- {
		id[i] = byte(n)
		n >>= 8
	}
	id[6] = id[6]&0x0f | 0x80 // version 8: custom
	id[8] = id[8]&0x3f | 0x80
	return id.String()
}

// eventsBuilt counts the events newEvent built, for tests.
var eventsBuilt atomic.Uint64

// newEvent builds an event. Callers build one only if the bus wants its
// type (Bus.Wants, Bus.Interest), before they build its data.
func newEvent(typ string, obj ID, subject string, data any, t time.Time, dataVersion string) *Event {
	eventsBuilt.Add(1)
	return &Event{ID: newEventID(), Subject: subject, Data: data, EventType: typ, EventTime: t.UTC(),
		DataVersion: dataVersion, MetadataVersion: "1", ObjectID: obj}
}

// EventTypeNames are the event types the engine publishes.
var EventTypeNames = []string{EventSensorChange, EventSpaceChange, EventTopologyOperation, EventUdfCustom, EventDeviceMessage}

// EventMask is a set of event types, one bit per type (MaskOf).
type EventMask uint32

// AllEvents is every event type, including types this package does not
// name.
const AllEvents EventMask = 1<<numEventTypes - 1

// numEventTypes is the number of bits of an EventMask: the five types and
// one for any other.
const numEventTypes = 6

// The bits of the event types in an EventMask.
const (
	bitSensorChange EventMask = 1 << iota
	bitSpaceChange
	bitTopologyOperation
	bitUdfCustom
	bitDeviceMessage
	bitOther // any type not named above
)

// eventBit is the bit of typ in an EventMask; types not named here share
// bitOther.
func eventBit(typ string) EventMask {
	switch typ {
	case EventSensorChange:
		return bitSensorChange
	case EventSpaceChange:
		return bitSpaceChange
	case EventTopologyOperation:
		return bitTopologyOperation
	case EventUdfCustom:
		return bitUdfCustom
	case EventDeviceMessage:
		return bitDeviceMessage
	}
	return bitOther
}

// MaskOf is the set of the event types types.
func MaskOf(types ...string) EventMask {
	var m EventMask
	for _, t := range types {
		m |= eventBit(t)
	}
	return m
}

// Has reports whether typ is in m.
func (m EventMask) Has(typ string) bool { return m&eventBit(typ) != 0 }

// Bus fans events out to subscribers without ever waiting on them: a
// subscriber whose buffer is full is dropped (its channel closed and
// Dropped set). Safe for concurrent use.
//
// The bus counts, per event type, the subscriptions that may want it, so
// that the engine builds an event only when someone could receive it
// (Wants, Interest): an event nobody subscribed to costs no allocation.
type Bus struct {
	mu   sync.RWMutex
	subs map[*Subscription]struct{}
	sent atomic.Uint64
	// want[i] is the number of live subscriptions whose types include bit i.
	want [numEventTypes]atomic.Int32
	// interest is the types some live subscription wants (want[i] > 0);
	// written under mu, read without it.
	interest atomic.Uint32
}

// Subscription receives events on C until it is closed by Close or dropped
// for being slow.
type Subscription struct {
	C       <-chan *Event
	c       chan *Event
	filter  func(*Event) bool
	types   atomic.Uint32 // EventMask; changed under bus.mu
	bus     *Bus
	dropped atomic.Bool
	once    sync.Once
}

// Dropped reports whether the bus dropped the subscription for being slow.
func (s *Subscription) Dropped() bool { return s.dropped.Load() }

// Close ends the subscription; C is closed. Safe to call more than once.
func (s *Subscription) Close() {
	s.bus.mu.Lock()
	if _, ok := s.bus.subs[s]; ok {
		delete(s.bus.subs, s)
		s.bus.count(EventMask(s.types.Load()), -1)
	}
	s.bus.mu.Unlock()
	s.once.Do(func() { close(s.c) })
}

// SetTypes narrows (or widens) the event types the subscription receives
// to types: events of other types are neither delivered to it nor, if no
// other subscription wants them, built at all. An empty mask receives
// nothing until widened. Events of a type added now arrive from the next
// event the engine builds. Safe for concurrent use; does nothing after
// Close.
func (s *Subscription) SetTypes(types EventMask) {
	types &= AllEvents
	s.bus.mu.Lock()
	defer s.bus.mu.Unlock()
	if _, ok := s.bus.subs[s]; !ok {
		return
	}
	s.bus.count(EventMask(s.types.Load()), -1)
	s.types.Store(uint32(types))
	s.bus.count(types, +1)
}

// count adds d to the interest of each type of m. Call with mu held.
func (b *Bus) count(m EventMask, d int32) {
	var in EventMask
	for i := range b.want {
		if m&(1<<i) != 0 {
			b.want[i].Add(d)
		}
		if b.want[i].Load() > 0 {
			in |= 1 << i
		}
	}
	b.interest.Store(uint32(in))
}

// Subscribe returns a subscription with a buffer of size events (at least
// 1) receiving the events for which filter returns true (nil: all). filter
// runs on the publisher's goroutine and must be fast. The subscription
// counts as wanting every type (filter is opaque to the bus) until
// SetTypes narrows it; SubscribeTypes subscribes to some types only.
func (b *Bus) Subscribe(size int, filter func(*Event) bool) *Subscription {
	return b.SubscribeTypes(size, AllEvents, filter)
}

// SubscribeTypes is Subscribe for the events of the types in types only:
// the engine builds the events of other types only if another
// subscription wants them.
func (b *Bus) SubscribeTypes(size int, types EventMask, filter func(*Event) bool) *Subscription {
	if size < 1 {
		size = 1
	}
	types &= AllEvents
	c := make(chan *Event, size)
	s := &Subscription{C: c, c: c, filter: filter, bus: b}
	s.types.Store(uint32(types))
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[*Subscription]struct{}{}
	}
	b.subs[s] = struct{}{}
	b.count(types, +1)
	b.mu.Unlock()
	return s
}

// Interest is the set of event types some live subscription wants: the
// engine builds only events of these types. One atomic load; safe for
// concurrent use.
func (b *Bus) Interest() EventMask { return EventMask(b.interest.Load()) }

// Wants reports whether some live subscription wants events of type typ.
func (b *Bus) Wants(typ string) bool { return b.Interest().Has(typ) }

// Publish hands ev to every subscriber that wants it, never blocking.
func (b *Bus) Publish(evs ...*Event) {
	if len(evs) == 0 {
		return
	}
	b.mu.RLock()
	var slow []*Subscription
	for s := range b.subs {
		types := EventMask(s.types.Load())
		for _, ev := range evs {
			if !types.Has(ev.EventType) || s.filter != nil && !s.filter(ev) {
				continue
			}
			select {
			case s.c <- ev:
			default:
				slow = append(slow, s)
			}
			if len(slow) > 0 && slow[len(slow)-1] == s {
				break
			}
		}
	}
	b.mu.RUnlock()
	b.sent.Add(uint64(len(evs)))
	for _, s := range slow {
		s.dropped.Store(true)
		s.Close()
	}
}

// Subscribers is the number of live subscriptions.
func (b *Bus) Subscribers() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.subs)
}
