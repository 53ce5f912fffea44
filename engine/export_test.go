package engine

// RecordForTest makes tx record its changes, as an Editor's transactions
// do.
func (tx *Tx) RecordForTest() { tx.record() }

// TopologyEventsForTest is tx.topologyEvents of the transaction's changes.
func (tx *Tx) TopologyEventsForTest() []*Event { return tx.topologyEvents(tx.changes()) }
