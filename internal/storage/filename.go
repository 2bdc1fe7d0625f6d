package storage

import (
	"encoding/hex"
	"mime"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// SanitizeFilename turns an uploader's file name into a display name: the
// last path element, without control or quoting characters, at most 200
// bytes of valid UTF-8. It is only ever shown (Content-Disposition, the
// completed event), never used as a path.
func SanitizeFilename(name string) string {
	name = strings.ToValidUTF8(name, "")
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsControl(r), r == '"', r == ';', unicode.Is(unicode.Bidi_Control, r):
			return -1
		}
		return r
	}, name)
	name = trimDotsAndSpaces(name)
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return trimDotsAndSpaces(name)
}

// trimDotsAndSpaces removes dots and spaces at both ends, mixed in any order
// (". .0" must not keep its leading dot, found by FuzzSanitizeFilename).
func trimDotsAndSpaces(name string) string {
	return strings.TrimFunc(name, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
}

// extensions name the file of a content type when the uploader gave none.
var extensions = map[string]string{
	TypePDF: ".pdf", TypeEPUB: ".epub", TypeText: ".txt", TypeMarkdown: ".md", TypeMP3: ".mp3",
	TypeM4A: ".m4a", TypeOgg: ".ogg", TypeMP4: ".mp4", TypeWebM: ".webm",
}

// aliases are other extensions that name a content type truthfully.
var aliases = map[string][]string{
	TypeText: {".text"}, TypeMarkdown: {".markdown", ".mkd"}, TypeM4A: {".m4b"}, TypeOgg: {".oga", ".opus"},
	TypeMP4: {".m4v"},
}

// withExtension gives name the extension of the type its bytes were
// found to be: the uploader's extension says nothing (evil.html for a
// text file would invite a browser or a saved file to treat it as HTML).
// Names of types storage does not detect are kept.
func withExtension(name, contentType string) string {
	ext, ok := extensions[contentType]
	if !ok {
		return name
	}
	cur := strings.ToLower(path.Ext(name))
	if cur == ext || slices.Contains(aliases[contentType], cur) {
		return name
	}
	return strings.TrimRight(strings.TrimSuffix(name, path.Ext(name)), ". ") + ext
}

// contentDisposition is "inline" with the display name, as an ASCII
// fallback and RFC 8187 UTF-8; the extension follows the detected type.
func contentDisposition(name, fallback, contentType string) string {
	if name == "" {
		name = fallback
	}
	name = withExtension(name, contentType)
	ascii := strings.Map(func(r rune) rune {
		if r > 126 || r < 32 || r == '\\' || r == '"' || r == '%' {
			return '_'
		}
		return r
	}, name)
	v := mime.FormatMediaType("inline", map[string]string{"filename": ascii})
	if v == "" {
		v = "inline"
	}
	return v + "; filename*=UTF-8''" + encodeExtValue(name)
}

// encodeExtValue percent-encodes every byte that is not an RFC 8187 attr-char.
func encodeExtValue(s string) string {
	const attr = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 128 && (unicode.IsLetter(rune(c)) || unicode.IsDigit(rune(c)) || strings.IndexByte(attr, c) >= 0) {
			b.WriteByte(c)
			continue
		}
		b.WriteString("%" + strings.ToUpper(hex.EncodeToString([]byte{c})))
	}
	return b.String()
}
