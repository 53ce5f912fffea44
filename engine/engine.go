package engine

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure an Engine. The zero value is valid.
type Options struct {
	// HistoryInMemory is how many past values of each sensor and space value
	// stay in memory for fast reads (UDF history calls). Default 32. Older
	// history is read from the Store.
	HistoryInMemory int
	// Now returns the current time; default time.Now. The simulator drives
	// it with its clock.
	Now func() time.Time
}

func (o *Options) ensureDefaults() {
	if o.HistoryInMemory <= 0 {
		o.HistoryInMemory = 32
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Engine is the live graph of one project. See the package documentation
// for its concurrency and durability contracts.
type Engine struct {
	mu     sync.RWMutex // guards g; see Update for how long writers hold it
	updMu  sync.Mutex   // serializes Updates through their commit
	g      *graph
	store  Store
	com    *committer
	opts   Options
	closed bool
	bus    Bus

	gen        atomic.Uint64 // bumped by every topology change
	connGen    atomic.Uint64 // bumped by every device connection change
	matchMu    sync.Mutex
	matchCache map[ID]matchEntry
	peMu       sync.RWMutex
	pe         PathEvaluator
	udfMu      sync.RWMutex
	udfRT      UDFRuntime
	records    udfRecords
	stop       chan struct{}
	bg         sync.WaitGroup
}

// Events is the engine's event bus: SensorChange, SpaceChange,
// DeviceMessage, UdfCustom and TopologyOperation events go out on it.
func (e *Engine) Events() *Bus { return &e.bus }

// New loads the graph from store and returns an engine that owns it.
// Close the engine to commit what is pending and close the store.
func New(store Store, opts Options) (*Engine, error) {
	opts.ensureDefaults()
	g := newGraph(opts.HistoryInMemory)
	if err := store.Load(g.loadObject, g.loadValue); err != nil {
		return nil, fmt.Errorf("engine: load: %w", err)
	}
	if err := g.link(); err != nil {
		return nil, fmt.Errorf("engine: load: %w", err)
	}
	if err := g.loadHistory(store); err != nil {
		return nil, fmt.Errorf("engine: load history: %w", err)
	}
	e := &Engine{g: g, store: store, com: newCommitter(store), opts: opts, stop: make(chan struct{})}
	if len(g.orphans) > 0 {
		ops := make([]Op, 0, len(g.orphans))
		for owner := range g.orphans {
			ops = append(ops, Op{Type: OpDropValues, Key: owner})
		}
		g.orphans = nil
		if err := e.com.submit(ops).Wait(); err != nil {
			e.com.close()
			return nil, fmt.Errorf("engine: drop the values of deleted objects: %w", err)
		}
	}
	e.bg.Add(1)
	go e.background()
	return e, nil
}

// background persists execution records every second.
func (e *Engine) background() {
	defer e.bg.Done()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
			e.flushRecords()
		}
	}
}

// Close commits pending writes, stops the committer and closes the store.
// Calls after the first return nil.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	e.mu.Unlock()
	close(e.stop)
	e.bg.Wait()
	e.flushRecords()
	e.com.close()
	return e.store.Close()
}

// CommitStats returns the committer's counters.
func (e *Engine) CommitStats() CommitStats { return e.com.snapshot() }

// Now is the engine's clock.
func (e *Engine) Now() time.Time { return e.opts.Now() }

// View runs fn with a consistent read-only view of the graph. The view is
// valid only during fn. fn must not call Update (it would deadlock).
func (e *Engine) View(fn func(v *View) error) error {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return fn(&View{g: e.g})
}

// Update runs fn in a write transaction. Changes fn makes through tx are
// visible to tx at once and to nobody else until fn returns nil; then they
// are applied together (readers never see half of a transaction) and
// handed to the committer, and the exclusive lock is released before the
// commit finishes, so readers and the telemetry pipeline go on while the
// Store syncs. Update returns once the commit is durable. If fn returns an
// error nothing is applied; if the commit fails the changes are rolled
// back under the lock (Generation moves again) and the error is returned.
// Updates are serialized: the next one starts after this one's commit.
// Update must not be called from fn or from a View.
func (e *Engine) Update(fn func(tx *Tx) error) error {
	e.updMu.Lock()
	defer e.updMu.Unlock()
	tx, c, err := e.apply(fn)
	if err != nil || c == nil {
		return err
	}
	if err := c.Wait(); err != nil {
		e.mu.Lock()
		tx.rollback()
		e.gen.Add(1)
		e.mu.Unlock()
		return fmt.Errorf("engine: commit: %w", err)
	}
	return nil
}

// apply runs fn under the exclusive lock and submits its ops: the first
// half of Update. It returns no commit when fn failed (rolled back) or
// changed nothing.
func (e *Engine) apply(fn func(tx *Tx) error) (*Tx, *Commit, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil, nil, ErrClosed
	}
	tx := &Tx{View: View{g: e.g}, now: e.opts.Now()}
	if err := fn(tx); err != nil {
		tx.rollback()
		return nil, nil, err
	}
	if len(tx.ops) == 0 {
		return nil, nil, nil
	}
	// Submitted under the lock: anything that reads the change and then
	// commits a write of its own is queued after it.
	c := e.com.submit(tx.ops)
	e.gen.Add(1)
	return tx, c, nil
}

// Stats counts the graph's objects.
type Stats struct {
	Spaces, Devices, Sensors, Users, Matchers, UDFs, RoleAssignments, Endpoints, Resources, PropertyKeys, Types int
}

// Total is the number of graph objects.
func (s Stats) Total() int {
	return s.Spaces + s.Devices + s.Sensors + s.Users + s.Matchers + s.UDFs + s.RoleAssignments + s.Endpoints + s.Resources + s.PropertyKeys
}

// Stats returns object counts.
func (e *Engine) Stats() Stats {
	e.mu.RLock()
	defer e.mu.RUnlock()
	g := e.g
	return Stats{len(g.spaces), len(g.devices), len(g.sensors), len(g.users), len(g.matchers), len(g.udfs),
		len(g.roles), len(g.endpoints), len(g.resources), len(g.propKeys), len(g.types.byID)}
}

// graph is the in-memory state. Guarded by Engine.mu.
type graph struct {
	spaces    map[ID]*spaceNode
	roots     []*spaceNode
	devices   map[ID]*deviceNode
	sensors   map[ID]*sensorNode
	users     map[ID]*userNode
	devByHW   map[string]*deviceNode
	senByHW   map[string]*sensorNode
	matchers  map[ID]*Matcher
	udfs      map[ID]*UDF
	roles     map[ID]*RoleAssignment
	endpoints map[ID]*Endpoint
	resources map[ID]*Resource
	propKeys  map[int]*PropertyKey
	types     *typeRegistry
	// tokens (tokens.go), by id, by hash of the secret and by folded name
	tokens      map[ID]*Token
	tokenHashes map[string]ID
	tokenNames  map[string]ID
	// custom roles (customroles.go)
	customRoles map[ID]*Role
	// floor plans by floor (floorplan.go)
	floorPlans map[ID]*FloorPlan

	// indexes (index.go)
	rootNames nameIndex[*spaceNode]   // root spaces by name
	keyNames  nameIndex[*PropertyKey] // property keys by name
	// matchers and UDFs by name in their space, role assignments by role,
	// object and path
	matcherNames, udfNames idIndex[scopedName]
	roleKeys               idIndex[roleKey]
	resourcesIn            idIndex[ID] // resources by space
	histLen                int
	nextKeyID              int
	// scriptVersions is the number of the newest kept version of each
	// UDF's script (versions.go); absent: none kept.
	scriptVersions map[ID]int

	// filled during load, in the store's order, then dropped by link
	loadValues []loadedValue
	// orphans are owners of stored values that are no object (any more):
	// sensors and spaces an Editor deleted, whose values it kept for an
	// undo that did not come. New drops them.
	orphans     map[ID]bool
	loadSpaces  []*spaceNode
	loadDevices []*deviceNode
	loadSensors []*sensorNode
	loadUsers   []*userNode
}

type loadedValue struct {
	owner ID
	name  string
	v     Value
}

type spaceNode struct {
	s        *Space
	parent   *spaceNode
	level    int
	children []*spaceNode
	// childNames indexes children by name (index.go); nil until needed.
	childNames nameIndex[*spaceNode]
	devices    []*deviceNode
	sensors    []*sensorNode
	users      []*userNode
	values     map[string]*valueCell
	// devices by name and users by upn (index.go); nil for short lists
	deviceNames nameIndex[*deviceNode]
	userNames   nameIndex[*userNode]
}

type deviceNode struct {
	d       *Device
	space   *spaceNode
	sensors []*sensorNode
}

type sensorNode struct {
	s      *Sensor
	space  *spaceNode
	device *deviceNode
	value  *valueCell
}

type userNode struct {
	u     *User
	space *spaceNode
}

// valueCell is a current value with a ring of recent history.
type valueCell struct {
	cur  Value
	hist []Value // oldest first, at most graph.histLen
}

func (c *valueCell) push(v Value, max int) {
	if len(c.hist) >= max {
		copy(c.hist, c.hist[1:])
		c.hist = c.hist[:len(c.hist)-1]
	}
	c.hist = append(c.hist, v)
	c.cur = v
}

func newGraph(histLen int) *graph {
	return &graph{
		spaces: map[ID]*spaceNode{}, devices: map[ID]*deviceNode{}, sensors: map[ID]*sensorNode{},
		users: map[ID]*userNode{}, devByHW: map[string]*deviceNode{}, senByHW: map[string]*sensorNode{},
		matchers: map[ID]*Matcher{}, udfs: map[ID]*UDF{}, roles: map[ID]*RoleAssignment{},
		endpoints: map[ID]*Endpoint{}, resources: map[ID]*Resource{}, propKeys: map[int]*PropertyKey{},
		types: newTypeRegistry(), histLen: histLen, nextKeyID: 1,
		rootNames: nameIndex[*spaceNode]{}, keyNames: nameIndex[*PropertyKey]{},
		matcherNames: idIndex[scopedName]{}, udfNames: idIndex[scopedName]{}, roleKeys: idIndex[roleKey]{},
		resourcesIn: idIndex[ID]{}, scriptVersions: map[ID]int{},
		tokens: map[ID]*Token{}, tokenHashes: map[string]ID{}, tokenNames: map[string]ID{},
		customRoles: map[ID]*Role{}, floorPlans: map[ID]*FloorPlan{},
	}
}

func (g *graph) loadObject(o Object) error {
	switch x := o.(type) {
	case *Space:
		n := &spaceNode{s: x}
		g.spaces[x.ID] = n
		g.loadSpaces = append(g.loadSpaces, n)
	case *Device:
		n := &deviceNode{d: x}
		g.devices[x.ID] = n
		g.loadDevices = append(g.loadDevices, n)
	case *Sensor:
		n := &sensorNode{s: x}
		g.sensors[x.ID] = n
		g.loadSensors = append(g.loadSensors, n)
	case *User:
		n := &userNode{u: x}
		g.users[x.ID] = n
		g.loadUsers = append(g.loadUsers, n)
	case *Matcher:
		if old := g.matchers[x.ID]; old != nil {
			g.matcherNames.remove(scopedName{old.SpaceID, foldKey(old.Name)}, x.ID)
		}
		g.matchers[x.ID] = x
		g.indexSimpleLoaded(x.ID, x)
	case *UDF:
		if old := g.udfs[x.ID]; old != nil {
			g.udfNames.remove(scopedName{old.SpaceID, foldKey(old.Name)}, x.ID)
		}
		g.udfs[x.ID] = x
		g.indexSimpleLoaded(x.ID, x)
	case *RoleAssignment:
		if old := g.roles[x.ID]; old != nil {
			g.roleKeys.remove(roleKeyOf(old), x.ID)
		}
		g.roles[x.ID] = x
		g.indexSimpleLoaded(x.ID, x)
	case *Endpoint:
		g.endpoints[x.ID] = x
	case *Resource:
		if old := g.resources[x.ID]; old != nil {
			g.resourcesIn.remove(old.SpaceID, x.ID)
		}
		g.resources[x.ID] = x
		g.indexSimpleLoaded(x.ID, x)
	case *PropertyKey:
		if old := g.propKeys[x.ID]; old != nil {
			g.keyNames.remove(old.Name, old)
		}
		g.propKeys[x.ID] = x
		g.keyNames.add(x.Name, x)
		if x.ID >= g.nextKeyID {
			g.nextKeyID = x.ID + 1
		}
	case *ExtendedType:
		g.types.put(x)
	case *Token:
		if old := g.tokens[x.ID]; old != nil {
			g.unindexToken(old)
		}
		g.tokens[x.ID] = x
		g.indexToken(x)
	case *Role:
		g.customRoles[x.ID] = x
	case *FloorPlan:
		g.floorPlans[x.FloorID] = x
	case *Ontology:
		if on := g.types.ontologies[x.ID]; on != nil {
			on.Loaded = x.Loaded
		} else {
			g.types.ontologies[x.ID] = x
		}
	default:
		return fmt.Errorf("%w: unexpected object %T", ErrInvalid, o)
	}
	return nil
}

func (g *graph) loadValue(owner ID, name string, v Value) error {
	g.loadValues = append(g.loadValues, loadedValue{owner, name, v})
	return nil
}

// link builds the indexes after a load. Lists are built in the store's
// order (key order: creation order for these time-ordered ids) and sorted
// only if that order was not already sorted.
func (g *graph) link() error {
	g.devByHW = make(map[string]*deviceNode, len(g.loadDevices))
	g.senByHW = make(map[string]*sensorNode, len(g.loadSensors))
	for _, n := range g.loadSpaces {
		if n.s.ParentID.IsZero() {
			g.roots = append(g.roots, n)
			continue
		}
		p := g.spaces[n.s.ParentID]
		if p == nil {
			return fmt.Errorf("%w: space %s has missing parent %s", ErrInvalid, n.s.ID, n.s.ParentID)
		}
		n.parent = p
		p.children = append(p.children, n)
	}
	sortSpaces(g.roots)
	for _, r := range g.roots {
		g.setLevels(r, 1)
	}
	for _, n := range g.loadSpaces {
		if n.level == 0 {
			return fmt.Errorf("%w: space %s is in a parent cycle", ErrInvalid, n.s.ID)
		}
		sortSpaces(n.children)
	}
	for _, n := range g.roots {
		g.rootNames.add(n.s.Name, n)
	}
	for _, n := range g.loadSpaces {
		if len(n.children) > 0 {
			ix := g.childNames(n)
			for _, c := range n.children {
				ix.add(c.s.Name, c)
			}
		}
	}
	for _, d := range g.loadDevices {
		sp := g.spaces[d.d.SpaceID]
		if sp == nil {
			return fmt.Errorf("%w: device %s has missing space %s", ErrInvalid, d.d.ID, d.d.SpaceID)
		}
		d.space = sp
		sp.devices = append(sp.devices, d)
		g.devByHW[d.d.HardwareID] = d
	}
	for _, s := range g.loadSensors {
		sp, dev := g.spaces[s.s.SpaceID], g.devices[s.s.DeviceID]
		if sp == nil || dev == nil {
			return fmt.Errorf("%w: sensor %s has a missing space or device", ErrInvalid, s.s.ID)
		}
		s.space, s.device = sp, dev
		sp.sensors = append(sp.sensors, s)
		dev.sensors = append(dev.sensors, s)
		g.senByHW[s.s.HardwareID] = s
	}
	for _, u := range g.loadUsers {
		sp := g.spaces[u.u.SpaceID]
		if sp == nil {
			return fmt.Errorf("%w: user %s has missing space %s", ErrInvalid, u.u.ID, u.u.SpaceID)
		}
		u.space = sp
		sp.users = append(sp.users, u)
	}
	for _, sp := range g.loadSpaces {
		sortBy(sp.devices, func(d *deviceNode) ID { return d.d.ID })
		sortBy(sp.sensors, func(s *sensorNode) ID { return s.s.ID })
		sortBy(sp.users, func(u *userNode) ID { return u.u.ID })
		if len(sp.devices) > smallList {
			sp.deviceNames = buildIndex(sp.devices, deviceName)
		}
		if len(sp.users) > smallList {
			sp.userNames = buildIndex(sp.users, userUPN)
		}
	}
	for _, d := range g.loadDevices {
		sortBy(d.sensors, func(s *sensorNode) ID { return s.s.ID })
	}
	for _, lv := range g.loadValues {
		g.noteOrphan(lv.owner)
		if g.udfs[lv.owner] != nil && lv.name == versionsName {
			g.loadScriptVersion(lv.owner, lv.v)
		} else if s := g.sensors[lv.owner]; s != nil && lv.name == "" {
			s.value = &valueCell{cur: lv.v}
		} else if sp := g.spaces[lv.owner]; sp != nil && lv.name != "" {
			if sp.values == nil {
				sp.values = map[string]*valueCell{}
			}
			sp.values[lv.name] = &valueCell{cur: lv.v}
		}
	}
	g.loadValues, g.loadSpaces, g.loadDevices, g.loadSensors, g.loadUsers = nil, nil, nil, nil, nil
	return nil
}

// sortBy sorts list by id unless it is sorted already.
func sortBy[T any](list []T, id func(T) ID) {
	less := func(a, b T) int {
		x, y := id(a), id(b)
		if idLess(x, y) {
			return -1
		}
		if x == y {
			return 0
		}
		return 1
	}
	if !slices.IsSortedFunc(list, less) {
		slices.SortFunc(list, less)
	}
}

// noteOrphan records owner as an orphan when no sensor, space or UDF has
// its id.
func (g *graph) noteOrphan(owner ID) {
	if g.sensors[owner] == nil && g.spaces[owner] == nil && g.udfs[owner] == nil {
		if g.orphans == nil {
			g.orphans = map[ID]bool{}
		}
		g.orphans[owner] = true
	}
}

// loadHistory fills the in-memory history rings from the store.
func (g *graph) loadHistory(store Store) error {
	fill := func(owner ID, name string, h []Value) {
		g.noteOrphan(owner)
		var c *valueCell
		if s := g.sensors[owner]; s != nil && name == "" {
			c = s.value
		} else if sp := g.spaces[owner]; sp != nil && name != "" {
			c = sp.values[name]
		}
		if c != nil && len(h) > 0 {
			c.hist = h
		}
	}
	if rh, ok := store.(RecentHistorian); ok {
		return rh.RecentHistory(g.histLen, func(owner ID, name string, h []Value) error {
			fill(owner, name, h)
			return nil
		})
	}
	for id, s := range g.sensors {
		if s.value != nil {
			h, err := store.History(id, "", g.histLen)
			if err != nil {
				return err
			}
			fill(id, "", h)
		}
	}
	for id, sp := range g.spaces {
		for name := range sp.values {
			h, err := store.History(id, name, g.histLen)
			if err != nil {
				return err
			}
			fill(id, name, h)
		}
	}
	return nil
}

func (n *spaceNode) setValue(name string, v Value, max int) (prev Value, had bool) {
	if n.values == nil {
		n.values = map[string]*valueCell{}
	}
	c := n.values[name]
	if c == nil {
		c = &valueCell{}
		n.values[name] = c
	} else {
		prev, had = c.cur, true
	}
	c.push(v, max)
	return prev, had
}

func (g *graph) setLevels(n *spaceNode, level int) {
	n.level = level
	for _, c := range n.children {
		g.setLevels(c, level+1)
	}
}

func sortSpaces(list []*spaceNode) { sortBy(list, func(n *spaceNode) ID { return n.s.ID }) }

func idLess(a, b ID) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

func removeNode[T comparable](list []T, x T) []T {
	for i, v := range list {
		if v == x {
			return append(list[:i:i], list[i+1:]...)
		}
	}
	return list
}
