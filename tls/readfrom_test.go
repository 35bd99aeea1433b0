package tls_test

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"testing"

	"lucid/internal/testwait"
	"lucid/tls"
)

// shortReader gives its data in reads of random sizes up to max, and
// hides any WriterTo so io.Copy must use the destination's ReadFrom.
type shortReader struct {
	data  []byte
	rng   *rand.Rand
	max   int
	reads int
	err   error // returned once data is exhausted; io.EOF when nil
}

func (r *shortReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		return 0, io.EOF
	}
	n := min(len(p), len(r.data), 1+r.rng.IntN(r.max))
	copy(p, r.data[:n])
	r.data = r.data[n:]
	r.reads++
	return n, nil
}

// countingConn counts the writes that reach the network once armed.
type countingConn struct {
	net.Conn
	armed  atomic.Bool
	writes atomic.Int64
}

func (c *countingConn) Write(b []byte) (int, error) {
	if c.armed.Load() {
		c.writes.Add(1)
	}
	return c.Conn.Write(b)
}

func (c *countingConn) CloseWrite() error { return c.Conn.(*net.TCPConn).CloseWrite() }

// finish ends the client's side with close_notify and returns what the
// server read. The client closes only after the server did, so the
// tickets it never read do not turn its close into a reset.
func finish(t *testing.T, client *tls.Conn, got chan []byte) []byte {
	t.Helper()
	if err := client.CloseWrite(); err != nil {
		t.Fatalf("CloseWrite: %v", err)
	}
	b := testwait.Recv(t, got, "the server to read to close_notify")
	io.Copy(io.Discard, client)
	client.Close()
	return b
}

// readFromPair returns an established Lucid pair whose client counts its
// network writes, and a channel delivering everything the server reads
// until the client's close_notify.
func readFromPair(t *testing.T) (*tls.Conn, *countingConn, chan []byte) {
	t.Helper()
	var cc *countingConn
	client, server := lucidConnsOver(t, func(c net.Conn) net.Conn {
		cc = &countingConn{Conn: c}
		return cc
	})
	got := make(chan []byte, 1)
	go func() {
		defer server.Close()
		b, err := io.ReadAll(server)
		if err != nil {
			t.Errorf("server read: %v", err)
		}
		got <- b
	}()
	if err := client.Handshake(); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	cc.armed.Store(true)
	return client, cc, got
}

// io.Copy into a Conn goes through ReadFrom: every byte arrives in order
// however the source splits its reads, and each of the source's reads
// leaves in one write to the network, never held back for more.
func TestReadFromCopiesShortReads(t *testing.T) {
	payload := make([]byte, 3<<20)
	fillRandom(payload, 7)
	client, cc, got := readFromPair(t)
	src := &shortReader{data: payload, rng: rand.New(rand.NewPCG(3, 4)), max: 100000}
	n, err := io.Copy(client, src)
	if err != nil {
		t.Fatalf("io.Copy: %v", err)
	}
	if n != int64(len(payload)) {
		t.Fatalf("io.Copy reported %d bytes, want %d", n, len(payload))
	}
	if w := cc.writes.Load(); w != int64(src.reads) {
		t.Errorf("%d reads from the source went out in %d network writes, want one each", src.reads, w)
	}
	if b := finish(t, client, got); !bytes.Equal(b, payload) {
		t.Fatalf("server read %d bytes, want the %d sent, unchanged", len(b), len(payload))
	}
}

var errSource = errors.New("source failed")

// A source's error ends ReadFrom with that error after what it read
// before is sent; the connection stays usable.
func TestReadFromStopsAtSourceError(t *testing.T) {
	payload := make([]byte, 300000)
	fillRandom(payload, 9)
	client, _, got := readFromPair(t)
	src := &shortReader{data: payload, rng: rand.New(rand.NewPCG(5, 6)), max: 70000, err: errSource}
	n, err := client.ReadFrom(src)
	if !errors.Is(err, errSource) {
		t.Fatalf("ReadFrom: %v, want the source's error", err)
	}
	if n != int64(len(payload)) {
		t.Fatalf("ReadFrom reported %d bytes, want the %d the source gave", n, len(payload))
	}
	if _, err := client.Write([]byte("after")); err != nil {
		t.Fatalf("Write after the source failed: %v", err)
	}
	want := append(payload, "after"...)
	if b := finish(t, client, got); !bytes.Equal(b, want) {
		t.Fatalf("server read %d bytes, want the %d sent, unchanged", len(b), len(want))
	}
}

// ReadFrom on a closed connection fails as Write does, with nothing sent.
func TestReadFromAfterClose(t *testing.T) {
	client, _, got := readFromPair(t)
	finish(t, client, got)
	n, err := client.ReadFrom(bytes.NewReader([]byte("late")))
	if err == nil || n != 0 {
		t.Fatalf("ReadFrom after Close: %d, %v; want 0 and an error", n, err)
	}
}

// loopReader hands out the same block, a full batch per read, until
// left reaches zero.
type loopReader struct {
	block []byte
	left  int
}

func (r *loopReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	n := copy(p, r.block)
	r.left--
	return n, nil
}

// Steady-state ReadFrom allocates nothing per batch: its gathering buffer
// and the sealed records' buffer come from pools. One long copy is
// measured, as io.Copy of a stream makes one call. sync.Pool costs a few
// allocations of its own now and then (a processor's first use, a shared
// queue growing when one goroutine puts and another on another processor
// gets: a few dozen in 2,000 blocks at most here), never one per batch.
func TestReadFromAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector drops pooled buffers on purpose, so allocation counts mean nothing")
	}
	client, server := lucidConns(t)
	done := make(chan error, 1)
	go func() {
		// WriteTo into io.Discard: the reading side allocates nothing
		// either, so the count is ReadFrom's.
		_, err := server.WriteTo(io.Discard)
		server.Close()
		done <- err
	}()
	if err := client.Handshake(); err != nil {
		t.Fatalf("handshake: %v", err)
	}
	src := &loopReader{block: make([]byte, 64<<10)}
	copyBlocks := func(n int) {
		src.left = n
		if _, err := client.ReadFrom(src); err != nil {
			t.Fatalf("ReadFrom: %v", err)
		}
	}
	copyBlocks(8) // warm the pools
	const blocks = 2000
	// A collection empties every sync.Pool, and refilling them costs a few
	// allocations that say nothing about ReadFrom; none runs meanwhile.
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	copyBlocks(blocks)
	runtime.ReadMemStats(&after)
	if allocs := after.Mallocs - before.Mallocs; allocs > blocks/10 {
		t.Errorf("ReadFrom of %d blocks allocated %d times, want far fewer than one per block", blocks, allocs)
	}
	if err := client.CloseWrite(); err != nil {
		t.Fatalf("CloseWrite: %v", err)
	}
	if err := testwait.Recv(t, done, "the server to read to close_notify"); err != nil {
		t.Fatalf("server: %v", err)
	}
	client.Close()
}

// A client's first ReadFrom, like its first Write, carries its first
// piece as 0-RTT data.
func TestReadFromSendsEarlyData(t *testing.T) {
	ed := newEDFixture(t, 1024)
	ed.readFrom = true
	ed.run(t, "GET / first", "then")
	r := ed.run(t, "GET / early", "late")
	if !r.client.EarlyData.Accepted || !r.server.EarlyData.Accepted {
		t.Fatalf("early data: client %+v, server %+v, want accepted", r.client.EarlyData, r.server.EarlyData)
	}
	if r.writeErr != nil || r.writeN != len("GET / early") {
		t.Errorf("ReadFrom: %d, %v", r.writeN, r.writeErr)
	}
	checkChunks(t, r.chunks, "GET / early", "late")
}
