package engine

import (
	"sync"
	"time"
)

// Commit is the durability of one write. Wait blocks until the write is
// committed to the Store (or failed) and returns the Store's error.
type Commit struct {
	done chan struct{}
	err  error
}

// Wait blocks until the commit finished and returns its error. It may be
// called from any goroutine, any number of times.
func (c *Commit) Wait() error {
	if c == nil {
		return nil
	}
	<-c.done
	return c.err
}

// Done is closed when the commit finished.
func (c *Commit) Done() <-chan struct{} { return c.done }

// CommitStats counts the committer's work. Safe to read at any time via
// Engine.CommitStats. Writes/Batches is the mean number of writes (a
// message's or an edit's ops) one Store.Apply, and so one fsync, covered.
type CommitStats struct {
	Batches    uint64 // Store.Apply calls
	Writes     uint64 // writes committed (each a submit: a message, an edit)
	Ops        uint64 // ops applied
	Failures   uint64 // failed Apply calls
	QueueDepth int    // writes waiting
	LastErr    string
	// MaxBatchWrites and MaxBatchOps are the largest batch so far.
	MaxBatchWrites, MaxBatchOps int
	// CommitTime is the time spent in Store.Apply, all batches together;
	// MaxCommitTime the longest one.
	CommitTime, MaxCommitTime time.Duration
}

// committer is the single writer to the Store. Writes submitted while a
// commit runs are grouped into the next one (group commit), so many
// concurrent writers share one fsync: a batch takes everything waiting
// when the previous commit ends, up to maxOps ops and maxBytes bytes
// (at least one write). It never waits for more to arrive, so a lone
// write at light load is committed at once, and under load the batches
// grow with the queue.
type committer struct {
	store    Store
	mu       sync.Mutex
	cond     *sync.Cond
	queue    []pending
	stop     bool
	stats    CommitStats
	maxOps   int
	maxBytes int
	wg       sync.WaitGroup

	queuedOps int        // ops waiting in queue
	room      *sync.Cond // signalled when queuedOps drops

	// applying is held for writing while a batch is applied and its
	// inflight ops cleared, and for reading by pendingValues' callers
	// while they read the store: they see each batch either in the store
	// or in inflight, never in both or neither.
	applying sync.RWMutex
	inflight []Op // the batch taken from queue and not yet applied; guarded by mu
}

// maxQueuedOps bounds the ops waiting for the store: past it, the pipeline
// waits (and so drops QoS 0 and slows QoS 1) instead of letting latency and
// memory grow without bound.
const maxQueuedOps = 200_000

// waitRoom blocks while the queue holds more than maxQueuedOps ops. Callers
// must not hold the engine lock.
func (c *committer) waitRoom() {
	c.mu.Lock()
	for c.queuedOps > maxQueuedOps && !c.stop {
		c.room.Wait()
	}
	c.mu.Unlock()
}

type pending struct {
	ops   []Op
	bytes int // opsBytes(ops)
	c     *Commit
}

// Batch bounds: one Store.Apply takes at most batchMaxOps ops and
// batchMaxBytes bytes (as opsBytes counts them), unless a single write is
// larger.
const (
	batchMaxOps   = 20000
	batchMaxBytes = 16 << 20
)

// opsBytes approximates what ops weigh in a transaction: a value op its
// name and value plus a fixed overhead for keys and times, any other op a
// fixed 1 KiB (objects are small; scripts are the exception).
func opsBytes(ops []Op) int {
	n := 0
	for i := range ops {
		if ops[i].Type == OpValue {
			n += 64 + len(ops[i].Name) + len(ops[i].Value.Value)
		} else {
			n += 1 << 10
		}
	}
	return n
}

func newCommitter(s Store) *committer {
	c := &committer{store: s, maxOps: batchMaxOps, maxBytes: batchMaxBytes}
	c.cond = sync.NewCond(&c.mu)
	c.room = sync.NewCond(&c.mu)
	c.wg.Add(1)
	go c.loop()
	return c
}

// submit queues ops for the next commit. It never blocks on I/O.
func (c *committer) submit(ops []Op) *Commit {
	cm := &Commit{done: make(chan struct{})}
	size := opsBytes(ops)
	c.mu.Lock()
	if c.stop {
		c.mu.Unlock()
		cm.err = ErrClosed
		close(cm.done)
		return cm
	}
	c.queue = append(c.queue, pending{ops, size, cm})
	c.queuedOps += len(ops)
	c.stats.QueueDepth = len(c.queue)
	c.mu.Unlock()
	c.cond.Signal()
	return cm
}

func (c *committer) loop() {
	defer c.wg.Done()
	var ops []Op
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.stop {
			c.cond.Wait()
		}
		if len(c.queue) == 0 && c.stop {
			c.mu.Unlock()
			return
		}
		// Take as many pending writes as fit in one batch (at least one).
		n, total, bytes := 0, 0, 0
		for n < len(c.queue) && (n == 0 || total+len(c.queue[n].ops) <= c.maxOps && bytes+c.queue[n].bytes <= c.maxBytes) {
			total += len(c.queue[n].ops)
			bytes += c.queue[n].bytes
			n++
		}
		batch := make([]pending, n)
		copy(batch, c.queue[:n])
		c.queue = append(c.queue[:0], c.queue[n:]...)
		c.queuedOps -= total
		c.stats.QueueDepth = len(c.queue)
		ops = ops[:0]
		for _, p := range batch {
			ops = append(ops, p.ops...)
		}
		c.inflight = ops
		c.mu.Unlock()
		c.room.Broadcast()

		c.applying.Lock()
		t0 := time.Now()
		err := c.store.Apply(ops)
		took := time.Since(t0)
		c.mu.Lock()
		c.inflight = nil
		c.stats.Batches++
		c.stats.Writes += uint64(n)
		c.stats.Ops += uint64(len(ops))
		c.stats.MaxBatchWrites = max(c.stats.MaxBatchWrites, n)
		c.stats.MaxBatchOps = max(c.stats.MaxBatchOps, len(ops))
		c.stats.CommitTime += took
		c.stats.MaxCommitTime = max(c.stats.MaxCommitTime, took)
		if err != nil {
			c.stats.Failures++
			c.stats.LastErr = err.Error()
		}
		c.mu.Unlock()
		c.applying.Unlock()
		for _, p := range batch {
			p.c.err = err
			close(p.c.done)
		}
		clear(ops)
	}
}

// close commits what is queued and stops the loop.
func (c *committer) close() {
	c.mu.Lock()
	c.stop = true
	c.mu.Unlock()
	c.cond.Broadcast()
	c.room.Broadcast()
	c.wg.Wait()
}

// pendingValues returns the values of owner's value name that were
// submitted but not yet applied to the store, in submission order, with
// from <= Time <= to (zero: open), times in UTC as the store returns
// them. The caller must hold applying for
// reading across this call and its read of the store.
func (c *committer) pendingValues(owner ID, name string, from, to time.Time) []Value {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []Value
	add := func(ops []Op) {
		for i := range ops {
			op := &ops[i]
			if op.Type == OpValue && op.Key == owner && op.Name == name && inRange(op.Value.Time, from, to) {
				out = append(out, Value{Value: op.Value.Value, Time: op.Value.Time.UTC()})
			}
		}
	}
	add(c.inflight)
	for _, p := range c.queue {
		add(p.ops)
	}
	return out
}

// inRange reports whether from <= t <= to, a zero from or to being open.
func inRange(t, from, to time.Time) bool {
	return (from.IsZero() || !t.Before(from)) && (to.IsZero() || !t.After(to))
}

func (c *committer) snapshot() CommitStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stats
}

// SyncCommit waits until everything submitted before the call is
// committed, and returns the error of that last commit.
func (e *Engine) SyncCommit() error {
	return e.com.submit(nil).Wait()
}
