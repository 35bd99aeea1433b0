package wire

import (
	"maps"

	"lucid/internal/alert"
)

// EncodeClientHelloInner returns the EncodedClientHelloInner of RFC 9849
// §5.1 for inner: its body with an empty legacy_session_id, the extensions
// listed in compress replaced by one ech_outer_extensions that refers the
// server to the outer hello's copies, and padding zeros as §6.1.3
// recommends for a config whose maximum_name_length is maxNameLen. The
// compressed types must be ones inner holds, in the order Marshal writes
// them and next to each other; the outer hello must carry them with the
// same contents in the same relative order. It returns nil if inner does
// not encode.
func EncodeClientHelloInner(inner *ClientHello, compress []uint16, maxNameLen int) []byte {
	h := *inner
	h.SessionID = []byte{}
	if len(compress) > 0 {
		order := inner.extensionOrder(nil)
		at := -1
		for i, t := range order {
			if t == compress[0] {
				at = i
				break
			}
		}
		if at < 0 || at+len(compress) > len(order) {
			return nil
		}
		for i, t := range compress {
			if order[at+i] != t {
				return nil
			}
		}
		list := &builder{}
		list.u16s(1, compress)
		if list.err != nil {
			return nil
		}
		ext := make([]uint16, 0, len(order)-len(compress)+1)
		ext = append(ext, order[:at]...)
		ext = append(ext, ExtECHOuterExtensions)
		ext = append(ext, order[at+len(compress):]...)
		h.Extensions = ext
		h.Unknown = maps.Clone(inner.Unknown)
		if h.Unknown == nil {
			h.Unknown = map[uint16][]byte{}
		}
		h.Unknown[ExtECHOuterExtensions] = list.buf
		// The compressed extensions must not be written from their
		// fields as well: they are dropped from the explicit order, and
		// writeExtensions writes only what the order lists.
	}
	msg := h.Marshal()
	if msg == nil {
		return nil
	}
	body := msg[HeaderLen:]
	// RFC 9849 §6.1.3: hide the name's length up to maximum_name_length,
	// then round the whole to a multiple of 32.
	pad := 0
	if inner.ServerName != "" {
		pad = max(0, maxNameLen-len(inner.ServerName))
	} else {
		pad = maxNameLen + 9
	}
	l := len(body) + pad
	pad += 31 - (l-1)%32
	return append(body, make([]byte, pad)...)
}

// DecodeClientHelloInner reverses EncodeClientHelloInner on the server
// (RFC 9849 §5.1): from the decrypted EncodedClientHelloInner and the body
// of the ClientHelloOuter that carried it, it rebuilds the ClientHelloInner
// message, handshake header included, ready for ParseClientHelloOwned. The
// outer's legacy_session_id is copied in and ech_outer_extensions is
// expanded from the outer's extensions, each referenced once, in order,
// never encrypted_client_hello itself: the result is at most the two
// inputs' size, and the work linear in them. Every failure is
// illegal_parameter or decode_error, as §5.1 and the framing require.
func DecodeClientHelloInner(encoded, outerBody []byte) ([]byte, error) {
	r := newReader("EncodedClientHelloInner", encoded)
	version := r.take(2, "legacy_version")
	random := r.take(32, "random")
	if sid := r.vec(1, "legacy_session_id", 0, 32); len(sid) != 0 {
		r.failf(alert.IllegalParameter, "legacy_session_id is not empty")
	}
	suites := r.vec(2, "cipher_suites", 2, 0xfffe)
	comp := r.vec(1, "legacy_compression_methods", 1, 0xff)
	exts := readExtensionBlock(nil, r, 0, 0xffff, alert.DecodeError)
	if !r.ok() {
		return nil, r.err()
	}
	// RFC 9849 §5.1: everything after client_hello is padding, all zeros.
	for _, c := range r.b {
		if c != 0 {
			r.failf(alert.IllegalParameter, "padding is not all zeros")
			return nil, r.err()
		}
	}

	o := newReader("ClientHelloOuter", outerBody)
	o.take(2+32, "legacy_version and random")
	sid := o.vec(1, "legacy_session_id", 0, 32)
	o.vec(2, "cipher_suites", 2, 0xfffe)
	o.vec(1, "legacy_compression_methods", 1, 0xff)
	outer := readExtensionBlock(nil, o, 0, 0xffff, alert.DecodeError)
	if !o.ok() {
		return nil, o.err()
	}

	b := &builder{buf: make([]byte, 0, HeaderLen+len(encoded)+len(outerBody))}
	b.buf = AppendHeader(b.buf, TypeClientHello, 0)
	b.raw(version)
	b.raw(random)
	b.bytesVec(1, sid)
	b.bytesVec(2, suites)
	b.bytesVec(1, comp)
	b.vec(2, func(b *builder) {
		next := 0 // the outer extensions before next are spent
		for _, e := range exts {
			if e.typ != ExtECHOuterExtensions {
				b.u16(e.typ)
				b.bytesVec(2, e.body)
				continue
			}
			lr := r.sub("ech_outer_extensions", e.body)
			refs := lr.u16s(1, "OuterExtensions", 2, 254)
			lr.end()
			var used CodeSet
			for _, t := range refs {
				switch {
				case t == ExtEncryptedClientHello:
					lr.failf(alert.IllegalParameter, "refers to encrypted_client_hello")
				case used.Has(t):
					lr.failf(alert.IllegalParameter, "refers to %s twice", ExtensionName(t))
				}
				used.Add(t)
				for next < len(outer) && outer[next].typ != t {
					next++
				}
				if next == len(outer) {
					lr.failf(alert.IllegalParameter, "refers to %s, which the outer hello lacks or carries out of order", ExtensionName(t))
				}
				if !r.ok() {
					return
				}
				b.u16(t)
				b.bytesVec(2, outer[next].body)
				next++
			}
			if !r.ok() {
				return
			}
		}
	})
	if err := r.err(); err != nil {
		return nil, err
	}
	if b.err != nil || len(b.buf)-HeaderLen > MaxMessageLen {
		return nil, alert.New(alert.IllegalParameter, "ClientHelloInner does not fit a handshake message")
	}
	n := len(b.buf) - HeaderLen
	b.buf[1], b.buf[2], b.buf[3] = byte(n>>16), byte(n>>8), byte(n)
	return b.buf, nil
}

// ECHPayloadSpan finds the payload of the outer encrypted_client_hello
// extension in a ClientHello body: body[start:end] is what ClientHelloOuterAAD
// replaces with zeros (RFC 9849 §5.2) and what a client fills with the
// sealed inner hello. ok is false if body has no such extension.
func ECHPayloadSpan(body []byte) (start, end int, ok bool) {
	r := newReader("ClientHello", body)
	r.take(2+32, "legacy_version and random")
	r.vec(1, "legacy_session_id", 0, 32)
	r.vec(2, "cipher_suites", 2, 0xfffe)
	r.vec(1, "legacy_compression_methods", 1, 0xff)
	exts := r.subVec(2, "extensions", 0, 0xffff)
	for exts.more() {
		t := exts.u16("extension type")
		data := exts.vec(2, "extension data", 0, 0xffff)
		if t != ExtEncryptedClientHello || !exts.ok() {
			continue
		}
		e := readECHClientHello(exts.sub("encrypted_client_hello", data))
		if !exts.ok() || e.Inner {
			return 0, 0, false
		}
		end = len(body) - len(r.b) - len(exts.b)
		return end - len(e.Payload), end, true
	}
	return 0, 0, false
}

// ServerHelloExtensionSpan finds the extension_data of extension typ in a
// ServerHello or HelloRetryRequest body: body[start:end], for a client that
// checks a HelloRetryRequest's ECH confirmation over the message with those
// bytes zeroed (RFC 9849 §7.2.1). ok is false if there is none.
func ServerHelloExtensionSpan(body []byte, typ uint16) (start, end int, ok bool) {
	r := newReader("ServerHello", body)
	r.take(2+32, "legacy_version and random")
	r.vec(1, "legacy_session_id", 0, 32)
	r.take(3, "cipher_suite and legacy_compression_method")
	exts := r.subVec(2, "extensions", 0, 0xffff)
	for exts.more() {
		t := exts.u16("extension type")
		data := exts.vec(2, "extension data", 0, 0xffff)
		if t == typ && exts.ok() {
			end = len(body) - len(r.b) - len(exts.b)
			return end - len(data), end, true
		}
	}
	return 0, 0, false
}
