package certcomp

import (
	"bytes"
	"compress/zlib"
	"errors"
	"runtime"
	"testing"
	"testing/synctest"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"lucid/internal/alert"
	"lucid/internal/wire"
)

var algorithms = []uint16{wire.CertCompressionZlib, wire.CertCompressionBrotli, wire.CertCompressionZstd}

// sampleBody is a Certificate body with the redundancy real chains have:
// repeated names and OIDs, but not a run of one byte.
func sampleBody() []byte {
	var b []byte
	for i := range 300 {
		b = append(b, "CN=lucid.test,O=Lucid,2.5.4.3"...)
		b = append(b, byte(i), byte(i*7))
	}
	return b
}

func wantBadCertificate(t *testing.T, err error) {
	t.Helper()
	var ae *alert.Error
	if !errors.As(err, &ae) || ae.Desc != alert.BadCertificate {
		t.Fatalf("error %v, want a bad_certificate alert", err)
	}
}

func TestRoundTrip(t *testing.T) {
	body := sampleBody()
	for _, alg := range algorithms {
		c, err := Compress(alg, body)
		if err != nil {
			t.Fatal(err)
		}
		if len(c) >= len(body)/2 {
			t.Errorf("%s: %d bytes compressed to %d", wire.CertCompressionName(alg), len(body), len(c))
		}
		got, err := Decompress(alg, c, len(body))
		if err != nil {
			t.Fatalf("%s: %v", wire.CertCompressionName(alg), err)
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("%s: round trip changed the body", wire.CertCompressionName(alg))
		}
		// RFC 8879 §4: a length other than the declared one, either way.
		_, err = Decompress(alg, c, len(body)+1)
		wantBadCertificate(t, err)
		_, err = Decompress(alg, c, len(body)-1)
		wantBadCertificate(t, err)
		_, err = Decompress(alg, c[:len(c)/2], len(body))
		wantBadCertificate(t, err)
	}
	if _, err := Compress(4, body); err == nil {
		t.Error("unknown algorithm compressed")
	}
	_, err := Decompress(4, []byte{1}, 10)
	wantBadCertificate(t, err)
}

// bombs returns, for each algorithm, 16 MiB of zeros compressed with a
// window as large as each codec allows, as a hostile server would send.
func bombs(t *testing.T) map[uint16][]byte {
	zeros := make([]byte, 16<<20)
	out := map[uint16][]byte{}
	var b bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&b, zlib.BestSpeed)
	zw.Write(zeros)
	zw.Close()
	out[wire.CertCompressionZlib] = bytes.Clone(b.Bytes())
	b.Reset()
	bw := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: 1, LGWin: 24})
	bw.Write(zeros)
	bw.Close()
	out[wire.CertCompressionBrotli] = bytes.Clone(b.Bytes())
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithWindowSize(8<<20))
	if err != nil {
		t.Fatal(err)
	}
	out[wire.CertCompressionZstd] = enc.EncodeAll(zeros, nil)
	return out
}

// TestBombBounded checks that a stream inflating to 16 MiB costs the
// receiver a bounded amount of memory, whether it declares 16 MiB (refused
// at once) or a plausible length (refused once that many bytes are out).
func TestBombBounded(t *testing.T) {
	for alg, bomb := range bombs(t) {
		name := wire.CertCompressionName(alg)
		for _, want := range []int{16 << 20, 4096, MaxUncompressed} {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, err := Decompress(alg, bomb, want)
			runtime.ReadMemStats(&after)
			wantBadCertificate(t, err)
			alloc := after.TotalAlloc - before.TotalAlloc
			// The output buffer plus codec state (windows, tables); far
			// below the 16 MiB the stream would produce.
			const limit = 2 << 20
			if alloc > limit {
				t.Errorf("%s declaring %d: allocated %d bytes, limit %d", name, want, alloc, limit)
			}
			t.Logf("%s declaring %d: %d bytes allocated", name, want, alloc)
		}
	}
	allocs := testing.AllocsPerRun(10, func() { Decompress(wire.CertCompressionBrotli, []byte{1}, 16<<20) })
	if allocs > 8 {
		t.Errorf("refusing a 16 MiB declaration made %v allocations", allocs)
	}
}

func TestCache(t *testing.T) {
	c := &Cache{Size: 2}
	body := sampleBody()
	first, err := c.Compress(wire.CertCompressionBrotli, body)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := c.Compress(wire.CertCompressionBrotli, bytes.Clone(body))
	if &first[0] != &again[0] {
		t.Fatal("the same chain was compressed twice")
	}
	other, _ := c.Compress(wire.CertCompressionZlib, body)
	if &other[0] == &first[0] || c.Len() != 2 {
		t.Fatalf("algorithms share an entry (len %d)", c.Len())
	}
	c.Compress(wire.CertCompressionZstd, body) // evicts the oldest, brotli
	if c.Len() != 2 {
		t.Fatalf("cache holds %d entries, bound 2", c.Len())
	}
	third, _ := c.Compress(wire.CertCompressionBrotli, body)
	if &third[0] == &first[0] {
		t.Fatal("evicted entry still served")
	}
	allocs := testing.AllocsPerRun(20, func() { c.Compress(wire.CertCompressionBrotli, body) })
	if allocs > 0 {
		t.Errorf("a cache hit allocates %v times", allocs)
	}
}

// TestCacheCompressesOnce: handshakes that arrive together for a chain not
// yet cached share one compression instead of each running the codec.
func TestCacheCompressesOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate = make(chan struct{})
		gatedCalls.Store(0)
		c := &Cache{}
		body := sampleBody()
		const n = 8
		results := make(chan []byte, n)
		for range n {
			go func() {
				out, err := c.Compress(gatedAlg, body)
				if err != nil {
					t.Error(err)
				}
				results <- out
			}()
		}
		synctest.Wait() // every caller is in the codec or waiting for it
		if calls := gatedCalls.Load(); calls != 1 {
			t.Errorf("%d callers for one new chain ran %d compressions, want 1", n, calls)
		}
		close(gate)
		first := <-results
		for range n - 1 {
			if out := <-results; len(out) == 0 || &out[0] != &first[0] {
				t.Error("callers that waited got a different result from the one compression")
			}
		}
		if c.Len() != 1 {
			t.Errorf("cache holds %d entries after one chain, want 1", c.Len())
		}
	})
}

// TestCacheCompressionPanics: a codec that panics releases the callers
// waiting for it with an error, caches nothing, and leaves the key free
// for the next attempt.
func TestCacheCompressionPanics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		gate = make(chan struct{})
		gatedCalls.Store(0)
		gatePanics.Store(true)
		defer gatePanics.Store(false)
		c := &Cache{}
		body := sampleBody()
		leader := make(chan any, 1)
		go func() {
			defer func() { leader <- recover() }()
			c.Compress(gatedAlg, body)
		}()
		synctest.Wait() // the leader is in the codec
		const waiters = 3
		errs := make(chan error, waiters)
		for range waiters {
			go func() {
				out, err := c.Compress(gatedAlg, body)
				if out != nil {
					t.Error("a waiter got output from a compression that panicked")
				}
				errs <- err
			}()
		}
		synctest.Wait() // the waiters wait for the leader
		close(gate)
		if r := <-leader; r == nil {
			t.Fatal("the codec's panic did not reach its caller")
		}
		for range waiters {
			if err := <-errs; !errors.Is(err, errCompressionPanicked) {
				t.Errorf("a waiter got %v, want errCompressionPanicked", err)
			}
		}
		if gatedCalls.Load() != 1 || c.Len() != 0 {
			t.Errorf("%d compressions ran and %d entries are cached, want 1 and 0", gatedCalls.Load(), c.Len())
		}
		gatePanics.Store(false)
		gate = make(chan struct{})
		close(gate)
		if out, err := c.Compress(gatedAlg, body); err != nil || len(out) == 0 {
			t.Errorf("after the panic, compressing again: %d bytes, %v", len(out), err)
		}
	})
}

// FuzzDecompress feeds arbitrary streams: Decompress must never panic,
// fail only with bad_certificate, and succeed only with exactly want bytes.
func FuzzDecompress(f *testing.F) {
	body := sampleBody()
	for _, alg := range algorithms {
		c, _ := Compress(alg, body)
		f.Add(alg, c, uint32(len(body)))
		f.Add(alg, c, uint32(len(body)-1))
		f.Add(alg, c[:len(c)-1], uint32(len(body)))
	}
	f.Add(uint16(2), []byte{0x8b, 0x02, 0x80, 0x41, 0x03}, uint32(1))
	f.Fuzz(func(t *testing.T, alg uint16, compressed []byte, want uint32) {
		out, err := Decompress(alg, compressed, int(want))
		if err != nil {
			var ae *alert.Error
			if !errors.As(err, &ae) || ae.Desc != alert.BadCertificate {
				t.Fatalf("error %v is not bad_certificate", err)
			}
			return
		}
		if len(out) != int(want) {
			t.Fatalf("returned %d bytes, declared %d", len(out), want)
		}
	})
}

// TestBrotliLargeWindowStreams checks that streams written with any window
// a peer may choose decode to the same bytes after the window is narrowed.
func TestBrotliLargeWindowStreams(t *testing.T) {
	body := sampleBody()
	for len(body) < 70000 {
		body = append(body, body[:len(body)/3]...)
	}
	body = body[:70000]
	for lgwin := 10; lgwin <= 24; lgwin++ {
		var b bytes.Buffer
		w := brotli.NewWriterOptions(&b, brotli.WriterOptions{Quality: 9, LGWin: lgwin})
		w.Write(body)
		w.Close()
		if narrowed := narrowBrotliWindow(b.Bytes()); lgwin >= 19 && narrowed[0] == b.Bytes()[0] {
			t.Fatalf("lgwin %d: window not narrowed (first byte %#x)", lgwin, narrowed[0])
		}
		got, err := Decompress(wire.CertCompressionBrotli, b.Bytes(), len(body))
		if err != nil {
			t.Fatalf("lgwin %d: %v", lgwin, err)
		}
		if !bytes.Equal(got, body) {
			t.Fatalf("lgwin %d: output differs", lgwin)
		}
	}
}
