package bench

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// losslessGrace is how soon after the last publish of a step every message
// must have been counted (broker) or processed and committed (pipeline) for
// the step to pass: a backlog left at the end of a step means a longer run
// at that rate would overflow the queues and drop messages.
const losslessGrace = 200 * time.Millisecond

// step is one paced run of a lossless search: rate offered, what the
// clients achieved, and whether nothing was lost.
type step struct {
	offered, achieved float64
	sent              int
	pass              bool
	why               string // why it failed
}

// losslessSearch finds the highest rate at which run passes: it starts at
// start msg/s and doubles while steps pass, then bisects between the last
// passing and the first failing rate until they are within 10 % or the
// budget is spent. It returns the best passing step (zero if none) and the
// steps run.
func losslessSearch(start float64, budget time.Duration, run func(rate float64) (step, error)) (step, []step, error) {
	var best step
	var steps []step
	t0 := time.Now()
	good, bad := 0.0, 0.0
	for rate := start; rate <= 4e6 && time.Since(t0) < budget; rate *= 2 {
		s, err := run(rate)
		if err != nil {
			return best, steps, err
		}
		steps = append(steps, s)
		if !s.pass {
			bad = rate
			break
		}
		good, best = rate, s
	}
	for bad > 0 && bad-good > bad/10 && time.Since(t0) < budget {
		mid := (good + bad) / 2
		s, err := run(mid)
		if err != nil {
			return best, steps, err
		}
		steps = append(steps, s)
		if s.pass {
			good, best = mid, s
		} else {
			bad = mid
		}
	}
	return best, steps, nil
}

// losslessConfig is the length of each step and the budget of one search.
func losslessConfig(cfg Config) (stepSecs float64, budget time.Duration, start float64) {
	if cfg.LosslessSeconds < 10 {
		// Test sizes: short steps, a low start.
		return 0.2, time.Duration(cfg.LosslessSeconds) * time.Second, 1000
	}
	return 1, time.Duration(cfg.LosslessSeconds) * time.Second, 2000
}

// paced publishes about rate × secs QoS 0 messages from the clients (each
// client its share, paced by a 1 ms tick) and returns how many it sent and
// the rate achieved (messages / time until the last was handed to its
// client).
func paced(clients []paho.Client, creds []devCred, rate, secs float64) (int, float64) {
	per := int(rate * secs / float64(len(clients)))
	if per < 1 {
		per = 1
	}
	perRate := rate / float64(len(clients))
	var wg sync.WaitGroup
	start := time.Now()
	for i, cl := range clients {
		wg.Add(1)
		go func(cl paho.Client, c devCred) {
			defer wg.Done()
			tick := time.NewTicker(time.Millisecond)
			defer tick.Stop()
			k := 0
			for k < per {
				due := int(time.Since(start).Seconds()*perRate) + 1
				for ; k < due && k < per; k++ {
					cl.Publish(c.topic, 0, false, strconv.Itoa(k%1000))
				}
				if k < per {
					<-tick.C
				}
			}
		}(cl, creds[i])
	}
	wg.Wait()
	n := per * len(clients)
	return n, float64(n) / since(start)
}

// judge settles a step: the clients must have kept (90 % of) the pace,
// and every message must be counted, and the counter idle, within
// losslessGrace of the last publish with none dropped. counted reports the
// messages counted and dropped so far in this step, and whether work is
// still pending behind them (the pipeline's commits).
func judge(rate float64, sent int, achieved float64, counted func() (n, dropped int, pending bool)) step {
	s := step{offered: rate, achieved: achieved, sent: sent}
	deadline := time.Now().Add(losslessGrace)
	for {
		n, dropped, pending := counted()
		switch {
		case dropped > 0:
			s.why = fmt.Sprintf("%d of %d dropped", dropped, sent)
			return s
		case n >= sent && !pending:
			if achieved < 0.9*rate {
				s.why = fmt.Sprintf("clients reached only %.0f msg/s", achieved)
				return s
			}
			s.pass = true
			return s
		case time.Now().After(deadline):
			s.why = fmt.Sprintf("%d of %d still queued %v after the last publish", sent-n, sent, losslessGrace)
			if n >= sent {
				s.why = fmt.Sprintf("commits still queued %v after the last publish", losslessGrace)
			}
			return s
		}
		time.Sleep(time.Millisecond)
	}
}

// settle waits until cur stops moving for 200 ms or reaches want.
func settle(cur func() int, want int) {
	last, since := -1, time.Now()
	for {
		n := cur()
		if n >= want || time.Since(since) > 200*time.Millisecond {
			return
		}
		if n != last {
			last, since = n, time.Now()
		}
		time.Sleep(time.Millisecond)
	}
}

// benchLossless measures ingest_lossless_qos0_udf and broker_lossless_qos0
// (the highest QoS 0 rate offered by ingestDevices clients at which nothing
// is lost, found by stepping up) and their ratio.
func benchLossless(cfg Config) ([]Row, error) {
	stepSecs, budget, start := losslessConfig(cfg)

	// The full pipeline with the UDF.
	a, creds, err := ingestProject(cfg.Dir, ingestDevices, true)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	clients, err := connectAll(a.Broker().Addr(), creds)
	if err != nil {
		return nil, err
	}
	defer disconnectAll(clients)
	p := a.Pipeline()
	processed := func() int {
		s := p.Stats()
		return int(s.Accepted + s.Rejected + s.Dropped)
	}
	ing, ingSteps, err := losslessSearch(start, budget, func(rate float64) (step, error) {
		s0 := p.Stats()
		base := int(s0.Accepted + s0.Rejected + s0.Dropped)
		sent, achieved := paced(clients, creds, rate, stepSecs)
		st := judge(rate, sent, achieved, func() (int, int, bool) {
			s := p.Stats()
			return int(s.Accepted+s.Rejected+s.Dropped) - base, int(s.Dropped - s0.Dropped), a.Engine().CommitStats().QueueDepth > 0
		})
		// Let the pipeline and the committer catch up before the next step.
		settle(processed, base+sent)
		for a.Engine().CommitStats().QueueDepth > 0 {
			time.Sleep(time.Millisecond)
		}
		return st, nil
	})
	if err != nil {
		return nil, err
	}
	disconnectAll(clients)
	clients = nil
	if s := p.Stats(); s.Accepted == 0 {
		return nil, fmt.Errorf("ingest_lossless_qos0_udf: no message was accepted")
	}

	// The broker alone, counting.
	srv, h, addr, bcreds, err := bareBroker()
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	bclients, err := connectAll(addr, bcreds)
	if err != nil {
		return nil, err
	}
	defer disconnectAll(bclients)
	counted := func() int { return int(h.n.Load()) }
	bro, broSteps, err := losslessSearch(start, budget, func(rate float64) (step, error) {
		base := counted()
		sent, achieved := paced(bclients, bcreds, rate, stepSecs)
		st := judge(rate, sent, achieved, func() (int, int, bool) { return counted() - base, 0, false })
		settle(counted, base+sent)
		return st, nil
	})
	if err != nil {
		return nil, err
	}

	ingRow := Row{Name: "ingest_lossless_qos0_udf", Value: ing.achieved, Unit: "msg/s", Target: "-", OK: ing.pass,
		Note: fmt.Sprintf("highest QoS 0 rate from %d paced clients with nothing dropped and nothing left to process or commit %v after the last publish; full pipeline with the UDF; %s",
			ingestDevices, losslessGrace, stepsNote(ingSteps, stepSecs))}
	broRow := Row{Name: "broker_lossless_qos0", Value: bro.achieved, Unit: "msg/s", Target: "-", OK: bro.pass,
		Note: fmt.Sprintf("as ingest_lossless_qos0_udf against mochi with a counting hook, no pipeline; %s", stepsNote(broSteps, stepSecs))}
	return []Row{ingRow, broRow, ratioRow("ingest_lossless_ratio", ingRow, broRow, 0.5, "x broker-only",
		"lossless QoS 0 rate with the pipeline and UDF against the broker alone")}, nil
}

// stepsNote summarises a search: its steps, and why the first failing
// rate above the best failed.
func stepsNote(steps []step, secs float64) string {
	var fail *step
	for i := range steps {
		s := &steps[i]
		if !s.pass && (fail == nil || s.offered < fail.offered) {
			fail = s
		}
	}
	n := fmt.Sprintf("%d steps of %gs", len(steps), secs)
	if fail != nil {
		n += fmt.Sprintf("; at %.0f msg/s: %s", fail.offered, fail.why)
	}
	return n
}
