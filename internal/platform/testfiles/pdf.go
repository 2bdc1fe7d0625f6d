// Package testfiles builds small, valid media files for tests: files made in
// the test, not checked in.
package testfiles

import (
	"bytes"
	"fmt"
)

// PDF returns a one-page PDF with a title and a line of text. claimPages is
// the /Count its page tree declares: a PDF "of 100,000 pages" is the same
// file with /Count 100000 (and a trailer /Size large enough that poppler
// believes it).
func PDF(title, text string, claimPages int) []byte {
	content := fmt.Sprintf("BT /F1 18 Tf 20 100 Td (%s) Tj ET", text)
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		fmt.Sprintf("<< /Type /Pages /Kids [3 0 R] /Count %d >>", claimPages),
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Title (%s) >>", title),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	size := len(objs) + 1
	if claimPages > 1 {
		size += claimPages
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n", size, xref)
	return b.Bytes()
}

// PaddedPDF is PDF with a comment of about pad bytes before the objects: a
// large, valid file made cheaply.
func PaddedPDF(title, text string, pad int) []byte {
	small := PDF(title, text, 1)
	header := []byte("%PDF-1.4\n")
	line := "% " + string(bytes.Repeat([]byte("x"), 77)) + "\n"
	var b bytes.Buffer
	b.Write(header)
	for n := 0; n < pad; n += len(line) {
		b.WriteString(line)
	}
	shift := b.Len() - len(header)
	// Move every offset in the cross-reference table and startxref by shift.
	rest := small[len(header):]
	var out bytes.Buffer
	out.Write(b.Bytes())
	xrefAt := bytes.Index(rest, []byte("xref\n"))
	out.Write(rest[:xrefAt])
	lines := bytes.Split(rest[xrefAt:], []byte("\n"))
	for i, l := range lines {
		if len(l) == 19 && bytes.HasSuffix(l, []byte(" 00000 n ")) {
			var off int
			_, _ = fmt.Sscanf(string(l), "%010d", &off)
			l = []byte(fmt.Sprintf("%010d 00000 n ", off+shift))
		}
		if i > 0 && string(lines[i-1]) == "startxref" {
			var off int
			_, _ = fmt.Sscanf(string(l), "%d", &off)
			l = []byte(fmt.Sprint(off + shift))
		}
		out.Write(l)
		if i < len(lines)-1 {
			out.WriteByte('\n')
		}
	}
	return out.Bytes()
}
