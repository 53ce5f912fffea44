// Package assets embeds Twin Studio's application icon and its set of 24×24
// monochrome SVG icons for the objects of a spatial graph.
//
// AppIcon is assets/icon.png, the 256×256 application icon that main.go and
// `fyne package` (FyneApp.toml) use. Icon returns an SVG by name. Every SVG is
// drawn in black with plain fills (no strokes, no fill-rule, no CSS), so that
// the ui package can wrap it with theme.NewThemedResource, which recolours
// the fills to the theme's foreground colour in light and dark variants.
// This package imports only the standard library and makes no Fyne
// resources.
//
// The icons, by name (file icons/NAME.svg), and what they stand for:
//
//	tenant       space type Tenant or Customer: an organisation that occupies spaces
//	building     space type Venue, Building, Campus or Region
//	floor        space type Floor: stacked layers
//	area         space type Area: a part of a floor, a panelled plan
//	zone         space type Zone: a marked region, a dashed selection
//	room         space type Room (and its subtypes): an open door
//	desk         space type Desk, Workstation or Chair
//	parking      space type Parking (and the ParkingSpot subtype): a P
//	garden       space type Outdoor, Garden, Greenhouse or Field: a tree
//	space        any other space (None, or a type without an icon): a plain square
//	device       a device (Generic, RaspberryPi, SensorPod, Controller…): a board
//	gateway      device type Gateway: a router with antenna waves
//	sensor       a sensor of any other data type (Generic, Pressure…): radiating waves
//	motion       sensor data type Motion or Presence: a running person
//	temperature  sensor data type Temperature and other temperatures: a thermometer
//	co2          sensor data type CarbonDioxide: the letters CO2
//	humidity     sensor data type Humidity, SoilMoisture, WaterLeak, Rainfall: a drop
//	light        sensor data type Light: a bulb
//	power        sensor data type Power, Voltage or Current: a bolt
//	energy       sensor data type Energy: an electricity meter
//	sound        sensor data type Sound: an equaliser
//	occupancy    sensor data type Occupancy or PeopleCount: a person being sensed
//	user         a user, as in role assignments: a person in a circle
//
// SpaceIcon, DeviceIcon and SensorIcon choose the icon for an extended type
// name of the Default and BACnet ontologies (engine/ontology_seed.go).
//
// The SVGs are from Google's Material Icons (filled style, package
// @material-design-icons/svg 0.14.15), Apache License 2.0: see icons/LICENSE.
package assets

import (
	"embed"
	"path"
	"sort"
	"strings"
)

// AppIcon is the application icon, a 256×256 PNG.
//
//go:embed icon.png
var AppIcon []byte

//go:embed icons/*.svg
var iconFS embed.FS

var icons = func() map[string][]byte {
	m := map[string][]byte{}
	entries, err := iconFS.ReadDir("icons")
	if err != nil {
		panic(err)
	}
	for _, e := range entries {
		b, err := iconFS.ReadFile(path.Join("icons", e.Name()))
		if err != nil {
			panic(err)
		}
		m[strings.TrimSuffix(e.Name(), ".svg")] = b
	}
	return m
}()

// Icon returns the SVG source of the icon called name (see the package
// documentation), or nil when there is none. The slice is shared: do not
// modify it.
func Icon(name string) []byte {
	return icons[name]
}

// Names returns the names of all icons, sorted.
func Names() []string {
	names := make([]string, 0, len(icons))
	for n := range icons {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// SpaceIcon returns the name of the icon for a space of the given space type
// name, "space" for a type without an icon of its own.
func SpaceIcon(spaceType string) string {
	switch spaceType {
	case "Tenant", "Customer":
		return "tenant"
	case "Region", "Campus", "Venue", "Building":
		return "building"
	case "Floor":
		return "floor"
	case "Area":
		return "area"
	case "Zone":
		return "zone"
	case "Room":
		return "room"
	case "Workstation", "Desk", "Chair":
		return "desk"
	case "Parking", "ParkingSpot":
		return "parking"
	case "Outdoor", "Garden", "Greenhouse", "Field":
		return "garden"
	}
	return "space"
}

// DeviceIcon returns the name of the icon for a device of the given device
// type name: "gateway" for gateways, "device" otherwise.
func DeviceIcon(deviceType string) string {
	if deviceType == "Gateway" {
		return "gateway"
	}
	return "device"
}

// SensorIcon returns the name of the icon for a sensor of the given sensor
// data type name, "sensor" for a data type without an icon of its own.
func SensorIcon(dataType string) string {
	switch dataType {
	case "Motion", "Presence":
		return "motion"
	case "CarbonDioxide", "CO2":
		return "co2"
	case "Humidity", "SoilMoisture", "WaterLeak", "Rainfall":
		return "humidity"
	case "Light":
		return "light"
	case "Power", "Voltage", "Current":
		return "power"
	case "Energy":
		return "energy"
	case "Sound":
		return "sound"
	case "Occupancy", "PeopleCount":
		return "occupancy"
	}
	if strings.Contains(dataType, "Temperature") {
		return "temperature"
	}
	return "sensor"
}
