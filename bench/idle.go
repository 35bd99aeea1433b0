package bench

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"
)

// IdleResult is the memory that established, idle connections hold, per
// connection, both ends counted.
type IdleResult struct {
	Conns int
	// Heap is the growth of the live heap (runtime.MemStats.HeapAlloc
	// after a full collection) per connection.
	Heap float64
	// Stack is the growth of goroutine stack memory per connection: each
	// end has a goroutine blocked in Read, as an HTTP server and client
	// keep one per kept-alive connection.
	Stack float64
}

// IdleMemory holds n established connections of kind s, made by st, on
// loopback and measures what they keep alive. Each connection has finished
// its handshake and exchanged one byte each way; then a goroutine on each
// end waits in Read for a record that does not come, which is how a server
// holds a kept-alive connection between requests.
func IdleMemory(st Stack, s Setup, n int) (IdleResult, error) {
	p, err := newPair(st, s)
	if err != nil {
		return IdleResult{}, err
	}
	t, err := newTransport()
	if err != nil {
		return IdleResult{}, err
	}
	// One connection made and closed first, so that the baseline
	// includes the listener and whatever the configurations build on
	// first use: only what each connection adds is counted.
	warm, warmPeer, err := establish(t, p, s)
	if err != nil {
		t.close()
		return IdleResult{}, fmt.Errorf("%v: %w", st, err)
	}
	warm.Close()
	warmPeer.Close()
	before := settledMem()

	var ends []endpoint
	var wg sync.WaitGroup
	defer func() {
		for _, e := range ends {
			e.Close()
		}
		wg.Wait()
	}()
	for range n {
		client, server, err := establish(t, p, s)
		if err != nil {
			t.close()
			return IdleResult{}, fmt.Errorf("%v: %w", st, err)
		}
		ends = append(ends, client, server)
		for _, e := range []endpoint{client, server} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var b [1]byte
				e.Read(b[:])
			}()
		}
	}
	t.close()
	if err := waitBlockedReads(2 * n); err != nil {
		return IdleResult{}, fmt.Errorf("%v: %w", st, err)
	}
	after := settledMem()
	runtime.KeepAlive(ends)
	return IdleResult{
		Conns: n,
		Heap:  float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(n),
		Stack: float64(int64(after.StackInuse)-int64(before.StackInuse)) / float64(n),
	}, nil
}

// establish makes one connection and exchanges a byte each way, so that
// both ends have processed everything the handshake sends after it.
func establish(t *transport, p pair, s Setup) (endpoint, endpoint, error) {
	c, sc, err := t.dial()
	if err != nil {
		return nil, nil, err
	}
	client, server := p.client(c), p.server(sc)
	done := make(chan error, 1)
	go func() {
		var b [1]byte
		err := server.Handshake()
		if err == nil {
			_, err = io.ReadFull(server, b[:])
		}
		if err == nil {
			_, err = server.Write(b[:])
		}
		done <- err
	}()
	var b [1]byte
	err = client.Handshake()
	if err == nil {
		_, err = client.Write([]byte{1})
	}
	if err == nil {
		_, err = io.ReadFull(client, b[:])
	}
	if serr := <-done; err == nil && serr != nil {
		err = fmt.Errorf("server: %w", serr)
	}
	if err == nil {
		err = s.check(client, false)
	}
	if err != nil {
		client.Close()
		server.Close()
		return nil, nil, err
	}
	return client, server, nil
}

// settledMem collects garbage until the heap stops shrinking and returns
// the memory statistics then.
func settledMem() runtime.MemStats {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m
}

// waitBlockedReads waits until at least n goroutines are parked waiting for
// network input, so that every idle reader holds what a blocked Read holds.
// Reading the goroutine profile is the only way to see that; it is polled,
// with a generous bound in case a reader never gets there.
func waitBlockedReads(n int) error {
	deadline := time.Now().Add(30 * time.Second)
	var buf bytes.Buffer
	for {
		buf.Reset()
		if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
			return err
		}
		if blockedInPoll(&buf) >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return errors.New("idle readers did not all block in Read")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// blockedInPoll counts, in a debug=1 goroutine profile, the goroutines
// whose stack includes the network poller's wait.
func blockedInPoll(r io.Reader) int {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	total, count := 0, 0
	for sc.Scan() {
		line := sc.Text()
		if f := strings.Fields(line); len(f) >= 2 && f[1] == "@" {
			count, _ = strconv.Atoi(f[0])
			continue
		}
		if strings.Contains(line, "internal/poll.runtime_pollWait") {
			total += count
			count = 0
		}
	}
	return total
}
