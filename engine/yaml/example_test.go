package yaml_test

import (
	"errors"
	"fmt"

	"github.com/twinstudio/twinstudio/engine"
	"github.com/twinstudio/twinstudio/engine/yaml"
)

func ExampleParse() {
	src := `- name: Building 1
  type: Building
  properties: {Address: 1 Main St}
  spaces:
  - name: Room 1
    type: Room
    subType: FocusRoom
    devices:
    - name: Pi
      hardwareId: PI-1
      sensors:
      - {dataType: Motion, hardwareId: PI-1-MOTION}
    userdefinedfunctions:
    - name: Occupancy
      script: udfs/occupancy.js
`
	readScript := func(rel string) ([]byte, error) {
		return []byte("function process(telemetry, executionContext) {}"), nil
	}
	plan, err := yaml.Parse("office.yaml", []byte(src), readScript)
	if err != nil {
		fmt.Println(err)
		return
	}
	b := plan.Spaces[0]
	room := b.Spaces[0]
	fmt.Println(b.Name, b.Type, b.Properties[0].Name+"="+b.Properties[0].Value)
	fmt.Println(room.Name, room.Type, room.Subtype, "at", room.Pos)
	fmt.Println(room.Devices[0].Name, room.Devices[0].Sensors[0].HardwareID, "at", room.Devices[0].Sensors[0].At("hardwareId"))
	fmt.Println(room.UDFs[0].Name, room.UDFs[0].ScriptPath, len(room.UDFs[0].Script) > 0)

	// Errors name the file, the line and the field.
	_, err = yaml.Parse("office.yaml", []byte("- name: Building 1\n  devices:\n  - name: Pi\n    hardwareID: PI-1\n"), nil)
	fmt.Println(err)
	fmt.Println(errors.Is(err, engine.ErrUnknownKey))
	// Output:
	// Building 1 Building Address=1 Main St
	// Room 1 Room FocusRoom at office.yaml:5
	// Pi PI-1-MOTION at office.yaml:12
	// Occupancy udfs/occupancy.js true
	// office.yaml:4: unknown key "hardwareID" in device (did you mean "hardwareId"?)
	// true
}
