package wire

import (
	"fmt"
	"sync"

	"lucid/internal/alert"
)

// parseState is shared by a reader and every sub-reader cut from it, so the
// first failure anywhere in a message stops the whole parse and is the one
// reported; later reads become no-ops returning zero values.
type parseState struct {
	err *alert.Error
	// u16 is room for the uint16 lists of the message (a ClientHello has
	// four or five), carved out one after the other so that they cost one
	// allocation together.
	u16 []uint16
	// size is the length of the whole message, which bounds that room.
	size int
}

// u16Room is how many values the lists of one message share before a
// list gets an allocation of its own: more than a browser's ClientHello
// holds in all of them.
const u16Room = 96

// u16List returns a list of length 0 and capacity n from the message's
// shared room, making the room on first use.
func (st *parseState) u16List(n int) []uint16 {
	if len(st.u16) < n {
		if st.u16 != nil || n > u16Room {
			return make([]uint16, 0, n)
		}
		// Never more room than the message could fill.
		st.u16 = make([]uint16, max(n, min(u16Room, st.size/2)))
	}
	v := st.u16[:0:n]
	st.u16 = st.u16[n:]
	return v
}

// reader is a bounded cursor over a byte slice. It cannot read past its
// slice, and length-prefixed reads are checked against what is left before
// any slice is taken, so a lying length field can never cause an oversized
// allocation or an out-of-range access.
type reader struct {
	b []byte
	// field names what r reads: the message at the root, the field in a
	// sub-reader. The path in an error message is built from the chain of
	// parents only when something fails, since a successful parse cuts
	// sub-readers by the dozen and would otherwise build a string for each.
	field  string
	parent *reader
	st     *parseState
	// root is the state st points to in the root reader, so that starting
	// a parse is one allocation.
	root parseState
}

// newReader starts parsing b; where names the message for error messages.
func newReader(where string, b []byte) *reader {
	r := &reader{b: b, field: where}
	r.st = &r.root
	r.root.size = len(b)
	return r
}

// readers holds root readers between parses: a handshake parses a dozen
// messages, and a reader, which sub-readers and extension hooks point
// to, cannot live on its parser's stack.
var readers = sync.Pool{New: func() any { return new(reader) }}

// newPooledReader is newReader from the pool; the parser hands it back
// with release once it returns, when no sub-reader or hook still uses it
// (none keeps the reader it is given, and errors carry only text).
func newPooledReader(where string, b []byte) *reader {
	r := readers.Get().(*reader)
	*r = reader{b: b, field: where}
	r.st = &r.root
	r.root.size = len(b)
	return r
}

// release hands a reader from newPooledReader back, dropping what it
// refers to: the message, an error, the rest of the room for lists.
func (r *reader) release() {
	*r = reader{}
	readers.Put(r)
}

// sub returns a reader over b that shares r's failure state and reports
// errors under r's path extended by field.
func (r *reader) sub(field string, b []byte) *reader {
	return &reader{b: b, field: field, parent: r, st: r.st}
}

// where is the message and field path that prefixes r's error messages.
func (r *reader) where() string {
	if r.parent == nil {
		return r.field
	}
	return r.parent.where() + ": " + r.field
}

// failf records the first failure. It also empties r so loops over r stop.
func (r *reader) failf(d alert.Description, format string, args ...any) {
	r.b = nil
	if r.st.err == nil {
		r.st.err = alert.New(d, "%s: %s", r.where(), fmt.Sprintf(format, args...))
	}
}

// ok reports whether nothing has failed yet.
func (r *reader) ok() bool { return r.st.err == nil }

// more reports whether there are unread bytes and no failure so far; it is
// the condition for every loop over a list.
func (r *reader) more() bool { return r.st.err == nil && len(r.b) > 0 }

// err returns the recorded failure as an error, or a true nil.
func (r *reader) err() error {
	if r.st.err == nil {
		return nil
	}
	return r.st.err
}

// take returns the next n bytes, capped so that appending to the result can
// never overwrite the bytes that follow it.
func (r *reader) take(n int, field string) []byte {
	if !r.ok() {
		return nil
	}
	if n < 0 || n > len(r.b) {
		r.failf(alert.DecodeError, "%s truncated: need %d bytes, have %d", field, n, len(r.b))
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

// number reads an n-byte big-endian unsigned integer (n ≤ 4).
func (r *reader) number(n int, field string) uint32 {
	p := r.take(n, field)
	var v uint32
	for _, c := range p {
		v = v<<8 | uint32(c)
	}
	return v
}

func (r *reader) u8(field string) uint8   { return uint8(r.number(1, field)) }
func (r *reader) u16(field string) uint16 { return uint16(r.number(2, field)) }
func (r *reader) u32(field string) uint32 { return r.number(4, field) }

// vec reads a vector with an prefixLen-byte length prefix whose length must
// lie in [min, max], as in the RFC notation field<min..max>. A zero-length
// vector is returned as nil so that parsed values compare equal to the
// natural way of writing an absent value.
func (r *reader) vec(prefixLen int, field string, min, max int) []byte {
	if !r.ok() {
		return nil
	}
	// The prefix is checked here rather than by take so that the field's
	// name is only built on failure: vectors come by the thousand in a
	// hostile hello, and a string per vector would be most of its cost.
	if prefixLen > len(r.b) {
		r.failf(alert.DecodeError, "%s length truncated: need %d bytes, have %d", field, prefixLen, len(r.b))
		return nil
	}
	n := int(r.number(prefixLen, field))
	if n < min {
		r.failf(alert.DecodeError, "%s length %d is below the minimum %d", field, n, min)
		return nil
	}
	if n > max {
		r.failf(alert.DecodeError, "%s length %d is above the maximum %d", field, n, max)
		return nil
	}
	if n > len(r.b) {
		r.failf(alert.DecodeError, "%s claims %d bytes but only %d remain", field, n, len(r.b))
		return nil
	}
	if n == 0 {
		return nil
	}
	return r.take(n, field)
}

// subVec reads a vector like vec and returns a reader over its contents.
func (r *reader) subVec(prefixLen int, field string, min, max int) *reader {
	return r.sub(field, r.vec(prefixLen, field, min, max))
}

// countVectors counts the entries of a list in which each entry is skip
// bytes followed by a vector with a prefixLen-byte length, by reading the
// lengths alone. It stops where the framing breaks, which the real read
// then reports. A parser that sizes its list with it allocates once, where
// growing by appending would allocate several times the final list for a
// hello of thousands of tiny entries.
func countVectors(b []byte, skip, prefixLen int) int {
	n := 0
	for len(b) >= skip+prefixLen {
		l := 0
		for _, c := range b[skip : skip+prefixLen] {
			l = l<<8 | int(c)
		}
		b = b[skip+prefixLen:]
		if l > len(b) {
			break
		}
		b = b[l:]
		n++
	}
	return n
}

// u16s reads a vector of uint16 values (cipher suites, groups, schemes,
// versions) whose byte length must lie in [min, max] and be even.
func (r *reader) u16s(prefixLen int, field string, min, max int) []uint16 {
	p := r.vec(prefixLen, field, min, max)
	if !r.ok() || len(p) == 0 {
		return nil
	}
	if len(p)%2 != 0 {
		r.failf(alert.DecodeError, "%s length %d is odd", field, len(p))
		return nil
	}
	v := r.st.u16List(len(p) / 2)
	for i := 0; i+1 < len(p); i += 2 {
		v = append(v, uint16(p[i])<<8|uint16(p[i+1]))
	}
	return v
}

// end fails if bytes remain: every structure in a handshake message has an
// exact length, and RFC 8446 §4 leaves no room for trailing data.
func (r *reader) end() {
	if r.ok() && len(r.b) > 0 {
		r.failf(alert.DecodeError, "unexpected trailing data (%d bytes)", len(r.b))
	}
}

// parseNew parses body into a new message with into, the in-place parser
// of its type, for the callers that want a message of their own.
func parseNew[M any](into func(*M, []byte) error, body []byte) (*M, error) {
	m := new(M)
	if err := into(m, body); err != nil {
		return nil, err
	}
	return m, nil
}
