package domain

import (
	"fmt"
	"math"
	"testing"
)

func TestViewerSketchEstimate(t *testing.T) {
	s := NewViewerSketch()
	if s.Estimate() != 0 {
		t.Fatalf("empty sketch estimates %d", s.Estimate())
	}
	checks := map[int]float64{1: 0, 10: 0, 100: 0.04, 1000: 0.04, 20000: 5 * SketchError, 200000: 5 * SketchError}
	n := 0
	for _, target := range []int{1, 10, 100, 1000, 20000, 200000} {
		for ; n < target; n++ {
			s.Add(Hash64(fmt.Sprintf("a:%032x", n), "item"))
		}
		// Adding the same viewers again changes nothing.
		for i := 0; i < min(n, 50); i++ {
			if s.Add(Hash64(fmt.Sprintf("a:%032x", i), "item")) {
				t.Fatalf("a repeated viewer grew the sketch at %d", n)
			}
		}
		got := float64(s.Estimate())
		if rel := math.Abs(got-float64(n)) / float64(n); rel > checks[target] {
			t.Errorf("%d viewers: estimate %v (%.2f%% off, allowed %.2f%%)", n, got, 100*rel, 100*checks[target])
		}
	}
}

func TestLoadViewerSketchRejectsForeignBytes(t *testing.T) {
	if s := LoadViewerSketch([]byte{1, 2, 3}); len(s) != SketchSize || s.Estimate() != 0 {
		t.Fatalf("a short value should load as an empty sketch")
	}
	a := NewViewerSketch()
	a.Add(Hash64("u:1"))
	b := LoadViewerSketch(a)
	b.Add(Hash64("u:2"))
	if a.Estimate() != 1 || b.Estimate() != 2 {
		t.Fatalf("load must copy: %d %d", a.Estimate(), b.Estimate())
	}
}
