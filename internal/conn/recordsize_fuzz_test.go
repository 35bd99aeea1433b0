package conn_test

import (
	"bytes"
	"errors"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/conn"
	"lucid/internal/version"
)

// FuzzRecordSizeLimit drives records near the negotiated limit: with the
// two sides' limits, padding and a write size chosen by the fuzzer, every
// protected record sealed keeps to the receiver's limit and the data
// arrives whole; then the sender is made to believe in a limit off by
// delta, and the receiver takes what fits and refuses the rest with
// record_overflow, never anything else.
func FuzzRecordSizeLimit(f *testing.F) {
	f.Add(uint16(64), uint16(64), uint16(0), uint16(63), int16(1), false)
	f.Add(uint16(64), uint16(512), uint16(48), uint16(64), int16(0), true)
	f.Add(uint16(512), uint16(64), uint16(1000), uint16(2048), int16(-1), false)
	f.Add(uint16(16385), uint16(100), uint16(0), uint16(16384), int16(2), true)
	f.Add(uint16(1), uint16(65535), uint16(7), uint16(16385), int16(300), false)
	f.Fuzz(func(t *testing.T, clientLimit, serverLimit, padding, size uint16, delta int16, tls12 bool) {
		v := uint16(version.TLS13)
		if tls12 {
			v = version.TLS12
		}
		clientLimit, serverLimit = max(clientLimit, 1), max(serverLimit, 1)
		p := limitedPair(t, v, clientLimit, serverLimit, conn.Config{RecordPadding: int(padding)}, conn.Config{RecordPadding: int(padding)})
		w := &wireWatch{v: v}
		if cerr, serr := p.exchange(w); cerr != nil || serr != nil {
			t.Fatalf("handshake: client %v; server %v", cerr, serr)
		}
		limit := int(p.client.Result().RecordSizeLimit) // what the server must keep to
		if limit < 64 {
			t.Fatalf("client's limit %d is below RFC 8449's 64", limit)
		}
		data := bytes.Repeat([]byte{0xa5}, int(size)%(3*16384)+1)
		p.write(p.server, data)
		if cerr, serr := p.exchange(w); cerr != nil || serr != nil {
			t.Fatalf("data: client %v; server %v", cerr, serr)
		}
		if w.largest[1] > limit {
			t.Fatalf("server sealed %d bytes of plaintext past the client's limit %d", w.largest[1], limit)
		}
		if got := readAll(p.client); !bytes.Equal(got, data) {
			t.Fatalf("client read %d bytes, want %d", len(got), len(data))
		}

		// A sender that believes in another limit.
		believed := min(max(limit+int(delta), 64), 65535)
		p.server.Result().PeerRecordSizeLimit = uint16(believed)
		p.write(p.server, data)
		cerr, _ := p.run()
		if cerr == nil {
			return
		}
		var ae *alert.Error
		if !errors.As(cerr, &ae) || ae.Desc != alert.RecordOverflow {
			t.Fatalf("client refused a record with %v, want record_overflow", cerr)
		}
		// Only a record that could exceed the limit may be refused.
		if believed <= limit {
			t.Fatalf("client refused records sealed within its limit %d (sender believed %d): %v", limit, believed, cerr)
		}
	})
}
