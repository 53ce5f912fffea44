package mqtt

// Sessions is the number of connections the broker holds a principal for,
// established or not (for the tests' leak checks).
func Sessions(b *Broker) int {
	b.pmu.RLock()
	defer b.pmu.RUnlock()
	return len(b.prin)
}

// Sweep forgets the sessions of connections that closed before they were
// established, as the broker does every sweepEvery.
func Sweep(b *Broker) { b.sweepOnce() }

// Clients is the number of clients mochi holds, connected or kept
// sessions, not counting its inline client.
func Clients(b *Broker) int { return b.srv.Clients.Len() - 1 }

// Unsettled is the number of QoS 1 messages the broker's connections hold
// in their acknowledgement windows (accepted and not yet acknowledged,
// refused or given up).
func Unsettled(b *Broker) int {
	b.pmu.RLock()
	defer b.pmu.RUnlock()
	n := 0
	for _, s := range b.prin {
		if a := s.acks.Load(); a != nil {
			n += len(a.slots)
		}
	}
	return n
}

// AckWindow is the most QoS 1 messages one connection holds unsettled.
const AckWindow = ackWindow
