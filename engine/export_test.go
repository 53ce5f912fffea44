package engine

// RecordForTest makes tx record its changes, as an Editor's transactions
// do.
func (tx *Tx) RecordForTest() { tx.record() }

// TopologyEventsForTest is tx.topologyEvents.
func (tx *Tx) TopologyEventsForTest() []*Event { return tx.topologyEvents() }
