package simulator

import (
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// Options tune a run.
type Options struct {
	// Series, if set, receives the series CSV: time,sensor,value.
	Series io.Writer
	// SpaceSeries, if set, receives the per-space series CSV:
	// time,space,people,co2_ppm,temperature_c, the model's state of each
	// simulated space (by full name) at each report interval.
	SpaceSeries io.Writer
	// UDFs, if set, is read for the udf KPIs: the executions counted
	// while the run went on.
	UDFs *UDFCounter
	// Clock, if set, is the clock to drive (the one the engine and UDF
	// runtime were given); default a new one.
	Clock *Clock
	// Pace, if set, is called before each step with its simulated time;
	// it may sleep (the app's pacer runs real time, changes speed and
	// pauses) and its error stops the run. Default: as fast as possible.
	Pace func(t time.Time) error
}

// simSensor is a sensor the simulator drives.
type simSensor struct {
	hw, topic, device string
	kind              string // data type: Motion, CarbonDioxide, Temperature, Light, Humidity, …
	charger           int    // car parks: the sensor's charger, 1-based (0: the site's)
}

// simSpace is a space the simulator drives.
type simSpace struct {
	name, floor string
	model       string // its registered name
	m           model
	capacity    int
	room        Room
	rng         *rand.Rand
	sensors     []simSensor
	clouds      float64
	cloudDay    int
	meter       meter // meters.go
	metered     bool  // has Power or Energy sensors
	waitUDF     bool  // a UDF steers it: wait for a step's readings (car parks, policy udf)
	lastN       int   // present at the current step

	// KPI accumulators.
	occupiedH, workH, co2H, comfortH, personH float64
	peak                                      int
}

// Sim is a scenario bound to a project's spaces and sensors.
type Sim struct {
	sc       *Scenario
	spaces   []*simSpace
	faults   map[string]*sensorFaults // by sensor hardwareId (faults.go)
	sitePeak float64                  // W (meters.go)
	e        *engine.Engine           // read for UDF-steered charging

	created     *Created              // the virtual devices New created
	planArea    map[engine.ID]float64 // m² of the rooms linked on floor plans (volume: plan), built by New
	meteredPeak float64               // W: the largest step sum over metered spaces
	evPeak      float64               // kW: the largest step sum over car parks
}

// dataTypes are the simulated data types (DataTypes) as a set.
var dataTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, d := range DataTypes {
		m[d] = true
	}
	return m
}()

// New binds sc to the spaces of e: every space with sensors that a rule
// matches is simulated, its sensors driven by data type. First it creates
// the virtual devices the rules' create lists ask for (CreateDevices).
func New(e *engine.Engine, sc *Scenario) (*Sim, error) {
	if err := sc.checkRun(0, 0); err != nil {
		return nil, err
	}
	created, err := CreateDevices(e, sc)
	if err != nil {
		return nil, err
	}
	s := &Sim{sc: sc, e: e, created: created}
	err = e.View(func(v *engine.View) error {
		return v.WalkSpaces(func(sp *engine.Space) error { s.bind(v, sp); return nil }, nil)
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(s.spaces, func(i, j int) bool { return s.spaces[i].name < s.spaces[j].name })
	if len(s.spaces) == 0 {
		return nil, errors.New("simulate: no space with sensors matches the scenario's spaces rules")
	}
	sensors := 0
	for _, sp := range s.spaces {
		sensors += len(sp.sensors)
	}
	if err := sc.checkRun(sensors, len(s.spaces)); err != nil {
		return nil, err
	}
	s.bindFaults()
	return s, nil
}

func (s *Sim) bind(v *engine.View, sp *engine.Space) {
	sensors := v.SpaceSensors(sp.ID)
	if len(sensors) == 0 {
		return
	}
	full := v.FullName(sp.ID)
	typ, sub := v.TypeName(sp.TypeID), v.TypeName(sp.SubtypeID)
	var p Params
	matched := false
	for i := range s.sc.Spaces {
		r := &s.sc.Spaces[i]
		if !r.matches(full, typ, sub) {
			continue
		}
		matched = true
		p = p.merge(r.Params)
	}
	if !matched {
		return
	}
	name := defaultModel(sub)
	if p.Model != nil {
		name = *p.Model
	}
	kind := kindByName(name)
	d := kind.defaults
	get := func(x *float64, def float64) float64 {
		if x != nil {
			return *x
		}
		return def
	}
	ss := &simSpace{name: full, model: name, floor: floorOf(v, sp)}
	ss.capacity = int(math.Round(get(p.People, d.people) * s.sc.Scale.People))
	ss.room = Room{V: s.volume(v, sp.ID, p, get(p.Volume, d.volume)), Q: get(p.Ventilation, d.ventilation) * s.sc.Scale.Ventilation,
		Set: get(p.Setpoint, 21.5), HVAC: get(p.HVAC, d.hvac), UA: get(p.Envelope, d.envelope)}
	h := fnv.New64a()
	h.Write([]byte(full))
	ss.rng = rand.New(rand.NewPCG(s.sc.Seed, h.Sum64()))
	ss.cloudDay = math.MinInt
	b := &binding{v: v, space: sp, sensors: sensors, chargerOf: map[string]int{}}
	ss.m = kind.bind(ss, p, b)
	for _, sn := range sensors {
		dt := v.TypeName(sn.DataTypeID)
		if !drives(name, dt) {
			continue
		}
		dev, ok := v.Device(sn.DeviceID)
		if !ok {
			continue
		}
		if dt == "Power" || dt == "Energy" {
			ss.metered = true
		}
		ss.sensors = append(ss.sensors, simSensor{hw: sn.HardwareID, device: dev.HardwareID, kind: dt, charger: b.chargerOf[dev.HardwareID],
			topic: engine.SensorTopic(dev.HardwareID, sn.HardwareID)})
	}
	sort.Slice(ss.sensors, func(i, j int) bool { return ss.sensors[i].hw < ss.sensors[j].hw })
	if len(ss.sensors) > 0 {
		s.spaces = append(s.spaces, ss)
	}
}

// volume is a room's volume: with volume: plan, its floor plan shape's
// area × CeilingHeight, else def (the rule's volume or the model's).
func (s *Sim) volume(v *engine.View, space engine.ID, p Params, def float64) float64 {
	if p.VolumePlan == nil || !*p.VolumePlan {
		return def
	}
	if s.planArea == nil { // the linked shapes' areas, once per run
		s.planArea = map[engine.ID]float64{}
		for _, fp := range v.FloorPlans() {
			for i, sh := range fp.Shapes {
				if !sh.SpaceID.IsZero() {
					s.planArea[sh.SpaceID] = fp.AreaM2(i)
				}
			}
		}
	}
	if a := s.planArea[space]; a > 0 {
		return a * CeilingHeight
	}
	return def
}

func floorOf(v *engine.View, sp *engine.Space) string {
	for id := sp.ParentID; !id.IsZero(); {
		p, ok := v.Space(id)
		if !ok {
			break
		}
		if v.TypeName(p.TypeID) == "Floor" {
			return v.FullName(p.ID)
		}
		id = p.ParentID
	}
	if !sp.ParentID.IsZero() {
		return v.FullName(sp.ParentID)
	}
	return v.FullName(sp.ID)
}

func (p Params) merge(o Params) Params {
	if o.Model != nil {
		p.Model = o.Model
	}
	if o.People != nil {
		p.People = o.People
	}
	if o.Volume != nil {
		p.Volume = o.Volume
	}
	if o.VolumePlan != nil {
		p.VolumePlan = o.VolumePlan
	}
	if o.Ventilation != nil {
		p.Ventilation = o.Ventilation
	}
	if o.Setpoint != nil {
		p.Setpoint = o.Setpoint
	}
	if o.HVAC != nil {
		p.HVAC = o.HVAC
	}
	if o.Envelope != nil {
		p.Envelope = o.Envelope
	}
	if o.Chargers != nil {
		p.Chargers = o.Chargers
	}
	if o.ChargerPower != nil {
		p.ChargerPower = o.ChargerPower
	}
	if o.GridLimit != nil {
		p.GridLimit = o.GridLimit
	}
	if o.Policy != nil {
		p.Policy = o.Policy
	}
	if o.Arrivals != nil {
		p.Arrivals = o.Arrivals
	}
	if o.Visitors != nil {
		p.Visitors = o.Visitors
	}
	if o.Garden != nil {
		p.Garden = o.Garden
	}
	return p
}

// Created lists the virtual devices and sensors New created for the
// scenario's create lists (none when they all existed already).
func (s *Sim) Created() Created { return *s.created }

// Spaces lists the simulated spaces' full names.
func (s *Sim) Spaces() []string {
	var out []string
	for _, sp := range s.spaces {
		out = append(out, sp.name)
	}
	return out
}

// Run runs the scenario, submitting readings to p (as fast as possible
// unless opts.Pace waits), and returns the KPIs once every reading has
// been processed. Run drives one step at a time: each space's model says
// who is present, the space's sensors report, then the room's physics and
// the model advance to the next step. Run is not safe for concurrent use.
func (s *Sim) Run(p Sink, opts Options) (*Result, error) {
	sc := s.sc
	clock := opts.Clock
	if clock == nil {
		clock = NewClock(sc.Start, sc.Step)
	}
	clock.Set(sc.Start)
	rec := newRecorder(opts.Series, opts.SpaceSeries)
	var stats0 engine.IngressStats
	if sp, ok := p.(StatsSource); ok {
		stats0 = sp.Stats()
	}
	var udf0 UDFCounts
	if opts.UDFs != nil {
		udf0 = opts.UDFs.Counts()
	}
	wall := time.Now()
	res := &Result{Scenario: sc.Name, Seed: sc.Seed, Start: sc.Start, Duration: sc.Duration, Step: sc.Step, Report: sc.Report}
	floors := s.reset()
	out := &sender{p: p, rec: rec, last: map[string]*engine.Ticket{}, wrap: sc.Payload == "sensorvalue", faults: s}
	steps := int(sc.Duration / sc.Step)
	every := int(sc.Report / sc.Step)
	for k := 0; k < steps; k++ {
		t := sc.Start.Add(time.Duration(k) * sc.Step)
		if opts.Pace != nil {
			if err := opts.Pace(t); err != nil {
				return nil, err
			}
		}
		clock.Set(t)
		st := s.newStep(t, k%every == 0)
		for _, sp := range s.spaces {
			if err := s.stepSpace(sp, st, out); err != nil {
				return nil, err
			}
		}
		s.sitePeak = max(s.sitePeak, st.site)
		s.meteredPeak = max(s.meteredPeak, st.metered)
		s.evPeak = max(s.evPeak, st.evKW)
		floors.add(s.spaces, st)
	}
	clock.Set(sc.Start.Add(time.Duration(steps) * sc.Step))
	if err := rec.flush(); err != nil {
		return nil, err
	}
	if err := out.finish(); err != nil {
		return nil, err
	}
	res.Wall = time.Since(wall)
	res.Readings = out.readings
	if sp, ok := p.(StatsSource); ok {
		res.Rejected = sp.Stats().Rejected - stats0.Rejected
	}
	if opts.UDFs != nil {
		c := opts.UDFs.Counts()
		res.UDFCounted = true
		res.UDFExecutions = c.Executions - udf0.Executions
		res.UDFFailures = c.Failures - udf0.Failures
		res.Notifications = c.Notifications - udf0.Notifications
	}
	s.kpis(res, floors)
	return res, nil
}

// reset puts every space at the scenario's start: outdoor air, the
// setpoint where there is HVAC, meters at zero, models at their start.
func (s *Sim) reset() *floorKPIs {
	o := &s.sc.Outdoor
	fl := &floorKPIs{byName: map[string]*FloorKPI{}, n: map[string]int{}}
	for _, sp := range s.spaces {
		f := fl.byName[sp.floor]
		if f == nil {
			f = &FloorKPI{Name: sp.floor}
			fl.byName[sp.floor] = f
			fl.names = append(fl.names, sp.floor)
		}
		f.Capacity += sp.capacity
		sp.room.CO2 = o.CO2
		sp.room.T = o.TempMean
		if sp.room.HVAC > 0 {
			sp.room.T = sp.room.Set
		}
		sp.room.W = o.Humidity / 100 * satVapour(o.TempMean)
		sp.meter = meter{}
		sp.m.reset()
	}
	s.sitePeak, s.meteredPeak, s.evPeak = 0, 0, 0
	return fl
}

func (s *Sim) newStep(t time.Time, report bool) *step {
	o := &s.sc.Outdoor
	st := &step{s: s, t: t, dt: s.sc.Step.Hours(), h: hourOfDay(t), work: s.workday(t), report: report, tOut: o.Temp(t)}
	st.workHours = st.work && st.h >= 8 && st.h < 18
	st.wOut = o.Humidity / 100 * satVapour(st.tOut)
	return st
}

// stepSpace simulates one space over one step: who is present, its
// KPIs, its readings if the step reports, then its physics.
func (s *Sim) stepSpace(sp *simSpace, st *step, out *sender) error {
	o := &s.sc.Outdoor
	n, people := sp.m.present(sp, st)
	if day := int(st.t.Unix() / 86400); day != sp.cloudDay {
		sp.cloudDay, sp.clouds = day, sp.rng.Float64()
	}
	r := &sp.room
	r.Lamps = n > 0
	r.Lux = o.DaylightAt(st.t, sp.clouds)
	if r.Lamps {
		r.Lux += LightsLux
	}
	sp.account(st, n, people)
	if st.report {
		out.rec.space(st.t, sp.name, n, r)
		if err := out.report(sp, st, n); err != nil {
			return err
		}
	}
	hvacOn := st.work && st.h >= 6 && st.h < 19
	r.CO2 = CO2Step(r.CO2, float64(people), r.V, r.Q, o.CO2, st.dt)
	hvac := r.TempStep(float64(people), st.tOut, st.dt, hvacOn)
	r.W = HumidityStep(r.W, float64(people), r.V, r.Q, st.wOut, st.dt)
	sp.m.advance(sp, st, n, hvac)
	st.site += sp.meter.power
	if sp.metered {
		st.metered += sp.meter.power
	}
	return nil
}

// account adds the step to the space's KPIs: n present, people of them
// breathing.
func (sp *simSpace) account(st *step, n, people int) {
	dt, r := st.dt, &sp.room
	sp.lastN = n
	sp.peak = max(sp.peak, n)
	if st.workHours {
		sp.workH += dt
		if n > 0 {
			sp.occupiedH += dt
		}
	}
	sp.personH += float64(n) * dt
	if r.CO2 > CO2LimitPPM {
		sp.co2H += dt
	}
	if people > 0 && (r.T < ComfortMinC || r.T > ComfortMaxC) {
		sp.comfortH += dt
	}
}

// floorKPIs accumulates the floors' KPIs step by step.
type floorKPIs struct {
	byName map[string]*FloorKPI
	names  []string
	n      map[string]int // people per floor this step
}

func (fl *floorKPIs) add(spaces []*simSpace, st *step) {
	clear(fl.n)
	for _, sp := range spaces {
		fl.n[sp.floor] += sp.lastN
	}
	for name, n := range fl.n {
		f := fl.byName[name]
		f.Peak = max(f.Peak, n)
		f.personH += float64(n) * st.dt
		if st.workHours {
			f.workPersonH += float64(n) * st.dt
			f.workH += st.dt
		}
	}
}

// kpis fills the result's space, floor and model KPIs after a run.
func (s *Sim) kpis(res *Result, fl *floorKPIs) {
	s.energyKPIs(res)
	for _, sp := range s.spaces {
		sp.m.kpis(sp, res)
		k := SpaceKPI{Name: sp.name, Floor: sp.floor, Model: sp.model, Capacity: sp.capacity, Peak: sp.peak,
			CO2Hours: sp.co2H, ComfortHours: sp.comfortH, PersonHours: sp.personH}
		if sp.workH > 0 {
			k.OccupancyRate = sp.occupiedH / sp.workH
		}
		res.Spaces = append(res.Spaces, k)
	}
	sort.Strings(fl.names)
	for _, name := range fl.names {
		f := fl.byName[name]
		if f.workH > 0 && f.Capacity > 0 {
			f.OccupancyRate = f.workPersonH / (f.workH * float64(f.Capacity))
		}
		res.Floors = append(res.Floors, *f)
	}
}

// sender sends a space's readings: faults applied, recorded, wrapped and
// submitted to the sink.
type sender struct {
	p        Sink
	rec      *recorder
	faults   *Sim
	wrap     bool                      // payload {"SensorValue":"…"}
	last     map[string]*engine.Ticket // each device's last reading
	tickets  []*engine.Ticket          // readings a UDF must see before the next step
	buf      []byte
	readings uint64
}

// report sends the readings of every sensor of sp at the step.
func (o *sender) report(sp *simSpace, st *step, n int) error {
	for i := range sp.sensors {
		sn := &sp.sensors[i]
		o.buf = sp.m.read(o.buf[:0], sp, sn, n)
		if o.faults.faults != nil {
			var send bool
			if o.buf, send = o.faults.fault(sn.hw, st.t, o.buf); !send {
				continue
			}
		}
		o.rec.reading(st.t, sn.hw, o.buf)
		var payload []byte
		if o.wrap {
			payload = make([]byte, 0, len(o.buf)+20)
			payload = append(payload, `{"SensorValue":"`...)
			payload = append(append(payload, o.buf...), `"}`...)
		} else {
			payload = append([]byte(nil), o.buf...)
		}
		tk, err := o.p.Submit(&engine.IngressMessage{Topic: sn.topic, Payload: payload, QoS: 1, Username: sn.device, Received: st.t,
			Deterministic: true})
		if err != nil {
			return fmt.Errorf("simulate: submit %s: %w", sn.hw, err)
		}
		if tk != nil {
			o.last[sn.device] = tk
			if sp.waitUDF {
				o.tickets = append(o.tickets, tk)
			}
		}
		o.readings++
	}
	// A UDF that steers the space sees these readings before the next
	// step reads what it set: deterministic.
	for _, tk := range o.tickets {
		tk.Wait()
	}
	o.tickets = o.tickets[:0]
	return nil
}

// finish waits for every device's last reading (per device, commits are
// in order), then flushes the sink.
func (o *sender) finish() error {
	devs := make([]string, 0, len(o.last))
	for d := range o.last {
		devs = append(devs, d)
	}
	sort.Strings(devs)
	for _, d := range devs {
		o.last[d].Wait() // a rejected last reading is counted by the pipeline
	}
	if f, ok := o.p.(Flusher); ok {
		if err := f.Flush(); err != nil {
			return fmt.Errorf("simulate: %w", err)
		}
	}
	return nil
}
