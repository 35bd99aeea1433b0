package main

import (
	"fmt"
	"strings"

	"lucid/internal/handshake"
	"lucid/internal/wire"
	"lucid/tls"
)

// Certificate compression (RFC 8879) in the story: where step 3 sends the
// certificate, the demo says whether it went compressed, with which
// algorithm and how many bytes that saved. The figures are the server's
// own, from the Certificate event of the run; the demo holds them against
// the captured message, as it re-checks everything else.

// certSent is the server's Certificate event: its Detail names a
// CompressedCertificate, the algorithm and both sizes
// ("CompressedCertificate zstd: 483 bytes sent as 461"), or is empty
// for a plain Certificate; Length is the message as it crossed the wire.
type certSent struct {
	detail string
	length int
}

// observeCertificate returns a server observer that keeps the first
// Certificate the server sends.
func (s *story) observeCertificate() func(tls.Event) {
	return func(e tls.Event) {
		if e.Kind == tls.EventMessageSent && e.Name == "Certificate" && s.certEvent == nil {
			s.certEvent = &certSent{detail: e.Detail, length: e.Length}
		}
	}
}

// certCompression is what step 3 says about the certificate message.
type certCompression struct {
	// offered is what the client's hello listed in compress_certificate.
	offered []string
	// alg is the algorithm the server compressed with, "" for none.
	alg string
	// sent is the message as it crossed the wire; uncompressed is what
	// the Certificate would have been. Both count the 4-byte header.
	sent, uncompressed int
}

// saved is what compression saved, in bytes and as a whole percentage.
func (c certCompression) saved() (int, int) {
	if c.alg == "" || c.uncompressed <= 0 {
		return 0, 0
	}
	n := c.uncompressed - c.sent
	return n, n * 100 / c.uncompressed
}

// certCompression puts the server's event beside the captured message.
// A story recorded without the event (before the demo kept it) is told
// from the capture alone.
func (s *story) certCompression() (certCompression, error) {
	d := s.dec
	c := certCompression{sent: d.certMsgLen}
	if d.hello != nil {
		for _, a := range d.hello.CertCompressionAlgorithms {
			if !wire.IsGREASE(a) {
				c.offered = append(c.offered, wire.CertCompressionName(a))
			}
		}
	}
	if d.certAlg != 0 {
		c.alg, c.uncompressed = wire.CertCompressionName(d.certAlg), d.certUncompressedLen
	}
	e := s.certEvent
	if e == nil {
		return c, nil
	}
	alg, unc, sent, ok := handshake.ParseCompressedCertificateDetail(e.detail)
	switch {
	case e.detail != "" && !ok:
		return c, fmt.Errorf("the server's Certificate event says %q, which the demo cannot read", e.detail)
	case e.length != c.sent:
		return c, fmt.Errorf("the server reported a %d-byte certificate message, the wiretap saw %d", e.length, c.sent)
	case alg != c.alg || ok && (unc != c.uncompressed || sent != c.sent):
		return c, fmt.Errorf("the server reported its certificate as %q, the wiretap saw %s", e.detail, c.captured())
	}
	return c, nil
}

// captured says what the capture held, for a mismatch.
func (c certCompression) captured() string {
	if c.alg == "" {
		return fmt.Sprintf("a plain Certificate of %d bytes", c.sent)
	}
	return fmt.Sprintf("%s: %d bytes sent as %d", c.alg, c.uncompressed, c.sent)
}

// sayCertCompression is step 3's sentence on the certificate message.
func (n *narrator) sayCertCompression(c certCompression) {
	switch {
	case !n.s.is13():
		n.say(msgCertComp12, c.sent)
	case c.alg != "":
		saved, pct := c.saved()
		n.say(msgCertCompUsed, strings.Join(c.offered, ", "), c.alg, c.sent, c.uncompressed, saved, pct)
	case len(c.offered) == 0:
		n.say(msgCertCompNotOffered, c.sent)
	default:
		n.say(msgCertCompNoCommon, c.sent, strings.Join(c.offered, ", "))
	}
}

// certCompressionFacts is step 3's certificate_message in the JSON.
func certCompressionFacts(c certCompression) map[string]any {
	saved, _ := c.saved()
	uncompressed := c.uncompressed
	if c.alg == "" {
		uncompressed = c.sent
	}
	return map[string]any{
		"bytes":              c.sent,
		"offered":            append([]string{}, c.offered...),
		"compression":        c.alg,
		"uncompressed_bytes": uncompressed,
		"saved_bytes":        saved,
	}
}
