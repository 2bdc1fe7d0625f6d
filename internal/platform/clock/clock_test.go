package clock

import (
	"testing"
	"time"
)

func TestStampIsUTCMicroseconds(t *testing.T) {
	t.Parallel()
	in := time.Date(2026, 12, 2, 3, 4, 5, 123456789, time.FixedZone("CET", 3600))
	got := Stamp(in)
	if want := time.Date(2026, 12, 2, 2, 4, 5, 123456000, time.UTC); !got.Equal(want) || got.Location() != time.UTC {
		t.Fatalf("Stamp(%v) = %v, want %v in UTC", in, got, want)
	}
}
