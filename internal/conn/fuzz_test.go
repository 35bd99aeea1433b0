package conn_test

import (
	"errors"
	"io"
	"testing"

	"lucid/internal/alert"
	"lucid/internal/conn"
	"lucid/internal/record"
	"lucid/internal/version"
)

// firstFlight is what a client core sends first at version v.
func firstFlight(t testing.TB, v uint16) []byte {
	ccfg, _ := configs(t, v)
	c := conn.New(conn.Config{Client: true, Engine: ccfg})
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	return append([]byte(nil), c.TakeOutput()...)
}

// FuzzServerCore feeds arbitrary bytes, in arbitrary pieces, to a server
// core: it must never panic, must fail only with an alert (or the peer's
// alert, or end of stream), and must answer a failure with at most one
// alert record and nothing after it.
func FuzzServerCore(f *testing.F) {
	f.Add(firstFlight(f, version.TLS13), uint8(0))
	f.Add(firstFlight(f, version.TLS12), uint8(5))
	f.Add(rawRecord(record.TypeChangeCipherSpec, []byte{1}), uint8(1))
	f.Add(rawRecord(record.TypeAlert, []byte{2, 40}), uint8(0))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"), uint8(3))
	f.Fuzz(func(t *testing.T, in []byte, piece uint8) {
		_, scfg := configs(t, 0)
		scfg.MinVersion, scfg.MaxVersion = version.TLS12, version.TLS13
		s := conn.New(conn.Config{Engine: scfg})
		size := int(piece)%64 + 1
		var err error
		for len(in) > 0 && err == nil {
			n := copy(s.InputSpace(), in[:min(size, len(in))])
			s.Received(n)
			in = in[n:]
			for {
				var done bool
				done, err = s.Process()
				if err != nil || !done {
					break
				}
			}
		}
		if err == nil {
			return
		}
		var ra *conn.RemoteAlert
		var ae *alert.Error
		if !errors.Is(err, io.EOF) && !errors.As(err, &ra) && !errors.As(err, &ae) {
			t.Fatalf("failure without an alert: %v", err)
		}
		if ae != nil {
			// The alert is the last record written, in the clear or
			// protected, and nothing follows it.
			out := s.TakeOutput()
			last := uint8(0)
			for len(out) >= record.HeaderLen {
				h, herr := record.ParseHeader(out[:record.HeaderLen])
				if herr != nil || len(out) < record.HeaderLen+h.Length {
					t.Fatalf("the core wrote a malformed record: %x", out)
				}
				last = h.Type
				out = out[record.HeaderLen+h.Length:]
			}
			if len(out) != 0 || (last != record.TypeAlert && last != record.TypeApplicationData) {
				t.Fatalf("after %v the last record written is of type %d", err, last)
			}
			if _, again := s.Process(); again == nil {
				t.Fatal("the failure was not sticky")
			}
			if len(s.TakeOutput()) != 0 {
				t.Fatal("the core wrote after its fatal alert")
			}
		}
	})
}
