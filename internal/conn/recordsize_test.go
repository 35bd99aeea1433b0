package conn_test

import (
	"bytes"
	"errors"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/conn"
	"lucid/internal/handshake"
	"lucid/internal/record"
	"lucid/internal/suites"
	"lucid/internal/version"
)

// limitedPair is a pair whose sides advertise the given record_size_limits
// (0 for none), pinned to AES-128-GCM so that each protected record's
// plaintext size follows from its length on the wire.
func limitedPair(t *testing.T, v uint16, clientLimit, serverLimit uint16, cc, sc conn.Config) *pair {
	ccfg, scfg := configs(t, v)
	ccfg.CipherSuites = []uint16{suites.TLS_AES_128_GCM_SHA256}
	ccfg.Suites12 = []uint16{suites.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
	ccfg.RecordSizeLimit, scfg.RecordSizeLimit = clientLimit, serverLimit
	cc.Client, cc.Engine, sc.Engine = true, ccfg, scfg
	p := &pair{t: t, client: conn.New(cc), server: conn.New(sc)}
	if err := p.client.Start(); err != nil {
		t.Fatal(err)
	}
	return p
}

// wireWatch measures the protected records going each way: the largest
// plaintext (TLSInnerPlaintext in TLS 1.3) among them.
type wireWatch struct {
	v                 uint16
	protected         [2]bool // per direction, TLS 1.2: after ChangeCipherSpec
	largest, protRecs [2]int
}

func (w *wireWatch) see(t *testing.T, dir int, b []byte) {
	t.Helper()
	for len(b) > 0 {
		h, err := record.ParseHeader(b)
		if err != nil {
			t.Fatalf("direction %d: %v", dir, err)
		}
		n := record.HeaderLen + h.Length
		if len(b) < n {
			t.Fatalf("direction %d: a partial record in flight", dir)
		}
		var plain int
		switch {
		case w.v == version.TLS13 && h.Type == record.TypeApplicationData:
			plain = h.Length - 16 // the GCM tag
		case w.v == version.TLS12 && w.protected[dir]:
			plain = h.Length - 8 - 16 // explicit nonce and tag
		default:
			plain = -1
		}
		if h.Type == record.TypeChangeCipherSpec && w.v == version.TLS12 {
			w.protected[dir] = true
		}
		if plain >= 0 {
			w.protRecs[dir]++
			w.largest[dir] = max(w.largest[dir], plain)
		}
		b = b[n:]
	}
}

// exchange is pair.run with every flight measured as it is sent.
func (p *pair) exchange(w *wireWatch) (clientErr, serverErr error) {
	p.watch = func(dir int, b []byte) { w.see(p.t.(*testing.T), dir, b) }
	defer func() { p.watch = nil }()
	return p.run()
}

// With record_size_limit negotiated, no protected record either side
// seals exceeds the limit the other advertised, handshake records,
// padding and application data alike; and the data gets through whole.
func TestRecordSizeLimitOnTheWire(t *testing.T) {
	for _, tc := range versions {
		for _, lim := range []struct {
			client, server uint16
			padding        int
		}{{64, 512, 0}, {512, 64, 0}, {64, 64, 48}, {512, 512, 1000}, {16385, 100, 0}} {
			t.Run(tc.name, func(t *testing.T) {
				p := limitedPair(t, tc.v, lim.client, lim.server, conn.Config{RecordPadding: lim.padding}, conn.Config{RecordPadding: lim.padding})
				w := &wireWatch{v: tc.v}
				if cerr, serr := p.exchange(w); cerr != nil || serr != nil {
					t.Fatalf("client: %v; server: %v", cerr, serr)
				}
				top := uint16(record.MaxPlaintext)
				if tc.v == version.TLS13 {
					top++
				}
				for _, r := range []*handshake.Result{p.client.Result(), p.server.Result()} {
					if r.RecordSizeLimit == 0 || r.PeerRecordSizeLimit == 0 {
						t.Fatalf("limits not negotiated: %d, %d", r.RecordSizeLimit, r.PeerRecordSizeLimit)
					}
				}
				if got, want := p.client.Result().PeerRecordSizeLimit, min(lim.server, top); got != want {
					t.Errorf("client keeps to %d, want the server's %d", got, want)
				}
				if got, want := p.server.Result().PeerRecordSizeLimit, min(lim.client, top); got != want {
					t.Errorf("server keeps to %d, want the client's %d", got, want)
				}
				data := bytes.Repeat([]byte("0123456789abcdef"), 2500)
				p.write(p.client, data)
				p.write(p.server, data)
				if cerr, serr := p.exchange(w); cerr != nil || serr != nil {
					t.Fatalf("client: %v; server: %v", cerr, serr)
				}
				if got := readAll(p.server); !bytes.Equal(got, data) {
					t.Fatalf("server read %d bytes, want %d", len(got), len(data))
				}
				if got := readAll(p.client); !bytes.Equal(got, data) {
					t.Fatalf("client read %d bytes, want %d", len(got), len(data))
				}
				// Direction 0 goes to the server, 1 to the client; with
				// this much data each side fills records to the limit.
				limits := [2]int{int(min(lim.server, top)), int(min(lim.client, top))}
				for dir := range 2 {
					if w.largest[dir] != limits[dir] {
						t.Errorf("direction %d: largest protected plaintext %d, want exactly the limit %d (%d records)", dir, w.largest[dir], limits[dir], w.protRecs[dir])
					}
				}
			})
		}
	}
}

// A peer that ignores our limit is refused with record_overflow; one
// record exactly at the limit still passes. The peer is made to ignore
// it by rewriting what its engine learned, as a broken stack would.
func TestRecordSizeLimitOverflow(t *testing.T) {
	for _, tc := range versions {
		for _, serverSide := range []bool{false, true} {
			name := tc.name + "/client receives"
			if serverSide {
				name = tc.name + "/server receives"
			}
			t.Run(name, func(t *testing.T) {
				const limit = 256
				p := limitedPair(t, tc.v, limit, limit, conn.Config{}, conn.Config{})
				p.mustRun()
				sender, receiver := p.server, p.client
				if serverSide {
					sender, receiver = p.client, p.server
				}
				data := bytes.Repeat([]byte{'x'}, 3*limit)

				// At the limit: accepted.
				p.write(sender, data)
				p.mustRun()
				if got := readAll(receiver); !bytes.Equal(got, data) {
					t.Fatalf("read %d bytes at the limit, want %d", len(got), len(data))
				}
				// One byte over.
				sender.Result().PeerRecordSizeLimit = limit + 1
				p.write(sender, data)
				cerr, serr := p.run()
				rerr, serr2 := cerr, serr
				if serverSide {
					rerr, serr2 = serr, cerr
				}
				var ae *alert.Error
				if !errors.As(rerr, &ae) || ae.Desc != alert.RecordOverflow {
					t.Fatalf("receiver: %v, want record_overflow", rerr)
				}
				var ra *conn.RemoteAlert
				if !errors.As(serr2, &ra) || ra.Desc != alert.RecordOverflow {
					t.Errorf("sender: %v, want the peer's record_overflow", serr2)
				}
			})
		}
	}
}

// MaxFragment caps every record a side sends, in the clear too, and
// never below 64 bytes.
func TestMaxFragment(t *testing.T) {
	for _, tc := range versions {
		for _, frag := range []struct{ set, want int }{{100, 100}, {1, 64}, {1 << 20, record.MaxPlaintext}} {
			t.Run(tc.name, func(t *testing.T) {
				p := limitedPair(t, tc.v, 0, 0, conn.Config{MaxFragment: frag.set}, conn.Config{MaxFragment: frag.set})
				largest := 0
				check := func(b []byte) {
					for len(b) > 0 {
						h, err := record.ParseHeader(b)
						if err != nil {
							t.Fatal(err)
						}
						if h.Type == record.TypeHandshake && h.Length > largest {
							largest = h.Length
						}
						b = b[record.HeaderLen+h.Length:]
					}
				}
				// The first flight goes out in the clear.
				out := p.client.TakeOutput()
				check(out)
				p.toServer = append(p.toServer, out...)
				p.client.ReturnOutput(out)
				w := &wireWatch{v: tc.v}
				if cerr, serr := p.exchange(w); cerr != nil || serr != nil {
					t.Fatalf("client: %v; server: %v", cerr, serr)
				}
				data := bytes.Repeat([]byte("z"), 3*record.MaxPlaintext)
				p.write(p.client, data)
				if cerr, serr := p.exchange(w); cerr != nil || serr != nil {
					t.Fatalf("client: %v; server: %v", cerr, serr)
				}
				if got := readAll(p.server); !bytes.Equal(got, data) {
					t.Fatalf("server read %d bytes, want %d", len(got), len(data))
				}
				if frag.want < record.MaxPlaintext && largest != frag.want {
					t.Errorf("ClientHello records up to %d bytes, want %d", largest, frag.want)
				}
				// The client's protected records carry at most want bytes
				// of data (plus the content type in TLS 1.3).
				extra := 0
				if tc.v == version.TLS13 {
					extra = 1
				}
				if w.largest[0] != frag.want+extra {
					t.Errorf("largest protected record to the server %d, want %d", w.largest[0], frag.want+extra)
				}
			})
		}
	}
}
