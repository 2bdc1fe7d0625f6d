package processing

import (
	"bufio"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
)

// Waveform peaks for players, in the audiowaveform JSON format (version 2,
// one channel, 16 bits) that peaks.js and wavesurfer read: data holds
// min,max pairs, one pair per samples_per_pixel decoded samples.
//
// ffmpeg decodes the audio to mono signed 16-bit PCM at waveformRate and
// streams it to stdout; the peaks are folded as the samples arrive, so
// memory does not grow with the length of the audio: buckets start one
// sample wide, neighbours merge (doubling the width) whenever 2N buckets
// fill up, and the N to 2N buckets left are resampled to N points at the
// end. The probed duration is not trusted for this: it may be wrong.

const waveformRate = 8000

// waveform is the JSON document.
type waveform struct {
	Version         int     `json:"version"`
	Channels        int     `json:"channels"`
	SampleRate      int     `json:"sample_rate"`
	SamplesPerPixel int     `json:"samples_per_pixel"`
	Bits            int     `json:"bits"`
	Length          int     `json:"length"`
	Data            []int16 `json:"data"`
}

// peakFolder folds a stream of samples into min/max buckets.
type peakFolder struct {
	points  int // N, the number of points wanted
	perB    int // samples per bucket
	n       int // samples in the current bucket
	buckets []int16
	lo, hi  int16
}

func newPeakFolder(points int) *peakFolder {
	return &peakFolder{points: points, perB: 1, buckets: make([]int16, 0, 4*points)}
}

func (f *peakFolder) add(s int16) {
	if f.n == 0 || s < f.lo {
		f.lo = s
	}
	if f.n == 0 || s > f.hi {
		f.hi = s
	}
	f.n++
	if f.n == f.perB {
		f.flush()
	}
}

func (f *peakFolder) flush() {
	if f.n == 0 {
		return
	}
	f.buckets = append(f.buckets, f.lo, f.hi)
	f.n = 0
	if len(f.buckets) >= 4*f.points { // 2N pairs: merge neighbours
		merged := f.buckets[:0]
		for i := 0; i+3 < len(f.buckets); i += 4 {
			merged = append(merged, min(f.buckets[i], f.buckets[i+2]), max(f.buckets[i+1], f.buckets[i+3]))
		}
		f.buckets = merged
		f.perB *= 2
	}
}

// result resamples the buckets to at most N points.
func (f *peakFolder) result() waveform {
	f.flush()
	have := len(f.buckets) / 2
	data := f.buckets
	per := f.perB
	if have > f.points {
		data = make([]int16, 0, 2*f.points)
		for i := range f.points {
			from, to := i*have/f.points, (i+1)*have/f.points
			lo, hi := f.buckets[2*from], f.buckets[2*from+1]
			for j := from + 1; j < to; j++ {
				lo, hi = min(lo, f.buckets[2*j]), max(hi, f.buckets[2*j+1])
			}
			data = append(data, lo, hi)
		}
		per = per * have / f.points
	}
	return waveform{Version: 2, Channels: 1, SampleRate: waveformRate, SamplesPerPixel: per, Bits: 16,
		Length: len(data) / 2, Data: data}
}

// foldPCM reads little-endian s16 samples from r into f.
func foldPCM(r io.Reader, f *peakFolder) (int64, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf [2]byte
	var samples int64
	for {
		if _, err := io.ReadFull(br, buf[:]); err != nil {
			if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
				return samples, nil
			}
			return samples, err
		}
		f.add(int16(binary.LittleEndian.Uint16(buf[:]))) //nolint:gosec // reinterpreting the PCM bits
		samples++
	}
}

// renderWaveform draws the peaks as a PNG image, w×h pixels: used as the
// cover of audio without embedded art. Drawing from the peaks already
// computed avoids a second decode (ffmpeg's showwavespic keeps every
// sample of the file in memory).
func renderWaveform(wf waveform, file string, w, h int) error {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	bg := color.NRGBA{R: 0xf8, G: 0xfa, B: 0xfc, A: 0xff}
	fg := color.NRGBA{R: 0x25, G: 0x63, B: 0xeb, A: 0xff}
	for y := range h {
		for x := range w {
			img.SetNRGBA(x, y, bg)
		}
	}
	mid := h / 2
	if wf.Length > 0 {
		for x := range w {
			i := x * wf.Length / w
			lo, hi := int(wf.Data[2*i]), int(wf.Data[2*i+1])
			top, bottom := mid-hi*mid/32768, mid-lo*mid/32768
			if bottom <= top {
				bottom = top + 1
			}
			for y := max(top, 0); y < min(bottom, h); y++ {
				img.SetNRGBA(x, y, fg)
			}
		}
	}
	f, err := os.Create(file) //nolint:gosec // the job's own temporary file
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}
