package bench

import (
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/bbolt"
)

// openProject opens a project file with the real store and engine.
func openProject(path string) (*engine.Engine, error) {
	st, err := bbolt.Open(path, bbolt.Options{})
	if err != nil {
		return nil, err
	}
	e, err := engine.New(st, engine.Options{})
	if err != nil {
		st.Close()
		return nil, err
	}
	return e, nil
}

// buildingPlan makes a provisioning plan of about n objects: buildings of
// 10 floors with rooms, each room one device with 4 sensors.
func buildingPlan(n int) (*engine.Plan, int) {
	rooms := n / 6
	if rooms < 1 {
		rooms = 1
	}
	p := &engine.Plan{File: "bench"}
	root := &engine.PlanSpace{Name: "Campus", Type: "Campus"}
	p.Spaces = []*engine.PlanSpace{root}
	count := 1
	dataTypes := []string{"Motion", "CarbonDioxide", "Temperature", "Light"}
	var b, f *engine.PlanSpace
	for r := 0; r < rooms; r++ {
		if r%1000 == 0 {
			b = &engine.PlanSpace{Name: fmt.Sprintf("Building %d", r/1000), Type: "Building"}
			root.Spaces = append(root.Spaces, b)
			count++
		}
		if r%100 == 0 {
			f = &engine.PlanSpace{Name: fmt.Sprintf("Floor %d", (r%1000)/100), Type: "Floor"}
			b.Spaces = append(b.Spaces, f)
			count++
		}
		room := &engine.PlanSpace{Name: fmt.Sprintf("Room %d", r%100), Type: "Room", Subtype: "Office"}
		dev := &engine.PlanDevice{Name: "Pod", HardwareID: fmt.Sprintf("POD-%07d", r), Type: "SensorPod"}
		for i, dt := range dataTypes {
			dev.Sensors = append(dev.Sensors, &engine.PlanSensor{HardwareID: fmt.Sprintf("POD-%07d-%d", r, i), DataType: dt})
		}
		room.Devices = []*engine.PlanDevice{dev}
		f.Spaces = append(f.Spaces, room)
		count += 6
	}
	return p, count
}

// provisionRate provisions plan (n objects) into a new project file named
// name in cfg.Dir, in one committed transaction, and returns objects/s.
func provisionRate(cfg Config, name string, plan *engine.Plan, n int) (float64, error) {
	e, err := openProject(filepath.Join(cfg.Dir, name))
	if err != nil {
		return 0, err
	}
	defer e.Close()
	t0 := time.Now()
	if _, err := e.Provision(plan); err != nil {
		return 0, err
	}
	return float64(n) / since(t0), nil
}

func benchProvision(cfg Config) ([]Row, error) {
	plan, n := buildingPlan(cfg.Provision)
	rate, err := provisionRate(cfg, "provision.twin", plan, n)
	if err != nil {
		return nil, err
	}
	if cfg.provRate != nil {
		*cfg.provRate = rate
	}
	return []Row{{Name: "graph_provision", Value: rate, Unit: "objects/s", Target: ">= 50000", OK: rate >= 50000,
		Note: fmt.Sprintf("%d objects in one transaction, committed", n)}}, nil
}

// flatPlan makes a provisioning plan of rooms sibling rooms under one
// floor of one building: rooms+2 objects.
func flatPlan(rooms int) (*engine.Plan, int) {
	f := &engine.PlanSpace{Name: "Floor 1", Type: "Floor"}
	f.Spaces = make([]*engine.PlanSpace, rooms)
	for r := range f.Spaces {
		f.Spaces[r] = &engine.PlanSpace{Name: fmt.Sprintf("Room %06d", r), Type: "Room", Subtype: "Office"}
	}
	b := &engine.PlanSpace{Name: "Building", Type: "Building", Spaces: []*engine.PlanSpace{f}}
	return &engine.Plan{File: "bench", Spaces: []*engine.PlanSpace{b}}, rooms + 2
}

// benchProvisionFlat provisions cfg.FlatProvision sibling rooms under one
// floor in one transaction and compares the per-object rate with
// graph_provision's (measured again at its size unless it ran in this
// table already).
func benchProvisionFlat(cfg Config) ([]Row, error) {
	plan, n := flatPlan(cfg.FlatProvision)
	rate, err := provisionRate(cfg, "provision-flat.twin", plan, n)
	if err != nil {
		return nil, err
	}
	ref := 0.0
	if cfg.provRate != nil {
		ref = *cfg.provRate
	}
	if ref == 0 {
		bp, bn := buildingPlan(cfg.Provision)
		if ref, err = provisionRate(cfg, "provision-ref.twin", bp, bn); err != nil {
			return nil, err
		}
	}
	ratio := ref / rate // > 1: the flat tree is slower per object
	return []Row{{Name: "graph_provision_flat_100k", Value: rate, Unit: "objects/s", Target: "within 2x of graph_provision", OK: ratio <= 2,
		Note: fmt.Sprintf("%d sibling rooms under one floor, one transaction, committed; graph_provision/flat per-object rate ratio %.2f (graph_provision %.0f objects/s)", cfg.FlatProvision, ratio, ref)}}, nil
}

func benchTraverse(cfg Config) ([]Row, error) {
	plan, _ := buildingPlan(15000) // 2,500 rooms × 4 sensors = 10,000 sensors
	e, err := openProject(filepath.Join(cfg.Dir, "traverse.twin"))
	if err != nil {
		return nil, err
	}
	defer e.Close()
	sum, err := e.Provision(plan)
	if err != nil {
		return nil, err
	}
	q := engine.Query{Kind: engine.KindSensor, SpaceID: sum.Roots[0], Traverse: engine.TraverseDown}
	r, err := e.Query(q)
	if err != nil {
		return nil, err
	}
	if len(r.Sensors) != 10000 {
		return nil, fmt.Errorf("traverse found %d sensors, want 10000", len(r.Sensors))
	}
	iters := 0
	t0 := time.Now()
	for time.Since(t0) < 2*time.Second {
		if _, err := e.Query(q); err != nil {
			return nil, err
		}
		iters++
	}
	us := since(t0) * 1e6 / float64(iters)
	return []Row{{Name: "graph_traverse_down_10k", Value: us, Unit: "µs/query", Target: "< 5000", OK: us < 5000,
		Note: "sensors under a campus root, traverse=Down"}}, nil
}

// GenerateProject writes a project of about n objects (a campus of
// buildings → floors → rooms, each room a device with 4 sensors) to path
// through the engine, a building per transaction. It returns the count.
func GenerateProject(path string, n int) (int, error) {
	e, err := openProject(path)
	if err != nil {
		return 0, err
	}
	rooms := n / 6
	total := 0
	var campus engine.ID
	err = e.Update(func(tx *engine.Tx) error {
		s := &engine.Space{Name: "Campus"}
		if err := tx.CreateSpace(s); err != nil {
			return err
		}
		campus = s.ID
		total++
		return nil
	})
	if err != nil {
		e.Close()
		return 0, err
	}
	var types [8]int
	e.View(func(v *engine.View) error {
		for i, x := range []struct {
			c engine.Category
			n string
		}{{engine.SpaceType, "Building"}, {engine.SpaceType, "Floor"}, {engine.SpaceType, "Room"}, {engine.DeviceType, "SensorPod"},
			{engine.SensorDataType, "Motion"}, {engine.SensorDataType, "CarbonDioxide"}, {engine.SensorDataType, "Temperature"}, {engine.SensorDataType, "Light"}} {
			types[i], _ = v.ResolveType(x.c, x.n, engine.NilID)
		}
		return nil
	})
	for b := 0; b*1000 < rooms; b++ {
		err := e.Update(func(tx *engine.Tx) error {
			bs := &engine.Space{Name: fmt.Sprintf("Building %d", b), ParentID: campus, TypeID: types[0]}
			if err := tx.CreateSpace(bs); err != nil {
				return err
			}
			total++
			for f := 0; f < 10 && b*1000+f*100 < rooms; f++ {
				fs := &engine.Space{Name: fmt.Sprintf("Floor %d", f), ParentID: bs.ID, TypeID: types[1]}
				if err := tx.CreateSpace(fs); err != nil {
					return err
				}
				total++
				for r := 0; r < 100 && b*1000+f*100+r < rooms; r++ {
					rs := &engine.Space{Name: fmt.Sprintf("Room %d", r), ParentID: fs.ID, TypeID: types[2]}
					if err := tx.CreateSpace(rs); err != nil {
						return err
					}
					n := b*1000 + f*100 + r
					d := &engine.Device{Name: "Pod", HardwareID: fmt.Sprintf("POD-%07d", n), SpaceID: rs.ID, TypeID: types[3]}
					if err := tx.CreateDevice(d); err != nil {
						return err
					}
					for i := 0; i < 4; i++ {
						if err := tx.CreateSensor(&engine.Sensor{HardwareID: fmt.Sprintf("POD-%07d-%d", n, i), DeviceID: d.ID, DataTypeID: types[4+i]}); err != nil {
							return err
						}
					}
					total += 6
				}
			}
			return nil
		})
		if err != nil {
			e.Close()
			return 0, err
		}
	}
	return total, e.Close()
}

func benchOpen(cfg Config) ([]Row, error) {
	path := filepath.Join(cfg.Dir, "open.twin")
	t0 := time.Now()
	n, err := GenerateProject(path, cfg.OpenObjects)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(cfg.Log, "generated %d objects in %.1fs\n", n, since(t0))
	runtime.GC()
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	t0 = time.Now()
	e, err := openProject(path)
	if err != nil {
		return nil, err
	}
	secs := since(t0)
	runtime.GC()
	runtime.ReadMemStats(&m1)
	got := e.Stats().Total()
	e.Close()
	if got != n {
		return nil, fmt.Errorf("opened %d objects, wrote %d", got, n)
	}
	per := float64(m1.HeapAlloc-m0.HeapAlloc) / float64(n)
	return []Row{
		{Name: "graph_open_1m", Value: secs, Unit: "s", Target: "< 3", OK: secs < 3, Note: fmt.Sprintf("%d objects: open file, load, link", n)},
		{Name: "mem_per_object", Value: per, Unit: "bytes", Target: "< 1024", OK: per < 1024, Note: "live heap after open / objects"},
	}, nil
}
