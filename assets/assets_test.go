package assets

import (
	"bytes"
	"encoding/xml"
	"go/ast"
	"go/parser"
	"go/token"
	"image/png"
	"io"
	"sort"
	"strings"
	"testing"
)

// The elements that Fyne's SVG recolouring (theme.NewThemedResource, via
// fyne/v2/internal/svg.Colorize) keeps when it re-encodes an icon: anything
// else would vanish from the themed icon.
var keptElements = map[string]bool{"svg": true, "path": true, "rect": true, "circle": true, "ellipse": true, "polygon": true, "g": true}

// Attributes that Colorize drops or does not recolour.
var refusedAttrs = map[string]bool{"stroke": true, "fill-rule": true, "clip-rule": true, "style": true, "class": true, "opacity": true, "transform": true}

func TestIconsAreThemableSVG(t *testing.T) {
	names := Names()
	if len(names) == 0 {
		t.Fatal("no icons embedded")
	}
	for _, name := range names {
		src := Icon(name)
		dec := xml.NewDecoder(bytes.NewReader(src))
		root := true
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Errorf("%s: not XML: %v", name, err)
				break
			}
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			el := se.Name.Local
			if root {
				root = false
				if el != "svg" {
					t.Errorf("%s: root element is <%s>, want <svg>", name, el)
				}
				if got := attr(se, "viewBox"); got != "0 0 24 24" {
					t.Errorf("%s: viewBox %q, want \"0 0 24 24\"", name, got)
				}
				for _, wh := range []string{"width", "height"} {
					if v := attr(se, wh); v != "" && v != "24" {
						t.Errorf("%s: %s %q, want 24", name, wh, v)
					}
				}
				continue
			}
			if !keptElements[el] {
				t.Errorf("%s: element <%s> would be lost when Fyne recolours the icon", name, el)
			}
			for _, a := range se.Attr {
				if refusedAttrs[a.Name.Local] {
					t.Errorf("%s: <%s %s> is not kept or not recoloured by Fyne", name, el, a.Name.Local)
				}
			}
			if f := attr(se, "fill"); f != "" && f != "none" && f != "#000" && f != "#000000" && f != "black" {
				t.Errorf("%s: <%s fill=%q>, want black or none", name, el, f)
			}
		}
		if root {
			t.Errorf("%s: empty", name)
		}
	}
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name {
			return a.Value
		}
	}
	return ""
}

// TestDocumentedNames checks that the list in the package documentation
// and the embedded icons are the same set.
func TestDocumentedNames(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "assets.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	documented := docIconNames(f.Doc)
	if len(documented) == 0 {
		t.Fatal("the package documentation lists no icons")
	}
	sort.Strings(documented)
	embedded := Names()
	if strings.Join(documented, " ") != strings.Join(embedded, " ") {
		t.Errorf("documented icons\n\t%v\nembedded icons\n\t%v", documented, embedded)
	}
	for _, n := range documented {
		if Icon(n) == nil {
			t.Errorf("Icon(%q) = nil", n)
		}
	}
	if Icon("no-such-icon") != nil {
		t.Error("Icon of an unknown name is not nil")
	}
}

// docIconNames returns the first words of the indented block that follows
// "The icons, by name" in the package documentation.
func docIconNames(doc *ast.CommentGroup) []string {
	var names []string
	in := false
	for _, line := range strings.Split(doc.Text(), "\n") {
		switch {
		case strings.HasPrefix(line, "The icons, by name"):
			in = true
		case in && strings.HasPrefix(line, "\t"):
			names = append(names, strings.Fields(line)[0])
		case in && len(names) > 0:
			return names
		}
	}
	return names
}

func TestAppIcon(t *testing.T) {
	cfg, err := png.DecodeConfig(bytes.NewReader(AppIcon))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Width != cfg.Height || cfg.Width < 256 {
		t.Errorf("app icon is %d×%d, want square and at least 256", cfg.Width, cfg.Height)
	}
}

// TestTypeIcons checks that every type name of the Default and BACnet
// ontologies (engine/ontology_seed.go) gets an icon that exists.
func TestTypeIcons(t *testing.T) {
	spaceTypes := "None,Tenant,Customer,Region,Campus,Venue,Building,Floor,Area,Room,Workstation,Desk,Chair,Parking,Zone,Outdoor,Garden,Greenhouse,Field"
	deviceTypes := "None,Generic,RaspberryPi,SensorPod,Gateway,Thermostat,Meter,Charger,Controller,Camera,Beacon"
	dataTypes := "None,Motion,Temperature,CarbonDioxide,Humidity,Light,Sound,Occupancy,Power,Energy,SoilMoisture," +
		"Pressure,AirQuality,VolatileOrganicCompounds,ParticulateMatter,Presence,PeopleCount,DoorOpen,WindowOpen,WaterLeak,WaterFlow," +
		"Voltage,Current,StateOfCharge,Rainfall,WindSpeed,TemperatureSetpoint,Smoke,Vibration,Battery,Generic," +
		"AirFlow,StaticPressure,DifferentialPressure,DamperPosition,ValvePosition,FanSpeed,FanStatus,PumpStatus,ChilledWaterTemperature,HotWaterTemperature,Enthalpy,DewPoint"
	for _, c := range []struct {
		names string
		icon  func(string) string
	}{{spaceTypes, SpaceIcon}, {deviceTypes, DeviceIcon}, {dataTypes, SensorIcon}} {
		for _, n := range strings.Split(c.names, ",") {
			if icon := c.icon(n); Icon(icon) == nil {
				t.Errorf("type %s: icon %q does not exist", n, icon)
			}
		}
	}
	for typ, want := range map[string]string{"Tenant": "tenant", "Building": "building", "Desk": "desk", "Garden": "garden", "None": "space"} {
		if got := SpaceIcon(typ); got != want {
			t.Errorf("SpaceIcon(%q) = %q, want %q", typ, got, want)
		}
	}
	for typ, want := range map[string]string{"CarbonDioxide": "co2", "ChilledWaterTemperature": "temperature", "Presence": "motion", "Generic": "sensor"} {
		if got := SensorIcon(typ); got != want {
			t.Errorf("SensorIcon(%q) = %q, want %q", typ, got, want)
		}
	}
	if DeviceIcon("Gateway") != "gateway" || DeviceIcon("RaspberryPi") != "device" {
		t.Error("DeviceIcon")
	}
}
