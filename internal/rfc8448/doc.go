// Package rfc8448 holds the example handshakes of RFC 8448 ("Example
// Handshakes for TLS 1.3") as hex strings, for tests: the messages, records,
// ephemeral keys and every secret the traces print, named by section
// (Simple for §3, Resumed for §4, HRR for §5, ClientAuth for §6, Compat for
// §7) and by what they are. Each value's comment quotes the trace's step and
// label and gives its line in the RFC's text, so a reader can check the
// transcription; this package's tests check every length against the one
// the RFC states.
//
// It is test support: only _test.go files import it.
package rfc8448
