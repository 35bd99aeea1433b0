package wire

import (
	"slices"
	"strconv"

	"lucid/internal/alert"
)

// Extension code points (IANA "TLS ExtensionType Values"; RFC 8446 §4.2 and
// the RFCs cited on each).
const (
	ExtServerName              uint16 = 0      // RFC 6066 §3
	ExtStatusRequest           uint16 = 5      // RFC 6066 §8
	ExtSupportedGroups         uint16 = 10     // RFC 8446 §4.2.7, RFC 8422 §5.1.1
	ExtECPointFormats          uint16 = 11     // RFC 8422 §5.1.2
	ExtSignatureAlgorithms     uint16 = 13     // RFC 8446 §4.2.3
	ExtALPN                    uint16 = 16     // RFC 7301 §3.1
	ExtSCT                     uint16 = 18     // RFC 6962 §3.3.1
	ExtPadding                 uint16 = 21     // RFC 7685
	ExtExtendedMasterSecret    uint16 = 23     // RFC 7627 §5.1
	ExtCompressCertificate     uint16 = 27     // RFC 8879 §3
	ExtRecordSizeLimit         uint16 = 28     // RFC 8449
	ExtSessionTicket           uint16 = 35     // RFC 5077 §3.2
	ExtPreSharedKey            uint16 = 41     // RFC 8446 §4.2.11
	ExtEarlyData               uint16 = 42     // RFC 8446 §4.2.10
	ExtSupportedVersions       uint16 = 43     // RFC 8446 §4.2.1
	ExtCookie                  uint16 = 44     // RFC 8446 §4.2.2
	ExtPSKKeyExchangeModes     uint16 = 45     // RFC 8446 §4.2.9
	ExtCertificateAuthorities  uint16 = 47     // RFC 8446 §4.2.4
	ExtPostHandshakeAuth       uint16 = 49     // RFC 8446 §4.2.6
	ExtSignatureAlgorithmsCert uint16 = 50     // RFC 8446 §4.2.3
	ExtKeyShare                uint16 = 51     // RFC 8446 §4.2.8
	ExtRenegotiationInfo       uint16 = 0xff01 // RFC 5746 §3.2
)

// extensionNames names every code point this package parses plus others
// commonly seen on the wire, for logs and fingerprints.
var extensionNames = map[uint16]string{
	ExtServerName:              "server_name",
	1:                          "max_fragment_length",
	ExtStatusRequest:           "status_request",
	ExtSupportedGroups:         "supported_groups",
	ExtECPointFormats:          "ec_point_formats",
	ExtSignatureAlgorithms:     "signature_algorithms",
	14:                         "use_srtp",
	15:                         "heartbeat",
	ExtALPN:                    "application_layer_protocol_negotiation",
	17:                         "status_request_v2",
	ExtSCT:                     "signed_certificate_timestamp",
	19:                         "client_certificate_type",
	20:                         "server_certificate_type",
	ExtPadding:                 "padding",
	22:                         "encrypt_then_mac",
	ExtExtendedMasterSecret:    "extended_master_secret",
	ExtCompressCertificate:     "compress_certificate",
	ExtRecordSizeLimit:         "record_size_limit",
	ExtSessionTicket:           "session_ticket",
	ExtPreSharedKey:            "pre_shared_key",
	ExtEarlyData:               "early_data",
	ExtSupportedVersions:       "supported_versions",
	ExtCookie:                  "cookie",
	ExtPSKKeyExchangeModes:     "psk_key_exchange_modes",
	ExtCertificateAuthorities:  "certificate_authorities",
	48:                         "oid_filters",
	ExtPostHandshakeAuth:       "post_handshake_auth",
	ExtSignatureAlgorithmsCert: "signature_algorithms_cert",
	ExtKeyShare:                "key_share",
	57:                         "quic_transport_parameters",
	ExtEncryptedClientHello:    "encrypted_client_hello",
	ExtECHOuterExtensions:      "ech_outer_extensions",
	ExtRenegotiationInfo:       "renegotiation_info",
}

// ExtensionName returns the registry name of an extension code point, such
// as "server_name"; "GREASE" for RFC 8701 reserved values; "unknown(N)"
// otherwise.
func ExtensionName(t uint16) string {
	if n, ok := extensionNames[t]; ok {
		return n
	}
	if IsGREASE(t) {
		return "GREASE"
	}
	return "unknown(" + strconv.Itoa(int(t)) + ")"
}

// IsGREASE reports whether v is one of the sixteen RFC 8701 §2 reserved
// values 0x0A0A, 0x1A1A, ..., 0xFAFA, which peers send to keep the ecosystem
// tolerant of unknown values and which must never be given meaning.
func IsGREASE(v uint16) bool {
	return v&0x0f0f == 0x0a0a && v>>8 == v&0xff
}

// hook says how one message struct M reads and writes one extension.
// parse reads the extension_data through r (the dispatcher checks that it
// was consumed exactly); has reports whether m holds a value to send; write
// appends the extension_data for m.
type hook[M any] struct {
	parse func(m *M, r *reader)
	has   func(m *M) bool
	write func(b *builder, m *M)
}

// extension describes one extension: its code point and, for each message
// context of the RFC 8446 §4.2 table (plus the TLS 1.2 ServerHello), how that
// message carries it. A nil hook means the extension may not appear there.
type extension struct {
	typ  uint16
	name string // ExtensionName(typ), set by indexExtensions
	ch   *hook[ClientHello]
	sh   *hook[ServerHello] // TLS 1.3 ServerHello
	hrr  *hook[ServerHello] // HelloRetryRequest
	sh12 *hook[ServerHello] // TLS 1.2 (and earlier) ServerHello
	ee   *hook[EncryptedExtensions]
	ct   *hook[CertificateEntry]
	cr   *hook[CertificateRequest]
	nst  *hook[NewSessionTicket]
}

// known indexes every extension this package recognises. An extension not
// in here is "unknown": it is kept or ignored but never an error, whereas a
// known extension in a message that may not carry it is rejected.
var known = indexExtensions(
	extServerName, extStatusRequest, extSupportedGroups, extECPointFormats,
	extSignatureAlgorithms, extSignatureAlgorithmsCert, extALPN, extSCT,
	extPadding, extExtendedMasterSecret, extRecordSizeLimit, extSessionTicket,
	extPreSharedKey, extEarlyData, extSupportedVersions, extCookie,
	extPSKKeyExchangeModes, extCertificateAuthorities, extPostHandshakeAuth,
	extKeyShare, extRenegotiationInfo, extECH, extCompressCertificate,
)

// knownIndex finds a recognised extension by code point: every message
// parsed or built looks up each of its extensions, and all but two of
// the recognised code points are below 64, so those are an array index
// rather than a map's hash.
type knownIndex struct {
	low  [64]*extension
	high []*extension
}

func indexExtensions(list ...*extension) *knownIndex {
	k := new(knownIndex)
	for _, e := range list {
		e.name = ExtensionName(e.typ)
		if int(e.typ) < len(k.low) {
			k.low[e.typ] = e
		} else {
			k.high = append(k.high, e)
		}
	}
	return k
}

// of returns the extension with code point t, or nil if it is unknown.
func (k *knownIndex) of(t uint16) *extension {
	if int(t) < len(k.low) {
		return k.low[t]
	}
	for _, e := range k.high {
		if e.typ == t {
			return e
		}
	}
	return nil
}

// orderRoom is the room a marshal keeps on its stack for the order of its
// extensions: more than any message Lucid builds names.
type orderRoom [48]uint16

// rawExtension is one entry of an extensions block before interpretation.
type rawExtension struct {
	typ  uint16
	body []byte
}

// extensionRoom is the room a parser keeps on its stack for the list of
// an extensions block, which it needs only while it parses: more than a
// browser's ClientHello carries.
type extensionRoom [24]rawExtension

// readExtensionBlock reads an extensions block with its 2-byte length,
// of min to max bytes, from r, into dst if it has room (see
// readExtensionsInto). Its reader is a local one, which costs no
// allocation as r.subVec's does.
func readExtensionBlock(dst []rawExtension, r *reader, min, max int, duplicate alert.Description) []rawExtension {
	sub := reader{b: r.vec(2, "extensions", min, max), field: "extensions", parent: r, st: r.st}
	return readExtensionsInto(dst, &sub, duplicate)
}

// readExtensionsInto reads the body of an extensions block (its length
// prefix already consumed) into a list, enforcing framing and uniqueness,
// appending to dst, which is replaced by a list of the block's size when
// it has too little room. duplicate is the alert for a repeated
// extension: RFC 8446 §4.2 forbids duplicates without naming an alert;
// decode_error fits a block that cannot be read as one value per type, but
// a HelloRetryRequest and a NewSessionTicket answer with
// illegal_parameter, as BoringSSL and Go's crypto/tls do, since both
// messages carry instructions whose repetition is a contradiction rather
// than a malformation.
func readExtensionsInto(dst []rawExtension, r *reader, duplicate alert.Description) []rawExtension {
	list := dst[:0]
	if n := countVectors(r.b, 2, 2); n > cap(list) {
		list = make([]rawExtension, 0, n)
	}
	var seen CodeSet
	for r.more() {
		t := r.u16("extension type")
		// The extension's name is built only for the error: a block may
		// hold sixteen thousand empty extensions, and a string for each
		// would be most of the cost of reading them.
		if !r.ok() || len(r.b) < 2 || int(r.b[0])<<8|int(r.b[1]) > len(r.b)-2 {
			r.vec(2, "extension "+ExtensionName(t), 0, 0xffff)
			return nil
		}
		body := r.vec(2, "extension", 0, 0xffff)
		// RFC 8446 §4.2, RFC 5246 §7.4.1.4: there MUST NOT be more than
		// one extension of the same type in a given extension block.
		if seen.Has(t) {
			r.failf(duplicate, "duplicate extension %s", ExtensionName(t))
			return nil
		}
		seen.Add(t)
		list = append(list, rawExtension{t, body})
	}
	return list
}

// extensionTypes returns the types in list, in order, never nil: a block
// that was present but empty is distinguishable from an absent one. The
// list shares the message's room for uint16 lists.
func extensionTypes(st *parseState, list []rawExtension) []uint16 {
	if len(list) == 0 {
		return []uint16{}
	}
	types := st.u16List(len(list))
	for _, e := range list {
		types = append(types, e.typ)
	}
	return types
}

// dispatch interprets each extension in list for message m. pick selects
// the hook for m's context. keep receives extensions that m's struct does
// not model: unknown ones, and known ones whose content the struct cannot
// hold (has is false after parsing), so that they survive a re-marshal; a
// nil keep drops them, which is how RFC 8446 §4.4.2, §4.3.2 and §4.6.1
// messages ignore what they do not understand.
//
// in names m's context for the error message, e.g. "a TLS 1.3 ServerHello".
func dispatch[M any](r *reader, m *M, in string, list []rawExtension, pick func(*extension) *hook[M], keep func(uint16, []byte)) {
	// One sub-reader serves every extension in turn: no hook keeps the
	// reader it is given, and a failure's message is built as it happens.
	var er *reader
	for _, e := range list {
		d := known.of(e.typ)
		if d == nil {
			if keep != nil {
				keep(e.typ, e.body)
			}
			continue
		}
		h := pick(d)
		if h == nil {
			// RFC 8446 §4.2: an extension we recognise in a message
			// that may not carry it MUST be answered with
			// illegal_parameter.
			r.failf(alert.IllegalParameter, "extension %s is not allowed in %s", d.name, in)
			return
		}
		if er == nil {
			er = r.sub("", nil)
		}
		er.b, er.field = e.body, d.name
		h.parse(m, er)
		er.end()
		if !r.ok() {
			return
		}
		if !h.has(m) && keep != nil {
			keep(e.typ, e.body)
		}
	}
}

// keepInto returns a keep function that stores bodies in *into, creating
// the map on first use so messages without such extensions keep a nil map.
// The map is made for the block's unknown extensions, counted then: a
// hello with thousands is stored without the map being rebuilt as it
// grows, and one with a single unknown extension among twenty known ones
// gets a map for one. (A known extension the message has no field for is
// kept too, uncounted: the map grows for it.)
func keepInto(into *map[uint16][]byte, exts []rawExtension) func(uint16, []byte) {
	return func(t uint16, body []byte) {
		if *into == nil {
			n := 0
			for _, e := range exts {
				if known.of(e.typ) == nil {
					n++
				}
			}
			*into = make(map[uint16][]byte, max(n, 1))
		}
		if body == nil {
			body = []byte{}
		}
		(*into)[t] = body
	}
}

// extensionOrder decides which extensions to write and in what order,
// appending them to dst (a caller's array on its stack, most often, where
// a marshal would otherwise allocate a list). If explicit is non-nil it
// is used as given (fingerprint-exact sending). Otherwise every extension
// in defaults that m holds comes first, in that order, followed by the
// unknown ones in ascending code point order.
func extensionOrder[M any](dst []uint16, m *M, explicit []uint16, defaults []*extension, pick func(*extension) *hook[M], unknown map[uint16][]byte) []uint16 {
	if explicit != nil {
		return append(dst, explicit...)
	}
	order := dst
	var in CodeSet
	for _, d := range defaults {
		if h := pick(d); h != nil && h.has(m) {
			order = append(order, d.typ)
			in.Add(d.typ)
		}
	}
	var rest []uint16
	for t := range unknown {
		if !in.Has(t) {
			rest = append(rest, t)
		}
	}
	slices.Sort(rest)
	return append(order, rest...)
}

// writeExtensions writes an extensions block (with its length prefix) for
// the types in order. A known type is written from m's fields when m holds
// it; otherwise, or for an unknown type, from unknown; a type with neither
// is skipped, as is any repeat, since a block must not carry duplicates.
func writeExtensions[M any](b *builder, m *M, order []uint16, pick func(*extension) *hook[M], unknown map[uint16][]byte) {
	b.vec(2, func(b *builder) {
		var done CodeSet
		for _, t := range order {
			if done.Has(t) {
				continue
			}
			if d := known.of(t); d != nil {
				if h := pick(d); h != nil && h.has(m) {
					done.Add(t)
					b.u16(t)
					b.vec(2, func(b *builder) { h.write(b, m) })
					continue
				}
			}
			if body, ok := unknown[t]; ok {
				done.Add(t)
				b.u16(t)
				b.bytesVec(2, body)
			}
		}
	})
}

// moveToEnd returns order with every t removed and, if any was present, one
// t appended.
func moveToEnd(order []uint16, t uint16) []uint16 {
	n := len(order)
	order = slices.DeleteFunc(order, func(x uint16) bool { return x == t })
	if len(order) != n {
		order = append(order, t)
	}
	return order
}

// Picking functions, one per message context, for dispatch and the writers.
func pickCH(e *extension) *hook[ClientHello]         { return e.ch }
func pickSH(e *extension) *hook[ServerHello]         { return e.sh }
func pickHRR(e *extension) *hook[ServerHello]        { return e.hrr }
func pickSH12(e *extension) *hook[ServerHello]       { return e.sh12 }
func pickEE(e *extension) *hook[EncryptedExtensions] { return e.ee }
func pickCT(e *extension) *hook[CertificateEntry]    { return e.ct }
func pickCR(e *extension) *hook[CertificateRequest]  { return e.cr }
func pickNST(e *extension) *hook[NewSessionTicket]   { return e.nst }
