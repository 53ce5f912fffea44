package app

import (
	"embed"
	"path"
)

// templateFS holds the scripts of the UDF templates, with comments that
// explain them to whoever starts from one.
//
//go:embed templates/*.js
var templateFS embed.FS

// UDFTemplate is a starting point for a new user-defined function.
type UDFTemplate struct {
	Name        string // short id: "occupancy", "threshold", "aggregate"
	Title       string // what a list shows
	Description string // one sentence: what it does and what to bind it to
	Script      string // the JavaScript; it compiles as it is
}

var templates = []UDFTemplate{
	{Name: "occupancy", Title: "Occupancy",
		Description: `Marks the room of a motion sensor "Occupied" or "Available" (space value "Availability"); bind it to a Motion matcher.`},
	{Name: "threshold", Title: "Threshold alert",
		Description: `Sets the room's "Alert" value and sends a notification with a JSON payload when a reading goes above a threshold; bind it to the sensors to watch.`},
	{Name: "aggregate", Title: "Aggregate to the parent space",
		Description: `Writes the average of the space's sensors of the reading's data type to the parent space as "Average<DataType>"; bind it to numeric sensors.`},
}

// UDFTemplates returns the templates for a new user-defined function: the
// occupancy pattern of the 2018 preview, a threshold alert with a
// notification, and an aggregate to the parent space. A new slice; safe
// for concurrent use.
func UDFTemplates() []UDFTemplate {
	out := make([]UDFTemplate, len(templates))
	for i, t := range templates {
		b, err := templateFS.ReadFile(path.Join("templates", t.Name+".js"))
		if err != nil {
			panic("app: template " + t.Name + " is not embedded: " + err.Error())
		}
		t.Script = string(b)
		out[i] = t
	}
	return out
}
