package goja

import "testing"

// BenchmarkReadHeap measures one sample of the memory governor: the
// sampler takes one per SampleInterval while executions are in flight.
func BenchmarkReadHeap(b *testing.B) {
	buf := newHeapBuf()
	for b.Loop() {
		readHeap(buf)
	}
}

// BenchmarkBeginEnd measures what the governor adds to each execution:
// registering it and unregistering it, the sampler running.
func BenchmarkBeginEnd(b *testing.B) {
	r := New(Options{})
	m := r.newVM()
	defer close(m.jobs)
	keep := gov.begin(r, m, DefaultMemoryLimit) // keeps the sampler running
	defer gov.end(keep)
	for b.Loop() {
		gov.end(gov.begin(r, m, DefaultMemoryLimit))
	}
}
