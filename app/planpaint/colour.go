package planpaint

import (
	"image/color"
	"math"
)

// The colours of the plan's states (fill alpha lets a background show).
var (
	Free     = color.NRGBA{0x3c, 0xb4, 0x4b, 0xc0} // occupancy: nobody
	Occupied = color.NRGBA{0xe6, 0x4a, 0x19, 0xc0} // occupancy: somebody
	Stale    = color.NRGBA{0x9e, 0x9e, 0x9e, 0xc0} // no reading for longer than expected
	Unknown  = color.NRGBA{0x80, 0x80, 0x80, 0x50} // no value, or an unlinked shape
	AlertOn  = color.NRGBA{0xd3, 0x2f, 0x2f, 0xc0} // an alert value is set
	AlertOff = color.NRGBA{0x3c, 0xb4, 0x4b, 0xc0} // the alert value is clear
)

// rampStops are the colour scale from low to high: blue, cyan, green,
// yellow, red.
var rampStops = []color.NRGBA{
	{0x2c, 0x7b, 0xb6, 0xc0}, {0x00, 0xa6, 0xca, 0xc0}, {0x4d, 0xb8, 0x4b, 0xc0},
	{0xf9, 0xd0, 0x57, 0xc0}, {0xd7, 0x19, 0x1c, 0xc0},
}

// Ramp is the colour of v on a scale from lo (blue) to hi (red), clamped
// at both ends; NaN (no value) and an empty scale (hi <= lo) give Unknown.
func Ramp(v, lo, hi float64) color.NRGBA {
	if math.IsNaN(v) || !(hi > lo) {
		return Unknown
	}
	t := math.Max(0, math.Min(1, (v-lo)/(hi-lo))) * float64(len(rampStops)-1)
	i := min(int(t), len(rampStops)-2)
	f := t - float64(i)
	a, b := rampStops[i], rampStops[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + (float64(y)-float64(x))*f)) }
	return color.NRGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xc0}
}

// Outline is the outline colour of a shape filled with c: c darkened and
// opaque.
func Outline(c color.NRGBA) color.NRGBA {
	return color.NRGBA{c.R / 2, c.G / 2, c.B / 2, 0xff}
}
