package engine

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// IngressMessage is a PUBLISH as the broker received it from an
// authenticated device.
type IngressMessage struct {
	Topic    string
	Payload  []byte
	QoS      byte
	Username string // the device hardwareId it authenticated as
	// Principal, if set, is who sent the message when that is not the
	// device itself (a principal with a token, connected with Username
	// empty): it must be allowed to update the device of the topic
	// (Authorize ActionUpdate ResDevice), or the message is refused as
	// ErrNotAllowed.
	Principal      *Principal
	UserProperties map[string]string // MQTT 5 user properties
	// Received is when the message arrived. Leave it zero for a live
	// message: Submit stamps it with the engine's clock when it queues
	// the message, in queue order, so that a sensor's value is always its
	// history's newest entry. A message with a time of its own (a
	// simulated or replayed one) keeps it.
	Received time.Time
	// Deterministic runs the message's UDFs with a deterministic budget
	// (ExecInput.Budget) instead of the wall-clock limit, so that a
	// simulation gives the same results however busy the machine is.
	Deterministic bool
}

// UDFInput is one message for the UDFs matched to its sensor.
type UDFInput struct {
	Sensor        *Sensor
	Message       string
	UDFs          []*UDF
	EnqueuedTime  time.Time
	ReceivedTime  time.Time
	CorrelationID string
	Deterministic bool // run with ExecInput.Budget
}

// UDFOutput is what the UDFs of one message want applied, in order: the
// writes of the executions that succeeded, as their records list them.
type UDFOutput struct {
	Writes        []WriteRecord
	Notifications []UdfCustomData
}

// PipelineOptions configure a Pipeline. The zero value is valid.
type PipelineOptions struct {
	Workers int // default runtime.NumCPU()
	// Queue bounds each device's queue (default 1024); all queues together
	// hold at most 4 × Queue × Workers QoS 0 messages.
	Queue  int
	Recent int // recent messages and rejections kept; default 200
	// NoEvents: do not build DeviceMessage, SensorChange and SpaceChange
	// events even if someone subscribed (bench, simulation). Without it
	// they are built only for the types some subscription wants
	// (Bus.Interest).
	NoEvents bool
	// Deterministic treats every message as IngressMessage.Deterministic
	// (a pipeline that serves only a simulation).
	Deterministic bool
	// OnReject, if set, is called (on a worker goroutine) for each
	// rejected message; twin serve logs them. It must not block.
	OnReject func(Rejection)
	// Throttle limits UDFs that keep timing out (see UDFThrottle).
	Throttle UDFThrottle
	// OnUDFRecord, if set, is called (on a worker goroutine) with the
	// record of every UDF execution the pipeline runs, and with the
	// record a UDF gets when it is throttled or suspended; twin serve logs
	// the failures. The record must not be modified. It must not block.
	OnUDFRecord func(*ExecutionRecord)
}

// ErrQueueFull is returned for a QoS 0 message dropped because its
// device's queue (or the pipeline) is full.
var ErrQueueFull = errors.New("pipeline full: message dropped")

// ErrAbandoned is a ticket's error for a message that Shutdown gave up on:
// it was queued or being processed when the drain deadline passed, so it
// was neither applied nor acknowledged. It wraps ErrClosed.
var ErrAbandoned = fmt.Errorf("%w: shut down before the message was processed", ErrClosed)

// Ticket follows one submitted message. Wait returns nil once the
// message's effects are durable, or why it was rejected or not committed.
type Ticket struct {
	done chan struct{}
	once sync.Once
	err  error
	c    *Commit
}

// finish settles the ticket; calls after the first do nothing.
func (t *Ticket) finish(c *Commit, err error) {
	t.once.Do(func() {
		t.c, t.err = c, err
		close(t.done)
	})
}

// Wait blocks until the message is processed and, if accepted, committed.
func (t *Ticket) Wait() error {
	<-t.done
	if t.err != nil {
		return t.err
	}
	return t.c.Wait()
}

// Rejection is a refused message.
type Rejection struct {
	Time   time.Time
	Device string
	Topic  string
	Reason string // unknown sensor, not allowed, oversize, bad property bag, bad topic, unknown device
	Detail string
}

// RecentMessage is an accepted message, for the studio's telemetry log.
type RecentMessage struct {
	Time           time.Time
	Device, Sensor string // hardware ids
	Payload        string // up to 256 bytes
	Value          string // the value set, if any
	UDFs           []string
}

// IngressStats counts the pipeline's work.
type IngressStats struct {
	Accepted   uint64
	Rejected   uint64
	Dropped    uint64            // QoS 0 messages dropped because the pipeline was full
	ByReason   map[string]uint64 // rejections by reason
	QueueDepth int
	// DroppedByDevice counts the dropped QoS 0 messages by device (the
	// user name it authenticated as).
	DroppedByDevice map[string]uint64
}

// Pipeline validates telemetry, records it in history, sets values,
// matches UDFs and runs them, commits and emits events. Submit may be
// called from any goroutine (the broker's client goroutines).
//
// Scheduling is fair: every device has its own bounded queue, and the
// workers serve the devices with pending work in turn, one message each
// (see sched.go), so a device whose UDF is slow holds at most one worker
// and delays another device by at most one of its executions per worker.
// A device's messages are processed one at a time, in order.
type Pipeline struct {
	e      *Engine
	opts   PipelineOptions
	sched  *scheduler
	guard  *udfGuard
	events chan pendingEvents
	evDone chan struct{}
	wg     sync.WaitGroup

	// applyMu: workers hold it (read) while applying a message; Shutdown
	// takes it to set abandoned, after which no message is applied.
	applyMu   sync.RWMutex
	abandoned bool
	shutOnce  sync.Once
	shutRep   ShutdownReport

	accepted, rejected, dropped atomic.Uint64

	mu       sync.Mutex
	byReason map[string]uint64
	rejects  ring[Rejection]
	recent   ring[RecentMessage]
}

// ring keeps the last n items.
type ring[T any] struct {
	buf  []T
	next int
	full bool
}

func (r *ring[T]) add(x T, n int) {
	if r.buf == nil {
		r.buf = make([]T, n)
	}
	r.buf[r.next] = x
	r.next++
	if r.next == len(r.buf) {
		r.next, r.full = 0, true
	}
}

// items returns the items oldest first.
func (r *ring[T]) items() []T {
	if !r.full {
		return append([]T(nil), r.buf[:r.next]...)
	}
	return append(append([]T(nil), r.buf[r.next:]...), r.buf[:r.next]...)
}

type job struct {
	m *IngressMessage
	t *Ticket
}

type pendingEvents struct {
	c   *Commit
	evs []*Event
}

// NewPipeline starts a pipeline over e. Close it to drain.
func (e *Engine) NewPipeline(opts PipelineOptions) *Pipeline {
	if opts.Workers <= 0 {
		opts.Workers = runtime.NumCPU()
	}
	if opts.Queue <= 0 {
		opts.Queue = 1024
	}
	if opts.Recent <= 0 {
		opts.Recent = 200
	}
	p := &Pipeline{e: e, opts: opts, byReason: map[string]uint64{}, events: make(chan pendingEvents, 1<<14), evDone: make(chan struct{}),
		sched: newScheduler(opts.Queue, 4*opts.Queue*opts.Workers, e.opts.Now), guard: newUDFGuard(e, opts.Throttle)}
	go p.publishEvents()
	for i := 0; i < opts.Workers; i++ {
		p.wg.Add(1)
		go p.worker()
	}
	return p
}

// Submit hands m to the pipeline. Messages of one device (its Username)
// go to the device's own queue and are processed one at a time, in order.
// QoS 0: never blocks; if the device's queue (or the pipeline) is full the
// message is dropped, counted for its device, and ErrQueueFull returned.
// QoS 1 (and 2): blocks until the device's queue has room, which slows
// that publisher alone. After Close or Shutdown it returns ErrClosed.
// The ticket's Wait says when the effects are durable. Safe for
// concurrent use.
func (p *Pipeline) Submit(m *IngressMessage) (*Ticket, error) {
	t := &Ticket{done: make(chan struct{})}
	if err := p.sched.submit(m.Username, &job{m: m, t: t}, m.QoS > 0); err != nil {
		if errors.Is(err, ErrQueueFull) {
			p.dropped.Add(1)
		}
		return nil, err
	}
	return t, nil
}

// Close stops accepting messages, processes everything queued and returns
// when every accepted message has been handed to the committer. It waits
// as long as that takes; Shutdown bounds the wait.
func (p *Pipeline) Close() { p.Shutdown(context.Background()) }

// ShutdownReport says what Shutdown gave up on.
type ShutdownReport struct {
	// Unprocessed counts the messages still queued at the deadline; they
	// were dropped unprocessed (never acknowledged).
	Unprocessed int
	// Abandoned lists the devices whose message was being processed at
	// the deadline (typically a UDF stuck in a call that cannot be
	// interrupted). Their workers are left behind; whatever they finish
	// later is not applied, and their tickets fail with ErrAbandoned.
	Abandoned []string
}

// TimedOut reports whether the drain did not finish by the deadline.
func (r ShutdownReport) TimedOut() bool { return r.Unprocessed > 0 || len(r.Abandoned) > 0 }

// Shutdown stops accepting messages and processes what is queued until ctx
// is done. If the drain finishes first, it is Close. Otherwise the
// messages still queued are dropped and the workers still processing one
// are abandoned: those messages were not acknowledged (a QoS 1 ticket
// fails with ErrAbandoned, so the device will resend it), nothing of them
// is applied, and every message applied before is handed to the committer
// as usual. Shutdown then returns without waiting for the abandoned
// workers. Later calls return the first call's report at once (a second
// concurrent caller waits for the first). Safe for concurrent use.
func (p *Pipeline) Shutdown(ctx context.Context) ShutdownReport {
	p.shutOnce.Do(func() { p.shutRep = p.shutdown(ctx) })
	return p.shutRep
}

func (p *Pipeline) shutdown(ctx context.Context) ShutdownReport {
	var rep ShutdownReport
	p.sched.close()
	drained := make(chan struct{})
	go func() {
		p.wg.Wait()
		close(drained)
	}()
	select {
	case <-drained:
	case <-ctx.Done():
		queued, running := p.sched.stop()
		for _, j := range queued {
			j.t.finish(nil, ErrAbandoned)
		}
		rep.Unprocessed = len(queued)
		// Wait for the workers applying a message, then let none apply.
		p.applyMu.Lock()
		p.abandoned = true
		p.applyMu.Unlock()
		select {
		case <-drained:
		default:
			for dev, j := range running {
				select {
				case <-j.t.done: // finished before the deadline took effect
					continue
				default:
				}
				j.t.finish(nil, ErrAbandoned)
				rep.Abandoned = append(rep.Abandoned, dev)
			}
			sort.Strings(rep.Abandoned)
		}
	}
	close(p.events)
	<-p.evDone
	return rep
}

// publishEvents emits each message's events after its commit, in order. A
// failed commit's events are not emitted: nothing happened.
func (p *Pipeline) publishEvents() {
	defer close(p.evDone)
	for pe := range p.events {
		if pe.c.Wait() == nil {
			p.e.bus.Publish(pe.evs...)
		}
	}
}

func (p *Pipeline) worker() {
	defer p.wg.Done()
	for {
		d, j := p.sched.next()
		if j == nil {
			return
		}
		c, err := p.process(j.m)
		j.t.finish(c, err)
		p.sched.done(d)
	}
}

func (p *Pipeline) reject(m *IngressMessage, reason error, detail string) error {
	p.rejected.Add(1)
	r := Rejection{Time: m.Received, Device: m.Username, Topic: short(m.Topic), Reason: reason.Error(), Detail: detail}
	p.mu.Lock()
	p.byReason[r.Reason]++
	p.rejects.add(r, p.opts.Recent)
	p.mu.Unlock()
	if p.opts.OnReject != nil {
		p.opts.OnReject(r)
	}
	if detail != "" {
		return fmt.Errorf("%w: %s", reason, detail)
	}
	return reason
}

// process runs one message through the stages and returns its commit.
func (p *Pipeline) process(m *IngressMessage) (*Commit, error) {
	e := p.e
	if len(m.Payload) > MaxPayload {
		return nil, p.reject(m, ErrOversize, fmt.Sprintf("%d bytes > %d", len(m.Payload), MaxPayload))
	}
	tp, err := ParseTopic(m.Topic)
	if err != nil {
		reason := ErrBadTopic
		if errors.Is(err, ErrBadPropertyBag) {
			reason = ErrBadPropertyBag
		}
		return nil, p.reject(m, reason, err.Error())
	}
	if m.Username != "" && tp.DeviceHardwareID != m.Username {
		return nil, p.reject(m, ErrNotAllowed, fmt.Sprintf("device %s may not publish under devices/%s/", m.Username, tp.DeviceHardwareID))
	}
	props := tp.Properties
	for k, v := range m.UserProperties {
		if props == nil {
			props = map[string]string{}
		}
		props[CanonicalProperty(k)] = v
	}
	sensorHW := tp.SensorHardwareID
	if sensorHW == "" {
		sensorHW = props[PropSensorHardwareID]
	}
	if sensorHW == "" {
		return nil, p.reject(m, ErrUnknownSensor, "no "+PropSensorHardwareID+" in the property bag")
	}
	at := m.Received // stamped by Submit if it came without one
	enqueued := at
	if ct, ok := props[PropCreationTimeUtc]; ok {
		t, err := ParseCreationTime(ct)
		if err != nil {
			return nil, p.reject(m, ErrBadPropertyBag, err.Error())
		}
		at = t
	}
	corr := props[PropClientRequestID]
	if corr == "" {
		corr = props[PropCorrelationID]
	}

	// Validate and match under the read lock; run the UDFs without it (they
	// take it per library call, see UDFContext).
	e.mu.RLock()
	v := &View{g: e.g}
	gen := e.gen.Load()
	dev, ok := v.DeviceByHardwareID(tp.DeviceHardwareID)
	if !ok {
		e.mu.RUnlock()
		return nil, p.reject(m, ErrUnknownDevice, "no device "+tp.DeviceHardwareID)
	}
	if dev.Status == DeviceDisabled {
		e.mu.RUnlock()
		return nil, p.reject(m, ErrNotAllowed, "device "+dev.HardwareID+" is disabled")
	}
	if m.Principal != nil && v.Authorize(*m.Principal, ActionUpdate, ResDevice, dev.ID) != nil {
		e.mu.RUnlock()
		return nil, p.reject(m, ErrNotAllowed, fmt.Sprintf("%s %s may not send for device %s", m.Principal.Type, m.Principal.Name(), dev.HardwareID))
	}
	sensor, ok := v.SensorByHardwareID(sensorHW)
	if !ok {
		e.mu.RUnlock()
		return nil, p.reject(m, ErrUnknownSensor, "no sensor "+sensorHW)
	}
	if sensor.DeviceID != dev.ID {
		// A Gateway Device may send for sensors in its role's subtree.
		gw := Principal{Type: ObjectDeviceID, ID: dev.ID.String()}
		if v.Authorize(gw, ActionCreate, ResSensor, sensor.ID) != nil {
			e.mu.RUnlock()
			return nil, p.reject(m, ErrNotAllowed, fmt.Sprintf("sensor %s belongs to another device", sensorHW))
		}
	}
	udfs := e.matchedUDFsLocked(sensor.ID)
	e.mu.RUnlock()
	var out *UDFOutput
	if len(udfs) > 0 {
		if rt := e.udfRuntime(); rt != nil {
			in := &UDFInput{Sensor: sensor, Message: string(m.Payload), UDFs: udfs, EnqueuedTime: enqueued,
				ReceivedTime: m.Received, CorrelationID: corr, Deterministic: m.Deterministic || p.opts.Deterministic}
			var guard *udfGuard
			if !in.Deterministic {
				guard = p.guard // wall-time throttling would make simulations depend on load
			}
			out = e.runUDFs(rt, in, gen, guard, p.opts.OnUDFRecord)
		}
	}

	// Apply: one writer at a time, in order, handing ops to the committer
	// under the lock so that commit order is apply order. If the store is
	// behind, wait here (outside the lock) first.
	e.com.waitRoom()
	p.applyMu.RLock()
	if p.abandoned {
		p.applyMu.RUnlock()
		return nil, ErrAbandoned
	}
	want := e.bus.Interest()
	if p.opts.NoEvents {
		want &^= bitDeviceMessage | bitSensorChange | bitSpaceChange
	}
	c, evs, value := e.applyMessage(m, dev, sensor, out, at, corr, props, want)
	p.accepted.Add(1)
	if len(evs) > 0 {
		// Events go out once the message's effects are durable, in commit order.
		p.events <- pendingEvents{c, evs}
	}
	p.applyMu.RUnlock()
	rm := RecentMessage{Time: at, Device: dev.HardwareID, Sensor: sensor.HardwareID, Payload: short256(m.Payload), Value: value}
	for _, u := range udfs {
		rm.UDFs = append(rm.UDFs, u.Name)
	}
	p.mu.Lock()
	p.recent.add(rm, p.opts.Recent)
	p.mu.Unlock()
	return c, nil
}

func short256(b []byte) string {
	if len(b) > 256 {
		b = b[:256]
	}
	return string(b)
}

// applyMessage applies one accepted message: UDF writes, the value rule,
// history, and the events of the types in want. It returns the commit of
// its ops.
func (e *Engine) applyMessage(m *IngressMessage, dev *Device, sensor *Sensor, out *UDFOutput, at time.Time, corr string,
	props map[string]string, want EventMask) (*Commit, []*Event, string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := &applier{g: e.g, at: at, corr: corr, want: want}
	if want&bitDeviceMessage != 0 {
		data := &DeviceMessageData{DeviceID: dev.ID.String(), DeviceHardwareID: dev.HardwareID, SensorID: sensor.ID.String(),
			SensorHardwareID: sensor.HardwareID, Payload: string(m.Payload), Properties: props,
			EnqueuedTime: m.Received.UTC().Format(time.RFC3339Nano), CorrelationID: corr}
		a.evs = append(a.evs, newEvent(EventDeviceMessage, sensor.ID, EventDeviceMessage, data, at, "1.0"))
	}
	set := a.output(out)
	value, setSensor := set[sensor.ID]
	if n := e.g.sensors[sensor.ID]; n != nil && !setSensor {
		if val, ok := ValueFromPayload(m.Payload); ok {
			a.sensorChange(n, val)
			value = val
		} else {
			// Not a value: the message itself goes to the sensor's history.
			v := Value{Value: short256(m.Payload), Time: at}
			a.ops = append(a.ops, Op{Type: OpValue, Key: sensor.ID, Name: HistoryOnly, Value: v})
		}
	}
	return e.com.submit(a.ops), a.evs, value
}

// applyOutput applies UDF writes and notifications outside the pipeline.
func (e *Engine) applyOutput(out *UDFOutput, at time.Time, corr string) (*Commit, []*Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	a := &applier{g: e.g, at: at, corr: corr, want: e.bus.Interest()}
	a.output(out)
	return e.com.submit(a.ops), a.evs
}

// applier applies value writes under the engine's write lock, collecting
// store ops and the events of the types in want (none built otherwise).
type applier struct {
	g    *graph
	at   time.Time
	corr string
	want EventMask
	ops  []Op
	evs  []*Event
}

func (a *applier) sensorChange(n *sensorNode, val string) {
	had, prevVal := n.value != nil, ""
	if had {
		prevVal = n.value.cur.Value
	} else {
		n.value = &valueCell{}
	}
	v := Value{Value: val, Time: a.at}
	n.value.push(v, a.g.histLen)
	a.ops = append(a.ops, Op{Type: OpValue, Key: n.s.ID, Value: v})
	if a.want&bitSensorChange != 0 {
		var prev *string
		if had {
			p := prevVal // escapes only when an event is built
			prev = &p
		}
		typ := a.g.types.name(n.s.TypeID)
		data := &ChangeData{Type: &typ, DataType: a.g.types.name(n.s.DataTypeID), ID: n.s.ID.String(), Value: val,
			PreviousValue: prev, EventTimestamp: a.at.UTC().Format(time.RFC3339Nano), MessageType: "sensor", CorrelationID: a.corr}
		if a.corr != "" {
			data.Properties = map[string]string{"ms-client-request-id": a.corr}
		}
		a.evs = append(a.evs, newEvent(EventSensorChange, n.s.ID, EventSensorChange, data, a.at, "1.0"))
	}
}

// output applies UDF writes; it returns the sensors it set, with values.
func (a *applier) output(out *UDFOutput) map[ID]string {
	if out == nil {
		return nil
	}
	set := map[ID]string{}
	// Sensor values first, then space values, each in the order written.
	for _, w := range out.Writes {
		if w.Kind != "Sensor" {
			continue
		}
		if n := a.g.sensors[w.ID]; n != nil {
			a.sensorChange(n, w.New)
			set[w.ID] = w.New
		}
	}
	for _, w := range out.Writes {
		if w.Kind != "Space" {
			continue
		}
		n := a.g.spaces[w.ID]
		if n == nil || CheckValueName(w.Name) != nil {
			continue
		}
		v := Value{Value: w.New, Time: a.at}
		prevV, had := n.setValue(w.Name, v, a.g.histLen)
		a.ops = append(a.ops, Op{Type: OpValue, Key: w.ID, Name: w.Name, Value: v})
		if a.want&bitSpaceChange != 0 {
			var prev *string
			if had {
				p := prevV.Value // escapes only when an event is built
				prev = &p
			}
			data := &ChangeData{DataType: w.Name, ID: w.ID.String(), Value: w.New, PreviousValue: prev,
				EventTimestamp: a.at.UTC().Format(time.RFC3339Nano), MessageType: "space", CorrelationID: a.corr}
			a.evs = append(a.evs, newEvent(EventSpaceChange, w.ID, EventSpaceChange, data, a.at, "1.0"))
		}
	}
	for i := range out.Notifications {
		if a.want&bitUdfCustom == 0 {
			break
		}
		nt := out.Notifications[i]
		id, _ := ParseID(nt.TopologyObjectID)
		if nt.CorrelationID == "" {
			nt.CorrelationID = a.corr
		}
		a.evs = append(a.evs, newEvent(EventUdfCustom, id, EventUdfCustom, &nt, a.at, "1.0"))
	}
	return set
}

// HistoryOnly is the value name under which a message that carries no
// value is recorded in its sensor's history.
const HistoryOnly = "$message"

// Stats returns the pipeline's counters.
func (p *Pipeline) Stats() IngressStats {
	s := IngressStats{Accepted: p.accepted.Load(), Rejected: p.rejected.Load(), Dropped: p.dropped.Load(), ByReason: map[string]uint64{},
		QueueDepth: p.sched.depth(), DroppedByDevice: p.sched.droppedByDevice()}
	p.mu.Lock()
	for k, v := range p.byReason {
		s.ByReason[k] = v
	}
	p.mu.Unlock()
	return s
}

// ResumeUDF lets a throttled or suspended UDF run again (see
// UDFThrottle); it reports whether it was throttled or suspended. Safe
// for concurrent use.
func (p *Pipeline) ResumeUDF(id ID) bool { return p.guard.resume(id) }

// UDFState is OutcomeThrottled or OutcomeSuspended for a UDF the pipeline
// is holding back, else "". Safe for concurrent use.
func (p *Pipeline) UDFState(id ID) string { return p.guard.state(id) }

// Rejections returns the most recent rejections, oldest first.
func (p *Pipeline) Rejections() []Rejection {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.rejects.items()
}

// Recent returns the most recent accepted messages, oldest first.
func (p *Pipeline) Recent() []RecentMessage {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.recent.items()
}

// SetDeviceConnection records a device's connection state (the broker calls
// it on CONNECT and DISCONNECT). It does not wait for the commit.
func (e *Engine) SetDeviceConnection(hardwareID string, connected bool, at time.Time) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := e.g.devByHW[hardwareID]
	if n == nil {
		return fmt.Errorf("%w: device %s", ErrNotFound, hardwareID)
	}
	c := *n.d
	c.ConnectionState = Disconnected
	if connected {
		c.ConnectionState = Connected
	}
	c.ConnectionStateUpdated = at
	e.connGen.Add(1)
	n.d = &c
	e.com.submit([]Op{{Type: OpPut, Obj: &c}})
	return nil
}

// RotateDeviceKey gives a device a new key and returns it.
func (e *Engine) RotateDeviceKey(hardwareID string) (string, error) {
	var key string
	err := e.Update(func(tx *Tx) error {
		d, ok := tx.DeviceByHardwareID(hardwareID)
		if !ok {
			return fmt.Errorf("%w: no device has hardwareId %q", ErrNotFound, hardwareID)
		}
		c := *d
		c.Key = NewDeviceKey()
		key = c.Key
		return tx.UpdateDevice(&c)
	})
	return key, err
}
