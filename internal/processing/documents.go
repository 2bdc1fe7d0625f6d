package processing

import (
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
)

// PDF (poppler-utils: pdfinfo, pdftoppm, pdftotext) and EPUB (read in Go,
// epub.go; its cover scaled by ffmpeg).

// pdf probes a PDF, renders its first page as the cover and extracts its
// text. A PDF over max_pages fails before anything is rendered.
func (w *work) pdf(ctx context.Context) error {
	out, err := w.s.tools.run(ctx, w.dir, w.timeout, toolPDFInfo, "-enc", "UTF-8", "original")
	if err != nil {
		return err
	}
	info, err := parsePDFInfo(out)
	if err != nil {
		return badInput("%s", unreadable(familyPDF))
	}
	switch {
	case info.Pages > w.s.cfg.MaxPages:
		return badInput("too many pages: the PDF has %d, at most %d are accepted", info.Pages, w.s.cfg.MaxPages)
	case info.Pages == 0:
		return badInput("the PDF has no pages")
	}
	w.res.Content.Pages, w.res.Content.Title = info.Pages, info.Title

	// -singlefile names the output cover.jpg; -scale-to bounds its size
	// whatever the page's declared dimensions.
	err = w.s.tools.runToFile(ctx, w.dir, w.timeout, w.path("cover.jpg"), maxImageBytes, toolPDFToPPM,
		"-f", "1", "-l", "1", "-jpeg", "-jpegopt", "quality=85", "-scale-to", strconv.Itoa(thumbnailSize),
		"-singlefile", "original", "cover")
	if err != nil {
		return err
	}
	if err := w.put(ctx, "cover", "cover.jpg", "image/jpeg"); err != nil {
		return err
	}
	w.res.Content.Chapters = w.pdfOutline(ctx, info.Pages)

	// The text streams from stdout and is cut at max_text_bytes (the tool
	// is stopped there). A scanned PDF has none: then there is no text.txt.
	text, err := w.capture(ctx, toolPDFToText, "-layout", "-enc", "UTF-8", "-l", strconv.Itoa(info.Pages), "original", "-")
	if err != nil {
		return err
	}
	return w.keepText(ctx, text)
}

// capture runs a tool and keeps at most max_text_bytes of its stdout.
func (w *work) capture(ctx context.Context, tool string, args ...string) (string, error) {
	limit := w.s.cfg.MaxTextBytes
	var b strings.Builder
	err := w.s.tools.stream(ctx, w.dir, w.timeout, tool, args, func(r io.Reader) error {
		_, err := io.Copy(&b, io.LimitReader(r, int64(limit)+1))
		if err != nil {
			return err
		}
		if b.Len() > limit {
			return errStopTool
		}
		return nil
	})
	return b.String(), err
}

// keepText stores text as text.txt when it has any.
func (w *work) keepText(ctx context.Context, text string) error {
	text = truncateUTF8(strings.ToValidUTF8(text, ""), w.s.cfg.MaxTextBytes)
	if strings.TrimSpace(text) == "" {
		return nil
	}
	if err := os.WriteFile(w.path("text.txt"), []byte(text), 0o600); err != nil {
		return err
	}
	return w.put(ctx, "text", "text.txt", "text/plain; charset=utf-8")
}

// epub reads the package document, scales the declared cover image and
// keeps the text of the reading order.
func (w *work) epub(ctx context.Context) error {
	cfg := w.s.cfg
	book, err := readEPUB(w.src, epubLimits{MaxEntries: cfg.EPUBMaxEntries, MaxUnpacked: int64(cfg.EPUBMaxUnpackedBytes),
		MaxRatio: cfg.EPUBMaxRatio, MaxText: cfg.MaxTextBytes})
	if err != nil {
		var bad *badInputError
		if errors.As(err, &bad) {
			return err
		}
		return badInput("%s", unreadable(familyEPUB))
	}
	c := &w.res.Content
	c.Title, c.Language, c.Creator, c.Pages = book.Title, book.Language, book.Creator, book.Spine
	c.Chapters = book.Chapters
	if book.Cover != nil {
		// The image is written under a name of ours, never the archive's.
		if err := os.WriteFile(w.path("cover-source"), book.Cover, 0o600); err != nil {
			return err
		}
		args := ffmpegArgs("-i", "cover-source", "-frames:v", "1", "-vf", scaleFilter, "-q:v", "3",
			"-fs", strconv.Itoa(maxImageBytes), "-f", "image2", "-update", "1", "-y", "cover.jpg")
		if err := w.s.tools.runToFile(ctx, w.dir, w.timeout, w.path("cover.jpg"), maxImageBytes, toolFFmpeg, args...); err != nil {
			if _, final := permanent(err, familyEPUB); final {
				return badInput("the EPUB's cover image could not be read")
			}
			return err
		}
		if err := w.put(ctx, "cover", "cover.jpg", "image/jpeg"); err != nil {
			return err
		}
	}
	return w.keepText(ctx, book.Text)
}
