// Package hlscheck is a strict reader of the HLS playlists processing
// writes (RFC 8216bis, the subset hls.js and Safari need of a VOD
// ladder): the processing and end-to-end tests check playlists with it.
package hlscheck

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// Variant is one EXT-X-STREAM-INF of a master playlist.
type Variant struct {
	URI           string
	Bandwidth     int
	Width, Height int
	Codecs        string
}

// MediaPlaylist is a media playlist.
type MediaPlaylist struct {
	TargetDuration int
	Init           string // EXT-X-MAP URI
	Segments       []string
	Durations      []float64
}

var attrRE = regexp.MustCompile(`([A-Z0-9-]+)=("[^"]*"|[^,]*)`)

// attrs parses an attribute list, refusing duplicates and stray text.
func attrs(s string) (map[string]string, error) {
	out := map[string]string{}
	rest := s
	for rest != "" {
		m := attrRE.FindStringSubmatchIndex(rest)
		if m == nil || m[0] != 0 {
			return nil, fmt.Errorf("malformed attribute list %q", s)
		}
		k, v := rest[m[2]:m[3]], rest[m[4]:m[5]]
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("attribute %s twice", k)
		}
		out[k] = v
		rest = rest[m[1]:]
		if rest != "" {
			if rest[0] != ',' {
				return nil, fmt.Errorf("malformed attribute list %q", s)
			}
			rest = rest[1:]
		}
	}
	return out, nil
}

// checkURI accepts a relative URI without a scheme, host, or path
// escape: it must resolve beside the playlist.
func checkURI(s string) error {
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(s, "/") || strings.Contains(s, "..") || strings.Contains(s, "/") || s == "" {
		return fmt.Errorf("URI %q is not a plain relative name", s)
	}
	return nil
}

func lines(b []byte) ([]string, error) {
	s := string(b)
	if !strings.HasPrefix(s, "#EXTM3U\n") {
		return nil, errors.New("does not start with #EXTM3U")
	}
	if strings.ContainsRune(s, '\r') || strings.HasPrefix(s, "\uFEFF") {
		return nil, errors.New("carriage return or byte order mark")
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")[1:], nil
}

// Master checks a master playlist and returns its variants.
func Master(b []byte) ([]Variant, error) {
	ls, err := lines(b)
	if err != nil {
		return nil, err
	}
	var out []Variant
	var pending *Variant
	version := 0
	for i, l := range ls {
		switch {
		case strings.HasPrefix(l, "#EXT-X-VERSION:"):
			version, err = strconv.Atoi(strings.TrimPrefix(l, "#EXT-X-VERSION:"))
			if err != nil {
				return nil, fmt.Errorf("line %d: bad version", i+2)
			}
		case l == "#EXT-X-INDEPENDENT-SEGMENTS":
		case strings.HasPrefix(l, "#EXT-X-STREAM-INF:"):
			if pending != nil {
				return nil, fmt.Errorf("line %d: EXT-X-STREAM-INF without a URI", i+2)
			}
			a, err := attrs(strings.TrimPrefix(l, "#EXT-X-STREAM-INF:"))
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", i+2, err)
			}
			v := Variant{}
			if v.Bandwidth, err = strconv.Atoi(a["BANDWIDTH"]); err != nil || v.Bandwidth <= 0 {
				return nil, fmt.Errorf("line %d: BANDWIDTH missing or bad", i+2)
			}
			if ab, ok := a["AVERAGE-BANDWIDTH"]; ok {
				n, err := strconv.Atoi(ab)
				if err != nil || n <= 0 || n > v.Bandwidth {
					return nil, fmt.Errorf("line %d: AVERAGE-BANDWIDTH bad or above BANDWIDTH", i+2)
				}
			}
			w, h, ok := strings.Cut(a["RESOLUTION"], "x")
			v.Width, _ = strconv.Atoi(w)
			v.Height, _ = strconv.Atoi(h)
			if !ok || v.Width <= 0 || v.Height <= 0 {
				return nil, fmt.Errorf("line %d: RESOLUTION missing or bad", i+2)
			}
			c := a["CODECS"]
			if len(c) < 2 || c[0] != '"' || c[len(c)-1] != '"' || !regexp.MustCompile(`^avc1\.[0-9a-f]{6}(,mp4a\.40\.2)?$`).MatchString(c[1:len(c)-1]) {
				return nil, fmt.Errorf("line %d: CODECS %s is not quoted H.264 (+AAC)", i+2, c)
			}
			v.Codecs = c[1 : len(c)-1]
			pending = &v
		case strings.HasPrefix(l, "#"):
			return nil, fmt.Errorf("line %d: unexpected tag %q", i+2, l)
		case l == "":
			return nil, fmt.Errorf("line %d: empty line", i+2)
		default:
			if pending == nil {
				return nil, fmt.Errorf("line %d: URI without EXT-X-STREAM-INF", i+2)
			}
			if err := checkURI(l); err != nil {
				return nil, fmt.Errorf("line %d: %w", i+2, err)
			}
			pending.URI = l
			out = append(out, *pending)
			pending = nil
		}
	}
	if pending != nil || len(out) == 0 {
		return nil, errors.New("no complete variant")
	}
	if version < 6 {
		return nil, errors.New("EXT-X-VERSION missing or below 6 (fMP4 needs EXT-X-MAP in a master's variants)")
	}
	return out, nil
}

// Media checks a VOD media playlist of fMP4 segments.
func Media(b []byte) (MediaPlaylist, error) {
	ls, err := lines(b)
	if err != nil {
		return MediaPlaylist{}, err
	}
	var m MediaPlaylist
	var dur float64 = -1
	ended, vod := false, false
	for i, l := range ls {
		if ended && l != "" {
			return m, fmt.Errorf("line %d: after EXT-X-ENDLIST", i+2)
		}
		switch {
		case strings.HasPrefix(l, "#EXT-X-VERSION:"), strings.HasPrefix(l, "#EXT-X-MEDIA-SEQUENCE:"), l == "#EXT-X-INDEPENDENT-SEGMENTS":
		case strings.HasPrefix(l, "#EXT-X-TARGETDURATION:"):
			if m.TargetDuration, err = strconv.Atoi(strings.TrimPrefix(l, "#EXT-X-TARGETDURATION:")); err != nil || m.TargetDuration <= 0 {
				return m, fmt.Errorf("line %d: bad target duration", i+2)
			}
		case l == "#EXT-X-PLAYLIST-TYPE:VOD":
			vod = true
		case strings.HasPrefix(l, "#EXT-X-MAP:"):
			a, err := attrs(strings.TrimPrefix(l, "#EXT-X-MAP:"))
			u := strings.Trim(a["URI"], `"`)
			if err != nil || checkURI(u) != nil {
				return m, fmt.Errorf("line %d: bad EXT-X-MAP", i+2)
			}
			m.Init = u
		case strings.HasPrefix(l, "#EXTINF:"):
			v, _, _ := strings.Cut(strings.TrimPrefix(l, "#EXTINF:"), ",")
			if dur, err = strconv.ParseFloat(v, 64); err != nil || dur <= 0 {
				return m, fmt.Errorf("line %d: bad EXTINF", i+2)
			}
		case l == "#EXT-X-ENDLIST":
			ended = true
		case strings.HasPrefix(l, "#"):
			return m, fmt.Errorf("line %d: unexpected tag %q", i+2, l)
		case l == "":
		default:
			if dur < 0 {
				return m, fmt.Errorf("line %d: segment without EXTINF", i+2)
			}
			if err := checkURI(l); err != nil {
				return m, fmt.Errorf("line %d: %w", i+2, err)
			}
			if int(dur+0.5) > m.TargetDuration {
				return m, fmt.Errorf("line %d: segment of %.3fs exceeds the target duration %d", i+2, dur, m.TargetDuration)
			}
			m.Segments, m.Durations = append(m.Segments, l), append(m.Durations, dur)
			dur = -1
		}
	}
	switch {
	case !ended || !vod:
		return m, errors.New("not a complete VOD playlist (EXT-X-PLAYLIST-TYPE:VOD and EXT-X-ENDLIST)")
	case m.Init == "":
		return m, errors.New("no EXT-X-MAP: not fMP4")
	case len(m.Segments) == 0:
		return m, errors.New("no segments")
	}
	return m, nil
}
