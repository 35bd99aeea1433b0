//go:build unix

package tls_test

import (
	"bytes"
	stdtls "crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"lucid/internal/testpki"
	"lucid/tls"
)

// The benchmarks in this file measure the record path and what an idle
// connection costs, for Lucid and crypto/tls side by side in one run, so
// their ratios mean something on a shared machine: CPU time (both ends run
// in this process, so wall time says little) and live heap.

type costStacks struct {
	lucidCert tls.Certificate
	stdCert   stdtls.Certificate
	roots     *x509.CertPool
}

var (
	costOnce  sync.Once
	costSetup costStacks
	costErr   error
)

func costFixture(b *testing.B) *costStacks {
	costOnce.Do(func() {
		ca, err := testpki.NewCA("Cost Root", testpki.ECDSAP256)
		if err != nil {
			costErr = err
			return
		}
		leaf, err := ca.Issue(testpki.LeafOptions{Names: []string{"localhost"}, KeyType: testpki.ECDSAP256})
		if err != nil {
			costErr = err
			return
		}
		costSetup.lucidCert, err = tls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
		if err != nil {
			costErr = err
			return
		}
		costSetup.stdCert, err = stdtls.X509KeyPair(leaf.CertPEM, leaf.KeyPEM)
		if err != nil {
			costErr = err
			return
		}
		costSetup.roots = x509.NewCertPool()
		costSetup.roots.AddCert(ca.Cert)
	})
	if costErr != nil {
		b.Fatal(costErr)
	}
	return &costSetup
}

// costCase is one protocol choice, made the same for both stacks.
type costCase struct {
	name    string
	version uint16
	suite   uint16 // 0: TLS 1.3 AES-128-GCM, or what the version defaults to
	chacha  bool
}

var costCases = []costCase{
	{name: "13-AES128GCM", version: tls.VersionTLS13},
	// crypto/tls cannot be told to prefer ChaCha20 in TLS 1.3 on a CPU
	// with AES instructions, so its TLS 1.2 ChaCha20 suite, whose record
	// work is the same, stands in for it.
	{name: "13-CHACHA20", version: tls.VersionTLS13, chacha: true},
	{name: "12-AES128GCM", version: tls.VersionTLS12, suite: tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
	{name: "12-CHACHA20", version: tls.VersionTLS12, suite: tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256},
}

// handshaken is one established pair of either stack.
type handshaken struct {
	client, server net.Conn
}

// pairMaker returns a function that opens established pairs of one stack
// and case, all under the same two configs, as a real server and client
// share theirs.
func (f *costStacks) pairMaker(lucid bool, cc costCase) func(b *testing.B) handshaken {
	if lucid {
		cli := &tls.Config{RootCAs: f.roots, ServerName: "localhost", CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}, MinVersion: cc.version, MaxVersion: cc.version}
		srv := &tls.Config{Certificates: []tls.Certificate{f.lucidCert}, CurvePreferences: []tls.CurveID{tls.X25519, tls.CurveP256}, MinVersion: cc.version, MaxVersion: cc.version}
		switch {
		case cc.suite != 0:
			cli.CipherSuites = []uint16{cc.suite}
		case cc.chacha:
			cli.CipherSuites = []uint16{tls.TLS_CHACHA20_POLY1305_SHA256}
		default:
			cli.CipherSuites = []uint16{tls.TLS_AES_128_GCM_SHA256}
		}
		return func(b *testing.B) handshaken {
			c, s := loopbackTCP(b)
			return shake(b, tls.Client(c, cli), tls.Server(s, srv))
		}
	}
	cli := &stdtls.Config{RootCAs: f.roots, ServerName: "localhost", CurvePreferences: []stdtls.CurveID{stdtls.X25519, stdtls.CurveP256}, MinVersion: cc.version, MaxVersion: cc.version}
	srv := &stdtls.Config{Certificates: []stdtls.Certificate{f.stdCert}, CurvePreferences: []stdtls.CurveID{stdtls.X25519, stdtls.CurveP256}, MinVersion: cc.version, MaxVersion: cc.version}
	switch {
	case cc.suite != 0:
		cli.CipherSuites = []uint16{cc.suite}
	case cc.chacha:
		cli.MinVersion, cli.MaxVersion = stdtls.VersionTLS12, stdtls.VersionTLS12
		srv.MinVersion, srv.MaxVersion = stdtls.VersionTLS12, stdtls.VersionTLS12
		cli.CipherSuites = []uint16{stdtls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305}
	}
	return func(b *testing.B) handshaken {
		c, s := loopbackTCP(b)
		return shake(b, stdtls.Client(c, cli), stdtls.Server(s, srv))
	}
}

// shake runs both ends' handshakes.
func shake(b *testing.B, client, server interface {
	net.Conn
	Handshake() error
}) handshaken {
	done := make(chan error, 1)
	go func() { done <- server.Handshake() }()
	if err := client.Handshake(); err != nil {
		b.Fatal(err, <-done)
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	return handshaken{client, server}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkRecordCPU sends application data one way over loopback TCP and
// reports the CPU time both ends spent per byte: cpu-ns/op for each write of
// the given size, and MB/cpu-s, the figure to compare across stacks. Run it
// with -count and alternate nothing else: both stacks run in each round.
func BenchmarkRecordCPU(b *testing.B) {
	f := costFixture(b)
	for _, size := range []int{16 << 10, 256 << 10} {
		for _, cc := range costCases {
			for _, lucid := range []bool{true, false} {
				name := "crypto-tls"
				if lucid {
					name = "lucid"
				}
				b.Run(cc.name+"/"+sizeName(size)+"/"+name, func(b *testing.B) {
					p := f.pairMaker(lucid, cc)(b)
					defer p.server.Close()
					copied := make(chan error, 1)
					go func() {
						// Read, as most applications do, rather than
						// io.Copy, which would take Lucid's WriteTo.
						buf := make([]byte, 64<<10)
						for {
							if _, err := p.server.Read(buf); err != nil {
								if err == io.EOF {
									err = nil
								}
								copied <- err
								return
							}
						}
					}()
					buf := make([]byte, size)
					b.SetBytes(int64(size))
					b.ReportAllocs()
					start := cpuTime(b)
					n := 0
					for b.Loop() {
						if _, err := p.client.Write(buf); err != nil {
							b.Fatal(err)
						}
						n++
					}
					// The reader's work counts too: wait for it to take
					// the last byte.
					if err := p.client.(interface{ CloseWrite() error }).CloseWrite(); err != nil {
						b.Fatal(err)
					}
					defer p.client.Close()
					if err := <-copied; err != nil {
						b.Fatal(err)
					}
					cpu := cpuTime(b) - start
					b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/op")
					b.ReportMetric(float64(n)*float64(size)/1e6/cpu.Seconds(), "MB/cpu-s")
				})
			}
		}
	}
}

func sizeName(n int) string {
	if n >= 1<<20 {
		return itoa(n>>20) + "MiB"
	}
	return itoa(n>>10) + "KiB"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var d []byte
	for ; n > 0; n /= 10 {
		d = append([]byte{byte('0' + n%10)}, d...)
	}
	return string(d)
}

// idlePairs is how many connection pairs BenchmarkIdleHeap holds.
const idlePairs = 1000

// BenchmarkIdleHeap holds idlePairs established connection pairs on
// loopback and reports the live heap each pair costs beyond its two TCP
// sockets (heapB/pair, both ends together) and the stacks of its waiting
// readers (stackB/pair). "handshake" pairs have only shaken hands;
// "waiting" pairs have both ends blocked in Read, as a keep-alive
// connection's do; "exchanged" and "bulk" pairs first carried a request
// and a 4 KiB or 64 KiB answer. Run with -benchtime=1x.
func BenchmarkIdleHeap(b *testing.B) {
	f := costFixture(b)
	for _, mode := range []struct {
		name    string
		readers bool
		resp    int
	}{{"handshake", false, 0}, {"waiting", true, 0}, {"exchanged", true, 4 << 10}, {"bulk", true, 64 << 10}} {
		for _, lucid := range []bool{true, false} {
			name := "crypto-tls"
			if lucid {
				name = "lucid"
			}
			b.Run(mode.name+"/"+name, func(b *testing.B) {
				for b.Loop() {
					plain, _ := heapPerPair(b, func() (io.Closer, io.Closer) {
						return loopbackTCP(b)
					}, nil, 0)
					open := f.pairMaker(lucid, costCases[0])
					want := 0
					if mode.readers {
						want = 2 * idlePairs
					}
					total, stack := heapPerPair(b, func() (io.Closer, io.Closer) {
						p := open(b)
						return p.client, p.server
					}, func(client, server io.Closer) {
						if mode.readers {
							exchange(b, client.(net.Conn), server.(net.Conn), mode.resp)
						}
					}, want)
					b.ReportMetric(total-plain, "heapB/pair")
					b.ReportMetric(total, "heapB/pair+tcp")
					b.ReportMetric(stack, "stackB/pair")
				}
			})
		}
	}
}

// exchangeReq and exchangeResp are shared by every pair, so the
// application's own buffers do not weigh on the figures.
var exchangeReq, exchangeResp = make([]byte, 200), make([]byte, 64<<10)

// exchange carries one request and an answer of size bytes (none for 0),
// then leaves both ends blocked in Read for what does not come until
// Close, as a keep-alive connection's two ends wait.
func exchange(b *testing.B, client, server net.Conn, size int) {
	served := make(chan struct{})
	go func() {
		var one [1]byte
		if size > 0 {
			if _, err := io.ReadFull(server, exchangeResp[:len(exchangeReq)]); err != nil {
				close(served)
				return
			}
			server.Write(exchangeResp[:size])
		}
		close(served)
		server.Read(one[:])
	}()
	if size > 0 {
		if _, err := client.Write(exchangeReq); err != nil {
			b.Fatal(err)
		}
	}
	<-served
	if size > 0 {
		buf := make([]byte, size)
		if _, err := io.ReadFull(client, buf); err != nil {
			b.Fatal(err)
		}
	}
	go func() {
		var one [1]byte
		client.Read(one[:])
	}()
}

// heapPerPair opens idlePairs pairs with open, runs use on each, and
// returns the live heap and goroutine stack per pair, measured after
// collections once want goroutines wait in the network poller.
func heapPerPair(b *testing.B, open func() (io.Closer, io.Closer), use func(client, server io.Closer), want int) (heap, stack float64) {
	before, beforeStack := liveHeap()
	pairs := make([][2]io.Closer, 0, idlePairs)
	for range idlePairs {
		c, s := open()
		if use != nil {
			use(c, s)
		}
		pairs = append(pairs, [2]io.Closer{c, s})
	}
	waitInPoller(b, want)
	after, afterStack := liveHeap()
	// IDLEPROF=file writes a heap profile of the held pairs, to see
	// what an idle connection keeps (go tool pprof -sample_index=inuse_space,
	// with -memprofilerate=1).
	if f := os.Getenv("IDLEPROF"); f != "" && use != nil {
		w, _ := os.Create(f)
		pprof.WriteHeapProfile(w)
		w.Close()
	}
	for _, p := range pairs {
		p[0].Close()
		p[1].Close()
	}
	runtime.KeepAlive(pairs)
	return float64(int64(after)-int64(before)) / idlePairs, float64(int64(afterStack)-int64(beforeStack)) / idlePairs
}

// waitInPoller waits until at least n goroutines wait in the network
// poller, which is where an idle reader of either stack ends up.
func waitInPoller(b *testing.B, n int) {
	if n == 0 {
		return
	}
	var buf bytes.Buffer
	for range 2000 {
		buf.Reset()
		pprof.Lookup("goroutine").WriteTo(&buf, 2)
		if strings.Count(buf.String(), "internal/poll.runtime_pollWait") >= n {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.Fatalf("fewer than %d readers reached the network poller", n)
}

func liveHeap() (heap, stack uint64) {
	var m runtime.MemStats
	// Two collections: the first leaves sync.Pool contents in the
	// victim cache, the second frees them.
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, m.StackInuse
}
