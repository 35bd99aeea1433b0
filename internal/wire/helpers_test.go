package wire

import (
	"encoding/hex"
	"errors"
	"testing"

	"lucid/internal/alert"
)

// unhex decodes a test vector, failing the test on a typo.
func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex in test vector: %v", err)
	}
	return b
}

// splitMessage checks a full handshake message's header against want and
// returns its body.
func splitMessage(t testing.TB, msg []byte, want uint8) []byte {
	t.Helper()
	typ, n, ok := Header(msg)
	if !ok {
		t.Fatalf("message of %d bytes has no header", len(msg))
	}
	if typ != want {
		t.Fatalf("message type %s, want %s", MessageName(typ), MessageName(want))
	}
	if n != len(msg)-HeaderLen {
		t.Fatalf("header says %d body bytes, message has %d", n, len(msg)-HeaderLen)
	}
	return msg[HeaderLen:]
}

// wantAlert checks that err is an *alert.Error carrying d.
func wantAlert(t testing.TB, err error, d alert.Description) {
	t.Helper()
	var ae *alert.Error
	if !errors.As(err, &ae) {
		t.Fatalf("error %v (%T) is not an *alert.Error", err, err)
	}
	if ae.Desc != d {
		t.Fatalf("alert %s, want %s (error: %v)", ae.Desc, d, err)
	}
}

// ext encodes one extension: type, 2-byte length, body.
func ext(typ uint16, body ...byte) []byte {
	return append([]byte{byte(typ >> 8), byte(typ), byte(len(body) >> 8), byte(len(body))}, body...)
}

// vec16 prefixes b with its 2-byte length.
func vec16(b ...byte) []byte { return append([]byte{byte(len(b) >> 8), byte(len(b))}, b...) }

// vec8 prefixes b with its 1-byte length.
func vec8(b ...byte) []byte { return append([]byte{byte(len(b))}, b...) }

// cat concatenates byte slices.
func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// parsers maps each message type with a parser to a function that parses a
// body and, on success, returns the message re-marshalled. It lets tests
// run one table over every message type.
var parsers = map[uint8]func([]byte) ([]byte, error){
	TypeClientHello:           func(b []byte) ([]byte, error) { return remarshal(ParseClientHello(b)) },
	TypeServerHello:           func(b []byte) ([]byte, error) { return remarshal(ParseServerHello(b)) },
	TypeEncryptedExtensions:   func(b []byte) ([]byte, error) { return remarshal(ParseEncryptedExtensions(b)) },
	TypeCertificate:           func(b []byte) ([]byte, error) { return remarshal(ParseCertificate(b)) },
	TypeCertificateRequest:    func(b []byte) ([]byte, error) { return remarshal(ParseCertificateRequest(b)) },
	TypeCertificateVerify:     func(b []byte) ([]byte, error) { return remarshal(ParseCertificateVerify(b)) },
	TypeFinished:              func(b []byte) ([]byte, error) { return remarshal(ParseFinished(b)) },
	TypeNewSessionTicket:      func(b []byte) ([]byte, error) { return remarshal(ParseNewSessionTicket(b)) },
	TypeKeyUpdate:             func(b []byte) ([]byte, error) { return remarshal(ParseKeyUpdate(b)) },
	TypeCompressedCertificate: func(b []byte) ([]byte, error) { return remarshal(ParseCompressedCertificate(b)) },
	TypeEndOfEarlyData:        func(b []byte) ([]byte, error) { return remarshal(ParseEndOfEarlyData(b)) },
}

type marshaler interface{ Marshal() []byte }

func remarshal[M marshaler](m M, err error) ([]byte, error) {
	if err != nil {
		return nil, err
	}
	return m.Marshal(), nil
}
