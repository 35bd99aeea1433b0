package wire

import "strconv"

// Handshake message types (RFC 8446 §4, RFC 5246 §7.4, RFC 6066 §8).
const (
	TypeHelloRequest        uint8 = 0
	TypeClientHello         uint8 = 1
	TypeServerHello         uint8 = 2
	TypeNewSessionTicket    uint8 = 4
	TypeEndOfEarlyData      uint8 = 5
	TypeEncryptedExtensions uint8 = 8
	TypeCertificate         uint8 = 11
	TypeServerKeyExchange   uint8 = 12
	TypeCertificateRequest  uint8 = 13
	TypeServerHelloDone     uint8 = 14
	TypeCertificateVerify   uint8 = 15
	TypeClientKeyExchange   uint8 = 16
	TypeFinished            uint8 = 20
	TypeCertificateStatus   uint8 = 22
	TypeKeyUpdate           uint8 = 24
	TypeMessageHash         uint8 = 254
)

var messageNames = map[uint8]string{
	TypeHelloRequest:        "HelloRequest",
	TypeClientHello:         "ClientHello",
	TypeServerHello:         "ServerHello",
	TypeNewSessionTicket:    "NewSessionTicket",
	TypeEndOfEarlyData:      "EndOfEarlyData",
	TypeEncryptedExtensions: "EncryptedExtensions",
	TypeCertificate:         "Certificate",
	TypeServerKeyExchange:   "ServerKeyExchange",
	TypeCertificateRequest:  "CertificateRequest",
	TypeServerHelloDone:     "ServerHelloDone",
	TypeCertificateVerify:   "CertificateVerify",
	TypeClientKeyExchange:   "ClientKeyExchange",
	TypeFinished:            "Finished",
	TypeCertificateStatus:   "CertificateStatus",
	TypeKeyUpdate:           "KeyUpdate",
	TypeMessageHash:         "MessageHash",
}

// MessageName returns the RFC name of a handshake message type, such as
// "ClientHello", or "unknown(N)" for a type this package does not name.
func MessageName(typ uint8) string {
	if n, ok := messageNames[typ]; ok {
		return n
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
