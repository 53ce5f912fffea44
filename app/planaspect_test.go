package app

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"github.com/twinstudio/twinstudio/engine"
)

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewGray(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBackgroundAspect(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want float64
		ok   bool
	}{
		{"png 1280x680", pngOf(t, 1280, 680), 680.0 / 1280, true},
		{"png square", pngOf(t, 3, 3), 1, true},
		{"svg viewBox", []byte(`<?xml version="1.0"?><!-- plan --><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 640 340" width="100%"></svg>`), 340.0 / 640, true},
		{"svg viewBox commas", []byte(`<svg viewBox="0,0,200,100"/>`), 0.5, true},
		{"svg width height", []byte(`<svg width="30cm" height="15cm"></svg>`), 0.5, true},
		{"svg percentages", []byte(`<svg width="100%" height="100%"></svg>`), 0, false},
		{"svg no size", []byte(`<svg></svg>`), 0, false},
		{"svg zero viewBox, sizes", []byte(`<svg viewBox="0 0 0 0" width="10" height="40"/>`), 4, true},
		{"svg root not svg", []byte(`<html><svg viewBox="0 0 1 1"/></html>`), 0, false},
		{"svg broken", []byte(`<svg viewBox="0 0 a b"`), 0, false},
		{"png truncated", []byte("\x89PNG\r\n\x1a\n\x00"), 0, false},
		{"not a drawing", []byte("hello"), 0, false},
	}
	for _, tt := range tests {
		got, ok := backgroundAspect(tt.data)
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: %v %v, want %v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestFitToAspect(t *testing.T) {
	room := engine.PlanShape{Points: engine.Rect(2, 2, 60, 30)}
	wide := engine.PlanShape{Points: engine.Rect(2, 2, 60, 10)}
	tests := []struct {
		name         string
		plan         engine.FloorPlan
		aspect       float64
		wantW, wantH float64
	}{
		{"new plan keeps the default width", engine.FloorPlan{}, 0.53125, 40, 21.25},
		{"width stays, height follows", engine.FloorPlan{Width: 64, Height: 34}, 0.5, 64, 32},
		{"tall drawing", engine.FloorPlan{Width: 20, Height: 20}, 2, 20, 40},
		{"rooms beyond the width grow it", engine.FloorPlan{Width: 40, Height: 40, Shapes: []engine.PlanShape{wide}}, 0.5, 62, 31},
		{"rooms below the height grow the width", engine.FloorPlan{Width: 40, Height: 40, Shapes: []engine.PlanShape{room}}, 0.25, 128, 32},
		{"items count", engine.FloorPlan{Width: 10, Items: []engine.PlanItem{{X: 5, Y: 30}}}, 1, 30, 30},
		{"too large keeps the sizes", engine.FloorPlan{Width: 40, Height: 25}, 1e6, 40, 25},
	}
	for _, tt := range tests {
		p := tt.plan
		fitToAspect(&p, tt.aspect)
		if p.Width != tt.wantW || p.Height != tt.wantH {
			t.Errorf("%s: %v × %v, want %v × %v", tt.name, p.Width, p.Height, tt.wantW, tt.wantH)
		}
	}
}

func FuzzBackgroundAspect(f *testing.F) {
	f.Add([]byte(`<svg viewBox="0 0 640 340"/>`))
	f.Add([]byte(`<svg width="3in" height="2in"/>`))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		a, ok := backgroundAspect(data)
		if ok && !(a > 0) {
			t.Fatalf("aspect %v reported ok", a)
		}
		if ok {
			p := engine.FloorPlan{}
			fitToAspect(&p, a)
			if p.Width <= 0 || p.Height <= 0 || p.Width > engine.MaxPlanSize || p.Height > engine.MaxPlanSize {
				t.Fatalf("fit gave %v × %v", p.Width, p.Height)
			}
		}
	})
}
