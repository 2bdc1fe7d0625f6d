package processing

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"mime"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/alexandria-platform/alexandria/internal/platform/blob"
)

// jobResult is what a job made.
type jobResult struct {
	Content     content
	Derivatives []derivative
	Renditions  []renditionInfo // video: the HLS ladder as made
}

// renditionInfo is one rendition of the HLS ladder.
type renditionInfo struct {
	Name          string // its media playlist, a derivative
	Width, Height int
	Bandwidth     int
	Codecs        string
}

// chapter is one chapter of an original: audio and video chapters,
// EPUB navigation, PDF outline.
type chapter struct {
	Start float64 // seconds (audio, video); 0 for documents
	End   float64
	Title string
	Href  string // EPUB: the document (and fragment) in the book
	Page  int    // PDF: the page, from 1
	// Section is, for an EPUB, the form-feed separated part of the
	// extracted text (one per reading-order document, from 1) the chapter
	// starts in; 0 when unknown.
	Section int
}

// content describes an original as probed; the fields a format does not
// have stay zero.
type content struct {
	Size            int64
	SHA256          string
	ContentType     string
	DurationSeconds float64 // audio and video
	Bitrate         int64   // audio and video: overall bits per second
	Width, Height   int     // video frame, pixels
	Codecs          []string
	Pages           int // PDF: pages; EPUB: documents in the spine
	Title           string
	Language        string // EPUB
	Creator         string // EPUB
	Chapters        []chapter
}

// derivative is one object made from an original.
type derivative struct {
	Kind        string // cover, thumbnail, waveform, waveform_image, text, rendition, rendition_segment, storyboard, chapters
	ObjectKey   string
	ContentType string
	Size        int64
}

// work is one attempt of a job: its temporary directory, the original in
// it, and what was made so far.
type work struct {
	s       *Service
	j       *job
	dir     string
	src     string
	timeout time.Duration // per tool
	res     jobResult
}

// Families of originals, by content type.
const (
	familyVideo = "video"
	familyAudio = "audio"
	familyPDF   = "pdf"
	familyEPUB  = "epub"
	familyText  = "text"
)

// family maps a sniffed content type to how it is processed.
func family(contentType string) string {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	switch mt {
	case "video/mp4", "video/webm", "video/quicktime", "video/x-matroska":
		return familyVideo
	case "audio/mpeg", "audio/mp4", "audio/x-m4a", "audio/aac", "audio/ogg", "audio/opus", "audio/webm", "audio/flac", "audio/wav", "audio/x-wav":
		return familyAudio
	case "application/pdf":
		return familyPDF
	case "application/epub+zip":
		return familyEPUB
	case "text/plain", "text/markdown":
		return familyText
	}
	return ""
}

// process fetches the original into a fresh directory, makes what its
// family needs, and removes the directory.
func (s *Service) process(ctx context.Context, j *job) (*jobResult, error) {
	fam := family(j.ContentType)
	if fam == "" {
		return nil, badInput("files of type %s cannot be processed", cleanText(j.ContentType, 100))
	}
	if j.Size > int64(s.cfg.MaxFileBytes) {
		return nil, badInput("the file is larger than %d bytes", s.cfg.MaxFileBytes)
	}
	dir, err := os.MkdirTemp(s.workDir, "job-")
	if err != nil {
		return nil, fmt.Errorf("job directory: %w", err)
	}
	defer os.RemoveAll(dir) //nolint:errcheck // best effort; stale directories are swept at start
	w := &work{s: s, j: j, dir: dir, src: filepath.Join(dir, "original")}
	if err := w.fetch(ctx); err != nil {
		return nil, err
	}
	w.timeout = s.toolTimeout(w.res.Content.Size)
	switch fam {
	case familyVideo:
		err = w.video(ctx)
	case familyAudio:
		err = w.audio(ctx)
	case familyPDF:
		err = w.pdf(ctx)
	case familyEPUB:
		err = w.epub(ctx)
	case familyText:
		err = w.text(ctx)
	}
	if err != nil {
		return nil, err
	}
	return &w.res, nil
}

// toolTimeout grows with the file: tool_timeout, plus 1 s per 8 MiB, at
// most job_timeout.
func (s *Service) toolTimeout(size int64) time.Duration {
	d := s.cfg.ToolTimeout + time.Duration(size/(8<<20))*time.Second
	return min(d, s.cfg.JobTimeout)
}

// fetch copies the original from the object store and checks its sha256.
func (w *work) fetch(ctx context.Context) error {
	limit := int64(w.s.cfg.MaxFileBytes)
	if err := w.s.objects.GetFile(ctx, w.j.ObjectKey, w.src, limit); err != nil {
		if blob.IsNotFound(err) {
			return badInput("the uploaded file is no longer stored")
		}
		if fi, serr := os.Stat(w.src); serr == nil && fi.Size() > limit {
			return badInput("the file is larger than %d bytes", limit)
		}
		return fmt.Errorf("fetch %s: %w", w.j.ObjectKey, err)
	}
	sum, size, err := blob.HashFile(w.src)
	if err != nil {
		return err
	}
	if hex.EncodeToString(sum) != w.j.SHA256 {
		return badInput("the stored file does not match its checksum; upload it again")
	}
	w.res.Content = content{Size: size, SHA256: w.j.SHA256, ContentType: w.j.ContentType}
	return nil
}

// put stores a file of the job's directory as a derivative.
func (w *work) put(ctx context.Context, kind, name, contentType string) error {
	path := filepath.Join(w.dir, name)
	fi, err := os.Stat(path)
	if err != nil {
		return err
	}
	key := derivativePrefix(w.j.MediaID, w.j.SHA256) + name
	if err := w.s.objects.PutFile(ctx, key, path, contentType); err != nil {
		return fmt.Errorf("store %s: %w", key, err)
	}
	w.res.Derivatives = append(w.res.Derivatives, derivative{Kind: kind, ObjectKey: key, ContentType: contentType, Size: fi.Size()})
	return nil
}

// path is a file of the job's directory.
func (w *work) path(name string) string { return filepath.Join(w.dir, name) }

// text keeps a plain text or Markdown original as text.txt, valid UTF-8,
// cut at max_text_bytes.
func (w *work) text(ctx context.Context) error {
	f, err := os.Open(w.src)
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(io.LimitReader(f, int64(w.s.cfg.MaxTextBytes)))
	_ = f.Close()
	if err != nil {
		return err
	}
	text := strings.TrimPrefix(strings.ToValidUTF8(string(raw), "\uFFFD"), "\uFEFF")
	text = truncateUTF8(text, w.s.cfg.MaxTextBytes)
	if err := os.WriteFile(w.path("text.txt"), []byte(text), 0o600); err != nil {
		return err
	}
	if strings.TrimSpace(text) == "" {
		return badInput("the text file is empty")
	}
	return w.put(ctx, "text", "text.txt", "text/plain; charset=utf-8")
}
