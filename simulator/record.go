package simulator

import (
	"bufio"
	"io"
	"strconv"
	"time"
)

// recorder is the run's CSV sink: series.csv (each reading sent) and
// spaces.csv (each space's model state at each report). A nil writer
// records nothing.
type recorder struct {
	series, spaces *bufio.Writer
	buf            []byte
}

func newRecorder(series, spaces io.Writer) *recorder {
	r := &recorder{}
	if series != nil {
		r.series = bufio.NewWriterSize(series, 1<<16)
		r.series.WriteString("time,sensor,value\n")
	}
	if spaces != nil {
		r.spaces = bufio.NewWriterSize(spaces, 1<<16)
		r.spaces.WriteString("time,space,people,co2_ppm,temperature_c\n")
	}
	return r
}

// reading records one reading sent: time,sensor,value.
func (r *recorder) reading(t time.Time, hw string, value []byte) {
	if r.series == nil {
		return
	}
	w := r.series
	w.WriteString(t.Format(time.RFC3339))
	w.WriteByte(',')
	w.WriteString(hw)
	w.WriteByte(',')
	w.Write(value)
	w.WriteByte('\n')
}

// space records a space's state at a report: time,space,people,co2_ppm,temperature_c.
func (r *recorder) space(t time.Time, name string, n int, room *Room) {
	if r.spaces == nil {
		return
	}
	b := append(r.buf[:0], t.Format(time.RFC3339)...)
	b = append(b, ',')
	b = append(b, csvField(name)...)
	b = append(b, ',')
	b = strconv.AppendInt(b, int64(n), 10)
	b = append(b, ',')
	b = strconv.AppendFloat(b, room.CO2, 'f', 1, 64)
	b = append(b, ',')
	b = strconv.AppendFloat(b, room.T, 'f', 2, 64)
	b = append(b, '\n')
	r.spaces.Write(b)
	r.buf = b
}

// flush writes out what is buffered; its error is the first write error.
func (r *recorder) flush() error {
	for _, w := range []*bufio.Writer{r.series, r.spaces} {
		if w != nil {
			if err := w.Flush(); err != nil {
				return err
			}
		}
	}
	return nil
}
