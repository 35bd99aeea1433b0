package session

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"lucid/internal/version"
)

// t0 is an arbitrary instant with a sub-second part, so tests see what
// marshalling drops.
var t0 = time.Date(2025, 3, 14, 15, 9, 26, 535897932, time.UTC)

// fullState sets every field to something other than its zero value.
func fullState() *State {
	return &State{
		Version:      version.TLS13,
		Suite:        0x1302,
		Group:        0x11ec,
		PeerScheme:   0x0807,
		Secret:       bytes.Repeat([]byte{0xa5}, 48),
		CreatedAt:    t0,
		AuthTime:     t0.Add(-36 * time.Hour),
		Lifetime:     2*time.Hour + 300*time.Millisecond,
		AgeAdd:       0xdeadbeef,
		ALPN:         "h2",
		ServerName:   "example.com",
		EMS:          true,
		PeerCerts:    [][]byte{{0x30, 0x01, 0x02}, bytes.Repeat([]byte{0x30}, 300)},
		Verified:     true,
		MaxEarlyData: 16384,
		Issuer:       "edge-7",
	}
}

// minimalState sets only what Validate requires.
func minimalState() *State {
	return &State{Version: version.TLS12, Suite: 0xc02f, Secret: []byte{1}}
}

// marshalled is what Unmarshal should return for s: whole seconds, UTC.
func marshalled(s *State) *State {
	w := s.Clone()
	w.CreatedAt = time.Unix(s.CreatedAt.Unix(), 0).UTC()
	w.AuthTime = time.Unix(s.AuthTime.Unix(), 0).UTC()
	w.Lifetime = s.Lifetime.Truncate(time.Second)
	return w
}

func TestStateRoundTrip(t *testing.T) {
	emptyCerts := fullState()
	emptyCerts.PeerCerts, emptyCerts.Verified = [][]byte{}, false
	nilCerts := fullState()
	nilCerts.PeerCerts, nilCerts.Verified = nil, false
	zeroTime := minimalState()
	zeroTime.CreatedAt = time.Time{}
	limits := fullState()
	limits.Secret = bytes.Repeat([]byte{7}, MaxSecretLen)
	limits.Lifetime = MaxLifetime
	limits.ALPN = strings.Repeat("a", MaxALPNLen)
	limits.ServerName = strings.Repeat("n", MaxServerNameLen)
	limits.Issuer = strings.Repeat("i", MaxIssuerLen)
	limits.PeerCerts = nil
	for range MaxPeerCerts {
		limits.PeerCerts = append(limits.PeerCerts, bytes.Repeat([]byte{9}, MaxCertLen))
	}
	limits.AgeAdd, limits.MaxEarlyData, limits.Suite = 0xffffffff, 0xffffffff, 0xffff
	local := fullState()
	local.CreatedAt = t0.In(time.FixedZone("UTC+5", 5*3600))
	local.AuthTime = local.AuthTime.In(time.FixedZone("UTC-3", -3*3600))
	beforeEpoch := fullState()
	beforeEpoch.CreatedAt = time.Date(1960, 1, 1, 0, 0, 0, 0, time.UTC)
	beforeEpoch.AuthTime = time.Date(1959, 12, 31, 0, 0, 0, 0, time.UTC)

	for name, s := range map[string]*State{
		"full": fullState(), "minimal": minimalState(), "empty certs": emptyCerts,
		"nil certs": nilCerts, "zero time": zeroTime, "limits": limits,
		"local zone": local, "before epoch": beforeEpoch,
	} {
		t.Run(name, func(t *testing.T) {
			b := s.Marshal()
			if b == nil {
				t.Fatalf("Marshal returned nil: %v", s.Validate())
			}
			if b[0] != formatV4 {
				t.Errorf("format byte %d", b[0])
			}
			got, err := Unmarshal(b)
			if err != nil {
				t.Fatal(err)
			}
			if want := marshalled(s); !reflect.DeepEqual(got, want) {
				t.Errorf("round trip:\n got %+v\nwant %+v", got, want)
			}
			if (got.PeerCerts == nil) != (s.PeerCerts == nil) {
				t.Errorf("PeerCerts nil-ness changed: got nil=%v", got.PeerCerts == nil)
			}
			if again := got.Marshal(); !bytes.Equal(again, b) {
				t.Errorf("second Marshal differs")
			}
			// The decoded state must not alias the input.
			for i := range b {
				b[i] ^= 0xff
			}
			if want := marshalled(s); !reflect.DeepEqual(got, want) {
				t.Errorf("decoded state aliases its input")
			}
		})
	}
}

func TestMarshalInvalid(t *testing.T) {
	for name, mod := range map[string]func(*State){
		"version 1.1":        func(s *State) { s.Version = 0x0302 },
		"no secret":          func(s *State) { s.Secret = nil },
		"empty secret":       func(s *State) { s.Secret = []byte{} },
		"long secret":        func(s *State) { s.Secret = make([]byte, MaxSecretLen+1) },
		"negative life":      func(s *State) { s.Lifetime = -time.Second },
		"long life":          func(s *State) { s.Lifetime = MaxLifetime + time.Second },
		"long ALPN":          func(s *State) { s.ALPN = strings.Repeat("a", MaxALPNLen+1) },
		"long name":          func(s *State) { s.ServerName = strings.Repeat("a", MaxServerNameLen+1) },
		"too many certs":     func(s *State) { s.PeerCerts = make([][]byte, MaxPeerCerts+1) },
		"empty cert":         func(s *State) { s.PeerCerts = [][]byte{{}} },
		"oversized cert":     func(s *State) { s.PeerCerts = [][]byte{make([]byte, MaxCertLen+1)} },
		"nil cert in mid":    func(s *State) { s.PeerCerts = [][]byte{{1}, nil, {2}} },
		"auth after made":    func(s *State) { s.AuthTime = s.CreatedAt.Add(time.Second) },
		"verified, no chain": func(s *State) { s.PeerCerts = nil },
	} {
		s := fullState()
		mod(s)
		if s.Validate() == nil {
			t.Errorf("%s: Validate accepted", name)
		}
		if b := s.Marshal(); b != nil {
			t.Errorf("%s: Marshal returned %d bytes", name, len(b))
		}
	}
	var nilState *State
	if nilState.Marshal() != nil || nilState.Validate() == nil || nilState.Clone() != nil {
		t.Error("nil State mishandled")
	}
}

func TestUnmarshalTruncations(t *testing.T) {
	for _, s := range []*State{fullState(), minimalState()} {
		b := s.Marshal()
		for i := range b {
			if _, err := Unmarshal(b[:i]); err == nil {
				t.Errorf("accepted %d of %d bytes", i, len(b))
			}
		}
		for _, tail := range [][]byte{{0}, {1, 2, 3}} {
			if _, err := Unmarshal(append(b[:len(b):len(b)], tail...)); err == nil {
				t.Errorf("accepted %d trailing bytes", len(tail))
			}
		}
	}
}

// raw is a State's encoding field by field, with nothing checked, so tests
// can write what Marshal never would.
type raw struct {
	format, flags      byte
	version            uint16
	created, auth      uint64
	lifetime           uint32
	secretLen, alpnLen int // -1: use the real length
	secret, alpn, name []byte
	issuer             []byte
	certCount          int // -1: use len(certs)
	certs              [][]byte
	certLens           []int // overrides per cert, -1: real
	extraTail          []byte
}

func (r raw) bytes() []byte {
	b := []byte{r.format}
	b = appendU16(b, r.version)
	b = appendU16(b, 0x1301)
	b = appendU16(b, 0x001d)
	b = appendU16(b, 0x0804)
	b = append(b, r.flags)
	b = appendU64(b, r.created)
	b = appendU64(b, r.auth)
	b = appendU32(b, r.lifetime)
	b = appendU32(b, 1)
	b = appendU32(b, 2)
	n := r.secretLen
	if n < 0 {
		n = len(r.secret)
	}
	b = append(b, byte(n))
	b = append(b, r.secret...)
	n = r.alpnLen
	if n < 0 {
		n = len(r.alpn)
	}
	b = append(b, byte(n))
	b = append(b, r.alpn...)
	b = appendU16(b, uint16(len(r.name)))
	b = append(b, r.name...)
	b = append(b, byte(len(r.issuer)))
	b = append(b, r.issuer...)
	n = r.certCount
	if n < 0 {
		n = len(r.certs)
	}
	b = append(b, byte(n))
	for i, c := range r.certs {
		l := len(c)
		if i < len(r.certLens) && r.certLens[i] >= 0 {
			l = r.certLens[i]
		}
		b = append(b, byte(l>>16), byte(l>>8), byte(l))
		b = append(b, c...)
	}
	return append(b, r.extraTail...)
}

func goodRaw() raw {
	return raw{
		format: formatV4, flags: flagPeerCerts, version: version.TLS13, lifetime: 3600,
		secretLen: -1, alpnLen: -1, secret: make([]byte, 32), alpn: []byte("h2"),
		name: []byte("x"), certCount: -1, certs: [][]byte{{1}},
	}
}

func TestUnmarshalRejects(t *testing.T) {
	if _, err := Unmarshal(goodRaw().bytes()); err != nil {
		t.Fatalf("baseline rejected: %v", err)
	}
	for name, mod := range map[string]func(*raw){
		"format 0":           func(r *raw) { r.format = 0 },
		"format 1":           func(r *raw) { r.format = 1 },
		"format 2":           func(r *raw) { r.format = 2 },
		"format 3":           func(r *raw) { r.format = 3 },
		"issuer 65":          func(r *raw) { r.issuer = make([]byte, MaxIssuerLen+1) },
		"format 255":         func(r *raw) { r.format = 255 },
		"version TLS 1.1":    func(r *raw) { r.version = 0x0302 },
		"version zero":       func(r *raw) { r.version = 0 },
		"unknown flag":       func(r *raw) { r.flags |= 1 << 3 },
		"auth after made":    func(r *raw) { r.auth = r.created + 1 },
		"verified, no certs": func(r *raw) { r.flags |= flagVerified; r.certs = nil },
		"high flag":          func(r *raw) { r.flags |= 1 << 7 },
		"certs not flagged":  func(r *raw) { r.flags = 0 },
		"lifetime 7d+1s":     func(r *raw) { r.lifetime = 604801 },
		"lifetime max":       func(r *raw) { r.lifetime = 0xffffffff },
		"empty secret":       func(r *raw) { r.secret = nil },
		"secret 65":          func(r *raw) { r.secret = make([]byte, 65) },
		"secret 255":         func(r *raw) { r.secret = make([]byte, 255) },
		"secret len past":    func(r *raw) { r.secretLen = 40 },
		"alpn len past":      func(r *raw) { r.alpnLen = 200 },
		"11 certs":           func(r *raw) { r.certs = make([][]byte, 11); fillCerts(r.certs) },
		"count 255":          func(r *raw) { r.certCount = 255 },
		"count over certs":   func(r *raw) { r.certCount = 2 },
		"empty cert":         func(r *raw) { r.certs = [][]byte{{}} },
		"cert 64KiB+1":       func(r *raw) { r.certs = [][]byte{make([]byte, MaxCertLen+1)} },
		"cert len 2^24-1":    func(r *raw) { r.certLens = []int{0xffffff} },
		"cert len past end":  func(r *raw) { r.certLens = []int{2} },
		"trailing after all": func(r *raw) { r.extraTail = []byte{0} },
	} {
		r := goodRaw()
		mod(&r)
		if st, err := Unmarshal(r.bytes()); err == nil {
			t.Errorf("%s: accepted %+v", name, st)
		}
	}
}

func fillCerts(c [][]byte) {
	for i := range c {
		c[i] = []byte{byte(i + 1)}
	}
}

func TestCloneIsDeep(t *testing.T) {
	s := fullState()
	c := s.Clone()
	if !reflect.DeepEqual(s, c) {
		t.Fatal("clone differs")
	}
	c.Secret[0] ^= 1
	c.PeerCerts[0][0] ^= 1
	c.PeerCerts[1] = nil
	if !reflect.DeepEqual(s, fullState()) {
		t.Error("changing the clone changed the original")
	}
	e := &State{PeerCerts: [][]byte{}, Secret: []byte{}}
	if c := e.Clone(); c.PeerCerts == nil || c.Secret == nil {
		t.Error("Clone turned empty into nil")
	}
}
