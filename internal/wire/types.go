package wire

import "strconv"

// Handshake message types (RFC 8446 §4, RFC 5246 §7.4, RFC 6066 §8),
// grouped by where they appear in a handshake.
const (
	// Hellos, and what comes after the handshake.
	TypeHelloRequest, TypeClientHello, TypeServerHello      uint8 = 0, 1, 2
	TypeNewSessionTicket, TypeEndOfEarlyData, TypeKeyUpdate uint8 = 4, 5, 24
	// The server's flight.
	TypeEncryptedExtensions, TypeCertificate, TypeCertificateStatus    uint8 = 8, 11, 22
	TypeServerKeyExchange, TypeCertificateRequest, TypeServerHelloDone uint8 = 12, 13, 14
	// Proofs of keys and of the transcript.
	TypeCertificateVerify, TypeClientKeyExchange, TypeFinished uint8 = 15, 16, 20
	// TypeMessageHash is the synthetic message that stands for the first
	// ClientHello after a HelloRetryRequest (RFC 8446 §4.4.1).
	TypeMessageHash uint8 = 254
)

// messageNames pairs each type with its name in the RFCs.
var messageNames = []struct {
	typ  uint8
	name string
}{
	{TypeHelloRequest, "HelloRequest"}, {TypeClientHello, "ClientHello"}, {TypeServerHello, "ServerHello"},
	{TypeNewSessionTicket, "NewSessionTicket"}, {TypeEndOfEarlyData, "EndOfEarlyData"}, {TypeKeyUpdate, "KeyUpdate"},
	{TypeEncryptedExtensions, "EncryptedExtensions"}, {TypeCertificate, "Certificate"}, {TypeCertificateStatus, "CertificateStatus"},
	{TypeServerKeyExchange, "ServerKeyExchange"}, {TypeCertificateRequest, "CertificateRequest"}, {TypeServerHelloDone, "ServerHelloDone"},
	{TypeCertificateVerify, "CertificateVerify"}, {TypeClientKeyExchange, "ClientKeyExchange"}, {TypeFinished, "Finished"},
	{TypeCompressedCertificate, "CompressedCertificate"}, {TypeMessageHash, "MessageHash"},
}

// MessageName returns the RFC name of a handshake message type, such as
// "ClientHello", or "unknown(N)" for a type this package does not name.
func MessageName(typ uint8) string {
	for _, m := range messageNames {
		if m.typ == typ {
			return m.name
		}
	}
	return "unknown(" + strconv.Itoa(int(typ)) + ")"
}

// HeaderLen is the size of a handshake message header: a 1-byte type and a
// 24-bit body length (RFC 8446 §4).
const HeaderLen = 4

// MaxMessageLen is the largest handshake body Lucid accepts. The 24-bit
// length field allows 16 MiB; nothing legitimate comes close, so the engine
// refuses anything larger rather than buffering it.
const MaxMessageLen = 1<<16 + 1<<14

// Header reads a handshake message header from the start of b and returns
// the message type and body length. ok is false if b holds fewer than
// HeaderLen bytes. The length is not checked against MaxMessageLen; that is
// the caller's decision.
func Header(b []byte) (typ uint8, bodyLen int, ok bool) {
	if len(b) < HeaderLen {
		return 0, 0, false
	}
	return b[0], int(b[1])<<16 | int(b[2])<<8 | int(b[3]), true
}

// AppendHeader appends a handshake header for a body of bodyLen bytes.
// bodyLen is truncated to 24 bits; callers never build bodies that large.
func AppendHeader(dst []byte, typ uint8, bodyLen int) []byte {
	return append(dst, typ, byte(bodyLen>>16), byte(bodyLen>>8), byte(bodyLen))
}
