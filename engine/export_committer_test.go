package engine

// SetCommitBoundsForTest sets the most ops and bytes one Store.Apply takes
// (see committer) and returns a func that restores them.
func SetCommitBoundsForTest(e *Engine, ops, bytes int) func() {
	c := e.com
	c.mu.Lock()
	defer c.mu.Unlock()
	o, b := c.maxOps, c.maxBytes
	c.maxOps, c.maxBytes = ops, bytes
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.maxOps, c.maxBytes = o, b
	}
}

// OpsBytesForTest is what the committer counts ops as weighing.
func OpsBytesForTest(ops []Op) int { return opsBytes(ops) }
