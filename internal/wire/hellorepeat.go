package wire

import (
	"bytes"

	"lucid/internal/alert"
)

// retryMayChange says which extensions a ClientHello answering a
// HelloRetryRequest may change, add or drop (RFC 8446 §4.1.2): key_share
// (new shares), early_data (removed), cookie (added), pre_shared_key
// (recomputed or removed) and padding (resized). CheckRepeatedHello leaves
// their contents to the engine.
func retryMayChange(typ uint16) bool {
	switch typ {
	case ExtKeyShare, ExtEarlyData, ExtCookie, ExtPreSharedKey, ExtPadding:
		return true
	}
	return false
}

// CheckRepeatedHello checks that second, the body of a ClientHello sent in
// answer to a HelloRetryRequest, repeats first, the body of the original,
// byte for byte (RFC 8446 §4.1.2: "the client MUST send the same
// ClientHello without modification") except for the extensions the RFC
// lets it change: the same legacy fields, and the same other extensions
// with the same contents in the same order. Both bodies must already have
// parsed as ClientHellos. A difference is illegal_parameter, naming the
// first field or extension that changed.
func CheckRepeatedHello(first, second []byte) error {
	a, b := splitHello(first), splitHello(second)
	if a.err != nil || b.err != nil {
		return alert.New(alert.DecodeError, "ClientHello could not be split into its fields")
	}
	if !bytes.Equal(a.legacy, b.legacy) {
		return alert.New(alert.IllegalParameter, "second ClientHello changed its version, random, session ID, cipher suites or compression methods")
	}
	x, y := a.exts, b.exts
	for {
		for len(x) > 0 && retryMayChange(x[0].typ) {
			x = x[1:]
		}
		for len(y) > 0 && retryMayChange(y[0].typ) {
			y = y[1:]
		}
		switch {
		case len(x) == 0 && len(y) == 0:
			return nil
		case len(y) == 0:
			return alert.New(alert.IllegalParameter, "second ClientHello dropped extension %s", ExtensionName(x[0].typ))
		case len(x) == 0:
			return alert.New(alert.IllegalParameter, "second ClientHello added extension %s", ExtensionName(y[0].typ))
		case x[0].typ != y[0].typ:
			return alert.New(alert.IllegalParameter, "second ClientHello has extension %s where the first had %s", ExtensionName(y[0].typ), ExtensionName(x[0].typ))
		case !bytes.Equal(x[0].body, y[0].body):
			return alert.New(alert.IllegalParameter, "second ClientHello changed extension %s", ExtensionName(x[0].typ))
		}
		x, y = x[1:], y[1:]
	}
}

// helloParts is a ClientHello body cut into the fields before its
// extensions, as one slice, and its extensions.
type helloParts struct {
	legacy []byte
	exts   []rawExtension
	err    error
}

func splitHello(body []byte) helloParts {
	r := newReader("ClientHello", body)
	r.take(2+32, "legacy_version and random")
	r.vec(1, "legacy_session_id", 0, 32)
	r.vec(2, "cipher_suites", 2, 0xfffe)
	r.vec(1, "legacy_compression_methods", 1, 0xff)
	p := helloParts{legacy: body[:len(body)-len(r.b)]}
	if r.more() {
		p.exts = readExtensionBlock(nil, r, 0, 0xffff, alert.DecodeError)
		r.end()
	}
	p.err = r.err()
	return p
}
