package chart

import (
	"bytes"
	"flag"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var regen = flag.Bool("regen", false, "rewrite the golden images in testdata/")

// goldenImage compares img with testdata/name.png pixel for pixel, each
// channel within a small tolerance (anti-aliasing may round differently
// on another CPU): the renderer is pure Go and deterministic, so any
// changed pixel (a zeroed
// heatmap cell, a dashed line drawn solid, a missing stretch of a series)
// fails. The failed rendering is kept in testdata/failed/name.png
// (git-ignored) to be looked at; go test ./app/chart -regen accepts it.
func goldenImage(t *testing.T, name string, img image.Image) {
	t.Helper()
	path := filepath.Join("testdata", name+".png")
	var got bytes.Buffer
	if err := png.Encode(&got, img); err != nil {
		t.Fatal(err)
	}
	if *regen {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./app/chart -regen)", err)
	}
	if bytes.Equal(want, got.Bytes()) {
		return
	}
	wimg, err := png.Decode(bytes.NewReader(want))
	if err != nil {
		t.Fatal(err)
	}
	failed := filepath.Join("testdata", "failed", name+".png")
	if err := os.MkdirAll(filepath.Dir(failed), 0o755); err != nil {
		t.Error(err)
	} else if err := os.WriteFile(failed, got.Bytes(), 0o644); err != nil {
		t.Error(err)
	}
	if wimg.Bounds() != img.Bounds() {
		t.Fatalf("%s: size %v, want %v (rendering kept in %s)", name, img.Bounds(), wimg.Bounds(), failed)
	}
	b := img.Bounds()
	diff, first := 0, image.Point{-1, -1}
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r1, g1, b1, a1 := img.At(x, y).RGBA()
			r2, g2, b2, a2 := wimg.At(x, y).RGBA()
			if far(r1, r2) || far(g1, g2) || far(b1, b2) || far(a1, a2) {
				if diff == 0 {
					first = image.Point{x, y}
				}
				diff++
			}
		}
	}
	t.Errorf("%s: %d pixels differ from %s, the first at %v (rendering kept in %s; go test ./app/chart -regen to accept)",
		name, diff, path, first, failed)
}

// far reports whether two 16-bit channel values differ by more than
// 8/255.
func far(a, b uint32) bool { return a > b+8<<8 || b > a+8<<8 }

func day(n int) ([]time.Time, [2][]float64) {
	start := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	var ts []time.Time
	var ys [2][]float64
	for i := range n {
		ts = append(ts, start.Add(time.Duration(i)*10*time.Minute))
		h := float64(i) / 6
		ys[0] = append(ys[0], 420+600*math.Max(0, math.Sin(math.Pi*(h-8)/10)))
		ys[1] = append(ys[1], 420+800*math.Max(0, math.Sin(math.Pi*(h-8.5)/9)))
	}
	return ts, ys
}

func TestLinesGolden(t *testing.T) {
	ts, ys := day(144)
	img, err := Lines("CO₂ in two rooms", "time (UTC)", "CO₂ (ppm)", []Series{
		{Name: "Room A", T: ts, Y: ys[0]},
		{Name: "Room B", T: ts, Y: ys[1]},
		{Name: "Room B (variant)", T: ts, Y: ys[0], Color: Palette(1), Dashed: true},
	}, 800, 400)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 800 || b.Dy() != 400 {
		t.Errorf("size %v, want 800×400", b)
	}
	goldenImage(t, "lines", img)

	img, err = Lines("numeric", "x", "y", []Series{{X: []float64{0, 1, 2, 3}, Y: []float64{1, 4, 9, 16}}}, 400, 300)
	if err != nil {
		t.Fatal(err)
	}
	goldenImage(t, "lines_numeric", img)
}

func TestHeatmapGolden(t *testing.T) {
	var g [7][24]float64
	for d := range 5 {
		for h := 8; h < 18; h++ {
			g[d][h] = 0.2 + 0.6*math.Sin(math.Pi*float64(h-8)/10) + 0.04*float64(d)
		}
	}
	img, err := Heatmap("Occupancy, hour × weekday", g)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != HeatmapWidth || b.Dy() != HeatmapHeight {
		t.Errorf("size %v", b)
	}
	goldenImage(t, "heatmap", img)
	// All zero: still draws.
	if _, err := Heatmap("empty", [7][24]float64{}); err != nil {
		t.Error(err)
	}
}

func TestDeterministic(t *testing.T) {
	ts, ys := day(50)
	enc := func() []byte {
		img, err := Lines("t", "x", "y", []Series{{Name: "a", T: ts, Y: ys[0]}}, 300, 200)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := png.Encode(&b, img); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	if !bytes.Equal(enc(), enc()) {
		t.Error("two renderings differ")
	}
}

func TestErrors(t *testing.T) {
	ts, ys := day(3)
	nan := []float64{1, math.Inf(1), 3}
	var g [7][24]float64
	g[2][5] = math.Inf(1)
	cases := []struct {
		name string
		err  func() error
		msg  string
	}{
		{"no series", func() error { _, err := Lines("t", "x", "y", nil, 300, 200); return err }, "chart: no series"},
		{"empty", func() error { _, err := Lines("t", "x", "y", []Series{{Name: "a"}}, 300, 200); return err }, `chart: series "a": no points`},
		{"nan", func() error {
			_, err := Lines("t", "x", "y", []Series{{Name: "a", T: ts, Y: nan}}, 300, 200)
			return err
		}, `chart: series "a": point 1 is not a finite number`},
		{"nan x", func() error {
			_, err := Lines("t", "x", "y", []Series{{Name: "a", X: nan, Y: ys[0]}}, 300, 200)
			return err
		}, `point 1 is not a finite number`},
		{"length", func() error {
			_, err := Lines("t", "x", "y", []Series{{Name: "a", T: ts, Y: ys[0][:2]}}, 300, 200)
			return err
		}, "3 abscissas but 2 values"},
		{"mixed", func() error {
			_, err := Lines("t", "x", "y", []Series{{Name: "a", T: ts, Y: ys[0]}, {Name: "b", X: []float64{1, 2, 3}, Y: ys[0]}}, 300, 200)
			return err
		}, "mixes time and numeric"},
		{"size", func() error {
			_, err := Lines("t", "x", "y", []Series{{Name: "a", T: ts, Y: ys[0]}}, 0, 200)
			return err
		}, "chart: size 0×200 out of range"},
		{"heatmap inf", func() error { _, err := Heatmap("t", g); return err }, "chart: heatmap cell Wed 05:00 is not a finite number"},
		{"write", func() error {
			return WritePNG(filepath.Join(t.TempDir(), "no", "x.png"), image.NewRGBA(image.Rect(0, 0, 1, 1)))
		}, "chart: "},
	}
	for _, c := range cases {
		err := c.err()
		if err == nil || !strings.Contains(err.Error(), c.msg) || !strings.HasPrefix(err.Error(), "chart: ") {
			t.Errorf("%s: error %v, want %q", c.name, err, c.msg)
		}
	}
}

func TestWritePNG(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.png")
	img, err := Heatmap("h", [7][24]float64{})
	if err != nil {
		t.Fatal(err)
	}
	if err := WritePNG(path, img); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Open(path)
	defer f.Close()
	if _, err := png.Decode(f); err != nil {
		t.Error(err)
	}
}
