package app

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"math"
	"strconv"
	"strings"

	"github.com/twinstudio/twinstudio/engine"
)

// backgroundAspect is a drawing's height divided by its width: a PNG's
// pixel size, or an SVG root's viewBox (else its width and height
// attributes, in any unit). ok is false when the drawing does not say.
func backgroundAspect(data []byte) (aspect float64, ok bool) {
	var w, h float64
	switch kind, _ := PlanBackgroundKind(data); kind {
	case "png":
		c, err := png.DecodeConfig(bytes.NewReader(data))
		if err != nil {
			return 0, false
		}
		w, h = float64(c.Width), float64(c.Height)
	case "svg":
		w, h = svgSize(data)
	}
	if !(w > 0 && h > 0) || math.IsInf(w, 0) || math.IsInf(h, 0) {
		return 0, false
	}
	return h / w, true
}

// svgSize reads the size of an SVG drawing from its root element: the
// viewBox's width and height, else the width and height attributes
// (a number with an optional unit; percentages say nothing).
func svgSize(data []byte) (w, h float64) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = false
	for range 1000 { // the root comes after a prolog of a few tokens
		tok, err := d.Token()
		if err != nil {
			return 0, 0
		}
		el, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if el.Name.Local != "svg" {
			return 0, 0
		}
		var width, height, box string
		for _, a := range el.Attr {
			switch a.Name.Local {
			case "width":
				width = a.Value
			case "height":
				height = a.Value
			case "viewBox":
				box = a.Value
			}
		}
		if f := strings.FieldsFunc(box, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }); len(f) == 4 {
			w, _ = strconv.ParseFloat(f[2], 64)
			h, _ = strconv.ParseFloat(f[3], 64)
			if w > 0 && h > 0 {
				return w, h
			}
		}
		return svgLength(width), svgLength(height)
	}
	return 0, 0
}

// svgLength is the number of an SVG length such as "120", "120px" or
// "12.5cm"; 0 for a percentage or anything else.
func svgLength(s string) float64 {
	s = strings.TrimSpace(s)
	if strings.HasSuffix(s, "%") {
		return 0
	}
	s = strings.TrimRight(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return f
}

// fitToAspect gives p's drawing area the proportions of a background
// drawing (height = width × aspect), so that the drawing, stretched over
// the area, is not distorted. The width stays unless rooms or placed
// items lie beyond the area the height would give: then the area grows
// to hold them. Sizes are rounded to thousandths of a unit.
func fitToAspect(p *engine.FloorPlan, aspect float64) {
	w := p.Width
	if w <= 0 {
		w = engine.DefaultPlanWidth
	}
	var maxX, maxY float64
	for _, s := range p.Shapes {
		for _, pt := range s.Points {
			maxX, maxY = max(maxX, pt.X), max(maxY, pt.Y)
		}
	}
	for _, it := range p.Items {
		maxX, maxY = max(maxX, it.X), max(maxY, it.Y)
	}
	w = max(w, maxX, maxY/aspect)
	h := w * aspect
	if w > engine.MaxPlanSize || h > engine.MaxPlanSize {
		return // keep the sizes rather than refuse the drawing
	}
	p.Width, p.Height = math.Ceil(w*1000)/1000, math.Ceil(h*1000)/1000
}
