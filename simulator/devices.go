package simulator

import (
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// DataTypes are the sensor data types the simulator drives, the ones a
// rule's create list may name.
var DataTypes = []string{"Motion", "CarbonDioxide", "Temperature", "Light", "Humidity", "Power", "Energy",
	"Occupancy", "PeopleCount", "StateOfCharge", "SoilMoisture"}

// dataTypeName returns the canonical spelling of a driven data type,
// matched case-insensitively.
func dataTypeName(s string) (string, bool) {
	for _, d := range DataTypes {
		if strings.EqualFold(d, s) {
			return d, true
		}
	}
	return "", false
}

// matches reports whether rule r selects the space at full name path full
// with type and subtype names typ and sub.
func (r *Rule) matches(full, typ, sub string) bool {
	if r.Path != "" && !(r.Path == "/" || full == r.Path || strings.HasPrefix(full, r.Path+"/")) {
		return false
	}
	if r.Type != "" && !strings.EqualFold(r.Type, typ) {
		return false
	}
	if r.Subtype != "" && !strings.EqualFold(r.Subtype, sub) {
		return false
	}
	return true
}

// SimHardwareID is the hardwareId of the virtual device the simulator
// creates in the space at full name path: SIM- and a short stable hash of
// the path. Its sensors are SimHardwareID(path)-DATATYPE (upper case).
func SimHardwareID(path string) string {
	h := fnv.New32a()
	h.Write([]byte(path))
	return fmt.Sprintf("SIM-%08x", h.Sum32())
}

// Created are the virtual devices and sensors a scenario created.
type Created struct {
	Devices []string // hardwareIds
	Sensors []string // hardwareIds
}

// CreateDevices gives every space that a rule with a create list matches
// a virtual device with a sensor of each listed data type the space has no
// sensor of: device "Simulated <space name>", hardwareId SimHardwareID of
// the space's path, in one engine transaction. It is idempotent: a space
// that already has the sensors (from an earlier run) gets nothing, and an
// existing virtual device is reused. New calls it.
func CreateDevices(e *engine.Engine, sc *Scenario) (*Created, error) {
	want := false
	for _, r := range sc.Spaces {
		want = want || len(r.Create) > 0
	}
	out := &Created{}
	if !want {
		return out, nil
	}
	err := e.Update(func(tx *engine.Tx) error {
		return tx.WalkSpaces(func(sp *engine.Space) error { return createIn(tx, sc, sp, out) }, nil)
	})
	if err != nil {
		return nil, fmt.Errorf("simulate: create virtual devices: %w", err)
	}
	return out, nil
}

func createIn(tx *engine.Tx, sc *Scenario, sp *engine.Space, out *Created) error {
	full := tx.FullName(sp.ID)
	typ, sub := tx.TypeName(sp.TypeID), tx.TypeName(sp.SubtypeID)
	var kinds []string
	seen := map[string]bool{}
	for i := range sc.Spaces {
		r := &sc.Spaces[i]
		if len(r.Create) == 0 || !r.matches(full, typ, sub) {
			continue
		}
		for _, k := range r.Create {
			if !seen[k] {
				seen[k] = true
				kinds = append(kinds, k)
			}
		}
	}
	if len(kinds) == 0 {
		return nil
	}
	have := map[string]bool{}
	for _, sn := range tx.SpaceSensors(sp.ID) {
		have[strings.ToLower(tx.TypeName(sn.DataTypeID))] = true
	}
	hw := SimHardwareID(full)
	var dev *engine.Device
	for _, k := range kinds {
		if have[strings.ToLower(k)] {
			continue
		}
		dt, err := tx.ResolveType(engine.SensorDataType, k, sp.ID)
		if err != nil {
			return fmt.Errorf("%s: %w", full, err)
		}
		if dev == nil {
			if d, ok := tx.DeviceByHardwareID(hw); ok {
				if d.SpaceID != sp.ID {
					return fmt.Errorf("%s: hardwareId %q is used by device %q of another space", full, hw, d.Name)
				}
				dev = d
			} else {
				dev = &engine.Device{Name: "Simulated " + sp.Name, HardwareID: hw, SpaceID: sp.ID}
				if err := tx.CreateDevice(dev); err != nil {
					return fmt.Errorf("%s: %w", full, err)
				}
				out.Devices = append(out.Devices, hw)
			}
		}
		sn := &engine.Sensor{Name: k, HardwareID: hw + "-" + strings.ToUpper(k), DeviceID: dev.ID, SpaceID: sp.ID, DataTypeID: dt}
		if err := tx.CreateSensor(sn); err != nil {
			return fmt.Errorf("%s: %w", full, err)
		}
		out.Sensors = append(out.Sensors, sn.HardwareID)
	}
	return nil
}
