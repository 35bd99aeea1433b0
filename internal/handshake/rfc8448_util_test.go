package handshake_test

// Tools for the RFC 8448 replay (rfc8448_replay_test.go): a random source
// that yields the traces' bytes, a record of what an engine asked for, and
// a field-by-field comparison of messages that cannot match byte for byte.

import (
	"bytes"
	"crypto"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"

	"lucid/internal/handshake"
	"lucid/internal/keys"
	"lucid/internal/rfc8448"
	"lucid/internal/wire"
)

// hx decodes one of the traces' hex strings; hexOf encodes bytes for want.
func hx(h string) []byte { return rfc8448.Bytes(h) }

func hexOf(b []byte) string { return hex.EncodeToString(b) }

// draw is one read the engine is expected to make from Config.Rand.
type draw struct {
	what string
	b    []byte
}

// notInTrace stands for random bytes the trace does not print (an RSA-PSS
// salt, a ticket's encryption nonce) or that only Lucid draws.
func notInTrace(what string, n int) draw {
	return draw{what + " (not in the trace)", bytes.Repeat([]byte{0xa5}, n)}
}

// traceRand is a Config.Rand that yields exactly the given draws, in order,
// and fails once they are used up: an engine that draws more, or in
// another order, produces keys and randoms that differ from the trace.
type traceRand struct {
	draws []draw
	i     int // current draw
	off   int // bytes of it already read
}

func newTraceRand(d ...draw) *traceRand { return &traceRand{draws: d} }

func (r *traceRand) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		if r.i == len(r.draws) {
			return n, fmt.Errorf("replay: the engine drew %d more random bytes than the trace supplies", len(p)-n)
		}
		c := copy(p[n:], r.draws[r.i].b[r.off:])
		n += c
		r.off += c
		if r.off == len(r.draws[r.i].b) {
			r.i, r.off = r.i+1, 0
		}
	}
	return n, nil
}

// checkUsed fails the test if the engine left draws unread.
func (r *traceRand) checkUsed(t *testing.T) {
	t.Helper()
	if r.i < len(r.draws) {
		var left []string
		for _, d := range r.draws[r.i:] {
			left = append(left, d.what)
		}
		t.Errorf("the engine did not draw: %s", strings.Join(left, "; "))
	}
}

// flight is what one call into an engine asked for.
type flight struct {
	msgs [][]byte
	// order lists the messages and change_cipher_spec records in the
	// order they are sent, by name.
	order []string
	// read and write are the TLS 1.3 secrets installed, by level.
	read, write map[handshake.Level][]byte
}

// stepper returns a function that takes what one call into an engine
// returned and fails the test on an error: step(e.Handle(msg)).
func stepper(t *testing.T) func([]handshake.Action, error) *flight {
	return func(acts []handshake.Action, err error) *flight {
		t.Helper()
		return collect(t, acts, err)
	}
}

func collect(t *testing.T, acts []handshake.Action, err error) *flight {
	t.Helper()
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	f := &flight{read: map[handshake.Level][]byte{}, write: map[handshake.Level][]byte{}}
	for _, a := range acts {
		switch a.Kind {
		case handshake.SendHandshake:
			rest := a.Data
			for len(rest) > 0 {
				_, n, ok := wire.Header(rest)
				if !ok || len(rest) < wire.HeaderLen+n {
					t.Fatalf("SendHandshake data does not split into whole messages")
				}
				// A copy: the engine reuses a flight's bytes on the next
				// call, and the replays compare messages across calls.
				f.msgs = append(f.msgs, bytes.Clone(rest[:wire.HeaderLen+n]))
				f.order = append(f.order, wire.MessageName(rest[0]))
				rest = rest[wire.HeaderLen+n:]
			}
		case handshake.SendChangeCipherSpec:
			f.order = append(f.order, "change_cipher_spec")
		case handshake.SetReadKey:
			f.read[a.Level] = a.Traffic.Secret
		case handshake.SetWriteKey:
			f.write[a.Level] = a.Traffic.Secret
		}
	}
	return f
}

// want checks got against one of the traces' values.
func want(t *testing.T, what string, got []byte, traceHex string) {
	t.Helper()
	if w := hx(traceHex); !bytes.Equal(got, w) {
		t.Errorf("%s differs from the trace:\n  Lucid %x\n  trace %x", what, got, w)
	}
}

// wantOrder checks the names of what a flight sent.
func wantOrder(t *testing.T, what string, f *flight, names ...string) {
	t.Helper()
	if !slices.Equal(f.order, names) {
		// What follows reads the messages by position.
		t.Fatalf("%s sent %v, want %v", what, f.order, names)
	}
}

// transcriptHash is SHA-256 over msgs, the hash of every suite replayed.
func transcriptHash(msgs ...[]byte) []byte {
	h := sha256.New()
	for _, m := range msgs {
		h.Write(m)
	}
	return h.Sum(nil)
}

// finishedWith is the Finished message a side holding the trace's
// finished_key sends over msgs (RFC 8446 §4.4.4), computed here with HMAC
// directly: where Lucid's transcript differs from the trace's, this is
// what its Finished must be if its key schedule matches the trace's.
func finishedWith(finishedKeyHex string, msgs ...[]byte) []byte {
	m := hmac.New(sha256.New, hx(finishedKeyHex))
	m.Write(transcriptHash(msgs...))
	return append([]byte{wire.TypeFinished, 0, 0, 32}, m.Sum(nil)...)
}

// derived is Derive-Secret(secret, label, msgs) (RFC 8446 §7.1) from one of
// the trace's secrets, for transcripts that differ from the trace's.
func derived(secretHex, label string, msgs ...[]byte) []byte {
	return keys.ExpandLabel(crypto.SHA256, hx(secretHex), label, transcriptHash(msgs...), 32)
}

// field is one part of a message: a fixed field or an extension.
type field struct {
	name string
	b    []byte
	ext  bool
	typ  uint16 // extensions only
}

// cursor reads length-prefixed parts of a message.
type cursor struct {
	t *testing.T
	b []byte
}

func (c *cursor) take(n int) []byte {
	c.t.Helper()
	if len(c.b) < n {
		c.t.Fatalf("message ends %d bytes early", n-len(c.b))
	}
	p := c.b[:n]
	c.b = c.b[n:]
	return p
}

// vec reads a vector with a prefix of width bytes and returns it whole,
// prefix included, so that a length difference shows.
func (c *cursor) vec(width int) []byte {
	c.t.Helper()
	p := c.take(width)
	n := 0
	for _, x := range p {
		n = n<<8 | int(x)
	}
	c.take(n)
	return p[: width+n : width+n]
}

func (c *cursor) extensions(out []field) []field {
	c.t.Helper()
	if len(c.b) == 0 {
		return out
	}
	list := &cursor{t: c.t, b: c.vec(2)[2:]}
	for len(list.b) > 0 {
		p := list.take(2)
		typ := uint16(p[0])<<8 | uint16(p[1])
		out = append(out, field{name: wire.ExtensionName(typ), b: list.vec(2)[2:], ext: true, typ: typ})
	}
	if len(c.b) != 0 {
		c.t.Fatalf("%d bytes after the extensions", len(c.b))
	}
	return out
}

// fields splits a handshake message of one of the types the replay
// compares into its fields, in order.
func fields(t *testing.T, msg []byte) []field {
	t.Helper()
	c := &cursor{t: t, b: msg[wire.HeaderLen:]}
	var f []field
	add := func(name string, b []byte) { f = append(f, field{name: name, b: b}) }
	switch msg[0] {
	case wire.TypeClientHello:
		add("legacy_version", c.take(2))
		add("random", c.take(32))
		add("legacy_session_id", c.vec(1))
		add("cipher_suites", c.vec(2))
		add("legacy_compression_methods", c.vec(1))
	case wire.TypeServerHello:
		add("legacy_version", c.take(2))
		add("random", c.take(32))
		add("legacy_session_id_echo", c.vec(1))
		add("cipher_suite", c.take(2))
		add("legacy_compression_method", c.take(1))
	case wire.TypeEncryptedExtensions:
	case wire.TypeCertificateRequest:
		add("certificate_request_context", c.vec(1))
	case wire.TypeNewSessionTicket:
		add("ticket_lifetime", c.take(4))
		add("ticket_age_add", c.take(4))
		add("ticket_nonce", c.vec(1))
		add("ticket", c.vec(2))
	default:
		t.Fatalf("no field splitter for %s", wire.MessageName(msg[0]))
	}
	return c.extensions(f)
}

// fieldDiff compares Lucid's message with the trace's, field by field and
// extension by extension, and returns what differs: "X differs", "X only
// in the trace", "X only in Lucid's", and "extension order" when the
// extensions both send come in another order.
func fieldDiff(t *testing.T, lucid, trace []byte) []string {
	t.Helper()
	if lucid[0] != trace[0] {
		return []string{fmt.Sprintf("message type %s, the trace's is %s", wire.MessageName(lucid[0]), wire.MessageName(trace[0]))}
	}
	lf, tf := fields(t, lucid), fields(t, trace)
	find := func(fs []field, name string) (field, bool) {
		for _, f := range fs {
			if f.name == name {
				return f, true
			}
		}
		return field{}, false
	}
	var diff []string
	var lOrder, tOrder []string
	for _, f := range tf {
		g, ok := find(lf, f.name)
		switch {
		case !ok:
			diff = append(diff, f.name+" only in the trace")
		case !bytes.Equal(f.b, g.b):
			diff = append(diff, f.name+" differs")
		}
		if ok && f.ext {
			tOrder = append(tOrder, f.name)
		}
	}
	for _, f := range lf {
		_, ok := find(tf, f.name)
		if !ok {
			diff = append(diff, f.name+" only in Lucid's")
		}
		if ok && f.ext {
			lOrder = append(lOrder, f.name)
		}
	}
	if !slices.Equal(lOrder, tOrder) {
		diff = append(diff, "extension order")
	}
	slices.Sort(diff)
	return diff
}

// wantDiff checks that Lucid's message differs from the trace's in exactly
// the listed ways, and shows both when it does not.
func wantDiff(t *testing.T, what string, lucid []byte, traceHex string, diffs ...string) {
	t.Helper()
	trace := hx(traceHex)
	got := fieldDiff(t, lucid, trace)
	diffs = slices.Sorted(slices.Values(diffs))
	if !slices.Equal(got, diffs) {
		t.Errorf("%s: Lucid's differs from the trace's in %q, want exactly %q\n  Lucid %x\n  trace %x", what, got, diffs, lucid, trace)
	}
}

// extension returns the body of one extension of msg, by name.
func extension(t *testing.T, msg []byte, name string) []byte {
	t.Helper()
	for _, f := range fields(t, msg) {
		if f.ext && f.name == name {
			return f.b
		}
	}
	t.Fatalf("%s has no %s extension", wire.MessageName(msg[0]), name)
	return nil
}

// without returns msg with the named extensions removed and its lengths
// fixed: what the replay hands Lucid's client in place of a message
// carrying an extension it does not implement.
func without(t *testing.T, msg []byte, names ...string) []byte {
	t.Helper()
	if msg[0] != wire.TypeEncryptedExtensions {
		t.Fatalf("without works on EncryptedExtensions only")
	}
	var exts []byte
	for _, f := range fields(t, msg) {
		if slices.Contains(names, f.name) {
			continue
		}
		exts = append(exts, byte(f.typ>>8), byte(f.typ), byte(len(f.b)>>8), byte(len(f.b)))
		exts = append(exts, f.b...)
	}
	body := append([]byte{byte(len(exts) >> 8), byte(len(exts))}, exts...)
	return append(wire.AppendHeader(nil, wire.TypeEncryptedExtensions, len(body)), body...)
}
