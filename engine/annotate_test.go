package engine

import (
	"math"
	"testing"
)

func TestCosineDistance(t *testing.T) {
	for _, tc := range []struct {
		a, b []float32
		want float64
		ok   bool
	}{
		{[]float32{1, 0}, []float32{1, 0}, 0, true},
		{[]float32{1, 0}, []float32{0, 2}, 1, true},
		{[]float32{1, 1}, []float32{-1, -1}, 2, true},
		{[]float32{1, 0}, []float32{1, 0, 0}, 0, false},
		{nil, []float32{1}, 0, false},
		{[]float32{0, 0}, []float32{1, 0}, 0, false},
	} {
		got, ok := cosineDistance(tc.a, tc.b)
		if ok != tc.ok || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("cosineDistance(%v, %v) = %v, %v; want %v, %v", tc.a, tc.b, got, ok, tc.want, tc.ok)
		}
	}
}
