package processing

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// mediaProbe is what ffprobe tells about an audio or video file.
type mediaProbe struct {
	Duration float64
	Bitrate  int64
	Codecs   []string
	Width    int
	Height   int
	HasVideo bool // a real video stream, not cover art
	HasAudio bool
	// ArtCodec is the codec of embedded cover art (an attached picture),
	// e.g. mjpeg or png; "" when there is none.
	ArtCodec string
	// FrameRate is the video's average frame rate (frames per second).
	FrameRate float64
	Chapters  []chapter
}

// ffprobeArgs are the arguments of ffprobe for file.
func ffprobeArgs(file string) []string {
	return []string{"-v", "error", "-hide_banner", "-print_format", "json", "-show_format", "-show_streams", "-show_chapters", "--", file}
}

// parseFFprobe reads ffprobe's JSON (-show_format -show_streams).
func parseFFprobe(out []byte) (mediaProbe, error) {
	var doc struct {
		Streams []struct {
			CodecType string `json:"codec_type"`
			CodecName string `json:"codec_name"`
			Width     int    `json:"width"`
			AvgRate   string `json:"avg_frame_rate"`
			Tags      struct {
				Rotate string `json:"rotate"`
			} `json:"tags"`
			SideData []struct {
				Rotation *float64 `json:"rotation"`
			} `json:"side_data_list"`
			Height      int `json:"height"`
			Disposition struct {
				AttachedPic int `json:"attached_pic"`
			} `json:"disposition"`
		} `json:"streams"`
		Chapters []struct {
			Start string `json:"start_time"`
			End   string `json:"end_time"`
			Tags  struct {
				Title string `json:"title"`
			} `json:"tags"`
		} `json:"chapters"`
		Format struct {
			Duration string `json:"duration"`
			BitRate  string `json:"bit_rate"`
		} `json:"format"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return mediaProbe{}, fmt.Errorf("unreadable ffprobe output: %w", err)
	}
	var p mediaProbe
	if d, err := strconv.ParseFloat(doc.Format.Duration, 64); err == nil && d > 0 && !math.IsInf(d, 0) {
		p.Duration = math.Round(d*1000) / 1000
	}
	if b, err := strconv.ParseInt(doc.Format.BitRate, 10, 64); err == nil && b > 0 {
		p.Bitrate = b
	}
	for _, s := range doc.Streams {
		switch {
		case s.CodecType == "video" && s.Disposition.AttachedPic == 1:
			if p.ArtCodec == "" {
				p.ArtCodec = s.CodecName
			}
			continue // cover art is not one of the media's codecs
		case s.CodecType == "video":
			if !p.HasVideo {
				p.Width, p.Height = s.Width, s.Height
				p.FrameRate = parseRate(s.AvgRate)
				// A rotated video (phones) is shown, and transcoded, turned
				// a quarter: its frame is the other way round.
				rot, _ := strconv.ParseFloat(s.Tags.Rotate, 64)
				for _, sd := range s.SideData {
					if sd.Rotation != nil {
						rot = *sd.Rotation
					}
				}
				if r := math.Mod(math.Abs(rot), 180); r == 90 {
					p.Width, p.Height = p.Height, p.Width
				}
			}
			p.HasVideo = true
		case s.CodecType == "audio":
			p.HasAudio = true
		default:
			continue // subtitles, data, attachments
		}
		if s.CodecName != "" {
			p.Codecs = append(p.Codecs, s.CodecName)
		}
	}
	for i, c := range doc.Chapters {
		if i >= maxChapters {
			break
		}
		start, err1 := strconv.ParseFloat(c.Start, 64)
		end, err2 := strconv.ParseFloat(c.End, 64)
		if err1 != nil || start < 0 || math.IsInf(start, 0) || math.IsNaN(start) {
			continue
		}
		if err2 != nil || end < start || math.IsInf(end, 0) || math.IsNaN(end) {
			end = 0
		}
		p.Chapters = append(p.Chapters, chapter{Start: math.Round(start*1000) / 1000, End: math.Round(end*1000) / 1000,
			Title: cleanText(c.Tags.Title, 500)})
	}
	return p, nil
}

// maxChapters bounds the chapters kept of one file.
const maxChapters = 1000

// parseRate reads ffprobe's "num/den" frame rate; 0 when unknown.
func parseRate(s string) float64 {
	n, d, ok := strings.Cut(s, "/")
	num, err1 := strconv.ParseFloat(n, 64)
	den, err2 := strconv.ParseFloat(d, 64)
	if !ok || err1 != nil || err2 != nil || den <= 0 || num <= 0 {
		return 0
	}
	return num / den
}

// pdfInfo is what pdfinfo tells about a PDF.
type pdfInfo struct {
	Pages int
	Title string
}

// parsePDFInfo reads pdfinfo's "Key: value" lines.
func parsePDFInfo(out []byte) (pdfInfo, error) {
	var info pdfInfo
	seenPages := false
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch key {
		case "Pages":
			n, err := strconv.Atoi(value)
			if err != nil || n < 0 {
				return info, fmt.Errorf("pdfinfo reports an unreadable page count %q", value)
			}
			info.Pages, seenPages = n, true
		case "Title":
			info.Title = cleanText(value, 500)
		}
	}
	if !seenPages {
		return info, fmt.Errorf("pdfinfo reports no page count")
	}
	return info, nil
}

// cleanText keeps printable text, collapsed and cut at max bytes.
func cleanText(s string, max int) string {
	s = strings.Join(strings.Fields(strings.ToValidUTF8(s, "")), " ")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	return truncateUTF8(s, max)
}

// truncateUTF8 cuts s to at most max bytes without splitting a character.
func truncateUTF8(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
