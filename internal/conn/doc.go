// Package conn is the sans-I/O heart of a TLS connection. It is fed the
// bytes that arrive from the network and leaves behind the bytes to send,
// the application data to read, and events; between the two it frames,
// reassembles and opens records, decides what may arrive when (RFC 8446
// §5, RFC 5246 §6), drives the handshake engine through the handshake and
// the messages that follow it, installs keys, counts sequence numbers, and
// holds the limits that keep a peer from making it work without progress.
//
// It never reads a socket, a clock or a lock: tls.Conn does those, and
// tests drive a Core directly, with no network at all.
//
// A Core is used by one goroutine at a time. Its two halves are
// independent, so a caller can let one goroutine read the network into
// InputSpace while another holds the Core to write, provided only the
// reader feeds input and every call on the Core itself is serialized.
package conn
