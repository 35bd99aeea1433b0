package wire

import (
	"errors"
	"fmt"

	"lucid/internal/alert"
)

// Encrypted Client Hello code points (RFC 9849 §5, §11.1).
const (
	// ExtEncryptedClientHello is encrypted_client_hello, which is also the
	// version number of the ECHConfig format this package reads.
	ExtEncryptedClientHello uint16 = 0xfe0d
	// ExtECHOuterExtensions is ech_outer_extensions, which may appear only
	// inside an EncodedClientHelloInner (RFC 9849 §5.1).
	ExtECHOuterExtensions uint16 = 0xfd00
	// ECHConfigVersion is the ECHConfig.version this package understands.
	ECHConfigVersion uint16 = 0xfe0d
)

// ECHSuite is an HpkeSymmetricCipherSuite: an HPKE KDF and AEAD pair
// (RFC 9849 §4, RFC 9180 §7).
type ECHSuite struct {
	KDF, AEAD uint16
}

// String names the suite's KDF and AEAD as RFC 9180 §7.2 and §7.3 do,
// such as "HKDF-SHA256/AES-128-GCM"; an unknown one by its code point.
func (s ECHSuite) String() string {
	kdf := map[uint16]string{1: "HKDF-SHA256", 2: "HKDF-SHA384", 3: "HKDF-SHA512"}[s.KDF]
	aead := map[uint16]string{1: "AES-128-GCM", 2: "AES-256-GCM", 3: "ChaCha20-Poly1305"}[s.AEAD]
	if kdf == "" {
		kdf = fmt.Sprintf("KDF 0x%04x", s.KDF)
	}
	if aead == "" {
		aead = fmt.Sprintf("AEAD 0x%04x", s.AEAD)
	}
	return kdf + "/" + aead
}

// ECHConfigExtension is one entry of an ECHConfig's extensions; a type
// with the high bit set is mandatory (RFC 9849 §4.2).
type ECHConfigExtension struct {
	Type uint16
	Data []byte
}

// ECHConfig is one entry of an ECHConfigList (RFC 9849 §4). An entry of a
// version other than ECHConfigVersion has only Version and Raw set, since
// its contents mean nothing to this package; clients skip it.
type ECHConfig struct {
	Version    uint16
	ConfigID   uint8
	KEM        uint16
	PublicKey  []byte
	Suites     []ECHSuite
	MaxNameLen uint8
	PublicName string
	Extensions []ECHConfigExtension
	// Raw is the whole encoded ECHConfig, version and length included:
	// what HPKE's info binds to (RFC 9849 §6.1).
	Raw []byte
}

// Known reports whether c is of the version this package reads.
func (c *ECHConfig) Known() bool { return c.Version == ECHConfigVersion }

// HasMandatoryExtension reports whether c carries an extension whose type
// marks it mandatory: Lucid knows none, so such a config must be ignored
// (RFC 9849 §4.2).
func (c *ECHConfig) HasMandatoryExtension() bool {
	for _, e := range c.Extensions {
		if e.Type&0x8000 != 0 {
			return true
		}
	}
	return false
}

// Marshal encodes c as an ECHConfig of version ECHConfigVersion, or
// returns an error if a field does not fit its length prefix.
func (c *ECHConfig) Marshal() ([]byte, error) {
	b := &builder{}
	b.u16(ECHConfigVersion)
	b.vec(2, func(b *builder) {
		b.u8(c.ConfigID)
		b.u16(c.KEM)
		if len(c.PublicKey) == 0 {
			b.fail("public_key is empty")
		}
		b.bytesVec(2, c.PublicKey)
		if len(c.Suites) == 0 {
			b.fail("no cipher suite")
		}
		b.vec(2, func(b *builder) {
			for _, s := range c.Suites {
				b.u16(s.KDF)
				b.u16(s.AEAD)
			}
		})
		b.u8(c.MaxNameLen)
		if len(c.PublicName) == 0 {
			b.fail("public_name is empty")
		}
		b.bytesVec(1, []byte(c.PublicName))
		b.vec(2, func(b *builder) {
			for _, e := range c.Extensions {
				b.u16(e.Type)
				b.bytesVec(2, e.Data)
			}
		})
	})
	if b.err != nil {
		return nil, fmt.Errorf("ECHConfig: %w", b.err)
	}
	return b.buf, nil
}

// ParseECHConfigList parses an ECHConfigList (RFC 9849 §4:
// ECHConfig ECHConfigList<4..2^16-1>), length prefix included. Entries of
// unknown versions are kept with their Raw bytes; entries of the known
// version are checked in full. A malformed list is decode_error, which is
// what a client answers a bad retry_configs with (RFC 9849 §6.1.6).
func ParseECHConfigList(b []byte) ([]ECHConfig, error) {
	r := newReader("ECHConfigList", b)
	list := r.subVec(2, "configs", 4, 0xffff)
	r.end()
	// Each entry takes at least its 4-byte header.
	configs := make([]ECHConfig, 0, countVectors(list.b, 2, 2))
	for list.more() {
		configs = append(configs, readECHConfig(list))
	}
	if err := r.err(); err != nil {
		return nil, err
	}
	return configs, nil
}

// ParseECHConfig parses exactly one ECHConfig, which must be of the known
// version: the form a server's key is configured with.
func ParseECHConfig(b []byte) (ECHConfig, error) {
	r := newReader("ECHConfig", b)
	c := readECHConfig(r)
	r.end()
	if err := r.err(); err != nil {
		return ECHConfig{}, err
	}
	if !c.Known() {
		return ECHConfig{}, fmt.Errorf("ECHConfig: version 0x%04x is not 0x%04x", c.Version, ECHConfigVersion)
	}
	return c, nil
}

// readECHConfig reads one ECHConfig from r.
func readECHConfig(r *reader) ECHConfig {
	start := r.b
	var c ECHConfig
	c.Version = r.u16("version")
	contents := r.subVec(2, "contents", 0, 0xffff)
	if !r.ok() {
		return c
	}
	c.Raw = start[: len(start)-len(r.b) : len(start)-len(r.b)]
	if !c.Known() {
		return c
	}
	c.ConfigID = contents.u8("config_id")
	c.KEM = contents.u16("kem_id")
	c.PublicKey = contents.vec(2, "public_key", 1, 0xffff)
	suites := contents.subVec(2, "cipher_suites", 4, 0xfffc)
	if suites.ok() && len(suites.b)%4 != 0 {
		suites.failf(alert.DecodeError, "length %d is not a multiple of 4", len(suites.b))
	}
	c.Suites = make([]ECHSuite, 0, len(suites.b)/4)
	for suites.more() {
		c.Suites = append(c.Suites, ECHSuite{suites.u16("kdf_id"), suites.u16("aead_id")})
	}
	c.MaxNameLen = contents.u8("maximum_name_length")
	c.PublicName = string(contents.vec(1, "public_name", 1, 255))
	exts := contents.subVec(2, "extensions", 0, 0xffff)
	var seen CodeSet
	for exts.more() {
		t := exts.u16("extension type")
		data := exts.vec(2, "extension data", 0, 0xffff)
		if seen.Has(t) {
			exts.failf(alert.DecodeError, "duplicate extension 0x%04x", t)
		}
		seen.Add(t)
		c.Extensions = append(c.Extensions, ECHConfigExtension{t, data})
	}
	contents.end()
	return c
}

// MarshalECHConfigList joins encoded ECHConfigs, most preferred first, into
// an ECHConfigList with its length prefix: the form of a DNS HTTPS record's
// ech parameter, of retry_configs, and of a client's configuration.
func MarshalECHConfigList(configs ...[]byte) ([]byte, error) {
	if len(configs) == 0 {
		return nil, errors.New("ECHConfigList: no config")
	}
	b := &builder{}
	b.vec(2, func(b *builder) {
		for _, c := range configs {
			b.raw(c)
		}
	})
	if b.err != nil {
		return nil, fmt.Errorf("ECHConfigList: %w", b.err)
	}
	return b.buf, nil
}

// ECHClientHello is the body of a ClientHello's encrypted_client_hello
// extension (RFC 9849 §5): the outer variant carries the encrypted inner
// hello, the inner variant is empty.
type ECHClientHello struct {
	Inner    bool
	Suite    ECHSuite
	ConfigID uint8
	Enc      []byte
	Payload  []byte
}

// echClientHelloType values (RFC 9849 §5).
const (
	echOuter uint8 = 0
	echInner uint8 = 1
)

func readECHClientHello(r *reader) *ECHClientHello {
	m := &ECHClientHello{}
	switch t := r.u8("type"); {
	case !r.ok():
	case t == echInner:
		m.Inner = true
	case t == echOuter:
		m.Suite.KDF = r.u16("kdf_id")
		m.Suite.AEAD = r.u16("aead_id")
		m.ConfigID = r.u8("config_id")
		m.Enc = r.vec(2, "enc", 0, 0xffff)
		m.Payload = r.vec(2, "payload", 1, 0xffff)
	default:
		// RFC 9849 §7: an unknown ECHClientHelloType is illegal_parameter.
		r.failf(alert.IllegalParameter, "ECHClientHello type %d is neither outer nor inner", t)
	}
	return m
}

func writeECHClientHello(b *builder, m *ECHClientHello) {
	if m.Inner {
		b.u8(echInner)
		return
	}
	b.u8(echOuter)
	b.u16(m.Suite.KDF)
	b.u16(m.Suite.AEAD)
	b.u8(m.ConfigID)
	b.bytesVec(2, m.Enc)
	if len(m.Payload) == 0 {
		b.fail("ECH payload is empty")
	}
	b.bytesVec(2, m.Payload)
}

// ECHConfirmationLen is the length of an acceptance confirmation, in
// ServerHello.random's last bytes or a HelloRetryRequest's extension
// (RFC 9849 §7.2).
const ECHConfirmationLen = 8

// encrypted_client_hello (RFC 9849 §5): an ECHClientHello in ClientHello,
// the 8-byte confirmation in HelloRetryRequest, retry_configs (an
// ECHConfigList, checked syntactically) in EncryptedExtensions. A
// ServerHello may not carry it.
var extECH = &extension{
	typ: ExtEncryptedClientHello,
	ch: &hook[ClientHello]{
		parse: func(m *ClientHello, r *reader) { m.ECH = readECHClientHello(r) },
		has:   func(m *ClientHello) bool { return m.ECH != nil },
		write: func(b *builder, m *ClientHello) { writeECHClientHello(b, m.ECH) },
	},
	hrr: &hook[ServerHello]{
		parse: func(m *ServerHello, r *reader) {
			m.ECHConfirmation = r.take(ECHConfirmationLen, "confirmation")
		},
		has:   func(m *ServerHello) bool { return m.ECHConfirmation != nil },
		write: func(b *builder, m *ServerHello) { b.raw(m.ECHConfirmation) },
	},
	ee: &hook[EncryptedExtensions]{
		parse: func(m *EncryptedExtensions, r *reader) {
			body := r.take(len(r.b), "retry_configs")
			if _, err := ParseECHConfigList(body); err != nil {
				r.failf(alert.DecodeError, "retry_configs: %v", err)
				return
			}
			m.ECHRetryConfigs = body
		},
		has:   func(m *EncryptedExtensions) bool { return m.ECHRetryConfigs != nil },
		write: func(b *builder, m *EncryptedExtensions) { b.raw(m.ECHRetryConfigs) },
	},
}
