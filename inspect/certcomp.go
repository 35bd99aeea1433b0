package inspect

import (
	"slices"

	"lucid/internal/handshake"
	"lucid/tls"
)

// CertCompression is what became of certificate compression (RFC 8879)
// on the visitor's connection: whether their client asked for it, and
// what the server's compressed chain saved.
type CertCompression struct {
	// Offered says the visitor's first ClientHello carried
	// compress_certificate.
	Offered bool `json:"offered"`
	// Algorithms are the ones it offered, in its order, GREASE left out,
	// as the server's ClientHello event lists them; empty when it offered
	// none or events were not recorded.
	Algorithms []string `json:"algorithms"`
	// Used is the algorithm the server compressed its chain with; "" when
	// the chain went uncompressed or no chain was sent.
	Used string `json:"used"`
	// CompressedBytes and UncompressedBytes are the Certificate message
	// as it crossed the wire and as it would have without compression,
	// headers included; SavedBytes is the difference. All 0 unless Used.
	CompressedBytes   int `json:"compressed_bytes"`
	UncompressedBytes int `json:"uncompressed_bytes"`
	SavedBytes        int `json:"saved_bytes"`
	// CertificateBytes is the server's Certificate message as sent,
	// compressed or not; 0 when it sent none.
	CertificateBytes int `json:"certificate_bytes"`
	// Why says, when Used is "", why the chain went uncompressed.
	Why string `json:"why"`
	// Decision is the server's certificate_compression decision in
	// words; "" when it made none.
	Decision string `json:"decision"`
}

// SavedPercent is SavedBytes as a whole percentage of UncompressedBytes.
func (c CertCompression) SavedPercent() int {
	if c.UncompressedBytes <= 0 {
		return 0
	}
	return c.SavedBytes * 100 / c.UncompressedBytes
}

// certCompression puts together what the hello offered and what the
// server's Certificate event says it sent.
func (b *builder) certCompression() CertCompression {
	c := CertCompression{
		Offered:    slices.Contains(b.hello.list("extensions"), "compress_certificate"),
		Algorithms: orEmpty(withoutGREASE(b.hello.list("compress_certificate"))),
		Decision:   b.ccDecision,
	}
	c.CertificateBytes = b.certSentLen
	if alg, unc, comp, ok := handshake.ParseCompressedCertificateDetail(b.certSentDetail); ok {
		if b.certSentLen > 0 {
			comp = b.certSentLen // the event's own length, where it has one
		}
		c.Used, c.CompressedBytes, c.UncompressedBytes = alg, comp, unc
		c.SavedBytes = max(unc-comp, 0)
		return c
	}
	switch {
	case b.hello == nil:
		c.Why = "the server's events were not recorded"
	case b.chainSent == nil:
		c.Why = "the server sent no certificate on this connection"
	case b.cs.Version != tls.VersionTLS13:
		c.Why = "certificate compression is TLS 1.3's only"
	case !c.Offered:
		c.Why = "your client sent no compress_certificate"
	case b.o.TLSConfig != nil && b.o.TLSConfig.CertCompression != nil && len(b.o.TLSConfig.CertCompression) == 0:
		c.Why = "certificate compression is turned off on this server"
	default:
		c.Why = "this server has none of the algorithms your client offered"
	}
	return c
}
