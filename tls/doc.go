// Package tls is Lucid's TLS stack, shaped like the standard library's
// crypto/tls so that a program switches by changing its import: Config,
// Conn, Dial, Listen, Client, Server and ConnectionState keep their familiar
// names and meanings.
//
// Underneath, everything protocol-shaped is Lucid's own, written from
// RFC 8446 (TLS 1.3) and RFC 5246 (TLS 1.2): the record layer, the message
// codecs, the key schedule and the handshake engines. Only the primitives
// (AES-GCM, ChaCha20-Poly1305, X25519, ML-KEM, ECDSA, RSA, Ed25519, SHA-2,
// HKDF, X.509) come from Go's standard library and golang.org/x/crypto.
//
// What Lucid adds is additive: errors that name the alert sent or received
// and explain certificate failures in plain words, record padding, and a
// KeyUpdate a caller can ask for.
package tls
