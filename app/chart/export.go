package chart

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// WriteCSV writes the figure's exact data (not downsampled): for a line
// chart time,series,value (time in RFC 3339, UTC, with fractions of a
// second when there are) or x,series,value, series in order, a gap as an
// empty value; for a heat map weekday,hour,value with an empty value for
// no data.
func (f *Figure) WriteCSV(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var b []byte
	if f.Heat != nil {
		bw.WriteString("weekday,hour,value\n")
		for d := range f.Heat {
			for h, v := range f.Heat[d] {
				b = append(b[:0], Weekdays[d]...)
				b = append(b, ',')
				b = strconv.AppendInt(b, int64(h), 10)
				b = append(b, ',')
				b = appendValue(b, v)
				b = append(b, '\n')
				bw.Write(b)
			}
		}
		return flush(bw)
	}
	timeAxis := len(f.Lines) > 0 && len(f.Lines[0].T) > 0
	if timeAxis {
		bw.WriteString("time,series,value\n")
	} else {
		bw.WriteString("x,series,value\n")
	}
	for _, s := range f.Lines {
		name := csvField(s.Name)
		for i, y := range s.Y {
			b = b[:0]
			switch {
			case timeAxis && i < len(s.T):
				b = s.T[i].UTC().AppendFormat(b, time.RFC3339Nano)
			case !timeAxis && i < len(s.X):
				b = strconv.AppendFloat(b, s.X[i], 'g', -1, 64)
			default:
				continue
			}
			b = append(b, ',')
			b = append(b, name...)
			b = append(b, ',')
			b = appendValue(b, y)
			b = append(b, '\n')
			bw.Write(b)
		}
	}
	return flush(bw)
}

func flush(bw *bufio.Writer) error {
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	return nil
}

func appendValue(b []byte, v float64) []byte {
	if math.IsNaN(v) {
		return b
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n\r") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// Formats are the image formats WriteFigures writes.
var Formats = []string{"png", "svg"}

// WriteFigures draws each figure into dir at its default size (see
// Draw), in Light, once per format ("png", "svg"; none: png), named after
// Figure.File with the extension replaced, and returns the paths written
// in order. An unknown format is an error before anything is written;
// otherwise it stops at the first error, which names the file.
func WriteFigures(dir string, figs []Figure, formats []string) ([]string, error) {
	if len(formats) == 0 {
		formats = []string{"png"}
	}
	for _, f := range formats {
		if f != "png" && f != "svg" {
			return nil, fmt.Errorf("chart: format %q: want png or svg", f)
		}
	}
	var files []string
	for i := range figs {
		f := &figs[i]
		for _, format := range formats {
			name := strings.TrimSuffix(f.File, filepath.Ext(f.File)) + "." + format
			path := filepath.Join(dir, name)
			if err := f.writeFile(path, format); err != nil {
				return files, fmt.Errorf("chart %s: %w", name, err)
			}
			files = append(files, path)
		}
	}
	return files, nil
}

func (f *Figure) writeFile(path, format string) error {
	w, h := f.size()
	var buf bytes.Buffer
	var err error
	if format == "svg" {
		err = f.WriteSVG(&buf, w, h, Light)
	} else {
		err = f.WritePNG(&buf, w, h, Light)
	}
	if err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
