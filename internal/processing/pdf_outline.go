package processing

import (
	"bytes"
	"context"
	"encoding/xml"
	"log/slog"
	"strconv"
	"strings"
)

// PDF chapters: the document outline (bookmarks). pdfinfo and pdftotext
// do not print it; pdftohtml -xml does, after the pages it converts — it
// converts only the first page here (-f 1 -l 1, no images), runs like the
// other tools (no shell, timeout, prlimit) and its output is capped. The
// outline is optional: a PDF whose outline cannot be read, or a server
// without pdftohtml, gets no chapters and is processed as before.

const toolPDFToHTML = "pdftohtml"

// pdfOutline reads the outline of the original, at most maxChapters
// entries, flattened depth first.
func (w *work) pdfOutline(ctx context.Context, pages int) []chapter {
	if w.s.tools.paths[toolPDFToHTML] == "" {
		return nil
	}
	out, err := w.s.tools.run(ctx, w.dir, w.timeout, toolPDFToHTML, "-xml", "-stdout", "-i", "-q", "-nodrm",
		"-f", "1", "-l", "1", "original")
	if err != nil {
		w.s.log.InfoContext(ctx, "PDF outline skipped", slog.String("job", w.j.ID), slog.Any("error", err))
		return nil
	}
	return parseOutlineXML(out, pages)
}

// parseOutlineXML reads the <outline> items of pdftohtml's XML; a page
// outside 1..pages is dropped (0: unknown).
func parseOutlineXML(doc []byte, pages int) []chapter {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = false
	var out []chapter
	var cur *chapter
	var title strings.Builder
	inOutline := 0
	for len(out) < maxChapters {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch t := tok.(type) {
		case xml.StartElement:
			switch t.Name.Local {
			case "outline":
				inOutline++
			case "item":
				if inOutline == 0 {
					continue
				}
				cur = &chapter{}
				title.Reset()
				for _, a := range t.Attr {
					if a.Name.Local == "page" {
						if n, err := strconv.Atoi(a.Value); err == nil && n >= 1 && n <= pages {
							cur.Page = n
						}
					}
				}
			}
		case xml.EndElement:
			switch t.Name.Local {
			case "outline":
				inOutline = max(inOutline-1, 0)
			case "item":
				if cur != nil {
					cur.Title = cleanText(title.String(), 500)
					if cur.Title != "" {
						out = append(out, *cur)
					}
					cur = nil
				}
			}
		case xml.CharData:
			if cur != nil {
				title.Write(t)
			}
		}
	}
	return out
}
