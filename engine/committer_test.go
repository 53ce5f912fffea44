package engine_test

import (
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// batchStore is the project's real bbolt store on a slower disk (each
// Apply takes delay longer), recording the size of every batch.
type batchStore struct {
	engine.Store
	delay time.Duration
	mu    sync.Mutex
	ops   []int // ops of each Apply, in order
	bytes []int // engine.OpsBytesForTest of each Apply
}

func (s *batchStore) Apply(ops []engine.Op) error {
	s.mu.Lock()
	s.ops = append(s.ops, len(ops))
	s.bytes = append(s.bytes, engine.OpsBytesForTest(ops))
	s.mu.Unlock()
	time.Sleep(s.delay)
	return s.Store.Apply(ops)
}

func (s *batchStore) batches() (ops, bytes []int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]int(nil), s.ops...), append([]int(nil), s.bytes...)
}

// TestCommitBatchesGrowWithLoad: a message alone is committed in a batch
// of its own, at once; a flood of messages from two devices is committed
// in batches that take everything waiting, up to the bound on ops or on
// bytes, whichever is reached first; CommitStats counts the writes,
// batches, largest batch and time in the store.
func TestCommitBatchesGrowWithLoad(t *testing.T) {
	for _, tc := range []struct {
		name       string
		ops, bytes int
	}{{"op bound", 40, 1 << 30}, {"byte bound", 1 << 20, 2000}} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "batch.twin")
			p := testkit.Open(t, path, testkit.Options{})
			if _, err := p.ProvisionYAML(t, testkit.Ingress.YAML, nil); err != nil {
				t.Fatal(err)
			}
			must(t, p.Close())
			bs, err := bbolt.Open(path, bbolt.Options{})
			must(t, err)
			st := &batchStore{Store: bs, delay: 5 * time.Millisecond}
			e, err := engine.New(st, engine.Options{})
			must(t, err)
			defer e.Close()
			defer engine.SetCommitBoundsForTest(e, tc.ops, tc.bytes)()
			pl := e.NewPipeline(engine.PipelineOptions{Queue: 4096})
			defer pl.Close()
			msg := func(dev, sensor, v string) *engine.IngressMessage {
				return &engine.IngressMessage{Topic: engine.SensorTopic(dev, sensor), Payload: []byte(v), QoS: 1, Username: dev, Received: time.Now()}
			}

			// Light load: one message, one batch of its own.
			before := e.CommitStats()
			t0 := time.Now()
			tk, err := pl.Submit(msg(testkit.QuickstartDevice, testkit.QuickstartCO2, "1"))
			must(t, err)
			must(t, tk.Wait())
			alone := time.Since(t0)
			ops, _ := st.batches()
			if len(ops) != 1 || ops[0] != 1 {
				t.Fatalf("a lone message: batches of %v ops; want one of 1", ops)
			}

			// Load: 1,000 messages from each device at once.
			const n = 1000
			var tickets []*engine.Ticket
			for i := range n {
				for _, m := range []*engine.IngressMessage{msg(testkit.QuickstartDevice, testkit.QuickstartCO2, "2"),
					msg(testkit.IngressOtherDevice, testkit.IngressOtherSensor, "3")} {
					m.Payload = append(m.Payload, byte('0'+i%10))
					tk, err := pl.Submit(m)
					must(t, err)
					tickets = append(tickets, tk)
				}
			}
			for _, tk := range tickets {
				must(t, tk.Wait())
			}
			ops, bytes := st.batches()
			most, total := 0, 0
			for i := range ops {
				most, total = max(most, ops[i]), total+ops[i]
				if ops[i] > tc.ops || bytes[i] > tc.bytes && ops[i] > 1 {
					t.Errorf("batch %d: %d ops, %d bytes; bound %d ops, %d bytes", i, ops[i], bytes[i], tc.ops, tc.bytes)
				}
			}
			cs := e.CommitStats()
			writes, batches := cs.Writes-before.Writes, cs.Batches-before.Batches
			t.Logf("a lone message committed in %v; %d messages in %d batches (largest %d ops, largest by stats %d writes), %v in the store",
				alone.Round(time.Microsecond), 2*n, len(ops)-1, most, cs.MaxBatchWrites, cs.CommitTime.Round(time.Millisecond))
			if writes != 2*n+1 || batches != uint64(len(ops)) || cs.Ops-before.Ops != uint64(total) || cs.MaxBatchOps != most {
				t.Errorf("CommitStats %+v after %+v; want %d writes in %d batches of %d ops, largest %d", cs, before, 2*n+1, len(ops), total, most)
			}
			if cs.CommitTime < time.Duration(batches)*st.delay || cs.MaxCommitTime < st.delay {
				t.Errorf("commit time %v (longest %v) for %d batches of at least %v", cs.CommitTime, cs.MaxCommitTime, batches, st.delay)
			}
			// Under load the batches fill up to the bound: far fewer
			// commits than messages.
			if len(ops) > 2*n/4 {
				t.Errorf("%d batches for %d messages: the commits do not group what is waiting", len(ops), 2*n)
			}
		})
	}
}
