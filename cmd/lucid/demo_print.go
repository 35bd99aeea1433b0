package main

import (
	"crypto/x509"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode"

	"lucid/internal/record"
	"lucid/tls"
)

// ---- output ----

// printer writes the narration; the first write error sticks. Widths are
// display columns: a Chinese character takes two.
type printer struct {
	w   io.Writer
	err error
	// keyWidth is the width of kv's key column.
	keyWidth int
}

// textWidth is the widest line the demo prints, in display columns.
const textWidth = 78

func newPrinter(w io.Writer, keyWidth int) *printer { return &printer{w: w, keyWidth: keyWidth} }

func (p *printer) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	if len(args) == 0 {
		_, p.err = io.WriteString(p.w, format+"\n")
		return
	}
	_, p.err = fmt.Fprintf(p.w, format+"\n", args...)
}

func (p *printer) step(num, title string) {
	p.line("")
	p.line("%s. %s", num, title)
}

// kv prints an aligned key and value.
func (p *printer) kv(key, value string) {
	p.line("     %s %s", pad(key, p.keyWidth), value)
}

// list prints a key and a comma-separated list, wrapped under itself.
func (p *printer) list(key string, items []string) {
	if len(items) == 0 {
		p.kv(key, "-")
		return
	}
	indent := strings.Repeat(" ", 5+p.keyWidth+1)
	cur, first := "", true
	flush := func() {
		if first {
			p.kv(key, cur)
			first = false
		} else {
			p.line("%s%s", indent, cur)
		}
	}
	for i, it := range items {
		if i < len(items)-1 {
			it += ","
		}
		if cur != "" && len(indent)+width(cur)+1+width(it) > textWidth {
			flush()
			cur = ""
		}
		if cur != "" {
			cur += " "
		}
		cur += it
	}
	flush()
}

// wrapped prints text after a label, wrapping long lines under the text.
func (p *printer) wrapped(label, text string) {
	indent := "     " + strings.Repeat(" ", width(label))
	for i, l := range wrap(text, textWidth-len(indent)) {
		if i == 0 {
			p.line("     %s%s", label, l)
		} else {
			p.line("%s%s", indent, l)
		}
	}
}

// httpLines splits an HTTP message into its lines, CRLFs dropped.
func httpLines(b []byte) []string {
	s := strings.TrimRight(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	return strings.Split(s, "\n")
}

// hexLines formats b as hex, perLine bytes to a line, at most maxLines
// lines (0: all), the last saying how many bytes were left out.
func hexLines(b []byte, perLine, maxLines int) []string {
	var out []string
	for off := 0; off < len(b); off += perLine {
		if maxLines > 0 && len(out) == maxLines-1 && len(b)-off > perLine {
			out = append(out, fmt.Sprintf("... %d more bytes", len(b)-off))
			break
		}
		out = append(out, spacedHex(b[off:min(off+perLine, len(b))]))
	}
	return out
}

// spacedHex writes bytes as "17 03 03".
func spacedHex(b []byte) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("%02x", x)
	}
	return strings.Join(parts, " ")
}

// sideBySide prints two columns: what the wiretap sees and what an
// endpoint sees. The right column wraps.
func (p *printer) sideBySide(leftTitle string, left []string, rightTitle string, right []string) {
	const leftW = 29 // 10 bytes of spaced hex
	rightW := textWidth - 5 - leftW - 2
	var r []string
	for _, l := range right {
		for i, piece := range wrap(l, rightW-2) {
			if i == 0 {
				r = append(r, "| "+piece)
			} else {
				r = append(r, "|   "+piece)
			}
		}
	}
	p.line("     %s  %s", pad(leftTitle, leftW), rightTitle)
	for i := range max(len(left), len(r)) {
		var a, b string
		if i < len(left) {
			a = left[i]
		}
		if i < len(r) {
			b = r[i]
		}
		p.line("%s", strings.TrimRight("     "+pad(a, leftW)+"  "+b, " "))
	}
}

// cutWidth splits s after at most w columns.
func cutWidth(s string, w int) (head, rest string) {
	cols := 0
	for i, r := range s {
		if cols+runeWidth(r) > w {
			return s[:i], s[i:]
		}
		cols += runeWidth(r)
	}
	return s, ""
}

// records prints the wiretap's capture as a table; inside describes what
// the key log shows a record holds.
func (p *printer) records(recs []*tapRecord, head [6]string, inside func(*tapRecord) string) {
	row := func(c [6]string) {
		lead := fmt.Sprintf("     %s  %s  %s  %s  %s  ",
			padLeft(c[0], 2), pad(c[1], 4), pad(c[2], 18), pad(c[3], 7), padLeft(c[4], 5))
		for i, l := range wrap(c[5], textWidth-width(lead)) {
			if i > 0 {
				lead = strings.Repeat(" ", width(lead))
			}
			p.line("%s", strings.TrimRight(lead+l, " "))
		}
	}
	row(head)
	for _, r := range recs {
		dir := "S->C"
		if r.fromClient {
			dir = "C->S"
		}
		row([6]string{fmt.Sprint(r.n), dir, record.TypeName(r.typ), tls.VersionName(r.version), fmt.Sprint(r.length), inside(r)})
	}
}

// wrap splits s into lines of at most w columns. It breaks at spaces and
// between Chinese characters, which need none, but never before closing
// punctuation.
func wrap(s string, w int) []string {
	type token struct {
		text  string
		space bool // a space came before it
	}
	var toks []token
	space := false
	word := ""
	flush := func() {
		if word != "" {
			toks = append(toks, token{word, space})
			word, space = "", false
		}
	}
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n':
			flush()
			space = true
		case runeWidth(r) == 2:
			flush()
			toks = append(toks, token{string(r), space})
			space = false
		default:
			word += string(r)
		}
	}
	flush()
	// render joins a line's tokens; a token's space is dropped at the
	// start of a line.
	render := func(line []token) string {
		out := ""
		for i, t := range line {
			if i > 0 && t.space {
				out += " "
			}
			out += t.text
		}
		return out
	}
	var lines []string
	var cur []token
	for _, t := range toks {
		if len(cur) > 0 && width(render(append(cur[:len(cur):len(cur)], t))) > w {
			// A closing mark must not begin a line: carry the word
			// before it (and any marks between) to the next line.
			var carry []token
			if closingPunct(t.text) {
				for len(cur) > 1 {
					last := cur[len(cur)-1]
					cur = cur[:len(cur)-1]
					carry = append([]token{last}, carry...)
					if !closingPunct(last.text) {
						break
					}
				}
			}
			// An opening mark must not end one.
			for len(cur) > 1 && openingPunct(cur[len(cur)-1].text) {
				carry = append([]token{cur[len(cur)-1]}, carry...)
				cur = cur[:len(cur)-1]
			}
			lines = append(lines, render(cur))
			cur = carry
		}
		if len(cur) == 0 {
			for width(t.text) > w {
				head, rest := cutWidth(t.text, w)
				lines = append(lines, head)
				t.text = rest
			}
		}
		cur = append(cur, t)
	}
	if len(cur) > 0 || len(lines) == 0 {
		lines = append(lines, render(cur))
	}
	return lines
}

// closingPunct reports whether t must not begin a line.
func closingPunct(t string) bool {
	return t != "" && strings.Contains("，。、；：？！）」』》”", t)
}

// openingPunct reports whether t must not end a line.
func openingPunct(t string) bool {
	return t != "" && strings.Contains("（「『《“", t)
}

// para prints a paragraph, wrapped and indented like the narration.
func (p *printer) para(text string) {
	for _, l := range wrap(text, textWidth-3) {
		p.line("   %s", l)
	}
}

// runeWidth is how many columns r takes in a terminal: two for East Asian
// wide characters.
func runeWidth(r rune) int {
	if unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xff60) {
		return 2
	}
	return 1
}

// width is the display width of s.
func width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

func pad(s string, w int) string {
	if d := w - width(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

func padLeft(s string, w int) string {
	if d := w - width(s); d > 0 {
		return strings.Repeat(" ", d) + s
	}
	return s
}

func mapNames(ids []uint16, name func(uint16) string) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = name(id)
	}
	return out
}

// certNames lists a certificate's DNS names and IP addresses.
func certNames(c *x509.Certificate) string {
	var names []string
	for _, n := range c.DNSNames {
		names = append(names, "DNS:"+n)
	}
	for _, ip := range c.IPAddresses {
		names = append(names, "IP:"+ip.String())
	}
	if len(names) == 0 {
		return "(none)"
	}
	return strings.Join(names, ", ")
}

func fmtTime(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func firstLine(b []byte) string {
	s, _, _ := strings.Cut(string(b), "\r\n")
	return s
}
