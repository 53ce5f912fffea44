package mqtt_test

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/mqtt"
	"github.com/twinstudio/twinstudio/internal/testkit"
)

// soakEnv names the full soak: TWIN_MQTT_SOAK=CONNS,IDLE,ROUNDS, e.g.
// "5000,10m,4" (5,000 connections held idle for 10 minutes, four rounds of
// connecting and closing). Unset, TestSoakIdleConnections runs a short
// version; -short skips it.
const soakEnv = "TWIN_MQTT_SOAK"

// Bounds of the soak (see TestSoakIdleConnections).
const (
	// soakPerConnMax is the most heap one idle device connection may hold
	// (mochi's client, its buffers and goroutines' stacks are counted
	// apart, as are our session records). mochi's defaults hold 64 KiB of
	// outbound queue alone per client.
	soakPerConnMax = 24 << 10
	// soakIdleGrowthMax is the most the live heap may grow over the idle
	// period, beyond soakIdleGrowthRel of what the connections hold.
	soakIdleGrowthMax = 2 << 20
	soakIdleGrowthRel = 0.02
	// soakRSSGrowthMax and soakRSSGrowthPerConn bound how much the RSS
	// may grow over the idle period under the garbage collector's own
	// pacing: mochi copies its client table twice a second (about 200
	// bytes per client a second of garbage), and the collector lets
	// garbage grow as large as the live heap before it runs.
	soakRSSGrowthMax     = 16 << 20
	soakRSSGrowthPerConn = 16 << 10
	// soakReturnedMax and soakReturnedPerConn bound how far above the heap
	// before the first round the heap may stay once every connection is
	// closed (Go maps keep their size).
	soakReturnedMax     = 2 << 20
	soakReturnedPerConn = 1 << 10
)

type soakParams struct {
	conns  int
	idle   time.Duration
	rounds int
	sample time.Duration
}

func soakParamsFromEnv(t *testing.T) soakParams {
	p := soakParams{conns: 1000, idle: 8 * time.Second, rounds: 2, sample: 2 * time.Second}
	v := os.Getenv(soakEnv)
	if v == "" {
		return p
	}
	f := strings.Split(v, ",")
	if len(f) != 3 {
		t.Fatalf("%s=%q: want CONNS,IDLE,ROUNDS such as 5000,10m,4", soakEnv, v)
	}
	var err error
	if p.conns, err = strconv.Atoi(f[0]); err != nil || p.conns < 1 || p.conns > 8000 {
		t.Fatalf("%s: connections %q: want 1 to 8000", soakEnv, f[0])
	}
	if p.idle, err = time.ParseDuration(f[1]); err != nil || p.idle <= 0 {
		t.Fatalf("%s: idle %q: want a duration such as 10m", soakEnv, f[1])
	}
	if p.rounds, err = strconv.Atoi(f[2]); err != nil || p.rounds < 1 || p.rounds > 100 {
		t.Fatalf("%s: rounds %q: want 1 to 100", soakEnv, f[2])
	}
	p.sample = max(p.idle/20, 2*time.Second)
	return p
}

// memSample is the heap (live after a collection, or as it stands), the
// process's RSS and what was allocated in all.
type memSample struct {
	heap, stacks, rss, total uint64
	goroutines               int
}

func (m memSample) String() string {
	return fmt.Sprintf("heap %.1f MB, stacks %.1f MB, RSS %.1f MB, %d goroutines", mb(m.heap), mb(m.stacks), mb(m.rss), m.goroutines)
}

func mb(n uint64) float64 { return float64(n) / (1 << 20) }

// measure collects garbage and samples.
func measure() memSample {
	runtime.GC()
	runtime.GC()
	return sample()
}

// sample samples without collecting: the heap as the program's garbage
// collector pacing leaves it, as a server runs.
func sample() memSample {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSample{heap: ms.HeapAlloc, stacks: ms.StackInuse, rss: rss(), total: ms.TotalAlloc, goroutines: runtime.NumGoroutine()}
}

// rss is the resident set size from /proc/self/status (0 where there is
// none).
func rss() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n << 10
		}
	}
	return 0
}

// soakProject provisions n devices (100 to a room) and returns their
// hardware ids and keys.
func soakProject(t *testing.T, n int) (*testkit.Project, []string, []string) {
	t.Helper()
	var y strings.Builder
	y.WriteString("- name: Soak Building\n  type: Venue\n  spaces:\n")
	for i := 0; i < n; i++ {
		if i%100 == 0 {
			fmt.Fprintf(&y, "  - name: Room %d\n    type: Room\n    devices:\n", i/100)
		}
		fmt.Fprintf(&y, "    - name: Device %d\n      hardwareId: SOAK%05d\n", i, i)
	}
	p := testkit.Open(t, "", testkit.Options{})
	if _, err := p.ProvisionYAML(t, y.String(), nil); err != nil {
		t.Fatal(err)
	}
	hws, keys := make([]string, n), make([]string, n)
	p.Engine().View(func(v *engine.View) error {
		for i := range hws {
			hws[i] = fmt.Sprintf("SOAK%05d", i)
			d, ok := v.DeviceByHardwareID(hws[i])
			if !ok {
				t.Fatalf("device %s not provisioned", hws[i])
			}
			keys[i] = d.Key
		}
		return nil
	})
	return p, hws, keys
}

// waitFor polls cond every 20 ms until it holds or d passes.
func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
	return true
}

// TestSoakIdleConnections holds many idle device connections (raw MQTT
// 3.1.1 over loopback, half with clean sessions and half without, pinging
// at their keep-alive) for a while, closes them, and does that for several
// rounds. The live heap per connection is bounded; while the connections
// are idle the live heap stays flat and the RSS, under the garbage
// collector's own pacing, grows by no more than a bound; once they are
// closed the heap and the goroutines are returned and the broker holds no
// session, round after round. The short version (1,000 connections, two
// rounds of 8 s) runs by default; TWIN_MQTT_SOAK runs the full one; -short
// skips it.
func TestSoakIdleConnections(t *testing.T) {
	if testing.Short() {
		t.Skip("soak: skipped with -short")
	}
	sp := soakParamsFromEnv(t)
	p, hws, keys := soakProject(t, sp.conns)
	b := p.StartBroker(t, mqtt.Options{})
	addr := b.Addr()

	base := measure()
	t.Logf("before: %v", base)
	for round := 1; round <= sp.rounds; round++ {
		conns := make([]net.Conn, sp.conns)
		closeAll := func() {
			for _, c := range conns {
				if c != nil {
					c.Close()
				}
			}
		}
		var wg sync.WaitGroup
		errs := make(chan error, sp.conns)
		next := make(chan int)
		for w := 0; w < 32; w++ { // bounded: 32 dialers
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					c, code, err := rawConnect(addr, hws[i], hws[i], keys[i], 60, i%2 == 0)
					if err == nil && code != 0 {
						err = fmt.Errorf("CONNACK return code %d", code)
					}
					if err != nil {
						errs <- fmt.Errorf("device %s: %w", hws[i], err)
						continue
					}
					conns[i] = c
				}
			}()
		}
		start := time.Now()
		for i := range conns {
			next <- i
		}
		close(next)
		wg.Wait()
		close(errs)
		if err := <-errs; err != nil {
			closeAll()
			t.Fatal(err)
		}
		if !waitFor(30*time.Second, func() bool { return b.Connected() == sp.conns }) {
			closeAll()
			t.Fatalf("round %d: %d connected; want %d", round, b.Connected(), sp.conns)
		}
		connected := measure()
		held := float64(connected.heap) - float64(base.heap)
		t.Logf("round %d: %d connected in %v: %v (%.1f KB heap per connection)",
			round, sp.conns, time.Since(start).Round(time.Millisecond), connected, held/float64(sp.conns)/1024)
		if held/float64(sp.conns) > soakPerConnMax {
			closeAll()
			t.Fatalf("round %d: %.1f KB of heap per idle connection; want at most %d KB", round, held/float64(sp.conns)/1024, soakPerConnMax>>10)
		}

		// Idle: sample without collecting, as a server runs; ping every
		// 20 s (keep-alive 60 s).
		idleStart, lastPing := time.Now(), time.Now()
		first, last := sample(), sample()
		peakRSS := first.rss
		for time.Since(idleStart) < sp.idle {
			time.Sleep(min(sp.sample, sp.idle-time.Since(idleStart)))
			if time.Since(lastPing) >= 20*time.Second {
				for _, c := range conns {
					_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
					if _, err := c.Write(pingreq); err != nil {
						closeAll()
						t.Fatalf("round %d: ping: %v", round, err)
					}
				}
				lastPing = time.Now()
			}
			prev := last
			last = sample()
			peakRSS = max(peakRSS, last.rss)
			t.Logf("round %d: idle %v: %v, %.2f MB/s allocated", round, time.Since(idleStart).Round(time.Second), last,
				mb(last.total-prev.total)/sp.sample.Seconds())
		}
		if n := b.Connected(); n != sp.conns {
			closeAll()
			t.Fatalf("round %d: %d still connected after the idle period; want %d", round, n, sp.conns)
		}
		live := measure()
		t.Logf("round %d: after %v idle: %v; RSS peak %.1f MB", round, sp.idle, live, mb(peakRSS))
		bound := soakIdleGrowthMax + soakIdleGrowthRel*held
		if grew := float64(live.heap) - float64(connected.heap); grew > bound {
			closeAll()
			t.Fatalf("round %d: the live heap grew %.1f MB over %v idle (%v → %v); want at most %.1f MB",
				round, grew/(1<<20), sp.idle, connected, live, bound/(1<<20))
		}
		rssBound := float64(soakRSSGrowthMax + soakRSSGrowthPerConn*sp.conns)
		if grew := float64(peakRSS) - float64(first.rss); grew > rssBound {
			closeAll()
			t.Fatalf("round %d: the RSS grew %.1f MB over %v idle (%.1f → %.1f MB); want at most %.1f MB",
				round, grew/(1<<20), sp.idle, mb(first.rss), mb(peakRSS), rssBound/(1<<20))
		}

		closeAll()
		if !waitFor(30*time.Second, func() bool { return b.Connected() == 0 }) {
			t.Fatalf("round %d: %d still connected after closing", round, b.Connected())
		}
		// mochi's client goroutines end just after the count drops, and
		// it forgets sessions without a clean start a second or two later.
		returned := uint64(soakReturnedMax + soakReturnedPerConn*sp.conns)
		var after memSample
		waitFor(15*time.Second, func() bool {
			after = measure()
			return after.heap <= base.heap+returned && after.goroutines <= base.goroutines+5 &&
				mqtt.Sessions(b) == 0 && mqtt.Clients(b) == 0
		})
		debug.FreeOSMemory()
		after = measure()
		t.Logf("round %d: closed: %v", round, after)
		if after.heap > base.heap+returned {
			t.Fatalf("round %d: %.1f MB of heap not returned after every connection closed (%v → %v); want at most %.1f MB",
				round, mb(after.heap-base.heap), base, after, mb(returned))
		}
		if after.goroutines > base.goroutines+5 {
			t.Fatalf("round %d: %d goroutines after closing; %d before", round, after.goroutines, base.goroutines)
		}
		if n := mqtt.Sessions(b); n != 0 {
			t.Fatalf("round %d: the broker holds %d sessions after every connection closed", round, n)
		}
		if n := mqtt.Clients(b); n != 0 {
			t.Fatalf("round %d: mochi keeps %d clients after every connection closed", round, n)
		}
	}
}
