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

// ViewHashes must give the very values of HashViewHour and Hash64: keys
// already in view_hours and registers already in sketches were made with
// them.
func TestViewHashesMatch(t *testing.T) {
	for i, c := range []struct{ viewer, media string }{{"u:1", "m"}, {"", ""}, {"a:" + fmt.Sprintf("%032x", 7), "0190f0b2-4c5e-7d1a-9b3c-2f6e8d7a1c00"}} {
		for _, hour := range []int64{0, 1, 493_000, -5} {
			k, v := ViewHashes(c.viewer, c.media, hour)
			if k != HashViewHour(c.viewer, c.media, hour) || v != Hash64(c.viewer) {
				t.Fatalf("case %d hour %d: %x %x", i, hour, k, v)
			}
		}
	}
}
