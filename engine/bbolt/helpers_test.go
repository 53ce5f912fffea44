package bbolt

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/twinstudio/twinstudio/engine"
)

// shape counts what buildProject made.
type shape struct {
	Spaces, Devices, Sensors, Values int
	SensorIDs                        []engine.ID
}

func (s shape) objects() int { return s.Spaces + s.Devices + s.Sensors }

// buildProject writes about n objects through the engine in a building
// shape: roots → floors → rooms, each room one device with 4 sensors. It
// commits every batch objects. With values, each sensor gets one value.
func buildProject(tb testing.TB, e *engine.Engine, n, batch int, values bool) shape {
	tb.Helper()
	const roomsPerFloor, floorsPerBuilding, sensorsPerDevice = 10, 10, 4
	var sh shape
	var types struct{ building, floor, room, temp, celsius, devType int }
	err := e.View(func(v *engine.View) error {
		var err error
		for _, x := range []struct {
			c    engine.Category
			name string
			p    *int
		}{
			{engine.SpaceType, "Building", &types.building}, {engine.SpaceType, "Floor", &types.floor},
			{engine.SpaceType, "Room", &types.room}, {engine.SensorDataType, "Temperature", &types.temp},
			{engine.SensorDataUnitType, "Celsius", &types.celsius}, {engine.DeviceType, "SensorPod", &types.devType},
		} {
			if *x.p, err = v.ResolveType(x.c, x.name, engine.NilID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Now()
	var building, floor engine.ID
	rooms, floors := 0, 0
	for sh.objects() < n {
		err := e.Update(func(tx *engine.Tx) error {
			for start := sh.objects(); sh.objects()-start < batch && sh.objects() < n; {
				if rooms%(roomsPerFloor) == 0 {
					if floors%floorsPerBuilding == 0 {
						b := &engine.Space{Name: fmt.Sprintf("Building %d", floors/floorsPerBuilding), TypeID: types.building,
							TimeZone: "Europe/Berlin", Location: &engine.Location{Longitude: 13.4, Latitude: 52.5}}
						if err := tx.CreateSpace(b); err != nil {
							return err
						}
						building = b.ID
						sh.Spaces++
					}
					f := &engine.Space{Name: fmt.Sprintf("Floor %d", floors%floorsPerBuilding), TypeID: types.floor, ParentID: building}
					if err := tx.CreateSpace(f); err != nil {
						return err
					}
					floor = f.ID
					floors++
					sh.Spaces++
				}
				r := &engine.Space{Name: fmt.Sprintf("Room %d", rooms%roomsPerFloor), TypeID: types.room, ParentID: floor,
					FriendlyName: "Meeting room", Description: "A room with a view"}
				if err := tx.CreateSpace(r); err != nil {
					return err
				}
				rooms++
				sh.Spaces++
				d := &engine.Device{Name: "Pod", SpaceID: r.ID, TypeID: types.devType}
				if err := tx.CreateDevice(d); err != nil {
					return err
				}
				sh.Devices++
				for i := 0; i < sensorsPerDevice; i++ {
					s := &engine.Sensor{Name: fmt.Sprintf("S%d", i), DeviceID: d.ID, DataTypeID: types.temp,
						DataUnitTypeID: types.celsius, PollRate: 60}
					if err := tx.CreateSensor(s); err != nil {
						return err
					}
					sh.Sensors++
					if len(sh.SensorIDs) < 1000 {
						sh.SensorIDs = append(sh.SensorIDs, s.ID)
					}
					if values {
						if _, _, err := tx.SetSensorValue(s.ID, engine.Value{Value: "21.5", Time: now}); err != nil {
							return err
						}
						sh.Values++
					}
				}
			}
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return sh
}

// tempProject returns a path for a project file in a fresh temp dir.
func tempProject(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(tb.TempDir(), "project.twin")
}
