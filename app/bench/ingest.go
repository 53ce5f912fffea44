package bench

import (
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/mqtt"
)

// ingestProject opens a project with the broker: one room with a motion
// and a CO2 sensor, n load devices with a Temperature sensor each, and the
// availability-style UDF on a Temperature matcher, so every message runs
// matcher → UDF → space value → commit.
func ingestProject(dir string, n int, udf bool) (*app.App, []devCred, error) {
	path := filepath.Join(dir, fmt.Sprintf("ingest-%d.twin", time.Now().UnixNano()))
	a, err := app.Open(path, app.Options{Broker: &mqtt.Options{Addr: "127.0.0.1:0"}, Pipeline: engine.PipelineOptions{Queue: 4096}})
	if err != nil {
		return nil, nil, err
	}
	if _, _, err := udfRoom(a, n); err != nil {
		a.Close()
		return nil, nil, err
	}
	if !udf {
		err := a.Engine().Update(func(tx *engine.Tx) error {
			u := *tx.UDFs()[0]
			u.Disabled = true
			return tx.PutUDF(&u)
		})
		if err != nil {
			a.Close()
			return nil, nil, err
		}
	}
	var creds []devCred
	a.Engine().View(func(v *engine.View) error {
		for i := 0; i < n; i++ {
			d, _ := v.DeviceByHardwareID(fmt.Sprintf("LOAD-%03d", i))
			s, _ := v.SensorByHardwareID(fmt.Sprintf("LOAD-%03d-T", i))
			creds = append(creds, devCred{hw: d.HardwareID, key: d.Key, topic: engine.SensorTopic(d.HardwareID, s.HardwareID)})
		}
		return nil
	})
	return a, creds, nil
}

type devCred struct{ hw, key, topic string }

func connect(addr string, c devCred) (paho.Client, error) {
	o := paho.NewClientOptions().AddBroker("tcp://" + addr).SetClientID(c.hw).SetUsername(c.hw).SetPassword(c.key).
		SetAutoReconnect(false).SetOrderMatters(false).SetWriteTimeout(10 * time.Second).SetKeepAlive(60 * time.Second)
	cl := paho.NewClient(o)
	t := cl.Connect()
	if !t.WaitTimeout(5*time.Second) || t.Error() != nil {
		return nil, fmt.Errorf("connect %s: %v", c.hw, t.Error())
	}
	return cl, nil
}

// connectAll connects one client per device; on error it disconnects
// those already connected.
func connectAll(addr string, creds []devCred) ([]paho.Client, error) {
	var clients []paho.Client
	for _, c := range creds {
		cl, err := connect(addr, c)
		if err != nil {
			disconnectAll(clients)
			return nil, err
		}
		clients = append(clients, cl)
	}
	return clients, nil
}

func disconnectAll(clients []paho.Client) {
	for _, cl := range clients {
		cl.Disconnect(0)
	}
}

// qos1Window is how many QoS 1 messages each client keeps in flight
// (published, PUBACK not yet received) in the QoS 1 rows: a client waits for
// its oldest message's PUBACK only once this many are outstanding.
const qos1Window = 64

// flood publishes total messages from the clients as fast as they go and
// returns when all were handed to the clients' connections (QoS 0) or
// acknowledged (QoS 1). At QoS 1 each client keeps up to qos1Window
// messages in flight (a sliding window of paho's asynchronous tokens).
func flood(clients []paho.Client, creds []devCred, total int, qos byte) error {
	var wg sync.WaitGroup
	var firstErr atomic.Value
	per := total / len(clients)
	for i, cl := range clients {
		wg.Add(1)
		go func(cl paho.Client, c devCred) {
			defer wg.Done()
			var window [qos1Window]paho.Token
			wait := func(t paho.Token) {
				if t == nil {
					return
				}
				t.Wait()
				if t.Error() != nil {
					firstErr.CompareAndSwap(nil, t.Error())
				}
			}
			for k := 0; k < per; k++ {
				if qos > 0 {
					// The slot holds the oldest outstanding message.
					wait(window[k%qos1Window])
				}
				t := cl.Publish(c.topic, qos, false, strconv.Itoa(k%1000))
				if qos > 0 {
					window[k%qos1Window] = t
				}
			}
			for _, t := range window {
				wait(t)
			}
		}(cl, creds[i])
	}
	wg.Wait()
	if e := firstErr.Load(); e != nil {
		return e.(error)
	}
	return nil
}

// waitProcessed waits until the pipeline has seen want messages (accepted,
// rejected or dropped) or nothing moved for a second.
func waitProcessed(p *engine.Pipeline, want uint64) engine.IngressStats {
	last, since := uint64(0), time.Now()
	for {
		s := p.Stats()
		n := s.Accepted + s.Rejected + s.Dropped
		if n >= want || time.Since(since) > time.Second {
			return s
		}
		if n != last {
			last, since = n, time.Now()
		}
		time.Sleep(2 * time.Millisecond)
	}
}

const ingestDevices = 16

// benchIngest measures ingest_mqtt_udf_qos0, ingest_mqtt_qos0_no_udf and
// broker_only_qos0 under the same QoS 0 flood, and their ratio.
func benchIngest(cfg Config) ([]Row, error) {
	udf, err := ingestRun(cfg, 0, true)
	if err != nil {
		return nil, err
	}
	noUDF, err := ingestRun(cfg, 0, false)
	if err != nil {
		return nil, err
	}
	bo, err := brokerOnly(cfg, 0)
	if err != nil {
		return nil, err
	}
	return []Row{udf, noUDF, bo, ratioRow("ingest_pipeline_ratio", noUDF, bo, 0.5, "x broker-only",
		"the pipeline's share, UDFs excluded")}, nil
}

// benchIngestQoS1 measures ingest_mqtt_udf_qos1 and broker_only_qos1 under
// the same QoS 1 load (clients, messages, in-flight window), and their ratio.
func benchIngestQoS1(cfg Config) ([]Row, error) {
	udf, err := ingestRun(cfg, 1, true)
	if err != nil {
		return nil, err
	}
	bo, err := brokerOnly(cfg, 1)
	if err != nil {
		return nil, err
	}
	return []Row{udf, bo, ratioRow("ingest_qos1_ratio", udf, bo, 0.6, "x broker-only",
		"durable QoS 1 ingest with the UDF against the broker acknowledging alone")}, nil
}

// ratioRow is num / den with target >= min; its note names both rows.
func ratioRow(name string, num, den Row, min float64, unit, what string) Row {
	r := Row{Name: name, Unit: unit, Target: fmt.Sprintf(">= %g", min),
		Note: fmt.Sprintf("%s / %s (%s)", num.Name, den.Name, what)}
	if num.Value > 0 && den.Value > 0 {
		r.Value = num.Value / den.Value
		r.OK = r.Value >= min
	}
	return r
}

func ingestRun(cfg Config, qos byte, udf bool) (Row, error) {
	a, creds, err := ingestProject(cfg.Dir, ingestDevices, udf)
	if err != nil {
		return Row{}, err
	}
	defer a.Close()
	clients, err := connectAll(a.Broker().Addr(), creds)
	if err != nil {
		return Row{}, err
	}
	defer disconnectAll(clients)
	total := ingestTotal(cfg, qos, len(clients))
	t0 := time.Now()
	if err := flood(clients, creds, total, qos); err != nil {
		return Row{}, err
	}
	s := waitProcessed(a.Pipeline(), uint64(total))
	// Effects are durable once the committer has caught up.
	for a.Engine().CommitStats().QueueDepth > 0 {
		time.Sleep(time.Millisecond)
	}
	if err := a.Engine().SyncCommit(); err != nil {
		return Row{}, err
	}
	secs := since(t0)
	rate := float64(s.Accepted) / secs
	name := fmt.Sprintf("ingest_mqtt_udf_qos%d", qos)
	cs := a.Engine().CommitStats()
	var udfOK int
	a.Engine().View(func(v *engine.View) error {
		for _, r := range a.Engine().Records(v.UDFs()[0].ID) {
			if r.Outcome == engine.OutcomeOK {
				udfOK++
			}
		}
		return nil
	})
	note := fmt.Sprintf("%d clients, %d sent, %d accepted, %d dropped, %d commits; matcher → availability UDF → space value", len(clients), total, s.Accepted, s.Dropped, cs.Batches)
	if !udf {
		name = "ingest_mqtt_qos0_no_udf"
		note = fmt.Sprintf("%d clients, %d sent, %d accepted, %d dropped, %d commits; matcher, UDF disabled", len(clients), total, s.Accepted, s.Dropped, cs.Batches)
		return Row{Name: name, Value: rate, Unit: "msg/s", Target: "-", OK: true, Note: note}, nil
	}
	if udfOK == 0 {
		return Row{}, fmt.Errorf("%s: the UDF did not run successfully", name)
	}
	if qos == 1 {
		// Its target is its ratio to broker_only_qos1 (ingest_qos1_ratio).
		note = fmt.Sprintf("%d clients, %d in flight each, %d sent, %d accepted, %d commits; PUBACK after the commit; matcher → availability UDF → space value",
			len(clients), qos1Window, total, s.Accepted, cs.Batches)
		return Row{Name: name, Value: rate, Unit: "msg/s", Target: "-", OK: true, Note: note}, nil
	}
	return Row{Name: name, Value: rate, Unit: "msg/s", Target: ">= 20000", OK: rate >= 20000, Note: note}, nil
}

// ingestTotal is how many messages a flood at qos sends from n clients:
// cfg.IngestMessages at QoS 0, a quarter of it at QoS 1, a multiple of n.
func ingestTotal(cfg Config, qos byte, n int) int {
	total := cfg.IngestMessages
	if qos == 1 {
		total /= 4
	}
	return total - total%n
}

// bareBroker starts a mochi broker on loopback whose hook only counts
// publishes (and acknowledges QoS 1 ones at once, as mochi does when a
// hook lets a publish through), and returns it with the credentials of
// ingestDevices clients. Close the server when done.
func bareBroker() (*mochi.Server, *countHook, string, []devCred, error) {
	srv := mochi.New(&mochi.Options{InlineClient: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	h := &countHook{}
	if err := srv.AddHook(h, nil); err != nil {
		return nil, nil, "", nil, err
	}
	tcp := listeners.NewTCP(listeners.Config{Type: "tcp", ID: "t", Address: "127.0.0.1:0"})
	if err := srv.AddListener(tcp); err != nil {
		return nil, nil, "", nil, err
	}
	if err := srv.Serve(); err != nil {
		return nil, nil, "", nil, err
	}
	var creds []devCred
	for i := 0; i < ingestDevices; i++ {
		creds = append(creds, devCred{hw: fmt.Sprintf("LOAD-%03d", i), key: "x", topic: engine.SensorTopic(fmt.Sprintf("LOAD-%03d", i), fmt.Sprintf("LOAD-%03d-T", i))})
	}
	return srv, h, tcp.Address(), creds, nil
}

// brokerOnly runs the load of ingestRun at qos against a bare mochi broker
// whose hook only counts: the ceiling the pipeline is compared with.
func brokerOnly(cfg Config, qos byte) (Row, error) {
	srv, h, addr, creds, err := bareBroker()
	if err != nil {
		return Row{}, err
	}
	defer srv.Close()
	clients, err := connectAll(addr, creds)
	if err != nil {
		return Row{}, err
	}
	defer disconnectAll(clients)
	total := ingestTotal(cfg, qos, len(clients))
	t0 := time.Now()
	if err := flood(clients, creds, total, qos); err != nil {
		return Row{}, err
	}
	last, stable := int64(-1), time.Now()
	for h.n.Load() < int64(total) && time.Since(stable) < time.Second {
		if n := h.n.Load(); n != last {
			last, stable = n, time.Now()
		}
		time.Sleep(time.Millisecond)
	}
	rate := float64(h.n.Load()) / since(t0)
	if qos == 1 {
		return Row{Name: "broker_only_qos1", Value: rate, Unit: "msg/s", Target: "-", OK: true,
			Note: fmt.Sprintf("same load as ingest_mqtt_udf_qos1 (%d clients, %d in flight each), mochi with a counting hook acknowledging at once, no pipeline (%d of %d acknowledged)",
				len(clients), qos1Window, h.n.Load(), total)}, nil
	}
	return Row{Name: "broker_only_qos0", Value: rate, Unit: "msg/s", Target: "-", OK: true,
		Note: fmt.Sprintf("same load, mochi with a counting hook, no pipeline (%d received)", h.n.Load())}, nil
}

type countHook struct {
	mochi.HookBase
	n atomic.Int64
}

func (h *countHook) ID() string { return "count" }
func (h *countHook) Provides(b byte) bool {
	return b == mochi.OnConnectAuthenticate || b == mochi.OnACLCheck || b == mochi.OnPublish
}
func (h *countHook) OnConnectAuthenticate(*mochi.Client, packets.Packet) bool { return true }
func (h *countHook) OnACLCheck(*mochi.Client, string, bool) bool              { return true }
func (h *countHook) OnPublish(cl *mochi.Client, pk packets.Packet) (packets.Packet, error) {
	h.n.Add(1)
	return pk, packets.CodeSuccessIgnore
}

// benchLatency measures ingest_p99_ms_at_5k and ingest_p99_ms_at_10k: QoS 0
// messages paced at 5,000 and 10,000 msg/s, timed from publish to the
// SensorChange event (the message applied to the graph and committed).
func benchLatency(cfg Config) ([]Row, error) {
	var rows []Row
	for _, c := range []struct {
		name   string
		rate   int
		target float64
		tgt    string
	}{{"ingest_p99_ms_at_5k", 5000, 20, "< 20"}, {"ingest_p99_ms_at_10k", 10000, 10, "<= 10"}} {
		p99, p50, samples, n, err := latencyRun(cfg, c.rate, false)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name, err)
		}
		ok := p99 < c.target
		if c.rate == 10000 {
			ok = p99 <= c.target
		}
		rows = append(rows, Row{Name: c.name, Value: p99, Unit: "ms", Target: c.tgt, OK: ok,
			Note: fmt.Sprintf("QoS 0 paced at %d msg/s for %ds with the UDF, publish → SensorChange event (after the commit); p50 %.2f ms, %d/%d samples",
				c.rate, cfg.LatencySeconds, p50, samples, n)})
	}
	return rows, nil
}

// benchEditLatency is ingest_p99_ms_during_edits: ingest_p99_ms_at_5k's
// load while the studio renames the room (an Editor.Do, as the studio's
// inspector does) every 100 ms, compared with the same load without edits
// measured in the same run.
func benchEditLatency(cfg Config) ([]Row, error) {
	base, _, _, _, err := latencyRun(cfg, 5000, false)
	if err != nil {
		return nil, err
	}
	p99, p50, samples, n, err := latencyRun(cfg, 5000, true)
	if err != nil {
		return nil, err
	}
	ratio := p99 / base
	return []Row{{Name: "ingest_p99_ms_during_edits", Value: p99, Unit: "ms", Target: "<= 2x at_5k", OK: ratio <= 2,
		Note: fmt.Sprintf("as ingest_p99_ms_at_5k with a studio edit (rename) every 100 ms; p50 %.2f ms, %d/%d samples; "+
			"without edits in this run: p99 %.2f ms; ratio %.2fx", p50, samples, n, base, ratio)}}, nil
}

// latencyRun paces QoS 0 messages at rate/s for cfg.LatencySeconds and
// returns the p99 and p50 publish → SensorChange latency in ms, the
// samples and the messages sent. With edits, an Editor renames the room
// every 100 ms meanwhile.
func latencyRun(cfg Config, rate int, edits bool) (p99, p50 float64, samples, n int, err error) {
	a, creds, err := ingestProject(cfg.Dir, ingestDevices, true)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer a.Close()
	clients, err := connectAll(a.Broker().Addr(), creds)
	if err != nil {
		return 0, 0, 0, 0, err
	}
	defer disconnectAll(clients)
	n = cfg.LatencySeconds * rate
	sent := make([]int64, n)
	lat := make([]float64, 0, n)
	var mu sync.Mutex
	sub := a.Engine().Events().SubscribeTypes(1<<16, engine.MaskOf(engine.EventSensorChange), nil)
	defer sub.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range sub.C {
			d := ev.Data.(*engine.ChangeData)
			seq, err := strconv.Atoi(d.Value)
			if err != nil || seq < 0 || seq >= n {
				continue
			}
			mu.Lock()
			if t := atomic.LoadInt64(&sent[seq]); t != 0 {
				lat = append(lat, float64(time.Now().UnixNano()-t)/1e6)
			}
			n2 := len(lat)
			mu.Unlock()
			if n2 >= n {
				return
			}
		}
	}()
	var editErr atomic.Value
	stopEdits := make(chan struct{})
	editsDone := make(chan struct{})
	if edits {
		go func() {
			defer close(editsDone)
			editRoom(a.Engine(), stopEdits, &editErr)
		}()
	} else {
		close(editsDone)
	}
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	start := time.Now()
	seq := 0
	for seq < n {
		<-tick.C
		due := int(time.Since(start).Seconds()*float64(rate)) + 1
		for ; seq < due && seq < n; seq++ {
			k := seq % len(clients)
			atomic.StoreInt64(&sent[seq], time.Now().UnixNano())
			clients[k].Publish(creds[k].topic, 0, false, strconv.Itoa(seq))
		}
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
	}
	close(stopEdits)
	<-editsDone
	if e := editErr.Load(); e != nil {
		return 0, 0, 0, 0, e.(error)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(lat) == 0 {
		return 0, 0, 0, 0, fmt.Errorf("no latency samples")
	}
	sort.Float64s(lat)
	return lat[len(lat)*99/100], lat[len(lat)/2], len(lat), n, nil
}

// editRoom renames the room through an Editor every 100 ms, as the
// studio's inspector does, until stop is closed.
func editRoom(e *engine.Engine, stop <-chan struct{}, errOut *atomic.Value) {
	ed := engine.NewEditor(e, 0)
	var room engine.ID
	e.View(func(v *engine.View) error {
		room, _ = v.ResolveSpace("/Bench Building/Room")
		return nil
	})
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		name := fmt.Sprintf("Room %d", i)
		err := ed.Do("Rename "+name, func(tx *engine.Tx) error {
			s, ok := tx.Space(room)
			if !ok {
				return fmt.Errorf("no room %s", room)
			}
			c := *s
			c.Name = name
			return tx.UpdateSpace(&c)
		})
		if err != nil {
			errOut.CompareAndSwap(nil, fmt.Errorf("ingest_p99_ms_during_edits: edit: %w", err))
			return
		}
	}
}
