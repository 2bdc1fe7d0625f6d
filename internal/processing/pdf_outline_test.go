package processing

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"github.com/alexandria-platform/alexandria/internal/platform/module/moduletest"
)

// outlinedPDF is a two-page PDF with a nested outline.
func outlinedPDF() []byte {
	content := "BT /F1 18 Tf 20 100 Td (Hello outline) Tj ET"
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R /Outlines 7 0 R >>",
		"<< /Type /Pages /Kids [3 0 R 6 0 R] /Count 2 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
		"<< /Type /Outlines /First 8 0 R /Last 9 0 R /Count 2 >>",
		"<< /Title (Introduction) /Parent 7 0 R /Next 9 0 R /Dest [3 0 R /Fit] /First 10 0 R /Last 10 0 R /Count 1 >>",
		"<< /Title (The <Fire> & after) /Parent 7 0 R /Prev 8 0 R /Dest [6 0 R /Fit] >>",
		"<< /Title (Sub section) /Parent 8 0 R /Dest [6 0 R /XYZ 0 100 0] >>",
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
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

func TestParseOutlineXML(t *testing.T) {
	doc := `<?xml version="1.0"?><pdf2xml><page number="1"><text>not a chapter</text></page>
<outline><item page="1">One</item><outline><item page="7">Page out of range</item><item>  </item></outline>
<item page="2">Two &amp; <b>bold</b></item></outline></pdf2xml>`
	got := parseOutlineXML([]byte(doc), 3)
	want := []chapter{{Title: "One", Page: 1}, {Title: "Page out of range"}, {Title: "Two & bold", Page: 2}}
	if !slices.Equal(got, want) {
		t.Errorf("outline %+v, want %+v", got, want)
	}
	if got := parseOutlineXML([]byte("<pdf2xml><outline><item page=\"1\">Cut"), 1); len(got) != 0 {
		t.Errorf("damaged XML: %+v", got)
	}
}

func TestPDFOutlineChapters(t *testing.T) {
	t.Parallel()
	requireTools(t)
	x := start(t, moduletest.Stores(t)[0], testConfig(), nil)
	up := x.upload(outlinedPDF(), "application/pdf", "book")
	x.publish(up)
	x.expect(t, up, want{derivatives: []string{"cover", "text"}, check: func(t *testing.T, _ *harness, p processedV1) {
		want := []chapterV1{{Title: "Introduction", Page: 1}, {Title: "Sub section", Page: 2}, {Title: "The <Fire> & after", Page: 2}}
		if p.Content.Pages != 2 || !slices.Equal(p.Content.Chapters, want) {
			t.Errorf("pages %d, chapters %+v", p.Content.Pages, p.Content.Chapters)
		}
	}})
}
