package main

import (
	"fmt"
	"strings"

	"lucid/internal/record"
	"lucid/internal/suites"
	"lucid/internal/wire"
	"lucid/tls"
)

// The facts both narrations and the JSON output draw on, read from the
// story in one place so that they cannot disagree.

// offer is what the client's ClientHello offered, by name.
type offer struct {
	versions, suites, groups, shares, schemes, alpn []string
	serverName                                      string
}

func helloOffer(ch *wire.ClientHello) offer {
	o := offer{shares: []string{}}
	if ch == nil {
		return o
	}
	versions := ch.SupportedVersions
	if len(versions) == 0 {
		// No supported_versions: a TLS 1.2 ClientHello says its version
		// in legacy_version (RFC 5246 §7.4.1.2).
		versions = []uint16{ch.LegacyVersion}
	}
	o.versions = mapNames(versions, tls.VersionName)
	o.suites = mapNames(ch.CipherSuites, tls.CipherSuiteName)
	o.groups = mapNames(ch.SupportedGroups, func(g uint16) string { return groupName(tls.CurveID(g)) })
	for _, ks := range ch.KeyShares {
		o.shares = append(o.shares, fmt.Sprintf("%s (%d bytes)", groupName(tls.CurveID(ks.Group)), len(ks.Data)))
	}
	o.schemes = mapNames(ch.SignatureSchemes, func(x uint16) string { return tls.SignatureScheme(x).String() })
	o.alpn = ch.ALPN
	o.serverName = ch.ServerName
	return o
}

// pathHello is the ClientHello as the wiretap read it: with ECH the outer
// one, which names the public name; otherwise the one the handshake used.
func (s *story) pathHello() *wire.ClientHello {
	d := s.dec
	if n := len(d.ech); n > 0 && d.ech[n-1].inner != nil {
		return d.ech[n-1].outer
	}
	return d.hello
}

// is13 reports whether the story's connection is TLS 1.3.
func (s *story) is13() bool { return s.cs.Version == tls.VersionTLS13 }

// kxName names the key exchange that was used.
func (s *story) kxName() string {
	switch {
	case s.opts.RSA:
		return "RSA key transport"
	case s.is13():
		return groupName(s.cs.CurveID)
	}
	return "ECDHE " + groupName(tls.CurveID(s.dec.kxGroup))
}

// tagLen is the AEAD tag length of every suite the demo uses.
const tagLen = 16

// recordLayout describes the request record: header, explicit nonce,
// ciphertext and tag, and what the ciphertext holds.
type recordLayout struct {
	header, nonce, ciphertext, tag int
	innerType                      int // TLS 1.3: the hidden content type byte
}

func (s *story) layout(r *tapRecord) recordLayout {
	l := recordLayout{header: record.HeaderLen, tag: tagLen}
	if !s.is13() {
		l.nonce = explicitNonceLen(s.dec.sh)
	} else {
		l.innerType = 1
	}
	l.ciphertext = r.length - l.nonce - l.tag
	return l
}

// inner says what a record of the main capture holds, from the decoder,
// in the words of catalog c.
func (s *story) inner(r *tapRecord, c *catalog) string {
	d := s.dec.records[r.n]
	if d == nil {
		return r.note
	}
	in := d.inner
	switch {
	case s.echOpened(r):
		in = c.f(msgInnerECHHello)
	case r == s.target:
		in = c.f(msgInnerRequest)
	case r == s.reply:
		in = c.f(msgInnerResponse)
	case d.plain != nil:
		in = c.f(msgInnerAppData, len(d.plain))
	case in == notDecrypted:
		in = c.f(msgInnerUndecryptable)
	}
	if d.encrypted {
		return c.f(msgInnerSeq, in, d.seq)
	}
	if r.typ == record.TypeChangeCipherSpec && s.is13() {
		return c.f(msgInnerCompat, in)
	}
	return in
}

// echOpened reports whether r held an outer ClientHello the story opened.
func (s *story) echOpened(r *tapRecord) bool {
	for _, h := range s.dec.ech {
		if h.record == r.n && h.inner != nil {
			return true
		}
	}
	return false
}

// secretValue formats a secret for output: its value with --show-secrets,
// otherwise nothing.
func (s *story) secretValue(b []byte) string {
	if !s.opts.ShowSecrets {
		return ""
	}
	return fmt.Sprintf("%x", b)
}

// nonceOf returns the explicit nonce a TLS 1.2 record carries.
func (s *story) nonceOf(r *tapRecord) []byte {
	n := explicitNonceLen(s.dec.sh)
	if n == 0 || len(r.raw) < record.HeaderLen+n {
		return nil
	}
	return r.raw[record.HeaderLen : record.HeaderLen+n]
}

// forwardSecret reports whether the suite's keys survive a later theft of
// the server's private key.
func (s *story) forwardSecret() bool {
	if s.dec.suite12 != nil {
		return s.dec.suite12.ForwardSecret()
	}
	return true
}

// prfName names the hash of the TLS 1.2 PRF or the TLS 1.3 HKDF.
func (s *story) prfName() string {
	h := s.dec.hash()
	if h == 0 {
		return "?"
	}
	return strings.ReplaceAll(h.String(), "-", "")
}

// aeadName names the record protection.
func (s *story) aeadName() string {
	if s.dec.suite13 != nil {
		name := strings.TrimPrefix(s.dec.suite13.Name, "TLS_")
		return strings.TrimSuffix(strings.TrimSuffix(name, "_SHA256"), "_SHA384")
	}
	if s.dec.suite12 != nil {
		switch s.dec.suite12.Mode {
		case suites.ModeGCM:
			return fmt.Sprintf("AES_%d_GCM", s.dec.suite12.KeyLen*8)
		case suites.ModeChaCha20Poly1305:
			return "CHACHA20_POLY1305"
		}
		return "AES_CBC with HMAC"
	}
	return "?"
}

// chunks cuts s into pieces of at most n bytes.
func chunks(s string, n int) []string {
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}
