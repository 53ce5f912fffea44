package ui

// Performance of the studio on a large project: benchmarks (go test -run
// XXX -bench . ./ui/) and one correctness test under load. Everything runs
// on real components: a real bbolt project file provisioned with a plan of
// about 120,000 objects, the real telemetry pipeline fed at 20,000 msg/s
// and the studio in Fyne's headless test driver, with polling stopped so
// that the benchmark drives it with tick as the poller would.

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/twinstudio/twinstudio/app"
	"github.com/twinstudio/twinstudio/engine"
)

// bigShape is the shape of a generated project: one building of floors
// floors of rooms rooms each; every room has one device with four sensors.
type bigShape struct {
	name          string
	floors, rooms int
}

var (
	// tall: 50 floors × 400 rooms: 20,051 spaces, 20,000 devices,
	// 80,000 sensors (120,051 objects).
	tallShape = bigShape{"tall", 50, 400}
	// flat: one floor of 20,000 rooms, as many objects in one branch.
	flatShape = bigShape{"flat", 1, 20000}
)

// bigSensorTypes are the data types of every device's sensors.
var bigSensorTypes = []string{"Temperature", "Motion", "CarbonDioxide", "Light"}

// objects is how many spaces, devices and sensors the shape makes.
func (sh bigShape) objects() int {
	rooms := sh.floors * sh.rooms
	return 1 + sh.floors + rooms + rooms*(1+len(bigSensorTypes))
}

// device is the hardware id of the device of room r (0-based) on floor f.
func (sh bigShape) device(f, r int) string {
	if sh.rooms >= 1000 {
		return fmt.Sprintf("F%02dR%05d", f+1, r+1)
	}
	return fmt.Sprintf("F%02dR%03d", f+1, r+1)
}

// sensor is the hardware id of a device's sensor of data type typ.
func sensorHW(device, typ string) string { return device + "-" + typ }

// plan builds the provisioning plan of the shape.
func (sh bigShape) plan() *engine.Plan {
	building := &engine.PlanSpace{Name: "Tower", Type: "Building"}
	for f := 0; f < sh.floors; f++ {
		floor := &engine.PlanSpace{Name: fmt.Sprintf("Floor %02d", f+1), Type: "Floor"}
		floor.Spaces = make([]*engine.PlanSpace, 0, sh.rooms)
		for r := 0; r < sh.rooms; r++ {
			hw := sh.device(f, r)
			d := &engine.PlanDevice{Name: "Pi " + hw, HardwareID: hw, Type: "RaspberryPi"}
			for _, typ := range bigSensorTypes {
				d.Sensors = append(d.Sensors, &engine.PlanSensor{HardwareID: sensorHW(hw, typ), DataType: typ})
			}
			floor.Spaces = append(floor.Spaces, &engine.PlanSpace{
				Name: "Room " + hw, Type: "Room", Devices: []*engine.PlanDevice{d}})
		}
		building.Spaces = append(building.Spaces, floor)
	}
	return &engine.Plan{File: sh.name + ".yaml", Spaces: []*engine.PlanSpace{building}}
}

// bigFiles holds each shape's provisioned project file, built once per
// test binary (provisioning 120,000 objects takes about a second).
var bigFiles struct {
	sync.Mutex
	data map[string][]byte
}

// bigProjectFile returns the bytes of a project file provisioned with sh.
func bigProjectFile(tb testing.TB, sh bigShape) []byte {
	tb.Helper()
	bigFiles.Lock()
	defer bigFiles.Unlock()
	if b, ok := bigFiles.data[sh.name]; ok {
		return b
	}
	dir, err := os.MkdirTemp("", "twinstudio-perf-")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, sh.name+".twin")
	a, err := app.Open(path, app.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := a.Engine().Provision(sh.plan()); err != nil {
		a.Close()
		tb.Fatal(err)
	}
	if err := a.Close(); err != nil {
		tb.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	if bigFiles.data == nil {
		bigFiles.data = map[string][]byte{}
	}
	bigFiles.data[sh.name] = b
	return b
}

// openBig opens a fresh copy of the shape's project in tb.TempDir() with
// the pipeline the studio uses (logSize recent messages), and closes it
// when the test ends.
func openBig(tb testing.TB, sh bigShape) *app.App {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), sh.name+".twin")
	if err := os.WriteFile(path, bigProjectFile(tb, sh), 0o600); err != nil {
		tb.Fatal(err)
	}
	a, err := app.Open(path, app.Options{Pipeline: engine.PipelineOptions{Recent: logSize}})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { a.Close() })
	if got := a.Engine().Stats(); got.Spaces+got.Devices+got.Sensors != sh.objects() {
		tb.Fatalf("%s project has %+v, want %d objects", sh.name, got, sh.objects())
	}
	return a
}

// bigStudio opens the shape's project in a studio in a 1280x800 test
// window, polling stopped.
func bigStudio(tb testing.TB, sh bigShape) (*Studio, fyne.Window) {
	tb.Helper()
	test.NewTempApp(tb)
	return newStudioWindow(tb, openBig(tb, sh))
}

// floorNode returns the tree node of floor f (0-based) of the building.
func floorNode(tb testing.TB, s *Studio, f int) string {
	tb.Helper()
	roots := s.model.childNodes("")
	if len(roots) != 1 {
		tb.Fatalf("roots %q", roots)
	}
	floors := s.model.childNodes(roots[0])
	if f >= len(floors) {
		tb.Fatalf("no floor %d of %d", f, len(floors))
	}
	return floors[f]
}

// shownRows counts the rows the tree shows: the open branches' nodes.
func shownRows(s *Studio) int {
	n := 0
	var walk func(uid string)
	walk = func(uid string) {
		for _, c := range s.model.childNodes(uid) {
			n++
			if s.tree.tree.IsBranchOpen(c) {
				walk(c)
			}
		}
	}
	walk("")
	return n
}

// countModelCalls wraps the tree's ChildUIDs and isBranch callbacks with
// counters (the real model still answers) and returns a function that
// reports and resets the counts.
func countModelCalls(s *Studio) func() (children, branch int) {
	var c, b atomic.Int64
	children, isBranch := s.tree.tree.ChildUIDs, s.tree.tree.IsBranch
	s.tree.tree.ChildUIDs = func(uid string) []string { c.Add(1); return children(uid) }
	s.tree.tree.IsBranch = func(uid string) bool { b.Add(1); return isBranch(uid) }
	return func() (int, int) { return int(c.Swap(0)), int(b.Swap(0)) }
}

// touchGraph commits a change to the building's description, which bumps
// the engine's generation (as any edit does) and so empties the model's
// child and branch caches.
func touchGraph(tb testing.TB, a *app.App, i int) {
	tb.Helper()
	err := a.Engine().Update(func(tx *engine.Tx) error {
		b := *tx.Roots()[0]
		b.Description = "touched " + strconv.Itoa(i)
		return tx.UpdateSpace(&b)
	})
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkStudioOpen100k measures New on an open 120k-object project in a
// 1280x800 window: building the views, opening the top two levels of the
// tree and laying the window out.
func BenchmarkStudioOpen100k(b *testing.B) {
	for _, sh := range []bigShape{tallShape, flatShape} {
		b.Run(sh.name, func(b *testing.B) {
			test.NewTempApp(b)
			a := openBig(b, sh)
			w := test.NewWindow(nil)
			b.Cleanup(w.Close)
			w.Resize(fyne.NewSize(1280, 800))
			var s *Studio
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s = New(a, w)
				s.stopPolling()
			}
			b.StopTimer()
			b.ReportMetric(float64(shownRows(s)), "rows")
		})
	}
}

// BenchmarkTreeRefresh100k measures one redraw of the tree (what every
// tick with accepted telemetry does, s.tree.refresh) with different sets
// of open branches, and opening one floor's branch (a user's click).
func BenchmarkTreeRefresh100k(b *testing.B) {
	type setup struct {
		name  string
		shape bigShape
		open  func(b *testing.B, s *Studio) // nil: the branches New opens
		edit  bool                          // change the graph before each refresh
	}
	oneFloor := func(b *testing.B, s *Studio) {
		s.tree.tree.CloseAllBranches()
		s.tree.tree.OpenBranch(s.model.childNodes("")[0])
		s.tree.tree.OpenBranch(floorNode(b, s, 0))
	}
	for _, c := range []setup{
		{name: "tall/oneFloorOpen", shape: tallShape, open: oneFloor},
		{name: "tall/50floorsOpen", shape: tallShape},
		{name: "tall/50floorsOpen/afterEdit", shape: tallShape, edit: true},
		{name: "flat/20000roomsOpen", shape: flatShape},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, _ := bigStudio(b, c.shape)
			if c.open != nil {
				c.open(b, s)
			}
			s.tree.refresh()
			calls := countModelCalls(s)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if c.edit {
					b.StopTimer()
					touchGraph(b, s.app, i)
					b.StartTimer()
				}
				s.tree.refresh()
			}
			b.StopTimer()
			ch, br := calls()
			b.ReportMetric(float64(shownRows(s)), "rows")
			b.ReportMetric(float64(ch)/float64(b.N), "ChildUIDs/op")
			b.ReportMetric(float64(br)/float64(b.N), "IsBranch/op")
		})
	}
	// Opening a floor of 400 rooms by hand, with the other 49 floors open
	// (the tree as New leaves it) and with them closed.
	for _, others := range []bool{true, false} {
		name := "tall/openFloor/othersClosed"
		if others {
			name = "tall/openFloor/othersOpen"
		}
		b.Run(name, func(b *testing.B) {
			s, _ := bigStudio(b, tallShape)
			floor := floorNode(b, s, 25)
			if !others {
				oneFloor(b, s)
			}
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				s.tree.tree.CloseBranch(floor)
				b.StartTimer()
				s.tree.tree.OpenBranch(floor)
			}
		})
	}
}

// BenchmarkSearch100k measures a search as the search box applies it
// (filter, open the matches' branches, redraw) and, apart, the model's
// search alone.
func BenchmarkSearch100k(b *testing.B) {
	for _, q := range []string{"R123", "F07R2", "Temperature", "nosuch"} {
		b.Run("apply/"+q, func(b *testing.B) {
			s, _ := bigStudio(b, tallShape)
			for i := 0; i < b.N; i++ {
				s.tree.applySearch(q)
			}
			b.StopTimer()
			_, total := s.model.search(q, searchLimit)
			b.ReportMetric(float64(total), "matches")
			b.ReportMetric(float64(shownRows(s)), "rows")
		})
	}
	b.Run("apply/clear", func(b *testing.B) {
		s, _ := bigStudio(b, tallShape)
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			s.tree.applySearch("R123")
			b.StartTimer()
			s.tree.applySearch("")
		}
		b.StopTimer()
		b.ReportMetric(float64(shownRows(s)), "rows")
	})
	for _, q := range []string{"R123", "Temperature"} {
		b.Run("model/"+q, func(b *testing.B) {
			test.NewTempApp(b)
			m := newViewModel(openBig(b, tallShape).Engine())
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				m.search(q, searchLimit)
			}
		})
	}
}

// BenchmarkModelChildren100k measures what the tree asks the model for a
// floor of 400 rooms (its children and whether each is a branch), from the
// cache and after the graph changed.
func BenchmarkModelChildren100k(b *testing.B) {
	for _, cold := range []bool{false, true} {
		name := "cached"
		if cold {
			name = "afterGenerationChange"
		}
		for _, sh := range []bigShape{tallShape, flatShape} {
			b.Run(name+"/"+sh.name, func(b *testing.B) {
				test.NewTempApp(b)
				a := openBig(b, sh)
				m := newViewModel(a.Engine())
				floor := m.childNodes(m.childNodes("")[0])[0]
				ask := func() {
					for _, c := range m.childNodes(floor) {
						m.isBranch(c)
					}
				}
				ask()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if cold {
						b.StopTimer()
						touchGraph(b, a, i)
						b.StartTimer()
					}
					ask()
				}
				b.StopTimer()
				b.ReportMetric(float64(len(m.childNodes(floor))), "children")
			})
		}
	}
}

// flood submits telemetry to a project's pipeline at a fixed rate from its
// own goroutine, as the broker does for connected devices: QoS 0 readings
// from every device in turn, one in twenty for a sensor that does not
// exist (rejected).
type flood struct {
	rate  int
	start time.Time
	stop  chan struct{}
	done  chan struct{}

	submitted atomic.Uint64 // handed to the pipeline
	full      atomic.Uint64 // dropped by Submit: the queue was full
	last      atomic.Int64  // Received (unix ns) of the last message submitted
	stats     floodStats
}

type floodStats struct {
	elapsed               time.Duration
	submitted, full       uint64
	accepted, rejected    uint64
	dropped               uint64 // the pipeline's count of dropped QoS 0 messages
	submitRate, applyRate float64
}

func (f floodStats) String() string {
	return fmt.Sprintf("%.1fs: submitted %d (%.0f/s), accepted+rejected %d+%d (%.0f/s), dropped %d",
		f.elapsed.Seconds(), f.submitted, f.submitRate, f.accepted, f.rejected, f.applyRate, f.dropped)
}

// rejectEvery is how often the flood sends a reading the pipeline rejects.
const rejectEvery = 20

func startFlood(tb testing.TB, a *app.App, sh bigShape, rate int) *flood {
	tb.Helper()
	f := &flood{rate: rate, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	devices := make([]string, 0, sh.floors*sh.rooms)
	for fl := 0; fl < sh.floors; fl++ {
		for r := 0; r < sh.rooms; r++ {
			devices = append(devices, sh.device(fl, r))
		}
	}
	p := a.Pipeline()
	go func() {
		defer close(f.done)
		n := 0
		for {
			select {
			case <-f.stop:
				return
			default:
			}
			due := int(time.Since(f.start).Seconds() * float64(rate))
			for ; n < due; n++ {
				dev := devices[n%len(devices)]
				sensor := sensorHW(dev, bigSensorTypes[(n/len(devices))%len(bigSensorTypes)])
				bad := n%rejectEvery == rejectEvery-1
				if bad {
					sensor = sensorHW(dev, "NOISE")
				}
				now := time.Now()
				_, err := p.Submit(&engine.IngressMessage{Topic: engine.SensorTopic(dev, sensor),
					Payload: []byte(strconv.Itoa(n % 1000)), QoS: 0, Username: dev, Received: now})
				switch {
				case err == engine.ErrQueueFull:
					f.full.Add(1)
				case err != nil:
					return // closed
				default:
					f.submitted.Add(1)
					f.last.Store(now.UnixNano())
				}
			}
			time.Sleep(200 * time.Microsecond)
		}
	}()
	tb.Cleanup(func() { f.halt(a) })
	return f
}

// halt stops the flood, waits for the pipeline to process what was
// submitted, and returns the figures.
func (f *flood) halt(a *app.App) floodStats {
	select {
	case <-f.stop:
		return f.stats
	default:
	}
	close(f.stop)
	<-f.done
	elapsed := time.Since(f.start)
	deadline := time.Now().Add(10 * time.Second)
	for {
		st := a.Pipeline().Stats()
		if st.Accepted+st.Rejected >= f.submitted.Load() || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	applied := time.Since(f.start)
	st := a.Pipeline().Stats()
	f.stats = floodStats{elapsed: elapsed, submitted: f.submitted.Load(), full: f.full.Load(),
		accepted: st.Accepted, rejected: st.Rejected, dropped: st.Dropped,
		submitRate: float64(f.submitted.Load()) / elapsed.Seconds(),
		applyRate:  float64(st.Accepted+st.Rejected) / applied.Seconds()}
	return f.stats
}

// floodRate is the rate the issue asks the log to keep up with.
const floodRate = 20000

// BenchmarkTelemetryTick20k measures one tick of the studio (poll: merge
// the 500 recent messages and 500 rejections; apply: the log's list, the
// tree, the inspector's values, the Model tab's document) while the
// pipeline takes readings at 20,000 msg/s. The flood's figures are
// reported as metrics: the rate submitted and the rate the pipeline
// accepted and rejected.
func BenchmarkTelemetryTick20k(b *testing.B) {
	type setup struct {
		name  string
		shape bigShape
		tab   int // 0 Model (document shown), 1 Telemetry
		fold  bool
	}
	for _, c := range []setup{
		{name: "tall/telemetryTab", shape: tallShape, tab: 1},
		{name: "tall/modelTab", shape: tallShape, tab: 0},
		{name: "tall/telemetryTab/oneFloorOpen", shape: tallShape, tab: 1, fold: true},
		{name: "flat/telemetryTab", shape: flatShape, tab: 1},
	} {
		b.Run(c.name, func(b *testing.B) {
			s, _ := bigStudio(b, c.shape)
			if c.fold {
				s.tree.tree.CloseAllBranches()
				s.tree.tree.OpenBranch(s.model.childNodes("")[0])
				s.tree.tree.OpenBranch(floorNode(b, s, 0))
			}
			// The device of the first room selected, its sensors' values
			// in the inspector.
			dev := s.model.childNodes(s.model.childNodes(floorNode(b, s, 0))[0])[0]
			s.selectNode(dev)
			s.tabs.SelectIndex(c.tab)
			f := startFlood(b, s.app, c.shape, floodRate)
			// Until both rings are full: 500 messages and 500 rejections.
			waitFor(b, "full logs", func() bool {
				return len(s.app.Pipeline().Recent()) == logSize && len(s.app.Pipeline().Rejections()) == logSize
			})
			var worst time.Duration
			var devTicks []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				// Each tick polls as the studio's ticker would: devices once
				// in ten (time.Second/refreshInterval).
				t0 := time.Now()
				s.tick()
				d := time.Since(t0)
				worst = max(worst, d)
				if s.poll.ticks%10 == 1 {
					devTicks = append(devTicks, d)
				}
				b.StopTimer()
				time.Sleep(refreshInterval / 4) // let messages arrive between ticks
				b.StartTimer()
			}
			b.StopTimer()
			st := f.halt(s.app)
			b.ReportMetric(float64(worst.Microseconds())/1000, "max-ms")
			if len(devTicks) > 0 {
				sort.Slice(devTicks, func(i, j int) bool { return devTicks[i] < devTicks[j] })
				b.ReportMetric(float64(devTicks[len(devTicks)-1].Microseconds())/1000, "devices-tick-ms")
			}
			b.ReportMetric(st.submitRate, "submitted-msg/s")
			b.ReportMetric(st.applyRate, "processed-msg/s")
			b.ReportMetric(float64(st.full), "dropped")
			b.Logf("%s: %v", c.name, st)
		})
	}
	// The poll alone, without the redraw, and the devices list's refresh
	// the poll makes once a second.
	b.Run("tall/collectOnly", func(b *testing.B) {
		s, _ := bigStudio(b, tallShape)
		f := startFlood(b, s.app, tallShape, floodRate)
		waitFor(b, "full logs", func() bool {
			return len(s.app.Pipeline().Recent()) == logSize && len(s.app.Pipeline().Rejections()) == logSize
		})
		s.poll.ticks = 1 // not a devices tick
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			s.poll.ticks = 1
			s.poll.collect(time.Now())
		}
		b.StopTimer()
		f.halt(s.app)
	})
	b.Run("tall/devicesList", func(b *testing.B) {
		s, _ := bigStudio(b, tallShape)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			s.tele.setDevices(listDevices(s.app.Engine()))
		}
	})
}

// TestTelemetry_keepsUpAt20k floods a 120k-object project with 20,000
// readings a second for 1.8 seconds while the studio ticks every
// refreshInterval, and checks that the log keeps showing the newest
// messages and never holds more than logSize.
func TestTelemetry_keepsUpAt20k(t *testing.T) {
	if testing.Short() {
		t.Skip("floods the pipeline for two seconds")
	}
	s, _ := bigStudio(t, tallShape)
	s.showTelemetry()
	f := startFlood(t, s.app, tallShape, floodRate)
	var lags []time.Duration
	var slowest time.Duration
	checkLog := func() {
		t.Helper()
		if n := len(s.tele.all); n > logSize {
			t.Fatalf("the log holds %d entries, more than LogSize %d", n, logSize)
		}
		if n := s.tele.log.Length(); n > logSize {
			t.Fatalf("the log list has %d rows, more than LogSize %d", n, logSize)
		}
		for i := 1; i < len(s.tele.all); i++ {
			if s.tele.all[i].Time.After(s.tele.all[i-1].Time) {
				t.Fatalf("log entry %d is newer than entry %d", i, i-1)
			}
		}
	}
	deadline := time.Now().Add(1800 * time.Millisecond)
	next := time.Now()
	for time.Now().Before(deadline) {
		next = next.Add(refreshInterval)
		time.Sleep(time.Until(next))
		sent := f.last.Load() // the newest reading before the poll
		t0 := time.Now()
		s.tick()
		slowest = max(slowest, time.Since(t0))
		checkLog()
		if len(s.tele.all) > 0 && sent != 0 {
			lags = append(lags, time.Unix(0, sent).Sub(s.tele.all[0].Time))
		}
	}
	st := f.halt(s.app)
	s.tick()
	checkLog()
	t.Logf("flood %v; slowest tick %v", st, slowest)
	sort.Slice(lags, func(i, j int) bool { return lags[i] < lags[j] })
	if len(lags) > 0 {
		t.Logf("log behind the last submitted reading, at ticks: median %v, worst %v", lags[len(lags)/2], lags[len(lags)-1])
	}

	// Rates and lags are figures (BenchmarkTelemetryTick20k), not
	// pass/fail: they depend on the machine's load.
	if len(lags) == 0 {
		t.Error("the log never showed a reading while flooded")
	}
	// Once the pipeline drained, the first row is the last reading sent.
	if len(s.tele.all) != logSize {
		t.Fatalf("log has %d entries, want %d", len(s.tele.all), logSize)
	}
	last := time.Unix(0, f.last.Load())
	newest := s.tele.all[0]
	if d := last.Sub(newest.Time); d < 0 || d > time.Second {
		t.Errorf("newest log entry %v (%s %s), last reading submitted at %v: %v apart",
			newest.Time, newest.Device, newest.Sensor, last, d)
	}
	// The first row drawn shows it: device, sensor, value, status, time.
	rows := logShown(s)
	want := []string{newest.Device, newest.Sensor, newest.Value, newest.status(), logTime(newest.Time, time.Now())}
	if len(rows) < len(want) || fmt.Sprint(rows[:len(want)]) != fmt.Sprint(want) {
		t.Errorf("the first row drawn is %q, want %q", rows[:min(len(rows), len(want))], want)
	}
	if got, want := s.tele.count.Text, fmt.Sprintf("%d messages", logSize); got != want {
		t.Errorf("log count %q, want %q", got, want)
	}
}
