package handshake

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"lucid/internal/alert"
	"lucid/internal/certcomp"
	"lucid/internal/wire"
)

// Certificate compression (RFC 8879), TLS 1.3 only: a side that was
// offered an algorithm it also has sends its Certificate compressed, in a
// CompressedCertificate that stands where the Certificate would, in the
// shapes and in the transcript alike (§4: the message as sent is hashed).

// DecisionCertCompression reports a certificate message that was
// compressed, sent or received: the algorithm and both sizes.
const DecisionCertCompression EventName = "certificate_compression"

// sharedCertCache serves every Config that names no cache. It is keyed by
// the content of the chain, so configurations that share nothing else can
// share it safely, and a server compresses each chain once per process.
var sharedCertCache certcomp.Cache

func (c *Config) certCache() *certcomp.Cache {
	if c.CertCompressionCache != nil {
		return c.CertCompressionCache
	}
	return &sharedCertCache
}

// certCompressionOffer is what this side puts in compress_certificate:
// its algorithms, without any this build cannot run.
func (c *Config) certCompressionOffer() []uint16 {
	// Most often every configured algorithm runs, once: the list is then
	// the offer, only ever read, and is not copied on every call.
	whole := true
	for i, a := range c.CertCompression {
		if !certcomp.Supported(a) || slices.Contains(c.CertCompression[:i], a) {
			whole = false
			break
		}
	}
	if whole {
		if len(c.CertCompression) == 0 {
			return nil
		}
		return slices.Clip(c.CertCompression)
	}
	var out []uint16
	for _, a := range c.CertCompression {
		if certcomp.Supported(a) && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// chooseCertCompression picks, in this side's order of preference, the
// first algorithm the peer offered; 0 when there is none in common.
func (c *Config) chooseCertCompression(peer []uint16) uint16 {
	for _, a := range c.certCompressionOffer() {
		if slices.Contains(peer, a) {
			return a
		}
	}
	return 0
}

// sendCertificate13 sends a TLS 1.3 Certificate, compressed with an
// algorithm the peer offered in peerAlgs when this side has one too. An
// empty chain goes out plain: there is nothing to save.
func (e *Engine) sendCertificate13(m *wire.Certificate, peerAlgs []uint16) error {
	alg := e.cfg.chooseCertCompression(peerAlgs)
	if alg == 0 || len(m.Entries) == 0 {
		e.send(m)
		return nil
	}
	body := m.AppendMarshal(nil)
	if len(body) < wire.HeaderLen {
		return alert.New(alert.InternalError, "certificate chain does not fit a Certificate message")
	}
	body = body[wire.HeaderLen:]
	compressed, err := e.cfg.certCache().Compress(alg, body)
	if err != nil {
		return alert.New(alert.InternalError, "compressing the certificate with %s: %v", wire.CertCompressionName(alg), err)
	}
	cc := &wire.CompressedCertificate{Algorithm: alg, UncompressedLength: uint32(len(body)), Compressed: compressed}
	// Sent as e.send does, but the event carries the chain it holds, so
	// a timeline still shows the certificates.
	b := e.out.appendMessage(cc)
	e.tr.add(b)
	e.certCompressionEvents(MessageSent, alg, len(b), wire.HeaderLen+len(body), m)
	return nil
}

// certCompressionEvents reports a CompressedCertificate as the
// Certificate it carries, the message every timeline, inspection page and
// seed step already knows: Message is that Certificate, Length the bytes
// that crossed the wire, and Detail names the CompressedCertificate, its
// algorithm and both sizes. The certificate_compression decision follows
// with the same detail, for observers that look for it by name.
func (e *Engine) certCompressionEvents(kind EventKind, alg uint16, compressed, uncompressed int, cert *wire.Certificate) {
	if e.cfg.Observe == nil {
		return
	}
	detail := compressionDetail(alg, compressed, uncompressed)
	e.cfg.emit(Event{Kind: kind, Name: wire.MessageName(wire.TypeCertificate), Length: compressed,
		Message: cert, Detail: wire.MessageName(wire.TypeCompressedCertificate) + " " + detail})
	e.cfg.decide(DecisionCertCompression, detail)
}

// compressionDetail says what a compressed certificate message saved, in
// whole messages (headers included) as they cross the wire.
func compressionDetail(alg uint16, compressed, uncompressed int) string {
	return wire.CertCompressionName(alg) + ": " + strconv.Itoa(uncompressed) + " bytes sent as " + strconv.Itoa(compressed)
}

// ParseCompressedCertificateDetail reads back the Detail of a Certificate
// event that went out or came in as a CompressedCertificate
// (certCompressionEvents), such as "CompressedCertificate brotli: 3000
// bytes sent as 1200": the algorithm's name, the Certificate's size and
// the CompressedCertificate's. ok is false for any other Detail.
func ParseCompressedCertificateDetail(detail string) (alg string, uncompressed, compressed int, ok bool) {
	rest, found := strings.CutPrefix(detail, wire.MessageName(wire.TypeCompressedCertificate)+" ")
	if !found {
		return "", 0, 0, false
	}
	alg, rest, found = strings.Cut(rest, ": ")
	if !found || alg == "" {
		return "", 0, 0, false
	}
	if n, _ := fmt.Sscanf(rest, "%d bytes sent as %d", &uncompressed, &compressed); n != 2 || uncompressed < 0 || compressed < 0 {
		return "", 0, 0, false
	}
	return alg, uncompressed, compressed, true
}

// receiveCertificate13 takes a Certificate or, when this side offered
// algorithms (offered), a CompressedCertificate, and returns the
// Certificate it holds. The caller adds msg, as received, to the
// transcript. Decompression never produces more than the declared length,
// which is itself capped (certcomp.Decompress): a stream that would
// inflate further is bad_certificate, not memory.
func (e *Engine) receiveCertificate13(typ uint8, msg []byte, offered []uint16) (*wire.Certificate, error) {
	switch typ {
	case wire.TypeCertificate:
		cert, err := wire.ParseCertificateOwned(msg[wire.HeaderLen:])
		if err != nil {
			return nil, err
		}
		e.cfg.emitMessage(MessageReceived, typ, len(msg), cert)
		return cert, nil
	case wire.TypeCompressedCertificate:
		if len(offered) == 0 {
			break
		}
		cc, err := wire.ParseCompressedCertificate(msg[wire.HeaderLen:])
		if err != nil {
			return nil, err
		}
		// RFC 8879 §4: the algorithm must be one that was offered.
		if !slices.Contains(offered, cc.Algorithm) {
			return nil, alert.New(alert.IllegalParameter, "certificate compressed with %s, which was not offered", wire.CertCompressionName(cc.Algorithm))
		}
		body, err := certcomp.Decompress(cc.Algorithm, cc.Compressed, int(cc.UncompressedLength))
		if err != nil {
			return nil, err
		}
		cert, err := wire.ParseCertificateOwned(body)
		if err != nil {
			return nil, err
		}
		e.certCompressionEvents(MessageReceived, cc.Algorithm, len(msg), wire.HeaderLen+len(body), cert)
		return cert, nil
	}
	return nil, unexpected(typ, wire.MessageName(wire.TypeCertificate))
}

// standsFor reports whether a message of type got may take the place of a
// step expecting type want under key: CompressedCertificate stands for a
// TLS 1.3 Certificate, which is always encrypted.
func standsFor(want, got uint8, key Level) bool {
	return want == got || want == wire.TypeCertificate && got == wire.TypeCompressedCertificate && key != LevelInitial
}

// A CompressedCertificate belongs to the seed's step of the Certificate it
// carries.
func init() {
	seedSteps[wire.MessageName(wire.TypeCompressedCertificate)] = seedSteps[wire.MessageName(wire.TypeCertificate)]
}
