package chart

import "math"

// Downsample reduces a series for display on columns pixel columns: the
// x range is cut into columns equal slices, and each keeps its minimum
// and maximum point (in their order), plus the first and last points of
// the series; a NaN (a gap) in a slice is kept as one NaN point. x must
// be ascending. A series of at most 2·columns points is returned as a
// copy. The input is not changed.
func Downsample(x, y []float64, columns int) (xs, ys []float64) {
	n := min(len(x), len(y))
	if columns < 1 {
		columns = 1
	}
	if n <= 2*columns {
		return append([]float64(nil), x[:n]...), append([]float64(nil), y[:n]...)
	}
	xs, ys = make([]float64, 0, 2*columns+3), make([]float64, 0, 2*columns+3)
	x0, span := x[0], x[n-1]-x[0]
	col := func(v float64) int {
		if span <= 0 {
			return 0
		}
		return min(columns-1, int(float64(columns)*(v-x0)/span))
	}
	emit := func(i int) {
		if k := len(xs); k > 0 && xs[k-1] == x[i] && (ys[k-1] == y[i] || math.IsNaN(ys[k-1]) && math.IsNaN(y[i])) {
			return
		}
		xs, ys = append(xs, x[i]), append(ys, y[i])
	}
	emit(0)
	for i := 1; i < n-1; {
		c := col(x[i])
		lo, hi, gap := -1, -1, -1
		j := i
		for ; j < n-1 && col(x[j]) == c; j++ {
			switch {
			case math.IsNaN(y[j]):
				if gap < 0 {
					gap = j
				}
			case lo < 0:
				lo, hi = j, j
			case y[j] < y[lo]:
				lo = j
			case y[j] > y[hi]:
				hi = j
			}
		}
		keep := []int{lo, hi, gap}
		sortSmall(keep)
		for _, k := range keep {
			if k >= 0 {
				emit(k)
			}
		}
		i = j
	}
	emit(n - 1)
	return xs, ys
}

// sortSmall sorts a few ints ascending.
func sortSmall(a []int) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}
