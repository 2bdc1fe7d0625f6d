package processing

import (
	"context"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"
)

// Storyboards: thumbnails of a video every storyboard_interval, tiled in
// JPEG sprite sheets of at most storyboardGrid×storyboardGrid, and a WebVTT
// file whose cues point at each thumbnail with a media fragment
// (sheet.jpg#xywh=x,y,w,h), as players' seeking previews read them.

const (
	storyboardWidth  = 160
	storyboardGrid   = 10
	storyboardSheets = 20 // at most; a long video gets a longer interval
)

// storyboardPlan is the layout of a storyboard.
type storyboardPlan struct {
	Interval      float64 // seconds between thumbnails
	Count         int     // thumbnails
	Width, Height int     // of one thumbnail
	Cols, Rows    int     // of one sheet
}

// planStoryboard lays out the storyboard of a video of duration seconds
// and w×h pixels.
func planStoryboard(duration float64, w, h int, interval time.Duration) storyboardPlan {
	p := storyboardPlan{Interval: interval.Seconds()}
	perSheet := storyboardGrid * storyboardGrid
	if n := math.Ceil(duration / p.Interval); n > float64(perSheet*storyboardSheets) {
		p.Interval = math.Ceil(duration / float64(perSheet*storyboardSheets))
	}
	// A tail shorter than a twentieth of the interval gets no thumbnail
	// of its own (container durations overshoot the last frame a little).
	p.Count = max(int(math.Ceil(duration/p.Interval-0.05)), 1)
	p.Width = storyboardWidth
	p.Height = max(int(math.Round(float64(storyboardWidth*h)/float64(w)/2))*2, 2)
	p.Cols = min(p.Count, storyboardGrid)
	p.Rows = min((p.Count+p.Cols-1)/p.Cols, storyboardGrid)
	return p
}

// sheetName is the file of sprite sheet i (from 1).
func sheetName(i int) string { return fmt.Sprintf("storyboard-%03d.jpg", i) }

// vtt is the WebVTT file of the plan for a video of duration seconds.
func (p storyboardPlan) vtt(duration float64) string {
	var b strings.Builder
	b.WriteString("WEBVTT\n\n")
	perSheet := p.Cols * p.Rows
	for i := range p.Count {
		start := float64(i) * p.Interval
		end := min(start+p.Interval, duration)
		if i == p.Count-1 {
			end = duration
		}
		if end <= start {
			end = start + 0.001
		}
		k := i % perSheet
		fmt.Fprintf(&b, "%s --> %s\n%s#xywh=%d,%d,%d,%d\n\n", vttTime(start), vttTime(end), sheetName(i/perSheet+1),
			k%p.Cols*p.Width, k/p.Cols*p.Height, p.Width, p.Height)
	}
	return b.String()
}

// vttTime formats seconds as hh:mm:ss.mmm.
func vttTime(s float64) string {
	ms := int64(math.Round(s * 1000))
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}

// storyboard makes the sprite sheets and storyboard.vtt.
func (w *work) storyboard(ctx context.Context, p mediaProbe) error {
	plan := planStoryboard(p.Duration, p.Width, p.Height, w.s.cfg.StoryboardInterval)
	// select keeps the first frame and then the first one at least an
	// interval after the last kept (the fps filter drops everything of a
	// video shorter than one of its periods).
	vf := fmt.Sprintf("select='isnan(prev_selected_t)+gte(t-prev_selected_t\\,%s)',scale=%d:%d,tile=%dx%d",
		strconv.FormatFloat(plan.Interval, 'f', -1, 64), plan.Width, plan.Height, plan.Cols, plan.Rows)
	args := ffmpegArgs("-i", "original", "-map", "0:v:0", "-an", "-sn", "-vf", vf, "-fps_mode", "passthrough", "-q:v", "5",
		"-fs", strconv.Itoa(maxImageBytes), "-f", "image2", "-start_number", "1", "-y", "storyboard-%03d.jpg")
	timeout := min(w.timeout+time.Duration(p.Duration/10)*time.Second, w.s.cfg.JobTimeout)
	if _, err := w.s.tools.run(ctx, w.dir, timeout, toolFFmpeg, args...); err != nil {
		return err
	}
	sheets := (plan.Count + plan.Cols*plan.Rows - 1) / (plan.Cols * plan.Rows)
	for i := 1; i <= sheets; i++ {
		fi, err := os.Stat(w.path(sheetName(i)))
		if err != nil || fi.Size() == 0 || fi.Size() > maxImageBytes {
			return &toolError{Tool: toolFFmpeg, Err: fmt.Errorf("storyboard sheet %d missing or too large", i)}
		}
		if err := w.put(ctx, "storyboard", sheetName(i), "image/jpeg"); err != nil {
			return err
		}
	}
	if err := os.WriteFile(w.path("storyboard.vtt"), []byte(plan.vtt(p.Duration)), 0o600); err != nil {
		return err
	}
	return w.put(ctx, "storyboard", "storyboard.vtt", "text/vtt; charset=utf-8")
}
