package wire

import (
	"fmt"
	"testing"
)

// heavyBodies returns, for each shape a hostile client might choose,
// a ClientHello body of roughly size bytes (at most what one extensions
// block allows) that is all that shape: many small entries, which is what
// costs a parser most per byte.
func heavyBodies(size int) map[string][]byte {
	room := min(size, 0xffff) - 64
	fill := func(n int, entry func(i int) []byte) []byte {
		var out []byte
		for i := 0; len(out)+len(entry(i)) <= n; i++ {
			out = append(out, entry(i)...)
		}
		return out
	}
	u16 := func(v int) []byte { return []byte{byte(v >> 8), byte(v)} }
	shares := fill(room/3, func(i int) []byte { return cat(u16(0x2000+i), vec16(1)) })
	groups := fill(room-len(shares)-20, func(i int) []byte { return u16(0x8000 + i) })
	groups = append(groups, shares[0], shares[1])
	return map[string][]byte{
		"extensions": chBody(fill(room, func(i int) []byte { return ext(uint16(0x4000 + i)) })),
		"shares":     chBody(ext(ExtSupportedGroups, vec16(groups...)...), ext(ExtKeyShare, vec16(shares...)...)),
		"alpn":       chBody(ext(ExtALPN, vec16(fill(room, func(int) []byte { return vec8('h') })...)...)),
		"sni-types":  chBody(ext(ExtServerName, vec16(fill(room, func(int) []byte { return cat([]byte{7}, vec16()) })...)...)),
		"suites": cat([]byte{3, 3}, make([]byte, 32), vec8(),
			vec16(fill(room, func(i int) []byte { return u16(0x1000 + i) })...), vec8(0)),
	}
}

// BenchmarkParseClientHelloHeavy parses hostile-shaped hellos of growing
// size: the cost per byte (MB/s) should stay roughly flat across sizes for
// every shape, since every check in the parser is linear.
func BenchmarkParseClientHelloHeavy(b *testing.B) {
	for _, size := range []int{4 << 10, 16 << 10, 64 << 10} {
		for shape, body := range heavyBodies(size) {
			if _, err := ParseClientHello(body); err != nil {
				b.Fatalf("%s: %v", shape, err)
			}
			b.Run(fmt.Sprintf("%s/%dKiB", shape, size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(body)))
				for b.Loop() {
					ParseClientHello(body)
				}
			})
		}
	}
}

// TestHeavyBodiesParse keeps the benchmark's inputs honest: each is a
// ClientHello the parser accepts, near the size asked for.
func TestHeavyBodiesParse(t *testing.T) {
	for shape, body := range heavyBodies(64 << 10) {
		if _, err := ParseClientHello(body); err != nil {
			t.Errorf("%s: %v", shape, err)
		}
		if len(body) < 60<<10 {
			t.Errorf("%s: %d bytes", shape, len(body))
		}
	}
}
