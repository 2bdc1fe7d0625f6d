package domain

import (
	"math"
	"math/bits"
)

// SketchPrecision is the number of hash bits that pick a register of a
// viewer sketch: 2^12 = 4,096 one-byte registers (4 KiB per item).
const SketchPrecision = 12

// SketchSize is the byte length of a viewer sketch.
const SketchSize = 1 << SketchPrecision

// SketchError is the relative standard error of a sketch's estimate once
// linear counting no longer applies (1.04/√4096 ≈ 1.6 %). Below about
// 2.5 × 4,096 distinct viewers the estimate is linear counting over the
// empty registers, off by a fraction of a percent at most.
const SketchError = 1.04 / 64

// ViewerSketch is a HyperLogLog register array estimating the number of
// distinct viewers of one item without keeping who they were: each register
// holds the longest run of leading zero bits seen among the hashes routed to
// it.
type ViewerSketch []byte

// NewViewerSketch returns an empty sketch.
func NewViewerSketch() ViewerSketch { return make(ViewerSketch, SketchSize) }

// LoadViewerSketch returns b as a sketch, or an empty one when b is not a
// sketch of this size (a missing or foreign value).
func LoadViewerSketch(b []byte) ViewerSketch {
	if len(b) != SketchSize {
		return NewViewerSketch()
	}
	out := make(ViewerSketch, SketchSize)
	copy(out, b)
	return out
}

// Hash64 is the 64-bit hash of parts used for view keys and sketches:
// FNV-1a over the parts (each ended by a zero byte), then the MurmurHash3
// finaliser so that every output bit depends on every input bit, which the
// sketch's register choice and run lengths need. It is not a cryptographic
// hash: the viewers it hashes are already user ids or salted digests.
func Hash64(parts ...string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for _, p := range parts {
		for i := 0; i < len(p); i++ {
			h ^= uint64(p[i])
			h *= prime
		}
		h *= prime // the zero byte between parts
	}
	return mix64(h)
}

// HashViewHour hashes a viewer, an item and an hour without allocating.
func HashViewHour(viewer, mediaID string, hour int64) uint64 {
	h := Hash64(viewer, mediaID)
	return mix64(h ^ uint64(hour)*0x9e3779b97f4a7c15) //nolint:gosec // bits, not a quantity
}

// ViewHashes returns HashViewHour(viewer, mediaID, hour) and
// Hash64(viewer) in one pass over the viewer: what a view needs for its
// dedup key and for the item's sketch.
func ViewHashes(viewer, mediaID string, hour int64) (viewHour, viewerHash uint64) {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	for i := 0; i < len(viewer); i++ {
		h ^= uint64(viewer[i])
		h *= prime
	}
	h *= prime // the zero byte after the viewer
	viewerHash = mix64(h)
	for i := 0; i < len(mediaID); i++ {
		h ^= uint64(mediaID[i])
		h *= prime
	}
	h *= prime
	return mix64(mix64(h) ^ uint64(hour)*0x9e3779b97f4a7c15), viewerHash //nolint:gosec // bits, not a quantity
}

func mix64(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// Add records a viewer by its hash; it reports whether a register grew.
func (s ViewerSketch) Add(hash uint64) bool {
	idx := hash >> (64 - SketchPrecision)
	rest := hash<<SketchPrecision | 1<<(SketchPrecision-1) // a sentinel bounds the run
	rank := byte(bits.LeadingZeros64(rest) + 1)            //nolint:gosec // at most 64 - SketchPrecision + 1
	if rank > s[idx] {
		s[idx] = rank
		return true
	}
	return false
}

// Estimate returns the estimated number of distinct viewers added.
func (s ViewerSketch) Estimate() int64 {
	m := float64(len(s))
	sum, zeros := 0.0, 0
	for _, r := range s {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	alpha := 0.7213 / (1 + 1.079/m)
	raw := alpha * m * m / sum
	if raw <= 2.5*m && zeros > 0 {
		return int64(math.Round(m * math.Log(m/float64(zeros))))
	}
	return int64(math.Round(raw))
}
