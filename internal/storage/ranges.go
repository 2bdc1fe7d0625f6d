package storage

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// maxRanges is the most ranges one download serves once overlapping and
// adjacent ones are merged; more are refused with 416 (RFC 9110 §14.2
// lets a server reject many small ranges): each costs a store read and a
// multipart header.
const maxRanges = 16

// byteRange is an inclusive range of bytes.
type byteRange struct{ first, last int64 }

// errRangeCount is a Range header asking for more than maxRanges ranges.
var errRangeCount = fmt.Errorf("at most %d ranges may be asked for at once (overlapping and adjacent ones count as one)", maxRanges)

// normaliseRange rewrites a Range header for an object of size bytes
// before http.ServeContent sees it: ranges sorted, overlapping and
// adjacent ones merged, unsatisfiable ones dropped. It returns "" for a
// header to ignore (absent, another unit, malformed: the whole object is
// served), a header no byte satisfies when none is satisfiable (a suffix
// of zero bytes included; ServeContent answers 416), or errRangeCount.
func normaliseRange(h string, size int64) (string, error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || size <= 0 {
		return "", nil
	}
	var ranges []byteRange
	n := 0
	for part := range strings.SplitSeq(spec, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if n++; n > 1<<10 {
			// Far past anything merging could bring under the cap.
			return "", errRangeCount
		}
		first, last, ok := strings.Cut(part, "-")
		if !ok {
			return "", nil
		}
		first, last = strings.TrimSpace(first), strings.TrimSpace(last)
		if first == "" {
			suffix, err := strconv.ParseInt(last, 10, 64)
			if err != nil || suffix < 0 {
				return "", nil
			}
			if suffix > 0 {
				ranges = append(ranges, byteRange{max(size-suffix, 0), size - 1})
			}
			continue
		}
		start, err := strconv.ParseInt(first, 10, 64)
		if err != nil || start < 0 {
			return "", nil
		}
		end := size - 1
		if last != "" {
			e, err := strconv.ParseInt(last, 10, 64)
			if err != nil || e < start {
				return "", nil
			}
			end = min(e, size-1)
		}
		if start < size {
			ranges = append(ranges, byteRange{start, end})
		}
	}
	if n == 0 {
		return "", nil
	}
	if len(ranges) == 0 {
		return "bytes=" + itoa(size) + "-", nil
	}
	slices.SortFunc(ranges, func(a, b byteRange) int { return cmp.Compare(a.first, b.first) })
	merged := ranges[:1]
	for _, r := range ranges[1:] {
		if cur := &merged[len(merged)-1]; r.first <= cur.last+1 {
			cur.last = max(cur.last, r.last)
			continue
		}
		merged = append(merged, r)
	}
	if len(merged) > maxRanges {
		return "", errRangeCount
	}
	parts := make([]string, len(merged))
	for i, r := range merged {
		parts[i] = itoa(r.first) + "-" + itoa(r.last)
	}
	return "bytes=" + strings.Join(parts, ","), nil
}

// ifRangeMatches reports whether an If-Range header lets the Range
// header count (RFC 9110 §13.1.5: a strong ETag equal to the current one,
// or the exact Last-Modified date).
func ifRangeMatches(ifRange, etag string, modified time.Time) bool {
	if ifRange == "" {
		return true
	}
	if strings.HasPrefix(ifRange, `"`) {
		return ifRange == etag
	}
	t, err := http.ParseTime(ifRange)
	return err == nil && !modified.IsZero() && modified.Truncate(time.Second).Equal(t)
}
