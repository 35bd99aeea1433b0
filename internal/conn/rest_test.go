package conn_test

import (
	"bytes"
	"runtime"
	"testing"

	"lucid/internal/version"
)

// A connection whose ciphers rested, and were collected while it waited,
// carries on where it was: each side rebuilds its ciphers from the traffic
// secret at the right sequence number, so the peer, which never rested,
// opens what it seals and seals what it opens.
func TestRestedCiphersAreRebuilt(t *testing.T) {
	for _, tc := range versions {
		t.Run(tc.name, func(t *testing.T) {
			p := newPair(t, tc.v)
			p.mustRun()
			for i := range 6 {
				// Only one side rests in a round, in turn, and the
				// collector runs in every other round.
				resting := p.client
				if i%2 == 1 {
					resting = p.server
				}
				resting.Rest()
				if i%4 < 2 {
					runtime.GC()
					runtime.GC()
				}
				up := bytes.Repeat([]byte{byte(i)}, 100+i)
				down := bytes.Repeat([]byte{byte(i + 100)}, 3000+i)
				p.write(p.client, up)
				p.write(p.server, down)
				p.mustRun()
				if got := readAll(p.server); !bytes.Equal(got, up) {
					t.Fatalf("round %d: server read %d bytes, want %d", i, len(got), len(up))
				}
				if got := readAll(p.client); !bytes.Equal(got, down) {
					t.Fatalf("round %d: client read %d bytes, want %d", i, len(got), len(down))
				}
			}
		})
	}
}

// Resting and waking again with no collection in between allocates
// nothing: a busy connection that waits for its peer between records keeps
// the zero allocations per record of the steady state.
func TestRestingAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops buffers on purpose, so allocations are not counted under it")
	}
	p := newPair(t, version.TLS13)
	p.mustRun()
	msg := bytes.Repeat([]byte{7}, 16384)
	buf := make([]byte, len(msg)+64) // room for the record's tag, so it opens into buf
	round := func() {
		p.client.Rest()
		p.server.Rest()
		if _, err := p.client.WriteApp(msg); err != nil {
			t.Fatal(err)
		}
		full := p.client.TakeOutput()
		got := 0
		for out := full; len(out) > 0; {
			n := copy(p.server.InputSpace(), out)
			p.server.Received(n)
			out = out[n:]
			k, _, err := p.server.ProcessInto(buf)
			if err != nil {
				t.Fatal(err)
			}
			got += k
		}
		p.client.ReturnOutput(full)
		if got != len(msg) {
			t.Fatalf("read %d bytes, want %d", got, len(msg))
		}
	}
	for range 4 {
		round() // warm the pools; the first rest of a key makes its box
	}
	if n := testing.AllocsPerRun(100, round); n != 0 {
		t.Errorf("%.1f allocations per rested and woken 16 KiB record, want 0", n)
	}
}
