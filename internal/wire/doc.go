// Package wire is Lucid's strict codec for TLS handshake messages and their
// extensions: TLS 1.3's (RFC 8446 §4) and TLS 1.2's (RFC 5246 §7.4, with
// the ECDHE messages of RFC 8422 and the tickets of RFC 5077), and the
// TLS 1.2 extensions a ServerHello or ClientHello may still carry.
//
// Parsers take a handshake body (the bytes after the 4-byte header), copy it
// once, and either return a fully decoded message or an *alert.Error naming
// the alert to send and what was wrong. They never panic and never allocate
// more than the input can justify: every length field is checked against the
// bytes actually present before anything is sized from it.
//
// Marshal methods return the whole message, header included. They encode
// what they are given without judging it; they return nil only when a field
// is too long for the length prefix the RFC gives it.
//
// Extensions are described once each (see the ext_*.go files): their code
// point, the messages that may carry them, and how each of those messages
// reads and writes them. The generic block codec in extensions.go enforces
// the rules common to every extension block.
package wire
