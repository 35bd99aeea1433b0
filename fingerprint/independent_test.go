package fingerprint_test

import (
	"crypto/md5"
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// This file is a second, deliberately separate implementation of JA3 and
// JA4 for cross-checking: it walks the raw ClientHello bytes itself (no
// lucid/internal/wire), keeps every value as text, and builds the strings
// with fmt, sort.Strings and strings.Join. It shares no code with the
// package under test.

// walked is what the byte walker pulls out of a ClientHello body.
type walked struct {
	version  uint16
	ciphers  []uint16
	extTypes []uint16          // in order, GREASE included
	extData  map[uint16][]byte // extension_data by type
}

// cursor reads big-endian fields from a byte slice, remembering the first
// overrun instead of panicking.
type cursor struct {
	b   []byte
	bad bool
}

func (c *cursor) bytes(n int) []byte {
	if c.bad || n < 0 || n > len(c.b) {
		c.bad = true
		return nil
	}
	out := c.b[:n]
	c.b = c.b[n:]
	return out
}

func (c *cursor) num(n int) int {
	v := 0
	for _, x := range c.bytes(n) {
		v = v<<8 | int(x)
	}
	return v
}

// lengthPrefixed reads an n-byte length and that many bytes.
func (c *cursor) lengthPrefixed(n int) []byte { return c.bytes(c.num(n)) }

// pairs splits b into big-endian 16-bit values.
func pairs(b []byte) []uint16 {
	var out []uint16
	for i := 0; i+1 < len(b); i += 2 {
		out = append(out, uint16(b[i])<<8|uint16(b[i+1]))
	}
	return out
}

// walk reads a ClientHello body: version, random, session ID, cipher
// suites, compression methods and, if present, the extensions block.
func walk(body []byte) (*walked, error) {
	c := &cursor{b: body}
	w := &walked{extData: map[uint16][]byte{}}
	w.version = uint16(c.num(2))
	c.bytes(32)         // random
	c.lengthPrefixed(1) // legacy_session_id
	w.ciphers = pairs(c.lengthPrefixed(2))
	c.lengthPrefixed(1) // legacy_compression_methods
	if len(c.b) > 0 {
		block := &cursor{b: c.lengthPrefixed(2)}
		for len(block.b) > 0 && !block.bad {
			t := uint16(block.num(2))
			data := block.lengthPrefixed(2)
			w.extTypes = append(w.extTypes, t)
			w.extData[t] = data
		}
		c.bad = c.bad || block.bad
	}
	if c.bad {
		return nil, errors.New("ClientHello is truncated")
	}
	return w, nil
}

// isGrease is RFC 8701's list written out, not computed.
func isGrease(v uint16) bool {
	switch v {
	case 0x0a0a, 0x1a1a, 0x2a2a, 0x3a3a, 0x4a4a, 0x5a5a, 0x6a6a, 0x7a7a,
		0x8a8a, 0x9a9a, 0xaaaa, 0xbaba, 0xcaca, 0xdada, 0xeaea, 0xfafa:
		return true
	}
	return false
}

// texts formats the non-GREASE values of vals with format.
func texts(format string, vals []uint16) []string {
	out := []string{}
	for _, v := range vals {
		if !isGrease(v) {
			out = append(out, fmt.Sprintf(format, v))
		}
	}
	return out
}

// groups returns supported_groups (type 10) values.
func (w *walked) groups() []uint16 {
	c := &cursor{b: w.extData[10]}
	return pairs(c.lengthPrefixed(2))
}

// pointFormats returns ec_point_formats (type 11) values.
func (w *walked) pointFormats() []byte {
	c := &cursor{b: w.extData[11]}
	return c.lengthPrefixed(1)
}

// sigAlgs returns signature_algorithms (type 13) values.
func (w *walked) sigAlgs() []uint16 {
	c := &cursor{b: w.extData[13]}
	return pairs(c.lengthPrefixed(2))
}

// firstALPN returns the first protocol name in ALPN (type 16), if any.
func (w *walked) firstALPN() []byte {
	c := &cursor{b: w.extData[16]}
	list := &cursor{b: c.lengthPrefixed(2)}
	return list.lengthPrefixed(1)
}

// versions returns supported_versions (type 43) values.
func (w *walked) versions() []uint16 {
	c := &cursor{b: w.extData[43]}
	return pairs(c.lengthPrefixed(1))
}

// indepJA3 is JA3 over the walked bytes.
func indepJA3(w *walked) (raw, hash string) {
	var formats []string
	for _, f := range w.pointFormats() {
		formats = append(formats, fmt.Sprint(f))
	}
	raw = strings.Join([]string{
		fmt.Sprint(w.version),
		strings.Join(texts("%d", w.ciphers), "-"),
		strings.Join(texts("%d", w.extTypes), "-"),
		strings.Join(texts("%d", w.groups()), "-"),
		strings.Join(formats, "-"),
	}, ",")
	return raw, fmt.Sprintf("%x", md5.Sum([]byte(raw)))
}

// ja4Parts is every JA4 variant JA4.md describes, for checking the test
// vectors themselves against the document.
type ja4Parts struct {
	fp, r, o, ro string
}

var versionCodes = map[uint16]string{
	0x0304: "13", 0x0303: "12", 0x0302: "11", 0x0301: "10", 0x0300: "s3",
	0x0002: "s2", 0xfeff: "d1", 0xfefd: "d2", 0xfefc: "d3",
}

// indepJA4 is JA4 (and JA4_r, JA4_o, JA4_ro) over the walked bytes.
func indepJA4(w *walked, transport string) ja4Parts {
	version := w.version
	if _, ok := w.extData[43]; ok {
		best := -1
		for _, v := range w.versions() {
			if !isGrease(v) && int(v) > best {
				best = int(v)
			}
		}
		if best >= 0 {
			version = uint16(best)
		}
	}
	vcode, ok := versionCodes[version]
	if !ok {
		vcode = "00"
	}
	sni := "i"
	if _, ok := w.extData[0]; ok {
		sni = "d"
	}
	ciphers := texts("%04x", w.ciphers)
	exts := texts("%04x", w.extTypes)
	a := fmt.Sprintf("%s%s%s%02d%02d%s", transport, vcode, sni,
		min(len(ciphers), 99), min(len(exts), 99), alpnChars(w.firstALPN()))

	sortedCiphers := append([]string(nil), ciphers...)
	sort.Strings(sortedCiphers) // fixed-width lowercase hex sorts as numbers do
	var sortedExts []string
	for _, e := range exts {
		if e != "0000" && e != "0010" {
			sortedExts = append(sortedExts, e)
		}
	}
	sort.Strings(sortedExts)
	sigs := strings.Join(texts("%04x", w.sigAlgs()), ",")

	withSigs := func(s string) string {
		if sigs == "" {
			return s
		}
		return s + "_" + sigs
	}
	sha := func(s string, empty bool) string {
		if empty {
			return "000000000000"
		}
		return fmt.Sprintf("%x", sha256.Sum256([]byte(s)))[:12]
	}
	bS, cS := strings.Join(sortedCiphers, ","), withSigs(strings.Join(sortedExts, ","))
	bO, cO := strings.Join(ciphers, ","), withSigs(strings.Join(exts, ","))
	return ja4Parts{
		fp: a + "_" + sha(bS, len(ciphers) == 0) + "_" + sha(cS, len(sortedExts) == 0),
		r:  a + "_" + bS + "_" + cS,
		o:  a + "_" + sha(bO, len(ciphers) == 0) + "_" + sha(cO, len(exts) == 0),
		ro: a + "_" + bO + "_" + cO,
	}
}

// alpnChars is JA4's two ALPN characters for name, following JA4.md's
// wording: letters and digits as they are, else the ends of the hex form.
func alpnChars(name []byte) string {
	if len(name) == 0 {
		return "00"
	}
	plain := func(c byte) bool {
		return strings.ContainsRune("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", rune(c))
	}
	first, last := name[0], name[len(name)-1]
	if plain(first) && plain(last) {
		return string(first) + string(last)
	}
	h := fmt.Sprintf("%x", name)
	return h[:1] + h[len(h)-1:]
}
