package conn_test

import (
	"bytes"
	"testing"

	"lucid/internal/conn"
	"lucid/internal/record"
	"lucid/internal/version"
)

// A RecordPadding beyond the largest record pads every TLS 1.3 record to
// the full size, as one of exactly MaxPlaintext+1 does, and reserves no
// more than that: the padding never makes the output buffer larger than
// the records it holds.
func TestPaddingBeyondARecord(t *testing.T) {
	for _, padding := range []int{record.MaxPlaintext + 1, 1 << 40} {
		ccfg, scfg := configs(t, version.TLS13)
		p := &pair{t: t,
			client: conn.New(conn.Config{Client: true, Engine: ccfg, RecordPadding: padding}),
			server: conn.New(conn.Config{Engine: scfg}),
		}
		if err := p.client.Start(); err != nil {
			t.Fatal(err)
		}
		p.mustRun()
		msg := []byte("short")
		p.write(p.client, msg)
		out := p.client.TakeOutput()
		// One record whose inner plaintext is the full 2^14 + 1 bytes.
		full := record.HeaderLen + record.MaxPlaintext + 1 + 16
		if len(out) != full {
			t.Fatalf("padding %d: sealed %d bytes, want one record of %d", padding, len(out), full)
		}
		p.toServer = append(p.toServer, out...)
		p.client.ReturnOutput(out)
		p.mustRun()
		if got := readAll(p.server); !bytes.Equal(got, msg) {
			t.Fatalf("padding %d: server read %q, want %q", padding, got, msg)
		}
	}
}
