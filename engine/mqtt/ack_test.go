package mqtt_test

// Pipelined QoS 1 acknowledgements (ack.go): a connection keeps many
// messages in flight, they are applied in the order sent and acknowledged
// in that order once durable, a message that is not committed is never
// acknowledged, and a slow disk slows the publishers down instead of
// letting the broker hold more and more.

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
	"github.com/twinstudio/twinstudio/engine/mqtt"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// rawClient is a raw MQTT 3.1.1 connection that publishes QoS 1 messages
// without waiting and records the packet ids of the PUBACKs it reads, in
// the order they arrive.
type rawClient struct {
	c    net.Conn
	w    *bufio.Writer
	mu   sync.Mutex
	acks []uint16
	recs []uint16      // the packet ids of the PUBRECs, among acks
	n    atomic.Int64  // PUBACKs and PUBRECs read
	done chan struct{} // closed when the reader ends
	err  error         // the reader's, once done is closed
}

func dialRaw(t *testing.T, addr, clientID, user, key string) *rawClient {
	t.Helper()
	c, code, err := rawConnect(addr, clientID, user, key, 60, true)
	if err != nil || code != 0 {
		t.Fatalf("connect %s: code %d, %v", clientID, code, err)
	}
	rc := &rawClient{c: c, w: bufio.NewWriterSize(c, 16<<10), done: make(chan struct{})}
	t.Cleanup(func() { c.Close(); <-rc.done })
	go rc.read()
	return rc
}

func (rc *rawClient) read() {
	defer close(rc.done)
	r := bufio.NewReader(rc.c)
	for {
		h, body, err := readPacket(r)
		if err != nil {
			rc.err = err
			return
		}
		if h != 0x40 && h != 0x50 || len(body) < 2 {
			rc.err = fmt.Errorf("unexpected packet % x % x", h, body)
			return
		}
		id := binary.BigEndian.Uint16(body)
		rc.mu.Lock()
		rc.acks = append(rc.acks, id)
		if h == 0x50 {
			rc.recs = append(rc.recs, id)
		}
		rc.mu.Unlock()
		rc.n.Add(1)
	}
}

// publish buffers a QoS 1 PUBLISH; flush sends what is buffered.
func (rc *rawClient) publish(topic, payload string, id uint16) error {
	return rc.publishQoS(topic, payload, 1, id)
}

func (rc *rawClient) publishQoS(topic, payload string, qos byte, id uint16) error {
	_, err := rc.w.Write(publishPacket(topic, []byte(payload), qos, id))
	return err
}

func (rc *rawClient) flush() error { return rc.w.Flush() }

// mustPublish publishes (unless topic is "") and flushes if asked, or
// fails the test.
func (rc *rawClient) mustPublish(t *testing.T, topic, payload string, id uint16, flush bool) {
	t.Helper()
	if topic != "" {
		if err := rc.publish(topic, payload, id); err != nil {
			t.Fatal(err)
		}
	}
	if flush {
		if err := rc.flush(); err != nil {
			t.Fatal(err)
		}
	}
}

// acked returns the packet ids acknowledged so far, in arrival order.
func (rc *rawClient) acked() []uint16 {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]uint16(nil), rc.acks...)
}

// waitAcks waits until n PUBACKs arrived, the connection ended or d passed.
func (rc *rawClient) waitAcks(n int, d time.Duration) bool {
	return waitFor(d, func() bool {
		select {
		case <-rc.done:
			return true
		default:
		}
		return rc.n.Load() >= int64(n)
	}) && rc.n.Load() >= int64(n)
}

// storeHistory reads a sensor's durable history from the store.
func storeHistory(t *testing.T, st engine.Store, hw string, e *engine.Engine) []string {
	t.Helper()
	var id engine.ID
	e.View(func(v *engine.View) error {
		s, ok := v.SensorByHardwareID(hw)
		if !ok {
			t.Fatalf("no sensor %s", hw)
		}
		id = s.ID
		return nil
	})
	h, err := st.History(id, "", 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(h))
	for i, v := range h {
		out[i] = v.Value
	}
	return out
}

var co2Topic = engine.SensorTopic(devHW, testkit.QuickstartCO2)

// TestQoS1AcksInOrder: one connection sends 2,000 QoS 1 messages without
// waiting for their PUBACKs, every 100th for a sensor the project does not
// have (refused; over MQTT 3.1.1 acknowledged and dropped). The accepted
// ones are applied in the order sent (the durable history), every PUBACK
// comes back in the order of the PUBLISHes, and the connection's messages
// share commits: it is not one message per fsync.
func TestQoS1AcksInOrder(t *testing.T) {
	p := openProject(t)
	b := p.StartBroker(t, mqtt.Options{})
	rc := dialRaw(t, b.Addr(), devHW, devHW, p.DeviceKey(t, devHW))
	if !waitFor(5*time.Second, func() bool { return deviceState(t, p.Engine()) == engine.Connected }) {
		t.Fatal("the device was not recorded Connected")
	}
	before := p.Engine().CommitStats()
	const n = 2000
	var want []string
	start := time.Now()
	for i := 1; i <= n; i++ {
		topic, v := co2Topic, strconv.Itoa(100000+i)
		if i%100 == 50 {
			topic = engine.SensorTopic(devHW, "NO_SUCH_SENSOR")
		} else {
			want = append(want, v)
		}
		rc.mustPublish(t, topic, v, uint16(i), i%32 == 0)
	}
	rc.mustPublish(t, "", "", 0, true)
	if !rc.waitAcks(n, 60*time.Second) {
		t.Fatalf("%d of %d PUBACKs within a minute (reader: %v)", rc.n.Load(), n, rc.err)
	}
	took := time.Since(start)
	acks := rc.acked()
	for i, id := range acks {
		if int(id) != i+1 {
			t.Fatalf("PUBACK %d is for packet %d; want %d (PUBACKs out of the PUBLISHes' order: %v…)", i+1, id, i+1, acks[i:min(i+10, len(acks))])
		}
	}
	hist := storeHistory(t, p.Store(), testkit.QuickstartCO2, p.Engine())
	if strings.Join(hist, ",") != strings.Join(want, ",") {
		t.Errorf("history has %d values, want the %d accepted in the order sent; first difference at %d", len(hist), len(want), firstDiff(hist, want))
	}
	after := p.Engine().CommitStats()
	writes, batches := after.Writes-before.Writes, after.Batches-before.Batches
	per := float64(writes) / float64(max(batches, 1))
	t.Logf("%d messages in %v (%.0f/s), %d commits, %.1f writes per commit (largest %d)", n, took.Round(time.Millisecond),
		n/took.Seconds(), batches, per, after.MaxBatchWrites)
	if per < 2 {
		t.Errorf("%.1f writes per commit: one connection's messages are not pipelined", per)
	}
}

// TestQoS2AfterQoS1InOrder: a connection mixes QoS 1 and QoS 2 messages
// without waiting. The QoS 2 ones are answered with a PUBREC after the
// PUBACKs of the QoS 1 messages sent before them, and every answer comes
// in the order of the PUBLISHes; all are applied in that order.
func TestQoS2AfterQoS1InOrder(t *testing.T) {
	p := openProject(t)
	b := p.StartBroker(t, mqtt.Options{})
	rc := dialRaw(t, b.Addr(), devHW, devHW, p.DeviceKey(t, devHW))
	const n = 300
	var want []string
	var wantRecs []uint16
	for i := 1; i <= n; i++ {
		qos := byte(1)
		if i%40 == 0 {
			qos = 2
			wantRecs = append(wantRecs, uint16(i))
		}
		v := strconv.Itoa(100000 + i)
		want = append(want, v)
		if err := rc.publishQoS(co2Topic, v, qos, uint16(i)); err != nil {
			t.Fatal(err)
		}
	}
	rc.mustPublish(t, "", "", 0, true)
	if !rc.waitAcks(n, 30*time.Second) {
		t.Fatalf("%d of %d answers (reader: %v)", rc.n.Load(), n, rc.err)
	}
	for i, id := range rc.acked() {
		if int(id) != i+1 {
			t.Fatalf("answer %d is for packet %d: out of the PUBLISHes' order", i+1, id)
		}
	}
	rc.mu.Lock()
	recs := fmt.Sprint(rc.recs)
	rc.mu.Unlock()
	if recs != fmt.Sprint(wantRecs) {
		t.Errorf("PUBRECs for %s; want %v", recs, wantRecs)
	}
	if hist := storeHistory(t, p.Store(), testkit.QuickstartCO2, p.Engine()); strings.Join(hist, ",") != strings.Join(want, ",") {
		t.Errorf("history differs from the order sent at %d", firstDiff(hist, want))
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// slowStore is the project's real bbolt store with a slower disk: every
// Apply takes delay longer, and an Apply of a batch holding the value
// failValue fails (as a full or broken disk would) without writing.
type slowStore struct {
	engine.Store
	delay     time.Duration
	failValue string
	applies   atomic.Int64
}

var errDiskFailed = errors.New("simulated disk failure")

func (s *slowStore) Apply(ops []engine.Op) error {
	s.applies.Add(1)
	time.Sleep(s.delay)
	if s.failValue != "" {
		for _, op := range ops {
			if op.Type == engine.OpValue && op.Value.Value == s.failValue {
				return errDiskFailed
			}
		}
	}
	return s.Store.Apply(ops)
}

// slowProject provisions the Ingress project in a real bbolt file,
// reopens it over st (which wraps the file's store) and starts a broker.
// Everything is closed when the test ends.
func slowProject(t *testing.T, st *slowStore) (*engine.Engine, *engine.Pipeline, *mqtt.Broker, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "slow.twin")
	p := testkit.Open(t, path, testkit.Options{})
	if _, err := p.ProvisionYAML(t, testkit.Ingress.YAML, nil); err != nil {
		t.Fatal(err)
	}
	key := p.DeviceKey(t, devHW)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	bs, err := bbolt.Open(path, bbolt.Options{HistoryRetention: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	st.Store = bs
	e, err := engine.New(st, engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pl := e.NewPipeline(engine.PipelineOptions{})
	b := mqtt.New(e, pl, mqtt.Options{Addr: "127.0.0.1:0"})
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		b.Close()
		pl.Close()
		e.Close()
	})
	return e, pl, b, key
}

// TestQoS1NotCommittedNotAcked: a commit fails (the disk) in the middle of
// a connection's stream. The messages it held get no PUBACK, so the client
// will send them again; the later ones, committed, are still acknowledged,
// in order, and every acknowledged one is durable.
func TestQoS1NotCommittedNotAcked(t *testing.T) {
	st := &slowStore{delay: time.Millisecond, failValue: "100300"}
	e, _, b, key := slowProject(t, st)
	rc := dialRaw(t, b.Addr(), devHW, devHW, key)
	const n = 600
	for i := 1; i <= n; i++ {
		rc.mustPublish(t, co2Topic, strconv.Itoa(100000+i), uint16(i), i%16 == 0)
	}
	rc.mustPublish(t, "", "", 0, true)
	// Wait for the last PUBACK: the acknowledgements go on past the gap.
	if !waitFor(30*time.Second, func() bool {
		a := rc.acked()
		return len(a) > 0 && a[len(a)-1] == n
	}) {
		a := rc.acked()
		t.Fatalf("no PUBACK for the last message; %d PUBACKs, last %v (reader: %v)", len(a), a[max(len(a)-5, 0):], rc.err)
	}
	acks := rc.acked()
	hist := storeHistory(t, st.Store, testkit.QuickstartCO2, e)
	durable := map[string]bool{}
	for _, v := range hist {
		durable[v] = true
	}
	if durable["100300"] {
		t.Fatal("the failed commit's message is in the history")
	}
	last, gap := 0, 0
	for _, id := range acks {
		if int(id) <= last {
			t.Fatalf("PUBACK for %d after %d: out of order", id, last)
		}
		gap += int(id) - last - 1
		last = int(id)
		if !durable[strconv.Itoa(100000+int(id))] {
			t.Errorf("message %d was acknowledged but is not in the durable history", id)
		}
	}
	for _, id := range acks {
		if id == 300 {
			t.Error("the message whose commit failed was acknowledged")
		}
	}
	if gap == 0 || len(acks)+gap != n {
		t.Errorf("%d acknowledged and %d left out of %d", len(acks), gap, n)
	}
	if len(hist) != len(acks) {
		t.Errorf("%d values in history, %d acknowledged: the committed ones are the acknowledged ones", len(hist), len(acks))
	}
	t.Logf("%d acknowledged in order; %d not committed (one failed commit) and not acknowledged", len(acks), gap)
}

// TestQoS1SlowDisk: each commit takes 20 ms longer than the disk's own
// time, and 8 connections send 4,000 QoS 1 messages each as fast as they
// can. The broker holds at most the acknowledgement window of each
// connection (unacknowledged, and in the pipeline's and the committer's
// queues), so a commit covers at most the windows and the publishers go at
// the disk's pace; the heap stays bounded; every message is acknowledged,
// and every acknowledged one is in the durable history.
func TestQoS1SlowDisk(t *testing.T) {
	const clients, per, delay = 8, 4000, 20 * time.Millisecond
	window := mqtt.AckWindow
	st := &slowStore{delay: delay}
	e, pl, b, key := slowProject(t, st)
	base := measure()
	rcs := make([]*rawClient, clients)
	for c := range rcs {
		rcs[c] = dialRaw(t, b.Addr(), fmt.Sprintf("%s/%d", devHW, c), devHW, key)
	}
	stop := make(chan struct{})
	sampled := make(chan struct{})
	var unsettled, queued, inPipeline, inCommitter int
	var heap uint64
	go func() { // what the broker holds, and the heap, every 2 ms
		defer close(sampled)
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			unsettled = max(unsettled, mqtt.Unsettled(b))
			qp, qc := pl.Stats().QueueDepth, e.CommitStats().QueueDepth
			inPipeline, inCommitter, queued = max(inPipeline, qp), max(inCommitter, qc), max(queued, qp+qc)
			heap = max(heap, sample().heap)
		}
	}()
	t0 := time.Now()
	var wg sync.WaitGroup
	for c, rc := range rcs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 1; i <= per; i++ {
				// Payloads c*1e6+i: distinct over all clients.
				if rc.publish(co2Topic, strconv.Itoa(c*1000000+i), uint16(i)) != nil || rc.flush() != nil {
					t.Errorf("client %d: publish %d: the connection is gone", c, i)
					return
				}
			}
		}()
	}
	wg.Wait()
	for c, rc := range rcs {
		if !rc.waitAcks(per, 60*time.Second) {
			t.Errorf("client %d: %d of %d PUBACKs (reader: %v)", c, rc.n.Load(), per, rc.err)
		}
	}
	elapsed := time.Since(t0)
	close(stop)
	<-sampled
	hist := storeHistory(t, st.Store, testkit.QuickstartCO2, e)
	durable := make(map[string]bool, len(hist))
	for _, v := range hist {
		durable[v] = true
	}
	missing, nacked := 0, 0
	for c, rc := range rcs {
		for _, id := range rc.acked() {
			nacked++
			if !durable[strconv.Itoa(c*1000000+int(id))] {
				missing++
			}
		}
	}
	cs := e.CommitStats()
	t.Logf("%d clients × %d messages over a disk %v slower: %d acknowledged in %v (%.0f/s), %d commits (%.1f writes each, largest %d); held at most %d unacknowledged, %d queued; heap %.1f MB, peak %.1f MB",
		clients, per, delay, nacked, elapsed.Round(time.Millisecond), float64(nacked)/elapsed.Seconds(), cs.Batches,
		float64(cs.Writes)/float64(max(cs.Batches, 1)), cs.MaxBatchWrites, unsettled, queued, mb(base.heap), mb(heap))
	if missing > 0 {
		t.Errorf("%d acknowledged messages are not in the durable history", missing)
	}
	if unsettled > clients*window {
		t.Errorf("the broker held up to %d unacknowledged messages; want at most %d (%d connections × window %d)", unsettled, clients*window, clients, window)
	}
	// The pipeline's and the committer's queues (sampled one after the
	// other, so a message may count in both): the windows, and in the
	// committer's a few connection-state writes.
	if inPipeline > clients*window || inCommitter > clients*window+clients {
		t.Errorf("up to %d messages queued in the pipeline and %d in the committer; the windows allow %d", inPipeline, inCommitter, clients*window)
	}
	// A commit covers at most every connection's window: the publishers
	// went at the disk's pace, at most that many messages per slow commit.
	if cs.MaxBatchWrites > clients*window+clients {
		t.Errorf("a commit covered %d writes; the windows allow %d", cs.MaxBatchWrites, clients*window)
	}
	if grow := int64(heap) - int64(base.heap); grow > 64<<20 {
		t.Errorf("the heap grew by %.1f MB while flooding", mb(uint64(grow)))
	}
}

// TestQoS1TakeoverWithAcksPending: a connection has messages in flight on
// a slow disk when a second connection takes over its client id. The
// first connection's pending acknowledgements are dropped (it is closed;
// its client would resend), the new connection gets exactly its own
// PUBACKs in order, every message is applied all the same, and once the
// connections are closed nothing is left running.
func TestQoS1TakeoverWithAcksPending(t *testing.T) {
	st := &slowStore{delay: 20 * time.Millisecond}
	e, pl, b, key := slowProject(t, st)
	goroutines := runtime.NumGoroutine()
	first := dialRaw(t, b.Addr(), devHW, devHW, key)
	const n, m = 300, 20
	for i := 1; i <= n; i++ {
		first.mustPublish(t, co2Topic, strconv.Itoa(100000+i), uint16(i), i%16 == 0)
	}
	first.mustPublish(t, "", "", 0, true)
	if !waitFor(10*time.Second, func() bool { return first.n.Load() > 0 }) {
		t.Fatal("no PUBACK on the first connection")
	}
	second := dialRaw(t, b.Addr(), devHW, devHW, key) // the same client id: a takeover
	select {
	case <-first.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the first connection was not closed by the takeover")
	}
	if got := first.n.Load(); got >= n {
		t.Fatalf("the first connection got all %d PUBACKs before the takeover: nothing was pending", got)
	}
	for i := 1; i <= m; i++ {
		second.mustPublish(t, co2Topic, strconv.Itoa(200000+i), uint16(i), false)
	}
	second.mustPublish(t, "", "", 0, true)
	if !second.waitAcks(m, 30*time.Second) {
		t.Fatalf("%d of %d PUBACKs on the second connection (reader: %v)", second.n.Load(), m, second.err)
	}
	time.Sleep(100 * time.Millisecond) // nothing more may come
	if got := fmt.Sprint(second.acked()); got != fmt.Sprint(seq(1, m)) {
		t.Errorf("second connection's PUBACKs %s; want %v", got, seq(1, m))
	}
	// Every message the broker read was applied, each connection's in
	// the order sent: the first's those read before it was closed (a
	// prefix, including every one acknowledged). The first's goroutine
	// may still be handing its last message to the pipeline when the
	// second's arrive, so the two may interleave at the boundary.
	must(t, e.SyncCommit())
	if !waitFor(10*time.Second, func() bool { s := pl.Stats(); return s.QueueDepth == 0 && mqtt.Unsettled(b) == 0 }) {
		t.Fatal("the pipeline did not drain")
	}
	must(t, e.SyncCommit())
	var firsts, seconds []string
	for _, v := range storeHistory(t, st.Store, testkit.QuickstartCO2, e) {
		if strings.HasPrefix(v, "1") {
			firsts = append(firsts, v)
		} else {
			seconds = append(seconds, v)
		}
	}
	read := len(firsts)
	if read < int(first.n.Load()) {
		t.Fatalf("%d of the first connection's messages in history; it got %d PUBACKs", read, first.n.Load())
	}
	var want1, want2 []string
	for i := 1; i <= read; i++ {
		want1 = append(want1, strconv.Itoa(100000+i))
	}
	for i := 1; i <= m; i++ {
		want2 = append(want2, strconv.Itoa(200000+i))
	}
	if strings.Join(firsts, ",") != strings.Join(want1, ",") || strings.Join(seconds, ",") != strings.Join(want2, ",") {
		t.Errorf("history differs from the order sent: first connection's at %d, second's at %d", firstDiff(firsts, want1), firstDiff(seconds, want2))
	}
	if got := fmt.Sprint(first.acked()); got != fmt.Sprint(seq(1, int(first.n.Load()))) {
		t.Errorf("first connection's PUBACKs out of order: %s", got)
	}
	t.Logf("first connection: %d sent, %d read by the broker, %d acknowledged before the takeover", n, read, first.n.Load())
	second.c.Close()
	if !waitFor(10*time.Second, func() bool {
		return b.Connected() == 0 && mqtt.Unsettled(b) == 0 && runtime.NumGoroutine() <= goroutines
	}) {
		t.Errorf("after the connections closed: %d connected, %d unsettled, %d goroutines (%d before)",
			b.Connected(), mqtt.Unsettled(b), runtime.NumGoroutine(), goroutines)
	}
}

func seq(from, to int) []int {
	var s []int
	for i := from; i <= to; i++ {
		s = append(s, i)
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
