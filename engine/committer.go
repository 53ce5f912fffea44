package engine

import "sync"

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
// Engine.CommitStats.
type CommitStats struct {
	Batches    uint64 // Store.Apply calls
	Ops        uint64 // ops applied
	Failures   uint64 // failed Apply calls
	QueueDepth int    // writes waiting
	LastErr    string
}

// committer is the single writer to the Store. Writes submitted while a
// commit runs are grouped into the next one (group commit), so many
// concurrent writers share one fsync.
type committer struct {
	store  Store
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []pending
	stop   bool
	stats  CommitStats
	maxOps int
	wg     sync.WaitGroup

	queuedOps int        // ops waiting in queue
	room      *sync.Cond // signalled when queuedOps drops
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
	ops []Op
	c   *Commit
}

func newCommitter(s Store) *committer {
	c := &committer{store: s, maxOps: 20000}
	c.cond = sync.NewCond(&c.mu)
	c.room = sync.NewCond(&c.mu)
	c.wg.Add(1)
	go c.loop()
	return c
}

// submit queues ops for the next commit. It never blocks on I/O.
func (c *committer) submit(ops []Op) *Commit {
	cm := &Commit{done: make(chan struct{})}
	c.mu.Lock()
	if c.stop {
		c.mu.Unlock()
		cm.err = ErrClosed
		close(cm.done)
		return cm
	}
	c.queue = append(c.queue, pending{ops, cm})
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
		n, total := 0, 0
		for n < len(c.queue) && (n == 0 || total+len(c.queue[n].ops) <= c.maxOps) {
			total += len(c.queue[n].ops)
			n++
		}
		batch := make([]pending, n)
		copy(batch, c.queue[:n])
		c.queue = append(c.queue[:0], c.queue[n:]...)
		c.queuedOps -= total
		c.stats.QueueDepth = len(c.queue)
		c.mu.Unlock()
		c.room.Broadcast()

		ops = ops[:0]
		for _, p := range batch {
			ops = append(ops, p.ops...)
		}
		err := c.store.Apply(ops)
		c.mu.Lock()
		c.stats.Batches++
		c.stats.Ops += uint64(len(ops))
		if err != nil {
			c.stats.Failures++
			c.stats.LastErr = err.Error()
		}
		c.mu.Unlock()
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
