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
