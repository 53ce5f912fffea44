package simulator

import (
	"bufio"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// Clock is the simulated clock. Its Now may be read from any goroutine
// (the engine's and the UDF runtime's time source during a run).
type Clock struct {
	start time.Time
	step  time.Duration
	now   atomic.Int64 // unix nanoseconds
}

// NewClock returns a clock at start that advances by step.
func NewClock(start time.Time, step time.Duration) *Clock {
	c := &Clock{start: start, step: step}
	c.now.Store(start.UnixNano())
	return c
}

// Now is the simulated time.
func (c *Clock) Now() time.Time { return time.Unix(0, c.now.Load()).UTC() }

// Start is when the run begins.
func (c *Clock) Start() time.Time { return c.start }

// Step is the clock's step.
func (c *Clock) Step() time.Duration { return c.step }

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.now.Store(t.UnixNano()) }

// Advance moves the clock on by one step and returns the new time.
func (c *Clock) Advance() time.Time { return time.Unix(0, c.now.Add(int64(c.step))).UTC() }

// UDFCounter wraps a UDF runtime and counts executions by outcome; install
// it with engine.SetUDFRuntime to get the udf KPIs.
type UDFCounter struct {
	RT                                 engine.UDFRuntime
	executions, failed, timedOut, deny atomic.Uint64
	notifications                      atomic.Uint64 // sent by executions that succeeded
}

// Execute implements engine.UDFRuntime.
func (u *UDFCounter) Execute(x *engine.UDFContext) *engine.ExecutionRecord {
	rec := u.RT.Execute(x)
	u.executions.Add(1)
	if rec != nil {
		switch rec.Outcome {
		case engine.OutcomeFailed:
			u.failed.Add(1)
		case engine.OutcomeTimedOut:
			u.timedOut.Add(1)
		case engine.OutcomeNotAuthorized:
			u.deny.Add(1)
		}
		if rec.Outcome != engine.OutcomeFailed && rec.Outcome != engine.OutcomeTimedOut {
			u.notifications.Add(uint64(len(rec.Notifications)))
		}
	}
	return rec
}

// Options tune a run.
type Options struct {
	// Series, if set, receives the series CSV: time,sensor,value.
	Series io.Writer
	// SpaceSeries, if set, receives the per-space series CSV:
	// time,space,people,co2_ppm,temperature_c, the model's state of each
	// simulated space (by full name) at each report interval.
	SpaceSeries io.Writer
	// UDFs, if set, is read for the udf KPIs.
	UDFs *UDFCounter
	// Clock, if set, is the clock to drive (the one the engine and UDF
	// runtime were given); default a new one.
	Clock *Clock
	// Pace, if set, is called before each step with its simulated time;
	// it may sleep (RealTime) and its error stops the run. Default: as
	// fast as possible.
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
	model       string
	capacity    int
	room        Room
	occ         occupancy
	rng         *rand.Rand
	sensors     []simSensor
	clouds      float64
	cloudDay    int
	meter       meter   // meters.go
	metered     bool    // has Power or Energy sensors
	ev          *evPark // model carpark (ev.go)
	retail      *retail // model retail (outdoor.go)
	garden      *garden // model garden (outdoor.go)

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

	created     *Created // the virtual devices New created
	meteredPeak float64  // W: the largest step sum over metered spaces
	evPeak      float64  // kW: the largest step sum over car parks
}

// Simulated data types.
var dataTypes = map[string]bool{"Motion": true, "CarbonDioxide": true, "Temperature": true, "Light": true, "Humidity": true,
	"Power": true, "Energy": true, "Occupancy": true, "PeopleCount": true, "StateOfCharge": true, "SoilMoisture": true}

// New binds sc to the spaces of e: every space with sensors that a rule
// matches is simulated, its sensors driven by data type. First it creates
// the virtual devices the rules' create lists ask for (CreateDevices).
func New(e *engine.Engine, sc *Scenario) (*Sim, error) {
	created, err := CreateDevices(e, sc)
	if err != nil {
		return nil, err
	}
	s := &Sim{sc: sc, e: e, created: created}
	err = e.View(func(v *engine.View) error {
		var walk func(list []*engine.Space)
		walk = func(list []*engine.Space) {
			for _, sp := range list {
				s.bind(v, sp)
				walk(v.ChildSpaces(sp.ID))
			}
		}
		walk(v.Roots())
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(s.spaces, func(i, j int) bool { return s.spaces[i].name < s.spaces[j].name })
	if len(s.spaces) == 0 {
		return nil, errors.New("simulate: no space with sensors matches the scenario's spaces rules")
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
	model := defaultModel(sub)
	if p.Model != nil {
		model = *p.Model
	}
	d := modelDefaults[model]
	get := func(x *float64, def float64) float64 {
		if x != nil {
			return *x
		}
		return def
	}
	ss := &simSpace{name: full, model: model, floor: floorOf(v, sp)}
	ss.capacity = int(math.Round(get(p.People, d.people) * s.sc.Scale.People))
	ss.room = Room{V: get(p.Volume, d.volume), Q: get(p.Ventilation, d.ventilation) * s.sc.Scale.Ventilation,
		Set: get(p.Setpoint, 21.5), HVAC: get(p.HVAC, d.hvac), UA: get(p.Envelope, d.envelope)}
	h := fnv.New64a()
	h.Write([]byte(full))
	ss.rng = rand.New(rand.NewPCG(s.sc.Seed, h.Sum64()))
	ss.occ = occupancy{model: model, capacity: ss.capacity, rng: ss.rng, day: math.MinInt}
	ss.cloudDay = math.MinInt
	// Car parks: the devices with a StateOfCharge sensor are the chargers,
	// in hardwareId order.
	chargerOf := map[string]int{}
	if model == "carpark" {
		var chargers []string
		for _, sn := range sensors {
			if v.TypeName(sn.DataTypeID) == "StateOfCharge" {
				if dev, ok := v.Device(sn.DeviceID); ok && chargerOf[dev.HardwareID] == 0 {
					chargerOf[dev.HardwareID] = -1
					chargers = append(chargers, dev.HardwareID)
				}
			}
		}
		sort.Strings(chargers)
		for i, c := range chargers {
			chargerOf[c] = i + 1
		}
		ss.ev = newEVPark(p, len(chargers), sp.ID, ss.rng)
		ss.capacity = ss.ev.chargers
	}
	switch model {
	case "retail":
		rp := defaultRetail
		if p.Visitors != nil {
			rp = *p.Visitors
		}
		ss.retail = &retail{p: rp, cap: ss.capacity, rng: ss.rng}
	case "garden":
		gp := defaultGarden
		if p.Garden != nil {
			gp = *p.Garden
		}
		ss.garden = &garden{p: gp, rng: ss.rng}
	}
	for _, sn := range sensors {
		dt := v.TypeName(sn.DataTypeID)
		if !dataTypes[dt] || (dt == "StateOfCharge" && ss.ev == nil) || (dt == "SoilMoisture" && ss.garden == nil) {
			continue
		}
		dev, ok := v.Device(sn.DeviceID)
		if !ok {
			continue
		}
		if dt == "Power" || dt == "Energy" {
			ss.metered = true
		}
		ss.sensors = append(ss.sensors, simSensor{hw: sn.HardwareID, device: dev.HardwareID, kind: dt, charger: chargerOf[dev.HardwareID],
			topic: "devices/" + dev.HardwareID + "/sensors/" + sn.HardwareID})
	}
	sort.Slice(ss.sensors, func(i, j int) bool { return ss.sensors[i].hw < ss.sensors[j].hw })
	if len(ss.sensors) > 0 {
		s.spaces = append(s.spaces, ss)
	}
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

type defaults struct{ people, volume, ventilation, hvac, envelope float64 }

// modelDefaults are the parameters a rule does not set.
var modelDefaults = map[string]defaults{
	"office":  {people: 4, volume: 60, ventilation: 100, hvac: 1500, envelope: 20},
	"meeting": {people: 8, volume: 75, ventilation: 150, hvac: 2500, envelope: 25},
	"common":  {people: 6, volume: 90, ventilation: 150, hvac: 2000, envelope: 30},
	"empty":   {people: 0, volume: 30, ventilation: 30, hvac: 0, envelope: 10},
	"carpark": {people: 0, volume: 3000, ventilation: 6000, hvac: 0, envelope: 200},
	"retail":  {people: 40, volume: 600, ventilation: 1200, hvac: 8000, envelope: 80},
	"garden":  {people: 0, volume: 100, ventilation: 1000, hvac: 0, envelope: 100},
}

// defaultModel picks a model from a space subtype.
func defaultModel(subtype string) string {
	switch subtype {
	case "ConferenceRoom", "MeetingRoom", "TeamRoom", "Classroom":
		return "meeting"
	case "Lobby", "Reception", "Kitchen", "NeighborhoodArea", "PhoneRoom", "PhoneRoomArea", "WellnessRoom",
		"CopyRoom", "FocusRoomArea", "TeamRoomArea":
		return "common"
	case "StorageRoom", "ServerRoom":
		return "empty"
	case "ParkingSpot", "ChargingBay":
		return "carpark"
	case "Shop", "StoreVenue", "SalesVenue", "Restaurant":
		return "retail"
	case "GardenBed":
		return "garden"
	}
	return "office"
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

// Run runs the scenario as fast as possible, submitting readings to p,
// and returns the KPIs once every reading has been processed.
func (s *Sim) Run(p Submitter, opts Options) (*Result, error) {
	sc := s.sc
	clock := opts.Clock
	if clock == nil {
		clock = NewClock(sc.Start, sc.Step)
	}
	clock.Set(sc.Start)
	var series *bufio.Writer
	if opts.Series != nil {
		series = bufio.NewWriterSize(opts.Series, 1<<16)
		series.WriteString("time,sensor,value\n")
	}
	var spaceSeries *bufio.Writer
	if opts.SpaceSeries != nil {
		spaceSeries = bufio.NewWriterSize(opts.SpaceSeries, 1<<16)
		spaceSeries.WriteString("time,space,people,co2_ppm,temperature_c\n")
	}
	var stats0 engine.IngressStats
	if sp, ok := p.(StatsSource); ok {
		stats0 = sp.Stats()
	}
	wall := time.Now()
	res := &Result{Scenario: sc.Name, Seed: sc.Seed, Start: sc.Start, Duration: sc.Duration, Step: sc.Step, Report: sc.Report}
	last := map[string]*engine.Ticket{}
	dt := sc.Step.Hours()
	steps := int(sc.Duration / sc.Step)
	every := int(sc.Report / sc.Step)
	o := &sc.Outdoor
	var buf []byte
	wrap := sc.Payload == "sensorvalue"
	floors := map[string]*FloorKPI{}
	var floorNames []string
	for _, sp := range s.spaces {
		f := floors[sp.floor]
		if f == nil {
			f = &FloorKPI{Name: sp.floor}
			floors[sp.floor] = f
			floorNames = append(floorNames, sp.floor)
		}
		f.Capacity += sp.capacity
		sp.room.CO2 = o.CO2
		sp.room.T = o.TempMean
		if sp.room.HVAC > 0 {
			sp.room.T = sp.room.Set
		}
		sp.room.W = o.Humidity / 100 * satVapour(o.TempMean)
		sp.meter = meter{}
		if sp.ev != nil {
			sp.ev.reset()
		}
		if g := sp.garden; g != nil {
			g.theta, g.min = g.p.Initial, g.p.Initial
			g.rainMM, g.irrMM, g.etMM, g.irrigations = 0, 0, 0, 0
		}
		if r := sp.retail; r != nil {
			r.leave, r.turned = r.leave[:0], 0
		}
	}
	s.sitePeak, s.meteredPeak, s.evPeak = 0, 0, 0
	var tickets []*engine.Ticket
	floorN := map[string]int{}
	for k := 0; k < steps; k++ {
		t := sc.Start.Add(time.Duration(k) * sc.Step)
		if opts.Pace != nil {
			if err := opts.Pace(t); err != nil {
				return nil, err
			}
		}
		clock.Set(t)
		work := s.workday(t)
		h := hourOfDay(t)
		workHours := work && h >= 8 && h < 18
		tOut := o.Temp(t)
		wOut := o.Humidity / 100 * satVapour(tOut)
		report := k%every == 0
		clear(floorN)
		site, metered, evSite := 0.0, 0.0, 0.0
		for _, sp := range s.spaces {
			var n int
			if ev := sp.ev; ev != nil {
				n = ev.update(t, work)
				if ev.policy == "udf" {
					ev.readLimit(s.e)
				}
				ev.allocate(dt)
			} else if sp.retail != nil {
				n = sp.retail.people(t, s.openDay(t), dt)
			} else {
				n = sp.occ.people(t, work, dt)
			}
			day := int(t.Unix() / 86400)
			if day != sp.cloudDay {
				sp.cloudDay, sp.clouds = day, sp.rng.Float64()
			}
			// People in the room's physics: cars in a car park breathe no CO₂.
			people := n
			if sp.ev != nil {
				people = 0
			}
			r := &sp.room
			r.Lamps = n > 0
			r.Lux = o.DaylightAt(t, sp.clouds)
			if r.Lamps {
				r.Lux += LightsLux
			}
			// KPIs over this step.
			floorN[sp.floor] += n
			sp.peak = max(sp.peak, n)
			if workHours {
				sp.workH += dt
				if n > 0 {
					sp.occupiedH += dt
				}
			}
			sp.personH += float64(n) * dt
			if r.CO2 > 1000 {
				sp.co2H += dt
			}
			if people > 0 && (r.T < 20 || r.T > 26) {
				sp.comfortH += dt
			}
			if report && spaceSeries != nil {
				buf = append(buf[:0], t.Format(time.RFC3339)...)
				buf = append(buf, ',')
				buf = append(buf, csvField(sp.name)...)
				buf = append(buf, ',')
				buf = strconv.AppendInt(buf, int64(n), 10)
				buf = append(buf, ',')
				buf = strconv.AppendFloat(buf, r.CO2, 'f', 1, 64)
				buf = append(buf, ',')
				buf = strconv.AppendFloat(buf, r.T, 'f', 2, 64)
				buf = append(buf, '\n')
				spaceSeries.Write(buf)
			}
			if report {
				for i := range sp.sensors {
					sn := &sp.sensors[i]
					if sp.ev != nil {
						buf = sp.ev.reading(buf[:0], sp, sn.kind, sn.charger, n)
					} else if sn.kind == "SoilMoisture" {
						buf = sp.garden.reading(buf[:0])
					} else {
						buf = sp.reading(buf[:0], sn.kind, n)
					}
					if s.faults != nil {
						var send bool
						if buf, send = s.fault(sn.hw, t, buf); !send {
							continue
						}
					}
					if series != nil {
						series.WriteString(t.Format(time.RFC3339))
						series.WriteByte(',')
						series.WriteString(sn.hw)
						series.WriteByte(',')
						series.Write(buf)
						series.WriteByte('\n')
					}
					var payload []byte
					if wrap {
						payload = make([]byte, 0, len(buf)+20)
						payload = append(payload, `{"SensorValue":"`...)
						payload = append(append(payload, buf...), `"}`...)
					} else {
						payload = append([]byte(nil), buf...)
					}
					tk, err := p.Submit(&engine.IngressMessage{Topic: sn.topic, Payload: payload, QoS: 1, Username: sn.device, Received: t})
					if err != nil {
						return nil, fmt.Errorf("simulate: submit %s: %w", sn.hw, err)
					}
					if tk != nil {
						last[sn.device] = tk
						if sp.ev != nil && sp.ev.policy == "udf" {
							tickets = append(tickets, tk)
						}
					}
					res.Readings++
				}
				// A UDF that steers the chargers sees these readings
				// before the next step reads its limit: deterministic.
				for _, tk := range tickets {
					tk.Wait()
				}
				tickets = tickets[:0]
			}
			// Physics to t + step.
			hvacOn := work && h >= 6 && h < 19
			r.CO2 = CO2Step(r.CO2, float64(people), r.V, r.Q, o.CO2, dt)
			hvac := r.TempStep(float64(people), tOut, dt, hvacOn)
			r.W = HumidityStep(r.W, float64(people), r.V, r.Q, wOut, dt)
			if sp.garden != nil {
				sp.garden.step(t, dt)
			}
			if ev := sp.ev; ev != nil {
				ev.charge(dt)
				m := &sp.meter
				m.power, m.hvacW = ev.site*1000, 0
				m.energy += ev.site * dt
				m.peak = max(m.peak, m.power)
				evSite += ev.site
			} else {
				sp.meter.step(r, n, hvac, dt)
			}
			site += sp.meter.power
			if sp.metered {
				metered += sp.meter.power
			}
		}
		s.sitePeak = max(s.sitePeak, site)
		s.meteredPeak = max(s.meteredPeak, metered)
		s.evPeak = max(s.evPeak, evSite)
		for name, n := range floorN {
			f := floors[name]
			f.Peak = max(f.Peak, n)
			f.personH += float64(n) * dt
			if workHours {
				f.workPersonH += float64(n) * dt
				f.workH += dt
			}
		}
	}
	clock.Set(sc.Start.Add(time.Duration(steps) * sc.Step))
	for _, w := range []*bufio.Writer{series, spaceSeries} {
		if w != nil {
			if err := w.Flush(); err != nil {
				return nil, err
			}
		}
	}
	// Wait for every device's last reading: per device, commits are in order.
	devs := make([]string, 0, len(last))
	for d := range last {
		devs = append(devs, d)
	}
	sort.Strings(devs)
	for _, d := range devs {
		last[d].Wait() // a rejected last reading is counted below
	}
	if f, ok := p.(Flusher); ok {
		if err := f.Flush(); err != nil {
			return nil, fmt.Errorf("simulate: %w", err)
		}
	}
	res.Wall = time.Since(wall)
	if sp, ok := p.(StatsSource); ok {
		st := sp.Stats()
		res.Rejected = st.Rejected - stats0.Rejected
	}
	if opts.UDFs != nil {
		res.UDFCounted = true
		res.UDFExecutions = opts.UDFs.executions.Load()
		res.UDFFailures = opts.UDFs.failed.Load() + opts.UDFs.timedOut.Load()
		res.Notifications = opts.UDFs.notifications.Load()
	}
	s.energyKPIs(res)
	for _, sp := range s.spaces {
		k := SpaceKPI{Name: sp.name, Floor: sp.floor, Model: sp.model, Capacity: sp.capacity, Peak: sp.peak,
			CO2Hours: sp.co2H, ComfortHours: sp.comfortH, PersonHours: sp.personH}
		if sp.workH > 0 {
			k.OccupancyRate = sp.occupiedH / sp.workH
		}
		res.Spaces = append(res.Spaces, k)
	}
	sort.Strings(floorNames)
	for _, name := range floorNames {
		f := floors[name]
		if f.workH > 0 && f.Capacity > 0 {
			f.OccupancyRate = f.workPersonH / (f.workH * float64(f.Capacity))
		}
		res.Floors = append(res.Floors, *f)
	}
	return res, nil
}

// reading formats one sensor reading of kind with n people present.
func (sp *simSpace) reading(b []byte, kind string, n int) []byte {
	r := &sp.room
	switch kind {
	case "Motion":
		return strconv.AppendBool(b, Motion(sp.rng, n))
	case "CarbonDioxide":
		return strconv.AppendFloat(b, math.Max(0, math.Round(r.CO2+3*sp.rng.NormFloat64())), 'f', 0, 64)
	case "Temperature":
		return strconv.AppendFloat(b, r.T+0.05*sp.rng.NormFloat64(), 'f', 1, 64)
	case "Light":
		return strconv.AppendFloat(b, math.Max(0, math.Round(r.Lux+5*sp.rng.NormFloat64())), 'f', 0, 64)
	case "Humidity":
		return strconv.AppendFloat(b, math.Max(0, math.Min(100, RelativeHumidity(r.W, r.T)+0.3*sp.rng.NormFloat64())), 'f', 0, 64)
	case "Occupancy":
		return strconv.AppendBool(b, n > 0)
	case "PeopleCount":
		return strconv.AppendInt(b, int64(n), 10)
	}
	return sp.meterReading(b, kind, n)
}
