package simulator

import (
	"math"
	"sort"
	"strconv"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// model is how one kind of space behaves over a run: who is present, what
// its sensors read, and what it adds to the room's physics and the KPIs.
// Each kind registers under the name a scenario's model: field gives
// (registerModel). The run loop (Sim.Run) knows no kind: it asks the
// space's model, then steps the room's CO₂, temperature and humidity the
// same way for every kind.
//
// A model is used by one run at a time, from the run's goroutine.
type model interface {
	// reset puts the model's run state back to the start of a run.
	reset()
	// present advances the model to the step st and returns n, how many
	// are present (people; for a car park, the cars plugged in), and
	// people, how many of them breathe and warm the room.
	present(sp *simSpace, st *step) (n, people int)
	// read appends sensor sn's reading to b with n present.
	read(b []byte, sp *simSpace, sn *simSensor, n int) []byte
	// advance integrates the model's own state over the step, after the
	// room's physics; hvac is the thermal power the HVAC used (W). It
	// sets the space's meter.
	advance(sp *simSpace, st *step, n int, hvac float64)
	// kpis adds the model's own KPIs of sp to res once the run is done.
	kpis(sp *simSpace, res *Result)
}

// modelKind describes one registered model.
type modelKind struct {
	name string
	// defaults are the room parameters a rule does not set.
	defaults defaults
	// subtypes are the space subtypes that pick this model when no rule
	// names one.
	subtypes []string
	// only are the data types no other model drives (beyond the room's
	// Motion, CarbonDioxide, Temperature, Light, Humidity, Power, Energy,
	// Occupancy and PeopleCount).
	only []string
	// bind makes the model of space sp with the merged parameters p.
	bind func(sp *simSpace, p Params, b *binding) model
}

type defaults struct{ people, volume, ventilation, hvac, envelope float64 }

// binding is what a model's bind may read and set besides the space.
type binding struct {
	v       *engine.View
	space   *engine.Space
	sensors []*engine.Sensor
	// chargerOf gives a device (hardwareId) the charger number of the
	// sensors it carries (car parks), 1-based.
	chargerOf map[string]int
}

// kinds are the registered models, in registration order; Models lists
// their names.
var kinds []*modelKind

// kindByName finds a registered model.
func kindByName(name string) *modelKind {
	for _, k := range kinds {
		if k.name == name {
			return k
		}
	}
	return nil
}

// registerModel makes a model known by name. Registration happens at
// package initialisation; a name registered twice panics.
func registerModel(k *modelKind) {
	if kindByName(k.name) != nil {
		panic("simulator: model " + k.name + " registered twice")
	}
	kinds = append(kinds, k)
	Models = append(Models, k.name)
	for _, dt := range k.only {
		onlyKind[dt] = k.name
	}
}

// onlyKind maps a data type only one model drives to that model.
var onlyKind = map[string]string{}

// defaultModel picks a model from a space subtype: the model that lists
// it, else office.
func defaultModel(subtype string) string {
	for _, k := range kinds {
		for _, s := range k.subtypes {
			if s == subtype {
				return k.name
			}
		}
	}
	return "office"
}

// drives reports whether a space of model kind drives sensors of data
// type dt.
func drives(kind, dt string) bool {
	if !dataTypes[dt] {
		return false
	}
	if only, ok := onlyKind[dt]; ok {
		return only == kind
	}
	return true
}

func init() {
	room := func(sp *simSpace, p Params, b *binding) model {
		return &roomModel{occ: occupancy{model: sp.model, capacity: sp.capacity, rng: sp.rng, day: math.MinInt}}
	}
	registerModel(&modelKind{name: "office", bind: room,
		defaults: defaults{people: 4, volume: 60, ventilation: 100, hvac: 1500, envelope: 20}})
	registerModel(&modelKind{name: "meeting", bind: room,
		defaults: defaults{people: 8, volume: 75, ventilation: 150, hvac: 2500, envelope: 25},
		subtypes: []string{"ConferenceRoom", "MeetingRoom", "TeamRoom", "Classroom"}})
	registerModel(&modelKind{name: "common", bind: room,
		defaults: defaults{people: 6, volume: 90, ventilation: 150, hvac: 2000, envelope: 30},
		subtypes: []string{"Lobby", "Reception", "Kitchen", "NeighborhoodArea", "PhoneRoom", "PhoneRoomArea", "WellnessRoom",
			"CopyRoom", "FocusRoomArea", "TeamRoomArea"}})
	registerModel(&modelKind{name: "empty", bind: room,
		defaults: defaults{people: 0, volume: 30, ventilation: 30, hvac: 0, envelope: 10},
		subtypes: []string{"StorageRoom", "ServerRoom"}})
	registerModel(&modelKind{name: "carpark", bind: bindCarPark, only: []string{"StateOfCharge"},
		defaults: defaults{people: 0, volume: 3000, ventilation: 6000, hvac: 0, envelope: 200},
		subtypes: []string{"ParkingSpot", "ChargingBay"}})
	registerModel(&modelKind{name: "retail",
		defaults: defaults{people: 40, volume: 600, ventilation: 1200, hvac: 8000, envelope: 80},
		subtypes: []string{"Shop", "StoreVenue", "SalesVenue", "Restaurant"},
		bind: func(sp *simSpace, p Params, b *binding) model {
			rp := defaultRetail
			if p.Visitors != nil {
				rp = *p.Visitors
			}
			return &retailModel{retail{p: rp, cap: sp.capacity, rng: sp.rng}}
		}})
	registerModel(&modelKind{name: "garden", only: []string{"SoilMoisture"},
		defaults: defaults{people: 0, volume: 100, ventilation: 1000, hvac: 0, envelope: 100},
		subtypes: []string{"GardenBed"},
		bind: func(sp *simSpace, p Params, b *binding) model {
			gp := defaultGarden
			if p.Garden != nil {
				gp = *p.Garden
			}
			return &gardenModel{roomModel: *room(sp, p, b).(*roomModel), g: garden{p: gp, rng: sp.rng}}
		}})
}

// roomModel is an office, meeting room, common area or empty room: the
// occupancy of its kind (models.go) with PIR, CO₂, temperature, humidity,
// light, occupancy, people count and meter sensors.
type roomModel struct{ occ occupancy }

func (m *roomModel) reset() {}

func (m *roomModel) present(sp *simSpace, st *step) (int, int) {
	n := m.occ.people(st.t, st.work, st.dt)
	return n, n
}

func (m *roomModel) read(b []byte, sp *simSpace, sn *simSensor, n int) []byte {
	return sp.reading(b, sn.kind, n)
}

func (m *roomModel) advance(sp *simSpace, st *step, n int, hvac float64) {
	sp.meter.step(&sp.room, n, hvac, st.dt)
}

func (m *roomModel) kpis(*simSpace, *Result) {}

// retailModel is a shop: visitors arrive over opening hours (outdoor.go).
type retailModel struct{ r retail }

func (m *retailModel) reset() { m.r.leave, m.r.turned = m.r.leave[:0], 0 }

func (m *retailModel) present(sp *simSpace, st *step) (int, int) {
	n := m.r.people(st.t, st.s.openDay(st.t), st.dt)
	return n, n
}

func (m *retailModel) read(b []byte, sp *simSpace, sn *simSensor, n int) []byte {
	return sp.reading(b, sn.kind, n)
}

func (m *retailModel) advance(sp *simSpace, st *step, n int, hvac float64) {
	sp.meter.step(&sp.room, n, hvac, st.dt)
}

func (m *retailModel) kpis(*simSpace, *Result) {}

// gardenModel is a garden bed: a room model with its soil moisture
// (outdoor.go).
type gardenModel struct {
	roomModel
	g garden
}

func (m *gardenModel) reset() {
	g := &m.g
	g.theta, g.min = g.p.Initial, g.p.Initial
	g.rainMM, g.irrMM, g.etMM, g.irrigations = 0, 0, 0, 0
	g.water = nil
}

func (m *gardenModel) read(b []byte, sp *simSpace, sn *simSensor, n int) []byte {
	if sn.kind == "SoilMoisture" {
		return m.g.reading(b)
	}
	return sp.reading(b, sn.kind, n)
}

func (m *gardenModel) advance(sp *simSpace, st *step, n int, hvac float64) {
	m.g.step(st.t, st.dt)
	sp.meter.step(&sp.room, n, hvac, st.dt)
}

func (m *gardenModel) kpis(sp *simSpace, res *Result) {
	g := &m.g
	res.Gardens = append(res.Gardens, GardenKPI{Name: sp.name, RainMM: g.rainMM, IrrigationMM: g.irrMM,
		EvapotranspirationMM: g.etMM, Irrigations: g.irrigations, MinMoisture: g.min, ThresholdPct: g.p.Threshold, Water: g.water})
}

// bindCarPark makes a car park's EV model (ev.go): the devices with a
// StateOfCharge sensor are the chargers, in hardwareId order, and the
// space's capacity is its chargers.
func bindCarPark(sp *simSpace, p Params, b *binding) model {
	var chargers []string
	for _, sn := range b.sensors {
		if b.v.TypeName(sn.DataTypeID) == "StateOfCharge" {
			if dev, ok := b.v.Device(sn.DeviceID); ok && b.chargerOf[dev.HardwareID] == 0 {
				b.chargerOf[dev.HardwareID] = -1
				chargers = append(chargers, dev.HardwareID)
			}
		}
	}
	sort.Strings(chargers)
	for i, c := range chargers {
		b.chargerOf[c] = i + 1
	}
	ev := newEVPark(p, len(chargers), b.space.ID, sp.rng)
	sp.capacity = ev.chargers
	// A UDF that steers the chargers must see a step's readings before
	// the next step reads its limit.
	sp.waitUDF = ev.policy == "udf"
	return ev
}

func (ev *evPark) present(sp *simSpace, st *step) (int, int) {
	n := ev.update(st.t, st.work)
	if ev.policy == "udf" {
		ev.readLimit(st.s.e)
	}
	ev.allocate(st.dt)
	return n, 0 // cars breathe no CO₂
}

func (ev *evPark) read(b []byte, sp *simSpace, sn *simSensor, n int) []byte {
	return ev.reading(b, sp, sn.kind, sn.charger, n)
}

func (ev *evPark) advance(sp *simSpace, st *step, n int, hvac float64) {
	ev.charge(st.dt)
	m := &sp.meter
	m.power, m.hvacW = ev.site*1000, 0
	m.energy += ev.site * st.dt
	m.peak = max(m.peak, m.power)
	st.evKW += ev.site
}

func (ev *evPark) kpis(sp *simSpace, res *Result) {
	res.EV = append(res.EV, EVKPI{Name: sp.name, Chargers: ev.chargers, Policy: ev.policy, GridLimitKW: ev.grid,
		DeliveredKWh: ev.delivered, UnmetKWh: ev.unmet, PeakKW: ev.peak, HoursOverLimit: ev.overH,
		Cars: ev.arrivedN, TurnedAway: ev.turnedAway, ArrivedAt: ev.arrivedAt, TurnedAwayAt: ev.awayAt})
}

// step is one step of a run: its time and what every space shares.
type step struct {
	s         *Sim
	t         time.Time
	dt        float64 // hours
	h         float64 // hour of day
	work      bool    // a working day
	workHours bool    // 08:00 to 18:00 on a working day
	report    bool    // sensors report at this step
	tOut      float64 // °C outdoors
	wOut      float64 // g/m³ outdoors

	// Sums over the spaces, for the site's peaks.
	site, metered, evKW float64
}

// reading formats one room sensor reading of kind with n people present.
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
