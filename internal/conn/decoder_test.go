package conn_test

import (
	"bytes"
	"crypto/hmac"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/conn"
	"lucid/internal/handshake"
	"lucid/internal/kex"
	"lucid/internal/record"
	"lucid/internal/version"
	"lucid/internal/wire"
)

// segment is what one side handed to the network at once.
type segment struct {
	fromClient bool
	b          []byte
}

// keyLog collects an engine's secrets, as an NSS key log file would.
type keyLog struct {
	mu      sync.Mutex
	secrets map[string][]byte
}

func (k *keyLog) add(label string, clientRandom, secret []byte) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.secrets == nil {
		k.secrets = map[string][]byte{}
	}
	k.secrets[label+string(clientRandom)] = append([]byte(nil), secret...)
}

func (k *keyLog) lookup(label string, clientRandom [32]byte) []byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.secrets[label+string(clientRandom[:])]
}

// tap moves what both sides sealed into flight, keeping a copy in order.
func (p *pair) tap(capture *[]segment) {
	for _, s := range []struct {
		c          *conn.Core
		dst        *[]byte
		fromClient bool
	}{{p.client, &p.toServer, true}, {p.server, &p.toClient, false}} {
		out := s.c.TakeOutput()
		if len(out) > 0 {
			*capture = append(*capture, segment{s.fromClient, bytes.Clone(out)})
		}
		*s.dst = append(*s.dst, out...)
		s.c.ReturnOutput(out)
	}
}

// runTapped is run, with every byte captured in the order it was sent.
func (p *pair) runTapped(capture *[]segment) {
	p.t.Helper()
	for range 64 {
		p.tap(capture)
		if len(p.toServer) == 0 && len(p.toClient) == 0 {
			return
		}
		// close_notify ends reading with io.EOF, which is no failure.
		if err := feed(p.server, &p.toServer); err != nil && !errors.Is(err, io.EOF) {
			p.t.Fatalf("server: %v", err)
		}
		p.tap(capture)
		if err := feed(p.client, &p.toClient); err != nil && !errors.Is(err, io.EOF) {
			p.t.Fatalf("client: %v", err)
		}
	}
	p.t.Fatal("the two cores never went quiet")
}

// conversation is a captured connection: a handshake, data both ways, a
// KeyUpdate in TLS 1.3, more data, and close_notify.
type conversation struct {
	capture []segment
	log     *keyLog
}

func converse(t testing.TB, v uint16, suites12 ...uint16) conversation {
	return converseWith(t, v, 5000, suites12...)
}

// converseWith is converse with a response of n times "body ".
func converseWith(t testing.TB, v uint16, n int, suites12 ...uint16) conversation {
	ccfg, scfg := configs(t, v)
	log := &keyLog{}
	ccfg.KeyLog = log.add
	if len(suites12) > 0 {
		ccfg.Suites12, scfg.Suites12 = suites12, suites12
	}
	p := newPairWith(t, ccfg, scfg)
	var c conversation
	c.log = log
	p.runTapped(&c.capture)
	p.write(p.client, []byte("GET / HTTP/1.1\r\n\r\n"))
	p.write(p.server, bytes.Repeat([]byte("body "), n))
	p.runTapped(&c.capture)
	if v == version.TLS13 {
		if err := p.client.UpdateKeys(true); err != nil {
			t.Fatal(err)
		}
		p.runTapped(&c.capture)
	}
	p.write(p.client, []byte("after"))
	p.write(p.server, []byte("reply"))
	if err := p.client.CloseNotify(); err != nil {
		t.Fatal(err)
	}
	p.runTapped(&c.capture)
	readAll(p.client)
	readAll(p.server)
	return c
}

// decodeAll feeds a capture to d in pieces of at most piece bytes.
func decodeAll(t testing.TB, d *conn.Decoder, capture []segment, piece int) []conn.DecodedRecord {
	var recs []conn.DecodedRecord
	for _, s := range capture {
		for b := s.b; len(b) > 0; {
			n := min(piece, len(b))
			got, err := d.Feed(s.fromClient, b[:n])
			if err != nil {
				t.Fatalf("Feed: %v", err)
			}
			recs = append(recs, got...)
			b = b[n:]
		}
	}
	return recs
}

// A decoder holding the key log reads a whole conversation: every record,
// every handshake message under the key that protected it, the data both
// ways, and both Finished re-computed.
func TestDecoderReadsConversation(t *testing.T) {
	cases := []struct {
		name     string
		v        uint16
		suites12 []uint16
		want     string // the handshake messages, in capture order
	}{
		// The response takes more than one record.
		{"TLS1.3", version.TLS13, nil,
			"C:ClientHello@initial S:ServerHello@initial S:EncryptedExtensions@handshake S:Certificate@handshake S:CertificateVerify@handshake S:Finished@handshake C:Finished@handshake C:KeyUpdate@application S:KeyUpdate@application"},
		{"TLS1.2-GCM", version.TLS12, nil,
			"C:ClientHello@initial S:ServerHello@initial S:Certificate@initial S:ServerKeyExchange@initial S:ServerHelloDone@initial C:ClientKeyExchange@initial C:Finished@application S:Finished@application"},
		{"TLS1.2-CBC", version.TLS12, []uint16{0xc023},
			"C:ClientHello@initial S:ServerHello@initial S:Certificate@initial S:ServerKeyExchange@initial S:ServerHelloDone@initial C:ClientKeyExchange@initial C:Finished@application S:Finished@application"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := converse(t, tc.v, tc.suites12...)
			for _, piece := range []int{1 << 20, 7, 1} {
				d := conn.NewDecoder(c.log.lookup)
				recs := decodeAll(t, d, c.capture, piece)
				if d.Version() != tc.v {
					t.Fatalf("version %#04x, want %#04x", d.Version(), tc.v)
				}
				var msgs []string
				var data [2][]byte
				finished, keys := 0, 0
				for _, r := range recs {
					if r.Err != nil {
						t.Fatalf("a %s record from the client=%v could not be read: %v", record.TypeName(r.Header.Type), r.FromClient, r.Err)
					}
					if r.Type == record.TypeApplicationData {
						if !r.Protected || r.Level != handshake.LevelApplication {
							t.Errorf("application data under %v (protected %v)", r.Level, r.Protected)
						}
						i := 0
						if r.FromClient {
							i = 1
						}
						data[i] = append(data[i], r.Payload...)
					}
					keys += len(r.Keys)
					for _, m := range r.Messages {
						who := "S:"
						if m.FromClient {
							who = "C:"
						}
						msgs = append(msgs, who+m.Name()+"@"+m.Level.String())
						if m.Type == wire.TypeFinished {
							finished++
							if m.Expected == nil || !hmac.Equal(m.Expected, m.Body()) {
								t.Errorf("%s Finished: re-computed %x, sent %x", who, m.Expected, m.Body())
							}
						}
					}
				}
				if got := strings.Join(msgs, " "); got != tc.want {
					t.Errorf("messages:\n got %s\nwant %s", got, tc.want)
				}
				if finished != 2 {
					t.Errorf("%d Finished messages", finished)
				}
				wantKeys := 2 // TLS 1.2: the key block's two halves
				if tc.v == version.TLS13 {
					wantKeys = 6 // handshake and application each way, and one update each
				}
				if keys != wantKeys {
					t.Errorf("%d keys derived, want %d", keys, wantKeys)
				}
				if want := "GET / HTTP/1.1\r\n\r\nafter"; string(data[1]) != want {
					t.Errorf("client data %q", data[1])
				}
				if want := strings.Repeat("body ", 5000) + "reply"; string(data[0]) != want {
					t.Errorf("server data: %d bytes, want %d", len(data[0]), len(want))
				}
				if d.Partial(true) || d.Partial(false) {
					t.Error("bytes left over in a whole capture")
				}
			}
		})
	}
}

// Without the key log the decoder still follows the clear part and marks
// every protected record as one it has no key for.
func TestDecoderWithoutKeys(t *testing.T) {
	for _, tc := range versions {
		t.Run(tc.name, func(t *testing.T) {
			c := converse(t, tc.v)
			d := conn.NewDecoder(nil)
			recs := decodeAll(t, d, c.capture, 1<<20)
			if d.ServerHello() == nil || d.ClientHello() == nil || d.Version() != tc.v {
				t.Fatal("the hellos were not read")
			}
			unread := 0
			for _, r := range recs {
				if r.Err != nil {
					if !errors.Is(r.Err, conn.ErrNoKey) || !r.Protected || r.Payload != nil {
						t.Errorf("record error %v (protected %v)", r.Err, r.Protected)
					}
					unread++
				}
				if r.Protected && r.Err == nil {
					t.Error("a protected record was read without keys")
				}
			}
			if unread == 0 {
				t.Error("no record was reported unreadable")
			}
		})
	}
}

// A flipped bit fails that record, under its key and sequence number, and
// the decoder goes on.
func TestDecoderTamperedRecord(t *testing.T) {
	c := converse(t, version.TLS13)
	var bad []segment
	flipped := false
	for _, s := range c.capture {
		s.b = bytes.Clone(s.b)
		// The client's first application data record is the request,
		// alone in its segment.
		if s.fromClient && !flipped && s.b[0] == record.TypeApplicationData && bytes.Count(s.b, []byte{0x17, 0x03, 0x03}) == 1 && len(s.b) < 100 {
			s.b[len(s.b)-1] ^= 1
			flipped = true
		}
		bad = append(bad, s)
	}
	if !flipped {
		t.Fatal("no request record found to flip")
	}
	recs := decodeAll(t, conn.NewDecoder(c.log.lookup), bad, 1<<20)
	failed := 0
	for _, r := range recs {
		if r.Err != nil {
			failed++
			if alert.Of(r.Err) != alert.BadRecordMAC || !r.FromClient || r.Level != handshake.LevelApplication {
				t.Errorf("tampered record: %v at %v", r.Err, r.Level)
			}
		}
	}
	// AEAD13 does not spend a sequence number on a failure, so the next
	// client record fails too: it was sealed under the next number.
	if failed == 0 {
		t.Fatal("the flipped record decoded")
	}
}

// Malformed framing ends a side's decoding with an alert, before anything
// large is buffered; the other side goes on.
func TestDecoderRefusesBadFraming(t *testing.T) {
	hugeMessage := wire.AppendHeader(nil, wire.TypeCertificate, wire.MaxMessageLen+1)
	cases := []struct {
		name string
		in   []byte
		want alert.Description
	}{
		{"not TLS", []byte("GET / HTTP/1.1\r\n\r\n"), alert.UnexpectedMessage},
		{"oversized record", []byte{record.TypeHandshake, 3, 3, 0xff, 0xff}, alert.RecordOverflow},
		{"oversized message", rawRecord(record.TypeHandshake, hugeMessage), alert.DecodeError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := conn.NewDecoder(nil)
			_, err := d.Feed(true, tc.in)
			if alert.Of(err) != tc.want {
				t.Fatalf("error %v, want %s", err, tc.want)
			}
			if _, again := d.Feed(true, firstFlight(t, version.TLS13)); again != err {
				t.Errorf("the error is not sticky: %v", again)
			}
			recs, err := d.Feed(false, rawRecord(record.TypeAlert, []byte{2, 40}))
			if err != nil || len(recs) != 1 || recs[0].Type != record.TypeAlert {
				t.Errorf("the other side: %v, %v", recs, err)
			}
		})
	}
}

// RFC 8446 §5.1: a handshake message may not span a key change; a server
// whose ServerHello runs on into the same record's next message fragment
// cannot be followed.
func TestDecoderMessageSpanningKeyChange(t *testing.T) {
	c := converse(t, version.TLS13)
	d := conn.NewDecoder(c.log.lookup)
	if _, err := d.Feed(true, c.capture[0].b); err != nil {
		t.Fatal(err)
	}
	sh := c.capture[1].b
	hdr, err := record.ParseHeader(sh)
	if err != nil || hdr.Type != record.TypeHandshake {
		t.Fatalf("the server's first record: %v %v", hdr, err)
	}
	body := append(bytes.Clone(sh[record.HeaderLen:record.HeaderLen+hdr.Length]), wire.TypeEncryptedExtensions, 0, 0)
	_, err = d.Feed(false, rawRecord(record.TypeHandshake, body))
	if alert.Of(err) != alert.UnexpectedMessage {
		t.Fatalf("error %v, want unexpected_message", err)
	}
}

// After a HelloRetryRequest the transcript starts from the first
// ClientHello's message_hash (RFC 8446 §4.4.1): both Finished re-compute
// only if the decoder hashes it that way.
func TestDecoderHelloRetryRequest(t *testing.T) {
	ccfg, scfg := configs(t, version.TLS13)
	log := &keyLog{}
	ccfg.KeyLog = log.add
	scfg.Groups = []uint16{kex.P256} // the client's first share is X25519's
	p := newPairWith(t, ccfg, scfg)
	var capture []segment
	p.runTapped(&capture)
	p.write(p.client, []byte("ping"))
	p.runTapped(&capture)
	d := conn.NewDecoder(log.lookup)
	var names []string
	var data []byte
	for _, r := range decodeAll(t, d, capture, 1<<20) {
		if r.Err != nil {
			t.Fatalf("record: %v", r.Err)
		}
		if r.Type == record.TypeApplicationData {
			data = append(data, r.Payload...)
		}
		for _, m := range r.Messages {
			names = append(names, m.Name())
			if m.Type == wire.TypeFinished && (m.Expected == nil || !hmac.Equal(m.Expected, m.Body())) {
				t.Errorf("Finished: re-computed %x, sent %x", m.Expected, m.Body())
			}
		}
	}
	if got := strings.Join(names[:3], " "); got != "ClientHello HelloRetryRequest ClientHello" {
		t.Fatalf("messages %v", names)
	}
	if string(data) != "ping" || d.ServerHello() == nil || d.ServerHello().IsHelloRetryRequest() {
		t.Fatalf("data %q after the retry", data)
	}
}
